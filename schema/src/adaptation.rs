//! Home-adaptation case files (居家适老化改造，一户一档): one case per household, from
//! application to archive, shared by the township (who prepares and follows it) and the county
//! (who reviews and pays).
//!
//! The principal types are [`AdaptationCase`] (the household's file: application facts,
//! documents, attachments, the plan and the elder's signature) and [`CaseEvent`] (a step done
//! or returned, with who, when and notes). A case stores no "current step": [`replay`] derives
//! it from the case's events in id order (UUIDv7, so time order), so edits made concurrently at
//! the township and the county never fight over it. The other principal functions are
//! [`eligibility`] (who may apply, from the county's rules) and [`plan_totals`] with
//! [`cap_problem`] (what a plan costs, what is subsidised, and the per-household cap).
//!
//! Money is in 分 as integers. Nothing here touches storage: `sync::adaptation` stores these
//! records, checks who may do what, and calls the functions here.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::elder::{Category, EconomicStatus, LifeState};
use crate::money::yuan;
use crate::policy::{AdaptationRules, TierCondition};
use crate::problem::{Problem, Rule};
use crate::record::RecordMeta;

/// The workflow steps in order. 县级审核 and 结算拨付 are the county's; the others the township's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseStep {
    /// 申请
    Application,
    /// 乡镇初审
    TownshipReview,
    /// 县级审核
    CountyReview,
    /// 入户评估
    Assessment,
    /// 改造方案
    Plan,
    /// 施工
    Construction,
    /// 验收
    Acceptance,
    /// 结算拨付
    Settlement,
    /// 回访
    FollowUp,
    /// 归档
    Archived,
}

impl CaseStep {
    pub const ALL: [CaseStep; 10] = [
        CaseStep::Application,
        CaseStep::TownshipReview,
        CaseStep::CountyReview,
        CaseStep::Assessment,
        CaseStep::Plan,
        CaseStep::Construction,
        CaseStep::Acceptance,
        CaseStep::Settlement,
        CaseStep::FollowUp,
        CaseStep::Archived,
    ];

    pub fn label(self) -> &'static str {
        match self {
            CaseStep::Application => "申请",
            CaseStep::TownshipReview => "乡镇初审",
            CaseStep::CountyReview => "县级审核",
            CaseStep::Assessment => "入户评估",
            CaseStep::Plan => "改造方案",
            CaseStep::Construction => "施工",
            CaseStep::Acceptance => "验收",
            CaseStep::Settlement => "结算拨付",
            CaseStep::FollowUp => "回访",
            CaseStep::Archived => "归档",
        }
    }

    /// The step after this one (`None` after 归档).
    pub fn next(self) -> Option<CaseStep> {
        CaseStep::ALL.get(self.index() + 1).copied()
    }

    /// The step before this one (`None` before 申请).
    pub fn previous(self) -> Option<CaseStep> {
        self.index().checked_sub(1).map(|index| CaseStep::ALL[index])
    }

    /// Whether only the county (a county reviewer) may do this step.
    pub fn by_county(self) -> bool {
        matches!(self, CaseStep::CountyReview | CaseStep::Settlement)
    }

    fn index(self) -> usize {
        CaseStep::ALL.iter().position(|step| *step == self).expect("every step is in ALL")
    }
}

/// What happened at a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    /// The step is done: the case moves on to the next step.
    Done,
    /// The step is returned with a reason: the case goes back to the previous step.
    Returned,
}

