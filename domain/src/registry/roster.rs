//! Roster files (老年人信息台账, `.xlsx`), the way a township keeps its registry today: the
//! template the app hands out, checking a filled-in file row by row before anything is written,
//! importing its valid rows, and exporting the registry in the same layout.
//!
//! An import matches elders by ID number, so importing the same file twice creates nobody
//! twice. Each row is written whole or not at all; rows with problems are reported by row and
//! column and skipped. ID numbers are written as text: Excel keeps only 15 significant digits
//! of a number, so an ID number stored as a number has lost its last digits and is refused.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;
use std::ops::ControlFlow;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value as Json;
use xianglin_schema::api::{CellProblem, RosterAction, RosterCheck, RosterImported, RosterRow};
use xianglin_schema::elder::{self, Category, Contact, EconomicStatus, Elder, LifeState, LifeStatus};
use xianglin_schema::id_number;
use xianglin_schema::policy::ImportRules;
use xianglin_schema::record::{RecordMeta, new_id};

use xianglin_sync::Error;
use xianglin_sync::Replica;
use xianglin_sync::Result;
use xianglin_sync::shard::ShardId;

/// The roster's columns, in the template's order. `姓名`, `身份证号` and `所在村` are required.
pub const COLUMNS: [&str; 14] = [
    "姓名",
    "身份证号",
    "联系电话",
    "乡镇",
    "所在村",
    "住址",
    "类别",
    "类别认定日期",
    "经济状况",
    "赡养人姓名",
    "赡养人关系",
    "赡养人电话",
    "状态",
    "状态日期",
];
const REQUIRED: [&str; 3] = ["姓名", "身份证号", "所在村"];
const STATES: [(&str, LifeState); 3] =
    [("在册", LifeState::Active), ("迁出", LifeState::Moved), ("已故", LifeState::Deceased)];

/// The empty roster template, with a second sheet explaining each column.
pub fn template() -> Result<Vec<u8>> {
    write_workbook(&[])
}

/// The registry of a place (village, township or county code) as a roster file, ID numbers
/// in full. The app writes it through [`crate::access::export_registry`], which records who
/// took whose data.
pub fn export(replica: &Replica, place_code: &str) -> Result<Vec<u8>> {
    workbook_of(replica, &elders_to_export(replica, place_code)?)
}

/// The elders a registry export of `place_code` holds: everyone but those moved away.
pub(crate) fn elders_to_export(replica: &Replica, place_code: &str) -> Result<Vec<Elder>> {
    let prefix = crate::lookup::place_prefix(Some(place_code))?;
    let mut statement = replica.connection().prepare(
        "SELECT e.body FROM current_elders e WHERE e.village_code LIKE ?1 || '%' AND e.life_state != 'moved'
         ORDER BY e.village_code, e.name_pinyin",
    )?;
    let elders = statement
        .query_map([prefix], |row| row.get::<_, String>(0))?
        .map(|body| Ok(serde_json::from_str::<Elder>(&body?)?))
        .collect::<Result<Vec<_>>>()?;
    Ok(elders)
}

/// The registry workbook of `elders`, ID numbers in full.
pub(crate) fn workbook_of(replica: &Replica, elders: &[Elder]) -> Result<Vec<u8>> {
    let names = PlaceNames::load(replica)?;
    let rows: Vec<[String; 14]> = elders.iter().map(|elder| roster_row(elder, &names)).collect();
    tracing::info!(elders = rows.len(), "registry exported with full ID numbers");
    write_workbook(&rows)
}

/// How far a roster's rows have been read: told every [`PROGRESS_EVERY`] rows and at the end
/// (rows done, rows in all); answering [`ControlFlow::Break`] cancels the job, writing nothing.
pub type Progress<'a> = &'a mut dyn FnMut(u32, u32) -> ControlFlow<()>;

/// Rows between two progress reports.
pub const PROGRESS_EVERY: u32 = 250;

