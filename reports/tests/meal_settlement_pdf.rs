//! The meal settlement and the township summary as real PDFs, checked with poppler-utils: text
//! extracts, the font is an embedded subset, pages are numbered "第 N 页 共 M 页", the header row
//! repeats on every page, and page 1 renders.

mod support;

use support::{
    EXTENSION_A_NAME, assert_one_embedded_subset_font, assert_page_footers, generated_settlement, pdf_page_count,
    poppler, render_first_page, scratch_directory, township_summary, write_pdf,
};
use xianglin_reports::meal_settlement::format_yuan;
use xianglin_reports::{render_meal_settlement, render_township_meal_summary};

#[test]
fn settlement_of_sixty_diners_spans_pages_with_the_header_repeated_and_prints_the_given_totals() {
    let settlement = generated_settlement(60, 22);
    let rendered = render_meal_settlement(&settlement).unwrap();
    assert!(rendered.missing_characters.is_empty(), "{:?}", rendered.missing_characters);
    let directory = scratch_directory("settlement_of_sixty_diners");
    let pdf_path = write_pdf(&directory, "meal-settlement.pdf", &rendered.pdf);

    let page_count = pdf_page_count(&pdf_path);
    assert_eq!(page_count, rendered.page_count);
    assert!(page_count >= 2, "{page_count} pages");

    let text = poppler("pdftotext", &["-layout", &pdf_path, "-"]);
    assert!(text.contains("老年助餐服务补贴结算表"), "title");
    assert!(text.contains("修水县黄坳乡 · 黄坳乡敬老院助餐点 · 2026-11"), "subtitle");
    assert!(text.contains("已提交，待县级审核") && text.contains("360733-2024-01"), "status and policy version");
    for row in [&settlement.rows[0], &settlement.rows[31], &settlement.rows[59]] {
        assert!(text.contains(&row.elder_name), "an elder's name");
        assert!(text.contains(&row.id_number_masked), "a masked ID number");
    }
    assert!(text.contains(EXTENSION_A_NAME), "an Extension A name");
    assert!(text.contains(&format_yuan(settlement.rows[1].subsidy)), "an elder's subsidy");
    assert!(text.contains("调整：李秀英 2026-10 补录漏刷卡午餐 2 次，补贴 +10.00 元，自付 +6.00 元"), "an adjustment");
    let totals = &settlement.totals;
    // The totals line is wider than the page and wraps, so its parts are looked for one by one.
    for part in [
        format!("合计：就餐老人 {} 人，就餐 {} 天次，餐次 {}", totals.diners, totals.dining_days, totals.meals),
        format!("补贴 {} 元，自付 {} 元", format_yuan(totals.subsidy), format_yuan(totals.self_paid)),
        format!("调整 {} 元，应拨付 {} 元", format_yuan(totals.adjustments), format_yuan(totals.payable)),
    ] {
        assert!(text.contains(&part), "totals: {part}");
    }
    for label in ["制表人：", "助餐点负责人：", "乡镇审核：", "县民政局审核："] {
        assert!(text.contains(label), "signature field {label}");
    }
    assert_page_footers(&text, page_count);
    assert_eq!(text.matches("身份证号").count(), page_count, "the header row on every page");
    assert_eq!(text.matches("补贴档次").count(), page_count, "the header row on every page");

    assert_one_embedded_subset_font(&pdf_path);
    render_first_page(&pdf_path, &directory, "meal-settlement-page1");
}

#[test]
fn township_summary_prints_every_point_and_the_totals_on_one_page() {
    let summary = township_summary();
    let rendered = render_township_meal_summary(&summary).unwrap();
    assert_eq!(rendered.page_count, 1);
    let directory = scratch_directory("township_summary");
    let pdf_path = write_pdf(&directory, "township-summary.pdf", &rendered.pdf);

    let text = poppler("pdftotext", &["-layout", &pdf_path, "-"]);
    assert!(text.contains("乡镇老年助餐结算汇总表"), "title");
    assert!(text.contains("修水县黄坳乡 · 2026-11"), "subtitle");
    for point in &summary.points {
        assert!(text.contains(&point.point), "point {}", point.point);
        assert!(text.contains(&format_yuan(point.payable)), "payable of {}", point.point);
    }
    assert!(text.contains("-5.00"), "a negative adjustment");
    let totals = &summary.totals;
    let totals_start = format!("合计：就餐老人 {} 人，餐次 {}", totals.diners, totals.meals);
    assert!(text.contains(&totals_start), "{totals_start}");
    assert!(text.contains(&format!("应拨付 {} 元", format_yuan(totals.payable))), "payable total");
    assert!(text.contains("县民政局审核："), "signature fields");
    assert_page_footers(&text, 1);

    assert_one_embedded_subset_font(&pdf_path);
    render_first_page(&pdf_path, &directory, "township-meal-summary-page1");
}

#[test]
fn empty_settlement_prints_one_page_with_header_totals_and_signatures() {
    let mut settlement = generated_settlement(0, 22);
    settlement.adjustments.clear();
    (settlement.totals.adjustments, settlement.totals.payable) = (0, 0);
    let rendered = render_meal_settlement(&settlement).unwrap();
    assert_eq!(rendered.page_count, 1);
    let directory = scratch_directory("empty_settlement");
    let pdf_path = write_pdf(&directory, "empty.pdf", &rendered.pdf);
    let text = poppler("pdftotext", &["-layout", &pdf_path, "-"]);
    assert!(text.contains("合计：就餐老人 0 人，就餐 0 天次，餐次 0"));
    assert!(text.contains("应拨付 0.00 元"));
    assert!(!text.contains("调整："));
}
