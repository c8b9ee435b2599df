//! Where the county server keeps everything, behind three small traits, so that another backend
//! (PostgreSQL for a city or province) can serve the same protocol:
//!
//! - [`ChangeStore`]: each shard's changes and heads, the county-wide change counter, and what
//!   each device last reported of each shard;
//! - [`DeviceStore`]: the county, enrollment codes, users' scopes and device grants;
//! - [`AttachmentIndex`]: which villages' records refer to an attachment.
//!
//! [`CountyStore`] is all three. [`SqliteStore`] keeps them in one SQLite file (the embedded
//! default); [`PostgresStore`] in PostgreSQL, where several counties and several server
//! processes share one database; [`MemoryStore`] is their in-memory twin. One conformance suite
//! (`conformance`, in the tests) runs against every implementation.

#[cfg(test)]
pub(crate) mod conformance;
mod memory;
mod postgres;
mod sqlite;
pub mod testing;

use std::collections::BTreeMap;

use automerge::{Change, ChangeHash};
use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};
use xianglin_schema::user::User;
use xianglin_sync::Result;
use xianglin_sync::protocol::Scope;
use xianglin_sync::shard::ShardId;

pub use memory::MemoryStore;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// An enrolled device as the server knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceGrant {
    pub device_id: String,
    pub user_id: String,
    pub label: String,
    pub enrolled_at: String,
    pub revoked_at: Option<String>,
    /// The device this one replaced (`xianglin-county successor`): its changes are taken from
    /// this one too, so the edits it never sent can come up from its last backup.
    pub succeeds: Option<String>,
    pub health: Health,
}

/// What the server saw of a device when it last heard from it: what the county's device list
/// shows. Every field is `None` until the device's first request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Health {
    /// The device's last request the server answered or refused (online or by USB file).
    pub last_contact_at: Option<String>,
    /// The device's last request the server answered in full.
    pub last_sync_at: Option<String>,
    /// The app version the device ran at its last answered request.
    pub app_version: Option<String>,
    /// Shards of edits the device had not yet sent, after its last answered request.
    pub shards_waiting: Option<u32>,
    /// The last refusal of one of its requests (`code: reason`, the server's words), and when.
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
}

/// What a device's answered request told the server about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contact<'a> {
    pub app_version: &'a str,
    /// The user signed in on the device when it asked (empty from apps that do not say).
    pub user_id: &'a str,
    /// Shards of edits still waiting on the device after this request.
    pub shards_waiting: u32,
}

/// Shards' changes and heads, and what each device holds. Every method is one consistent step;
/// `apply` is durable when it returns, and stores all of its chunks or none.
pub trait ChangeStore {
    /// A shard's heads, sorted (empty for a shard the store has never seen).
    fn heads(&mut self, shard: &ShardId) -> Result<Vec<ChangeHash>>;
    /// Whether the store holds each of these changes of a shard.
    fn has_changes(&mut self, shard: &ShardId, hashes: &[ChangeHash]) -> Result<Vec<bool>>;
    /// Stores checked changes, as the automerge chunks that carried them (documents, bundles or
    /// single changes; chunks may repeat changes already stored, which changes nothing).
    fn apply(&mut self, shard: &ShardId, chunks: &[Vec<u8>]) -> Result<()>;
    /// What a device at `heads` lacks of a shard, as chunks (empty when it lacks nothing).
    fn changes_since(&mut self, shard: &ShardId, heads: &[ChangeHash]) -> Result<Vec<Vec<u8>>>;
    /// The county-wide change counter: it grows with every `apply` (or county write) that
    /// changed a shard.
    fn changed_seq(&mut self) -> Result<u64>;
    /// Shards changed after counter value `seq`, with the value of their last change, oldest first.
    fn shards_changed_since(&mut self, seq: u64) -> Result<Vec<(ShardId, u64)>>;
    /// The records new `changes` would touch in a shard, found without storing them, each with
    /// whether the shard holds it already (an edit) or not (a new record).
    fn records_touched_by(&mut self, shard: &ShardId, changes: &[Change]) -> Result<BTreeMap<String, bool>>;
    /// Whether each of `hashes` is in the history of `heads` (one of them or an ancestor of one).
    fn covered(&mut self, shard: &ShardId, hashes: &[ChangeHash], heads: &[ChangeHash]) -> Result<Vec<bool>>;
    /// The heads a device last reported for a shard, as the server verified them (empty if never).
    fn peer_heads(&mut self, device_id: &str, shard: &ShardId) -> Result<Vec<ChangeHash>>;
    /// Records the heads a device reported (after the server verified them), for every shard of
    /// its request at once.
    fn set_peer_heads(&mut self, device_id: &str, reported: &[(ShardId, Vec<ChangeHash>)]) -> Result<()>;
    /// The shard's heads when the server last sent it to a device (empty if never).
    fn offered_heads(&mut self, device_id: &str, shard: &ShardId) -> Result<Vec<ChangeHash>>;
    /// Remembers what an answer sent a device: each shard's heads then (the reported heads stay
    /// as they were).
    fn record_offered(&mut self, device_id: &str, offered: &[(ShardId, Vec<ChangeHash>)]) -> Result<()>;
    /// Whether a shard was ever sent to or pushed by a device.
    fn held(&mut self, device_id: &str, shard: &ShardId) -> Result<bool>;
}

