//! The county's dashboards over months: 月探访率 of a county's townships or a township's
//! villages (counted exactly as [`crate::patrol::coverage`] counts one month), meals and
//! subsidy by township or meal point, and adaptation cases by township and step; and each
//! dashboard's table as a workbook or a printable table.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::params;
use xianglin_schema::api::{
    AdaptationCasesRequest, CoverageCell, CoverageTrend, CoverageTrendRow, DashboardFile, DashboardKind, MealMonthCell,
    MealTrend, MealTrendRow, TrendRequest,
};
use xianglin_schema::place::{PlaceLevel, level_of};

use crate::adaptation;
use crate::patrol::{MonthFacts, place_names, villages_of};
use xianglin_sync::Error;
use xianglin_sync::Replica;
use xianglin_sync::Result;
use xianglin_sync::shard::Month;

/// The longest trend.
const MAX_MONTHS: u32 = 24;

/// 月探访率 month by month, of the place and each place one level below it.
pub fn coverage_trend(replica: &Replica, request: &TrendRequest) -> Result<CoverageTrend> {
    let (months, place) = parse(replica, request)?;
    let villages = villages_of(replica, Some(&place))?;
    let names = place_names(replica)?;
    let township = level_of(&place) == Some(PlaceLevel::Township);
    let group_of = |village: &str| if township { village.to_owned() } else { format!("{}000", &village[..9]) };
    let mut groups: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
    for village in &villages {
        groups.entry(group_of(village)).or_insert_with(|| vec![(0, 0); months.len()]);
    }
    let mut total = vec![(0, 0); months.len()];
    let facts = MonthFacts::load(replica, &villages, months[months.len() - 1].next())?;
    for (index, month) in months.iter().enumerate() {
        facts.each(*month, |elder, _, due, due_in_month, visited| {
            if due.is_none() || !due_in_month {
                return;
            }
            let cell =
                &mut groups.entry(group_of(&elder.village_code)).or_insert_with(|| vec![(0, 0); months.len()])[index];
            cell.0 += 1;
            total[index].0 += 1;
            if visited {
                cell.1 += 1;
                total[index].1 += 1;
            }
        });
    }
    let row = |code: &str, counts: &[(u32, u32)]| CoverageTrendRow {
        place_code: code.to_owned(),
        place_name: names.get(code).cloned().unwrap_or_default(),
        cells: counts
            .iter()
            .map(|&(due, visited)| CoverageCell {
                due,
                visited,
                rate_per_mille: (visited * 1000).checked_div(due).unwrap_or(1000),
            })
            .collect(),
    };
    Ok(CoverageTrend {
        months: months.iter().map(ToString::to_string).collect(),
        total: row(&place, &total),
        rows: groups.iter().map(|(code, counts)| row(code, counts)).collect(),
    })
}

