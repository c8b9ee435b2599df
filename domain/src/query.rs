//! What the app reads: registry searches, an elder's page, the place tree, the app's status.
//! All of it comes from the projection tables; none of it loads a document.

use rusqlite::OptionalExtension;
use xianglin_schema::api::{
    AppStatus, CaseworkerOption, ElderDetail, ElderPage, ElderRow, ElderSearch, FieldConflict, PlaceNode, UserOption,
    VisitRow,
};
use xianglin_schema::elder::Elder;
use xianglin_schema::id_number;
use xianglin_schema::place::PlaceLevel;
use xianglin_schema::user::Role;

use crate::lookup::{county_of, place_name, place_prefix};
use xianglin_sync::Error;
use xianglin_sync::Replica;
use xianglin_sync::Result;
use xianglin_sync::projection::from_text;

/// Registry pages are at most this long.
pub const MAX_PAGE_SIZE: u32 = 200;

/// Whether this replica has a county yet, and how much it holds.
pub fn app_status(replica: &Replica, data_dir: &str) -> Result<AppStatus> {
    let connection = replica.connection();
    let county = county_of(replica)?;
    let count = |sql: &str| connection.query_row(sql, [], |row| row.get::<_, u32>(0));
    Ok(AppStatus {
        has_data: county.is_some(),
        county,
        townships: count("SELECT count(*) FROM places WHERE level = 'township'")?,
        villages: count("SELECT count(*) FROM places WHERE level = 'village'")?,
        elders: count("SELECT count(DISTINCT id) FROM elders WHERE voided = 0 AND life_state = 'active'")?,
        data_dir: data_dir.to_owned(),
        device_id: replica.device_id(),
        user: user(replica, replica.user_id())?,
        demo: replica.setting(DEMO_SETTING)?.is_some(),
    })
}

/// The replica setting that marks the built-in demo county.
pub const DEMO_SETTING: &str = "demo_seed";

/// Everyone of the county who may sign in (not voided): reviewers, station directors, then
/// caseworkers, each by name.
pub fn users(replica: &Replica) -> Result<Vec<UserOption>> {
    users_where(replica, "")
}

/// One user who may sign in (`None` when unknown or voided).
fn user(replica: &Replica, user_id: &str) -> Result<Option<UserOption>> {
    if user_id.is_empty() {
        return Ok(None);
    }
    Ok(users_where(replica, user_id)?.pop())
}

/// The users who may sign in, or only `only` when it is not empty.
fn users_where(replica: &Replica, only: &str) -> Result<Vec<UserOption>> {
    let connection = replica.connection();
    let mut statement = connection.prepare_cached(
        "SELECT id, name, role, places FROM users WHERE voided = 0 AND (?1 = '' OR id = ?1)
         ORDER BY CASE role WHEN 'county_reviewer' THEN 0 WHEN 'station_director' THEN 1 ELSE 2 END, places, name",
    )?;
    let rows = statement
        .query_map([only], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, row.get::<_, String>(3)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut users = Vec::with_capacity(rows.len());
    for (id, name, role, places) in rows {
        let Ok(role) = serde_json::from_value::<Role>(serde_json::Value::String(role)) else { continue };
        let codes: Vec<String> = serde_json::from_str(&places).unwrap_or_default();
        let mut names = Vec::new();
        for code in codes.iter().take(3) {
            names.push(place_name(replica, code)?.unwrap_or_else(|| code.clone()));
        }
        let mut places = names.join("、");
        if codes.len() > 3 {
            places.push_str(&format!("等{}处", codes.len()));
        }
        users.push(UserOption { id, name, role, places });
    }
    Ok(users)
}

/// The townships (with their villages) the signed-in user works for; the whole county for a
/// reviewer or before anyone is signed in. Counts are of active elders.
pub fn place_tree(replica: &Replica) -> Result<Vec<PlaceNode>> {
    let connection = replica.connection();
    let scope: Vec<String> = connection
        .query_row("SELECT places FROM users WHERE id = ?1", [replica.user_id()], |row| row.get::<_, String>(0))
        .optional()?
        .and_then(|places| serde_json::from_str(&places).ok())
        .unwrap_or_default();
    let in_scope = |code: &str| {
        scope.is_empty()
            || scope.iter().any(|place| match xianglin_schema::place::level_of(place) {
                Some(PlaceLevel::County) => code.starts_with(&place[..6]),
                Some(PlaceLevel::Township) => code.starts_with(&place[..9]),
                _ => code == place || place.starts_with(&code[..9]) && code.ends_with("000"),
            })
    };
    let mut counts = std::collections::HashMap::new();
    {
        let mut statement = connection.prepare(
            "SELECT village_code, count(DISTINCT id) FROM elders WHERE voided = 0 AND life_state = 'active' GROUP BY village_code",
        )?;
        for row in statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, u32>(1)?)))? {
            let (code, count) = row?;
            counts.insert(code, count);
        }
    }
    let mut statement = connection.prepare(
        "SELECT code, name, level, parent_code FROM places WHERE level IN ('township', 'village') ORDER BY code",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, Option<String>>(3)?,
        ))
    })?;
    let mut townships: Vec<PlaceNode> = Vec::new();
    for row in rows {
        let (code, name, level, parent) = row?;
        if !in_scope(&code) {
            continue;
        }
        if level == "township" {
            townships.push(PlaceNode { code, name, level: PlaceLevel::Township, elders: 0, children: Vec::new() });
        } else if let Some(township) = townships.iter_mut().find(|township| Some(&township.code) == parent.as_ref()) {
            let elders = counts.get(&code).copied().unwrap_or(0);
            township.elders += elders;
            township.children.push(PlaceNode { code, name, level: PlaceLevel::Village, elders, children: Vec::new() });
        }
    }
    Ok(townships)
}

