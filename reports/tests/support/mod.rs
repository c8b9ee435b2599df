//! Helpers shared by the report tests and the benchmarks: a made-up village register, meal
//! settlement, township summary and home-adaptation case file, small photos to print, and the
//! poppler-utils commands that check a PDF.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use xianglin_reports::{
    CaseAssessment, CaseFile, CasePlanLine, CasePlanTotals, CaseStepLine, MealSettlement, PointSummaryRow,
    RegisterVisit, ReportImage, SettlementAdjustment, SettlementRow, SettlementTotals, TownshipMealSummary,
    TownshipMealTotals, VisitRegister, VisitRegisterRow,
};

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

/// A deterministic month at a meal point: `diner_count` made-up elders eating on up to
/// `working_days` days, lunch every day they come, some breakfasts and dinners, a few meals
/// delivered or collected on their behalf; two adjustments to October; the totals summed here,
/// as the app would. Row 7's elder has an Extension A name.
pub fn generated_settlement(diner_count: usize, working_days: u32) -> MealSettlement {
    const SURNAMES: [&str; 12] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙"];
    const GIVEN_NAMES: [&str; 13] =
        ["桂兰", "秀英", "德明", "玉珍", "春生", "冬梅", "国强", "淑芬", "金凤", "长寿", "福根", "爱华", "建国"];
    // Band, subsidy per meal and price per meal, in 分.
    const BANDS: [(&str, i64, i64); 4] =
        [("60–74岁", 100, 700), ("75–84岁", 500, 300), ("85–94岁", 800, 0), ("分散特困", 900, 0)];
    let rows: Vec<SettlementRow> = (0..diner_count)
        .map(|diner_index| {
            let elder_name = match diner_index {
                6 => EXTENSION_A_NAME.to_owned(),
                _ => format!(
                    "{}{}",
                    SURNAMES[diner_index % SURNAMES.len()],
                    GIVEN_NAMES[(diner_index / SURNAMES.len() + diner_index) % GIVEN_NAMES.len()]
                ),
            };
            let (band, subsidy_per_meal, price_per_meal) = BANDS[diner_index % BANDS.len()];
            let dining_days = working_days - (diner_index as u32 * 3 % working_days.max(1)).min(working_days / 2);
            let breakfasts = if diner_index % 3 == 0 { dining_days / 2 } else { 0 };
            let dinners = if diner_index % 4 == 1 { dining_days / 3 } else { 0 };
            let meals = i64::from(dining_days + breakfasts + dinners);
            SettlementRow {
                elder_name,
                id_number_masked: format!(
                    "3621**********{:03}{}",
                    diner_index % 1000,
                    if diner_index % 10 == 0 { 'X' } else { '2' }
                ),
                band: band.to_owned(),
                dining_days,
                breakfasts,
                lunches: dining_days,
                dinners,
                deliveries: if diner_index % 5 == 2 { dining_days / 4 } else { 0 },
                proxies: if diner_index % 6 == 4 { 2 } else { 0 },
                subsidy: meals * subsidy_per_meal,
                self_paid: meals * price_per_meal,
            }
        })
        .collect();
    let adjustments = vec![
        SettlementAdjustment {
            elder_name: "李秀英".to_owned(),
            from_month: "2026-10".to_owned(),
            reason: "补录漏刷卡午餐 2 次".to_owned(),
            subsidy_delta: 1000,
            self_paid_delta: 600,
        },
        SettlementAdjustment {
            elder_name: "赵德明".to_owned(),
            from_month: "2026-10".to_owned(),
            reason: "住院期间误记代办 1 次，冲减".to_owned(),
            subsidy_delta: -800,
            self_paid_delta: 0,
        },
    ];
    let subsidy: i64 = rows.iter().map(|row| row.subsidy).sum();
    let adjustment_total: i64 = adjustments.iter().map(|adjustment| adjustment.subsidy_delta).sum();
    let totals = SettlementTotals {
        diners: rows.len() as u32,
        dining_days: rows.iter().map(|row| row.dining_days).sum(),
        meals: rows.iter().map(|row| row.breakfasts + row.lunches + row.dinners).sum(),
        subsidy,
        self_paid: rows.iter().map(|row| row.self_paid).sum(),
        adjustments: adjustment_total,
        payable: subsidy + adjustment_total,
    };
    MealSettlement {
        county: "修水县".to_owned(),
        township: "黄坳乡".to_owned(),
        point: "黄坳乡敬老院助餐点".to_owned(),
        month: "2026-11".to_owned(),
        printed_at: "2026-12-01 09:30".to_owned(),
        status: "已提交，待县级审核".to_owned(),
        policy_versions: "360733-2024-01".to_owned(),
        rows,
        adjustments,
        totals,
    }
}

