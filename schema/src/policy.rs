//! County policy as data, versioned by effective date: visit frequency tiers, meal subsidy
//! rules, and home adaptation (who may apply, the catalog, the caps).
//!
//! Nothing here is a constant of the program: a county edits these values, and every computed
//! due date or subsidy records the [`Policy::version`] it used. [`huichang_default`] is the
//! demo county's starting point, taken from the policy documents (see DOMAIN.md).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::elder::{Category, EconomicStatus};

/// A meal of the day, as policies price it and meal records count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MealSlot {
    Breakfast,
    Lunch,
    Dinner,
}

impl MealSlot {
    pub const ALL: [MealSlot; 3] = [MealSlot::Breakfast, MealSlot::Lunch, MealSlot::Dinner];

    pub fn label(self) -> &'static str {
        match self {
            MealSlot::Breakfast => "早餐",
            MealSlot::Lunch => "午餐",
            MealSlot::Dinner => "晚餐",
        }
    }
}

/// One version of a county's policy, in force from `effective_from` until the next version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Policy {
    /// A stable name for this version, e.g. `360733-2024-01`.
    pub version: String,
    pub county_code: String,
    pub effective_from: NaiveDate,
    /// Checked in order; the first tier an elder matches applies.
    pub visit_tiers: Vec<VisitTier>,
    pub meal: MealRules,
    pub adaptation: AdaptationRules,
    /// Limits on what a station imports at once (absent in policies written before them).
    #[serde(default)]
    pub imports: ImportRules,
    /// How people sign in on a station PC (absent in policies written before them).
    #[serde(default)]
    pub sessions: SessionRules,
}

/// Sign-in on a station PC: the county's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionRules {
    /// The shortest password a person may set.
    pub min_password_length: u32,
    /// Minutes without a key or a click before the sign-in comes back over the page.
    pub idle_lock_minutes: u32,
}

impl Default for SessionRules {
    fn default() -> SessionRules {
        SessionRules { min_password_length: 8, idle_lock_minutes: 10 }
    }
}

/// Limits on what a station imports at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportRules {
    /// The most data rows one roster file may hold; a larger roster is imported in parts (by
    /// village), so that checking it stays quick and its memory bounded.
    pub roster_max_rows: u32,
}

impl Default for ImportRules {
    fn default() -> ImportRules {
        ImportRules { roster_max_rows: 20_000 }
    }
}

/// Who falls in a tier: all conditions that are set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TierCondition {
    pub min_age: Option<u32>,
    /// At least one of these categories (empty: no condition).
    pub any_category: Vec<Category>,
    /// At least one of these economic statuses (empty: no condition).
    pub any_economic: Vec<EconomicStatus>,
}

/// A visit frequency tier. An elder matches it if any of its conditions holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VisitTier {
    pub code: String,
    pub name: String,
    /// Days between visits.
    pub interval_days: u32,
    /// After a major event, the next visit is due within this many hours.
    pub major_event_within_hours: Option<u32>,
    /// Any one condition suffices; an empty list matches everyone (the fallback tier).
    pub any_of: Vec<TierCondition>,
}

/// A meal subsidy band: who gets how much per meal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SubsidyBand {
    pub name: String,
    /// Subsidy per meal in 分.
    pub per_meal: i64,
    /// Any one condition suffices.
    pub any_of: Vec<TierCondition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealRules {
    /// Minimum age to be served with a subsidy.
    pub min_age: u32,
    /// Bands checked in order; the band with the highest subsidy the elder matches applies.
    pub bands: Vec<SubsidyBand>,
    /// The slots a subsidy is paid for (the default policy: lunch only).
    #[serde(default = "lunch_only")]
    pub subsidised_slots: Vec<MealSlot>,
    /// Subsidised meals per elder per day (lunches, under the default policy).
    pub lunches_per_day: u32,
    /// Subsidised meals per elder per week.
    pub meals_per_week: u32,
    /// Subsidies are paid on weekdays only.
    pub weekdays_only: bool,
    /// Delivery fee per meal, paid by the elder, in 分.
    pub delivery_fee: i64,
}

fn lunch_only() -> Vec<MealSlot> {
    vec![MealSlot::Lunch]
}

