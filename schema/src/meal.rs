//! Meal service (老年助餐): meal points of a township, the elders enrolled to eat there, the
//! meals served, how a meal's subsidy follows from the county's policy, and the monthly
//! settlement (submission by the station, review by the county, adjustments).
//!
//! Money is in 分 (cents) as integers, never floating point. Nothing here touches storage:
//! `sync::meals` stores these records and calls [`subsidy_for`] and [`validate_point`].

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::elder::{Category, EconomicStatus};
use crate::policy::Policy;
use crate::problem::{Problem, Rule};
use crate::record::RecordMeta;

/// The meal slots (早中晚) live with the policy that prices them.
pub use crate::policy::MealSlot;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MealMode {
    /// 堂食
    DineIn,
    /// 自取
    TakeAway,
    /// 送餐
    Delivery,
    /// A value a newer app wrote that this build cannot name: the record still reads here, and
    /// writing it again keeps the stored value (`xianglin_sync::document::keep_unknown`).
    #[serde(other)]
    Unknown,
}

impl MealMode {
    pub fn label(self) -> &'static str {
        match self {
            MealMode::DineIn => "堂食",
            MealMode::TakeAway => "自取",
            MealMode::Delivery => "送餐",
            MealMode::Unknown => crate::record::NEWER_VALUE_LABEL,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MealPointKind {
    /// 敬老院
    NursingHome,
    /// 互助幸福院
    MutualAid,
    /// 社区食堂
    Canteen,
    /// A value a newer app wrote that this build cannot name: the record still reads here, and
    /// writing it again keeps the stored value (`xianglin_sync::document::keep_unknown`).
    #[serde(other)]
    Unknown,
}

impl MealPointKind {
    pub fn label(self) -> &'static str {
        match self {
            MealPointKind::NursingHome => "敬老院",
            MealPointKind::MutualAid => "互助幸福院",
            MealPointKind::Canteen => "社区食堂",
            MealPointKind::Unknown => crate::record::NEWER_VALUE_LABEL,
        }
    }
}

/// A place where elders eat, run by a township station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealPoint {
    pub id: String,
    pub name: String,
    pub kind: MealPointKind,
    pub township_code: String,
    /// The village it stands in, if any.
    pub village_code: Option<String>,
    /// Slot → full price of a meal in 分.
    #[serde(deserialize_with = "crate::record::known_keys")]
    pub prices: BTreeMap<MealSlot, i64>,
    pub modes: Vec<MealMode>,
    /// Days of the week it serves, 1 (Monday) to 7 (Sunday).
    #[serde(default = "weekdays")]
    pub open_days: Vec<u32>,
    /// Days it is closed although it would serve (holidays, repairs): date → reason.
    #[serde(default)]
    pub closures: BTreeMap<NaiveDate, String>,
    pub meta: RecordMeta,
}

fn weekdays() -> Vec<u32> {
    vec![1, 2, 3, 4, 5]
}

impl MealPoint {
    /// Why the point does not serve on `date`, or `None` when it is open.
    pub fn closed_on(&self, date: NaiveDate) -> Option<String> {
        if let Some(reason) = self.closures.get(&date) {
            return Some(if reason.is_empty() { "停餐".to_owned() } else { reason.clone() });
        }
        let weekday = date.weekday().number_from_monday();
        (!self.open_days.contains(&weekday)).then(|| "非供餐日".to_owned())
    }

    /// The slots it serves, in the order of the day.
    pub fn slots(&self) -> Vec<MealSlot> {
        self.prices.keys().copied().collect()
    }
}

/// An elder enrolled to eat at a meal point, from a date until they leave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Diner {
    pub id: String,
    pub point_id: String,
    pub elder_id: String,
    pub enrolled_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    /// How the elder usually takes meals; the roster starts from it.
    pub usual_mode: MealMode,
    pub notes: String,
    pub meta: RecordMeta,
}

impl Diner {
    /// Whether the enrollment covers `date`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        !self.meta.is_voided() && self.enrolled_on <= date && self.left_on.is_none_or(|left| date < left)
    }
}

