//! Turns the replica's facts into the plain inputs of `xianglin-reports` (labels in Chinese,
//! ID numbers masked), so that the reports crate knows nothing of records or storage.

use xianglin_reports::{RegisterVisit, VisitRegister, VisitRegisterRow};
use xianglin_schema::id_number;
use xianglin_schema::record::Gender;
use xianglin_schema::view::{Settlement, TownshipSettlements};
use xianglin_sync::{Month, Replica, Result, patrol};

/// The monthly visit register (村级探访记录表) of a village.
pub fn village_visit_register(replica: &Replica, village_code: &str, month: Month) -> Result<VisitRegister> {
    let villages = [village_code.to_owned()];
    let mut visits_by_elder: std::collections::HashMap<String, Vec<RegisterVisit>> = std::collections::HashMap::new();
    for (visit, visitor) in patrol::village_month_visits(replica, village_code, month)? {
        let non_normal_summary = if visit.worst_severity() > xianglin_schema::visit::Severity::Normal {
            visit.summary()
        } else {
            String::new()
        };
        visits_by_elder.entry(visit.elder_id.clone()).or_default().push(RegisterVisit {
            date: visit.visited_at.format("%m-%d").to_string(),
            mode: visit.mode.label().to_owned(),
            worst_severity: visit.worst_severity().label().to_owned(),
            summary: non_normal_summary,
            visitor,
        });
    }
    let today = replica.today();
    let rows = patrol::month_entries(replica, &villages, month)?
        .into_iter()
        .map(|entry| {
            let elder = entry.elder;
            VisitRegisterRow {
                gender: if elder.gender == Gender::Male { "男" } else { "女" }.to_owned(),
                age: elder.age_on(month.last_day().min(today)),
                id_number_masked: id_number::mask(&elder.id_number),
                categories: elder.categories.keys().map(|category| category.label()).collect::<Vec<_>>().join("、"),
                tier: entry.due.as_ref().map(|due| due.tier_name.clone()).unwrap_or_default(),
                visits: visits_by_elder.remove(&elder.id).unwrap_or_default(),
                due: entry.due_in_month,
                elder_name: elder.name,
            }
        })
        .collect();
    let names = xianglin_sync::query::place_names_of(replica, village_code)?;
    Ok(VisitRegister {
        county: names.county,
        township: names.township,
        village: names.village,
        month: month.to_string(),
        printed_at: replica.now().format("%Y-%m-%d %H:%M").to_string(),
        rows,
    })
}

/// A point's monthly settlement statement. An approved month prints the approved totals, and
/// says so when meals changed after the approval.
pub fn meal_settlement(replica: &Replica, settlement: &Settlement) -> Result<xianglin_reports::MealSettlement> {
    let names = xianglin_sync::query::place_names_of(replica, &settlement.point.township_code)?;
    let totals = settlement.approved_totals.as_ref().unwrap_or(&settlement.totals);
    let changed = settlement
        .anomalies
        .iter()
        .filter(|anomaly| anomaly.kind == xianglin_schema::view::MealAnomalyKind::ChangedAfterApproval)
        .count();
    let mut status = settlement.status_label.clone();
    if changed > 0 {
        status.push_str(&format!("；审核后有{changed}条就餐记录变更，未计入本表金额"));
    }
    Ok(xianglin_reports::MealSettlement {
        county: names.county,
        township: settlement.township_name.clone(),
        point: settlement.point.name.clone(),
        month: settlement.month.clone(),
        printed_at: printed_at(replica),
        status,
        policy_versions: settlement.policy_versions.join("、"),
        rows: settlement
            .rows
            .iter()
            .map(|row| xianglin_reports::meal_settlement::SettlementRow {
                elder_name: row.elder_name.clone(),
                id_number_masked: row.id_number_masked.clone(),
                band: row.band.clone(),
                dining_days: row.dining_days,
                breakfasts: row.breakfasts,
                lunches: row.lunches,
                dinners: row.dinners,
                deliveries: row.deliveries,
                proxies: row.proxies,
                subsidy: row.subsidy,
                self_paid: row.self_paid,
            })
            .collect(),
        adjustments: settlement
            .adjustments
            .iter()
            .map(|row| xianglin_reports::meal_settlement::SettlementAdjustment {
                elder_name: row.elder_name.clone(),
                from_month: row.adjustment.from_month.clone(),
                reason: row.adjustment.reason.clone(),
                subsidy_delta: row.adjustment.subsidy_delta,
                self_paid_delta: row.adjustment.self_paid_delta,
            })
            .collect(),
        totals: xianglin_reports::meal_settlement::SettlementTotals {
            diners: totals.diners,
            dining_days: totals.dining_days,
            meals: totals.meals,
            subsidy: totals.subsidy,
            self_paid: totals.self_paid,
            adjustments: totals.adjustments,
            payable: totals.payable,
        },
    })
}

/// The township's summary of its points' settlements for a month.
pub fn township_meal_summary(
    replica: &Replica,
    summary: &TownshipSettlements,
) -> Result<xianglin_reports::TownshipMealSummary> {
    let names = xianglin_sync::query::place_names_of(replica, &summary.township_code)?;
    Ok(xianglin_reports::TownshipMealSummary {
        county: names.county,
        township: summary.township_name.clone(),
        month: summary.month.clone(),
        printed_at: printed_at(replica),
        points: summary
            .points
            .iter()
            .map(|point| xianglin_reports::meal_settlement::PointSummaryRow {
                point: point.point_name.clone(),
                diners: point.totals.diners,
                meals: point.totals.meals,
                subsidy: point.totals.subsidy,
                self_paid: point.totals.self_paid,
                adjustments: point.totals.adjustments,
                payable: point.totals.payable,
                status: point.status_label.clone(),
            })
            .collect(),
        totals: xianglin_reports::meal_settlement::TownshipMealTotals {
            diners: summary.totals.diners,
            meals: summary.totals.meals,
            subsidy: summary.totals.subsidy,
            self_paid: summary.totals.self_paid,
            adjustments: summary.totals.adjustments,
            payable: summary.totals.payable,
        },
    })
}

