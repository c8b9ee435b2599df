//! Replica benchmarks on the generated demo county (run with `cargo bench -p xianglin-sync`).
//!
//! Prints, for the full-size county (or the small one with `-- small`): time to generate and
//! load it; saving one visit, p50 and p99, against a bare SQLite insert and commit of the same
//! row on the same file; `rebuild` of the whole projection; and the process's peak memory. Each
//! is measured on the plain file and on a copy encrypted in place (SQLCipher), and compared.
//! Then a backup of the encrypted replica is made and restored into an empty folder
//! (`-- backup` skips the other measures). Figures are printed, never asserted.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use xianglin_demo::{self as demo, DemoOptions, DemoSize};
use xianglin_domain::patrol;
use xianglin_domain::patrol::store_visit;
use xianglin_domain::query;
use xianglin_schema::api::ElderSearch;
use xianglin_schema::api::{CoverageRequest, DueListRequest};
use xianglin_schema::record::RecordMeta;
use xianglin_schema::visit::{CheckArea, Finding, Visit, VisitMode};
use xianglin_sync::Replica;
use xianglin_sync::backup::{self, Reason};
use xianglin_sync::checkpoint::Checkpointer;
use xianglin_sync::crypto::Key;
use xianglin_sync::encrypted;
use xianglin_sync::keyring::{Keyring, Person};
use xianglin_sync::replica::Clock;

const SAVES: usize = 2_000;