/// Every personal value this replica holds that a file outside it must never show in clear:
/// each elder's name, ID number and phone, each user's name (two characters or more). For
/// scans of what the app and the server write.
pub fn personal_values(replica: &Replica) -> Result<Vec<String>> {
    let mut statement = replica.connection().prepare(
        "SELECT name FROM elders UNION SELECT id_number FROM elders UNION SELECT phone FROM elders
         UNION SELECT name FROM users",
    )?;
    let values = statement
        .query_map([], |row| row.get::<_, Option<String>>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .filter(|value| value.chars().count() >= 2)
        .collect();
    Ok(values)
}

/// One page of the registry matching a search. The query matches the name, the full pinyin
/// or initials of the name (prefix), the phone, or part of the ID number (`*` as a wildcard,
/// so a masked number finds its elder). The query is read as typed with a Chinese input method
/// (full-width letters and digits, the ideographic space: `xianglin_schema::text::plain`).
pub fn search_elders(replica: &Replica, search: &ElderSearch) -> Result<ElderPage> {
    let page_size = search.page_size.clamp(1, MAX_PAGE_SIZE);
    let page = search.page.max(1);
    let query = xianglin_schema::text::plain(&search.query).to_lowercase();
    let mut conditions = vec!["e.voided = 0".to_owned()];
    let mut values: Vec<String> = Vec::new();
    if !search.include_inactive {
        conditions.push("e.life_state = 'active'".to_owned());
    }
    if let Some(scope) = crate::lookup::user_scope(replica)? {
        values.push(scope);
        conditions.push(crate::lookup::in_scope_sql("e.village_code", values.len()));
    }
    if let Some(place) = search.place_code.as_deref().filter(|place| !place.is_empty()) {
        values.push(place.to_owned());
        conditions.push(format!(
            "(e.village_code = ?{0} OR e.township_code = ?{0} OR substr(e.village_code, 1, 6) || '000000' = ?{0})",
            values.len()
        ));
    }
    if !query.is_empty() {
        let escaped = query.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        if query.chars().all(|character| character.is_ascii_lowercase()) {
            values.push(format!("{escaped}%"));
            conditions.push(format!(
                "(e.name_initials LIKE ?{0} ESCAPE '\\' OR e.name_pinyin LIKE ?{0} ESCAPE '\\')",
                values.len()
            ));
        } else if query
            .chars()
            .all(|character| character.is_ascii_digit() || matches!(character, 'x' | '*' | '-' | ' '))
        {
            let pattern = escaped.to_uppercase().replace(['-', ' '], "");
            let pattern = collapse_stars(&pattern);
            values.push(format!("%{pattern}%"));
            conditions.push(format!(
                "(e.id_number LIKE ?{0} ESCAPE '\\' OR replace(e.phone, '-', '') LIKE ?{0} ESCAPE '\\')",
                values.len()
            ));
        } else {
            values.push(format!("%{escaped}%"));
            conditions.push(format!("e.name LIKE ?{} ESCAPE '\\'", values.len()));
        }
    }
    let filter = conditions.join(" AND ");
    let connection = replica.connection();
    let total: u32 = connection.query_row(
        &format!("SELECT count(*) FROM elders e WHERE {filter}"),
        rusqlite::params_from_iter(values.iter()),
        |row| row.get(0),
    )?;
    let today = replica.today();
    let sql = format!(
        "SELECT e.body, coalesce(v.name, ''), coalesce(t.name, ''),
                EXISTS (SELECT 1 FROM conflicts c WHERE c.record_id = e.id)
         FROM elders e
         LEFT JOIN places v ON v.code = e.village_code
         LEFT JOIN places t ON t.code = e.township_code
         WHERE {filter}
         ORDER BY e.name_pinyin, e.id
         LIMIT {page_size} OFFSET {}",
        (page - 1) * page_size
    );
    let mut statement = connection.prepare(&sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(values.iter()), |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, row.get::<_, bool>(3)?))
    })?;
    let mut items = Vec::new();
    for row in rows {
        let (body, village_name, township_name, has_conflicts) = row?;
        let elder: Elder = serde_json::from_str(&body)?;
        items.push(ElderRow {
            age: elder.age_on(today),
            id_number_masked: id_number::mask(&elder.id_number),
            birth_date: elder.birth_date.to_string(),
            categories: elder.categories.keys().copied().collect(),
            id: elder.id,
            name: elder.name,
            gender: elder.gender,
            village_code: elder.village_code,
            village_name,
            township_name,
            economic_status: elder.economic_status,
            life: elder.life,
            phone: elder.phone,
            has_conflicts,
        });
    }
    Ok(ElderPage { items, total, page, page_size })
}