fn printed_at(replica: &Replica) -> String {
    replica.now().format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use xianglin_sync::demo::{self, DemoOptions, DemoSize, PLANTED_ELDER};
    use xianglin_sync::replica::Clock;

    use super::*;

    fn run(program: &str, arguments: &[&str]) -> String {
        let output = std::process::Command::new(program).args(arguments).output().expect("poppler-utils is installed");
        assert!(output.status.success(), "{program} failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    #[test]
    fn the_demo_villages_register_prints_with_its_elders_masked_and_totals_matching_coverage() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let mut replica = Replica::open_in_memory().unwrap();
        replica.set_clock(Clock::Fixed(today.and_hms_opt(17, 0, 0).unwrap()));
        demo::generate(&mut replica, &DemoOptions { size: DemoSize::Small, seed: 1, today }).unwrap();
        let village = "360733105001";
        let month: Month = "2026-10".parse().unwrap();
        let register = village_visit_register(&replica, village, month).unwrap();
        assert_eq!((register.township.as_str(), register.village.as_str()), ("庄口镇", "庄口居委会"));
        let coverage = patrol::coverage(
            &replica,
            &xianglin_schema::view::CoverageRequest { place_code: village.into(), month: month.to_string() },
        )
        .unwrap();
        let totals = xianglin_reports::visit_register::totals_line(&register.rows);
        assert!(
            totals.starts_with(&format!("应访 {} 人，已访 {} 人", coverage.total.due, coverage.total.visited)),
            "{totals}"
        );

        // Kept under the build directory when there is one, so the PDF and PNG can be looked at.
        let base =
            std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let directory = base.join("reports-check").join("visit-register");
        std::fs::create_dir_all(&directory).unwrap();
        let pdf_path = directory.join("register.pdf");
        std::fs::write(&pdf_path, xianglin_reports::render_visit_register(&register).unwrap()).unwrap();
        let pdf = pdf_path.to_str().unwrap();
        let text = run("pdftotext", &["-layout", pdf, "-"]);
        assert!(text.contains("庄口居委会特殊困难老年人探访记录表"));
        assert!(text.contains(PLANTED_ELDER));
        assert!(text.contains("3621**********031X"), "ID numbers are masked");
        assert!(!text.contains("362128194603150"), "no full ID number in the register");
        // pdftotext drops the spaces of a short page's footer; compare without whitespace.
        let compact: String = text.chars().filter(|character| !character.is_whitespace()).collect();
        assert!(compact.contains("第1页共"), "page numbers");
        assert!(text.contains(&totals));
        run("pdftoppm", &["-png", "-r", "80", "-f", "1", "-l", "1", pdf, directory.join("page").to_str().unwrap()]);
        assert!(
            std::fs::read_dir(&directory).unwrap().any(|entry| entry
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".png"))
        );
    }

    #[test]
    fn a_points_settlement_prints_its_diners_masked_with_the_totals_of_the_screen() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let mut replica = Replica::open_in_memory().unwrap();
        replica.set_clock(Clock::Fixed(today.and_hms_opt(17, 0, 0).unwrap()));
        demo::generate(&mut replica, &DemoOptions { size: DemoSize::Small, seed: 1, today }).unwrap();
        let point = xianglin_sync::meals::meal_points(&replica, demo::SMALL_TOWNSHIP).unwrap().remove(0).point;
        let request = xianglin_schema::view::SettlementRequest { point_id: point.id.clone(), month: "2026-09".into() };
        let settlement = xianglin_sync::meals::settlement(&mut replica, &request).unwrap();
        assert!(settlement.approved_totals.is_some(), "the demo's September is approved");
        let statement = meal_settlement(&replica, &settlement).unwrap();
        let rendered = xianglin_reports::render_meal_settlement(&statement).unwrap();
        assert!(rendered.missing_characters.is_empty());

        let base =
            std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let directory = base.join("reports-check").join("meal-settlement");
        std::fs::create_dir_all(&directory).unwrap();
        let pdf_path = directory.join("settlement.pdf");
        std::fs::write(&pdf_path, &rendered.pdf).unwrap();
        let pdf = pdf_path.to_str().unwrap();
        let text = run("pdftotext", &["-layout", pdf, "-"]);
        assert!(text.contains("老年助餐服务补贴结算表"));
        assert!(text.contains(&point.name));
        assert!(text.contains(&settlement.rows[0].elder_name));
        assert!(text.contains(&settlement.rows[0].id_number_masked));
        let payable = xianglin_reports::meal_settlement::format_yuan(settlement.approved_totals.unwrap().payable);
        assert!(text.contains(&payable), "the approved total {payable} is printed");
        assert!(text.contains("已审核锁定"));
        run("pdftoppm", &["-png", "-r", "80", "-f", "1", "-l", "1", pdf, directory.join("page").to_str().unwrap()]);
        assert!(directory.join("page-1.png").exists() || directory.join("page-01.png").exists());
    }
}
