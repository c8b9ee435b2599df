//! How records live and travel: automerge documents (the truth) and the local replica that
//! keeps them with their SQLite projection (a view) in one file.
//!
//! - [`roster`]: roster files (.xlsx): template, checked import, export.
//! - [`shard`]: which document holds a record.
//! - [`document`]: records inside automerge documents, conflicts, touched records.
//! - [`registry`]: saving elders (duplicates caught at entry), history, referrals.
//! - [`duplicates`]: elders registered twice, county-wide: suspected pairs, merge and undo.
//! - [`replica`]: the local replica: open, write, merge, rebuild, bounded document cache.
//! - [`attachments`]: photos and scans stored once by SHA-256 beside the replica.
//! - [`checkpoint`]: folds the write-ahead log into the file in the background.
//! - [`patrol`]: due lists and monthly coverage (月探访率).
//! - [`meals`]: meal points, diners, the day's roster, subsidies, checks and settlements.
//! - [`adaptation`]: home-adaptation case files (一户一档): eligibility, the workflow from 申请 to
//!   归档 with its roles and requirements, plans within the cap, attachments, assessments.
//! - [`city_export`]: the county's data for the city's platform (JSON/CSV), every export logged.
//! - [`dashboards`]: 月探访率, meals and cases over months, as tables to export and print.
//! - [`approvals`]: what waits for the county: submitted settlements, cases at a county step.
//! - [`projection`]: documents → SQLite tables; `merges`: rows of merged elders read as the kept one.
//! - [`query`]: what the app reads from the projection.
//! - [`demo`]: the deterministic demo county on the real places of 会昌县.
//! - [`protocol`]: the sync wire format; [`client`]: the device side of sync (and HTTP);
//!   [`scope`]: who may read and write which shard; `server` (feature "server"): the county
//!   server and its storage.
//!
//! **Architecture invariant:** no SQL outside this crate and `schema`'s migrations; no
//! automerge outside this crate; nothing here knows about Tauri.

pub mod adaptation;
pub mod anomalies;
pub mod approvals;
pub mod attachments;
pub mod checkpoint;
pub mod city_export;
pub mod client;
pub mod conflicts;
pub mod dashboards;
pub mod demo;
pub mod document;
pub mod duplicates;
mod heads;
pub mod meals;
mod merges;
pub mod patrol;
pub mod projection;
pub mod protocol;
pub mod query;
pub mod registry;
pub mod replica;
pub mod roster;
pub mod scope;
#[cfg(feature = "server")]
pub mod server;
pub mod shard;
pub mod tls;

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
    /// The replica was written by a newer version of the app.
    #[error("{path} was written by a newer version of Xianglin (schema {found}, this version knows {known})")]
    TooNew { path: String, found: u32, known: u32 },
    #[error("in shard {shard}: {source}")]
    InShard { shard: String, source: Box<Error> },
    #[error(transparent)]
    Automerge(#[from] automerge::AutomergeError),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A request refused by a rule that is not a field's format (a role, a state), in Chinese.
pub(crate) fn refused(field: &str, message: &str) -> Problem {
    Problem { field: field.to_owned(), rule: xianglin_schema::Rule::Conflicts, message: message.to_owned() }
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

pub type Result<T, E = Error> = std::result::Result<T, E>;
