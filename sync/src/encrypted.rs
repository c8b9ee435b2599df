//! Database files encrypted with SQLCipher: which state a file is in, opening a connection with
//! its key, encrypting a plain file in place and moving an encrypted one to a new key, so that a
//! kill at any moment loses nothing.
//!
//! Both go through two files beside the database, and the rename of a verified copy is the
//! only moment the database changes:
//!
//! 1. `<db>.encrypting`: the database exported into a new file encrypted with the (new) key
//!    (`sqlcipher_export`), synced, then reopened with that key and compared with the source
//!    table by table (row counts, `quick_check`, schema version).
//! 2. `<db>` is renamed to `<db>.previous`, and `<db>.encrypting` to `<db>`.
//! 3. `<db>.previous` is removed.
//!
//! [`recover`] runs first every time and finishes or undoes an interrupted run: a missing
//! `<db>` with a `<db>.previous` beside it is renamed back; a `<db>.previous` beside a `<db>` is
//! removed (the copy was verified before it took the name); an `.encrypting` file is always
//! discarded, as it may be incomplete.

use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::crypto::Key;
use crate::{Error, Result};

const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// What a database file is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// No file, or an empty one.
    Missing,
    /// A plain SQLite database.
    Plain,
    /// Anything else: an encrypted database (or a file that is not a database at all, which
    /// opening with the key tells apart).
    Encrypted,
}

/// The state of the file at `path`.
pub fn state(path: &Path) -> Result<FileState> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::Missing),
        Err(error) => return Err(error.into()),
    };
    let mut header = [0u8; 16];
    let read = file.read(&mut header)?;
    Ok(match read {
        0 => FileState::Missing,
        16 if &header == PLAIN_HEADER => FileState::Plain,
        _ => FileState::Encrypted,
    })
}

/// Opens a connection to an encrypted database (creating it if missing) and checks the key.
pub fn connect(path: &Path, key: &Key, flags: OpenFlags) -> Result<Connection> {
    let connection = Connection::open_with_flags(path, flags)?;
    apply_key(&connection, key, &path.display().to_string())?;
    Ok(connection)
}

/// Gives a fresh connection its key and checks it: a wrong key reads as "not a database".
pub fn apply_key(connection: &Connection, key: &Key, path: &str) -> Result<()> {
    // SQLCipher would print its own lines for a wrong key ("hmac check failed") to stderr;
    // the refusal below says it once, in our words.
    connection.execute_batch("PRAGMA cipher_log_level = NONE")?;
    connection.pragma_update(None, "key", &*key.sqlcipher_pragma())?;
    match connection.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get::<_, i64>(0)) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(failure, _)) if failure.code == rusqlite::ErrorCode::NotADatabase => {
            Err(Error::WrongKey { path: path.to_owned() })
        }
        Err(error) => Err(Error::Corrupt { path: path.to_owned(), detail: error.to_string() }),
    }
}

/// A step of [`encrypt_in_place`], reported as it begins (for progress, and for the test that
/// kills the process at each one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Exporting,
    Verifying,
    Swapping,
    /// Between the two renames: the previous file is aside and nothing has the database's name.
    TakingName,
    RemovingPrevious,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Exporting => "exporting",
            Step::Verifying => "verifying",
            Step::Swapping => "swapping",
            Step::TakingName => "taking-name",
            Step::RemovingPrevious => "removing-previous",
        }
    }
}

