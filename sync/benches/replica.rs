//! Replica benchmarks on the generated demo county (run with `cargo bench -p xianglin-sync`).
//!
//! Prints, for the full-size county (or the small one with `-- small`): time to generate and
//! load it; saving one visit, p50 and p99, against a bare SQLite insert and commit of the same
//! row on the same file; `rebuild` of the whole projection; and the process's peak memory.
//! Figures are printed, never asserted.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use xianglin_schema::record::RecordMeta;
use xianglin_schema::view::ElderSearch;
use xianglin_schema::visit::{CheckArea, Finding, Visit, VisitMode};
use xianglin_sync::demo::{self, DemoOptions, DemoSize};
use xianglin_sync::replica::Clock;
use xianglin_sync::{Replica, query};

const SAVES: usize = 2_000;

fn main() {
    let small = std::env::args().any(|argument| argument == "small");
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
        std::fs::metadata(&path).map(|metadata| metadata.len() / 1_000_000).unwrap_or(0)
    );
    drop(replica);

    let started = Instant::now();
    let mut replica = Replica::open(&path).expect("reopen replica");
    replica.set_clock(Clock::Fixed(today.and_hms_opt(17, 0, 0).expect("valid time")));
    println!("reopen: {:.1} ms", started.elapsed().as_secs_f64() * 1e3);

    let elders = query::search_elders(
        &replica,
        &ElderSearch { place_code: None, query: String::new(), include_inactive: false, page: 1, page_size: 200 },
    )
    .expect("search");
    let visit_times: Vec<Duration> = (0..SAVES)
        .map(|index| {
            let elder = &elders.items[index % elders.items.len()];
            let visit = routine_visit(
                &elder.id,
                today.and_hms_opt(9, 0, 0).expect("valid time") + chrono::Duration::seconds(index as i64),
            );
            let started = Instant::now();
            replica.save_visit(visit).expect("save visit");
            started.elapsed()
        })
        .collect();
    let bare_times = bare_sqlite_inserts(&path);
    let (visit_p50, visit_p99) = percentiles(visit_times);
    let (bare_p50, bare_p99) = percentiles(bare_times);
    println!(
        "save one visit: p50 {:.2} ms, p99 {:.2} ms; bare SQLite insert+commit: p50 {:.3} ms, p99 {:.3} ms; ratio p50 {:.1}x",
        ms(visit_p50),
        ms(visit_p99),
        ms(bare_p50),
        ms(bare_p99),
        ms(visit_p50) / ms(bare_p50)
    );

    let started = Instant::now();
    let stats = replica.rebuild().expect("rebuild");
    println!("rebuild: {:.1} s ({} shards, {} records)", started.elapsed().as_secs_f64(), stats.shards, stats.records);
    println!("peak memory (VmHWM): {} MB", peak_memory_mb());
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
        notes: String::new(),
        meta: RecordMeta::default(),
    }
}

/// The same row a visit projects, inserted and committed with nothing else, on the same file.
fn bare_sqlite_inserts(path: &std::path::Path) -> Vec<Duration> {
    let mut connection = rusqlite::Connection::open(path).expect("open");
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

fn peak_memory_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find(|line| line.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|line| line.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()))
        .map_or(0, |kb| kb / 1024)
}
