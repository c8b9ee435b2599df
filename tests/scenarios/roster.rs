//! Roster files: a township's .xlsx is checked row by row before anything is written; only
//! confirmed valid rows are imported, whole; re-importing creates nobody twice; the export
//! reads back with a real reader.

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use rust_xlsxwriter::Workbook;
use xianglin_domain::query;
use xianglin_domain::registry::roster;
use xianglin_schema::api::{ElderSearch, RosterAction};
use xianglin_schema::id_number;
use xianglin_schema::record::Gender;
use xianglin_sync::Error;

use crate::support::county_replica;

/// A roster with the template's columns and the given rows (every cell written as text).
fn roster_file(rows: &[[&str; 14]]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, title) in roster::COLUMNS.iter().enumerate() {
        sheet.write_string(0, column as u16, *title).unwrap();
    }
    for (index, row) in rows.iter().enumerate() {
        for (column, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(index as u32 + 1, column as u16, *value).unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

fn id(year: i32, sequence: u16, gender: Gender) -> String {
    id_number::compose("360733", NaiveDate::from_ymd_opt(year, 5, 6).unwrap(), sequence, gender)
}

fn count(replica: &xianglin_sync::Replica) -> u32 {
    let search = ElderSearch { place_code: None, query: String::new(), include_inactive: true, page: 1, page_size: 10 };
    query::search_elders(replica, &search).unwrap().total
}

#[test]
fn a_good_roster_imports_every_row_and_reimporting_it_creates_nobody_twice() {
    let mut replica = county_replica();
    let (first, second) = (id(1945, 11, Gender::Male), id(1950, 22, Gender::Female));
    let file = roster_file(&[
        [
            "刘德明",
            &first,
            "13800138000",
            "庄口镇",
            "洛口村委会",
            "洛口村3组5号",
            "独居、失能",
            "2021-03-01",
            "低保",
            "刘小明",
            "儿子",
            "13900139000",
            "在册",
            "",
        ],
        ["陈桂香", &second, "", "", "白沙村", "", "空巢", "", "", "", "", "", "", ""],
    ]);
    let check = roster::check(&replica, &file).unwrap();
    assert_eq!((check.new_count, check.invalid_count), (2, 0), "{:?}", check.rows);
    assert_eq!(count(&replica), 0, "checking writes nothing");
    let imported = roster::import(&mut replica, &file).unwrap();
    assert_eq!((imported.created, imported.updated, imported.skipped_invalid), (2, 0, 0));
    assert_eq!(count(&replica), 2);
    let found = query::search_elders(
        &replica,
        &ElderSearch { place_code: None, query: "ldm".into(), include_inactive: false, page: 1, page_size: 5 },
    )
    .unwrap();
    let detail = query::elder_detail(&replica, &found.items[0].id).unwrap();
    assert_eq!(detail.village_name, "洛口村委会");
    assert_eq!(detail.elder.categories.len(), 2);
    assert_eq!(detail.elder.supporters().next().unwrap().phone.as_deref(), Some("13900139000"));

    let again = roster::check(&replica, &file).unwrap();
    assert_eq!((again.new_count, again.unchanged_count), (0, 2));
    roster::import(&mut replica, &file).unwrap();
    assert_eq!(count(&replica), 2, "matched by ID number, not registered twice");
}

#[test]
fn bad_rows_are_reported_by_row_and_column_and_nothing_of_them_is_written() {
    let mut replica = county_replica();
    let good = id(1948, 33, Gender::Male);
    let mut wrong_check = id(1949, 44, Gender::Male);
    wrong_check.replace_range(17..18, if wrong_check.ends_with('0') { "1" } else { "0" });
    let file = roster_file(&[
        ["王秀英", &good, "", "", "洛口村委会", "", "", "", "", "", "", "", "", ""],
        ["", &wrong_check, "12345", "", "不存在村", "", "独居、飞行员", "", "富裕", "", "", "", "已故", ""],
        ["王秀英", &good, "", "", "洛口村委会", "", "", "", "", "", "", "", "", ""],
    ]);
    let check = roster::check(&replica, &file).unwrap();
    assert_eq!((check.new_count, check.invalid_count), (1, 2));
    let bad = &check.rows[1];
    assert_eq!(bad.row_number, 3);
    assert_eq!(bad.action, RosterAction::Invalid);
    let columns: Vec<&str> = bad.problems.iter().map(|problem| problem.column.as_str()).collect();
    for column in ["所在村", "类别", "经济状况", "姓名", "身份证号", "联系电话", "状态日期"] {
        assert!(columns.contains(&column), "{column} should be reported: {:?}", bad.problems);
    }
    assert!(bad.problems.iter().any(|problem| problem.message.contains("飞行员")));
    assert!(check.rows[2].problems[0].message.contains("第 2 行"), "the same ID twice in one file");
    let imported = roster::import(&mut replica, &file).unwrap();
    assert_eq!((imported.created, imported.skipped_invalid), (1, 2));
    assert_eq!(count(&replica), 1);
}

#[test]
fn an_id_number_stored_as_a_number_is_refused_because_excel_dropped_its_digits() {
    let replica = county_replica();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, title) in roster::COLUMNS.iter().enumerate() {
        sheet.write_string(0, column as u16, *title).unwrap();
    }
    sheet.write_string(1, 0, "赖水生").unwrap();
    sheet.write_number(1, 1, 360733194505060000.0).unwrap();
    sheet.write_string(1, 4, "洛口村委会").unwrap();
    let check = roster::check(&replica, &workbook.save_to_buffer().unwrap()).unwrap();
    assert_eq!(check.invalid_count, 1);
    assert!(check.rows[0].problems[0].message.contains("存成了数字"));
}

#[test]
fn a_file_that_is_not_excel_is_refused_with_a_clear_error() {
    let mut replica = county_replica();
    for bytes in [&b"name,id\n"[..], b"%PDF-1.7", b""] {
        assert!(matches!(roster::check(&replica, bytes), Err(Error::NotExcel)));
        assert!(roster::import(&mut replica, bytes).is_err());
    }
    assert_eq!(count(&replica), 0);
}

#[test]
fn the_export_reads_back_with_a_real_reader_and_imports_as_unchanged() {
    let mut replica = county_replica();
    let file = roster_file(&[[
        "曾德胜",
        &id(1944, 55, Gender::Male),
        "0797-5621234",
        "",
        "黄沙村委会",
        "",
        "孤寡",
        "2020-01-01",
        "分散特困",
        "",
        "",
        "",
        "",
        "",
    ]]);
    roster::import(&mut replica, &file).unwrap();
    let exported = roster::export(&replica, "360733105000").unwrap();
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(exported.clone())).unwrap();
    let range = workbook.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|row| row.iter().map(Data::to_string).collect()).collect();
    assert_eq!(rows[0], roster::COLUMNS);
    assert_eq!(rows[1][0], "曾德胜");
    assert_eq!(rows[1][1], id(1944, 55, Gender::Male), "the ID number survives as text");
    assert_eq!(rows[1][4], "黄沙村委会");
    assert_eq!(rows[1][8], "特困供养（分散）");
    let check = roster::check(&replica, &exported).unwrap();
    assert_eq!((check.unchanged_count, check.new_count, check.invalid_count), (1, 0, 0));
    let template = roster::template().unwrap();
    let workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(template)).unwrap();
    assert_eq!(workbook.sheet_names(), ["老年人信息台账", "填写说明"]);
}

