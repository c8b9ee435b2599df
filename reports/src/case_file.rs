//! The case file of one household's home adaptation (居家适老化改造一户一档): who the household
//! is, how far the case has gone, the ability assessment, the adaptation plan and its cost, the
//! application documents and the photos, on one document that is signed and filed.
//!
//! The input is plain data; the caller gathers it from the replica and computes every figure,
//! the plan's totals included, and the report prints what it is given. Its sections, in order:
//! 基本信息 (a field grid), 办理进度 (a table of workflow steps), 能力评估 (a field grid and the
//! assessment items, or "尚未评估"), 改造方案 (a table of items with the totals under it),
//! 申请材料 (a table) and 照片 (a grid of thumbnails). Layout is [`crate::layout`]'s document
//! layout; a photo that cannot be decoded prints as an empty frame and never fails the report.

use crate::ReportError;
use crate::layout::{
    Alignment, Block, Column, DocumentReport, PageSetup, RenderedReport, ReportImage, render_document_report,
};
use crate::meal_settlement::format_yuan;

/// One household's home-adaptation case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFile {
    pub county: String,
    pub township: String,
    pub village: String,
    pub case_number: String,
    pub printed_at: String,
    /// Label and value pairs, in print order: 户主/老人姓名, 身份证号 (masked), 性别, 年龄, 地址,
    /// 联系电话, 经济状况, 老人类别, 城乡, 资格判定.
    pub household: Vec<(String, String)>,
    /// The workflow so far, oldest first.
    pub steps: Vec<CaseStepLine>,
    /// `None` until the household is assessed.
    pub assessment: Option<CaseAssessment>,
    pub plan: Vec<CasePlanLine>,
    pub plan_totals: CasePlanTotals,
    /// "已签字（2026-10-12）" or "未签字"
    pub elder_signed: String,
    pub photos: Vec<ReportImage>,
    /// Document name and its state, e.g. ("申请表", "已提交").
    pub documents: Vec<(String, String)>,
}

/// One step of the workflow: 申请, 乡镇初审, 县级审核, 入户评估, 改造方案, 施工, 验收, ….
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseStepLine {
    pub step: String,
    /// e.g. "通过", "退回补充材料"
    pub outcome: String,
    pub by: String,
    pub at: String,
    pub notes: String,
}

/// The ability assessment of the household's elder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseAssessment {
    /// The standard assessed against, e.g. "GB/T 42195-2022 老年人能力评估规范".
    pub standard: String,
    pub assessed_on: String,
    /// Why the assessment was made, e.g. "首次评估".
    pub reason: String,
    pub assessor: String,
    /// Dimension, item and score ("3/4"), in the standard's order.
    pub items: Vec<(String, String, String)>,
    /// Dimension and its score ("20/32").
    pub subtotals: Vec<(String, String)>,
    pub total: String,
    pub preliminary_level: String,
    pub final_level: String,
    /// Why the final level differs from the preliminary one, one reason each.
    pub adjustments: Vec<String>,
}

/// One item of the adaptation plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasePlanLine {
    /// e.g. "（四）如厕洗浴设备改造"
    pub category: String,
    pub item: String,
    /// 基础 (subsidised) or 可选
    pub kind: String,
    pub unit: String,
    pub quantity: u32,
    /// In 分.
    pub unit_price: i64,
    /// In 分.
    pub amount: i64,
}

/// The plan's totals, as the caller computed them; all in 分.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasePlanTotals {
    pub total: i64,
    pub subsidy: i64,
    pub self_paid: i64,
    /// The county's cap on the subsidy per household.
    pub cap: i64,
}

/// Renders the case file as a portrait A4 PDF.
pub fn render_case_file(case_file: &CaseFile) -> Result<RenderedReport, ReportError> {
    render_document_report(&case_file_report(case_file))
}

