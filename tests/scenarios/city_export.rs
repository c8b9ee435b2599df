//! The county's data shared upward with the city's platform: the JSON export follows the
//! documented layout and matches the registry, the period's visits and settlements; the CSV
//! files read back with a real CSV reader, a column per documented field; ID numbers stay
//! masked unless asked for in full with a reason; only a reviewer exports, and every export is
//! in the synced log. The files are handed over in a zip locked with a password that 7-Zip
//! opens, and nothing in the zip names an elder in clear.

use xianglin_domain::patrol;
use xianglin_domain::query;
use xianglin_domain::review::city_export;
use xianglin_schema::api::CityExportRequest;
use xianglin_schema::export::{
    CityExport, CsvRow, ExportCase, ExportElder, ExportFormat, ExportSettlement, ExportVisit, LAYOUT,
};
use xianglin_schema::user::Role;
use xianglin_sync::Error;
use xianglin_sync::Month;
use xianglin_sync::Replica;
use xianglin_sync::ShardId;

use crate::support::small_demo_replica;

fn sign_in(replica: &mut Replica, role: Role) {
    let user = query::users(replica).unwrap().into_iter().find(|user| user.role == role).unwrap();
    replica.set_user(&user.id).unwrap();
}

fn request(format: ExportFormat, full: bool, reason: &str) -> CityExportRequest {
    CityExportRequest {
        from_month: "2026-09".into(),
        to_month: "2026-11".into(),
        format,
        include_id_numbers: full,
        reason: reason.into(),
        password: xianglin_schema::api::FilePassword("上报密码2026".into()),
    }
}

#[test]
fn the_json_export_follows_the_layout_and_matches_the_registry_visits_and_settlements() {
    let mut replica = small_demo_replica(1);
    let county = ShardId::county("360733000000");
    let heads = replica.heads(&county).unwrap();
    let refused = city_export::export(&mut replica, &request(ExportFormat::Json, false, ""));
    assert!(matches!(refused, Err(Error::Problems(_))), "a station director does not export the county");
    assert_eq!(replica.heads(&county).unwrap(), heads);

    sign_in(&mut replica, Role::CountyReviewer);
    let (export, log) = city_export::export(&mut replica, &request(ExportFormat::Json, false, "")).unwrap();
    let files = city_export::files(&export, ExportFormat::Json).unwrap();
    let read: CityExport = serde_json::from_slice(&files[0].1).unwrap();
    assert_eq!(read, export);
    assert_eq!((read.layout.as_str(), read.id_numbers.as_str()), (LAYOUT, "masked"));

    // The registry, once per elder, masked.
    let status = query::app_status(&replica, "").unwrap();
    let active = read.elders.iter().filter(|elder| elder.life_state == "active").count();
    assert_eq!(active as u32, status.elders);
    assert!(read.elders.iter().all(|elder| elder.id_number.contains('*') && elder.id_number.len() == 18));
    assert!(read.elders.iter().any(|elder| elder.name == "张建国"));

    // The period's visits, counted village by village another way.
    fn villages_of(node: &xianglin_schema::api::PlaceNode, out: &mut Vec<String>) {
        if node.level == xianglin_schema::place::PlaceLevel::Village {
            out.push(node.code.clone());
        }
        node.children.iter().for_each(|child| villages_of(child, out));
    }
    let mut villages = Vec::new();
    query::place_tree(&replica).unwrap().iter().for_each(|node| villages_of(node, &mut villages));
    assert!(villages.len() >= 13, "every village of the county");
    let mut counted = 0;
    for village in &villages {
        for month in ["2026-09", "2026-10", "2026-11"] {
            counted += patrol::village_month_visits(&replica, village, month.parse::<Month>().unwrap()).unwrap().len();
        }
    }
    assert_eq!(read.visits.len(), counted);
    assert!(read.visits.iter().all(|visit| ("2026-09-01".."2026-12-01").contains(&visit.visited_at.as_str())));

    // Two points × three months: approved, waiting for the county, open.
    let statuses: Vec<(&str, &str)> =
        read.meal_settlements.iter().map(|row| (row.month.as_str(), row.status.as_str())).collect();
    assert_eq!(statuses.len(), 6, "{statuses:?}");
    for (month, status) in [("2026-09", "approved"), ("2026-10", "submitted"), ("2026-11", "open")] {
        assert_eq!(statuses.iter().filter(|row| **row == (month, status)).count(), 2, "{month} {statuses:?}");
    }
    assert!(!read.adaptation_cases.is_empty());
    assert_eq!((log.elders as usize, log.visits as usize), (read.elders.len(), read.visits.len()));
}

