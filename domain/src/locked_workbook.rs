//! Workbooks locked with a password, as Excel and WPS open them: ECMA-376 "agile" encryption
//! (MS-OFFCRYPTO 2.3.4.10–2.3.4.15). The workbook is encrypted with AES-256-CBC under a random
//! key in 4096-byte segments and authenticated with HMAC-SHA512 over the whole encrypted
//! package (encrypt, then MAC); the key is wrapped under keys the format derives from the
//! password (SHA-512 over a random salt, iterated 100,000 times). It all goes into a compound
//! file with the streams Office looks for.
//!
//! [`lock`] writes one; [`unlock`] reads one back (a roster edited in Excel and brought back to
//! import), checking the password and then the HMAC before a byte of the workbook is used.
//! Exports with personal data are written this way, so a lost USB stick or a copied folder
//! shows nothing without the password.

use std::io::{Cursor, Read, Write};

use aes::Aes256;
use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

/// How often the password's hash is hashed again (the value Office writes).
const SPIN_COUNT: u32 = 100_000;
/// The most a file may ask for: the format allows 10,000,000 (seconds of work), no more.
const MAX_SPIN_COUNT: u32 = 10_000_000;
const SEGMENT_BYTES: usize = 4096;
const BLOCK_BYTES: usize = 16;
const KEY_BYTES: usize = 32;
const SALT_BYTES: usize = 16;
const HASH_BYTES: usize = 64;
/// The block keys the format fixes for each key derived from the password or the data key.
const VERIFIER_INPUT_BLOCK: [u8; 8] = [0xfe, 0xa7, 0xd2, 0x76, 0x3b, 0x4b, 0x9e, 0x79];
const VERIFIER_HASH_BLOCK: [u8; 8] = [0xd7, 0xaa, 0x0f, 0x6d, 0x30, 0x61, 0x34, 0x4e];
const KEY_VALUE_BLOCK: [u8; 8] = [0x14, 0x6e, 0x0b, 0xe7, 0xab, 0xac, 0xd0, 0xd6];
const HMAC_KEY_BLOCK: [u8; 8] = [0x5f, 0xb2, 0xad, 0x01, 0x0c, 0xb9, 0xe1, 0xf6];
const HMAC_VALUE_BLOCK: [u8; 8] = [0xa0, 0x67, 0x7f, 0x02, 0xb2, 0x2c, 0x84, 0x33];
/// The longest EncryptionInfo stream read back (the one [`lock`] writes is about 1.4 KB).
const MAX_INFO_BYTES: u64 = 64 * 1024;
/// Office refuses longer passwords.
pub const MAX_PASSWORD_CHARS: usize = 255;
/// A compound file's signature: a locked workbook starts with it, a plain one with "PK".
const COMPOUND_FILE_SIGNATURE: [u8; 8] = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const PASSWORD_ENCRYPTOR: &str = "http://schemas.microsoft.com/office/2006/keyEncryptor/password";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the workbook's password is wrong")]
    WrongPassword,
    #[error("the locked workbook was changed after it was locked (its HMAC does not match)")]
    Tampered,
    #[error("not a workbook locked the way Office locks one: {0}")]
    Format(String),
    #[error("a password is 1 to {MAX_PASSWORD_CHARS} characters")]
    BadPassword,
}

type Result<T> = std::result::Result<T, Error>;

/// Whether `file` is a locked workbook (a compound file) rather than a plain one.
pub fn is_locked(file: &[u8]) -> bool {
    file.starts_with(&COMPOUND_FILE_SIGNATURE)
}

