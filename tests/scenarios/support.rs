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
