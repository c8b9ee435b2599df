//! The county server (`xianglin-county`): devices enroll with a one-time code and sync their
//! shards; the server enforces each device's scope and checks every pushed change before it
//! stores any. Storage is behind [`CountyStore`]; HTTP is axum on tokio.
//!
//! - [`store`]: the storage traits and their SQLite and PostgreSQL implementations.
//! - [`config`]: the config file and environment variables.
//! - [`at_rest`]: the database key; the database and attachments encrypted with it.

pub mod at_rest;
pub mod config;
pub mod fleet;
pub mod releases;
pub mod store;
pub mod tls;

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use automerge::{Change, ChangeHash};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDateTime;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use store::{
    AttachmentIndex, ChangeStore, Contact, CountyStore, DeviceGrant, DeviceStore, Health, MemoryStore, PostgresStore,
    SqliteStore, name_successor, predecessors,
};

use xianglin_schema::user::SigninGrant;
use xianglin_schema::version;
use xianglin_sync::attachments::AttachmentStore;

pub use releases::Releases;
use xianglin_sync::keyring;
use xianglin_sync::protocol::{
    AttachmentList, CodeWrapRequest, EnrollRequest, EnrollResponse, ErrorBody, MAX_CHANGE_BYTES, MAX_REQUEST_BYTES,
    PROTOCOL, RESPONSE_BUDGET_BYTES, ShardPull, SyncRequest, SyncResponse, wire,
};
use xianglin_sync::scope;
use xianglin_sync::shard::ShardId;
use xianglin_sync::untrusted;

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
    #[error("{0}")]
    Quota(String),
    #[error("{0}")]
    Busy(String),
    /// The app is older than the county's minimum version; the message (Chinese) says so.
    #[error("{0}")]
    Outdated(String),
    #[error("a range starting within the {0} bytes of the file, as `bytes=N-`")]
    RangeNotSatisfiable(u64),
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
            Refusal::Quota(_) => (StatusCode::INSUFFICIENT_STORAGE, "quota"),
            Refusal::Busy(_) => (StatusCode::TOO_MANY_REQUESTS, "busy"),
            Refusal::Outdated(_) => (StatusCode::UPGRADE_REQUIRED, "outdated"),
            Refusal::RangeNotSatisfiable(_) => (StatusCode::RANGE_NOT_SATISFIABLE, "range"),
            Refusal::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// The stable code the app maps to its Chinese wording.
    pub fn code(&self) -> &'static str {
        self.status_and_code().1
    }
}

impl From<xianglin_sync::Error> for Refusal {
    fn from(error: xianglin_sync::Error) -> Refusal {
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
        // Refusals stay plain JSON: small, and readable with any tool.
        let body = serde_json::to_vec(&ErrorBody { code: code.into(), message: self.to_string() })
            .expect("an error body serializes");
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    }
}

/// The store, owned by one thread that does every request's storage work in arrival order.
/// Handlers send it jobs and await the results, so requests decode and encode their bodies in
/// parallel while storage steps run one at a time, and a crowd of requests queues in a channel
/// rather than as threads waiting on a lock.
#[derive(Clone)]
pub struct SharedStore {
    jobs: std::sync::mpsc::Sender<StoreJob>,
}

type StoreJob = Box<dyn FnOnce(&mut dyn CountyStore) + Send>;

impl SharedStore {
    /// Moves `store` to its own thread; the thread ends when the last handle is dropped.
    pub fn spawn(mut store: Box<dyn CountyStore>) -> SharedStore {
        let (jobs, queue) = std::sync::mpsc::channel::<StoreJob>();
        std::thread::Builder::new()
            .name("county-store".into())
            .spawn(move || {
                for job in queue {
                    job(&mut *store);
                }
            })
            .expect("starting the store thread");
        SharedStore { jobs }
    }

    /// Runs `work` on the store thread and waits for its result.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut dyn CountyStore) -> Result<T, Refusal> + Send + 'static,
    ) -> Result<T, Refusal> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: StoreJob = Box::new(move |store| {
            // A panic in one request's work must not take the store thread down.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(store)))
                .unwrap_or_else(|_| Err(Refusal::Internal("a storage step panicked".into())));
            let _ = done.send(outcome);
        });
        self.jobs.send(job).map_err(|_| Refusal::Internal("the store thread has stopped".into()))?;
        result.await.map_err(|_| Refusal::Internal("the store thread dropped a request".into()))?
    }
}

impl std::fmt::Debug for SharedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedStore")
    }
}

/// What the server allows devices (the config file sets them; [`Limits::default`] otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The bytes of uploads no record refers to yet that one device may have held at once.
    pub unreferenced_quota_bytes: u64,
    /// How long an upload may wait for a record to refer to it before it is deleted.
    pub unreferenced_window: chrono::Duration,
    /// A whole request, its body included, must arrive and be answered within this; a client
    /// sending a byte a second is cut off here.
    pub request_timeout: Duration,
    /// Requests handled at once in all; more wait their turn.
    pub concurrent_requests: usize,
    /// Requests one device (one token) may have in flight at once; more are refused (429).
    pub concurrent_per_device: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            unreferenced_quota_bytes: 100 << 20,
            unreferenced_window: chrono::Duration::hours(24),
            request_timeout: Duration::from_secs(120),
            concurrent_requests: 256,
            concurrent_per_device: 4,
        }
    }
}

