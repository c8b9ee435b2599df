//! Turns the replica's facts into the plain inputs of `xianglin-reports` (labels in Chinese,
//! ID numbers masked), so that the reports crate knows nothing of records or storage.

use xianglin_domain::patrol;
use xianglin_reports::{RegisterVisit, VisitRegister, VisitRegisterRow};
use xianglin_schema::api::{CaseDetail, Settlement, TownshipSettlements};
use xianglin_schema::assessment::{AbilityLevel, Assessment, AssessmentGroup, AssessmentItem, AssessmentStandard};
use xianglin_schema::id_number;
use xianglin_schema::record::Gender;
use xianglin_sync::Month;
use xianglin_sync::Replica;
use xianglin_sync::Result;
use xianglin_sync::attachments::AttachmentStore;

/// The monthly visit register (村级探访记录表) of a village.
pub fn village_visit_register(replica: &Replica, village_code: &str, month: Month) -> Result<VisitRegister> {
    let villages = [village_code.to_owned()];
    let mut visits_by_elder: std::collections::HashMap<String, Vec<RegisterVisit>> = std::collections::HashMap::new();
    for (visit, visitor) in patrol::village_month_visits(replica, village_code, month)? {
        let non_normal_summary = if visit.worst_severity() > xianglin_schema::visit::Severity::Normal {
            visit.summary()
        } else {
            String::new()
        };
        visits_by_elder.entry(visit.elder_id.clone()).or_default().push(RegisterVisit {
            date: visit.visited_at.format("%m-%d").to_string(),
            mode: visit.mode.label().to_owned(),
            worst_severity: visit.worst_severity().label().to_owned(),
            summary: non_normal_summary,
            visitor,
        });
    }
    let today = replica.today();
    let rows = patrol::month_entries(replica, &villages, month)?
        .into_iter()
        .map(|entry| {
            let elder = entry.elder;
            VisitRegisterRow {
                gender: if elder.gender == Gender::Male { "男" } else { "女" }.to_owned(),
                age: elder.age_on(month.last_day().min(today)),
                id_number_masked: id_number::mask(&elder.id_number),
                categories: elder.categories.keys().map(|category| category.label()).collect::<Vec<_>>().join("、"),
                tier: entry.due.as_ref().map(|due| due.tier_name.clone()).unwrap_or_default(),
                visits: visits_by_elder.remove(&elder.id).unwrap_or_default(),
                due: entry.due_in_month,
                elder_name: elder.name,
            }
        })
        .collect();
    let names = xianglin_domain::query::place_names_of(replica, village_code)?;
    Ok(VisitRegister {
        county: names.county,
        township: names.township,
        village: names.village,
        month: month.to_string(),
        printed_at: replica.now().format("%Y-%m-%d %H:%M").to_string(),
        rows,
    })
}

