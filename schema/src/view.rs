//! What the app shows: rows and pages computed from the projection. These are wire types
//! (serde + ts-rs) and a boundary: the UI's TypeScript is generated from them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::adaptation::{
    AdaptationCase, AttachmentKind, CaseApplication, CaseAttachment, CaseEvent, CaseProgress, CaseStep, DocumentKind,
    DocumentState, Eligibility, PlanItem, PlanTotals, StepOutcome,
};
use crate::assessment::Assessment;
use crate::duplicate::DuplicateVerdict;
use crate::elder::{Category, EconomicStatus, Elder, LifeStatus};
use crate::export::{ExportFormat, ExportLog};
use crate::meal::{
    Diner, MealAdjustment, MealMode, MealPoint, MealSlot, ReviewDecision, SettlementReview, SettlementSubmission,
    SettlementTotals,
};
use crate::place::{PlaceLevel, PlaceSummary};
use crate::policy::CatalogItem;
use crate::record::Gender;
use crate::user::Role;
use crate::visit::{Severity, VisitMode};

/// Whether this computer has data yet, and of which county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppStatus {
    pub has_data: bool,
    pub county: Option<PlaceSummary>,
    pub townships: u32,
    pub villages: u32,
    pub elders: u32,
    pub data_dir: String,
    /// This device's automerge actor id (hex).
    pub device_id: String,
    /// Who is signed in (`None` before enrollment).
    pub user: Option<UserOption>,
    /// Whether this is the built-in demo county, where anyone of it may be signed in to try
    /// their part.
    pub demo: bool,
}

/// Someone who works in the county, as a picker shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UserOption {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The places they work for, named (a few, then how many more).
    pub places: String,
}

/// A place with the places below it, for pickers; `elders` counts active elders within.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlaceNode {
    pub code: String,
    pub name: String,
    pub level: PlaceLevel,
    pub elders: u32,
    pub children: Vec<PlaceNode>,
}

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

/// One of a conflicted field's concurrent values, with who wrote it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConflictValue {
    /// The value as JSON text, to send back when it is the one picked.
    pub value: String,
    /// The value as a person reads it (an ID number masked).
    pub display: String,
    pub user_name: String,
    /// The device (automerge actor) that wrote it, shortened.
    pub device: String,
    /// `YYYY-MM-DD HH:MM:SS`, the device's time of the change.
    pub at: String,
    /// Whether this is the value lists show until someone picks.
    pub shown: bool,
}

/// What kind of record holds a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConflictRecordKind {
    Elder,
    Visit,
    Other,
}

/// A field that devices changed concurrently, as the county reviewer resolves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConflictRow {
    pub shard: String,
    pub record_id: String,
    pub kind: ConflictRecordKind,
    /// The elder the record is about (the elder of a visit), for the reviewer to recognise.
    pub elder_id: Option<String>,
    pub elder_name: String,
    pub place_name: String,
    /// Dotted path of the field inside the record, e.g. `phone` or `categories.disabled`.
    pub field: String,
    /// Whether a value other than the listed ones may be typed (records the app can validate).
    pub accepts_other: bool,
    pub values: Vec<ConflictValue>,
}

/// Picks the value of a conflicted field, or types another: every device holds it after sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ResolveConflict {
    pub shard: String,
    pub record_id: String,
    pub field: String,
    /// The value as JSON text: one of the listed values, or another when `accepts_other`.
    pub value: String,
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

/// Saves an elder; unless `confirmed`, an elder who looks like one already registered comes
/// back as candidates to confirm instead of being saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SaveElder {
    pub elder: Elder,
    /// The person looked at the candidates and says this is a different elder.
    pub confirmed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// The same ID number, anywhere in the replica.
    SameIdNumber,
    /// The same name (or the same name in pinyin), birth date and village.
    SameNameBirthVillage,
}

/// An elder already registered who may be the one being entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DuplicateCandidate {
    pub elder_id: String,
    pub name: String,
    pub id_number_masked: String,
    pub birth_date: String,
    pub village_name: String,
    pub life: LifeStatus,
    pub reason: DuplicateReason,
    /// The reason in Chinese.
    pub explanation: String,
}

