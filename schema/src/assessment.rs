//! Ability assessments of elders (老年人能力评估, GB/T 42195-2022): the 26 items with their
//! groups and maximum scores, the record of one assessment, how it is scored into an ability
//! level, and the checks it passes before it is saved.
//!
//! The principal types are [`Assessment`] (the record), [`AssessmentItem`] and
//! [`AssessmentGroup`] (the form), [`AbilityLevel`] and [`AssessmentResult`] (what scoring
//! gives); the principal functions are [`score`] and [`validate`].
//!
//! Nothing here touches storage. Whoever stores an assessment validates it, scores it, and keeps
//! the result on the record ([`Assessment::with_result`]) so that history shows the level as it
//! was computed then. Records of the legacy standard MZ/T 039-2013 are stored but not scored.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::problem::{Problem, Rule};
use crate::record::RecordMeta;

/// The four groups (一级指标) of GB/T 42195-2022.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentGroup {
    /// 自理能力: 8 items, 32 points.
    SelfCare,
    /// 基础运动能力: 4 items, 15 points.
    BasicMotor,
    /// 精神状态: 9 items, 28 points.
    MentalState,
    /// 感知觉与社会参与: 5 items, 15 points.
    PerceptionAndSocial,
}

impl AssessmentGroup {
    pub const ALL: [AssessmentGroup; 4] = [
        AssessmentGroup::SelfCare,
        AssessmentGroup::BasicMotor,
        AssessmentGroup::MentalState,
        AssessmentGroup::PerceptionAndSocial,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AssessmentGroup::SelfCare => "自理能力",
            AssessmentGroup::BasicMotor => "基础运动能力",
            AssessmentGroup::MentalState => "精神状态",
            AssessmentGroup::PerceptionAndSocial => "感知觉与社会参与",
        }
    }

    /// The items of this group, in the order of the form.
    pub fn items(self) -> impl Iterator<Item = AssessmentItem> {
        AssessmentItem::ALL.into_iter().filter(move |item| item.group() == self)
    }

    /// The highest subtotal of the group: the sum of its items' maximum scores.
    pub fn max_score(self) -> u32 {
        self.items().map(|item| u32::from(item.max_score())).sum()
    }
}

/// The 26 items (二级指标) of GB/T 42195-2022, in the order of the form. A higher score means
/// more ability; all items at their maximum make 90 points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentItem {
    /// 进食 (0–4)
    Eating,
    /// 修饰 (0–4)
    Grooming,
    /// 洗澡 (0–4)
    Bathing,
    /// 穿/脱上衣 (0–4)
    DressingUpper,
    /// 穿/脱裤子和鞋袜 (0–4)
    DressingLower,
    /// 小便控制 (0–4)
    UrineControl,
    /// 大便控制 (0–4)
    BowelControl,
    /// 如厕 (0–4)
    Toileting,
    /// 床上体位转移 (0–4)
    BedPositionTransfer,
    /// 床椅转移 (0–4)
    BedChairTransfer,
    /// 平地行走 (0–4)
    WalkingOnLevel,
    /// 上下楼梯 (0–3)
    Stairs,
    /// 时间定向 (0–4)
    TimeOrientation,
    /// 空间定向 (0–4)
    SpaceOrientation,
    /// 人物定向 (0–4)
    PersonOrientation,
    /// 记忆 (0–4)
    Memory,
    /// 理解能力 (0–4)
    Comprehension,
    /// 表达能力 (0–4)
    Expression,
    /// 攻击行为 (0–1)
    AggressiveBehaviour,
    /// 抑郁症状 (0–1)
    DepressiveSymptoms,
    /// 意识水平 (0–2)
    Consciousness,
    /// 视力 (0–2)
    Vision,
    /// 听力 (0–2)
    Hearing,
    /// 执行日常事务 (0–4)
    DailyAffairs,
    /// 使用交通工具外出 (0–3)
    UsingTransport,
    /// 社会交往能力 (0–4)
    SocialInteraction,
}

