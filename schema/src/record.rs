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

/// The label of an enum value a newer app wrote that this build cannot name (each open enum's
/// `Unknown`, read with `#[serde(other)]`).
pub const NEWER_VALUE_LABEL: &str = "新版本的值";

/// Reads a map keyed by an enum, leaving out the keys this build cannot name (a category a
/// newer app added), so that a newer app's record still reads here. What is left out is kept in
/// the document when the record is written again (`Replica::record_json`).
///
/// Use as `#[serde(deserialize_with = "crate::record::known_keys")]` on an enum-keyed map.
pub fn known_keys<'de, D, K, V>(deserializer: D) -> Result<std::collections::BTreeMap<K, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    K: serde::de::DeserializeOwned + Ord,
    V: serde::de::DeserializeOwned,
{
    use serde::de::{Error, IntoDeserializer};
    let all = std::collections::BTreeMap::<String, serde_json::Value>::deserialize(deserializer)?;
    let mut known = std::collections::BTreeMap::new();
    for (key, value) in all {
        let key: Result<K, serde::de::value::Error> = K::deserialize(key.into_deserializer());
        if let Ok(key) = key {
            known.insert(key, V::deserialize(value).map_err(D::Error::custom)?);
        }
    }
    Ok(known)
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use crate::record::Gender;

    #[derive(Deserialize)]
    struct ByGender {
        #[serde(deserialize_with = "super::known_keys")]
        counts: BTreeMap<Gender, u32>,
    }

    #[test]
    fn a_map_key_a_newer_app_added_is_left_out_and_the_rest_read() {
        let read: ByGender = serde_json::from_str(r#"{"counts": {"male": 2, "other": 1, "female": 3}}"#).unwrap();
        assert_eq!(read.counts, BTreeMap::from([(Gender::Male, 2), (Gender::Female, 3)]));
    }

    #[test]
    fn a_bad_value_under_a_known_key_is_still_an_error() {
        assert!(serde_json::from_str::<ByGender>(r#"{"counts": {"male": "two"}}"#).is_err());
        // A newer app's key may hold a value of another shape: it is not read at all.
        assert!(serde_json::from_str::<ByGender>(r#"{"counts": {"male": 1, "other": {"n": 1}}}"#).is_ok());
    }
}