/// One meal served to one elder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Meal {
    pub id: String,
    pub point_id: String,
    pub elder_id: String,
    pub date: NaiveDate,
    pub slot: MealSlot,
    pub mode: MealMode,
    /// 代办: the person who collected on the elder's behalf, if not the elder.
    pub proxy: Option<String>,
    /// The user who recorded the meal.
    pub operator_id: String,
    /// What the elder paid, in 分 (the price less the subsidy, plus any delivery fee, unless
    /// the station entered another amount).
    pub self_paid: i64,
    /// The subsidy computed for the meal, in 分.
    pub subsidy: i64,
    /// The policy version the subsidy was computed with.
    pub policy_version: String,
    /// The point's price of the slot when the meal was recorded, in 分.
    #[serde(default)]
    pub price: i64,
    /// The delivery fee the elder paid, in 分.
    #[serde(default)]
    pub delivery_fee: i64,
    /// Why the subsidy is what it is (band, or the cap that left it at 0), in Chinese.
    #[serde(default)]
    pub subsidy_note: String,
    pub meta: RecordMeta,
}

/// What an elder's meal is subsidised by: the facts of the elder on the meal's date and the
/// subsidised meals they already had that day and that week (at any point).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubsidyQuestion<'a> {
    pub age: u32,
    pub categories: &'a [Category],
    pub economic: EconomicStatus,
    pub date: NaiveDate,
    pub slot: MealSlot,
    pub mode: MealMode,
    pub price: i64,
    pub subsidised_today: u32,
    pub subsidised_this_week: u32,
}

/// A meal's subsidy and what the elder pays, with the policy version and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SubsidyAnswer {
    pub subsidy: i64,
    pub delivery_fee: i64,
    /// Price less subsidy plus delivery fee.
    pub self_paid: i64,
    /// The band's name, if the elder is in one.
    pub band: Option<String>,
    pub note: String,
    pub policy_version: String,
}

/// The subsidy of one meal under `policy` (the version in force on the meal's date): the
/// best-paid band the elder meets, at most the price, for subsidised slots only, on weekdays
/// if the policy says so, and within the daily and weekly caps.
pub fn subsidy_for(policy: &Policy, question: &SubsidyQuestion<'_>) -> SubsidyAnswer {
    let rules = &policy.meal;
    let delivery_fee = if question.mode == MealMode::Delivery { rules.delivery_fee } else { 0 };
    let band = rules.band_for(question.age, question.categories, question.economic);
    let weekend = question.date.weekday().number_from_monday() > 5;
    let (subsidy, note) = match band {
        None => (0, format!("未满{}岁且不属补贴对象，不予补贴", rules.min_age)),
        Some(_) if !rules.subsidised_slots.contains(&question.slot) => {
            (0, format!("{}不在补贴餐次内", question.slot.label()))
        }
        Some(_) if rules.weekdays_only && weekend => (0, "周末不予补贴".to_owned()),
        Some(_) if question.subsidised_today >= rules.lunches_per_day => {
            (0, format!("当日已补贴{}餐，超出每日上限", question.subsidised_today))
        }
        Some(_) if question.subsidised_this_week >= rules.meals_per_week => {
            (0, format!("本周已补贴{}餐，超出每周上限", question.subsidised_this_week))
        }
        Some(band) => (band.per_meal.min(question.price).max(0), format!("{}，每餐补贴", band.name)),
    };
    SubsidyAnswer {
        subsidy,
        delivery_fee,
        self_paid: (question.price - subsidy).max(0) + delivery_fee,
        band: band.map(|band| band.name.clone()),
        note,
        policy_version: policy.version.clone(),
    }
}

/// The Monday of the ISO week of `date`: subsidy caps count per such week.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - chrono::Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// Checks a meal point before it is saved; every problem at once.
pub fn validate_point(point: &MealPoint) -> Vec<Problem> {
    let mut problems = Vec::new();
    if point.name.trim().is_empty() {
        problems.push(Problem::new("name", "助餐点名称", Rule::Required));
    }
    if point.prices.is_empty() {
        problems.push(Problem::new("prices", "供餐餐次", Rule::Required));
    }
    for (slot, price) in &point.prices {
        if *price < 0 {
            problems.push(Problem::new(
                format!("prices.{}", slot_key(*slot)),
                &format!("{}价格", slot.label()),
                Rule::Amount,
            ));
        }
    }
    if point.modes.is_empty() {
        problems.push(Problem::new("modes", "就餐方式", Rule::Required));
    }
    if point.open_days.is_empty() || point.open_days.iter().any(|day| !(1..=7).contains(day)) {
        problems.push(Problem::new("open_days", "供餐日", Rule::Required));
    }
    problems
}

