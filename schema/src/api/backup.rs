//! Backups of a station PC (备份与恢复): the list its settings page shows, the backups the
//! welcome page finds (on this PC or a USB stick) to restore, and a long job's progress.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Why a backup was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BackupReason {
    /// The day's backup, made in the background after the first sign-in of the day.
    Daily,
    /// Before a new version migrated the replica's schema.
    Migration,
    /// Before an update of the app was installed.
    Update,
    /// Asked for by a person (立即备份).
    Manual,
}

impl BackupReason {
    /// As in backup file names.
    pub fn as_str(self) -> &'static str {
        match self {
            BackupReason::Daily => "daily",
            BackupReason::Migration => "migration",
            BackupReason::Update => "update",
            BackupReason::Manual => "manual",
        }
    }
}

/// One backup file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BackupRow {
    pub path: String,
    /// The PC (device id) that made it.
    pub device_id: String,
    pub file_name: String,
    /// When it was made (local time, `YYYY-MM-DDTHH:MM:SS`).
    pub created_at: String,
    pub reason: BackupReason,
    /// The version of the app that made it.
    pub app_version: String,
    /// Size in MB, one decimal.
    pub megabytes: f64,
    /// Photos and scans in it that the county did not yet have when it was made.
    pub attachments: u32,
    /// Made by this PC (false: another PC's, found on a USB stick).
    pub this_pc: bool,
    /// Who can open it with their password on this PC's sign-in page at the time.
    pub accounts: Vec<BackupAccount>,
}

/// A person whose password opens a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BackupAccount {
    pub user_id: String,
    /// As the sign-in page shows it (张*华).
    pub masked_name: String,
    pub role: String,
    /// The county has put a one-time restore code for this person in the backup: it opens
    /// with that code and a new password.
    pub by_code: bool,
}

/// The backups of this PC, and where they are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BackupList {
    /// The backup folder inside the app's data directory.
    pub folder: String,
    /// Days a backup is kept (the newest few are kept whatever their age).
    pub keep_days: u32,
    pub keep_at_least: u32,
    /// A folder (a USB stick) each day's backup is also copied to, when one is set.
    pub copy_to: Option<String>,
    pub backups: Vec<BackupRow>,
    /// The lost or broken PCs (device ids) the county named this PC the successor of: their
    /// backups' unsent edits may be taken over here (接替旧电脑).
    pub succeeds: Vec<String>,
}

/// What taking over a replaced PC's backup brought (its unsent edits go up at the next sync).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TakenOver {
    /// Groups of records (shards) the old PC had not sent, now merged here.
    pub shards: u32,
    /// Of those, groups holding edits this PC did not have yet.
    pub changed: u32,
    /// Groups outside this PC's places, left out.
    pub outside: u32,
    /// Photos and scans the old PC had not uploaded, now stored here.
    pub attachments: u32,
}

/// Restores a backup found by `find_backups`, opened with one of its accounts' passwords (the
/// same request takes over a replaced PC's backup).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RestoreBackup {
    pub path: String,
    pub user_id: String,
    /// The account's password, or with `by_code` the county's one-time restore code
    /// (`xianglin-county recover-backup`, for a forgotten password).
    pub password: String,
    #[serde(default)]
    pub by_code: bool,
    /// The person's password from now on: required to restore by code (not to take over).
    #[serde(default)]
    pub new_password: Option<String>,
}

/// How far a backup or a restore has come (the `backup-progress` event).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct BackupProgress {
    pub phase: BackupPhase,
    /// Fraction done, 0 to 1.
    pub fraction: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BackupPhase {
    /// A backup copies the replica.
    Writing,
    /// A restore copies the database out of the backup and checks it.
    Copying,
    /// A restore puts the copy and the keyring in place.
    Committing,
}
