//! Patrol planning: the due list follows visits as they are recorded, and 月探访率 matches a
//! count made by hand.

use chrono::{NaiveDate, NaiveDateTime};
use xianglin_demo::Rng;
use xianglin_domain::patrol;
use xianglin_domain::query;
use xianglin_schema::api::{CoverageRequest, DueBucket, DueListRequest, TrendRequest};
use xianglin_schema::elder::{Category, Elder, LifeState, LifeStatus};
use xianglin_schema::visit::Severity;
use xianglin_sync::Replica;

use crate::support::{VILLAGES, county_replica, elder, now, visit};
use xianglin_domain::patrol::store_visit;
use xianglin_domain::registry::store_elder;

const TOWNSHIP: &str = "360733105000";

fn at(month: u32, day: u32, hour: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap().and_hms_opt(hour, 0, 0).unwrap()
}

/// An elder as on a roster kept since `registered`, born in `born`.
fn registered(
    replica: &mut Replica,
    rng: &mut Rng,
    village: &str,
    born: i32,
    categories: &[Category],
    registered: &str,
) -> Elder {
    let mut record = elder(rng, village);
    let birth = NaiveDate::from_ymd_opt(born, 3, 1).unwrap();
    record.id_number = xianglin_schema::id_number::compose("360733", birth, rng.below(900) as u16, record.gender);
    record.id = xianglin_schema::record::new_id();
    record.meta.created_at = format!("{registered}T09:00:00");
    record.categories =
        categories.iter().map(|category| (*category, NaiveDate::from_ymd_opt(2020, 1, 1).unwrap())).collect();
    store_elder(replica, record).unwrap()
}

/// The fixture counted by hand for October 2026 (see each line).
struct Fixture {
    replica: Replica,
    a: Elder,
    b: Elder,
}

fn fixture() -> Fixture {
    let mut replica = county_replica();
    let rng = &mut Rng::new(20);
    // A: 86, living alone → weekly. Visited 09-28, so due 10-05; visited 10-06: due and visited.
    let a = registered(&mut replica, rng, VILLAGES[0], 1940, &[Category::LivingAlone], "2025-01-01");
    // B: disabled → monthly. Visited 09-20, so due 10-20; not visited in October: missed.
    let b = registered(&mut replica, rng, VILLAGES[0], 1950, &[Category::Disabled], "2025-01-01");
    // C: empty nest → quarterly. Visited 09-15, so due 12-14: not due in October.
    let c = registered(&mut replica, rng, VILLAGES[1], 1955, &[Category::EmptyNest], "2025-01-01");
    // D: never visited, registered 2025 → due; visited 10-10: due and visited.
    let d = registered(&mut replica, rng, VILLAGES[1], 1958, &[], "2025-01-01");
    // E: died 10-15 → not on the registry all month: left out.
    let mut e = registered(&mut replica, rng, VILLAGES[1], 1940, &[Category::LivingAlone], "2025-01-01");
    e.life = LifeStatus {
        state: LifeState::Deceased,
        date: Some(NaiveDate::from_ymd_opt(2026, 10, 15).unwrap()),
        moved_to: None,
    };
    store_elder(&mut replica, e).unwrap();
    // F: registered 10-12 → not on the registry all month: left out.
    registered(&mut replica, rng, VILLAGES[0], 1945, &[Category::LivingAlone], "2026-10-12");
    for (who, when) in
        [(&a, at(9, 28, 10)), (&b, at(9, 20, 10)), (&c, at(9, 15, 10)), (&a, at(10, 6, 10)), (&d, at(10, 10, 10))]
    {
        store_visit(&mut replica, visit(who, when, Severity::Normal)).unwrap();
    }
    Fixture { replica, a, b }
}

