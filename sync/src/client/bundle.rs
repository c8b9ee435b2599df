//! Sync by file, for stations without a link for weeks: the device writes what the county
//! lacks (the same request it would send over the network) to a file for a USB stick; the county
//! imports it with the same checks and writes an answer file that goes back the same way.
//!
//! A stick can be lost, and both files hold a township's personal data, so both are sealed:
//! the message, in the wire format (MessagePack, zstd), is encrypted and authenticated with
//! XChaCha20-Poly1305 ([`crate::crypto::seal`]) under a key only the device and the county can
//! derive (from the SHA-256 of the device's token, which the county keeps instead of the
//! token). The seal is bound to the file's direction and device, so a file can be neither read,
//! forged, altered, nor passed off as the other direction or another computer's. Outside the
//! seal a file says only its format and the device it is for. Importing a file twice changes
//! nothing.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{RoundTrip, absorb, prepare_within};
use crate::crypto::{self, Key};
use crate::protocol::{MAX_REQUEST_BYTES, SyncRequest, SyncResponse, wire};
use crate::{Error, Replica, Result};

/// What the first field of every bundle says.
const FORMAT: &str = "xianglin-sync-bundle/3";

/// The largest bundle file read, in bytes.
pub const MAX_BUNDLE_BYTES: usize = MAX_REQUEST_BYTES * 4;

/// A bundle file as it lies on the stick: its format, the device, and the sealed message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub format: String,
    pub device_id: String,
    /// `request` (device → county) or `answer` (county → device).
    pub direction: String,
    #[serde(with = "serde_bytes")]
    pub sealed: Vec<u8>,
}

/// A device's changes for the county (inside the seal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestBundle {
    pub device_id: String,
    pub created_at: String,
    pub request: SyncRequest,
}

/// The county's answer for one device (inside the seal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerBundle {
    pub device_id: String,
    pub created_at: String,
    pub response: SyncResponse,
    /// The package of `response.release`, for a station without a network (empty when there
    /// is none, or it is over [`MAX_PACKAGE_IN_ANSWER`]).
    #[serde(default, with = "serde_bytes")]
    pub package: Vec<u8>,
}

/// The largest package an answer file carries (the rest of the file must fit too).
pub const MAX_PACKAGE_IN_ANSWER: usize = MAX_BUNDLE_BYTES / 2;

/// The secret both sides hold: the county stores exactly this hash of the token.
pub fn key_of_token(token: &str) -> [u8; 32] {
    let normal: String =
        token.chars().filter(char::is_ascii_alphanumeric).map(|character| character.to_ascii_uppercase()).collect();
    Sha256::digest(normal.as_bytes()).into()
}

/// The sealing key of a device's bundles, derived from [`key_of_token`].
fn sealing_key(secret: &[u8; 32]) -> Key {
    Key::derive(secret, "xianglin sync bundle v3")
}

fn context(direction: &str, device_id: &str) -> Vec<u8> {
    [direction.as_bytes(), b"\0", device_id.as_bytes()].concat()
}

fn now_text() -> String {
    xianglin_schema::clock::now().format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// The first field of a file, to tell a bundle of another version from a damaged one.
#[derive(Deserialize)]
struct Format {
    format: String,
}

/// Reads a bundle file's envelope (what is outside the seal): bounded in size, the right
/// version.
pub fn read(bytes: &[u8]) -> Result<Envelope> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(Error::Invalid(format!("a sync bundle is at most {} MB", MAX_BUNDLE_BYTES >> 20)));
    }
    let format: Format =
        rmp_serde::from_slice(bytes).map_err(|error| Error::Invalid(format!("not a sync bundle: {error}")))?;
    if format.format != FORMAT {
        return Err(Error::Invalid("not a sync bundle of this version".into()));
    }
    rmp_serde::from_slice(bytes).map_err(|error| Error::Invalid(format!("sync bundle is malformed: {error}")))
}

fn seal<T: Serialize>(direction: &str, device_id: &str, message: &T, secret: &[u8; 32], level: i32) -> Vec<u8> {
    let inner = wire::encode_at(message, level);
    let envelope = Envelope {
        format: FORMAT.into(),
        device_id: device_id.into(),
        direction: direction.into(),
        sealed: crypto::seal(&sealing_key(secret), &inner, &context(direction, device_id)),
    };
    rmp_serde::to_vec_named(&envelope).expect("an envelope always encodes")
}