/// A catalog item of the adaptation list (民发〔2020〕86号 推荐清单 or the county's own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CatalogItem {
    pub code: String,
    /// One of the 7 categories, e.g. 地面改造.
    pub category: String,
    pub name: String,
    /// 基础 items are subsidised; 可选 items are paid by the household.
    pub basic: bool,
    /// Unit price in 分.
    pub unit_price: i64,
    pub unit: String,
}

/// Home adaptation: who may apply, the catalog, and the caps on the subsidy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdaptationRules {
    pub catalog: Vec<CatalogItem>,
    /// Per-household cap on the subsidy for rural households, in 分.
    pub cap_rural: i64,
    /// Per-household cap on the subsidy for urban households, in 分.
    pub cap_urban: i64,
    /// The household's economic status must be one of these (特困供养, 低保, 低收入, 脱贫).
    #[serde(default = "adaptation_economic_statuses")]
    pub eligible_economic: Vec<EconomicStatus>,
    /// And the elder must meet one of these (高龄, 失能, 重残).
    #[serde(default = "adaptation_elder_conditions")]
    pub elder_conditions: Vec<TierCondition>,
}

/// The households the seeds name: 特困供养, 低保, 低收入 and 脱贫 (建档立卡).
fn adaptation_economic_statuses() -> Vec<EconomicStatus> {
    vec![
        EconomicStatus::TekunCentralized,
        EconomicStatus::TekunDispersed,
        EconomicStatus::Dibao,
        EconomicStatus::LowIncome,
        EconomicStatus::PovertyAlleviated,
    ]
}

/// The elders the seeds name: 高龄 (80 or older), 失能, 残疾 (重残).
fn adaptation_elder_conditions() -> Vec<TierCondition> {
    vec![
        TierCondition { min_age: Some(80), ..TierCondition::default() },
        TierCondition { any_category: vec![Category::Disabled], ..TierCondition::default() },
        TierCondition { any_category: vec![Category::SeverelyDisabled], ..TierCondition::default() },
    ]
}

/// The version in force on `date`: the latest one whose effective date is not after it.
pub fn in_force(policies: &[Policy], date: NaiveDate) -> Option<&Policy> {
    policies.iter().filter(|policy| policy.effective_from <= date).max_by_key(|policy| policy.effective_from)
}

impl TierCondition {
    /// Whether an elder of `age` with `categories` and `economic` status meets the condition.
    pub fn holds(&self, age: u32, categories: &[Category], economic: EconomicStatus) -> bool {
        self.min_age.is_none_or(|min_age| age >= min_age)
            && (self.any_category.is_empty() || self.any_category.iter().any(|category| categories.contains(category)))
            && (self.any_economic.is_empty() || economic.is_among(&self.any_economic))
    }
}

impl VisitTier {
    pub fn matches(&self, age: u32, categories: &[Category], economic: EconomicStatus) -> bool {
        self.any_of.is_empty() || self.any_of.iter().any(|condition| condition.holds(age, categories, economic))
    }
}

impl MealRules {
    /// The subsidy band of an elder: the best-paid band whose conditions they meet, if they are
    /// old enough to be subsidised at all.
    pub fn band_for(&self, age: u32, categories: &[Category], economic: EconomicStatus) -> Option<&SubsidyBand> {
        if age < self.min_age {
            return None;
        }
        self.bands
            .iter()
            .filter(|band| band.any_of.iter().any(|condition| condition.holds(age, categories, economic)))
            .max_by_key(|band| band.per_meal)
    }
}

