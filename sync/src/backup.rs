//! Backups of a station PC's replica: one file each, encrypted, restorable on this PC or a new
//! one, and never half-written or half-restored whenever the process dies.
//!
//! A backup file (`xianglin-<device>-<YYYYMMDD-HHMMSS>-<reason>.xlbak`) is
//!
//! ```text
//! "XLBACKUP" | header length (u32, little-endian) | header (JSON) | the database | attachments
//! ```
//!
//! The database is a copy of the replica made with SQLite's online backup API (the app keeps
//! working while it runs), still encrypted with the PC's data key (SQLCipher). After it come the
//! attachment files (photos, scans) its records refer to that the county was not yet known to
//! hold, as stored on disk (sealed with the same key): what the county holds can be fetched
//! again, what it lacks exists nowhere else. The header says when, why and by which device and
//! versions it was made, the database's length and SHA-256, each attachment's hash and length,
//! and carries the PC's keyring (which holds no key in clear: every wrap is sealed), so a
//! person's password, or the county's recovery key, opens a backup on a PC that has lost
//! everything else. Nothing in the header names an elder.
//!
//! Writing goes through dot-files in the backup folder (`.….partial`), synced and renamed only
//! when complete and checked, so a listed backup is always whole; leftovers are removed by the
//! next backup. Restoring (see [`restore`]) stages the verified database and keyring beside
//! the replica and commits with one rename; [`finish_restore`] completes or discards an
//! interrupted restore at the next start.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDateTime};
use rusqlite::OpenFlags;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::attachments::{self, AttachmentStore};
use crate::crypto::Key;
use crate::encrypted::{beside, remove_database_files};
use crate::keyring::{KEYRING_FILE, Keyring};

/// The extension of backup files.
pub const EXTENSION: &str = "xlbak";
/// The backup folder inside the data directory.
pub const FOLDER: &str = "backups";
const MAGIC: &[u8; 8] = b"XLBACKUP";
/// Format 2 added the attachments after the database; format 1 files (none) still read.
const FORMAT: u32 = 2;
/// A header is a few kilobytes (the keyring grows with accounts, the list of carried
/// attachments with photos not yet sent); a larger one is not ours.
const MAX_HEADER_BYTES: u32 = 1 << 20;
/// Attachments one backup carries at most (about 100 bytes of header each, so the header stays
/// far under [`MAX_HEADER_BYTES`]); a PC with more unsent has not synced for months, and the
/// rest wait for the next backup after a sync.
const MAX_CARRIED: usize = 5_000;
/// Pages copied per step of the online backup (4 MB of 4 KiB pages), between progress reports.
const PAGES_PER_STEP: std::os::raw::c_int = 1024;
/// Backups of a device younger than this many days are kept; the newest [`KEEP_AT_LEAST`]
/// are kept whatever their age (a PC off for a month still has its last ones).
pub const KEEP_DAYS: i64 = 30;
pub const KEEP_AT_LEAST: usize = 3;
static WRITING: std::sync::Mutex<()> = std::sync::Mutex::new(());
/// A daily backup is due once the newest is this old.
pub const DAILY: Duration = Duration::hours(24);

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("cannot read or write {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path} is not a Xianglin backup ({detail})")]
    NotABackup { path: String, detail: String },
    #[error("{path} is damaged: {detail}; nothing was restored")]
    Damaged { path: String, detail: String },
    #[error("{path} was made by a newer version of Xianglin (backup format {found})")]
    TooNew { path: String, found: u32 },
    #[error(transparent)]
    Replica(#[from] crate::Error),
}

type Result<T> = std::result::Result<T, BackupError>;

fn io(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io { path: path.display().to_string(), source }
}

/// Why a backup was made (the command API's type: the settings page shows it).
pub use xianglin_schema::api::BackupReason as Reason;

/// What a backup file says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: u32,
    /// The device (automerge actor) whose replica this is.
    pub device_id: String,
    pub created_at: NaiveDateTime,
    pub reason: Reason,
    pub app_version: String,
    /// The replica's schema version (`user_version`) when it was copied.
    pub schema_version: u32,
    pub database_bytes: u64,
    /// SHA-256 of the database bytes, hex.
    pub database_sha256: String,
    /// The PC's keyring at the time (wraps of the data key, no key in clear).
    pub keyring: Keyring,
    /// The attachment files after the database, in order.
    #[serde(default)]
    pub attachments: Vec<CarriedAttachment>,
}