/// A point's monthly settlement statement. An approved month prints the approved totals, and
/// says so when meals changed after the approval.
pub fn meal_settlement(replica: &Replica, settlement: &Settlement) -> Result<xianglin_reports::MealSettlement> {
    let names = xianglin_domain::query::place_names_of(replica, &settlement.point.township_code)?;
    let totals = settlement.approved_totals.as_ref().unwrap_or(&settlement.totals);
    let changed = settlement
        .anomalies
        .iter()
        .filter(|anomaly| anomaly.kind == xianglin_schema::api::MealAnomalyKind::ChangedAfterApproval)
        .count();
    let mut status = settlement.status_label.clone();
    if changed > 0 {
        status.push_str(&format!("；审核后有{changed}条就餐记录变更，未计入本表金额"));
    }
    Ok(xianglin_reports::MealSettlement {
        county: names.county,
        township: settlement.township_name.clone(),
        point: settlement.point.name.clone(),
        month: settlement.month.clone(),
        printed_at: printed_at(replica),
        status,
        policy_versions: settlement.policy_versions.join("、"),
        rows: settlement
            .rows
            .iter()
            .map(|row| xianglin_reports::meal_settlement::SettlementRow {
                elder_name: row.elder_name.clone(),
                id_number_masked: row.id_number_masked.clone(),
                band: row.band.clone(),
                dining_days: row.dining_days,
                breakfasts: row.breakfasts,
                lunches: row.lunches,
                dinners: row.dinners,
                deliveries: row.deliveries,
                proxies: row.proxies,
                subsidy: row.subsidy,
                self_paid: row.self_paid,
            })
            .collect(),
        adjustments: settlement
            .adjustments
            .iter()
            .map(|row| xianglin_reports::meal_settlement::SettlementAdjustment {
                elder_name: row.elder_name.clone(),
                from_month: row.adjustment.from_month.clone(),
                reason: row.adjustment.reason.clone(),
                subsidy_delta: row.adjustment.subsidy_delta,
                self_paid_delta: row.adjustment.self_paid_delta,
            })
            .collect(),
        totals: xianglin_reports::meal_settlement::SettlementTotals {
            diners: totals.diners,
            dining_days: totals.dining_days,
            meals: totals.meals,
            subsidy: totals.subsidy,
            self_paid: totals.self_paid,
            adjustments: totals.adjustments,
            payable: totals.payable,
        },
    })
}

/// The township's summary of its points' settlements for a month.
pub fn township_meal_summary(
    replica: &Replica,
    summary: &TownshipSettlements,
) -> Result<xianglin_reports::TownshipMealSummary> {
    let names = xianglin_domain::query::place_names_of(replica, &summary.township_code)?;
    Ok(xianglin_reports::TownshipMealSummary {
        county: names.county,
        township: summary.township_name.clone(),
        month: summary.month.clone(),
        printed_at: printed_at(replica),
        points: summary
            .points
            .iter()
            .map(|point| xianglin_reports::meal_settlement::PointSummaryRow {
                point: point.point_name.clone(),
                diners: point.totals.diners,
                meals: point.totals.meals,
                subsidy: point.totals.subsidy,
                self_paid: point.totals.self_paid,
                adjustments: point.totals.adjustments,
                payable: point.totals.payable,
                status: point.status_label.clone(),
            })
            .collect(),
        totals: xianglin_reports::meal_settlement::TownshipMealTotals {
            diners: summary.totals.diners,
            meals: summary.totals.meals,
            subsidy: summary.totals.subsidy,
            self_paid: summary.totals.self_paid,
            adjustments: summary.totals.adjustments,
            payable: summary.totals.payable,
        },
    })
}

/// A dashboard's table on A4 landscape: the place column fixed, the months sharing the rest.
pub fn dashboard(table: &xianglin_domain::review::dashboards::DashboardTable) -> xianglin_reports::TableReport {
    use xianglin_reports::layout::{Alignment, Column, ColumnWidth, PageSetup};
    let columns = table
        .headers
        .iter()
        .enumerate()
        .map(|(index, header)| Column {
            header: header.clone(),
            width: if index == 0 { ColumnWidth::Mm(32.0) } else { ColumnWidth::Share(1.0) },
            alignment: if index == 0 { Alignment::Left } else { Alignment::Right },
        })
        .collect();
    xianglin_reports::TableReport {
        page: PageSetup::a4_landscape(),
        title: table.title.clone(),
        subtitle_lines: vec![table.subtitle.clone()],
        columns,
        rows: table.rows.clone(),
        closing_lines: Vec::new(),
        signature_fields: vec!["制表人".into(), "审核人".into()],
    }
}

