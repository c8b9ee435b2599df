//! Data shared upward with the city's platform (全市养老服务信息平台): the layout of an export
//! (these types are its documentation: every field's meaning is on it, and `docs/city-export.md`
//! shows the files), and the record every export leaves in the county document. ID numbers are
//! masked unless the export was asked for with them and a reason, which the record keeps.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::record::RecordMeta;

/// The layout's name and version, the first field of every JSON export.
pub const LAYOUT: &str = "xianglin-city-export/1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// One UTF-8 JSON file: a [`CityExport`].
    Json,
    /// Four UTF-8 CSV files (with a byte-order mark, for Excel), one per table of
    /// [`CityExport`], columns named and ordered as the fields of its rows.
    Csv,
}

/// A whole export: the county's registry as it stands, and the period's records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CityExport {
    /// Always [`LAYOUT`].
    pub layout: String,
    /// 12-digit statistical code of the county.
    pub county_code: String,
    pub county_name: String,
    /// `YYYY-MM-DDTHH:MM:SS`, local time of the exporting computer.
    pub generated_at: String,
    /// First and last month of the period (`YYYY-MM`, both included).
    pub from_month: String,
    pub to_month: String,
    /// `masked` (the first 4 and last 4 characters kept) or `full`.
    pub id_numbers: String,
    pub elders: Vec<ExportElder>,
    pub visits: Vec<ExportVisit>,
    pub meal_settlements: Vec<ExportSettlement>,
    pub adaptation_cases: Vec<ExportCase>,
}

/// An elder on the registry (elders merged into another by the county are left out; their
/// records carry the kept elder's id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportElder {
    /// Stable id of the elder in Xianglin (UUID).
    pub elder_id: String,
    pub name: String,
    /// `male` or `female`.
    pub gender: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// Masked or full, as the export's `id_numbers` says.
    pub id_number: String,
    pub township_code: String,
    pub township_name: String,
    pub village_code: String,
    pub village_name: String,
    /// Category codes separated by `|`: living_alone, empty_nest, left_behind, disabled,
    /// severely_disabled, family_planning_special, widowed_childless.
    pub categories: String,
    /// none, tekun_centralized, tekun_dispersed, dibao, low_income or poverty_alleviated.
    pub economic_status: String,
    /// active, moved or deceased, and since when (`YYYY-MM-DD`, empty while active).
    pub life_state: String,
    pub life_date: String,
    /// `YYYY-MM-DD`.
    pub registered_on: String,
}

/// A patrol visit in the period (voided visits left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportVisit {
    pub visit_id: String,
    pub elder_id: String,
    pub village_code: String,
    /// `YYYY-MM-DDTHH:MM:SS`.
    pub visited_at: String,
    /// home, phone or video.
    pub mode: String,
    /// The worst finding: normal, attention, serious or urgent.
    pub worst_severity: String,
    /// `true` when the visit followed a major event in the elder's life.
    pub major_event: bool,
}

/// A meal point's month in the period: its status and totals (the approved totals once
/// approved). Amounts in fen (分).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportSettlement {
    pub point_id: String,
    pub point_name: String,
    pub township_code: String,
    /// `YYYY-MM`.
    pub month: String,
    /// open, submitted, returned or approved.
    pub status: String,
    pub diners: u32,
    pub meals: u32,
    pub subsidy_fen: i64,
    pub self_paid_fen: i64,
    pub payable_fen: i64,
}

/// A home-adaptation case (一户一档), archived ones included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportCase {
    pub case_id: String,
    pub case_number: String,
    pub elder_id: String,
    pub township_code: String,
    pub village_code: String,
    /// The step the case waits at (application … archived).
    pub step: String,
    /// `YYYY-MM-DD` the case reached it.
    pub since: String,
}