#[test]
fn monthly_coverage_matches_the_hand_count() {
    let Fixture { replica, b, .. } = fixture();
    let coverage =
        patrol::coverage(&replica, &CoverageRequest { place_code: TOWNSHIP.into(), month: "2026-10".into() }).unwrap();
    assert_eq!((coverage.total.due, coverage.total.visited, coverage.total.rate_per_mille), (3, 2, 666));
    let by_village: Vec<(&str, u32, u32, u32)> = coverage
        .rows
        .iter()
        .filter(|row| VILLAGES.contains(&row.place_code.as_str()))
        .map(|row| (row.place_code.as_str(), row.due, row.visited, row.rate_per_mille))
        .collect();
    assert_eq!(by_village, [(VILLAGES[0], 2, 1, 500), (VILLAGES[1], 1, 1, 1000), (VILLAGES[2], 0, 0, 1000)]);
    assert_eq!(coverage.missed.len(), 1);
    assert_eq!(coverage.missed[0].elder_id, b.id);
    assert_eq!(coverage.missed[0].tier_name, "重点");
    assert_eq!(coverage.total.place_name, "庄口镇");
}

/// The dashboard's 月探访率 over months, checked against the hand count rather than against
/// the coverage page (both read the month's facts through the same code).
#[test]
fn the_dashboard_counts_october_as_the_hand_count() {
    let Fixture { replica, .. } = fixture();
    let request = TrendRequest { place_code: Some(TOWNSHIP.into()), to_month: "2026-10".into(), months: 2 };
    let trend = xianglin_domain::review::dashboards::coverage_trend(&replica, &request).unwrap();
    assert_eq!(trend.months, ["2026-09", "2026-10"]);
    let october = |row: &xianglin_schema::api::CoverageTrendRow| (row.cells[1].due, row.cells[1].visited);
    assert_eq!(october(&trend.total), (3, 2));
    assert_eq!(trend.total.cells[1].rate_per_mille, 666);
    let villages: Vec<(&str, (u32, u32))> = trend
        .rows
        .iter()
        .filter(|row| VILLAGES.contains(&row.place_code.as_str()))
        .map(|row| (row.place_code.as_str(), october(row)))
        .collect();
    assert_eq!(villages, [(VILLAGES[0], (2, 1)), (VILLAGES[1], (1, 1)), (VILLAGES[2], (0, 0))]);
}

#[test]
fn a_routine_visit_takes_the_elder_off_the_overdue_list_and_raises_coverage() {
    let Fixture { mut replica, a, .. } = fixture();
    let request = DueListRequest { place_code: Some(VILLAGES[0].into()), caseworker_id: None, include_later: false };
    let before = patrol::due_list(&replica, &request, now()).unwrap();
    let row = before.rows.iter().find(|row| row.elder_id == a.id).unwrap();
    assert_eq!(row.bucket, DueBucket::Overdue);
    assert_eq!(row.reason, "上次探访 2026-10-06，每 7 天探访一次");
    let coverage = |replica: &Replica| {
        patrol::coverage(replica, &CoverageRequest { place_code: VILLAGES[0].into(), month: "2026-11".into() })
            .unwrap()
            .total
    };
    let coverage_before = coverage(&replica);

    store_visit(&mut replica, visit(&a, now() - chrono::Duration::hours(1), Severity::Normal)).unwrap();
    let after = patrol::due_list(&replica, &request, now()).unwrap();
    let row = after.rows.iter().find(|row| row.elder_id == a.id).unwrap();
    assert_eq!(row.bucket, DueBucket::ThisMonth, "due again a week later, on 11-27");
    assert_eq!(after.overdue, before.overdue - 1);
    let coverage_after = coverage(&replica);
    assert_eq!(coverage_after.visited, coverage_before.visited + 1);
    assert!(coverage_after.rate_per_mille > coverage_before.rate_per_mille);
}

