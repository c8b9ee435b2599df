//! The monthly visit register of a village (村级探访记录表): every elder on the visit list, the
//! month's visits, what they found, whether the elder was visited, and the month's visit rate.
//!
//! The input is plain data; the caller gathers it from the replica. Layout is [`crate::layout`]'s.
//!
//! The totals count as the coverage screen does: 应访 = elders due a visit this month, 已访 = those
//! of them visited. 本月 says 已访 for a visited elder (due or not), 未访 for a due one not
//! visited, and "—" for one neither due nor visited.

use crate::ReportError;
use crate::layout::{Alignment, Column, PageSetup, TableReport, render_table_report};

/// A village's visit register for one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitRegister {
    pub county: String,
    pub township: String,
    pub village: String,
    /// "2026-11"
    pub month: String,
    pub printed_at: String,
    pub rows: Vec<VisitRegisterRow>,
}

/// One elder's line in the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitRegisterRow {
    pub elder_name: String,
    /// 男 or 女
    pub gender: String,
    pub age: u32,
    /// "3621**********031X"
    pub id_number_masked: String,
    /// "独居、失能"
    pub categories: String,
    /// 高风险, 重点 or 一般
    pub tier: String,
    pub visits: Vec<RegisterVisit>,
    /// A visit fell due this month (by the county's visit tiers).
    pub due: bool,
}

/// One visit to an elder this month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterVisit {
    /// "11-03"
    pub date: String,
    /// 上门, 电话 or 视频
    pub mode: String,
    /// 正常, 关注, 严重 or 紧急
    pub worst_severity: String,
    pub summary: String,
    pub visitor: String,
}

/// Renders the register as a landscape A4 PDF.
pub fn render_visit_register(register: &VisitRegister) -> Result<Vec<u8>, ReportError> {
    Ok(render_table_report(&visit_register_report(register))?.pdf)
}

/// The register as a table report, for callers that also want the page count or the
/// characters the font lacks (see [`crate::layout::render_table_report`]).
pub fn visit_register_report(register: &VisitRegister) -> TableReport {
    let columns = vec![
        Column::fixed("序号", 10.0, Alignment::Centre),
        Column::fixed("姓名", 18.0, Alignment::Centre),
        Column::fixed("性别", 9.0, Alignment::Centre),
        Column::fixed("年龄", 9.0, Alignment::Centre),
        Column::fixed("身份证号", 34.0, Alignment::Centre),
        Column::fixed("类别", 24.0, Alignment::Left),
        Column::fixed("探访等级", 17.0, Alignment::Centre),
        Column::shared("探访记录", 1.0, Alignment::Left),
        Column::shared("发现与转介", 1.2, Alignment::Left),
        Column::fixed("本月", 10.0, Alignment::Centre),
    ];
    let rows = register
        .rows
        .iter()
        .enumerate()
        .map(|(row_index, row)| {
            vec![
                (row_index + 1).to_string(),
                row.elder_name.clone(),
                row.gender.clone(),
                row.age.to_string(),
                row.id_number_masked.clone(),
                row.categories.clone(),
                row.tier.clone(),
                visit_lines(&row.visits),
                findings_lines(&row.visits),
                month_status(row).to_owned(),
            ]
        })
        .collect();
    TableReport {
        page: PageSetup::a4_landscape(),
        title: format!("{}特殊困难老年人探访记录表", register.village),
        subtitle_lines: vec![
            format!("{}{} · {}", register.county, register.township, register.month),
            format!("打印时间：{}", register.printed_at),
        ],
        columns,
        rows,
        closing_lines: vec![totals_line(&register.rows)],
        signature_fields: vec!["探访员签字".to_owned(), "村负责人签字".to_owned(), "日期".to_owned()],
    }
}

/// "应访 N 人，已访 M 人，月探访率 X%", the rate to one decimal; "—" when nobody was due.
pub fn totals_line(rows: &[VisitRegisterRow]) -> String {
    let due_count = rows.iter().filter(|row| row.due).count();
    let visited_count = rows.iter().filter(|row| row.due && !row.visits.is_empty()).count();
    let rate = if due_count == 0 {
        "—".to_owned()
    } else {
        format!("{:.1}%", visited_count as f64 * 100.0 / due_count as f64)
    };
    format!("应访 {due_count} 人，已访 {visited_count} 人，月探访率 {rate}")
}

/// One line per visit: "11-03 上门 正常 王小明".
fn visit_lines(visits: &[RegisterVisit]) -> String {
    visits
        .iter()
        .map(|visit| format!("{} {} {} {}", visit.date, visit.mode, visit.worst_severity, visit.visitor))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One line per visit that found something: "11-03 关注：血压偏高，已告知村医".
fn findings_lines(visits: &[RegisterVisit]) -> String {
    visits
        .iter()
        .filter(|visit| visit.worst_severity != "正常")
        .map(|visit| match visit.summary.trim() {
            "" => format!("{} {}", visit.date, visit.worst_severity),
            summary => format!("{} {}：{}", visit.date, visit.worst_severity, summary),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn month_status(row: &VisitRegisterRow) -> &'static str {
    if !row.visits.is_empty() {
        "已访"
    } else if row.due {
        "未访"
    } else {
        "—"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(visits: Vec<RegisterVisit>, due: bool) -> VisitRegisterRow {
        VisitRegisterRow {
            elder_name: "张桂兰".to_owned(),
            gender: "女".to_owned(),
            age: 82,
            id_number_masked: "3621**********0428".to_owned(),
            categories: "独居、失能".to_owned(),
            tier: "高风险".to_owned(),
            visits,
            due,
        }
    }

    fn visit(date: &str, severity: &str, summary: &str) -> RegisterVisit {
        RegisterVisit {
            date: date.to_owned(),
            mode: "上门".to_owned(),
            worst_severity: severity.to_owned(),
            summary: summary.to_owned(),
            visitor: "王小明".to_owned(),
        }
    }

    #[test]
    fn totals_count_due_elders_and_those_of_them_visited() {
        let rows = vec![
            row(vec![visit("11-03", "正常", "")], true),
            row(vec![visit("11-04", "关注", "血压偏高")], true),
            row(vec![], true),
            row(vec![], false),
            row(vec![visit("11-05", "正常", "")], false),
        ];
        assert_eq!(totals_line(&rows), "应访 3 人，已访 2 人，月探访率 66.7%");
        assert_eq!(totals_line(&[]), "应访 0 人，已访 0 人，月探访率 —");
    }

    #[test]
    fn each_visit_is_one_line_and_only_non_normal_visits_are_findings() {
        let visits = vec![visit("11-03", "正常", "一切正常"), visit("11-17", "严重", "摔倒，已转介乡卫生院")];
        let report = visit_register_report(&VisitRegister {
            county: "修水县".to_owned(),
            township: "黄坳乡".to_owned(),
            village: "朱砂村".to_owned(),
            month: "2026-11".to_owned(),
            printed_at: "2026-12-01 09:30".to_owned(),
            rows: vec![row(visits, true)],
        });
        assert_eq!(report.title, "朱砂村特殊困难老年人探访记录表");
        assert_eq!(report.subtitle_lines[0], "修水县黄坳乡 · 2026-11");
        let cells = &report.rows[0];
        assert_eq!(cells[7], "11-03 上门 正常 王小明\n11-17 上门 严重 王小明");
        assert_eq!(cells[8], "11-17 严重：摔倒，已转介乡卫生院");
        assert_eq!(cells[9], "已访");
    }
}
