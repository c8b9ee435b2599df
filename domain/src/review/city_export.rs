//! Data shared upward with the city's platform: the county's registry and a period's visits,
//! meal settlements and adaptation cases in the documented layout of
//! [`xianglin_schema::export`], as JSON or CSV. Only a county reviewer exports; ID numbers are
//! masked unless asked for in full with a reason. Every export leaves a record in the county
//! document (who, when, what, why), so the log syncs and cannot be edited away quietly.
//!
//! The files are handed over in one zip locked with a password ([`locked_archive`]): WinZip's
//! AES-256 encryption (AE-2), which 7-Zip, WinRAR, Bandizip and the city's scripts open.

use rusqlite::params;
use xianglin_schema::api::{
    AdaptationCasesRequest, CityExportRequest, ExportLogRow, SettlementRequest, SettlementStatus,
};
use xianglin_schema::elder::Elder;
use xianglin_schema::export::{
    CityExport, ExportCase, ExportElder, ExportFormat, ExportLog, ExportSettlement, ExportVisit, LAYOUT, csv_table,
};
use xianglin_schema::id_number;
use xianglin_schema::place::PlaceSummary;
use xianglin_schema::problem::{Problem, Rule};
use xianglin_schema::record::{RecordMeta, format_datetime, new_id, parse_datetime};
use xianglin_schema::user::Role;

use crate::adaptation;
use crate::lookup::{county, minutes};
use crate::lookup::{user_name, user_role};
use crate::meals;
use xianglin_schema::access::AccessKind;
use xianglin_sync::Error;
use xianglin_sync::Replica;
use xianglin_sync::Result;
use xianglin_sync::projection::{county_key, text};
use xianglin_sync::replica::to_json;
use xianglin_sync::shard::{Month, ShardId};

/// The longest period one export covers.
const MAX_MONTHS: usize = 24;

/// Builds an export and records it in the county document; nothing is recorded when the
/// request is refused.
pub fn export(replica: &mut Replica, request: &CityExportRequest) -> Result<(CityExport, ExportLog)> {
    if user_role(replica)? != Some(Role::CountyReviewer) {
        return Err(Error::Problems(vec![crate::not_permitted("format", "只有县级审核员可以导出全县数据上报")]));
    }
    let months = months_of(request)?;
    if request.include_id_numbers && request.reason.trim().is_empty() {
        return Err(Error::Problems(vec![Problem::new("reason", "导出完整身份证号的原因", Rule::Required)]));
    }
    let PlaceSummary { code: county_code, name: county_name, .. } = county(replica)?;
    let (first, last) = (months[0], months[months.len() - 1]);
    let export = CityExport {
        layout: LAYOUT.to_owned(),
        county_code: county_code.clone(),
        county_name,
        generated_at: format_datetime(replica.now()),
        from_month: first.to_string(),
        to_month: last.to_string(),
        id_numbers: if request.include_id_numbers { "full" } else { "masked" }.to_owned(),
        elders: elders(replica, request.include_id_numbers)?,
        visits: visits(replica, first, last)?,
        meal_settlements: settlements(replica, &months)?,
        adaptation_cases: cases(replica)?,
    };
    let log = ExportLog {
        id: new_id(),
        from_month: export.from_month.clone(),
        to_month: export.to_month.clone(),
        format: request.format,
        include_id_numbers: request.include_id_numbers,
        reason: request.reason.trim().to_owned(),
        elders: export.elders.len() as u32,
        visits: export.visits.len() as u32,
        settlements: export.meal_settlements.len() as u32,
        cases: export.adaptation_cases.len() as u32,
        meta: RecordMeta::created(replica.now(), replica.user_id()),
    };
    let shard = ShardId::county(&county_code);
    let county_records = [(county_key("export", &log.id), to_json(&log)?)];
    // With full ID numbers, every elder in the file gets an access record, in the same
    // transaction as the export's log.
    let seen: Vec<(&str, &str)> = if log.include_id_numbers {
        export.elders.iter().map(|elder| (elder.elder_id.as_str(), elder.village_code.as_str())).collect()
    } else {
        Vec::new()
    };
    let accesses = crate::access::records(replica, &seen, AccessKind::ExportWithIdNumber, &log.reason)?;
    let mut writes: Vec<(&ShardId, &[(String, serde_json::Value)])> = vec![(&shard, &county_records)];
    writes.extend(accesses.iter().map(|(shard, records)| (shard, records.as_slice())));
    replica.commit_all(&writes, &replica.author())?;
    tracing::info!(
        export = %log.id,
        full_id_numbers = log.include_id_numbers,
        elders = log.elders,
        visits = log.visits,
        "city export written and logged"
    );
    Ok((export, log))
}

/// The files of an export in its format: `(suffix, bytes)`, e.g. `("json", …)` or
/// `("elders.csv", …)`.
pub fn files(export: &CityExport, format: ExportFormat) -> Result<Vec<(&'static str, Vec<u8>)>> {
    Ok(match format {
        ExportFormat::Json => vec![("json", serde_json::to_vec_pretty(export)?)],
        ExportFormat::Csv => vec![
            ("elders.csv", csv_table(&export.elders)),
            ("visits.csv", csv_table(&export.visits)),
            ("meal_settlements.csv", csv_table(&export.meal_settlements)),
            ("adaptation_cases.csv", csv_table(&export.adaptation_cases)),
        ],
    })
}