impl StepOutcome {
    /// How the outcome reads at `step`, e.g. 审核通过, 验收合格, 退回.
    pub fn label_at(self, step: CaseStep) -> &'static str {
        match (self, step) {
            (StepOutcome::Returned, _) => "退回",
            (StepOutcome::Done, CaseStep::Application) => "已受理",
            (StepOutcome::Done, CaseStep::TownshipReview | CaseStep::CountyReview) => "审核通过",
            (StepOutcome::Done, CaseStep::Assessment) => "评估完成",
            (StepOutcome::Done, CaseStep::Plan) => "方案确认",
            (StepOutcome::Done, CaseStep::Construction) => "施工完成",
            (StepOutcome::Done, CaseStep::Acceptance) => "验收合格",
            (StepOutcome::Done, CaseStep::Settlement) => "已拨付",
            (StepOutcome::Done, CaseStep::FollowUp) => "已回访",
            (StepOutcome::Done, CaseStep::Archived) => "已归档",
        }
    }
}

/// A step of one case done or returned. The township's events live in the case's shard under
/// `event/<id>`; the county's (县级审核, 结算拨付) in the township's review shard under
/// `case/<id>`, which only a county role writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseEvent {
    /// A UUIDv7: events of a case apply in id order.
    pub id: String,
    pub case_id: String,
    pub step: CaseStep,
    pub outcome: StepOutcome,
    /// The user who did it.
    pub by: String,
    /// `YYYY-MM-DDTHH:MM:SS`, local time of the device.
    pub at: String,
    /// Notes, and for a return its reason.
    pub notes: String,
    pub meta: RecordMeta,
}

/// The documents an application needs (申请材料).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 申请表
    ApplicationForm,
    /// 承诺书
    Commitment,
    /// 身份证
    IdCard,
    /// 房屋产权证明
    DwellingProof,
    /// 困难证明 (特困、低保、低收入或脱贫证明)
    HardshipProof,
    /// 产权人同意书: needed when the elder does not own the dwelling.
    OwnerConsent,
    /// 相邻权人同意书: needed when the works touch the neighbours' rights.
    NeighbourConsent,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 7] = [
        DocumentKind::ApplicationForm,
        DocumentKind::Commitment,
        DocumentKind::IdCard,
        DocumentKind::DwellingProof,
        DocumentKind::HardshipProof,
        DocumentKind::OwnerConsent,
        DocumentKind::NeighbourConsent,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::ApplicationForm => "申请表",
            DocumentKind::Commitment => "承诺书",
            DocumentKind::IdCard => "身份证",
            DocumentKind::DwellingProof => "房屋产权证明",
            DocumentKind::HardshipProof => "困难证明",
            DocumentKind::OwnerConsent => "产权人同意书",
            DocumentKind::NeighbourConsent => "相邻权人同意书",
        }
    }

    /// Whether every application needs the document (the consents only sometimes).
    pub fn always_required(self) -> bool {
        !matches!(self, DocumentKind::OwnerConsent | DocumentKind::NeighbourConsent)
    }

    /// Whether the application described by `application` needs the document.
    pub fn needed_by(self, application: &CaseApplication) -> bool {
        match self {
            DocumentKind::OwnerConsent => application.owner_consent_needed,
            DocumentKind::NeighbourConsent => application.neighbour_consent_needed,
            _ => true,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DocumentState {
    /// 已提供
    Provided,
    /// 缺
    #[default]
    Missing,
    /// 无需提供
    NotNeeded,
}

impl DocumentState {
    pub fn label(self) -> &'static str {
        match self {
            DocumentState::Provided => "已提供",
            DocumentState::Missing => "缺",
            DocumentState::NotNeeded => "无需提供",
        }
    }
}

/// Where one application document stands, with the scans of it (attachment SHA-256s).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DocumentStatus {
    pub state: DocumentState,
    #[serde(default)]
    pub attachments: Vec<String>,
}

/// What an attachment of a case shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// 改造前照片
    BeforePhoto,
    /// 改造后照片
    AfterPhoto,
    /// 签字表单 (a signed form, scanned)
    SignedForm,
    /// 其他
    Other,
    /// A value a newer app wrote that this build cannot name: the record still reads here, and
    /// writing it again keeps the stored value (`xianglin_sync::document::keep_unknown`).
    #[serde(other)]
    Unknown,
}

