//! Sync over HTTP: one `POST /v1/sync` per round trip, bodies in the wire format (MessagePack,
//! zstd) both ways, and enrollment with a one-time code. Plain HTTP is allowed only to a
//! loopback address.

use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::RoundTrip;
use crate::attachments::AttachmentStore;
use crate::protocol::{
    AttachmentList, CodeWrapRequest, EnrollRequest, EnrollResponse, ErrorBody, MAX_REQUEST_BYTES, SyncResponse, wire,
};
use crate::release::{ReleaseOffer, UpdateFolder};
use crate::{Error, Replica};

/// A round trip gives up after this long; the engine tries again later.
const TIMEOUT: Duration = Duration::from_secs(120);
/// A download gives up when no piece arrives for this long (and resumes next time).
const PIECE_TIMEOUT: Duration = Duration::from_secs(60);
/// Asking for a one-time code at the sign-in page gives up sooner.
const SIGNIN_TIMEOUT: Duration = Duration::from_secs(15);

/// Why a sync or an enrollment did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No answer: no network, the server is down, or the link dropped mid-request.
    #[error("the county server could not be reached: {0}")]
    Offline(String),
    /// The server answered with a refusal (`code` is stable: `revoked`, `unauthorized`,
    /// `forbidden`, `forged_actor`, `invalid`, `too_large`, `protocol`, `code_used`, ...).
    #[error("the county server refused ({status} {code}): {message}")]
    Refused { status: u16, code: String, message: String },
    /// The answer was not what the protocol says.
    #[error("the county server's answer is malformed: {0}")]
    BadAnswer(String),
    /// The server address is not usable.
    #[error(
        "bad server address {0:?}: https needs the county certificate's fingerprint; plain http only to 127.0.0.1, ::1 or localhost"
    )]
    BadAddress(String),
    #[error(transparent)]
    Local(#[from] Error),
}

impl SyncError {
    /// The stable code of a refusal, or a code for the other kinds.
    pub fn code(&self) -> &str {
        match self {
            SyncError::Offline(_) => "offline",
            SyncError::Refused { code, .. } => code,
            SyncError::BadAnswer(_) => "bad_answer",
            SyncError::BadAddress(_) => "bad_address",
            SyncError::Local(_) => "local",
        }
    }
}

/// A device's link to its county server.
#[derive(Debug, Clone)]
pub struct Link {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Link {
    /// A link to `base_url`: `https://…` with the certificate fingerprint `pin` given at
    /// enrollment, or plain `http://` to this computer (development).
    pub fn new(base_url: &str, pin: Option<&str>, token: &str) -> Result<Link, SyncError> {
        let (base, pin) = checked_base(base_url, pin)?;
        Ok(Link { base, token: token.to_owned(), http: client(pin.as_deref())? })
    }

    /// Syncs until neither side has anything left to send; returns what moved in total.
    pub async fn sync(&self, replica: &Mutex<Replica>) -> Result<RoundTrip, SyncError> {
        let mut total = RoundTrip::default();
        // A county's first sync takes several answers; a quiet resync one.
        for _ in 0..1000 {
            let (request, more_to_push) = super::prepare(&mut lock(replica))?;
            let response: SyncResponse = match self.post("/v1/sync", &request, Some(&self.token)).await {
                Ok(response) => response,
                Err(error) => {
                    if error.code() == "revoked" {
                        // The data this device may no longer hold leaves it; unsent edits stay.
                        super::leave_after_revocation(&mut lock(replica))?;
                    }
                    return Err(error);
                }
            };
            let round = super::absorb(&mut lock(replica), &request, &response)?;
            total.pushed_shards += round.pushed_shards;
            total.pushed_changes += round.pushed_changes;
            total.pulled_shards += round.pulled_shards;
            total.pulled_changes += round.pulled_changes;
            total.removed_shards += round.removed_shards;
            if !(round.more || more_to_push) {
                return Ok(total);
            }
        }
        Err(SyncError::BadAnswer("the server keeps saying there is more".into()))
    }

