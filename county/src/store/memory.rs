//! The in-memory twin of [`super::SqliteStore`]: every shard an automerge document in a map,
//! codes, grants and devices' heads in maps. Nothing survives the process; it exists so that the
//! store traits have a second, independent implementation (the conformance suite runs both) and
//! for tests that need a county without a file.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use automerge::transaction::CommitOptions;
use automerge::{ActorId, Automerge, ChangeHash};
use chrono::NaiveDateTime;
use serde_json::Value as Json;
use xianglin_schema::adaptation::AdaptationCase;
use xianglin_schema::place::{Place, PlaceLevel};
use xianglin_schema::record::format_datetime;
use xianglin_schema::user::User;
use xianglin_schema::visit::Visit;
use xianglin_sync::document;
use xianglin_sync::projection::county_key;
use xianglin_sync::protocol::Scope;
use xianglin_sync::shard::ShardId;
use xianglin_sync::{Error, Result};

use super::{AttachmentIndex, ChangeStore, Contact, DeviceGrant, DeviceStore, hash, key_of_hash, redeem};

/// One shard: its document and the counter value of its last change.
#[derive(Debug)]
struct Shard {
    document: Automerge,
    changed_seq: u64,
}

/// What a device holds of a shard, as far as the server knows.
#[derive(Debug, Default)]
struct Held {
    reported: Vec<ChangeHash>,
    offered: Vec<ChangeHash>,
}

/// An enrollment code, by the hash of the code.
#[derive(Debug)]
struct Code {
    user_id: String,
    expires_at: NaiveDateTime,
    used_by: Option<String>,
}

/// The county's data in memory.
#[derive(Debug)]
pub struct MemoryStore {
    /// The actor of the server's own writes to the county document.
    actor: ActorId,
    shards: BTreeMap<ShardId, Shard>,
    changed_seq: u64,
    codes: HashMap<String, Code>,
    /// Grants by device id, with the hash of their token.
    grants: BTreeMap<String, (DeviceGrant, String)>,
    /// Uploads no record refers to yet: (hash, device) → (size, received).
    unreferenced: BTreeMap<(String, String), (u64, NaiveDateTime)>,
    /// Per (device, shard), present once a shard was held: the heads the device last reported
    /// (verified), and the shard's heads when the server last sent it.
    peer_heads: HashMap<(String, ShardId), Held>,
    /// (device, user) → when the user last synced from the device.
    device_users: BTreeMap<(String, String), String>,
}

impl Default for MemoryStore {
    fn default() -> MemoryStore {
        MemoryStore::new()
    }
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore {
            actor: ActorId::random(),
            shards: BTreeMap::new(),
            changed_seq: 0,
            codes: HashMap::new(),
            grants: BTreeMap::new(),
            peer_heads: HashMap::new(),
            device_users: BTreeMap::new(),
            unreferenced: BTreeMap::new(),
        }
    }

    fn county_shard(&mut self) -> Result<ShardId> {
        Ok(ShardId::county(&self.county_code()?))
    }

    /// Reads one record of the county document.
    fn county_record<T: serde::de::DeserializeOwned>(&mut self, key: &str) -> Result<Option<T>> {
        let shard = self.county_shard()?;
        let Some(stored) = self.shards.get(&shard) else { return Ok(None) };
        match document::read_record(&stored.document, key)? {
            Some(record) => Ok(Some(serde_json::from_value(record.value)?)),
            None => Ok(None),
        }
    }

    /// Writes records into the county document as the server, one change at `now`.
    fn write_county(&mut self, records: &[(String, Json)], now: NaiveDateTime) -> Result<()> {
        let shard = self.county_shard()?;
        let stored = self.shards.get_mut(&shard).ok_or_else(|| Error::NotFound(format!("shard {shard}")))?;
        let mut next = stored.document.fork().with_actor(self.actor.clone());
        let mut transaction = next.transaction();
        for (key, record) in records {
            document::write_record(&mut transaction, key, record)?;
        }
        let options = CommitOptions::default()
            .with_message(document::change_message("county-server"))
            .with_time(now.and_utc().timestamp());
        transaction.commit_with(options);
        self.replace(&shard, next);
        Ok(())
    }

    /// Puts a shard's new document in place, counting the change if its heads moved.
    fn replace(&mut self, shard: &ShardId, document: Automerge) {
        let changed = self.shards.get(shard).is_none_or(|stored| stored.document.get_heads() != document.get_heads());
        if !changed {
            return;
        }
        self.changed_seq += 1;
        self.shards.insert(shard.clone(), Shard { document, changed_seq: self.changed_seq });
    }
}