/// An attachment file a backup carries: its content's SHA-256 (its name in the store) and the
/// length of the file as stored (sealed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarriedAttachment {
    pub sha256: String,
    pub bytes: u64,
}

impl Header {
    /// The bytes after the header: the database and the attachments.
    fn body_bytes(&self) -> u64 {
        self.database_bytes + self.attachments.iter().map(|attachment| attachment.bytes).sum::<u64>()
    }
}

/// A backup file and its header.
#[derive(Debug, Clone)]
pub struct Backup {
    pub path: PathBuf,
    pub header: Header,
    /// The file's length.
    pub bytes: u64,
    /// Where the database starts in the file (after the header).
    pub database_at: u64,
}

/// Copies the encrypted replica at `database` into a new backup file in `folder`, with the
/// keyring in `data_dir`. The app may go on writing meanwhile: the copy is one consistent
/// state (SQLite's online backup starts over when another connection writes mid-copy).
/// `progress` hears (bytes done, bytes in all) as it goes.
pub fn write(
    database: &Path,
    key: &Key,
    keyring: &Keyring,
    folder: &Path,
    now: NaiveDateTime,
    reason: Reason,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Backup> {
    // One backup at a time in a process: a second would take the first's partial files for
    // leftovers.
    let _one_at_a_time = WRITING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    create_private_folder(folder)?;
    remove_partials(folder)?;
    let stamp = now.format("%Y%m%d-%H%M%S");
    let copy_path = folder.join(format!(".xianglin-{stamp}.db.partial"));

    // 1. The online backup, page by page, into a database with the same key; and which
    //    attachment files go with it.
    let ((device_id, schema_version), carried) = {
        let source = crate::encrypted::connect(database, key, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let mut copy = crate::encrypted::connect(
            &copy_path,
            key,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        {
            let backup = rusqlite::backup::Backup::new(&source, &mut copy).map_err(crate::Error::from)?;
            loop {
                let step = backup.step(PAGES_PER_STEP).map_err(crate::Error::from)?;
                let done = backup.progress();
                let (total, remaining) = (done.pagecount.max(1) as u64, done.remaining.max(0) as u64);
                // Pages of 4 KiB: the database's bytes, near enough for a progress bar.
                progress((total - remaining) * 4096, total * 4096);
                match step {
                    rusqlite::backup::StepResult::Done => break,
                    rusqlite::backup::StepResult::More => {}
                    _ => std::thread::sleep(std::time::Duration::from_millis(20)),
                }
            }
        }
        let checked = check_database(&copy, &copy_path)?;
        (checked, carried_attachments(&copy, database)?)
    };

    // 2. The file: header, then the copy, synced under a hidden name and renamed whole.
    let (database_bytes, database_sha256) = digest(&copy_path)?;
    let header = Header {
        format: FORMAT,
        device_id,
        created_at: now,
        reason,
        app_version: xianglin_schema::version::APP_VERSION.to_owned(),
        schema_version,
        database_bytes,
        database_sha256,
        keyring: keyring.clone(),
        attachments: carried.iter().map(|(attachment, _)| attachment.clone()).collect(),
    };
    let name = format!("xianglin-{}-{stamp}-{}.{EXTENSION}", short_device(&header.device_id), reason.as_str());
    let path = folder.join(&name);
    let partial = folder.join(format!(".{name}.partial"));
    {
        let mut file = private_file(&partial)?;
        let header_json = serde_json::to_vec(&header).expect("a backup header serializes");
        file.write_all(MAGIC)
            .and_then(|()| file.write_all(&(header_json.len() as u32).to_le_bytes()))
            .and_then(|()| file.write_all(&header_json))
            .map_err(io(&partial))?;
        let mut copy = std::fs::File::open(&copy_path).map_err(io(&copy_path))?;
        std::io::copy(&mut copy, &mut file).map_err(io(&partial))?;
        let (mut done, all) = (header.database_bytes, header.body_bytes());
        for (attachment, stored) in &carried {
            let source = std::fs::File::open(stored).map_err(io(stored))?;
            let copied = std::io::copy(&mut source.take(attachment.bytes), &mut file).map_err(io(&partial))?;
            if copied != attachment.bytes {
                return Err(BackupError::Io {
                    path: stored.display().to_string(),
                    source: std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "attachment changed while copied"),
                });
            }
            done += copied;
            progress(done, all);
        }
        file.sync_all().map_err(io(&partial))?;
    }
    std::fs::rename(&partial, &path).map_err(io(&path))?;
    sync_folder(folder);
    remove_database_files(&copy_path)?;
    let bytes = std::fs::metadata(&path).map_err(io(&path))?.len();
    tracing::info!(reason = reason.as_str(), bytes, attachments = carried.len(), "backup written");
    let database_at = bytes - header.body_bytes();
    Ok(Backup { path, header, bytes, database_at })
}

/// The attachment files a backup of the replica at `database` carries: those its records refer
/// to that the county is not known to hold (read from `copy`, the consistent copy), found in
/// the attachment folder beside `database`. One missing there is left out (it never arrived
/// here either); one larger than any attachment can be is not ours and is left out too.
fn carried_attachments(copy: &rusqlite::Connection, database: &Path) -> Result<Vec<(CarriedAttachment, PathBuf)>> {
    let store = AttachmentStore::new(database.parent().unwrap_or(Path::new(".")).join(attachments::FOLDER));
    let mut carried = Vec::new();
    let unsent = attachments::unsent(copy)?;
    if unsent.len() > MAX_CARRIED {
        tracing::warn!(unsent = unsent.len(), carried = MAX_CARRIED, "more unsent attachments than a backup carries");
    }
    for sha256 in unsent.into_iter().take(MAX_CARRIED) {
        let Some(path) = store.path(&sha256) else { continue };
        match std::fs::metadata(&path) {
            Ok(metadata) if metadata.is_file() && metadata.len() <= attachments::MAX_STORED_BYTES => {
                carried.push((CarriedAttachment { sha256, bytes: metadata.len() }, path));
            }
            Ok(_) => tracing::warn!("an attachment file too large to be one is left out of the backup"),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(io(&path)(error)),
        }
    }
    Ok(carried)
}

/// A backup of the replica at `database` before this version migrates its schema: made when
/// the file is an encrypted replica of an older schema, else nothing is done.
pub fn before_migration(
    database: &Path,
    key: &Key,
    keyring: &Keyring,
    folder: &Path,
    now: NaiveDateTime,
) -> Result<Option<Backup>> {
    if crate::encrypted::state(database)? != crate::encrypted::FileState::Encrypted {
        return Ok(None);
    }
    let version: u32 = crate::encrypted::connect(database, key, OpenFlags::SQLITE_OPEN_READ_WRITE)?
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(crate::Error::from)?;
    let known = xianglin_schema::MIGRATIONS.last().map_or(0, |(number, _, _)| *number);
    if version == 0 || version >= known {
        return Ok(None);
    }
    tracing::info!(from = version, to = known, "a backup before the migration");
    write(database, key, keyring, folder, now, Reason::Migration, &mut |_, _| {}).map(Some)
}

/// Copies a backup into `folder` (a USB stick): under a hidden name, synced, renamed whole,
/// then read back. Returns the copy's path.
pub fn copy_to(backup: &Backup, folder: &Path) -> Result<PathBuf> {
    let name = backup.path.file_name().and_then(|name| name.to_str()).unwrap_or("xianglin.xlbak").to_owned();
    let target = folder.join(&name);
    let partial = folder.join(format!(".{name}.partial"));
    std::fs::copy(&backup.path, &partial).map_err(io(&partial))?;
    std::fs::File::open(&partial).and_then(|file| file.sync_all()).map_err(io(&partial))?;
    std::fs::rename(&partial, &target).map_err(io(&target))?;
    sync_folder(folder);
    let copied = read_header(&target)?;
    if copied.header != backup.header || copied.bytes != backup.bytes {
        return Err(BackupError::Damaged { path: target.display().to_string(), detail: "the copy differs".into() });
    }
    Ok(target)
}

/// Copies this device's newest backup in `from` to `to` (a USB stick) when `to` lacks it, and
/// removes this device's old backups there as [`prune`] does. Returns the copy made, if any.
/// Another device's backups on the stick are never touched.
pub fn mirror_newest(from: &Path, to: &Path, device_id: &str, now: NaiveDateTime) -> Result<Option<PathBuf>> {
    let Some(newest) = list(from)?.into_iter().find(|backup| backup.header.device_id == device_id) else {
        return Ok(None);
    };
    let there = list(to)?;
    if there.iter().any(|backup| backup.header == newest.header && backup.bytes == newest.bytes) {
        return Ok(None);
    }
    let copy = copy_to(&newest, to)?;
    prune(to, device_id, now, KEEP_DAYS, KEEP_AT_LEAST)?;
    Ok(Some(copy))
}

/// The header of the backup file at `path`, read within bounds; the file's length must be
/// what the header says.
pub fn read_header(path: &Path) -> Result<Backup> {
    let not_ours =
        |detail: &str| BackupError::NotABackup { path: path.display().to_string(), detail: detail.to_owned() };
    let mut file = std::fs::File::open(path).map_err(io(path))?;
    let bytes = file.metadata().map_err(io(path))?.len();
    let mut start = [0u8; 12];
    file.read_exact(&mut start).map_err(|_| not_ours("too short"))?;
    if &start[..8] != MAGIC {
        return Err(not_ours("no backup signature"));
    }
    let length = u32::from_le_bytes(start[8..12].try_into().expect("four bytes"));
    if length > MAX_HEADER_BYTES {
        return Err(not_ours("header too large"));
    }
    let mut header = vec![0u8; length as usize];
    file.read_exact(&mut header).map_err(|_| not_ours("header cut short"))?;
    let format = serde_json::from_slice::<serde_json::Value>(&header)
        .ok()
        .and_then(|value| value.get("format").and_then(serde_json::Value::as_u64))
        .ok_or_else(|| not_ours("unreadable header"))?;
    if format > u64::from(FORMAT) {
        return Err(BackupError::TooNew { path: path.display().to_string(), found: format as u32 });
    }
    let header: Header =
        serde_json::from_slice(&header).map_err(|error| not_ours(&format!("unreadable header: {error}")))?;
    let bounded = header.attachments.iter().all(|attachment| {
        AttachmentStore::is_name(&attachment.sha256) && attachment.bytes <= attachments::MAX_STORED_BYTES
    });
    if !bounded {
        return Err(not_ours("an attachment that cannot be one"));
    }
    let database_at = 12 + u64::from(length);
    if bytes != database_at + header.body_bytes() {
        return Err(BackupError::Damaged {
            path: path.display().to_string(),
            detail: format!("{bytes} bytes where the header says {}", database_at + header.body_bytes()),
        });
    }
    Ok(Backup { path: path.to_owned(), header, bytes, database_at })
}

/// Replaces the keyring in the header of the backup at `path` (the county holding a one-time
/// code in it for a person whose password is forgotten, see `xianglin-county recover-backup`).
/// The keyring must wrap the same data key. The file is written anew beside the old one and
/// renamed over it only when whole and synced, so a kill leaves the old file or the new one.
pub fn replace_keyring(path: &Path, keyring: &Keyring) -> Result<Backup> {
    let found = read_header(path)?;
    if keyring.key_fingerprint != found.header.keyring.key_fingerprint {
        return Err(crate::Error::WrongKey { path: path.display().to_string() }.into());
    }
    let header = Header { keyring: keyring.clone(), ..found.header };
    let folder = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let partial = folder.join(format!(".{name}.partial"));
    {
        let mut file = private_file(&partial)?;
        let header_json = serde_json::to_vec(&header).expect("a backup header serializes");
        let mut source = std::fs::File::open(path).map_err(io(path))?;
        source.seek(SeekFrom::Start(found.database_at)).map_err(io(path))?;
        let copied = file
            .write_all(MAGIC)
            .and_then(|()| file.write_all(&(header_json.len() as u32).to_le_bytes()))
            .and_then(|()| file.write_all(&header_json))
            .and_then(|()| std::io::copy(&mut source.take(header.body_bytes()), &mut file))
            .map_err(io(&partial))?;
        if copied != header.body_bytes() {
            drop(file);
            let _ = std::fs::remove_file(&partial);
            return Err(BackupError::Damaged { path: path.display().to_string(), detail: "cut short".into() });
        }
        file.sync_all().map_err(io(&partial))?;
    }
    std::fs::rename(&partial, path).map_err(io(path))?;
    sync_folder(folder);
    read_header(path)
}

/// The whole backups in `folder`, newest first (hidden partial files are not backups; files
/// that are not backups are skipped).
pub fn list(folder: &Path) -> Result<Vec<Backup>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(io(folder)(error)),
    };
    let mut backups = Vec::new();
    for entry in entries {
        let path = entry.map_err(io(folder))?.path();
        let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
        if name.starts_with('.') || path.extension().and_then(|extension| extension.to_str()) != Some(EXTENSION) {
            continue;
        }
        match read_header(&path) {
            Ok(backup) => backups.push(backup),
            Err(error) => tracing::warn!(error = %error, "a file in the backup folder is skipped"),
        }
    }
    backups.sort_by(|a, b| b.header.created_at.cmp(&a.header.created_at).then_with(|| b.path.cmp(&a.path)));
    Ok(backups)
}