    /// Sends the attachments the server lacks (each file once) and fetches those that records
    /// here refer to but this computer lacks. Returns (uploaded, downloaded).
    pub async fn sync_attachments(
        &self,
        replica: &Mutex<Replica>,
        store: &AttachmentStore,
    ) -> Result<(usize, usize), SyncError> {
        let (offered, wanted) = {
            let replica = lock(replica);
            let uploaded = crate::server_state::uploaded_attachments(&replica)?;
            let referenced = crate::attachments::referenced(&replica)?;
            // Only files a record refers to: a photo picked and then dropped from an unsaved
            // form stays on this computer.
            let offered: Vec<String> = referenced
                .iter()
                .filter(|sha256| store.contains(sha256) && !uploaded.contains(*sha256))
                .cloned()
                .collect();
            let wanted: Vec<String> = referenced.into_iter().filter(|sha256| !store.contains(sha256)).collect();
            (offered, wanted)
        };
        let mut uploaded = 0;
        if !offered.is_empty() {
            let missing: AttachmentList = self
                .post("/v1/attachments/missing", &AttachmentList { sha256: offered.clone() }, Some(&self.token))
                .await?;
            for sha256 in &missing.sha256 {
                let bytes = store.get(sha256)?;
                let response = self
                    .http
                    .put(format!("{}/v1/attachments/{sha256}", self.base))
                    .bearer_auth(&self.token)
                    .body(bytes)
                    .send()
                    .await
                    .map_err(|error| SyncError::Offline(error.to_string()))?;
                refusal_of(response).await?;
                uploaded += 1;
            }
            crate::server_state::mark_uploaded(&lock(replica), &offered)?;
        }
        let mut downloaded = 0;
        for sha256 in &wanted {
            let response = self
                .http
                .get(format!("{}/v1/attachments/{sha256}", self.base))
                .bearer_auth(&self.token)
                .send()
                .await
                .map_err(|error| SyncError::Offline(error.to_string()))?;
            // Not there yet (the device that took it has not synced it): next time.
            if response.status() == reqwest::StatusCode::NOT_FOUND {
                continue;
            }
            let response = refusal_of(response).await?;
            let bytes = response.bytes().await.map_err(|error| SyncError::Offline(error.to_string()))?;
            store
                .put_expecting(&bytes, sha256)
                .map_err(|error| SyncError::BadAnswer(format!("attachment {sha256} refused: {error}")))?;
            downloaded += 1;
        }
        Ok((uploaded, downloaded))
    }

    /// The newest release for this app, asked by an app the county refused as too old (a
    /// sync answer says it otherwise).
    pub async fn newest_release(&self) -> Result<Option<ReleaseOffer>, SyncError> {
        let url = format!(
            "{}/v1/releases/newest/{}/{}",
            self.base,
            crate::release::this_arch(),
            xianglin_schema::version::APP_VERSION
        );
        let response = self
            .http
            .get(url)
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|error| SyncError::Offline(error.to_string()))?;
        let bytes = refusal_of(response).await?.bytes().await.map_err(|error| SyncError::Offline(error.to_string()))?;
        wire::decode(&bytes, crate::release::MAX_SIGNATURE_BYTES * 4)
            .map_err(|error| SyncError::BadAnswer(error.to_string()))
    }

    /// Downloads `offer`'s package into `folder`, from where an earlier try stopped, calling
    /// `progress(bytes so far, bytes in all)` as pieces arrive; then checks it (length, hash,
    /// signature by `key`) and returns where it lies. A package that fails its checks is
    /// deleted and refused.
    pub async fn download_release(
        &self,
        offer: &ReleaseOffer,
        folder: &UpdateFolder,
        key: &minisign_verify::PublicKey,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<std::path::PathBuf, SyncError> {
        let checked = |result: Result<std::path::PathBuf, crate::release::ReleaseError>| {
            result.map_err(|error| SyncError::BadAnswer(format!("release {}: {error}", offer.version)))
        };
        if let Some(path) = folder.ready(offer) {
            return Ok(path);
        }
        let mut have = folder.downloaded(offer);
        if have < offer.bytes {
            let mut request = self
                .http
                .get(format!("{}/v1/releases/{}", self.base, offer.sha256))
                .bearer_auth(&self.token)
                // A package takes minutes over a slow link: no whole-request timeout, only a
                // stalled one (the pieces below).
                .timeout(Duration::from_secs(24 * 60 * 60));
            if have > 0 {
                request = request.header(reqwest::header::RANGE, format!("bytes={have}-"));
            }
            let response = request.send().await.map_err(|error| SyncError::Offline(error.to_string()))?;
            let mut response = refusal_of(response).await?;
            if response.status() != reqwest::StatusCode::PARTIAL_CONTENT {
                // The whole file again (the server ignored the range).
                have = 0;
            }
            progress(have, offer.bytes);
            loop {
                let piece = tokio::time::timeout(PIECE_TIMEOUT, response.chunk())
                    .await
                    .map_err(|_| SyncError::Offline("the download stalled".into()))?
                    .map_err(|error| SyncError::Offline(error.to_string()))?;
                let Some(piece) = piece else { break };
                have = folder
                    .append(offer, have, &piece)
                    .map_err(|error| SyncError::BadAnswer(format!("release {}: {error}", offer.version)))?;
                progress(have, offer.bytes);
            }
            if have < offer.bytes {
                return Err(SyncError::Offline("the download ended early; it resumes next time".into()));
            }
        }
        checked(folder.finish(offer, key))
    }

    /// The county's device list (设备状况); the server answers a county reviewer's device only.
    pub async fn fleet(&self) -> Result<xianglin_schema::api::FleetHealth, SyncError> {
        let response = self
            .http
            .get(format!("{}/v1/fleet", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|error| SyncError::Offline(error.to_string()))?;
        let response = refusal_of(response).await?;
        let bytes = response.bytes().await.map_err(|error| SyncError::Offline(error.to_string()))?;
        wire::decode(&bytes, MAX_REQUEST_BYTES * 2).map_err(|error| SyncError::BadAnswer(error.to_string()))
    }

    async fn post<T: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &T,
        token: Option<&str>,
    ) -> Result<R, SyncError> {
        post(&self.http, &format!("{}{path}", self.base), body, token).await
    }
}

/// The response itself when it succeeded, its refusal otherwise.
async fn refusal_of(response: reqwest::Response) -> Result<reqwest::Response, SyncError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let bytes = response.bytes().await.map_err(|error| SyncError::Offline(error.to_string()))?;
    Err(refusal(status, &bytes))
}

