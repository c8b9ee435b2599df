//! Sync by file, for stations without a link for weeks: the device writes what the county
//! lacks (the same request it would send over the network) to a file for a USB stick; the county
//! imports it with the same checks and writes an answer file that goes back the same way.
//!
//! Both files are in the wire format (MessagePack, zstd), signed with HMAC-SHA256 under a key
//! only the device and the county know (the SHA-256 of the device's token, which the county
//! keeps instead of the token), so a file cannot be forged or altered on the way; the `hmac`
//! crate computes and compares it (in constant time). Importing a file twice changes nothing.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{RoundTrip, absorb, prepare_within};
use crate::protocol::{MAX_REQUEST_BYTES, SyncRequest, SyncResponse, wire};
use crate::{Error, Replica, Result};

/// What the first field of every bundle says.
const FORMAT: &str = "xianglin-sync-bundle/2";

/// A device's changes for the county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestBundle {
    pub format: String,
    pub device_id: String,
    pub created_at: String,
    pub request: SyncRequest,
    /// Hex HMAC-SHA256 of `request` in MessagePack.
    pub signature: String,
}

/// The county's answer for one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerBundle {
    pub format: String,
    pub device_id: String,
    pub created_at: String,
    pub response: SyncResponse,
    pub signature: String,
}

/// The signing key both sides derive: the county stores exactly this hash of the token.
pub fn key_of_token(token: &str) -> [u8; 32] {
    let normal: String =
        token.chars().filter(char::is_ascii_alphanumeric).map(|character| character.to_ascii_uppercase()).collect();
    Sha256::digest(normal.as_bytes()).into()
}

fn mac(key: &[u8; 32], message: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac
}

/// HMAC-SHA256 (RFC 2104) of `message`, hex.
pub fn sign(key: &[u8; 32], message: &[u8]) -> String {
    mac(key, message).finalize().into_bytes().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Whether `signature` (hex) is the HMAC-SHA256 of `message`, compared in constant time.
pub fn verify(key: &[u8; 32], message: &[u8], signature: &str) -> bool {
    let Some(tag) = (0..signature.len())
        .step_by(2)
        .map(|index| signature.get(index..index + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    mac(key, message).verify_slice(&tag).is_ok()
}

fn now_text() -> String {
    xianglin_schema::clock::now().format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// The first field of a file, to tell a bundle of another version from a damaged one.
#[derive(Deserialize)]
struct Format {
    format: String,
}

/// Reads a bundle file: the wire format, the right version, at most four request limits.
pub fn read<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T> {
    let format: Format = wire::decode(bytes, MAX_REQUEST_BYTES * 4)
        .map_err(|error| Error::Invalid(format!("not a sync bundle: {error}")))?;
    if format.format != FORMAT {
        return Err(Error::Invalid("not a sync bundle of this version".into()));
    }
    wire::decode(bytes, MAX_REQUEST_BYTES * 4)
        .map_err(|error| Error::Invalid(format!("sync bundle is malformed: {error}")))
}

/// The bytes a signature covers: the message in MessagePack.
fn signed_bytes<T: Serialize>(message: &T) -> Result<Vec<u8>> {
    rmp_serde::to_vec_named(message).map_err(|error| Error::Invalid(format!("encoding a sync bundle: {error}")))
}

/// The device's bundle: everything the county lacks by the last known state, in one file.
pub fn export(replica: &mut Replica, token: &str) -> Result<Vec<u8>> {
    let (request, _) = prepare_within(replica, usize::MAX)?;
    let signature = sign(&key_of_token(token), &signed_bytes(&request)?);
    let bundle = RequestBundle {
        format: FORMAT.into(),
        device_id: replica.device_id(),
        created_at: now_text(),
        request,
        signature,
    };
    Ok(wire::encode_at(&bundle, wire::DEVICE_LEVEL))
}

/// The county's side: checks the signature with the device's key and returns the request.
pub fn open_request(bytes: &[u8], key: &[u8; 32]) -> Result<RequestBundle> {
    let bundle: RequestBundle = read(bytes)?;
    if !verify(key, &signed_bytes(&bundle.request)?, &bundle.signature) {
        return Err(Error::Invalid("the sync bundle's signature does not match this device".into()));
    }
    Ok(bundle)
}

/// The county's answer file for `device_id`.
pub fn answer_file(device_id: &str, response: SyncResponse, key: &[u8; 32]) -> Result<Vec<u8>> {
    let signature = sign(key, &signed_bytes(&response)?);
    let bundle = AnswerBundle {
        format: FORMAT.into(),
        device_id: device_id.into(),
        created_at: now_text(),
        response,
        signature,
    };
    Ok(wire::encode(&bundle))
}

/// The device takes the county's answer file in: checks it is for this device and signed by
/// the county, then merges it as it would a network answer.
pub fn import_answer(replica: &mut Replica, token: &str, bytes: &[u8]) -> Result<RoundTrip> {
    let bundle: AnswerBundle = read(bytes)?;
    if bundle.device_id != replica.device_id() {
        return Err(Error::Invalid("this answer file is for another computer".into()));
    }
    if !verify(&key_of_token(token), &signed_bytes(&bundle.response)?, &bundle.signature) {
        return Err(Error::Invalid(
            "the answer file's signature does not match (altered, or not from the county)".into(),
        ));
    }
    let empty = SyncRequest { protocol: crate::protocol::PROTOCOL, cursor: 0, shards: Vec::new() };
    absorb(replica, &empty, &bundle.response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_a_reference_implementation() {
        // Python: hmac.new(bytes([0x0b] * 32), b"Hi There", hashlib.sha256).hexdigest()
        let key = [0x0b; 32];
        let expected = "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7";
        assert_eq!(sign(&key, b"Hi There"), expected);
        assert!(verify(&key, b"Hi There", expected));
        assert!(!verify(&key, b"Hi there", expected));
        assert!(!verify(&key, b"Hi There", &expected[..62]), "a shortened tag");
        assert!(!verify(&key, b"Hi There", ""));
        assert!(!verify(&key, b"Hi There", &expected.replace('1', "g")), "not hex");
        assert!(!verify(&[0x0c; 32], b"Hi There", expected), "another key");
    }
}
