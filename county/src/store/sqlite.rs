//! The county's data in one SQLite file (WAL): every shard of the county as its changes and
//! heads (a replica projecting only [`Extent::County`]: the county document and attachment
//! references), plus the tables of enrollment codes, device grants and what each device holds.

use std::collections::BTreeMap;

use automerge::{Change, ChangeHash};
use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, params};
use xianglin_schema::record::format_datetime;
use xianglin_schema::user::{Role, User};

use xianglin_sync::Error;
use xianglin_sync::Replica;
use xianglin_sync::Result;
use xianglin_sync::projection::{Extent, county_key};
use xianglin_sync::protocol::Scope;
use xianglin_sync::replica::to_json;
use xianglin_sync::shard::ShardId;

use super::{AttachmentIndex, ChangeStore, Contact, DeviceGrant, DeviceStore, Health, hash, key_of_hash, redeem};

/// Documents the server keeps in memory (a station keeps the replica's default).
const SERVER_CACHE_DOCUMENTS: usize = 256;

/// The county's data in one SQLite file (WAL), as a replica of every shard.
#[derive(Debug)]
pub struct SqliteStore {
    replica: Replica,
}

impl SqliteStore {
    /// A store over a replica that already holds the county document (places, policy).
    pub fn new(mut replica: Replica) -> Result<SqliteStore> {
        if replica.user_id().is_empty() {
            replica.set_user("county-server")?;
        }
        // Many devices push to many shards: keep more of them in memory than a station does.
        replica.set_cache_capacity(SERVER_CACHE_DOCUMENTS);
        // The server keeps changes and heads; of the tables it projects only what it reads (the
        // county document, attachment references), not a station's visits, meals and cases.
        replica.set_extent(Extent::County)?;
        Ok(SqliteStore { replica })
    }

    pub fn replica(&mut self) -> &mut Replica {
        &mut self.replica
    }

    fn commit_county(&mut self, records: Vec<(String, serde_json::Value)>, now: NaiveDateTime) -> Result<()> {
        let county = self.county_code()?;
        // The admin command and the running server both write the county document.
        self.replica.forget_if_written_elsewhere(&ShardId::county(&county))?;
        let mut author = self.replica.author();
        author.at = now;
        self.replica.commit(&ShardId::county(&county), &records, &author)?;
        Ok(())
    }
}

fn grant_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceGrant> {
    Ok(DeviceGrant {
        device_id: row.get(0)?,
        user_id: row.get(1)?,
        label: row.get(2)?,
        enrolled_at: row.get(3)?,
        revoked_at: row.get(4)?,
        succeeds: row.get(11)?,
        health: Health {
            last_contact_at: row.get(5)?,
            last_sync_at: row.get(6)?,
            app_version: row.get(7)?,
            shards_waiting: row.get(8)?,
            last_error: row.get(9)?,
            last_error_at: row.get(10)?,
        },
    })
}

/// The columns [`grant_from_row`] reads, in its order.
const GRANT_COLUMNS: &str = "device_id, user_id, label, enrolled_at, revoked_at, last_contact_at, last_sync_at, \
                             app_version, shards_waiting, last_error, last_error_at, succeeds";

impl DeviceStore for SqliteStore {
    fn county_code(&mut self) -> Result<String> {
        self.replica
            .connection()
            .query_row("SELECT code FROM places WHERE level = 'county' ORDER BY code LIMIT 1", [], |row| row.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound("the county document (run `xianglin-county init`)".into()))
    }