/// What every handler shares: the store, the attachment files beside it, the limits, and the
/// requests in flight per token.
#[derive(Clone)]
struct Shared {
    store: SharedStore,
    attachments: Arc<AttachmentStore>,
    releases: Arc<Releases>,
    limits: Limits,
    in_flight: Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
}

/// The server's routes over `store`, with attachments kept in `attachments`, releases in
/// `releases`, and the default [`Limits`].
pub fn router(store: Box<dyn CountyStore>, attachments: AttachmentStore, releases: Releases) -> Router {
    router_with(store, attachments, releases, Limits::default())
}

/// The server's routes, with `limits`.
pub fn router_with(
    store: Box<dyn CountyStore>,
    attachments: AttachmentStore,
    releases: Releases,
    limits: Limits,
) -> Router {
    let shared = Shared {
        store: SharedStore::spawn(store),
        attachments: Arc::new(attachments),
        releases: Arc::new(releases),
        limits,
        in_flight: Arc::default(),
    };
    Router::new()
        .route("/v1/health", get(|| async { "ok" }))
        .route("/v1/enroll", post(enroll))
        .route("/v1/signin/code", post(signin_code))
        .route("/v1/sync", post(sync))
        .route("/v1/fleet", get(fleet_list))
        .route("/v1/attachments/missing", post(missing_attachments))
        .route("/v1/attachments/{sha256}", get(get_attachment).put(put_attachment))
        .route("/v1/releases/newest/{arch}/{app_version}", get(newest_release))
        .route("/v1/releases/{sha256}", get(get_release))
        .layer(axum::middleware::from_fn_with_state(shared.clone(), one_device_at_a_time))
        // Compressed bodies are limited here, inflated ones while inflating.
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(limits.concurrent_requests))
        .with_state(shared)
}

/// Refuses a request when its token already has [`Limits::concurrent_per_device`] in flight.
async fn one_device_at_a_time(
    State(shared): State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Ok(token) = token_of(request.headers()) else { return next.run(request).await };
    struct InFlight(Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>, String);
    impl Drop for InFlight {
        fn drop(&mut self) {
            let mut counts = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(count) = counts.get_mut(&self.1) {
                *count -= 1;
                if *count == 0 {
                    counts.remove(&self.1);
                }
            }
        }
    }
    {
        let mut counts = shared.in_flight.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = counts.entry(token.clone()).or_default();
        if *count >= shared.limits.concurrent_per_device {
            return Refusal::Busy(format!("{} requests of this device are in flight", *count)).into_response();
        }
        *count += 1;
    }
    let _in_flight = InFlight(shared.in_flight.clone(), token);
    next.run(request).await
}

/// A client must send a request's headers within this; a client trickling them a byte at a
/// time is disconnected. (The body's deadline is [`Limits::request_timeout`].)
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(20);

/// [`serve`] over TLS.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tracing::info!(address = %listener.local_addr()?, "county server listening (TLS)");
    serve_connections(tls::TlsListener::new(listener, acceptor)?, router, shutdown).await?;
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
    serve_connections(listener, router, shutdown).await?;
    tracing::info!("county server stopped; requests in flight finished");
    Ok(())
}

/// The accept loop: each connection served by hyper (HTTP/1.1) with [`HEADER_TIMEOUT`] for
/// headers, which `axum::serve` does not set; on shutdown, new connections stop and those in
/// flight finish their requests.
async fn serve_connections<L: axum::serve::Listener>(
    mut listener: L,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (io, _address) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let mut builder = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
        builder.http1().timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
        let connection = builder.serve_connection_with_upgrades(hyper_util::rt::TokioIo::new(io), service).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended");
            }
        });
    }
    graceful.shutdown().await;
    Ok(())
}

fn now() -> NaiveDateTime {
    xianglin_schema::clock::now()
}

/// A message in the wire format ([`wire`]).
fn wire_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, wire::CONTENT_TYPE), (header::CONTENT_ENCODING, wire::CONTENT_ENCODING)],
        wire::encode(body),
    )
        .into_response()
}

/// A request body in the wire format, inflated up to the request limit.
fn read_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, Refusal> {
    read_body_within(body, MAX_REQUEST_BYTES)
}

/// A request body in the wire format, inflated up to `limit` bytes.
fn read_body_within<T: DeserializeOwned>(body: &Bytes, limit: usize) -> Result<T, Refusal> {
    wire::decode(body, limit).map_err(|error| match error {
        wire::DecodeError::TooLarge(_) => Refusal::TooLarge(error.to_string()),
        other => Refusal::Invalid(other.to_string()),
    })
}

/// Runs `work` on the store thread.
async fn with_store<T: Send + 'static>(
    store: SharedStore,
    work: impl FnOnce(&mut dyn CountyStore) -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    store.run(work).await
}

