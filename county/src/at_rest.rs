//! The county's data at rest: the database key, the SQLite database encrypted with it
//! (SQLCipher) and the attachments sealed with it.
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

use crate::SqliteStore;
use crate::config::{Config, KeySource};

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
    let key = database_key(config)?;
    let database = &config.database;
    let before = encrypted::state(database)?;
    encrypted::encrypt_in_place(database, &key, &mut |step| {
        tracing::info!(step = step.name(), "encrypting the county database in place");
    })?;
    let replica = Replica::open_encrypted(database, &key)?;
    let attachments = AttachmentStore::sealed(attachments_dir(database), key);
    let sealed = attachments.seal_existing()?;
    if before == FileState::Plain || sealed > 0 {
        tracing::info!(sealed, "the county's data is now encrypted at rest");
    }
    Ok(Opened { store: SqliteStore::new(replica)?, attachments })
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
            if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|source| xianglin_sync::crypto::CryptoError::Write {
                    path: path.display().to_string(),
                    source,
                })?;
            }
            let key = Key::create_file(&path)?;
            tracing::warn!(
                key_file = %path.display(),
                fingerprint = %key.fingerprint(),
                "a new database key was made: keep a copy of it apart from the database's backups"
            );
            Ok(key)
        }
    }
}

/// Attachments live in a folder beside the database: `county.sqlite` → `county.attachments/`.
pub fn attachments_dir(database: &Path) -> PathBuf {
    database.with_extension("attachments")
}
