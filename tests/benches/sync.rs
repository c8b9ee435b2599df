//! Sync benchmarks against the real county server (`xianglin-county`, a child process on
//! loopback) holding the full-size demo county. Run with
//! `cargo build --release -p xianglin-county && cargo bench -p xianglin-tests --bench sync`
//! (the server binary is found beside the benchmark's, or at `XIANGLIN_COUNTY_BIN`); `-- small`
//! uses the one-township demo. Figures are printed, never asserted.
//!
//! - Bytes on the wire (every byte of the HTTP exchange, headers included, counted by a proxy
//!   in between) for one township station's month of new visits and meals, recorded one at a
//!   time as the app records them, against the floor: the zstd-compressed JSON of the same new
//!   records; and round trips.
//! - 50 one-field edits of existing visits, each saved on its own, against the zstd size of the
//!   same edits written as JSON patches `{record id, field, new value}`.
//! - A quiet resync, per shard held.
//! - The same month over a simulated rural link (64 kbit/s each way, 300 ms round trip).
//! - A reviewer's first sync of the whole county year: time, and the peak memory of the process
//!   doing it (a child process of this benchmark, so nothing else counts).
//! - 300 devices (caseworkers) syncing at once, each after saving a visit: errors, latency of
//!   their syncs (p50, p99, max), and the server's peak memory.
//!
//! `-- update [MB]` measures only an app update instead: a signed package (MB of random bytes,
//! 0.5 by default) offered by the county at sync, downloaded over the simulated 64 kbit/s link
//! and checked; `XIANGLIN_BENCH_PACKAGE` (a real `.deb`) adds the check of that file and its
//! download time at the measured rate (its `.sig` beside it, its key in
//! `XIANGLIN_UPDATE_PUBLIC_KEY`).
//!
//! `-- fleet [N]` measures only the county at province scale instead: the generated county
//! copied into a new database on the PostgreSQL cluster `XIANGLIN_TEST_POSTGRES` names, two
//! `serve` processes over it, N caseworkers (3,000 by default) enrolled alternately through
//! each, then syncing at once (errors, latency p50 / p99, each process's peak memory, the
//! database's size).
//!
//! The load generator is bounded: 300 devices (or `fleet`'s N), one sync each at once,
//! loopback only.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use xianglin_county::{self as server, ChangeStore, DeviceStore, SqliteStore};
use xianglin_demo::{self as demo, DemoOptions, DemoSize, Rng};
use xianglin_domain::meals;
use xianglin_domain::patrol;
use xianglin_domain::patrol::store_visit;
use xianglin_domain::query;
use xianglin_schema::api::{DinersRequest, SetMeal};
use xianglin_schema::meal::MealSlot;
use xianglin_schema::record::{RecordMeta, new_id};
use xianglin_schema::user::{Role, User};
use xianglin_schema::visit::{CheckArea, Finding, Visit, VisitMode};
use xianglin_sync::Month;
use xianglin_sync::Replica;
use xianglin_sync::ShardId;
use xianglin_sync::client;
use xianglin_sync::client::http::{self, Link};
use xianglin_sync::protocol::{EnrollRequest, SyncResponse, wire};
use xianglin_sync::replica::Clock;

const DEVICES: usize = 300;
/// Devices of `-- fleet` unless its argument says otherwise.
const FLEET_DEVICES: usize = 3000;

