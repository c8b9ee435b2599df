//! Fields that devices changed concurrently, and resolving one.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One of a conflicted field's concurrent values, with who wrote it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConflictValue {
    /// The value as JSON text, to send back when it is the one picked.
    pub value: String,
    /// The value as a person reads it (an ID number masked).
    pub display: String,
    pub user_name: String,
    /// The device (automerge actor) that wrote it, shortened.
    pub device: String,
    /// `YYYY-MM-DD HH:MM:SS`, the device's time of the change.
    pub at: String,
    /// Whether this is the value lists show until someone picks.
    pub shown: bool,
}

/// What kind of record holds a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConflictRecordKind {
    Elder,
    Visit,
    Other,
}

/// A field that devices changed concurrently, as the county reviewer resolves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConflictRow {
    pub shard: String,
    pub record_id: String,
    pub kind: ConflictRecordKind,
    /// The elder the record is about (the elder of a visit), for the reviewer to recognise.
    pub elder_id: Option<String>,
    pub elder_name: String,
    pub place_name: String,
    /// Dotted path of the field inside the record, e.g. `phone` or `categories.disabled`.
    pub field: String,
    /// Whether a value other than the listed ones may be typed (records the app can validate).
    pub accepts_other: bool,
    pub values: Vec<ConflictValue>,
}

/// Picks the value of a conflicted field, or types another: every device holds it after sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ResolveConflict {
    pub shard: String,
    pub record_id: String,
    pub field: String,
    /// The value as JSON text: one of the listed values, or another when `accepts_other`.
    pub value: String,
}
