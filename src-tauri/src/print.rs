//! Turns the replica's facts into the plain inputs of `xianglin-reports` (labels in Chinese,
//! ID numbers masked), so that the reports crate knows nothing of records or storage.

use xianglin_reports::{RegisterVisit, VisitRegister, VisitRegisterRow};
use xianglin_schema::id_number;
use xianglin_schema::record::Gender;
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
}
