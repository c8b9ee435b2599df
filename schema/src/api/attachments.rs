//! Photos and scans: adding one, reading one back.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A file's bytes, as the UI read them, to store as an attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AttachmentFile {
    pub bytes: Vec<u8>,
}

/// An attachment to show: its description and its bytes as a `data:` URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AttachmentData {
    pub attachment: crate::record::Attachment,
    pub data_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AttachmentId {
    pub sha256: String,
}
