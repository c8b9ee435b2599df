//! Helpers shared by the report tests and the benchmark: a made-up village register and the
//! poppler-utils commands that check a PDF.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use xianglin_reports::{RegisterVisit, VisitRegister, VisitRegisterRow};

/// The name of the elder on row 7, whose given name is a CJK Extension A character.
pub const EXTENSION_A_NAME: &str = "刘䶮";
/// The name of the elder on row 8, another Extension A character.
pub const SECOND_EXTENSION_A_NAME: &str = "陈㐀";

/// A deterministic register of `elder_count` made-up elders with about three visits each:
/// every seventh elder missed this month, every eleventh not due.
pub fn generated_register(elder_count: usize) -> VisitRegister {
    const SURNAMES: [&str; 12] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙"];
    const GIVEN_NAMES: [&str; 14] =
        ["桂兰", "秀英", "德明", "玉珍", "春生", "冬梅", "国强", "淑芬", "金凤", "长寿", "福根", "爱华", "建国", "堃"];
    const CATEGORIES: [&str; 5] = ["独居", "失能", "独居、失能", "留守、低保", "计划生育特殊家庭、独居、半失能"];
    const TIERS: [&str; 3] = ["高风险", "重点", "一般"];
    const MODES: [&str; 3] = ["上门", "电话", "视频"];
    const VISITORS: [&str; 4] = ["王小明", "李芳", "赵建华", "欧阳春燕"];
    const FINDINGS: [(&str, &str); 4] = [
        ("关注", "血压偏高，已告知村医"),
        ("严重", "雨天屋顶漏水，已报乡民政办安排维修"),
        ("紧急", "独自在家摔倒，已送乡卫生院并通知其长子"),
        ("关注", "近期食欲差，建议家属陪同就医"),
    ];
    let rows = (0..elder_count)
        .map(|elder_index| {
            let elder_name = match elder_index {
                6 => EXTENSION_A_NAME.to_owned(),
                7 => SECOND_EXTENSION_A_NAME.to_owned(),
                _ => format!(
                    "{}{}",
                    SURNAMES[elder_index % SURNAMES.len()],
                    GIVEN_NAMES[(elder_index / SURNAMES.len() + elder_index) % GIVEN_NAMES.len()]
                ),
            };
            let missed = elder_index % 7 == 3;
            let not_due = elder_index % 11 == 5;
            let visit_count = if missed || not_due { 0 } else { 2 + elder_index % 3 };
            let visits = (0..visit_count)
                .map(|visit_index| {
                    let (worst_severity, summary) = if (elder_index + visit_index) % 5 == 0 {
                        FINDINGS[(elder_index / 5 + visit_index) % FINDINGS.len()]
                    } else {
                        ("正常", "生活正常")
                    };
                    RegisterVisit {
                        date: format!("11-{:02}", 1 + elder_index % 8 + visit_index * 7),
                        mode: MODES[(elder_index + visit_index) % MODES.len()].to_owned(),
                        worst_severity: worst_severity.to_owned(),
                        summary: summary.to_owned(),
                        visitor: VISITORS[(elder_index + visit_index) % VISITORS.len()].to_owned(),
                    }
                })
                .collect();
            VisitRegisterRow {
                elder_name,
                gender: if elder_index % 2 == 0 { "女" } else { "男" }.to_owned(),
                age: 60 + (elder_index * 7 % 35) as u32,
                id_number_masked: format!(
                    "3621**********{:03}{}",
                    elder_index % 1000,
                    if elder_index % 10 == 0 { 'X' } else { '1' }
                ),
                categories: CATEGORIES[elder_index % CATEGORIES.len()].to_owned(),
                tier: TIERS[elder_index % TIERS.len()].to_owned(),
                visits,
                due: !not_due,
            }
        })
        .collect();
    VisitRegister {
        county: "修水县".to_owned(),
        township: "黄坳乡".to_owned(),
        village: "朱砂村".to_owned(),
        month: "2026-11".to_owned(),
        printed_at: "2026-12-01 09:30".to_owned(),
        rows,
    }
}

/// A scratch directory for one test's files, under Cargo's target directory so they can be
/// looked at after the run.
pub fn scratch_directory(test_name: &str) -> PathBuf {
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join("reports-test").join(test_name);
    std::fs::create_dir_all(&directory).expect("scratch directory can be created");
    directory
}

/// Runs a poppler-utils command and returns its standard output.
pub fn poppler(program: &str, arguments: &[&str]) -> String {
    let output = Command::new(program)
        .args(arguments)
        .output()
        .unwrap_or_else(|error| panic!("{program} runs (install poppler-utils): {error}"));
    assert!(output.status.success(), "{program} {arguments:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("poppler prints UTF-8")
}
