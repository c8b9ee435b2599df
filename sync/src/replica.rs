//! The local replica: every shard's automerge document and the SQLite projection of its
//! records, in one SQLite file.
//!
//! A write is one SQLite transaction that appends the document's new change bytes and updates
//! the projection rows of the records the change touched (found from the document's diff), so
//! the two never disagree on disk. If the transaction fails, the in-memory document is dropped
//! and reloaded from disk on next use. Documents load on demand into a small cache and are
//! evicted least-recently-used first, so memory stays bounded however large the county.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use automerge::transaction::CommitOptions;
use automerge::{Automerge, ChangeHash};
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::Value as Json;
use xianglin_schema::record::format_datetime;

use crate::document::{self, StoredRecord};
use crate::heads;
use crate::projection::{self, Extent};
use crate::shard::ShardId;
use crate::{Error, Result};

/// SQLite `application_id` of a replica file: "XGLN".
const APPLICATION_ID: i32 = 0x5847_4C4E;
/// Incremental chunks a shard may gather before they are folded into one snapshot.
const COMPACT_AFTER_CHUNKS: i64 = 200;
/// Pages the write-ahead log may reach before a save checkpoints it itself (about 64 MB).
const WAL_AUTOCHECKPOINT_PAGES: i64 = 16_000;
/// SQLite's page cache, in KiB.
const PAGE_CACHE_KIB: i64 = 32_000;
/// SQLite's page cache while `rebuild` fills the tables, in KiB: rows go in in record order, not
/// key order, so with the usual cache the same pages are read and written many times, and on an
/// encrypted replica each read decrypts a page and each write encrypts it again.
const REBUILD_PAGE_CACHE_KIB: i64 = 160_000;
/// Threads that decode documents during `rebuild`.
const REBUILD_WORKERS: usize = 2;
/// Documents decoded or waiting to be projected at once during `rebuild`.
const REBUILD_IN_FLIGHT: usize = 4;
/// Documents kept in memory by default.
const DEFAULT_CACHE_CAPACITY: usize = 64;

/// Who makes a change and when: the automerge actor (the device), the user, the time.
#[derive(Debug, Clone)]
pub struct Author {
    pub actor: ActorId,
    pub user_id: String,
    pub at: NaiveDateTime,
}

/// Where "now" comes from: the system clock, or a fixed time for tests and the demo.
pub use automerge::ActorId;

/// The replica setting that says how much the tables project ([`Extent`]).
const EXTENT_SETTING: &str = "projection.extent";
pub use xianglin_schema::clock::Clock;

/// What `rebuild` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RebuildStats {
    pub shards: usize,
    pub records: usize,
}

const OPEN_FLAGS: OpenFlags =
    OpenFlags::SQLITE_OPEN_READ_WRITE.union(OpenFlags::SQLITE_OPEN_CREATE).union(OpenFlags::SQLITE_OPEN_NO_MUTEX);

pub struct Replica {
    connection: Connection,
    path: String,
    device: ActorId,
    user_id: String,
    clock: Clock,
    documents: DocumentCache,
    /// How much of the documents the tables hold (a station: all; the county server: what it reads).
    extent: Extent,
}

impl std::fmt::Debug for Replica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replica").field("path", &self.path).field("device", &self.device.to_hex_string()).finish()
    }
}

impl Replica {
    /// Opens the replica at `path`, creating it if the file is missing or empty. A file that is
    /// not a replica, is damaged, or comes from a newer version is refused and left untouched.
    pub fn open(path: &Path) -> Result<Replica> {
        let display = path.display().to_string();
        let existing = std::fs::metadata(path).map(|metadata| metadata.len() > 0).unwrap_or(false);
        if existing {
            let mut header = [0u8; 16];
            use std::io::Read;
            let read = std::fs::File::open(path)?.read(&mut header)?;
            if read < 16 || &header != b"SQLite format 3\0" {
                return Err(Error::Foreign { path: display });
            }
        }
        let connection = Connection::open_with_flags(path, OPEN_FLAGS)?;
        Replica::initialise(connection, display, existing)
    }

    /// Opens the replica at `path` encrypted with `key` (SQLCipher), creating it if missing.
    /// A wrong key is [`Error::WrongKey`]; a plain file is [`Error::NotEncrypted`] (run
    /// [`crate::encrypted::encrypt_in_place`] first). Either way the file is left untouched.
    pub fn open_encrypted(path: &Path, key: &crate::crypto::Key) -> Result<Replica> {
        let display = path.display().to_string();
        let existing = match crate::encrypted::state(path)? {
            crate::encrypted::FileState::Missing => false,
            crate::encrypted::FileState::Plain => return Err(Error::NotEncrypted { path: display }),
            crate::encrypted::FileState::Encrypted => true,
        };
        let connection = crate::encrypted::connect(path, key, OPEN_FLAGS).map_err(|error| match error {
            Error::Corrupt { .. } if existing => Error::Foreign { path: display.clone() },
            other => other,
        })?;
        Replica::initialise(connection, display, existing)
    }

    /// A replica that lives in memory only, for tests.
    pub fn open_in_memory() -> Result<Replica> {
        Replica::initialise(Connection::open_in_memory()?, ":memory:".to_owned(), false)
    }

