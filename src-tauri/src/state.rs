//! The app's state: the replica of this computer, opened once at start.
//!
//! If the database cannot be opened (another program's file, a damaged file), the app still
//! starts and every command answers with the reason, so the person sees it in Chinese and the
//! file is left as it was.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use xianglin_sync::Replica;
use xianglin_sync::attachments::AttachmentStore;
use xianglin_sync::checkpoint::Checkpointer;

use crate::error::AppError;
use crate::sync_status::SyncEngine;

/// File name of the replica inside the data directory.
pub const DATABASE_FILE: &str = "xianglin.sqlite";

#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    data_dir: PathBuf,
    export_dir: PathBuf,
    attachments: AttachmentStore,
    replica: Result<Mutex<Replica>, AppError>,
    /// Keeps the write-ahead log short off the UI's path; `None` if the replica did not open.
    _checkpointer: Option<Checkpointer>,
    sync: SyncEngine,
    /// Set by 取消 while a roster is checked or imported; the job stops at its next report.
    roster_cancelled: std::sync::atomic::AtomicBool,
}

/// How often the background checkpointer folds the log into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

impl AppState {
    /// Opens the replica in `data_dir`; files the app writes for people go to `export_dir`.
    pub fn open(data_dir: &Path, export_dir: &Path) -> AppState {
        let path = data_dir.join(DATABASE_FILE);
        let replica = std::fs::create_dir_all(data_dir)
            .map_err(xianglin_sync::Error::from)
            .and_then(|()| Replica::open(&path))
            .map(Mutex::new)
            .map_err(|error| {
                tracing::error!(error = %error, "the replica could not be opened");
                AppError::from(error)
            });
        let checkpointer = match &replica {
            Ok(_) => Checkpointer::spawn(&path, None, CHECKPOINT_EVERY)
                .inspect_err(|error| tracing::warn!(error = %error, "no background checkpoints"))
                .ok(),
            Err(_) => None,
        };
        AppState {
            inner: Arc::new(Inner {
                data_dir: data_dir.to_owned(),
                export_dir: export_dir.to_owned(),
                attachments: AttachmentStore::new(data_dir.join("attachments")),
                replica,
                _checkpointer: checkpointer,
                sync: SyncEngine::default(),
                roster_cancelled: std::sync::atomic::AtomicBool::new(false),
            }),
        }
    }

    pub fn data_dir(&self) -> String {
        self.inner.data_dir.display().to_string()
    }

    /// Writes a file for people to open (an export, a report) and returns where it went.
    pub fn save_export(&self, file_name: &str, bytes: &[u8]) -> Result<String, AppError> {
        let path = self.inner.export_dir.join(file_name);
        std::fs::create_dir_all(&self.inner.export_dir)
            .and_then(|()| std::fs::write(&path, bytes))
            .map_err(|error| AppError::new("export_failed", format!("无法写入文件 {}：{error}", path.display())))?;
        Ok(path.display().to_string())
    }

    /// Photos and scans, stored once by SHA-256 beside the database.
    /// The cancel flag of the roster job running (one at a time: the page runs one).
    pub fn roster_cancelled(&self) -> &std::sync::atomic::AtomicBool {
        &self.inner.roster_cancelled
    }

    pub fn attachments(&self) -> &AttachmentStore {
        &self.inner.attachments
    }

    /// The background sync's state.
    pub fn sync(&self) -> &SyncEngine {
        &self.inner.sync
    }

    /// The replica's lock itself, for the sync task that takes it between round trips.
    pub fn replica_mutex(&self) -> Result<&Mutex<Replica>, AppError> {
        self.inner.replica.as_ref().map_err(Clone::clone)
    }

    /// The replica, locked for a command that writes; the sync task syncs once writing pauses.
    pub fn replica_to_write(&self) -> Result<MutexGuard<'_, Replica>, AppError> {
        let replica = self.replica()?;
        self.inner.sync.wrote();
        Ok(replica)
    }

    /// The replica, locked for one command.
    pub fn replica(&self) -> Result<MutexGuard<'_, Replica>, AppError> {
        match &self.inner.replica {
            Ok(replica) => replica.lock().map_err(|_| AppError::internal("replica lock poisoned")),
            Err(error) => Err(error.clone()),
        }
    }
}