/// Checks every row of a roster file against the rules and the replica; writes nothing.
pub fn check(replica: &Replica, bytes: &[u8]) -> Result<RosterCheck> {
    check_with(replica, bytes, &mut |_, _| ControlFlow::Continue(()))
}

/// [`check`], telling `progress` how far it is and stopping when it says so.
pub fn check_with(replica: &Replica, bytes: &[u8], progress: Progress<'_>) -> Result<RosterCheck> {
    Ok(summarise(parse(replica, bytes, progress)?.into_iter().map(|(row, _)| row).collect()))
}

/// Imports the valid rows of a roster file: new elders are registered, known ones (same ID
/// number) updated, every village's shard in one transaction. Rows with problems are skipped.
pub fn import(replica: &mut Replica, bytes: &[u8]) -> Result<RosterImported> {
    import_with(replica, bytes, &mut |_, _| ControlFlow::Continue(()))
}

/// [`import`], telling `progress` how far the reading is; cancelled, it writes nothing (the
/// rows are written only after all are read, in one transaction).
pub fn import_with(replica: &mut Replica, bytes: &[u8], progress: Progress<'_>) -> Result<RosterImported> {
    let parsed = parse(replica, bytes, progress)?;
    let mut by_village: BTreeMap<String, Vec<(String, Json)>> = BTreeMap::new();
    let mut imported = RosterImported { created: 0, updated: 0, unchanged: 0, skipped_invalid: 0 };
    for (row, elder) in parsed {
        match (row.action, elder) {
            (RosterAction::New, Some(elder)) | (RosterAction::Update, Some(elder)) => {
                if row.action == RosterAction::New {
                    imported.created += 1;
                } else {
                    imported.updated += 1;
                }
                let record = replica.record_json(&ShardId::elders(&elder.village_code), &elder.id, &elder)?;
                by_village.entry(elder.village_code.clone()).or_default().push((elder.id.clone(), record));
            }
            (RosterAction::Unchanged, _) => imported.unchanged += 1,
            _ => imported.skipped_invalid += 1,
        }
    }
    let author = replica.author();
    let shards: Vec<ShardId> = by_village.keys().map(|village| ShardId::elders(village)).collect();
    let writes: Vec<(&ShardId, &[(String, Json)])> =
        shards.iter().zip(by_village.values()).map(|(shard, records)| (shard, records.as_slice())).collect();
    if !writes.is_empty() {
        replica.commit_all(&writes, &author)?;
    }
    tracing::info!(
        created = imported.created,
        updated = imported.updated,
        skipped = imported.skipped_invalid,
        "roster imported"
    );
    Ok(imported)
}

