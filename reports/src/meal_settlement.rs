//! The monthly meal settlement of a meal point (老年助餐服务补贴结算表) and the township's sum of
//! its points (乡镇老年助餐结算汇总表).
//!
//! A settlement lists each elder who ate at the point that month: dining days, meals by slot,
//! deliveries, meals collected by someone on the elder's behalf (代办), the subsidy and what the
//! elder paid; then the adjustments to earlier, already approved months, and the totals the
//! county pays out on. The input is plain data: the caller computes every figure, totals
//! included, and the report prints exactly what it is given, so the paper and the screen
//! cannot disagree. Money is in 分 and printed as 元 with two decimals ([`format_yuan`]).
//! Layout is [`crate::layout`]'s.

use crate::ReportError;
use crate::layout::{Alignment, Column, PageSetup, RenderedReport, TableReport, render_table_report};

/// One meal point's settlement for one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MealSettlement {
    pub county: String,
    pub township: String,
    /// The meal point, e.g. "黄坳乡敬老院助餐点".
    pub point: String,
    /// "2026-11"
    pub month: String,
    pub printed_at: String,
    /// e.g. "已提交，待县级审核" or "已审核（2026-12-03 李审核）"
    pub status: String,
    /// The policy data the subsidies were computed with, e.g. "360733-2024-01".
    pub policy_versions: String,
    pub rows: Vec<SettlementRow>,
    pub adjustments: Vec<SettlementAdjustment>,
    pub totals: SettlementTotals,
}

/// One elder's month at the meal point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementRow {
    pub elder_name: String,
    /// "3621**********031X"
    pub id_number_masked: String,
    /// The subsidy band (补贴档次), e.g. "75–84岁".
    pub band: String,
    pub dining_days: u32,
    pub breakfasts: u32,
    pub lunches: u32,
    pub dinners: u32,
    pub deliveries: u32,
    /// Meals collected by someone on the elder's behalf (代办次数).
    pub proxies: u32,
    /// In 分.
    pub subsidy: i64,
    /// In 分.
    pub self_paid: i64,
}

/// A correction to an earlier month that is already approved and locked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementAdjustment {
    pub elder_name: String,
    /// The month corrected, "2026-10".
    pub from_month: String,
    pub reason: String,
    /// In 分; negative when the earlier month paid too much.
    pub subsidy_delta: i64,
    /// In 分.
    pub self_paid_delta: i64,
}

/// The settlement's totals, as the caller computed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementTotals {
    pub diners: u32,
    pub dining_days: u32,
    pub meals: u32,
    /// In 分.
    pub subsidy: i64,
    /// In 分.
    pub self_paid: i64,
    /// The adjustments' subsidy deltas summed, in 分.
    pub adjustments: i64,
    /// What the county pays the point, in 分.
    pub payable: i64,
}

/// A township's meal points for one month, as the township sends them up to the county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TownshipMealSummary {
    pub county: String,
    pub township: String,
    /// "2026-11"
    pub month: String,
    pub printed_at: String,
    pub points: Vec<PointSummaryRow>,
    pub totals: TownshipMealTotals,
}

/// One meal point's line in the township summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointSummaryRow {
    pub point: String,
    pub diners: u32,
    pub meals: u32,
    /// In 分.
    pub subsidy: i64,
    /// In 分.
    pub self_paid: i64,
    /// In 分.
    pub adjustments: i64,
    /// In 分.
    pub payable: i64,
    /// The point's settlement status, e.g. "已审核".
    pub status: String,
}

/// The township summary's totals, as the caller computed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TownshipMealTotals {
    pub diners: u32,
    pub meals: u32,
    /// In 分.
    pub subsidy: i64,
    /// In 分.
    pub self_paid: i64,
    /// In 分.
    pub adjustments: i64,
    /// In 分.
    pub payable: i64,
}

/// Renders the settlement as a portrait A4 PDF.
pub fn render_meal_settlement(settlement: &MealSettlement) -> Result<RenderedReport, ReportError> {
    render_table_report(&meal_settlement_report(settlement))
}