/// A roster locked as the registry export locks it opens with its password in another reader:
/// msoffcrypto-tool (Debian's python3-msoffcrypto-tool, an independent implementation of
/// Office's encryption) decrypts it, calamine reads the workbook, and it checks as unchanged.
/// A wrong password gets nothing out of either.
#[test]
fn a_locked_roster_opens_with_its_password_in_another_reader() {
    use xianglin_domain::locked_workbook;
    let mut replica = county_replica();
    let name = "曾德胜";
    let row = [
        name,
        &id(1944, 55, Gender::Male),
        "",
        "",
        "黄沙村委会",
        "",
        "孤寡",
        "2020-01-01",
        "分散特困",
        "",
        "",
        "",
        "",
        "",
    ];
    roster::import(&mut replica, &roster_file(&[row])).unwrap();
    let exported = roster::export(&replica, "360733105000").unwrap();
    let locked = locked_workbook::lock(&exported, "台账密码2026").unwrap();
    assert!(!locked.windows(name.len()).any(|window| window == name.as_bytes()));

    let scratch = crate::support::scratch();
    let (input, output) = (scratch.path().join("locked.xlsx"), scratch.path().join("opened.xlsx"));
    std::fs::write(&input, &locked).unwrap();
    let decrypt = |password: &str| {
        std::process::Command::new("msoffcrypto-tool")
            .args(["-p", password])
            .arg(&input)
            .arg(&output)
            .output()
            .expect("msoffcrypto-tool runs (./dev.sh installs python3-msoffcrypto-tool)")
    };
    let wrong = decrypt("台账密码2025");
    assert!(!wrong.status.success(), "a wrong password opens nothing");
    let opened = decrypt("台账密码2026");
    assert!(opened.status.success(), "{}", String::from_utf8_lossy(&opened.stderr));
    let opened = std::fs::read(&output).unwrap();
    assert_eq!(opened, exported, "the same workbook comes out");
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(opened.clone())).unwrap();
    let range = workbook.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.get((1, 0)).map(Data::to_string).as_deref(), Some(name));

    let unlocked = locked_workbook::unlock(&locked, "台账密码2026").unwrap();
    let check = roster::check(&replica, &unlocked).unwrap();
    assert_eq!((check.unchanged_count, check.new_count, check.invalid_count), (1, 0, 0));
}

