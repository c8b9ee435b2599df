//! The county's data in PostgreSQL, for a deployment that serves a city's or a province's
//! counties: every row names its county, so several counties share one database without seeing
//! each other, and several server processes share it without state of their own.
//!
//! A shard is its changes, numbered in the order the database took them, plus a row with its
//! heads and the county-wide counter value of its last change. A process keeps a cache of shard
//! documents only to save loading them: before each use it reads the shard's change count and
//! loads the changes it has not seen, so another process's writes are never missed. Every
//! trait method is one transaction; a write takes the county's counter row first, so writes to
//! one county are serialized across processes and the counter orders them as they committed.
//!
//! Personal data stays encrypted at rest: each change is stored sealed with the county's
//! database key ([`xianglin_sync::crypto::seal`]), its county, shard and hash authenticated with
//! it, so a row copied to another shard or county does not open. What is stored in clear is what
//! the server needs to find rows: shard names (place codes and months), change hashes, heads,
//! device ids and labels, user ids and times.

use std::collections::HashMap;

use automerge::transaction::CommitOptions;
use automerge::{ActorId, Automerge, Change, ChangeHash};
use chrono::NaiveDateTime;
use postgres::{Client, GenericClient, NoTls, Row};
use xianglin_schema::place::{Place, PlaceLevel};
use xianglin_schema::record::format_datetime;
use xianglin_schema::user::User;
use xianglin_sync::crypto::{self, Key};
use xianglin_sync::document;
use xianglin_sync::projection::{attachments_of, county_key};
use xianglin_sync::protocol::Scope;
use xianglin_sync::shard::{ShardId, ShardKind};
use xianglin_sync::{Error, Result};

use super::{AttachmentIndex, ChangeStore, Contact, DeviceGrant, DeviceStore, Health, hash, key_of_hash, redeem};

/// Shard documents a process keeps loaded (as [`super::SqliteStore`] does).
const CACHED_DOCUMENTS: usize = 256;

/// The tables, made on first connection (`IF NOT EXISTS`: every process runs this).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS counties (
    county text PRIMARY KEY,
    changed_seq bigint NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS shards (
    county text NOT NULL,
    shard text NOT NULL,
    heads bytea NOT NULL,
    change_count bigint NOT NULL,
    changed_seq bigint NOT NULL,
    PRIMARY KEY (county, shard)
);
CREATE INDEX IF NOT EXISTS shards_by_change ON shards (county, changed_seq);
CREATE TABLE IF NOT EXISTS changes (
    county text NOT NULL,
    shard text NOT NULL,
    seq bigint NOT NULL,
    hash bytea NOT NULL,
    bytes bytea NOT NULL,
    PRIMARY KEY (county, shard, seq),
    UNIQUE (county, shard, hash)
);
CREATE TABLE IF NOT EXISTS enrollment_codes (
    county text NOT NULL,
    code_hash text NOT NULL,
    user_id text NOT NULL,
    created_at text NOT NULL,
    expires_at text NOT NULL,
    used_by text,
    PRIMARY KEY (county, code_hash)
);
CREATE TABLE IF NOT EXISTS device_grants (
    county text NOT NULL,
    device_id text NOT NULL,
    user_id text NOT NULL,
    label text NOT NULL,
    token_hash text NOT NULL,
    enrolled_at text NOT NULL,
    revoked_at text,
    last_contact_at text,
    last_sync_at text,
    app_version text,
    shards_waiting integer,
    last_error text,
    last_error_at text,
    succeeds text,
    PRIMARY KEY (county, device_id)
);
ALTER TABLE device_grants ADD COLUMN IF NOT EXISTS succeeds text;
CREATE INDEX IF NOT EXISTS device_grants_by_token ON device_grants (token_hash);
CREATE TABLE IF NOT EXISTS device_users (
    county text NOT NULL,
    device_id text NOT NULL,
    user_id text NOT NULL,
    last_seen_at text NOT NULL,
    PRIMARY KEY (county, device_id, user_id)
);
CREATE TABLE IF NOT EXISTS peer_heads (
    county text NOT NULL,
    device_id text NOT NULL,
    shard text NOT NULL,
    reported bytea NOT NULL DEFAULT '',
    offered bytea NOT NULL DEFAULT '',
    PRIMARY KEY (county, device_id, shard)
);
CREATE TABLE IF NOT EXISTS attachment_refs (
    county text NOT NULL,
    shard text NOT NULL,
    record_id text NOT NULL,
    sha256 text NOT NULL,
    village text NOT NULL,
    PRIMARY KEY (county, shard, record_id, sha256)
);
CREATE INDEX IF NOT EXISTS attachment_refs_by_hash ON attachment_refs (county, sha256);
CREATE TABLE IF NOT EXISTS unreferenced_uploads (
    county text NOT NULL,
    sha256 text NOT NULL,
    device_id text NOT NULL,
    size bigint NOT NULL,
    received_at text NOT NULL,
    PRIMARY KEY (county, sha256, device_id)
);
";