impl AssessmentItem {
    pub const ALL: [AssessmentItem; 26] = [
        AssessmentItem::Eating,
        AssessmentItem::Grooming,
        AssessmentItem::Bathing,
        AssessmentItem::DressingUpper,
        AssessmentItem::DressingLower,
        AssessmentItem::UrineControl,
        AssessmentItem::BowelControl,
        AssessmentItem::Toileting,
        AssessmentItem::BedPositionTransfer,
        AssessmentItem::BedChairTransfer,
        AssessmentItem::WalkingOnLevel,
        AssessmentItem::Stairs,
        AssessmentItem::TimeOrientation,
        AssessmentItem::SpaceOrientation,
        AssessmentItem::PersonOrientation,
        AssessmentItem::Memory,
        AssessmentItem::Comprehension,
        AssessmentItem::Expression,
        AssessmentItem::AggressiveBehaviour,
        AssessmentItem::DepressiveSymptoms,
        AssessmentItem::Consciousness,
        AssessmentItem::Vision,
        AssessmentItem::Hearing,
        AssessmentItem::DailyAffairs,
        AssessmentItem::UsingTransport,
        AssessmentItem::SocialInteraction,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AssessmentItem::Eating => "进食",
            AssessmentItem::Grooming => "修饰",
            AssessmentItem::Bathing => "洗澡",
            AssessmentItem::DressingUpper => "穿/脱上衣",
            AssessmentItem::DressingLower => "穿/脱裤子和鞋袜",
            AssessmentItem::UrineControl => "小便控制",
            AssessmentItem::BowelControl => "大便控制",
            AssessmentItem::Toileting => "如厕",
            AssessmentItem::BedPositionTransfer => "床上体位转移",
            AssessmentItem::BedChairTransfer => "床椅转移",
            AssessmentItem::WalkingOnLevel => "平地行走",
            AssessmentItem::Stairs => "上下楼梯",
            AssessmentItem::TimeOrientation => "时间定向",
            AssessmentItem::SpaceOrientation => "空间定向",
            AssessmentItem::PersonOrientation => "人物定向",
            AssessmentItem::Memory => "记忆",
            AssessmentItem::Comprehension => "理解能力",
            AssessmentItem::Expression => "表达能力",
            AssessmentItem::AggressiveBehaviour => "攻击行为",
            AssessmentItem::DepressiveSymptoms => "抑郁症状",
            AssessmentItem::Consciousness => "意识水平",
            AssessmentItem::Vision => "视力",
            AssessmentItem::Hearing => "听力",
            AssessmentItem::DailyAffairs => "执行日常事务",
            AssessmentItem::UsingTransport => "使用交通工具外出",
            AssessmentItem::SocialInteraction => "社会交往能力",
        }
    }

    /// The highest score of the item; the lowest is always 0.
    pub fn max_score(self) -> u8 {
        match self {
            AssessmentItem::AggressiveBehaviour | AssessmentItem::DepressiveSymptoms => 1,
            AssessmentItem::Consciousness | AssessmentItem::Vision | AssessmentItem::Hearing => 2,
            AssessmentItem::Stairs | AssessmentItem::UsingTransport => 3,
            _ => 4,
        }
    }

    pub fn group(self) -> AssessmentGroup {
        match self {
            AssessmentItem::Eating
            | AssessmentItem::Grooming
            | AssessmentItem::Bathing
            | AssessmentItem::DressingUpper
            | AssessmentItem::DressingLower
            | AssessmentItem::UrineControl
            | AssessmentItem::BowelControl
            | AssessmentItem::Toileting => AssessmentGroup::SelfCare,
            AssessmentItem::BedPositionTransfer
            | AssessmentItem::BedChairTransfer
            | AssessmentItem::WalkingOnLevel
            | AssessmentItem::Stairs => AssessmentGroup::BasicMotor,
            AssessmentItem::TimeOrientation
            | AssessmentItem::SpaceOrientation
            | AssessmentItem::PersonOrientation
            | AssessmentItem::Memory
            | AssessmentItem::Comprehension
            | AssessmentItem::Expression
            | AssessmentItem::AggressiveBehaviour
            | AssessmentItem::DepressiveSymptoms
            | AssessmentItem::Consciousness => AssessmentGroup::MentalState,
            AssessmentItem::Vision
            | AssessmentItem::Hearing
            | AssessmentItem::DailyAffairs
            | AssessmentItem::UsingTransport
            | AssessmentItem::SocialInteraction => AssessmentGroup::PerceptionAndSocial,
        }
    }
}

