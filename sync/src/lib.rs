//! How records live and travel: automerge documents (the truth) and the local replica that
//! keeps them with their SQLite projection (a view) in one file; the sync protocol and the
//! device's side of it.
//!
//! - [`shard`]: which document holds a record.
//! - [`document`]: records inside automerge documents, conflicts, touched records.
//! - [`replica`]: the local replica: open, commit, merge, rebuild, bounded document cache.
//! - [`projection`]: documents → SQLite tables; [`merges`]: rows of merged elders read as the kept one.
//! - [`attachments`]: photos and scans stored once by SHA-256 beside the replica.
//! - [`crypto`]: keys and sealed files; [`encrypted`]: SQLCipher database files, encrypted in
//!   place from plain ones.
//! - [`checkpoint`]: folds the write-ahead log into the file in the background.
//! - [`protocol`]: the sync wire format; [`client`]: the device side of sync (HTTP and the
//!   bundle file); [`server_state`]: what a device knows of the server; [`scope`]: who may
//!   read and write which shard; [`tls`]: certificate pinning; [`untrusted`]: automerge chunks
//!   from outside, bounded before they are decoded; [`release`]: signed app releases and the
//!   device's update folder.
//!
//! What users do with records (the registry, patrol, meals, adaptation, review) lives in
//! `xianglin-domain`, which writes through [`Replica::commit`]; the county server is
//! `xianglin-county`.
//!
//! **Architecture invariant:** no automerge outside this crate (and the county server's store);
//! nothing here knows about Tauri, Excel or a domain rule beyond a record's own validation.

pub mod attachments;
pub mod backup;
pub mod checkpoint;
pub mod client;
pub mod crypto;
pub mod document;
pub mod encrypted;
pub mod heads;
pub mod keyring;
pub mod merges;
pub mod projection;
pub mod protocol;
pub mod release;
pub mod replica;
pub mod scope;
pub mod server_state;
pub mod shard;
pub mod successor;
pub mod tls;
pub mod untrusted;

pub use replica::{Author, Replica};
pub use shard::{Month, ShardId, ShardKind};

use xianglin_schema::Problem;

/// What can go wrong in the replica. Messages are English (for logs); the app maps each kind
/// to a Chinese message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The record broke validation rules; nothing was written.
    #[error("invalid record: {}", xianglin_schema::problem::describe(.0))]
    Problems(Vec<Problem>),
    /// A request that makes no sense (unknown record, malformed input).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// A file given as a roster is not an Excel workbook.
    #[error("not an Excel workbook (.xlsx)")]
    NotExcel,
    /// A roster's first sheet has no row with the required column headers.
    #[error("no header row with the columns {0}")]
    NoRosterHeader(String),
    /// A roster file is past one of its limits; nothing of it was read into records.
    #[error("roster file refused: {0}")]
    RosterTooLarge(RosterLimit),
    /// The person cancelled a long job; it wrote nothing.
    #[error("cancelled; nothing was written")]
    Cancelled,
    #[error("not found: {0}")]
    NotFound(String),
    #[error("malformed shard id {0:?}")]
    BadShardId(String),
    /// The file exists but is not a Xianglin replica; it was left untouched.
    #[error(
        "{path} is not a Xianglin database (it belongs to another program or is not a database); it was left untouched"
    )]
    Foreign { path: String },
    /// The file looks like a replica but cannot be read; it was left untouched.
    #[error("{path} is damaged and cannot be opened ({detail}); it was left untouched")]
    Corrupt { path: String, detail: String },
    /// The database is encrypted with another key (or is not a database); left untouched.
    #[error("{path} cannot be opened with this key (another key, or not a Xianglin database); it was left untouched")]
    WrongKey { path: String },
    /// An encrypted open found a plain database; encrypt it in place first.
    #[error("{path} is not encrypted yet")]
    NotEncrypted { path: String },
    /// The replica was written by a newer version of the app.
    #[error("{path} was written by a newer version of Xianglin (schema {found}, this version knows {known})")]
    TooNew { path: String, found: u32, known: u32 },
    #[error("in shard {shard}: {source}")]
    InShard { shard: String, source: Box<Error> },
    /// The county server's database (PostgreSQL) failed or could not be reached; the step
    /// changed nothing.
    #[error("database: {0}")]
    Database(String),
    #[error(transparent)]
    Automerge(#[from] automerge::AutomergeError),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl Error {
    /// Wraps an error with the shard it happened in.
    pub fn in_shard(self, shard: &ShardId) -> Error {
        Error::InShard { shard: shard.to_string(), source: Box::new(self) }
    }

    /// The innermost error, past any shard context.
    pub fn root(&self) -> &Error {
        match self {
            Error::InShard { source, .. } => source.root(),
            other => other,
        }
    }
}

/// Which limit a roster file is past (checked before any cell is read).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterLimit {
    #[error("the file is {size} bytes (limit {limit})")]
    FileBytes { size: u64, limit: u64 },
    #[error("its parts inflate past {limit} bytes")]
    Inflated { limit: u64 },
    #[error("a sheet has values in column {found} (limit {limit})")]
    Columns { found: u32, limit: u32 },
    #[error("a sheet has values in row {found} (limit {limit} data rows)")]
    Rows { found: u32, limit: u32 },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
