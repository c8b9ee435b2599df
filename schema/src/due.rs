//! When an elder's next patrol visit is due, and why, from the county's visit tiers.
//!
//! The rules, in order of precedence:
//! 1. A visit with an 紧急 finding makes the elder high-risk until a follow-up visit, due
//!    [`URGENT_FOLLOW_UP_HOURS`] after it.
//! 2. A major life event (重大变故) since the last visit brings the next visit forward to
//!    within the tier's `major_event_within_hours` of the event.
//! 3. Otherwise the next visit is due the tier's `interval_days` after the last one; an elder
//!    never visited is due from the day they were registered.
//!
//! The tier is the first of the policy in force that the elder matches on that day (age,
//! categories held by then, economic status). Moved and deceased elders are never due.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::elder::{Elder, LifeState};
use crate::policy::{self, Policy};

/// After an urgent finding, the follow-up visit is due within this many hours.
pub const URGENT_FOLLOW_UP_HOURS: i64 = 24;

/// What an elder's visit history says the due computation needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VisitHistory {
    /// The most recent visit up to now, if any.
    pub last_visit: Option<NaiveDateTime>,
    /// Whether that visit had an 紧急 finding.
    pub last_visit_urgent: bool,
}

/// Why the next visit is due when it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DueReason {
    /// Never visited since registration.
    NeverVisited { registered_on: NaiveDate },
    /// The tier's interval since the last visit.
    Interval { days: u32, last_visit: NaiveDateTime },
    /// A major life event since the last visit.
    MajorEvent { event_at: NaiveDateTime, event_kind: String, within_hours: u32 },
    /// The last visit found something urgent; follow up.
    UrgentFollowUp { last_visit: NaiveDateTime },
}

/// When the next visit is due, under which tier and policy version, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Due {
    pub tier_code: String,
    pub tier_name: String,
    /// Position of the tier in the policy (0 = most frequent); used to sort by risk.
    pub tier_rank: u32,
    pub due_at: NaiveDateTime,
    pub reason: DueReason,
    /// Marked high-risk: an urgent finding not yet followed up.
    pub high_risk: bool,
    pub policy_version: String,
}

impl DueReason {
    /// The reason in Chinese, for lists and the elder's page.
    pub fn describe(&self) -> String {
        match self {
            DueReason::NeverVisited { registered_on } => format!("{registered_on} 登记后尚未探访"),
            DueReason::Interval { days, last_visit } => {
                format!("上次探访 {}，每 {days} 天探访一次", last_visit.format("%Y-%m-%d"))
            }
            DueReason::MajorEvent { event_at, event_kind, within_hours } => {
                format!(
                    "{} 发生重大变故（{event_kind}），须在 {within_hours} 小时内探访",
                    event_at.format("%Y-%m-%d %H:%M")
                )
            }
            DueReason::UrgentFollowUp { last_visit } => {
                format!(
                    "{} 探访发现紧急情况，须在 {URGENT_FOLLOW_UP_HOURS} 小时内回访",
                    last_visit.format("%Y-%m-%d %H:%M")
                )
            }
        }
    }
}

