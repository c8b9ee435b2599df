//! The county server (`xianglin-county`): devices enroll with a one-time code and sync their
//! shards; the server enforces each device's scope and checks every pushed change before it
//! stores any. Storage is behind [`CountyStore`]; HTTP is axum on tokio.
//!
//! - [`store`]: the storage trait and its SQLite implementation.
//! - [`config`]: the config file and environment variables.

pub mod config;
pub mod store;
pub mod tls;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};

use automerge::{Change, ChangeHash};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{Local, NaiveDateTime};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use store::{CountyStore, DeviceGrant, SqliteStore};

use crate::attachments::AttachmentStore;
use crate::client::http::{gunzip, gzip};
use crate::protocol::{
    AttachmentList, EnrollRequest, EnrollResponse, ErrorBody, MAX_CHANGE_BYTES, MAX_REQUEST_BYTES, PROTOCOL,
    RESPONSE_BUDGET_BYTES, ShardPull, SyncRequest, SyncResponse,
};
use crate::scope;
use crate::shard::ShardId;

/// Why a request was refused. Nothing of a refused request is stored.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("no or unknown token")]
    Unauthorized,
    #[error("this device was revoked at {0}")]
    Revoked(String),
    #[error("protocol {0} is not spoken here (this server speaks {PROTOCOL})")]
    Protocol(u32),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    ForgedActor(String),
    #[error("{0}")]
    Invalid(String),
    #[error("enrollment code unknown, used or expired: {0}")]
    BadCode(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl Refusal {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Refusal::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Refusal::Revoked(_) => (StatusCode::UNAUTHORIZED, "revoked"),
            Refusal::Protocol(_) => (StatusCode::BAD_REQUEST, "protocol"),
            Refusal::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Refusal::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Refusal::ForgedActor(_) => (StatusCode::FORBIDDEN, "forged_actor"),
            Refusal::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid"),
            Refusal::BadCode(_) => (StatusCode::FORBIDDEN, "bad_code"),
            Refusal::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Refusal::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// The stable code the app maps to its Chinese wording.
    pub fn code(&self) -> &'static str {
        self.status_and_code().1
    }
}

impl From<crate::Error> for Refusal {
    fn from(error: crate::Error) -> Refusal {
        Refusal::Internal(error.to_string())
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::warn!(code, reason = %self, "request refused");
        }
        gzip_json(status, &ErrorBody { code: code.into(), message: self.to_string() })
    }
}

/// The shared store; handlers take it on a blocking thread, one request at a time.
pub type SharedStore = Arc<Mutex<Box<dyn CountyStore>>>;

/// What every handler shares: the store, and the attachment files beside it.
#[derive(Clone)]
struct Shared {
    store: SharedStore,
    attachments: Arc<AttachmentStore>,
}

/// The server's routes over `store`, with attachments kept in `attachments`.
pub fn router(store: Box<dyn CountyStore>, attachments: AttachmentStore) -> Router {
    let shared = Shared { store: Arc::new(Mutex::new(store)), attachments: Arc::new(attachments) };
    Router::new()
        .route("/v1/health", get(|| async { "ok" }))
        .route("/v1/enroll", post(enroll))
        .route("/v1/sync", post(sync))
        .route("/v1/attachments/missing", post(missing_attachments))
        .route("/v1/attachments/{sha256}", get(get_attachment).put(put_attachment))
        // Compressed bodies are limited here, inflated ones while inflating.
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .with_state(shared)
}

/// [`serve`] over TLS.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tracing::info!(address = %listener.local_addr()?, "county server listening (TLS)");
    axum::serve(tls::TlsListener::new(listener, acceptor)?, router).with_graceful_shutdown(shutdown).await?;
    tracing::info!("county server stopped; requests in flight finished");
    Ok(())
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tracing::info!(address = %listener.local_addr()?, "county server listening");
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await?;
    tracing::info!("county server stopped; requests in flight finished");
    Ok(())
}

fn now() -> NaiveDateTime {
    Local::now().naive_local()
}

fn gzip_json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let bytes = serde_json::to_vec(body).expect("wire types serialize");
    (status, [(header::CONTENT_TYPE, "application/json"), (header::CONTENT_ENCODING, "gzip")], gzip(&bytes))
        .into_response()
}

