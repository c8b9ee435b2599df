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

impl Role {
    /// The role as stored and as the sign-in page names it (`caseworker`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Caseworker => "caseworker",
            Role::StationDirector => "station_director",
            Role::CountyReviewer => "county_reviewer",
        }
    }
}

/// argon2id's cost, kept with what it derived so that a later version can raise it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub lanes: u32,
}

impl Default for KdfParams {
    /// RFC 9106's second recommendation (64 MiB, 3 passes) on one lane: a few hundred
    /// milliseconds on a township PC, and as much per guess to anyone holding the file.
    fn default() -> KdfParams {
        KdfParams { memory_kib: 64 * 1024, iterations: 3, lanes: 1 }
    }
}

/// A one-time sign-in code the county issued for a person (record `signin/<user id>` in the
/// county document; a newer code replaces an older one). It holds nothing that opens anything:
/// a salt and the X25519 public key whose secret key is derived from the code (argon2id), so
/// a signed-in PC can wrap its data key for whoever will type the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigninGrant {
    pub user_id: String,
    pub code_id: String,
    pub salt: String,
    pub kdf: KdfParams,
    pub public_key: String,
    pub expires_at: chrono::NaiveDateTime,
    pub meta: RecordMeta,
}

/// The county's recovery public key (record `recovery_key/current` in the county document):
/// every PC wraps its data key for it, and the county's secret key (kept off the server) opens
/// a PC whose every password is forgotten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryKey {
    pub public_key: String,
    pub meta: RecordMeta,
}