async fn enroll(State(Shared { store, .. }): State<Shared>, body: Bytes) -> Result<Response, Refusal> {
    let request: EnrollRequest = read_body(&body)?;
    if automerge::ActorId::try_from(request.device_id.as_str()).is_err() || request.device_id.len() < 16 {
        return Err(Refusal::Invalid("device_id is not a hex actor id".into()));
    }
    let token = new_secret(2);
    let response = with_store(store, move |store| {
        let grant =
            store.enroll(&request.code, &request.device_id, request.label.trim(), &token, now()).map_err(|error| {
                match error {
                    xianglin_sync::Error::NotFound(_) => Refusal::BadCode("unknown code".into()),
                    xianglin_sync::Error::Invalid(reason) => Refusal::BadCode(reason),
                    other => other.into(),
                }
            })?;
        let scope = store.scope(&grant)?;
        tracing::info!(device = %grant.device_id, role = ?scope.role, "device enrolled");
        Ok(EnrollResponse { token, scope })
    })
    .await?;
    Ok(wire_response(StatusCode::OK, &response))
}

/// A sign-in request is a device id, a user id and a sealed key: a few hundred bytes.
const MAX_SIGNIN_REQUEST_BYTES: usize = 4096;

/// `POST /v1/signin/code`: a locked station PC asks, for someone's first sign-in online, for
/// the data key sealed for that person's current one-time code. The PC proves nothing but the
/// box it sealed for this server; what it gets back opens only with the code, which the person
/// brings. Refused: an unknown or revoked device, a box that does not open, a person outside
/// the PC's places, no current code.
async fn signin_code(State(Shared { store, .. }): State<Shared>, body: Bytes) -> Result<Response, Refusal> {
    if body.len() > MAX_SIGNIN_REQUEST_BYTES {
        return Err(Refusal::TooLarge(format!("a sign-in request is at most {MAX_SIGNIN_REQUEST_BYTES} bytes")));
    }
    let request: CodeWrapRequest = read_body_within(&body, MAX_SIGNIN_REQUEST_BYTES)?;
    let device = request.device_id.clone();
    let wrap = with_store(store, move |store| {
        let (grant, secret) = store.bundle_key(&request.device_id)?.ok_or(Refusal::Unauthorized)?;
        if let Some(at) = &grant.revoked_at {
            return Err(Refusal::Revoked(at.clone()));
        }
        let key = keyring::open_server_wrap(&secret, &request.device_id, &request.wrapped)
            .map_err(|_| Refusal::Unauthorized)?;
        let user = store.user(&request.user_id)?.ok_or_else(|| Refusal::NotFound("no such user".into()))?;
        let device_scope = store.scope(&grant)?;
        if user.places.is_empty() || !user.places.iter().all(|place| scope::covers(&device_scope, place)) {
            return Err(Refusal::Forbidden("this person's places are not this computer's".into()));
        }
        let issued: Option<SigninGrant> = match store.read_county_record(&format!("signin/{}", user.id))? {
            Some(value) => serde_json::from_value(value).ok(),
            None => None,
        };
        let issued = issued
            .filter(|issued| issued.expires_at >= now())
            .ok_or_else(|| Refusal::NotFound("no current sign-in code for this person".into()))?;
        let person = keyring::Person { user_id: &user.id, role: user.role.as_str(), name: &user.name };
        keyring::code_wrap(&key, &person, &issued).map_err(|error| Refusal::Internal(error.to_string()))
    })
    .await?;
    tracing::info!(device = %device, "a sign-in code's key went to a locked station PC");
    Ok(wire_response(StatusCode::OK, &wrap))
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
    State(Shared { store, releases, .. }): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let received = std::time::Instant::now();
    let token = token_of(&headers)?;
    // Who is asking comes first: a stranger's body is never even inflated.
    let asking = token.clone();
    with_store(store.clone(), move |store| active_grant(store, &asking).map(drop)).await?;
    let request = match tokio::task::spawn_blocking(move || decode(read_body::<SyncRequest>(&body)?))
        .await
        .map_err(|error| Refusal::Internal(format!("decoding a request failed: {error}")))?
    {
        Ok(request) => request,
        Err(refusal) => {
            let noted = note_refusal(&refusal);
            with_store(store, move |store| {
                if let Some(grant) = store.grant_by_token(&token)? {
                    store.record_refusal(&grant.device_id, now(), &noted)?;
                }
                Ok(())
            })
            .await?;
            return Err(refusal);
        }
    };
    let decoded = received.elapsed();
    let offer = releases.newest_for(&request.arch, &request.app_version);
    let (mut response, waited, worked) = with_store(store, move |store| {
        let waited = received.elapsed();
        // Again: the device may have been revoked while its request was decoded.
        let grant = active_grant(store, &token)?;
        let response = answer_noting_refusal(store, &grant, &request)?;
        tracing::debug!(device = %grant.device_id, pushed = request.shards.len(), pulled = response.shards.len(), "sync answered");
        Ok((response, waited, received.elapsed() - waited))
    })
    .await?;
    response.release = offer;
    let body = wire_response(StatusCode::OK, &response);
    tracing::debug!(
        decode_ms = decoded.as_secs_f64() * 1e3,
        queued_ms = (waited - decoded).as_secs_f64() * 1e3,
        work_ms = worked.as_secs_f64() * 1e3,
        total_ms = received.elapsed().as_secs_f64() * 1e3,
        "sync request timing"
    );
    Ok(body)
}