/// The five ability levels of GB/T 42195-2022, ordered from most to least able.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AbilityLevel {
    /// 0 能力完好
    Intact,
    /// 1 能力轻度受损（轻度失能）
    MildlyImpaired,
    /// 2 能力中度受损（中度失能）
    ModeratelyImpaired,
    /// 3 能力重度受损（重度失能）
    SeverelyImpaired,
    /// 4 能力完全丧失（完全失能）
    CompletelyLost,
}

impl AbilityLevel {
    pub const ALL: [AbilityLevel; 5] = [
        AbilityLevel::Intact,
        AbilityLevel::MildlyImpaired,
        AbilityLevel::ModeratelyImpaired,
        AbilityLevel::SeverelyImpaired,
        AbilityLevel::CompletelyLost,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AbilityLevel::Intact => "能力完好",
            AbilityLevel::MildlyImpaired => "轻度受损",
            AbilityLevel::ModeratelyImpaired => "中度受损",
            AbilityLevel::SeverelyImpaired => "重度受损",
            AbilityLevel::CompletelyLost => "完全丧失",
        }
    }

    /// The level's number on the form, 0 (能力完好) to 4 (完全丧失).
    pub fn number(self) -> u8 {
        match self {
            AbilityLevel::Intact => 0,
            AbilityLevel::MildlyImpaired => 1,
            AbilityLevel::ModeratelyImpaired => 2,
            AbilityLevel::SeverelyImpaired => 3,
            AbilityLevel::CompletelyLost => 4,
        }
    }

    /// The preliminary level (初步等级) of a total score: 90 能力完好, 66–89 轻度受损,
    /// 46–65 中度受损, 30–45 重度受损, 0–29 完全丧失.
    pub fn from_total(total: u32) -> AbilityLevel {
        match total {
            90.. => AbilityLevel::Intact,
            66..=89 => AbilityLevel::MildlyImpaired,
            46..=65 => AbilityLevel::ModeratelyImpaired,
            30..=45 => AbilityLevel::SeverelyImpaired,
            _ => AbilityLevel::CompletelyLost,
        }
    }
}

/// Why an assessment was made (评估原因).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentReason {
    /// 首次评估, before services begin.
    #[default]
    First,
    /// 常规评估, at the regular interval.
    Routine,
    /// 即时评估, after the elder's condition changed.
    Immediate,
    /// 复评, because a result was questioned.
    Reassessment,
    /// 其他
    Other,
    /// A value a newer app wrote that this build cannot name: the record still reads here, and
    /// writing it again keeps the stored value (`xianglin_sync::document::keep_unknown`).
    #[serde(other)]
    Unknown,
}

impl AssessmentReason {
    pub const ALL: [AssessmentReason; 5] = [
        AssessmentReason::First,
        AssessmentReason::Routine,
        AssessmentReason::Immediate,
        AssessmentReason::Reassessment,
        AssessmentReason::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AssessmentReason::First => "首次",
            AssessmentReason::Routine => "常规",
            AssessmentReason::Immediate => "即时",
            AssessmentReason::Reassessment => "复评",
            AssessmentReason::Other => "其他",
            AssessmentReason::Unknown => crate::record::NEWER_VALUE_LABEL,
        }
    }
}

/// The standard an assessment followed. Only GB/T 42195-2022 is scored here; assessments made
/// under the legacy MZ/T 039-2013 (four levels) are kept as they were recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum AssessmentStandard {
    /// GB/T 42195-2022 老年人能力评估规范
    #[default]
    #[serde(rename = "gb_t_42195_2022")]
    GbT42195_2022,
    /// MZ/T 039-2013 老年人能力评估 (legacy)
    #[serde(rename = "mz_t_039_2013")]
    MzT039_2013,
}

impl AssessmentStandard {
    pub fn label(self) -> &'static str {
        match self {
            AssessmentStandard::GbT42195_2022 => "GB/T 42195-2022",
            AssessmentStandard::MzT039_2013 => "MZ/T 039-2013",
        }
    }
}

/// Care-risk events (照护风险事件) counted over the 30 days before an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RiskEvent {
    /// 跌倒
    Fall,
    /// 噎食
    Choking,
    /// 自杀
    Suicide,
    /// 自伤
    SelfHarm,
    /// 走失
    Wandering,
}