/// The case file as a document report, for callers that also want the page count, the
/// characters the font lacks or the photos that could not be decoded.
pub fn case_file_report(case_file: &CaseFile) -> DocumentReport {
    let mut blocks = vec![Block::Heading("一、基本信息".to_owned()), Block::Fields(case_file.household.clone())];

    blocks.push(Block::Heading("二、办理进度".to_owned()));
    blocks.push(if case_file.steps.is_empty() {
        Block::Paragraph("尚无办理记录".to_owned())
    } else {
        steps_table(&case_file.steps)
    });

    blocks.push(Block::Heading("三、能力评估".to_owned()));
    match &case_file.assessment {
        Some(assessment) => blocks.extend(assessment_blocks(assessment)),
        None => blocks.push(Block::Paragraph("尚未评估".to_owned())),
    }

    blocks.push(Block::Heading("四、改造方案".to_owned()));
    blocks.push(if case_file.plan.is_empty() {
        Block::Paragraph("尚未制定改造方案".to_owned())
    } else {
        plan_table(&case_file.plan, &case_file.plan_totals, &case_file.elder_signed)
    });

    blocks.push(Block::Heading("五、申请材料".to_owned()));
    blocks.push(if case_file.documents.is_empty() {
        Block::Paragraph("尚未登记申请材料".to_owned())
    } else {
        documents_table(&case_file.documents)
    });

    blocks.push(Block::Heading("六、照片".to_owned()));
    blocks.push(if case_file.photos.is_empty() {
        Block::Paragraph("暂无照片".to_owned())
    } else {
        Block::Images { items: case_file.photos.clone(), thumb_width_mm: PHOTO_WIDTH_MM }
    });

    DocumentReport {
        page: PageSetup::a4_portrait(),
        title: "居家适老化改造一户一档".to_owned(),
        subtitle_lines: vec![
            format!(
                "{}{}{} · 档案编号：{}",
                case_file.county, case_file.township, case_file.village, case_file.case_number
            ),
            format!("打印时间：{}", case_file.printed_at),
        ],
        blocks,
        signature_fields: ["经办人", "乡镇审核", "县级审核"].map(str::to_owned).to_vec(),
    }
}

/// Three thumbnails to a row of a portrait page.
const PHOTO_WIDTH_MM: f32 = 55.0;

fn steps_table(steps: &[CaseStepLine]) -> Block {
    Block::Table {
        columns: vec![
            Column::fixed("序号", 9.0, Alignment::Centre),
            Column::fixed("环节", 24.0, Alignment::Left),
            Column::fixed("结果", 24.0, Alignment::Left),
            Column::fixed("经办人", 18.0, Alignment::Centre),
            Column::fixed("时间", 30.0, Alignment::Centre),
            Column::shared("备注", 1.0, Alignment::Left),
        ],
        rows: steps
            .iter()
            .enumerate()
            .map(|(step_index, step)| {
                vec![
                    (step_index + 1).to_string(),
                    step.step.clone(),
                    step.outcome.clone(),
                    step.by.clone(),
                    step.at.clone(),
                    step.notes.clone(),
                ]
            })
            .collect(),
        closing_lines: Vec::new(),
    }
}

/// Who assessed, when and against what, the scores by dimension and the levels; then every
/// item's score, with any level adjustments under them.
fn assessment_blocks(assessment: &CaseAssessment) -> [Block; 2] {
    let mut fields = vec![
        ("评估标准".to_owned(), assessment.standard.clone()),
        ("评估日期".to_owned(), assessment.assessed_on.clone()),
        ("评估原因".to_owned(), assessment.reason.clone()),
        ("评估员".to_owned(), assessment.assessor.clone()),
    ];
    fields.extend(assessment.subtotals.iter().cloned());
    fields.extend([
        ("总分".to_owned(), assessment.total.clone()),
        ("初步等级".to_owned(), assessment.preliminary_level.clone()),
        ("最终等级".to_owned(), assessment.final_level.clone()),
    ]);
    let items = Block::Table {
        columns: vec![
            Column::fixed("序号", 9.0, Alignment::Centre),
            Column::fixed("评估维度", 40.0, Alignment::Left),
            Column::shared("评估项目", 1.0, Alignment::Left),
            Column::fixed("得分", 20.0, Alignment::Centre),
        ],
        rows: assessment
            .items
            .iter()
            .enumerate()
            .map(|(item_index, (group, item, score))| {
                vec![(item_index + 1).to_string(), group.clone(), item.clone(), score.clone()]
            })
            .collect(),
        closing_lines: assessment.adjustments.iter().map(|adjustment| format!("等级调整：{adjustment}")).collect(),
    };
    [Block::Fields(fields), items]
}