/// `GET /v1/fleet`: the county's device list ([`fleet::fleet_health`]), for a county
/// reviewer's device only.
async fn fleet_list(State(Shared { store, .. }): State<Shared>, headers: HeaderMap) -> Result<Response, Refusal> {
    let token = token_of(&headers)?;
    let fleet = with_store(store, move |store| {
        let grant = active_grant(store, &token)?;
        if store.scope(&grant)?.role != xianglin_schema::user::Role::CountyReviewer {
            return Err(Refusal::Forbidden("only a county reviewer's device sees the county's devices".into()));
        }
        Ok(fleet::fleet_health(store, now())?)
    })
    .await?;
    Ok(wire_response(StatusCode::OK, &fleet))
}

/// `POST /v1/attachments/missing`: which of the listed attachments the server lacks.
async fn missing_attachments(
    State(Shared { store, attachments, .. }): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let token = token_of(&headers)?;
    let request: AttachmentList = read_body(&body)?;
    with_store(store, move |store| active_grant(store, &token).map(drop)).await?;
    let missing = request.sha256.into_iter().filter(|sha256| !attachments.contains(sha256)).collect();
    Ok(wire_response(StatusCode::OK, &AttachmentList { sha256: missing }))
}

/// `PUT /v1/attachments/<sha256>`: stores a file once. Its bytes must hash to its name and be
/// the image or PDF they claim to be, within the size limit. A file no record within the
/// device's places refers to yet is held for [`Limits::unreferenced_window`] within the
/// device's quota, then deleted unless a record came to refer to it.
async fn put_attachment(
    State(Shared { store, attachments, limits, .. }): State<Shared>,
    Path(sha256): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let token = token_of(&headers)?;
    let size = body.len() as u64;
    let wanted = sha256.clone();
    let sweeper = attachments.clone();
    let (grant, referenced) = with_store(store.clone(), move |store| {
        let grant = active_grant(store, &token)?;
        collect_unreferenced(store, &sweeper, now() - limits.unreferenced_window)?;
        let scope = store.scope(&grant)?;
        let referenced = store.attachment_villages(&wanted)?.iter().any(|village| scope::covers(&scope, village));
        if !referenced {
            let held = store.unreferenced_bytes(&grant.device_id)?;
            if held + size > limits.unreferenced_quota_bytes {
                return Err(Refusal::Quota(format!(
                    "this device holds {held} bytes of uploads no record refers to (quota {})",
                    limits.unreferenced_quota_bytes
                )));
            }
        }
        Ok((grant, referenced))
    })
    .await?;
    let kept = attachments.clone();
    let stored = tokio::task::spawn_blocking(move || kept.put_expecting(&body, &sha256))
        .await
        .map_err(|error| Refusal::Internal(error.to_string()))?
        .map_err(|error| Refusal::Invalid(format!("attachment refused: {error}")))?;
    if !referenced {
        let (device, hash) = (grant.device_id.clone(), stored.sha256.clone());
        with_store(store, move |store| Ok(store.hold_unreferenced(&hash, &device, size, now())?)).await?;
    }
    tracing::info!(device = %grant.device_id, size = stored.size, referenced, "attachment stored");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Deletes the uploads held unreferenced since before `before` that no record refers to now.
pub fn collect_unreferenced(
    store: &mut dyn CountyStore,
    attachments: &AttachmentStore,
    before: NaiveDateTime,
) -> Result<usize, Refusal> {
    let mut deleted = 0;
    for sha256 in store.release_unreferenced(before)? {
        if store.attachment_villages(&sha256)?.is_empty() {
            attachments.remove(&sha256)?;
            deleted += 1;
        }
    }
    if deleted > 0 {
        tracing::info!(deleted, "uploads no record came to refer to were deleted");
    }
    Ok(deleted)
}

/// `GET /v1/releases/newest/<arch>/<app_version>`: the release an app refused as too old asks
/// for (a sync answer carries it otherwise); `null` when there is none newer.
async fn newest_release(
    State(Shared { store, releases, .. }): State<Shared>,
    Path((arch, app_version)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let token = token_of(&headers)?;
    with_store(store, move |store| active_grant(store, &token).map(drop)).await?;
    let offer = if arch.len() <= 16 && app_version.len() <= MAX_APP_VERSION_CHARS {
        releases.newest_for(&arch, &app_version)
    } else {
        None
    };
    Ok(wire_response(StatusCode::OK, &offer))
}

/// `GET /v1/releases/<sha256>`: a release package, to any enrolled device; `Range: bytes=N-`
/// resumes a download cut off at byte N.
async fn get_release(
    State(Shared { store, releases, .. }): State<Shared>,
    Path(sha256): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};

    let token = token_of(&headers)?;
    with_store(store, move |store| active_grant(store, &token).map(drop)).await?;
    let path = releases.package(&sha256).ok_or_else(|| Refusal::NotFound(format!("release {sha256}")))?;
    let mut file = tokio::fs::File::open(&path)
        .await
        .map_err(|error| Refusal::Internal(format!("opening a release package: {error}")))?;
    let length = file.metadata().await.map_err(|error| Refusal::Internal(error.to_string()))?.len();
    let from = match headers.get(header::RANGE) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|text| text.strip_prefix("bytes="))
                .and_then(|text| text.strip_suffix('-'))
                .and_then(|text| text.parse::<u64>().ok())
                .filter(|from| *from < length)
                .ok_or(Refusal::RangeNotSatisfiable(length))?,
        ),
    };
    let start = from.unwrap_or(0);
    file.seek(std::io::SeekFrom::Start(start)).await.map_err(|error| Refusal::Internal(error.to_string()))?;
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file.take(length - start)));
    let mut response = Response::builder()
        .header(header::CONTENT_TYPE, "application/vnd.debian.binary-package")
        .header(header::CONTENT_LENGTH, length - start)
        .header(header::ACCEPT_RANGES, "bytes");
    response = match from {
        Some(from) => response
            .status(StatusCode::PARTIAL_CONTENT)
            .header(header::CONTENT_RANGE, format!("bytes {from}-{}/{length}", length - 1)),
        None => response.status(StatusCode::OK),
    };
    response.body(body).map_err(|error| Refusal::Internal(error.to_string()))
}