/// A township of four meal points for November, the totals summed here.
pub fn township_summary() -> TownshipMealSummary {
    let point = |point: &str, diners: u32, meals: u32, subsidy: i64, self_paid: i64, adjustments: i64, status: &str| {
        PointSummaryRow {
            point: point.to_owned(),
            diners,
            meals,
            subsidy,
            self_paid,
            adjustments,
            payable: subsidy + adjustments,
            status: status.to_owned(),
        }
    };
    let points = vec![
        point("黄坳乡敬老院助餐点", 30, 812, 356_400, 121_800, 200, "已审核（2026-12-03 李审核）"),
        point("朱砂村互助幸福院", 18, 402, 201_000, 80_400, -500, "已提交，待县级审核"),
        point("塘排村老年食堂", 12, 251, 98_700, 52_100, 0, "已提交，待县级审核"),
        point("坳头村互助幸福院", 9, 180, 72_000, 36_000, 0, "草稿"),
    ];
    let totals = TownshipMealTotals {
        diners: points.iter().map(|point| point.diners).sum(),
        meals: points.iter().map(|point| point.meals).sum(),
        subsidy: points.iter().map(|point| point.subsidy).sum(),
        self_paid: points.iter().map(|point| point.self_paid).sum(),
        adjustments: points.iter().map(|point| point.adjustments).sum(),
        payable: points.iter().map(|point| point.payable).sum(),
    };
    TownshipMealSummary {
        county: "修水县".to_owned(),
        township: "黄坳乡".to_owned(),
        month: "2026-11".to_owned(),
        printed_at: "2026-12-05 10:00".to_owned(),
        points,
        totals,
    }
}

/// The caption of the case file's photo whose bytes are no picture.
pub const GARBAGE_PHOTO_CAPTION: &str = "改造后：床边护栏";