/// Opens a bundle of `direction` for the envelope's device with its secret; the message is
/// bounded as a request is before it is inflated.
fn open<T: for<'de> Deserialize<'de>>(envelope: &Envelope, direction: &str, secret: &[u8; 32]) -> Result<T> {
    if envelope.direction != direction {
        return Err(Error::Invalid(format!("this file is not a sync {direction}")));
    }
    let inner = crypto::open(&sealing_key(secret), &envelope.sealed, &context(direction, &envelope.device_id))
        .map_err(|_| {
            Error::Invalid(
                "the sync bundle does not open with this computer's key (altered, damaged, or for another computer)"
                    .into(),
            )
        })?;
    wire::decode(&inner, MAX_BUNDLE_BYTES).map_err(|error| Error::Invalid(format!("sync bundle is malformed: {error}")))
}

/// The device's bundle: everything the county lacks by the last known state, in one file.
pub fn export(replica: &mut Replica, token: &str) -> Result<Vec<u8>> {
    let (request, _) = prepare_within(replica, usize::MAX)?;
    let device_id = replica.device_id();
    let bundle = RequestBundle { device_id: device_id.clone(), created_at: now_text(), request };
    Ok(seal("request", &device_id, &bundle, &key_of_token(token), wire::DEVICE_LEVEL))
}

/// The county's side: opens the device's request with the device's secret.
pub fn open_request(bytes: &[u8], secret: &[u8; 32]) -> Result<RequestBundle> {
    let envelope = read(bytes)?;
    let bundle: RequestBundle = open(&envelope, "request", secret)?;
    if bundle.device_id != envelope.device_id {
        return Err(Error::Invalid("the sync bundle names two computers".into()));
    }
    Ok(bundle)
}

/// The county's answer file for `device_id`, with the offered release's package when it is
/// given (and not too large).
pub fn answer_file(device_id: &str, response: SyncResponse, package: Vec<u8>, secret: &[u8; 32]) -> Result<Vec<u8>> {
    let package =
        if package.len() <= MAX_PACKAGE_IN_ANSWER && response.release.is_some() { package } else { Vec::new() };
    let bundle = AnswerBundle { device_id: device_id.into(), created_at: now_text(), response, package };
    Ok(seal("answer", device_id, &bundle, secret, wire::LEVEL))
}

/// The device takes the county's answer file in: checks it is for this device and sealed by
/// the county, then merges it as it would a network answer. Returns what moved, and the
/// offered release's package when the file carries it (unchecked: see
/// [`crate::release::UpdateFolder::accept`]).
pub fn import_answer(replica: &mut Replica, token: &str, bytes: &[u8]) -> Result<(RoundTrip, Vec<u8>)> {
    let envelope = read(bytes)?;
    if envelope.device_id != replica.device_id() {
        return Err(Error::Invalid("this answer file is for another computer".into()));
    }
    let bundle: AnswerBundle = open(&envelope, "answer", &key_of_token(token))?;
    let empty = SyncRequest {
        protocol: crate::protocol::PROTOCOL,
        cursor: 0,
        shards: Vec::new(),
        app_version: String::new(),
        user_id: String::new(),
        waiting: 0,
        arch: String::new(),
    };
    Ok((absorb(replica, &empty, &bundle.response)?, bundle.package))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_is_sealed_for_its_device_and_direction() {
        let secret = key_of_token("ABCD-EFGH");
        let scope = crate::protocol::Scope {
            device_id: "device-a".into(),
            user_id: "u".into(),
            role: xianglin_schema::user::Role::Caseworker,
            places: vec!["360733105201".into()],
            county_code: "360733000000".into(),
        };
        let response =
            SyncResponse { cursor: 3, more: false, shards: Vec::new(), scope, release: None, succeeds: Vec::new() };
        let file = answer_file("device-a", response.clone(), Vec::new(), &secret).unwrap();
        let envelope = read(&file).unwrap();
        assert_eq!((envelope.device_id.as_str(), envelope.direction.as_str()), ("device-a", "answer"));
        let opened: AnswerBundle = open(&envelope, "answer", &secret).unwrap();
        assert_eq!(opened.response, response);
        assert!(open::<AnswerBundle>(&envelope, "answer", &key_of_token("other")).is_err(), "another device's key");
        assert!(open::<AnswerBundle>(&envelope, "request", &secret).is_err(), "the other direction");
        let renamed = Envelope { device_id: "device-b".into(), ..envelope.clone() };
        assert!(open::<AnswerBundle>(&renamed, "answer", &secret).is_err(), "moved to another computer");
        let turned = Envelope { direction: "request".into(), ..envelope };
        assert!(open_request(&rmp_serde::to_vec_named(&turned).unwrap(), &secret).is_err(), "passed off as a request");
        assert_eq!(key_of_token("abcd efgh"), secret, "a token is read as typed, in any case");
    }
}
