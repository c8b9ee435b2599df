//! Signed releases of the app, from the county server to station PCs: what a release offer
//! says, how a package is checked against its minisign signature (the format Tauri's updater
//! and `cargo tauri signer` use), and the device's update folder, where a package is downloaded
//! piece by piece (resumable) and only kept once its hash and signature are right.
//!
//! The version of a release is the one its signature vouches for (the trusted comment's
//! `version:` or the `file:` it names), never a name or a field anyone could change: a package
//! signed as 0.1.0 cannot be offered as 0.2.0, and no app takes a version older than its own.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use xianglin_schema::version;

/// The largest package a county server keeps or a device downloads.
pub const MAX_PACKAGE_BYTES: u64 = 256 << 20;

/// The largest signature file read (a minisign signature is about 400 bytes).
pub const MAX_SIGNATURE_BYTES: usize = 4096;

/// A release as the county server offers it at sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseOffer {
    /// The version the signature vouches for.
    pub version: String,
    /// Debian's name of the architecture (`amd64`, `arm64`).
    pub arch: String,
    /// `xianglin_<version>_<arch>.deb`.
    pub file_name: String,
    pub bytes: u64,
    pub sha256: String,
    /// The minisign signature, as text.
    pub signature: String,
}

/// Why a release or its package was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error("this build has no update public key (built without XIANGLIN_UPDATE_PUBLIC_KEY)")]
    NoKey,
    #[error("not a minisign public key: {0}")]
    BadKey(String),
    #[error("not a minisign signature: {0}")]
    BadSignature(String),
    #[error("the package does not match its signature: it was altered, or signed with another key")]
    Mismatch,
    #[error("the signature names no version (sign with `cargo tauri signer sign --app-version`)")]
    Unversioned,
    #[error("the signature vouches for version {signed}, the release says {said}")]
    WrongVersion { signed: String, said: String },
    #[error("package name {0:?} is not xianglin_<version>_<arch>.deb")]
    BadName(String),
    #[error("the package is larger than {MAX_PACKAGE_BYTES} bytes")]
    TooLarge,
    #[error("the package's SHA-256 or length is not what the release says")]
    WrongHash,
    #[error("release {0} is not newer than this app")]
    NotNewer(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

type Result<T> = std::result::Result<T, ReleaseError>;

/// Debian's name of this build's architecture.
pub fn this_arch() -> &'static str {
    debian_arch(std::env::consts::ARCH)
}

/// Debian's name of a Rust target architecture.
pub fn debian_arch(rust_arch: &str) -> &str {
    match rust_arch {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "i386",
        other => other,
    }
}

/// A public key as `cargo tauri signer generate` writes it (base64 of minisign's key file), as
/// minisign's own `.pub` file, or as the bare key line.
pub fn public_key(text: &str) -> Result<minisign_verify::PublicKey> {
    let text = unwrap_base64(text.trim());
    let line = text.lines().map(str::trim).rfind(|line| !line.is_empty() && !line.starts_with("untrusted comment:"));
    let line = line.ok_or_else(|| ReleaseError::BadKey("empty".into()))?;
    minisign_verify::PublicKey::from_base64(line).map_err(|error| ReleaseError::BadKey(error.to_string()))
}

/// A signature's text from a `.sig` or `.minisig` file's bytes: minisign's four lines, or
/// Tauri's base64 of them. Bounded before anything is decoded.
pub fn signature_text(bytes: &[u8]) -> Result<String> {
    if bytes.len() > MAX_SIGNATURE_BYTES {
        return Err(ReleaseError::BadSignature(format!("longer than {MAX_SIGNATURE_BYTES} bytes")));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ReleaseError::BadSignature("not text".into()))?;
    let text = unwrap_base64(text.trim()).trim().to_owned();
    minisign_verify::Signature::decode(&text).map_err(|error| ReleaseError::BadSignature(error.to_string()))?;
    Ok(text)
}

/// Tauri's base64 wrapping undone; minisign's own text as it is.
fn unwrap_base64(text: &str) -> String {
    if text.starts_with("untrusted comment:") {
        return text.to_owned();
    }
    let compact: String = text.chars().filter(|character| !character.is_whitespace()).collect();
    match base64::engine::general_purpose::STANDARD.decode(compact) {
        Ok(bytes) if bytes.starts_with(b"untrusted comment:") => String::from_utf8_lossy(&bytes).into_owned(),
        _ => text.to_owned(),
    }
}

/// The version a signature vouches for: its trusted comment's `version:`, else the version in
/// the `file:` it names.
pub fn signed_version(signature: &str) -> Result<String> {
    let signature =
        minisign_verify::Signature::decode(signature).map_err(|error| ReleaseError::BadSignature(error.to_string()))?;
    let fields: Vec<(&str, &str)> =
        signature.trusted_comment().split('\t').filter_map(|field| field.trim().split_once(':')).collect();
    let field = |name: &str| fields.iter().find(|(key, _)| *key == name).map(|(_, value)| value.trim());
    if let Some(version) = field("version").filter(|version| version::parse(version).is_some()) {
        return Ok(version.to_owned());
    }
    field("file")
        .and_then(|file| parse_file_name(file).ok())
        .map(|(version, _)| version)
        .ok_or(ReleaseError::Unversioned)
}

