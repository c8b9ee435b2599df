//! A station PC's keyring: its one random data key (which opens the SQLCipher replica and seals
//! its attachments), wrapped for each person who signs in on it and once for the county.
//!
//! ```text
//! password ──argon2id──► user key ──unwraps──► PC data key
//! one-time code ──argon2id──► X25519 secret ──unwraps──┘
//! county recovery key (X25519) ──unwraps───────────────┘
//! ```
//!
//! The keyring is `keyring.json` beside the replica. It holds no key in clear: each wrap is a
//! sealed box ([`crate::crypto::seal`]) bound to whose wrap it is. Besides the wraps it keeps what
//! the sign-in page needs before anything is unlocked: each account's role and masked name, its
//! failed attempts and lockout. A password is verified by unwrapping (a wrong one does not open
//! the box), so there is no separate hash to attack.
//!
//! One-time codes let the county authorise a first sign-in (or a reset) on a PC that is offline:
//! the county publishes, per code, a salt and an X25519 public key whose secret is derived from
//! the code; a signed-in PC that receives the grant at sync wraps its data key for that public
//! key; whoever later types the code derives the secret and unwraps. The code never travels in
//! a document, and 60 random bits behind argon2id cannot be guessed from the public key.
//!
//! A PC nobody has signed in to since the code was issued cannot have wrapped for it. So that
//! a first sign-in works online too, the PC also keeps its data key sealed for the county server
//! ([`ServerWrap`], under a key both derive from the device's token, which the county keeps
//! hashed) with the server's address outside the replica. Locked, it sends that box to the
//! server, which opens it and answers with the data key sealed for the person's current code
//! ([`code_wrap`]): useless to anyone without the code, so the request needs no other proof.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use xianglin_schema::policy::SessionRules;
use xianglin_schema::record::RecordMeta;
use xianglin_schema::user::{KdfParams, SigninGrant};

use crate::crypto::{self, CryptoError, Key, hex};

/// The keyring's file name, beside the replica.
pub const KEYRING_FILE: &str = "keyring.json";
/// Wrong passwords (or codes) in a row before an account is locked on this PC.
pub const MAX_FAILURES: u32 = 5;
/// The first lockout; each further one doubles, up to [`MAX_LOCKOUT`].
const FIRST_LOCKOUT: Duration = Duration::minutes(5);
const MAX_LOCKOUT: Duration = Duration::hours(24);
/// The keyring file is small; a larger one is not ours.
const MAX_KEYRING_BYTES: u64 = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error("cannot read or write the keyring {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the keyring {path} is damaged: {detail}")]
    Damaged { path: String, detail: String },
    #[error("no account {0} on this computer")]
    UnknownAccount(String),
    #[error("wrong password; {left} attempts left before the account is locked")]
    WrongPassword { left: u32 },
    #[error("the account is locked on this computer until {until}")]
    Locked { until: NaiveDateTime },
    #[error("no one-time code for this account has reached this computer")]
    NoCode,
    #[error("the one-time code expired at {0}")]
    CodeExpired(NaiveDateTime),
    #[error("the one-time code was already used")]
    CodeUsed,
    #[error("a password needs at least {0} characters")]
    TooShort(usize),
    #[error("the county's recovery key does not open this computer's keyring")]
    NotRecovered,
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// argon2id of `secret` with `salt` at `kdf`'s cost: 32 bytes.
fn derive(kdf: &KdfParams, secret: &[u8], salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    let params = argon2::Params::new(kdf.memory_kib, kdf.iterations, kdf.lanes, Some(32))
        .map_err(|_| CryptoError::Malformed(": bad argon2 parameters"))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon.hash_password_into(secret, salt, out.as_mut()).map_err(|_| CryptoError::Malformed(": argon2 failed"))?;
    Ok(out)
}

/// The data key sealed for an X25519 public key (the county's recovery key, a one-time code's
/// key): an ephemeral key pair, the shared secret through HKDF, then a sealed box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicWrap {
    pub public_key: String,
    pub ephemeral: String,
    pub wrapped: String,
}