/// Where the checking child process finds its file (set only for the child).
const HOSTILE_ROSTER: &str = "XIANGLIN_TEST_HOSTILE_ROSTER";

/// The child of [`hostile_roster_files_are_refused_in_bounded_memory`]: checks one file and
/// prints the outcome and its own peak memory.
#[test]
#[ignore = "run by hostile_roster_files_are_refused_in_bounded_memory as a child process"]
fn roster_checker_child_process() {
    let Some(path) = std::env::var_os(HOSTILE_ROSTER) else { return };
    let bytes = std::fs::read(path).unwrap();
    let replica = county_replica();
    let outcome = match roster::check(&replica, &bytes) {
        Ok(check) => format!("checked {} rows", check.rows.len()),
        Err(Error::RosterTooLarge(limit)) => format!("refused {limit:?}"),
        Err(other) => format!("error {other}"),
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let peak = status.lines().find(|line| line.starts_with("VmHWM:")).unwrap();
    println!("@outcome {outcome}");
    println!("@peak {}", peak.split_whitespace().nth(1).unwrap());
}

/// A workbook whose only data is one value at `(row, column)` (0-based), under the header.
fn roster_with_a_far_value(row: u32, column: u16) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (index, title) in roster::COLUMNS.iter().enumerate() {
        sheet.write_string(0, index as u16, *title).unwrap();
    }
    sheet.write_string(row, column, "x").unwrap();
    workbook.save_to_buffer().unwrap()
}