impl AttachmentKind {
    pub fn label(self) -> &'static str {
        match self {
            AttachmentKind::BeforePhoto => "改造前照片",
            AttachmentKind::AfterPhoto => "改造后照片",
            AttachmentKind::SignedForm => "签字表单",
            AttachmentKind::Other => "其他",
            AttachmentKind::Unknown => crate::record::NEWER_VALUE_LABEL,
        }
    }
}

/// A photo or scan attached to a case at a step; the bytes are stored once by SHA-256 beside
/// the replica and travel with the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseAttachment {
    pub step: CaseStep,
    pub kind: AttachmentKind,
    pub caption: String,
    pub mime: String,
    pub size: u64,
    pub added_at: String,
    /// The user who added it.
    pub added_by: String,
}

/// The application's facts: who applies, who owns the dwelling, whose consent is needed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseApplication {
    pub applicant_name: String,
    /// The applicant's relation to the elder, e.g. 本人, 儿子.
    pub applicant_relation: String,
    /// Who owns the dwelling (房屋产权人).
    pub dwelling_owner: String,
    /// The owner is not the elder: the owner's written consent is needed.
    pub owner_consent_needed: bool,
    /// The works touch the neighbours' rights: their written consent is needed.
    pub neighbour_consent_needed: bool,
}

/// One line of an adaptation plan, priced from the county's catalog. Its key in the plan is the
/// catalog code, so the same item is never planned twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlanItem {
    pub catalog_code: String,
    pub quantity: u32,
    /// Unit price in 分 from the catalog when the plan was saved.
    pub unit_price: i64,
    /// A 基础 item (subsidised up to the cap) rather than 可选 (paid by the household).
    #[serde(default)]
    pub basic: bool,
}

impl PlanItem {
    /// Quantity times unit price, in 分.
    pub fn amount(&self) -> i64 {
        i64::from(self.quantity) * self.unit_price
    }
}

/// The elder's signature of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlanSignature {
    pub signed_on: NaiveDate,
    /// Who signed: the elder, or who signed for them.
    pub signer: String,
}

/// One household's case file (一户一档), kept in its own shard `adaptation/<village>/<case>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdaptationCase {
    pub id: String,
    pub elder_id: String,
    pub village_code: String,
    /// A 居委会 (village segment 001–199) is urban, a 村委会 (200–399) rural: see [`is_urban`].
    pub urban: bool,
    #[serde(default)]
    pub application: CaseApplication,
    /// Document → where it stands. A map, so concurrent edits of different documents merge.
    #[serde(default, deserialize_with = "crate::record::known_keys")]
    pub documents: BTreeMap<DocumentKind, DocumentStatus>,
    /// Attachment SHA-256 → what it is and at which step it was added.
    #[serde(default)]
    pub attachments: BTreeMap<String, CaseAttachment>,
    /// Catalog code → plan item.
    #[serde(default)]
    pub plan: BTreeMap<String, PlanItem>,
    /// The policy version whose catalog priced the plan.
    #[serde(default)]
    pub plan_policy_version: Option<String>,
    /// The elder's signature of the plan as it is; saving a changed plan clears it.
    #[serde(default)]
    pub plan_signed: Option<PlanSignature>,
    /// The assessment the 入户评估 step used (kept on the elder, `assessment/<id>`).
    #[serde(default)]
    pub assessment_id: Option<String>,
    pub notes: String,
    pub meta: RecordMeta,
}

impl AdaptationCase {
    /// The day the case was opened (the date of its creation).
    pub fn opened_on(&self) -> Option<NaiveDate> {
        self.meta.created_at.get(..10).and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
    }

