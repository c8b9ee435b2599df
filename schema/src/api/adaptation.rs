//! Home adaptation (居家适老化改造，一户一档): eligibility, case files, steps, plans, attachments, lists.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::app::FilePassword;

use crate::adaptation::{
    AdaptationCase, AttachmentKind, CaseApplication, CaseAttachment, CaseEvent, CaseProgress, CaseStep, DocumentKind,
    DocumentState, Eligibility, PlanItem, PlanTotals, StepOutcome,
};
use crate::assessment::Assessment;
use crate::elder::{Category, EconomicStatus};
use crate::policy::CatalogItem;
use crate::record::Gender;

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
    /// The file, stored first with `add_attachment` (its bytes cross as a raw body).
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseId {
    pub case_id: String,
}

/// Prints a case's file (一户一档) as a PDF locked with `password`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrintCaseFile {
    pub case_id: String,
    #[ts(type = "string")]
    pub password: FilePassword,
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