/// Whether this device's newest backup in `folder` is older than `every` (or there is none).
pub fn due(folder: &Path, device_id: &str, now: NaiveDateTime, every: Duration) -> Result<bool> {
    let newest = list(folder)?.into_iter().find(|backup| backup.header.device_id == device_id);
    Ok(newest.is_none_or(|backup| now - backup.header.created_at >= every))
}

/// Removes this device's backups older than `keep_days`, keeping its newest `keep_at_least`
/// whatever their age. Returns how many went.
pub fn prune(
    folder: &Path,
    device_id: &str,
    now: NaiveDateTime,
    keep_days: i64,
    keep_at_least: usize,
) -> Result<usize> {
    let mut removed = 0;
    let own = list(folder)?.into_iter().filter(|backup| backup.header.device_id == device_id);
    for backup in own.skip(keep_at_least) {
        if now - backup.header.created_at > Duration::days(keep_days) {
            std::fs::remove_file(&backup.path).map_err(io(&backup.path))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The steps of [`restore`], reported as each begins (progress, and the test that kills the
/// process at each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The database is copied out of the backup beside the replica and checked.
    Copying,
    /// The checked copy and the keyring are staged, then committed by one rename.
    Committing,
    /// After the commit: the keyring and the database take their names.
    TakingNames,
}

/// Restores the backup at `backup` as the replica `database` (whose folder holds the keyring),
/// opening it with `key` (unwrapped from the backup's keyring by a person's password, or by the
/// county's recovery key). The replica must not be open. A replica already there is kept
/// beside it as `<database>.before-restore` (with its keyring), never deleted.
///
/// Kill-safe: the database is copied to `<database>.restoring` and checked (length, SHA-256,
/// key, `quick_check`); the keyring is staged as `keyring.json.restored`; renaming the copy to
/// `<database>.restored` commits. [`finish_restore`] then puts both in place, here or at the next
/// start after a kill; before the commit it discards the staged files.
pub fn restore(backup: &Path, key: &Key, database: &Path, progress: &mut dyn FnMut(Step, u64, u64)) -> Result<Header> {
    finish_restore(database)?;
    let restoring = beside(database, ".restoring");
    let header = unpack(backup, key, &restoring, progress)?;
    // The attachments go into the folder before the commit: each is whole under its hash or
    // absent, and one the restored records do not come to refer to is harmless.
    // A refused restore takes back the files it added, so it leaves nothing behind.
    let store =
        AttachmentStore::sealed(database.parent().unwrap_or(Path::new(".")).join(attachments::FOLDER), key.clone());
    let mut added = Vec::new();
    let put = open_attachments(&read_header(backup)?, key, &mut |sha256, bytes| {
        if !store.contains(sha256) {
            store.put_expecting(&bytes, sha256)?;
            added.push(sha256.to_owned());
        }
        Ok(())
    });
    if let Err(error) = put {
        for sha256 in &added {
            store.remove(sha256)?;
        }
        remove_database_files(&restoring)?;
        return Err(error);
    }

    progress(Step::Committing, header.database_bytes, header.database_bytes);
    let folder = database.parent().unwrap_or(Path::new("."));
    let staged_keyring = folder.join(format!("{KEYRING_FILE}.restored"));
    let keyring_json = serde_json::to_vec_pretty(&header.keyring).expect("the keyring serializes");
    write_synced(&staged_keyring, &keyring_json)?;
    std::fs::rename(&restoring, beside(database, ".restored")).map_err(io(database))?;
    sync_folder(folder);

    progress(Step::TakingNames, header.database_bytes, header.database_bytes);
    finish_restore(database)?;
    tracing::info!(schema = header.schema_version, "backup restored");
    Ok(header)
}

/// Reads the attachments `found` carries, each opened with `key` (the backup's) and checked
/// against its hash, and hands each (hash, plain bytes) to `each`. Each is read within the
/// bounds [`read_header`] checked.
pub fn open_attachments(found: &Backup, key: &Key, each: &mut dyn FnMut(&str, Vec<u8>) -> Result<()>) -> Result<usize> {
    let path = &found.path;
    let damaged = |detail: String| BackupError::Damaged { path: path.display().to_string(), detail };
    let mut file = std::fs::File::open(path).map_err(io(path))?;
    file.seek(SeekFrom::Start(found.database_at + found.header.database_bytes)).map_err(io(path))?;
    for attachment in &found.header.attachments {
        let mut stored = vec![0u8; attachment.bytes as usize];
        file.read_exact(&mut stored).map_err(io(path))?;
        let plain = if crate::crypto::is_sealed(&stored) {
            crate::crypto::open(key, &stored, attachment.sha256.as_bytes())
                .map_err(|_| damaged("an attachment does not open with its key".into()))?
        } else {
            stored
        };
        if crate::crypto::hex(&Sha256::digest(&plain)) != attachment.sha256 {
            return Err(damaged("an attachment does not match its hash".into()));
        }
        each(&attachment.sha256, plain)?;
    }
    Ok(found.header.attachments.len())
}

/// Copies a backup's database to `target` (encrypted as it was) and checks it: its length,
/// SHA-256, that `key` opens it and SQLite's `quick_check`. Whatever fails, nothing stays at
/// `target`; what a killed earlier copy left there is removed first.
pub(crate) fn unpack(
    backup: &Path,
    key: &Key,
    target: &Path,
    progress: &mut dyn FnMut(Step, u64, u64),
) -> Result<Header> {
    remove_database_files(target)?;
    let found = read_header(backup)?;
    let header = found.header;
    let damaged = |detail: String| BackupError::Damaged { path: backup.display().to_string(), detail };
    if header.keyring.key_fingerprint != key.fingerprint() {
        return Err(crate::Error::WrongKey { path: backup.display().to_string() }.into());
    }

    progress(Step::Copying, 0, header.database_bytes);
    let restoring = target;
    {
        let mut source = std::fs::File::open(backup).map_err(io(backup))?;
        source.seek(SeekFrom::Start(found.database_at)).map_err(io(backup))?;
        let mut target = std::fs::File::create(restoring).map_err(io(restoring))?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 1 << 20];
        let mut done = 0u64;
        let mut source = source.take(header.database_bytes);
        loop {
            let read = source.read(&mut buffer).map_err(io(backup))?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            target.write_all(&buffer[..read]).map_err(io(restoring))?;
            done += read as u64;
            progress(Step::Copying, done, header.database_bytes);
        }
        target.sync_all().map_err(io(restoring))?;
        if done != header.database_bytes || crate::crypto::hex(&hasher.finalize()) != header.database_sha256 {
            drop(target);
            remove_database_files(restoring)?;
            return Err(damaged("its database does not match its checksum".into()));
        }
    }
    let checked = crate::encrypted::connect(restoring, key, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(BackupError::from)
        .and_then(|connection| check_database(&connection, restoring));
    if let Err(error) = checked {
        remove_database_files(restoring)?;
        return Err(error);
    }
    Ok(header)
}

/// Completes a committed restore (`<database>.restored` exists): the replica there, if any,
/// and its keyring move aside to `.before-restore`; the staged keyring and database take their
/// names. Without a commit, discards what an interrupted restore staged. Each step can run
/// again after a kill. Run at every start before the replica opens.
pub fn finish_restore(database: &Path) -> Result<()> {
    let folder = database.parent().unwrap_or(Path::new("."));
    let restored = beside(database, ".restored");
    let staged_keyring = folder.join(format!("{KEYRING_FILE}.restored"));
    let keyring = folder.join(KEYRING_FILE);
    if !restored.exists() {
        remove_database_files(&beside(database, ".restoring"))?;
        if staged_keyring.exists() {
            std::fs::remove_file(&staged_keyring).map_err(io(&staged_keyring))?;
        }
        return Ok(());
    }
    if staged_keyring.exists() {
        if keyring.exists() {
            std::fs::rename(&keyring, folder.join(format!("{KEYRING_FILE}.before-restore"))).map_err(io(&keyring))?;
        }
        std::fs::rename(&staged_keyring, &keyring).map_err(io(&keyring))?;
    }
    if database.exists() {
        let aside = beside(database, ".before-restore");
        // A replica the app had open leaves its log and shared memory: they move with it.
        for suffix in ["-wal", "-shm"] {
            let file = beside(database, suffix);
            if file.exists() {
                std::fs::rename(&file, beside(&aside, suffix)).map_err(io(&file))?;
            }
        }
        std::fs::rename(database, &aside).map_err(io(database))?;
    } else {
        // No replica: a stale log of an earlier one must not be replayed onto the restored one.
        for suffix in ["-wal", "-shm"] {
            let file = beside(database, suffix);
            if file.exists() {
                std::fs::remove_file(&file).map_err(io(&file))?;
            }
        }
    }
    std::fs::rename(&restored, database).map_err(io(database))?;
    sync_folder(folder);
    Ok(())
}

/// The device id and schema version of a copied replica, after SQLite's own check.
fn check_database(connection: &rusqlite::Connection, path: &Path) -> Result<(String, u32)> {
    let damaged = |detail: String| BackupError::Damaged { path: path.display().to_string(), detail };
    let check: String =
        connection.query_row("PRAGMA quick_check", [], |row| row.get(0)).map_err(|error| damaged(error.to_string()))?;
    if check != "ok" {
        return Err(damaged(format!("quick_check: {check}")));
    }
    let schema_version: u32 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|error| damaged(error.to_string()))?;
    let device_id: String = connection
        .query_row("SELECT value FROM replica WHERE key = 'device_id'", [], |row| row.get(0))
        .map_err(|_| damaged("not a Xianglin replica".into()))?;
    Ok((device_id, schema_version))
}

/// Length and SHA-256 (hex) of a file.
fn digest(path: &Path) -> Result<(u64, String)> {
    let mut file = std::fs::File::open(path).map_err(io(path))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let read = file.read(&mut buffer).map_err(io(path))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        bytes += read as u64;
    }
    Ok((bytes, crate::crypto::hex(&hasher.finalize())))
}

/// The device id's last 12 hex digits (a UUIDv7's random part: its first digits are a time,
/// alike for PCs set up the same minute).
fn short_device(device_id: &str) -> &str {
    device_id.get(device_id.len().saturating_sub(12)..).unwrap_or(device_id)
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = private_file(path)?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(io(path))
}

/// A new file only its owner may read (a backup holds the keyring's masked names).
fn private_file(path: &Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(io(path))
}

/// The backup folder, made only its owner's if it is new.
fn create_private_folder(folder: &Path) -> Result<()> {
    if folder.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder).map_err(io(folder))
}

fn sync_folder(folder: &Path) {
    if let Ok(folder) = std::fs::File::open(folder) {
        let _ = folder.sync_all();
    }
}

/// Removes what an interrupted backup left in `folder` (hidden partial files).
fn remove_partials(folder: &Path) -> Result<()> {
    for entry in std::fs::read_dir(folder).map_err(io(folder))? {
        let path = entry.map_err(io(folder))?.path();
        let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
        if name.starts_with(".xianglin-") && name.contains(".partial") {
            std::fs::remove_file(&path).map_err(io(&path))?;
        }
    }
    Ok(())
}
