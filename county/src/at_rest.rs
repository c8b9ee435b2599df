//! The county's data at rest: the database key, the SQLite database encrypted with it
//! (SQLCipher) or the PostgreSQL rows of the county's changes sealed with it
//! ([`crate::PostgresStore`]), and the attachments sealed with it.
//!
//! The key comes from `XIANGLIN_COUNTY_KEY` (64 hex digits, for a secret store that hands it
//! over in the environment) or from the key file (`key_file`; by default `county.key` beside
//! the config file, so it stays with the configuration in `/etc` and out of backups of the
//! data directory). A key file must be readable by its owner only.
//!
//! Opening makes whatever is missing: a key file for a new (or still plain) database, and a
//! plain database of an older version is encrypted in place
//! ([`xianglin_sync::encrypted::encrypt_in_place`]: a kill at any moment loses nothing), and
//! its attachments sealed one by one. An encrypted database whose key is missing is refused,
//! and nothing is made.

use std::path::{Path, PathBuf};

use xianglin_sync::Replica;
use xianglin_sync::attachments::AttachmentStore;
use xianglin_sync::crypto::Key;
use xianglin_sync::encrypted::{self, FileState};

use crate::config::{Config, Database, KeySource};
use crate::{ChangeStore, CountyStore, PostgresStore, SqliteStore};

/// Why the county's data could not be opened. English: the admin reads it in a terminal or
/// the journal.
#[derive(Debug, thiserror::Error)]
pub enum AtRestError {
    #[error(transparent)]
    Key(#[from] xianglin_sync::crypto::CryptoError),
    #[error(
        "{database} is encrypted but its key file {key_file} is missing: restore the key file from where you keep it (or set XIANGLIN_COUNTY_KEY)"
    )]
    KeyMissing { database: String, key_file: String },
    #[error(
        "a key rotation was interrupted ({new_key} exists): run `xianglin-county rotate-key` again to finish it; nothing is lost"
    )]
    RotationUnfinished { new_key: String },
    #[error("rotate-key works with a key file; with XIANGLIN_COUNTY_KEY, rotate through your secret store")]
    RotationNeedsFile,
    #[error("{database} is in use by a running server (its lock {lock} is held): stop the server first")]
    InUse { database: String, lock: String },
    #[error(transparent)]
    Store(#[from] xianglin_sync::Error),
}

/// The county's database and attachments, opened with their key.
#[derive(Debug)]
pub struct Opened {
    pub store: SqliteStore,
    pub attachments: AttachmentStore,
}

/// Opens the county's data as `config` says, encrypting a plain database first.
pub fn open(config: &Config) -> Result<Opened, AtRestError> {
    if let KeySource::File(path) = config.key_source() {
        let new_key = with_suffix(&path, ".new");
        if new_key.exists() {
            return Err(AtRestError::RotationUnfinished { new_key: new_key.display().to_string() });
        }
    }
    let key = database_key(config)?;
    let database = &config.database;
    let before = encrypted::state(database)?;
    encrypted::encrypt_in_place(database, &key, &mut |step| {
        tracing::info!(step = step.name(), "encrypting the county database in place");
    })?;
    let replica = Replica::open_encrypted(database, &key)?;
    let attachments = AttachmentStore::sealed(config.attachments_dir(), key);
    let sealed = attachments.seal_existing()?;
    if before == FileState::Plain || sealed > 0 {
        tracing::info!(sealed, "the county's data is now encrypted at rest");
    }
    Ok(Opened { store: SqliteStore::new(replica)?, attachments })
}

/// The county's store, whichever database the config names, and its attachments. An SQLite
/// database is opened as [`open`] does; a PostgreSQL one is connected to (its tables made on
/// first use) with the database key, made on first use like a new SQLite database's.
pub fn open_any(config: &Config) -> Result<(Box<dyn CountyStore>, AttachmentStore), AtRestError> {
    let Database::Postgres { url, county } = config.database() else {
        let Opened { store, attachments } = open(config)?;
        return Ok((Box::new(store), attachments));
    };
    if let KeySource::File(path) = config.key_source() {
        let new_key = with_suffix(&path, ".new");
        if new_key.exists() {
            return Err(AtRestError::RotationUnfinished { new_key: new_key.display().to_string() });
        }
    }
    let (key, made) = match config.key_source() {
        KeySource::Environment(hex) => (Key::from_hex(&hex)?, None),
        KeySource::File(path) if path.exists() => (Key::read_file(&path)?, None),
        KeySource::File(path) => (Key::generate(), Some(path)),
    };
    let mut store = PostgresStore::connect(url, county, key.clone())?;
    if let Some(path) = made {
        if store.changed_seq()? > 0 {
            return Err(AtRestError::KeyMissing {
                database: format!("county {county} in PostgreSQL"),
                key_file: path.display().to_string(),
            });
        }
        write_new_key(&path, &key)?;
    }
    let attachments = AttachmentStore::sealed(config.attachments_dir(), key);
    attachments.seal_existing()?;
    Ok((Box::new(store), attachments))
}