/// The settlement as a table report: one row per elder, then the adjustments and the totals.
pub fn meal_settlement_report(settlement: &MealSettlement) -> TableReport {
    let columns = vec![
        Column::fixed("序号", 9.0, Alignment::Centre),
        Column::fixed("姓名", 16.0, Alignment::Centre),
        Column::fixed("身份证号", 34.0, Alignment::Centre),
        Column::shared("补贴档次", 1.0, Alignment::Centre),
        Column::fixed("就餐天数", 15.5, Alignment::Right),
        Column::fixed("早", 8.0, Alignment::Right),
        Column::fixed("中", 8.0, Alignment::Right),
        Column::fixed("晚", 8.0, Alignment::Right),
        Column::fixed("送餐", 10.0, Alignment::Right),
        Column::fixed("代办", 10.0, Alignment::Right),
        Column::fixed("补贴（元）", 18.5, Alignment::Right),
        Column::fixed("自付（元）", 18.5, Alignment::Right),
    ];
    let rows = settlement
        .rows
        .iter()
        .enumerate()
        .map(|(row_index, row)| {
            vec![
                (row_index + 1).to_string(),
                row.elder_name.clone(),
                row.id_number_masked.clone(),
                row.band.clone(),
                row.dining_days.to_string(),
                row.breakfasts.to_string(),
                row.lunches.to_string(),
                row.dinners.to_string(),
                row.deliveries.to_string(),
                row.proxies.to_string(),
                format_yuan(row.subsidy),
                format_yuan(row.self_paid),
            ]
        })
        .collect();
    let mut closing_lines: Vec<String> = settlement.adjustments.iter().map(adjustment_line).collect();
    closing_lines.push(settlement_totals_line(&settlement.totals));
    TableReport {
        page: PageSetup::a4_portrait(),
        title: "老年助餐服务补贴结算表".to_owned(),
        subtitle_lines: vec![
            format!("{}{} · {} · {}", settlement.county, settlement.township, settlement.point, settlement.month),
            format!("状态：{}　政策版本：{}", settlement.status, settlement.policy_versions),
            format!("打印时间：{}", settlement.printed_at),
        ],
        columns,
        rows,
        closing_lines,
        signature_fields: ["制表人", "助餐点负责人", "乡镇审核", "县民政局审核"].map(str::to_owned).to_vec(),
    }
}

/// Renders the township summary as a portrait A4 PDF.
pub fn render_township_meal_summary(summary: &TownshipMealSummary) -> Result<RenderedReport, ReportError> {
    render_table_report(&township_meal_summary_report(summary))
}

/// The township summary as a table report: one row per meal point, then the totals.
pub fn township_meal_summary_report(summary: &TownshipMealSummary) -> TableReport {
    let columns = vec![
        Column::fixed("序号", 9.0, Alignment::Centre),
        Column::shared("助餐点", 1.0, Alignment::Left),
        Column::fixed("就餐老人", 15.5, Alignment::Right),
        Column::fixed("餐次", 11.0, Alignment::Right),
        Column::fixed("补贴（元）", 19.0, Alignment::Right),
        Column::fixed("自付（元）", 19.0, Alignment::Right),
        Column::fixed("调整（元）", 19.0, Alignment::Right),
        Column::fixed("应拨付（元）", 21.5, Alignment::Right),
        Column::fixed("状态", 32.0, Alignment::Centre),
    ];
    let rows = summary
        .points
        .iter()
        .enumerate()
        .map(|(row_index, point)| {
            vec![
                (row_index + 1).to_string(),
                point.point.clone(),
                point.diners.to_string(),
                point.meals.to_string(),
                format_yuan(point.subsidy),
                format_yuan(point.self_paid),
                format_yuan(point.adjustments),
                format_yuan(point.payable),
                point.status.clone(),
            ]
        })
        .collect();
    let totals = &summary.totals;
    TableReport {
        page: PageSetup::a4_portrait(),
        title: "乡镇老年助餐结算汇总表".to_owned(),
        subtitle_lines: vec![
            format!("{}{} · {}", summary.county, summary.township, summary.month),
            format!("打印时间：{}", summary.printed_at),
        ],
        columns,
        rows,
        closing_lines: vec![format!(
            "合计：就餐老人 {} 人，餐次 {}，补贴 {} 元，自付 {} 元，调整 {} 元，应拨付 {} 元",
            totals.diners,
            totals.meals,
            format_yuan(totals.subsidy),
            format_yuan(totals.self_paid),
            format_yuan(totals.adjustments),
            format_yuan(totals.payable),
        )],
        signature_fields: ["制表人", "乡镇负责人", "县民政局审核"].map(str::to_owned).to_vec(),
    }
}

/// 分 as 元 with two decimals: 1234 → "12.34", -5 → "-0.05".
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let magnitude = fen.unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// "合计：就餐老人 N 人，就餐 N 天次，餐次 N，补贴 X 元，自付 Y 元，调整 Z 元，应拨付 W 元"
pub fn settlement_totals_line(totals: &SettlementTotals) -> String {
    format!(
        "合计：就餐老人 {} 人，就餐 {} 天次，餐次 {}，补贴 {} 元，自付 {} 元，调整 {} 元，应拨付 {} 元",
        totals.diners,
        totals.dining_days,
        totals.meals,
        format_yuan(totals.subsidy),
        format_yuan(totals.self_paid),
        format_yuan(totals.adjustments),
        format_yuan(totals.payable),
    )
}

/// "调整：王桂兰 2026-10 补录漏刷卡 2 次，补贴 +10.00 元，自付 +4.00 元"
fn adjustment_line(adjustment: &SettlementAdjustment) -> String {
    format!(
        "调整：{} {} {}，补贴 {} 元，自付 {} 元",
        adjustment.elder_name,
        adjustment.from_month,
        adjustment.reason,
        signed_yuan(adjustment.subsidy_delta),
        signed_yuan(adjustment.self_paid_delta),
    )
}

