//! Meal service (老年助餐): points, diners, the day's roster, checks, settlements and adjustments.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::app::FilePassword;

use crate::elder::LifeStatus;
use crate::meal::{
    Diner, MealAdjustment, MealMode, MealPoint, MealSlot, ReviewDecision, SettlementReview, SettlementSubmission,
    SettlementTotals,
};

/// The meal points of a township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealPointsRequest {
    pub township_code: String,
}

/// A meal point with how many elders are enrolled there now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealPointRow {
    pub point: MealPoint,
    pub diners: u32,
}

/// The elders enrolled at a point (`include_left`: also those who left).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DinersRequest {
    pub point_id: String,
    pub include_left: bool,
}

/// An enrolled elder, with eligibility and subsidy band by today's policy. ID number masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DinerRow {
    pub diner: Diner,
    pub elder_name: String,
    pub name_pinyin: String,
    pub name_initials: String,
    pub id_number_masked: String,
    pub village_name: String,
    pub age: u32,
    /// The subsidy band today (`None`: not eligible for a subsidy).
    pub band: Option<String>,
    /// Subsidy per subsidised meal today, in 分.
    pub per_meal: i64,
    /// Why the elder is (or is not) eligible, in Chinese.
    pub eligibility: String,
    pub life: LifeStatus,
}

/// Enrolls an elder of the registry at a point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EnrollDiner {
    pub point_id: String,
    pub elder_id: String,
    pub enrolled_on: NaiveDate,
    pub usual_mode: MealMode,
}

/// Ends an enrollment from a date (the elder no longer eats there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LeaveDiner {
    pub diner_id: String,
    pub left_on: NaiveDate,
}

/// The day's roster of a point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealRosterRequest {
    pub point_id: String,
    pub date: NaiveDate,
}

/// One recorded meal in the roster grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealCell {
    pub meal_id: String,
    pub mode: MealMode,
    pub proxy: Option<String>,
    pub self_paid: i64,
    pub subsidy: i64,
    pub note: String,
}

/// One diner's line of the roster: who, and what they ate that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealRosterRow {
    pub elder_id: String,
    pub elder_name: String,
    pub name_pinyin: String,
    pub name_initials: String,
    pub age: u32,
    pub band: Option<String>,
    pub usual_mode: MealMode,
    /// Recorded meals by slot (`breakfast`, `lunch`, `dinner`).
    pub cells: BTreeMap<MealSlot, MealCell>,
    /// Why no meal can be recorded for the elder that day (moved away, deceased), if so.
    pub blocked: Option<String>,
}

/// The day's totals of a point.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealDayTotals {
    pub diners: u32,
    pub meals: u32,
    pub subsidy: i64,
    pub self_paid: i64,
}

/// A point's roster for one day: the grid the director ticks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealRoster {
    pub point: MealPoint,
    pub date: NaiveDate,
    pub slots: Vec<MealSlot>,
    /// Why the point does not serve that day, if so (meals can still be looked at).
    pub closed: Option<String>,
    /// Why the day can no longer be edited (its month is approved), if so.
    pub locked: Option<String>,
    pub rows: Vec<MealRosterRow>,
    pub totals: MealDayTotals,
    /// The last earlier day with meals recorded, whose pattern can be copied.
    pub previous_day: Option<NaiveDate>,
}

/// Ticks (`eaten`) or unticks a diner's slot on a day. `self_paid` overrides the computed amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SetMeal {
    pub point_id: String,
    pub elder_id: String,
    pub date: NaiveDate,
    pub slot: MealSlot,
    pub eaten: bool,
    pub mode: MealMode,
    pub proxy: Option<String>,
    pub self_paid: Option<i64>,
}

/// The roster line and the day's totals after a tick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealSet {
    pub row: MealRosterRow,
    pub totals: MealDayTotals,
}