/// `GET /v1/attachments/<sha256>`: a file a record within the device's places refers to.
async fn get_attachment(
    State(Shared { store, attachments, .. }): State<Shared>,
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
/// The answer carries the newest release the device lacks, and its package.
pub fn import_bundle(
    store: &mut dyn CountyStore,
    releases: &Releases,
    bytes: &[u8],
) -> Result<(DeviceGrant, Vec<u8>), Refusal> {
    let device_id =
        xianglin_sync::client::bundle::read(bytes).map_err(|error| Refusal::Invalid(error.to_string()))?.device_id;
    let (grant, key) = store.bundle_key(&device_id)?.ok_or(Refusal::Unauthorized)?;
    if let Some(at) = grant.revoked_at {
        return Err(Refusal::Revoked(at));
    }
    let bundle = xianglin_sync::client::bundle::open_request(bytes, &key)
        .map_err(|error| Refusal::Invalid(error.to_string()))?;
    let request = decode(bundle.request).inspect_err(|refusal| {
        if let Err(error) = store.record_refusal(&grant.device_id, now(), &note_refusal(refusal)) {
            tracing::error!(%error, "a refusal could not be noted on the device's grant");
        }
    })?;
    let mut response = answer_noting_refusal(store, &grant, &request)?;
    response.release = releases.newest_for(&request.arch, &request.app_version);
    let package = match &response.release {
        Some(offer) if offer.bytes as usize <= xianglin_sync::client::bundle::MAX_PACKAGE_IN_ANSWER => releases
            .package(&offer.sha256)
            .map(std::fs::read)
            .transpose()
            .map_err(|error| Refusal::Internal(format!("reading a release package: {error}")))?
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let file = xianglin_sync::client::bundle::answer_file(&grant.device_id, response, package, &key)?;
    tracing::info!(device = %grant.device_id, shards = request.shards.len(), "sync bundle imported");
    Ok((grant, file))
}

/// [`answer`], noting a refusal on the device's grant for the county's device list.
fn answer_noting_refusal(
    store: &mut dyn CountyStore,
    grant: &DeviceGrant,
    request: &Decoded,
) -> Result<SyncResponse, Refusal> {
    answer(store, grant, request).inspect_err(|refusal| {
        if let Err(error) = store.record_refusal(&grant.device_id, now(), &note_refusal(refusal)) {
            tracing::error!(%error, "a refusal could not be noted on the device's grant");
        }
    })
}

/// How a refusal is kept on a device's grant: its code, then the reason in the server's words,
/// cut to [`MAX_NOTED_REFUSAL_CHARS`] (a reason may quote what the device sent).
fn note_refusal(refusal: &Refusal) -> String {
    let noted = format!("{}: {refusal}", refusal.code());
    match noted.char_indices().nth(MAX_NOTED_REFUSAL_CHARS) {
        Some((end, _)) => format!("{}…", &noted[..end]),
        None => noted,
    }
}

/// The longest refusal reason kept on a device's grant, in characters.
const MAX_NOTED_REFUSAL_CHARS: usize = 300;

/// The longest app version a request may name (`0.1.0`, `12.3.45-beta.6`).
const MAX_APP_VERSION_CHARS: usize = 32;

/// A sync request after the checks that need no store: shard ids parsed, heads parsed, every
/// chunk bounded ([`untrusted::check`]) and decoded. This is the costly part of a request; it
/// runs before the request reaches the store's single writer, so a hostile body costs only its
/// own thread, within the limits.
#[derive(Debug)]
pub struct Decoded {
    cursor: u64,
    shards: Vec<DecodedShard>,
    app_version: String,
    user_id: String,
    waiting: u32,
    arch: String,
}

#[derive(Debug)]
struct DecodedShard {
    shard: ShardId,
    heads: Vec<ChangeHash>,
    chunks: Vec<Vec<u8>>,
    changes: Vec<Change>,
}

/// Checks and decodes a request's shards and chunks (see [`Decoded`]).
pub fn decode(request: SyncRequest) -> Result<Decoded, Refusal> {
    if request.protocol != PROTOCOL {
        return Err(Refusal::Protocol(request.protocol));
    }
    // The version is kept on the device's grant and shown to the county: bounded.
    if request.app_version.chars().count() > MAX_APP_VERSION_CHARS {
        return Err(Refusal::Invalid(format!("app_version is longer than {MAX_APP_VERSION_CHARS} characters")));
    }
    let mut seen = HashSet::new();
    let mut shards = Vec::with_capacity(request.shards.len());
    for push in request.shards {
        let shard: ShardId = push.shard.parse().map_err(|_| {
            let quoted: String = push.shard.chars().take(64).collect();
            Refusal::Invalid(format!("malformed shard id {quoted:?}"))
        })?;
        if !seen.insert(shard.clone()) {
            return Err(Refusal::Invalid(format!("shard {shard} sent twice")));
        }
        let heads = xianglin_sync::heads::parse(&push.heads).map_err(|error| Refusal::Invalid(error.to_string()))?;
        let mut changes = Vec::new();
        for (index, chunk) in push.changes.iter().enumerate() {
            untrusted::check(chunk, untrusted::Limits::WIRE).map_err(|refused| match refused {
                untrusted::Refused::Malformed { .. }
                | untrusted::Refused::NotAChunk { .. }
                | untrusted::Refused::UnknownType { .. } => {
                    Refusal::Invalid(format!("chunk {index} of {shard} does not decode: {refused}"))
                }
                too_large => Refusal::TooLarge(format!("chunk {index} of {shard}: {too_large}")),
            })?;
            for change in changes_in_chunk(chunk)
                .map_err(|error| Refusal::Invalid(format!("chunk {index} of {shard} does not decode: {error}")))?
            {
                let size = change.raw_bytes().len();
                if size > MAX_CHANGE_BYTES {
                    return Err(Refusal::TooLarge(format!(
                        "a change in chunk {index} of {shard} is {size} bytes (limit {MAX_CHANGE_BYTES})"
                    )));
                }
                changes.push(change);
            }
        }
        shards.push(DecodedShard { shard, heads, chunks: push.changes, changes });
    }
    // Who is signed in is only shown in the county's device list: kept if it looks like an id.
    let user_id = if request.user_id.len() <= 64
        && request.user_id.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
    {
        request.user_id
    } else {
        String::new()
    };
    // An architecture names a release; anything but a short plain word names none.
    let arch = if request.arch.len() <= 16 && request.arch.bytes().all(|byte| byte.is_ascii_alphanumeric()) {
        request.arch
    } else {
        String::new()
    };
    Ok(Decoded {
        cursor: request.cursor,
        shards,
        app_version: request.app_version,
        user_id,
        waiting: request.waiting,
        arch,
    })
}

/// Refuses the edits of an app older than the county's minimum version (a record of the
/// county document), in Chinese: the refusal's message is what the station's user reads.
fn check_app_version(store: &mut dyn CountyStore, app_version: &str) -> Result<(), Refusal> {
    let Some(value) = store.read_county_record(version::MIN_APP_VERSION_KEY)? else { return Ok(()) };
    let Ok(minimum) = serde_json::from_value::<version::MinAppVersion>(value) else { return Ok(()) };
    if version::at_least(app_version, &minimum.version) {
        return Ok(());
    }
    let yours = if app_version.is_empty() { "旧版本".to_owned() } else { format!("{app_version} 版") };
    Err(Refusal::Outdated(format!(
        "本机的乡邻是{yours}，县里已要求至少 {} 版才能上传修改：请安装更新后再同步。未上传的修改仍保存在本机，不会丢失。",
        minimum.version
    )))
}

/// A shard of a request after its checks against the store.
struct Checked<'a> {
    push: &'a DecodedShard,
    /// The chunks to store (empty when the server holds every change in them).
    new_chunks: &'a [Vec<u8>],
    /// The changes in the push made by this device.
    own: HashSet<ChangeHash>,
}

/// The protocol itself, over any store: checks every shard of a decoded request (scope, actor,
/// dependencies), stores nothing unless all pass, records the heads it can verify, then answers.
pub fn answer(store: &mut dyn CountyStore, grant: &DeviceGrant, request: &Decoded) -> Result<SyncResponse, Refusal> {
    if request.shards.iter().any(|push| !push.chunks.is_empty()) {
        check_app_version(store, &request.app_version)?;
    }
    let scope = store.scope(grant)?;
    let device = grant.device_id.as_str();
    // A PC that replaced a lost one brings up the lost one's changes too (from its backup).
    let succeeds = if grant.succeeds.is_some() { predecessors(store, grant)? } else { Vec::new() };
    let mut checked = Vec::with_capacity(request.shards.len());
    for push in &request.shards {
        let shard = &push.shard;
        // A device moved to other places may still push the edits it made before the move to
        // the shards it held (it has reported heads for them); it then drops them.
        let held_before =
            !scope::may_read(&scope, shard) && store.held(device, shard)? && scope::may_write_kind(&scope, shard);
        if !scope::may_read(&scope, shard) && !held_before {
            return Err(Refusal::Forbidden(format!("shard {shard} is outside this device's places")));
        }
        checked.push(check_changes(store, &scope, device, &succeeds, held_before, push)?);
    }

    for Checked { push, new_chunks, .. } in &checked {
        if !new_chunks.is_empty() {
            store.apply(&push.shard, new_chunks)?;
            tracing::info!(device, shard = %push.shard, chunks = new_chunks.len(), "changes stored");
        }
    }
    let mut reported = Vec::new();
    for Checked { push, own, .. } in &checked {
        let verified = verified_heads(store, device, push, own)?;
        if verified.len() < push.heads.len() {
            tracing::warn!(device, shard = %push.shard, unverified = push.heads.len() - verified.len(),
                "reported heads the server cannot verify were not recorded");
        }
        if !verified.is_empty() {
            reported.push((push.shard.clone(), verified));
        }
    }
    store.set_peer_heads(device, &reported)?;

    // The answer: every shard sent, then the shards of the scope that changed after the cursor.
    let mut shards = Vec::new();
    let mut offered = Vec::new();
    let mut bytes = 0;
    for DecodedShard { shard, heads, .. } in &request.shards {
        let changes = store.changes_since(shard, heads)?;
        bytes += changes.iter().map(Vec::len).sum::<usize>();
        let now = store.heads(shard)?;
        shards.push(ShardPull { shard: shard.to_string(), heads: hex(&now), changes, stored: false });
        offered.push((shard.clone(), now));
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
        if request.shards.iter().any(|push| push.shard == shard) || !scope::may_read(&scope, &shard) {
            continue;
        }
        let peer = store.peer_heads(device, &shard)?;
        let changes = store.changes_since(&shard, &peer)?;
        if changes.is_empty() {
            continue;
        }
        bytes += changes.iter().map(Vec::len).sum::<usize>();
        let stored = peer.is_empty();
        let now = store.heads(&shard)?;
        shards.push(ShardPull { shard: shard.to_string(), heads: hex(&now), changes, stored });
        offered.push((shard, now));
    }
    store.record_offered(device, &offered)?;
    // What the county's device list shows: when each device was last answered, running what,
    // who was signed in, and what still waits on it (what this request carried went in).
    let pushed = request.shards.iter().filter(|push| !push.chunks.is_empty()).count();
    let contact = Contact {
        app_version: &request.app_version,
        user_id: &request.user_id,
        shards_waiting: request.waiting.saturating_sub(u32::try_from(pushed).unwrap_or(u32::MAX)),
    };
    store.record_contact(device, now(), &contact)?;
    Ok(SyncResponse { cursor, more, shards, scope, release: None, succeeds })
}

/// Checks a push against the store: a change the server lacks must be this device's (or made
/// by a device it `succeeds`), within what it may write, with its dependencies stored or pushed
/// with it; a change by another device must be one the server holds and sent this device (or
/// this device reported), or the request is a replay or a forgery.
fn check_changes<'a>(
    store: &mut dyn CountyStore,
    scope: &xianglin_sync::protocol::Scope,
    device: &str,
    succeeds: &[String],
    held_before: bool,
    push: &'a DecodedShard,
) -> Result<Checked<'a>, Refusal> {
    let shard = &push.shard;
    let hashes: Vec<ChangeHash> = push.changes.iter().map(Change::hash).collect();
    let known = store.has_changes(shard, &hashes)?;
    let mut own = HashSet::new();
    let mut foreign = Vec::new();
    let mut arriving: HashSet<ChangeHash> = HashSet::new();
    let mut new_changes = Vec::new();
    for (change, known) in push.changes.iter().zip(known) {
        let actor = change.actor_id().to_hex_string();
        let by_device = actor == device || succeeds.contains(&actor);
        if by_device {
            own.insert(change.hash());
        }
        match (known, by_device) {
            (true, true) => {}
            (true, false) => foreign.push(change.hash()),
            (false, true) => {
                if !held_before && !scope::may_write(scope, shard) {
                    return Err(Refusal::Forbidden(format!("this device may not write {shard}")));
                }
                arriving.insert(change.hash());
                new_changes.push(change);
            }
            (false, false) => {
                return Err(Refusal::ForgedActor(format!(
                    "a change to {shard} was made by actor {actor}, not by this device"
                )));
            }
        }
    }
    if !foreign.is_empty() {
        let basis = known_to(store, device, shard)?;
        foreign.retain(|hash| !basis.contains(hash));
        if !foreign.is_empty() && store.covered(shard, &foreign, &basis)?.contains(&false) {
            return Err(Refusal::ForgedActor(format!(
                "changes to {shard} by other devices that this device was never sent (a replay?)"
            )));
        }
    }
    for change in &new_changes {
        let missing: Vec<ChangeHash> = change.deps().iter().copied().filter(|dep| !arriving.contains(dep)).collect();
        if store.has_changes(shard, &missing)?.contains(&false) {
            return Err(Refusal::Invalid(format!("a change to {shard} depends on changes the server does not have")));
        }
    }
    // Where a role may write only some records of a shard (the county document), every record
    // the new changes touch must be one of them.
    // Access records (in visit shards) are written once and never edited.
    if matches!(shard, ShardId::County { .. } | ShardId::Visits { .. }) && !new_changes.is_empty() {
        let owned: Vec<Change> = new_changes.iter().map(|change| (*change).clone()).collect();
        let touched = store.records_touched_by(shard, &owned)?;
        if let Some(key) = touched.keys().find(|key| !scope::may_write_record(scope, shard, key)) {
            let kind = key.split_once('/').map_or("a bare record", |(kind, _)| kind);
            return Err(Refusal::Forbidden(format!("this device may not write {kind} records of {shard}")));
        }
        if touched.iter().any(|(key, existed)| *existed && scope::is_append_only(key)) {
            return Err(Refusal::Forbidden(format!("access records of {shard} are never edited")));
        }
    }
    let new_chunks: &[Vec<u8>] = if new_changes.is_empty() { &[] } else { &push.chunks };
    Ok(Checked { push, new_chunks, own })
}