/// `(version, arch)` of `xianglin_<version>_<arch>.deb` (Debian's naming).
pub fn parse_file_name(name: &str) -> Result<(String, String)> {
    let bad = || ReleaseError::BadName(name.chars().take(100).collect());
    let stem = name.strip_prefix("xianglin_").and_then(|rest| rest.strip_suffix(".deb")).ok_or_else(bad)?;
    let (version, arch) = stem.split_once('_').ok_or_else(bad)?;
    let plain = |part: &str| {
        !part.is_empty()
            && part.chars().all(|character| character.is_ascii_alphanumeric() || ".+~-".contains(character))
    };
    if !plain(version) || !plain(arch) || version::parse(version).is_none() {
        return Err(bad());
    }
    Ok((version.to_owned(), arch.to_owned()))
}

/// What reading a package once says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub version: String,
    pub bytes: u64,
    pub sha256: String,
}

/// Reads the package at `path` once: its length, its SHA-256, and whether `signature` (by
/// `key`) vouches for it. Refuses a package over [`MAX_PACKAGE_BYTES`] before reading it.
pub fn check_file(key: &minisign_verify::PublicKey, path: &Path, signature: &str) -> Result<Checked> {
    let decoded =
        minisign_verify::Signature::decode(signature).map_err(|error| ReleaseError::BadSignature(error.to_string()))?;
    let version = signed_version(signature)?;
    let mut file = std::fs::File::open(path)?;
    if file.metadata()?.len() > MAX_PACKAGE_BYTES {
        return Err(ReleaseError::TooLarge);
    }
    let mut verifier = key.verify_stream(&decoded).map_err(|_| ReleaseError::Mismatch)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        bytes += read as u64;
        if bytes > MAX_PACKAGE_BYTES {
            return Err(ReleaseError::TooLarge);
        }
        verifier.update(&buffer[..read]);
        hasher.update(&buffer[..read]);
    }
    verifier.finalize().map_err(|_| ReleaseError::Mismatch)?;
    Ok(Checked { version, bytes, sha256: crate::crypto::hex(&hasher.finalize()) })
}

/// A device's update folder: the offer's package while it downloads (`.<sha256>.partial`,
/// appended to as pieces arrive), then, checked, under its own name.
#[derive(Debug, Clone)]
pub struct UpdateFolder {
    root: PathBuf,
}

impl UpdateFolder {
    pub fn new(root: impl Into<PathBuf>) -> UpdateFolder {
        UpdateFolder { root: root.into() }
    }

    /// Whether this app should take `offer`: for its architecture, newer than `running`, with
    /// a name and signature that agree on the version.
    pub fn wanted(offer: &ReleaseOffer, running: &str) -> Result<()> {
        let (named, arch) = parse_file_name(&offer.file_name)?;
        let signed = signed_version(&offer.signature)?;
        if named != offer.version || signed != offer.version {
            return Err(ReleaseError::WrongVersion { signed, said: offer.version.clone() });
        }
        if arch != this_arch() || offer.bytes > MAX_PACKAGE_BYTES || !is_sha256(&offer.sha256) {
            return Err(ReleaseError::BadName(offer.file_name.clone()));
        }
        if version::at_least(running, &offer.version) {
            return Err(ReleaseError::NotNewer(offer.version.clone()));
        }
        Ok(())
    }

    /// The checked package of `offer`, when it is here.
    pub fn ready(&self, offer: &ReleaseOffer) -> Option<PathBuf> {
        let path = self.root.join(&offer.file_name);
        path.is_file().then_some(path)
    }

    /// How many bytes of `offer`'s package are here so far.
    pub fn downloaded(&self, offer: &ReleaseOffer) -> u64 {
        std::fs::metadata(self.partial(offer)).map(|metadata| metadata.len()).unwrap_or(0)
    }

    /// Appends a piece of the package (or starts it again when `from` is 0); refuses pieces
    /// that would make it longer than the offer says.
    pub fn append(&self, offer: &ReleaseOffer, from: u64, piece: &[u8]) -> Result<u64> {
        std::fs::create_dir_all(&self.root)?;
        let path = self.partial(offer);
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
        if from == 0 {
            file.set_len(0)?;
        } else if file.metadata()?.len() != from {
            return Err(ReleaseError::WrongHash);
        }
        if from + piece.len() as u64 > offer.bytes {
            return Err(ReleaseError::WrongHash);
        }
        file.write_all(piece)?;
        Ok(from + piece.len() as u64)
    }