#[test]
fn an_urgent_finding_puts_the_elder_first_as_high_risk() {
    let Fixture { mut replica, b, .. } = fixture();
    store_visit(&mut replica, visit(&b, now() - chrono::Duration::hours(2), Severity::Urgent)).unwrap();
    let list = patrol::due_list(
        &replica,
        &DueListRequest { place_code: Some(TOWNSHIP.into()), caseworker_id: None, include_later: false },
        now(),
    )
    .unwrap();
    assert_eq!(list.rows[0].elder_id, b.id);
    assert!(list.rows[0].due.high_risk);
    assert!(list.rows[0].reason.contains("紧急"));
}

#[test]
fn coverage_of_the_demo_township_adds_up() {
    let replica = crate::support::small_demo_replica(1);
    let coverage =
        patrol::coverage(&replica, &CoverageRequest { place_code: TOWNSHIP.into(), month: "2026-10".into() }).unwrap();
    assert_eq!(coverage.rows.len(), 13);
    assert_eq!(coverage.missed.len() as u32, coverage.total.due - coverage.total.visited);
    // Each village asked for on its own (its own month entries, its own count) agrees with its
    // row of the township, and the villages add up to the township's total.
    let (mut due, mut visited, mut missed) = (0, 0, Vec::new());
    for row in &coverage.rows {
        let village = patrol::coverage(
            &replica,
            &CoverageRequest { place_code: row.place_code.clone(), month: "2026-10".into() },
        )
        .unwrap();
        assert_eq!((village.total.due, village.total.visited), (row.due, row.visited), "{}", row.place_name);
        assert!(village.rows.is_empty() || village.rows.iter().all(|inner| inner.place_code == row.place_code));
        due += village.total.due;
        visited += village.total.visited;
        missed.extend(village.missed.into_iter().map(|elder| elder.elder_id));
    }
    assert_eq!((coverage.total.due, coverage.total.visited), (due, visited));
    let mut township_missed: Vec<String> = coverage.missed.iter().map(|elder| elder.elder_id.clone()).collect();
    township_missed.sort();
    missed.sort();
    assert_eq!(township_missed, missed);
    // The demo misses about one visit in twenty.
    assert!((850..1000).contains(&coverage.total.rate_per_mille), "{:?}", coverage.total);
}

#[test]
fn each_caseworkers_due_list_is_the_due_list_of_their_villages() {
    let replica = crate::support::small_demo_replica(1);
    let caseworkers = query::caseworkers(&replica, Some(TOWNSHIP)).unwrap();
    assert!(caseworkers.len() >= 2, "{caseworkers:?}");
    // Every village of the township is some caseworker's, and only one's.
    let mut villages: Vec<&String> = caseworkers.iter().flat_map(|caseworker| &caseworker.villages).collect();
    let assigned = villages.len();
    villages.sort();
    villages.dedup();
    assert_eq!((villages.len(), assigned), (13, 13));

    let request = |place_code: Option<&str>, caseworker_id: Option<&str>| DueListRequest {
        place_code: place_code.map(str::to_owned),
        caseworker_id: caseworker_id.map(str::to_owned),
        include_later: false,
    };
    let township = patrol::due_list(&replica, &request(Some(TOWNSHIP), None), now()).unwrap();
    let mut by_caseworker: Vec<String> = Vec::new();
    for caseworker in &caseworkers {
        let list = patrol::due_list(&replica, &request(None, Some(&caseworker.id)), now()).unwrap();
        assert!(list.rows.iter().all(|row| caseworker.villages.contains(&row.village_name)));
        by_caseworker.extend(list.rows.into_iter().map(|row| row.elder_id));
    }
    let mut whole: Vec<String> = township.rows.into_iter().map(|row| row.elder_id).collect();
    whole.sort();
    by_caseworker.sort();
    assert_eq!(by_caseworker, whole);

    // A village names only its own caseworker; another county's code none.
    let village = &query::place_tree(&replica).unwrap()[0].children[0];
    let village = query::caseworkers(&replica, Some(&village.code)).unwrap();
    assert_eq!(village.len(), 1);
    assert!(query::caseworkers(&replica, Some("360781000000")).unwrap().is_empty());
}