/// When `elder`'s next visit is due as of `now`, under the policy in force then; `None` for an
/// elder who has moved away or died, or when no policy is in force.
pub fn next_due(policies: &[Policy], elder: &Elder, history: VisitHistory, now: NaiveDateTime) -> Option<Due> {
    if elder.life.state != LifeState::Active || elder.meta.is_voided() {
        return None;
    }
    let policy = policy::in_force(policies, now.date())?;
    let today = now.date();
    let categories = elder.categories_on(today);
    let (tier_rank, tier) = policy
        .visit_tiers
        .iter()
        .enumerate()
        .find(|(_, tier)| tier.matches(elder.age_on(today), &categories, elder.economic_status))?;
    let due = |due_at: NaiveDateTime, reason: DueReason, high_risk: bool| Due {
        tier_code: tier.code.clone(),
        tier_name: tier.name.clone(),
        tier_rank: tier_rank as u32,
        due_at,
        reason,
        high_risk,
        policy_version: policy.version.clone(),
    };
    if let Some(last_visit) = history.last_visit.filter(|_| history.last_visit_urgent) {
        return Some(due(
            last_visit + Duration::hours(URGENT_FOLLOW_UP_HOURS),
            DueReason::UrgentFollowUp { last_visit },
            true,
        ));
    }
    let registered_on = registered_on(elder);
    let regular = match history.last_visit {
        Some(last_visit) => due(
            last_visit + Duration::days(i64::from(tier.interval_days)),
            DueReason::Interval { days: tier.interval_days, last_visit },
            false,
        ),
        None => due(
            registered_on.and_hms_opt(0, 0, 0).expect("midnight exists"),
            DueReason::NeverVisited { registered_on },
            false,
        ),
    };
    let event = elder.latest_event(now).filter(|event| history.last_visit.is_none_or(|last| event.at > last));
    match (event, tier.major_event_within_hours) {
        (Some(event), Some(hours)) if event.at + Duration::hours(i64::from(hours)) < regular.due_at => Some(due(
            event.at + Duration::hours(i64::from(hours)),
            DueReason::MajorEvent { event_at: event.at, event_kind: event.kind.clone(), within_hours: hours },
            false,
        )),
        _ => Some(regular),
    }
}