/// Every data row with its check and, when valid and changed, the record to write.
fn parse(replica: &Replica, bytes: &[u8], progress: Progress<'_>) -> Result<Vec<(RosterRow, Option<Elder>)>> {
    let today = replica.today();
    let policies = crate::lookup::policies(replica)?;
    let max_rows = xianglin_schema::policy::in_force(&policies, today)
        .map_or_else(|| ImportRules::default().roster_max_rows, |policy| policy.imports.roster_max_rows);
    super::workbook::check_limits(bytes, max_rows)?;
    let not_excel = || Error::NotExcel;
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| not_excel())?;
    let range = workbook.worksheet_range_at(0).ok_or_else(not_excel)?.map_err(|_| not_excel())?;
    let rows: Vec<&[Data]> = range.rows().collect();
    let header_index = rows
        .iter()
        .position(|row| REQUIRED.iter().all(|required| row.iter().any(|cell| cell_text(cell) == *required)))
        .ok_or_else(|| Error::NoRosterHeader(REQUIRED.join("、")))?;
    let first_row = range.start().map_or(0, |(row, _)| row) as usize;
    let columns: HashMap<String, usize> =
        rows[header_index].iter().enumerate().map(|(index, cell)| (cell_text(cell), index)).collect();
    let names = PlaceNames::load(replica)?;
    let mut seen_ids: HashMap<String, u32> = HashMap::new();
    let mut parsed = Vec::new();
    let total = rows.len().saturating_sub(header_index + 1) as u32;
    for (offset, cells) in rows.iter().enumerate().skip(header_index + 1) {
        let done = (offset - header_index - 1) as u32;
        if done.is_multiple_of(PROGRESS_EVERY) && progress(done, total).is_break() {
            return Err(Error::Cancelled);
        }
        let cell =
            |column: &str| columns.get(column).and_then(|index| cells.get(*index)).cloned().unwrap_or(Data::Empty);
        if COLUMNS.iter().all(|column| cell_text(&cell(column)).is_empty()) {
            continue;
        }
        let row_number = (first_row + offset + 1) as u32;
        let mut row = RosterParse { problems: Vec::new() };
        let draft = row.elder(&cell, &names, today);
        let mut roster_row = RosterRow {
            row_number,
            name: cell_text(&cell("姓名")),
            id_number_masked: id_number::mask(&cell_text(&cell("身份证号"))),
            village_name: cell_text(&cell("所在村")),
            action: RosterAction::Invalid,
            problems: Vec::new(),
        };
        let mut elder = None;
        if let Some(draft) = draft {
            match elder::normalize(draft, today) {
                Ok(normalized) => {
                    if let Some(first) = seen_ids.insert(normalized.id_number.clone(), row_number) {
                        row.problem("身份证号", format!("与第 {first} 行的身份证号重复"));
                    } else {
                        roster_row.id_number_masked = id_number::mask(&normalized.id_number);
                        elder = Some(normalized);
                    }
                }
                Err(problems) => {
                    for problem in problems {
                        row.problem(column_of(&problem.field), problem.message);
                    }
                }
            }
        }
        roster_row.problems = row.problems;
        let elder = match elder.filter(|_| roster_row.problems.is_empty()) {
            None => None,
            Some(elder) => match crate::lookup::elder_by_id_number(replica, &elder.id_number)? {
                None => {
                    roster_row.action = RosterAction::New;
                    Some(Elder { id: new_id(), meta: RecordMeta::created(replica.now(), replica.user_id()), ..elder })
                }
                Some(current) => {
                    let merged = merge(current.clone(), elder);
                    roster_row.action = if merged == current { RosterAction::Unchanged } else { RosterAction::Update };
                    (roster_row.action == RosterAction::Update).then_some(merged)
                }
            },
        };
        parsed.push((roster_row, elder));
    }
    if progress(total, total).is_break() {
        return Err(Error::Cancelled);
    }
    Ok(parsed)
}

/// The problems of one row while its cells are read.
struct RosterParse {
    problems: Vec<CellProblem>,
}

impl RosterParse {
    fn problem(&mut self, column: &str, message: String) {
        self.problems.push(CellProblem { column: column.to_owned(), message });
    }

