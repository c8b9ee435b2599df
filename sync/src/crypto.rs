//! Keys and sealed bytes: the 256-bit keys that encrypt data at rest (a station's data key, the
//! county server's database key), and XChaCha20-Poly1305 sealing of the files that hold
//! personal data beside a database (attachments; later bundles, backups and exports).
//!
//! A [`Key`] is zeroised when dropped, prints as `Key(…)`, and leaves this crate only as the
//! SQLCipher pragma handed to SQLite ([`Key::sqlcipher_pragma`], itself zeroised) or inside a
//! sealed box. Its [`Key::fingerprint`] (a hash, not the key) names it in logs and messages.
//!
//! A sealed box is `XLSEAL\x01\x00` ‖ a random 24-byte nonce ‖ ciphertext with its tag. The
//! caller's context (an attachment's hash, a bundle's kind) is authenticated with it, so a box
//! moved to another name or purpose does not open.

use std::io::Write;
use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Bytes a sealed box starts with (the format's version is the seventh byte).
pub const SEALED_MAGIC: &[u8; 8] = b"XLSEAL\x01\x00";
const NONCE_BYTES: usize = 24;
const TAG_BYTES: usize = 16;

/// What can go wrong with a key or a sealed box. Messages are English (logs, CLI) and never
/// hold key material.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("cannot read the key file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("cannot write the key file {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("the key file {path} can be read by other users (mode {mode:o}); run `chmod 600 {path}`")]
    Exposed { path: String, mode: u32 },
    #[error("a key is 64 hexadecimal digits (256 bits){0}")]
    Malformed(&'static str),
    #[error("sealed data is damaged, or was sealed with another key or for another purpose")]
    Unsealing,
    #[error("not sealed data (no {} header)", "XLSEAL")]
    NotSealed,
}

/// A 256-bit secret key, zeroised on drop.
#[derive(Clone)]
pub struct Key(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({})", self.fingerprint())
    }
}

impl Key {
    /// A new random key from the operating system's generator.
    pub fn generate() -> Key {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).expect("the operating system's random generator is available");
        Key(bytes)
    }

    /// The key written as 64 hex digits (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<Key, CryptoError> {
        let text = text.trim();
        if text.len() != 64 {
            return Err(CryptoError::Malformed(""));
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        for (index, pair) in text.as_bytes().chunks(2).enumerate() {
            let digit =
                |byte: u8| (byte as char).to_digit(16).ok_or(CryptoError::Malformed(": found another character"));
            bytes[index] = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
        }
        Ok(Key(bytes))
    }

    /// Reads a key file (64 hex digits). On Unix a file that the group or others may read is
    /// refused: the key is only as private as its file.
    pub fn read_file(path: &Path) -> Result<Key, CryptoError> {
        let display = path.display().to_string();
        let read = |source| CryptoError::Read { path: display.clone(), source };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map_err(read)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(CryptoError::Exposed { path: display, mode });
            }
        }
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(read)?);
        Key::from_hex(&text)
    }

    /// Makes a new key and writes it to a file that does not exist yet, readable by its owner
    /// only (mode 600).
    pub fn create_file(path: &Path) -> Result<Key, CryptoError> {
        let key = Key::generate();
        key.write_new_file(path)?;
        Ok(key)
    }

    /// Writes this key to a file that does not exist yet, readable by its owner only (mode 600).
    pub fn write_new_file(&self, path: &Path) -> Result<(), CryptoError> {
        let key = self;
        let write = |source| CryptoError::Write { path: path.display().to_string(), source };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(write)?;
        let text = Zeroizing::new(format!("{}\n", hex(key.0.as_ref())));
        file.write_all(text.as_bytes()).and_then(|()| file.sync_all()).map_err(write)
    }

    /// A key for one purpose derived from a secret both sides hold (HKDF-Expand of RFC 5869,
    /// one block of HMAC-SHA256): the secret must itself be uniformly random, as a hash of a
    /// random token is.
    pub fn derive(secret: &[u8; 32], purpose: &str) -> Key {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC takes a key of any length");
        mac.update(purpose.as_bytes());
        mac.update(&[1]);
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&mac.finalize().into_bytes());
        Key(bytes)
    }

    /// The raw key as SQLCipher's `PRAGMA key` value (`x'…'`: used as is, no key derivation).
    pub fn sqlcipher_pragma(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex(self.0.as_ref())))
    }

    /// Names the key without revealing it: the first 16 hex digits of a hash of it.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"xianglin key fingerprint\0");
        hasher.update(self.0.as_ref());
        hex(&hasher.finalize()[..8])
    }

    /// The key's bytes, for wrapping it in a sealed box (the keyring) and nothing else.
    pub(crate) fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// A key made from secret bytes (an unwrapped data key, a key-derivation output).
    pub(crate) fn from_secret(bytes: Zeroizing<[u8; 32]>) -> Key {
        Key(bytes)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.as_ref().into())
    }
}