    fn create_code(&mut self, user: &User, code: &str, expires_at: NaiveDateTime, now: NaiveDateTime) -> Result<()> {
        self.commit_county(vec![(county_key("user", &user.id), to_json(user)?)], now)?;
        self.replica.connection().execute(
            "INSERT INTO enrollment_codes (code_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![hash(code), user.id, format_datetime(now), format_datetime(expires_at)],
        )?;
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
        let found: Option<(String, String, Option<String>)> = self
            .replica
            .connection()
            .query_row(
                "SELECT user_id, expires_at, used_by FROM enrollment_codes WHERE code_hash = ?1",
                [hash(code)],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        let Some((user_id, expires_at, used_by)) = found else {
            return Err(Error::NotFound("enrollment code".into()));
        };
        let grant = redeem(user_id, &expires_at, used_by.as_deref(), device_id, label, now)?;
        // The grant is the device's record; the county document (which every device reads) holds
        // no device records, so no device learns of the others.
        let connection = self.replica.connection();
        connection.execute(
            "INSERT INTO device_grants (device_id, user_id, label, token_hash, enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (device_id) DO UPDATE SET user_id = ?2, label = ?3, token_hash = ?4, enrolled_at = ?5, revoked_at = NULL",
            params![device_id, grant.user_id, label, hash(token), grant.enrolled_at],
        )?;
        connection
            .execute("UPDATE enrollment_codes SET used_by = ?2 WHERE code_hash = ?1", params![hash(code), device_id])?;
        Ok(grant)
    }

    fn grant_by_token(&mut self, token: &str) -> Result<Option<DeviceGrant>> {
        Ok(self
            .replica
            .connection()
            .query_row(
                &format!("SELECT {GRANT_COLUMNS} FROM device_grants WHERE token_hash = ?1"),
                [hash(token)],
                grant_from_row,
            )
            .optional()?)
    }

    fn revoke(&mut self, device_id: &str, now: NaiveDateTime) -> Result<bool> {
        let changed = self.replica.connection().execute(
            "UPDATE device_grants SET revoked_at = ?2 WHERE device_id = ?1 AND revoked_at IS NULL",
            params![device_id, format_datetime(now)],
        )?;
        Ok(changed > 0)
    }

    fn link_successor(&mut self, old: &str, new: &str, now: NaiveDateTime) -> Result<()> {
        let transaction = self.replica.connection().unchecked_transaction()?;
        transaction.execute(
            "UPDATE device_grants SET revoked_at = ?2 WHERE device_id = ?1 AND revoked_at IS NULL",
            params![old, format_datetime(now)],
        )?;
        transaction.execute("UPDATE device_grants SET succeeds = ?2 WHERE device_id = ?1", params![new, old])?;
        transaction.commit()?;
        Ok(())
    }

    fn bundle_key(&mut self, device_id: &str) -> Result<Option<(DeviceGrant, [u8; 32])>> {
        let found = self
            .replica
            .connection()
            .query_row(
                &format!("SELECT {GRANT_COLUMNS}, token_hash FROM device_grants WHERE device_id = ?1"),
                [device_id],
                |row| Ok((grant_from_row(row)?, row.get::<_, String>(12)?)),
            )
            .optional()?;
        let Some((grant, hex)) = found else { return Ok(None) };
        Ok(Some((grant, key_of_hash(device_id, &hex)?)))
    }

    fn record_contact(&mut self, device_id: &str, at: NaiveDateTime, contact: &Contact<'_>) -> Result<()> {
        let at = format_datetime(at);
        let transaction = self.replica.connection().unchecked_transaction()?;
        let known = transaction.execute(
            "UPDATE device_grants SET last_contact_at = ?2, last_sync_at = ?2, app_version = ?3, shards_waiting = ?4
             WHERE device_id = ?1",
            params![device_id, at, contact.app_version, contact.shards_waiting],
        )?;
        if known > 0 && !contact.user_id.is_empty() {
            transaction.execute(
                "INSERT INTO device_users (device_id, user_id, last_seen_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (device_id, user_id) DO UPDATE SET last_seen_at = ?3",
                params![device_id, contact.user_id, at],
            )?;
        }
        transaction.commit()?;
        Ok(())
    }

    fn record_refusal(&mut self, device_id: &str, at: NaiveDateTime, error: &str) -> Result<()> {
        self.replica.connection().execute(
            "UPDATE device_grants SET last_contact_at = ?2, last_error = ?3, last_error_at = ?2 WHERE device_id = ?1",
            params![device_id, format_datetime(at), error],
        )?;
        Ok(())
    }

    fn device_users(&mut self) -> Result<Vec<(String, String, String)>> {
        let mut statement = self
            .replica
            .connection()
            .prepare("SELECT device_id, user_id, last_seen_at FROM device_users ORDER BY device_id, user_id")?;
        Ok(statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<Result<Vec<_>, _>>()?)
    }

    fn grants(&mut self) -> Result<Vec<DeviceGrant>> {
        let mut statement = self
            .replica
            .connection()
            .prepare(&format!("SELECT {GRANT_COLUMNS} FROM device_grants ORDER BY enrolled_at"))?;
        Ok(statement.query_map([], grant_from_row)?.collect::<Result<Vec<_>, _>>()?)
    }

    fn reassign(&mut self, user_id: &str, places: &[String], now: NaiveDateTime) -> Result<()> {
        let county = ShardId::county(&self.county_code()?);
        let key = county_key("user", user_id);
        self.replica.forget_if_written_elsewhere(&county)?;
        let stored =
            self.replica.read_record(&county, &key)?.ok_or_else(|| Error::NotFound(format!("user {user_id}")))?;
        let mut user: User = serde_json::from_value(stored.value)?;
        user.places = places.to_vec();
        self.commit_county(vec![(key, to_json(&user)?)], now)
    }

    fn user(&mut self, user_id: &str) -> Result<Option<User>> {
        match self.read_county_record(&county_key("user", user_id))? {
            Some(value) => Ok(Some(serde_json::from_value(value)?)),
            None => Ok(None),
        }
    }

    fn put_county_record(&mut self, key: &str, value: serde_json::Value, now: NaiveDateTime) -> Result<()> {
        self.commit_county(vec![(key.to_owned(), value)], now)
    }

    fn read_county_record(&mut self, key: &str) -> Result<Option<serde_json::Value>> {
        let county = ShardId::county(&self.county_code()?);
        self.replica.forget_if_written_elsewhere(&county)?;
        Ok(self.replica.read_record(&county, key)?.map(|stored| stored.value))
    }

    fn scope(&mut self, grant: &DeviceGrant) -> Result<Scope> {
        let (role, places): (String, String) = self
            .replica
            .connection()
            .query_row("SELECT role, places FROM users WHERE id = ?1", [&grant.user_id], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("user {}", grant.user_id)))?;
        let role: Role = serde_json::from_value(serde_json::Value::String(role))?;
        Ok(Scope {
            device_id: grant.device_id.clone(),
            user_id: grant.user_id.clone(),
            role,
            places: serde_json::from_str(&places)?,
            county_code: self.county_code()?,
        })
    }
}

