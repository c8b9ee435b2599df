//! Meal service (老年助餐): meal points of a township and the meals served there.
//!
//! Money is in 分 (cents) as integers, never floating point.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::record::RecordMeta;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MealSlot {
    Breakfast,
    Lunch,
    Dinner,
}

impl MealSlot {
    pub fn label(self) -> &'static str {
        match self {
            MealSlot::Breakfast => "早餐",
            MealSlot::Lunch => "午餐",
            MealSlot::Dinner => "晚餐",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MealMode {
    /// 堂食
    DineIn,
    /// 自取
    TakeAway,
    /// 送餐
    Delivery,
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
    pub prices: BTreeMap<MealSlot, i64>,
    pub modes: Vec<MealMode>,
    pub meta: RecordMeta,
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
    /// What the elder paid, in 分.
    pub self_paid: i64,
    /// The subsidy computed for the meal, in 分.
    pub subsidy: i64,
    /// The policy version the subsidy was computed with.
    pub policy_version: String,
    pub meta: RecordMeta,
}