/// A household's home-adaptation case file (一户一档): the household, the steps so far, the
/// assessment, the plan with its totals, the documents, and the photos from `attachments` (a
/// photo this computer lacks prints as an empty frame; scans in PDF are listed, not printed).
pub fn case_file(
    replica: &Replica,
    attachments: &AttachmentStore,
    detail: &CaseDetail,
) -> Result<xianglin_reports::CaseFile> {
    let names = xianglin_domain::query::place_names_of(replica, &detail.case.village_code)?;
    let elder = &detail.elder;
    let application = &detail.case.application;
    let categories: Vec<&str> = elder.categories.iter().map(|category| category.label()).collect();
    let household = [
        ("户主/老人姓名", elder.name.clone()),
        ("身份证号", elder.id_number_masked.clone()),
        ("性别", if elder.gender == Gender::Male { "男" } else { "女" }.to_owned()),
        ("年龄", elder.age.to_string()),
        ("地址", elder.address.clone()),
        ("联系电话", elder.phone.as_deref().map(mask_phone).unwrap_or_default()),
        ("经济状况", elder.economic_status.label().to_owned()),
        ("老人类别", if categories.is_empty() { "无".to_owned() } else { categories.join("、") }),
        ("城乡", if detail.case.urban { "城镇" } else { "农村" }.to_owned()),
        ("资格判定", detail.eligibility.summary.clone()),
        ("申请人", format!("{}（{}）", application.applicant_name, application.applicant_relation)),
        ("房屋产权人", application.dwelling_owner.clone()),
        ("当前环节", current_step(detail)),
    ]
    .into_iter()
    .map(|(label, value)| (label.to_owned(), value))
    .collect();
    let steps = detail
        .timeline
        .iter()
        .filter(|row| row.applied)
        .map(|row| xianglin_reports::CaseStepLine {
            step: row.step_label.clone(),
            outcome: row.outcome_label.clone(),
            by: row.by_name.clone(),
            at: row.event.at.get(..10).unwrap_or(&row.event.at).to_owned(),
            notes: row.event.notes.clone(),
        })
        .collect();
    let plan = detail
        .plan
        .iter()
        .map(|line| xianglin_reports::CasePlanLine {
            category: format!("（{}）{}", chinese_numeral(line.category_index), line.category),
            item: line.name.clone(),
            kind: line.kind_label.clone(),
            unit: line.unit.clone(),
            quantity: line.item.quantity,
            unit_price: line.item.unit_price,
            amount: line.amount,
        })
        .collect();
    let totals = &detail.plan_totals;
    let elder_signed = match &detail.case.plan_signed {
        Some(signature) => format!("已签字（{}，签字人：{}）", signature.signed_on, signature.signer),
        None => "未签字".to_owned(),
    };
    let photos = detail
        .attachments
        .iter()
        .filter(|row| matches!(row.attachment.mime.as_str(), "image/jpeg" | "image/png"))
        .map(|row| {
            let caption = match row.attachment.caption.as_str() {
                "" => format!("{}（{}）", row.kind_label, row.step_label),
                caption => format!("{}：{caption}", row.kind_label),
            };
            xianglin_reports::ReportImage::new(&caption, attachments.get(&row.sha256).unwrap_or_default())
        })
        .collect();
    let documents = detail
        .documents
        .iter()
        .map(|row| {
            let state = match row.attachments.len() {
                0 => row.state_label.clone(),
                scans => format!("{}（扫描件 {scans} 份）", row.state_label),
            };
            (row.label.clone(), state)
        })
        .collect();
    Ok(xianglin_reports::CaseFile {
        county: names.county,
        township: names.township,
        village: names.village,
        case_number: detail.case_number.clone(),
        printed_at: printed_at(replica),
        household,
        steps,
        assessment: detail.assessment.as_ref().map(case_assessment),
        plan,
        plan_totals: xianglin_reports::CasePlanTotals {
            total: totals.total,
            subsidy: totals.subsidy,
            self_paid: totals.self_paid,
            cap: totals.cap,
        },
        elder_signed,
        photos,
        documents,
    })
}