/// The day the elder was registered (from the record's creation time).
pub fn registered_on(elder: &Elder) -> NaiveDate {
    elder.meta.created_at.get(..10).and_then(|day| day.parse().ok()).unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::elder::{Category, EconomicStatus, LifeEvent, LifeStatus};
    use crate::id_number;
    use crate::policy::huichang_default;
    use crate::record::{Gender, RecordMeta};

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap().and_hms_opt(hour, 0, 0).unwrap()
    }

    fn elder(born: i32, categories: &[Category], economic: EconomicStatus) -> Elder {
        let birth = NaiveDate::from_ymd_opt(born, 6, 1).unwrap();
        Elder {
            id: "e".into(),
            name: "王秀英".into(),
            id_number: id_number::compose("360733", birth, 2, Gender::Female),
            gender: Gender::Female,
            birth_date: birth,
            phone: None,
            address: String::new(),
            village_code: "360733105201".into(),
            categories: categories
                .iter()
                .map(|category| (*category, NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()))
                .collect(),
            economic_status: economic,
            life: LifeStatus::default(),
            contacts: BTreeMap::new(),
            events: BTreeMap::new(),
            notes: String::new(),
            meta: RecordMeta::created(at(1, 9) - Duration::days(400), "u"),
        }
    }

    fn visited(last: NaiveDateTime) -> VisitHistory {
        VisitHistory { last_visit: Some(last), last_visit_urgent: false }
    }

    #[test]
    fn an_eighty_year_old_living_alone_is_due_a_week_after_the_last_visit() {
        let due = next_due(
            &[huichang_default()],
            &elder(1945, &[Category::LivingAlone], EconomicStatus::None),
            visited(at(2, 10)),
            at(5, 9),
        )
        .unwrap();
        assert_eq!((due.tier_code.as_str(), due.due_at), ("high_risk", at(9, 10)));
        assert_eq!(due.reason.describe(), "上次探访 2026-11-02，每 7 天探访一次");
    }

    #[test]
    fn disabled_dispersed_tekun_and_family_planning_elders_are_due_monthly() {
        for (categories, economic) in [
            (&[Category::Disabled][..], EconomicStatus::None),
            (&[][..], EconomicStatus::TekunDispersed),
            (&[Category::FamilyPlanningSpecial][..], EconomicStatus::None),
        ] {
            let due = next_due(&[huichang_default()], &elder(1955, categories, economic), visited(at(2, 10)), at(5, 9))
                .unwrap();
            assert_eq!((due.tier_code.as_str(), due.due_at), ("key", at(2, 10) + Duration::days(30)));
        }
    }

    #[test]
    fn other_elders_are_due_quarterly_and_a_new_one_from_registration() {
        let general = elder(1955, &[Category::EmptyNest], EconomicStatus::Dibao);
        let due = next_due(&[huichang_default()], &general, visited(at(2, 10)), at(5, 9)).unwrap();
        assert_eq!((due.tier_code.as_str(), due.due_at), ("general", at(2, 10) + Duration::days(90)));
        let never = next_due(&[huichang_default()], &general, VisitHistory::default(), at(5, 9)).unwrap();
        assert_eq!(never.due_at.date(), registered_on(&general));
        assert!(matches!(never.reason, DueReason::NeverVisited { .. }));
    }

    #[test]
    fn a_major_event_brings_the_visit_forward_to_within_a_day() {
        let mut bereaved = elder(1955, &[], EconomicStatus::None);
        bereaved.events.insert(
            "ev".into(),
            LifeEvent { at: at(4, 20), kind: "丧偶".into(), note: String::new(), recorded_by: "u".into() },
        );
        let due = next_due(&[huichang_default()], &bereaved, visited(at(2, 10)), at(5, 9)).unwrap();
        assert_eq!(due.due_at, at(5, 20));
        assert!(due.reason.describe().contains("丧偶"));
        // Once visited after the event, the tier's interval applies again.
        let after = next_due(&[huichang_default()], &bereaved, visited(at(5, 8)), at(5, 9)).unwrap();
        assert_eq!(after.due_at, at(5, 8) + Duration::days(90));
    }

    #[test]
    fn an_urgent_finding_marks_high_risk_until_a_follow_up_visit() {
        let history = VisitHistory { last_visit: Some(at(3, 15)), last_visit_urgent: true };
        let due = next_due(&[huichang_default()], &elder(1960, &[], EconomicStatus::None), history, at(3, 16)).unwrap();
        assert!(due.high_risk);
        assert_eq!(due.due_at, at(4, 15));
        let followed_up =
            next_due(&[huichang_default()], &elder(1960, &[], EconomicStatus::None), visited(at(4, 9)), at(4, 10))
                .unwrap();
        assert!(!followed_up.high_risk);
    }

    #[test]
    fn moved_and_deceased_elders_are_never_due() {
        for state in [LifeState::Moved, LifeState::Deceased] {
            let mut gone = elder(1940, &[Category::LivingAlone], EconomicStatus::None);
            gone.life = LifeStatus { state, date: Some(at(1, 0).date()), moved_to: None };
            assert_eq!(next_due(&[huichang_default()], &gone, visited(at(2, 10)), at(5, 9)), None);
        }
    }

    #[test]
    fn a_policy_change_applies_from_its_effective_date() {
        let old = huichang_default();
        let mut new = huichang_default();
        new.version = "360733-2026-11-15".into();
        new.effective_from = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
        new.visit_tiers[2].interval_days = 30;
        let policies = [old, new];
        let general = elder(1955, &[], EconomicStatus::None);
        let before = next_due(&policies, &general, visited(at(2, 10)), at(14, 9)).unwrap();
        assert_eq!((before.due_at, before.policy_version.as_str()), (at(2, 10) + Duration::days(90), "360733-2024-01"));
        let after = next_due(&policies, &general, visited(at(2, 10)), at(15, 9)).unwrap();
        assert_eq!(
            (after.due_at, after.policy_version.as_str()),
            (at(2, 10) + Duration::days(30), "360733-2026-11-15")
        );
    }

    #[test]
    fn a_category_counts_only_from_its_since_date() {
        let mut recent = elder(1945, &[], EconomicStatus::None);
        recent.categories.insert(Category::LivingAlone, at(10, 0).date());
        let before = next_due(&[huichang_default()], &recent, visited(at(2, 10)), at(5, 9)).unwrap();
        assert_eq!(before.tier_code, "general");
        let after = next_due(&[huichang_default()], &recent, visited(at(2, 10)), at(11, 9)).unwrap();
        assert_eq!(after.tier_code, "high_risk");
    }
}