/// The export's files in one zip, each entry `<stem>.<suffix>` encrypted with AES-256 (WinZip
/// AE-2: a random salt per entry, the key derived from `password` with PBKDF2, the contents
/// authenticated with HMAC-SHA1). Entry names and sizes stay readable, so they hold no personal
/// data. Entries are dated with the export's own time.
pub fn locked_archive(export: &CityExport, format: ExportFormat, stem: &str, password: &str) -> Result<Vec<u8>> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let zip_error = |error: zip::result::ZipError| Error::Io(error.into());
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip_time(&export.generated_at))
        .with_aes_encryption(zip::AesMode::Aes256, password);
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (suffix, bytes) in files(export, format)? {
        writer.start_file(format!("{stem}.{suffix}"), options).map_err(zip_error)?;
        writer.write_all(&bytes)?;
    }
    Ok(writer.finish().map_err(zip_error)?.into_inner())
}

/// A zip entry's date: the export's own time (1980-01-01, zip's earliest, if it cannot be one).
fn zip_time(generated_at: &str) -> zip::DateTime {
    use chrono::{Datelike, Timelike};
    let Some(at) = parse_datetime(generated_at) else { return zip::DateTime::default() };
    let Ok(year) = u16::try_from(at.year()) else { return zip::DateTime::default() };
    // chrono's months, days and times are small, so they fit in a byte.
    let [month, day, hour, minute, second] =
        [at.month(), at.day(), at.hour(), at.minute(), at.second()].map(|n| n as u8);
    zip::DateTime::from_date_and_time(year, month, day, hour, minute, second).unwrap_or_default()
}

/// Every export recorded in the county document, newest first.
pub fn export_log(replica: &mut Replica) -> Result<Vec<ExportLogRow>> {
    let county_code = county(replica)?.code;
    let mut logs = Vec::new();
    for (key, stored) in replica.read_records_with_prefix(&ShardId::county(&county_code), "export/")? {
        match serde_json::from_value::<ExportLog>(stored.value) {
            Ok(log) => logs.push(log),
            Err(_) => tracing::warn!(key = %key, "export record does not match its type; left out"),
        }
    }
    let mut rows = Vec::with_capacity(logs.len());
    for log in logs {
        rows.push(ExportLogRow {
            by_name: user_name(replica, &log.meta.created_by)?.unwrap_or_else(|| log.meta.created_by.clone()),
            at: minutes(&log.meta.created_at),
            log,
        });
    }
    rows.sort_by(|a, b| b.log.meta.created_at.cmp(&a.log.meta.created_at).then_with(|| b.log.id.cmp(&a.log.id)));
    Ok(rows)
}

fn months_of(request: &CityExportRequest) -> Result<Vec<Month>> {
    let parse = |text: &str, field: &str, label: &str| {
        text.parse::<Month>().map_err(|()| Error::Problems(vec![Problem::new(field, label, Rule::Date)]))
    };
    let from = parse(&request.from_month, "from_month", "起始月份")?;
    let to = parse(&request.to_month, "to_month", "截止月份")?;
    if to < from {
        return Err(Error::Problems(vec![Problem::new("to_month", "截止月份", Rule::DateOrder)]));
    }
    let mut months = vec![from];
    while *months.last().expect("starts with one") < to {
        if months.len() == MAX_MONTHS {
            return Err(Error::Problems(vec![crate::refused_now("to_month", "一次最多导出 24 个月")]));
        }
        months.push(months.last().expect("starts with one").next());
    }
    Ok(months)
}

/// The registry: every elder not voided or merged, once (a moved elder's current entry).
fn elders(replica: &Replica, full_id_numbers: bool) -> Result<Vec<ExportElder>> {
    let mut statement = replica.connection().prepare(
        "SELECT e.body, e.township_code, coalesce(t.name, ''), coalesce(v.name, '')
         FROM current_elders e LEFT JOIN places t ON t.code = e.township_code LEFT JOIN places v ON v.code = e.village_code
         ORDER BY e.township_code, e.village_code, e.name_pinyin, e.id",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, row.get::<_, String>(3)?))
    })?;
    let mut elders: Vec<ExportElder> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        let (body, township_code, township_name, village_name) = row?;
        let elder: Elder = serde_json::from_str(&body)?;
        if !seen.insert(elder.id.clone()) {
            continue;
        }
        elders.push(ExportElder {
            id_number: if full_id_numbers { elder.id_number.clone() } else { id_number::mask(&elder.id_number) },
            gender: text(&elder.gender),
            birth_date: elder.birth_date.to_string(),
            township_code,
            township_name,
            village_code: elder.village_code.clone(),
            village_name,
            categories: elder.categories.keys().map(text).collect::<Vec<_>>().join("|"),
            economic_status: text(&elder.economic_status),
            life_state: text(&elder.life.state),
            life_date: elder.life.date.map(|date| date.to_string()).unwrap_or_default(),
            registered_on: elder.meta.created_at.get(..10).unwrap_or_default().to_owned(),
            elder_id: elder.id,
            name: elder.name,
        });
    }
    Ok(elders)
}