/// What the server knows a device holds of a shard: the heads it last sent it and the heads it
/// last verified from it.
fn known_to(store: &mut dyn CountyStore, device: &str, shard: &ShardId) -> Result<Vec<ChangeHash>, Refusal> {
    let mut basis = store.offered_heads(device, shard)?;
    basis.extend(store.peer_heads(device, shard)?);
    Ok(basis)
}

/// The reported heads of a push the server can verify: this device's own changes (in the push),
/// and changes within what the server sent it or verified from it before.
fn verified_heads(
    store: &mut dyn CountyStore,
    device: &str,
    push: &DecodedShard,
    own: &HashSet<ChangeHash>,
) -> Result<Vec<ChangeHash>, Refusal> {
    let (mut verified, others): (Vec<ChangeHash>, Vec<ChangeHash>) =
        push.heads.iter().partition(|head| own.contains(head));
    if !others.is_empty() {
        let basis = known_to(store, device, &push.shard)?;
        // Heads the server sent or verified are verified as they are; only others need the
        // shard's history (which loads its document: a first sync reports thousands of shards).
        let (sent, rest): (Vec<ChangeHash>, Vec<ChangeHash>) =
            others.into_iter().partition(|head| basis.contains(head));
        verified.extend(sent);
        if !rest.is_empty() {
            let covered = store.covered(&push.shard, &rest, &basis)?;
            verified.extend(rest.into_iter().zip(covered).filter_map(|(head, covered)| covered.then_some(head)));
        }
    }
    verified.sort_unstable();
    Ok(verified)
}