/// One elder of a suspected pair (or of a decision), with how many records name them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DuplicateElder {
    pub elder_id: String,
    pub name: String,
    pub id_number_masked: String,
    pub gender: Gender,
    pub birth_date: String,
    pub village_code: String,
    pub village_name: String,
    pub township_name: String,
    pub phone: Option<String>,
    pub address: String,
    pub life: LifeStatus,
    /// When and by whom the elder was registered (`YYYY-MM-DD`, user name).
    pub registered_on: String,
    pub registered_by: String,
    /// Records that name this elder themselves (not counting those of an elder merged in).
    pub visits: u32,
    pub meals: u32,
    pub cases: u32,
}

/// Two registered elders who may be one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DuplicatePair {
    /// The elder suggested to keep: registered first.
    pub first: DuplicateElder,
    pub second: DuplicateElder,
    /// 50–100: how alike they are (100: the same ID number and name).
    pub score: u32,
    pub reason: DuplicateReason,
    /// What matched, in Chinese.
    pub explanation: String,
}

/// A decision taken about a pair, newest first; an undone one stays listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DuplicateDecisionRow {
    pub id: String,
    pub verdict: DuplicateVerdict,
    pub kept: DuplicateElder,
    pub merged: DuplicateElder,
    pub note: String,
    pub decided_by: String,
    /// `YYYY-MM-DD HH:MM`.
    pub decided_at: String,
    pub undone: bool,
    pub undone_by: Option<String>,
    pub undone_at: Option<String>,
    pub undo_reason: Option<String>,
}

/// The county's duplicates page: suspected pairs, and the decisions taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DuplicatesPage {
    /// Registered elders compared (merged ones excluded).
    pub elders_checked: u32,
    pub pairs: Vec<DuplicatePair>,
    pub decisions: Vec<DuplicateDecisionRow>,
}

/// Merges `merged_id` into `kept_id`, or records that the two are different people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DecideDuplicate {
    pub verdict: DuplicateVerdict,
    pub kept_id: String,
    pub merged_id: String,
    pub note: String,
}

/// Undoes a decision (voids it), with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UndoDuplicateDecision {
    pub id: String,
    pub reason: String,
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

/// What importing a roster row would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RosterAction {
    /// A new elder.
    New,
    /// An elder already registered (same ID number) whose record changes.
    Update,
    /// An elder already registered exactly as in the row.
    Unchanged,
    /// The row has problems and will not be imported.
    Invalid,
}

/// A problem in one cell of a roster, by the column's Chinese header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CellProblem {
    pub column: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RosterRow {
    /// The row's number as Excel shows it.
    pub row_number: u32,
    pub name: String,
    pub id_number_masked: String,
    pub village_name: String,
    pub action: RosterAction,
    pub problems: Vec<CellProblem>,
}

/// Every row of a roster file checked, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RosterCheck {
    pub rows: Vec<RosterRow>,
    pub new_count: u32,
    pub update_count: u32,
    pub unchanged_count: u32,
    pub invalid_count: u32,
}

/// What an import wrote: valid rows only, each whole or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RosterImported {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub skipped_invalid: u32,
}

/// A roster file's bytes, as the UI read them from the file the person picked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RosterFile {
    pub bytes: Vec<u8>,
}

/// Exports the registry of a place (village, township or county code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportRegistry {
    pub place_code: String,
}

/// Where a file the app wrote was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SavedFile {
    pub path: String,
}

/// Prints the monthly visit register (村级探访记录表) of a village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrintVisitRegister {
    pub village_code: String,
    /// `YYYY-MM`.
    pub month: String,
}

/// Marks an elder moved away or deceased on a date (or active again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SetLifeStatus {
    pub elder_id: String,
    pub life: LifeStatus,
}

/// A file's bytes, as the UI read them, to store as an attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AttachmentFile {
    pub bytes: Vec<u8>,
}

