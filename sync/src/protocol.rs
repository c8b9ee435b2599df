//! The sync wire format, shared by the client engine, the county server and sync-by-file
//! bundles: JSON with change bytes in base64, sent gzip-compressed.
//!
//! One round trip per batch. The device sends its cursor (the server's change counter as last
//! heard) and, per shard it changed or took changes into, its heads and the changes the server
//! lacks. The server checks and stores them, then answers per shard with its heads and the
//! changes the device lacks, for the shards the device sent and every shard of its scope that
//! changed after the cursor. Applying a change twice does nothing, so a request that is replayed
//! or a response that never arrives loses and doubles nothing.

use serde::{Deserialize, Serialize};
use xianglin_schema::user::Role;

/// The protocol version this build speaks; a server refuses others with `protocol`.
pub const PROTOCOL: u32 = 1;

/// The largest request body a server accepts, after decompression.
pub const MAX_REQUEST_BYTES: usize = 32 << 20;

/// The largest single change a server accepts (a photo never travels inside a change).
pub const MAX_CHANGE_BYTES: usize = 4 << 20;

/// A server stops adding shards to an answer once its changes pass this size, and says `more`.
pub const RESPONSE_BUDGET_BYTES: usize = 8 << 20;

/// `POST /v1/sync`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRequest {
    pub protocol: u32,
    /// The server's change counter as of the device's last answer (0 at first).
    pub cursor: u64,
    pub shards: Vec<ShardPush>,
}

/// One shard in a request: the device's heads, and the changes it believes the server lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardPush {
    pub shard: String,
    pub heads: Vec<String>,
    #[serde(with = "base64_list")]
    pub changes: Vec<Vec<u8>>,
}

/// The server's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    /// The cursor to send next time.
    pub cursor: u64,
    /// More shards changed than fitted in this answer: ask again at once.
    pub more: bool,
    pub shards: Vec<ShardPull>,
    /// What this device may hold now; a device drops the shards outside it.
    pub scope: Scope,
}

/// One shard in an answer: the server's heads, and the changes the device lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardPull {
    pub shard: String,
    pub heads: Vec<String>,
    #[serde(with = "base64_list")]
    pub changes: Vec<Vec<u8>>,
}

/// Who a device works for: the role and the places of its user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub device_id: String,
    pub user_id: String,
    pub role: Role,
    /// Village codes for a caseworker, a township code for a station, the county for a reviewer.
    pub places: Vec<String>,
    pub county_code: String,
}

/// `POST /v1/enroll`: a device redeems a one-time code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub code: String,
    /// The device's automerge actor id (hex): every change it makes carries it.
    pub device_id: String,
    /// A name people recognise the computer by, e.g. 庄口镇敬老院办公室.
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// Sent as `Authorization: Bearer <token>` from now on; the server keeps only its hash.
    pub token: String,
    pub scope: Scope,
}

/// `POST /v1/attachments/missing`: the hashes a device holds, answered with those the server lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentList {
    pub sha256: Vec<String>,
}

/// Every refusal: a stable code for programs and an English message for logs. The app shows
/// its own Chinese wording for the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

/// Change bytes as base64 strings in JSON.
mod base64_list {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer, de::Error, ser::SerializeSeq};

    pub fn serialize<S: Serializer>(list: &[Vec<u8>], serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(list.len()))?;
        for bytes in list {
            seq.serialize_element(&STANDARD.encode(bytes))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Vec<u8>>, D::Error> {
        let texts = Vec::<String>::deserialize(deserializer)?;
        texts.iter().map(|text| STANDARD.decode(text).map_err(D::Error::custom)).collect()
    }
}