/// A case well along its way: assessed (26 items), a plan the elder signed, five documents,
/// and three photos: a landscape PNG, an upright JPEG and bytes that are no picture at all.
pub fn case_file() -> CaseFile {
    let text_pairs = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs.iter().map(|(label, value)| ((*label).to_owned(), (*value).to_owned())).collect()
    };
    let step = |step: &str, outcome: &str, by: &str, at: &str, notes: &str| CaseStepLine {
        step: step.to_owned(),
        outcome: outcome.to_owned(),
        by: by.to_owned(),
        at: at.to_owned(),
        notes: notes.to_owned(),
    };
    let plan_line = |category: &str, item: &str, kind: &str, unit: &str, quantity: u32, unit_price: i64| CasePlanLine {
        category: category.to_owned(),
        item: item.to_owned(),
        kind: kind.to_owned(),
        unit: unit.to_owned(),
        quantity,
        unit_price,
        amount: i64::from(quantity) * unit_price,
    };
    const ITEMS: [(&str, &[&str]); 4] = [
        ("自理能力", &["进食", "修饰", "洗澡", "穿/脱上衣", "穿/脱裤子和鞋袜", "小便控制", "大便控制", "如厕"]),
        ("基础运动能力", &["床上体位转移", "床椅转移", "平地行走", "上下楼梯"]),
        (
            "精神状态",
            &["时间定向", "空间定向", "人物定向", "记忆", "理解能力", "表达能力", "攻击行为", "抑郁症状", "意识水平"],
        ),
        ("感知觉与社会参与", &["视力", "听力", "执行日常事务", "使用交通工具外出", "社会交往能力"]),
    ];
    let items: Vec<(String, String, String)> = ITEMS
        .iter()
        .flat_map(|(group, names)| names.iter().map(move |name| (*group, *name)))
        .enumerate()
        .map(|(item_index, (group, name))| (group.to_owned(), name.to_owned(), format!("{}/4", 1 + item_index % 4)))
        .collect();
    let plan = vec![
        plan_line("（一）地面改造", "防滑处理", "基础", "平方米", 6, 6_000),
        plan_line("（四）如厕洗浴设备改造", "安装扶手", "基础", "套", 2, 18_000),
        plan_line("（四）如厕洗浴设备改造", "配置淋浴椅", "基础", "把", 1, 15_000),
        plan_line("（三）卧室改造", "安装床边护栏（抓杆）", "基础", "套", 1, 22_000),
        plan_line("（七）老年用品配置", "手杖", "基础", "根", 1, 4_500),
        plan_line("（六）物理环境改造", "安装自动感应灯具", "可选", "个", 3, 3_500),
    ];
    let total: i64 = plan.iter().map(|line| line.amount).sum();
    let subsidy = total.min(200_000);
    CaseFile {
        county: "修水县".to_owned(),
        township: "黄坳乡".to_owned(),
        village: "朱砂村".to_owned(),
        case_number: "SLH-2026-0031".to_owned(),
        printed_at: "2026-12-01 09:30".to_owned(),
        household: text_pairs(&[
            ("户主/老人姓名", "张桂兰"),
            ("身份证号", "3621**********0428"),
            ("性别", "女"),
            ("年龄", "82"),
            ("地址", "江西省九江市修水县黄坳乡朱砂村三组 17 号（老屋东侧）"),
            ("联系电话", "139****2741"),
            ("经济状况", "低保"),
            ("老人类别", "独居、高龄、半失能"),
            ("城乡", "农村"),
            ("资格判定", "符合（低保家庭高龄失能老人）"),
        ]),
        steps: vec![
            step("申请", "已受理", "王小明", "2026-09-02", "申请表、承诺书、身份证复印件已收"),
            step("乡镇初审", "通过", "李芳", "2026-09-05", ""),
            step("县级审核", "通过", "赵建华", "2026-09-18", "列入 2026 年第二批"),
            step("入户评估", "已完成", "欧阳春燕", "2026-10-08", "卫生间无扶手，地面湿滑；卧室床边无护栏"),
            step("改造方案", "老人已签字", "王小明", "2026-10-12", ""),
        ],
        assessment: Some(CaseAssessment {
            standard: "GB/T 42195-2022 老年人能力评估规范".to_owned(),
            assessed_on: "2026-10-08".to_owned(),
            reason: "首次评估".to_owned(),
            assessor: "欧阳春燕、王小明".to_owned(),
            items,
            subtotals: text_pairs(&[
                ("自理能力", "20/32"),
                ("基础运动能力", "9/16"),
                ("精神状态", "23/36"),
                ("感知觉与社会参与", "12/20"),
            ]),
            total: "64/104".to_owned(),
            preliminary_level: "轻度失能".to_owned(),
            final_level: "中度失能".to_owned(),
            adjustments: vec!["近 30 天内跌倒 2 次，等级提高一级".to_owned()],
        }),
        plan,
        plan_totals: CasePlanTotals { total, subsidy, self_paid: total - subsidy, cap: 200_000 },
        elder_signed: "已签字（2026-10-12）".to_owned(),
        photos: vec![
            ReportImage::new("改造前：卫生间地面", landscape_png(160, 120)),
            ReportImage::new("改造后：卫生间扶手", upright_jpeg(90, 120)),
            ReportImage::new(GARBAGE_PHOTO_CAPTION, b"this is not a photo, just bytes".to_vec()),
        ],
        documents: text_pairs(&[
            ("申请表", "已提交"),
            ("承诺书", "已提交"),
            ("身份证复印件", "已提交"),
            ("房屋产权证明（或相邻权人同意书）", "已提交"),
            ("低保证明", "待补充"),
        ]),
    }
}

/// A landscape PNG: a blue sky over a brown floor with a white diagonal, so orientation and
/// aspect ratio can be seen on a rendered page.
pub fn landscape_png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        if x * height / width == y {
            image::Rgb([255, 255, 255])
        } else if y < height / 2 {
            image::Rgb([90, 150, 220])
        } else {
            image::Rgb([150, 100, 60])
        }
    });
    encoded(image::DynamicImage::ImageRgb8(picture), image::ImageFormat::Png)
}

