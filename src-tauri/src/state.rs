//! The app's state: the keyring, the replica once a person's sign-in has unwrapped the PC's data
//! key, and who is signed in.
//!
//! Before anyone signs in the replica is not open (it is encrypted), so commands other than
//! sign-in answer `signed_out`. Once opened it stays open while the app runs, so the background
//! sync goes on after sign-out or the idle lock (as DHIS2 Capture's soft log-out does); each
//! command still needs a session. If the database cannot be opened (another program's file, a
//! damaged file), sign-in answers with the reason, in Chinese, and the file is left as it was.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use xianglin_schema::user::Role;
use xianglin_sync::Replica;
use xianglin_sync::attachments::AttachmentStore;
use xianglin_sync::checkpoint::Checkpointer;
use xianglin_sync::crypto::Key;
use xianglin_sync::keyring::Keyring;

use crate::error::AppError;
use crate::sync_status::SyncEngine;

/// File name of the replica inside the data directory.
pub const DATABASE_FILE: &str = "xianglin.sqlite";

#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

/// Who is signed in: what every command's scope comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: String,
    pub role: Role,
}

#[derive(Debug)]
struct Inner {
    data_dir: PathBuf,
    export_dir: PathBuf,
    /// The replica and its attachments, opened by the first sign-in.
    opened: OnceLock<Opened>,
    keyring: Mutex<Option<Keyring>>,
    session: Mutex<Option<Session>>,
    sync: SyncEngine,
    /// `--idle-lock-seconds` or `XIANGLIN_IDLE_LOCK_SECONDS`: the idle time for a test or a kiosk,
    /// instead of the county's.
    idle_lock_override: OnceLock<u32>,
    /// Set by 取消 while a roster is checked or imported; the job stops at its next report.
    roster_cancelled: std::sync::atomic::AtomicBool,
    /// Set when the daily backups' thread has started.
    daily_backups: OnceLock<()>,
    /// The download and install of the release the county offers.
    update: Mutex<UpdateProgress>,
}

/// Where the download and install of an update stand (`updates` drives them).
#[derive(Debug, Default)]
pub struct UpdateProgress {
    pub(crate) downloading: bool,
    pub(crate) downloaded: u64,
    pub(crate) failure: Option<String>,
    pub(crate) installed: Option<String>,
}

#[derive(Debug)]
struct Opened {
    replica: Mutex<Replica>,
    attachments: AttachmentStore,
    /// The PC's data key, kept (zeroised on drop) to wrap it for new passwords and codes.
    key: Key,
    /// Keeps the write-ahead log short off the UI's path.
    _checkpointer: Option<Checkpointer>,
}

/// How often the background checkpointer folds the log into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

impl AppState {
    /// The state of the data directory `data_dir` (its keyring read, nothing opened); files
    /// the app writes for people go to `export_dir`.
    pub fn new(data_dir: &Path, export_dir: &Path) -> AppState {
        // A restore a kill interrupted is finished (or undone) before anything is read.
        if let Err(error) = xianglin_sync::backup::finish_restore(&data_dir.join(DATABASE_FILE)) {
            tracing::error!(error = %error, "an interrupted restore could not be finished");
        }
        let keyring = Keyring::load(data_dir)
            .inspect_err(|error| tracing::error!(error = %error, "the keyring could not be read"))
            .ok()
            .flatten();
        AppState {
            inner: Arc::new(Inner {
                data_dir: data_dir.to_owned(),
                export_dir: export_dir.to_owned(),
                opened: OnceLock::new(),
                keyring: Mutex::new(keyring),
                session: Mutex::new(None),
                sync: SyncEngine::default(),
                idle_lock_override: OnceLock::new(),
                roster_cancelled: std::sync::atomic::AtomicBool::new(false),
                daily_backups: OnceLock::new(),
                update: Mutex::default(),
            }),
        }
    }

    /// Sets the idle time in seconds instead of the county's (once, at start).
    pub fn override_idle_lock(&self, seconds: u32) {
        let _ = self.inner.idle_lock_override.set(seconds);
    }

    pub fn idle_lock_override(&self) -> Option<u32> {
        self.inner.idle_lock_override.get().copied()
    }

