//! The sync wire format, shared by the client engine, the county server and sync-by-file
//! bundles: MessagePack (named fields) compressed with zstd ([`wire`]); refusals are plain JSON.
//!
//! One round trip per batch. The device sends its cursor (the server's change counter as last
//! heard) and, per shard it changed or took changes into, its heads and the changes the server
//! lacks. The server checks and stores them, then answers per shard with its heads and the
//! changes the device lacks, for the shards the device sent and every shard of its scope that
//! changed after the cursor. Applying a change twice does nothing, so a request that is replayed
//! or a response that never arrives loses and doubles nothing.
//!
//! Changes travel as automerge chunks, each as compact as the case allows: the whole document
//! (uncompressed columns, which the body's zstd compresses far better than per-column DEFLATE)
//! when the other side has none of the shard, a bundle when it lacks several changes, a single
//! change on its own. Bundles are an automerge format still marked experimental; they only ever
//! live on the wire, between builds that speak the same [`PROTOCOL`], and are stored as the
//! changes they hold.

use serde::{Deserialize, Serialize};
use xianglin_schema::user::Role;

pub use crate::release::ReleaseOffer;

/// The protocol version this build speaks; a server refuses others with `protocol`.
pub const PROTOCOL: u32 = 2;

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
    /// The app that sends it ([`xianglin_schema::version::APP_VERSION`]); empty from apps
    /// older than this field. A county may refuse edits from apps older than its minimum.
    #[serde(default)]
    pub app_version: String,
    /// The user signed in on the device (empty from older apps): the county's device list shows
    /// who works on each PC.
    #[serde(default)]
    pub user_id: String,
    /// How many shards hold edits the server has not had yet, this request's among them (0
    /// from older apps).
    #[serde(default)]
    pub waiting: u32,
    /// Debian's name of the device's architecture ([`crate::release::this_arch`]; empty from
    /// older apps): which package the county offers it.
    #[serde(default)]
    pub arch: String,
}

/// One shard in a request: the device's heads, and the changes it believes the server lacks
/// (automerge chunks: a document, a bundle or a change each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardPush {
    pub shard: String,
    pub heads: Vec<String>,
    #[serde(with = "bytes_list")]
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
    /// The newest release for the device's architecture, when it is newer than the app that
    /// asked (absent from older servers).
    #[serde(default)]
    pub release: Option<ReleaseOffer>,
    /// The devices this one replaced (`xianglin-county successor`), nearest first: the server
    /// takes their changes from it, so their unsent edits may come up from their backups
    /// (absent from older servers).
    #[serde(default)]
    pub succeeds: Vec<String>,
}

/// One shard in an answer: the server's heads, and the changes the device lacks (chunks, as
/// in [`ShardPush`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardPull {
    pub shard: String,
    pub heads: Vec<String>,
    #[serde(with = "bytes_list")]
    pub changes: Vec<Vec<u8>>,
    /// The changes are the whole shard as the server stores it (for a device that has none of
    /// it): a device new to the shard keeps them as they are.
    #[serde(default)]
    pub stored: bool,
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

/// `POST /v1/signin/code`: a locked PC asks for a person's current one-time code, sending the
/// data key it sealed for the server ([`crate::keyring::ServerWrap`]). The answer is a
/// [`crate::keyring::CodeWrap`]: the key sealed for that code, which only its holder opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeWrapRequest {
    pub device_id: String,
    pub user_id: String,
    pub wrapped: String,
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

/// Lists of byte strings as MessagePack binaries (not arrays of numbers).
mod bytes_list {
    use serde::{Deserialize, Deserializer, Serializer, ser::SerializeSeq};
    use serde_bytes::{ByteBuf, Bytes};

    pub fn serialize<S: Serializer>(list: &[Vec<u8>], serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(list.len()))?;
        for bytes in list {
            seq.serialize_element(Bytes::new(bytes))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Vec<u8>>, D::Error> {
        Ok(Vec::<ByteBuf>::deserialize(deserializer)?.into_iter().map(ByteBuf::into_vec).collect())
    }
}

/// Bodies on the wire and in sync files: MessagePack with field names, zstd-compressed.
pub mod wire {
    use std::io::Read;

    use serde::Serialize;
    use serde::de::DeserializeOwned;

    /// The `content-type` of a body.
    pub const CONTENT_TYPE: &str = "application/msgpack";
    /// The `content-encoding` of a body.
    pub const CONTENT_ENCODING: &str = "zstd";
    /// zstd's level for what the server sends: it answers many devices.
    pub const LEVEL: i32 = 6;
    /// zstd's level for what a device sends: few requests, often over a slow link, where every
    /// byte saved is worth the device's time.
    pub const DEVICE_LEVEL: i32 = 19;

    /// The body of a message, compressed at the server's level.
    pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
        encode_at(message, LEVEL)
    }

    /// The body of a message, compressed at `level`. Large bodies are first syncs: whole shards
    /// as the server stores them, with plain columns that zstd compresses about 15 times (at
    /// level 6, some 4 ms of the server's time per megabyte).
    pub fn encode_at<T: Serialize>(message: &T, level: i32) -> Vec<u8> {
        let packed = rmp_serde::to_vec_named(message).expect("wire types serialize");
        zstd::bulk::compress(&packed, level).expect("compressing in memory")
    }

    /// A message from its body, which may inflate to at most `limit` bytes: a body that would
    /// inflate further is refused, not truncated.
    pub fn decode<T: DeserializeOwned>(body: &[u8], limit: usize) -> Result<T, DecodeError> {
        let mut packed = Vec::new();
        zstd::stream::read::Decoder::new(body)
            .map_err(|error| DecodeError::NotZstd(error.to_string()))?
            .take(limit as u64 + 1)
            .read_to_end(&mut packed)
            .map_err(|error| DecodeError::NotZstd(error.to_string()))?;
        if packed.len() > limit {
            return Err(DecodeError::TooLarge(limit));
        }
        rmp_serde::from_slice(&packed).map_err(|error| DecodeError::Malformed(error.to_string()))
    }

    /// Why a body could not be read.
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum DecodeError {
        #[error("body is not zstd-compressed: {0}")]
        NotZstd(String),
        #[error("body inflates beyond {0} bytes")]
        TooLarge(usize),
        #[error("body is not a valid message: {0}")]
        Malformed(String),
    }
}