    /// The case number printed on the file: the opening date and the end of the id, e.g.
    /// `20261103-4F2A9C`.
    pub fn number(&self) -> String {
        let day = self.opened_on().map(|day| day.format("%Y%m%d").to_string()).unwrap_or_default();
        let tail: String = self.id.chars().filter(char::is_ascii_hexdigit).collect();
        let tail = &tail[tail.len().saturating_sub(6)..];
        format!("{day}-{}", tail.to_ascii_uppercase())
    }

    /// The documents the application needs but lacks, in form order.
    pub fn missing_documents(&self) -> Vec<DocumentKind> {
        DocumentKind::ALL
            .into_iter()
            .filter(|kind| kind.needed_by(&self.application))
            .filter(|kind| self.documents.get(kind).is_none_or(|status| status.state != DocumentState::Provided))
            .collect()
    }

    /// Whether an attachment of `kind` is on the case.
    pub fn has_attachment(&self, kind: AttachmentKind) -> bool {
        self.attachments.values().any(|attachment| attachment.kind == kind)
    }
}

/// Whether a village code names a 居委会 (urban, segment 001–199) rather than a 村委会 (rural,
/// 200–399). A malformed code counts as rural, the smaller cap.
pub fn is_urban(village_code: &str) -> bool {
    village_code
        .get(9..12)
        .and_then(|segment| segment.parse::<u32>().ok())
        .is_some_and(|segment| (1..200).contains(&segment))
}

/// The documents of a new case, or of one whose application facts changed: the always-required
/// ones as they were (missing if new), each consent missing when needed (unless provided) and not
/// needed otherwise (unless provided: a consent given is kept).
pub fn documents_for(
    application: &CaseApplication,
    documents: &BTreeMap<DocumentKind, DocumentStatus>,
) -> BTreeMap<DocumentKind, DocumentStatus> {
    DocumentKind::ALL
        .into_iter()
        .map(|kind| {
            let mut status = documents.get(&kind).cloned().unwrap_or_default();
            let needed = kind.needed_by(application);
            status.state = match status.state {
                DocumentState::Provided => DocumentState::Provided,
                _ if needed => DocumentState::Missing,
                _ => DocumentState::NotNeeded,
            };
            (kind, status)
        })
        .collect()
}

// Workflow --------------------------------------------------------------------------------------

/// Where a case stands, from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseProgress {
    /// The step the case is at (归档 once archived).
    pub step: CaseStep,
    /// 归档 is done: the file is closed.
    pub archived: bool,
    /// When the case reached `step` (`YYYY-MM-DDTHH:MM:SS`): the event that moved it there, or
    /// the opening of the case.
    pub since: String,
    /// The reason of the return that brought the case back to `step`, if that is how it got here.
    pub returned_reason: Option<String>,
    /// Ids of events that did not apply (for a step the case was not at), in id order. They
    /// can only arrive by sync (a write checks first) and are shown, never applied.
    pub ignored: Vec<String>,
}

/// Why an event for `step` with `outcome` cannot apply to a case at `progress`, in Chinese;
/// `None` when it applies.
pub fn refusal(progress: &CaseProgress, step: CaseStep, outcome: StepOutcome) -> Option<String> {
    if progress.archived {
        return Some("该档案已归档，不能再办理".to_owned());
    }
    if step != progress.step {
        return Some(format!(
            "当前环节是「{}」，不能办理「{}」：各环节须依次办理，不能跳过",
            progress.step.label(),
            step.label()
        ));
    }
    if outcome == StepOutcome::Returned && step.previous().is_none() {
        return Some(format!("「{}」是第一个环节，不能退回", step.label()));
    }
    None
}

