//! Updates of the app from the county (有新版本): what the header's notice shows while a
//! release the county offers downloads, once it is checked, and after it is installed.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where this PC is with the newest release the county offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UpdateState {
    /// The county offers nothing newer than this app.
    None,
    /// Downloading in the background (resumes after a break).
    Downloading,
    /// Downloaded and its signature checked: 安装更新 is offered.
    Ready,
    /// The download or its check failed; tried again at the next sync.
    Failed,
    /// Installed; the new version runs from the next start of the app.
    Installed,
}

/// The update notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UpdateStatus {
    /// This app's version.
    pub running: String,
    /// The version the county offers, when newer.
    pub version: Option<String>,
    pub state: UpdateState,
    /// MB downloaded so far, and in all (one decimal).
    pub downloaded_mb: f64,
    pub total_mb: f64,
    /// Why the last download or install failed, or what to do next, in Chinese.
    pub message: Option<String>,
}