/// Any number from this key takes the lock under which a process makes the tables.
const SCHEMA_LOCK: i64 = 0x7869_616e_676c_696e;

/// A shard's document as this process last loaded it, how many of its changes that was, and
/// when it was last used.
#[derive(Debug)]
struct Cached {
    document: Automerge,
    changes: i64,
    used: std::time::Instant,
}

impl Cached {
    fn new(document: Automerge, changes: i64) -> Cached {
        Cached { document, changes, used: std::time::Instant::now() }
    }
}

/// The shard to drop from a full cache: the least recently used, never the county document,
/// which every request reads (its scope, the minimum app version) and which is the costliest
/// to load again (every user of the county is a record in it).
fn least_recently_used(documents: &HashMap<ShardId, Cached>) -> Option<ShardId> {
    documents
        .iter()
        .filter(|(shard, _)| shard.kind() != ShardKind::County)
        .min_by_key(|(_, cached)| cached.used)
        .map(|(shard, _)| shard.clone())
}

/// One county's data in a PostgreSQL database that may hold other counties too.
pub struct PostgresStore {
    url: String,
    client: Client,
    county: String,
    /// The county's database key, which seals every stored change.
    key: Key,
    /// The actor of this process's own writes to the county document (one per process, so two
    /// processes never write the same actor's sequence).
    actor: ActorId,
    documents: HashMap<ShardId, Cached>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The url may carry a password.
        f.debug_struct("PostgresStore").field("county", &self.county).finish_non_exhaustive()
    }
}

fn database(error: postgres::Error) -> Error {
    Error::Database(error.to_string())
}

/// What a stored change's seal authenticates: which county, shard and change it is.
fn change_context(county: &str, shard: &str, hash: &[u8]) -> Vec<u8> {
    [b"xianglin county change\0".as_slice(), county.as_bytes(), b"\0", shard.as_bytes(), b"\0", hash].concat()
}

/// Heads as stored: their 32-byte hashes, sorted, one after another.
fn heads_to_bytes(heads: &[ChangeHash]) -> Vec<u8> {
    let mut sorted = heads.to_vec();
    sorted.sort_unstable();
    sorted.iter().flat_map(|hash| hash.0).collect()
}

fn heads_from_bytes(bytes: &[u8]) -> Result<Vec<ChangeHash>> {
    if !bytes.len().is_multiple_of(32) {
        return Err(Error::Database(format!("stored heads are {} bytes, not whole hashes", bytes.len())));
    }
    Ok(bytes.chunks_exact(32).map(|hash| ChangeHash(hash.try_into().expect("32 bytes"))).collect())
}

/// Brings this process's copy of `shard` up to what the database holds (within the caller's
/// transaction, if any) and returns it.
fn refresh<'a>(
    client: &mut impl GenericClient,
    documents: &'a mut HashMap<ShardId, Cached>,
    (county, key): (&str, &Key),
    shard: &ShardId,
) -> Result<&'a Automerge> {
    let shard_text = shard.to_string();
    let count: i64 = client
        .query_opt("SELECT change_count FROM shards WHERE county = $1 AND shard = $2", &[&county, &shard_text])
        .map_err(database)?
        .map_or(0, |row| row.get(0));
    if !documents.contains_key(shard)
        && documents.len() >= CACHED_DOCUMENTS
        && let Some(evicted) = least_recently_used(documents)
    {
        documents.remove(&evicted);
    }
    let cached = documents.entry(shard.clone()).or_insert_with(|| Cached::new(Automerge::new(), 0));
    cached.used = std::time::Instant::now();
    if cached.changes > count {
        // The database holds fewer changes than this copy: it was restored from a backup.
        *cached = Cached::new(Automerge::new(), 0);
    }
    if cached.changes < count {
        let rows = client
            .query(
                "SELECT hash, bytes FROM changes WHERE county = $1 AND shard = $2 AND seq > $3 AND seq <= $4
                 ORDER BY seq",
                &[&county, &shard_text, &cached.changes, &count],
            )
            .map_err(database)?;
        let mut bytes = Vec::new();
        for row in &rows {
            let context = change_context(county, &shard_text, row.get(0));
            let change = crypto::open(key, row.get(1), &context)
                .map_err(|error| Error::Database(format!("a stored change of {shard} does not open: {error}")))?;
            bytes.extend_from_slice(&change);
        }
        cached.document.load_incremental(&bytes).map_err(|error| Error::from(error).in_shard(shard))?;
        cached.changes = count;
    }
    Ok(&cached.document)
}