/// An attachment to show: its description and its bytes as a `data:` URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AttachmentData {
    pub attachment: crate::record::Attachment,
    pub data_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AttachmentId {
    pub sha256: String,
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

/// This computer's link to the county server, as the sync screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    /// Enrolled with a county server.
    pub enrolled: bool,
    pub server_url: Option<String>,
    pub role: Option<crate::user::Role>,
    /// The places this device works for (codes), as the server last said.
    pub places: Vec<String>,
    pub device_id: String,
    /// A sync is running now.
    pub syncing: bool,
    /// Local time of the last successful sync, `YYYY-MM-DD HH:MM:SS`.
    pub last_success: Option<String>,
    pub last_attempt: Option<String>,
    /// Shards with changes or reports the server has not had yet.
    pub waiting_shards: u32,
    /// Why the last attempt failed, in Chinese; `None` after a success.
    pub last_error: Option<String>,
    /// Seconds until the next automatic attempt.
    pub next_attempt_in_seconds: Option<u32>,
}

/// Enrolls this computer with a one-time code from the county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EnrollDevice {
    pub server_url: String,
    /// The county certificate's SHA-256 fingerprint, printed with the code; needed for https.
    pub fingerprint: Option<String>,
    pub code: String,
    /// What people call this computer, e.g. 庄口镇敬老院办公室.
    pub label: String,
}

/// The county's answer file for sync by file, as the UI read it from the USB stick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncAnswerFile {
    pub bytes: Vec<u8>,
}

// Meals (老年助餐) --------------------------------------------------------------------------

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

/// What the county's checks look for across every station's synced data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CountyAnomalyKind {
    /// A visit dated after the elder's death.
    VisitAfterDeath,
    /// A meal dated after the elder died or moved away.
    MealAfterLifeEnd,
    /// One elder's slot of one day claimed twice (at one point or two).
    DoubleMealClaim,
    /// A visit recorded by someone whose places do not include the elder's village.
    VisitOutsidePlaces,
    /// An active elder with no visit for two of their visit tier's periods.
    CoverageGap,
}

/// One finding of the county's checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CountyAnomaly {
    pub kind: CountyAnomalyKind,
    /// The visit or meal found; the elder's id for a coverage gap.
    pub record_id: String,
    pub elder_id: String,
    pub elder_name: String,
    pub village_name: String,
    pub township_name: String,
    /// The record's date (a coverage gap: the last visit, if any).
    pub date: Option<NaiveDate>,
    /// What is wrong, in Chinese.
    pub detail: String,
}

/// Asks for the county's checks over a month, in a township (or the whole county when `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CountyAnomaliesRequest {
    pub place_code: Option<String>,
    /// `YYYY-MM`.
    pub month: String,
}

/// How many findings of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CountyAnomalyCount {
    pub kind: CountyAnomalyKind,
    pub count: u32,
}

/// The county's checks over a month: every finding, and the count of each kind (zeros included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CountyAnomalies {
    pub month: String,
    pub rows: Vec<CountyAnomaly>,
    pub counts: Vec<CountyAnomalyCount>,
}

/// A point's settlement for a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettlementRequest {
    pub point_id: String,
    /// `YYYY-MM`
    pub month: String,
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

/// A point's month submitted to the county and not yet decided on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PendingSettlement {
    pub point_id: String,
    pub point_name: String,
    pub township_name: String,
    /// `YYYY-MM`
    pub month: String,
    pub submitted_by: String,
    /// `YYYY-MM-DD HH:MM`.
    pub submitted_at: String,
    pub note: String,
    /// What was submitted.
    pub totals: SettlementTotals,
    /// Findings of the meal checks on the month now (the county looks before approving).
    pub anomalies: u32,
    pub days_waiting: u32,
}

/// What waits for the county's decision: meal settlements, and adaptation cases at a county
/// step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Approvals {
    pub settlements: Vec<PendingSettlement>,
    pub cases: Vec<CaseRow>,
}

/// A dashboard over months: a county (its townships) or a township (its villages, or its meal
/// points), the `months` months up to `to_month`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TrendRequest {
    /// A township code, or `None` for the whole county.
    pub place_code: Option<String>,
    /// `YYYY-MM`, the last month shown.
    pub to_month: String,
    /// 1–24.
    pub months: u32,
}

/// 月探访率 of one place in one month (as `coverage` counts it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CoverageCell {
    pub due: u32,
    pub visited: u32,
    /// Visited per thousand due; 1000 when nobody was due.
    pub rate_per_mille: u32,
}