/// A change in 元 with its sign always shown: "+10.00", "-3.50", "0.00".
fn signed_yuan(fen: i64) -> String {
    if fen > 0 { format!("+{}", format_yuan(fen)) } else { format_yuan(fen) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settlement() -> MealSettlement {
        MealSettlement {
            county: "修水县".to_owned(),
            township: "黄坳乡".to_owned(),
            point: "黄坳乡敬老院助餐点".to_owned(),
            month: "2026-11".to_owned(),
            printed_at: "2026-12-01 09:30".to_owned(),
            status: "已提交，待县级审核".to_owned(),
            policy_versions: "360733-2024-01".to_owned(),
            rows: vec![SettlementRow {
                elder_name: "张桂兰".to_owned(),
                id_number_masked: "3621**********0428".to_owned(),
                band: "75–84岁".to_owned(),
                dining_days: 20,
                breakfasts: 0,
                lunches: 20,
                dinners: 3,
                deliveries: 2,
                proxies: 1,
                subsidy: 11500,
                self_paid: 4600,
            }],
            adjustments: vec![SettlementAdjustment {
                elder_name: "李秀英".to_owned(),
                from_month: "2026-10".to_owned(),
                reason: "补录漏刷卡 2 次".to_owned(),
                subsidy_delta: 1000,
                self_paid_delta: -400,
            }],
            totals: SettlementTotals {
                diners: 1,
                dining_days: 20,
                meals: 23,
                subsidy: 11500,
                self_paid: 4600,
                adjustments: 1000,
                payable: 12500,
            },
        }
    }

    #[test]
    fn fen_print_as_yuan_with_two_decimals() {
        assert_eq!(format_yuan(1234), "12.34");
        assert_eq!(format_yuan(5), "0.05");
        assert_eq!(format_yuan(0), "0.00");
        assert_eq!(format_yuan(-1205), "-12.05");
        assert_eq!(format_yuan(i64::MIN), "-92233720368547758.08");
        assert_eq!(signed_yuan(1000), "+10.00");
        assert_eq!(signed_yuan(-400), "-4.00");
    }

    #[test]
    fn each_elder_is_one_row_with_every_count_and_amount() {
        let report = meal_settlement_report(&settlement());
        assert_eq!(report.columns.len(), 12);
        assert_eq!(
            report.rows[0],
            ["1", "张桂兰", "3621**********0428", "75–84岁", "20", "0", "20", "3", "2", "1", "115.00", "46.00"]
        );
        assert_eq!(report.subtitle_lines[0], "修水县黄坳乡 · 黄坳乡敬老院助餐点 · 2026-11");
        assert!(
            report.subtitle_lines[1].contains("已提交，待县级审核")
                && report.subtitle_lines[1].contains("360733-2024-01")
        );
    }

    #[test]
    fn totals_are_printed_as_given_and_adjustments_precede_them() {
        let mut settlement = settlement();
        // Deliberately inconsistent with the rows: the report must not recompute.
        settlement.totals.payable = 99;
        let report = meal_settlement_report(&settlement);
        assert_eq!(
            report.closing_lines,
            [
                "调整：李秀英 2026-10 补录漏刷卡 2 次，补贴 +10.00 元，自付 -4.00 元",
                "合计：就餐老人 1 人，就餐 20 天次，餐次 23，补贴 115.00 元，自付 46.00 元，调整 10.00 元，应拨付 0.99 元",
            ]
        );
        assert_eq!(report.signature_fields, ["制表人", "助餐点负责人", "乡镇审核", "县民政局审核"]);
    }

    #[test]
    fn township_summary_has_one_row_per_point_and_the_given_totals() {
        let summary = TownshipMealSummary {
            county: "修水县".to_owned(),
            township: "黄坳乡".to_owned(),
            month: "2026-11".to_owned(),
            printed_at: "2026-12-05 10:00".to_owned(),
            points: vec![PointSummaryRow {
                point: "朱砂村互助幸福院".to_owned(),
                diners: 18,
                meals: 402,
                subsidy: 201000,
                self_paid: 80400,
                adjustments: -500,
                payable: 200500,
                status: "已审核".to_owned(),
            }],
            totals: TownshipMealTotals {
                diners: 18,
                meals: 402,
                subsidy: 201000,
                self_paid: 80400,
                adjustments: -500,
                payable: 200500,
            },
        };
        let report = township_meal_summary_report(&summary);
        assert_eq!(report.title, "乡镇老年助餐结算汇总表");
        assert_eq!(
            report.rows[0],
            ["1", "朱砂村互助幸福院", "18", "402", "2010.00", "804.00", "-5.00", "2005.00", "已审核"]
        );
        assert_eq!(
            report.closing_lines,
            ["合计：就餐老人 18 人，餐次 402，补贴 2010.00 元，自付 804.00 元，调整 -5.00 元，应拨付 2005.00 元"]
        );
    }
}