impl ChangeStore for SqliteStore {
    fn heads(&mut self, shard: &ShardId) -> Result<Vec<ChangeHash>> {
        self.replica.stored_heads(shard)
    }

    fn has_changes(&mut self, shard: &ShardId, hashes: &[ChangeHash]) -> Result<Vec<bool>> {
        self.replica.forget_if_written_elsewhere(shard)?;
        self.replica.has_changes(shard, hashes)
    }

    fn apply(&mut self, shard: &ShardId, chunks: &[Vec<u8>]) -> Result<()> {
        self.replica.forget_if_written_elsewhere(shard)?;
        self.replica.apply_changes(shard, &chunks.concat())?;
        Ok(())
    }

    fn changes_since(&mut self, shard: &ShardId, heads: &[ChangeHash]) -> Result<Vec<Vec<u8>>> {
        // A device with none of the shard gets it as stored: a county answers many first syncs,
        // and loading and saving every document for them would cost far more than the bytes.
        if heads.is_empty() {
            return self.replica.stored_chunks(shard);
        }
        self.replica.forget_if_written_elsewhere(shard)?;
        self.replica.chunks_since(shard, heads)
    }

    fn records_touched_by(&mut self, shard: &ShardId, changes: &[Change]) -> Result<BTreeMap<String, bool>> {
        self.replica.forget_if_written_elsewhere(shard)?;
        self.replica.records_touched_by(shard, changes)
    }

    fn covered(&mut self, shard: &ShardId, hashes: &[ChangeHash], heads: &[ChangeHash]) -> Result<Vec<bool>> {
        self.replica.forget_if_written_elsewhere(shard)?;
        self.replica.covered(shard, hashes, heads)
    }