/// Meals and subsidy month by month: of each township for the county, of each meal point for
/// a township. Diners are counted once per place and month however many points they ate at.
pub fn meal_trend(replica: &Replica, request: &TrendRequest) -> Result<MealTrend> {
    let (months, place) = parse(replica, request)?;
    let township = level_of(&place) == Some(PlaceLevel::Township);
    let names = place_names(replica)?;
    let points: Vec<(String, String, String)> = {
        let mut statement = replica.connection().prepare_cached(
            "SELECT id, name, township_code FROM meal_points WHERE township_code LIKE ?1 || '%' ORDER BY township_code, name",
        )?;
        let prefix = crate::lookup::place_prefix(Some(&place))?;
        statement.query_map([prefix], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?.collect::<Result<_, _>>()?
    };
    // Row key of each point: the point itself in a township, its township in the county.
    let mut rows: BTreeMap<String, (String, Vec<MealMonthCell>)> = BTreeMap::new();
    let mut key_of: HashMap<String, String> = HashMap::new();
    for (id, name, township_code) in &points {
        let (key, label) = if township {
            (id.clone(), name.clone())
        } else {
            (township_code.clone(), names.get(township_code).cloned().unwrap_or_default())
        };
        rows.entry(key.clone()).or_insert_with(|| (label, vec![MealMonthCell::default(); months.len()]));
        key_of.insert(id.clone(), key);
    }
    let month_index: HashMap<String, usize> =
        months.iter().enumerate().map(|(index, month)| (month.to_string(), index)).collect();
    let ids = serde_json::to_string(&points.iter().map(|(id, _, _)| id).collect::<Vec<_>>())?;
    let mut total = vec![MealMonthCell::default(); months.len()];
    // Each diner's meals and subsidy per point and month, kept up by the projection.
    let mut statement = replica.connection().prepare_cached(
        "SELECT point_id, month, elder_id, meals, subsidy FROM meal_month_diners
         WHERE point_id IN (SELECT value FROM json_each(?1)) AND month >= ?2 AND month <= ?3",
    )?;
    let (first, last) = (months[0].to_string(), months[months.len() - 1].to_string());
    let diners = statement.query_map(params![ids, first, last], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, u32>(3)?,
            row.get::<_, i64>(4)?,
        ))
    })?;
    // Each diner once per row and month, and once per month in the total.
    let mut seen: HashSet<(&str, usize, String)> = HashSet::new();
    let mut seen_total: HashSet<(usize, String)> = HashSet::new();
    for diner in diners {
        let (point, month, elder, count, subsidy) = diner?;
        let (Some(key), Some(&index)) = (key_of.get(&point), month_index.get(&month)) else { continue };
        if let Some((_, cells)) = rows.get_mut(key) {
            let cell = &mut cells[index];
            cell.meals += count;
            cell.subsidy += subsidy;
            if seen.insert((key.as_str(), index, elder.clone())) {
                cell.diners += 1;
            }
        }
        total[index].meals += count;
        total[index].subsidy += subsidy;
        if seen_total.insert((index, elder)) {
            total[index].diners += 1;
        }
    }
    Ok(MealTrend {
        months: months.iter().map(ToString::to_string).collect(),
        total: MealTrendRow {
            place_code: place.clone(),
            place_name: names.get(&place).cloned().unwrap_or_default(),
            cells: total,
        },
        rows: rows
            .into_iter()
            .map(|(place_code, (place_name, cells))| MealTrendRow { place_code, place_name, cells })
            .collect(),
    })
}

/// One dashboard's table, as printed and exported: a title, a line saying what it covers,
/// column headers and rows of text (the total first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardTable {
    pub title: String,
    pub subtitle: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The table of a dashboard.