    /// Reads a row's cells into an elder draft; `None` if a cell could not be read at all.
    fn elder(&mut self, cell: &dyn Fn(&str) -> Data, names: &PlaceNames, today: NaiveDate) -> Option<Elder> {
        let id_number = match cell("身份证号") {
            Data::Float(_) | Data::Int(_) => {
                self.problem("身份证号", "身份证号被存成了数字，末几位已丢失：请把该列设为文本后重新填写".into());
                return None;
            }
            other => cell_text(&other),
        };
        let village_name = cell_text(&cell("所在村"));
        let village_code = match names.village(&village_name, &cell_text(&cell("乡镇"))) {
            Ok(code) => code,
            Err(message) => {
                self.problem("所在村", message);
                String::new()
            }
        };
        let categories_since = self.date(cell("类别认定日期"), "类别认定日期").unwrap_or(today);
        let mut categories = BTreeMap::new();
        for label in split_list(&cell_text(&cell("类别"))) {
            match Category::ALL.iter().find(|category| {
                category.label() == label || (label == "计生特殊" && **category == Category::FamilyPlanningSpecial)
            }) {
                Some(category) => {
                    categories.insert(*category, categories_since);
                }
                None => self.problem(
                    "类别",
                    format!("无法识别的类别「{label}」（可填：独居、空巢、留守、失能、重残、计划生育特殊家庭、孤寡）"),
                ),
            }
        }
        let economic_text = cell_text(&cell("经济状况"));
        let economic_status = if economic_text.is_empty() {
            EconomicStatus::None
        } else {
            match ECONOMIC.iter().find(|(label, _)| *label == economic_text) {
                Some((_, status)) => *status,
                None => {
                    self.problem("经济状况", format!("无法识别的经济状况「{economic_text}」（可填：特困供养（集中）、特困供养（分散）、低保、低收入、脱贫）"));
                    EconomicStatus::None
                }
            }
        };
        let state_text = cell_text(&cell("状态"));
        let state = if state_text.is_empty() {
            LifeState::Active
        } else {
            match STATES.iter().find(|(label, _)| *label == state_text) {
                Some((_, state)) => *state,
                None => {
                    self.problem("状态", format!("无法识别的状态「{state_text}」（可填：在册、迁出、已故）"));
                    LifeState::Active
                }
            }
        };
        let life = LifeStatus { state, date: self.date(cell("状态日期"), "状态日期"), moved_to: None };
        let mut contacts = BTreeMap::new();
        let supporter = cell_text(&cell("赡养人姓名"));
        if !supporter.is_empty() {
            let phone = cell_text(&cell("赡养人电话"));
            contacts.insert(
                new_id(),
                Contact {
                    name: supporter,
                    relation: cell_text(&cell("赡养人关系")),
                    phone: (!phone.is_empty()).then_some(phone),
                    is_supporter: true,
                },
            );
        }
        let phone = cell_text(&cell("联系电话"));
        Some(Elder {
            id: String::new(),
            name: cell_text(&cell("姓名")),
            id_number,
            gender: xianglin_schema::record::Gender::Female,
            birth_date: NaiveDate::MIN,
            phone: (!phone.is_empty()).then_some(phone),
            address: cell_text(&cell("住址")),
            village_code,
            categories,
            economic_status,
            life,
            contacts,
            events: BTreeMap::new(),
            notes: String::new(),
            meta: RecordMeta::default(),
        })
    }

    /// A date cell: an Excel date, or text as 2020-01-02, 2020/1/2, 2020.1.2 or 2020年1月2日.
    fn date(&mut self, data: Data, column: &str) -> Option<NaiveDate> {
        match &data {
            Data::Empty => None,
            Data::DateTime(datetime) => datetime.as_datetime().map(|at| at.date()),
            Data::DateTimeIso(text) => NaiveDate::parse_from_str(&text[..10.min(text.len())], "%Y-%m-%d").ok(),
            other => {
                let text = cell_text(other).replace(['/', '.', '年', '月'], "-").replace('日', "");
                let parsed = NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok();
                if parsed.is_none() {
                    self.problem(column, format!("{column}「{}」不是有效日期（应为 年-月-日）", cell_text(other)));
                }
                parsed
            }
        }
    }
}

const ECONOMIC: [(&str, EconomicStatus); 8] = [
    ("无", EconomicStatus::None),
    ("特困供养（集中）", EconomicStatus::TekunCentralized),
    ("特困供养（分散）", EconomicStatus::TekunDispersed),
    ("集中特困", EconomicStatus::TekunCentralized),
    ("分散特困", EconomicStatus::TekunDispersed),
    ("低保", EconomicStatus::Dibao),
    ("低收入", EconomicStatus::LowIncome),
    ("脱贫", EconomicStatus::PovertyAlleviated),
];