/// Where a case opened at `opened_at` stands after `events`: each event, in id order, that is
/// for the current step applies (done: on to the next step, or archived after 归档; returned:
/// back to the previous step); any other is ignored and listed. Voided events never apply.
pub fn replay<'a>(opened_at: &str, events: impl IntoIterator<Item = &'a CaseEvent>) -> CaseProgress {
    let mut ordered: Vec<&CaseEvent> = events.into_iter().filter(|event| !event.meta.is_voided()).collect();
    ordered.sort_by(|a, b| a.id.cmp(&b.id));
    let mut progress = CaseProgress {
        step: CaseStep::Application,
        archived: false,
        since: opened_at.to_owned(),
        returned_reason: None,
        ignored: Vec::new(),
    };
    for event in ordered {
        if refusal(&progress, event.step, event.outcome).is_some() {
            progress.ignored.push(event.id.clone());
            continue;
        }
        match (event.outcome, event.step.next()) {
            (StepOutcome::Done, Some(next)) => {
                progress.step = next;
                progress.returned_reason = None;
            }
            (StepOutcome::Done, None) => {
                progress.archived = true;
                progress.returned_reason = None;
            }
            (StepOutcome::Returned, _) => {
                progress.step = event.step.previous().unwrap_or(CaseStep::Application);
                progress.returned_reason = Some(event.notes.clone());
            }
        }
        progress.since = event.at.clone();
    }
    progress
}

// Eligibility -----------------------------------------------------------------------------------

/// Whether a household may apply, and why, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Eligibility {
    pub eligible: bool,
    /// One sentence, e.g. 符合改造条件：低保家庭，老人年满80周岁.
    pub summary: String,
    /// Each rule checked and how it came out.
    pub reasons: Vec<String>,
}

/// What eligibility is judged from: the elder's facts on the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EligibilityQuestion<'a> {
    pub age: u32,
    pub categories: &'a [Category],
    pub economic: EconomicStatus,
    pub life: LifeState,
}

/// Whether a household is eligible under the county's rules: its economic status is one the
/// rules list, and the elder meets one of the rules' conditions (by default 80 or older, 失能
/// or 重残); a deceased or moved elder is not.
pub fn eligibility(rules: &AdaptationRules, question: &EligibilityQuestion<'_>) -> Eligibility {
    let mut reasons = Vec::new();
    let mut failed = Vec::new();
    match question.life {
        LifeState::Active => {}
        LifeState::Deceased => failed.push("老人已去世".to_owned()),
        LifeState::Moved => failed.push("老人已迁出".to_owned()),
    }
    let economic_names: Vec<&str> = rules.eligible_economic.iter().map(|status| status.label()).collect();
    if question.economic.is_among(&rules.eligible_economic) {
        reasons.push(format!("家庭经济状况为{}，属于改造对象", question.economic.label()));
    } else {
        let reason =
            format!("家庭经济状况为「{}」，不属于{}家庭", question.economic.label(), economic_names.join("、"));
        reasons.push(reason.clone());
        failed.push(reason);
    }
    let met = rules
        .elder_conditions
        .iter()
        .find(|condition| condition.holds(question.age, question.categories, question.economic));
    match met {
        Some(condition) => reasons.push(format!("老人{}", describe(condition))),
        None => {
            let wanted: Vec<String> = rules.elder_conditions.iter().map(describe).collect();
            let reason = format!("老人不满足以下任一条件：{}", wanted.join("；"));
            reasons.push(reason.clone());
            failed.push(reason);
        }
    }
    let eligible = failed.is_empty();
    let summary = if eligible {
        format!("符合改造条件：{}", reasons.join("，"))
    } else {
        format!("不符合改造条件：{}", failed.join("；"))
    };
    Eligibility { eligible, summary, reasons }
}

/// A condition in Chinese, e.g. 年满80周岁, 属失能, 属重残.
fn describe(condition: &TierCondition) -> String {
    let mut parts = Vec::new();
    if let Some(age) = condition.min_age {
        parts.push(format!("年满{age}周岁"));
    }
    if !condition.any_category.is_empty() {
        let names: Vec<&str> = condition.any_category.iter().map(|category| category.label()).collect();
        parts.push(format!("属{}", names.join("或")));
    }
    if !condition.any_economic.is_empty() {
        let names: Vec<&str> = condition.any_economic.iter().map(|status| status.label()).collect();
        parts.push(format!("家庭为{}", names.join("或")));
    }
    if parts.is_empty() { "无条件".to_owned() } else { parts.join("且") }
}