impl ChangeStore for MemoryStore {
    fn heads(&mut self, shard: &ShardId) -> Result<Vec<ChangeHash>> {
        let mut heads = self.shards.get(shard).map(|stored| stored.document.get_heads()).unwrap_or_default();
        heads.sort_unstable();
        Ok(heads)
    }

    fn has_changes(&mut self, shard: &ShardId, hashes: &[ChangeHash]) -> Result<Vec<bool>> {
        let document = self.shards.get(shard).map(|stored| &stored.document);
        Ok(hashes
            .iter()
            .map(|hash| document.is_some_and(|document| document.get_change_meta_by_hash(hash).is_some()))
            .collect())
    }

    fn apply(&mut self, shard: &ShardId, chunks: &[Vec<u8>]) -> Result<()> {
        // All chunks or none: they load into a copy, which replaces the shard only at the end.
        let mut next = match self.shards.get(shard) {
            Some(stored) => stored.document.clone(),
            None => Automerge::new(),
        };
        for chunk in chunks {
            next.load_incremental(chunk).map_err(|error| Error::from(error).in_shard(shard))?;
        }
        self.replace(shard, next);
        Ok(())
    }

    fn changes_since(&mut self, shard: &ShardId, heads: &[ChangeHash]) -> Result<Vec<Vec<u8>>> {
        match self.shards.get(shard) {
            Some(stored) => document::chunks_since(&stored.document, heads),
            None => Ok(Vec::new()),
        }
    }

    fn changed_seq(&mut self) -> Result<u64> {
        Ok(self.changed_seq)
    }

    fn shards_changed_since(&mut self, seq: u64) -> Result<Vec<(ShardId, u64)>> {
        let mut changed: Vec<(ShardId, u64)> = self
            .shards
            .iter()
            .filter(|(_, stored)| stored.changed_seq > seq)
            .map(|(shard, stored)| (shard.clone(), stored.changed_seq))
            .collect();
        changed.sort_by_key(|(_, seq)| *seq);
        Ok(changed)
    }

    fn records_touched_by(
        &mut self,
        shard: &ShardId,
        changes: &[automerge::Change],
    ) -> Result<std::collections::BTreeMap<String, bool>> {
        match self.shards.get(shard) {
            Some(stored) => document::touched_by(&stored.document, changes),
            None => document::touched_by(&Automerge::new(), changes),
        }
    }

    fn covered(&mut self, shard: &ShardId, hashes: &[ChangeHash], heads: &[ChangeHash]) -> Result<Vec<bool>> {
        Ok(match self.shards.get(shard) {
            Some(stored) => document::covered(&stored.document, hashes, heads),
            None => vec![false; hashes.len()],
        })
    }

    fn peer_heads(&mut self, device_id: &str, shard: &ShardId) -> Result<Vec<ChangeHash>> {
        Ok(self
            .peer_heads
            .get(&(device_id.to_owned(), shard.clone()))
            .map(|held| held.reported.clone())
            .unwrap_or_default())
    }

    fn set_peer_heads(&mut self, device_id: &str, reported: &[(ShardId, Vec<ChangeHash>)]) -> Result<()> {
        for (shard, heads) in reported {
            self.peer_heads.entry((device_id.to_owned(), shard.clone())).or_default().reported = heads.clone();
        }
        Ok(())
    }

    fn offered_heads(&mut self, device_id: &str, shard: &ShardId) -> Result<Vec<ChangeHash>> {
        Ok(self
            .peer_heads
            .get(&(device_id.to_owned(), shard.clone()))
            .map(|held| held.offered.clone())
            .unwrap_or_default())
    }