fn main() {
    if std::env::var_os("XIANGLIN_BENCH_REVIEWER").is_some() {
        reviewer_child();
        return;
    }
    let arguments: Vec<String> = std::env::args().collect();
    if let Some(at) = arguments.iter().position(|argument| argument == "update") {
        let megabytes = arguments.get(at + 1).and_then(|mb| mb.parse::<f64>().ok()).unwrap_or(0.5);
        update_over_a_slow_link(megabytes);
        return;
    }
    let small = std::env::args().any(|argument| argument == "small");
    let size = if small { DemoSize::Small } else { DemoSize::Full };
    if let Some(at) = arguments.iter().position(|argument| argument == "fleet") {
        let devices = arguments.get(at + 1).and_then(|count| count.parse::<usize>().ok()).unwrap_or(FLEET_DEVICES);
        fleet_on_postgres(size, devices);
        return;
    }
    let today = bench_today();
    let directory = tempfile::tempdir().expect("temporary directory");
    let county_database = directory.path().join("county.sqlite");
    generate_county(&county_database, size);
    let mut replica = Replica::open(&county_database).expect("county replica");
    replica.set_clock(Clock::Fixed(today.and_hms_opt(17, 0, 0).expect("valid time")));
    let township = query::place_tree(&replica).expect("places").into_iter().max_by_key(|t| t.elders).expect("township");
    let shard_count = replica.shards().expect("shards").len();
    // The villages with elders, read before the server's store narrows the tables to its own.
    let villages = villages_with_elders(&replica);
    // Codes for the station, the reviewer and the 300 caseworkers, made before the server starts.
    let mut store = SqliteStore::new(replica).expect("store");
    let station_code = code(&mut store, Role::StationDirector, std::slice::from_ref(&township.code));
    let reviewer_code = code(&mut store, Role::CountyReviewer, &[demo::DEMO_COUNTY.to_owned()]);
    let device_codes: Vec<(String, String)> = (0..DEVICES)
        .map(|index| {
            let village = villages[index % villages.len()].clone();
            (code(&mut store, Role::Caseworker, std::slice::from_ref(&village)), village)
        })
        .collect();
    drop(store);
    // The server keeps its database encrypted; encrypting it here keeps the 1 GB job out of the
    // server's start (which the bench waits for).
    let started = Instant::now();
    let key = xianglin_sync::crypto::Key::create_file(&county_database.with_extension("key")).expect("county key");
    xianglin_sync::encrypted::encrypt_in_place(&county_database, &key, &mut |_| {}).expect("encrypt the county");
    println!("county database encrypted in place in {:.1} s", started.elapsed().as_secs_f64());

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async move {
        let mut server = CountyServer::start(&county_database, directory.path());
        // XIANGLIN_BENCH_ONLY=devices runs the 300 devices alone.
        let only_devices = std::env::var("XIANGLIN_BENCH_ONLY").is_ok_and(|only| only == "devices");
        let mut slow_copies = None;
        let month_end = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap().and_hms_opt(18, 0, 0).unwrap();
        if !only_devices {

        // A township station's month.
        let station_file = directory.path().join("station.sqlite");
        let station = Device::enroll(&server.url, &station_code, &station_file, today).await;
        let proxy = Proxy::start(server.address, None).await;
        let started = Instant::now();
        station.sync(&proxy.url).await;
        let first_sync = started.elapsed();
        let (up, down, requests) = proxy.take();
        drop(proxy);
        println!(
            "station of {} ({} elders): first sync {:.1} s, {} shards, {} B up + {} B down in {} round trips; database {} kB",
            township.name,
            township.elders,
            first_sync.as_secs_f64(),
            station.replica.lock().unwrap().shards().unwrap().len(),
            up,
            down,
            requests,
            database_bytes(&station_file) / 1_000
        );
        let received = received_floor(&mut station.replica.lock().unwrap());
        println!(
            "  floor: the {} records it received as JSON {} B, zstd {} B (level 3) / {} B (level 19); down / floor = {:.2} (level 3), {:.2} (level 19)",
            received.records,
            received.json,
            received.zstd3,
            received.zstd19,
            down as f64 / received.zstd3 as f64,
            down as f64 / received.zstd19 as f64
        );
        let floor = station_month(&station, &township.code, month_end);
        station.replica.lock().unwrap().set_clock(Clock::Fixed(month_end));
        // The same month again over a slow link, from copies taken before it is pushed.
        server.stop();
        slow_copies = Some((copy_database(&county_database, "slow-county"), copy_database(&station_file, "slow-station")));
        server = CountyServer::start(&county_database, directory.path());

        let proxy = Proxy::start(server.address, None).await;
        let started = Instant::now();
        let round = station.sync(&proxy.url).await;
        let month_time = started.elapsed();
        let (up, down, requests) = proxy.take();
        println!(
            "township month push: {} changes in {} shards; {} B up + {} B down = {} B on the wire in {} round trips ({:.2} s on loopback)",
            round.pushed_changes,
            round.pushed_shards,
            up,
            down,
            up + down,
            requests,
            month_time.as_secs_f64()
        );
        println!(
            "  floor: {} new records as JSON {} B, zstd {} B (level 3) / {} B (level 19); wire / floor = {:.2} (level 3), {:.2} (level 19)",
            floor.records,
            floor.json,
            floor.zstd3,
            floor.zstd19,
            (up + down) as f64 / floor.zstd3 as f64,
            (up + down) as f64 / floor.zstd19 as f64
        );

        // 50 one-field edits of existing visits, each saved on its own.
        let patches = edit_visits(&station, 50);
        let started = Instant::now();
        station.sync(&proxy.url).await;
        let (up, down, requests) = proxy.take();
        let patch_zstd = zstd::encode_all(patches.as_bytes(), 3).unwrap().len();
        println!(
            "50 one-field edits: {} B on the wire in {} round trips ({:.0} ms); as JSON patches {} B, zstd {} B; ratio {:.2}",
            up + down,
            requests,
            started.elapsed().as_secs_f64() * 1e3,
            patches.len(),
            patch_zstd,
            (up + down) as f64 / patch_zstd as f64
        );

        // A quiet resync.
        station.sync(&proxy.url).await;
        proxy.take();
        station.sync(&proxy.url).await;
        let (up, down, requests) = proxy.take();
        let held = station.replica.lock().unwrap().shards().unwrap().len();
        println!(
            "quiet resync of the station ({held} shards): {} B up + {} B down in {requests} round trip(s): {:.1} B per shard",
            up,
            down,
            (up + down) as f64 / held as f64
        );
        drop(proxy);

        // A reviewer's first sync of the whole county year, in a child process.
        let reviewer_file = directory.path().join("reviewer.sqlite");
        let output = Command::new(std::env::current_exe().unwrap())
            .env("XIANGLIN_BENCH_REVIEWER", &server.url)
            .env("XIANGLIN_BENCH_CODE", &reviewer_code)
            .env("XIANGLIN_BENCH_FILE", &reviewer_file)
            .stderr(Stdio::inherit())
            .output()
            .expect("reviewer process");
        print!("{}", String::from_utf8_lossy(&output.stdout));
        println!("  (the county holds {shard_count} shards before the benchmark's own)");
        }

        // 300 caseworkers syncing at once.
        let mut devices = Vec::with_capacity(DEVICES);
        let started = Instant::now();
        for (index, (code, village)) in device_codes.iter().enumerate() {
            let file = directory.path().join(format!("device-{index}.sqlite"));
            let device = Device::enroll(&server.url, code, &file, today).await;
            device.sync(&server.url).await;
            devices.push((device, village.clone()));
        }
        println!("{DEVICES} caseworkers enrolled and first synced one after another in {:.1} s", started.elapsed().as_secs_f64());
        // Enrolling 300 computers wrote 300 device records into the county document: each
        // device takes them in once, as it would over days of enrollments, before the test.
        for (device, _) in &devices {
            device.sync(&server.url).await;
        }
        let devices = burst(devices.into_iter().map(|(device, _)| device).collect(), &[server.url.clone()], &[&server]).await;

        // The same, one device after another: what one sync costs when nothing else runs.
        let mut alone = Vec::new();
        for (index, device) in devices.iter().enumerate() {
            device.save_visit_to_first_elder(DEVICES + index);
            let link = device.link(&server.url);
            let started = Instant::now();
            link.sync(&device.replica).await.expect("sync");
            alone.push(started.elapsed());
        }
        alone.sort();
        println!(
            "  one after another: sync latency p50 {:.1} ms, p99 {:.1} ms",
            ms(alone[alone.len() / 2]),
            ms(alone[alone.len() * 99 / 100])
        );
        server.stop();

        // The month again, over a slow rural link.
        let Some((slow_county, slow_station)) = slow_copies else { return };
        let mut server = CountyServer::start(&slow_county, directory.path());
        let slow = Device::open(&slow_station, month_end);
        let proxy = Proxy::start(server.address, Some(Link64k::default())).await;
        let started = Instant::now();
        slow.sync(&proxy.url).await;
        let (up, down, requests) = proxy.take();
        println!(
            "township month over 64 kbit/s with 300 ms round trips: {:.1} s ({} B in {} round trips)",
            started.elapsed().as_secs_f64(),
            up + down,
            requests
        );
        server.stop();
    });
}

