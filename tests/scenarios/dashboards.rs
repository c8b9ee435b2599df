//! The county's dashboards: 月探访率 over months agrees with the month's coverage for the county
//! and for every village of a township; meals and subsidy agree with the points' settlements;
//! a dashboard's table reads back from its workbook; bad requests are refused.

use calamine::{Data, Reader, Xlsx};
use xianglin_demo::SMALL_TOWNSHIP;
use xianglin_domain::meals;
use xianglin_domain::patrol;
use xianglin_domain::review::dashboards;
use xianglin_schema::api::{CoverageRequest, DashboardFile, DashboardKind, SettlementRequest, TrendRequest};

use crate::support::small_demo_replica;

fn request(place: Option<&str>, months: u32) -> TrendRequest {
    TrendRequest { place_code: place.map(str::to_owned), to_month: "2026-11".into(), months }
}

#[test]
fn coverage_over_months_is_each_month_s_coverage_for_the_county_and_every_village() {
    let replica = small_demo_replica(1);
    let county = dashboards::coverage_trend(&replica, &request(None, 3)).unwrap();
    assert_eq!(county.months, ["2026-09", "2026-10", "2026-11"]);
    let township = dashboards::coverage_trend(&replica, &request(Some(SMALL_TOWNSHIP), 3)).unwrap();
    assert_eq!(township.rows.len(), 13, "the township's villages");
    for (index, month) in county.months.iter().enumerate() {
        let expected =
            patrol::coverage(&replica, &CoverageRequest { place_code: "360733000000".into(), month: month.clone() })
                .unwrap();
        let cell = county.total.cells[index];
        assert_eq!(
            (cell.due, cell.visited, cell.rate_per_mille),
            (expected.total.due, expected.total.visited, expected.total.rate_per_mille)
        );
        assert!(cell.due > 0, "{month}");

        let by_village =
            patrol::coverage(&replica, &CoverageRequest { place_code: SMALL_TOWNSHIP.into(), month: month.clone() })
                .unwrap();
        for row in &township.rows {
            let expected = by_village.rows.iter().find(|each| each.place_code == row.place_code).unwrap();
            assert_eq!(
                (row.cells[index].due, row.cells[index].visited),
                (expected.due, expected.visited),
                "{month} {}",
                row.place_name
            );
        }
        assert_eq!(township.total.cells[index], cell, "the township is the county's only one with elders");
    }
}

#[test]
fn meals_over_months_agree_with_the_points_settlements() {
    let mut replica = small_demo_replica(1);
    let trend = dashboards::meal_trend(&replica, &request(Some(SMALL_TOWNSHIP), 3)).unwrap();
    let points = meals::meal_points(&replica, SMALL_TOWNSHIP).unwrap();
    assert_eq!(trend.rows.len(), points.len(), "one row per meal point");
    for (index, month) in trend.months.iter().enumerate() {
        let (mut meals_sum, mut subsidy_sum, mut diners_sum) = (0, 0, 0);
        for row in &trend.rows {
            let settlement = meals::settlement(
                &mut replica,
                &SettlementRequest { point_id: row.place_code.clone(), month: month.clone() },
            )
            .unwrap();
            assert_eq!(
                (row.cells[index].meals, row.cells[index].subsidy, row.cells[index].diners),
                (settlement.totals.meals, settlement.totals.subsidy, settlement.totals.diners),
                "{month} {}",
                row.place_name
            );
            meals_sum += settlement.totals.meals;
            subsidy_sum += settlement.totals.subsidy;
            diners_sum += settlement.totals.diners;
        }
        let total = trend.total.cells[index];
        assert_eq!((total.meals, total.subsidy), (meals_sum, subsidy_sum));
        assert!(total.diners <= diners_sum && total.diners > 0);
    }
    let county = dashboards::meal_trend(&replica, &request(None, 3)).unwrap();
    assert_eq!(county.rows.len(), 1, "the one township with meal points");
    assert_eq!(county.total.cells, trend.total.cells);
    assert_eq!(county.rows[0].cells, trend.total.cells);
}

#[test]
fn a_dashboard_s_table_reads_back_from_its_workbook_and_bad_requests_are_refused() {
    let mut replica = small_demo_replica(1);
    for kind in [DashboardKind::Coverage, DashboardKind::Meals, DashboardKind::Cases] {
        let table = dashboards::table(&mut replica, &DashboardFile { kind, request: request(None, 6) }).unwrap();
        assert!(!table.rows.is_empty(), "{kind:?}");
        assert!(table.rows.iter().all(|row| row.len() == table.headers.len()), "{kind:?}");
        let bytes = dashboards::workbook(&table).unwrap();
        let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheet = workbook.sheet_names()[0].clone();
        let rows: Vec<Vec<Data>> = workbook.worksheet_range(&sheet).unwrap().rows().map(<[Data]>::to_vec).collect();
        assert_eq!(rows[0][0], Data::String(table.title.clone()));
        let headers: Vec<String> = rows[3].iter().map(ToString::to_string).collect();
        assert_eq!(headers, table.headers, "{kind:?}");
        assert_eq!(rows.len(), 4 + table.rows.len(), "{kind:?}");
        assert_eq!(rows[4][0].to_string(), table.rows[0][0], "{kind:?}");
    }
    let coverage =
        dashboards::table(&mut replica, &DashboardFile { kind: DashboardKind::Coverage, request: request(None, 3) })
            .unwrap();
    assert_eq!(coverage.headers, ["地区", "2026-09", "2026-10", "2026-11"]);
    assert_eq!(coverage.rows[0][0], "会昌县", "the total first");
    // A meal cell reads "N 餐 · 1,234.56 元": the amount with separators, 元 once.
    let meals =
        dashboards::table(&mut replica, &DashboardFile { kind: DashboardKind::Meals, request: request(None, 3) })
            .unwrap();
    let november = &meals.rows[0][3];
    let (count, amount) = november.split_once(" 餐 · ").unwrap_or_else(|| panic!("{november}"));
    assert!(count.parse::<u32>().unwrap() > 0, "{november}");
    let amount = amount.strip_suffix(" 元").unwrap_or_else(|| panic!("{november}"));
    assert!(amount.replace(',', "").parse::<f64>().is_ok() && !amount.contains('元'), "{november}");

    assert!(dashboards::coverage_trend(&replica, &request(None, 0)).is_err());
    assert!(dashboards::coverage_trend(&replica, &request(None, 25)).is_err());
    assert!(
        dashboards::meal_trend(&replica, &request(Some("360733105201"), 3)).is_err(),
        "a village is not a dashboard place"
    );
    assert!(
        dashboards::coverage_trend(&replica, &TrendRequest { to_month: "2026-13".into(), ..request(None, 3) }).is_err()
    );
}