// Plan ------------------------------------------------------------------------------------------

/// What a plan costs and who pays: 基础 items are subsidised up to the cap, 可选 items are paid
/// by the household. All in 分.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlanTotals {
    pub total: i64,
    /// The sum of the 基础 items.
    pub basic: i64,
    /// The sum of the 可选 items.
    pub optional: i64,
    pub subsidy: i64,
    pub self_paid: i64,
    /// The county's cap on the subsidy for this household.
    pub cap: i64,
}

/// The totals of `plan` under a per-household `cap`: the subsidy is the 基础 items' sum (at
/// most the cap; a plan over it is refused by [`cap_problem`]), the household pays the rest.
pub fn plan_totals<'a>(plan: impl IntoIterator<Item = &'a PlanItem>, cap: i64) -> PlanTotals {
    let mut totals = PlanTotals { cap, ..PlanTotals::default() };
    for item in plan {
        if item.basic {
            totals.basic += item.amount();
        } else {
            totals.optional += item.amount();
        }
    }
    totals.total = totals.basic + totals.optional;
    totals.subsidy = totals.basic.min(cap);
    totals.self_paid = totals.total - totals.subsidy;
    totals
}

/// The cap of a household's kind under `rules`.
pub fn cap_for(rules: &AdaptationRules, urban: bool) -> i64 {
    if urban { rules.cap_urban } else { rules.cap_rural }
}

