//! The county's devices and how they are doing (设备状况): what the county server knows of each
//! enrolled PC, for the reviewer's page and `xianglin-county devices`; and the county's number
//! of days after which a silent device stands out.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::record::RecordMeta;

/// The county document's record holding [`SilentDays`].
pub const SILENT_DAYS_KEY: &str = "fleet/silent_days";

/// Days without contact after which the county's device list marks a device silent, while the
/// county has not set its own (record [`SILENT_DAYS_KEY`]): a station is asked to sync weekly.
pub const DEFAULT_SILENT_DAYS: u32 = 7;

/// The county's own number of days after which a silent device stands out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SilentDays {
    pub days: u32,
    pub meta: RecordMeta,
}

/// Every device the county enrolled, as the server last heard from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FleetHealth {
    /// When the server made this list (local time, `YYYY-MM-DDTHH:MM:SS`).
    pub at: String,
    /// Days without contact after which a device is marked silent.
    pub silent_days: u32,
    /// Devices silent longer than `silent_days` first (longest silent first), then the rest by
    /// label; revoked devices last.
    pub devices: Vec<DeviceHealth>,
}

/// One enrolled device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeviceHealth {
    pub device_id: String,
    /// What the PC was called when it enrolled, e.g. 白沙村委会电脑.
    pub label: String,
    /// The name of the person whose code enrolled it.
    pub enrolled_by: String,
    /// The codes of the places that person works for, as the server sends them.
    pub place_codes: Vec<String>,
    /// Their names, filled in by the app from its own replica (the server leaves this empty).
    pub place_names: Vec<String>,
    pub enrolled_at: String,
    pub revoked_at: Option<String>,
    /// The label of the lost or broken PC this one replaced (absent from older servers).
    #[serde(default)]
    pub succeeds_label: Option<String>,
    /// The last request the server answered in full.
    pub last_sync_at: Option<String>,
    /// The last request the server answered or refused.
    pub last_contact_at: Option<String>,
    /// Whole days since the last contact (since enrollment when never heard from).
    pub days_silent: u32,
    /// Not revoked and silent longer than the county's number of days.
    pub silent: bool,
    pub app_version: Option<String>,
    /// Shards of edits still waiting on the PC after its last answered request.
    pub shards_waiting: Option<u32>,
    /// The last refusal of its requests (`code: reason`, the server's words), and when.
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    /// The names of everyone who synced from it, most recent first.
    pub users: Vec<String>,
}
