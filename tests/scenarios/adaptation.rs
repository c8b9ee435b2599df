//! Home adaptation (一户一档): a case from application to archive with every rule of the
//! workflow enforced (order, returns, roles, what each step needs), eligibility with its
//! reasons, assessments with their levels, the plan's cap, bad attachments, the county's step
//! arriving by sync, and the demo county's list of cases.

use std::collections::BTreeMap;

use automerge::ActorId;
use chrono::{Duration, NaiveDate};
use xianglin_demo::{Rng, SMALL_TOWNSHIP};
use xianglin_domain::adaptation;
use xianglin_domain::query;
use xianglin_schema::adaptation::{
    AttachmentKind, CaseApplication, CaseEvent, CaseStep, DocumentKind, DocumentState, StepOutcome,
};
use xianglin_schema::api::{
    AdaptationCasesRequest, AddCaseAttachment, CaseDetail, OpenAdaptationCase, PlanLineDraft, RecordCaseStep,
    SaveAdaptationCase, SaveCasePlan, SignCasePlan,
};
use xianglin_schema::assessment::{
    AbilityLevel, Assessment, AssessmentGroup, AssessmentItem, AssessmentReason, AssessmentStandard,
};
use xianglin_schema::elder::{Category, EconomicStatus, Elder};
use xianglin_schema::record::{RecordMeta, new_id};
use xianglin_schema::user::{Role, User};
use xianglin_sync::Author;
use xianglin_sync::Error;
use xianglin_sync::Replica;
use xianglin_sync::ShardId;
use xianglin_sync::attachments::{self, AttachmentStore};
use xianglin_sync::projection::county_key;
use xianglin_sync::replica::Clock;

use crate::support::{VILLAGES, county_replica, elder, now, small_demo_replica, today};
use xianglin_domain::registry::store_elder;

/// A before photo.
fn jpeg() -> Vec<u8> {
    crate::support::jpeg(40, 30)
}
/// A scanned application form: a one-page PDF.
fn pdf() -> Vec<u8> {
    crate::support::one_page_pdf()
}

/// The station director of 庄口镇 and a county reviewer, in the county document.
struct Staff {
    director: String,
    reviewer: String,
}

/// Adds the staff to the county document of `replica` (which holds the places of 会昌县) and
/// signs the director in.
fn staff(replica: &mut Replica) -> Staff {
    let person = |name: &str, role: Role, place: &str| User {
        id: new_id(),
        name: name.to_owned(),
        role,
        places: vec![place.to_owned()],
        phone: None,
        meta: RecordMeta::created(now(), "county"),
    };
    let director = person("邱志强", Role::StationDirector, SMALL_TOWNSHIP);
    let reviewer = person("钟丽华", Role::CountyReviewer, "360733000000");
    let author = Author { actor: ActorId::from(b"county".as_slice()), user_id: "county".into(), at: now() };
    let records: Vec<_> = [&director, &reviewer]
        .iter()
        .map(|user| (county_key("user", &user.id), serde_json::to_value(user).unwrap()))
        .collect();
    replica.commit(&ShardId::county("360733000000"), &records, &author).unwrap();
    replica.set_user(&director.id).unwrap();
    Staff { director: director.id, reviewer: reviewer.id }
}

/// An elder of 白沙村委会 (rural) born on `born`, of `economic` status.
fn registered(replica: &mut Replica, rng: &mut Rng, born: NaiveDate, economic: EconomicStatus) -> Elder {
    let mut record = elder(rng, VILLAGES[0]);
    record.birth_date = born;
    record.id_number = xianglin_schema::id_number::compose("360733", born, rng.below(900) as u16, record.gender);
    record.economic_status = economic;
    store_elder(replica, record).unwrap()
}

fn application(elder: &Elder) -> CaseApplication {
    CaseApplication {
        applicant_name: elder.name.clone(),
        applicant_relation: "本人".into(),
        dwelling_owner: elder.name.clone(),
        owner_consent_needed: false,
        neighbour_consent_needed: false,
    }
}

