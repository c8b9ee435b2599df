//! The elder registry: searches and pages, an elder's page and history, saving (with duplicates caught at entry), life status and events, referrals.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::duplicates::{DuplicateCandidate, DuplicateElder};
use crate::elder::{Category, EconomicStatus, Elder, LifeStatus};
use crate::record::Gender;
use crate::visit::{Severity, VisitMode};

/// A registry search: by name, full pinyin, pinyin initials or part of the ID number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ElderSearch {
    /// A township or village code; `None` for the whole county.
    pub place_code: Option<String>,
    pub query: String,
    /// Also list moved and deceased elders.
    pub include_inactive: bool,
    /// 1-based.
    pub page: u32,
    pub page_size: u32,
}

/// One line of the registry. The ID number is masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ElderRow {
    pub id: String,
    pub name: String,
    pub gender: Gender,
    pub birth_date: String,
    pub age: u32,
    pub id_number_masked: String,
    pub village_code: String,
    pub village_name: String,
    pub township_name: String,
    pub categories: Vec<Category>,
    pub economic_status: EconomicStatus,
    pub life: LifeStatus,
    pub phone: Option<String>,
    pub has_conflicts: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ElderPage {
    pub items: Vec<ElderRow>,
    pub total: u32,
    pub page: u32,
    pub page_size: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ElderId {
    pub id: String,
}

/// A visit as a line in an elder's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VisitRow {
    pub id: String,
    pub visited_at: String,
    pub mode: VisitMode,
    pub visitor_name: String,
    pub worst_severity: Severity,
    pub summary: String,
}

/// A field that devices changed concurrently: every value is kept until someone picks one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldConflict {
    pub shard: String,
    pub record_id: String,
    /// Dotted path of the field inside the record, e.g. `phone` or `categories.disabled`.
    pub field: String,
    /// Each concurrent value as JSON text.
    pub values: Vec<String>,
}

/// An elder's page: the record (ID number masked), where they live, recent visits, conflicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ElderDetail {
    pub elder: Elder,
    pub age: u32,
    pub village_name: String,
    pub township_name: String,
    /// The next visit due, and why; `None` for moved or deceased elders.
    pub next_due: Option<crate::due::Due>,
    /// `next_due`'s reason in Chinese.
    pub due_reason: Option<String>,
    pub recent_visits: Vec<VisitRow>,
    pub conflicts: Vec<FieldConflict>,
    /// Registrations of the same person the county merged into this elder (their records are
    /// counted here); opening one of them opens this page.
    pub merged_from: Vec<DuplicateElder>,
}

/// Saves an elder; unless `confirmed`, an elder who looks like one already registered comes
/// back as candidates to confirm instead of being saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SaveElder {
    pub elder: Elder,
    /// The person looked at the candidates and says this is a different elder.
    pub confirmed: bool,
}

/// What saving an elder did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SaveElderOutcome {
    Saved {
        elder: Box<Elder>,
    },
    /// Nothing was saved: these look like the same person; save again with `confirmed`.
    PossibleDuplicates {
        candidates: Vec<DuplicateCandidate>,
    },
}

/// One change to a record, from the document's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistoryEntry {
    /// `YYYY-MM-DD HH:MM:SS`, the device's time of the change.
    pub at: String,
    pub user_id: String,
    pub user_name: String,
    /// The device (automerge actor) that made the change, shortened.
    pub device: String,
    /// The fields changed (dotted paths); empty when the record was created.
    pub fields: Vec<String>,
    pub created: bool,
}

/// Moves a referral along open → in progress → closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UpdateReferral {
    pub visit_id: String,
    pub referral_id: String,
    pub status: crate::visit::ReferralStatus,
}

/// Marks an elder moved away or deceased on a date (or active again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SetLifeStatus {
    pub elder_id: String,
    pub life: LifeStatus,
}

/// Referrals of a place to follow up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReferralsRequest {
    /// A village, township or county code; `None` for every place.
    pub place_code: Option<String>,
    pub include_closed: bool,
}

/// A referral with the visit and elder it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReferralRow {
    pub visit_id: String,
    pub referral_id: String,
    pub elder_id: String,
    pub elder_name: String,
    pub village_name: String,
    pub visited_at: String,
    pub referral: crate::visit::Referral,
    pub opened_by_name: String,
    pub status_changed_by_name: Option<String>,
}

/// Records a major event in an elder's life (重大变故); a visit then falls due within the
/// tier's hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecordLifeEvent {
    pub elder_id: String,
    pub at: chrono::NaiveDateTime,
    /// e.g. 丧偶、住院、子女变故、受灾.
    pub kind: String,
    pub note: String,
}