/// The demo county's policy (会昌县), from the seeds and DOMAIN.md; a starting point to edit.
pub fn huichang_default() -> Policy {
    let condition = |min_age: Option<u32>, any_category: &[Category], any_economic: &[EconomicStatus]| TierCondition {
        min_age,
        any_category: any_category.to_vec(),
        any_economic: any_economic.to_vec(),
    };
    Policy {
        version: "360733-2024-01".to_owned(),
        county_code: "360733000000".to_owned(),
        effective_from: NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date"),
        visit_tiers: vec![
            VisitTier {
                code: "high_risk".to_owned(),
                name: "高风险".to_owned(),
                interval_days: 7,
                major_event_within_hours: Some(24),
                any_of: vec![condition(Some(80), &[Category::LivingAlone], &[])],
            },
            VisitTier {
                code: "key".to_owned(),
                name: "重点".to_owned(),
                interval_days: 30,
                major_event_within_hours: Some(24),
                any_of: vec![
                    condition(None, &[Category::Disabled, Category::FamilyPlanningSpecial], &[]),
                    condition(None, &[], &[EconomicStatus::TekunDispersed]),
                ],
            },
            VisitTier {
                code: "general".to_owned(),
                name: "一般".to_owned(),
                interval_days: 90,
                major_event_within_hours: Some(24),
                any_of: Vec::new(),
            },
        ],
        meal: MealRules {
            min_age: 60,
            bands: vec![
                SubsidyBand {
                    name: "60–74岁".to_owned(), per_meal: 100, any_of: vec![condition(Some(60), &[], &[])]
                },
                SubsidyBand {
                    name: "75–84岁".to_owned(), per_meal: 500, any_of: vec![condition(Some(75), &[], &[])]
                },
                SubsidyBand {
                    name: "85–94岁或低保、计生特殊、困难重残".to_owned(),
                    per_meal: 800,
                    any_of: vec![
                        condition(Some(85), &[], &[]),
                        condition(None, &[], &[EconomicStatus::Dibao]),
                        condition(None, &[Category::FamilyPlanningSpecial, Category::SeverelyDisabled], &[]),
                    ],
                },
                SubsidyBand {
                    name: "95岁以上或分散特困".to_owned(),
                    per_meal: 900,
                    any_of: vec![
                        condition(Some(95), &[], &[]),
                        condition(None, &[], &[EconomicStatus::TekunDispersed]),
                    ],
                },
            ],
            subsidised_slots: lunch_only(),
            lunches_per_day: 1,
            meals_per_week: 5,
            weekdays_only: true,
            delivery_fee: 200,
        },
        adaptation: AdaptationRules {
            catalog: adaptation_catalog(),
            cap_rural: 200_000,
            cap_urban: 400_000,
            eligible_economic: adaptation_economic_statuses(),
            elder_conditions: adaptation_elder_conditions(),
        },
        imports: ImportRules::default(),
        sessions: SessionRules::default(),
    }
}

