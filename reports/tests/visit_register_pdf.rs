//! The visit register as a real PDF, checked with poppler-utils: text extracts, the font is an
//! embedded subset, pages are numbered "第 N 页 共 M 页", and page 1 renders.

mod support;

use support::{EXTENSION_A_NAME, SECOND_EXTENSION_A_NAME, generated_register, poppler, scratch_directory};
use xianglin_reports::{render_table_report, render_visit_register, visit_register_report};

#[test]
fn register_of_three_hundred_elders_prints_extractable_numbered_pages_with_an_embedded_subset_font() {
    let register = generated_register(300);
    let pdf = render_visit_register(&register).unwrap();
    let directory = scratch_directory("register_of_three_hundred_elders");
    let pdf_path = directory.join("visit-register.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    let pdf_path = pdf_path.to_str().unwrap();

    let info = poppler("pdfinfo", &[pdf_path]);
    let page_count: usize = info
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .map(|count| count.trim().parse().unwrap())
        .expect("pdfinfo reports a page count");
    assert!(page_count > 1, "{info}");
    assert!(info.contains("297 x 210") || info.contains("841.89 x 595.276"), "landscape A4: {info}");

    let text = poppler("pdftotext", &["-layout", pdf_path, "-"]);
    assert!(text.contains("朱砂村特殊困难老年人探访记录表"), "title");
    assert!(text.contains("修水县黄坳乡 · 2026-11"), "subtitle");
    assert!(text.contains(&register.rows[0].elder_name), "first elder's name");
    assert!(text.contains(EXTENSION_A_NAME) && text.contains(SECOND_EXTENSION_A_NAME), "Extension A names");
    assert_eq!(register.rows[10].id_number_masked, "3621**********010X");
    assert!(text.contains("3621**********010X"), "a masked ID number");
    let serious_visit = register
        .rows
        .iter()
        .flat_map(|row| &row.visits)
        .find(|visit| visit.worst_severity == "严重")
        .expect("the generated register has a serious finding");
    let finding = format!("{} 严重：{}", serious_visit.date, &serious_visit.summary[..12]);
    assert!(text.contains(&finding), "a finding: {finding}");
    assert!(text.contains(&format!("第 1 页 共 {page_count} 页")), "first page footer");
    assert!(text.contains(&format!("第 {page_count} 页 共 {page_count} 页")), "last page footer");
    assert_eq!(text.matches(&format!("页 共 {page_count} 页")).count(), page_count, "a footer on every page");
    assert_eq!(text.matches("序号").count(), page_count, "the header row on every page");
    let due = register.rows.iter().filter(|row| row.due).count();
    let visited = register.rows.iter().filter(|row| row.due && !row.visits.is_empty()).count();
    let totals = format!("应访 {due} 人，已访 {visited} 人，月探访率");
    assert!(text.contains(&totals), "totals line {totals}");
    assert!(text.contains("探访员签字："), "signature fields");

    let fonts = poppler("pdffonts", &[pdf_path]);
    let font_rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(font_rows.len(), 1, "{fonts}");
    let columns: Vec<&str> = font_rows[0].split_whitespace().collect();
    assert!(columns[0].contains('+') && columns[0].contains("NotoSansCJK"), "{fonts}");
    // name, type (one or two words), encoding, then emb sub uni.
    let emb_sub_uni = &columns[columns.len() - 5..columns.len() - 2];
    assert_eq!(emb_sub_uni, ["yes", "yes", "yes"], "embedded, subset, with a ToUnicode map: {fonts}");

    let png_prefix = directory.join("page");
    poppler("pdftoppm", &["-png", "-r", "80", "-f", "1", "-l", "1", pdf_path, png_prefix.to_str().unwrap()]);
    let png_path = std::fs::read_dir(&directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| {
            path.file_name().unwrap().to_str().unwrap().starts_with("page-") && path.extension().unwrap() == "png"
        })
        .expect("pdftoppm wrote page 1 as a PNG");
    let png = std::fs::read(&png_path).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{} bytes", png.len());
}

#[test]
fn register_reports_no_missing_characters_for_extension_a_names() {
    let rendered = render_table_report(&visit_register_report(&generated_register(12))).unwrap();
    assert!(rendered.missing_characters.is_empty(), "{:?}", rendered.missing_characters);
    assert_eq!(rendered.page_count, 2);
}

#[test]
fn empty_register_prints_one_page_with_header_totals_and_signatures() {
    let mut register = generated_register(0);
    register.village = "大桥村".to_owned();
    let rendered = render_table_report(&visit_register_report(&register)).unwrap();
    assert_eq!(rendered.page_count, 1);
    let directory = scratch_directory("empty_register");
    let pdf_path = directory.join("empty.pdf");
    std::fs::write(&pdf_path, &rendered.pdf).unwrap();
    // poppler runs this page's footer together ("第1页共1页") in either mode, so spaces are ignored.
    let text = poppler("pdftotext", &[pdf_path.to_str().unwrap(), "-"]);
    assert!(text.contains("大桥村特殊困难老年人探访记录表"));
    assert!(text.contains("应访 0 人，已访 0 人，月探访率 —"));
    let text_without_spaces: String = text.chars().filter(|character| !character.is_whitespace()).collect();
    assert!(text_without_spaces.contains("第1页共1页"));
}
