//! Access records (who viewed whose full data): revealing an ID number, the county's list, an
//! elder's own list.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::AccessKind;

/// Shows an elder's full ID number on their page; the view is recorded with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RevealIdNumber {
    pub elder_id: String,
    pub reason: String,
}

/// The access records to list: each filter optional, dates inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccessLogRequest {
    pub user_id: Option<String>,
    pub elder_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub page: u32,
    pub page_size: u32,
}

/// One access as the lists show it (the ID number masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccessRow {
    pub id: String,
    /// `YYYY-MM-DD HH:MM`.
    pub at: String,
    pub user_id: String,
    pub user_name: String,
    pub elder_id: String,
    pub elder_name: String,
    pub id_number_masked: String,
    pub village_name: String,
    pub kind: AccessKind,
    /// The kind in Chinese.
    pub kind_label: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccessLogPage {
    pub items: Vec<AccessRow>,
    pub total: u32,
}
