//! Attachments (photos at a visit, photos and scanned forms of an adaptation case): files stored
//! once, content-addressed by SHA-256, in a folder beside the replica. Records refer to them by
//! hash, so the same photo added twice is stored once, and the sync protocol can send each file
//! at most once. Which records refer to which file is projected into `attachment_refs`.
//!
//! Only images (JPEG, PNG, WebP) and PDF are accepted, recognised by their first bytes, never
//! by a file name, and only when they are what those bytes claim ([`content`]: an image
//! decodes, a PDF has its structure); anything else, or anything over the size limit, is
//! refused with a Chinese message and nothing is stored. A file is written beside its place
//! and renamed into it only once complete and checked.
//!
//! A store made with [`AttachmentStore::sealed`] keeps each file sealed with the key
//! ([`crate::crypto::seal`], bound to its hash): on disk nothing of a photo or scan can be read
//! without the key. [`AttachmentStore::seal_existing`] seals the plain files of an older
//! version in place, one by one, each through a file renamed into place.

pub mod content;

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use xianglin_schema::problem::Problem;
use xianglin_schema::record::Attachment;

use crate::crypto::{self, Key};
use crate::{Error, Result};

/// Largest attachment accepted, in bytes (10 MiB: a phone photo, a multi-page scan).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Largest attachment file on disk: the largest attachment and what sealing adds.
pub const MAX_STORED_BYTES: u64 = MAX_ATTACHMENT_BYTES as u64 + 1024;
/// The attachment folder's name, beside the replica's database.
pub const FOLDER: &str = "attachments";

/// The attachment folder of one replica.
#[derive(Debug, Clone)]
pub struct AttachmentStore {
    root: PathBuf,
    /// Files are sealed with this key on disk; `None` keeps them plain (tests, old data).
    key: Option<std::sync::Arc<Key>>,
}

impl AttachmentStore {
    /// A store of plain files.
    pub fn new(root: impl Into<PathBuf>) -> AttachmentStore {
        AttachmentStore { root: root.into(), key: None }
    }

    /// A store whose files are sealed with `key` on disk.
    pub fn sealed(root: impl Into<PathBuf>, key: Key) -> AttachmentStore {
        AttachmentStore { root: root.into(), key: Some(std::sync::Arc::new(key)) }
    }

    /// Seals every plain file stored by an older version (a store with no key does nothing).
    /// Each file is replaced through a sealed copy renamed over it, so an interruption leaves
    /// every file whole, sealed or not; returns how many were sealed.
    pub fn seal_existing(&self) -> Result<usize> {
        self.reseal_where(None)
    }

    /// Re-seals with this store's key every file sealed with `previous` (a key rotation), as
    /// safely as [`AttachmentStore::seal_existing`], whose work it does too; files already
    /// sealed with this store's key are left as they are, so an interrupted run can be repeated.
    pub fn reseal(&self, previous: &Key) -> Result<usize> {
        self.reseal_where(Some(previous))
    }

    fn reseal_where(&self, previous: Option<&Key>) -> Result<usize> {
        let Some(key) = &self.key else { return Ok(0) };
        let mut sealed = 0;
        for sha256 in self.list()? {
            let path = self.path(&sha256).expect("listed names are hashes");
            let stored = std::fs::read(&path)?;
            let bytes = match previous {
                _ if !crypto::is_sealed(&stored) => stored,
                Some(previous) if crypto::open(key, &stored, sha256.as_bytes()).is_err() => {
                    match crypto::open(previous, &stored, sha256.as_bytes()) {
                        Ok(bytes) => bytes,
                        Err(_) => {
                            tracing::warn!("a stored attachment opens with neither key; left as it is");
                            continue;
                        }
                    }
                }
                _ => continue,
            };
            if hex(&Sha256::digest(&bytes)) != sha256 {
                tracing::warn!("a stored attachment does not match its hash; left as it is");
                continue;
            }
            write_atomically(&path, &crypto::seal(key, &bytes, sha256.as_bytes()))?;
            sealed += 1;
        }
        Ok(sealed)
    }