/// The roster column a record field is read from.
fn column_of(field: &str) -> &'static str {
    match field.split('.').next().unwrap_or(field) {
        "name" => "姓名",
        "id_number" => "身份证号",
        "phone" => "联系电话",
        "address" => "住址",
        "village_code" => "所在村",
        "categories" => "类别认定日期",
        "life" => "状态日期",
        "contacts" => "赡养人电话",
        _ => "姓名",
    }
}

/// An imported row laid over the registered elder: the roster's fields win; contacts and
/// events already recorded are kept, and the supporter is added if not yet known by name.
fn merge(current: Elder, row: Elder) -> Elder {
    let mut merged = current.clone();
    merged.name = row.name;
    merged.phone = row.phone.or(current.phone);
    if !row.address.is_empty() {
        merged.address = row.address;
    }
    merged.village_code = row.village_code;
    for (category, since) in row.categories {
        merged.categories.entry(category).or_insert(since);
    }
    merged.economic_status = row.economic_status;
    merged.life = row.life;
    for contact in row.contacts.into_values() {
        if !merged.contacts.values().any(|known| known.name == contact.name) {
            merged.contacts.insert(new_id(), contact);
        }
    }
    merged
}

/// A cell as text. Whole numbers (a phone number typed as a number) print without a fraction.
fn cell_text(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(text) => text.trim().to_owned(),
        Data::Float(number) if number.fract() == 0.0 => format!("{number:.0}"),
        Data::DateTime(datetime) => datetime.as_datetime().map(|at| at.date().to_string()).unwrap_or_default(),
        other => other.to_string().trim().to_owned(),
    }
}

fn split_list(text: &str) -> Vec<&str> {
    text.split(['、', ',', '，', ';', '；', ' ']).map(str::trim).filter(|part| !part.is_empty()).collect()
}

/// Village and township names of the county, to read `所在村` and `乡镇` cells.
struct PlaceNames {
    names: HashMap<String, String>,
    villages: Vec<(String, String, String)>,
}

impl PlaceNames {
    fn load(replica: &Replica) -> Result<PlaceNames> {
        let mut statement =
            replica.connection().prepare("SELECT code, name, level, coalesce(parent_code, '') FROM places")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, row.get::<_, String>(3)?))
        })?;
        let mut names = HashMap::new();
        let mut villages = Vec::new();
        for row in rows {
            let (code, name, level, parent) = row?;
            if level == "village" {
                villages.push((code.clone(), name.clone(), parent));
            }
            names.insert(code, name);
        }
        Ok(PlaceNames { names, villages })
    }

    /// The code of a village given by code or by name (洛口村委会, 洛口村; 庄口居委会, 庄口社区),
    /// narrowed by township name when the name is not unique in the county.
    fn village(&self, text: &str, township: &str) -> Result<String, String> {
        if text.is_empty() {
            return Err("请填写所在村".into());
        }
        if self.villages.iter().any(|(code, _, _)| code == text) {
            return Ok(text.to_owned());
        }
        let short = |name: &str| name.replace("村委会", "村").replace("居委会", "社区");
        let matches: Vec<&(String, String, String)> = self
            .villages
            .iter()
            .filter(|(_, name, _)| name == text || short(name) == text)
            .filter(|(_, _, parent)| township.is_empty() || self.names.get(parent).is_some_and(|name| name == township))
            .collect();
        match matches.as_slice() {
            [(code, _, _)] => Ok(code.clone()),
            [] => Err(format!("本县没有名为「{text}」的村（居）")),
            _ => Err(format!("「{text}」在本县不止一个，请填写乡镇或12位区划代码")),
        }
    }
}