impl PublicWrap {
    fn seal(key: &Key, recipient: &PublicKey, purpose: &str) -> PublicWrap {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(seed.as_mut()).expect("the operating system's random generator is available");
        let ephemeral = StaticSecret::from(*seed);
        let ephemeral_public = PublicKey::from(&ephemeral);
        let kek = shared_key(&ephemeral, recipient, &ephemeral_public, purpose);
        PublicWrap {
            public_key: hex(recipient.as_bytes()),
            ephemeral: hex(ephemeral_public.as_bytes()),
            wrapped: hex(&crypto::seal(&kek, key.expose(), purpose.as_bytes())),
        }
    }

    fn open(&self, secret: &StaticSecret, purpose: &str) -> Result<Key, CryptoError> {
        let ephemeral = PublicKey::from(unhex32(&self.ephemeral)?);
        let recipient = PublicKey::from(secret);
        let kek = shared_key(secret, &ephemeral, &ephemeral, purpose);
        if hex(recipient.as_bytes()) != self.public_key {
            return Err(CryptoError::Unsealing);
        }
        unwrap_key(&kek, &self.wrapped, purpose)
    }
}

/// HKDF over the X25519 shared secret, bound to the ephemeral key and the purpose.
fn shared_key(secret: &StaticSecret, other: &PublicKey, ephemeral: &PublicKey, purpose: &str) -> Key {
    let shared = Zeroizing::new(secret.diffie_hellman(other).to_bytes());
    Key::derive(&shared, &format!("{purpose}\0{}", hex(ephemeral.as_bytes())))
}

/// One person's wrap of the data key, and their sign-in state on this PC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub role: String,
    /// The name as the sign-in page shows it, masked (谢*华): the keyring is readable before
    /// anyone signs in.
    pub masked_name: String,
    pub salt: String,
    pub kdf: KdfParams,
    pub wrapped: String,
    pub failures: u32,
    pub lockouts: u32,
    pub locked_until: Option<NaiveDateTime>,
    pub password_set_at: NaiveDateTime,
}

/// A one-time code the county issued for a person, as the PC keeps it: the data key sealed for
/// the code's public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeWrap {
    pub code_id: String,
    pub role: String,
    pub masked_name: String,
    pub salt: String,
    pub kdf: KdfParams,
    pub expires_at: NaiveDateTime,
    pub wrap: PublicWrap,
}

/// The data key sealed for the county server, and where that server is: what a locked PC sends
/// to ask for a person's one-time code online.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerWrap {
    pub device_id: String,
    pub server_url: String,
    pub pin: Option<String>,
    pub wrapped: String,
}

/// Someone the county lets sign in on this PC (their places lie within its places), as the
/// sign-in page lists them for a first sign-in: role and masked name only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligible {
    pub role: String,
    pub masked_name: String,
}

/// Who an account is, for the sign-in page (no secret, no full name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person<'a> {
    pub user_id: &'a str,
    pub role: &'a str,
    pub name: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keyring {
    pub format: u32,
    /// The data key's fingerprint, to tell which key the replica needs.
    pub key_fingerprint: String,
    /// A demo county's PC: its accounts have the documented demo password.
    pub demo: bool,
    pub accounts: BTreeMap<String, Account>,
    pub codes: BTreeMap<String, CodeWrap>,
    pub used_codes: BTreeSet<String>,
    pub recovery: Option<PublicWrap>,
    /// The person the PC was enrolled for (its sync scope); `None` on the demo county.
    #[serde(default)]
    pub owner: Option<String>,
    /// The county's sign-in rules as last read from its policy (the sign-in page needs them
    /// before anything is open).
    #[serde(default)]
    pub rules: SessionRules,
    /// The data key sealed for the county server (a PC that has synced online at least once).
    #[serde(default)]
    pub server: Option<ServerWrap>,
    /// Who may sign in here for the first time, by user id (refreshed at every sync).
    #[serde(default)]
    pub people: BTreeMap<String, Eligible>,
}