/// `workbook` (an .xlsx's bytes) locked with `password`.
pub fn lock(workbook: &[u8], password: &str) -> Result<Vec<u8>> {
    check_password(password)?;
    let password_salt: [u8; SALT_BYTES] = random();
    let key_salt: [u8; SALT_BYTES] = random();
    let data_key = Zeroizing::new(random::<KEY_BYTES>());
    let hash = password_hash(password, &password_salt, SPIN_COUNT);

    let verifier: [u8; SALT_BYTES] = random();
    let verifier_hash = Sha512::digest(verifier);
    let iv = iv_of(&password_salt, None);
    let encrypted_verifier = encrypt(&block_key(&hash, &VERIFIER_INPUT_BLOCK), &iv, &verifier);
    let encrypted_verifier_hash = encrypt(&block_key(&hash, &VERIFIER_HASH_BLOCK), &iv, &verifier_hash);
    let encrypted_key = encrypt(&block_key(&hash, &KEY_VALUE_BLOCK), &iv, data_key.as_slice());

    let mut package = Vec::with_capacity(8 + workbook.len().next_multiple_of(BLOCK_BYTES));
    package.extend_from_slice(&(workbook.len() as u64).to_le_bytes());
    for (index, segment) in workbook.chunks(SEGMENT_BYTES).enumerate() {
        let mut padded = Zeroizing::new(segment.to_vec());
        padded.resize(segment.len().next_multiple_of(BLOCK_BYTES), 0);
        package.extend(encrypt(&data_key, &segment_iv(&key_salt, index), &padded));
    }

    let hmac_key = Zeroizing::new(random::<HASH_BYTES>());
    let hmac_value = hmac_of(hmac_key.as_slice(), &package);
    let encrypted_hmac_key =
        encrypt(&data_key, &iv_of(&key_salt, Some(HMAC_KEY_BLOCK.as_slice())), hmac_key.as_slice());
    let encrypted_hmac_value = encrypt(&data_key, &iv_of(&key_salt, Some(HMAC_VALUE_BLOCK.as_slice())), &hmac_value);

    let b64 = |bytes: &[u8]| base64(bytes);
    let cipher = format!(
        r#"saltSize="{SALT_BYTES}" blockSize="{BLOCK_BYTES}" keyBits="{}" hashSize="{HASH_BYTES}" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512""#,
        KEY_BYTES * 8
    );
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" xmlns:p="{PASSWORD_ENCRYPTOR}"><keyData {cipher} saltValue="{}"/><dataIntegrity encryptedHmacKey="{}" encryptedHmacValue="{}"/><keyEncryptors><keyEncryptor uri="{PASSWORD_ENCRYPTOR}"><p:encryptedKey spinCount="{SPIN_COUNT}" {cipher} saltValue="{}" encryptedVerifierHashInput="{}" encryptedVerifierHashValue="{}" encryptedKeyValue="{}"/></keyEncryptor></keyEncryptors></encryption>"#,
        b64(&key_salt),
        b64(&encrypted_hmac_key),
        b64(&encrypted_hmac_value),
        b64(&password_salt),
        b64(&encrypted_verifier),
        b64(&encrypted_verifier_hash),
        b64(&encrypted_key),
    );
    // Version 4.4 (agile), flags: fAgile.
    let mut info = vec![4, 0, 4, 0, 0x40, 0, 0, 0];
    info.extend_from_slice(xml.as_bytes());
    compound_file(&info, &package).map_err(|error| Error::Format(error.to_string()))
}