/// An upright JPEG: green on top, grey below.
pub fn upright_jpeg(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |_, y| {
        if y < height / 3 { image::Rgb([60, 170, 90]) } else { image::Rgb([170, 170, 170]) }
    });
    encoded(image::DynamicImage::ImageRgb8(picture), image::ImageFormat::Jpeg)
}

fn encoded(picture: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut bytes, format).expect("a picture in memory encodes");
    bytes.into_inner()
}

/// Writes `pdf` into `directory` as `file_name` and returns its path as a string.
pub fn write_pdf(directory: &Path, file_name: &str, pdf: &[u8]) -> String {
    let pdf_path = directory.join(file_name);
    std::fs::write(&pdf_path, pdf).expect("the PDF can be written");
    pdf_path.to_str().expect("scratch paths are UTF-8").to_owned()
}

/// The page count pdfinfo reports.
pub fn pdf_page_count(pdf_path: &str) -> usize {
    let info = poppler("pdfinfo", &[pdf_path]);
    info.lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .map(|count| count.trim().parse().expect("a page count is a number"))
        .expect("pdfinfo reports a page count")
}

/// Asserts that the PDF uses one font, Noto Sans CJK, embedded as a subset with a ToUnicode map.
pub fn assert_one_embedded_subset_font(pdf_path: &str) {
    let fonts = poppler("pdffonts", &[pdf_path]);
    let font_rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(font_rows.len(), 1, "{fonts}");
    let columns: Vec<&str> = font_rows[0].split_whitespace().collect();
    assert!(columns[0].contains('+') && columns[0].contains("NotoSansCJK"), "{fonts}");
    // name, type (one or two words), encoding, then emb sub uni.
    let emb_sub_uni = &columns[columns.len() - 5..columns.len() - 2];
    assert_eq!(emb_sub_uni, ["yes", "yes", "yes"], "embedded, subset, with a ToUnicode map: {fonts}");
}

/// Renders page 1 at 80 dpi with pdftoppm, asserts it is a PNG with something on it, and copies
/// it to `$TMPDIR/report-previews/<preview_name>.png` for a person to look at.
pub fn render_first_page(pdf_path: &str, directory: &Path, preview_name: &str) -> PathBuf {
    let png_prefix = directory.join("page");
    poppler("pdftoppm", &["-png", "-r", "80", "-f", "1", "-l", "1", pdf_path, png_prefix.to_str().unwrap()]);
    let png_path = std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| {
            path.file_name().unwrap().to_str().unwrap().starts_with("page-") && path.extension().unwrap() == "png"
        })
        .expect("pdftoppm wrote page 1 as a PNG");
    let png = std::fs::read(&png_path).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{} bytes", png.len());
    let previews = std::env::temp_dir().join("report-previews");
    std::fs::create_dir_all(&previews).unwrap();
    let preview_path = previews.join(format!("{preview_name}.png"));
    std::fs::copy(&png_path, &preview_path).unwrap();
    preview_path
}

/// Asserts that extracted `text` has "第 N 页 共 M 页" on each of `page_count` pages, in order.
///
/// The PDF has the spaces, but when every gap on a line is the same width (single-digit page
/// numbers), poppler takes the line for letter-spaced text and extracts "第1页共3页"; with a
/// two-digit number the gaps differ and the spaces come out. So whitespace is ignored here.
pub fn assert_page_footers(text: &str, page_count: usize) {
    let text_without_spaces: String = text.chars().filter(|character| !character.is_whitespace()).collect();
    let mut search_from = 0;
    for page_number in 1..=page_count {
        let footer = format!("第{page_number}页共{page_count}页");
        let found = text_without_spaces[search_from..].find(&footer);
        assert!(found.is_some(), "footer of page {page_number} of {page_count}");
        search_from += found.unwrap_or(0) + footer.len();
    }
    assert_eq!(text_without_spaces.matches(&format!("页共{page_count}页")).count(), page_count, "one footer a page");
}
