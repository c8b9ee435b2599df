//! Sync by file, for stations without a link for weeks: the device writes what the county
//! lacks (the same request it would send over the network) to a file for a USB stick; the county
//! imports it with the same checks and writes an answer file that goes back the same way.
//!
//! Both files are in the wire format (MessagePack, zstd), signed with HMAC-SHA256 under a key
//! only the device and the county know (the SHA-256 of the device's token, which the county
//! keeps instead of the token), so a file cannot be forged or altered on the way. Importing a
//! file twice changes nothing.

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

/// HMAC-SHA256 (RFC 2104) of `message`.
pub fn sign(key: &[u8; 32], message: &[u8]) -> String {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    let pad = |byte: u8| block.iter().map(|key_byte| key_byte ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    let outer = Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize();
    outer.iter().map(|byte| format!("{byte:02x}")).collect()
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
    if sign(key, &signed_bytes(&bundle.request)?) != bundle.signature {
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
    if sign(&key_of_token(token), &signed_bytes(&bundle.response)?) != bundle.signature {
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
    }
}