const USER_PURPOSE: &str = "xianglin pc key for a user";
const CODE_PURPOSE: &str = "xianglin pc key for a one-time code";
const RECOVERY_PURPOSE: &str = "xianglin pc key for the county";
const SERVER_PURPOSE: &str = "xianglin pc key for the county server";

impl Keyring {
    /// An empty keyring for `key`; accounts are added as people set their passwords.
    pub fn new(key: &Key, demo: bool) -> Keyring {
        Keyring {
            format: 1,
            key_fingerprint: key.fingerprint(),
            demo,
            accounts: BTreeMap::new(),
            codes: BTreeMap::new(),
            used_codes: BTreeSet::new(),
            recovery: None,
            owner: None,
            rules: SessionRules::default(),
            server: None,
            people: BTreeMap::new(),
        }
    }

    /// The keyring in `directory`, if there is one.
    pub fn load(directory: &Path) -> Result<Option<Keyring>, KeyringError> {
        let path = directory.join(KEYRING_FILE);
        let io = |source| KeyringError::Io { path: path.display().to_string(), source };
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io(error)),
        };
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_KEYRING_BYTES + 1), &mut bytes).map_err(io)?;
        if bytes.len() as u64 > MAX_KEYRING_BYTES {
            return Err(KeyringError::Damaged { path: path.display().to_string(), detail: "too large".into() });
        }
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|error| KeyringError::Damaged { path: path.display().to_string(), detail: error.to_string() })
    }

    /// Writes the keyring atomically (beside, synced, renamed), private to this user.
    pub fn save(&self, directory: &Path) -> Result<(), KeyringError> {
        let path = directory.join(KEYRING_FILE);
        let io = |source| KeyringError::Io { path: path.display().to_string(), source };
        let bytes = serde_json::to_vec_pretty(self).expect("the keyring serializes");
        let partial = directory.join(format!("{KEYRING_FILE}.partial"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&partial).map_err(io)?;
        file.write_all(&bytes).and_then(|()| file.sync_all()).map_err(io)?;
        std::fs::rename(&partial, &path).map_err(io)?;
        if let Ok(directory) = std::fs::File::open(directory) {
            let _ = directory.sync_all();
        }
        Ok(())
    }

    /// Wraps `key` for `person` under `password` (a first password, a reset, a change).
    pub fn set_password(
        &mut self,
        key: &Key,
        person: &Person<'_>,
        password: &str,
        min_length: usize,
        now: NaiveDateTime,
    ) -> Result<(), KeyringError> {
        if password.chars().count() < min_length {
            return Err(KeyringError::TooShort(min_length));
        }
        let salt = random_bytes::<16>();
        let kdf = KdfParams::default();
        let kek = Key::from_secret(derive(&kdf, password.as_bytes(), &salt)?);
        let context = format!("{USER_PURPOSE}\0{}", person.user_id);
        let account = Account {
            role: person.role.to_owned(),
            masked_name: mask_name(person.name),
            salt: hex(&salt),
            kdf,
            wrapped: hex(&crypto::seal(&kek, key.expose(), context.as_bytes())),
            failures: 0,
            lockouts: 0,
            locked_until: None,
            password_set_at: now,
        };
        self.accounts.insert(person.user_id.to_owned(), account);
        Ok(())
    }

    /// The data key, if `password` is `user_id`'s; counts failures and locks the account after
    /// [`MAX_FAILURES`] in a row (save the keyring either way).
    pub fn unlock(&mut self, user_id: &str, password: &str, now: NaiveDateTime) -> Result<Key, KeyringError> {
        let account = self.accounts.get_mut(user_id).ok_or_else(|| KeyringError::UnknownAccount(user_id.into()))?;
        check_lock(account.locked_until, now)?;
        let salt = unhex(&account.salt)?;
        let kek = Key::from_secret(derive(&account.kdf, password.as_bytes(), &salt)?);
        let context = format!("{USER_PURPOSE}\0{user_id}");
        match unwrap_key(&kek, &account.wrapped, &context) {
            Ok(key) => {
                account.failures = 0;
                account.lockouts = 0;
                account.locked_until = None;
                Ok(key)
            }
            Err(_) => Err(fail(&mut account.failures, &mut account.lockouts, &mut account.locked_until, now)),
        }
    }

    /// Seals `key` for a one-time code the county issued to `person` (done by a signed-in PC
    /// when the grant arrives); a code already used or already held changes nothing.
    pub fn hold_code(&mut self, key: &Key, person: &Person<'_>, grant: &SigninGrant) -> Result<bool, KeyringError> {
        if self.used_codes.contains(&grant.code_id)
            || self.codes.get(person.user_id).is_some_and(|held| held.code_id == grant.code_id)
        {
            return Ok(false);
        }
        self.codes.insert(person.user_id.to_owned(), code_wrap(key, person, grant)?);
        Ok(true)
    }

    /// Whether a code for `user_id` is held here that could still open: not spent, not expired.
    pub fn has_usable_code(&self, user_id: &str, now: NaiveDateTime) -> bool {
        self.codes.get(user_id).is_some_and(|held| held.expires_at >= now && !self.used_codes.contains(&held.code_id))
    }

    /// Keeps a code's wrap the county server made for `user_id` (a first sign-in online);
    /// a code already spent on this PC is refused.
    pub fn hold_code_wrap(&mut self, user_id: &str, wrap: CodeWrap) -> Result<(), KeyringError> {
        if self.used_codes.contains(&wrap.code_id) {
            return Err(KeyringError::CodeUsed);
        }
        self.codes.insert(user_id.to_owned(), wrap);
        Ok(())
    }

    /// Seals `key` for the county server of device `device_id` (`device_secret` is the hash of
    /// its token, [`crate::client::bundle::key_of_token`]) at `server_url`. Kept as it is while
    /// the device and address stay the same; returns whether it changed.
    pub fn set_server(
        &mut self,
        key: &Key,
        device_id: &str,
        device_secret: &[u8; 32],
        server_url: &str,
        pin: Option<&str>,
    ) -> bool {
        let same = |wrap: &ServerWrap| {
            wrap.device_id == device_id && wrap.server_url == server_url && wrap.pin.as_deref() == pin
        };
        if self.server.as_ref().is_some_and(same) {
            return false;
        }
        let kek = Key::derive(device_secret, &format!("{SERVER_PURPOSE}\0{device_id}"));
        let context = format!("{SERVER_PURPOSE}\0{device_id}");
        self.server = Some(ServerWrap {
            device_id: device_id.to_owned(),
            server_url: server_url.to_owned(),
            pin: pin.map(str::to_owned),
            wrapped: hex(&crypto::seal(&kek, key.expose(), context.as_bytes())),
        });
        true
    }

    /// The data key, if `code` is the one-time code held for `user_id`. On success the code is
    /// spent and the account's lockout cleared; the caller then sets the person's password.
    pub fn unlock_with_code(&mut self, user_id: &str, code: &str, now: NaiveDateTime) -> Result<Key, KeyringError> {
        let held = self.codes.get(user_id).ok_or(KeyringError::NoCode)?;
        if self.used_codes.contains(&held.code_id) {
            return Err(KeyringError::CodeUsed);
        }
        if held.expires_at < now {
            return Err(KeyringError::CodeExpired(held.expires_at));
        }
        if let Some(account) = self.accounts.get(user_id) {
            check_lock(account.locked_until, now)?;
        }
        let secret = code_secret(code, &unhex(&held.salt)?, &held.kdf)?;
        let purpose = format!("{CODE_PURPOSE}\0{user_id}\0{}", held.code_id);
        match held.wrap.open(&secret, &purpose) {
            Ok(key) => {
                let held = self.codes.remove(user_id).expect("held above");
                self.used_codes.insert(held.code_id);
                if let Some(account) = self.accounts.get_mut(user_id) {
                    account.failures = 0;
                    account.lockouts = 0;
                    account.locked_until = None;
                }
                Ok(key)
            }
            Err(_) => {
                // Wrong codes count against the account as wrong passwords do.
                let held = self.codes.get_mut(user_id).expect("held above");
                let (mut failures, mut lockouts, mut until) = match self.accounts.get(user_id) {
                    Some(account) => (account.failures, account.lockouts, account.locked_until),
                    None => (0, 0, None),
                };
                let error = fail(&mut failures, &mut lockouts, &mut until, now);
                if let Some(account) = self.accounts.get_mut(user_id) {
                    (account.failures, account.lockouts, account.locked_until) = (failures, lockouts, until);
                } else if until.is_some() {
                    // No account yet: a locked code is a spent code; the county issues another.
                    let spent = held.code_id.clone();
                    self.codes.remove(user_id);
                    self.used_codes.insert(spent);
                }
                Err(error)
            }
        }
    }

    /// Wraps `key` for the county's recovery key (its X25519 public key, hex); a keyring
    /// already wrapped for that key is left as it is. Returns whether it changed.
    pub fn set_recovery(&mut self, key: &Key, county_public_key: &str) -> Result<bool, KeyringError> {
        if self.recovery.as_ref().is_some_and(|wrap| wrap.public_key == county_public_key) {
            return Ok(false);
        }
        let public = PublicKey::from(unhex32(county_public_key)?);
        self.recovery = Some(PublicWrap::seal(key, &public, RECOVERY_PURPOSE));
        Ok(true)
    }

    /// The data key, opened with the county's recovery secret key (hex).
    pub fn recover(&self, county_secret_key: &Key) -> Result<Key, KeyringError> {
        let wrap = self.recovery.as_ref().ok_or(KeyringError::NotRecovered)?;
        let secret = StaticSecret::from(*county_secret_key.expose());
        wrap.open(&secret, RECOVERY_PURPOSE).map_err(|_| KeyringError::NotRecovered)
    }

    /// Removes an account from this PC (its wrap); the data stays.
    pub fn remove_account(&mut self, user_id: &str) -> bool {
        self.accounts.remove(user_id).is_some()
    }
}