    fn record_offered(&mut self, device_id: &str, offered: &[(ShardId, Vec<ChangeHash>)]) -> Result<()> {
        for (shard, heads) in offered {
            self.peer_heads.entry((device_id.to_owned(), shard.clone())).or_default().offered = heads.clone();
        }
        Ok(())
    }

    fn held(&mut self, device_id: &str, shard: &ShardId) -> Result<bool> {
        Ok(self.peer_heads.contains_key(&(device_id.to_owned(), shard.clone())))
    }
}

impl DeviceStore for MemoryStore {
    fn county_code(&mut self) -> Result<String> {
        // The county document names itself: `county/<code>`, holding the county's place.
        for (shard, stored) in &self.shards {
            if let ShardId::County { county } = shard
                && let Some(record) = document::read_record(&stored.document, &county_key("place", county))?
                && serde_json::from_value::<Place>(record.value).is_ok_and(|place| place.level == PlaceLevel::County)
            {
                return Ok(county.clone());
            }
        }
        Err(Error::NotFound("the county document (run `xianglin-county init`)".into()))
    }

    fn create_code(&mut self, user: &User, code: &str, expires_at: NaiveDateTime, now: NaiveDateTime) -> Result<()> {
        self.write_county(&[(county_key("user", &user.id), serde_json::to_value(user)?)], now)?;
        self.codes.insert(hash(code), Code { user_id: user.id.clone(), expires_at, used_by: None });
        Ok(())
    }

    fn enroll(
        &mut self,
        code: &str,
        device_id: &str,
        label: &str,
        token: &str,
        now: NaiveDateTime,
    ) -> Result<DeviceGrant> {
        let code_hash = hash(code);
        let found = self.codes.get(&code_hash).ok_or_else(|| Error::NotFound("enrollment code".into()))?;
        let expires_at = format_datetime(found.expires_at);
        let grant = redeem(found.user_id.clone(), &expires_at, found.used_by.as_deref(), device_id, label, now)?;
        self.grants.insert(device_id.to_owned(), (grant.clone(), hash(token)));
        if let Some(code) = self.codes.get_mut(&code_hash) {
            code.used_by = Some(device_id.to_owned());
        }
        Ok(grant)
    }

    fn grant_by_token(&mut self, token: &str) -> Result<Option<DeviceGrant>> {
        let token_hash = hash(token);
        Ok(self.grants.values().find(|(_, stored)| *stored == token_hash).map(|(grant, _)| grant.clone()))
    }