fn grant_from_row(row: &Row) -> DeviceGrant {
    DeviceGrant {
        device_id: row.get(0),
        user_id: row.get(1),
        label: row.get(2),
        enrolled_at: row.get(3),
        revoked_at: row.get(4),
        succeeds: row.get(11),
        health: Health {
            last_contact_at: row.get(5),
            last_sync_at: row.get(6),
            app_version: row.get(7),
            shards_waiting: row.get::<_, Option<i32>>(8).map(|waiting| waiting.max(0) as u32),
            last_error: row.get(9),
            last_error_at: row.get(10),
        },
    }
}

/// The columns [`grant_from_row`] reads, in its order.
const GRANT_COLUMNS: &str = "device_id, user_id, label, enrolled_at, revoked_at, last_contact_at, last_sync_at, \
                             app_version, shards_waiting, last_error, last_error_at, succeeds";

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`) as the store of
    /// `county` (its 12-digit code), making the tables if the database has none yet.
    pub fn connect(url: &str, county: &str, key: Key) -> Result<PostgresStore> {
        let mut client = Client::connect(url, NoTls).map_err(database)?;
        let mut transaction = client.transaction().map_err(database)?;
        // Processes starting together must not race to make the same table.
        transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK]).map_err(database)?;
        transaction.batch_execute(SCHEMA).map_err(database)?;
        transaction.commit().map_err(database)?;
        Ok(PostgresStore {
            url: url.to_owned(),
            client,
            county: county.to_owned(),
            key,
            actor: ActorId::random(),
            documents: HashMap::new(),
        })
    }

    /// Seals every stored change of this county again with `new`, in one transaction (all or
    /// none; writers of the county wait). A change already sealed with `new` is left as it is,
    /// so a rotation interrupted after this step can run again. Returns how many were sealed
    /// again. Every process serving the county must be stopped first: they hold the old key.
    pub fn reseal(&mut self, old: &Key, new: &Key) -> Result<usize> {
        let county = self.county.clone();
        let mut transaction = self.client()?.transaction().map_err(database)?;
        transaction
            .execute(
                "INSERT INTO counties (county) VALUES ($1) ON CONFLICT (county) DO UPDATE SET county = EXCLUDED.county",
                &[&county],
            )
            .map_err(database)?;
        let select = transaction
            .prepare("SELECT shard, seq, hash, bytes FROM changes WHERE county = $1 ORDER BY shard, seq")
            .map_err(database)?;
        let update = transaction
            .prepare("UPDATE changes SET bytes = $4 WHERE county = $1 AND shard = $2 AND seq = $3")
            .map_err(database)?;
        // Read in pages through a cursor: a county's changes need not fit in memory at once.
        let portal = transaction.bind(&select, &[&county]).map_err(database)?;
        let mut resealed = 0;
        loop {
            let rows = transaction.query_portal(&portal, 1000).map_err(database)?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let (shard, seq, hash, bytes): (&str, i64, &[u8], &[u8]) =
                    (row.get(0), row.get(1), row.get(2), row.get(3));
                let context = change_context(&county, shard, hash);
                let change = match crypto::open(old, bytes, &context) {
                    Ok(change) => change,
                    Err(_) if crypto::open(new, bytes, &context).is_ok() => continue,
                    Err(error) => {
                        return Err(Error::Database(format!(
                            "a stored change of {shard} opens with neither key: {error}"
                        )));
                    }
                };
                let sealed = crypto::seal(new, &change, &context);
                transaction.execute(&update, &[&county, &shard, &seq, &sealed]).map_err(database)?;
                resealed += 1;
            }
        }
        transaction.commit().map_err(database)?;
        self.key = new.clone();
        Ok(resealed)
    }

    /// The connection, made again if the database dropped it (a restart, a failover).
    fn client(&mut self) -> Result<&mut Client> {
        if self.client.is_closed() {
            tracing::warn!("the connection to PostgreSQL was closed; connecting again");
            self.client = Client::connect(&self.url, NoTls).map_err(database)?;
        }
        Ok(&mut self.client)
    }

    /// This process's up-to-date copy of a shard.
    fn document(&mut self, shard: &ShardId) -> Result<&Automerge> {
        self.client()?;
        refresh(&mut self.client, &mut self.documents, (&self.county, &self.key), shard)
    }

    /// Reads one record of the county document.
    fn county_record(&mut self, key: &str) -> Result<Option<serde_json::Value>> {
        let shard = ShardId::county(&self.county);
        Ok(document::read_record(self.document(&shard)?, key)?.map(|record| record.value))
    }

    /// Writes records into the county document as this process, one change at `now`.
    fn write_county(&mut self, records: &[(String, serde_json::Value)], now: NaiveDateTime) -> Result<()> {
        let shard = ShardId::county(&self.county);
        let actor = self.actor.clone();
        let mut next = self.document(&shard)?.fork().with_actor(actor);
        let mut transaction = next.transaction();
        for (key, record) in records {
            document::write_record(&mut transaction, key, record)?;
        }
        let options = CommitOptions::default()
            .with_message(document::change_message("county-server"))
            .with_time(now.and_utc().timestamp());
        transaction.commit_with(options);
        let change = next.get_last_local_change().map(|change| change.raw_bytes().to_vec());
        match change {
            Some(change) => self.apply(&shard, &[change]),
            None => Ok(()),
        }
    }

    /// Keeps which attachments the records `changes` touched refer to.
    fn keep_attachment_refs(
        transaction: &mut postgres::Transaction<'_>,
        county: &str,
        shard: &ShardId,
        before: &Automerge,
        after: &Automerge,
        changes: &[Change],
    ) -> Result<()> {
        let shard_text = shard.to_string();
        for key in document::touched_by(before, changes)?.into_keys() {
            let Some(record) = document::read_record(after, &key)? else { continue };
            let Some((record_id, village, hashes)) = attachments_of(shard, &key, record.value) else { continue };
            transaction
                .execute(
                    "DELETE FROM attachment_refs WHERE county = $1 AND shard = $2 AND record_id = $3",
                    &[&county, &shard_text, &record_id],
                )
                .map_err(database)?;
            for sha256 in hashes {
                transaction
                    .execute(
                        "INSERT INTO attachment_refs (county, shard, record_id, sha256, village)
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                        &[&county, &shard_text, &record_id, &sha256, &village],
                    )
                    .map_err(database)?;
            }
        }
        Ok(())
    }

    /// Keeps one column of heads per (device, shard): `reported` or `offered`.
    fn keep_peer_heads(&mut self, device_id: &str, column: &str, heads: &[(ShardId, Vec<ChangeHash>)]) -> Result<()> {
        let county = self.county.clone();
        let mut transaction = self.client()?.transaction().map_err(database)?;
        let statement = transaction
            .prepare(&format!(
                "INSERT INTO peer_heads (county, device_id, shard, {column}) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (county, device_id, shard) DO UPDATE SET {column} = EXCLUDED.{column}"
            ))
            .map_err(database)?;
        for (shard, heads) in heads {
            transaction
                .execute(&statement, &[&county, &device_id, &shard.to_string(), &heads_to_bytes(heads)])
                .map_err(database)?;
        }
        transaction.commit().map_err(database)
    }

    /// One column of heads of a (device, shard), if the shard was ever held.
    fn peer_column(&mut self, device_id: &str, shard: &ShardId, column: &str) -> Result<Option<Vec<ChangeHash>>> {
        let county = self.county.clone();
        let row = self
            .client()?
            .query_opt(
                &format!("SELECT {column} FROM peer_heads WHERE county = $1 AND device_id = $2 AND shard = $3"),
                &[&county, &device_id, &shard.to_string()],
            )
            .map_err(database)?;
        row.map(|row| heads_from_bytes(row.get::<_, &[u8]>(0))).transpose()
    }
}

impl ChangeStore for PostgresStore {
    fn heads(&mut self, shard: &ShardId) -> Result<Vec<ChangeHash>> {
        let county = self.county.clone();
        let row = self
            .client()?
            .query_opt("SELECT heads FROM shards WHERE county = $1 AND shard = $2", &[&county, &shard.to_string()])
            .map_err(database)?;
        row.map_or(Ok(Vec::new()), |row| heads_from_bytes(row.get::<_, &[u8]>(0)))
    }

    fn has_changes(&mut self, shard: &ShardId, hashes: &[ChangeHash]) -> Result<Vec<bool>> {
        let county = self.county.clone();
        let wanted: Vec<Vec<u8>> = hashes.iter().map(|hash| hash.0.to_vec()).collect();
        let rows = self
            .client()?
            .query(
                "SELECT hash FROM changes WHERE county = $1 AND shard = $2 AND hash = ANY($3)",
                &[&county, &shard.to_string(), &wanted],
            )
            .map_err(database)?;
        let found: Vec<&[u8]> = rows.iter().map(|row| row.get::<_, &[u8]>(0)).collect();
        Ok(hashes.iter().map(|hash| found.contains(&hash.0.as_slice())).collect())
    }

    fn apply(&mut self, shard: &ShardId, chunks: &[Vec<u8>]) -> Result<()> {
        let county = self.county.clone();
        let shard_text = shard.to_string();
        self.client()?;
        let mut transaction = self.client.transaction().map_err(database)?;
        // The county's counter row, locked until commit: writers to a county take turns, in
        // every process.
        let seq: i64 = transaction
            .query_one(
                "INSERT INTO counties (county) VALUES ($1)
                 ON CONFLICT (county) DO UPDATE SET county = EXCLUDED.county RETURNING changed_seq",
                &[&county],
            )
            .map_err(database)?
            .get(0);
        let before = refresh(&mut transaction, &mut self.documents, (&county, &self.key), shard)?;
        let mut after = before.clone();
        for chunk in chunks {
            after.load_incremental(chunk).map_err(|error| Error::from(error).in_shard(shard))?;
        }
        let new: Vec<Change> = after.get_changes(&before.get_heads());
        if new.is_empty() {
            // Nothing new (repeats, or changes still waiting for their dependencies): nothing
            // is written and the counter does not move; the transaction rolls back.
            return Ok(());
        }
        let cached = self.documents.get(shard).map_or(0, |cached| cached.changes);
        let insert = transaction
            .prepare("INSERT INTO changes (county, shard, seq, hash, bytes) VALUES ($1, $2, $3, $4, $5)")
            .map_err(database)?;
        for (offset, change) in new.iter().enumerate() {
            let number = cached + 1 + offset as i64;
            let hash = change.hash().0;
            let sealed = crypto::seal(&self.key, change.raw_bytes(), &change_context(&county, &shard_text, &hash));
            transaction
                .execute(&insert, &[&county, &shard_text, &number, &hash.as_slice(), &sealed])
                .map_err(database)?;
        }
        let count = cached + new.len() as i64;
        let seq = seq + 1;
        transaction
            .execute("UPDATE counties SET changed_seq = $2 WHERE county = $1", &[&county, &seq])
            .map_err(database)?;
        transaction
            .execute(
                "INSERT INTO shards (county, shard, heads, change_count, changed_seq) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (county, shard) DO UPDATE
                 SET heads = EXCLUDED.heads, change_count = EXCLUDED.change_count, changed_seq = EXCLUDED.changed_seq",
                &[&county, &shard_text, &heads_to_bytes(&after.get_heads()), &count, &seq],
            )
            .map_err(database)?;
        let before = &self.documents[shard].document;
        PostgresStore::keep_attachment_refs(&mut transaction, &county, shard, before, &after, &new)?;
        transaction.commit().map_err(database)?;
        self.documents.insert(shard.clone(), Cached::new(after, count));
        Ok(())
    }

    fn changes_since(&mut self, shard: &ShardId, heads: &[ChangeHash]) -> Result<Vec<Vec<u8>>> {
        document::chunks_since(self.document(shard)?, heads)
    }

    fn changed_seq(&mut self) -> Result<u64> {
        let county = self.county.clone();
        let row = self
            .client()?
            .query_opt("SELECT changed_seq FROM counties WHERE county = $1", &[&county])
            .map_err(database)?;
        Ok(row.map_or(0, |row| row.get::<_, i64>(0).max(0) as u64))
    }

    fn shards_changed_since(&mut self, seq: u64) -> Result<Vec<(ShardId, u64)>> {
        let county = self.county.clone();
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        let rows = self
            .client()?
            .query(
                "SELECT shard, changed_seq FROM shards WHERE county = $1 AND changed_seq > $2 ORDER BY changed_seq",
                &[&county, &seq],
            )
            .map_err(database)?;
        rows.iter()
            .map(|row| Ok((row.get::<_, &str>(0).parse::<ShardId>()?, row.get::<_, i64>(1).max(0) as u64)))
            .collect()
    }

    fn records_touched_by(
        &mut self,
        shard: &ShardId,
        changes: &[Change],
    ) -> Result<std::collections::BTreeMap<String, bool>> {
        document::touched_by(self.document(shard)?, changes)
    }

    fn covered(&mut self, shard: &ShardId, hashes: &[ChangeHash], heads: &[ChangeHash]) -> Result<Vec<bool>> {
        Ok(document::covered(self.document(shard)?, hashes, heads))
    }

    fn peer_heads(&mut self, device_id: &str, shard: &ShardId) -> Result<Vec<ChangeHash>> {
        Ok(self.peer_column(device_id, shard, "reported")?.unwrap_or_default())
    }

    fn set_peer_heads(&mut self, device_id: &str, reported: &[(ShardId, Vec<ChangeHash>)]) -> Result<()> {
        self.keep_peer_heads(device_id, "reported", reported)
    }

    fn offered_heads(&mut self, device_id: &str, shard: &ShardId) -> Result<Vec<ChangeHash>> {
        Ok(self.peer_column(device_id, shard, "offered")?.unwrap_or_default())
    }

    fn record_offered(&mut self, device_id: &str, offered: &[(ShardId, Vec<ChangeHash>)]) -> Result<()> {
        self.keep_peer_heads(device_id, "offered", offered)
    }

    fn held(&mut self, device_id: &str, shard: &ShardId) -> Result<bool> {
        Ok(self.peer_column(device_id, shard, "reported")?.is_some())
    }
}

impl DeviceStore for PostgresStore {
    fn county_code(&mut self) -> Result<String> {
        let place = self.county_record(&county_key("place", &self.county.clone()))?;
        let named = place
            .and_then(|place| serde_json::from_value::<Place>(place).ok())
            .is_some_and(|place| place.level == PlaceLevel::County);
        if named {
            Ok(self.county.clone())
        } else {
            Err(Error::NotFound(format!("the county document of {} (run `xianglin-county init`)", self.county)))
        }
    }

    fn create_code(&mut self, user: &User, code: &str, expires_at: NaiveDateTime, now: NaiveDateTime) -> Result<()> {
        self.write_county(&[(county_key("user", &user.id), serde_json::to_value(user)?)], now)?;
        let county = self.county.clone();
        self.client()?
            .execute(
                "INSERT INTO enrollment_codes (county, code_hash, user_id, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&county, &hash(code), &user.id, &format_datetime(now), &format_datetime(expires_at)],
            )
            .map_err(database)?;
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
        let county = self.county.clone();
        let code_hash = hash(code);
        let mut transaction = self.client()?.transaction().map_err(database)?;
        // Locked: two processes redeeming one code at once enroll one device.
        let found = transaction
            .query_opt(
                "SELECT user_id, expires_at, used_by FROM enrollment_codes
                 WHERE county = $1 AND code_hash = $2 FOR UPDATE",
                &[&county, &code_hash],
            )
            .map_err(database)?;
        let Some(found) = found else { return Err(Error::NotFound("enrollment code".into())) };
        let (user_id, expires_at, used_by): (String, String, Option<String>) =
            (found.get(0), found.get(1), found.get(2));
        let grant = redeem(user_id, &expires_at, used_by.as_deref(), device_id, label, now)?;
        transaction
            .execute(
                "INSERT INTO device_grants (county, device_id, user_id, label, token_hash, enrolled_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (county, device_id) DO UPDATE SET user_id = $3, label = $4, token_hash = $5,
                     enrolled_at = $6, revoked_at = NULL",
                &[&county, &device_id, &grant.user_id, &label, &hash(token), &grant.enrolled_at],
            )
            .map_err(database)?;
        transaction
            .execute(
                "UPDATE enrollment_codes SET used_by = $3 WHERE county = $1 AND code_hash = $2",
                &[&county, &code_hash, &device_id],
            )
            .map_err(database)?;
        transaction.commit().map_err(database)?;
        Ok(grant)
    }

    fn grant_by_token(&mut self, token: &str) -> Result<Option<DeviceGrant>> {
        let county = self.county.clone();
        let row = self
            .client()?
            .query_opt(
                &format!("SELECT {GRANT_COLUMNS} FROM device_grants WHERE county = $1 AND token_hash = $2"),
                &[&county, &hash(token)],
            )
            .map_err(database)?;
        Ok(row.as_ref().map(grant_from_row))
    }

    fn revoke(&mut self, device_id: &str, now: NaiveDateTime) -> Result<bool> {
        let county = self.county.clone();
        let changed = self
            .client()?
            .execute(
                "UPDATE device_grants SET revoked_at = $3 WHERE county = $1 AND device_id = $2 AND revoked_at IS NULL",
                &[&county, &device_id, &format_datetime(now)],
            )
            .map_err(database)?;
        Ok(changed > 0)
    }

    fn link_successor(&mut self, old: &str, new: &str, now: NaiveDateTime) -> Result<()> {
        let county = self.county.clone();
        let mut transaction = self.client()?.transaction().map_err(database)?;
        transaction
            .execute(
                "UPDATE device_grants SET revoked_at = $3 WHERE county = $1 AND device_id = $2 AND revoked_at IS NULL",
                &[&county, &old, &format_datetime(now)],
            )
            .map_err(database)?;
        transaction
            .execute(
                "UPDATE device_grants SET succeeds = $3 WHERE county = $1 AND device_id = $2",
                &[&county, &new, &old],
            )
            .map_err(database)?;
        transaction.commit().map_err(database)
    }

    fn bundle_key(&mut self, device_id: &str) -> Result<Option<(DeviceGrant, [u8; 32])>> {
        let county = self.county.clone();
        let row = self
            .client()?
            .query_opt(
                &format!("SELECT {GRANT_COLUMNS}, token_hash FROM device_grants WHERE county = $1 AND device_id = $2"),
                &[&county, &device_id],
            )
            .map_err(database)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((grant_from_row(&row), key_of_hash(device_id, row.get(12))?)))
    }

    fn record_contact(&mut self, device_id: &str, at: NaiveDateTime, contact: &Contact<'_>) -> Result<()> {
        let county = self.county.clone();
        let at = format_datetime(at);
        let waiting = i32::try_from(contact.shards_waiting).unwrap_or(i32::MAX);
        let mut transaction = self.client()?.transaction().map_err(database)?;
        let known = transaction
            .execute(
                "UPDATE device_grants SET last_contact_at = $3, last_sync_at = $3, app_version = $4, shards_waiting = $5
                 WHERE county = $1 AND device_id = $2",
                &[&county, &device_id, &at, &contact.app_version, &waiting],
            )
            .map_err(database)?;
        if known > 0 && !contact.user_id.is_empty() {
            transaction
                .execute(
                    "INSERT INTO device_users (county, device_id, user_id, last_seen_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (county, device_id, user_id) DO UPDATE SET last_seen_at = $4",
                    &[&county, &device_id, &contact.user_id, &at],
                )
                .map_err(database)?;
        }
        transaction.commit().map_err(database)
    }

    fn record_refusal(&mut self, device_id: &str, at: NaiveDateTime, error: &str) -> Result<()> {
        let county = self.county.clone();
        self.client()?
            .execute(
                "UPDATE device_grants SET last_contact_at = $3, last_error = $4, last_error_at = $3
                 WHERE county = $1 AND device_id = $2",
                &[&county, &device_id, &format_datetime(at), &error],
            )
            .map_err(database)?;
        Ok(())
    }

    fn device_users(&mut self) -> Result<Vec<(String, String, String)>> {
        let county = self.county.clone();
        let rows = self
            .client()?
            .query(
                "SELECT device_id, user_id, last_seen_at FROM device_users WHERE county = $1
                 ORDER BY device_id, user_id",
                &[&county],
            )
            .map_err(database)?;
        Ok(rows.iter().map(|row| (row.get(0), row.get(1), row.get(2))).collect())
    }

    fn grants(&mut self) -> Result<Vec<DeviceGrant>> {
        let county = self.county.clone();
        let rows = self
            .client()?
            .query(
                &format!("SELECT {GRANT_COLUMNS} FROM device_grants WHERE county = $1 ORDER BY enrolled_at, device_id"),
                &[&county],
            )
            .map_err(database)?;
        Ok(rows.iter().map(grant_from_row).collect())
    }

    fn reassign(&mut self, user_id: &str, places: &[String], now: NaiveDateTime) -> Result<()> {
        let key = county_key("user", user_id);
        let stored = self.county_record(&key)?.ok_or_else(|| Error::NotFound(format!("user {user_id}")))?;
        let mut user: User = serde_json::from_value(stored)?;
        user.places = places.to_vec();
        self.write_county(&[(key, serde_json::to_value(&user)?)], now)
    }

    fn user(&mut self, user_id: &str) -> Result<Option<User>> {
        match self.county_record(&county_key("user", user_id))? {
            Some(value) => Ok(Some(serde_json::from_value(value)?)),
            None => Ok(None),
        }
    }

    fn put_county_record(&mut self, key: &str, value: serde_json::Value, now: NaiveDateTime) -> Result<()> {
        self.write_county(&[(key.to_owned(), value)], now)
    }

    fn read_county_record(&mut self, key: &str) -> Result<Option<serde_json::Value>> {
        self.county_record(key)
    }

    fn scope(&mut self, grant: &DeviceGrant) -> Result<Scope> {
        let user = self.user(&grant.user_id)?.ok_or_else(|| Error::NotFound(format!("user {}", grant.user_id)))?;
        Ok(Scope {
            device_id: grant.device_id.clone(),
            user_id: grant.user_id.clone(),
            role: user.role,
            places: user.places,
            county_code: self.county_code()?,
        })
    }
}

impl AttachmentIndex for PostgresStore {
    fn attachment_villages(&mut self, sha256: &str) -> Result<Vec<String>> {
        let county = self.county.clone();
        let rows = self
            .client()?
            .query(
                "SELECT DISTINCT village FROM attachment_refs WHERE county = $1 AND sha256 = $2 ORDER BY village",
                &[&county, &sha256],
            )
            .map_err(database)?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    fn hold_unreferenced(&mut self, sha256: &str, device_id: &str, size: u64, at: NaiveDateTime) -> Result<()> {
        let county = self.county.clone();
        let size = i64::try_from(size).unwrap_or(i64::MAX);
        self.client()?
            .execute(
                "INSERT INTO unreferenced_uploads (county, sha256, device_id, size, received_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                &[&county, &sha256, &device_id, &size, &format_datetime(at)],
            )
            .map_err(database)?;
        Ok(())
    }

    fn unreferenced_bytes(&mut self, device_id: &str) -> Result<u64> {
        let county = self.county.clone();
        let bytes: i64 = self
            .client()?
            .query_one(
                "SELECT coalesce(sum(size), 0)::bigint FROM unreferenced_uploads WHERE county = $1 AND device_id = $2",
                &[&county, &device_id],
            )
            .map_err(database)?
            .get(0);
        Ok(bytes.max(0) as u64)
    }

    fn release_unreferenced(&mut self, before: NaiveDateTime) -> Result<Vec<String>> {
        let county = self.county.clone();
        let before = format_datetime(before);
        let mut transaction = self.client()?.transaction().map_err(database)?;
        let expired = transaction
            .query(
                "DELETE FROM unreferenced_uploads WHERE county = $1 AND received_at < $2 RETURNING sha256",
                &[&county, &before],
            )
            .map_err(database)?;
        let mut released: Vec<String> = expired.iter().map(|row| row.get(0)).collect();
        released.sort();
        released.dedup();
        let mut free = Vec::new();
        for sha256 in released {
            // A file is one per county's attachment folder: another county's hold does not keep it.
            let still_held = transaction
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM unreferenced_uploads WHERE county = $1 AND sha256 = $2)",
                    &[&county, &sha256],
                )
                .map_err(database)?
                .get::<_, bool>(0);
            if !still_held {
                free.push(sha256);
            }
        }
        transaction.commit().map_err(database)?;
        Ok(free)
    }
}

#[cfg(test)]
impl PostgresStore {
    /// Every stored change's bytes as the database holds them, one after another.
    pub(crate) fn stored_change_bytes(&mut self) -> Vec<u8> {
        let rows = self.client.query("SELECT bytes FROM changes ORDER BY shard, seq", &[]).unwrap();
        rows.iter().flat_map(|row| row.get::<_, Vec<u8>>(0)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_cache_drops_the_least_recently_used_shard_never_the_county_document() {
        let start = std::time::Instant::now();
        let at = |seconds: u64| start + std::time::Duration::from_secs(seconds);
        let county = ShardId::county("360733000000");
        let (old, recent) = (ShardId::elders("360733105201"), ShardId::elders("360733105202"));
        let mut documents = HashMap::new();
        for (shard, used) in [(county.clone(), at(0)), (old.clone(), at(1)), (recent.clone(), at(2))] {
            documents.insert(shard, Cached { used, ..Cached::new(Automerge::new(), 0) });
        }
        assert_eq!(least_recently_used(&documents), Some(old.clone()));
        documents.remove(&old);
        documents.remove(&recent);
        assert_eq!(least_recently_used(&documents), None, "the county document stays");
    }
}
