//! Shared helpers: fixed clocks, a replica holding the small demo county, sample records.

use std::collections::BTreeMap;

use automerge::ActorId;
use chrono::{NaiveDate, NaiveDateTime};
use xianglin_demo::Rng;
use xianglin_demo::{self as demo, DemoOptions, DemoSize};
use xianglin_schema::elder::{EconomicStatus, Elder, LifeStatus};
use xianglin_schema::id_number;
use xianglin_schema::record::{Gender, RecordMeta};
use xianglin_schema::visit::{CheckArea, Finding, Severity, Visit, VisitMode};
use xianglin_sync::Author;
use xianglin_sync::Replica;
use xianglin_sync::ShardId;
use xianglin_sync::projection::county_key;
use xianglin_sync::replica::Clock;

/// The day the scenarios pretend it is.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

pub fn now() -> NaiveDateTime {
    today().and_hms_opt(16, 0, 0).unwrap()
}

pub fn small_demo_options(seed: u64) -> DemoOptions {
    DemoOptions { size: DemoSize::Small, seed, today: today() }
}

/// An in-memory replica holding the small demo county, with the clock fixed at [`now`].
pub fn small_demo_replica(seed: u64) -> Replica {
    let mut replica = Replica::open_in_memory().unwrap();
    replica.set_clock(Clock::Fixed(now()));
    demo::generate(&mut replica, &small_demo_options(seed)).unwrap();
    replica
}

/// An attachment store in a scratch directory that lives as long as the test process.
pub fn attachments() -> xianglin_sync::attachments::AttachmentStore {
    let directory = Box::leak(Box::new(scratch()));
    xianglin_sync::attachments::AttachmentStore::new(directory.path().join("attachments"))
}

/// A scratch directory for one test, removed when dropped.
pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

pub const VILLAGES: [&str; 3] = ["360733105201", "360733105202", "360733105203"];

/// A replica holding the places of 会昌县 and nothing else.
pub fn county_replica() -> Replica {
    let mut replica = Replica::open_in_memory().unwrap();
    replica.set_clock(Clock::Fixed(now()));
    load_places(&mut replica);
    replica.set_user("user-1").unwrap();
    replica
}

/// Writes the county document: the places of 会昌县 and its default policy.
pub fn load_places(replica: &mut Replica) {
    let mut records: Vec<_> = xianglin_schema::place::huichang()
        .iter()
        .map(|place| (county_key("place", &place.code), serde_json::to_value(place).unwrap()))
        .collect();
    let policy = xianglin_schema::policy::huichang_default();
    records.push((county_key("policy", &policy.version), serde_json::to_value(&policy).unwrap()));
    let author = Author { actor: ActorId::from(b"county".as_slice()), user_id: "county".into(), at: now() };
    replica.commit(&ShardId::county(demo::DEMO_COUNTY), &records, &author).unwrap();
}

pub fn elder(rng: &mut Rng, village: &str) -> Elder {
    let birth =
        NaiveDate::from_ymd_opt(1930 + rng.below(30) as i32, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32)
            .unwrap();
    let gender = if rng.chance(0.5) { Gender::Male } else { Gender::Female };
    Elder {
        id: String::new(),
        name: ["王秀英", "刘建国", "陈桂香", "曾德明"][rng.below(4) as usize].to_owned(),
        id_number: id_number::compose("360733", birth, rng.below(1000) as u16, gender),
        gender,
        birth_date: birth,
        phone: None,
        address: "庄口镇".into(),
        village_code: village.to_owned(),
        categories: BTreeMap::new(),
        economic_status: EconomicStatus::None,
        life: LifeStatus::default(),
        contacts: BTreeMap::new(),
        events: BTreeMap::new(),
        notes: String::new(),
        meta: RecordMeta::default(),
    }
}