impl RiskEvent {
    pub const ALL: [RiskEvent; 5] =
        [RiskEvent::Fall, RiskEvent::Choking, RiskEvent::Suicide, RiskEvent::SelfHarm, RiskEvent::Wandering];

    pub fn label(self) -> &'static str {
        match self {
            RiskEvent::Fall => "跌倒",
            RiskEvent::Choking => "噎食",
            RiskEvent::Suicide => "自杀",
            RiskEvent::SelfHarm => "自伤",
            RiskEvent::Wandering => "走失",
        }
    }
}

/// One ability assessment of one elder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Assessment {
    pub id: String,
    pub elder_id: String,
    pub standard: AssessmentStandard,
    pub assessed_on: NaiveDate,
    pub reason: AssessmentReason,
    /// The assessor's name (评估员).
    pub assessor: String,
    /// Item → score. A map, so concurrent edits of different items merge; an item not yet
    /// scored is absent.
    #[serde(deserialize_with = "crate::record::known_keys")]
    pub scores: BTreeMap<AssessmentItem, u8>,
    /// The elder is in a coma (昏迷): the final level is 完全丧失 whatever the scores.
    pub coma: bool,
    /// Diagnosed with dementia (痴呆, ICD-10 F00–F03).
    pub dementia: bool,
    /// Diagnosed by a psychiatrist with another mental or behavioural disorder (ICD-10 F04–F99).
    pub mental_disorder: bool,
    /// Risk event → how many times it happened in the 30 days before the assessment.
    #[serde(deserialize_with = "crate::record::known_keys")]
    pub risk_events: BTreeMap<RiskEvent, u32>,
    pub notes: String,
    /// What scoring gave when the record was saved, kept so that history shows it even if the
    /// rules change. Absent before scoring, and for legacy MZ/T 039-2013 records.
    pub result: Option<AssessmentResult>,
    pub meta: RecordMeta,
}

impl Assessment {
    /// The assessment with [`score`]'s result kept on it. A legacy MZ/T 039-2013 record is
    /// returned unchanged, since it is not scored here.
    pub fn with_result(mut self) -> Assessment {
        if self.standard == AssessmentStandard::GbT42195_2022 {
            self.result = Some(score(&self));
        }
        self
    }

    /// How many care-risk events of any kind happened in the 30 days before the assessment.
    pub fn risk_event_count(&self) -> u32 {
        self.risk_events.values().fold(0, |sum, count| sum.saturating_add(*count))
    }
}

/// What scoring an assessment gives: subtotals, total, both levels and why they differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AssessmentResult {
    /// Group → the sum of its items' scores.
    pub subtotals: BTreeMap<AssessmentGroup, u32>,
    /// The sum of all item scores, 0–90.
    pub total: u32,
    /// The level the total gives (初步等级).
    pub preliminary_level: AbilityLevel,
    /// The level after the adjustments (最终等级).
    pub final_level: AbilityLevel,
    /// Why the final level differs from the preliminary one, one sentence per rule that applied,
    /// e.g. 诊断痴呆，提高一级. Empty when none applied.
    pub adjustments: Vec<String>,
}