/// The day the generated county's data ends.
fn bench_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date")
}

/// The demo county of `size` as a county server's SQLite database at `path`, generated, or
/// copied from `XIANGLIN_BENCH_COUNTY` (which keeps it between runs: copied, never changed).
fn generate_county(path: &Path, size: DemoSize) {
    let today = bench_today();
    let cached = std::env::var_os("XIANGLIN_BENCH_COUNTY").map(PathBuf::from);
    let started = Instant::now();
    if let Some(cached) = cached.as_ref().filter(|cached| cached.exists()) {
        std::fs::copy(cached, path).expect("copy the cached county");
        println!("county: copied from {}", cached.display());
        return;
    }
    let mut replica = Replica::open(path).expect("county replica");
    replica.set_clock(Clock::Fixed(today.and_hms_opt(17, 0, 0).expect("valid time")));
    let summary = demo::generate(&mut replica, &DemoOptions { size, seed: 1, today }).expect("demo county");
    replica.set_user("county-server").expect("server user");
    drop(replica);
    println!(
        "county: {} townships, {} villages, {} elders, {} visits, {} meals, generated in {:.0} s",
        summary.townships,
        summary.villages,
        summary.elders,
        summary.visits,
        summary.meals,
        started.elapsed().as_secs_f64()
    );
    if let Some(cached) = &cached {
        std::fs::copy(path, cached).expect("keep the county");
    }
}

/// The villages of a county replica that have elders.
fn villages_with_elders(replica: &Replica) -> Vec<String> {
    query::place_tree(replica)
        .expect("places")
        .into_iter()
        .flat_map(|township| {
            township.children.into_iter().filter(|village| village.elders > 0).map(|village| village.code)
        })
        .collect()
}

/// `devices` caseworkers syncing at once against two `serve` processes over one PostgreSQL
/// database that holds the generated county (copied into it shard by shard, as the store keeps
/// them), device `i` at process `i % 2`. Needs `XIANGLIN_TEST_POSTGRES` (a cluster; a new
/// database is made on it).
fn fleet_on_postgres(size: DemoSize, devices: usize) {
    let today = bench_today();
    let directory = tempfile::tempdir().expect("temporary directory");
    let generated = directory.path().join("generated.sqlite");
    generate_county(&generated, size);
    let replica = Replica::open(&generated).expect("county replica");
    let villages = villages_with_elders(&replica);
    let mut sqlite = SqliteStore::new(replica).expect("store");

    // The county into PostgreSQL, shard by shard, sealed under a key of its own.
    let url = xianglin_county::store::testing::fresh_postgres();
    let key_file = directory.path().join("county.key");
    let key = xianglin_sync::crypto::Key::create_file(&key_file).expect("county key");
    let county = sqlite.county_code().expect("county code");
    let mut postgres = server::PostgresStore::connect(&url, &county, key).expect("PostgreSQL store");
    let started = Instant::now();
    let shards = sqlite.shards_changed_since(0).expect("shards");
    for (shard, _) in &shards {
        let chunks = sqlite.changes_since(shard, &[]).expect("the shard's changes");
        postgres.apply(shard, &chunks).expect("copied into PostgreSQL");
    }
    println!("county copied into PostgreSQL: {} shards in {:.0} s", shards.len(), started.elapsed().as_secs_f64());
    let codes: Vec<String> = (0..devices)
        .map(|index| code(&mut postgres, Role::Caseworker, std::slice::from_ref(&villages[index % villages.len()])))
        .collect();
    drop((sqlite, postgres));

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async move {
        let settings = format!(
            "database = {url:?}\ncounty = {county:?}\nkey_file = {:?}\nattachments = {:?}\n",
            key_file.display().to_string(),
            directory.path().join("attachments").display().to_string()
        );
        let servers = [
            CountyServer::start_with(&settings, directory.path()),
            CountyServer::start_with(&settings, directory.path()),
        ];
        let urls: Vec<String> = servers.iter().map(|server| server.url.clone()).collect();

        // Enrolled and first synced a few at a time (as over a county's days of enrollments),
        // alternating between the processes; then each syncs once more to take in the others'
        // enrollments, as the 300-device run does.
        let started = Instant::now();
        let enrolled = Arc::new(tokio::sync::Semaphore::new(8));
        let mut tasks = Vec::new();
        for (index, code) in codes.into_iter().enumerate() {
            let (url, enrolled) = (urls[index % 2].clone(), Arc::clone(&enrolled));
            let file = directory.path().join(format!("device-{index}.sqlite"));
            tasks.push(tokio::spawn(async move {
                let _turn = enrolled.acquire().await.expect("semaphore");
                let device = Device::enroll(&url, &code, &file, today).await;
                device.sync(&url).await;
                device.lighten();
                device
            }));
        }
        let mut fleet = Vec::with_capacity(devices);
        for task in tasks {
            fleet.push(task.await.expect("device enrolled"));
        }
        println!(
            "{devices} caseworkers enrolled and first synced, 8 at a time, in {:.0} s",
            started.elapsed().as_secs_f64()
        );
        for (index, device) in fleet.iter().enumerate() {
            device.sync(&urls[(index + 1) % 2]).await;
            device.lighten();
        }
        let before: Vec<u64> = servers.iter().map(CountyServer::peak_memory_mb).collect();
        burst(fleet, &urls, &servers.iter().collect::<Vec<_>>()).await;
        let after: Vec<u64> = servers.iter().map(CountyServer::peak_memory_mb).collect();
        println!("  each process's peak memory: {after:?} MB (before the burst {before:?} MB)");
        let size: i64 = {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("PostgreSQL");
                client.query_one("SELECT pg_database_size(current_database())", &[]).expect("size").get(0)
            })
            .join()
            .expect("size")
        };
        println!("  the PostgreSQL database: {:.0} MB", size as f64 / 1e6);
    });
}