    /// Checks the downloaded package (length, SHA-256, signature by `key`, signed version) and
    /// keeps it under its name; a package that fails is deleted, so the next try starts over.
    pub fn finish(&self, offer: &ReleaseOffer, key: &minisign_verify::PublicKey) -> Result<PathBuf> {
        let partial = self.partial(offer);
        let checked = check_file(key, &partial, &offer.signature).inspect_err(|_| {
            let _ = std::fs::remove_file(&partial);
        })?;
        if checked.sha256 != offer.sha256 || checked.bytes != offer.bytes {
            let _ = std::fs::remove_file(&partial);
            return Err(ReleaseError::WrongHash);
        }
        if checked.version != offer.version {
            let _ = std::fs::remove_file(&partial);
            return Err(ReleaseError::WrongVersion { signed: checked.version, said: offer.version.clone() });
        }
        std::fs::File::open(&partial)?.sync_all()?;
        let path = self.root.join(&offer.file_name);
        std::fs::rename(&partial, &path)?;
        self.clear_others(offer)?;
        Ok(path)
    }

    /// Takes a whole package (from a USB answer file) through the same checks.
    pub fn accept(&self, offer: &ReleaseOffer, package: &[u8], key: &minisign_verify::PublicKey) -> Result<PathBuf> {
        self.append(offer, 0, package)?;
        self.finish(offer, key)
    }

    /// Deletes the packages and partial downloads of every other release.
    fn clear_others(&self, keep: &ReleaseOffer) -> Result<()> {
        for entry in std::fs::read_dir(&self.root)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let other_package = name.ends_with(".deb") && name != keep.file_name;
            let other_partial = name.ends_with(".partial") && entry.path() != self.partial(keep);
            if other_package || other_partial {
                std::fs::remove_file(entry.path())?;
            }
        }
        Ok(())
    }

    fn partial(&self, offer: &ReleaseOffer) -> PathBuf {
        self.root.join(format!(".{}.partial", offer.sha256))
    }
}

/// Whether `text` is a SHA-256 in lower-case hex (a name that can be part of a path).
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    // A key and signature made with `cargo tauri signer` (the secret key was thrown away):
    // the bytes `hello\n` signed as `pkg.deb`, version 0.2.0.
    const TAURI_PUBLIC_KEY: &str = "dW50cnVzdGVkIGNvbW1lbnQ6IG1pbmlzaWduIHB1YmxpYyBrZXk6IDAxQzg4RTg3NEMyRjlBREMKUldUY21pOU1oNDdJQVhsUTlsREVvSzJ5bUY3bTF2NWdoeHg0Z1dTNFNXUzRvRHdYVlU5QUlYaFcK";
    const TAURI_SIGNATURE: &str = "dW50cnVzdGVkIGNvbW1lbnQ6IHNpZ25hdHVyZSBmcm9tIHRhdXJpIHNlY3JldCBrZXkKUlVUY21pOU1oNDdJQWFYdEZlMFpIQmNSQUVtUGhoVEhTQUNsMkFhK3g5d1FublZyaXRTaWI2Q3B1emY5T2IvMkx5NXRVVlh3QkgwV1JQcDJ1aHZYOWhMV3I3RU1kdTJRUGdrPQp0cnVzdGVkIGNvbW1lbnQ6IHRpbWVzdGFtcDoxNzk2NjUzNzIzCWZpbGU6cGtnLmRlYgl2ZXJzaW9uOjAuMi4wClpiZ20reHZPUWVURW1lQmVSOXJ3eGhrN3pBVzYyTnhaRUhuUmZYUVRsNUFGakQrcjNhV1ZuUXJtVXVFeHM2MUhiZk83em1JTGV2TExEd21TR3hGREJBPT0K";

    #[test]
    fn a_package_signed_by_tauri_s_signer_checks_and_a_changed_byte_does_not() {
        let folder = tempfile::tempdir().unwrap();
        let key = public_key(TAURI_PUBLIC_KEY).unwrap();
        let signature = signature_text(TAURI_SIGNATURE.as_bytes()).unwrap();
        let package = folder.path().join("pkg.deb");
        std::fs::write(&package, b"hello\n").unwrap();
        let checked = check_file(&key, &package, &signature).unwrap();
        assert_eq!(checked.version, "0.2.0");
        assert_eq!(checked.bytes, 6);
        std::fs::write(&package, b"hellO\n").unwrap();
        assert!(matches!(check_file(&key, &package, &signature), Err(ReleaseError::Mismatch)));
        // The same key as minisign's own two-line file.
        let plain =
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(TAURI_PUBLIC_KEY).unwrap()).unwrap();
        assert!(public_key(&plain).is_ok());
        assert!(signature_text(b"not a signature").is_err());
        assert!(signature_text(&vec![b'a'; MAX_SIGNATURE_BYTES + 1]).is_err());
    }

    #[test]
    fn package_names_follow_debian_and_refuse_paths() {
        assert_eq!(parse_file_name("xianglin_0.2.0_amd64.deb").unwrap(), ("0.2.0".into(), "amd64".into()));
        for bad in [
            "xianglin_0.2.0_amd64.deb.exe",
            "../xianglin_0.2.0_amd64.deb",
            "xianglin_x_amd64.deb",
            "xianglin_0.2/_amd64.deb",
            "other_0.2.0_amd64.deb",
        ] {
            assert!(parse_file_name(bad).is_err(), "{bad}");
        }
        assert!(is_sha256(&"a".repeat(64)));
        assert!(!is_sha256(&"../".repeat(21)));
    }
}