fn main() {
    let small = std::env::args().any(|argument| argument == "small");
    let only_backup = std::env::args().any(|argument| argument == "backup");
    let size = if small { DemoSize::Small } else { DemoSize::Full };
    let today = NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date");
    // XIANGLIN_BENCH_FILE keeps the generated county for a look afterwards.
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = std::env::var_os("XIANGLIN_BENCH_FILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| directory.path().join("bench.sqlite"));
    let _ = std::fs::remove_file(&path);
    println!("demo county: {size:?}, file {}", path.display());

    let started = Instant::now();
    let mut replica = Replica::open(&path).expect("open replica");
    replica.set_clock(Clock::Fixed(today.and_hms_opt(17, 0, 0).expect("valid time")));
    let summary = demo::generate(&mut replica, &DemoOptions { size, seed: 1, today }).expect("generate");
    let generated = started.elapsed();
    println!(
        "generate and load: {:.1} s ({} townships, {} villages, {} elders, {} visits, {} meals), file {} MB",
        generated.as_secs_f64(),
        summary.townships,
        summary.villages,
        summary.elders,
        summary.visits,
        summary.meals,
        file_megabytes(&path)
    );
    drop(replica);

    // The same county encrypted, as a station's first start of this version leaves it.
    let encrypted_path = path.with_file_name("bench-encrypted.sqlite");
    let _ = std::fs::remove_file(&encrypted_path);
    std::fs::copy(&path, &encrypted_path).expect("copy the county");
    let key = Key::generate();
    let started = Instant::now();
    encrypted::encrypt_in_place(&encrypted_path, &key, &mut |_| {}).expect("encrypt in place");
    println!(
        "encrypt the replica in place (export, verify, swap): {:.1} s, file {} MB",
        started.elapsed().as_secs_f64(),
        file_megabytes(&encrypted_path)
    );

    if !only_backup {
        println!("\n-- plain --");
        let plain = measure(&path, None, today);
        println!("\n-- encrypted (SQLCipher) --");
        let sealed = measure(&encrypted_path, Some(&key), today);
        let unlock = time_unlock(&key, today.and_hms_opt(17, 0, 0).expect("valid time"));
        println!(
            "sign-in to due list: {:.1} ms (argon2id unwrap {:.1} ms, median of 5, + open and first due list {:.1} ms)",
            unlock + sealed.open_to_due,
            unlock,
            sealed.open_to_due
        );
        println!("\n| figure | plain | encrypted | ratio |\n|---|---|---|---|");
        for (label, plain, sealed) in [
            ("open to first due list (ms)", plain.open_to_due, sealed.open_to_due),
            ("due list, typical township, p50 (ms)", plain.due_typical_p50, sealed.due_typical_p50),
            ("save a visit, own villages, p99 (ms)", plain.save_own_p99, sealed.save_own_p99),
            ("save a visit, scattered, p99 (ms)", plain.save_scattered_p99, sealed.save_scattered_p99),
            ("rebuild (s)", plain.rebuild * 1e-3, sealed.rebuild * 1e-3),
        ] {
            println!("| {label} | {plain:.2} | {sealed:.2} | {:.2}x |", sealed / plain);
        }
    }
    backup_and_restore(&encrypted_path, &key, today.and_hms_opt(17, 0, 0).expect("valid time"));
    let _ = std::fs::remove_file(&encrypted_path);
    println!("peak memory (VmHWM): {} MB", peak_memory_mb());
}

/// A backup of the encrypted replica (the online backup API into a file with the keyring),
/// then its restore into an empty folder (copy, checksum, key, `quick_check`, rename).
fn backup_and_restore(database: &std::path::Path, key: &Key, now: NaiveDateTime) {
    let mut keyring = Keyring::new(key, false);
    let person = Person { user_id: "bench", role: "county_reviewer", name: "测试" };
    keyring.set_password(key, &person, "bench-password", 8, now).expect("a password");
    let folder = database.with_file_name("backups");
    let started = Instant::now();
    let made = backup::write(database, key, &keyring, &folder, now, Reason::Manual, &mut |_, _| {}).expect("backup");
    let wrote = started.elapsed();
    let empty = folder.join("restored");
    std::fs::create_dir_all(&empty).expect("an empty folder");
    let target = empty.join("xianglin.sqlite");
    let started = Instant::now();
    backup::restore(&made.path, key, &target, &mut |_, _, _| {}).expect("restore");
    let restored = started.elapsed();
    let elders: i64 = Replica::open_encrypted(&target, key)
        .expect("the restored replica opens")
        .connection()
        .query_row("SELECT count(*) FROM elders", [], |row| row.get(0))
        .expect("elders");
    println!(
        "backup of the encrypted replica ({} MB): {:.1} s, file {} MB; restore into an empty folder: {:.1} s ({elders} elders back)",
        file_megabytes(database),
        wrote.as_secs_f64(),
        made.bytes / 1_000_000,
        restored.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&folder);
}

/// What [`measure`] found, in milliseconds.
struct Figures {
    open_to_due: f64,
    due_typical_p50: f64,
    save_own_p99: f64,
    save_scattered_p99: f64,
    rebuild: f64,
}

/// The station's sign-in before the replica opens: unwrapping the data key with a password
/// (argon2id at the keyring's cost), the median of 5, in ms.
fn time_unlock(key: &Key, now: chrono::NaiveDateTime) -> f64 {
    use xianglin_sync::keyring::{Keyring, Person};
    let mut keyring = Keyring::new(key, false);
    let person = Person { user_id: "bench-user", role: "caseworker", name: "" };
    keyring.set_password(key, &person, "bench-password", 8, now).expect("wrap");
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let started = Instant::now();
            keyring.unlock("bench-user", "bench-password", now).expect("unlock");
            ms(started.elapsed())
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[2]
}

/// Opens the county at `path` (encrypted with `key`, if given) and times what a caseworker
/// waits for: the first due list, saving visits, and a rebuild.
fn measure(path: &std::path::Path, key: Option<&Key>, today: NaiveDate) -> Figures {
    let started = Instant::now();
    let mut replica = match key {
        Some(key) => Replica::open_encrypted(path, key),
        None => Replica::open(path),
    }
    .expect("reopen replica");
    replica.set_clock(Clock::Fixed(today.and_hms_opt(17, 0, 0).expect("valid time")));
    let reopen = started.elapsed();
    println!("reopen: {:.1} ms", reopen.as_secs_f64() * 1e3);

    // Opening the replica and showing a township's due list: what a caseworker waits for at start.
    let township_code = largest_township(&replica);
    let due_request =
        DueListRequest { place_code: Some(township_code.clone()), caseworker_id: None, include_later: false };
    let now = today.and_hms_opt(17, 0, 0).expect("valid time");
    let started = Instant::now();
    let first_list = patrol::due_list(&replica, &due_request, now).expect("due list");
    println!(
        "open to first due list: {:.1} ms (reopen above + {:.1} ms for {} due of the township)",
        reopen.as_secs_f64() * 1e3 + started.elapsed().as_secs_f64() * 1e3,
        started.elapsed().as_secs_f64() * 1e3,
        first_list.rows.len()
    );
    let open_to_due = ms(reopen) + ms(started.elapsed());
    let due_times = time_due_list(&replica, &due_request, now);
    // The yardstick: a township of about 600 elders.
    let typical_township = township_nearest(&replica, 600);
    let typical_request =
        DueListRequest { place_code: Some(typical_township.clone()), caseworker_id: None, include_later: false };
    let (typical_p50, typical_p95) = percentiles_95(time_due_list(&replica, &typical_request, now));
    println!(
        "due list of a township of {} elders: p50 {:.1} ms, p95 {:.1} ms",
        elder_count(&replica, &typical_township),
        ms(typical_p50),
        ms(typical_p95)
    );
    let coverage_times: Vec<Duration> = (0..5)
        .map(|_| {
            let started = Instant::now();
            patrol::coverage(&replica, &CoverageRequest { place_code: township_code.clone(), month: "2026-10".into() })
                .expect("coverage");
            started.elapsed()
        })
        .collect();
    let township_elders = elder_count(&replica, &township_code);
    let (due_p50, due_p95) = percentiles_95(due_times);
    let (coverage_p50, _) = percentiles_95(coverage_times);
    println!(
        "due list of the largest township ({township_elders} elders): p50 {:.1} ms, p95 {:.1} ms; its monthly coverage: p50 {:.1} ms",
        ms(due_p50),
        ms(due_p95),
        ms(coverage_p50)
    );

    let _checkpointer = Checkpointer::spawn(path, key, Duration::from_secs(1)).expect("checkpointer");
    let visit_day = today.and_hms_opt(9, 0, 0).expect("valid time");
    // A caseworker's day: visits to the elders of their four villages.
    let township = query::place_tree(&replica).expect("places").into_iter().next().expect("a township");
    let mut own_elders = Vec::new();
    for village in township.children.iter().take(4) {
        own_elders.extend(elder_ids(&replica, Some(village.code.clone())));
    }
    let own = save_visits(&mut replica, &own_elders, visit_day);
    // The worst case: visits scattered over the whole county, one village after another.
    let county_elders = elder_ids(&replica, None);
    let scattered = save_visits(&mut replica, &county_elders, visit_day + chrono::Duration::hours(2));
    let bare = percentiles(bare_sqlite_inserts(path, key));
    for (label, (p50, p99)) in [("a caseworker's villages", own), ("scattered over the county", scattered)] {
        println!(
            "save one visit, {label}: p50 {:.2} ms, p99 {:.2} ms (bare SQLite insert+commit p50 {:.3} ms, p99 {:.3} ms; ratio p50 {:.0}x, p99 {:.0}x)",
            ms(p50),
            ms(p99),
            ms(bare.0),
            ms(bare.1),
            ms(p50) / ms(bare.0),
            ms(p99) / ms(bare.1)
        );
    }

    let started = Instant::now();
    let stats = replica.rebuild().expect("rebuild");
    let rebuild = started.elapsed();
    println!("rebuild: {:.1} s ({} shards, {} records)", rebuild.as_secs_f64(), stats.shards, stats.records);
    Figures {
        open_to_due,
        due_typical_p50: ms(typical_p50),
        save_own_p99: ms(own.1),
        save_scattered_p99: ms(scattered.1),
        rebuild: ms(rebuild),
    }
}

fn time_due_list(replica: &Replica, request: &DueListRequest, now: NaiveDateTime) -> Vec<Duration> {
    (0..20)
        .map(|_| {
            let started = Instant::now();
            patrol::due_list(replica, request, now).expect("due list");
            started.elapsed()
        })
        .collect()
}

/// The township whose active elders number closest to `elders`.
fn township_nearest(replica: &Replica, elders: u32) -> String {
    let tree = query::place_tree(replica).expect("places");
    tree.into_iter().min_by_key(|township| township.elders.abs_diff(elders)).expect("a township").code
}

/// The township with the most active elders.
fn largest_township(replica: &Replica) -> String {
    let tree = query::place_tree(replica).expect("places");
    tree.into_iter().max_by_key(|township| township.elders).expect("a township").code
}

fn elder_count(replica: &Replica, place_code: &str) -> u32 {
    let search = ElderSearch {
        place_code: Some(place_code.to_owned()),
        query: String::new(),
        include_inactive: false,
        page: 1,
        page_size: 1,
    };
    query::search_elders(replica, &search).expect("search").total
}

fn percentiles_95(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[times.len() / 2], times[times.len() * 95 / 100])
}