#[test]
fn csv_files_read_back_a_column_per_field_and_full_id_numbers_need_a_reason_and_are_logged() {
    let mut replica = small_demo_replica(1);
    sign_in(&mut replica, Role::CountyReviewer);
    let (export, _) = city_export::export(&mut replica, &request(ExportFormat::Csv, false, "")).unwrap();
    let files = city_export::files(&export, ExportFormat::Csv).unwrap();
    let tables: Vec<(&str, &[&str], usize)> = vec![
        ("elders.csv", ExportElder::COLUMNS, export.elders.len()),
        ("visits.csv", ExportVisit::COLUMNS, export.visits.len()),
        ("meal_settlements.csv", ExportSettlement::COLUMNS, export.meal_settlements.len()),
        ("adaptation_cases.csv", ExportCase::COLUMNS, export.adaptation_cases.len()),
    ];
    for ((suffix, bytes), (name, columns, rows)) in files.iter().zip(&tables) {
        assert_eq!(suffix, name);
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(headers, *columns, "{name}");
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), *rows, "{name}");
        assert!(records.iter().all(|record| record.len() == columns.len()));
    }
    let elders = csv::Reader::from_reader(files[0].1.as_slice()).records().map(Result::unwrap).collect::<Vec<_>>();
    assert!(elders.iter().any(|record| &record[1] == "张建国"));

    // Full ID numbers: refused without a reason (and nothing logged), given with one.
    let before = city_export::export_log(&mut replica).unwrap().len();
    assert!(matches!(
        city_export::export(&mut replica, &request(ExportFormat::Json, true, "  ")),
        Err(Error::Problems(_))
    ));
    assert_eq!(city_export::export_log(&mut replica).unwrap().len(), before);
    let (full, log) = city_export::export(&mut replica, &request(ExportFormat::Json, true, "市平台身份核验")).unwrap();
    assert_eq!(full.id_numbers, "full");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    assert!(full.elders.iter().all(|elder| xianglin_schema::id_number::parse(&elder.id_number, today).is_ok()));
    let logged = city_export::export_log(&mut replica).unwrap();
    assert_eq!(logged.len(), before + 1);
    assert_eq!(logged[0].log, log);
    assert!(logged[0].log.include_id_numbers);
    assert_eq!(logged[0].log.reason, "市平台身份核验");
    assert_eq!(logged[0].by_name, "钟丽华");

    // Every elder in the file with a full ID number has an access record with the reason; the
    // masked exports above left none.
    let all = xianglin_schema::api::AccessLogRequest {
        user_id: None,
        elder_id: None,
        from: None,
        to: None,
        page: 1,
        page_size: 5,
    };
    let access = xianglin_domain::access::log(&replica, &all).unwrap();
    assert_eq!(access.total as usize, full.elders.len());
    assert!(access.items.iter().all(|row| row.kind == xianglin_schema::access::AccessKind::ExportWithIdNumber
        && row.reason == "市平台身份核验"
        && row.user_name == "钟丽华"));
}

/// The zip the reviewer hands to the city opens in 7-Zip (Debian's p7zip-full, another
/// implementation of WinZip's AES) with its password only, and gives back exactly the export's
/// files; no elder's name is in the zip's bytes.
#[test]
fn the_locked_zip_opens_in_7zip_with_its_password_only() {
    let mut replica = small_demo_replica(1);
    sign_in(&mut replica, Role::CountyReviewer);
    let (export, _) = city_export::export(&mut replica, &request(ExportFormat::Csv, false, "")).unwrap();
    let archive = city_export::locked_archive(&export, ExportFormat::Csv, "乡邻数据上报", "上报密码2026").unwrap();
    let name = export.elders[0].name.as_bytes();
    assert!(!archive.windows(name.len()).any(|window| window == name), "no name in clear");

    let scratch = crate::support::scratch();
    let zip = scratch.path().join("export.zip");
    std::fs::write(&zip, &archive).unwrap();
    let extract = |password: &str, into: &str| {
        std::process::Command::new("7z")
            .args(["x", "-y", &format!("-p{password}"), &format!("-o{}", scratch.path().join(into).display())])
            .arg(&zip)
            .output()
            .expect("7z runs (./dev.sh installs p7zip-full)")
    };
    let wrong = extract("上报密码2025", "wrong");
    assert!(!wrong.status.success(), "a wrong password opens nothing");
    let opened = extract("上报密码2026", "right");
    assert!(opened.status.success(), "{}", String::from_utf8_lossy(&opened.stdout));
    for (suffix, bytes) in city_export::files(&export, ExportFormat::Csv).unwrap() {
        let path = scratch.path().join("right").join(format!("乡邻数据上报.{suffix}"));
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{suffix}");
    }
}