/// The data key a PC sealed for its county server ([`Keyring::set_server`]), opened by the
/// server with the device's secret: the server's half of a first sign-in online.
pub fn open_server_wrap(device_secret: &[u8; 32], device_id: &str, wrapped: &str) -> Result<Key, CryptoError> {
    let kek = Key::derive(device_secret, &format!("{SERVER_PURPOSE}\0{device_id}"));
    unwrap_key(&kek, wrapped, &format!("{SERVER_PURPOSE}\0{device_id}"))
}

/// `key` sealed for the one-time code of `grant`, issued to `person`: only whoever types the
/// code opens it.
pub fn code_wrap(key: &Key, person: &Person<'_>, grant: &SigninGrant) -> Result<CodeWrap, KeyringError> {
    let public = PublicKey::from(unhex32(&grant.public_key)?);
    let purpose = format!("{CODE_PURPOSE}\0{}\0{}", person.user_id, grant.code_id);
    Ok(CodeWrap {
        code_id: grant.code_id.clone(),
        role: person.role.to_owned(),
        masked_name: mask_name(person.name),
        salt: grant.salt.clone(),
        kdf: grant.kdf,
        expires_at: grant.expires_at,
        wrap: PublicWrap::seal(key, &public, &purpose),
    })
}

/// A new one-time code for `user_id` and what the county publishes for it: `XXXX-XXXX-XXXX` in
/// Crockford's base32 (60 random bits; no I, L, O or U to misread).
pub fn new_code(
    user_id: &str,
    expires_at: NaiveDateTime,
    meta: RecordMeta,
) -> Result<(String, SigninGrant), KeyringError> {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes = random_bytes::<12>();
    let letters: String = bytes.iter().map(|byte| ALPHABET[usize::from(byte % 32)] as char).collect();
    let code = format!("{}-{}-{}", &letters[..4], &letters[4..8], &letters[8..]);
    let salt = random_bytes::<16>();
    let kdf = KdfParams::default();
    let secret = code_secret(&code, &salt, &kdf)?;
    let grant = SigninGrant {
        user_id: user_id.to_owned(),
        code_id: hex(&random_bytes::<8>()),
        salt: hex(&salt),
        kdf,
        public_key: hex(PublicKey::from(&secret).as_bytes()),
        expires_at,
        meta,
    };
    Ok((code, grant))
}

