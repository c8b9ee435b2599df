//! Users and the devices they work on. A device's id is its automerge actor id.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::record::RecordMeta;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 村级探访员/社工: patrol visits in their villages.
    Caseworker,
    /// 敬老院院长 / 乡镇站: meal points and adaptation cases of a township.
    StationDirector,
    /// 县民政审核员: reconciles, approves and reports for the county.
    CountyReviewer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct User {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The places this user works for: village codes for caseworkers, a township code for
    /// station directors, the county code for reviewers.
    pub places: Vec<String>,
    pub phone: Option<String>,
    pub meta: RecordMeta,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Device {
    /// Hex automerge actor id; every change this device makes carries it.
    pub id: String,
    pub label: String,
    pub user_id: String,
    pub enrolled_at: String,
    pub meta: RecordMeta,
}
