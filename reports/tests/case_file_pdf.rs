//! The home-adaptation case file as a real PDF, checked with poppler-utils: every section's
//! text extracts, both photos are embedded and captioned, a photo that is no picture prints as
//! an empty frame, the font is an embedded subset, pages are numbered and page 1 renders.

mod support;

use support::{
    GARBAGE_PHOTO_CAPTION, assert_one_embedded_subset_font, assert_page_footers, case_file, pdf_page_count, poppler,
    render_first_page, scratch_directory, write_pdf,
};
use xianglin_reports::layout::UNREADABLE_IMAGE_NOTE;
use xianglin_reports::meal_settlement::format_yuan;
use xianglin_reports::render_case_file;

#[test]
fn case_file_prints_every_section_both_photos_and_a_placeholder_for_the_garbage_one() {
    let case = case_file();
    let rendered = render_case_file(&case).unwrap();
    assert!(rendered.missing_characters.is_empty(), "{:?}", rendered.missing_characters);
    assert_eq!(rendered.unreadable_images, [GARBAGE_PHOTO_CAPTION]);
    let directory = scratch_directory("case_file_with_photos");
    let pdf_path = write_pdf(&directory, "case-file.pdf", &rendered.pdf);

    let page_count = pdf_page_count(&pdf_path);
    assert_eq!(page_count, rendered.page_count);
    let text = poppler("pdftotext", &["-layout", &pdf_path, "-"]);
    assert!(text.contains("居家适老化改造一户一档"), "title");
    assert!(text.contains("修水县黄坳乡朱砂村 · 档案编号：SLH-2026-0031"), "subtitle");
    for heading in ["一、基本信息", "二、办理进度", "三、能力评估", "四、改造方案", "五、申请材料", "六、照片"]
    {
        assert!(text.contains(heading), "heading {heading}");
    }
    for (label, value) in &case.household {
        assert!(text.contains(label.as_str()), "label {label}");
        // Long values wrap inside their cell, so only their start is looked for.
        let start: String = value.chars().take(8).collect();
        assert!(text.contains(&start), "value {start}");
    }
    assert!(text.contains("欧阳春燕") && text.contains("列入 2026 年第二批"), "a workflow step");
    let assessment = case.assessment.as_ref().unwrap();
    assert_eq!(assessment.items.len(), 26);
    for (_, item, _) in &assessment.items {
        assert!(text.contains(item.as_str()), "assessment item {item}");
    }
    assert!(text.contains("中度失能") && text.contains("等级调整：近 30 天内跌倒 2 次，等级提高一级"), "levels");
    assert!(text.contains("安装床边护栏（抓杆）"), "a plan item");
    let totals = &case.plan_totals;
    let plan_totals = format!("合计：{} 元，其中补贴 {} 元", format_yuan(totals.total), format_yuan(totals.subsidy));
    assert!(text.contains(&plan_totals), "{plan_totals}");
    assert!(text.contains("老人签字确认：已签字（2026-10-12）"), "the elder's signature");
    assert!(text.contains("低保证明") && text.contains("待补充"), "a document");
    for photo in &case.photos {
        assert!(text.contains(&photo.caption), "caption {}", photo.caption);
    }
    assert!(text.contains(UNREADABLE_IMAGE_NOTE), "the garbage photo's placeholder");
    for label in ["经办人：", "乡镇审核：", "县级审核："] {
        assert!(text.contains(label), "signature field {label}");
    }
    assert_page_footers(&text, page_count);

    // pdfimages lists each image XObject: the PNG and the JPEG, and nothing for the garbage.
    let images = poppler("pdfimages", &["-list", &pdf_path]);
    let image_rows: Vec<&str> =
        images.lines().skip(2).filter(|line| line.split_whitespace().nth(2) == Some("image")).collect();
    assert_eq!(image_rows.len(), 2, "{images}");
    let sizes: Vec<(&str, &str)> = image_rows
        .iter()
        .map(|row| {
            let columns: Vec<&str> = row.split_whitespace().collect();
            (columns[3], columns[4])
        })
        .collect();
    assert_eq!(sizes, [("160", "120"), ("90", "120")], "small photos are embedded at their own size");

    assert_one_embedded_subset_font(&pdf_path);
    render_first_page(&pdf_path, &directory, "case-file-page1");
}

#[test]
fn case_not_yet_assessed_says_so_and_prints_without_photos() {
    let mut case = case_file();
    case.assessment = None;
    case.photos.clear();
    case.steps.truncate(3);
    let rendered = render_case_file(&case).unwrap();
    assert!(rendered.unreadable_images.is_empty());
    let directory = scratch_directory("case_not_yet_assessed");
    let pdf_path = write_pdf(&directory, "case-file.pdf", &rendered.pdf);
    let text = poppler("pdftotext", &["-layout", &pdf_path, "-"]);
    assert!(text.contains("三、能力评估") && text.contains("尚未评估"));
    assert!(text.contains("暂无照片"));
    assert!(!text.contains("评估项目"), "no assessment table");
    let images = poppler("pdfimages", &["-list", &pdf_path]);
    assert_eq!(images.lines().skip(2).count(), 0, "{images}");
}