/// The caseworkers who visit villages within `place_code` (the whole county when `None`), by
/// name, each with the names of their villages there.
pub fn caseworkers(replica: &Replica, place_code: Option<&str>) -> Result<Vec<CaseworkerOption>> {
    let prefix = place_prefix(place_code)?;
    let connection = replica.connection();
    let mut statement =
        connection.prepare_cached("SELECT id, name, places FROM users WHERE role = 'caseworker' AND voided = 0")?;
    let users = statement
        .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut village_name = connection.prepare_cached("SELECT name FROM places WHERE code = ?1")?;
    let mut options = Vec::new();
    for (id, name, places) in users {
        let mut codes: Vec<String> = serde_json::from_str(&places)?;
        codes.retain(|code| code.starts_with(&prefix));
        if codes.is_empty() {
            continue;
        }
        codes.sort();
        let villages = codes
            .iter()
            .map(|code| {
                Ok(village_name.query_row([code], |row| row.get(0)).optional()?.unwrap_or_else(|| code.clone()))
            })
            .collect::<Result<Vec<String>>>()?;
        options.push(CaseworkerOption { id, name, villages });
    }
    // By pinyin, as people look names up in a Chinese list.
    options.sort_by_cached_key(|option| (xianglin_schema::names::name_keys(&option.name).full, option.id.clone()));
    Ok(options)
}

/// `*` runs become one SQL `%`, so `3607**********123X` matches by its visible ends.
fn collapse_stars(pattern: &str) -> String {
    let mut out = String::new();
    for character in pattern.chars() {
        if character == '*' {
            if !out.ends_with('%') {
                out.push('%');
            }
        } else {
            out.push(character);
        }
    }
    out
}