/// The national recommended list (民发〔2020〕86号): 7 categories, 30 items, 7 basic.
/// Unit prices are the demo county's; a county sets its own.
fn adaptation_catalog() -> Vec<CatalogItem> {
    const ITEMS: [(&str, &str, bool, i64, &str); 30] = [
        ("地面改造", "防滑处理", true, 6000, "平方米"),
        ("地面改造", "高差处理", true, 30000, "处"),
        ("地面改造", "平整硬化", false, 8000, "平方米"),
        ("地面改造", "安装扶手", false, 25000, "米"),
        ("门改造", "门槛移除", false, 20000, "处"),
        ("门改造", "平开门改为推拉门", false, 120000, "樘"),
        ("门改造", "房门拓宽", false, 150000, "樘"),
        ("门改造", "下压式门把手改造", false, 8000, "个"),
        ("门改造", "安装闪光振动门铃", false, 15000, "套"),
        ("卧室改造", "配置护理床", false, 180000, "张"),
        ("卧室改造", "安装床边护栏（抓杆）", true, 30000, "套"),
        ("卧室改造", "配置防压疮垫", false, 40000, "张"),
        ("如厕洗浴设备改造", "安装扶手", true, 25000, "套"),
        ("如厕洗浴设备改造", "蹲便器改坐便器", false, 80000, "套"),
        ("如厕洗浴设备改造", "水龙头改造", false, 10000, "个"),
        ("如厕洗浴设备改造", "浴缸/淋浴房改造", false, 150000, "套"),
        ("如厕洗浴设备改造", "配置淋浴椅", true, 20000, "把"),
        ("厨房设备改造", "台面改造", false, 100000, "米"),
        ("厨房设备改造", "加设中部柜", false, 60000, "组"),
        ("物理环境改造", "安装自动感应灯具", false, 8000, "个"),
        ("物理环境改造", "电源插座及开关改造", false, 6000, "个"),
        ("物理环境改造", "安装防撞护角/防撞条、提示标识", false, 3000, "米"),
        ("物理环境改造", "适老家具配置", false, 50000, "件"),
        ("老年用品配置", "手杖", true, 8000, "根"),
        ("老年用品配置", "轮椅/助行器", false, 60000, "台"),
        ("老年用品配置", "放大装置", false, 10000, "个"),
        ("老年用品配置", "助听器", false, 100000, "副"),
        ("老年用品配置", "自助进食器具", false, 10000, "套"),
        ("老年用品配置", "防走失装置", true, 30000, "套"),
        ("老年用品配置", "安全监控装置", false, 50000, "套"),
    ];
    ITEMS
        .iter()
        .enumerate()
        .map(|(index, (category, name, basic, unit_price, unit))| CatalogItem {
            code: format!("A{:02}", index + 1),
            category: (*category).to_owned(),
            name: (*name).to_owned(),
            basic: *basic,
            unit_price: *unit_price,
            unit: (*unit).to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_catalog_has_thirty_items_seven_basic_in_seven_categories() {
        let catalog = huichang_default().adaptation.catalog;
        assert_eq!(catalog.len(), 30);
        assert_eq!(catalog.iter().filter(|item| item.basic).count(), 7);
        let mut categories: Vec<&str> = catalog.iter().map(|item| item.category.as_str()).collect();
        categories.dedup();
        assert_eq!(categories.len(), 7);
    }

    #[test]
    fn version_in_force_is_the_latest_not_after_the_date() {
        let first = huichang_default();
        let mut second = huichang_default();
        second.version = "360733-2026-07".into();
        second.effective_from = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let policies = [first, second];
        let on = |y, m, d| in_force(&policies, NaiveDate::from_ymd_opt(y, m, d).unwrap()).map(|p| p.version.as_str());
        assert_eq!(on(2023, 12, 31), None);
        assert_eq!(on(2026, 6, 30), Some("360733-2024-01"));
        assert_eq!(on(2026, 7, 1), Some("360733-2026-07"));
    }

    #[test]
    fn subsidy_band_is_the_best_paid_one_the_elder_meets() {
        let rules = huichang_default().meal;
        let per_meal = |age, categories: &[Category], economic| {
            rules.band_for(age, categories, economic).map(|band| band.per_meal)
        };
        assert_eq!(per_meal(59, &[], EconomicStatus::None), None);
        assert_eq!(per_meal(60, &[], EconomicStatus::None), Some(100));
        assert_eq!(per_meal(74, &[], EconomicStatus::None), Some(100));
        assert_eq!(per_meal(75, &[], EconomicStatus::None), Some(500));
        assert_eq!(per_meal(85, &[], EconomicStatus::None), Some(800));
        assert_eq!(per_meal(62, &[], EconomicStatus::Dibao), Some(800));
        assert_eq!(per_meal(70, &[Category::FamilyPlanningSpecial], EconomicStatus::None), Some(800));
        assert_eq!(per_meal(95, &[], EconomicStatus::None), Some(900));
        assert_eq!(per_meal(61, &[], EconomicStatus::TekunDispersed), Some(900));
    }

    #[test]
    fn a_status_this_build_cannot_name_meets_no_condition_on_statuses() {
        let mut rules = huichang_default().meal;
        // A county policy written by a newer app, naming a status this build reads as unknown.
        for band in &mut rules.bands {
            for condition in &mut band.any_of {
                if !condition.any_economic.is_empty() {
                    condition.any_economic.push(EconomicStatus::Unknown);
                }
            }
        }
        let per_meal = |age, economic| rules.band_for(age, &[], economic).map(|band| band.per_meal);
        // A 62-year-old on 低保 gets the 低保 band; on a status this build cannot name, only what
        // her age alone gives (nothing at 59, the age band at 62).
        assert_eq!(per_meal(62, EconomicStatus::Dibao), Some(800));
        assert_eq!(per_meal(62, EconomicStatus::Unknown), Some(100));
        assert_eq!(per_meal(59, EconomicStatus::Unknown), None);
    }

    #[test]
    fn an_eighty_year_old_living_alone_is_high_risk_and_others_fall_through() {
        let tiers = huichang_default().visit_tiers;
        let tier_of = |age, categories: &[Category], economic| {
            tiers.iter().find(|tier| tier.matches(age, categories, economic)).unwrap().code.clone()
        };
        assert_eq!(tier_of(80, &[Category::LivingAlone], EconomicStatus::None), "high_risk");
        assert_eq!(tier_of(79, &[Category::LivingAlone], EconomicStatus::None), "general");
        assert_eq!(tier_of(70, &[Category::Disabled], EconomicStatus::None), "key");
        assert_eq!(tier_of(70, &[], EconomicStatus::TekunDispersed), "key");
        assert_eq!(tier_of(70, &[Category::EmptyNest], EconomicStatus::Dibao), "general");
    }
}
