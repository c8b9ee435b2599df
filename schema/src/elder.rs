//! Elder records (老年人信息台账): identity, categories with since-dates, economic status,
//! life status, emergency contacts; and the checks a record passes before it is saved.
//!
//! Nothing here touches storage; `sync` calls [`normalize`] before every write.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::id_number;
use crate::place::{self, PlaceLevel};
use crate::problem::{Problem, Rule};
use crate::record::{Gender, RecordMeta};
use crate::validate;

/// 特殊困难老年人 categories; an elder may be in several, each since a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 独居
    LivingAlone,
    /// 空巢
    EmptyNest,
    /// 留守
    LeftBehind,
    /// 失能（含失智）
    Disabled,
    /// 重残
    SeverelyDisabled,
    /// 计划生育特殊家庭
    FamilyPlanningSpecial,
    /// 孤寡
    WidowedChildless,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::LivingAlone,
        Category::EmptyNest,
        Category::LeftBehind,
        Category::Disabled,
        Category::SeverelyDisabled,
        Category::FamilyPlanningSpecial,
        Category::WidowedChildless,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Category::LivingAlone => "独居",
            Category::EmptyNest => "空巢",
            Category::LeftBehind => "留守",
            Category::Disabled => "失能",
            Category::SeverelyDisabled => "重残",
            Category::FamilyPlanningSpecial => "计划生育特殊家庭",
            Category::WidowedChildless => "孤寡",
        }
    }
}

/// Household economic status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EconomicStatus {
    #[default]
    None,
    /// 特困供养（集中）
    TekunCentralized,
    /// 特困供养（分散）
    TekunDispersed,
    /// 低保
    Dibao,
    /// 低收入
    LowIncome,
    /// 脱贫/建档立卡
    PovertyAlleviated,
    /// A value a newer app wrote that this build cannot name: the record still reads here, and
    /// writing it again keeps the stored value (`xianglin_sync::document::keep_unknown`).
    #[serde(other)]
    Unknown,
}

impl EconomicStatus {
    /// Whether `self` is among `listed`. A status this build cannot name is among none: it cannot
    /// tell whether a newer app's value is the one a county's rules name, so it never grants a
    /// subsidy band, a visit tier or an adaptation on a guess.
    pub fn is_among(self, listed: &[EconomicStatus]) -> bool {
        self != EconomicStatus::Unknown && listed.contains(&self)
    }

    pub fn label(self) -> &'static str {
        match self {
            EconomicStatus::None => "无",
            EconomicStatus::TekunCentralized => "特困供养（集中）",
            EconomicStatus::TekunDispersed => "特困供养（分散）",
            EconomicStatus::Dibao => "低保",
            EconomicStatus::LowIncome => "低收入",
            EconomicStatus::PovertyAlleviated => "脱贫/建档立卡",
            EconomicStatus::Unknown => crate::record::NEWER_VALUE_LABEL,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LifeState {
    #[default]
    Active,
    Moved,
    Deceased,
}

/// Whether the elder is still on the registry here, and since when not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LifeStatus {
    pub state: LifeState,
    /// Date of moving away or of death; required unless active.
    pub date: Option<NaiveDate>,
    /// Village code (or free text) of the destination when moved.
    pub moved_to: Option<String>,
}

/// An emergency contact; `is_supporter` marks a 赡养人 (child or other person bound to support).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Contact {
    pub name: String,
    pub relation: String,
    pub phone: Option<String>,
    pub is_supporter: bool,
}

/// A major event in an elder's life (重大变故), after which a visit is due within hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LifeEvent {
    pub at: chrono::NaiveDateTime,
    /// What happened, e.g. 丧偶、住院、子女变故、受灾.
    pub kind: String,
    pub note: String,
    /// The user who recorded it.
    pub recorded_by: String,
}

/// An elder on the registry of one village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Elder {
    pub id: String,
    pub name: String,
    /// 公民身份号码, 18 characters once normalized.
    pub id_number: String,
    /// Derived from the ID number by [`normalize`].
    pub gender: Gender,
    /// Derived from the ID number by [`normalize`].
    pub birth_date: NaiveDate,
    pub phone: Option<String>,
    pub address: String,
    /// 12-digit code of the village (村/居委会) whose registry holds the elder.
    pub village_code: String,
    /// Category → since-date. A map, so concurrent edits of different categories merge.
    #[serde(deserialize_with = "crate::record::known_keys")]
    pub categories: BTreeMap<Category, NaiveDate>,
    pub economic_status: EconomicStatus,
    pub life: LifeStatus,
    /// Contact id → contact. A map, so concurrent edits of different contacts merge.
    pub contacts: BTreeMap<String, Contact>,
    /// Event id → major life event. Absent in records written before events existed.
    #[serde(default)]
    pub events: BTreeMap<String, LifeEvent>,
    pub notes: String,
    pub meta: RecordMeta,
}