/// The wire name of a slot (`breakfast`, `lunch`, `dinner`).
pub fn slot_key(slot: MealSlot) -> &'static str {
    match slot {
        MealSlot::Breakfast => "breakfast",
        MealSlot::Lunch => "lunch",
        MealSlot::Dinner => "dinner",
    }
}

/// The totals of a settlement period: what the statement adds up to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettlementTotals {
    pub diners: u32,
    pub dining_days: u32,
    pub meals: u32,
    pub subsidy: i64,
    pub self_paid: i64,
    /// The sum of the adjustments booked in the period (corrections of locked periods).
    pub adjustments: i64,
    /// Subsidy plus adjustments: what the county pays the point.
    pub payable: i64,
}

/// A station submits a point's month for settlement (kept in that month's meal shard under
/// the key `settlement`). Submitting again after a return replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettlementSubmission {
    /// A new id for every submission, so a review names the one it decided on.
    pub id: String,
    pub point_id: String,
    /// `YYYY-MM`
    pub month: String,
    pub submitted_by: String,
    pub submitted_at: String,
    pub totals: SettlementTotals,
    pub note: String,
    pub meta: RecordMeta,
}

/// What the county decided on a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// 审核通过: the period is locked.
    Approved,
    /// 退回: the station corrects and submits again.
    Returned,
}

/// The county's review of a point's month (kept in the township's review shard, which only the
/// county writes, under `settlement/<point>/<month>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettlementReview {
    pub point_id: String,
    pub month: String,
    pub decision: ReviewDecision,
    pub reason: String,
    pub reviewed_by: String,
    pub reviewed_at: String,
    /// The submission this decides on (its `id`).
    pub submission_id: String,
    /// The totals approved: an approved statement prints these, whatever changes later.
    pub totals: SettlementTotals,
    /// The meal shard's heads the reviewer saw: changes not behind them came after approval.
    pub heads: Vec<String>,
    pub meta: RecordMeta,
}