/// A real roster whose shared strings are `size` bytes of spaces (DEFLATE makes them tiny).
fn roster_with_inflating_part(size: usize) -> Vec<u8> {
    use std::io::{Read, Write};
    let good = roster_file(&[]);
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(good)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    for index in 0..source.len() {
        let mut entry = source.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        out.start_file(name.as_str(), options).unwrap();
        if name == "xl/sharedStrings.xml" {
            let spaces = vec![b' '; 1 << 20];
            for _ in 0..size >> 20 {
                out.write_all(&spaces).unwrap();
            }
        }
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The largest roster the limits let through: 20,000 rows under the header, 60 columns of
/// distinct, incompressible text (the reader keeps every string).
fn roster_at_the_limits() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (index, title) in roster::COLUMNS.iter().enumerate() {
        sheet.write_string(0, index as u16, *title).unwrap();
    }
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for row in 1..=20_000u32 {
        for column in 14..60u16 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            sheet.write_string(row, column, format!("{state:016x}")).unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// Files built to exhaust the reader (a value at the sheet's last cell, a zip bomb, too many
/// rows, too large a file) are refused with their own error before any cell is read, and the
/// largest file the limits let through is read; each in a child process whose peak memory stays
/// under 300 MB; nothing is written.
#[test]
fn hostile_roster_files_are_refused_in_bounded_memory() {
    let directory = crate::support::scratch();
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        ("a value at XFD1048576", roster_with_a_far_value(1_048_575, 16_383), "Columns"),
        ("a value at CV1048576", roster_with_a_far_value(1_048_575, 99), "Columns"),
        ("a value at A1048576", roster_with_a_far_value(1_048_575, 0), "Rows"),
        ("a value at row 20,100", roster_with_a_far_value(20_100, 0), "Rows"),
        ("shared strings of 1 GiB of spaces", roster_with_inflating_part(1 << 30), "Inflated"),
        ("21 MB of anything", vec![b'P'; 21 << 20], "FileBytes"),
        ("20,000 rows of 60 columns of text", roster_at_the_limits(), ""),
    ];
    for (name, bytes, refusal) in files {
        let size = bytes.len();
        let path = directory.path().join("hostile.xlsx");
        std::fs::write(&path, bytes).unwrap();
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["roster::roster_checker_child_process", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env(HOSTILE_ROSTER, &path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line =
            |marker: &str| stdout.lines().find_map(|line| line.split_once(marker)).map(|(_, rest)| rest.to_owned());
        let outcome = line("@outcome ").unwrap_or_else(|| panic!("{name}: the child printed {stdout}"));
        let peak_kb: u64 = line("@peak ").unwrap().parse().unwrap();
        eprintln!("| {name} | {size} bytes | {outcome} | peak {:.0} MB |", peak_kb as f64 / 1024.0);
        if refusal.is_empty() {
            // Within every limit: read in full (its rows name no elder, so none is valid).
            assert!(outcome.starts_with("checked "), "{name}: {outcome}");
        } else {
            assert!(outcome.starts_with(&format!("refused {refusal}")), "{name}: {outcome}");
        }
        assert!(peak_kb < 300 * 1024, "{name}: the check peaked at {peak_kb} KiB");
    }
    // A roster at the limit still checks: 14 columns, its last row in the allowed range.
    let replica = county_replica();
    assert!(roster::check(&replica, &roster_with_a_far_value(20_000, 13)).is_ok());
    assert_eq!(count(&replica), 0);
}

/// A long import reports how far it has read, and one cancelled at any report writes nothing:
/// rows of two villages are written together at the end, or not at all.
#[test]
fn an_import_reports_its_progress_and_one_cancelled_writes_nothing() {
    use std::ops::ControlFlow;
    let villages = ["白沙村", "洛口村委会"];
    let ids: Vec<String> = (0..600).map(|index| id(1940 + index % 20, index as u16 + 1, Gender::Female)).collect();
    let rows: Vec<[&str; 14]> = ids
        .iter()
        .enumerate()
        .map(|(index, id)| ["王秀英", id.as_str(), "", "", villages[index % 2], "", "独居", "", "", "", "", "", "", ""])
        .collect();
    let file = roster_file(&rows);
    for stop_at in [0, 1, 3] {
        let mut replica = county_replica();
        let mut reports = 0;
        let cancelled = roster::import_with(&mut replica, &file, &mut |_, _| {
            reports += 1;
            if reports > stop_at { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        });
        assert!(matches!(cancelled, Err(Error::Cancelled)), "stopped at report {stop_at}: {cancelled:?}");
        assert_eq!(count(&replica), 0, "stopped at report {stop_at}: something was written");
    }
    let mut replica = county_replica();
    let mut seen = Vec::new();
    let imported = roster::import_with(&mut replica, &file, &mut |done, total| {
        seen.push((done, total));
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(imported.created, 600);
    assert_eq!(seen, vec![(0, 600), (250, 600), (500, 600), (600, 600)]);
    assert_eq!(count(&replica), 600);
}