    fn peer_heads(&mut self, device_id: &str, shard: &ShardId) -> Result<Vec<ChangeHash>> {
        let text: Option<String> = self
            .replica
            .connection()
            .query_row(
                "SELECT heads FROM peer_heads WHERE device_id = ?1 AND shard = ?2",
                params![device_id, shard.to_string()],
                |row| row.get(0),
            )
            .optional()?;
        xianglin_sync::heads::from_text(text.as_deref().unwrap_or_default())
    }

    fn set_peer_heads(&mut self, device_id: &str, reported: &[(ShardId, Vec<ChangeHash>)]) -> Result<()> {
        // One transaction for the whole request; heads reported again unchanged write nothing.
        let transaction = self.replica.connection().unchecked_transaction()?;
        {
            let mut statement = transaction.prepare_cached(
                "INSERT INTO peer_heads (device_id, shard, heads) VALUES (?1, ?2, ?3)
                 ON CONFLICT (device_id, shard) DO UPDATE SET heads = ?3 WHERE heads != ?3",
            )?;
            for (shard, heads) in reported {
                statement.execute(params![device_id, shard.to_string(), xianglin_sync::heads::to_text(heads)])?;
            }
        }
        transaction.commit()?;
        Ok(())
    }

    fn offered_heads(&mut self, device_id: &str, shard: &ShardId) -> Result<Vec<ChangeHash>> {
        let text: Option<String> = self
            .replica
            .connection()
            .query_row(
                "SELECT offered FROM peer_heads WHERE device_id = ?1 AND shard = ?2",
                params![device_id, shard.to_string()],
                |row| row.get(0),
            )
            .optional()?;
        xianglin_sync::heads::from_text(text.as_deref().unwrap_or_default())
    }

    fn record_offered(&mut self, device_id: &str, offered: &[(ShardId, Vec<ChangeHash>)]) -> Result<()> {
        let transaction = self.replica.connection().unchecked_transaction()?;
        {
            let mut statement = transaction.prepare_cached(
                "INSERT INTO peer_heads (device_id, shard, heads, offered) VALUES (?1, ?2, '', ?3)
                 ON CONFLICT (device_id, shard) DO UPDATE SET offered = ?3 WHERE offered != ?3",
            )?;
            for (shard, heads) in offered {
                statement.execute(params![device_id, shard.to_string(), xianglin_sync::heads::to_text(heads)])?;
            }
        }
        transaction.commit()?;
        Ok(())
    }