pub(crate) fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Finishes or undoes an [`encrypt_in_place`] or [`rekey_in_place`] that was interrupted (see
/// the module's doc). The copy takes the database's name only once verified, so which files
/// exist says it all: the previous file without a database is put back; beside a database it
/// is removed.
pub fn recover(path: &Path) -> Result<()> {
    let previous = beside(path, ".previous");
    if previous.exists() {
        if state(path)? == FileState::Missing {
            std::fs::rename(&previous, path)?;
            tracing::warn!("an interrupted re-encryption was undone; the previous database is back in place");
        } else {
            remove_database_files(&previous)?;
        }
    }
    remove_database_files(&beside(path, ".encrypting"))?;
    Ok(())
}

/// Encrypts the plain database at `path` with `key`, in place; a file already encrypted or
/// missing is left as it is. `step` hears of each step as it begins.
pub fn encrypt_in_place(path: &Path, key: &Key, step: &mut dyn FnMut(Step)) -> Result<()> {
    recover(path)?;
    if state(path)? != FileState::Plain {
        return Ok(());
    }
    reencrypt(path, None, key, step)
}

/// Re-encrypts the database at `path` from key `from` to key `to` (rotating the key), in
/// place and as safely as [`encrypt_in_place`]. A database that already opens with `to` (a
/// rotation finished before) is left as it is.
pub fn rekey_in_place(path: &Path, from: &Key, to: &Key, step: &mut dyn FnMut(Step)) -> Result<()> {
    recover(path)?;
    match connect(path, to, OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(_) => return Ok(()),
        Err(Error::WrongKey { .. }) => {}
        Err(error) => return Err(error),
    }
    reencrypt(path, Some(from), to, step)
}

/// Exports the database (plain, or encrypted with `from`) into a copy encrypted with `to`,
/// verifies the copy, and swaps it in.
fn reencrypt(path: &Path, from: Option<&Key>, to: &Key, step: &mut dyn FnMut(Step)) -> Result<()> {
    let display = path.display().to_string();
    let partial = beside(path, ".encrypting");
    step(Step::Exporting);
    let expected = {
        let source =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?;
        if let Some(from) = from {
            apply_key(&source, from, &display)?;
        }
        // Everything in the log goes into the file first, so the export sees every write.
        source.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let expected = census(&source)?;
        source
            .execute("ATTACH DATABASE ?1 AS encrypted KEY ?2", (partial.to_string_lossy(), &*to.sqlcipher_pragma()))?;
        source.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        // The export copies tables and indexes, not the header's numbers.
        for pragma in ["user_version", "application_id"] {
            let value: i64 = source.pragma_query_value(Some("main"), pragma, |row| row.get(0))?;
            source.pragma_update(Some("encrypted"), pragma, value)?;
        }
        source.execute("DETACH DATABASE encrypted", [])?;
        expected
    };
    std::fs::File::open(&partial)?.sync_all()?;
    step(Step::Verifying);
    {
        let copy = connect(&partial, to, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let check: String = copy.query_row("PRAGMA quick_check", [], |row| row.get(0))?;
        let found = census(&copy)?;
        if check != "ok" || found != expected {
            drop(copy);
            remove_database_files(&partial)?;
            return Err(Error::Corrupt {
                path: display,
                detail: format!("the encrypted copy does not match the database ({check}); nothing was changed"),
            });
        }
    }
    step(Step::Swapping);
    for suffix in ["-wal", "-shm"] {
        let side = beside(path, suffix);
        // A log that is not empty means another program still has the database open.
        if side.exists() && std::fs::metadata(&side)?.len() > 0 && suffix == "-wal" {
            remove_database_files(&partial)?;
            return Err(Error::Invalid(format!("{display} is in use by another program; close it and start again")));
        }
    }
    let previous = beside(path, ".previous");
    std::fs::rename(path, &previous)?;
    step(Step::TakingName);
    std::fs::rename(&partial, path)?;
    sync_directory(path)?;
    step(Step::RemovingPrevious);
    remove_database_files(&previous)?;
    for suffix in ["-wal", "-shm"] {
        remove_if_present(&beside(path, suffix))?;
    }
    tracing::info!("the database was re-encrypted in place");
    Ok(())
}

/// Each table's name, row count and the schema version: what must survive the export.
fn census(connection: &Connection) -> Result<Vec<(String, i64)>> {
    let mut statement = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?;
    let tables: Vec<String> = statement.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
    let mut census = Vec::with_capacity(tables.len() + 1);
    for table in tables {
        let rows =
            connection
                .query_row(&format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\"")), [], |row| row.get(0))?;
        census.push((table, rows));
    }
    census.push(("user_version".into(), connection.pragma_query_value(None, "user_version", |row| row.get(0))?));
    Ok(census)
}

/// Removes a database file with its log and shared-memory files, if present.
pub(crate) fn remove_database_files(path: &Path) -> Result<()> {
    remove_if_present(path)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        remove_if_present(&beside(path, suffix))?;
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error.into()),
        _ => Ok(()),
    }
}