/// Writes a new database key's file (mode 600), making its folder.
fn write_new_key(path: &Path, key: &Key) -> Result<(), AtRestError> {
    if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|source| xianglin_sync::crypto::CryptoError::Write { path: path.display().to_string(), source })?;
    }
    key.write_new_file(path)?;
    tracing::warn!(
        key_file = %path.display(),
        fingerprint = %key.fingerprint(),
        "a new database key was made: keep a copy of it apart from the database's backups"
    );
    Ok(())
}

/// The database key: from the environment, or read from (or, for a database not encrypted
/// yet, made in) the key file.
pub fn database_key(config: &Config) -> Result<Key, AtRestError> {
    match config.key_source() {
        KeySource::Environment(hex) => Ok(Key::from_hex(&hex)?),
        KeySource::File(path) => {
            if path.exists() {
                let key = Key::read_file(&path)?;
                tracing::info!(fingerprint = %key.fingerprint(), "database key read");
                return Ok(key);
            }
            if encrypted::state(&config.database)? == FileState::Encrypted {
                return Err(AtRestError::KeyMissing {
                    database: config.database.display().to_string(),
                    key_file: path.display().to_string(),
                });
            }
            let key = Key::generate();
            write_new_key(&path, &key)?;
            Ok(key)
        }
    }
}

/// An exclusive hold on the county's database, for as long as a server serves it or a key
/// rotates: a second server, or `rotate-key` under a running server, is refused instead of
/// swapping the file beneath it. An advisory lock on `<database>.lock` (not on the database
/// file, whose locks are SQLite's), released when dropped or when the process dies.
#[derive(Debug)]
pub struct Exclusive {
    _file: std::fs::File,
}

/// Takes the database's exclusive hold, or says who has it.
pub fn exclusive(database: &Path) -> Result<Exclusive, AtRestError> {
    let lock = with_suffix(database, ".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .map_err(xianglin_sync::Error::from)?;
    match file.try_lock() {
        Ok(()) => Ok(Exclusive { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(AtRestError::InUse { database: database.display().to_string(), lock: lock.display().to_string() })
        }
        Err(std::fs::TryLockError::Error(error)) => Err(xianglin_sync::Error::from(error).into()),
    }
}

/// What a rotation did: the fingerprints of the old and new keys, where the old one was put,
/// and how many attachments were re-sealed.
#[derive(Debug)]
pub struct Rotated {
    pub old_fingerprint: String,
    pub new_fingerprint: String,
    pub retired_key_file: PathBuf,
    pub attachments: usize,
}

/// Moves the county's data to a new key, with the server stopped:
///
/// 1. a new key is made in `<key file>.new` (kept if an interrupted rotation made it);
/// 2. the database is re-encrypted with it in place ([`encrypted::rekey_in_place`]), or, in
///    PostgreSQL, the county's changes are sealed with it in one transaction
///    ([`PostgresStore::reseal`]);
/// 3. every attachment is re-sealed with it, file by file;
/// 4. the old key file becomes `<key file>.retired` and the new one takes its name.
///
/// Interrupted anywhere, the server refuses to start until `rotate-key` runs again, which
/// picks up where it stopped: each step is done once, or found done. Refused while a server
/// holds an SQLite database ([`exclusive`]); the processes sharing a PostgreSQL one cannot be
/// seen from here, so the admin stops them first (they hold the old key).
pub fn rotate(config: &Config) -> Result<Rotated, AtRestError> {
    let KeySource::File(key_file) = config.key_source() else { return Err(AtRestError::RotationNeedsFile) };
    let _alone = match config.database() {
        Database::Sqlite(path) => Some(exclusive(path)?),
        Database::Postgres { .. } => None,
    };
    let old = Key::read_file(&key_file)?;
    let new_file = with_suffix(&key_file, ".new");
    let new = if new_file.exists() { Key::read_file(&new_file)? } else { Key::create_file(&new_file)? };
    match config.database() {
        Database::Sqlite(path) => encrypted::rekey_in_place(path, &old, &new, &mut |step| {
            tracing::info!(step = step.name(), "re-encrypting the county database with the new key");
        })?,
        Database::Postgres { url, county } => {
            let resealed = PostgresStore::connect(url, county, old.clone())?.reseal(&old, &new)?;
            tracing::info!(resealed, "the county's changes in PostgreSQL are sealed with the new key");
        }
    }
    let attachments = AttachmentStore::sealed(config.attachments_dir(), new.clone()).reseal(&old)?;
    let retired = with_suffix(&key_file, ".retired");
    std::fs::rename(&key_file, &retired).map_err(xianglin_sync::Error::from)?;
    std::fs::rename(&new_file, &key_file).map_err(xianglin_sync::Error::from)?;
    Ok(Rotated {
        old_fingerprint: old.fingerprint(),
        new_fingerprint: new.fingerprint(),
        retired_key_file: retired,
        attachments,
    })
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