/// Records on `to` the meals each diner had on `from` (slot, mode, 代办), where none is recorded yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CopyMealDay {
    pub point_id: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// What a check of the meals found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MealAnomalyKind {
    /// A meal dated after the elder died or moved away.
    AfterLifeEnd,
    /// The same elder claimed twice for one slot of one day (at one point or two).
    DoubleClaim,
    /// More subsidised meals in a day or a week than the policy allows.
    CapExceeded,
    /// A meal on a day the point was closed.
    ClosedDay,
    /// A meal of an elder not enrolled at the point that day.
    NotEnrolled,
    /// A meal changed or added in an approved period after its approval.
    ChangedAfterApproval,
}

/// One finding of the meal checks, worded in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealAnomaly {
    pub kind: MealAnomalyKind,
    pub meal_id: String,
    pub point_id: String,
    pub point_name: String,
    pub elder_id: String,
    pub elder_name: String,
    pub date: NaiveDate,
    pub slot: MealSlot,
    pub detail: String,
}

/// A point's settlement for a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettlementRequest {
    pub point_id: String,
    /// `YYYY-MM`
    pub month: String,
}

/// Saves a point's settlement for a month (PDF or workbook) locked with `password`: it names
/// the diners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettlementFile {
    pub point_id: String,
    /// `YYYY-MM`
    pub month: String,
    #[ts(type = "string")]
    pub password: FilePassword,
}

impl SettlementFile {
    /// The settlement this file holds.
    pub fn settlement(&self) -> SettlementRequest {
        SettlementRequest { point_id: self.point_id.clone(), month: self.month.clone() }
    }
}

/// One elder's line of a settlement. ID number masked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettlementElderRow {
    pub elder_id: String,
    pub elder_name: String,
    pub id_number_masked: String,
    pub band: String,
    pub dining_days: u32,
    pub breakfasts: u32,
    pub lunches: u32,
    pub dinners: u32,
    pub deliveries: u32,
    pub proxies: u32,
    pub subsidy: i64,
    pub self_paid: i64,
}

/// An adjustment as a settlement line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdjustmentRow {
    pub adjustment: MealAdjustment,
    pub elder_name: String,
}

/// Where a settlement period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SettlementStatus {
    /// 未提交: the station is still recording.
    Open,
    /// 待审核: submitted, the county has not decided.
    Submitted,
    /// 已退回: the county returned it with a reason.
    Returned,
    /// 已审核: approved and locked.
    Approved,
}

/// A point's month: per elder dining days, meals, subsidy and self-pay, the adjustments booked
/// in it, the totals, where it stands, and what the checks found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Settlement {
    pub point: MealPoint,
    pub township_name: String,
    pub month: String,
    pub status: SettlementStatus,
    /// The status in Chinese, with who and when.
    pub status_label: String,
    pub rows: Vec<SettlementElderRow>,
    pub adjustments: Vec<AdjustmentRow>,
    /// The totals of the meals as they are now.
    pub totals: SettlementTotals,
    /// What the county approved, for an approved period (what is paid and printed).
    pub approved_totals: Option<SettlementTotals>,
    pub submission: Option<SettlementSubmission>,
    pub review: Option<SettlementReview>,
    pub anomalies: Vec<MealAnomaly>,
    /// The policy versions the meals' subsidies were computed with.
    pub policy_versions: Vec<String>,
}

/// The settlements of every point of a township for a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TownshipSettlementsRequest {
    pub township_code: String,
    pub month: String,
}

/// One point's line in the township summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PointSettlementRow {
    pub point_id: String,
    pub point_name: String,
    pub status: SettlementStatus,
    pub status_label: String,
    pub totals: SettlementTotals,
    pub anomalies: u32,
}

/// The township summary across its points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TownshipSettlements {
    pub township_code: String,
    pub township_name: String,
    pub month: String,
    pub points: Vec<PointSettlementRow>,
    pub totals: SettlementTotals,
}

/// The station submits a point's month to the county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SubmitSettlement {
    pub point_id: String,
    pub month: String,
    pub note: String,
}

/// The county approves or returns a submitted month (a return needs a reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReviewSettlement {
    pub point_id: String,
    pub month: String,
    pub decision: ReviewDecision,
    pub reason: String,
}

/// Books a correction of a locked month in the point's current open month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AddAdjustment {
    pub point_id: String,
    pub from_month: String,
    pub elder_id: String,
    pub reason: String,
    pub subsidy_delta: i64,
    pub self_paid_delta: i64,
}