/// The record an export leaves in the county document (`export/<id>`): who exported what,
/// when, and, for ID numbers in full, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportLog {
    pub id: String,
    pub from_month: String,
    pub to_month: String,
    pub format: ExportFormat,
    pub include_id_numbers: bool,
    pub reason: String,
    pub elders: u32,
    pub visits: u32,
    pub settlements: u32,
    pub cases: u32,
    pub meta: RecordMeta,
}

/// A row of one of the export's CSV tables: its columns (the row's field names, in order) and
/// their text.
pub trait CsvRow {
    const COLUMNS: &'static [&'static str];
    fn cells(&self) -> Vec<String>;
}

impl CsvRow for ExportElder {
    const COLUMNS: &'static [&'static str] = &[
        "elder_id",
        "name",
        "gender",
        "birth_date",
        "id_number",
        "township_code",
        "township_name",
        "village_code",
        "village_name",
        "categories",
        "economic_status",
        "life_state",
        "life_date",
        "registered_on",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.elder_id.clone(),
            self.name.clone(),
            self.gender.clone(),
            self.birth_date.clone(),
            self.id_number.clone(),
            self.township_code.clone(),
            self.township_name.clone(),
            self.village_code.clone(),
            self.village_name.clone(),
            self.categories.clone(),
            self.economic_status.clone(),
            self.life_state.clone(),
            self.life_date.clone(),
            self.registered_on.clone(),
        ]
    }
}

impl CsvRow for ExportVisit {
    const COLUMNS: &'static [&'static str] =
        &["visit_id", "elder_id", "village_code", "visited_at", "mode", "worst_severity", "major_event"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.visit_id.clone(),
            self.elder_id.clone(),
            self.village_code.clone(),
            self.visited_at.clone(),
            self.mode.clone(),
            self.worst_severity.clone(),
            self.major_event.to_string(),
        ]
    }
}

impl CsvRow for ExportSettlement {
    const COLUMNS: &'static [&'static str] = &[
        "point_id",
        "point_name",
        "township_code",
        "month",
        "status",
        "diners",
        "meals",
        "subsidy_fen",
        "self_paid_fen",
        "payable_fen",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.point_id.clone(),
            self.point_name.clone(),
            self.township_code.clone(),
            self.month.clone(),
            self.status.clone(),
            self.diners.to_string(),
            self.meals.to_string(),
            self.subsidy_fen.to_string(),
            self.self_paid_fen.to_string(),
            self.payable_fen.to_string(),
        ]
    }
}

impl CsvRow for ExportCase {
    const COLUMNS: &'static [&'static str] =
        &["case_id", "case_number", "elder_id", "township_code", "village_code", "step", "since"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.case_id.clone(),
            self.case_number.clone(),
            self.elder_id.clone(),
            self.township_code.clone(),
            self.village_code.clone(),
            self.step.clone(),
            self.since.clone(),
        ]
    }
}

/// One CSV table (RFC 4180: comma separated, CRLF line ends, a field quoted when it holds a
/// comma, quote or line break), UTF-8 with a byte-order mark so that Excel reads the Chinese.
pub fn csv_table<R: CsvRow>(rows: &[R]) -> Vec<u8> {
    fn field(text: &str) -> String {
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    }
    let mut out = String::from("\u{feff}");
    out.push_str(&R::COLUMNS.join(","));
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&row.cells().iter().map(|cell| field(cell)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_what_needs_it_and_has_a_column_per_field() {
        let case = ExportCase {
            case_id: "c1".into(),
            case_number: "2026,\"7\"".into(),
            elder_id: "e1".into(),
            township_code: "360733105000".into(),
            village_code: "360733105201".into(),
            step: "plan".into(),
            since: "2026-11-02".into(),
        };
        let text = String::from_utf8(csv_table(&[case])).unwrap();
        assert_eq!(
            text,
            "\u{feff}case_id,case_number,elder_id,township_code,village_code,step,since\r\nc1,\"2026,\"\"7\"\"\",e1,360733105000,360733105201,plan,2026-11-02\r\n"
        );
        assert_eq!(ExportElder::COLUMNS.len(), 14);
    }
}