/// A correction of a locked period, booked in a later open period of the same point (kept in
/// that month's meal shard under `adjustment/<id>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealAdjustment {
    pub id: String,
    pub point_id: String,
    /// The period it is paid in (`YYYY-MM`).
    pub month: String,
    /// The locked period it corrects (`YYYY-MM`).
    pub from_month: String,
    pub elder_id: String,
    pub reason: String,
    /// Change to the subsidy paid, in 分 (negative to claw back).
    pub subsidy_delta: i64,
    pub self_paid_delta: i64,
    pub meta: RecordMeta,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::huichang_default;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn lunch(age: u32, categories: &[Category], economic: EconomicStatus) -> SubsidyQuestion<'_> {
        SubsidyQuestion {
            age,
            categories,
            economic,
            // A Wednesday.
            date: day(2026, 11, 18),
            slot: MealSlot::Lunch,
            mode: MealMode::DineIn,
            price: 1200,
            subsidised_today: 0,
            subsidised_this_week: 0,
        }
    }

    #[test]
    fn every_band_of_the_default_policy_pays_its_amount_per_lunch() {
        let policy = huichang_default();
        let cases: [(u32, &[Category], EconomicStatus, i64, i64); 7] = [
            (59, &[], EconomicStatus::None, 0, 1200),
            (60, &[], EconomicStatus::None, 100, 1100),
            (75, &[], EconomicStatus::None, 500, 700),
            (85, &[], EconomicStatus::None, 800, 400),
            (66, &[], EconomicStatus::Dibao, 800, 400),
            (70, &[Category::FamilyPlanningSpecial], EconomicStatus::None, 800, 400),
            (95, &[], EconomicStatus::None, 900, 300),
        ];
        for (age, categories, economic, subsidy, self_paid) in cases {
            let answer = subsidy_for(&policy, &lunch(age, categories, economic));
            assert_eq!((answer.subsidy, answer.self_paid), (subsidy, self_paid), "age {age} {economic:?}");
            assert_eq!(answer.policy_version, "360733-2024-01");
        }
        let dispersed = subsidy_for(&policy, &lunch(61, &[], EconomicStatus::TekunDispersed));
        assert_eq!(dispersed.subsidy, 900);
        assert_eq!(dispersed.band.as_deref(), Some("95岁以上或分散特困"));
    }

    #[test]
    fn the_subsidy_never_exceeds_the_price() {
        let mut question = lunch(95, &[], EconomicStatus::None);
        question.price = 600;
        let answer = subsidy_for(&huichang_default(), &question);
        assert_eq!((answer.subsidy, answer.self_paid), (600, 0));
    }

    #[test]
    fn caps_leave_a_second_lunch_of_the_day_and_a_sixth_meal_of_the_week_unsubsidised() {
        let policy = huichang_default();
        let mut second = lunch(80, &[], EconomicStatus::None);
        second.subsidised_today = 1;
        let answer = subsidy_for(&policy, &second);
        assert_eq!(answer.subsidy, 0);
        assert!(answer.note.contains("每日上限"), "{}", answer.note);
        let mut sixth = lunch(80, &[], EconomicStatus::None);
        sixth.subsidised_this_week = 5;
        let answer = subsidy_for(&policy, &sixth);
        assert_eq!((answer.subsidy, answer.self_paid), (0, 1200));
        assert!(answer.note.contains("每周上限"), "{}", answer.note);
    }

    #[test]
    fn breakfast_weekends_and_delivery_follow_the_policy() {
        let policy = huichang_default();
        let mut breakfast = lunch(80, &[], EconomicStatus::None);
        breakfast.slot = MealSlot::Breakfast;
        breakfast.price = 500;
        assert_eq!(subsidy_for(&policy, &breakfast).subsidy, 0);
        let mut saturday = lunch(80, &[], EconomicStatus::None);
        saturday.date = day(2026, 11, 21);
        assert_eq!(subsidy_for(&policy, &saturday).subsidy, 0);
        let mut delivered = lunch(80, &[], EconomicStatus::None);
        delivered.mode = MealMode::Delivery;
        let answer = subsidy_for(&policy, &delivered);
        assert_eq!((answer.subsidy, answer.delivery_fee, answer.self_paid), (500, 200, 900));
    }

    #[test]
    fn a_rule_change_applies_from_its_effective_date_only() {
        let first = huichang_default();
        let mut second = huichang_default();
        second.version = "360733-2026-11-16".into();
        second.effective_from = day(2026, 11, 16);
        second.meal.bands[1].per_meal = 600;
        let policies = [first, second];
        let on = |date: NaiveDate| {
            let policy = crate::policy::in_force(&policies, date).unwrap();
            let mut question = lunch(80, &[], EconomicStatus::None);
            question.date = date;
            let answer = subsidy_for(policy, &question);
            (answer.subsidy, answer.policy_version)
        };
        assert_eq!(on(day(2026, 11, 13)), (500, "360733-2024-01".to_owned()));
        assert_eq!(on(day(2026, 11, 16)), (600, "360733-2026-11-16".to_owned()));
    }

    #[test]
    fn a_point_is_closed_on_its_closures_and_off_days() {
        let point = MealPoint {
            id: "p".into(),
            name: "庄口敬老院助餐点".into(),
            kind: MealPointKind::NursingHome,
            township_code: "360733105000".into(),
            village_code: None,
            prices: BTreeMap::from([(MealSlot::Lunch, 1200)]),
            modes: vec![MealMode::DineIn],
            open_days: weekdays(),
            closures: BTreeMap::from([(day(2026, 11, 18), "厨房检修".to_owned())]),
            meta: RecordMeta::default(),
        };
        assert_eq!(point.closed_on(day(2026, 11, 17)), None);
        assert_eq!(point.closed_on(day(2026, 11, 18)).as_deref(), Some("厨房检修"));
        assert_eq!(point.closed_on(day(2026, 11, 21)).as_deref(), Some("非供餐日"));
        assert!(validate_point(&point).is_empty());
        let broken = MealPoint { name: " ".into(), prices: BTreeMap::from([(MealSlot::Lunch, -1)]), ..point };
        let fields: Vec<String> = validate_point(&broken).into_iter().map(|problem| problem.field).collect();
        assert_eq!(fields, ["name", "prices.lunch"]);
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_start(day(2026, 11, 22)), day(2026, 11, 16));
        assert_eq!(week_start(day(2026, 11, 16)), day(2026, 11, 16));
    }
}
