//! Reports locked with a password, read by poppler-utils as any viewer would: without the
//! password nothing opens; with it, the text and the page are the report's.

mod support;

use std::process::Command;

use support::{case_file, generated_register, pdf_page_count, poppler, scratch_directory, write_pdf};
use xianglin_reports::{lock_pdf, render_case_file, render_visit_register};

const PASSWORD: &str = "探访密码2026";

/// Whether poppler's `program` succeeds on `arguments` (a locked file without its password fails).
fn opens(program: &str, arguments: &[&str]) -> bool {
    Command::new(program).args(arguments).output().expect("poppler-utils is installed").status.success()
}

#[test]
fn a_locked_register_opens_in_poppler_with_its_password_only() {
    let register = generated_register(60);
    let plain = render_visit_register(&register).unwrap();
    let directory = scratch_directory("a_locked_register_opens_with_its_password_only");
    let path = write_pdf(&directory, "locked-register.pdf", &lock_pdf(&plain, PASSWORD).unwrap());

    assert!(!opens("pdftotext", &[&path, "-"]), "opens with no password");
    assert!(!opens("pdftotext", &["-upw", "探访密码2025", &path, "-"]), "opens with a wrong password");

    let info = poppler("pdfinfo", &["-upw", PASSWORD, &path]);
    assert!(info.contains("AES-256"), "{info}");
    assert!(info.contains("print:yes"), "printing stays allowed: {info}");
    assert!(info.contains("探访记录表"), "the title decrypts: {info}");
    let text = poppler("pdftotext", &["-layout", "-upw", PASSWORD, &path, "-"]);
    assert!(text.contains(&register.rows[0].elder_name), "the first elder's name");
    assert!(text.contains(&register.rows[59].elder_name), "the last elder's name");
    // Every page of the report, with its footer ("第 N 页 共 M 页"; poppler may drop the spaces).
    let pages = pdf_page_count(&write_pdf(&directory, "plain-register.pdf", &plain));
    assert!(pages > 1);
    assert!(info.contains(&format!("Pages:           {pages}")), "{info}");
    assert!(text.replace(' ', "").contains(&format!("第{pages}页共{pages}页")), "the last page's footer");
}

#[test]
fn a_locked_case_file_renders_its_photos_with_the_password() {
    let rendered = render_case_file(&case_file()).unwrap();
    let directory = scratch_directory("a_locked_case_file_renders_its_photos");
    let path = write_pdf(&directory, "locked-case-file.pdf", &lock_pdf(&rendered.pdf, PASSWORD).unwrap());

    let images = poppler("pdfimages", &["-list", "-upw", PASSWORD, &path]);
    assert!(images.lines().count() > 2, "the photos are listed: {images}");
    let prefix = directory.join("page");
    let prefix = prefix.to_str().unwrap();
    poppler("pdftoppm", &["-png", "-r", "40", "-f", "1", "-l", "1", "-upw", PASSWORD, &path, prefix]);
    let rendered_page = std::fs::read_dir(&directory)
        .unwrap()
        .filter_map(Result::ok)
        .find(|entry| entry.file_name().to_string_lossy().starts_with("page"))
        .expect("page 1 rendered");
    assert!(rendered_page.metadata().unwrap().len() > 1000);
}