/// An assessment as the case file prints it: every item's score out of its maximum, the
/// subtotals, the total and both levels.
fn case_assessment(assessment: &Assessment) -> xianglin_reports::CaseAssessment {
    let level = |level: AbilityLevel| format!("{} {}", level.number(), level.label());
    let result = assessment.result.as_ref();
    xianglin_reports::CaseAssessment {
        standard: match assessment.standard {
            AssessmentStandard::GbT42195_2022 => "GB/T 42195-2022 老年人能力评估规范".to_owned(),
            AssessmentStandard::MzT039_2013 => "MZ/T 039-2013 老年人能力评估".to_owned(),
        },
        assessed_on: assessment.assessed_on.to_string(),
        reason: format!("{}评估", assessment.reason.label()),
        assessor: assessment.assessor.clone(),
        items: AssessmentItem::ALL
            .into_iter()
            .map(|item| {
                let score = assessment.scores.get(&item).map_or_else(|| "—".to_owned(), ToString::to_string);
                (item.group().label().to_owned(), item.label().to_owned(), format!("{score}/{}", item.max_score()))
            })
            .collect(),
        subtotals: AssessmentGroup::ALL
            .into_iter()
            .map(|group| {
                let subtotal = result.and_then(|result| result.subtotals.get(&group)).copied().unwrap_or(0);
                (group.label().to_owned(), format!("{subtotal}/{}", group.max_score()))
            })
            .collect(),
        total: result.map_or_else(String::new, |result| format!("{}/90", result.total)),
        preliminary_level: result.map_or_else(String::new, |result| level(result.preliminary_level)),
        final_level: result.map_or_else(String::new, |result| level(result.final_level)),
        adjustments: result.map(|result| result.adjustments.clone()).unwrap_or_default(),
    }
}

/// Where the case stands, e.g. 县级审核（已等待 12 天）.
fn current_step(detail: &CaseDetail) -> String {
    if detail.progress.archived {
        return "已归档".to_owned();
    }
    let mut text = format!("{}（已等待 {} 天）", detail.step_label, detail.days_waiting);
    if let Some(reason) = &detail.progress.returned_reason {
        text.push_str(&format!("，退回原因：{reason}"));
    }
    text
}

/// An 11-digit mobile number with its middle four digits hidden; other numbers as they are.
fn mask_phone(phone: &str) -> String {
    if phone.len() == 11 && phone.bytes().all(|byte| byte.is_ascii_digit()) {
        format!("{}****{}", &phone[..3], &phone[7..])
    } else {
        phone.to_owned()
    }
}

/// 1 → 一, …, 10 → 十: the numbering of the catalog's categories.
fn chinese_numeral(number: u32) -> String {
    const DIGITS: [&str; 11] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    match number {
        0..=10 => DIGITS[number as usize].to_owned(),
        11..=19 => format!("十{}", DIGITS[(number - 10) as usize]),
        _ => number.to_string(),
    }
}