fn plan_table(plan: &[CasePlanLine], totals: &CasePlanTotals, elder_signed: &str) -> Block {
    Block::Table {
        columns: vec![
            Column::fixed("序号", 9.0, Alignment::Centre),
            Column::shared("类别", 1.0, Alignment::Left),
            Column::shared("改造项目", 1.3, Alignment::Left),
            Column::fixed("类型", 11.0, Alignment::Centre),
            Column::fixed("单位", 12.5, Alignment::Centre),
            Column::fixed("数量", 10.0, Alignment::Right),
            Column::fixed("单价（元）", 18.5, Alignment::Right),
            Column::fixed("金额（元）", 18.5, Alignment::Right),
        ],
        rows: plan
            .iter()
            .enumerate()
            .map(|(line_index, line)| {
                vec![
                    (line_index + 1).to_string(),
                    line.category.clone(),
                    line.item.clone(),
                    line.kind.clone(),
                    line.unit.clone(),
                    line.quantity.to_string(),
                    format_yuan(line.unit_price),
                    format_yuan(line.amount),
                ]
            })
            .collect(),
        closing_lines: vec![
            format!(
                "合计：{} 元，其中补贴 {} 元，老人自付 {} 元（每户补贴上限 {} 元）",
                format_yuan(totals.total),
                format_yuan(totals.subsidy),
                format_yuan(totals.self_paid),
                format_yuan(totals.cap),
            ),
            format!("老人签字确认：{elder_signed}"),
        ],
    }
}

fn documents_table(documents: &[(String, String)]) -> Block {
    Block::Table {
        columns: vec![
            Column::fixed("序号", 9.0, Alignment::Centre),
            Column::shared("材料名称", 1.0, Alignment::Left),
            Column::fixed("状态", 40.0, Alignment::Centre),
        ],
        rows: documents
            .iter()
            .enumerate()
            .map(|(document_index, (name, state))| vec![(document_index + 1).to_string(), name.clone(), state.clone()])
            .collect(),
        closing_lines: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty_case() -> CaseFile {
        CaseFile {
            county: "修水县".to_owned(),
            township: "黄坳乡".to_owned(),
            village: "朱砂村".to_owned(),
            case_number: "SLH-2026-0031".to_owned(),
            printed_at: "2026-12-01 09:30".to_owned(),
            household: vec![("户主/老人姓名".to_owned(), "张桂兰".to_owned())],
            steps: Vec::new(),
            assessment: None,
            plan: Vec::new(),
            plan_totals: CasePlanTotals { total: 0, subsidy: 0, self_paid: 0, cap: 200000 },
            elder_signed: "未签字".to_owned(),
            photos: Vec::new(),
            documents: Vec::new(),
        }
    }

    fn headings(report: &DocumentReport) -> Vec<&str> {
        report
            .blocks
            .iter()
            .filter_map(|block| match block {
                Block::Heading(text) => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn sections_come_in_order_and_empty_ones_say_so() {
        let report = case_file_report(&empty_case());
        assert_eq!(
            headings(&report),
            ["一、基本信息", "二、办理进度", "三、能力评估", "四、改造方案", "五、申请材料", "六、照片"]
        );
        let paragraphs: Vec<&str> = report
            .blocks
            .iter()
            .filter_map(|block| match block {
                Block::Paragraph(text) => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(paragraphs, ["尚无办理记录", "尚未评估", "尚未制定改造方案", "尚未登记申请材料", "暂无照片"]);
        assert_eq!(report.signature_fields, ["经办人", "乡镇审核", "县级审核"]);
        assert_eq!(report.subtitle_lines[0], "修水县黄坳乡朱砂村 · 档案编号：SLH-2026-0031");
    }

    #[test]
    fn plan_totals_and_the_elders_signature_close_the_plan_table() {
        let mut case = empty_case();
        case.plan = vec![CasePlanLine {
            category: "（四）如厕洗浴设备改造".to_owned(),
            item: "安装扶手".to_owned(),
            kind: "基础".to_owned(),
            unit: "套".to_owned(),
            quantity: 2,
            unit_price: 18000,
            amount: 36000,
        }];
        case.plan_totals = CasePlanTotals { total: 36000, subsidy: 30000, self_paid: 6000, cap: 200000 };
        case.elder_signed = "已签字（2026-10-12）".to_owned();
        let report = case_file_report(&case);
        let Some(Block::Table { rows, closing_lines, .. }) = report.blocks.get(7) else {
            panic!("the plan table follows its heading: {:?}", report.blocks.get(7));
        };
        assert_eq!(rows[0], ["1", "（四）如厕洗浴设备改造", "安装扶手", "基础", "套", "2", "180.00", "360.00"]);
        assert_eq!(
            closing_lines,
            &[
                "合计：360.00 元，其中补贴 300.00 元，老人自付 60.00 元（每户补贴上限 2000.00 元）",
                "老人签字确认：已签字（2026-10-12）",
            ]
        );
    }
}