/// Each device saves a visit and prepares its request; then all the requests go at once, device
/// `i` to `urls[i % urls.len()]`. Timed is the request alone (sent to answered); the answers
/// are taken in once every request is answered: on a real county the devices are as many
/// computers, and their work is not the server's. Prints errors, latencies and the servers'
/// CPU and memory; returns the devices.
async fn burst(devices: Vec<Device>, urls: &[String], servers: &[&CountyServer]) -> Vec<Device> {
    let count = devices.len();
    let http = reqwest::Client::new();
    let mut tasks = Vec::new();
    // The devices and this task meet at the barrier: CPU time is read once all are ready.
    let barrier = Arc::new(tokio::sync::Barrier::new(count + 1));
    for (index, device) in devices.into_iter().enumerate() {
        let barrier = Arc::clone(&barrier);
        let url = format!("{}/v1/sync", urls[index % urls.len()]);
        let http = http.clone();
        tasks.push(tokio::spawn(async move {
            device.save_visit_to_first_elder(index);
            let (request, _) = client::prepare(&mut device.replica.lock().unwrap()).unwrap();
            let body = wire::encode_at(&request, wire::DEVICE_LEVEL);
            barrier.wait().await;
            let started = Instant::now();
            let answer = http
                .post(&url)
                .bearer_auth(&device.token)
                .header("content-type", wire::CONTENT_TYPE)
                .header("content-encoding", wire::CONTENT_ENCODING)
                .body(body)
                .send()
                .await;
            let answer = match answer {
                Ok(answer) if answer.status().is_success() => answer.bytes().await.map_err(|error| error.to_string()),
                Ok(answer) => Err(format!("status {}", answer.status())),
                Err(error) => Err(error.to_string()),
            };
            let latency = started.elapsed();
            (latency, answer, request, device)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    let mut devices = Vec::new();
    let mut answered = Vec::new();
    let server_cpu = || servers.iter().map(|server| server.cpu_seconds()).sum::<f64>();
    let before = servers.iter().map(|server| server.peak_memory_mb()).max().unwrap_or(0);
    barrier.wait().await;
    let cpu_before = (server_cpu(), cpu_seconds_of("/proc/self/stat"));
    let wall = Instant::now();
    for task in tasks {
        answered.push(task.await.expect("device task"));
    }
    let wall = wall.elapsed();
    println!(
        "  the {count} requests took {:.2} s of wall time; CPU used meanwhile: server{} {:.2} s, load generator {:.2} s (2 cores)",
        wall.as_secs_f64(),
        if servers.len() > 1 { "s" } else { "" },
        server_cpu() - cpu_before.0,
        cpu_seconds_of("/proc/self/stat") - cpu_before.1
    );
    for (latency, answer, request, device) in answered {
        latencies.push(latency);
        match answer {
            Ok(bytes) => {
                let response: SyncResponse = wire::decode(&bytes, 1 << 30).unwrap();
                client::absorb(&mut device.replica.lock().unwrap(), &request, &response).unwrap();
            }
            Err(error) => errors.push(error),
        }
        devices.push(device);
    }
    latencies.sort();
    println!(
        "{count} devices syncing at once: {} errors{}; request latency p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; server peak memory {} MB (before {} MB)",
        errors.len(),
        errors.first().map(|error| format!(" (first: {error})")).unwrap_or_default(),
        ms(latencies[latencies.len() / 2]),
        ms(latencies[latencies.len() * 99 / 100]),
        ms(*latencies.last().unwrap()),
        servers.iter().map(|server| server.peak_memory_mb()).max().unwrap_or(0),
        before
    );
    devices
}

/// A county with one township's demo and a signed release of `megabytes` random bytes; a
/// station enrolls, learns of it at sync and downloads it over the 64 kbit/s link.
fn update_over_a_slow_link(megabytes: f64) {
    use xianglin_sync::release::{self, UpdateFolder};
    let today = bench_today();
    let directory = tempfile::tempdir().expect("temporary directory");
    let county_database = directory.path().join("county.sqlite");
    let mut replica = Replica::open(&county_database).expect("county replica");
    replica.set_clock(Clock::Fixed(today.and_hms_opt(17, 0, 0).expect("valid time")));
    demo::generate(&mut replica, &DemoOptions { size: DemoSize::Small, seed: 1, today }).expect("demo county");
    replica.set_user("county-server").expect("server user");
    let township = query::place_tree(&replica).expect("places").into_iter().max_by_key(|t| t.elders).expect("township");
    let mut store = SqliteStore::new(replica).expect("store");
    let station_code = code(&mut store, Role::StationDirector, std::slice::from_ref(&township.code));
    drop(store);
    let key = xianglin_sync::crypto::Key::create_file(&county_database.with_extension("key")).expect("county key");
    xianglin_sync::encrypted::encrypt_in_place(&county_database, &key, &mut |_| {}).expect("encrypt the county");

    let signer = minisign::KeyPair::generate_unencrypted_keypair().expect("key pair");
    let public = release::public_key(&signer.pk.to_box().expect("public key").into_string()).expect("public key");
    let name = format!("xianglin_9.9.9_{}.deb", release::this_arch());
    let mut rng = Rng::new(64);
    let bytes: Vec<u8> = (0..(megabytes * 1e6) as usize).map(|_| rng.next_u64() as u8).collect();
    let package = directory.path().join(&name);
    std::fs::write(&package, &bytes).expect("package");
    let comment = format!("timestamp:0\tfile:{name}\tversion:9.9.9");
    let signature = minisign::sign(Some(&signer.pk), &signer.sk, bytes.as_slice(), Some(&comment), None)
        .expect("signature")
        .into_string();
    let offer = server::Releases::new(county_database.with_extension("releases"))
        .add(&package, signature.as_bytes(), &public)
        .expect("release added");

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async move {
        let mut server = CountyServer::start(&county_database, directory.path());
        let station = Device::enroll(&server.url, &station_code, &directory.path().join("station.sqlite"), today).await;
        station.sync(&server.url).await;
        let offered = client::offered_release(&station.replica.lock().unwrap()).expect("setting").expect("an offer");
        assert_eq!(offered, offer);
        let proxy = Proxy::start(server.address, Some(Link64k::default())).await;
        let folder = UpdateFolder::new(directory.path().join("updates"));
        let started = Instant::now();
        let path = station
            .link(&proxy.url)
            .download_release(&offered, &folder, &public, |_, _| {})
            .await
            .expect("downloaded and checked");
        let took = started.elapsed();
        let (up, down, _) = proxy.take();
        let started = Instant::now();
        release::check_file(&public, &path, &offered.signature).expect("checks");
        let checked = started.elapsed();
        println!(
            "update of {:.2} MB over 64 kbit/s with 300 ms round trips: downloaded and checked in {:.1} s ({} B on the wire, {:.0} B/s of package); the check alone {:.1} ms",
            offered.bytes as f64 / 1e6,
            took.as_secs_f64(),
            up + down,
            offered.bytes as f64 / took.as_secs_f64(),
            ms(checked)
        );
        if let Some(real) = std::env::var_os("XIANGLIN_BENCH_PACKAGE") {
            let real = PathBuf::from(real);
            let length = std::fs::metadata(&real).expect("XIANGLIN_BENCH_PACKAGE").len();
            let sig = std::fs::read(real.with_extension("deb.sig")).expect("its .sig beside it");
            let sig = release::signature_text(&sig).expect("a signature");
            let key = std::env::var("XIANGLIN_UPDATE_PUBLIC_KEY").expect("the key it was signed with");
            let key = release::public_key(&key).expect("a public key");
            let started = Instant::now();
            release::check_file(&key, &real, &sig).expect("the package checks against its key");
            println!(
                "{}: {:.1} MB, checked (SHA-256 and BLAKE2b of every byte) in {:.0} ms; at the rate above its download takes {:.0} min",
                real.display(),
                length as f64 / 1e6,
                ms(started.elapsed()),
                length as f64 / (offered.bytes as f64 / took.as_secs_f64()) / 60.0
            );
        }
        server.stop();
    });
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// Creates a user and an enrollment code for them.
fn code(store: &mut dyn DeviceStore, role: Role, places: &[String]) -> String {
    // The server judges a code's expiry by the system clock.
    let now = xianglin_schema::clock::now();
    let user = User {
        id: new_id(),
        name: "测试用户".into(),
        role,
        places: places.to_vec(),
        phone: None,
        meta: RecordMeta::created(now, "county-server"),
    };
    let code = server::new_code();
    store.create_code(&user, &code, now + chrono::Duration::days(1), now).expect("code");
    code
}

fn copy_database(path: &Path, name: &str) -> PathBuf {
    let copy = path.with_file_name(format!("{name}.sqlite"));
    std::fs::copy(path, &copy).expect("copy database");
    // An encrypted county's key goes with it.
    if path.with_extension("key").exists() {
        std::fs::copy(path.with_extension("key"), copy.with_extension("key")).expect("copy the key");
    }
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::copy(&side, format!("{}{suffix}", copy.display())).expect("copy database log");
        }
    }
    copy
}

/// The real county server, a child process on a free loopback port.
struct CountyServer {
    child: Child,
    address: std::net::SocketAddr,
    url: String,
}

/// The `xianglin-county` binary of the same build as this benchmark (`target/<profile>/`), or
/// the one `XIANGLIN_COUNTY_BIN` names.
fn county_binary() -> String {
    let binary = std::env::var_os("XIANGLIN_COUNTY_BIN").map(PathBuf::from).unwrap_or_else(|| {
        let this = std::env::current_exe().expect("the benchmark's own path");
        // target/<profile>/deps/sync-<hash> → target/<profile>/xianglin-county
        this.parent().and_then(Path::parent).expect("target/<profile>").join("xianglin-county")
    });
    assert!(
        binary.is_file(),
        "no county server at {}: build it first (cargo build --release -p xianglin-county) or set XIANGLIN_COUNTY_BIN",
        binary.display()
    );
    binary.display().to_string()
}

impl CountyServer {
    /// A server of the SQLite county at `database` (encrypted with the key beside it).
    fn start(database: &Path, directory: &Path) -> CountyServer {
        CountyServer::start_with(
            // The key the bench made beside the database when it encrypted it.
            &format!(
                "database = {:?}\nkey_file = {:?}\n",
                database.display().to_string(),
                database.with_extension("key").display().to_string()
            ),
            directory,
        )
    }

    /// A server with `settings` (a `county.toml` without `listen`) on a free port.
    fn start_with(settings: &str, directory: &Path) -> CountyServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let config = directory.join(format!("county-{port}.toml"));
        std::fs::write(&config, format!("{settings}listen = \"127.0.0.1:{port}\"\n")).unwrap();
        // XIANGLIN_BENCH_SERVER_WRAP runs the server under another program (a profiler).
        let wrap = std::env::var("XIANGLIN_BENCH_SERVER_WRAP").unwrap_or_default();
        let mut words: Vec<String> = wrap.split_whitespace().map(str::to_owned).collect();
        words.extend([county_binary(), "--config".into(), config.display().to_string(), "serve".into()]);
        let child = Command::new(&words[0])
            .args(&words[1..])
            .env("RUST_LOG", std::env::var("XIANGLIN_BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()))
            .stdout(Stdio::null())
            .stderr(match std::env::var_os("XIANGLIN_BENCH_SERVER_LOG_FILE") {
                Some(file) => Stdio::from(std::fs::OpenOptions::new().create(true).append(true).open(file).unwrap()),
                None => Stdio::inherit(),
            })
            .spawn()
            .expect("start xianglin-county");
        let address: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        for _ in 0..300 {
            if std::net::TcpStream::connect(address).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        CountyServer { child, address, url: format!("http://{address}") }
    }

    fn cpu_seconds(&self) -> f64 {
        cpu_seconds_of(&format!("/proc/{}/stat", self.child.id()))
    }

    fn peak_memory_mb(&self) -> u64 {
        peak_memory_of(&format!("/proc/{}/status", self.child.id()))
    }

    fn stop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

impl Drop for CountyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// User plus system CPU time of a process, from /proc/<pid>/stat (clock ticks of 1/100 s).
fn cpu_seconds_of(stat: &str) -> f64 {
    let text = std::fs::read_to_string(stat).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = text.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks = |index: usize| fields.get(index).and_then(|field| field.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn peak_memory_of(status: &str) -> u64 {
    std::fs::read_to_string(status)
        .ok()
        .and_then(|status| status.lines().find(|line| line.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|line| line.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()))
        .map_or(0, |kb| kb / 1024)
}

/// A device: its replica in a file, and its token.
struct Device {
    replica: Mutex<Replica>,
    token: String,
}

impl Device {
    async fn enroll(url: &str, code: &str, file: &Path, today: NaiveDate) -> Device {
        let mut replica = Replica::open(file).expect("device replica");
        replica.set_clock(Clock::Fixed(today.and_hms_opt(17, 0, 0).unwrap()));
        let request =
            EnrollRequest { code: code.to_owned(), device_id: replica.device_id(), label: "测试电脑".into() };
        let enrolled = http::enroll(url, None, &request).await.expect("enroll");
        replica.set_user(&enrolled.scope.user_id).unwrap();
        replica.set_setting("bench.token", Some(&enrolled.token)).unwrap();
        Device { replica: Mutex::new(replica), token: enrolled.token }
    }

    fn open(file: &Path, now: NaiveDateTime) -> Device {
        let mut replica = Replica::open(file).expect("device replica");
        replica.set_clock(Clock::Fixed(now));
        let token = replica.setting("bench.token").unwrap().expect("token");
        Device { replica: Mutex::new(replica), token }
    }

    /// Keeps one document and a small page cache in memory: thousands of devices in one
    /// process (each a computer of its own in a county) must fit in this machine's memory.
    fn lighten(&self) {
        let mut replica = self.replica.lock().unwrap();
        replica.set_cache_capacity(1);
        replica.connection().execute_batch("PRAGMA cache_size = -256; PRAGMA shrink_memory").expect("smaller caches");
    }

    fn link(&self, url: &str) -> Link {
        Link::new(url, None, &self.token).expect("link")
    }

    async fn sync(&self, url: &str) -> xianglin_sync::client::RoundTrip {
        self.link(url).sync(&self.replica).await.expect("sync")
    }

    fn save_visit_to_first_elder(&self, index: usize) {
        let mut replica = self.replica.lock().unwrap();
        let search = xianglin_schema::api::ElderSearch {
            place_code: None,
            query: String::new(),
            include_inactive: false,
            page: 1,
            page_size: 1,
        };
        let elder = query::search_elders(&replica, &search).unwrap().items.remove(0);
        let at = replica.now() - chrono::Duration::minutes(index as i64 + 1);
        store_visit(&mut replica, routine_visit(&elder.id, at)).unwrap();
    }
}

fn routine_visit(elder_id: &str, at: NaiveDateTime) -> Visit {
    Visit {
        id: String::new(),
        elder_id: elder_id.to_owned(),
        village_code: String::new(),
        visited_at: at,
        mode: VisitMode::Home,
        visitor_id: "bench".to_owned(),
        findings: CheckArea::ALL.iter().map(|area| (*area, Finding::default())).collect(),
        referrals: Default::default(),
        major_event: false,
        photos: Default::default(),
        notes: String::new(),
        meta: RecordMeta::default(),
    }
}

/// What the month's new records weigh as plain JSON, and zstd-compressed.
struct Floor {
    records: usize,
    json: usize,
    zstd3: usize,
    zstd19: usize,
}

/// A database's bytes on disk, its write-ahead log included.
fn database_bytes(path: &Path) -> u64 {
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    [path, wal.as_path()].iter().filter_map(|file| std::fs::metadata(file).ok()).map(|metadata| metadata.len()).sum()
}

/// The floor of everything a replica holds: every record of every shard, as JSON, compressed.
fn received_floor(replica: &mut Replica) -> Floor {
    let mut json = Vec::new();
    let mut records = 0;
    for shard in replica.shards().unwrap() {
        let stored = replica.with_document(&shard, xianglin_sync::document::read_all_records).unwrap().unwrap();
        for (_, record) in stored {
            serde_json::to_writer(&mut json, &record.value).unwrap();
            json.push(b'\n');
            records += 1;
        }
    }
    Floor {
        records,
        json: json.len(),
        zstd3: zstd::encode_all(json.as_slice(), 3).unwrap().len(),
        zstd19: zstd::encode_all(json.as_slice(), 19).unwrap().len(),
    }
}

/// A township station's month of December, recorded as the app records it: the visits due
/// (weekly ones every week), and every weekday's meals at each point, each tick saved on its
/// own. Returns the floor of the new records.
fn station_month(station: &Device, township: &str, month_end: NaiveDateTime) -> Floor {
    let mut replica = station.replica.lock().unwrap();
    let month = Month::of(month_end.date());
    let mut rng = Rng::new(12);
    let mut records: Vec<serde_json::Value> = Vec::new();
    let villages: Vec<String> = query::place_tree(&replica)
        .unwrap()
        .into_iter()
        .find(|node| node.code == township)
        .unwrap()
        .children
        .into_iter()
        .map(|village| village.code)
        .collect();
    let started = Instant::now();
    for entry in patrol::month_entries(&replica, &villages, month).unwrap() {
        let weekly = entry.due.as_ref().is_some_and(|due| due.tier_name == "高风险");
        let visits = if weekly {
            4
        } else if entry.due_in_month {
            1
        } else {
            0
        };
        for week in 0..visits {
            let at = month.first_day().and_hms_opt(9, 0, 0).unwrap()
                + chrono::Duration::days(7 * week + rng.between(0, 6))
                + chrono::Duration::minutes(rng.between(0, 480));
            replica.set_clock(Clock::Fixed(at + chrono::Duration::minutes(30)));
            let visit = store_visit(&mut replica, routine_visit(&entry.elder.id, at)).unwrap();
            records.push(serde_json::to_value(&visit).unwrap());
        }
    }
    let visit_count = records.len();
    let visits_time = started.elapsed();
    let started = Instant::now();
    for point in meals::meal_points(&replica, township).unwrap() {
        let diners =
            meals::diners(&replica, &DinersRequest { point_id: point.point.id.clone(), include_left: false }).unwrap();
        let mut date = month.first_day();
        while date <= month.last_day() {
            if point.point.closed_on(date).is_none() {
                replica.set_clock(Clock::Fixed(date.and_hms_opt(13, 0, 0).unwrap()));
                for diner in &diners {
                    for (slot, appetite) in
                        [(MealSlot::Breakfast, 0.12), (MealSlot::Lunch, 0.85), (MealSlot::Dinner, 0.18)]
                    {
                        if !point.point.prices.contains_key(&slot) || !rng.chance(appetite) {
                            continue;
                        }
                        let request = SetMeal {
                            point_id: point.point.id.clone(),
                            elder_id: diner.diner.elder_id.clone(),
                            date,
                            slot,
                            eaten: true,
                            mode: diner.diner.usual_mode,
                            proxy: None,
                            self_paid: None,
                        };
                        // A tick the day does not allow (an elder who died, say) is left out, as in the app.
                        let _ = meals::set_meal(&mut replica, &request);
                    }
                }
            }
            date = date.succ_opt().unwrap();
        }
    }
    // The meals as stored, read back from their shards.
    for shard in replica.shards().unwrap() {
        if let ShardId::Meals { month: shard_month, .. } = &shard
            && *shard_month == month
        {
            let keys = replica.with_document(&shard, xianglin_sync::document::record_keys).unwrap();
            for key in keys {
                records.push(replica.read_record(&shard, &key).unwrap().unwrap().value);
            }
        }
    }
    println!(
        "  recorded the month as the app does: {} visits in {:.1} s, {} meals in {:.1} s (one save each)",
        visit_count,
        visits_time.as_secs_f64(),
        records.len() - visit_count,
        started.elapsed().as_secs_f64()
    );
    let json = serde_json::to_vec(&records).unwrap();
    Floor {
        records: records.len(),
        json: json.len(),
        zstd3: zstd::encode_all(json.as_slice(), 3).unwrap().len(),
        zstd19: zstd::encode_all(json.as_slice(), 19).unwrap().len(),
    }
}

/// Edits one field of `count` existing visits, each saved on its own; returns the same edits
/// as JSON patches.
fn edit_visits(station: &Device, count: usize) -> String {
    let mut replica = station.replica.lock().unwrap();
    let mut patches = Vec::new();
    let visit_shards: Vec<ShardId> =
        replica.shards().unwrap().into_iter().filter(|shard| matches!(shard, ShardId::Visits { .. })).collect();
    let mut edited = 0;
    'shards: for shard in visit_shards.iter().rev() {
        let keys = replica.with_document(shard, xianglin_sync::document::record_keys).unwrap();
        for key in keys {
            let mut visit: Visit =
                serde_json::from_value(replica.read_record(shard, &key).unwrap().unwrap().value).unwrap();
            visit.notes = format!("补记：{}月回访时老人精神状况良好", visit.visited_at.month());
            patches.push(json!({ "id": visit.id, "field": "notes", "value": visit.notes }));
            store_visit(&mut replica, visit).unwrap();
            edited += 1;
            if edited == count {
                break 'shards;
            }
        }
    }
    serde_json::to_string(&patches).unwrap()
}

/// The reviewer's first sync, in this process alone: prints its time and peak memory.
fn reviewer_child() {
    let url = std::env::var("XIANGLIN_BENCH_REVIEWER").unwrap();
    let code = std::env::var("XIANGLIN_BENCH_CODE").unwrap();
    let file = PathBuf::from(std::env::var("XIANGLIN_BENCH_FILE").unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let today = bench_today();
        let device = Device::enroll(&url, &code, &file, today).await;
        let proxy = Proxy::start(url.trim_start_matches("http://").parse().unwrap(), None).await;
        let started = Instant::now();
        // The link's loop, by hand, to see where the time goes: the round trip, taking it in.
        let http = reqwest::Client::new();
        let (mut waiting, mut absorbing) = (Duration::ZERO, Duration::ZERO);
        let mut round = client::RoundTrip::default();
        loop {
            let (request, more_to_push) = client::prepare(&mut device.replica.lock().unwrap()).unwrap();
            let sent = Instant::now();
            let bytes = http
                .post(format!("{}/v1/sync", proxy.url))
                .bearer_auth(&device.token)
                .header("content-type", wire::CONTENT_TYPE)
                .header("content-encoding", wire::CONTENT_ENCODING)
                .body(wire::encode_at(&request, wire::DEVICE_LEVEL))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            waiting += sent.elapsed();
            let taking = Instant::now();
            let response: SyncResponse = wire::decode(&bytes, 1 << 30).unwrap();
            let moved = client::absorb(&mut device.replica.lock().unwrap(), &request, &response).unwrap();
            absorbing += taking.elapsed();
            round.pulled_changes += moved.pulled_changes;
            if !(moved.more || more_to_push) {
                break;
            }
        }
        let elapsed = started.elapsed();
        println!(
            "  of which waiting for answers {:.1} s, taking them in {:.1} s",
            waiting.as_secs_f64(),
            absorbing.as_secs_f64()
        );
        let (up, down, requests) = proxy.take();
        let shards = device.replica.lock().unwrap().shards().unwrap().len();
        println!(
            "reviewer's first sync of the county year: {:.1} s, {} shards, {} changes, {:.1} MB down in {} round trips; peak memory of the syncing process {} MB; database {} MB",
            elapsed.as_secs_f64(),
            shards,
            round.pulled_changes,
            (up + down) as f64 / 1e6,
            requests,
            peak_memory_of("/proc/self/status"),
            std::fs::metadata(&file).map(|metadata| metadata.len() / 1_000_000).unwrap_or(0)
        );
    });
}

/// A rural link: 64 kbit/s each way, 150 ms each way.
#[derive(Debug, Clone, Copy)]
struct Link64k {
    bytes_per_second: f64,
    one_way: Duration,
}

impl Default for Link64k {
    fn default() -> Link64k {
        Link64k { bytes_per_second: 64_000.0 / 8.0, one_way: Duration::from_millis(150) }
    }
}

/// A TCP proxy on loopback that counts every byte each way and the requests, and can play a
/// slow link.
struct Proxy {
    url: String,
    up: Arc<AtomicU64>,
    down: Arc<AtomicU64>,
    requests: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: std::net::SocketAddr, link: Option<Link64k>) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (up, down, requests) =
            (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let counters = (Arc::clone(&up), Arc::clone(&down), Arc::clone(&requests));
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else { break };
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else { continue };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(pipe(
                    client_read,
                    server_write,
                    Arc::clone(&counters.0),
                    Some(Arc::clone(&counters.2)),
                    link,
                ));
                tokio::spawn(pipe(server_read, client_write, Arc::clone(&counters.1), None, link));
            }
        });
        Proxy { url, up, down, requests, task }
    }

    /// Bytes up, bytes down and requests since the last call.
    fn take(&self) -> (u64, u64, u64) {
        (
            self.up.swap(0, Ordering::SeqCst),
            self.down.swap(0, Ordering::SeqCst),
            self.requests.swap(0, Ordering::SeqCst),
        )
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    bytes: Arc<AtomicU64>,
    requests: Option<Arc<AtomicU64>>,
    link: Option<Link64k>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    let mut line_free_at = tokio::time::Instant::now();
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        bytes.fetch_add(read as u64, Ordering::SeqCst);
        if let Some(requests) = &requests {
            let chunk = &buffer[..read];
            let posts = chunk.windows(13).filter(|window| *window == b"POST /v1/sync").count();
            requests.fetch_add(posts as u64, Ordering::SeqCst);
        }
        if let Some(link) = link {
            // The bytes leave once the line is free, take their time on it, and arrive a
            // one-way delay later.
            let now = tokio::time::Instant::now();
            let start = line_free_at.max(now);
            line_free_at = start + Duration::from_secs_f64(read as f64 / link.bytes_per_second);
            tokio::time::sleep_until(line_free_at + link.one_way).await;
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}