fn visits(replica: &Replica, first: Month, last: Month) -> Result<Vec<ExportVisit>> {
    let mut statement = replica.connection().prepare(
        "SELECT id, elder_id, village_code, visited_at, mode, worst_severity, major_event FROM visits
         WHERE voided = 0 AND visited_at >= ?1 AND visited_at < ?2 ORDER BY visited_at, id",
    )?;
    let rows =
        statement.query_map(params![first.first_day().to_string(), last.next().first_day().to_string()], |row| {
            Ok(ExportVisit {
                visit_id: row.get(0)?,
                elder_id: row.get(1)?,
                village_code: row.get(2)?,
                visited_at: row.get(3)?,
                mode: row.get(4)?,
                worst_severity: row.get(5)?,
                major_event: row.get(6)?,
            })
        })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Every meal point's months of the period, as the settlement reads them.
fn settlements(replica: &mut Replica, months: &[Month]) -> Result<Vec<ExportSettlement>> {
    let points: Vec<String> = {
        let mut statement =
            replica.connection().prepare("SELECT id FROM meal_points WHERE voided = 0 ORDER BY township_code, name")?;
        statement.query_map([], |row| row.get(0))?.collect::<Result<Vec<_>, _>>()?
    };
    let mut rows = Vec::new();
    for point_id in points {
        for month in months {
            let request = SettlementRequest { point_id: point_id.clone(), month: month.to_string() };
            let settlement = meals::settlement(replica, &request)?;
            if settlement.status == SettlementStatus::Open && settlement.totals.meals == 0 {
                continue;
            }
            let totals = settlement.approved_totals.clone().unwrap_or(settlement.totals.clone());
            rows.push(ExportSettlement {
                point_id: settlement.point.id.clone(),
                point_name: settlement.point.name.clone(),
                township_code: settlement.point.township_code.clone(),
                month: settlement.month.clone(),
                status: text(&settlement.status),
                diners: totals.diners,
                meals: totals.meals,
                subsidy_fen: totals.subsidy,
                self_paid_fen: totals.self_paid,
                payable_fen: totals.payable,
            });
        }
    }
    Ok(rows)
}

fn cases(replica: &Replica) -> Result<Vec<ExportCase>> {
    let request = AdaptationCasesRequest { place_code: None, step: None, include_archived: true };
    Ok(adaptation::cases(replica, &request)?
        .rows
        .into_iter()
        .map(|case| ExportCase {
            step: text(&case.step),
            since: case.since.get(..10).unwrap_or_default().to_owned(),
            case_id: case.case_id,
            case_number: case.case_number,
            elder_id: case.elder_id,
            township_code: case.township_code,
            village_code: case.village_code,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn export() -> CityExport {
        CityExport {
            layout: LAYOUT.into(),
            county_code: "360733000000".into(),
            county_name: "会昌县".into(),
            generated_at: "2026-11-30T10:15:42".into(),
            from_month: "2026-09".into(),
            to_month: "2026-11".into(),
            id_numbers: "masked".into(),
            elders: Vec::new(),
            visits: Vec::new(),
            meal_settlements: Vec::new(),
            adaptation_cases: Vec::new(),
        }
    }

    #[test]
    fn a_locked_archive_opens_with_its_password_only() {
        let mut export = export();
        export.county_name = "会昌县测试名".into();
        let bytes = locked_archive(&export, ExportFormat::Json, "上报", "正确的密码123").unwrap();
        assert!(!bytes.windows("会昌县测试名".len()).any(|window| window == "会昌县测试名".as_bytes()));

        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        assert_eq!(archive.file_names().map(Result::unwrap).collect::<Vec<_>>(), ["上报.json"]);
        assert!(archive.by_index(0).is_err(), "no entry reads without the password");
        assert!(archive.by_index_decrypt(0, "错误的密码123".as_bytes()).is_err());
        let mut json = Vec::new();
        let mut entry = archive.by_index_decrypt(0, "正确的密码123".as_bytes()).unwrap();
        assert_eq!(
            entry.last_modified().map(|at| (at.year(), at.month(), at.day(), at.hour(), at.minute())),
            Some((2026, 11, 30, 10, 15))
        );
        entry.read_to_end(&mut json).unwrap();
        assert_eq!(serde_json::from_slice::<CityExport>(&json).unwrap(), export);
    }

    #[test]
    fn a_csv_archive_holds_the_four_tables() {
        let bytes = locked_archive(&export(), ExportFormat::Csv, "s", "password").unwrap();
        let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut names: Vec<_> = archive.file_names().map(Result::unwrap).collect();
        names.sort();
        assert_eq!(names, ["s.adaptation_cases.csv", "s.elders.csv", "s.meal_settlements.csv", "s.visits.csv"]);
    }
}