/// Scores an assessment by GB/T 42195-2022: subtotals per group, the total, the preliminary
/// level from the total, and the final level after the standard's adjustments (能力等级变更依据):
///
/// 1. In a coma (昏迷): 完全丧失 directly; the other adjustments are then moot.
/// 2. Diagnosed dementia (F00–F03) or another mental disorder diagnosed by a psychiatrist
///    (F04–F99): one level higher. Both together are one clause of the standard, so one level.
/// 3. Two or more care-risk events (跌倒, 噎食, 自杀, 自伤, 走失; of any kinds together) in the
///    30 days before the assessment: one level higher.
///
/// Clauses 2 and 3 stack: when both hold, the level rises by two, never past 完全丧失. The
/// standard words each clause on its own, each ending "在原有能力级别上提高一个等级" (raise one
/// level from the original level); that wording was found in a public copy of the assessment
/// report form (item C4 能力等级变更依据, with item C5 "综合C3初步等级和C4变更依据" giving the
/// final level), not in the published text of the standard. A training article (leayin.com,
/// 2026-02-02, "特殊情形下老年人能力评估调整标准国标解读") paraphrases the clauses as "满足以下
/// 任一条件…上调一个能力等级", which could be read as one level in all. Neither says outright
/// whether two clauses add, so stacking follows the clause-by-clause wording and is unconfirmed.
///
/// Scoring assumes [`validate`] found no problems: an item not scored counts as 0 and a score
/// above its item's maximum counts as the maximum. The standard of the record is not consulted.
pub fn score(assessment: &Assessment) -> AssessmentResult {
    let mut subtotals: BTreeMap<AssessmentGroup, u32> =
        AssessmentGroup::ALL.into_iter().map(|group| (group, 0)).collect();
    for item in AssessmentItem::ALL {
        let item_score = assessment.scores.get(&item).copied().unwrap_or(0).min(item.max_score());
        *subtotals.entry(item.group()).or_insert(0) += u32::from(item_score);
    }
    let total = subtotals.values().sum();
    let preliminary_level = AbilityLevel::from_total(total);
    let (final_level, adjustments) = adjust(assessment, preliminary_level);
    AssessmentResult { subtotals, total, preliminary_level, final_level, adjustments }
}

/// Checks an assessment before saving and returns every problem found, so a form can mark all
/// bad fields at once: the date not after `today`, the assessor named, and, for GB/T 42195-2022,
/// each of the 26 items scored within its range. A legacy MZ/T 039-2013 record has other items,
/// so its scores are not checked.
pub fn validate(assessment: &Assessment, today: NaiveDate) -> Vec<Problem> {
    let mut problems = Vec::new();
    if assessment.assessed_on > today {
        problems.push(Problem::new("assessed_on", "评估日期", Rule::DateInFuture));
    }
    let assessor = assessment.assessor.trim();
    if assessor.is_empty() {
        problems.push(Problem::new("assessor", "评估员", Rule::Required));
    } else if assessor.chars().count() > ASSESSOR_MAX {
        problems.push(Problem::new("assessor", "评估员", Rule::TooLong));
    }
    if assessment.standard == AssessmentStandard::GbT42195_2022 {
        for item in AssessmentItem::ALL {
            let field = format!("scores.{}", serde_key(&item));
            match assessment.scores.get(&item) {
                None => problems.push(Problem::new(field, item.label(), Rule::Required)),
                Some(item_score) if *item_score > item.max_score() => problems.push(Problem {
                    field,
                    rule: Rule::OutOfRange,
                    message: format!("{}应在 0–{} 分之间", item.label(), item.max_score()),
                }),
                Some(_) => {}
            }
        }
    }
    problems
}

const ASSESSOR_MAX: usize = 40;

/// The final level and the reasons for it; see [`score`] for the rules and their source.
fn adjust(assessment: &Assessment, preliminary_level: AbilityLevel) -> (AbilityLevel, Vec<String>) {
    if assessment.coma {
        return (AbilityLevel::CompletelyLost, vec!["昏迷，直接评定为完全丧失".to_owned()]);
    }
    let mut level = preliminary_level;
    let mut adjustments = Vec::new();
    let diagnosis = match (assessment.dementia, assessment.mental_disorder) {
        (true, true) => Some("诊断痴呆及其他精神和行为障碍"),
        (true, false) => Some("诊断痴呆"),
        (false, true) => Some("诊断其他精神和行为障碍"),
        (false, false) => None,
    };
    if let Some(diagnosis) = diagnosis {
        adjustments.push(raise(&mut level, diagnosis));
    }
    let event_count = assessment.risk_event_count();
    if event_count >= 2 {
        let kinds: Vec<String> = assessment
            .risk_events
            .iter()
            .filter(|(_, count)| **count > 0)
            .map(|(event, count)| format!("{}{count}次", event.label()))
            .collect();
        let cause = format!("近30天发生照护风险事件{event_count}次（{}）", kinds.join("、"));
        adjustments.push(raise(&mut level, &cause));
    }
    (level, adjustments)
}