/// The workbook inside `file`, locked with `password`. The caller bounds `file`'s size; nothing
/// here allocates more than a small multiple of it.
pub fn unlock(file: &[u8], password: &str) -> Result<Zeroizing<Vec<u8>>> {
    check_password(password)?;
    if !is_locked(file) {
        return Err(Error::Format("no compound file signature".into()));
    }
    let format = |error: std::io::Error| Error::Format(error.to_string());
    let mut compound = cfb::CompoundFile::open(Cursor::new(file)).map_err(format)?;
    let mut info = Vec::new();
    compound
        .open_stream("/EncryptionInfo")
        .map_err(format)?
        .take(MAX_INFO_BYTES)
        .read_to_end(&mut info)
        .map_err(format)?;
    let mut package = Vec::new();
    compound
        .open_stream("/EncryptedPackage")
        .map_err(format)?
        .take(file.len() as u64)
        .read_to_end(&mut package)
        .map_err(format)?;
    let info = Info::parse(&info)?;

    let hash = password_hash(password, &info.password_salt, info.spin_count);
    let iv = iv_of(&info.password_salt, None);
    let verifier = decrypt(&block_key(&hash, &VERIFIER_INPUT_BLOCK), &iv, &info.encrypted_verifier)?;
    let verifier_hash = decrypt(&block_key(&hash, &VERIFIER_HASH_BLOCK), &iv, &info.encrypted_verifier_hash)?;
    let expected = Sha512::digest(&verifier[..SALT_BYTES.min(verifier.len())]);
    if verifier_hash.len() < HASH_BYTES || verifier_hash[..HASH_BYTES] != expected[..] {
        return Err(Error::WrongPassword);
    }
    let key = decrypt(&block_key(&hash, &KEY_VALUE_BLOCK), &iv, &info.encrypted_key)?;
    let data_key: Zeroizing<[u8; KEY_BYTES]> =
        Zeroizing::new(key.get(..KEY_BYTES).and_then(|key| key.try_into().ok()).ok_or_else(|| short("key"))?);

    let hmac_key =
        decrypt(&data_key, &iv_of(&info.key_salt, Some(HMAC_KEY_BLOCK.as_slice())), &info.encrypted_hmac_key)?;
    let hmac_value =
        decrypt(&data_key, &iv_of(&info.key_salt, Some(HMAC_VALUE_BLOCK.as_slice())), &info.encrypted_hmac_value)?;
    let hmac_key = hmac_key.get(..HASH_BYTES).ok_or_else(|| short("HMAC key"))?;
    let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(hmac_key).expect("HMAC takes a key of any length");
    mac.update(&package);
    mac.verify_slice(hmac_value.get(..HASH_BYTES).ok_or_else(|| short("HMAC"))?).map_err(|_| Error::Tampered)?;

    let (size, segments) = package.split_at_checked(8).ok_or_else(|| short("package"))?;
    let size = u64::from_le_bytes(size.try_into().expect("8 bytes"));
    if size > segments.len() as u64 {
        return Err(Error::Format(format!("the package says {size} bytes but holds {}", segments.len())));
    }
    let mut workbook = Zeroizing::new(Vec::with_capacity(segments.len()));
    for (index, segment) in segments.chunks(SEGMENT_BYTES).enumerate() {
        workbook.extend_from_slice(&decrypt(&data_key, &segment_iv(&info.key_salt, index), segment)?);
    }
    workbook.truncate(size as usize);
    Ok(workbook)
}

fn check_password(password: &str) -> Result<()> {
    match password.chars().count() {
        1..=MAX_PASSWORD_CHARS => Ok(()),
        _ => Err(Error::BadPassword),
    }
}

fn short(what: &str) -> Error {
    Error::Format(format!("the {what} is too short"))
}

/// SHA-512 of the salt and the password (UTF-16LE), then `spin_count` times of the counter and
/// the previous hash.
fn password_hash(password: &str, salt: &[u8], spin_count: u32) -> Zeroizing<[u8; HASH_BYTES]> {
    let mut hasher = Sha512::new();
    hasher.update(salt);
    for unit in password.encode_utf16() {
        hasher.update(unit.to_le_bytes());
    }
    let mut hash = Zeroizing::new([0u8; HASH_BYTES]);
    hash.copy_from_slice(&hasher.finalize());
    for counter in 0..spin_count {
        let mut hasher = Sha512::new();
        hasher.update(counter.to_le_bytes());
        hasher.update(hash.as_slice());
        hash.copy_from_slice(&hasher.finalize());
    }
    hash
}

/// The AES key for one use of the password: SHA-512 of its hash and the use's block key,
/// cut to the key's length.
fn block_key(hash: &[u8; HASH_BYTES], block: &[u8; 8]) -> Zeroizing<[u8; KEY_BYTES]> {
    let mut hasher = Sha512::new();
    hasher.update(hash);
    hasher.update(block);
    let mut key = Zeroizing::new([0u8; KEY_BYTES]);
    key.copy_from_slice(&hasher.finalize()[..KEY_BYTES]);
    key
}

/// The salt itself, or SHA-512 of the salt and a block key, cut to one AES block.
fn iv_of(salt: &[u8; SALT_BYTES], block: Option<&[u8]>) -> [u8; BLOCK_BYTES] {
    let mut iv = [0u8; BLOCK_BYTES];
    match block {
        None => iv.copy_from_slice(salt),
        Some(block) => {
            iv.copy_from_slice(&Sha512::new().chain_update(salt).chain_update(block).finalize()[..BLOCK_BYTES])
        }
    }
    iv
}

fn segment_iv(key_salt: &[u8; SALT_BYTES], index: usize) -> [u8; BLOCK_BYTES] {
    iv_of(key_salt, Some((index as u32).to_le_bytes().as_slice()))
}

