//! The background sync's shared half: its progress (last success, failures, next attempt),
//! the signals that wake it, and its status as the UI shows it. The app's state holds it; the
//! task in `sync_engine` drives it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};
use xianglin_schema::api::SyncStatus;
use xianglin_sync::Replica;
use xianglin_sync::client;

use crate::error::AppError;

/// Where the replica keeps the server's address and this device's token.
pub(crate) const SERVER_URL: &str = "sync.server_url";
pub(crate) const TOKEN: &str = "sync.token";
/// The county certificate's fingerprint, pinned at enrollment (https only).
pub(crate) const PIN: &str = "sync.pin";

#[derive(Debug, Default)]
pub(crate) struct Progress {
    pub(crate) syncing: bool,
    pub(crate) last_success: Option<String>,
    pub(crate) last_attempt: Option<String>,
    pub(crate) last_error: Option<String>,
    pub(crate) failures: u32,
    pub(crate) next_attempt: Option<Instant>,
}

/// The engine's shared half: what the task and the commands both see.
#[derive(Debug)]
pub struct SyncEngine {
    pub(crate) progress: Mutex<Progress>,
    pub(crate) wake: Notify,
    pub(crate) debounced: Notify,
    /// Counts finished rounds, so 立即同步 can wait for the round it asked for.
    pub(crate) rounds: watch::Sender<u64>,
}

impl Default for SyncEngine {
    fn default() -> SyncEngine {
        SyncEngine {
            progress: Mutex::new(Progress::default()),
            wake: Notify::new(),
            debounced: Notify::new(),
            rounds: watch::channel(0).0,
        }
    }
}

impl SyncEngine {
    /// A local write happened: sync soon, once the writing pauses.
    pub fn wrote(&self) {
        self.debounced.notify_one();
    }

    /// Syncs now and waits for that round to end.
    pub async fn sync_now(&self) {
        let mut rounds = self.rounds.subscribe();
        let asked_at = *rounds.borrow_and_update();
        self.wake.notify_one();
        let _ = tokio::time::timeout(Duration::from_secs(150), rounds.wait_for(|round| *round > asked_at)).await;
    }

    pub(crate) fn progress(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The status as the UI shows it.
    pub fn status(&self, replica: &Replica) -> Result<SyncStatus, AppError> {
        let scope = client::scope(replica)?;
        let progress = self.progress();
        Ok(SyncStatus {
            enrolled: replica.setting(TOKEN)?.is_some(),
            server_url: replica.setting(SERVER_URL)?,
            role: scope.as_ref().map(|scope| scope.role),
            places: scope.map(|scope| scope.places).unwrap_or_default(),
            device_id: replica.device_id(),
            syncing: progress.syncing,
            last_success: progress.last_success.clone(),
            last_attempt: progress.last_attempt.clone(),
            waiting_shards: client::waiting(replica)? as u32,
            last_error: progress.last_error.clone(),
            next_attempt_in_seconds: progress
                .next_attempt
                .map(|at| at.saturating_duration_since(Instant::now()).as_secs() as u32),
        })
    }
}
