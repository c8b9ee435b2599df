//! Meal-service benchmarks (run with `cargo bench -p xianglin-sync --bench meals`): a point's
//! month settlement for 30 diners × 22 days, and on the full-size demo county the settlement of
//! the largest point, the summary of the largest township over all its points, and the county's
//! checks over a month of the whole county (`anomalies`), and duplicate detection over every
//! elder of the county (`duplicates`), and the dashboards over months (`dashboards`). Figures
//! are printed, never asserted. `XIANGLIN_BENCH_COUNTY` names a file that keeps the generated
//! county for later runs (each run works on a copy).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use xianglin_demo::{self as demo, DemoOptions, DemoSize, Rng};
use xianglin_domain::meals;
use xianglin_domain::query;
use xianglin_domain::registry::store_elder;
use xianglin_domain::review::anomalies;
use xianglin_domain::review::dashboards;
use xianglin_domain::review::duplicates;
use xianglin_schema::api::{
    CountyAnomaliesRequest, EnrollDiner, SetMeal, SettlementRequest, TownshipSettlementsRequest, TrendRequest,
};
use xianglin_schema::elder::{EconomicStatus, Elder, LifeStatus};
use xianglin_schema::meal::{MealMode, MealPoint, MealPointKind, MealSlot};
use xianglin_schema::record::{Gender, RecordMeta};
use xianglin_sync::Author;
use xianglin_sync::Replica;
use xianglin_sync::ShardId;
use xianglin_sync::projection::county_key;
use xianglin_sync::replica::Clock;

fn main() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).expect("valid date");
    let mut replica = Replica::open_in_memory().expect("replica");
    replica.set_clock(Clock::Fixed(today.and_hms_opt(17, 0, 0).expect("valid time")));
    let point = thirty_diners_a_month(&mut replica);
    let request = SettlementRequest { point_id: point.id.clone(), month: "2026-11".into() };
    let settlement = meals::settlement(&mut replica, &request).expect("settlement");
    let times = time(20, || {
        meals::settlement(&mut replica, &request).expect("settlement");
    });
    println!(
        "a point's month of {} diners × {} days ({} meals): settlement p50 {:.1} ms, p95 {:.1} ms",
        settlement.totals.diners,
        settlement.rows.iter().map(|row| row.dining_days).max().unwrap_or(0),
        settlement.totals.meals,
        ms(times.0),
        ms(times.1)
    );

    // The full-size county.
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = directory.path().join("county.sqlite");
    let cached = std::env::var_os("XIANGLIN_BENCH_COUNTY").map(PathBuf::from);
    match cached.as_ref().filter(|cached| cached.exists()) {
        Some(cached) => {
            std::fs::copy(cached, &path).expect("copy the county");
        }
        None => {
            let mut county = Replica::open(&path).expect("county");
            let today = NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date");
            county.set_clock(Clock::Fixed(today.and_hms_opt(17, 0, 0).expect("valid time")));
            let started = Instant::now();
            demo::generate(&mut county, &DemoOptions { size: DemoSize::Full, seed: 1, today }).expect("generate");
            println!("generated the full-size county in {:.0} s", started.elapsed().as_secs_f64());
            drop(county);
            if let Some(cached) = &cached {
                std::fs::copy(&path, cached).expect("keep the county for the next run");
            }
        }
    }
    let mut county = Replica::open(&path).expect("county");
    county.set_clock(Clock::Fixed(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap().and_hms_opt(17, 0, 0).unwrap()));
    let township = query::place_tree(&county).expect("places").into_iter().max_by_key(|t| t.elders).expect("township");
    let points = meals::meal_points(&county, &township.code).expect("points");
    let largest = points.iter().max_by_key(|row| row.diners).expect("a point").point.clone();
    for month in ["2026-09", "2026-10"] {
        let request = SettlementRequest { point_id: largest.id.clone(), month: month.into() };
        let settlement = meals::settlement(&mut county, &request).expect("settlement");
        let (p50, p95) = time(10, || {
            meals::settlement(&mut county, &request).expect("settlement");
        });
        println!(
            "full county, {} {month} ({}, {} diners, {} meals): settlement p50 {:.1} ms, p95 {:.1} ms",
            largest.name,
            settlement.status_label.split('（').next().unwrap_or_default(),
            settlement.totals.diners,
            settlement.totals.meals,
            ms(p50),
            ms(p95)
        );
        let summary_request = TownshipSettlementsRequest { township_code: township.code.clone(), month: month.into() };
        let summary = meals::township_settlements(&mut county, &summary_request).expect("summary");
        let (p50, p95) = time(10, || {
            meals::township_settlements(&mut county, &summary_request).expect("summary");
        });
        println!(
            "full county, {} {month}: township summary over {} points ({} meals) p50 {:.1} ms, p95 {:.1} ms",
            township.name,
            summary.points.len(),
            summary.totals.meals,
            ms(p50),
            ms(p95)
        );
    }

    // The county's checks over a whole month of the whole county (issue goal: all of them ≤ 5 s).
    let request = CountyAnomaliesRequest { place_code: None, month: "2026-10".into() };
    let found = anomalies::county_anomalies(&mut county, &request).expect("checks");
    let (p50, p95) = time(5, || {
        anomalies::county_anomalies(&mut county, &request).expect("checks");
    });
    let counts: Vec<String> = found.counts.iter().map(|count| format!("{:?} {}", count.kind, count.count)).collect();
    println!("full county 2026-10: every check ({}) p50 {:.0} ms, p95 {:.0} ms", counts.join(", "), ms(p50), ms(p95));

    // The dashboards over the county (issue goal: each ≤ 300 ms).
    for months in [6, 12] {
        let request = TrendRequest { place_code: None, to_month: "2026-11".into(), months };
        let trend = dashboards::coverage_trend(&county, &request).expect("coverage");
        let (p50, p95) = time(5, || {
            dashboards::coverage_trend(&county, &request).expect("coverage");
        });
        let due: u32 = trend.total.cells.iter().map(|cell| cell.due).sum();
        println!(
            "full county, {months} months: 月探访率 by township ({due} elder-months due) p50 {:.0} ms, p95 {:.0} ms",
            ms(p50),
            ms(p95)
        );
        let trend = dashboards::meal_trend(&county, &request).expect("meals");
        let (p50, p95) = time(5, || {
            dashboards::meal_trend(&county, &request).expect("meals");
        });
        let meals: u32 = trend.total.cells.iter().map(|cell| cell.meals).sum();
        println!(
            "full county, {months} months: meals and subsidy by township ({meals} meals) p50 {:.0} ms, p95 {:.0} ms",
            ms(p50),
            ms(p95)
        );
    }

    // Suspected duplicates over every elder of the county (issue goal: ≤ 2 s).
    let page = duplicates::duplicates(&county).expect("duplicates");
    let (p50, p95) = time(5, || {
        duplicates::duplicates(&county).expect("duplicates");
    });
    println!(
        "full county: duplicate detection over {} elders ({} pairs) p50 {:.0} ms, p95 {:.0} ms",
        page.elders_checked,
        page.pairs.len(),
        ms(p50),
        ms(p95)
    );
}

