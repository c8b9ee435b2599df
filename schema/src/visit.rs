//! Patrol visits (探访关爱/定期巡访): mode, the check areas with findings and severity, and
//! referrals (转介) of needs to the township or county.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::elder::{LifeState, LifeStatus};
use crate::problem::{Problem, Rule};
use crate::record::RecordMeta;

/// Notes of a visit are at most this many characters.
pub const MAX_NOTES_CHARS: usize = 2000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VisitMode {
    /// 上门入户
    #[default]
    Home,
    /// 电话
    Phone,
    /// 视频
    Video,
    /// A value a newer app wrote that this build cannot name: the record still reads here, and
    /// writing it again keeps the stored value (`xianglin_sync::document::keep_unknown`).
    #[serde(other)]
    Unknown,
}

impl VisitMode {
    pub fn label(self) -> &'static str {
        match self {
            VisitMode::Home => "上门",
            VisitMode::Phone => "电话",
            VisitMode::Video => "视频",
            VisitMode::Unknown => crate::record::NEWER_VALUE_LABEL,
        }
    }
}

/// The areas a visitor checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CheckArea {
    /// 健康（表达、行动、反应、疾病）
    Health,
    /// 精神（情绪、思维）
    Mental,
    /// 经济（衣食住行医，应享待遇）
    Economic,
    /// 赡养（子女探望、联系）
    Support,
    /// 安全（房屋，水电气暖）
    Safety,
    /// 卫生（个人、家庭）
    Hygiene,
    /// 居住环境
    Living,
    /// 需求（生活照料、康复护理、精神慰藉、适老化改造）
    Needs,
}

impl CheckArea {
    pub const ALL: [CheckArea; 8] = [
        CheckArea::Health,
        CheckArea::Mental,
        CheckArea::Economic,
        CheckArea::Support,
        CheckArea::Safety,
        CheckArea::Hygiene,
        CheckArea::Living,
        CheckArea::Needs,
    ];

    pub fn label(self) -> &'static str {
        match self {
            CheckArea::Health => "健康",
            CheckArea::Mental => "精神",
            CheckArea::Economic => "经济",
            CheckArea::Support => "赡养",
            CheckArea::Safety => "安全",
            CheckArea::Hygiene => "卫生",
            CheckArea::Living => "居住环境",
            CheckArea::Needs => "需求",
        }
    }
}

/// How serious a finding is; ordered from least to most serious.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 正常
    #[default]
    Normal,
    /// 关注
    Attention,
    /// 严重: refer to the township or county.
    Serious,
    /// 紧急: call 120/110/119 and the 赡养人 now.
    Urgent,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Normal => "正常",
            Severity::Attention => "关注",
            Severity::Serious => "严重",
            Severity::Urgent => "紧急",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Finding {
    pub severity: Severity,
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReferralLevel {
    Township,
    County,
    /// A value a newer app wrote that this build cannot name: the record still reads here, and
    /// writing it again keeps the stored value (`xianglin_sync::document::keep_unknown`).
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Open,
    InProgress,
    Closed,
}

/// A need referred onward, tracked open → in progress → closed, with who and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Referral {
    pub to_level: ReferralLevel,
    pub area: CheckArea,
    pub note: String,
    pub status: ReferralStatus,
    pub opened_at: String,
    pub opened_by: String,
    pub status_changed_at: Option<String>,
    pub status_changed_by: Option<String>,
}

/// One patrol visit to one elder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Visit {
    pub id: String,
    pub elder_id: String,
    /// The village whose visit shard holds the visit (the elder's village at visit time).
    pub village_code: String,
    pub visited_at: NaiveDateTime,
    pub mode: VisitMode,
    /// The user who visited.
    pub visitor_id: String,
    /// Area → finding. Areas not checked are absent.
    pub findings: BTreeMap<CheckArea, Finding>,
    /// Referral id → referral.
    pub referrals: BTreeMap<String, Referral>,
    /// The visit follows a major event (重大变故) in the elder's life.
    pub major_event: bool,
    /// Photos taken at the visit, by SHA-256. Absent in visits recorded before photos existed.
    #[serde(default)]
    pub photos: BTreeMap<String, crate::record::Attachment>,
    pub notes: String,
    pub meta: RecordMeta,
}

impl Visit {
    /// The most serious finding of the visit (正常 if nothing was found).
    pub fn worst_severity(&self) -> Severity {
        self.findings.values().map(|finding| finding.severity).max().unwrap_or_default()
    }