/// A refusal from its status and JSON body (or whatever the body says, when it is not ours).
fn refusal(status: reqwest::StatusCode, body: &[u8]) -> SyncError {
    let refusal: ErrorBody = serde_json::from_slice(body).unwrap_or_else(|_| ErrorBody {
        code: "http".into(),
        message: String::from_utf8_lossy(body).chars().take(200).collect(),
    });
    SyncError::Refused { status: status.as_u16(), code: refusal.code, message: refusal.message }
}

/// Redeems a one-time enrollment code at `base_url`.
pub async fn enroll(base_url: &str, pin: Option<&str>, request: &EnrollRequest) -> Result<EnrollResponse, SyncError> {
    let (base, pin) = checked_base(base_url, pin)?;
    post(&client(pin.as_deref())?, &format!("{base}/v1/enroll"), request, None).await
}

/// Asks the county server at `base_url` for the data key sealed for a person's one-time code
/// (a first sign-in on a locked PC, online).
pub async fn code_wrap(
    base_url: &str,
    pin: Option<&str>,
    request: &CodeWrapRequest,
) -> Result<crate::keyring::CodeWrap, SyncError> {
    let (base, pin) = checked_base(base_url, pin)?;
    // Someone is waiting at the sign-in page: a short wait, then the offline way.
    post(&client_within(pin.as_deref(), SIGNIN_TIMEOUT)?, &format!("{base}/v1/signin/code"), request, None).await
}

fn lock(replica: &Mutex<Replica>) -> std::sync::MutexGuard<'_, Replica> {
    replica.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// An HTTP client; with a pin, it speaks TLS to exactly the pinned certificate.
fn client(pin: Option<&str>) -> Result<reqwest::Client, SyncError> {
    client_within(pin, TIMEOUT)
}

fn client_within(pin: Option<&str>, timeout: Duration) -> Result<reqwest::Client, SyncError> {
    // reqwest wants a process-wide provider even for plain http; ring, as everywhere here.
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder().timeout(timeout);
    if let Some(pin) = pin {
        let config = crate::tls::client_config(pin).map_err(|error| SyncError::Offline(error.to_string()))?;
        builder = builder.use_preconfigured_tls(config);
    }
    builder.build().map_err(|error| SyncError::Offline(error.to_string()))
}

/// The server's base URL without a trailing slash, and the normalized pin: `https://` needs
/// the certificate fingerprint; plain `http://` is allowed only to this computer.
fn checked_base(base_url: &str, pin: Option<&str>) -> Result<(String, Option<String>), SyncError> {
    let base = base_url.trim().trim_end_matches('/').to_owned();
    let bad = || SyncError::BadAddress(base_url.to_owned());
    if base.starts_with("https://") {
        let pin = pin.and_then(crate::tls::normalize_fingerprint).ok_or_else(bad)?;
        return Ok((base, Some(pin)));
    }
    let rest = base.strip_prefix("http://").ok_or_else(bad)?;
    let host = rest.split('/').next().unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(host, _port)| host);
    if matches!(host, "127.0.0.1" | "[::1]" | "localhost") { Ok((base, None)) } else { Err(bad()) }
}

async fn post<T: Serialize, R: DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    body: &T,
    token: Option<&str>,
) -> Result<R, SyncError> {
    let mut request = http
        .post(url)
        .header("content-type", wire::CONTENT_TYPE)
        .header("content-encoding", wire::CONTENT_ENCODING)
        .body(wire::encode_at(body, wire::DEVICE_LEVEL));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|error| SyncError::Offline(error.to_string()))?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|error| SyncError::Offline(error.to_string()))?;
    if !status.is_success() {
        return Err(refusal(status, &bytes));
    }
    wire::decode(&bytes, MAX_REQUEST_BYTES * 2).map_err(|error| SyncError::BadAnswer(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_this_computer_and_https_only_with_a_pin() {
        let pin = "ab".repeat(32);
        assert!(
            checked_base("http://127.0.0.1:8440/", None)
                .is_ok_and(|(base, pin)| base == "http://127.0.0.1:8440" && pin.is_none())
        );
        assert!(checked_base("http://localhost:8440", None).is_ok());
        assert!(matches!(checked_base("http://10.0.0.5:8440", None), Err(SyncError::BadAddress(_))));
        assert!(matches!(checked_base("https://county.example", None), Err(SyncError::BadAddress(_))));
        assert!(matches!(checked_base("https://county.example", Some("12:34")), Err(SyncError::BadAddress(_))));
        let (_, normal) = checked_base("https://county.example:8440", Some(&pin.to_uppercase())).unwrap();
        assert_eq!(normal, Some(pin));
        assert!(matches!(checked_base("ftp://county.example", None), Err(SyncError::BadAddress(_))));
    }
}