    pub fn data_dir(&self) -> String {
        self.inner.data_dir.display().to_string()
    }

    pub fn data_path(&self) -> &Path {
        &self.inner.data_dir
    }

    pub fn database_path(&self) -> PathBuf {
        self.inner.data_dir.join(DATABASE_FILE)
    }

    /// Opens the replica with the data key (once; later calls check the key is the same).
    /// A plain replica of an earlier version is encrypted in place first, and its attachments
    /// sealed.
    pub fn open_with(&self, key: Key) -> Result<(), AppError> {
        if let Some(opened) = self.inner.opened.get() {
            return if opened.key.fingerprint() == key.fingerprint() {
                Ok(())
            } else {
                Err(AppError::internal("a second data key for an open replica"))
            };
        }
        let path = self.database_path();
        let failed = |error: xianglin_sync::Error| {
            tracing::error!(error = %error, "the replica could not be opened");
            AppError::from(error)
        };
        std::fs::create_dir_all(&self.inner.data_dir)
            .map_err(xianglin_sync::Error::from)
            .and_then(|()| xianglin_sync::encrypted::recover(&path))
            .and_then(|()| match xianglin_sync::encrypted::state(&path)? {
                xianglin_sync::encrypted::FileState::Plain => {
                    tracing::info!("encrypting the replica in place");
                    xianglin_sync::encrypted::encrypt_in_place(&path, &key, &mut |_| {})
                }
                _ => Ok(()),
            })
            .map_err(failed)?;
        // A replica a new version will migrate is backed up first (or not migrated at all).
        self.backup_before_migration(&key)?;
        let opened = Replica::open_encrypted(&path, &key)
            .and_then(|replica| {
                let attachments =
                    AttachmentStore::sealed(self.inner.data_dir.join(xianglin_sync::attachments::FOLDER), key.clone());
                attachments.seal_existing()?;
                Ok((replica, attachments))
            })
            .map_err(failed)?;
        let (replica, attachments) = opened;
        let checkpointer = Checkpointer::spawn(&path, Some(&key), CHECKPOINT_EVERY)
            .inspect_err(|error| tracing::warn!(error = %error, "no background checkpoints"))
            .ok();
        let _ = self.inner.opened.set(Opened {
            replica: Mutex::new(replica),
            attachments,
            key,
            _checkpointer: checkpointer,
        });
        Ok(())
    }

    /// A backup of the replica before this version migrates it; refuses (nothing migrated)
    /// when it cannot be made.
    fn backup_before_migration(&self, key: &Key) -> Result<(), AppError> {
        use xianglin_sync::backup::{self, BackupError};
        let Some(keyring) = self.keyring().clone() else { return Ok(()) };
        let now = xianglin_schema::clock::now();
        match backup::before_migration(&self.database_path(), key, &keyring, &self.backup_folder(), now) {
            Ok(_) => Ok(()),
            Err(BackupError::Replica(error)) => Err(error.into()),
            Err(error) => {
                tracing::error!(error = %error, "no backup could be made before the migration; nothing was migrated");
                Err(AppError::new(
                    "backup_before_migration",
                    "新版本需要先备份本机数据再升级数据库，但备份没有成功（磁盘可能已满）。请腾出磁盘空间后重新登录；数据没有任何改动",
                ))
            }
        }
    }

    /// True the first time it is asked in a run of the app: the daily backups start once.
    pub fn first_daily_backups(&self) -> bool {
        self.inner.daily_backups.set(()).is_ok()
    }

    /// Where this PC's backups go: `backups/` in the data directory.
    pub fn backup_folder(&self) -> PathBuf {
        self.inner.data_dir.join(xianglin_sync::backup::FOLDER)
    }

    /// Reads the keyring again from the data directory (after a restore put one there).
    pub fn reload_keyring(&self) {
        let keyring = Keyring::load(&self.inner.data_dir)
            .inspect_err(|error| tracing::error!(error = %error, "the keyring could not be read"))
            .ok()
            .flatten();
        *self.keyring() = keyring;
    }

    /// Whether the replica is open (someone has signed in since the app started).
    pub fn is_open(&self) -> bool {
        self.inner.opened.get().is_some()
    }