    fn held(&mut self, device_id: &str, shard: &ShardId) -> Result<bool> {
        Ok(self
            .replica
            .connection()
            .query_row(
                "SELECT 1 FROM peer_heads WHERE device_id = ?1 AND shard = ?2",
                params![device_id, shard.to_string()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    fn changed_seq(&mut self) -> Result<u64> {
        self.replica.changed_seq()
    }

    fn shards_changed_since(&mut self, seq: u64) -> Result<Vec<(ShardId, u64)>> {
        self.replica.shards_changed_since(seq)
    }
}

impl AttachmentIndex for SqliteStore {
    fn attachment_villages(&mut self, sha256: &str) -> Result<Vec<String>> {
        xianglin_sync::attachments::referencing_villages(&self.replica, sha256)
    }

    fn hold_unreferenced(&mut self, sha256: &str, device_id: &str, size: u64, at: NaiveDateTime) -> Result<()> {
        self.replica.connection().execute(
            "INSERT INTO unreferenced_uploads (sha256, device_id, size, received_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (sha256, device_id) DO NOTHING",
            params![sha256, device_id, size as i64, format_datetime(at)],
        )?;
        Ok(())
    }

    fn unreferenced_bytes(&mut self, device_id: &str) -> Result<u64> {
        let bytes: i64 = self.replica.connection().query_row(
            "SELECT coalesce(sum(size), 0) FROM unreferenced_uploads WHERE device_id = ?1",
            [device_id],
            |row| row.get(0),
        )?;
        Ok(bytes.max(0) as u64)
    }

    fn release_unreferenced(&mut self, before: NaiveDateTime) -> Result<Vec<String>> {
        let transaction = self.replica.connection().unchecked_transaction()?;
        let before = format_datetime(before);
        let expired: Vec<String> = transaction
            .prepare("SELECT DISTINCT sha256 FROM unreferenced_uploads WHERE received_at < ?1")?
            .query_map([&before], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        transaction.execute("DELETE FROM unreferenced_uploads WHERE received_at < ?1", [&before])?;
        let mut released = Vec::new();
        for sha256 in expired {
            let still_held: bool = transaction.query_row(
                "SELECT EXISTS (SELECT 1 FROM unreferenced_uploads WHERE sha256 = ?1)",
                [&sha256],
                |row| row.get(0),
            )?;
            if !still_held {
                released.push(sha256);
            }
        }
        transaction.commit()?;
        Ok(released)
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use serde_json::json;
    use xianglin_sync::replica::{ActorId, Author};

    use super::*;
    use crate::store::ChangeStore;

    fn count(store: &mut SqliteStore, table: &str) -> i64 {
        store.replica().connection().query_row(&format!("SELECT count(*) FROM {table}"), [], |row| row.get(0)).unwrap()
    }

    /// A station's replica holding a county, an elder, a visit with a photo and a meal point.
    fn station() -> (Replica, Vec<ShardId>) {
        let mut replica = Replica::open_in_memory().unwrap();
        let at = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap().and_hms_opt(9, 0, 0).unwrap();
        let author = Author { actor: ActorId::from(b"station".as_slice()), user_id: "u".into(), at };
        let county = ShardId::county("360733000000");
        let place = json!({ "code": "360733000000", "name": "会昌县", "level": "county", "parent_code": null, "vintage": 2023 });
        replica.commit(&county, &[(county_key("place", "360733000000"), place)], &author).unwrap();
        let elders = ShardId::elders("360733105201");
        let elder = json!({ "id": "e1", "name": "刘桂英", "id_number": "", "gender": "female", "birth_date": "1940-05-06",
            "phone": null, "address": "", "village_code": "360733105201", "categories": {}, "economic_status": "none",
            "life": { "state": "active", "date": null, "moved_to": null }, "contacts": {}, "events": {}, "notes": "",
            "meta": { "created_at": "", "created_by": "" } });
        replica.commit(&elders, &[("e1".to_owned(), elder)], &author).unwrap();
        let visits = ShardId::visits("360733105201", at.date());
        let photo = "ab".repeat(32);
        let visit = json!({ "id": "v1", "elder_id": "e1", "village_code": "360733105201", "visited_at": "2026-11-20T09:00:00",
            "mode": "home", "visitor_id": "u", "findings": { "health": { "severity": "normal", "note": "" } },
            "referrals": {}, "major_event": false, "photos": { photo.clone(): { "sha256": photo, "mime": "image/jpeg", "size": 3 } },
            "notes": "", "meta": { "created_at": "", "created_by": "" } });
        replica.commit(&visits, &[("v1".to_owned(), visit)], &author).unwrap();
        (replica, vec![county, elders, visits])
    }

    #[test]
    fn the_store_keeps_changes_and_heads_not_a_station_s_tables() {
        let (mut station, shards) = station();
        assert!(
            station.connection().query_row("SELECT count(*) FROM visits", [], |row| row.get::<_, i64>(0)).unwrap() == 1
        );
        let mut store = SqliteStore::new(Replica::open_in_memory().unwrap()).unwrap();
        for shard in &shards {
            store.apply(shard, &station.stored_chunks(shard).unwrap()).unwrap();
            let mut heads = station.heads(shard).unwrap();
            heads.sort_unstable();
            assert_eq!(store.heads(shard).unwrap(), heads);
        }
        assert_eq!((count(&mut store, "elders"), count(&mut store, "visits")), (0, 0), "no station tables");
        assert_eq!(count(&mut store, "places"), 1, "the county document is read by the server");
        assert_eq!(store.attachment_villages(&"ab".repeat(32)).unwrap(), vec!["360733105201".to_owned()]);
    }

    #[test]
    fn a_database_a_station_projected_is_narrowed_once_when_the_server_opens_it() {
        let (station, _) = station();
        let mut store = SqliteStore::new(station).unwrap();
        assert_eq!((count(&mut store, "elders"), count(&mut store, "visits")), (0, 0));
        assert_eq!(count(&mut store, "places"), 1);
        assert_eq!(count(&mut store, "attachment_refs"), 1);
        assert_eq!(store.replica().extent(), Extent::County);
    }

    /// A month's visits of six villages as a station stores them (automerge's compressed
    /// columns), `visits` a village, saved one at a time as caseworkers save them, with ids,
    /// times and notes that vary as real ones do.
    fn station_with_visits(visits: usize) -> (Replica, Vec<ShardId>) {
        let mut replica = Replica::open_in_memory().unwrap();
        let mut rng = xianglin_demo::Rng::new(7);
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let hex = |rng: &mut xianglin_demo::Rng| format!("{:016x}{:016x}", rng.below(u64::MAX), rng.below(u64::MAX));
        let phrases = [
            "精神尚可",
            "血压偏高，嘱按时服药",
            "独居，子女每周来电",
            "行动不便，需助行器",
            "饮食正常",
            "家中无安全隐患",
        ];
        let mut shards = Vec::new();
        for village in 201..207 {
            let village = format!("360733105{village}");
            let shard = ShardId::visits(&village, day);
            let elders: Vec<String> = (0..40).map(|_| hex(&mut rng)).collect();
            for _ in 0..visits {
                let at = day.and_hms_opt(8, 0, 0).unwrap() + chrono::Duration::minutes(rng.between(0, 29 * 24 * 60));
                let visitor = format!("caseworker-{village}");
                let author = Author { actor: ActorId::from(visitor.as_bytes()), user_id: visitor.clone(), at };
                let id = hex(&mut rng);
                let note = (0..rng.between(0, 3)).map(|_| *rng.pick(&phrases)).collect::<Vec<_>>().join("；");
                let at_text = at.format("%Y-%m-%dT%H:%M:%S").to_string();
                let visit = json!({ "id": id, "elder_id": rng.pick(&elders), "village_code": village,
                    "visited_at": at_text, "mode": "home", "visitor_id": visitor,
                    "findings": { "health": { "severity": "normal", "note": note } }, "referrals": {}, "major_event": false,
                    "photos": {}, "notes": "", "meta": { "created_at": at_text, "created_by": visitor } });
                replica.commit(&shard, &[(id, visit)], &author).unwrap();
            }
            shards.push(shard);
        }
        (replica, shards)
    }

    /// zstd at the level the server answers with.
    fn on_the_wire(chunks: &[Vec<u8>]) -> usize {
        zstd::encode_all(chunks.concat().as_slice(), xianglin_sync::protocol::wire::LEVEL).unwrap().len()
    }

    #[test]
    fn a_first_sync_gets_the_server_s_snapshots_with_plain_columns_which_the_wire_compresses_best() {
        // A database a station wrote keeps automerge's compressed columns; opened by the server,
        // each shard is saved again with plain ones, the same document.
        let (mut station, shards) = station_with_visits(60);
        let documents: Vec<_> =
            shards.iter().map(|shard| station.with_document(shard, |document| document.clone()).unwrap()).collect();
        let mut store = SqliteStore::new(station).unwrap();
        let mut answer = Vec::new();
        for (shard, document) in shards.iter().zip(&documents) {
            let chunks = store.changes_since(shard, &[]).unwrap();
            assert!(chunks == vec![document.save_nocompress()], "{shard}: {} chunks", chunks.len());
            answer.extend(chunks);
        }
        // One answer carries many shards: zstd finds what they share in plain columns, not in
        // DEFLATE's.
        let compressed: Vec<Vec<u8>> = documents.iter().map(|document| document.save()).collect();
        assert!(
            on_the_wire(&answer) * 10 < on_the_wire(&compressed) * 9,
            "plain columns, then zstd: {} B; DEFLATE's, then zstd: {} B",
            on_the_wire(&answer),
            on_the_wire(&compressed)
        );
        // A shard first pushed to the server is stored so as well, whatever the device sent.
        let (mut other, pushed) = station_with_visits(5);
        let sent = other.stored_chunks(&pushed[0]).unwrap();
        let document = other.with_document(&pushed[0], |document| document.clone()).unwrap();
        let mut server = SqliteStore::new(Replica::open_in_memory().unwrap()).unwrap();
        server.apply(&pushed[0], &sent).unwrap();
        assert!(server.changes_since(&pushed[0], &[]).unwrap() == vec![document.save_nocompress()]);
    }
}