/// A JSON body, gzip-compressed or not, inflated up to the request limit.
fn read_body<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, Refusal> {
    let gzipped = headers.get(header::CONTENT_ENCODING).is_some_and(|value| value == "gzip");
    let bytes = if gzipped {
        gunzip(body, MAX_REQUEST_BYTES).map_err(|reason| {
            if reason.contains("beyond") { Refusal::TooLarge(reason) } else { Refusal::Invalid(reason) }
        })?
    } else {
        body.to_vec()
    };
    serde_json::from_slice(&bytes).map_err(|error| Refusal::Invalid(format!("body is not a valid request: {error}")))
}

/// Runs `work` with the store on a blocking thread.
async fn with_store<T: Send + 'static>(
    store: SharedStore,
    work: impl FnOnce(&mut dyn CountyStore) -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    tokio::task::spawn_blocking(move || {
        let mut store = store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        work(&mut **store)
    })
    .await
    .map_err(|error| Refusal::Internal(error.to_string()))?
}

async fn enroll(
    State(Shared { store, .. }): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let request: EnrollRequest = read_body(&headers, &body)?;
    if automerge::ActorId::try_from(request.device_id.as_str()).is_err() || request.device_id.len() < 16 {
        return Err(Refusal::Invalid("device_id is not a hex actor id".into()));
    }
    let token = new_secret(4);
    let response = with_store(store, move |store| {
        let grant =
            store.enroll(&request.code, &request.device_id, request.label.trim(), &token, now()).map_err(|error| {
                match error {
                    crate::Error::NotFound(_) => Refusal::BadCode("unknown code".into()),
                    crate::Error::Invalid(reason) => Refusal::BadCode(reason),
                    other => other.into(),
                }
            })?;
        let scope = store.scope(&grant)?;
        tracing::info!(device = %grant.device_id, role = ?scope.role, "device enrolled");
        Ok(EnrollResponse { token, scope })
    })
    .await?;
    Ok(gzip_json(StatusCode::OK, &response))
}

/// The bearer token of a request.
fn token_of(headers: &HeaderMap) -> Result<String, Refusal> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::to_owned)
        .ok_or(Refusal::Unauthorized)
}

/// The active grant of a token.
fn active_grant(store: &mut dyn CountyStore, token: &str) -> Result<DeviceGrant, Refusal> {
    let grant = store.grant_by_token(token)?.ok_or(Refusal::Unauthorized)?;
    match grant.revoked_at {
        Some(at) => Err(Refusal::Revoked(at)),
        None => Ok(grant),
    }
}

async fn sync(
    State(Shared { store, .. }): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let token = token_of(&headers)?;
    let request: SyncRequest = read_body(&headers, &body)?;
    let response = with_store(store, move |store| {
        let grant = active_grant(store, &token)?;
        answer(store, &grant, &request)
    })
    .await?;
    Ok(gzip_json(StatusCode::OK, &response))
}

/// `POST /v1/attachments/missing`: which of the listed attachments the server lacks.
async fn missing_attachments(
    State(Shared { store, attachments }): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let token = token_of(&headers)?;
    let request: AttachmentList = read_body(&headers, &body)?;
    with_store(store, move |store| active_grant(store, &token).map(drop)).await?;
    let missing = request.sha256.into_iter().filter(|sha256| !attachments.contains(sha256)).collect();
    Ok(gzip_json(StatusCode::OK, &AttachmentList { sha256: missing }))
}