fn hmac_of(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// AES-256-CBC of `data`, zero-padded to whole blocks.
fn encrypt(key: &[u8; KEY_BYTES], iv: &[u8; BLOCK_BYTES], data: &[u8]) -> Vec<u8> {
    let mut buffer = data.to_vec();
    buffer.resize(data.len().next_multiple_of(BLOCK_BYTES), 0);
    let length = buffer.len();
    cbc::Encryptor::<Aes256>::new_from_slices(key, iv)
        .expect("a 32-byte key and a 16-byte IV")
        .encrypt_padded::<NoPadding>(&mut buffer, length)
        .expect("whole blocks");
    buffer
}

fn decrypt(key: &[u8; KEY_BYTES], iv: &[u8; BLOCK_BYTES], data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    if data.is_empty() || !data.len().is_multiple_of(BLOCK_BYTES) {
        return Err(Error::Format(format!("{} bytes are not whole AES blocks", data.len())));
    }
    let mut buffer = Zeroizing::new(data.to_vec());
    cbc::Decryptor::<Aes256>::new_from_slices(key, iv)
        .expect("a 32-byte key and a 16-byte IV")
        .decrypt_padded::<NoPadding>(&mut buffer)
        .map_err(|_| Error::Format("whole blocks did not decrypt".into()))?;
    Ok(buffer)
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the system's random source");
    bytes
}

/// The compound file Office reads: the encryption's description, the encrypted package, and the
/// data-space streams that say the package is transformed by encryption (MS-OFFCRYPTO 2.1).
fn compound_file(info: &[u8], package: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut compound = cfb::CompoundFile::create(Cursor::new(Vec::new()))?;
    compound.create_stream("/EncryptionInfo")?.write_all(info)?;
    compound.create_stream("/EncryptedPackage")?.write_all(package)?;
    for storage in [
        "/\u{6}DataSpaces",
        "/\u{6}DataSpaces/DataSpaceInfo",
        "/\u{6}DataSpaces/TransformInfo",
        "/\u{6}DataSpaces/TransformInfo/StrongEncryptionTransform",
    ] {
        compound.create_storage(storage)?;
    }
    for (path, bytes) in data_spaces() {
        compound.create_stream(path)?.write_all(&bytes)?;
    }
    compound.flush()?;
    Ok(compound.into_inner().into_inner())
}

/// The four fixed streams of `\x06DataSpaces`, built from their structures.
fn data_spaces() -> [(&'static str, Vec<u8>); 4] {
    let version = |bytes: &mut Vec<u8>| {
        // Reader, updater and writer versions: 1.0 each.
        for _ in 0..3 {
            bytes.extend_from_slice(&[1, 0, 0, 0]);
        }
    };
    let mut version_stream = Vec::new();
    unicode_lp_p4(&mut version_stream, "Microsoft.Container.DataSpaces");
    version(&mut version_stream);

    let mut entry = Vec::new();
    entry.extend_from_slice(&1u32.to_le_bytes()); // one reference component
    entry.extend_from_slice(&0u32.to_le_bytes()); // a stream
    unicode_lp_p4(&mut entry, "EncryptedPackage");
    unicode_lp_p4(&mut entry, "StrongEncryptionDataSpace");
    let mut map = Vec::new();
    map.extend_from_slice(&8u32.to_le_bytes()); // header length
    map.extend_from_slice(&1u32.to_le_bytes()); // one entry
    map.extend_from_slice(&(entry.len() as u32 + 4).to_le_bytes());
    map.extend(entry);

    let mut data_space = Vec::new();
    data_space.extend_from_slice(&8u32.to_le_bytes());
    data_space.extend_from_slice(&1u32.to_le_bytes());
    unicode_lp_p4(&mut data_space, "StrongEncryptionTransform");

    let mut header = Vec::new();
    header.extend_from_slice(&1u32.to_le_bytes()); // transform type: password
    unicode_lp_p4(&mut header, "{FF9A3F03-56EF-4613-BDD5-5A41C1D07246}");
    let mut primary = Vec::new();
    primary.extend_from_slice(&(header.len() as u32 + 4).to_le_bytes());
    primary.extend(header);
    unicode_lp_p4(&mut primary, "Microsoft.Container.EncryptionTransform");
    version(&mut primary);
    // EncryptionTransformInfo: no name, block size 0, cipher mode 0, reserved 4.
    for value in [0u32, 0, 0, 4] {
        primary.extend_from_slice(&value.to_le_bytes());
    }
    [
        ("/\u{6}DataSpaces/Version", version_stream),
        ("/\u{6}DataSpaces/DataSpaceMap", map),
        ("/\u{6}DataSpaces/DataSpaceInfo/StrongEncryptionDataSpace", data_space),
        ("/\u{6}DataSpaces/TransformInfo/StrongEncryptionTransform/\u{6}Primary", primary),
    ]
}

/// A UTF-16LE string after its length in bytes, padded to a multiple of 4.
fn unicode_lp_p4(bytes: &mut Vec<u8>, text: &str) {
    let units: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.extend_from_slice(&(units.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&units);
    bytes.resize(bytes.len().next_multiple_of(4), 0);
}

/// What [`unlock`] needs from the EncryptionInfo stream.
struct Info {
    key_salt: [u8; SALT_BYTES],
    encrypted_hmac_key: Vec<u8>,
    encrypted_hmac_value: Vec<u8>,
    spin_count: u32,
    password_salt: [u8; SALT_BYTES],
    encrypted_verifier: Vec<u8>,
    encrypted_verifier_hash: Vec<u8>,
    encrypted_key: Vec<u8>,
}

impl Info {
    fn parse(stream: &[u8]) -> Result<Info> {
        let (version, xml) = stream.split_at_checked(8).ok_or_else(|| short("EncryptionInfo"))?;
        if version[..4] != [4, 0, 4, 0] {
            return Err(Error::Format(format!(
                "encryption version {}.{} (only 4.4, agile, is read)",
                version[0], version[2]
            )));
        }
        let mut reader = quick_xml::Reader::from_reader(xml);
        let (mut key_data, mut integrity, mut password) = (None, None, None);
        let mut buffer = Vec::new();
        loop {
            match reader.read_event_into(&mut buffer) {
                Ok(quick_xml::events::Event::Start(element) | quick_xml::events::Event::Empty(element)) => {
                    let attributes = || -> Result<Vec<(String, String)>> {
                        element
                            .attributes()
                            .map(|attribute| {
                                let attribute = attribute.map_err(|error| Error::Format(error.to_string()))?;
                                let name = attribute.key.local_name();
                                let name: &str = name.as_ref();
                                Ok((name.to_owned(), attribute.value.to_string()))
                            })
                            .collect()
                    };
                    let local = element.local_name();
                    let local: &str = local.as_ref();
                    match local {
                        "keyData" => key_data = Some(attributes()?),
                        "dataIntegrity" => integrity = Some(attributes()?),
                        "encryptedKey" if password.is_none() => password = Some(attributes()?),
                        _ => {}
                    }
                }
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(error) => return Err(Error::Format(format!("EncryptionInfo: {error}"))),
            }
            buffer.clear();
        }
        let missing = |what: &str| Error::Format(format!("EncryptionInfo has no {what}"));
        let key_data = key_data.ok_or_else(|| missing("keyData"))?;
        let integrity = integrity.ok_or_else(|| missing("dataIntegrity (Office always writes it)"))?;
        let password = password.ok_or_else(|| missing("password key encryptor"))?;
        for attributes in [&key_data, &password] {
            let value = |name: &str| attributes.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
            let expected =
                [("cipherAlgorithm", "AES"), ("cipherChaining", "ChainingModeCBC"), ("hashAlgorithm", "SHA512")];
            for (name, wanted) in expected.into_iter().chain([("keyBits", "256"), ("blockSize", "16")]) {
                if value(name) != Some(wanted) {
                    return Err(Error::Format(format!(
                        "{name} is {:?}; only AES-256-CBC with SHA-512 is read",
                        value(name)
                    )));
                }
            }
        }
        let get = |attributes: &[(String, String)], name: &str| -> Result<Vec<u8>> {
            let value = attributes.iter().find(|(key, _)| key == name).ok_or_else(|| missing(name))?;
            unbase64(&value.1).ok_or_else(|| Error::Format(format!("{name} is not base64")))
        };
        let salt = |attributes: &[(String, String)]| -> Result<[u8; SALT_BYTES]> {
            get(attributes, "saltValue")?.try_into().map_err(|_| Error::Format("a salt is not 16 bytes".into()))
        };
        let spin_count = password
            .iter()
            .find(|(key, _)| key == "spinCount")
            .and_then(|(_, value)| value.parse::<u32>().ok())
            .filter(|count| *count <= MAX_SPIN_COUNT)
            .ok_or_else(|| Error::Format(format!("spinCount is missing or above {MAX_SPIN_COUNT}")))?;
        Ok(Info {
            key_salt: salt(&key_data)?,
            encrypted_hmac_key: get(&integrity, "encryptedHmacKey")?,
            encrypted_hmac_value: get(&integrity, "encryptedHmacValue")?,
            spin_count,
            password_salt: salt(&password)?,
            encrypted_verifier: get(&password, "encryptedVerifierHashInput")?,
            encrypted_verifier_hash: get(&password, "encryptedVerifierHashValue")?,
            encrypted_key: get(&password, "encryptedKeyValue")?,
        })
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let word =
            chunk.iter().enumerate().fold(0u32, |word, (index, byte)| word | u32::from(*byte) << (16 - 8 * index));
        for index in 0..4 {
            if index <= chunk.len() {
                text.push(BASE64[(word >> (18 - 6 * index) & 63) as usize] as char);
            } else {
                text.push('=');
            }
        }
    }
    text
}

fn unbase64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim().trim_end_matches('=');
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    let (mut word, mut bits) = (0u32, 0);
    for character in text.bytes() {
        let value = BASE64.iter().position(|symbol| *symbol == character)? as u32;
        word = word << 6 | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((word >> bits) as u8);
            word &= (1 << bits) - 1;
        }
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workbook() -> Vec<u8> {
        // Longer than two segments, not a whole number of blocks.
        (0..9_000u32).map(|index| (index * 7 % 251) as u8).collect()
    }

    #[test]
    fn a_locked_workbook_unlocks_with_its_password_only() {
        let workbook = workbook();
        let locked = lock(&workbook, "县民政局2026").unwrap();
        assert!(is_locked(&locked) && !is_locked(&workbook));
        assert!(!locked.windows(64).any(|window| workbook.windows(64).next() == Some(window)));
        assert_eq!(unlock(&locked, "县民政局2026").unwrap().as_slice(), workbook.as_slice());
        assert!(matches!(unlock(&locked, "县民政局2025"), Err(Error::WrongPassword)));
        assert!(matches!(lock(&workbook, ""), Err(Error::BadPassword)));
    }

    #[test]
    fn a_changed_byte_of_the_package_is_found() {
        let locked = lock(&workbook(), "password").unwrap();
        let mut compound = cfb::CompoundFile::open(Cursor::new(locked)).unwrap();
        let mut stream = |path: &str| {
            let mut bytes = Vec::new();
            compound.open_stream(path).unwrap().read_to_end(&mut bytes).unwrap();
            bytes
        };
        let (info, mut package) = (stream("/EncryptionInfo"), stream("/EncryptedPackage"));
        assert_eq!(unlock(&compound_file(&info, &package).unwrap(), "password").unwrap().as_slice(), workbook());
        package[5_000] ^= 1;
        let changed = compound_file(&info, &package).unwrap();
        assert!(matches!(unlock(&changed, "password"), Err(Error::Tampered)));
    }

    #[test]
    fn base64_round_trips_every_length() {
        for length in 0..70 {
            let bytes: Vec<u8> = (0..length).map(|index| (index * 37 + 11) as u8).collect();
            let text = base64(&bytes);
            assert_eq!(text.len() % 4, 0);
            assert_eq!(unbase64(&text).unwrap(), bytes, "{text}");
        }
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
    }

    #[test]
    fn the_data_space_streams_are_the_lengths_the_format_gives() {
        let streams = data_spaces();
        let lengths: Vec<usize> = streams.iter().map(|(_, bytes)| bytes.len()).collect();
        // Version 76, DataSpaceMap 112, StrongEncryptionDataSpace 64, Primary 200 (MS-OFFCRYPTO).
        assert_eq!(lengths, [76, 112, 64, 200]);
    }
}