/// Raises `level` by one, at most to 完全丧失, and words why.
fn raise(level: &mut AbilityLevel, cause: &str) -> String {
    let raised = match *level {
        AbilityLevel::Intact => AbilityLevel::MildlyImpaired,
        AbilityLevel::MildlyImpaired => AbilityLevel::ModeratelyImpaired,
        AbilityLevel::ModeratelyImpaired => AbilityLevel::SeverelyImpaired,
        AbilityLevel::SeverelyImpaired | AbilityLevel::CompletelyLost => AbilityLevel::CompletelyLost,
    };
    let wording = if raised == *level {
        format!("{cause}，已为完全丧失，不再提高")
    } else {
        format!("{cause}，提高一级")
    };
    *level = raised;
    wording
}

/// The wire name of a unit variant, e.g. `dressing_upper`.
fn serde_key<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|value| value.as_str().map(str::to_owned)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn full_scores() -> BTreeMap<AssessmentItem, u8> {
        AssessmentItem::ALL.into_iter().map(|item| (item, item.max_score())).collect()
    }

    /// Scores totalling `total`: items at their maximum in form order until the total is
    /// reached, one item with the rest, the others at 0.
    fn scores_totalling(total: u32) -> BTreeMap<AssessmentItem, u8> {
        let mut left = total;
        AssessmentItem::ALL
            .into_iter()
            .map(|item| {
                let item_score = left.min(u32::from(item.max_score()));
                left -= item_score;
                (item, u8::try_from(item_score).unwrap())
            })
            .collect()
    }

    fn assessment(scores: BTreeMap<AssessmentItem, u8>) -> Assessment {
        Assessment {
            id: "a1".into(),
            elder_id: "e1".into(),
            standard: AssessmentStandard::GbT42195_2022,
            assessed_on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            reason: AssessmentReason::First,
            assessor: "李秀英".into(),
            scores,
            coma: false,
            dementia: false,
            mental_disorder: false,
            risk_events: BTreeMap::new(),
            notes: String::new(),
            result: None,
            meta: RecordMeta::default(),
        }
    }

    /// A typical mildly impaired elder, scored by hand:
    /// - 自理能力: 进食 4, 修饰 4, 洗澡 2, 穿/脱上衣 4, 穿/脱裤子和鞋袜 3, 小便控制 3,
    ///   大便控制 4, 如厕 3 = 27 of 32.
    /// - 基础运动能力: 床上体位转移 4, 床椅转移 3, 平地行走 3, 上下楼梯 1 = 11 of 15.
    /// - 精神状态: 时间定向 3, 空间定向 4, 人物定向 4, 记忆 2, 理解能力 4, 表达能力 4,
    ///   攻击行为 1, 抑郁症状 0, 意识水平 2 = 24 of 28.
    /// - 感知觉与社会参与: 视力 1, 听力 1, 执行日常事务 3, 使用交通工具外出 2,
    ///   社会交往能力 3 = 10 of 15.
    ///
    /// Total 27 + 11 + 24 + 10 = 72, in 66–89: 轻度受损 (1).
    fn mildly_impaired() -> Assessment {
        use AssessmentItem::*;
        assessment(BTreeMap::from([
            (Eating, 4),
            (Grooming, 4),
            (Bathing, 2),
            (DressingUpper, 4),
            (DressingLower, 3),
            (UrineControl, 3),
            (BowelControl, 4),
            (Toileting, 3),
            (BedPositionTransfer, 4),
            (BedChairTransfer, 3),
            (WalkingOnLevel, 3),
            (Stairs, 1),
            (TimeOrientation, 3),
            (SpaceOrientation, 4),
            (PersonOrientation, 4),
            (Memory, 2),
            (Comprehension, 4),
            (Expression, 4),
            (AggressiveBehaviour, 1),
            (DepressiveSymptoms, 0),
            (Consciousness, 2),
            (Vision, 1),
            (Hearing, 1),
            (DailyAffairs, 3),
            (UsingTransport, 2),
            (SocialInteraction, 3),
        ]))
    }

    #[test]
    fn the_26_items_make_90_points_in_four_groups_as_the_standard_lists_them() {
        let group_sizes: Vec<usize> = AssessmentGroup::ALL.iter().map(|group| group.items().count()).collect();
        assert_eq!(group_sizes, [8, 4, 9, 5]);
        let group_maxima: Vec<u32> = AssessmentGroup::ALL.iter().map(|group| group.max_score()).collect();
        assert_eq!(group_maxima, [32, 15, 28, 15]);
        assert_eq!(group_maxima.iter().sum::<u32>(), 90);
        let labels: Vec<&str> = AssessmentGroup::PerceptionAndSocial.items().map(AssessmentItem::label).collect();
        assert_eq!(labels, ["视力", "听力", "执行日常事务", "使用交通工具外出", "社会交往能力"]);
    }

    #[test]
    fn a_full_score_is_level_zero_intact() {
        let result = score(&assessment(full_scores()));
        assert_eq!(result.total, 90);
        assert_eq!(result.preliminary_level, AbilityLevel::Intact);
        assert_eq!(result.final_level, AbilityLevel::Intact);
        assert_eq!((result.final_level.number(), result.final_level.label()), (0, "能力完好"));
        assert!(result.adjustments.is_empty());
    }

    #[test]
    fn a_typical_mildly_impaired_elder_is_level_one_with_hand_checked_subtotals() {
        let result = score(&mildly_impaired());
        let subtotals: Vec<u32> = AssessmentGroup::ALL.iter().map(|group| result.subtotals[group]).collect();
        assert_eq!(subtotals, [27, 11, 24, 10]);
        assert_eq!(result.total, 72);
        assert_eq!(result.preliminary_level, AbilityLevel::MildlyImpaired);
        assert_eq!(result.final_level, AbilityLevel::MildlyImpaired);
        assert_eq!(result.final_level.label(), "轻度受损");
    }

    #[test]
    fn preliminary_level_changes_exactly_at_the_band_boundaries() {
        let cases = [(90, 0), (89, 1), (66, 1), (65, 2), (46, 2), (45, 3), (30, 3), (29, 4), (0, 4)];
        for (total, level) in cases {
            let result = score(&assessment(scores_totalling(total)));
            assert_eq!(result.total, total);
            assert_eq!(result.preliminary_level.number(), level, "total {total}");
            assert_eq!(AbilityLevel::from_total(total).number(), level, "total {total}");
        }
    }

    #[test]
    fn coma_overrides_any_score_with_completely_lost() {
        let mut comatose = assessment(full_scores());
        comatose.coma = true;
        comatose.dementia = true;
        let result = score(&comatose);
        assert_eq!(result.preliminary_level, AbilityLevel::Intact);
        assert_eq!(result.final_level, AbilityLevel::CompletelyLost);
        assert_eq!(result.adjustments, ["昏迷，直接评定为完全丧失"]);
    }

    #[test]
    fn dementia_raises_the_level_by_one() {
        let mut with_dementia = mildly_impaired();
        with_dementia.dementia = true;
        let result = score(&with_dementia);
        assert_eq!(result.preliminary_level, AbilityLevel::MildlyImpaired);
        assert_eq!(result.final_level, AbilityLevel::ModeratelyImpaired);
        assert_eq!(result.adjustments, ["诊断痴呆，提高一级"]);
    }

    #[test]
    fn dementia_with_another_mental_disorder_is_one_clause_and_raises_by_one() {
        let mut with_both = mildly_impaired();
        with_both.dementia = true;
        with_both.mental_disorder = true;
        let result = score(&with_both);
        assert_eq!(result.final_level, AbilityLevel::ModeratelyImpaired);
        assert_eq!(result.adjustments, ["诊断痴呆及其他精神和行为障碍，提高一级"]);
    }

    #[test]
    fn two_risk_events_raise_the_level_by_one_and_one_event_does_not() {
        let mut one_fall = mildly_impaired();
        one_fall.risk_events.insert(RiskEvent::Fall, 1);
        let result = score(&one_fall);
        assert_eq!(result.final_level, AbilityLevel::MildlyImpaired);
        assert!(result.adjustments.is_empty());

        let mut two_falls = mildly_impaired();
        two_falls.risk_events.insert(RiskEvent::Fall, 2);
        let result = score(&two_falls);
        assert_eq!(result.final_level, AbilityLevel::ModeratelyImpaired);
        assert_eq!(result.adjustments, ["近30天发生照护风险事件2次（跌倒2次），提高一级"]);
    }

    #[test]
    fn risk_events_of_different_kinds_count_together() {
        let mut fall_and_wandering = mildly_impaired();
        fall_and_wandering.risk_events =
            BTreeMap::from([(RiskEvent::Fall, 1), (RiskEvent::Choking, 0), (RiskEvent::Wandering, 1)]);
        let result = score(&fall_and_wandering);
        assert_eq!(result.final_level, AbilityLevel::ModeratelyImpaired);
        assert_eq!(result.adjustments, ["近30天发生照护风险事件2次（跌倒1次、走失1次），提高一级"]);
    }

    #[test]
    fn dementia_and_two_risk_events_stack_to_two_levels() {
        let mut both = mildly_impaired();
        both.dementia = true;
        both.risk_events.insert(RiskEvent::Choking, 2);
        let result = score(&both);
        assert_eq!(result.preliminary_level, AbilityLevel::MildlyImpaired);
        assert_eq!(result.final_level, AbilityLevel::SeverelyImpaired);
        assert_eq!(result.adjustments.len(), 2);
    }

    #[test]
    fn dementia_and_two_risk_events_from_level_three_stop_at_level_four() {
        let mut severe = assessment(scores_totalling(40));
        severe.dementia = true;
        severe.risk_events.insert(RiskEvent::Fall, 3);
        let result = score(&severe);
        assert_eq!(result.preliminary_level, AbilityLevel::SeverelyImpaired);
        assert_eq!(result.final_level, AbilityLevel::CompletelyLost);
        assert_eq!(
            result.adjustments,
            ["诊断痴呆，提高一级", "近30天发生照护风险事件3次（跌倒3次），已为完全丧失，不再提高"]
        );
    }

    #[test]
    fn scoring_counts_a_missing_item_as_zero_and_an_excess_score_as_the_maximum() {
        let mut scores = full_scores();
        scores.remove(&AssessmentItem::Eating);
        scores.insert(AssessmentItem::Stairs, 9);
        let result = score(&assessment(scores));
        assert_eq!(result.subtotals[&AssessmentGroup::SelfCare], 28);
        assert_eq!(result.subtotals[&AssessmentGroup::BasicMotor], 15);
        assert_eq!(result.total, 86);
    }

    #[test]
    fn a_complete_assessment_passes_validation() {
        assert_eq!(validate(&mildly_impaired(), today()), []);
    }

    #[test]
    fn validation_finds_a_missing_item_an_out_of_range_item_and_a_future_date_all_at_once() {
        let mut bad = mildly_impaired();
        bad.assessed_on = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        bad.assessor = "  ".into();
        bad.scores.remove(&AssessmentItem::DressingUpper);
        bad.scores.insert(AssessmentItem::Stairs, 4);
        let problems = validate(&bad, today());
        let found: Vec<(&str, Rule, &str)> =
            problems.iter().map(|problem| (problem.field.as_str(), problem.rule, problem.message.as_str())).collect();
        assert_eq!(
            found,
            [
                ("assessed_on", Rule::DateInFuture, "评估日期不能晚于今天"),
                ("assessor", Rule::Required, "请填写评估员"),
                ("scores.dressing_upper", Rule::Required, "请填写穿/脱上衣"),
                ("scores.stairs", Rule::OutOfRange, "上下楼梯应在 0–3 分之间"),
            ]
        );
    }

    #[test]
    fn a_legacy_assessment_is_not_held_to_the_new_items() {
        let mut legacy = assessment(BTreeMap::new());
        legacy.standard = AssessmentStandard::MzT039_2013;
        assert_eq!(validate(&legacy, today()), []);
        assert_eq!(legacy.with_result().result, None);
    }

    #[test]
    fn the_result_is_kept_on_the_record_and_survives_the_wire() {
        let mut scored = mildly_impaired();
        scored.dementia = true;
        let scored = scored.with_result();
        let result = scored.result.as_ref().unwrap();
        assert_eq!((result.total, result.final_level), (72, AbilityLevel::ModeratelyImpaired));
        let json = serde_json::to_value(&scored).unwrap();
        assert_eq!(json["standard"], "gb_t_42195_2022");
        assert_eq!(json["scores"]["dressing_upper"], 4);
        assert_eq!(json["result"]["subtotals"]["perception_and_social"], 10);
        assert_eq!(json["result"]["final_level"], "moderately_impaired");
        assert_eq!(serde_json::from_value::<Assessment>(json).unwrap(), scored);
    }
}