/// A new county recovery key pair: the secret key (keep it off the server, like a backup key)
/// and the public key (hex) that goes into the county's document.
pub fn new_recovery_key() -> (Key, String) {
    let secret = Key::generate();
    let public = PublicKey::from(&StaticSecret::from(*secret.expose()));
    (secret, hex(public.as_bytes()))
}

/// A code as people type it: case, spaces and dashes do not matter; O is 0, I and L are 1.
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

fn code_secret(code: &str, salt: &[u8], kdf: &KdfParams) -> Result<StaticSecret, CryptoError> {
    let bytes = derive(kdf, normalize_code(code).as_bytes(), salt)?;
    Ok(StaticSecret::from(*bytes))
}

/// 谢丽华 → 谢*华, 张三 → 张*, a one-letter name stays.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 | 1 => name.to_owned(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

fn check_lock(locked_until: Option<NaiveDateTime>, now: NaiveDateTime) -> Result<(), KeyringError> {
    match locked_until {
        Some(until) if until > now => Err(KeyringError::Locked { until }),
        _ => Ok(()),
    }
}

/// Counts a failure; the fifth in a row locks for 5 minutes, each later lockout twice as long.
fn fail(
    failures: &mut u32,
    lockouts: &mut u32,
    locked_until: &mut Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> KeyringError {
    *failures += 1;
    if *failures < MAX_FAILURES {
        return KeyringError::WrongPassword { left: MAX_FAILURES - *failures };
    }
    *failures = 0;
    *lockouts += 1;
    let length = FIRST_LOCKOUT.checked_mul(1 << (*lockouts - 1).min(16)).unwrap_or(MAX_LOCKOUT).min(MAX_LOCKOUT);
    let until = now + length;
    *locked_until = Some(until);
    KeyringError::Locked { until }
}

fn unwrap_key(kek: &Key, wrapped: &str, context: &str) -> Result<Key, CryptoError> {
    let bytes = Zeroizing::new(crypto::open(kek, &unhex(wrapped)?, context.as_bytes())?);
    let array: [u8; 32] = bytes.as_slice().try_into().map_err(|_| CryptoError::Unsealing)?;
    Ok(Key::from_secret(Zeroizing::new(array)))
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random generator is available");
    bytes
}

fn unhex(text: &str) -> Result<Vec<u8>, CryptoError> {
    if !text.len().is_multiple_of(2) {
        return Err(CryptoError::Malformed(": odd number of digits"));
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or(CryptoError::Malformed(": found another character"))
        })
        .collect()
}

