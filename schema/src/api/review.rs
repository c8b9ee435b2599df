//! The county's review: checks across stations, what waits for approval, dashboards, the city export.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::adaptation::CaseRow;
use super::app::FilePassword;
use crate::export::{ExportFormat, ExportLog};
use crate::meal::SettlementTotals;

/// What the county's checks look for across every station's synced data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CountyAnomalyKind {
    /// A visit dated after the elder's death.
    VisitAfterDeath,
    /// A meal dated after the elder died or moved away.
    MealAfterLifeEnd,
    /// One elder's slot of one day claimed twice (at one point or two).
    DoubleMealClaim,
    /// A visit recorded by someone whose places do not include the elder's village.
    VisitOutsidePlaces,
    /// An active elder with no visit for two of their visit tier's periods.
    CoverageGap,
}

/// One finding of the county's checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CountyAnomaly {
    pub kind: CountyAnomalyKind,
    /// The visit or meal found; the elder's id for a coverage gap.
    pub record_id: String,
    pub elder_id: String,
    pub elder_name: String,
    pub village_name: String,
    pub township_name: String,
    /// The record's date (a coverage gap: the last visit, if any).
    pub date: Option<NaiveDate>,
    /// What is wrong, in Chinese.
    pub detail: String,
}

/// Asks for the county's checks over a month, in a township (or the whole county when `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CountyAnomaliesRequest {
    pub place_code: Option<String>,
    /// `YYYY-MM`.
    pub month: String,
}

/// How many findings of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CountyAnomalyCount {
    pub kind: CountyAnomalyKind,
    pub count: u32,
}

/// The county's checks over a month: every finding, and the count of each kind (zeros included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CountyAnomalies {
    pub month: String,
    pub rows: Vec<CountyAnomaly>,
    pub counts: Vec<CountyAnomalyCount>,
}

/// A point's month submitted to the county and not yet decided on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PendingSettlement {
    pub point_id: String,
    pub point_name: String,
    pub township_name: String,
    /// `YYYY-MM`
    pub month: String,
    pub submitted_by: String,
    /// `YYYY-MM-DD HH:MM`.
    pub submitted_at: String,
    pub note: String,
    /// What was submitted.
    pub totals: SettlementTotals,
    /// Findings of the meal checks on the month now (the county looks before approving).
    pub anomalies: u32,
    pub days_waiting: u32,
}

/// What waits for the county's decision: meal settlements, and adaptation cases at a county
/// step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Approvals {
    pub settlements: Vec<PendingSettlement>,
    pub cases: Vec<CaseRow>,
}

/// A dashboard over months: a county (its townships) or a township (its villages, or its meal
/// points), the `months` months up to `to_month`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TrendRequest {
    /// A township code, or `None` for the whole county.
    pub place_code: Option<String>,
    /// `YYYY-MM`, the last month shown.
    pub to_month: String,
    /// 1–24.
    pub months: u32,
}

/// 月探访率 of one place in one month (as `coverage` counts it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CoverageCell {
    pub due: u32,
    pub visited: u32,
    /// Visited per thousand due; 1000 when nobody was due.
    pub rate_per_mille: u32,
}

/// A place's coverage month by month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CoverageTrendRow {
    pub place_code: String,
    pub place_name: String,
    /// One per month of the trend, in order.
    pub cells: Vec<CoverageCell>,
}

/// 月探访率 over months: the place, and each place one level below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CoverageTrend {
    pub months: Vec<String>,
    pub total: CoverageTrendRow,
    pub rows: Vec<CoverageTrendRow>,
}

/// Meals served and subsidy of one place in one month (voided meals left out). Amounts in fen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealMonthCell {
    pub diners: u32,
    pub meals: u32,
    pub subsidy: i64,
}

/// A township's (or a meal point's) meals month by month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealTrendRow {
    pub place_code: String,
    pub place_name: String,
    pub cells: Vec<MealMonthCell>,
}

/// Meals and subsidy over months: by township for the county, by meal point for a township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealTrend {
    pub months: Vec<String>,
    pub total: MealTrendRow,
    pub rows: Vec<MealTrendRow>,
}

/// Which dashboard to export or print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DashboardKind {
    Coverage,
    Meals,
    Cases,
}

/// Exports (.xlsx) or prints (PDF) one dashboard's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DashboardFile {
    pub kind: DashboardKind,
    pub request: TrendRequest,
}

/// Exports the county's data for the city's platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CityExportRequest {
    /// `YYYY-MM`, both included.
    pub from_month: String,
    pub to_month: String,
    pub format: ExportFormat,
    /// ID numbers in full instead of masked: needs a reason, and is logged.
    pub include_id_numbers: bool,
    pub reason: String,
    /// The password of the zip the files go in (they name every elder).
    #[ts(type = "string")]
    pub password: FilePassword,
}

/// One export as the log lists it, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportLogRow {
    pub log: ExportLog,
    pub by_name: String,
    /// `YYYY-MM-DD HH:MM`.
    pub at: String,
}

/// The zip an export wrote (its files inside, locked with the request's password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportedArchive {
    pub path: String,
    pub log: ExportLog,
}