pub fn visit(elder: &Elder, at: chrono::NaiveDateTime, severity: Severity) -> Visit {
    Visit {
        id: String::new(),
        elder_id: elder.id.clone(),
        village_code: String::new(),
        visited_at: at,
        mode: VisitMode::Home,
        visitor_id: "user-1".into(),
        findings: CheckArea::ALL.iter().map(|area| (*area, Finding { severity, note: String::new() })).collect(),
        referrals: BTreeMap::new(),
        major_event: false,
        photos: BTreeMap::new(),
        notes: String::new(),
        meta: RecordMeta::default(),
    }
}

/// A one-page PDF with its cross-reference table where its trailer says (what a scanner writes,
/// at its smallest): a stored attachment must be a PDF a reader can open.
pub fn one_page_pdf() -> Vec<u8> {
    let bodies = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ];
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (number, body) in (1..).zip(bodies) {
        offsets.push(pdf.len());
        pdf.extend(format!("{number} 0 obj\n{body}\nendobj\n").into_bytes());
    }
    let xref = pdf.len();
    let entries: String = offsets.iter().map(|offset| format!("{offset:010} 00000 n \n")).collect();
    pdf.extend(format!("xref\n0 4\n0000000000 65535 f \n{entries}").into_bytes());
    pdf.extend(format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").into_bytes());
    pdf
}

/// A real picture of `width`×`height` pixels in `format` (each size a different file).
pub fn picture(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(pixels).write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

/// A JPEG photo (see [`picture`]).
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    picture(width, height, image::ImageFormat::Jpeg)
}

/// A PNG picture (see [`picture`]).
pub fn png(width: u32, height: u32) -> Vec<u8> {
    picture(width, height, image::ImageFormat::Png)
}

/// What the replica holds: every table's rows, sorted, as text (the census the test compares).
pub fn replica_contents(replica: &Replica) -> Vec<(String, Vec<String>)> {
    let connection = replica.connection();
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|table| {
            let mut statement = connection.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
            let columns = statement.column_count();
            let rows = statement
                .query_map([], |row| {
                    let values: Vec<String> = (0..columns)
                        .map(|index| row.get::<_, rusqlite::types::Value>(index).map(|value| format!("{value:?}")))
                        .collect::<Result<_, _>>()?;
                    Ok(values.join("|"))
                })
                .unwrap()
                .collect::<Result<Vec<String>, _>>()
                .unwrap();
            let mut rows = rows;
            rows.sort();
            (table, rows)
        })
        .collect()
}

/// Waits for a child process that prints `step <name>` as each step begins and then waits for a
/// line on its stdin (a test's child run with a pause at every step), lets it through the
/// steps before `stop_at`, and kills it (-9) at the start of that one.
pub fn kill_at_step(mut process: std::process::Child, stop_at: &str) {
    use std::io::{BufRead, Write};
    let mut lines = std::io::BufReader::new(process.stdout.take().unwrap()).lines();
    loop {
        // libtest may print the test's name on the same line first.
        let line = lines.next().expect("the child reports its steps").unwrap();
        let Some(step) = line.split("step ").nth(1) else { continue };
        if step == stop_at {
            break;
        }
        writeln!(process.stdin.as_mut().unwrap()).unwrap();
    }
    process.kill().unwrap();
    process.wait().unwrap();
}

/// Kills a child at random moments of a whole run's duration, `rounds` times, calling `before`
/// ahead of each run and `after` once it is dead.
pub fn kill_at_random_moments(
    rounds: u32,
    seed: u64,
    mut before: impl FnMut(),
    spawn: impl Fn() -> std::process::Child,
    mut after: impl FnMut(&str),
) {
    before();
    let started = std::time::Instant::now();
    assert!(spawn().wait().unwrap().success(), "a whole run succeeds");
    let duration = started.elapsed();
    let mut rng = xianglin_demo::Rng::new(seed);
    for round in 0..rounds {
        before();
        let mut process = spawn();
        let at = std::time::Duration::from_micros(rng.between(0, duration.as_micros() as i64) as u64);
        std::thread::sleep(at);
        process.kill().unwrap();
        process.wait().unwrap();
        after(&format!("after {at:?} (round {round}, a whole run takes {duration:?})"));
    }
}