    /// The data key, while the replica is open.
    pub fn data_key(&self) -> Option<&Key> {
        self.inner.opened.get().map(|opened| &opened.key)
    }

    /// The keyring, locked for one step.
    pub fn keyring(&self) -> MutexGuard<'_, Option<Keyring>> {
        self.inner.keyring.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Who is signed in.
    pub fn session(&self) -> Option<Session> {
        self.inner.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    pub fn set_session(&self, session: Option<Session>) {
        *self.inner.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = session;
    }

    /// The signed-in person, if they have `role`; the backend checks what the menus only hide.
    pub fn require_role(&self, role: Role) -> Result<Session, AppError> {
        let session = self.session().ok_or_else(signed_out)?;
        if session.role != role {
            return Err(AppError::new("forbidden", "您的角色不能使用此功能"));
        }
        Ok(session)
    }

    /// The signed-in person, if they work at the township station or the county (the station's
    /// pages: meal points, settlements, adaptation cases).
    pub fn require_station(&self) -> Result<Session, AppError> {
        let session = self.session().ok_or_else(signed_out)?;
        if !matches!(session.role, Role::StationDirector | Role::CountyReviewer) {
            return Err(AppError::new("forbidden", "您的角色不能使用此功能"));
        }
        Ok(session)
    }

    /// Writes a file for people to open (an export, a report) and returns where it went.
    pub fn save_export(&self, file_name: &str, bytes: &[u8]) -> Result<String, AppError> {
        let path = self.inner.export_dir.join(file_name);
        std::fs::create_dir_all(&self.inner.export_dir)
            .and_then(|()| std::fs::write(&path, bytes))
            .map_err(|error| AppError::new("export_failed", format!("无法写入文件 {}：{error}", path.display())))?;
        Ok(path.display().to_string())
    }

    /// The cancel flag of the roster job running (one at a time: the page runs one).
    pub fn roster_cancelled(&self) -> &std::sync::atomic::AtomicBool {
        &self.inner.roster_cancelled
    }

    /// Photos and scans, stored once by SHA-256 beside the database, sealed with the data key.
    pub fn attachments(&self) -> Result<&AttachmentStore, AppError> {
        self.session().ok_or_else(signed_out)?;
        self.opened().map(|opened| &opened.attachments)
    }

    /// The attachments for the background sync (no session needed).
    pub fn attachments_for_sync(&self) -> Option<&AttachmentStore> {
        self.inner.opened.get().map(|opened| &opened.attachments)
    }

    /// The background sync's state.
    pub fn sync(&self) -> &SyncEngine {
        &self.inner.sync
    }

    /// The update's progress (download, install).
    pub fn update(&self) -> MutexGuard<'_, UpdateProgress> {
        self.inner.update.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where downloaded updates go: `updates/` in the data directory.
    pub fn update_folder(&self) -> xianglin_sync::release::UpdateFolder {
        xianglin_sync::release::UpdateFolder::new(self.inner.data_dir.join("updates"))
    }

    /// The replica's lock itself, for the sync task that takes it between round trips (it
    /// runs whoever is signed in, and while nobody is).
    pub fn replica_mutex(&self) -> Result<&Mutex<Replica>, AppError> {
        self.opened().map(|opened| &opened.replica)
    }

    /// The replica, locked for a command that writes; the sync task syncs once writing pauses.
    pub fn replica_to_write(&self) -> Result<MutexGuard<'_, Replica>, AppError> {
        let replica = self.replica()?;
        self.inner.sync.wrote();
        Ok(replica)
    }

    /// The replica, locked for one command of the signed-in person.
    pub fn replica(&self) -> Result<MutexGuard<'_, Replica>, AppError> {
        self.session().ok_or_else(signed_out)?;
        self.replica_unchecked()
    }

    /// The replica whoever is (or nobody is) signed in: sign-in itself and the sync task.
    pub fn replica_unchecked(&self) -> Result<MutexGuard<'_, Replica>, AppError> {
        self.opened()?.replica.lock().map_err(|_| AppError::internal("replica lock poisoned"))
    }

    fn opened(&self) -> Result<&Opened, AppError> {
        self.inner.opened.get().ok_or_else(signed_out)
    }
}

fn signed_out() -> AppError {
    AppError::new("signed_out", "请先登录")
}