/// An elder's page, with the ID number masked, or `NotFound`. An elder merged into another
/// opens as the one kept.
pub fn elder_detail(replica: &Replica, elder_id: &str) -> Result<ElderDetail> {
    let connection = replica.connection();
    let elder_id = &xianglin_sync::merges::canonical(connection, elder_id)?;
    let (body, village_name, township_name): (String, String, String) = connection
        .query_row(
            "SELECT e.body, coalesce(v.name, ''), coalesce(t.name, '')
             FROM current_elders e
             LEFT JOIN places v ON v.code = e.village_code
             LEFT JOIN places t ON t.code = e.township_code
             WHERE e.id = ?1",
            [elder_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("elder {elder_id}")))?;
    let mut elder: Elder = serde_json::from_str(&body)?;
    if !crate::lookup::village_in_scope(replica, &elder.village_code)? {
        return Err(Error::NotFound(format!("elder {elder_id}")));
    }
    let next_due = crate::patrol::elder_due(replica, &elder, replica.now())?;
    elder.id_number = id_number::mask(&elder.id_number);
    let mut statement = connection.prepare(
        "SELECT s.id, s.visited_at, s.mode, coalesce(u.name, ''), s.worst_severity, s.summary
         FROM visits s LEFT JOIN users u ON u.id = s.visitor_id
         WHERE s.elder_id = ?1 AND s.voided = 0
         ORDER BY s.visited_at DESC LIMIT 20",
    )?;
    let recent_visits = statement
        .query_map([elder_id], |row| {
            Ok(VisitRow {
                id: row.get(0)?,
                visited_at: row.get(1)?,
                mode: from_text(&row.get::<_, String>(2)?).unwrap_or_default(),
                visitor_name: row.get(3)?,
                worst_severity: from_text(&row.get::<_, String>(4)?).unwrap_or_default(),
                summary: row.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ElderDetail {
        age: elder.age_on(replica.today()),
        elder,
        village_name,
        township_name,
        due_reason: next_due.as_ref().map(|due| due.reason.describe()),
        next_due,
        recent_visits,
        conflicts: conflicts_of(replica, elder_id)?,
        merged_from: crate::review::duplicates::merged_into(replica, elder_id)?,
    })
}

/// The names of a village and the township and county above it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlaceNames {
    pub county: String,
    pub township: String,
    pub village: String,
}

/// The names of a village, its township and its county, or `NotFound` for an unknown village.
pub fn place_names_of(replica: &Replica, village_code: &str) -> Result<PlaceNames> {
    let name = |code: String| -> Result<String> {
        Ok(replica
            .connection()
            .query_row("SELECT name FROM places WHERE code = ?1", [&code], |row| row.get(0))
            .optional()?
            .unwrap_or_default())
    };
    let village = name(village_code.to_owned())?;
    if village.is_empty() || village_code.len() != 12 {
        return Err(Error::NotFound(format!("village {village_code}")));
    }
    Ok(PlaceNames {
        county: name(format!("{}000000", &village_code[..6]))?,
        township: name(format!("{}000", &village_code[..9]))?,
        village,
    })
}

/// Fields of a record that hold concurrent values.
pub fn conflicts_of(replica: &Replica, record_id: &str) -> Result<Vec<FieldConflict>> {
    let mut statement = replica.connection().prepare(
        "SELECT shard, record_id, field, \"values\" FROM conflicts WHERE record_id = ?1 ORDER BY shard, field",
    )?;
    let rows = statement.query_map([record_id], conflict_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Every field in the replica that holds concurrent values.
pub fn all_conflicts(replica: &Replica) -> Result<Vec<FieldConflict>> {
    let mut statement = replica
        .connection()
        .prepare("SELECT shard, record_id, field, \"values\" FROM conflicts ORDER BY shard, record_id, field")?;
    let rows = statement.query_map([], conflict_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn conflict_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<FieldConflict> {
    let values: String = row.get(3)?;
    let values: Vec<serde_json::Value> = serde_json::from_str(&values).unwrap_or_default();
    Ok(FieldConflict {
        shard: row.get(0)?,
        record_id: row.get(1)?,
        field: row.get(2)?,
        values: values.iter().map(|value| value.as_str().map_or_else(|| value.to_string(), str::to_owned)).collect(),
    })
}

/// Rows of every projection table, sorted, as text: equal dumps mean equal projections.
pub fn projection_dump(replica: &Replica) -> Result<Vec<String>> {
    let connection = replica.connection();
    let mut dump = Vec::new();
    let derived = xianglin_sync::projection::DERIVED.iter().map(|(table, _)| table);
    for table in xianglin_sync::projection::TABLES.iter().chain(derived) {
        let mut statement = connection.prepare(&format!("SELECT * FROM {table}"))?;
        let columns = statement.column_count();
        let mut rows = statement.query([])?;
        let mut lines = Vec::new();
        while let Some(row) = rows.next()? {
            let values: Vec<String> = (0..columns)
                .map(|index| match row.get_ref(index) {
                    Ok(rusqlite::types::ValueRef::Text(text)) => String::from_utf8_lossy(text).into_owned(),
                    Ok(other) => format!("{other:?}"),
                    Err(error) => format!("<{error}>"),
                })
                .collect();
            lines.push(format!("{table}: {}", values.join(" | ")));
        }
        lines.sort();
        dump.extend(lines);
    }
    Ok(dump)
}