fn unhex32(text: &str) -> Result<[u8; 32], CryptoError> {
    unhex(text)?.try_into().map_err(|_| CryptoError::Malformed(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(8, 0, 0).unwrap() + Duration::minutes(minutes)
    }

    const DIRECTOR: Person<'static> = Person { user_id: "u-director", role: "station_director", name: "谢丽华" };
    const CASEWORKER: Person<'static> = Person { user_id: "u-caseworker", role: "caseworker", name: "钟明" };

    #[test]
    fn each_person_unlocks_the_same_key_with_their_own_password_and_no_other() {
        let key = Key::generate();
        let mut keyring = Keyring::new(&key, false);
        keyring.set_password(&key, &DIRECTOR, "director-pass", 8, at(0)).unwrap();
        keyring.set_password(&key, &CASEWORKER, "caseworker-pass", 8, at(0)).unwrap();
        assert_eq!(keyring.unlock("u-director", "director-pass", at(1)).unwrap().fingerprint(), key.fingerprint());
        assert_eq!(keyring.unlock("u-caseworker", "caseworker-pass", at(1)).unwrap().fingerprint(), key.fingerprint());
        assert!(matches!(
            keyring.unlock("u-caseworker", "director-pass", at(1)),
            Err(KeyringError::WrongPassword { left: 4 })
        ));
        assert!(matches!(keyring.set_password(&key, &DIRECTOR, "short", 8, at(0)), Err(KeyringError::TooShort(8))));

        // Saved and read back: the same wraps; nothing of the key, the passwords or the full
        // names in the file.
        let directory = tempfile::tempdir().unwrap();
        keyring.save(directory.path()).unwrap();
        let text = std::fs::read_to_string(directory.path().join(KEYRING_FILE)).unwrap();
        for secret in [hex(key.expose()), "director-pass".into(), "谢丽华".into(), "钟明".into()] {
            assert!(!text.contains(&secret), "{secret} in the keyring");
        }
        assert!(text.contains("谢*华"));
        let mut loaded = Keyring::load(directory.path()).unwrap().unwrap();
        assert_eq!(loaded, keyring);
        assert_eq!(loaded.unlock("u-director", "director-pass", at(2)).unwrap().fingerprint(), key.fingerprint());
    }

    #[test]
    fn five_wrong_passwords_lock_the_account_for_a_growing_time() {
        let key = Key::generate();
        let mut keyring = Keyring::new(&key, false);
        keyring.set_password(&key, &CASEWORKER, "caseworker-pass", 8, at(0)).unwrap();
        for left in (1..5).rev() {
            assert!(
                matches!(keyring.unlock("u-caseworker", "guess", at(0)), Err(KeyringError::WrongPassword { left: l }) if l == left)
            );
        }
        assert!(
            matches!(keyring.unlock("u-caseworker", "guess", at(0)), Err(KeyringError::Locked { until }) if until == at(5))
        );
        // Locked: even the right password waits.
        assert!(matches!(keyring.unlock("u-caseworker", "caseworker-pass", at(4)), Err(KeyringError::Locked { .. })));
        // Five more wrong after the first lockout: ten minutes.
        for _ in 0..4 {
            keyring.unlock("u-caseworker", "guess", at(6)).unwrap_err();
        }
        assert!(
            matches!(keyring.unlock("u-caseworker", "guess", at(6)), Err(KeyringError::Locked { until }) if until == at(16))
        );
        assert!(keyring.unlock("u-caseworker", "caseworker-pass", at(17)).is_ok());
        assert_eq!(keyring.accounts["u-caseworker"].lockouts, 0);
    }

    #[test]
    fn a_one_time_code_unlocks_once_before_it_expires_and_clears_a_lockout() {
        let key = Key::generate();
        let mut keyring = Keyring::new(&key, false);
        keyring.set_password(&key, &CASEWORKER, "caseworker-pass", 8, at(0)).unwrap();
        for _ in 0..5 {
            keyring.unlock("u-caseworker", "guess", at(0)).unwrap_err();
        }
        let (code, grant) = new_code("u", at(60 * 24), RecordMeta::created(at(0), "county")).unwrap();
        assert!(keyring.hold_code(&key, &CASEWORKER, &grant).unwrap());
        assert!(!keyring.hold_code(&key, &CASEWORKER, &grant).unwrap(), "held twice");
        // Typed in lower case with spaces, O for 0: the same code.
        let typed = code.to_lowercase().replace('-', " ").replace('0', "o");
        // Still locked out: a wrong code waits like a wrong password...
        assert!(matches!(keyring.unlock_with_code("u-caseworker", &typed, at(1)), Err(KeyringError::Locked { .. })));
        // ...and the right code after the lockout opens and clears it.
        assert_eq!(keyring.unlock_with_code("u-caseworker", &typed, at(6)).unwrap().fingerprint(), key.fingerprint());
        assert!(matches!(keyring.unlock_with_code("u-caseworker", &typed, at(7)), Err(KeyringError::NoCode)));
        assert!(!keyring.hold_code(&key, &CASEWORKER, &grant).unwrap(), "a used code is not held again");

        let (code, grant) = new_code("u", at(10), RecordMeta::created(at(0), "county")).unwrap();
        keyring.hold_code(&key, &DIRECTOR, &grant).unwrap();
        assert!(matches!(keyring.unlock_with_code("u-director", &code, at(11)), Err(KeyringError::CodeExpired(_))));
        let (_, grant) = new_code("u", at(100), RecordMeta::created(at(0), "county")).unwrap();
        keyring.hold_code(&key, &DIRECTOR, &grant).unwrap();
        assert!(matches!(
            keyring.unlock_with_code("u-director", "0000-0000-0000", at(11)),
            Err(KeyringError::WrongPassword { left: 4 })
        ));
    }

    #[test]
    fn the_county_recovers_the_key_with_its_secret_and_only_with_it() {
        let key = Key::generate();
        let mut keyring = Keyring::new(&key, false);
        let (county_secret, county_public) = new_recovery_key();
        assert!(keyring.set_recovery(&key, &county_public).unwrap());
        assert!(!keyring.set_recovery(&key, &county_public).unwrap());
        assert_eq!(keyring.recover(&county_secret).unwrap().fingerprint(), key.fingerprint());
        let (other, _) = new_recovery_key();
        assert!(matches!(keyring.recover(&other), Err(KeyringError::NotRecovered)));
    }

    #[test]
    fn the_county_server_opens_the_pc_s_server_wrap_and_reseals_it_for_a_code_only() {
        let key = Key::generate();
        let mut keyring = Keyring::new(&key, false);
        let secret = crate::client::bundle::key_of_token("ABCD-EFGH-JKMN");
        assert!(keyring.set_server(&key, "device-a", &secret, "http://127.0.0.1:1", None));
        assert!(!keyring.set_server(&key, "device-a", &secret, "http://127.0.0.1:1", None), "kept as it is");
        let wrapped = keyring.server.clone().unwrap().wrapped;

        // The server, with the device's secret, opens it; another device's secret, or the box
        // presented as another device's, does not.
        assert_eq!(open_server_wrap(&secret, "device-a", &wrapped).unwrap().fingerprint(), key.fingerprint());
        let other = crate::client::bundle::key_of_token("ZZZZ-ZZZZ-ZZZZ");
        assert!(open_server_wrap(&other, "device-a", &wrapped).is_err());
        assert!(open_server_wrap(&secret, "device-b", &wrapped).is_err());

        // What it answers opens with the person's code and nothing else, once.
        let (code, grant) = new_code("u-caseworker", at(60), RecordMeta::created(at(0), "county")).unwrap();
        let opened = open_server_wrap(&secret, "device-a", &wrapped).unwrap();
        let answer = code_wrap(&opened, &CASEWORKER, &grant).unwrap();
        assert_eq!(answer.masked_name, "钟*");
        keyring.hold_code_wrap("u-caseworker", answer.clone()).unwrap();
        assert!(matches!(
            keyring.unlock_with_code("u-caseworker", "0000-0000-0000", at(1)),
            Err(KeyringError::WrongPassword { left: 4 })
        ));
        assert_eq!(keyring.unlock_with_code("u-caseworker", &code, at(2)).unwrap().fingerprint(), key.fingerprint());
        assert!(matches!(keyring.hold_code_wrap("u-caseworker", answer), Err(KeyringError::CodeUsed)));

        // Saved: the box and the address, never the key.
        let directory = tempfile::tempdir().unwrap();
        keyring.save(directory.path()).unwrap();
        let text = std::fs::read_to_string(directory.path().join(KEYRING_FILE)).unwrap();
        assert!(!text.contains(&hex(key.expose())) && text.contains("127.0.0.1:1"));
        assert_eq!(Keyring::load(directory.path()).unwrap().unwrap().server, keyring.server);
    }

    #[test]
    fn names_are_masked_for_the_sign_in_page() {
        assert_eq!(mask_name("谢丽华"), "谢*华");
        assert_eq!(mask_name("钟明"), "钟*");
        assert_eq!(mask_name("欧阳明月"), "欧**月");
    }
}