fn printed_at(replica: &Replica) -> String {
    replica.now().format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use xianglin_demo::{self as demo, DemoOptions, DemoSize, PLANTED_ELDER};
    use xianglin_sync::replica::Clock;

    use super::*;

    fn run(program: &str, arguments: &[&str]) -> String {
        let output = std::process::Command::new(program).args(arguments).output().expect("poppler-utils is installed");
        assert!(output.status.success(), "{program} failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    #[test]
    fn the_demo_villages_register_prints_with_its_elders_masked_and_totals_matching_coverage() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let mut replica = Replica::open_in_memory().unwrap();
        replica.set_clock(Clock::Fixed(today.and_hms_opt(17, 0, 0).unwrap()));
        demo::generate(&mut replica, &DemoOptions { size: DemoSize::Small, seed: 1, today }).unwrap();
        let village = "360733105001";
        let month: Month = "2026-10".parse().unwrap();
        let register = village_visit_register(&replica, village, month).unwrap();
        assert_eq!((register.township.as_str(), register.village.as_str()), ("庄口镇", "庄口居委会"));
        let coverage = patrol::coverage(
            &replica,
            &xianglin_schema::api::CoverageRequest { place_code: village.into(), month: month.to_string() },
        )
        .unwrap();
        let totals = xianglin_reports::visit_register::totals_line(&register.rows);
        assert!(
            totals.starts_with(&format!("应访 {} 人，已访 {} 人", coverage.total.due, coverage.total.visited)),
            "{totals}"
        );

        // Kept under the build directory when there is one, so the PDF and PNG can be looked at.
        let base =
            std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let directory = base.join("reports-check").join("visit-register");
        std::fs::create_dir_all(&directory).unwrap();
        let pdf_path = directory.join("register.pdf");
        std::fs::write(&pdf_path, xianglin_reports::render_visit_register(&register).unwrap()).unwrap();
        let pdf = pdf_path.to_str().unwrap();
        let text = run("pdftotext", &["-layout", pdf, "-"]);
        assert!(text.contains("庄口居委会特殊困难老年人探访记录表"));
        assert!(text.contains(PLANTED_ELDER));
        assert!(text.contains("3621**********031X"), "ID numbers are masked");
        assert!(!text.contains("362128194603150"), "no full ID number in the register");
        // pdftotext drops the spaces of a short page's footer; compare without whitespace.
        let compact: String = text.chars().filter(|character| !character.is_whitespace()).collect();
        assert!(compact.contains("第1页共"), "page numbers");
        assert!(text.contains(&totals));
        run("pdftoppm", &["-png", "-r", "80", "-f", "1", "-l", "1", pdf, directory.join("page").to_str().unwrap()]);
        assert!(
            std::fs::read_dir(&directory).unwrap().any(|entry| entry
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".png"))
        );
    }

    #[test]
    fn a_points_settlement_prints_its_diners_masked_with_the_totals_of_the_screen() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let mut replica = Replica::open_in_memory().unwrap();
        replica.set_clock(Clock::Fixed(today.and_hms_opt(17, 0, 0).unwrap()));
        demo::generate(&mut replica, &DemoOptions { size: DemoSize::Small, seed: 1, today }).unwrap();
        let point = xianglin_domain::meals::meal_points(&replica, demo::SMALL_TOWNSHIP).unwrap().remove(0).point;
        let request = xianglin_schema::api::SettlementRequest { point_id: point.id.clone(), month: "2026-09".into() };
        let settlement = xianglin_domain::meals::settlement(&mut replica, &request).unwrap();
        assert!(settlement.approved_totals.is_some(), "the demo's September is approved");
        let statement = meal_settlement(&replica, &settlement).unwrap();
        let rendered = xianglin_reports::render_meal_settlement(&statement).unwrap();
        assert!(rendered.missing_characters.is_empty());

        let base =
            std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let directory = base.join("reports-check").join("meal-settlement");
        std::fs::create_dir_all(&directory).unwrap();
        let pdf_path = directory.join("settlement.pdf");
        std::fs::write(&pdf_path, &rendered.pdf).unwrap();
        let pdf = pdf_path.to_str().unwrap();
        let text = run("pdftotext", &["-layout", pdf, "-"]);
        assert!(text.contains("老年助餐服务补贴结算表"));
        assert!(text.contains(&point.name));
        assert!(text.contains(&settlement.rows[0].elder_name));
        assert!(text.contains(&settlement.rows[0].id_number_masked));
        let payable = xianglin_reports::meal_settlement::format_yuan(settlement.approved_totals.unwrap().payable);
        assert!(text.contains(&payable), "the approved total {payable} is printed");
        assert!(text.contains("已审核锁定"));
        run("pdftoppm", &["-png", "-r", "80", "-f", "1", "-l", "1", pdf, directory.join("page").to_str().unwrap()]);
        assert!(directory.join("page-1.png").exists() || directory.join("page-01.png").exists());
    }

    /// A small RGB PNG (a blue sky over a brown floor, a white diagonal), encoded by hand: stored
    /// deflate blocks need no compressor, so the test needs no image crate.
    fn png(width: u32, height: u32) -> Vec<u8> {
        fn crc32(bytes: &[u8]) -> u32 {
            let mut crc = 0xFFFF_FFFF_u32;
            for byte in bytes {
                crc ^= u32::from(*byte);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
                }
            }
            !crc
        }
        let mut raw = Vec::new();
        for y in 0..height {
            raw.push(0);
            for x in 0..width {
                let pixel = if x * height / width == y {
                    [255, 255, 255]
                } else if y < height / 2 {
                    [90, 150, 220]
                } else {
                    [150, 100, 60]
                };
                raw.extend_from_slice(&pixel);
            }
        }
        let mut zlib = vec![0x78, 0x01];
        let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
        for (index, block) in blocks.iter().enumerate() {
            zlib.push(u8::from(index + 1 == blocks.len()));
            let length = block.len() as u16;
            zlib.extend_from_slice(&length.to_le_bytes());
            zlib.extend_from_slice(&(!length).to_le_bytes());
            zlib.extend_from_slice(block);
        }
        let (mut low, mut high) = (1_u32, 0_u32);
        for byte in &raw {
            low = (low + u32::from(*byte)) % 65_521;
            high = (high + low) % 65_521;
        }
        zlib.extend_from_slice(&((high << 16) | low).to_be_bytes());
        let mut header = width.to_be_bytes().to_vec();
        header.extend_from_slice(&height.to_be_bytes());
        header.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        for (kind, data) in [(&b"IHDR"[..], header), (&b"IDAT"[..], zlib), (&b"IEND"[..], Vec::new())] {
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let mut body = kind.to_vec();
            body.extend_from_slice(&data);
            png.extend_from_slice(&body);
            png.extend_from_slice(&crc32(&body).to_be_bytes());
        }
        png
    }

    #[test]
    fn a_demo_case_file_prints_its_steps_assessment_plan_and_photo_with_the_id_number_masked() {
        use xianglin_domain::adaptation;
        use xianglin_schema::adaptation::{AttachmentKind, CaseStep};
        use xianglin_schema::api::{AdaptationCasesRequest, AddCaseAttachment};

        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let mut replica = Replica::open_in_memory().unwrap();
        replica.set_clock(Clock::Fixed(today.and_hms_opt(17, 0, 0).unwrap()));
        demo::generate(&mut replica, &DemoOptions { size: DemoSize::Small, seed: 1, today }).unwrap();
        let request = AdaptationCasesRequest {
            place_code: Some(demo::SMALL_TOWNSHIP.into()),
            step: Some(CaseStep::Construction),
            include_archived: false,
        };
        let case_id = adaptation::cases(&replica, &request).unwrap().rows.remove(0).case_id;

        let base =
            std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let directory = base.join("reports-check").join("case-file");
        let _ = std::fs::remove_dir_all(&directory);
        std::fs::create_dir_all(&directory).unwrap();
        // The station photographs the bathroom on site before the works start.
        let store = AttachmentStore::new(directory.join("attachments"));
        let photo = AddCaseAttachment {
            case_id: case_id.clone(),
            step: CaseStep::Construction,
            kind: AttachmentKind::BeforePhoto,
            caption: "卫生间地面".into(),
            document: None,
            sha256: store.put(&png(160, 120)).unwrap().sha256,
        };
        adaptation::add_case_attachment(&mut replica, &store, &photo).unwrap();
        let detail = adaptation::case_detail(&replica, &case_id).unwrap();
        let case_file = case_file(&replica, &store, &detail).unwrap();
        let rendered = xianglin_reports::render_case_file(&case_file).unwrap();
        assert!(rendered.missing_characters.is_empty(), "{:?}", rendered.missing_characters);
        assert!(rendered.unreadable_images.is_empty(), "the photo decodes");

        let pdf_path = directory.join("case-file.pdf");
        std::fs::write(&pdf_path, &rendered.pdf).unwrap();
        let pdf = pdf_path.to_str().unwrap();
        let text = run("pdftotext", &["-layout", pdf, "-"]);
        assert!(text.contains("居家适老化改造一户一档"));
        assert!(text.contains(&format!("档案编号：{}", detail.case_number)));
        assert!(text.contains(&detail.elder.name));
        assert!(text.contains(&detail.elder.id_number_masked), "ID numbers are masked");
        let full_id = xianglin_domain::registry::elder_for_edit(&replica, &detail.elder.elder_id).unwrap().id_number;
        assert!(!text.contains(&full_id), "no full ID number in the case file");
        for step in ["申请", "乡镇初审", "县级审核", "入户评估", "改造方案"] {
            assert!(text.contains(step), "step {step}");
        }
        assert!(text.contains("审核通过") && text.contains("钟丽华"), "the county's review, by its reviewer");
        assert!(text.contains("施工（已等待 55 天）"), "where the case stands");
        assert!(text.contains("GB/T 42195-2022") && text.contains("床上体位转移"), "the assessment");
        let result = detail.assessment.as_ref().unwrap().result.as_ref().unwrap();
        assert!(text.contains(&format!("{}/90", result.total)));
        assert!(text.contains("防滑处理") && text.contains("（一）地面改造"), "the plan");
        let totals = &detail.plan_totals;
        let closing = format!(
            "合计：{} 元，其中补贴 {} 元",
            xianglin_reports::meal_settlement::format_yuan(totals.total),
            xianglin_reports::meal_settlement::format_yuan(totals.subsidy)
        );
        assert!(text.contains(&closing), "{closing}");
        assert!(text.contains("老人签字确认：已签字"));
        assert!(text.contains("改造前照片：卫生间地面"), "the photo's caption");
        let compact: String = text.chars().filter(|character| !character.is_whitespace()).collect();
        assert!(compact.contains("第1页共"), "page numbers");
        run("pdftoppm", &["-png", "-r", "80", "-f", "1", "-l", "1", pdf, directory.join("page").to_str().unwrap()]);
        assert!(directory.join("page-1.png").exists() || directory.join("page-01.png").exists());
    }

    #[test]
    fn a_dashboard_prints_its_title_months_and_the_county_total_first() {
        use xianglin_domain::review::dashboards;
        use xianglin_schema::api::{DashboardFile, DashboardKind, TrendRequest};

        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let mut replica = Replica::open_in_memory().unwrap();
        replica.set_clock(Clock::Fixed(today.and_hms_opt(17, 0, 0).unwrap()));
        demo::generate(&mut replica, &DemoOptions { size: DemoSize::Small, seed: 1, today }).unwrap();
        let request = TrendRequest { place_code: None, to_month: "2026-11".into(), months: 3 };
        let table = dashboards::table(&mut replica, &DashboardFile { kind: DashboardKind::Coverage, request }).unwrap();
        let rendered = xianglin_reports::render_table_report(&super::dashboard(&table)).unwrap();
        assert!(rendered.missing_characters.is_empty(), "{:?}", rendered.missing_characters);

        let base =
            std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let directory = base.join("reports-check").join("dashboard");
        std::fs::create_dir_all(&directory).unwrap();
        let pdf_path = directory.join("coverage.pdf");
        std::fs::write(&pdf_path, &rendered.pdf).unwrap();
        let text = run("pdftotext", &["-layout", pdf_path.to_str().unwrap(), "-"]);
        for expected in ["月探访率", "2026-09", "2026-11", "会昌县", "庄口镇"] {
            assert!(text.contains(expected), "the PDF lacks {expected}");
        }
        assert!(text.find("会昌县").unwrap() < text.find("庄口镇").unwrap(), "the total first");
    }
}