impl Elder {
    pub fn is_active(&self) -> bool {
        self.life.state == LifeState::Active && !self.meta.is_voided()
    }

    pub fn age_on(&self, on: NaiveDate) -> u32 {
        id_number::age_on(self.birth_date, on)
    }

    /// Categories that apply on `date` (their since-date is not after it).
    pub fn categories_on(&self, date: NaiveDate) -> Vec<Category> {
        self.categories.iter().filter(|(_, since)| **since <= date).map(|(category, _)| *category).collect()
    }

    /// The most recent major event up to `at`.
    pub fn latest_event(&self, at: chrono::NaiveDateTime) -> Option<&LifeEvent> {
        self.events.values().filter(|event| event.at <= at).max_by_key(|event| event.at)
    }

    /// The elder's 赡养人, in contact order.
    pub fn supporters(&self) -> impl Iterator<Item = &Contact> {
        self.contacts.values().filter(|contact| contact.is_supporter)
    }
}

const NAME_MAX: usize = 40;
const ADDRESS_MAX: usize = 200;

/// Checks an elder before saving and returns it normalized: ID number upper-cased (a legacy
/// 15-digit number converted), gender and birth date taken from the ID number, phones tidied.
/// Returns every problem found, so a form can mark all bad fields at once.
pub fn normalize(mut elder: Elder, today: NaiveDate) -> Result<Elder, Vec<Problem>> {
    let mut problems = Vec::new();
    elder.name = elder.name.trim().to_owned();
    if elder.name.is_empty() {
        problems.push(Problem::new("name", "姓名", Rule::Required));
    } else if elder.name.chars().count() > NAME_MAX {
        problems.push(Problem::new("name", "姓名", Rule::TooLong));
    }
    match id_number::parse(&elder.id_number, today) {
        Ok(parsed) => {
            elder.id_number = parsed.number;
            elder.gender = parsed.gender;
            elder.birth_date = parsed.birth_date;
        }
        Err(_) if elder.id_number.trim().is_empty() => {
            problems.push(Problem::new("id_number", "身份证号", Rule::Required));
        }
        Err(rule) => problems.push(Problem::new("id_number", "身份证号", rule)),
    }
    elder.phone = validate::optional_phone("phone", "联系电话", elder.phone.take(), &mut problems);
    elder.address = elder.address.trim().to_owned();
    if elder.address.chars().count() > ADDRESS_MAX {
        problems.push(Problem::new("address", "住址", Rule::TooLong));
    }
    elder.village_code = crate::text::plain(&elder.village_code);
    problems.extend(place::validate_code("village_code", "所在村", &elder.village_code, PlaceLevel::Village));
    for (category, since) in &elder.categories {
        let field = format!("categories.{}", serde_plain(category));
        let label = format!("{}认定日期", category.label());
        if *since > today {
            problems.push(Problem::new(field, &label, Rule::DateInFuture));
        } else if *since < elder.birth_date {
            problems.push(Problem::new(field, &label, Rule::DateBeforeBirth));
        }
    }
    match (elder.life.state, elder.life.date) {
        (LifeState::Active, _) => {
            elder.life.date = None;
            elder.life.moved_to = None;
        }
        (_, None) => problems.push(Problem::new("life.date", life_date_label(elder.life.state), Rule::Required)),
        (state, Some(date)) if date > today => {
            problems.push(Problem::new("life.date", life_date_label(state), Rule::DateInFuture))
        }
        (state, Some(date)) if date < elder.birth_date => {
            problems.push(Problem::new("life.date", life_date_label(state), Rule::DateBeforeBirth))
        }
        _ => {}
    }
    let contact_ids: Vec<String> = elder.contacts.keys().cloned().collect();
    for contact_id in contact_ids {
        let contact = elder.contacts.get_mut(&contact_id).expect("key just listed");
        contact.name = contact.name.trim().to_owned();
        if contact.name.is_empty() {
            problems.push(Problem::new(format!("contacts.{contact_id}.name"), "联系人姓名", Rule::Required));
        }
        let field = format!("contacts.{contact_id}.phone");
        contact.phone = validate::optional_phone(&field, "联系人电话", contact.phone.take(), &mut problems);
    }
    if problems.is_empty() { Ok(elder) } else { Err(problems) }
}