/// A point with 30 diners of every band who each eat lunch on every weekday of November 2026
/// (21 days, as a month of 22 service days would) and breakfast now and then, tick by tick.
fn thirty_diners_a_month(replica: &mut Replica) -> MealPoint {
    let policy = xianglin_schema::policy::huichang_default();
    let mut records: Vec<(String, serde_json::Value)> = xianglin_schema::place::huichang()
        .iter()
        .map(|place| (county_key("place", &place.code), serde_json::to_value(place).unwrap()))
        .collect();
    records.push((county_key("policy", &policy.version), serde_json::to_value(&policy).unwrap()));
    let author =
        Author { actor: automerge::ActorId::from(b"county".as_slice()), user_id: "county".into(), at: replica.now() };
    replica.commit(&ShardId::county(demo::DEMO_COUNTY), &records, &author).unwrap();
    replica.set_user("director").unwrap();
    let point = meals::save_meal_point(
        replica,
        MealPoint {
            id: String::new(),
            name: "庄口敬老院助餐点".into(),
            kind: MealPointKind::NursingHome,
            township_code: demo::SMALL_TOWNSHIP.into(),
            village_code: None,
            prices: BTreeMap::from([(MealSlot::Breakfast, 500), (MealSlot::Lunch, 1200), (MealSlot::Dinner, 1000)]),
            modes: vec![MealMode::DineIn, MealMode::TakeAway, MealMode::Delivery],
            open_days: vec![1, 2, 3, 4, 5],
            closures: BTreeMap::new(),
            meta: RecordMeta::default(),
        },
    )
    .unwrap();
    let mut rng = Rng::new(30);
    let mut diners = Vec::new();
    for index in 0..30 {
        let birth = NaiveDate::from_ymd_opt(1930 + (index % 35), 1 + (index % 12) as u32, 10).unwrap();
        let elder = Elder {
            id: String::new(),
            name: format!("老人{index:02}"),
            id_number: xianglin_schema::id_number::compose("360733", birth, rng.below(900) as u16, Gender::Female),
            gender: Gender::Female,
            birth_date: birth,
            phone: None,
            address: "庄口镇".into(),
            village_code: "360733105201".into(),
            categories: BTreeMap::new(),
            economic_status: if index % 7 == 0 { EconomicStatus::Dibao } else { EconomicStatus::None },
            life: LifeStatus::default(),
            contacts: BTreeMap::new(),
            events: BTreeMap::new(),
            notes: String::new(),
            meta: RecordMeta::default(),
        };
        let elder = store_elder(replica, elder).unwrap();
        let enroll = EnrollDiner {
            point_id: point.id.clone(),
            elder_id: elder.id.clone(),
            enrolled_on: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            usual_mode: MealMode::DineIn,
        };
        meals::enroll_diner(replica, &enroll).unwrap();
        diners.push(elder.id);
    }
    let mut date = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    while date.month() == 11 {
        if date.weekday().number_from_monday() <= 5 {
            for elder_id in &diners {
                for slot in [MealSlot::Lunch, MealSlot::Breakfast] {
                    if slot == MealSlot::Breakfast && !rng.chance(0.2) {
                        continue;
                    }
                    let request = SetMeal {
                        point_id: point.id.clone(),
                        elder_id: elder_id.clone(),
                        date,
                        slot,
                        eaten: true,
                        mode: MealMode::DineIn,
                        proxy: None,
                        self_paid: None,
                    };
                    meals::set_meal(replica, &request).unwrap();
                }
            }
        }
        date = date.succ_opt().unwrap();
    }
    point
}

fn time(runs: usize, mut work: impl FnMut()) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort();
    (times[runs / 2], times[runs * 95 / 100])
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
