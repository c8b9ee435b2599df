//! Sync with the county server: status, enrolling this computer, the answer file of a sync by USB stick.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// This computer's link to the county server, as the sync screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    /// Enrolled with a county server.
    pub enrolled: bool,
    pub server_url: Option<String>,
    pub role: Option<crate::user::Role>,
    /// The places this device works for (codes), as the server last said.
    pub places: Vec<String>,
    pub device_id: String,
    /// A sync is running now.
    pub syncing: bool,
    /// Local time of the last successful sync, `YYYY-MM-DD HH:MM:SS`.
    pub last_success: Option<String>,
    pub last_attempt: Option<String>,
    /// Shards with changes or reports the server has not had yet.
    pub waiting_shards: u32,
    /// Why the last attempt failed, in Chinese; `None` after a success.
    pub last_error: Option<String>,
    /// Seconds until the next automatic attempt.
    pub next_attempt_in_seconds: Option<u32>,
}

/// Enrolls this computer with a one-time code from the county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EnrollDevice {
    pub server_url: String,
    /// The county certificate's SHA-256 fingerprint, printed with the code; needed for https.
    pub fingerprint: Option<String>,
    pub code: String,
    /// What people call this computer, e.g. 庄口镇敬老院办公室.
    pub label: String,
    /// The password the person the code was made for will sign in with on this computer.
    pub password: String,
}