fn elder_ids(replica: &Replica, place_code: Option<String>) -> Vec<String> {
    let search = ElderSearch { place_code, query: String::new(), include_inactive: false, page: 1, page_size: 200 };
    query::search_elders(replica, &search).expect("search").items.into_iter().map(|row| row.id).collect()
}

/// Saves `SAVES` routine visits, cycling through `elder_ids`, and returns p50 and p99.
fn save_visits(replica: &mut Replica, elder_ids: &[String], from: NaiveDateTime) -> (Duration, Duration) {
    let times = (0..SAVES)
        .map(|index| {
            let visit =
                routine_visit(&elder_ids[index % elder_ids.len()], from + chrono::Duration::seconds(index as i64));
            let started = Instant::now();
            store_visit(replica, visit).expect("save visit");
            started.elapsed()
        })
        .collect();
    percentiles(times)
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

/// The same row a visit projects, inserted and committed with nothing else, on the same file.
fn bare_sqlite_inserts(path: &std::path::Path, key: Option<&Key>) -> Vec<Duration> {
    let mut connection = rusqlite::Connection::open(path).expect("open");
    if let Some(key) = key {
        encrypted::apply_key(&connection, key, "bench").expect("key");
    }
    connection.pragma_update(None, "synchronous", "NORMAL").expect("pragma");
    connection
        .execute_batch("CREATE TABLE IF NOT EXISTS bare_visits (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
        .expect("table");
    let body = serde_json::to_string(&routine_visit("elder", NaiveDateTime::default())).expect("json");
    (0..SAVES)
        .map(|index| {
            let started = Instant::now();
            let transaction = connection.transaction().expect("begin");
            transaction
                .execute("INSERT INTO bare_visits (id, body) VALUES (?1, ?2)", (format!("bare-{index}"), &body))
                .expect("insert");
            transaction.commit().expect("commit");
            started.elapsed()
        })
        .collect()
}

fn percentiles(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[times.len() / 2], times[times.len() * 99 / 100])
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// The database file and its write-ahead log, in MB.
fn file_megabytes(path: &std::path::Path) -> u64 {
    let wal = path.with_extension("sqlite-wal");
    [path, wal.as_path()]
        .iter()
        .filter_map(|file| std::fs::metadata(file).ok())
        .map(|metadata| metadata.len())
        .sum::<u64>()
        / 1_000_000
}

fn peak_memory_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find(|line| line.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|line| line.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()))
        .map_or(0, |kb| kb / 1024)
}
