//! Home adaptation (居家适老化改造，一户一档) on the replica: who may apply, opening a case file,
//! its application facts and documents, the workflow from 申请 to 归档 with who may do each
//! step and what each step needs, the plan priced from the county's catalog within the
//! per-household cap, the elder's signature, photos and scans, ability assessments kept on the
//! elder, the case page, and the county's list of cases by step and township.
//!
//! A case lives in its own shard (`adaptation/<village>/<case>`), with the township's step
//! events under `event/<id>`; the county's steps (县级审核, 结算拨付) go to the township's review
//! shard under `case/<id>`, which only a county role writes. The current step is never stored:
//! it is replayed from the events ([`xianglin_schema::adaptation::replay`]), and the projection
//! keeps the result in `adaptation_cases.step`. Assessments live in the elder's village shard
//! under `assessment/<id>`. Attachment bytes go to the [`AttachmentStore`]; the case refers to
//! them by hash, so they travel like visit photos. Printing the case file is the app's
//! (`src-tauri/src/print.rs`), from [`case_detail`].
//!
//! Every refusal is `Error::Problems` worded in Chinese and writes nothing.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use xianglin_schema::adaptation::{
    self, AdaptationCase, AttachmentKind, CaseApplication, CaseAttachment, CaseEvent, CaseProgress, CaseStep,
    DocumentState, Eligibility, EligibilityQuestion, PlanItem, PlanSignature, StepOutcome,
};
use xianglin_schema::api::{
    AdaptationCaseList, AdaptationCasesRequest, AdaptationCatalog, AdaptationEligibility, AddCaseAttachment,
    CaseAttachmentRow, CaseDetail, CaseDocumentRow, CaseElder, CaseEventRow, CasePlanLine, CaseRow, CaseStepCount,
    OpenAdaptationCase, RecordCaseStep, SaveAdaptationCase, SaveCasePlan, SignCasePlan,
};
use xianglin_schema::assessment::{self, Assessment};
use xianglin_schema::elder::Elder;
use xianglin_schema::id_number;
use xianglin_schema::policy::{self, Policy};
use xianglin_schema::problem::{Problem, Rule};
use xianglin_schema::record::{RecordMeta, format_datetime, new_id};
use xianglin_schema::user::Role;

use crate::lookup::current_elder;
use crate::lookup::policies;
use crate::lookup::user_role;
use xianglin_sync::Error;
use xianglin_sync::Replica;
use xianglin_sync::Result;
use xianglin_sync::attachments::AttachmentStore;
use xianglin_sync::projection::county_key;
use xianglin_sync::projection::from_text;
use xianglin_sync::replica::to_json;
use xianglin_sync::shard::ShardId;

/// Whether an elder's household may apply today, and why; with the cap of its kind and the
/// elder's case still open, if any.
pub fn eligibility(replica: &Replica, elder_id: &str) -> Result<AdaptationEligibility> {
    let elder = current_elder(replica, elder_id)?;
    let today = replica.today();
    let policy = policy_in_force(replica)?;
    let urban = adaptation::is_urban(&elder.village_code);
    Ok(AdaptationEligibility {
        elder_id: elder.id.clone(),
        elder_name: elder.name.clone(),
        age: elder.age_on(today),
        economic_status: elder.economic_status,
        categories: elder.categories_on(today),
        urban,
        cap: adaptation::cap_for(&policy.adaptation, urban),
        eligibility: eligibility_of(&policy, &elder, today),
        open_case_id: open_case_of(replica, &elder.id)?,
    })
}

/// The adaptation catalog and caps of the policy in force on `on`.
pub fn catalog(replica: &Replica, on: NaiveDate) -> Result<AdaptationCatalog> {
    let policies = policies(replica)?;
    let policy = policy::in_force(&policies, on).ok_or_else(|| Error::Problems(vec![no_policy()]))?;
    Ok(AdaptationCatalog {
        policy_version: policy.version.clone(),
        cap_rural: policy.adaptation.cap_rural,
        cap_urban: policy.adaptation.cap_urban,
        items: policy.adaptation.catalog.clone(),
    })
}