    fn initialise(connection: Connection, path: String, existing: bool) -> Result<Replica> {
        let corrupt = |error: rusqlite::Error| Error::Corrupt { path: path.clone(), detail: error.to_string() };
        let application_id: i32 =
            connection.pragma_query_value(None, "application_id", |row| row.get(0)).map_err(corrupt)?;
        let table_count: i64 =
            connection.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0)).map_err(corrupt)?;
        if existing && application_id != APPLICATION_ID && !(application_id == 0 && table_count == 0) {
            return Err(Error::Foreign { path });
        }
        let version: u32 = connection.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(corrupt)?;
        let known = xianglin_schema::MIGRATIONS.last().map_or(0, |(number, _, _)| *number);
        if version > known {
            return Err(Error::TooNew { path, found: version, known });
        }
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        // A background `Checkpointer` normally keeps the log short; this is the backstop.
        connection.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)?;
        connection.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
        connection.pragma_update(None, "application_id", APPLICATION_ID)?;
        migrate(&connection, version)?;
        let device_hex: Option<String> = connection
            .query_row("SELECT value FROM replica WHERE key = 'device_id'", [], |row| row.get(0))
            .optional()?;
        let device = match device_hex {
            Some(hex) => ActorId::try_from(hex.as_str())
                .map_err(|_| Error::Corrupt { path: path.clone(), detail: "bad device id".into() })?,
            None => {
                let device = ActorId::from(uuid::Uuid::now_v7().as_bytes().as_slice());
                connection
                    .execute("INSERT INTO replica (key, value) VALUES ('device_id', ?1)", [device.to_hex_string()])?;
                device
            }
        };
        let user_id: String = connection
            .query_row("SELECT value FROM replica WHERE key = 'user_id'", [], |row| row.get(0))
            .optional()?
            .unwrap_or_default();
        let extent: Option<String> = connection
            .query_row("SELECT value FROM replica WHERE key = ?1", [EXTENT_SETTING], |row| row.get(0))
            .optional()?;
        let extent = if extent.as_deref() == Some(Extent::County.as_str()) { Extent::County } else { Extent::Station };
        tracing::info!(path = %path, device = %device.to_hex_string(), "replica opened");
        Ok(Replica {
            connection,
            path,
            device,
            user_id,
            clock: Clock::System,
            documents: DocumentCache::new(DEFAULT_CACHE_CAPACITY),
            extent,
        })
    }

    /// This device's automerge actor id, in hex.
    pub fn device_id(&self) -> String {
        self.device.to_hex_string()
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The user signed in on this device (empty before enrollment).
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// Signs `user_id` in on this device; later changes carry it.
    pub fn set_user(&mut self, user_id: &str) -> Result<()> {
        self.connection.execute(
            "INSERT INTO replica (key, value) VALUES ('user_id', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [user_id],
        )?;
        self.user_id = user_id.to_owned();
        Ok(())
    }

    /// How much of the documents this replica projects.
    pub fn extent(&self) -> Extent {
        self.extent
    }

    /// Projects `extent` of the documents from now on; a replica that projected another extent
    /// is rebuilt once (the county server's store projects [`Extent::County`]).
    pub fn set_extent(&mut self, extent: Extent) -> Result<()> {
        if extent == self.extent {
            return Ok(());
        }
        self.set_setting(EXTENT_SETTING, Some(extent.as_str()))?;
        self.extent = extent;
        self.rebuild()?;
        Ok(())
    }

    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    pub fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date()
    }

    /// Changes made now by this device and its user.
    pub fn author(&self) -> Author {
        Author { actor: self.device.clone(), user_id: self.user_id.clone(), at: self.now() }
    }

    /// How many documents may stay in memory at once (at least one).
    pub fn set_cache_capacity(&mut self, capacity: usize) {
        self.documents.capacity = capacity.max(1);
        self.documents.shrink();
    }

    /// How many documents are in memory now.
    pub fn loaded_documents(&self) -> usize {
        self.documents.documents.len()
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Voids a record: it stays, with its history, but lists and counts leave it out.
    pub fn void(&mut self, shard: &ShardId, key: &str, reason: &str) -> Result<()> {
        let mut record = self.read_record(shard, key)?.ok_or_else(|| Error::NotFound(format!("{shard} {key}")))?.value;
        let now = format_datetime(self.now());
        let meta = record
            .get_mut("meta")
            .and_then(Json::as_object_mut)
            .ok_or_else(|| Error::Invalid(format!("{key} has no meta")))?;
        meta.insert("voided_at".into(), Json::String(now));
        meta.insert("voided_by".into(), Json::String(self.user_id.clone()));
        meta.insert("void_reason".into(), Json::String(reason.to_owned()));
        self.commit(shard, &[(key.to_owned(), record)], &self.author())?;
        Ok(())
    }

    /// Writes records into one shard as one change by `author`: the change bytes and the
    /// projection rows land in one SQLite transaction. Returns whether anything changed.
    ///
    /// Callers validate first; this (with [`Replica::commit_all`] and [`Replica::write_field`])
    /// is the one write path every record takes.
    pub fn commit(&mut self, shard: &ShardId, records: &[(String, Json)], author: &Author) -> Result<bool> {
        self.commit_all(&[(shard, records)], author)
    }

    /// Writes records into several shards, one change each by `author`, in **one** SQLite
    /// transaction: after a crash at any point either every shard holds its change (bytes and
    /// projection rows) or none does. An elder moving village writes both villages this way.
    /// Returns whether anything changed. On an error nothing is stored, and the documents
    /// touched are dropped from memory (they reload from the file as they were).
    pub fn commit_all(&mut self, writes: &[(&ShardId, &[(String, Json)])], author: &Author) -> Result<bool> {
        let result = self.commit_all_inner(writes, author);
        if result.is_err() {
            for (shard, _) in writes {
                self.documents.evict(shard);
            }
        }
        result
    }

    fn commit_all_inner(&mut self, writes: &[(&ShardId, &[(String, Json)])], author: &Author) -> Result<bool> {
        let shards: BTreeSet<&ShardId> = writes.iter().map(|(shard, _)| *shard).collect();
        if shards.len() != writes.len() {
            return Err(Error::Invalid("one commit writes each shard once".into()));
        }
        let Replica { connection, documents, device, extent, .. } = self;
        // Each document is taken out of the cache until its change is stored, so that loading
        // the next shard cannot evict a change that is not yet on disk.
        let mut changed = Vec::new();
        for (shard, records) in writes {
            let mut document = documents.take(connection, shard, device).map_err(|error| error.in_shard(shard))?;
            let before = document.get_heads();
            let made = change(&mut document, author, device, |transaction| {
                records.iter().try_for_each(|(key, record)| document::write_record(transaction, key, record))
            })
            .map_err(|error| error.in_shard(shard))?;
            if made {
                // A local write knows what it touched: the records it wrote.
                let touched: BTreeSet<String> = records.iter().map(|(key, _)| key.clone()).collect();
                changed.push((*shard, document, before, touched));
            } else {
                documents.put(shard, document);
            }
        }
        if changed.is_empty() {
            return Ok(false);
        }
        let transaction = connection.transaction()?;
        for (shard, document, before, touched) in &changed {
            persist(&transaction, *extent, shard, document, before, touched).map_err(|error| error.in_shard(shard))?;
        }
        transaction.commit()?;
        for (shard, document, ..) in changed {
            documents.put(shard, document);
        }
        Ok(true)
    }

    /// Writes `value` at the dotted field `path` of one record, and nothing else of it: how a
    /// conflict is resolved without touching the record's other fields (or their conflicts).
    pub fn write_field(
        &mut self,
        shard: &ShardId,
        key: &str,
        path: &str,
        value: &Json,
        author: &Author,
    ) -> Result<bool> {
        let touched = BTreeSet::from([key.to_owned()]);
        let result = self
            .write_change(shard, touched, author, |transaction| document::write_path(transaction, key, path, value));
        if result.is_err() {
            self.documents.evict(shard);
        }
        result.map_err(|error| error.in_shard(shard))
    }

    fn write_change(
        &mut self,
        shard: &ShardId,
        touched: BTreeSet<String>,
        author: &Author,
        write: impl FnOnce(&mut automerge::transaction::Transaction<'_>) -> Result<()>,
    ) -> Result<bool> {
        let Replica { connection, documents, device, extent, .. } = self;
        let document = documents.get(connection, shard, device)?;
        let before = document.get_heads();
        if !change(document, author, device, write)? {
            return Ok(false);
        }
        let transaction = connection.transaction()?;
        persist(&transaction, *extent, shard, document, &before, &touched)?;
        transaction.commit()?;
        Ok(true)
    }

    /// Merges change bytes from another replica into a shard, projecting what they touched.
    /// Returns whether the shard changed. Bytes that do not decode, or would inflate past
    /// [`crate::untrusted::Limits::SHARD`], change nothing.
    pub fn apply_changes(&mut self, shard: &ShardId, bytes: &[u8]) -> Result<bool> {
        let result = self.apply_inner(shard, bytes);
        if result.is_err() {
            self.documents.evict(shard);
        }
        result.map_err(|error| error.in_shard(shard))
    }

    fn apply_inner(&mut self, shard: &ShardId, bytes: &[u8]) -> Result<bool> {
        // Bytes from elsewhere: bounded before automerge inflates or expands anything.
        crate::untrusted::check(bytes, crate::untrusted::Limits::SHARD)?;
        let Replica { connection, documents, device, extent, .. } = self;
        // Decode on a scratch document first so that garbage never reaches the real one.
        let mut scratch = Automerge::new();
        crate::untrusted::guarded(|| scratch.load_incremental(bytes))??;
        let document = documents.get(connection, shard, device)?;
        let before = document.get_heads();
        if before.is_empty() {
            // A shard new to this replica: the scratch document is the shard.
            *document = scratch.with_actor(device.clone());
        } else {
            crate::untrusted::guarded(|| document.load_incremental(bytes))??;
        }
        if document.get_heads() == before {
            return Ok(false);
        }
        // Changes from elsewhere: their operations say which records they touched.
        let touched = if before.is_empty() {
            document::record_keys(document).into_iter().collect()
        } else {
            document::touched_records(document, &before)
        };
        let transaction = connection.transaction()?;
        persist(&transaction, *extent, shard, document, &before, &touched)?;
        transaction.commit()?;
        Ok(true)
    }

    /// Takes in shards this replica does not hold yet, as another replica stored them (each a
    /// snapshot and incremental saves): the chunks are checked by loading them, kept as they are
    /// (no re-save), and every record is projected, in one transaction. Decoding runs on
    /// [`REBUILD_WORKERS`] threads, as in [`Replica::rebuild`]: a first sync of a whole county
    /// is mostly this. A shard held already is merged as [`Replica::apply_changes`] does.
    /// Returns how many shards changed.
    pub fn adopt_stored(&mut self, shards: &[(ShardId, Vec<Vec<u8>>)]) -> Result<usize> {
        let mut changed = 0;
        let mut new_shards = Vec::new();
        for (shard, chunks) in shards {
            if self.stored_heads(shard)?.is_empty() {
                new_shards.push((shard, chunks));
            } else if self.apply_changes(shard, &chunks.concat())? {
                changed += 1;
            }
        }
        if new_shards.is_empty() {
            return Ok(changed);
        }
        let device = self.device.clone();
        let extent = self.extent;
        let transaction = self.connection.transaction()?;
        std::thread::scope(|scope| -> Result<()> {
            let (job_sender, job_receiver) = std::sync::mpsc::channel::<(usize, &[Vec<u8>])>();
            let job_receiver = std::sync::Arc::new(std::sync::Mutex::new(job_receiver));
            let (decoded_sender, decoded_receiver) = std::sync::mpsc::channel();
            for _ in 0..REBUILD_WORKERS {
                let job_receiver = std::sync::Arc::clone(&job_receiver);
                let decoded_sender = decoded_sender.clone();
                let device = device.clone();
                scope.spawn(move || {
                    loop {
                        let job =
                            job_receiver.lock().map_err(|_| ()).and_then(|receiver| receiver.recv().map_err(|_| ()));
                        let Ok((index, chunks)) = job else { break };
                        let decoded = chunks
                            .iter()
                            .try_for_each(|chunk| crate::untrusted::check(chunk, crate::untrusted::Limits::SHARD))
                            .map_err(Error::from)
                            .and_then(|()| crate::untrusted::guarded(|| document_from_chunks(chunks, &device))?)
                            .and_then(|document| Ok((document.get_heads(), document::read_all_records(&document)?)));
                        if decoded_sender.send((index, decoded)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(decoded_sender);
            let mut pending = new_shards.iter().enumerate();
            let mut in_flight = 0;
            loop {
                while in_flight < REBUILD_IN_FLIGHT {
                    let Some((index, (_, chunks))) = pending.next() else { break };
                    job_sender
                        .send((index, chunks.as_slice()))
                        .map_err(|_| Error::Invalid("a decoding worker stopped".into()))?;
                    in_flight += 1;
                }
                if in_flight == 0 {
                    break;
                }
                let (index, decoded) =
                    decoded_receiver.recv().map_err(|_| Error::Invalid("a decoding worker stopped".into()))?;
                in_flight -= 1;
                let (shard, chunks) = new_shards[index];
                let (heads, records) = decoded.map_err(|error| error.in_shard(shard))?;
                if heads.is_empty() {
                    continue;
                }
                store_adopted(&transaction, extent, shard, chunks, &heads, records)
                    .map_err(|error| error.in_shard(shard))?;
                changed += 1;
            }
            Ok(())
        })?;
        transaction.commit()?;
        Ok(changed)
    }

    /// What a replica at `heads` lacks of a shard, as few, compact automerge chunks: the whole
    /// document (its columns uncompressed, for the wire's zstd) when the other side has none of
    /// it, a bundle when it lacks several changes, a change on its own when just one. Heads this
    /// replica does not know are ignored, so a peer ahead of us gets what we have beyond the
    /// heads we share.
    pub fn chunks_since(&mut self, shard: &ShardId, heads: &[ChangeHash]) -> Result<Vec<Vec<u8>>> {
        // A peer already at this replica's heads lacks nothing: no need to load the document.
        let mut sorted = heads.to_vec();
        sorted.sort_unstable();
        if self.stored_heads(shard)? == sorted {
            return Ok(Vec::new());
        }
        let Replica { connection, documents, device, .. } = self;
        crate::document::chunks_since(documents.get(connection, shard, device)?, heads)
    }

    /// The change bytes of a shard that a replica at `heads` lacks (all of them for no heads).
    pub fn changes_since(&mut self, shard: &ShardId, heads: &[ChangeHash]) -> Result<Vec<u8>> {
        let Replica { connection, documents, device, .. } = self;
        Ok(documents.get(connection, shard, device)?.save_after(heads))
    }

    /// The changes of a shard that a peer at `heads` lacks, one encoded change each, in an
    /// order that applies (dependencies first). Heads this replica does not know are ignored,
    /// so a peer ahead of us is sent what we have beyond the heads we share.
    pub fn change_list_since(&mut self, shard: &ShardId, heads: &[ChangeHash]) -> Result<Vec<Vec<u8>>> {
        let Replica { connection, documents, device, .. } = self;
        let document = documents.get(connection, shard, device)?;
        let known: Vec<ChangeHash> =
            heads.iter().copied().filter(|hash| document.get_change_meta_by_hash(hash).is_some()).collect();
        Ok(document.get_changes(&known).iter().map(|change| change.raw_bytes().to_vec()).collect())
    }

    /// Drops the shard's document from memory if another connection (an admin command next to
    /// the running server) wrote it since it was loaded, so the next read sees that write.
    pub fn forget_if_written_elsewhere(&mut self, shard: &ShardId) -> Result<()> {
        let Some((cached, _)) = self.documents.documents.get(shard) else { return Ok(()) };
        let stored: Option<String> = self
            .connection
            .prepare_cached("SELECT heads FROM shards WHERE id = ?1")?
            .query_row([shard.to_string()], |row| row.get(0))
            .optional()?;
        if stored.is_some_and(|stored| stored != heads::to_text(&cached.get_heads())) {
            self.documents.evict(shard);
        }
        Ok(())
    }

    /// Removes a shard from this replica: its document, its projection rows and its sync state.
    /// Only for data the device may no longer hold (its scope changed) once the server has it all.
    pub fn remove_shard(&mut self, shard: &ShardId) -> Result<()> {
        let id = shard.to_string();
        let transaction = self.connection.transaction()?;
        // `elder_aliases` is keyed by the rows it re-points, not by shard: it follows them.
        for table in projection::TABLES.iter().filter(|table| **table != "elder_aliases") {
            transaction.execute(&format!("DELETE FROM {table} WHERE shard = ?1"), [&id])?;
        }
        crate::merges::drop_orphan_aliases(&transaction)?;
        transaction.execute("DELETE FROM chunks WHERE shard = ?1", [&id])?;
        transaction.execute("DELETE FROM sync_shards WHERE shard = ?1", [&id])?;
        transaction.execute("DELETE FROM shards WHERE id = ?1", [&id])?;
        transaction.commit()?;
        self.documents.evict(shard);
        Ok(())
    }

    /// A shard exactly as stored (a snapshot, then incremental saves): what a replica with none
    /// of it needs, read without loading the document.
    pub fn stored_chunks(&self, shard: &ShardId) -> Result<Vec<Vec<u8>>> {
        read_chunks(&self.connection, shard)
    }

    /// The heads of a shard as of its last write, sorted, from the table of shards: no document
    /// is loaded (empty if the shard does not exist).
    pub fn stored_heads(&self, shard: &ShardId) -> Result<Vec<ChangeHash>> {
        let stored: Option<String> = self
            .connection
            .prepare_cached("SELECT heads FROM shards WHERE id = ?1")?
            .query_row([shard.to_string()], |row| row.get(0))
            .optional()?;
        crate::heads::from_text(stored.as_deref().unwrap_or_default())
    }

    /// Whether the shard's document holds each of `hashes`.
    pub fn has_changes(&mut self, shard: &ShardId, hashes: &[ChangeHash]) -> Result<Vec<bool>> {
        if hashes.is_empty() {
            return Ok(Vec::new());
        }
        let Replica { connection, documents, device, .. } = self;
        let document = documents.get(connection, shard, device)?;
        Ok(hashes.iter().map(|hash| document.get_change_meta_by_hash(hash).is_some()).collect())
    }

    /// The records `changes` would touch in a shard, each with whether the shard holds it
    /// already ([`document::touched_by`]); nothing is written.
    pub fn records_touched_by(
        &mut self,
        shard: &ShardId,
        changes: &[automerge::Change],
    ) -> Result<std::collections::BTreeMap<String, bool>> {
        let Replica { connection, documents, device, .. } = self;
        document::touched_by(documents.get(connection, shard, device)?, changes)
    }

    /// Whether each of `hashes` is in the history of `heads` ([`document::covered`]).
    pub fn covered(&mut self, shard: &ShardId, hashes: &[ChangeHash], heads: &[ChangeHash]) -> Result<Vec<bool>> {
        if hashes.is_empty() {
            return Ok(Vec::new());
        }
        let Replica { connection, documents, device, .. } = self;
        Ok(document::covered(documents.get(connection, shard, device)?, hashes, heads))
    }

    /// The replica-wide change counter: it grows by one with every write or merge that changed
    /// a shard.
    pub fn changed_seq(&self) -> Result<u64> {
        let seq: i64 = self.connection.query_row(
            "SELECT CAST(value AS INTEGER) FROM replica WHERE key = 'changed_seq'",
            [],
            |row| row.get(0),
        )?;
        Ok(seq.max(0) as u64)
    }

    /// Shards changed after counter value `seq`, with the value of their last change, oldest first.
    pub fn shards_changed_since(&self, seq: u64) -> Result<Vec<(ShardId, u64)>> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT id, changed_seq FROM shards WHERE changed_seq > ?1 ORDER BY changed_seq")?;
        let rows = statement
            .query_map([seq as i64], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(|(id, seq)| Ok((id.parse()?, seq.max(0) as u64))).collect()
    }

    /// A value this replica keeps about itself (`None` when never set).
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.connection.query_row("SELECT value FROM replica WHERE key = ?1", [key], |row| row.get(0)).optional()?)
    }

    /// Keeps a value about this replica (`None` forgets it).
    pub fn set_setting(&self, key: &str, value: Option<&str>) -> Result<()> {
        match value {
            Some(value) => self.connection.execute(
                "INSERT INTO replica (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
                [key, value],
            )?,
            None => self.connection.execute("DELETE FROM replica WHERE key = ?1", [key])?,
        };
        Ok(())
    }

    /// The current heads of a shard's document (empty if the shard does not exist).
    pub fn heads(&mut self, shard: &ShardId) -> Result<Vec<ChangeHash>> {
        let Replica { connection, documents, device, .. } = self;
        Ok(documents.get(connection, shard, device)?.get_heads())
    }

    /// Runs `read` on a shard's document (loaded on demand), e.g. to walk its history.
    pub fn with_document<T>(&mut self, shard: &ShardId, read: impl FnOnce(&Automerge) -> T) -> Result<T> {
        let Replica { connection, documents, device, .. } = self;
        Ok(read(documents.get(connection, shard, device)?))
    }

    /// Reads one record of a shard straight from its document.
    pub fn read_record(&mut self, shard: &ShardId, key: &str) -> Result<Option<StoredRecord>> {
        let Replica { connection, documents, device, .. } = self;
        document::read_record(documents.get(connection, shard, device)?, key)
    }

    /// Writes one typed record as one change by this replica's user, keeping what a newer app
    /// stored in it that `T` does not know ([`Replica::record_json`]). Returns whether anything
    /// changed.
    pub fn commit_record<T: Serialize + serde::de::DeserializeOwned>(
        &mut self,
        shard: &ShardId,
        key: String,
        record: &T,
    ) -> Result<bool> {
        let record = self.record_json(shard, &key, record)?;
        self.commit(shard, &[(key, record)], &self.author())
    }

    /// `record` as the JSON to write over record `key` of `shard`, keeping whatever a newer app
    /// stored there that this build's type `T` does not know (see [`document::keep_unknown`]).
    /// Every write of a record that may already exist goes through this, so an older app never
    /// drops a newer app's fields.
    pub fn record_json<T: Serialize + serde::de::DeserializeOwned>(
        &mut self,
        shard: &ShardId,
        key: &str,
        record: &T,
    ) -> Result<Json> {
        match self.read_record(shard, key)? {
            Some(stored) => over_stored(&stored.value, record),
            None => to_json(record),
        }
    }

    /// The records of a shard whose keys start with `prefix`, straight from its document.
    pub fn read_records_with_prefix(&mut self, shard: &ShardId, prefix: &str) -> Result<Vec<(String, StoredRecord)>> {
        let Replica { connection, documents, device, .. } = self;
        document::records_with_prefix(documents.get(connection, shard, device)?, prefix)
    }

    /// Every change that wrote the record `key` of a shard (see [`document::record_history`]).
    pub fn record_history(&mut self, shard: &ShardId, key: &str) -> Result<Vec<document::RecordChange>> {
        let Replica { connection, documents, device, .. } = self;
        Ok(document::record_history(documents.get(connection, shard, device)?, key))
    }

    /// Every shard this replica holds, in id order.
    pub fn shards(&self) -> Result<Vec<ShardId>> {
        let mut statement = self.connection.prepare("SELECT id FROM shards ORDER BY id")?;
        let ids = statement.query_map([], |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
        ids.iter().map(|id| id.parse()).collect()
    }

    /// Recomputes every projection table from the documents; the result equals the incremental
    /// projection. Decoding documents is the heavy part, so [`REBUILD_WORKERS`] threads decode
    /// while this one reads chunks and writes rows; at most [`REBUILD_IN_FLIGHT`] documents are
    /// in memory beyond the cache at any moment. SQLite's page cache is larger while the tables
    /// fill ([`REBUILD_PAGE_CACHE_KIB`]) and given back before the indexes are made.
    pub fn rebuild(&mut self) -> Result<RebuildStats> {
        self.connection.pragma_update(None, "cache_size", -REBUILD_PAGE_CACHE_KIB)?;
        let rebuilt = self.rebuild_projection();
        self.connection.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
        self.connection.execute_batch("PRAGMA shrink_memory")?;
        rebuilt
    }

    fn rebuild_projection(&mut self) -> Result<RebuildStats> {
        let shards = self.shards()?;
        let device = self.device.clone();
        let extent = self.extent;
        let transaction = self.connection.transaction()?;
        let (indexes, triggers) = projection::drop_indexes_and_triggers(&transaction)?;
        projection::clear(&transaction)?;
        let mut stats = RebuildStats::default();
        std::thread::scope(|scope| -> Result<()> {
            let (job_sender, job_receiver) = std::sync::mpsc::channel::<(ShardId, Vec<Vec<u8>>)>();
            let job_receiver = std::sync::Arc::new(std::sync::Mutex::new(job_receiver));
            let (record_sender, record_receiver) = std::sync::mpsc::channel();
            for _ in 0..REBUILD_WORKERS {
                let job_receiver = std::sync::Arc::clone(&job_receiver);
                let record_sender = record_sender.clone();
                let device = device.clone();
                scope.spawn(move || {
                    loop {
                        let job =
                            job_receiver.lock().map_err(|_| ()).and_then(|receiver| receiver.recv().map_err(|_| ()));
                        let Ok((shard, chunks)) = job else { break };
                        // The county server keeps its snapshots as it hands them out (see
                        // `Extent::snapshot`): a database a station wrote is saved again so.
                        let records = document_from_chunks(&chunks, &device).and_then(|document| {
                            let snapshot = (extent == Extent::County).then(|| extent.snapshot(&document));
                            Ok((document::read_all_records(&document)?, snapshot))
                        });
                        if record_sender.send((shard, records)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(record_sender);
            let mut pending = shards.iter();
            let mut in_flight = 0;
            loop {
                while in_flight < REBUILD_IN_FLIGHT {
                    let Some(shard) = pending.next() else { break };
                    let chunks = read_chunks(&transaction, shard).map_err(|error| error.in_shard(shard))?;
                    job_sender
                        .send((shard.clone(), chunks))
                        .map_err(|_| Error::Invalid("rebuild worker stopped".into()))?;
                    in_flight += 1;
                }
                if in_flight == 0 {
                    break;
                }
                let (shard, records) =
                    record_receiver.recv().map_err(|_| Error::Invalid("rebuild worker stopped".into()))?;
                in_flight -= 1;
                let (records, snapshot) = records.map_err(|error| error.in_shard(&shard))?;
                if let Some(snapshot) = snapshot {
                    replace_chunks(&transaction, &shard, &snapshot)?;
                }
                stats.records += records.len();
                stats.shards += 1;
                projection::project_records(&transaction, extent, &shard, records)
                    .map_err(|error| error.in_shard(&shard))?;
            }
            Ok(())
        })?;
        // The indexes are made by sorting, whose memory follows the cache size: back to the usual.
        transaction.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
        transaction.execute_batch("PRAGMA shrink_memory")?;
        for index in &indexes {
            transaction.execute(index, [])?;
        }
        projection::fill_derived(&transaction)?;
        for trigger in &triggers {
            transaction.execute(trigger, [])?;
        }
        transaction.commit()?;
        tracing::info!(shards = stats.shards, records = stats.records, "projection rebuilt");
        Ok(stats)
    }
}

/// Replaces a shard's stored chunks with one snapshot of the same document.
fn replace_chunks(transaction: &Transaction<'_>, shard: &ShardId, snapshot: &[u8]) -> Result<()> {
    let shard_id = shard.to_string();
    transaction.execute("DELETE FROM chunks WHERE shard = ?1", [&shard_id])?;
    transaction.execute("INSERT INTO chunks (shard, seq, bytes) VALUES (?1, 0, ?2)", params![shard_id, snapshot])?;
    transaction.execute(
        "UPDATE shards SET chunk_count = 1, byte_count = ?2 WHERE id = ?1",
        params![shard_id, snapshot.len() as i64],
    )?;
    Ok(())
}

/// Makes one change to a document as `author` (the change's actor and message), or none if
/// `write` changed nothing. Returns whether a change was made; on an error the document is as
/// it was.
fn change(
    document: &mut Automerge,
    author: &Author,
    device: &ActorId,
    write: impl FnOnce(&mut automerge::transaction::Transaction<'_>) -> Result<()>,
) -> Result<bool> {
    document.set_actor(author.actor.clone());
    let mut transaction = document.transaction();
    if let Err(error) = write(&mut transaction) {
        transaction.rollback();
        document.set_actor(device.clone());
        return Err(error);
    }
    let options = CommitOptions::default()
        .with_message(crate::document::change_message(&author.user_id))
        .with_time(author.at.and_utc().timestamp());
    let (hash, _) = transaction.commit_with(options);
    document.set_actor(device.clone());
    Ok(hash.is_some())
}

/// Appends the change bytes made since `before` and projects the touched records, inside the
/// caller's SQLite transaction. Folds the shard's chunks into one snapshot when they pile up.
fn persist(
    transaction: &Transaction<'_>,
    extent: Extent,
    shard: &ShardId,
    document: &Automerge,
    before: &[ChangeHash],
    touched: &BTreeSet<String>,
) -> Result<()> {
    let after = document.get_heads();
    let shard_id = shard.to_string();
    let (chunk_count, next_seq): (i64, i64) = transaction
        .prepare_cached("SELECT count(*), coalesce(max(seq) + 1, 0) FROM chunks WHERE shard = ?1")?
        .query_row([&shard_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    upsert_shard(transaction, shard)?;
    // The replica-wide change counter: the county serves it to devices as their sync cursor.
    let changed_seq: i64 = transaction
        .prepare_cached(
            "UPDATE replica SET value = CAST(value AS INTEGER) + 1 WHERE key = 'changed_seq' RETURNING CAST(value AS INTEGER)",
        )?
        .query_row([], |row| row.get(0))?;
    // A new shard starts with a snapshot (columnar: several times smaller and faster to load
    // than the same content as one change); chunks that pile up fold into one.
    let compact = chunk_count == 0 || chunk_count + 1 > COMPACT_AFTER_CHUNKS;
    let bytes = if compact { extent.snapshot(document) } else { document.save_after(before) };
    if compact {
        transaction.execute("DELETE FROM chunks WHERE shard = ?1", [&shard_id])?;
    }
    transaction
        .prepare_cached("INSERT INTO chunks (shard, seq, bytes) VALUES (?1, ?2, ?3)")?
        .execute(params![shard_id, next_seq, bytes])?;
    transaction
        .prepare_cached(
            "UPDATE shards SET heads = ?2,
                chunk_count = CASE WHEN ?3 THEN 1 ELSE chunk_count + 1 END,
                byte_count = CASE WHEN ?3 THEN ?4 ELSE byte_count + ?4 END,
                changed_seq = ?5
             WHERE id = ?1",
        )?
        .execute(params![shard_id, heads::to_text(&after), compact, bytes.len() as i64, changed_seq])?;
    projection::project(transaction, extent, shard, document, touched.iter())?;
    Ok(())
}

/// Writes a shard taken as another replica stored it: its chunks as they are, its row, and the
/// projection of its records.
fn store_adopted(
    transaction: &Transaction<'_>,
    extent: Extent,
    shard: &ShardId,
    chunks: &[Vec<u8>],
    heads: &[ChangeHash],
    records: Vec<(String, StoredRecord)>,
) -> Result<()> {
    let shard_id = shard.to_string();
    upsert_shard(transaction, shard)?;
    let changed_seq: i64 = transaction
        .prepare_cached(
            "UPDATE replica SET value = CAST(value AS INTEGER) + 1 WHERE key = 'changed_seq' RETURNING CAST(value AS INTEGER)",
        )?
        .query_row([], |row| row.get(0))?;
    transaction.execute("DELETE FROM chunks WHERE shard = ?1", [&shard_id])?;
    let mut byte_count = 0;
    for (seq, bytes) in chunks.iter().enumerate() {
        byte_count += bytes.len() as i64;
        transaction
            .prepare_cached("INSERT INTO chunks (shard, seq, bytes) VALUES (?1, ?2, ?3)")?
            .execute(params![shard_id, seq as i64, bytes])?;
    }
    transaction
        .prepare_cached(
            "UPDATE shards SET heads = ?2, chunk_count = ?3, byte_count = ?4, changed_seq = ?5 WHERE id = ?1",
        )?
        .execute(params![shard_id, heads::to_text(heads), chunks.len() as i64, byte_count, changed_seq])?;
    projection::project_records(transaction, extent, shard, records)?;
    Ok(())
}

fn upsert_shard(transaction: &Transaction<'_>, shard: &ShardId) -> Result<()> {
    transaction
        .prepare_cached("INSERT INTO shards (id, kind, heads, chunk_count, byte_count) VALUES (?1, ?2, '', 0, 0) ON CONFLICT (id) DO NOTHING")?
        .execute(params![shard.to_string(), shard.kind().as_str()])?;
    Ok(())
}

/// Loads a shard's document from its chunks (a new empty document if it has none).
fn load_document(connection: &Connection, shard: &ShardId, device: &ActorId) -> Result<Automerge> {
    document_from_chunks(&read_chunks(connection, shard)?, device)
}

/// A shard's saved chunks, in order.
fn read_chunks(connection: &Connection, shard: &ShardId) -> Result<Vec<Vec<u8>>> {
    let mut statement = connection.prepare_cached("SELECT bytes FROM chunks WHERE shard = ?1 ORDER BY seq")?;
    let chunks = statement.query_map([shard.to_string()], |row| row.get(0))?.collect::<Result<Vec<Vec<u8>>, _>>()?;
    Ok(chunks)
}

/// A document from its chunks: the first is a snapshot (or a change), the rest incremental.
fn document_from_chunks(chunks: &[Vec<u8>], device: &ActorId) -> Result<Automerge> {
    let mut document: Option<Automerge> = None;
    for bytes in chunks {
        match document.as_mut() {
            None => document = Some(Automerge::load(bytes)?),
            Some(document) => {
                document.load_incremental(bytes)?;
            }
        }
    }
    Ok(document.unwrap_or_default().with_actor(device.clone()))
}

fn migrate(connection: &Connection, from_version: u32) -> Result<()> {
    for (number, name, sql) in xianglin_schema::MIGRATIONS {
        if *number > from_version {
            let batch = format!("BEGIN; {sql}\nPRAGMA user_version = {number}; COMMIT;");
            connection.execute_batch(&batch)?;
            tracing::info!(migration = number, name, "migration applied");
        }
    }
    Ok(())
}

pub fn to_json<T: Serialize>(record: &T) -> Result<Json> {
    Ok(serde_json::to_value(record)?)
}

/// `record` as the JSON to write over `stored`, keeping what `stored` holds that this build's
/// type `T` does not know (see [`document::keep_unknown`]).
///
/// When `stored` does not read as `T` at all (a newer app's value this build cannot parse),
/// every stored key `record` lacks is kept: nothing is dropped, at the cost of a nested key the
/// user removed staying.
pub fn over_stored<T: Serialize + serde::de::DeserializeOwned>(stored: &Json, record: &T) -> Result<Json> {
    let written = to_json(record)?;
    match serde_json::from_value::<T>(stored.clone()) {
        Ok(typed) => Ok(document::keep_unknown(stored, &to_json(&typed)?, written)),
        // The error is not logged: it may quote a value, and values are personal data.
        Err(_) => {
            tracing::warn!("a stored record does not read as this build's type; keeping all its keys");
            Ok(document::keep_every_stored_key(stored, written))
        }
    }
}

/// Shards' documents in memory, least-recently-used evicted first.
struct DocumentCache {
    documents: HashMap<ShardId, (Automerge, u64)>,
    capacity: usize,
    tick: u64,
}

impl DocumentCache {
    fn new(capacity: usize) -> DocumentCache {
        DocumentCache { documents: HashMap::new(), capacity, tick: 0 }
    }

    fn get(&mut self, connection: &Connection, shard: &ShardId, device: &ActorId) -> Result<&mut Automerge> {
        self.tick += 1;
        if !self.documents.contains_key(shard) {
            let document = load_document(connection, shard, device)?;
            self.documents.insert(shard.clone(), (document, self.tick));
            self.shrink_keeping(shard);
        }
        let entry = self.documents.get_mut(shard).expect("just inserted");
        entry.1 = self.tick;
        Ok(&mut entry.0)
    }

    fn evict(&mut self, shard: &ShardId) {
        self.documents.remove(shard);
    }

    /// Takes a shard's document out of the cache (loading it if absent); [`DocumentCache::put`]
    /// gives it back.
    fn take(&mut self, connection: &Connection, shard: &ShardId, device: &ActorId) -> Result<Automerge> {
        match self.documents.remove(shard) {
            Some((document, _)) => Ok(document),
            None => load_document(connection, shard, device),
        }
    }

    fn put(&mut self, shard: &ShardId, document: Automerge) {
        self.tick += 1;
        self.documents.insert(shard.clone(), (document, self.tick));
        self.shrink_keeping(shard);
    }

    fn shrink(&mut self) {
        while self.documents.len() > self.capacity {
            let oldest = self.documents.iter().min_by_key(|(_, (_, tick))| *tick).map(|(shard, _)| shard.clone());
            if let Some(oldest) = oldest {
                self.documents.remove(&oldest);
            }
        }
    }

    fn shrink_keeping(&mut self, keep: &ShardId) {
        while self.documents.len() > self.capacity {
            let oldest = self
                .documents
                .iter()
                .filter(|(shard, _)| *shard != keep)
                .min_by_key(|(_, (_, tick))| *tick)
                .map(|(shard, _)| shard.clone());
            match oldest {
                Some(oldest) => self.documents.remove(&oldest),
                None => break,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use automerge::ReadDoc;
    use chrono::NaiveDate;
    use serde_json::json;

    use super::*;

    fn author(replica: &Replica) -> Author {
        let at = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap().and_hms_opt(9, 0, 0).unwrap();
        Author { actor: replica.device.clone(), user_id: "user-1".into(), at }
    }

    /// Bytes from another replica that would inflate past the limit, or that automerge's bundle
    /// parser panics on, are refused: the shard, on disk and in memory, stays as it was.
    #[test]
    fn a_bomb_or_a_bundle_automerge_panics_on_changes_nothing() {
        let mut replica = Replica::open_in_memory().unwrap();
        let shard = ShardId::elders("360733105201");
        replica.commit(&shard, &[("note/1".to_owned(), json!({ "text": "kept" }))], &author(&replica)).unwrap();
        let stored = replica.stored_heads(&shard).unwrap();
        // A compressed change of 64 MiB of zeros: 64 KB of DEFLATE.
        let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut encoder, &vec![0u8; 64 << 20]).unwrap();
        let deflated = encoder.finish().unwrap();
        let mut bomb = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 2];
        let mut length = deflated.len();
        while length >= 0x80 {
            bomb.push((length & 0x7f) as u8 | 0x80);
            length >>= 7;
        }
        bomb.push(length as u8);
        bomb.extend(deflated);
        let panicking = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fuzz/regressions/chunk/0c300bb8f8ee42b2cab246e9"
        ))
        .unwrap();
        for bytes in [bomb, panicking] {
            assert!(replica.apply_changes(&shard, &bytes).is_err());
            assert_eq!(replica.stored_heads(&shard).unwrap(), stored);
            assert_eq!(replica.heads(&shard).unwrap(), stored);
        }
    }

    /// A write whose SQLite transaction fails leaves the in-memory document as it was on disk:
    /// the change automerge already made in memory is dropped with it, so the next write does not
    /// build on a change that was never stored.
    #[test]
    fn a_failed_transaction_drops_the_in_memory_document() {
        let mut replica = Replica::open_in_memory().unwrap();
        let shard = ShardId::elders("360733105201");
        let note = |text: &str| vec![("note/1".to_owned(), json!({ "text": text }))];
        replica.commit(&shard, &note("first"), &author(&replica)).unwrap();
        let stored = replica.stored_heads(&shard).unwrap();
        assert_eq!(replica.heads(&shard).unwrap(), stored);

        // The disk refuses the next write (as a full disk or a locked file would).
        replica
            .connection
            .execute_batch(
                "CREATE TEMP TRIGGER refuse BEFORE INSERT ON chunks BEGIN SELECT RAISE(ABORT, 'disk full'); END",
            )
            .unwrap();
        assert!(replica.commit(&shard, &note("second"), &author(&replica)).is_err());
        assert_eq!(replica.stored_heads(&shard).unwrap(), stored, "nothing of the failed write is stored");
        assert_eq!(replica.heads(&shard).unwrap(), stored, "the document in memory is the one on disk");

        // Once the disk takes writes again, the next change builds on what is stored.
        replica.connection.execute_batch("DROP TRIGGER refuse").unwrap();
        assert!(replica.commit(&shard, &note("third"), &author(&replica)).unwrap());
        let text = replica.with_document(&shard, |document| {
            let (_, record) = document.get(automerge::ROOT, "note/1").unwrap().unwrap();
            let (value, _) = document.get(&record, "text").unwrap().unwrap();
            value.to_string()
        });
        assert_eq!(text.unwrap(), "\"third\"");
        let heads = replica.heads(&shard).unwrap();
        assert_eq!(replica.stored_heads(&shard).unwrap(), heads);
        let dependencies = replica.with_document(&shard, |document| {
            document.get_change_by_hash(&heads[0]).map(|change| change.deps().to_vec())
        });
        assert_eq!(
            dependencies.unwrap().unwrap(),
            stored,
            "the new change follows the stored one, not the dropped one"
        );
    }
}