/// Seals `plaintext` under `key`, bound to `context`.
pub fn seal(key: &Key, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_BYTES];
    getrandom::fill(&mut nonce).expect("the operating system's random generator is available");
    let aad = [SEALED_MAGIC.as_slice(), context].concat();
    let ciphertext = key
        .cipher()
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: &aad })
        .expect("XChaCha20-Poly1305 seals any length this program holds in memory");
    let mut sealed = Vec::with_capacity(SEALED_MAGIC.len() + NONCE_BYTES + ciphertext.len());
    sealed.extend_from_slice(SEALED_MAGIC);
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(&ciphertext);
    sealed
}

/// Opens a box [`seal`] made with the same key and context.
pub fn open(key: &Key, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if !is_sealed(sealed) {
        return Err(CryptoError::NotSealed);
    }
    if sealed.len() < SEALED_MAGIC.len() + NONCE_BYTES + TAG_BYTES {
        return Err(CryptoError::Unsealing);
    }
    let (nonce, ciphertext) = sealed[SEALED_MAGIC.len()..].split_at(NONCE_BYTES);
    let aad = [SEALED_MAGIC.as_slice(), context].concat();
    key.cipher()
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: &aad })
        .map_err(|_| CryptoError::Unsealing)
}

/// Whether `bytes` start like a sealed box.
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(SEALED_MAGIC)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_opens_only_with_its_key_and_context_and_shows_nothing_of_its_contents() {
        let (key, other) = (Key::generate(), Key::generate());
        let secret = "张建国 360733194912310021 13800000000".as_bytes();
        let sealed = seal(&key, secret, b"photo");
        assert!(is_sealed(&sealed));
        assert!(!sealed.windows(secret.len()).any(|window| window == secret));
        assert_ne!(seal(&key, secret, b"photo"), sealed, "a fresh nonce each time");
        assert_eq!(open(&key, &sealed, b"photo").unwrap(), secret);
        assert!(matches!(open(&other, &sealed, b"photo"), Err(CryptoError::Unsealing)));
        assert!(matches!(open(&key, &sealed, b"bundle"), Err(CryptoError::Unsealing)));
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(matches!(open(&key, &flipped, b"photo"), Err(CryptoError::Unsealing)));
        assert!(matches!(open(&key, &sealed[..30], b"photo"), Err(CryptoError::Unsealing)));
        assert!(matches!(open(&key, secret, b"photo"), Err(CryptoError::NotSealed)));
    }

    #[test]
    fn a_key_file_is_private_and_round_trips_and_the_key_never_prints() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("county.key");
        let key = Key::create_file(&path).unwrap();
        let again = Key::read_file(&path).unwrap();
        assert_eq!(key.fingerprint(), again.fingerprint());
        assert_eq!(*key.sqlcipher_pragma(), *again.sqlcipher_pragma());
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(!format!("{key:?}").contains(written.trim()), "Debug shows the fingerprint only");
        assert!(format!("{key:?}").contains(&key.fingerprint()));
        assert!(matches!(Key::create_file(&path), Err(CryptoError::Write { .. })), "never overwrites a key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(Key::read_file(&path), Err(CryptoError::Exposed { mode: 0o644, .. })));
        }
        assert!(matches!(Key::from_hex("abc"), Err(CryptoError::Malformed(_))));
        // HKDF-Expand, one block: Python hmac.new(bytes(32), b"purpose\x01", hashlib.sha256).hexdigest()
        assert_eq!(
            *Key::derive(&[0; 32], "purpose").sqlcipher_pragma(),
            "x'e3055920cc516c943bdf47bf2e9cdd30c0e8e911b8d74e32108d06996864b1ca'"
        );
        assert!(matches!(Key::from_hex(&"zz".repeat(32)), Err(CryptoError::Malformed(_))));
    }
}