    fn revoke(&mut self, device_id: &str, now: NaiveDateTime) -> Result<bool> {
        match self.grants.get_mut(device_id) {
            Some((grant, _)) if grant.revoked_at.is_none() => {
                grant.revoked_at = Some(format_datetime(now));
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn link_successor(&mut self, old: &str, new: &str, now: NaiveDateTime) -> Result<()> {
        self.revoke(old, now)?;
        if let Some((grant, _)) = self.grants.get_mut(new) {
            grant.succeeds = Some(old.to_owned());
        }
        Ok(())
    }

    fn bundle_key(&mut self, device_id: &str) -> Result<Option<(DeviceGrant, [u8; 32])>> {
        let Some((grant, hex)) = self.grants.get(device_id) else { return Ok(None) };
        Ok(Some((grant.clone(), key_of_hash(device_id, hex)?)))
    }

    fn record_contact(&mut self, device_id: &str, at: NaiveDateTime, contact: &Contact<'_>) -> Result<()> {
        let Some((grant, _)) = self.grants.get_mut(device_id) else { return Ok(()) };
        let at = format_datetime(at);
        grant.health.last_contact_at = Some(at.clone());
        grant.health.last_sync_at = Some(at.clone());
        grant.health.app_version = Some(contact.app_version.to_owned());
        grant.health.shards_waiting = Some(contact.shards_waiting);
        if !contact.user_id.is_empty() {
            self.device_users.insert((device_id.to_owned(), contact.user_id.to_owned()), at);
        }
        Ok(())
    }

    fn record_refusal(&mut self, device_id: &str, at: NaiveDateTime, error: &str) -> Result<()> {
        if let Some((grant, _)) = self.grants.get_mut(device_id) {
            let at = format_datetime(at);
            grant.health.last_contact_at = Some(at.clone());
            grant.health.last_error = Some(error.to_owned());
            grant.health.last_error_at = Some(at);
        }
        Ok(())
    }

    fn device_users(&mut self) -> Result<Vec<(String, String, String)>> {
        Ok(self.device_users.iter().map(|((device, user), at)| (device.clone(), user.clone(), at.clone())).collect())
    }

    fn grants(&mut self) -> Result<Vec<DeviceGrant>> {
        let mut grants: Vec<DeviceGrant> = self.grants.values().map(|(grant, _)| grant.clone()).collect();
        grants.sort_by(|first, second| first.enrolled_at.cmp(&second.enrolled_at));
        Ok(grants)
    }

    fn reassign(&mut self, user_id: &str, places: &[String], now: NaiveDateTime) -> Result<()> {
        let key = county_key("user", user_id);
        let mut user: User = self.county_record(&key)?.ok_or_else(|| Error::NotFound(format!("user {user_id}")))?;
        user.places = places.to_vec();
        self.write_county(&[(key, serde_json::to_value(&user)?)], now)
    }

    fn user(&mut self, user_id: &str) -> Result<Option<User>> {
        self.county_record(&county_key("user", user_id))
    }

    fn put_county_record(&mut self, key: &str, value: serde_json::Value, now: NaiveDateTime) -> Result<()> {
        self.write_county(&[(key.to_owned(), value)], now)
    }

    fn read_county_record(&mut self, key: &str) -> Result<Option<serde_json::Value>> {
        self.county_record(key)
    }

    fn scope(&mut self, grant: &DeviceGrant) -> Result<Scope> {
        let user: User = self
            .county_record(&county_key("user", &grant.user_id))?
            .ok_or_else(|| Error::NotFound(format!("user {}", grant.user_id)))?;
        Ok(Scope {
            device_id: grant.device_id.clone(),
            user_id: grant.user_id.clone(),
            role: user.role,
            places: user.places,
            county_code: self.county_code()?,
        })
    }
}

impl AttachmentIndex for MemoryStore {
    fn hold_unreferenced(&mut self, sha256: &str, device_id: &str, size: u64, at: NaiveDateTime) -> Result<()> {
        self.unreferenced.entry((sha256.to_owned(), device_id.to_owned())).or_insert((size, at));
        Ok(())
    }

    fn unreferenced_bytes(&mut self, device_id: &str) -> Result<u64> {
        Ok(self.unreferenced.iter().filter(|((_, device), _)| device == device_id).map(|(_, (size, _))| size).sum())
    }

    fn release_unreferenced(&mut self, before: NaiveDateTime) -> Result<Vec<String>> {
        let expired: BTreeSet<String> = self
            .unreferenced
            .iter()
            .filter(|(_, (_, at))| *at < before)
            .map(|((sha256, _), _)| sha256.clone())
            .collect();
        self.unreferenced.retain(|_, (_, at)| *at >= before);
        Ok(expired.into_iter().filter(|sha256| !self.unreferenced.keys().any(|(held, _)| held == sha256)).collect())
    }

    /// Reads every visit and case (no index: a twin for tests, not for a county's year of data).
    fn attachment_villages(&mut self, sha256: &str) -> Result<Vec<String>> {
        let mut villages = BTreeSet::new();
        for (shard, stored) in &self.shards {
            if !matches!(shard, ShardId::Visits { .. } | ShardId::Adaptation { .. }) {
                continue;
            }
            for (key, record) in document::read_all_records(&stored.document)? {
                if key.contains('/') {
                    continue;
                }
                let refers = match shard {
                    ShardId::Visits { .. } => serde_json::from_value::<Visit>(record.value)
                        .ok()
                        .filter(|visit| visit.photos.contains_key(sha256))
                        .map(|visit| visit.village_code),
                    _ => serde_json::from_value::<AdaptationCase>(record.value)
                        .ok()
                        .filter(|case| {
                            case.attachments.contains_key(sha256)
                                || case
                                    .documents
                                    .values()
                                    .any(|status| status.attachments.iter().any(|hash| hash == sha256))
                        })
                        .map(|case| case.village_code),
                };
                villages.extend(refers);
            }
        }
        Ok(villages.into_iter().collect())
    }
}