pub fn table(replica: &mut Replica, request: &DashboardFile) -> Result<DashboardTable> {
    let (months, place) = parse(replica, &request.request)?;
    let place_name = place_names(replica)?.get(&place).cloned().unwrap_or_default();
    let period = format!("{place_name} · {} 至 {}", months[0], months[months.len() - 1]);
    let month_headers = months.iter().map(ToString::to_string);
    Ok(match request.kind {
        DashboardKind::Coverage => {
            let trend = coverage_trend(replica, &request.request)?;
            let line = |row: &CoverageTrendRow| {
                // Nobody due: no rate (a 100% would read as a month well done).
                let cells = row.cells.iter().map(|cell| match cell.due {
                    0 => "—".to_owned(),
                    _ => format!(
                        "{}.{}%（{}/{}）",
                        cell.rate_per_mille / 10,
                        cell.rate_per_mille % 10,
                        cell.visited,
                        cell.due
                    ),
                });
                std::iter::once(row.place_name.clone()).chain(cells).collect()
            };
            DashboardTable {
                title: "月探访率".into(),
                subtitle: period,
                headers: std::iter::once("地区".to_owned()).chain(month_headers).collect(),
                rows: std::iter::once(line(&trend.total)).chain(trend.rows.iter().map(line)).collect(),
            }
        }
        DashboardKind::Meals => {
            let trend = meal_trend(replica, &request.request)?;
            let line = |row: &MealTrendRow| {
                let cells = row
                    .cells
                    .iter()
                    .map(|cell| format!("{} 餐 · {} 元", cell.meals, xianglin_schema::money::yuan(cell.subsidy)));
                std::iter::once(row.place_name.clone()).chain(cells).collect()
            };
            DashboardTable {
                title: "助餐服务与补贴".into(),
                subtitle: period,
                headers: std::iter::once("乡镇/助餐点".to_owned()).chain(month_headers).collect(),
                rows: std::iter::once(line(&trend.total)).chain(trend.rows.iter().map(line)).collect(),
            }
        }
        DashboardKind::Cases => {
            let list = adaptation::cases(
                replica,
                &AdaptationCasesRequest { place_code: Some(place.clone()), step: None, include_archived: true },
            )?;
            let mut steps: Vec<(xianglin_schema::adaptation::CaseStep, String)> = Vec::new();
            let mut townships: BTreeMap<String, (String, HashMap<String, u32>)> = BTreeMap::new();
            for count in &list.counts {
                if !steps.iter().any(|(step, _)| *step == count.step) {
                    steps.push((count.step, count.step_label.clone()));
                }
                let entry = townships
                    .entry(count.township_code.clone())
                    .or_insert_with(|| (count.township_name.clone(), HashMap::new()));
                *entry.1.entry(count.step_label.clone()).or_default() += count.cases;
            }
            steps.sort_by_key(|(step, _)| *step);
            let mut rows = Vec::new();
            for (name, counts) in townships.values() {
                let cells = steps.iter().map(|(_, label)| counts.get(label).copied().unwrap_or(0).to_string());
                let sum: u32 = counts.values().sum();
                rows.push(std::iter::once(name.clone()).chain(cells).chain(std::iter::once(sum.to_string())).collect());
            }
            DashboardTable {
                title: "适老化改造档案（按环节）".into(),
                subtitle: format!("{place_name} · 截至 {}", replica.today()),
                headers: std::iter::once("乡镇".to_owned())
                    .chain(steps.iter().map(|(_, label)| label.clone()))
                    .chain(std::iter::once("合计".to_owned()))
                    .collect(),
                rows,
            }
        }
    })
}

/// A dashboard's table as an `.xlsx` workbook: a title row, then the table; cells that are
/// plain numbers are written as numbers.
pub fn workbook(table: &DashboardTable) -> Result<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let xlsx = |error: rust_xlsxwriter::XlsxError| Error::Invalid(format!("workbook: {error}"));
    sheet.write_string_with_format(0, 0, &table.title, &bold).map_err(xlsx)?;
    sheet.write_string(1, 0, &table.subtitle).map_err(xlsx)?;
    for (column, header) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(3, column as u16, header, &bold).map_err(xlsx)?;
        sheet.set_column_width(column as u16, if column == 0 { 16 } else { 18 }).map_err(xlsx)?;
    }
    for (index, row) in table.rows.iter().enumerate() {
        for (column, cell) in row.iter().enumerate() {
            let (row_number, column) = (4 + index as u32, column as u16);
            match cell.parse::<f64>() {
                Ok(number) => sheet.write_number(row_number, column, number),
                Err(_) => sheet.write_string(row_number, column, cell),
            }
            .map_err(xlsx)?;
        }
    }
    book.save_to_buffer().map_err(xlsx)
}

/// The months of a trend, oldest first, and the place (the county's code for `None`).
fn parse(replica: &Replica, request: &TrendRequest) -> Result<(Vec<Month>, String)> {
    let last: Month = request.to_month.parse().map_err(|()| Error::Invalid(format!("month {:?}", request.to_month)))?;
    if request.months == 0 || request.months > MAX_MONTHS {
        return Err(Error::Invalid(format!("{} months (1 to {MAX_MONTHS})", request.months)));
    }
    let mut months = vec![last];
    while months.len() < request.months as usize {
        months.push(months[months.len() - 1].previous());
    }
    months.reverse();
    let place = match &request.place_code {
        Some(code) if level_of(code) == Some(PlaceLevel::Township) => code.clone(),
        Some(code) if level_of(code) != Some(PlaceLevel::County) => {
            return Err(Error::Invalid(format!("place {code} is not a township or the county")));
        }
        _ => crate::lookup::county(replica)?.code,
    };
    Ok((months, place))
}