fn open(replica: &mut Replica, elder: &Elder) -> CaseDetail {
    let request =
        OpenAdaptationCase { elder_id: elder.id.clone(), application: application(elder), notes: String::new() };
    adaptation::open_case(replica, &request).unwrap()
}

fn step(case_id: &str, step: CaseStep, outcome: StepOutcome, notes: &str) -> RecordCaseStep {
    RecordCaseStep { case_id: case_id.to_owned(), step, outcome, notes: notes.to_owned() }
}

fn done(case_id: &str, at: CaseStep) -> RecordCaseStep {
    step(case_id, at, StepOutcome::Done, "")
}

/// The messages of a refusal, joined.
fn refusal<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(Error::Problems(problems)) => {
            problems.iter().map(|problem| problem.message.clone()).collect::<Vec<_>>().join("；")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Scores totalling `total`: items at their maximum in form order until the total is reached.
fn assessment(elder: &Elder, on: NaiveDate, total: u32) -> Assessment {
    let mut left = total;
    let scores = AssessmentItem::ALL
        .into_iter()
        .map(|item| {
            let score = left.min(u32::from(item.max_score()));
            left -= score;
            (item, score as u8)
        })
        .collect();
    Assessment {
        id: String::new(),
        elder_id: elder.id.clone(),
        standard: AssessmentStandard::GbT42195_2022,
        assessed_on: on,
        reason: AssessmentReason::First,
        assessor: "刘敏".into(),
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

fn plan(case_id: &str, items: &[(&str, u32)]) -> SaveCasePlan {
    SaveCasePlan {
        case_id: case_id.to_owned(),
        items: items
            .iter()
            .map(|(code, quantity)| PlanLineDraft { catalog_code: (*code).to_owned(), quantity: *quantity })
            .collect(),
    }
}

/// A file stored as the app stores a picked file (`add_attachment`), to attach to a case.
fn attachment(
    store: &AttachmentStore,
    case_id: &str,
    at: CaseStep,
    kind: AttachmentKind,
    bytes: &[u8],
) -> AddCaseAttachment {
    AddCaseAttachment {
        case_id: case_id.to_owned(),
        step: at,
        kind,
        caption: String::new(),
        document: None,
        sha256: store.put(bytes).unwrap().sha256,
    }
}

fn case_shard(detail: &CaseDetail) -> ShardId {
    ShardId::adaptation(&detail.case.village_code, &detail.case.id)
}

/// Copies every shard of `from` that `to` lacks changes of, as a sync would.
fn exchange(from: &mut Replica, to: &mut Replica) {
    for shard in from.shards().unwrap() {
        let heads = to.heads(&shard).unwrap();
        let bytes = from.changes_since(&shard, &heads).unwrap();
        to.apply_changes(&shard, &bytes).unwrap();
    }
}

#[test]
fn a_case_goes_from_application_to_archive_and_every_rule_of_the_workflow_holds() {
    let mut replica = county_replica();
    let staff = staff(&mut replica);
    let store = crate::support::attachments();
    let rng = &mut Rng::new(11);
    let elder = registered(&mut replica, rng, NaiveDate::from_ymd_opt(1942, 4, 9).unwrap(), EconomicStatus::Dibao);
    let case = open(&mut replica, &elder);
    let id = case.case.id.clone();
    assert_eq!((case.progress.step, case.days_waiting, case.county_step), (CaseStep::Application, 0, false));

    // Order: a later step is refused at 申请, naming where the case is; nothing is written.
    let heads = replica.heads(&case_shard(&case)).unwrap();
    let skipped = refusal(adaptation::record_step(&mut replica, &done(&id, CaseStep::CountyReview)));
    assert!(skipped.contains("当前环节是「申请」") && skipped.contains("不能跳过"), "{skipped}");
    let first_return =
        refusal(adaptation::record_step(&mut replica, &step(&id, CaseStep::Application, StepOutcome::Returned, "x")));
    assert!(first_return.contains("不能退回"), "{first_return}");
    // 申请 needs its documents.
    let incomplete = refusal(adaptation::record_step(&mut replica, &done(&id, CaseStep::Application)));
    assert!(incomplete.contains("申请材料不全，缺少申请表、承诺书、身份证、房屋产权证明、困难证明"), "{incomplete}");
    assert_eq!(replica.heads(&case_shard(&case)).unwrap(), heads, "refusals write nothing");

    // The form arrives as a scan; the other documents are seen on paper.
    let scan = AddCaseAttachment {
        caption: "申请表扫描件".into(),
        document: Some(DocumentKind::ApplicationForm),
        ..attachment(&store, &id, CaseStep::Application, AttachmentKind::SignedForm, &pdf())
    };
    let scanned = adaptation::add_case_attachment(&mut replica, &store, &scan).unwrap();
    let form = scanned.documents.iter().find(|row| row.kind == DocumentKind::ApplicationForm).unwrap();
    assert_eq!((form.state, form.attachments.len()), (DocumentState::Provided, 1));
    let documents =
        [DocumentKind::Commitment, DocumentKind::IdCard, DocumentKind::DwellingProof, DocumentKind::HardshipProof]
            .into_iter()
            .map(|kind| (kind, DocumentState::Provided))
            .collect();
    let saved = adaptation::save_case_details(
        &mut replica,
        &SaveAdaptationCase {
            case_id: id.clone(),
            application: application(&elder),
            documents,
            notes: "老人独居".into(),
        },
    )
    .unwrap();
    assert!(saved.missing.is_empty(), "{:?}", saved.missing);
    adaptation::record_step(&mut replica, &done(&id, CaseStep::Application)).unwrap();
    adaptation::record_step(&mut replica, &done(&id, CaseStep::TownshipReview)).unwrap();

    // Roles: the station may not do the county's review; the reviewer may, and returns it with
    // a reason (a return without one is refused), back to 乡镇初审.
    let by_station = refusal(adaptation::record_step(&mut replica, &done(&id, CaseStep::CountyReview)));
    assert_eq!(by_station, "「县级审核」只能由县级审核员办理");
    replica.set_user(&staff.reviewer).unwrap();
    let no_reason = step(&id, CaseStep::CountyReview, StepOutcome::Returned, "  ");
    assert_eq!(refusal(adaptation::record_step(&mut replica, &no_reason)), "请填写退回原因");
    let returned = adaptation::record_step(
        &mut replica,
        &step(&id, CaseStep::CountyReview, StepOutcome::Returned, "困难证明已过期，请补充本年度低保证明"),
    )
    .unwrap();
    assert_eq!(returned.progress.step, CaseStep::TownshipReview);
    assert_eq!(returned.progress.returned_reason.as_deref(), Some("困难证明已过期，请补充本年度低保证明"));
    replica.set_user(&staff.director).unwrap();
    adaptation::record_step(&mut replica, &step(&id, CaseStep::TownshipReview, StepOutcome::Done, "已补充")).unwrap();
    replica.set_user(&staff.reviewer).unwrap();
    let approved = adaptation::record_step(&mut replica, &done(&id, CaseStep::CountyReview)).unwrap();
    assert_eq!(approved.progress.step, CaseStep::Assessment);
    replica.set_user(&staff.director).unwrap();

    // 入户评估 needs an assessment made since the case was opened.
    let unassessed = refusal(adaptation::record_step(&mut replica, &done(&id, CaseStep::Assessment)));
    assert!(unassessed.contains("能力评估"), "{unassessed}");
    adaptation::record_assessment(&mut replica, assessment(&elder, today(), 52)).unwrap();
    adaptation::record_step(&mut replica, &done(&id, CaseStep::Assessment)).unwrap();

    // 改造方案 needs items within the cap and the elder's signature.
    adaptation::save_plan(&mut replica, &plan(&id, &[("A01", 10), ("A13", 2), ("A20", 2)])).unwrap();
    let unsigned = refusal(adaptation::record_step(&mut replica, &done(&id, CaseStep::Plan)));
    assert!(unsigned.contains("尚未经老人签字确认"), "{unsigned}");
    let sign = SignCasePlan { case_id: id.clone(), signed_on: today(), signer: String::new() };
    adaptation::sign_plan(&mut replica, &sign).unwrap();
    let planned = adaptation::record_step(&mut replica, &done(&id, CaseStep::Plan)).unwrap();
    assert_eq!((planned.plan_totals.subsidy, planned.plan_totals.self_paid), (110_000, 16_000));

    // 施工 needs a before photo, 验收 an after photo.
    assert!(refusal(adaptation::record_step(&mut replica, &done(&id, CaseStep::Construction))).contains("改造前照片"));
    adaptation::add_case_attachment(
        &mut replica,
        &store,
        &attachment(&store, &id, CaseStep::Construction, AttachmentKind::BeforePhoto, &jpeg()),
    )
    .unwrap();
    adaptation::record_step(&mut replica, &done(&id, CaseStep::Construction)).unwrap();
    assert!(refusal(adaptation::record_step(&mut replica, &done(&id, CaseStep::Acceptance))).contains("改造后照片"));
    let after_photo = crate::support::jpeg(41, 30);
    adaptation::add_case_attachment(
        &mut replica,
        &store,
        &attachment(&store, &id, CaseStep::Acceptance, AttachmentKind::AfterPhoto, &after_photo),
    )
    .unwrap();
    adaptation::record_step(&mut replica, &done(&id, CaseStep::Acceptance)).unwrap();

    // 结算拨付 is the county's; 回访 and 归档 the township's.
    assert!(refusal(adaptation::record_step(&mut replica, &done(&id, CaseStep::Settlement))).contains("县级审核员"));
    replica.set_user(&staff.reviewer).unwrap();
    let paid = adaptation::record_step(&mut replica, &done(&id, CaseStep::Settlement)).unwrap();
    assert_eq!(paid.progress.step, CaseStep::FollowUp);
    replica.set_user(&staff.director).unwrap();
    adaptation::record_step(&mut replica, &step(&id, CaseStep::FollowUp, StepOutcome::Done, "老人满意")).unwrap();
    let archived = adaptation::record_step(&mut replica, &done(&id, CaseStep::Archived)).unwrap();
    assert!(archived.progress.archived);
    assert_eq!(archived.step_label, "已归档");
    assert!(archived.missing.is_empty());

    // The timeline holds every event, with who did it, all applied.
    let timeline: Vec<(&str, &str, &str)> = archived
        .timeline
        .iter()
        .map(|row| (row.step_label.as_str(), row.outcome_label.as_str(), row.by_name.as_str()))
        .collect();
    assert_eq!(
        timeline,
        [
            ("申请", "已受理", "邱志强"),
            ("乡镇初审", "审核通过", "邱志强"),
            ("县级审核", "退回", "钟丽华"),
            ("乡镇初审", "审核通过", "邱志强"),
            ("县级审核", "审核通过", "钟丽华"),
            ("入户评估", "评估完成", "邱志强"),
            ("改造方案", "方案确认", "邱志强"),
            ("施工", "施工完成", "邱志强"),
            ("验收", "验收合格", "邱志强"),
            ("结算拨付", "已拨付", "钟丽华"),
            ("回访", "已回访", "邱志强"),
            ("归档", "已归档", "邱志强"),
        ]
    );
    assert!(archived.timeline.iter().all(|row| row.applied));

    // An archived file takes no more steps or attachments, and the household may apply again.
    assert!(refusal(adaptation::record_step(&mut replica, &done(&id, CaseStep::Archived))).contains("已归档"));
    let late = attachment(&store, &id, CaseStep::Archived, AttachmentKind::Other, &jpeg());
    assert!(refusal(adaptation::add_case_attachment(&mut replica, &store, &late)).contains("已归档"));
    assert_eq!(adaptation::eligibility(&replica, &elder.id).unwrap().open_case_id, None);
    let list = adaptation::cases(
        &replica,
        &AdaptationCasesRequest { place_code: Some(SMALL_TOWNSHIP.into()), step: None, include_archived: true },
    )
    .unwrap();
    assert_eq!(list.rows.len(), 1);
    assert!(list.rows[0].archived);
    let open_only =
        AdaptationCasesRequest { place_code: Some(SMALL_TOWNSHIP.into()), step: None, include_archived: false };
    assert!(adaptation::cases(&replica, &open_only).unwrap().rows.is_empty());
}

#[test]
fn eligibility_says_why_a_household_is_or_is_not_eligible() {
    let mut replica = county_replica();
    staff(&mut replica);
    let rng = &mut Rng::new(12);
    let old_and_poor =
        registered(&mut replica, rng, NaiveDate::from_ymd_opt(1941, 2, 3).unwrap(), EconomicStatus::TekunDispersed);
    let answer = adaptation::eligibility(&replica, &old_and_poor.id).unwrap();
    assert!(answer.eligibility.eligible);
    assert_eq!(
        answer.eligibility.summary,
        "符合改造条件：家庭经济状况为特困供养（分散），属于改造对象，老人年满80周岁"
    );
    assert_eq!((answer.urban, answer.cap), (false, 200_000), "a 村委会 household has the rural cap");

    let mut young = elder(rng, VILLAGES[1]);
    young.birth_date = NaiveDate::from_ymd_opt(1956, 6, 1).unwrap();
    young.id_number = xianglin_schema::id_number::compose("360733", young.birth_date, 7, young.gender);
    young.economic_status = EconomicStatus::Dibao;
    young.categories.insert(Category::Disabled, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
    let disabled = store_elder(&mut replica, young.clone()).unwrap();
    assert!(adaptation::eligibility(&replica, &disabled.id).unwrap().eligibility.eligible, "失能 counts at any age");

    let comfortable = registered(&mut replica, rng, NaiveDate::from_ymd_opt(1938, 8, 8).unwrap(), EconomicStatus::None);
    let answer = adaptation::eligibility(&replica, &comfortable.id).unwrap();
    assert!(!answer.eligibility.eligible);
    assert!(
        answer.eligibility.summary.contains(
            "家庭经济状况为「无」，不属于特困供养（集中）、特困供养（分散）、低保、低收入、脱贫/建档立卡家庭"
        )
    );
    let request = OpenAdaptationCase {
        elder_id: comfortable.id.clone(),
        application: application(&comfortable),
        notes: String::new(),
    };
    let refused = refusal(adaptation::open_case(&mut replica, &request));
    assert!(refused.starts_with("该户不符合改造条件"), "{refused}");

    let able = registered(&mut replica, rng, NaiveDate::from_ymd_opt(1958, 8, 8).unwrap(), EconomicStatus::LowIncome);
    let answer = adaptation::eligibility(&replica, &able.id).unwrap();
    assert!(!answer.eligibility.eligible);
    assert!(
        answer.eligibility.summary.contains("老人不满足以下任一条件：年满80周岁；属失能；属重残"),
        "{}",
        answer.eligibility.summary
    );

    // An urban household (a 居委会) has the urban cap.
    let mut townsman = old_and_poor.clone();
    townsman.id = String::new();
    townsman.village_code = "360733105001".into();
    townsman.id_number = xianglin_schema::id_number::compose("360733", townsman.birth_date, 901, townsman.gender);
    let townsman = store_elder(&mut replica, townsman).unwrap();
    let answer = adaptation::eligibility(&replica, &townsman.id).unwrap();
    assert_eq!((answer.urban, answer.cap), (true, 400_000));
}

#[test]
fn an_assessment_is_kept_with_its_levels_and_history_and_a_score_out_of_range_is_refused() {
    let mut replica = county_replica();
    staff(&mut replica);
    let rng = &mut Rng::new(13);
    let elder = registered(&mut replica, rng, NaiveDate::from_ymd_opt(1940, 1, 1).unwrap(), EconomicStatus::Dibao);
    let shard = ShardId::elders(&elder.village_code);

    let heads = replica.heads(&shard).unwrap();
    let mut broken = assessment(&elder, today(), 60);
    broken.scores.insert(AssessmentItem::Stairs, 4);
    broken.scores.remove(&AssessmentItem::Vision);
    let refused = refusal(adaptation::record_assessment(&mut replica, broken));
    assert!(refused.contains("上下楼梯应在 0–3 分之间") && refused.contains("请填写视力"), "{refused}");
    let future =
        refusal(adaptation::record_assessment(&mut replica, assessment(&elder, today() + Duration::days(1), 60)));
    assert!(future.contains("评估日期不能晚于今天"), "{future}");
    assert_eq!(replica.heads(&shard).unwrap(), heads, "nothing was written");
    assert!(adaptation::assessments_of(&replica, &elder.id).unwrap().is_empty());

    let first =
        adaptation::record_assessment(&mut replica, assessment(&elder, today() - Duration::days(200), 70)).unwrap();
    let first_result = first.result.clone().unwrap();
    assert_eq!((first_result.total, first_result.preliminary_level), (70, AbilityLevel::MildlyImpaired));
    // Six months on: 60 points, diagnosed with dementia: 中度受损, raised one level.
    let mut later = assessment(&elder, today(), 60);
    later.dementia = true;
    later.reason = AssessmentReason::Immediate;
    let later = adaptation::record_assessment(&mut replica, later).unwrap();
    let result = later.result.clone().unwrap();
    assert_eq!(result.total, 60);
    assert_eq!(result.subtotals[&AssessmentGroup::SelfCare], 32);
    assert_eq!(
        (result.preliminary_level, result.final_level),
        (AbilityLevel::ModeratelyImpaired, AbilityLevel::SeverelyImpaired)
    );
    assert_eq!(result.adjustments, ["诊断痴呆，提高一级"]);

    // History is every assessment of the elder, newest first, from the registry too.
    let history = adaptation::assessments_of(&replica, &elder.id).unwrap();
    assert_eq!(
        history.iter().map(|assessment| assessment.id.as_str()).collect::<Vec<_>>(),
        [later.id.as_str(), first.id.as_str()]
    );
    assert_eq!(history[0], later, "kept with its result as scored");
    let stored = replica.read_record(&shard, &county_key("assessment", &later.id)).unwrap().unwrap();
    assert_eq!(stored.value["result"]["final_level"], "severely_impaired");
}

#[test]
fn a_plan_over_the_cap_is_refused_naming_both_amounts_and_nothing_changes() {
    let mut replica = county_replica();
    staff(&mut replica);
    let rng = &mut Rng::new(14);
    let elder =
        registered(&mut replica, rng, NaiveDate::from_ymd_opt(1939, 3, 3).unwrap(), EconomicStatus::PovertyAlleviated);
    let case = open(&mut replica, &elder);
    let saved = adaptation::save_plan(&mut replica, &plan(&case.case.id, &[("A13", 2)])).unwrap();
    assert_eq!(saved.plan_totals.total, 50_000);
    let heads = replica.heads(&case_shard(&case)).unwrap();
    let projected = query::projection_dump(&replica).unwrap();

    // 高差处理 ×6 (1,800.00) + 手杖 (80.00) + 防走失装置 (300.00) = 2,180.00 of basic items.
    let over =
        refusal(adaptation::save_plan(&mut replica, &plan(&case.case.id, &[("A02", 6), ("A24", 1), ("A29", 1)])));
    assert_eq!(over, "改造方案的基础项目合计 2,180.00 元，超出农村家庭每户 2,000.00 元的补贴上限");
    assert_eq!(replica.heads(&case_shard(&case)).unwrap(), heads, "the document is unchanged");
    assert_eq!(query::projection_dump(&replica).unwrap(), projected, "the projection is unchanged");
    let detail = adaptation::case_detail(&replica, &case.case.id).unwrap();
    assert_eq!(detail.plan.len(), 1);
    assert_eq!(detail.plan[0].name, "安装扶手");
    assert_eq!(detail.plan[0].category, "如厕洗浴设备改造");
}

#[test]
fn an_attachment_that_is_not_an_image_or_pdf_or_too_large_is_refused_and_nothing_changes() {
    let mut replica = county_replica();
    staff(&mut replica);
    let store = crate::support::attachments();
    let rng = &mut Rng::new(15);
    let elder = registered(&mut replica, rng, NaiveDate::from_ymd_opt(1939, 3, 3).unwrap(), EconomicStatus::Dibao);
    let case = open(&mut replica, &elder);
    let heads = replica.heads(&case_shard(&case)).unwrap();

    // The file is refused as it is stored (add_attachment), before any case names it.
    assert_eq!(refusal(store.put(b"MZ\x90\x00 a program")), "附件只能是图片（JPEG、PNG、WebP）或 PDF 文件");
    let mut huge = pdf();
    huge.resize(attachments::MAX_ATTACHMENT_BYTES + 1, b' ');
    assert!(refusal(store.put(&huge)).contains("不能超过 10 MB"));
    // A case cannot name a file that was never stored.
    let unknown = AddCaseAttachment {
        case_id: case.case.id.clone(),
        step: CaseStep::Application,
        kind: AttachmentKind::SignedForm,
        caption: String::new(),
        document: None,
        sha256: "ab".repeat(32),
    };
    assert!(refusal(adaptation::add_case_attachment(&mut replica, &store, &unknown)).contains("未找到"));
    assert_eq!(replica.heads(&case_shard(&case)).unwrap(), heads, "the case is unchanged");
    assert!(store.list().unwrap().is_empty(), "no file was stored");
    assert!(attachments::referenced(&replica).unwrap().is_empty());
}

#[test]
fn the_countys_step_arrives_by_sync_and_advances_the_case_and_a_stale_step_is_shown_not_applied() {
    let mut station = county_replica();
    let staff = staff(&mut station);
    let store = crate::support::attachments();
    let rng = &mut Rng::new(16);
    let elder = registered(&mut station, rng, NaiveDate::from_ymd_opt(1941, 9, 9).unwrap(), EconomicStatus::Dibao);
    let case = open(&mut station, &elder);
    let id = case.case.id.clone();
    let photo = attachment(&store, &id, CaseStep::Application, AttachmentKind::Other, &jpeg());
    let photographed = adaptation::add_case_attachment(&mut station, &store, &photo).unwrap();
    let sha256 = photographed.attachments[0].sha256.clone();
    let documents = DocumentKind::ALL
        .into_iter()
        .filter(|kind| kind.always_required())
        .map(|kind| (kind, DocumentState::Provided))
        .collect();
    adaptation::save_case_details(
        &mut station,
        &SaveAdaptationCase { case_id: id.clone(), application: application(&elder), documents, notes: String::new() },
    )
    .unwrap();
    adaptation::record_step(&mut station, &done(&id, CaseStep::Application)).unwrap();

    // A second computer of the station, which has the case, finishes 乡镇初审 offline, and so
    // does the first: both events travel; the later one no longer applies.
    let mut laptop = Replica::open_in_memory().unwrap();
    laptop.set_clock(Clock::Fixed(now()));
    exchange(&mut station, &mut laptop);
    laptop.set_user(&staff.director).unwrap();
    adaptation::record_step(&mut station, &step(&id, CaseStep::TownshipReview, StepOutcome::Done, "办公室")).unwrap();
    adaptation::record_step(&mut laptop, &step(&id, CaseStep::TownshipReview, StepOutcome::Done, "入户时")).unwrap();
    exchange(&mut laptop, &mut station);
    let merged = adaptation::case_detail(&station, &id).unwrap();
    assert_eq!(merged.progress.step, CaseStep::CountyReview);
    assert_eq!(merged.progress.ignored.len(), 1, "one of the two is reported as not applied");
    let stale = merged.timeline.iter().find(|row| !row.applied).unwrap();
    assert_eq!(stale.event.step, CaseStep::TownshipReview);

    // The county holds everything the station pushed, the photo's reference included.
    let mut county = Replica::open_in_memory().unwrap();
    county.set_clock(Clock::Fixed(now()));
    exchange(&mut station, &mut county);
    county.set_user(&staff.reviewer).unwrap();
    assert_eq!(attachments::referenced(&county).unwrap(), std::slice::from_ref(&sha256));
    assert_eq!(attachments::referencing_villages(&county, &sha256).unwrap(), [VILLAGES[0]]);
    let waiting =
        AdaptationCasesRequest { place_code: None, step: Some(CaseStep::CountyReview), include_archived: false };
    assert_eq!(adaptation::cases(&county, &waiting).unwrap().rows.len(), 1);
    let reviewed =
        adaptation::record_step(&mut county, &step(&id, CaseStep::CountyReview, StepOutcome::Done, "同意")).unwrap();
    assert_eq!(reviewed.progress.step, CaseStep::Assessment);

    // The county's decision travels in the review shard and moves the station's case on.
    let review = ShardId::review(SMALL_TOWNSHIP);
    let before = station.heads(&review).unwrap();
    exchange(&mut county, &mut station);
    assert_ne!(station.heads(&review).unwrap(), before);
    let on_station = adaptation::case_detail(&station, &id).unwrap();
    assert_eq!(on_station.progress.step, CaseStep::Assessment);
    assert_eq!(on_station.timeline.last().unwrap().by_name, "钟丽华");
    let list = adaptation::cases(
        &station,
        &AdaptationCasesRequest { place_code: None, step: Some(CaseStep::Assessment), include_archived: false },
    )
    .unwrap();
    assert_eq!(list.rows.len(), 1, "the projection's step followed the event from the other shard");

    // An event written past the checks (an older app), for a step the case is not at, arrives
    // by sync: shown, never applied.
    let foreign = CaseEvent {
        id: new_id(),
        case_id: id.clone(),
        step: CaseStep::Settlement,
        outcome: StepOutcome::Done,
        by: staff.reviewer.clone(),
        at: "2026-11-20T15:00:00".into(),
        notes: String::new(),
        meta: RecordMeta::default(),
    };
    let author = Author { actor: county.author().actor, user_id: staff.reviewer.clone(), at: now() };
    county
        .commit(&review, &[(county_key("case", &foreign.id), serde_json::to_value(&foreign).unwrap())], &author)
        .unwrap();
    exchange(&mut county, &mut station);
    let after = adaptation::case_detail(&station, &id).unwrap();
    assert_eq!(after.progress.step, CaseStep::Assessment);
    assert!(after.progress.ignored.contains(&foreign.id));
    assert!(!after.timeline.iter().find(|row| row.event.id == foreign.id).unwrap().applied);
}

#[test]
fn the_demo_county_lists_its_cases_by_step_with_days_waiting_and_rebuilds_to_the_same_projection() {
    let mut replica = small_demo_replica(1);
    let list = adaptation::cases(
        &replica,
        &AdaptationCasesRequest { place_code: Some(SMALL_TOWNSHIP.into()), step: None, include_archived: false },
    )
    .unwrap();
    let steps: Vec<(CaseStep, u32)> = list.rows.iter().map(|row| (row.step, row.days_waiting)).collect();
    assert_eq!(
        steps,
        [
            (CaseStep::Construction, 55),
            (CaseStep::Assessment, 40),
            (CaseStep::CountyReview, 30),
            (CaseStep::TownshipReview, 18),
            (CaseStep::Application, 4),
        ]
    );
    assert!(list.rows.iter().all(|row| row.township_name == "庄口镇" && !row.elder_name.is_empty()));
    assert_eq!(list.counts.len(), 5);
    assert!(list.counts.iter().all(|count| count.cases == 1));

    let built = adaptation::case_detail(&replica, &list.rows[0].case_id).unwrap();
    assert!(built.assessment.is_some() && !built.plan.is_empty() && built.case.plan_signed.is_some());
    assert!(built.plan_totals.subsidy <= built.plan_totals.cap);
    assert_eq!(built.missing, ["尚未上传改造前照片"]);
    let returned = adaptation::case_detail(&replica, &list.rows[1].case_id).unwrap();
    assert!(returned.timeline.iter().any(|row| row.event.outcome == StepOutcome::Returned && row.by_name == "钟丽华"));
    let fresh = adaptation::case_detail(&replica, &list.rows[4].case_id).unwrap();
    assert!(fresh.missing[0].starts_with("申请材料不全"), "{:?}", fresh.missing);

    let incremental = query::projection_dump(&replica).unwrap();
    // 1 + 2 + 5 + 5 events: the county's decisions among them, from the review shard.
    assert_eq!(incremental.iter().filter(|row| row.starts_with("case_events:")).count(), 13);
    assert_eq!(incremental.iter().filter(|row| row.starts_with("assessments:")).count(), 1);
    replica.rebuild().unwrap();
    assert_eq!(query::projection_dump(&replica).unwrap(), incremental);
}