/// Makes the renames durable (on Unix a directory is synced through a handle to it).
fn sync_directory(path: &Path) -> Result<()> {
    #[cfg(unix)]
    if let Some(directory) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::File::open(directory)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Replica;

    fn plain_replica(path: &Path) {
        let mut replica = Replica::open(path).unwrap();
        replica.set_user("tester").unwrap();
        let county = crate::ShardId::county("360733");
        let records: Vec<_> = xianglin_schema::place::huichang()
            .iter()
            .map(|place| (crate::projection::county_key("place", &place.code), serde_json::to_value(place).unwrap()))
            .collect();
        let author = replica.author();
        replica.commit(&county, &records, &author).unwrap();
    }

    #[test]
    fn a_plain_replica_is_encrypted_in_place_and_opens_only_with_its_key() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("xianglin.sqlite");
        plain_replica(&path);
        let before = std::fs::read(&path).unwrap();
        assert!(before.windows("会昌县".len()).any(|window| window == "会昌县".as_bytes()), "plain to begin with");
        let key = Key::generate();
        let mut steps = Vec::new();
        encrypt_in_place(&path, &key, &mut |step| steps.push(step)).unwrap();
        assert_eq!(steps, [Step::Exporting, Step::Verifying, Step::Swapping, Step::TakingName, Step::RemovingPrevious]);
        assert_eq!(state(&path).unwrap(), FileState::Encrypted);
        let files: Vec<_> =
            std::fs::read_dir(directory.path()).unwrap().map(|entry| entry.unwrap().file_name()).collect();
        assert_eq!(files, ["xianglin.sqlite"], "no plain copy, log or partial file left");
        let after = std::fs::read(&path).unwrap();
        assert!(!after.windows("会昌县".len()).any(|window| window == "会昌县".as_bytes()));

        let replica = Replica::open_encrypted(&path, &key).unwrap();
        let name: String = replica
            .connection()
            .query_row("SELECT name FROM places WHERE level = 'county'", [], |row| row.get(0))
            .unwrap();
        assert_eq!(name, "会昌县");
        drop(replica);
        assert!(matches!(Replica::open_encrypted(&path, &Key::generate()), Err(Error::WrongKey { .. })));
        assert!(matches!(Replica::open(&path), Err(Error::Foreign { .. })), "a plain open cannot read it");
        encrypt_in_place(&path, &key, &mut |_| panic!("nothing to do twice")).unwrap();
    }

    #[test]
    fn an_interrupted_encryption_is_undone_or_finished_at_the_next_start() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("xianglin.sqlite");
        let key = Key::generate();
        // Killed between the two renames: the plain file is aside, nothing has the name.
        plain_replica(&path);
        std::fs::rename(&path, beside(&path, ".previous")).unwrap();
        std::fs::write(beside(&path, ".encrypting"), b"half an export").unwrap();
        recover(&path).unwrap();
        assert_eq!(state(&path).unwrap(), FileState::Plain);
        assert!(!beside(&path, ".previous").exists() && !beside(&path, ".encrypting").exists());
        // Killed before removing the plain copy: the encrypted file has the name.
        encrypt_in_place(&path, &key, &mut |_| {}).unwrap();
        std::fs::copy(&path, beside(&path, ".previous")).unwrap();
        recover(&path).unwrap();
        assert!(!beside(&path, ".previous").exists());
        Replica::open_encrypted(&path, &key).unwrap();
    }

    #[test]
    fn a_key_is_rotated_in_place_and_the_old_key_no_longer_opens_the_file() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("county.sqlite");
        plain_replica(&path);
        let (old, new) = (Key::generate(), Key::generate());
        encrypt_in_place(&path, &old, &mut |_| {}).unwrap();
        let mut steps = Vec::new();
        rekey_in_place(&path, &old, &new, &mut |step| steps.push(step)).unwrap();
        assert_eq!(steps.len(), 5);
        assert!(matches!(Replica::open_encrypted(&path, &old), Err(Error::WrongKey { .. })));
        let replica = Replica::open_encrypted(&path, &new).unwrap();
        assert!(replica.shards().unwrap().len() == 1);
        drop(replica);
        rekey_in_place(&path, &old, &new, &mut |_| panic!("a finished rotation is not redone")).unwrap();
        assert!(matches!(
            rekey_in_place(&path, &Key::generate(), &Key::generate(), &mut |_| {}),
            Err(Error::WrongKey { .. })
        ));
    }
}