/// The changes an automerge chunk holds: a document, a bundle, or one change. The chunk has
/// passed [`untrusted::check`]; a panic inside automerge is a refusal ([`untrusted::guarded`]).
fn changes_in_chunk(chunk: &[u8]) -> Result<Vec<Change>, String> {
    untrusted::guarded(|| decode_chunk(chunk)).map_err(|refused| refused.to_string())?
}

fn decode_chunk(chunk: &[u8]) -> Result<Vec<Change>, String> {
    // Magic bytes (4), checksum (4), then the chunk type: 0 document, 1 change, 2 compressed
    // change, 3 bundle.
    match chunk.get(8) {
        Some(0) => {
            let document = automerge::Automerge::load(chunk).map_err(|error| error.to_string())?;
            Ok(document.get_changes(&[]))
        }
        Some(3) => automerge::Bundle::try_from(chunk)
            .map_err(|error| error.to_string())?
            .to_changes()
            .map_err(|error| error.to_string()),
        _ => Ok(vec![Change::from_bytes(chunk.to_vec()).map_err(|error| error.to_string())?]),
    }
}

fn hex(heads: &[ChangeHash]) -> Vec<String> {
    heads.iter().map(ToString::to_string).collect()
}

/// A random secret of `blocks` × 16 bytes (about 122 bits each), hex.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_device_sends_is_bounded_before_it_is_kept_on_its_grant() {
        let long = Refusal::Invalid("分".repeat(10_000));
        let noted = note_refusal(&long);
        assert!(noted.starts_with("invalid: 分"));
        assert_eq!(noted.chars().count(), MAX_NOTED_REFUSAL_CHARS + 1, "cut, and marked cut");

        let request = |app_version: String, shard: String| SyncRequest {
            protocol: PROTOCOL,
            cursor: 0,
            shards: vec![xianglin_sync::protocol::ShardPush { shard, heads: Vec::new(), changes: Vec::new() }],
            app_version,
            user_id: "x".repeat(65),
            waiting: 3,
            arch: String::new(),
        };
        let refused = decode(request("9".repeat(33), "elders/360733105201".into())).unwrap_err();
        assert_eq!(refused.code(), "invalid");
        let refused = decode(request("0.1.0".into(), "?".repeat(100_000))).unwrap_err();
        assert!(refused.to_string().len() < 100, "the reason quotes 64 characters at most");
        let decoded = decode(request("0.1.0".into(), "elders/360733105201".into())).unwrap();
        assert_eq!((decoded.user_id.as_str(), decoded.waiting), ("", 3), "a user id that is no id is not kept");
    }
}
