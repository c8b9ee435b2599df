//! Patrol visits: the due list, 月探访率, recording a visit, the printed visit register.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::app::FilePassword;

use crate::elder::Category;
use crate::place::PlaceLevel;
use crate::visit::VisitMode;

/// Which part of the due list an elder falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DueBucket {
    Overdue,
    ThisWeek,
    ThisMonth,
    Later,
}

/// Whose visits are due: a place (village, township or county) or a caseworker's villages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DueListRequest {
    pub place_code: Option<String>,
    pub caseworker_id: Option<String>,
    /// Also list elders not due this month.
    pub include_later: bool,
}

/// The caseworkers of a place (`None`: the whole county).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseworkersRequest {
    pub place_code: Option<String>,
}

/// A caseworker to pick a due list by: who, and the villages they visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseworkerOption {
    pub id: String,
    pub name: String,
    /// Village names, in code order.
    pub villages: Vec<String>,
}

/// One elder on the due list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DueRow {
    pub elder_id: String,
    pub name: String,
    pub age: u32,
    pub id_number_masked: String,
    pub village_code: String,
    pub village_name: String,
    pub categories: Vec<Category>,
    pub due: crate::due::Due,
    pub bucket: DueBucket,
    /// The reason in Chinese.
    pub reason: String,
    pub last_visit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DueList {
    /// Sorted by risk: high-risk first, then overdue before this week before this month, then
    /// by tier and due time.
    pub rows: Vec<DueRow>,
    pub overdue: u32,
    pub this_week: u32,
    pub this_month: u32,
    pub computed_at: String,
}

/// 月探访率 of one place for one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CoverageRow {
    pub place_code: String,
    pub place_name: String,
    pub level: PlaceLevel,
    /// Elders due a visit in the month.
    pub due: u32,
    /// Of those, visited at least once in the month.
    pub visited: u32,
    /// `visited / due` in per mille (1000 = 100%); 1000 when nobody was due.
    pub rate_per_mille: u32,
}

/// An elder due in the month and not visited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MissedElder {
    pub elder_id: String,
    pub name: String,
    pub village_name: String,
    pub tier_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CoverageRequest {
    /// A village, township or county code.
    pub place_code: String,
    /// `YYYY-MM`.
    pub month: String,
}

/// Monthly coverage of a place and of each place below it, with who was missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Coverage {
    pub month: String,
    pub total: CoverageRow,
    pub rows: Vec<CoverageRow>,
    pub missed: Vec<MissedElder>,
}

/// A visit as the caseworker records it; the app fills in who, the ids and the referral
/// tracking fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VisitDraft {
    pub elder_id: String,
    /// `YYYY-MM-DDTHH:MM:SS`, local time.
    pub visited_at: chrono::NaiveDateTime,
    pub mode: VisitMode,
    /// Every area checked, with its finding.
    pub findings: std::collections::BTreeMap<crate::visit::CheckArea, crate::visit::Finding>,
    /// Needs to refer onward.
    pub referrals: Vec<ReferralDraft>,
    /// The visit follows a major event in the elder's life.
    pub major_event: bool,
    pub notes: String,
    /// SHA-256 of photos already added with `add_attachment`.
    #[serde(default)]
    pub photos: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReferralDraft {
    pub to_level: crate::visit::ReferralLevel,
    pub area: crate::visit::CheckArea,
    pub note: String,
}

/// What to do now after an urgent finding, shown at once when a visit is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UrgentGuidance {
    /// Emergency numbers with what each is for, e.g. ("120", "急救").
    pub emergency_numbers: Vec<(String, String)>,
    /// The elder's 赡养人 to call now.
    pub supporters: Vec<crate::elder::Contact>,
}

/// A saved visit and, for an urgent finding, what to do now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VisitSaved {
    pub visit: crate::visit::Visit,
    pub urgent: Option<UrgentGuidance>,
    /// The elder's next visit after this one.
    pub next_due: Option<crate::due::Due>,
}

/// Prints the monthly visit register (村级探访记录表) of a village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrintVisitRegister {
    pub village_code: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The PDF's password (the register names the elders).
    #[ts(type = "string")]
    pub password: FilePassword,
}