/// The county, its enrollment codes, users' scopes and device grants. Codes and tokens are
/// kept only as their SHA-256.
pub trait DeviceStore {
    /// The county this server serves (its 12-digit code), from the county document.
    fn county_code(&mut self) -> Result<String>;
    /// Creates a user (in the county document) and a one-time code to enroll a device as them.
    fn create_code(&mut self, user: &User, code: &str, expires_at: NaiveDateTime, now: NaiveDateTime) -> Result<()>;
    /// Redeems a code for `device_id` (once, before it expires); the device's token is stored
    /// as a hash, and the grant is the device's only record (the county document, which every
    /// device reads, names no devices).
    fn enroll(
        &mut self,
        code: &str,
        device_id: &str,
        label: &str,
        token: &str,
        now: NaiveDateTime,
    ) -> Result<DeviceGrant>;
    /// The grant a token belongs to, revoked or not.
    fn grant_by_token(&mut self, token: &str) -> Result<Option<DeviceGrant>>;
    /// Revokes a device's grant; whether it was active.
    fn revoke(&mut self, device_id: &str, now: NaiveDateTime) -> Result<bool>;
    /// In one step: revokes `old` (if still active) and records that `new` succeeds it. Callers
    /// check the two first ([`name_successor`]).
    fn link_successor(&mut self, old: &str, new: &str, now: NaiveDateTime) -> Result<()>;
    /// A device's grant and the key its sync-by-file bundles are signed with (the SHA-256 of
    /// its token, which is what the store keeps).
    fn bundle_key(&mut self, device_id: &str) -> Result<Option<(DeviceGrant, [u8; 32])>>;
    /// Notes that the server answered `device_id` at `at`, and what the request said (its app
    /// version, who was signed in, what still waits on it). An unknown device changes nothing.
    fn record_contact(&mut self, device_id: &str, at: NaiveDateTime, contact: &Contact<'_>) -> Result<()>;
    /// Notes that the server refused a request of `device_id` at `at`, and why.
    fn record_refusal(&mut self, device_id: &str, at: NaiveDateTime, error: &str) -> Result<()>;
    /// Who synced from each device: (device id, user id, last time), by device then user.
    fn device_users(&mut self) -> Result<Vec<(String, String, String)>>;
    /// Every grant, oldest enrollment first.
    fn grants(&mut self) -> Result<Vec<DeviceGrant>>;
    /// Changes the places a user works for (the county document); their devices learn it at
    /// their next sync.
    fn reassign(&mut self, user_id: &str, places: &[String], now: NaiveDateTime) -> Result<()>;
    /// The user `user_id` of the county document, if there is one.
    fn user(&mut self, user_id: &str) -> Result<Option<User>>;
    /// Writes one record of the county document (a sign-in code's grant, the recovery key);
    /// devices get it at their next sync.
    fn put_county_record(&mut self, key: &str, value: serde_json::Value, now: NaiveDateTime) -> Result<()>;
    /// One record of the county document, as stored (a sign-in code's grant).
    fn read_county_record(&mut self, key: &str) -> Result<Option<serde_json::Value>>;
    /// The scope of a grant: its user's role and places.
    fn scope(&mut self, grant: &DeviceGrant) -> Result<Scope>;
}

/// Which records refer to which attachment, and the uploads none refers to yet.
pub trait AttachmentIndex {
    /// The villages of the visits and cases that refer to an attachment, sorted.
    fn attachment_villages(&mut self, sha256: &str) -> Result<Vec<String>>;
    /// Records an upload no record in the device's places refers to yet (again: nothing new).
    fn hold_unreferenced(&mut self, sha256: &str, device_id: &str, size: u64, at: NaiveDateTime) -> Result<()>;
    /// The bytes of a device's uploads held unreferenced.
    fn unreferenced_bytes(&mut self, device_id: &str) -> Result<u64>;
    /// Forgets the uploads held since before `before`; returns their hashes that no other
    /// device's younger upload still holds.
    fn release_unreferenced(&mut self, before: NaiveDateTime) -> Result<Vec<String>>;
}

/// Everything the sync protocol needs of storage.
pub trait CountyStore: ChangeStore + DeviceStore + AttachmentIndex + Send {}

impl<T: ChangeStore + DeviceStore + AttachmentIndex + Send> CountyStore for T {}

/// Codes and tokens are kept only as their SHA-256, so a copy of the database enrolls nobody.
/// Case, spaces and dashes do not count: people type codes.
/// The grant an enrollment code makes, once the code is found: refused if the code was used or
/// has expired (the one rule every store applies before it records the grant and marks the code).
pub(crate) fn redeem(
    user_id: String,
    expires_at: &str,
    used_by: Option<&str>,
    device_id: &str,
    label: &str,
    now: NaiveDateTime,
) -> Result<DeviceGrant> {
    let now = xianglin_schema::record::format_datetime(now);
    if used_by.is_some() {
        return Err(xianglin_sync::Error::Invalid("this enrollment code was already used".into()));
    }
    if expires_at < now.as_str() {
        return Err(xianglin_sync::Error::Invalid("this enrollment code has expired".into()));
    }
    Ok(DeviceGrant {
        device_id: device_id.to_owned(),
        user_id,
        label: label.to_owned(),
        enrolled_at: now,
        revoked_at: None,
        succeeds: None,
        health: Health::default(),
    })
}

/// How many predecessors a device's chain may have (a PC replaced again and again).
const MAX_PREDECESSORS: usize = 16;

/// The devices `grant`'s device replaced, nearest first: its predecessor, that one's, and so on.
pub fn predecessors(store: &mut dyn CountyStore, grant: &DeviceGrant) -> Result<Vec<String>> {
    let mut chain: Vec<String> = Vec::new();
    let mut next = grant.succeeds.clone();
    while let Some(device_id) = next.take() {
        if device_id == grant.device_id || chain.contains(&device_id) || chain.len() == MAX_PREDECESSORS {
            break;
        }
        next = store.bundle_key(&device_id)?.and_then(|(grant, _)| grant.succeeds);
        chain.push(device_id);
    }
    Ok(chain)
}

/// Names `new` the successor of the lost or broken `old`: `old` is revoked at once, and `new`
/// may bring up the changes `old` made (from `old`'s backup). Refused unless both are enrolled,
/// `new` is active and works as the same kind of user for at least `old`'s places (it will
/// write where `old` wrote), and unless `new` already succeeds another device.
pub fn name_successor(store: &mut dyn CountyStore, old: &str, new: &str, now: NaiveDateTime) -> Result<DeviceGrant> {
    let invalid = |message: String| xianglin_sync::Error::Invalid(message);
    if old == new {
        return Err(invalid(format!("device {new} cannot succeed itself")));
    }
    let find = |store: &mut dyn CountyStore, device_id: &str| -> Result<DeviceGrant> {
        store
            .bundle_key(device_id)?
            .map(|(grant, _)| grant)
            .ok_or_else(|| xianglin_sync::Error::NotFound(format!("device {device_id}")))
    };
    let old_grant = find(store, old)?;
    let new_grant = find(store, new)?;
    if new_grant.revoked_at.is_some() {
        return Err(invalid(format!("device {new} is revoked; enroll the replacement PC again")));
    }
    match new_grant.succeeds.as_deref() {
        Some(already) if already != old => {
            return Err(invalid(format!("device {new} already succeeds device {already}")));
        }
        _ => {}
    }
    if predecessors(store, &old_grant)?.iter().any(|device_id| device_id == new) {
        return Err(invalid(format!("device {old} already replaced device {new}")));
    }
    let (old_scope, new_scope) = (store.scope(&old_grant)?, store.scope(&new_grant)?);
    let covered = old_scope.places.iter().all(|place| new_scope.places.contains(place));
    if old_scope.role != new_scope.role || !covered {
        return Err(invalid(format!(
            "device {new} works for other places or another role than device {old} did ({} {}); \
             enroll the replacement for the same places",
            old_scope.role.as_str(),
            old_scope.places.join(",")
        )));
    }
    store.link_successor(old, new, now)?;
    Ok(DeviceGrant { succeeds: Some(old.to_owned()), ..new_grant })
}

pub(crate) fn hash(secret: &str) -> String {
    let normal: String =
        secret.chars().filter(char::is_ascii_alphanumeric).map(|character| character.to_ascii_uppercase()).collect();
    Sha256::digest(normal.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The bundle key of a device: its stored token hash (64 hex digits) as bytes.
pub(crate) fn key_of_hash(device_id: &str, hex: &str) -> Result<[u8; 32]> {
    let mut key = [0u8; 32];
    for (index, byte) in key.iter_mut().enumerate() {
        *byte = hex
            .get(index * 2..index * 2 + 2)
            .and_then(|pair| u8::from_str_radix(pair, 16).ok())
            .ok_or_else(|| xianglin_sync::Error::Invalid(format!("stored token hash of {device_id} is malformed")))?;
    }
    Ok(key)
}