fn roster_row(elder: &Elder, names: &PlaceNames) -> [String; 14] {
    let township_code = format!("{}000", &elder.village_code[..9.min(elder.village_code.len())]);
    let supporter = elder.supporters().next();
    let state = STATES.iter().find(|(_, state)| *state == elder.life.state).map_or("在册", |(label, _)| label);
    let economic =
        ECONOMIC.iter().find(|(_, status)| *status == elder.economic_status).map_or("无", |(label, _)| label);
    [
        elder.name.clone(),
        elder.id_number.clone(),
        elder.phone.clone().unwrap_or_default(),
        names.names.get(&township_code).cloned().unwrap_or_default(),
        names.names.get(&elder.village_code).cloned().unwrap_or_default(),
        elder.address.clone(),
        elder.categories.keys().map(|category| category.label()).collect::<Vec<_>>().join("、"),
        elder.categories.values().min().map(ToString::to_string).unwrap_or_default(),
        if elder.economic_status == EconomicStatus::None { String::new() } else { economic.to_owned() },
        supporter.map(|contact| contact.name.clone()).unwrap_or_default(),
        supporter.map(|contact| contact.relation.clone()).unwrap_or_default(),
        supporter.and_then(|contact| contact.phone.clone()).unwrap_or_default(),
        state.to_owned(),
        elder.life.date.map(|date| date.to_string()).unwrap_or_default(),
    ]
}

fn write_workbook(rows: &[[String; 14]]) -> Result<Vec<u8>> {
    let excel = |error: rust_xlsxwriter::XlsxError| Error::Invalid(format!("writing the workbook: {error}"));
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#E8F0FE");
    let text = Format::new().set_num_format("@");
    let sheet = workbook.add_worksheet();
    sheet.set_name("老年人信息台账").map_err(excel)?;
    for (column, title) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *title, &header).map_err(excel)?;
        let width = if matches!(*title, "身份证号" | "住址") { 22.0 } else { 12.0 };
        // Text format for the whole column keeps ID and phone numbers typed later as text.
        sheet.set_column_width(column as u16, width).map_err(excel)?;
        sheet.set_column_format(column as u16, &text).map_err(excel)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(excel)?;
    for (index, row) in rows.iter().enumerate() {
        for (column, value) in row.iter().enumerate() {
            sheet.write_string_with_format(index as u32 + 1, column as u16, value, &text).map_err(excel)?;
        }
    }
    let help = workbook.add_worksheet();
    help.set_name("填写说明").map_err(excel)?;
    let notes = [
        ("姓名", "必填"),
        ("身份证号", "必填，18位（旧15位自动转换）；请保持本列为文本格式，否则末几位会丢失"),
        ("联系电话", "手机或固定电话，如 13800138000、0797-5621234"),
        ("乡镇", "村名在本县不唯一时必填"),
        ("所在村", "必填：村（居）委会名称，如 洛口村委会 或 洛口村，也可填12位区划代码"),
        ("类别", "可多选，用顿号分隔：独居、空巢、留守、失能、重残、计划生育特殊家庭、孤寡"),
        ("类别认定日期", "年-月-日；不填则为导入当天"),
        ("经济状况", "特困供养（集中）、特困供养（分散）、低保、低收入、脱贫；无则留空"),
        ("赡养人姓名 / 关系 / 电话", "赡养人（子女等）"),
        ("状态", "在册、迁出、已故；不填为在册"),
        ("状态日期", "迁出或去世的日期，状态不是在册时必填"),
        ("重复导入", "以身份证号匹配：已登记的老人会被更新，不会重复登记"),
    ];
    help.set_column_width(0, 24.0).map_err(excel)?;
    help.set_column_width(1, 90.0).map_err(excel)?;
    for (index, (column, note)) in notes.iter().enumerate() {
        help.write_string_with_format(index as u32, 0, *column, &header).map_err(excel)?;
        help.write_string(index as u32, 1, *note).map_err(excel)?;
    }
    workbook.save_to_buffer().map_err(excel)
}

fn summarise(rows: Vec<RosterRow>) -> RosterCheck {
    let count = |action: RosterAction| rows.iter().filter(|row| row.action == action).count() as u32;
    RosterCheck {
        new_count: count(RosterAction::New),
        update_count: count(RosterAction::Update),
        unchanged_count: count(RosterAction::Unchanged),
        invalid_count: count(RosterAction::Invalid),
        rows,
    }
}
