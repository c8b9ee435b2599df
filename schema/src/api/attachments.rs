//! Photos and scans: which one to read back (the bytes themselves cross as raw IPC bodies).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AttachmentId {
    pub sha256: String,
}