/// Opens a case file for an elder's household, at 申请. Refused: an elder not on the registry,
/// a household that is not eligible (naming why), an elder whose case is still open, an
/// application without applicant or dwelling owner.
pub fn open_case(replica: &mut Replica, request: &OpenAdaptationCase) -> Result<CaseDetail> {
    let elder = match current_elder(replica, &request.elder_id) {
        Err(Error::NotFound(_)) => {
            return Err(Error::Problems(vec![Problem::new("elder_id", "改造对象", Rule::Required)]));
        }
        other => other?,
    };
    let policy = policy_in_force(replica)?;
    let mut problems = application_problems(&request.application);
    let answer = eligibility_of(&policy, &elder, replica.today());
    if !answer.eligible {
        problems.push(crate::refused_now("elder_id", &format!("该户{}", answer.summary)));
    }
    if open_case_of(replica, &elder.id)?.is_some() {
        problems.push(crate::refused_now("elder_id", "该老人已有尚未归档的改造档案（一户一档），请在原档案中办理"));
    }
    if request.notes.chars().count() > NOTES_MAX {
        problems.push(Problem::new("notes", "备注", Rule::TooLong));
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    let application = trimmed(&request.application);
    let case = AdaptationCase {
        id: new_id(),
        elder_id: elder.id.clone(),
        village_code: elder.village_code.clone(),
        urban: adaptation::is_urban(&elder.village_code),
        documents: adaptation::documents_for(&application, &BTreeMap::new()),
        application,
        attachments: BTreeMap::new(),
        plan: BTreeMap::new(),
        plan_policy_version: None,
        plan_signed: None,
        assessment_id: None,
        notes: request.notes.trim().to_owned(),
        meta: RecordMeta::created(replica.now(), replica.user_id()),
    };
    let shard = ShardId::adaptation(&case.village_code, &case.id);
    replica.commit_record(&shard, case.id.clone(), &case)?;
    tracing::info!(case = %case.id, village = %case.village_code, "adaptation case opened");
    case_detail(replica, &case.id)
}

/// Saves a case's application facts, where its documents stand, and its notes. The always
/// needed documents cannot be marked not needed, nor a consent the application needs; a consent
/// it no longer needs becomes not needed (unless provided).
pub fn save_case_details(replica: &mut Replica, request: &SaveAdaptationCase) -> Result<CaseDetail> {
    let (shard, mut case) = stored_case(replica, &request.case_id)?;
    let progress = progress_of(replica, &case)?;
    let mut problems = application_problems(&request.application);
    if progress.archived {
        problems.push(archived_refusal());
    }
    let application = trimmed(&request.application);
    for (kind, state) in &request.documents {
        if *state == DocumentState::NotNeeded && kind.needed_by(&application) {
            let message = if kind.always_required() {
                format!("{}是必需的申请材料，不能标记为无需提供", kind.label())
            } else {
                format!("本申请需要{}，不能标记为无需提供", kind.label())
            };
            problems.push(crate::refused_now(&format!("documents.{}", key_of(kind)), &message));
        }
    }
    if request.notes.chars().count() > NOTES_MAX {
        problems.push(Problem::new("notes", "备注", Rule::TooLong));
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    let mut documents = case.documents.clone();
    for (kind, state) in &request.documents {
        documents.entry(*kind).or_default().state = *state;
    }
    case.documents = adaptation::documents_for(&application, &documents);
    case.application = application;
    case.notes = request.notes.trim().to_owned();
    replica.commit_record(&shard, case.id.clone(), &case)?;
    case_detail(replica, &case.id)
}

/// Marks a case's current step done, or returns it to the previous step with a reason.
/// Refused, with nothing written: a step other than the current one (steps are never skipped),
/// a county step by anyone but a county reviewer, a township step by anyone but a station
/// director or a county reviewer, a return without a reason or of the first step, and a step
/// done without what it needs (see [`CaseDetail::missing`]).
pub fn record_step(replica: &mut Replica, request: &RecordCaseStep) -> Result<CaseDetail> {
    let (shard, mut case) = stored_case(replica, &request.case_id)?;
    let progress = progress_of(replica, &case)?;
    let mut problems = Vec::new();
    if let Some(reason) = adaptation::refusal(&progress, request.step, request.outcome) {
        problems.push(crate::refused_now("step", &reason));
    }
    if let Some(problem) = role_problem(replica, request.step)? {
        problems.push(problem);
    }
    let notes = request.notes.trim().to_owned();
    if request.outcome == StepOutcome::Returned && notes.is_empty() {
        problems.push(Problem::new("notes", "退回原因", Rule::Required));
    }
    if notes.chars().count() > NOTES_MAX {
        problems.push(Problem::new("notes", "备注", Rule::TooLong));
    }
    let mut linked_assessment = None;
    if problems.is_empty() && request.outcome == StepOutcome::Done {
        let elder = current_elder(replica, &case.elder_id)?;
        let policies = policies(replica)?;
        let policy = policy::in_force(&policies, replica.today());
        problems.extend(
            missing_for(replica, &case, &elder, request.step, policy)?.into_iter().map(|missing| {
                crate::refused_now("step", &format!("「{}」尚不能办结：{missing}", request.step.label()))
            }),
        );
        if request.step == CaseStep::Assessment {
            linked_assessment = qualifying_assessment(replica, &case)?;
        }
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    let now = replica.now();
    let event = CaseEvent {
        id: new_id(),
        case_id: case.id.clone(),
        step: request.step,
        outcome: request.outcome,
        by: replica.user_id().to_owned(),
        at: format_datetime(now),
        notes,
        meta: RecordMeta::created(now, replica.user_id()),
    };
    if request.step.by_county() {
        let review = ShardId::review(&township_of(&case.village_code));
        replica.commit_record(&review, county_key("case", &event.id), &event)?;
    } else {
        let mut records = vec![(county_key("event", &event.id), to_json(&event)?)];
        if let Some(assessment) = linked_assessment {
            case.assessment_id = Some(assessment.id);
            records.push((case.id.clone(), replica.record_json(&shard, &case.id, &case)?));
        }
        replica.commit(&shard, &records, &replica.author())?;
    }
    tracing::info!(case = %case.id, step = ?request.step, outcome = ?request.outcome, "case step recorded");
    case_detail(replica, &case.id)
}

/// Saves a case's plan: every line an item of the catalog of the policy in force, priced from
/// it, at least one of each. Refused: an unknown item, a quantity of 0, an item twice, 基础
/// items over the household's cap (naming both amounts), and a plan already carried out
/// (the case is past 改造方案). A changed plan needs the elder's signature again.
pub fn save_plan(replica: &mut Replica, request: &SaveCasePlan) -> Result<CaseDetail> {
    let (shard, mut case) = stored_case(replica, &request.case_id)?;
    let progress = progress_of(replica, &case)?;
    let policy = policy_in_force(replica)?;
    let mut problems = Vec::new();
    if let Some(problem) = plan_editable(&progress) {
        problems.push(problem);
    }
    let mut plan = BTreeMap::new();
    for (index, line) in request.items.iter().enumerate() {
        let code = line.catalog_code.trim();
        let Some(item) = policy.adaptation.catalog.iter().find(|item| item.code == code) else {
            problems.push(crate::refused_now(
                &format!("items.{index}.catalog_code"),
                &format!("改造项目「{code}」不在本县的改造目录中"),
            ));
            continue;
        };
        if line.quantity == 0 {
            problems.push(crate::refused_now(
                &format!("items.{index}.quantity"),
                &format!("「{}」的数量应至少为1", item.name),
            ));
        }
        if plan.contains_key(code) {
            problems.push(crate::refused_now(
                &format!("items.{index}.catalog_code"),
                &format!("改造项目「{}」重复，请合并数量", item.name),
            ));
        }
        plan.insert(
            code.to_owned(),
            PlanItem {
                catalog_code: code.to_owned(),
                quantity: line.quantity,
                unit_price: item.unit_price,
                basic: item.basic,
            },
        );
    }
    let totals = adaptation::plan_totals(plan.values(), adaptation::cap_for(&policy.adaptation, case.urban));
    if let Some(problem) = adaptation::cap_problem(&totals, case.urban) {
        problems.push(problem);
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    if plan != case.plan {
        case.plan_signed = None;
    }
    case.plan = plan;
    case.plan_policy_version = Some(policy.version.clone());
    replica.commit_record(&shard, case.id.clone(), &case)?;
    case_detail(replica, &case.id)
}

/// Records the elder's signature of the plan as it is (the elder's name when `signer` is empty).
pub fn sign_plan(replica: &mut Replica, request: &SignCasePlan) -> Result<CaseDetail> {
    let (shard, mut case) = stored_case(replica, &request.case_id)?;
    let progress = progress_of(replica, &case)?;
    let mut problems = Vec::new();
    if let Some(problem) = plan_editable(&progress) {
        problems.push(problem);
    }
    if case.plan.is_empty() {
        problems.push(crate::refused_now("plan", "改造方案尚无改造项目，不能签字确认"));
    }
    if request.signed_on > replica.today() {
        problems.push(Problem::new("signed_on", "签字日期", Rule::DateInFuture));
    }
    if case.opened_on().is_some_and(|opened| request.signed_on < opened) {
        problems.push(crate::refused_now("signed_on", "签字日期不能早于建档日期"));
    }
    if request.signer.chars().count() > NAME_MAX {
        problems.push(Problem::new("signer", "签字人", Rule::TooLong));
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    let signer = match request.signer.trim() {
        "" => current_elder(replica, &case.elder_id)?.name,
        signer => signer.to_owned(),
    };
    case.plan_signed = Some(PlanSignature { signed_on: request.signed_on, signer });
    replica.commit_record(&shard, case.id.clone(), &case)?;
    case_detail(replica, &case.id)
}

/// Stores a photo or scan (once, by SHA-256) and attaches it to a case at a step; with
/// `document`, the scan also marks that application document provided. Refused before anything
/// is stored: an archived case, a step the case has not reached; then by the store: a file that
/// is not an image or PDF, or is over the size limit.
pub fn add_case_attachment(
    replica: &mut Replica,
    store: &AttachmentStore,
    request: &AddCaseAttachment,
) -> Result<CaseDetail> {
    let (shard, mut case) = stored_case(replica, &request.case_id)?;
    let progress = progress_of(replica, &case)?;
    let mut problems = Vec::new();
    if progress.archived {
        problems.push(archived_refusal());
    } else if request.step > progress.step {
        problems.push(crate::refused_now(
            "step",
            &format!("案件尚未办理到「{}」，不能为该环节添加附件", request.step.label()),
        ));
    }
    if request.caption.chars().count() > CAPTION_MAX {
        problems.push(Problem::new("caption", "附件说明", Rule::TooLong));
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    let stored = store.describe(&request.sha256).map_err(|_| {
        Error::Problems(vec![Problem::new("attachment", "附件文件（未找到，请重新选择）", Rule::Required)])
    })?;
    case.attachments.insert(
        stored.sha256.clone(),
        CaseAttachment {
            step: request.step,
            kind: request.kind,
            caption: request.caption.trim().to_owned(),
            mime: stored.mime.clone(),
            size: stored.size,
            added_at: format_datetime(replica.now()),
            added_by: replica.user_id().to_owned(),
        },
    );
    if let Some(kind) = request.document {
        let status = case.documents.entry(kind).or_default();
        status.state = DocumentState::Provided;
        if !status.attachments.contains(&stored.sha256) {
            status.attachments.push(stored.sha256.clone());
        }
    }
    replica.commit_record(&shard, case.id.clone(), &case)?;
    case_detail(replica, &case.id)
}

/// Records an ability assessment (GB/T 42195-2022) of an elder, new if its id is empty: checked
/// with [`assessment::validate`] (every item scored within its range, the date not in the
/// future, the assessor named), scored, and kept with its result on the elder's village shard.
pub fn record_assessment(replica: &mut Replica, assessment: Assessment) -> Result<Assessment> {
    let elder = match current_elder(replica, &assessment.elder_id) {
        Err(Error::NotFound(_)) => {
            return Err(Error::Problems(vec![Problem::new("elder_id", "评估对象", Rule::Required)]));
        }
        other => other?,
    };
    let problems = assessment::validate(&assessment, replica.today());
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    let existing: Option<(String, String)> = if assessment.id.is_empty() {
        None
    } else {
        replica
            .connection()
            .query_row("SELECT shard, body FROM assessments WHERE id = ?1", [&assessment.id], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()?
    };
    let mut assessment = Assessment { assessor: assessment.assessor.trim().to_owned(), ..assessment };
    let shard = match existing {
        Some((shard, body)) => {
            let stored: Assessment = serde_json::from_str(&body)?;
            if stored.elder_id != elder.id {
                return Err(Error::Problems(vec![crate::refused_now("elder_id", "评估记录与老人不符")]));
            }
            assessment.meta = stored.meta;
            shard.parse()?
        }
        None => {
            assessment.id = new_id();
            assessment.meta = RecordMeta::created(replica.now(), replica.user_id());
            ShardId::elders(&elder.village_code)
        }
    };
    assessment.elder_id = elder.id.clone();
    let assessment = assessment.with_result();
    replica.commit_record(&shard, county_key("assessment", &assessment.id), &assessment)?;
    Ok(assessment)
}

/// Every assessment of an elder, in every village they lived in, newest first.
pub fn assessments_of(replica: &Replica, elder_id: &str) -> Result<Vec<Assessment>> {
    let mut statement = replica.connection().prepare_cached(
        "SELECT body FROM assessments WHERE elder_id = ?1 AND voided = 0 ORDER BY assessed_on DESC, id DESC",
    )?;
    let bodies = statement.query_map([elder_id], |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    bodies.iter().map(|body| Ok(serde_json::from_str(body)?)).collect()
}

/// A case as its page shows it; the elder's ID number masked.
pub fn case_detail(replica: &Replica, case_id: &str) -> Result<CaseDetail> {
    let (_, case) = stored_case(replica, case_id)?;
    let elder = current_elder(replica, &case.elder_id)?;
    let today = replica.today();
    let policies = policies(replica)?;
    let policy = policy::in_force(&policies, today);
    let events = events_of(replica, &case.id)?;
    let progress = adaptation::replay(&case.meta.created_at, &events);
    let eligibility = match policy {
        Some(policy) => eligibility_of(policy, &elder, today),
        None => Eligibility { eligible: false, summary: no_policy().message, reasons: Vec::new() },
    };
    let missing =
        if progress.archived { Vec::new() } else { missing_for(replica, &case, &elder, progress.step, policy)? };
    let mut timeline = Vec::with_capacity(events.len());
    for event in events {
        timeline.push(CaseEventRow {
            step_label: event.step.label().to_owned(),
            outcome_label: event.outcome.label_at(event.step).to_owned(),
            by_name: crate::lookup::user_name(replica, &event.by)?.unwrap_or_else(|| "未登记用户".to_owned()),
            applied: !progress.ignored.contains(&event.id) && !event.meta.is_voided(),
            event,
        });
    }
    let documents = adaptation::DocumentKind::ALL
        .into_iter()
        .map(|kind| {
            let status = case.documents.get(&kind).cloned().unwrap_or_default();
            CaseDocumentRow {
                kind,
                label: kind.label().to_owned(),
                state: status.state,
                state_label: status.state.label().to_owned(),
                needed: kind.needed_by(&case.application),
                attachments: status.attachments,
            }
        })
        .collect();
    let plan_policy = case
        .plan_policy_version
        .as_ref()
        .and_then(|version| policies.iter().find(|policy| &policy.version == version))
        .or(policy);
    let plan = plan_lines(&case, plan_policy, &policies);
    let cap = policy.or(plan_policy).map_or(0, |policy| adaptation::cap_for(&policy.adaptation, case.urban));
    let plan_totals = adaptation::plan_totals(case.plan.values(), cap);
    let mut attachments: Vec<CaseAttachmentRow> = case
        .attachments
        .iter()
        .map(|(sha256, attachment)| CaseAttachmentRow {
            sha256: sha256.clone(),
            step_label: attachment.step.label().to_owned(),
            kind_label: attachment.kind.label().to_owned(),
            attachment: attachment.clone(),
        })
        .collect();
    attachments
        .sort_by(|a, b| (a.attachment.step, &a.attachment.added_at).cmp(&(b.attachment.step, &b.attachment.added_at)));
    let assessment = match &case.assessment_id {
        Some(id) => assessment_by_id(replica, id)?,
        None => None,
    };
    let assessment = match assessment {
        Some(assessment) => Some(assessment),
        None => assessments_of(replica, &elder.id)?.into_iter().next(),
    };
    let township_code = township_of(&case.village_code);
    Ok(CaseDetail {
        case_number: case.number(),
        elder: CaseElder {
            elder_id: elder.id.clone(),
            name: elder.name.clone(),
            id_number_masked: id_number::mask(&elder.id_number),
            gender: elder.gender,
            age: elder.age_on(today),
            address: elder.address.clone(),
            phone: elder.phone.clone(),
            economic_status: elder.economic_status,
            categories: elder.categories_on(today),
            village_name: crate::lookup::place_name(replica, &case.village_code)?.unwrap_or_default(),
            township_name: crate::lookup::place_name(replica, &township_code)?.unwrap_or_default(),
            township_code,
        },
        eligibility,
        step_label: step_label(&progress),
        days_waiting: if progress.archived { 0 } else { days_since(&progress.since, today) },
        county_step: !progress.archived && progress.step.by_county(),
        progress,
        missing,
        timeline,
        documents,
        plan,
        plan_totals,
        attachments,
        assessment,
        case,
    })
}

/// The cases of a place (village, township or county; `None`: all the replica holds), at one
/// step or every step, longest waiting first; with how many wait at each step of each township.
pub fn cases(replica: &Replica, request: &AdaptationCasesRequest) -> Result<AdaptationCaseList> {
    let prefix = crate::lookup::place_prefix(request.place_code.as_deref())?;
    let step = request.step.map(|step| xianglin_sync::projection::text(&step));
    let today = replica.today();
    let mut statement = replica.connection().prepare_cached(
        "SELECT c.body, c.township_code, coalesce(t.name, ''), c.village_code, coalesce(v.name, ''), c.elder_id,
                coalesce((SELECT e.name FROM current_elders e WHERE e.id = c.elder_id), ''),
                c.step, c.archived, c.step_since
         FROM adaptation_cases c
         LEFT JOIN places t ON t.code = c.township_code
         LEFT JOIN places v ON v.code = c.village_code
         WHERE c.voided = 0 AND c.village_code LIKE ?1 || '%' AND (?2 IS NULL OR c.step = ?2)
           AND (?3 OR c.archived = 0)",
    )?;
    let rows = statement
        .query_map(params![prefix, step, request.include_archived], |row| {
            Ok((
                row.get::<_, String>(0)?,
                CaseRow {
                    case_id: String::new(),
                    case_number: String::new(),
                    township_code: row.get(1)?,
                    township_name: row.get(2)?,
                    village_code: row.get(3)?,
                    village_name: row.get(4)?,
                    elder_id: row.get(5)?,
                    elder_name: row.get(6)?,
                    step: from_text(&row.get::<_, String>(7)?).unwrap_or(CaseStep::Application),
                    step_label: String::new(),
                    archived: row.get(8)?,
                    since: row.get(9)?,
                    days_waiting: 0,
                },
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut list = Vec::with_capacity(rows.len());
    for (body, mut row) in rows {
        let case: AdaptationCase = serde_json::from_str(&body)?;
        row.case_id = case.id.clone();
        row.case_number = case.number();
        row.step_label = if row.archived { "已归档".to_owned() } else { row.step.label().to_owned() };
        row.days_waiting = if row.archived { 0 } else { days_since(&row.since, today) };
        list.push(row);
    }
    list.sort_by(|a, b| {
        (b.days_waiting, &a.township_code, &a.village_code, &a.elder_name, &a.case_id).cmp(&(
            a.days_waiting,
            &b.township_code,
            &b.village_code,
            &b.elder_name,
            &b.case_id,
        ))
    });
    let mut counts: BTreeMap<(String, CaseStep), CaseStepCount> = BTreeMap::new();
    for row in &list {
        let count = counts.entry((row.township_code.clone(), row.step)).or_insert_with(|| CaseStepCount {
            township_code: row.township_code.clone(),
            township_name: row.township_name.clone(),
            step: row.step,
            step_label: row.step.label().to_owned(),
            cases: 0,
            longest_wait_days: 0,
        });
        count.cases += 1;
        count.longest_wait_days = count.longest_wait_days.max(row.days_waiting);
    }
    Ok(AdaptationCaseList { rows: list, counts: counts.into_values().collect() })
}

/// The events of a case from both of its shards, in id order (the order they apply in).
pub fn events_of(replica: &Replica, case_id: &str) -> Result<Vec<CaseEvent>> {
    let mut statement =
        replica.connection().prepare_cached("SELECT body FROM case_events WHERE case_id = ?1 ORDER BY id")?;
    let bodies = statement.query_map([case_id], |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    bodies.iter().map(|body| Ok(serde_json::from_str(body)?)).collect()
}

// Helpers ---------------------------------------------------------------------------------------

const NOTES_MAX: usize = 2000;
const NAME_MAX: usize = 40;
const CAPTION_MAX: usize = 100;

/// A case and the shard it lives in, or `NotFound`.
fn stored_case(replica: &Replica, case_id: &str) -> Result<(ShardId, AdaptationCase)> {
    let (shard, body): (String, String) = replica
        .connection()
        .prepare_cached("SELECT shard, body FROM adaptation_cases WHERE id = ?1 AND voided = 0")?
        .query_row([case_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("adaptation case {case_id}")))?;
    Ok((shard.parse()?, serde_json::from_str(&body)?))
}

fn progress_of(replica: &Replica, case: &AdaptationCase) -> Result<CaseProgress> {
    Ok(adaptation::replay(&case.meta.created_at, &events_of(replica, &case.id)?))
}

/// What `case` still needs before `step` can be marked done, in Chinese (empty: nothing).
fn missing_for(
    replica: &Replica,
    case: &AdaptationCase,
    elder: &Elder,
    step: CaseStep,
    policy: Option<&Policy>,
) -> Result<Vec<String>> {
    let mut missing = Vec::new();
    match step {
        CaseStep::Application => {
            let documents: Vec<&str> = case.missing_documents().into_iter().map(|kind| kind.label()).collect();
            if !documents.is_empty() {
                missing.push(format!("申请材料不全，缺少{}", documents.join("、")));
            }
            match policy {
                None => missing.push(no_policy().message),
                Some(policy) => {
                    let answer = eligibility_of(policy, elder, replica.today());
                    if !answer.eligible {
                        missing.push(format!("该户{}", answer.summary));
                    }
                }
            }
        }
        CaseStep::Assessment => {
            if qualifying_assessment(replica, case)?.is_none() {
                let opened = case.opened_on().map(|day| day.to_string()).unwrap_or_default();
                missing.push(format!("尚未登记老人{opened}建档以后的能力评估，请先完成入户评估"));
            }
        }
        CaseStep::Plan => {
            if case.plan.is_empty() {
                missing.push("改造方案尚无改造项目".to_owned());
            } else if let Some(policy) = policy {
                let cap = adaptation::cap_for(&policy.adaptation, case.urban);
                let totals = adaptation::plan_totals(case.plan.values(), cap);
                if let Some(problem) = adaptation::cap_problem(&totals, case.urban) {
                    missing.push(problem.message);
                }
            }
            if case.plan_signed.is_none() {
                missing.push("改造方案尚未经老人签字确认".to_owned());
            }
        }
        CaseStep::Construction => {
            if !case.has_attachment(AttachmentKind::BeforePhoto) {
                missing.push("尚未上传改造前照片".to_owned());
            }
        }
        CaseStep::Acceptance => {
            if !case.has_attachment(AttachmentKind::AfterPhoto) {
                missing.push("尚未上传改造后照片".to_owned());
            }
        }
        CaseStep::TownshipReview
        | CaseStep::CountyReview
        | CaseStep::Settlement
        | CaseStep::FollowUp
        | CaseStep::Archived => {}
    }
    Ok(missing)
}

/// Why the signed-in user may not do `step`, if so: the county's steps are a county reviewer's,
/// the township's a station director's or a county reviewer's.
fn role_problem(replica: &Replica, step: CaseStep) -> Result<Option<Problem>> {
    let role = user_role(replica)?;
    Ok(if step.by_county() {
        (role != Some(Role::CountyReviewer))
            .then(|| crate::not_permitted("step", &format!("「{}」只能由县级审核员办理", step.label())))
    } else {
        (!matches!(role, Some(Role::StationDirector | Role::CountyReviewer)))
            .then(|| crate::not_permitted("step", &format!("「{}」须由乡镇站工作人员或县级审核员办理", step.label())))
    })
}

/// The assessment 入户评估 rests on: the one the case already uses, else the elder's latest made
/// on or after the case was opened.
fn qualifying_assessment(replica: &Replica, case: &AdaptationCase) -> Result<Option<Assessment>> {
    let opened = case.opened_on().unwrap_or(NaiveDate::MIN);
    if let Some(id) = &case.assessment_id
        && let Some(assessment) = assessment_by_id(replica, id)?
        && assessment.assessed_on >= opened
    {
        return Ok(Some(assessment));
    }
    Ok(assessments_of(replica, &case.elder_id)?.into_iter().find(|assessment| assessment.assessed_on >= opened))
}

fn assessment_by_id(replica: &Replica, id: &str) -> Result<Option<Assessment>> {
    let body: Option<String> = replica
        .connection()
        .prepare_cached("SELECT body FROM assessments WHERE id = ?1 AND voided = 0")?
        .query_row([id], |row| row.get(0))
        .optional()?;
    Ok(body.map(|body| serde_json::from_str(&body)).transpose()?)
}

/// The plan's lines with their catalog names, from the catalog that priced the plan (an item it
/// lacks is looked for in the county's other versions).
fn plan_lines(case: &AdaptationCase, plan_policy: Option<&Policy>, policies: &[Policy]) -> Vec<CasePlanLine> {
    let catalogs = plan_policy.into_iter().chain(policies.iter());
    let catalogs: Vec<&Policy> = catalogs.collect();
    let mut lines: Vec<CasePlanLine> = case
        .plan
        .values()
        .map(|item| {
            let found = catalogs.iter().find_map(|policy| {
                let catalog = &policy.adaptation.catalog;
                let entry = catalog.iter().find(|entry| entry.code == item.catalog_code)?;
                let mut categories: Vec<&str> = Vec::new();
                for other in catalog {
                    if !categories.contains(&other.category.as_str()) {
                        categories.push(&other.category);
                    }
                }
                let index = categories.iter().position(|category| *category == entry.category).unwrap_or(0);
                Some((entry, index as u32 + 1))
            });
            CasePlanLine {
                category: found.map(|(entry, _)| entry.category.clone()).unwrap_or_default(),
                category_index: found.map_or(0, |(_, index)| index),
                name: found.map_or_else(|| item.catalog_code.clone(), |(entry, _)| entry.name.clone()),
                unit: found.map(|(entry, _)| entry.unit.clone()).unwrap_or_default(),
                kind_label: if item.basic { "基础" } else { "可选" }.to_owned(),
                amount: item.amount(),
                item: item.clone(),
            }
        })
        .collect();
    lines.sort_by(|a, b| (a.category_index, &a.item.catalog_code).cmp(&(b.category_index, &b.item.catalog_code)));
    lines
}

fn eligibility_of(policy: &Policy, elder: &Elder, on: NaiveDate) -> Eligibility {
    adaptation::eligibility(
        &policy.adaptation,
        &EligibilityQuestion {
            age: elder.age_on(on),
            categories: &elder.categories_on(on),
            economic: elder.economic_status,
            life: elder.life.state,
        },
    )
}

/// The elder's case not yet archived, if any.
fn open_case_of(replica: &Replica, elder_id: &str) -> Result<Option<String>> {
    Ok(replica
        .connection()
        .prepare_cached("SELECT id FROM adaptation_cases WHERE elder_id = ?1 AND voided = 0 AND archived = 0 LIMIT 1")?
        .query_row([elder_id], |row| row.get(0))
        .optional()?)
}

fn policy_in_force(replica: &Replica) -> Result<Policy> {
    let policies = policies(replica)?;
    policy::in_force(&policies, replica.today()).cloned().ok_or_else(|| Error::Problems(vec![no_policy()]))
}

fn no_policy() -> Problem {
    crate::refused_now("policy", "本县尚无有效的居家适老化改造政策，请联系县民政局")
}

/// The plan can change until 改造方案 is done.
fn plan_editable(progress: &CaseProgress) -> Option<Problem> {
    if progress.archived {
        Some(archived_refusal())
    } else if progress.step > CaseStep::Plan {
        Some(crate::refused_now(
            "plan",
            &format!("改造方案已确认（当前环节：{}），不能再修改或签字", progress.step.label()),
        ))
    } else {
        None
    }
}

fn archived_refusal() -> Problem {
    crate::refused_now("case_id", "该档案已归档，不能再修改")
}

fn application_problems(application: &CaseApplication) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (field, label, value) in [
        ("application.applicant_name", "申请人姓名", &application.applicant_name),
        ("application.applicant_relation", "申请人与老人关系", &application.applicant_relation),
        ("application.dwelling_owner", "房屋产权人", &application.dwelling_owner),
    ] {
        if value.trim().is_empty() {
            problems.push(Problem::new(field, label, Rule::Required));
        } else if value.trim().chars().count() > NAME_MAX {
            problems.push(Problem::new(field, label, Rule::TooLong));
        }
    }
    problems
}

fn trimmed(application: &CaseApplication) -> CaseApplication {
    CaseApplication {
        applicant_name: application.applicant_name.trim().to_owned(),
        applicant_relation: application.applicant_relation.trim().to_owned(),
        dwelling_owner: application.dwelling_owner.trim().to_owned(),
        ..application.clone()
    }
}

fn step_label(progress: &CaseProgress) -> String {
    if progress.archived { "已归档".to_owned() } else { progress.step.label().to_owned() }
}

/// Whole days from the date of `since` (`YYYY-MM-DD…`) to `today`.
fn days_since(since: &str, today: NaiveDate) -> u32 {
    since
        .get(..10)
        .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
        .map_or(0, |day| (today - day).num_days().max(0) as u32)
}

fn township_of(village_code: &str) -> String {
    format!("{}000", &village_code[..9.min(village_code.len())])
}

/// The wire name of a document kind, e.g. `owner_consent`.
fn key_of(kind: &adaptation::DocumentKind) -> String {
    xianglin_sync::projection::text(kind)
}

#[cfg(test)]
mod tests {
    use xianglin_schema::adaptation::DocumentKind;
    use xianglin_schema::api::PlanLineDraft;
    use xianglin_schema::assessment::{AssessmentItem, AssessmentReason, AssessmentStandard};
    use xianglin_schema::elder::{EconomicStatus, LifeStatus};
    use xianglin_schema::record::Gender;
    use xianglin_schema::user::User;
    use xianglin_sync::replica::ActorId;

    use super::*;
    use crate::registry::store_elder;
    use xianglin_sync::Author;
    use xianglin_sync::replica::Clock;

    const VILLAGE: &str = "360733105201";
    /// A real PNG (each size a different file).
    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbImage::from_pixel(width, height, image::Rgb([120, 160, 200]));
        let mut bytes = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(picture).write_to(&mut bytes, image::ImageFormat::Png).unwrap();
        bytes.into_inner()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    }

    struct Fixture {
        replica: Replica,
        elder: Elder,
        director: String,
        reviewer: String,
        _directory: tempfile::TempDir,
        store: AttachmentStore,
    }

    /// The places and policy of 会昌县, a station director, a county reviewer and a caseworker of
    /// 庄口镇, the director signed in, and an 86-year-old 低保 elder of a 村委会 (rural).
    fn fixture() -> Fixture {
        let mut replica = Replica::open_in_memory().unwrap();
        replica.set_clock(Clock::Fixed(today().and_hms_opt(10, 0, 0).unwrap()));
        let policy = policy::huichang_default();
        let mut records: Vec<(String, serde_json::Value)> = xianglin_schema::place::huichang()
            .iter()
            .map(|place| (county_key("place", &place.code), serde_json::to_value(place).unwrap()))
            .collect();
        records.push((county_key("policy", &policy.version), serde_json::to_value(&policy).unwrap()));
        let user = |id: &str, name: &str, role: Role, place: &str| User {
            id: id.to_owned(),
            name: name.to_owned(),
            role,
            places: vec![place.to_owned()],
            phone: None,
            meta: RecordMeta::default(),
        };
        for user in [
            user("director", "邱志强", Role::StationDirector, "360733105000"),
            user("reviewer", "钟丽华", Role::CountyReviewer, "360733000000"),
            user("caseworker", "刘小兰", Role::Caseworker, VILLAGE),
        ] {
            records.push((county_key("user", &user.id), serde_json::to_value(&user).unwrap()));
        }
        let author = Author { actor: ActorId::from(b"county".as_slice()), user_id: "county".into(), at: replica.now() };
        replica.commit(&ShardId::county("360733000000"), &records, &author).unwrap();
        replica.set_user("director").unwrap();
        let birth = NaiveDate::from_ymd_opt(1940, 5, 6).unwrap();
        let elder = store_elder(
            &mut replica,
            Elder {
                id: String::new(),
                name: "刘桂英".into(),
                id_number: id_number::compose("360733", birth, 42, Gender::Female),
                gender: Gender::Female,
                birth_date: birth,
                phone: None,
                address: "庄口镇白沙村2组".into(),
                village_code: VILLAGE.into(),
                categories: BTreeMap::new(),
                economic_status: EconomicStatus::Dibao,
                life: LifeStatus::default(),
                contacts: BTreeMap::new(),
                events: BTreeMap::new(),
                notes: String::new(),
                meta: RecordMeta::default(),
            },
        )
        .unwrap();
        let directory = tempfile::tempdir().unwrap();
        let store = AttachmentStore::new(directory.path().join("attachments"));
        Fixture {
            replica,
            elder,
            director: "director".into(),
            reviewer: "reviewer".into(),
            _directory: directory,
            store,
        }
    }

    fn application() -> CaseApplication {
        CaseApplication {
            applicant_name: "刘桂英".into(),
            applicant_relation: "本人".into(),
            dwelling_owner: "刘桂英".into(),
            owner_consent_needed: false,
            neighbour_consent_needed: false,
        }
    }

    fn open(fixture: &mut Fixture) -> CaseDetail {
        let request =
            OpenAdaptationCase { elder_id: fixture.elder.id.clone(), application: application(), notes: String::new() };
        open_case(&mut fixture.replica, &request).unwrap()
    }

    fn done(step: CaseStep, case_id: &str) -> RecordCaseStep {
        RecordCaseStep { case_id: case_id.to_owned(), step, outcome: StepOutcome::Done, notes: String::new() }
    }

    /// The messages of a refusal.
    fn refusal(result: Result<CaseDetail>) -> String {
        match result {
            Err(Error::Problems(problems)) => {
                problems.iter().map(|problem| problem.message.clone()).collect::<Vec<_>>().join("；")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn provide_every_document(fixture: &mut Fixture, case_id: &str) {
        let documents = DocumentKind::ALL
            .into_iter()
            .filter(|kind| kind.always_required())
            .map(|kind| (kind, DocumentState::Provided))
            .collect();
        let request = SaveAdaptationCase {
            case_id: case_id.to_owned(),
            application: application(),
            documents,
            notes: String::new(),
        };
        save_case_details(&mut fixture.replica, &request).unwrap();
    }

    /// Takes a fresh case through to `until` (not done), each step by the role it needs.
    fn advance(fixture: &mut Fixture, case_id: &str, until: CaseStep) {
        provide_every_document(fixture, case_id);
        for step in CaseStep::ALL.into_iter().take_while(|step| *step < until) {
            let user = if step.by_county() { fixture.reviewer.clone() } else { fixture.director.clone() };
            fixture.replica.set_user(&user).unwrap();
            match step {
                CaseStep::Assessment => {
                    record_assessment(&mut fixture.replica, scored(&fixture.elder, today())).unwrap();
                }
                CaseStep::Plan => {
                    let items = vec![PlanLineDraft { catalog_code: "A13".into(), quantity: 2 }];
                    save_plan(&mut fixture.replica, &SaveCasePlan { case_id: case_id.to_owned(), items }).unwrap();
                    let sign = SignCasePlan { case_id: case_id.to_owned(), signed_on: today(), signer: String::new() };
                    sign_plan(&mut fixture.replica, &sign).unwrap();
                }
                _ => {}
            }
            record_step(&mut fixture.replica, &done(step, case_id)).unwrap();
        }
        fixture.replica.set_user(&fixture.director.clone()).unwrap();
    }

    fn scored(elder: &Elder, on: NaiveDate) -> Assessment {
        Assessment {
            id: String::new(),
            elder_id: elder.id.clone(),
            standard: AssessmentStandard::GbT42195_2022,
            assessed_on: on,
            reason: AssessmentReason::First,
            assessor: "刘敏".into(),
            scores: AssessmentItem::ALL.into_iter().map(|item| (item, item.max_score() / 2)).collect(),
            coma: false,
            dementia: false,
            mental_disorder: false,
            risk_events: BTreeMap::new(),
            notes: String::new(),
            result: None,
            meta: RecordMeta::default(),
        }
    }

    #[test]
    fn an_application_is_done_only_with_every_document_and_an_eligible_household() {
        let mut fixture = fixture();
        let case = open(&mut fixture);
        assert_eq!((case.progress.step, case.case.urban), (CaseStep::Application, false));
        assert!(case.eligibility.eligible, "{}", case.eligibility.summary);
        assert_eq!(case.missing, ["申请材料不全，缺少申请表、承诺书、身份证、房屋产权证明、困难证明"]);
        let refused = refusal(record_step(&mut fixture.replica, &done(CaseStep::Application, &case.case.id)));
        assert!(refused.contains("缺少申请表、承诺书"), "{refused}");

        // The house is the son's: his consent is needed too.
        provide_every_document(&mut fixture, &case.case.id);
        let rented = SaveAdaptationCase {
            case_id: case.case.id.clone(),
            application: CaseApplication { owner_consent_needed: true, ..application() },
            documents: BTreeMap::new(),
            notes: String::new(),
        };
        let detail = save_case_details(&mut fixture.replica, &rented).unwrap();
        assert_eq!(detail.missing, ["申请材料不全，缺少产权人同意书"]);
        let not_needed = SaveAdaptationCase {
            documents: BTreeMap::from([(DocumentKind::OwnerConsent, DocumentState::NotNeeded)]),
            ..rented.clone()
        };
        assert!(refusal(save_case_details(&mut fixture.replica, &not_needed)).contains("本申请需要产权人同意书"));
        let consent = SaveAdaptationCase {
            documents: BTreeMap::from([(DocumentKind::OwnerConsent, DocumentState::Provided)]),
            ..rented
        };
        assert!(save_case_details(&mut fixture.replica, &consent).unwrap().missing.is_empty());

        // The household stops being eligible before the step is done: refused, naming why.
        let mut elder = current_elder(&fixture.replica, &fixture.elder.id).unwrap();
        elder.economic_status = EconomicStatus::None;
        store_elder(&mut fixture.replica, elder.clone()).unwrap();
        let refused = refusal(record_step(&mut fixture.replica, &done(CaseStep::Application, &case.case.id)));
        assert!(refused.contains("不符合改造条件") && refused.contains("「无」"), "{refused}");
        elder.economic_status = EconomicStatus::Dibao;
        store_elder(&mut fixture.replica, elder).unwrap();
        let detail = record_step(&mut fixture.replica, &done(CaseStep::Application, &case.case.id)).unwrap();
        assert_eq!(detail.progress.step, CaseStep::TownshipReview);
    }

    #[test]
    fn an_ineligible_household_cannot_open_a_case_and_a_household_has_one_open_case() {
        let mut fixture = fixture();
        let mut elder = Elder { id: String::new(), name: "陈秀梅".into(), ..fixture.elder.clone() };
        elder.birth_date = NaiveDate::from_ymd_opt(1960, 5, 6).unwrap();
        elder.id_number = id_number::compose("360733", elder.birth_date, 42, Gender::Female);
        let young = store_elder(&mut fixture.replica, elder).unwrap();
        let request =
            OpenAdaptationCase { elder_id: young.id.clone(), application: application(), notes: String::new() };
        let refused = refusal(open_case(&mut fixture.replica, &request));
        assert!(refused.starts_with("该户不符合改造条件：老人不满足以下任一条件：年满80周岁"), "{refused}");
        let status = eligibility(&fixture.replica, &young.id).unwrap();
        assert!(!status.eligibility.eligible);
        assert_eq!(status.cap, 200_000);

        let case = open(&mut fixture);
        assert_eq!(eligibility(&fixture.replica, &fixture.elder.id).unwrap().open_case_id, Some(case.case.id));
        let again =
            OpenAdaptationCase { elder_id: fixture.elder.id.clone(), application: application(), notes: String::new() };
        assert!(refusal(open_case(&mut fixture.replica, &again)).contains("一户一档"));
    }

    #[test]
    fn county_steps_are_a_county_reviewers_and_township_steps_not_a_caseworkers() {
        let mut fixture = fixture();
        let case = open(&mut fixture).case;
        provide_every_document(&mut fixture, &case.id);
        fixture.replica.set_user("caseworker").unwrap();
        let refused = refusal(record_step(&mut fixture.replica, &done(CaseStep::Application, &case.id)));
        assert!(refused.contains("「申请」须由乡镇站工作人员或县级审核员办理"), "{refused}");
        advance(&mut fixture, &case.id, CaseStep::CountyReview);
        let refused = refusal(record_step(&mut fixture.replica, &done(CaseStep::CountyReview, &case.id)));
        assert_eq!(refused, "「县级审核」只能由县级审核员办理");
        fixture.replica.set_user("reviewer").unwrap();
        let detail = record_step(&mut fixture.replica, &done(CaseStep::CountyReview, &case.id)).unwrap();
        assert_eq!(detail.progress.step, CaseStep::Assessment);
        let county_event = detail.timeline.last().unwrap();
        assert_eq!((county_event.by_name.as_str(), county_event.outcome_label.as_str()), ("钟丽华", "审核通过"));
        let in_review: String = fixture
            .replica
            .connection()
            .query_row("SELECT shard FROM case_events WHERE id = ?1", [&county_event.event.id], |row| row.get(0))
            .unwrap();
        assert_eq!(in_review, "review/360733105000", "the county's decision lives in the review shard");
    }

    #[test]
    fn the_assessment_step_needs_an_assessment_made_since_the_case_was_opened() {
        let mut fixture = fixture();
        let case = open(&mut fixture).case;
        let earlier = scored(&fixture.elder, today() - chrono::Duration::days(40));
        record_assessment(&mut fixture.replica, earlier).unwrap();
        advance(&mut fixture, &case.id, CaseStep::Assessment);
        let refused = refusal(record_step(&mut fixture.replica, &done(CaseStep::Assessment, &case.id)));
        assert!(refused.contains("尚未登记老人2026-11-20建档以后的能力评估"), "{refused}");
        let assessment = record_assessment(&mut fixture.replica, scored(&fixture.elder, today())).unwrap();
        let detail = record_step(&mut fixture.replica, &done(CaseStep::Assessment, &case.id)).unwrap();
        assert_eq!(detail.case.assessment_id.as_ref(), Some(&assessment.id));
        // Every item at half its maximum, rounded down: 19 × 2 + 2 × 1 + 3 × 1 + 2 × 0.
        assert_eq!(detail.assessment.unwrap().result.unwrap().total, 43);
        assert_eq!(assessments_of(&fixture.replica, &fixture.elder.id).unwrap().len(), 2);
    }

    #[test]
    fn the_plan_step_needs_items_within_the_cap_and_the_elders_signature() {
        let mut fixture = fixture();
        let case = open(&mut fixture).case;
        advance(&mut fixture, &case.id, CaseStep::Plan);
        let refused = refusal(record_step(&mut fixture.replica, &done(CaseStep::Plan, &case.id)));
        assert!(refused.contains("改造方案尚无改造项目") && refused.contains("尚未经老人签字"), "{refused}");
        let lines = |items: &[(&str, u32)]| SaveCasePlan {
            case_id: case.id.clone(),
            items: items
                .iter()
                .map(|(code, quantity)| PlanLineDraft { catalog_code: (*code).into(), quantity: *quantity })
                .collect(),
        };
        // 高差处理 ×5 (1,500.00) + 床边护栏 ×2 (600.00) + 手杖 (80.00) = 2,180.00 of basic items.
        let over = refusal(save_plan(&mut fixture.replica, &lines(&[("A02", 5), ("A11", 2), ("A24", 1)])));
        assert_eq!(over, "改造方案的基础项目合计 2,180.00 元，超出农村家庭每户 2,000.00 元的补贴上限");
        let bad = refusal(save_plan(&mut fixture.replica, &lines(&[("Z99", 1), ("A01", 0)])));
        assert!(bad.contains("「Z99」不在本县的改造目录中") && bad.contains("数量应至少为1"), "{bad}");
        // Optional items are the household's: they never count against the cap.
        let detail = save_plan(&mut fixture.replica, &lines(&[("A02", 5), ("A11", 1), ("A10", 2)])).unwrap();
        assert_eq!(detail.plan_totals.basic, 180_000);
        assert_eq!((detail.plan_totals.subsidy, detail.plan_totals.self_paid), (180_000, 360_000));
        assert_eq!(detail.plan[0].category_index, 1, "地面改造 is the catalog's first category");
        assert_eq!(detail.missing, ["改造方案尚未经老人签字确认"]);
        let sign = SignCasePlan { case_id: case.id.clone(), signed_on: today(), signer: String::new() };
        let signed = sign_plan(&mut fixture.replica, &sign).unwrap();
        assert_eq!(signed.case.plan_signed.unwrap().signer, "刘桂英");
        // A changed plan needs signing again.
        let changed = save_plan(&mut fixture.replica, &lines(&[("A02", 4)])).unwrap();
        assert_eq!(changed.case.plan_signed, None);
        sign_plan(&mut fixture.replica, &sign).unwrap();
        let detail = record_step(&mut fixture.replica, &done(CaseStep::Plan, &case.id)).unwrap();
        assert_eq!(detail.progress.step, CaseStep::Construction);
        assert!(refusal(save_plan(&mut fixture.replica, &lines(&[("A02", 1)]))).contains("不能再修改"));
    }

    #[test]
    fn construction_needs_a_before_photo_and_acceptance_an_after_photo() {
        let mut fixture = fixture();
        let case = open(&mut fixture).case;
        advance(&mut fixture, &case.id, CaseStep::Construction);
        let refused = refusal(record_step(&mut fixture.replica, &done(CaseStep::Construction, &case.id)));
        assert!(refused.contains("尚未上传改造前照片"), "{refused}");
        let photo = |step, kind| AddCaseAttachment {
            case_id: case.id.clone(),
            step,
            kind,
            caption: "卫生间".into(),
            document: None,
            sha256: fixture.store.put(&png(4, 3)).unwrap().sha256,
        };
        let early = photo(CaseStep::Acceptance, AttachmentKind::AfterPhoto);
        assert!(
            refusal(add_case_attachment(&mut fixture.replica, &fixture.store, &early)).contains("尚未办理到「验收」")
        );
        let before = photo(CaseStep::Construction, AttachmentKind::BeforePhoto);
        let detail = add_case_attachment(&mut fixture.replica, &fixture.store, &before).unwrap();
        assert_eq!(detail.attachments.len(), 1);
        assert_eq!(
            xianglin_sync::attachments::referencing_villages(&fixture.replica, &detail.attachments[0].sha256).unwrap(),
            [VILLAGE]
        );
        record_step(&mut fixture.replica, &done(CaseStep::Construction, &case.id)).unwrap();
        let refused = refusal(record_step(&mut fixture.replica, &done(CaseStep::Acceptance, &case.id)));
        assert!(refused.contains("尚未上传改造后照片"), "{refused}");
        let after = AddCaseAttachment {
            sha256: fixture.store.put(&png(5, 3)).unwrap().sha256,
            ..photo(CaseStep::Acceptance, AttachmentKind::AfterPhoto)
        };
        add_case_attachment(&mut fixture.replica, &fixture.store, &after).unwrap();
        let detail = record_step(&mut fixture.replica, &done(CaseStep::Acceptance, &case.id)).unwrap();
        assert_eq!((detail.progress.step, detail.county_step), (CaseStep::Settlement, true));
    }
}
