//! Who viewed whose data: every view of an elder's full record (the ID number unmasked, the
//! record opened to edit, a file written with full ID numbers) leaves an access record. PIPL
//! asks for access to sensitive personal information to be limited to duty and logged; the
//! records sync to the county with the elder's village, are never edited or voided, and are
//! listed for the county reviewer and on the elder's page.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What of the elder's data was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AccessKind {
    /// The full ID number, shown on the elder's page.
    IdNumber,
    /// The full record (ID number unmasked), opened to edit.
    FullRecord,
    /// A file for people to open with the ID number in full (a roster, an export).
    ExportWithIdNumber,
}

impl AccessKind {
    /// The kind as the pages name it.
    pub fn label(self) -> &'static str {
        match self {
            AccessKind::IdNumber => "查看完整身份证号",
            AccessKind::FullRecord => "打开完整档案编辑",
            AccessKind::ExportWithIdNumber => "导出含完整身份证号的文件",
        }
    }
}

/// Longest reason kept, in characters.
pub const MAX_REASON_CHARS: usize = 200;

/// One view of one elder's full data (record `access/<id>` of the elder's village's visit
/// shard of the month it happened).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccessRecord {
    pub id: String,
    pub elder_id: String,
    pub village_code: String,
    /// The signed-in user who saw it.
    pub user_id: String,
    pub at: NaiveDateTime,
    pub kind: AccessKind,
    /// Why, where the screen asks (may be empty); at most [`MAX_REASON_CHARS`].
    pub reason: String,
    /// The device that recorded it (hex actor id).
    pub device_id: String,
}