fn life_date_label(state: LifeState) -> &'static str {
    match state {
        LifeState::Deceased => "去世日期",
        _ => "迁出日期",
    }
}

fn serde_plain<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|value| value.as_str().map(str::to_owned)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn elder() -> Elder {
        Elder {
            id: "e1".into(),
            name: " 张建国 ".into(),
            id_number: "11010519491231002x".into(),
            gender: Gender::Male,
            birth_date: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
            phone: Some("138 0013 8000".into()),
            address: "会昌县文武坝镇".into(),
            village_code: "360733100201".into(),
            categories: BTreeMap::from([(Category::LivingAlone, NaiveDate::from_ymd_opt(2020, 1, 1).unwrap())]),
            economic_status: EconomicStatus::Dibao,
            life: LifeStatus::default(),
            contacts: BTreeMap::new(),
            events: BTreeMap::new(),
            notes: String::new(),
            meta: RecordMeta::default(),
        }
    }

    #[test]
    fn gender_and_birth_date_are_derived_from_the_id_number() {
        let saved = normalize(elder(), today()).unwrap();
        assert_eq!(saved.name, "张建国");
        assert_eq!(saved.id_number, "11010519491231002X");
        assert_eq!(saved.gender, Gender::Female);
        assert_eq!(saved.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(saved.phone.as_deref(), Some("13800138000"));
    }

    #[test]
    fn a_record_typed_with_a_chinese_input_method_is_saved_in_plain_characters() {
        let mut typed = elder();
        typed.name = "\u{3000}张建国\u{3000}".into();
        typed.id_number = "１１０１０５１９４９１２３１００２ｘ".into();
        typed.phone = Some("１３８\u{3000}００１３\u{200B}８０００".into());
        typed.village_code = "３６０７３３１００２０１".into();
        let saved = normalize(typed, today()).unwrap();
        assert_eq!(saved.name, "张建国");
        assert_eq!(saved.id_number, "11010519491231002X");
        assert_eq!(saved.phone.as_deref(), Some("13800138000"));
        assert_eq!(saved.village_code, "360733100201");
    }

    #[test]
    fn eighteen_full_width_digits_with_a_wrong_check_character_say_so_not_the_length() {
        let mut typed = elder();
        typed.id_number = "１１０１０５１９４９１２３１００２１".into();
        let problems = normalize(typed, today()).unwrap_err();
        assert_eq!(problems[0].message, "身份证号校验位不正确，请核对");
    }

    #[test]
    fn every_problem_is_reported_with_its_field_named_in_chinese() {
        let mut bad = elder();
        bad.name = String::new();
        bad.id_number = "110105194912310021".into();
        bad.phone = Some("12345".into());
        bad.village_code = "3607331002".into();
        let problems = normalize(bad, today()).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|problem| problem.field.as_str()).collect();
        assert_eq!(fields, ["name", "id_number", "phone", "village_code"]);
        assert_eq!(problems[0].message, "请填写姓名");
        assert_eq!(problems[1].message, "身份证号校验位不正确，请核对");
        assert!(problems[2].message.contains("联系电话"));
        assert!(problems[3].message.contains("所在村"));
    }

    #[test]
    fn deceased_elder_needs_a_date_not_in_the_future() {
        let mut dead = elder();
        dead.life = LifeStatus { state: LifeState::Deceased, date: None, moved_to: None };
        assert_eq!(normalize(dead.clone(), today()).unwrap_err()[0].message, "请填写去世日期");
        dead.life.date = Some(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        assert_eq!(normalize(dead, today()).unwrap_err()[0].message, "去世日期不能晚于今天");
    }

    #[test]
    fn category_since_date_cannot_be_before_birth() {
        let mut early = elder();
        early.categories.insert(Category::Disabled, NaiveDate::from_ymd_opt(1930, 1, 1).unwrap());
        let problems = normalize(early, today()).unwrap_err();
        assert_eq!(problems[0].field, "categories.disabled");
        assert_eq!(problems[0].message, "失能认定日期不能早于出生日期");
    }
}