/// A place's coverage month by month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CoverageTrendRow {
    pub place_code: String,
    pub place_name: String,
    /// One per month of the trend, in order.
    pub cells: Vec<CoverageCell>,
}

/// 月探访率 over months: the place, and each place one level below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CoverageTrend {
    pub months: Vec<String>,
    pub total: CoverageTrendRow,
    pub rows: Vec<CoverageTrendRow>,
}

/// Meals served and subsidy of one place in one month (voided meals left out). Amounts in fen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealMonthCell {
    pub diners: u32,
    pub meals: u32,
    pub subsidy: i64,
}

/// A township's (or a meal point's) meals month by month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealTrendRow {
    pub place_code: String,
    pub place_name: String,
    pub cells: Vec<MealMonthCell>,
}

/// Meals and subsidy over months: by township for the county, by meal point for a township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MealTrend {
    pub months: Vec<String>,
    pub total: MealTrendRow,
    pub rows: Vec<MealTrendRow>,
}

/// Which dashboard to export or print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DashboardKind {
    Coverage,
    Meals,
    Cases,
}

/// Exports (.xlsx) or prints (PDF) one dashboard's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DashboardFile {
    pub kind: DashboardKind,
    pub request: TrendRequest,
}

/// Exports the county's data for the city's platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CityExportRequest {
    /// `YYYY-MM`, both included.
    pub from_month: String,
    pub to_month: String,
    pub format: ExportFormat,
    /// ID numbers in full instead of masked: needs a reason, and is logged.
    pub include_id_numbers: bool,
    pub reason: String,
}

/// One export as the log lists it, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportLogRow {
    pub log: ExportLog,
    pub by_name: String,
    /// `YYYY-MM-DD HH:MM`.
    pub at: String,
}

/// The files an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportedFiles {
    pub paths: Vec<String>,
    pub log: ExportLog,
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

// Adaptation (居家适老化改造，一户一档) ---------------------------------------------------------

/// Whether an elder's household may apply for home adaptation, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdaptationEligibility {
    pub elder_id: String,
    pub elder_name: String,
    pub age: u32,
    pub economic_status: EconomicStatus,
    pub categories: Vec<Category>,
    pub urban: bool,
    /// The household's cap on the subsidy, in 分.
    pub cap: i64,
    pub eligibility: Eligibility,
    /// The elder's case not yet archived, if any: one household, one case file.
    pub open_case_id: Option<String>,
}

/// Opens a case file for an eligible household, at 申请.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OpenAdaptationCase {
    pub elder_id: String,
    pub application: CaseApplication,
    pub notes: String,
}

/// Saves a case's application facts, where its documents stand, and its notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SaveAdaptationCase {
    pub case_id: String,
    pub application: CaseApplication,
    /// Document → state; documents left out keep theirs.
    pub documents: BTreeMap<DocumentKind, DocumentState>,
    pub notes: String,
}

/// Marks the case's current step done, or returns it with a reason (in `notes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecordCaseStep {
    pub case_id: String,
    /// The step acted on: it must be the case's current step.
    pub step: CaseStep,
    pub outcome: StepOutcome,
    pub notes: String,
}

/// One line of a plan as drafted: an item of the county's catalog and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlanLineDraft {
    pub catalog_code: String,
    pub quantity: u32,
}

/// Saves a case's plan (all its lines), priced from the catalog of the policy in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SaveCasePlan {
    pub case_id: String,
    pub items: Vec<PlanLineDraft>,
}

/// Records the elder's signature of the plan as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignCasePlan {
    pub case_id: String,
    pub signed_on: NaiveDate,
    /// Who signed; empty for the elder.
    pub signer: String,
}

/// A photo or scan, as the UI read it from the file the person picked, to attach to a case at a
/// step; `document` marks an application document provided by this scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AddCaseAttachment {
    pub case_id: String,
    pub step: CaseStep,
    pub kind: AttachmentKind,
    pub caption: String,
    pub document: Option<DocumentKind>,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseId {
    pub case_id: String,
}