/// The refusal of a plan whose 基础 items exceed the household's cap, naming both amounts.
pub fn cap_problem(totals: &PlanTotals, urban: bool) -> Option<Problem> {
    (totals.basic > totals.cap).then(|| Problem {
        field: "items".to_owned(),
        rule: Rule::OutOfRange,
        message: format!(
            "改造方案的基础项目合计 {} 元，超出{}家庭每户 {} 元的补贴上限",
            yuan(totals.basic),
            if urban { "城镇" } else { "农村" },
            yuan(totals.cap)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::huichang_default;

    fn event(id: &str, step: CaseStep, outcome: StepOutcome, notes: &str) -> CaseEvent {
        CaseEvent {
            id: id.to_owned(),
            case_id: "c".to_owned(),
            step,
            outcome,
            by: "u".to_owned(),
            at: format!("2026-11-{:02}T09:00:00", id.len() + 1),
            notes: notes.to_owned(),
            meta: RecordMeta::default(),
        }
    }

    fn ask(age: u32, categories: &[Category], economic: EconomicStatus) -> Eligibility {
        let rules = huichang_default().adaptation;
        eligibility(&rules, &EligibilityQuestion { age, categories, economic, life: LifeState::Active })
    }

    #[test]
    fn a_new_case_is_at_application_since_its_opening() {
        let progress = replay("2026-11-01T08:00:00", []);
        assert_eq!((progress.step, progress.archived), (CaseStep::Application, false));
        assert_eq!(progress.since, "2026-11-01T08:00:00");
    }

    #[test]
    fn done_moves_a_case_on_and_a_return_sends_it_back_with_its_reason() {
        let events = [
            event("01", CaseStep::Application, StepOutcome::Done, ""),
            event("02", CaseStep::TownshipReview, StepOutcome::Done, ""),
            event("03", CaseStep::CountyReview, StepOutcome::Returned, "困难证明不清晰"),
        ];
        let progress = replay("2026-11-01T08:00:00", &events);
        assert_eq!(progress.step, CaseStep::TownshipReview);
        assert_eq!(progress.returned_reason.as_deref(), Some("困难证明不清晰"));
        assert_eq!(progress.since, events[2].at);
        let mut more = events.to_vec();
        more.push(event("04", CaseStep::TownshipReview, StepOutcome::Done, "已补充"));
        more.push(event("05", CaseStep::CountyReview, StepOutcome::Done, ""));
        let progress = replay("2026-11-01T08:00:00", &more);
        assert_eq!((progress.step, progress.returned_reason), (CaseStep::Assessment, None));
        assert!(progress.ignored.is_empty());
    }

    #[test]
    fn events_apply_in_id_order_whatever_order_they_arrive_in() {
        let events = [
            event("02", CaseStep::TownshipReview, StepOutcome::Done, ""),
            event("01", CaseStep::Application, StepOutcome::Done, ""),
        ];
        assert_eq!(replay("2026-11-01T08:00:00", &events).step, CaseStep::CountyReview);
    }

    #[test]
    fn an_event_for_another_step_is_ignored_and_reported() {
        let events = [
            event("01", CaseStep::Application, StepOutcome::Done, ""),
            // Skips 乡镇初审.
            event("02", CaseStep::CountyReview, StepOutcome::Done, ""),
            // Two devices both finished 乡镇初审: the later one no longer applies.
            event("03", CaseStep::TownshipReview, StepOutcome::Done, ""),
            event("04", CaseStep::TownshipReview, StepOutcome::Done, ""),
        ];
        let progress = replay("2026-11-01T08:00:00", &events);
        assert_eq!(progress.step, CaseStep::CountyReview);
        assert_eq!(progress.ignored, ["02", "04"]);
    }

    #[test]
    fn an_application_cannot_be_returned_and_an_archived_case_takes_nothing_more() {
        let first = replay("2026-11-01T08:00:00", []);
        let refused = refusal(&first, CaseStep::Application, StepOutcome::Returned).unwrap();
        assert!(refused.contains("不能退回"), "{refused}");
        let all_done: Vec<CaseEvent> = CaseStep::ALL
            .iter()
            .enumerate()
            .map(|(index, step)| event(&format!("{index:02}"), *step, StepOutcome::Done, ""))
            .collect();
        let archived = replay("2026-11-01T08:00:00", &all_done);
        assert!(archived.archived);
        assert_eq!(archived.step, CaseStep::Archived);
        assert!(refusal(&archived, CaseStep::Archived, StepOutcome::Done).unwrap().contains("已归档"));
    }

    #[test]
    fn a_step_out_of_order_is_refused_naming_the_current_step() {
        let progress = replay("2026-11-01T08:00:00", []);
        let refused = refusal(&progress, CaseStep::Plan, StepOutcome::Done).unwrap();
        assert!(refused.contains("当前环节是「申请」") && refused.contains("改造方案"), "{refused}");
    }

    #[test]
    fn the_county_does_its_two_steps_and_the_township_the_rest() {
        let county: Vec<CaseStep> = CaseStep::ALL.into_iter().filter(|step| step.by_county()).collect();
        assert_eq!(county, [CaseStep::CountyReview, CaseStep::Settlement]);
        assert_eq!(CaseStep::Application.previous(), None);
        assert_eq!(CaseStep::Archived.next(), None);
        assert_eq!(CaseStep::Plan.next(), Some(CaseStep::Construction));
    }

    #[test]
    fn a_dibao_household_with_an_elder_of_eighty_is_eligible_and_says_why() {
        let answer = ask(82, &[], EconomicStatus::Dibao);
        assert!(answer.eligible);
        assert_eq!(answer.summary, "符合改造条件：家庭经济状况为低保，属于改造对象，老人年满80周岁");
        assert!(ask(66, &[Category::Disabled], EconomicStatus::TekunDispersed).eligible);
        assert!(ask(70, &[Category::SeverelyDisabled], EconomicStatus::PovertyAlleviated).eligible);
        assert!(ask(61, &[Category::Disabled], EconomicStatus::LowIncome).eligible);
    }

    #[test]
    fn a_household_that_is_not_poor_or_an_elder_who_is_young_and_able_is_not_eligible() {
        let not_poor = ask(85, &[Category::Disabled], EconomicStatus::None);
        assert!(!not_poor.eligible);
        assert!(not_poor.summary.contains("家庭经济状况为「无」"), "{}", not_poor.summary);
        let able = ask(70, &[Category::LivingAlone], EconomicStatus::Dibao);
        assert!(!able.eligible);
        assert!(able.summary.contains("年满80周岁") && able.summary.contains("属失能"), "{}", able.summary);
        let rules = huichang_default().adaptation;
        let deceased = eligibility(
            &rules,
            &EligibilityQuestion {
                age: 90,
                categories: &[],
                economic: EconomicStatus::Dibao,
                life: LifeState::Deceased,
            },
        );
        assert!(!deceased.eligible && deceased.summary.contains("已去世"));
    }

    #[test]
    fn stored_policies_without_eligibility_rules_get_the_defaults() {
        let mut stored = serde_json::to_value(huichang_default().adaptation).unwrap();
        let object = stored.as_object_mut().unwrap();
        object.remove("eligible_economic");
        object.remove("elder_conditions");
        let rules: AdaptationRules = serde_json::from_value(stored).unwrap();
        assert_eq!(rules, huichang_default().adaptation);
    }

    fn item(code: &str, quantity: u32, unit_price: i64, basic: bool) -> PlanItem {
        PlanItem { catalog_code: code.to_owned(), quantity, unit_price, basic }
    }

    #[test]
    fn basic_items_are_subsidised_and_optional_ones_paid_by_the_household() {
        let plan = [item("A01", 6, 6_000, true), item("A13", 2, 25_000, true), item("A20", 3, 8_000, false)];
        let totals = plan_totals(&plan, 200_000);
        assert_eq!((totals.basic, totals.optional, totals.total), (86_000, 24_000, 110_000));
        assert_eq!((totals.subsidy, totals.self_paid), (86_000, 24_000));
        assert_eq!(cap_problem(&totals, false), None);
    }

    #[test]
    fn basic_items_over_the_cap_are_refused_naming_both_amounts() {
        let plan = [item("A02", 5, 30_000, true), item("A11", 2, 30_000, true), item("A24", 1, 5_000, true)];
        let totals = plan_totals(&plan, 200_000);
        let problem = cap_problem(&totals, false).unwrap();
        assert_eq!(problem.message, "改造方案的基础项目合计 2,150.00 元，超出农村家庭每户 2,000.00 元的补贴上限");
        let urban = plan_totals(&plan, 400_000);
        assert_eq!(cap_problem(&urban, true), None);
        assert!(cap_problem(&plan_totals(&plan, 100_000), true).unwrap().message.contains("城镇家庭每户 1,000.00 元"));
    }

    #[test]
    fn residents_committees_are_urban_and_village_committees_rural() {
        assert!(is_urban("360733105001"));
        assert!(is_urban("360733105199"));
        assert!(!is_urban("360733105200"));
        assert!(!is_urban("360733105211"));
        assert!(!is_urban("3607"));
    }

    #[test]
    fn consents_are_needed_only_when_the_application_says_so() {
        let own_house = CaseApplication::default();
        let documents = documents_for(&own_house, &BTreeMap::new());
        assert_eq!(documents[&DocumentKind::ApplicationForm].state, DocumentState::Missing);
        assert_eq!(documents[&DocumentKind::OwnerConsent].state, DocumentState::NotNeeded);
        let rented = CaseApplication { owner_consent_needed: true, ..CaseApplication::default() };
        let documents = documents_for(&rented, &documents);
        assert_eq!(documents[&DocumentKind::OwnerConsent].state, DocumentState::Missing);
        assert_eq!(documents[&DocumentKind::NeighbourConsent].state, DocumentState::NotNeeded);
    }
}