    /// Stores `bytes` (if not stored already) and describes them; refuses what is not an image
    /// or PDF, is not what its first bytes claim, or is too large, storing nothing.
    pub fn put(&self, bytes: &[u8]) -> Result<Attachment> {
        self.store(bytes, None)
    }

    /// [`AttachmentStore::put`] for bytes that must hash to `sha256` (an upload or download
    /// named by its hash): other bytes are refused before anything is written.
    pub fn put_expecting(&self, bytes: &[u8], sha256: &str) -> Result<Attachment> {
        self.store(bytes, Some(sha256))
    }

    fn store(&self, bytes: &[u8], expected: Option<&str>) -> Result<Attachment> {
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(refusal(
                xianglin_schema::Rule::TooLong,
                &format!("附件不能超过 {} MB", MAX_ATTACHMENT_BYTES / 1024 / 1024),
            ));
        }
        let mime = sniff(bytes)
            .ok_or_else(|| refusal(xianglin_schema::Rule::FileType, "附件只能是图片（JPEG、PNG、WebP）或 PDF 文件"))?;
        let sha256 = hex(&Sha256::digest(bytes));
        if let Some(expected) = expected
            && expected != sha256
        {
            return Err(Error::Invalid(format!("attachment bytes hash to {sha256}, not {expected}")));
        }
        let path = self.root.join(&sha256[..2]).join(&sha256);
        if !path.exists() {
            content::verify(mime, bytes).map_err(|malformed| {
                tracing::warn!(%malformed, "attachment refused");
                refusal(xianglin_schema::Rule::FileType, "文件已损坏，或不是它看上去的图片或 PDF，未保存")
            })?;
            match &self.key {
                Some(key) => write_atomically(&path, &crypto::seal(key, bytes, sha256.as_bytes()))?,
                None => write_atomically(&path, bytes)?,
            }
        }
        Ok(Attachment { sha256, mime: mime.to_owned(), size: bytes.len() as u64 })
    }

    /// The description of a stored attachment, or `NotFound`.
    pub fn describe(&self, sha256: &str) -> Result<Attachment> {
        let bytes = self.get(sha256)?;
        let mime = sniff(&bytes).unwrap_or("application/octet-stream");
        Ok(Attachment { sha256: sha256.to_owned(), mime: mime.to_owned(), size: bytes.len() as u64 })
    }

    /// The bytes of a stored attachment, checked against their hash.
    pub fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        if !is_sha256(sha256) {
            return Err(Error::NotFound(format!("attachment {sha256}")));
        }
        let path = self.path(sha256).ok_or_else(|| Error::NotFound(format!("attachment {sha256}")))?;
        let stored = std::fs::read(&path).map_err(|_| Error::NotFound(format!("attachment {sha256}")))?;
        let corrupt = |detail: &str| Error::Corrupt { path: path.display().to_string(), detail: detail.to_owned() };
        let bytes = match &self.key {
            Some(key) if crypto::is_sealed(&stored) => {
                crypto::open(key, &stored, sha256.as_bytes()).map_err(|error| corrupt(&error.to_string()))?
            }
            _ => stored,
        };
        if hex(&Sha256::digest(&bytes)) != sha256 {
            return Err(Error::Corrupt { path: path.display().to_string(), detail: "hash mismatch".into() });
        }
        Ok(bytes)
    }

    /// Where an attachment lives: `<root>/<first two hex digits>/<hash>`; `None` for anything
    /// that is not a SHA-256 in lowercase hex (no name from outside becomes a path).
    pub fn path(&self, sha256: &str) -> Option<PathBuf> {
        is_sha256(sha256).then(|| self.root.join(&sha256[..2]).join(sha256))
    }

    /// Deletes a stored attachment (the server collecting uploads no record came to refer to).
    pub fn remove(&self, sha256: &str) -> Result<()> {
        if let Some(path) = self.path(sha256) {
            match std::fs::remove_file(path) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error.into()),
                _ => {}
            }
        }
        Ok(())
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether `name` can name an attachment: a SHA-256 in lowercase hex.
    pub fn is_name(name: &str) -> bool {
        is_sha256(name)
    }

    /// Whether the attachment is stored here.
    pub fn contains(&self, sha256: &str) -> bool {
        self.path(sha256).is_some_and(|path| path.is_file())
    }

    /// The hashes of every stored attachment.
    pub fn list(&self) -> Result<Vec<String>> {
        let mut hashes = Vec::new();
        let Ok(folders) = std::fs::read_dir(&self.root) else { return Ok(hashes) };
        for folder in folders {
            let folder = folder?.path();
            if !folder.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&folder)? {
                let name = file?.file_name().to_string_lossy().into_owned();
                if is_sha256(&name) {
                    hashes.push(name);
                }
            }
        }
        hashes.sort();
        Ok(hashes)
    }
}

