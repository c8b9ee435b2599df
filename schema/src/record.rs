//! What every record shares: identity, who created it, and how it is voided (never deleted).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A new record id: time-ordered, unique, made offline (UUIDv7), stable for the record's life.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

/// Creation and voiding. A record is never deleted: voiding keeps it, and its history, in the
/// document, while lists and counts leave it out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecordMeta {
    /// When the record was first saved (local time of the device, `YYYY-MM-DDTHH:MM:SS`).
    pub created_at: String,
    /// The user id who first saved it.
    pub created_by: String,
    pub voided_at: Option<String>,
    pub voided_by: Option<String>,
    pub void_reason: Option<String>,
}

impl RecordMeta {
    pub fn created(at: chrono::NaiveDateTime, by: &str) -> RecordMeta {
        RecordMeta { created_at: format_datetime(at), created_by: by.to_owned(), ..RecordMeta::default() }
    }

    pub fn is_voided(&self) -> bool {
        self.voided_at.is_some()
    }
}

/// The one text form of a local date-time in records: `YYYY-MM-DDTHH:MM:SS`.
pub fn format_datetime(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// The date-time [`format_datetime`] wrote (chrono's fixed ISO parser: several times faster
/// than a format string, which counts where a county's visits are read by the hundred thousand).
pub fn parse_datetime(text: &str) -> Option<chrono::NaiveDateTime> {
    text.parse().ok()
}

/// A file attached to a record (a photo, a scanned form), stored once by its SHA-256 beside the
/// replica and referred to by hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Attachment {
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// `image/jpeg`, `image/png`, `image/webp` or `application/pdf`.
    pub mime: String,
    pub size: u64,
}