    /// A one-line summary of the findings that were not normal, for lists.
    pub fn summary(&self) -> String {
        let notable: Vec<String> = self
            .findings
            .iter()
            .filter(|(_, finding)| finding.severity > Severity::Normal)
            .map(|(area, finding)| {
                if finding.note.is_empty() {
                    format!("{}{}", area.label(), finding.severity.label())
                } else {
                    format!("{}：{}", area.label(), finding.note)
                }
            })
            .collect();
        if notable.is_empty() { "各项正常".to_owned() } else { notable.join("；") }
    }
}

/// Checks a visit before it is written: at least one area checked, every referral says what is
/// needed, notes within [`MAX_NOTES_CHARS`], not in the future (`now`), and not after the
/// elder died or moved away. `elder_life` is the elder's life status (`None`: no such elder).
/// Returns every problem found; empty means the visit may be written.
pub fn validate(visit: &Visit, now: NaiveDateTime, elder_life: Option<&LifeStatus>) -> Vec<Problem> {
    let mut problems = Vec::new();
    if visit.findings.is_empty() {
        problems.push(Problem::new("findings", "检查项目", Rule::Required));
    }
    // Referrals are keyed by time-ordered ids, so their order is the order they were added.
    for (index, referral) in visit.referrals.values().enumerate() {
        if referral.note.trim().is_empty() {
            problems.push(Problem::new(format!("referrals.{index}.note"), "转介事项", Rule::Required));
        }
    }
    if visit.notes.chars().count() > MAX_NOTES_CHARS {
        problems.push(Problem::new("notes", "备注", Rule::TooLong));
    }
    if visit.visited_at > now {
        problems.push(Problem::new("visited_at", "探访时间", Rule::DateInFuture));
    }
    match elder_life {
        None => problems.push(Problem::new("elder_id", "探访对象", Rule::Required)),
        Some(life) => {
            if let Some(date) = life.date.filter(|date| *date < visit.visited_at.date()) {
                let label = if life.state == LifeState::Deceased {
                    "探访时间（老人已于此前去世）"
                } else {
                    "探访时间（老人已于此前迁出）"
                };
                problems.push(Problem {
                    field: "visited_at".into(),
                    rule: Rule::DateOrder,
                    message: format!("{label}：{date}"),
                });
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap().and_hms_opt(hour, 0, 0).unwrap()
    }

    fn visit() -> Visit {
        Visit {
            id: String::new(),
            elder_id: "e".into(),
            village_code: "360733105201".into(),
            visited_at: at(10, 9),
            mode: VisitMode::Home,
            visitor_id: "u".into(),
            findings: BTreeMap::from([(CheckArea::Health, Finding::default())]),
            referrals: BTreeMap::new(),
            major_event: false,
            photos: BTreeMap::new(),
            notes: String::new(),
            meta: RecordMeta::default(),
        }
    }

    fn fields(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|problem| problem.field.as_str()).collect()
    }

    #[test]
    fn a_complete_visit_of_a_living_elder_passes() {
        assert!(validate(&visit(), at(10, 10), Some(&LifeStatus::default())).is_empty());
    }

    #[test]
    fn each_problem_names_its_field() {
        let mut visit = visit();
        visit.findings.clear();
        visit.notes = "很".repeat(MAX_NOTES_CHARS + 1);
        visit.referrals.insert(
            "r1".into(),
            Referral {
                to_level: ReferralLevel::Township,
                area: CheckArea::Health,
                note: " ".into(),
                status: ReferralStatus::Open,
                opened_at: String::new(),
                opened_by: String::new(),
                status_changed_at: None,
                status_changed_by: None,
            },
        );
        let problems = validate(&visit, at(9, 9), None);
        assert_eq!(fields(&problems), ["findings", "referrals.0.note", "notes", "visited_at", "elder_id"]);
    }

    #[test]
    fn a_visit_after_the_elder_died_is_refused_with_the_date() {
        let life =
            LifeStatus { state: LifeState::Deceased, date: NaiveDate::from_ymd_opt(2026, 11, 9), moved_to: None };
        let problems = validate(&visit(), at(10, 10), Some(&life));
        assert_eq!(fields(&problems), ["visited_at"]);
        assert!(problems[0].message.contains("去世") && problems[0].message.contains("2026-11-09"));
        // A visit on the day of death itself is fine (the visit may have found it).
        let same_day = LifeStatus { date: NaiveDate::from_ymd_opt(2026, 11, 10), ..life };
        assert!(validate(&visit(), at(10, 10), Some(&same_day)).is_empty());
    }
}