/// The attachments records of this replica refer to (photos of visits, photos and scans of
/// adaptation cases), stored here or not.
pub fn referenced(replica: &crate::Replica) -> Result<Vec<String>> {
    let mut statement = replica.connection().prepare("SELECT DISTINCT sha256 FROM attachment_refs ORDER BY 1")?;
    Ok(statement.query_map([], |row| row.get(0))?.collect::<std::result::Result<Vec<String>, _>>()?)
}

/// The attachments records of this replica refer to that the county is not known to hold (a
/// photo added since the last upload): what a backup carries besides the database. Reads
/// `connection`, a replica's or a copy of one.
pub fn unsent(connection: &rusqlite::Connection) -> Result<Vec<String>> {
    let mut statement = connection.prepare(
        "SELECT DISTINCT sha256 FROM attachment_refs
         WHERE sha256 NOT IN (SELECT sha256 FROM uploaded_attachments) ORDER BY 1",
    )?;
    Ok(statement.query_map([], |row| row.get(0))?.collect::<std::result::Result<Vec<String>, _>>()?)
}

/// The villages of the records that refer to an attachment (for the server's scope check).
pub fn referencing_villages(replica: &crate::Replica, sha256: &str) -> Result<Vec<String>> {
    let mut statement =
        replica.connection().prepare("SELECT DISTINCT place_code FROM attachment_refs WHERE sha256 = ?1 ORDER BY 1")?;
    Ok(statement.query_map([sha256], |row| row.get(0))?.collect::<std::result::Result<Vec<String>, _>>()?)
}

/// Writes beside, then renames: a crash never leaves a half-written file under the hash.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let directory = path.parent().expect("attachment paths have a folder");
    std::fs::create_dir_all(directory)?;
    let name = path.file_name().expect("attachment paths have a name").to_string_lossy();
    let temporary = directory.join(format!(".{name}.partial"));
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    Ok(())
}

fn refusal(rule: xianglin_schema::Rule, message: &str) -> Error {
    Error::Problems(vec![Problem { field: "attachment".into(), rule, message: message.to_owned() }])
}

/// The media type of an image or PDF from its first bytes.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("image/png"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        [b'%', b'P', b'D', b'F', b'-', ..] => Some("application/pdf"),
        _ => None,
    }
}

fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Vec<u8> {
        content::tests::png(3, 2)
    }

    fn store() -> (tempfile::TempDir, AttachmentStore) {
        let directory = tempfile::tempdir().unwrap();
        let store = AttachmentStore::new(directory.path().join("attachments"));
        (directory, store)
    }

    #[test]
    fn the_same_photo_added_twice_is_stored_once_under_its_hash() {
        let (_directory, store) = store();
        let first = store.put(&png()).unwrap();
        let second = store.put(&png()).unwrap();
        assert_eq!(first, second);
        assert_eq!(first.mime, "image/png");
        assert_eq!(first.sha256.len(), 64);
        assert_eq!(store.get(&first.sha256).unwrap(), png());
        let files: Vec<_> = std::fs::read_dir(store.path(&first.sha256).unwrap().parent().unwrap()).unwrap().collect();
        assert_eq!(files.len(), 1);
    }

    #[test]
    fn a_file_that_is_not_an_image_or_pdf_is_refused_and_nothing_is_stored() {
        let (_directory, store) = store();
        let Err(Error::Problems(problems)) = store.put(b"MZ\x90\x00 an executable") else { panic!("must be refused") };
        assert!(problems[0].message.contains("只能是图片"));
        assert!(!store.root().exists());
    }

    #[test]
    fn an_attachment_over_the_limit_is_refused() {
        let (_directory, store) = store();
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(MAX_ATTACHMENT_BYTES + 1, b' ');
        let Err(Error::Problems(problems)) = store.put(&big) else { panic!("must be refused") };
        assert!(problems[0].message.contains("10 MB"));
    }

    #[test]
    fn a_sealed_store_keeps_nothing_readable_on_disk_and_seals_what_an_older_version_left() {
        let directory = tempfile::tempdir().unwrap();
        let root = directory.path().join("attachments");
        let old = AttachmentStore::new(&root).put(&png()).unwrap();
        let key = Key::generate();
        let store = AttachmentStore::sealed(&root, key.clone());
        assert_eq!(store.get(&old.sha256).unwrap(), png(), "a plain file of an older version still reads");
        assert_eq!(store.seal_existing().unwrap(), 1);
        assert_eq!(store.seal_existing().unwrap(), 0, "sealing twice does nothing");
        let pdf = content::tests::pdf_file();
        let new = store.put(&pdf).unwrap();
        for stored in [&old, &new] {
            let on_disk = std::fs::read(store.path(&stored.sha256).unwrap()).unwrap();
            assert!(crypto::is_sealed(&on_disk));
            assert_eq!(hex(&Sha256::digest(store.get(&stored.sha256).unwrap())), stored.sha256);
        }
        assert_eq!(store.describe(&new.sha256).unwrap(), new, "described from the opened bytes");
        let on_disk = std::fs::read(store.path(&new.sha256).unwrap()).unwrap();
        assert!(!on_disk.starts_with(b"%PDF"), "a scan is not a PDF on disk");
        // Another key, or a sealed file moved under another name, does not open.
        assert!(matches!(AttachmentStore::sealed(&root, Key::generate()).get(&new.sha256), Err(Error::Corrupt { .. })));
        std::fs::copy(store.path(&new.sha256).unwrap(), store.path(&old.sha256).unwrap()).unwrap();
        assert!(matches!(store.get(&old.sha256), Err(Error::Corrupt { .. })));
        store.remove(&old.sha256).unwrap();

        // A rotation: every file moves to the new key, and doing it twice does nothing more.
        let rotated = AttachmentStore::sealed(&root, Key::generate());
        assert_eq!(rotated.reseal(&key).unwrap(), 1);
        assert_eq!(rotated.reseal(&key).unwrap(), 0);
        assert_eq!(rotated.get(&new.sha256).unwrap(), pdf);
        assert!(matches!(store.get(&new.sha256), Err(Error::Corrupt { .. })), "the old key opens nothing now");
    }

    #[test]
    fn a_file_altered_on_disk_is_detected() {
        let (_directory, store) = store();
        let stored = store.put(&png()).unwrap();
        std::fs::write(store.path(&stored.sha256).unwrap(), b"\x89PNG\r\n\x1a\nchanged").unwrap();
        assert!(matches!(store.get(&stored.sha256), Err(Error::Corrupt { .. })));
        assert!(matches!(store.get("../../etc/passwd"), Err(Error::NotFound(_))));
        assert_eq!(store.path("../../etc/passwd"), None);
        assert_eq!(store.path(&stored.sha256.to_uppercase()), None);
    }

    #[test]
    fn bytes_that_do_not_hash_to_their_name_or_only_look_like_a_picture_leave_nothing_on_disk() {
        let (_directory, store) = store();
        let wrong_name = "00".repeat(32);
        assert!(matches!(store.put_expecting(&png(), &wrong_name), Err(Error::Invalid(_))));
        let mut script = png()[..16].to_vec();
        script.extend(b"<script>fetch('/steal')</script>");
        let Err(Error::Problems(problems)) = store.put(&script) else { panic!("must be refused") };
        assert!(problems[0].message.contains("已损坏"), "{problems:?}");
        assert!(!store.root().exists() || store.list().unwrap().is_empty(), "nothing stored");
        let stored = store.put_expecting(&png(), &hex(&Sha256::digest(png()))).unwrap();
        assert!(store.contains(&stored.sha256));
        store.remove(&stored.sha256).unwrap();
        assert!(!store.contains(&stored.sha256));
        store.remove(&stored.sha256).unwrap();
    }
}