/// `PUT /v1/attachments/<sha256>`: stores a file once; its bytes must hash to its name and be
/// an image or PDF within the size limit.
async fn put_attachment(
    State(Shared { store, attachments }): State<Shared>,
    Path(sha256): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let token = token_of(&headers)?;
    let grant = with_store(store, move |store| active_grant(store, &token)).await?;
    let stored = tokio::task::spawn_blocking(move || attachments.put(&body))
        .await
        .map_err(|error| Refusal::Internal(error.to_string()))?
        .map_err(|error| Refusal::Invalid(format!("attachment refused: {error}")))?;
    if stored.sha256 != sha256 {
        return Err(Refusal::Invalid(format!("attachment bytes hash to {}, not {sha256}", stored.sha256)));
    }
    tracing::info!(device = %grant.device_id, size = stored.size, "attachment stored");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /v1/attachments/<sha256>`: a file a record within the device's places refers to.
async fn get_attachment(
    State(Shared { store, attachments }): State<Shared>,
    Path(sha256): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let token = token_of(&headers)?;
    let wanted = sha256.clone();
    with_store(store, move |store| {
        let grant = active_grant(store, &token)?;
        let scope = store.scope(&grant)?;
        let villages = store.attachment_villages(&wanted)?;
        if villages.iter().any(|village| scope::covers(&scope, village)) {
            Ok(())
        } else {
            Err(Refusal::Forbidden(format!("no record within this device's places refers to attachment {wanted}")))
        }
    })
    .await?;
    let bytes = attachments.get(&sha256).map_err(|_| Refusal::NotFound(format!("attachment {sha256}")))?;
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

/// Imports a device's sync-by-file bundle: the same checks as a network request (and the
/// bundle's signature), then the answer file to carry back to the device.
pub fn import_bundle(store: &mut dyn CountyStore, bytes: &[u8]) -> Result<(DeviceGrant, Vec<u8>), Refusal> {
    let device_id = crate::client::bundle::read::<crate::client::bundle::RequestBundle>(bytes)
        .map_err(|error| Refusal::Invalid(error.to_string()))?
        .device_id;
    let (grant, key) = store.bundle_key(&device_id)?.ok_or(Refusal::Unauthorized)?;
    if let Some(at) = grant.revoked_at {
        return Err(Refusal::Revoked(at));
    }
    let bundle =
        crate::client::bundle::open_request(bytes, &key).map_err(|error| Refusal::Invalid(error.to_string()))?;
    let response = answer(store, &grant, &bundle.request)?;
    let file = crate::client::bundle::answer_file(&grant.device_id, response, &key)?;
    tracing::info!(device = %grant.device_id, shards = bundle.request.shards.len(), "sync bundle imported");
    Ok((grant, file))
}

/// A shard of a request after its checks: the changes the server lacks, decoded.
struct Checked {
    shard: ShardId,
    heads: Vec<ChangeHash>,
    new_changes: Vec<Vec<u8>>,
}

/// The protocol itself, over any store: checks every shard of the request first (scope,
/// decoding, actor, dependencies, sizes), stores nothing unless all pass, then answers.
pub fn answer(
    store: &mut dyn CountyStore,
    grant: &DeviceGrant,
    request: &SyncRequest,
) -> Result<SyncResponse, Refusal> {
    if request.protocol != PROTOCOL {
        return Err(Refusal::Protocol(request.protocol));
    }
    let scope = store.scope(grant)?;
    let mut checked = Vec::with_capacity(request.shards.len());
    let mut seen = HashSet::new();
    for push in &request.shards {
        let shard: ShardId =
            push.shard.parse().map_err(|_| Refusal::Invalid(format!("malformed shard id {:?}", push.shard)))?;
        if !seen.insert(shard.clone()) {
            return Err(Refusal::Invalid(format!("shard {shard} sent twice")));
        }
        // A device moved to other places may still push the edits it made before the move to
        // the shards it held (it has reported heads for them); it then drops them.
        let held_before = !scope::may_read(&scope, &shard)
            && store.held(&grant.device_id, &shard)?
            && scope::may_write_kind(&scope, &shard);
        if !scope::may_read(&scope, &shard) && !held_before {
            return Err(Refusal::Forbidden(format!("shard {shard} is outside this device's places")));
        }
        let heads = crate::client::parse_heads(&push.heads).map_err(|error| Refusal::Invalid(error.to_string()))?;
        let new_changes = check_changes(store, &scope, &shard, held_before, &push.changes)?;
        checked.push(Checked { shard, heads, new_changes });
    }

    for Checked { shard, heads, new_changes } in &checked {
        if !new_changes.is_empty() {
            store.apply(shard, new_changes)?;
            tracing::info!(device = %grant.device_id, shard = %shard, changes = new_changes.len(), "changes stored");
        }
        store.set_peer_heads(&grant.device_id, shard, heads)?;
    }

    // The answer: every shard sent, then the shards of the scope that changed after the cursor.
    let mut shards = Vec::new();
    let mut bytes = 0;
    for Checked { shard, heads, .. } in &checked {
        let changes = store.changes_since(shard, heads)?;
        bytes += changes.iter().map(Vec::len).sum::<usize>();
        shards.push(ShardPull { shard: shard.to_string(), heads: hex(&store.heads(shard)?), changes });
    }
    let mut cursor = store.changed_seq()?;
    let mut more = false;
    let mut last_included = request.cursor;
    for (shard, seq) in store.shards_changed_since(request.cursor)? {
        if bytes > RESPONSE_BUDGET_BYTES {
            more = true;
            cursor = last_included;
            break;
        }
        last_included = seq;
        if seen.contains(&shard) || !scope::may_read(&scope, &shard) {
            continue;
        }
        let peer = store.peer_heads(&grant.device_id, &shard)?;
        let changes = store.changes_since(&shard, &peer)?;
        if changes.is_empty() {
            continue;
        }
        bytes += changes.iter().map(Vec::len).sum::<usize>();
        store.mark_held(&grant.device_id, &shard)?;
        shards.push(ShardPull { shard: shard.to_string(), heads: hex(&store.heads(&shard)?), changes });
    }
    Ok(SyncResponse { cursor, more, shards, scope })
}

/// The pushed changes the server lacks, after checking each: it decodes, is within the size
/// limit, was made by this device (changes the server already has may come from anyone), and
/// its dependencies are stored or pushed with it.
fn check_changes(
    store: &mut dyn CountyStore,
    scope: &crate::protocol::Scope,
    shard: &ShardId,
    held_before: bool,
    encoded: &[Vec<u8>],
) -> Result<Vec<Vec<u8>>, Refusal> {
    let mut decoded = Vec::with_capacity(encoded.len());
    for (index, bytes) in encoded.iter().enumerate() {
        if bytes.len() > MAX_CHANGE_BYTES {
            return Err(Refusal::TooLarge(format!(
                "change {index} of {shard} is {} bytes (limit {MAX_CHANGE_BYTES})",
                bytes.len()
            )));
        }
        let change = Change::from_bytes(bytes.clone())
            .map_err(|error| Refusal::Invalid(format!("change {index} of {shard} does not decode: {error}")))?;
        decoded.push(change);
    }
    let hashes: Vec<ChangeHash> = decoded.iter().map(Change::hash).collect();
    let known = store.has_changes(shard, &hashes)?;
    let mut new_changes = Vec::new();
    let mut arriving: HashMap<ChangeHash, ()> = HashMap::new();
    for (change, known) in decoded.iter().zip(known) {
        if known {
            continue;
        }
        if !held_before && !scope::may_write(scope, shard) {
            return Err(Refusal::Forbidden(format!("this device may not write {shard}")));
        }
        if change.actor_id().to_hex_string() != scope.device_id {
            return Err(Refusal::ForgedActor(format!(
                "a change to {shard} was made by actor {}, not by this device",
                change.actor_id().to_hex_string()
            )));
        }
        arriving.insert(change.hash(), ());
        new_changes.push(change);
    }
    for change in &new_changes {
        let missing: Vec<ChangeHash> =
            change.deps().iter().copied().filter(|dep| !arriving.contains_key(dep)).collect();
        if store.has_changes(shard, &missing)?.contains(&false) {
            return Err(Refusal::Invalid(format!("a change to {shard} depends on changes the server does not have")));
        }
    }
    Ok(new_changes.iter().map(|change| change.raw_bytes().to_vec()).collect())
}

fn hex(heads: &[ChangeHash]) -> Vec<String> {
    heads.iter().map(ToString::to_string).collect()
}

/// A random secret of `blocks` × 16 bytes, hex.
pub fn new_secret(blocks: usize) -> String {
    (0..blocks).map(|_| uuid::Uuid::new_v4().simple().to_string()).collect()
}

/// A one-time enrollment code people can type: 12 characters without look-alikes, in groups of four.
pub fn new_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    // Bytes 6 and 8 of a v4 UUID carry its version and variant; the other 14 are random.
    let random = uuid::Uuid::new_v4();
    let bytes = random.as_bytes();
    let characters: Vec<char> = bytes[..6]
        .iter()
        .chain(&bytes[9..15])
        .map(|byte| ALPHABET[usize::from(*byte) % ALPHABET.len()] as char)
        .collect();
    characters.chunks(4).map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}
