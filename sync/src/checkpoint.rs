//! Folds the replica's write-ahead log back into its database file in the background, so that
//! no save pays for a checkpoint (copying pages and syncing the file takes 10–25 ms, which would
//! otherwise land in one save out of every hundred or so).
//!
//! The checkpointer has its own SQLite connection and runs `PRAGMA wal_checkpoint(PASSIVE)`,
//! which never blocks writers; the replica's own automatic checkpoint stays as a backstop for
//! a log that grows past [`crate::replica`]'s limit.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::Result;

/// A background thread checkpointing one replica file; stops when dropped.
#[derive(Debug)]
pub struct Checkpointer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the replica at `path` (encrypted with `key`, if given) every `every`.
    pub fn spawn(path: &Path, key: Option<&crate::crypto::Key>, every: Duration) -> Result<Checkpointer> {
        let connection = rusqlite::Connection::open(path)?;
        if let Some(key) = key {
            crate::encrypted::apply_key(&connection, key, &path.display().to_string())?;
        }
        connection.busy_timeout(Duration::from_secs(1))?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new().name("replica-checkpoint".into()).spawn(move || {
            let mut last = Instant::now();
            while !stop_flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50).min(every));
                if last.elapsed() < every {
                    continue;
                }
                last = Instant::now();
                let result = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                    Ok((row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
                });
                if let Err(error) = result {
                    tracing::warn!(error = %error, "background checkpoint failed; the replica's own checkpoint takes over");
                }
            }
        })?;
        Ok(Checkpointer { stop, thread: Some(thread) })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