/// The cases of a place (`None`: every place of the replica), at one step or all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdaptationCasesRequest {
    /// A village, township or county code.
    pub place_code: Option<String>,
    pub step: Option<CaseStep>,
    pub include_archived: bool,
}

/// The catalog of the policy in force on a day (`None`: today).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdaptationCatalogRequest {
    pub on: Option<NaiveDate>,
}

/// The county's adaptation catalog and caps, as in force on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdaptationCatalog {
    pub policy_version: String,
    pub cap_rural: i64,
    pub cap_urban: i64,
    /// In the catalog's order: by category, then item.
    pub items: Vec<CatalogItem>,
}

/// The elder of a case as the case file shows them. The ID number is masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseElder {
    pub elder_id: String,
    pub name: String,
    pub id_number_masked: String,
    pub gender: Gender,
    pub age: u32,
    pub address: String,
    pub phone: Option<String>,
    pub economic_status: EconomicStatus,
    pub categories: Vec<Category>,
    pub village_name: String,
    pub township_code: String,
    pub township_name: String,
}

/// A step event in a case's timeline, with who did it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseEventRow {
    pub event: CaseEvent,
    pub step_label: String,
    pub outcome_label: String,
    pub by_name: String,
    /// Whether the event moved the case; one for a step the case was not at (it arrived by
    /// sync from a device that did not know better) is shown but never applied.
    pub applied: bool,
}

/// An application document of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseDocumentRow {
    pub kind: DocumentKind,
    pub label: String,
    pub state: DocumentState,
    pub state_label: String,
    /// Whether this application needs the document.
    pub needed: bool,
    /// SHA-256 of its scans.
    pub attachments: Vec<String>,
}

/// A plan line with its catalog name, category and amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CasePlanLine {
    pub item: PlanItem,
    pub category: String,
    /// The category's place in the catalog, from 1: (一) 地面改造 … (七) 老年用品配置.
    pub category_index: u32,
    pub name: String,
    pub unit: String,
    /// 基础 or 可选.
    pub kind_label: String,
    /// In 分.
    pub amount: i64,
}

/// A photo or scan of a case, for a thumbnail (read its bytes with `attachment_data`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseAttachmentRow {
    pub sha256: String,
    pub attachment: CaseAttachment,
    pub step_label: String,
    pub kind_label: String,
}

/// A case file as the case page shows it: the household, where the case stands and what the
/// current step still needs, the timeline, documents, plan, attachments and the assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseDetail {
    pub case: AdaptationCase,
    pub case_number: String,
    pub elder: CaseElder,
    pub eligibility: Eligibility,
    pub progress: CaseProgress,
    pub step_label: String,
    /// Days since the case reached its current step.
    pub days_waiting: u32,
    /// The current step is the county's (县级审核, 结算拨付).
    pub county_step: bool,
    /// What the current step still needs before it can be marked done, in Chinese.
    pub missing: Vec<String>,
    /// Every event, oldest first.
    pub timeline: Vec<CaseEventRow>,
    pub documents: Vec<CaseDocumentRow>,
    pub plan: Vec<CasePlanLine>,
    pub plan_totals: PlanTotals,
    pub attachments: Vec<CaseAttachmentRow>,
    /// The assessment the case used at 入户评估, else the elder's latest.
    pub assessment: Option<Assessment>,
}

/// One case in the county's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseRow {
    pub case_id: String,
    pub case_number: String,
    pub township_code: String,
    pub township_name: String,
    pub village_code: String,
    pub village_name: String,
    pub elder_id: String,
    pub elder_name: String,
    pub step: CaseStep,
    pub step_label: String,
    pub archived: bool,
    /// When the case reached its step.
    pub since: String,
    pub days_waiting: u32,
}

/// How many cases of a township wait at a step, and the longest wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseStepCount {
    pub township_code: String,
    pub township_name: String,
    pub step: CaseStep,
    pub step_label: String,
    pub cases: u32,
    pub longest_wait_days: u32,
}

/// The cases of a place, longest waiting first, and the count per township and step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdaptationCaseList {
    pub rows: Vec<CaseRow>,
    /// By township, then step in workflow order.
    pub counts: Vec<CaseStepCount>,
}
