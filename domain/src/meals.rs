//! Meal service (老年助餐) on the replica: meal points and their diners, the day's roster a
//! director ticks, subsidies from the county's policy, the checks of a month's meals, and the
//! monthly settlement (submit, review, lock, adjust).
//!
//! Points and diners live in the township's shard, meals and the month's submission and
//! adjustments in the point's month shard, the county's decision in the township's review shard
//! (only a county role writes it). An approved month is locked: its meals are refused, and a
//! correction is an adjustment booked in a later month. A change that reaches an approved month
//! anyway (made offline before the lock was known) shows up among the checks and never changes
//! the approved totals, which the review keeps.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use xianglin_schema::api::{
    AddAdjustment, AdjustmentRow, CopyMealDay, DinerRow, DinersRequest, EnrollDiner, LeaveDiner, MealAnomaly,
    MealAnomalyKind, MealCell, MealDayTotals, MealPointRow, MealRoster, MealRosterRequest, MealRosterRow, MealSet,
    PointSettlementRow, ReviewSettlement, SetMeal, Settlement, SettlementElderRow, SettlementRequest, SettlementStatus,
    SubmitSettlement, TownshipSettlements, TownshipSettlementsRequest,
};
use xianglin_schema::elder::{Elder, LifeState};
use xianglin_schema::id_number;
use xianglin_schema::meal::{
    self, Diner, Meal, MealAdjustment, MealMode, MealPoint, MealSlot, ReviewDecision, SettlementReview,
    SettlementSubmission, SettlementTotals, SubsidyQuestion,
};
use xianglin_schema::names::name_keys;
use xianglin_schema::policy::{self, Policy};
use xianglin_schema::problem::{Problem, Rule};
use xianglin_schema::record::{RecordMeta, format_datetime, new_id};
use xianglin_schema::user::Role;

use crate::lookup::user_role;
use crate::lookup::{place_exists, policies};
use xianglin_sync::Error;
use xianglin_sync::Replica;
use xianglin_sync::Result;
use xianglin_sync::projection::county_key;
use xianglin_sync::projection::from_text;
use xianglin_sync::shard::{Month, ShardId};

/// The meal points of a township, with how many elders are enrolled at each today.
pub fn meal_points(replica: &Replica, township_code: &str) -> Result<Vec<MealPointRow>> {
    let today = replica.today().to_string();
    let mut statement = replica.connection().prepare_cached(
        "SELECT p.body, (SELECT count(*) FROM diners d WHERE d.point_id = p.id AND d.voided = 0
                AND d.enrolled_on <= ?2 AND (d.left_on IS NULL OR d.left_on > ?2))
         FROM meal_points p WHERE p.township_code = ?1 AND p.voided = 0
         ORDER BY CASE p.kind WHEN 'nursing_home' THEN 0 WHEN 'canteen' THEN 1 ELSE 2 END, p.name",
    )?;
    let rows = statement
        .query_map(params![township_code, today], |row| Ok((row.get::<_, String>(0)?, row.get::<_, u32>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(|(body, diners)| Ok(MealPointRow { point: serde_json::from_str(&body)?, diners })).collect()
}

/// Saves a meal point of a township (new if `id` is empty) after checking it.
pub fn save_meal_point(replica: &mut Replica, mut point: MealPoint) -> Result<MealPoint> {
    let mut problems = meal::validate_point(&point);
    if !place_exists(replica, &point.township_code, "township")? {
        problems.push(Problem::new("township_code", "所属乡镇", Rule::PlaceUnknown));
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    point.open_days.sort_unstable();
    point.open_days.dedup();
    if point.id.is_empty() {
        point.id = new_id();
        point.meta = RecordMeta::created(replica.now(), replica.user_id());
    }
    let shard = ShardId::township(&point.township_code);
    replica.commit_record(&shard, county_key("point", &point.id), &point)?;
    Ok(point)
}

/// The elders enrolled at a point, with their eligibility and band by today's policy.
pub fn diners(replica: &Replica, request: &DinersRequest) -> Result<Vec<DinerRow>> {
    let today = replica.today();
    let policies = policies(replica)?;
    let mut statement = replica.connection().prepare_cached(
        "SELECT d.body, e.body, coalesce(v.name, '') FROM diners d
         JOIN current_elders e ON e.id = d.elder_id
         LEFT JOIN places v ON v.code = e.village_code
         WHERE d.point_id = ?1 AND d.voided = 0
         ORDER BY e.name_pinyin",
    )?;
    let rows = statement
        .query_map([&request.point_id], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut seen = HashSet::new();
    let mut diners = Vec::new();
    for (diner_body, elder_body, village_name) in rows {
        let diner: Diner = serde_json::from_str(&diner_body)?;
        if !seen.insert(diner.id.clone()) {
            continue;
        }
        if !request.include_left && !diner.covers(today) && diner.enrolled_on <= today {
            continue;
        }
        let elder: Elder = serde_json::from_str(&elder_body)?;
        let keys = name_keys(&elder.name);
        let age = elder.age_on(today);
        let band = policy::in_force(&policies, today)
            .and_then(|policy| policy.meal.band_for(age, &elder.categories_on(today), elder.economic_status));
        let eligibility = match (band, policy::in_force(&policies, today)) {
            (Some(band), _) => format!("{}，每餐补贴{}元", band.name, xianglin_schema::money::yuan(band.per_meal)),
            (None, Some(policy)) => format!("未满{}岁且不属补贴对象：可就餐，不享受补贴", policy.meal.min_age),
            (None, None) => "本县尚无有效的助餐政策".to_owned(),
        };
        diners.push(DinerRow {
            elder_name: elder.name.clone(),
            name_pinyin: keys.full,
            name_initials: keys.initials,
            id_number_masked: id_number::mask(&elder.id_number),
            village_name,
            age,
            per_meal: band.map_or(0, |band| band.per_meal),
            band: band.map(|band| band.name.clone()),
            eligibility,
            life: elder.life.clone(),
            diner,
        });
    }
    Ok(diners)
}

/// Enrolls an elder of the registry at a point. An elder enrolled there already is refused.
pub fn enroll_diner(replica: &mut Replica, request: &EnrollDiner) -> Result<Diner> {
    let point = point(replica, &request.point_id)?;
    let mut problems = Vec::new();
    match crate::lookup::current_elder(replica, &request.elder_id) {
        Err(Error::NotFound(_)) => problems.push(Problem::new("elder_id", "就餐老人", Rule::Required)),
        Err(other) => return Err(other),
        Ok(elder) => {
            if elder.life.state == LifeState::Deceased {
                problems.push(crate::refused_now("elder_id", "该老人已登记去世，不能登记就餐"));
            }
            let already: bool = replica.connection().query_row(
                "SELECT count(*) > 0 FROM diners WHERE point_id = ?1 AND elder_id = ?2 AND voided = 0
                     AND (left_on IS NULL OR left_on > ?3)",
                params![point.id, elder.id, request.enrolled_on.to_string()],
                |row| row.get(0),
            )?;
            if already {
                problems.push(crate::refused_now("elder_id", "该老人已在本助餐点登记就餐"));
            }
        }
    }
    if !point.modes.contains(&request.usual_mode) {
        problems.push(crate::refused_now("usual_mode", &format!("本助餐点不提供{}", request.usual_mode.label())));
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    let diner = Diner {
        id: new_id(),
        point_id: point.id.clone(),
        elder_id: request.elder_id.clone(),
        enrolled_on: request.enrolled_on,
        left_on: None,
        usual_mode: request.usual_mode,
        notes: String::new(),
        meta: RecordMeta::created(replica.now(), replica.user_id()),
    };
    let shard = ShardId::township(&point.township_code);
    replica.commit_record(&shard, county_key("diner", &diner.id), &diner)?;
    Ok(diner)
}

/// Ends an enrollment from a date.
pub fn leave_diner(replica: &mut Replica, request: &LeaveDiner) -> Result<Diner> {
    let (shard, body): (String, String) = replica
        .connection()
        .query_row("SELECT shard, body FROM diners WHERE id = ?1 AND voided = 0", [&request.diner_id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("diner {}", request.diner_id)))?;
    let mut diner: Diner = serde_json::from_str(&body)?;
    if request.left_on < diner.enrolled_on {
        return Err(Error::Problems(vec![Problem::new("left_on", "停止就餐日期", Rule::DateOrder)]));
    }
    diner.left_on = Some(request.left_on);
    replica.commit_record(&shard.parse::<ShardId>()?, county_key("diner", &diner.id), &diner)?;
    Ok(diner)
}

/// A point's roster for a day: every diner enrolled that day with what they ate.
pub fn roster(replica: &Replica, request: &MealRosterRequest) -> Result<MealRoster> {
    let point = point(replica, &request.point_id)?;
    let date = request.date;
    let policies = policies(replica)?;
    let policy = policy::in_force(&policies, date);
    let diners = enrolled_on(replica, &point.id, date, None)?;
    let mut meals = meals_of_day(replica, &point.id, date, None)?;
    let mut rows = Vec::with_capacity(diners.len());
    for (diner, elder) in diners {
        let cells = meals.remove(&elder.id).unwrap_or_default();
        rows.push(roster_row(&elder, &diner, policy, date, cells));
    }
    // Meals of elders no longer enrolled stay visible (a check flags them).
    for (elder_id, cells) in meals {
        if let Some(row) = unenrolled_row(replica, &point, &elder_id, policy, date, cells)? {
            rows.push(row);
        }
    }
    let totals = day_totals(&rows);
    let previous_day: Option<String> = replica
        .connection()
        .query_row(
            "SELECT max(date) FROM meals WHERE point_id = ?1 AND date < ?2 AND voided = 0",
            params![point.id, date.to_string()],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    Ok(MealRoster {
        slots: point.slots(),
        closed: point.closed_on(date),
        locked: lock_reason(replica, &point.id, Month::of(date))?,
        previous_day: previous_day.and_then(|day| NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()),
        point,
        date,
        rows,
        totals,
    })
}

/// Ticks or unticks a diner's slot on a day: records the meal with its subsidy (or voids it),
/// and returns the diner's line and the day's totals. Refused, with nothing written: an elder
/// not enrolled that day, a slot or mode the point does not serve, a closed day, a locked
/// month, a date in the future or after the elder's death or move, a negative amount.
pub fn set_meal(replica: &mut Replica, request: &SetMeal) -> Result<MealSet> {
    let point = point(replica, &request.point_id)?;
    let date = request.date;
    let month = Month::of(date);
    let shard = ShardId::meals(&point.township_code, &point.id, month);
    let existing =
        meals_of_day(replica, &point.id, date, Some(&request.elder_id))?.remove(&request.elder_id).unwrap_or_default();
    let existing_meal = existing.get(&request.slot).cloned();

    let mut problems = Vec::new();
    if let Some(reason) = lock_reason(replica, &point.id, month)? {
        problems.push(crate::refused_now("date", &reason));
    }
    if request.eaten {
        problems.extend(meal_problems(replica, &point, request)?);
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }

    match (request.eaten, existing_meal) {
        (false, None) => {}
        (false, Some(cell)) => {
            replica.void(&shard, &cell.meal_id, "取消勾选")?;
        }
        (true, existing_meal) => {
            let elder = crate::lookup::current_elder(replica, &request.elder_id)?;
            let policies = policies(replica)?;
            let policy = policy::in_force(&policies, date).ok_or_else(|| {
                Error::Problems(vec![crate::refused_now("date", &format!("{date} 没有生效的助餐补贴政策"))])
            })?;
            let price = point.prices.get(&request.slot).copied().unwrap_or(0);
            let exclude = existing_meal.as_ref().map(|cell| cell.meal_id.as_str());
            let (subsidised_today, subsidised_this_week) =
                subsidised_before(replica, &elder.id, date, request.slot, exclude)?;
            let answer = meal::subsidy_for(
                policy,
                &SubsidyQuestion {
                    age: elder.age_on(date),
                    categories: &elder.categories_on(date),
                    economic: elder.economic_status,
                    date,
                    slot: request.slot,
                    mode: request.mode,
                    price,
                    subsidised_today,
                    subsidised_this_week,
                },
            );
            let proxy = request.proxy.as_ref().map(|proxy| proxy.trim().to_owned()).filter(|proxy| !proxy.is_empty());
            let (id, meta) = match &existing_meal {
                Some(cell) => {
                    let stored = replica.read_record(&shard, &cell.meal_id)?;
                    let meta = stored
                        .and_then(|stored| serde_json::from_value::<Meal>(stored.value).ok())
                        .map(|meal| meal.meta)
                        .unwrap_or_else(|| RecordMeta::created(replica.now(), replica.user_id()));
                    (cell.meal_id.clone(), meta)
                }
                None => (new_id(), RecordMeta::created(replica.now(), replica.user_id())),
            };
            let meal = Meal {
                id,
                point_id: point.id.clone(),
                elder_id: elder.id.clone(),
                date,
                slot: request.slot,
                mode: request.mode,
                proxy,
                operator_id: replica.user_id().to_owned(),
                self_paid: request.self_paid.unwrap_or(answer.self_paid),
                subsidy: answer.subsidy,
                policy_version: answer.policy_version,
                price,
                delivery_fee: answer.delivery_fee,
                subsidy_note: answer.note,
                meta,
            };
            replica.commit_record(&shard, meal.id.clone(), &meal)?;
        }
    }
    // The diner's line and the day's totals, without recomputing the whole roster.
    let policies = policies(replica)?;
    let cells =
        meals_of_day(replica, &point.id, date, Some(&request.elder_id))?.remove(&request.elder_id).unwrap_or_default();
    let policy = policy::in_force(&policies, date);
    let row = match enrolled_on(replica, &point.id, date, Some(&request.elder_id))?.into_iter().next() {
        Some((diner, elder)) => roster_row(&elder, &diner, policy, date, cells),
        None => unenrolled_row(replica, &point, &request.elder_id, policy, date, cells)?
            .ok_or_else(|| Error::NotFound(format!("elder {}", request.elder_id)))?,
    };
    Ok(MealSet { row, totals: day_totals_of(replica, &point.id, date)? })
}

/// The line of an elder with meals at a point on a day they were not enrolled there.
fn unenrolled_row(
    replica: &Replica,
    point: &MealPoint,
    elder_id: &str,
    policy: Option<&Policy>,
    date: NaiveDate,
    cells: BTreeMap<MealSlot, MealCell>,
) -> Result<Option<MealRosterRow>> {
    let elder = match crate::lookup::current_elder(replica, elder_id) {
        Ok(elder) => elder,
        Err(Error::NotFound(_)) => return Ok(None),
        Err(other) => return Err(other),
    };
    let diner = Diner {
        id: String::new(),
        point_id: point.id.clone(),
        elder_id: elder_id.to_owned(),
        enrolled_on: date,
        left_on: None,
        usual_mode: MealMode::DineIn,
        notes: String::new(),
        meta: RecordMeta::default(),
    };
    let mut row = roster_row(&elder, &diner, policy, date, cells);
    row.blocked.get_or_insert_with(|| "未在本助餐点登记".to_owned());
    Ok(Some(row))
}

/// The day's totals of a point, from every meal recorded there that day.
fn day_totals_of(replica: &Replica, point_id: &str, date: NaiveDate) -> Result<MealDayTotals> {
    Ok(replica
        .connection()
        .prepare_cached(
            "SELECT count(DISTINCT elder_id), count(*), coalesce(sum(subsidy), 0), coalesce(sum(self_paid), 0)
         FROM meals WHERE point_id = ?1 AND date = ?2 AND voided = 0",
        )?
        .query_row(params![point_id, date.to_string()], |row| {
            Ok(MealDayTotals { diners: row.get(0)?, meals: row.get(1)?, subsidy: row.get(2)?, self_paid: row.get(3)? })
        })?)
}

/// Copies each diner's meals of `from` (slot, mode, 代办) to `to` where `to` has none for that
/// slot yet; diners who cannot eat on `to` are skipped. Returns the roster of `to`.
pub fn copy_day(replica: &mut Replica, request: &CopyMealDay) -> Result<MealRoster> {
    let source = roster(replica, &MealRosterRequest { point_id: request.point_id.clone(), date: request.from })?;
    let target = roster(replica, &MealRosterRequest { point_id: request.point_id.clone(), date: request.to })?;
    if let Some(reason) = &target.locked {
        return Err(Error::Problems(vec![crate::refused_now("date", reason)]));
    }
    if let Some(reason) = &target.closed {
        return Err(Error::Problems(vec![crate::refused_now(
            "date",
            &format!("{}本助餐点不供餐：{reason}", request.to),
        )]));
    }
    let enrolled: HashMap<&str, &MealRosterRow> =
        target.rows.iter().filter(|row| row.blocked.is_none()).map(|row| (row.elder_id.as_str(), row)).collect();
    for row in &source.rows {
        let Some(target_row) = enrolled.get(row.elder_id.as_str()) else { continue };
        for (slot, cell) in &row.cells {
            if target_row.cells.contains_key(slot) || !target.slots.contains(slot) {
                continue;
            }
            let request = SetMeal {
                point_id: request.point_id.clone(),
                elder_id: row.elder_id.clone(),
                date: request.to,
                slot: *slot,
                eaten: true,
                mode: cell.mode,
                proxy: cell.proxy.clone(),
                self_paid: None,
            };
            // A diner the day does not allow (moved, deceased since) is left for a person to see.
            match set_meal(replica, &request) {
                Ok(_) | Err(Error::Problems(_)) => {}
                Err(other) => return Err(other),
            }
        }
    }
    roster(replica, &MealRosterRequest { point_id: request.point_id.clone(), date: request.to })
}

/// What the checks find in the month's meals of the given points.
pub fn checks(replica: &mut Replica, point_ids: &[String], month: Month) -> Result<Vec<MealAnomaly>> {
    let points: HashMap<String, MealPoint> =
        point_ids.iter().map(|id| Ok((id.clone(), point(replica, id)?))).collect::<Result<_>>()?;
    let point_names = point_names(replica)?;
    let policies = policies(replica)?;
    let related = related_meals(replica, point_ids, month)?;
    let elder_ids: Vec<&String> =
        related.iter().map(|meal| &meal.elder_id).collect::<BTreeSet<_>>().into_iter().collect();
    let elders = life_of(replica, &elder_ids)?;
    let enrollments = enrollments(replica, point_ids)?;
    let no_name = String::new();
    let mut anomalies = Vec::new();
    let mut per_day: HashMap<(&str, NaiveDate), u32> = HashMap::new();
    let mut per_week: HashMap<(&str, NaiveDate), u32> = HashMap::new();
    // `related` is ordered by elder, date, slot and id, so one slot's claims are neighbours.
    for (index, meal) in related.iter().enumerate() {
        let elder = elders.get(&meal.elder_id);
        let reference = || MealRef {
            id: meal.id.clone(),
            point_id: meal.point_id.clone(),
            elder_id: meal.elder_id.clone(),
            elder_name: elder.map_or_else(String::new, |elder| elder.name.clone()),
            date: meal.date,
            slot: meal.slot,
        };
        let point = points.get(&meal.point_id).filter(|_| Month::of(meal.date) == month);

        // Subsidised meals beyond the daily and weekly caps (two points, or two devices,
        // together): counted over every point, reported where the meal is in scope.
        if meal.subsidy > 0
            && let Some(policy) = policy::in_force(&policies, meal.date)
        {
            let day = per_day.entry((meal.elder_id.as_str(), meal.date)).or_default();
            *day += 1;
            let week = per_week.entry((meal.elder_id.as_str(), meal::week_start(meal.date))).or_default();
            *week += 1;
            let detail = if *day > policy.meal.lunches_per_day {
                Some(format!("当日第{}餐补贴，超出每日{}餐的上限", day, policy.meal.lunches_per_day))
            } else if *week > policy.meal.meals_per_week {
                Some(format!("本周第{}餐补贴，超出每周{}餐的上限", week, policy.meal.meals_per_week))
            } else {
                None
            };
            if let (Some(point), Some(detail)) = (point, detail) {
                anomalies.push(reference().anomaly(MealAnomalyKind::CapExceeded, &point.name, detail));
            }
        }
        let Some(point) = point else { continue };

        // Meals after the elder's death, or after they moved out of the county's registry.
        if let Some(elder) = elder
            && let Some(gone) = elder.gone.filter(|gone| meal.date > *gone)
        {
            let what = if elder.state == LifeState::Deceased { "去世" } else { "迁出" };
            let detail = format!("老人已于{gone}{what}，此后不应有就餐记录");
            anomalies.push(reference().anomaly(MealAnomalyKind::AfterLifeEnd, &point.name, detail));
        }

        // The same elder claimed twice for one slot of one day, at this point or another.
        let same_slot = |other: &&RelatedMeal| {
            other.elder_id == meal.elder_id && other.date == meal.date && other.slot == meal.slot
        };
        let before = related[..index].iter().rev().take_while(same_slot);
        let after = related[index + 1..].iter().take_while(same_slot);
        for other in before.chain(after) {
            let detail = if other.point_id == meal.point_id {
                format!("同一天同一餐次在本助餐点重复登记（{}）", meal.slot.label())
            } else {
                let other_name = point_names.get(&other.point_id).unwrap_or(&no_name);
                format!("同一天同一餐次已在{other_name}登记（{}），重复申领", meal.slot.label())
            };
            anomalies.push(reference().anomaly(MealAnomalyKind::DoubleClaim, &point.name, detail));
        }

        // Meals on closed days, and meals of elders not enrolled that day.
        if let Some(reason) = point.closed_on(meal.date) {
            let detail = format!("{}本助餐点不供餐（{reason}）", meal.date);
            anomalies.push(reference().anomaly(MealAnomalyKind::ClosedDay, &point.name, detail));
        }
        let enrolled = enrollments.get(&meal.elder_id).is_some_and(|spans| {
            spans.iter().any(|(point_id, from, until)| {
                *point_id == meal.point_id && *from <= meal.date && until.is_none_or(|until| until > meal.date)
            })
        });
        if !enrolled {
            let detail = "该日未在本助餐点登记就餐".to_owned();
            anomalies.push(reference().anomaly(MealAnomalyKind::NotEnrolled, &point.name, detail));
        }
    }

    // Meals that changed in an approved month after its approval.
    for point in points.values() {
        if let Some(review) = review_of(replica, &point.id, month)?
            && review.decision == ReviewDecision::Approved
        {
            for meal in changed_after(replica, point, month, &review.heads)? {
                let detail = format!("{}审核通过后被修改或新增，未计入已审核金额", month);
                anomalies.push(
                    MealRef::from_meal(&meal, crate::lookup::elder_name(replica, &meal.elder_id)?.unwrap_or_default())
                        .anomaly(MealAnomalyKind::ChangedAfterApproval, &point.name, detail),
                );
            }
        }
    }
    anomalies.sort_by(|a, b| {
        (a.date, &a.elder_name, a.slot, a.kind as u8).cmp(&(b.date, &b.elder_name, b.slot, b.kind as u8))
    });
    Ok(anomalies)
}

/// A point's month: per elder lines, adjustments, totals, status and the checks' findings.
pub fn settlement(replica: &mut Replica, request: &SettlementRequest) -> Result<Settlement> {
    let month: Month = parse_month(&request.month)?;
    let point = point(replica, &request.point_id)?;
    let township_name = crate::lookup::place_name(replica, &point.township_code)?.unwrap_or_default();
    let rows = settlement_rows(replica, &point.id, month)?;
    let adjustments = adjustments_of(replica, &point.id, month)?;
    let totals = totals_of(&rows, &adjustments);
    let submission = submission_of(replica, &point.id, month)?;
    let review = review_of(replica, &point.id, month)?;
    let (status, status_label) = status_of(replica, submission.as_ref(), review.as_ref())?;
    let approved_totals = review
        .as_ref()
        .filter(|review| review.decision == ReviewDecision::Approved)
        .map(|review| review.totals.clone());
    let anomalies = checks(replica, std::slice::from_ref(&point.id), month)?;
    let mut statement = replica.connection().prepare_cached(
        "SELECT DISTINCT policy_version FROM meals WHERE point_id = ?1 AND date BETWEEN ?2 AND ?3 AND voided = 0 ORDER BY 1",
    )?;
    let policy_versions = statement
        .query_map(params![point.id, month.first_day().to_string(), month.last_day().to_string()], |row| row.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(Settlement {
        point,
        township_name,
        month: month.to_string(),
        status,
        status_label,
        rows,
        adjustments,
        totals,
        approved_totals,
        submission,
        review,
        anomalies,
        policy_versions,
    })
}

/// Every point of a township for a month, and their sum (approved totals where approved).
pub fn township_settlements(
    replica: &mut Replica,
    request: &TownshipSettlementsRequest,
) -> Result<TownshipSettlements> {
    let month = parse_month(&request.month)?;
    let township_name = crate::lookup::place_name(replica, &request.township_code)?.unwrap_or_default();
    let mut points = Vec::new();
    let mut totals = SettlementTotals::default();
    for row in meal_points(replica, &request.township_code)? {
        let settlement =
            settlement(replica, &SettlementRequest { point_id: row.point.id.clone(), month: month.to_string() })?;
        let point_totals = settlement.approved_totals.clone().unwrap_or(settlement.totals.clone());
        add_totals(&mut totals, &point_totals);
        points.push(PointSettlementRow {
            point_id: row.point.id,
            point_name: row.point.name,
            status: settlement.status,
            status_label: settlement.status_label,
            totals: point_totals,
            anomalies: settlement.anomalies.len() as u32,
        });
    }
    Ok(TownshipSettlements {
        township_code: request.township_code.clone(),
        township_name,
        month: month.to_string(),
        points,
        totals,
    })
}

/// The station submits a point's month. Refused while the month is locked or waiting for the
/// county, before the month has ended, or while the checks find problems to correct first.
pub fn submit_settlement(replica: &mut Replica, request: &SubmitSettlement) -> Result<Settlement> {
    let month = parse_month(&request.month)?;
    let current =
        settlement(replica, &SettlementRequest { point_id: request.point_id.clone(), month: month.to_string() })?;
    let mut problems = Vec::new();
    match current.status {
        SettlementStatus::Approved => problems.push(crate::refused_now("month", "该月已审核锁定，不能再次提交")),
        SettlementStatus::Submitted => problems.push(crate::refused_now("month", "该月已提交，正在等待县级审核")),
        SettlementStatus::Open | SettlementStatus::Returned => {}
    }
    if month.last_day() >= replica.today() {
        problems.push(crate::refused_now("month", &format!("{month}尚未结束，月末后才能提交结算")));
    }
    if !current.anomalies.is_empty() {
        problems.push(crate::refused_now(
            "anomalies",
            &format!("核查发现{}条问题记录，请先更正后再提交", current.anomalies.len()),
        ));
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    let now = replica.now();
    let submission = SettlementSubmission {
        id: new_id(),
        point_id: current.point.id.clone(),
        month: month.to_string(),
        submitted_by: replica.user_id().to_owned(),
        submitted_at: format_datetime(now),
        totals: current.totals.clone(),
        note: request.note.trim().to_owned(),
        meta: RecordMeta::created(now, replica.user_id()),
    };
    let shard = ShardId::meals(&current.point.township_code, &current.point.id, month);
    let key = county_key("settlement", &format!("{}/{month}", current.point.id));
    replica.commit_record(&shard, key, &submission)?;
    settlement(replica, &SettlementRequest { point_id: request.point_id.clone(), month: month.to_string() })
}

/// The county approves (and so locks) or returns a submitted month. Only a county reviewer may.
pub fn review_settlement(replica: &mut Replica, request: &ReviewSettlement) -> Result<Settlement> {
    let month = parse_month(&request.month)?;
    if user_role(replica)? != Some(Role::CountyReviewer) {
        return Err(Error::Problems(vec![crate::not_permitted("decision", "只有县级审核员可以审核结算")]));
    }
    let current =
        settlement(replica, &SettlementRequest { point_id: request.point_id.clone(), month: month.to_string() })?;
    let mut problems = Vec::new();
    let Some(submission) = current.submission.clone().filter(|_| current.status == SettlementStatus::Submitted) else {
        let reason = match current.status {
            SettlementStatus::Approved => "该月已审核锁定",
            SettlementStatus::Returned => "该月已退回，等待乡镇重新提交",
            _ => "该月尚未提交，不能审核",
        };
        return Err(Error::Problems(vec![crate::refused_now("decision", reason)]));
    };
    if request.decision == ReviewDecision::Returned && request.reason.trim().is_empty() {
        problems.push(Problem::new("reason", "退回原因", Rule::Required));
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    let shard = ShardId::meals(&current.point.township_code, &current.point.id, month);
    let now = replica.now();
    let review = SettlementReview {
        point_id: current.point.id.clone(),
        month: month.to_string(),
        decision: request.decision,
        reason: request.reason.trim().to_owned(),
        reviewed_by: replica.user_id().to_owned(),
        reviewed_at: format_datetime(now),
        submission_id: submission.id.clone(),
        totals: current.totals.clone(),
        heads: replica.heads(&shard)?.iter().map(ToString::to_string).collect(),
        meta: RecordMeta::created(now, replica.user_id()),
    };
    let key = county_key("settlement", &format!("{}/{month}", current.point.id));
    replica.commit_record(&ShardId::review(&current.point.township_code), key, &review)?;
    tracing::info!(point = %current.point.id, %month, decision = ?request.decision, "settlement reviewed");
    settlement(replica, &SettlementRequest { point_id: request.point_id.clone(), month: month.to_string() })
}

/// Books a correction of a locked month in the point's earliest month still open.
pub fn add_adjustment(replica: &mut Replica, request: &AddAdjustment) -> Result<MealAdjustment> {
    let from_month = parse_month(&request.from_month)?;
    let point = point(replica, &request.point_id)?;
    let mut problems = Vec::new();
    if lock_reason(replica, &point.id, from_month)?.is_none() {
        problems.push(crate::refused_now("from_month", &format!("{from_month}尚未锁定，请直接修改就餐记录")));
    }
    if request.reason.trim().is_empty() {
        problems.push(Problem::new("reason", "调整原因", Rule::Required));
    }
    if request.subsidy_delta == 0 && request.self_paid_delta == 0 {
        problems.push(crate::refused_now("subsidy_delta", "调整金额不能都为0"));
    }
    if crate::lookup::elder_life(replica, &request.elder_id)?.is_none() {
        problems.push(Problem::new("elder_id", "调整对象", Rule::Required));
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    let mut month = Month::of(replica.today()).max(from_month.next());
    while lock_reason(replica, &point.id, month)?.is_some() {
        month = month.next();
    }
    let adjustment = MealAdjustment {
        id: new_id(),
        point_id: point.id.clone(),
        month: month.to_string(),
        from_month: from_month.to_string(),
        elder_id: request.elder_id.clone(),
        reason: request.reason.trim().to_owned(),
        subsidy_delta: request.subsidy_delta,
        self_paid_delta: request.self_paid_delta,
        meta: RecordMeta::created(replica.now(), replica.user_id()),
    };
    let shard = ShardId::meals(&point.township_code, &point.id, month);
    replica.commit_record(&shard, county_key("adjustment", &adjustment.id), &adjustment)?;
    Ok(adjustment)
}

/// Why the month of a point can no longer be edited, if so: approved (locked), or submitted and
/// waiting for the county.
pub fn lock_reason(replica: &Replica, point_id: &str, month: Month) -> Result<Option<String>> {
    if let Some(review) = review_of(replica, point_id, month)?
        && review.decision == ReviewDecision::Approved
    {
        return Ok(Some(format!(
            "{month}的结算已于{}经县级审核锁定，更正请登记调整",
            review.reviewed_at.get(..10).unwrap_or(&review.reviewed_at)
        )));
    }
    let submission = submission_of(replica, point_id, month)?;
    let review = review_of(replica, point_id, month)?;
    if let Some(submission) = submission
        && review.is_none_or(|review| review.submission_id != submission.id)
    {
        return Ok(Some(format!("{month}的结算已提交，正在等待县级审核")));
    }
    Ok(None)
}

// Helpers ---------------------------------------------------------------------------------

/// A meal as the checks report it.
struct MealRef {
    id: String,
    point_id: String,
    elder_id: String,
    elder_name: String,
    date: NaiveDate,
    slot: MealSlot,
}

impl MealRef {
    fn from_meal(meal: &Meal, elder_name: String) -> MealRef {
        MealRef {
            id: meal.id.clone(),
            point_id: meal.point_id.clone(),
            elder_id: meal.elder_id.clone(),
            elder_name,
            date: meal.date,
            slot: meal.slot,
        }
    }

    fn anomaly(&self, kind: MealAnomalyKind, point_name: &str, detail: String) -> MealAnomaly {
        MealAnomaly {
            kind,
            meal_id: self.id.clone(),
            point_id: self.point_id.clone(),
            point_name: point_name.to_owned(),
            elder_id: self.elder_id.clone(),
            elder_name: self.elder_name.clone(),
            date: self.date,
            slot: self.slot,
            detail,
        }
    }
}

fn parse_month(text: &str) -> Result<Month> {
    text.parse().map_err(|_| Error::Problems(vec![Problem::new("month", "结算月份", Rule::Date)]))
}

pub(crate) fn point(replica: &Replica, point_id: &str) -> Result<MealPoint> {
    let body: String = replica
        .connection()
        .prepare_cached("SELECT body FROM meal_points WHERE id = ?1 AND voided = 0")?
        .query_row([point_id], |row| row.get(0))
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("meal point {point_id}")))?;
    Ok(serde_json::from_str(&body)?)
}

/// Every meal point's name, by id (a double claim names the other point).
fn point_names(replica: &Replica) -> Result<HashMap<String, String>> {
    let mut statement = replica.connection().prepare_cached("SELECT id, name FROM meal_points")?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Diners enrolled at a point on a date, with their elder (the current registry entry), by name.
/// With `elder`, only that elder's enrollment.
fn enrolled_on(replica: &Replica, point_id: &str, date: NaiveDate, elder: Option<&str>) -> Result<Vec<(Diner, Elder)>> {
    let mut statement = replica.connection().prepare_cached(
        "SELECT d.body, e.body FROM diners d JOIN current_elders e ON e.id = d.elder_id
         WHERE d.point_id = ?1 AND d.voided = 0 AND d.enrolled_on <= ?2 AND (d.left_on IS NULL OR d.left_on > ?2)
           AND (?3 IS NULL OR d.elder_id = ?3)
         ORDER BY e.name_pinyin, e.id",
    )?;
    let rows = statement
        .query_map(params![point_id, date.to_string(), elder], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut seen = HashSet::new();
    let mut diners = Vec::with_capacity(rows.len());
    for (diner, elder) in rows {
        let diner: Diner = serde_json::from_str(&diner)?;
        if seen.insert(diner.elder_id.clone()) {
            diners.push((diner, serde_json::from_str(&elder)?));
        }
    }
    Ok(diners)
}

/// The day's recorded meals of a point, by elder and slot (with `elder`, that elder's only).
fn meals_of_day(
    replica: &Replica,
    point_id: &str,
    date: NaiveDate,
    elder: Option<&str>,
) -> Result<BTreeMap<String, BTreeMap<MealSlot, MealCell>>> {
    let mut statement = replica.connection().prepare_cached(
        "SELECT id, elder_id, slot, mode, proxy, self_paid, subsidy, note FROM meals
         WHERE point_id = ?1 AND date = ?2 AND voided = 0 AND (?3 IS NULL OR elder_id = ?3) ORDER BY id",
    )?;
    let rows = statement
        .query_map(params![point_id, date.to_string(), elder], |row| {
            Ok((
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                MealCell {
                    meal_id: row.get(0)?,
                    mode: from_text(&row.get::<_, String>(3)?).unwrap_or(MealMode::DineIn),
                    proxy: row.get(4)?,
                    self_paid: row.get(5)?,
                    subsidy: row.get(6)?,
                    note: row.get(7)?,
                },
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut meals: BTreeMap<String, BTreeMap<MealSlot, MealCell>> = BTreeMap::new();
    for (elder_id, slot, cell) in rows {
        if let Some(slot) = from_text::<MealSlot>(&slot) {
            meals.entry(elder_id).or_default().entry(slot).or_insert(cell);
        }
    }
    Ok(meals)
}

fn roster_row(
    elder: &Elder,
    diner: &Diner,
    policy: Option<&Policy>,
    date: NaiveDate,
    cells: BTreeMap<MealSlot, MealCell>,
) -> MealRosterRow {
    let keys = name_keys(&elder.name);
    let age = elder.age_on(date);
    let band = policy.and_then(|policy| policy.meal.band_for(age, &elder.categories_on(date), elder.economic_status));
    MealRosterRow {
        elder_id: elder.id.clone(),
        elder_name: elder.name.clone(),
        name_pinyin: keys.full,
        name_initials: keys.initials,
        age,
        band: band.map(|band| band.name.clone()),
        usual_mode: diner.usual_mode,
        cells,
        blocked: life_block(elder, date),
    }
}

/// Why an elder cannot have a meal on `date`: deceased or moved away before it.
fn life_block(elder: &Elder, date: NaiveDate) -> Option<String> {
    let gone = elder.life.date.filter(|gone| *gone < date)?;
    match elder.life.state {
        LifeState::Deceased => Some(format!("已于{gone}去世")),
        LifeState::Moved => Some(format!("已于{gone}迁出")),
        LifeState::Active => None,
    }
}

fn day_totals(rows: &[MealRosterRow]) -> MealDayTotals {
    let mut totals = MealDayTotals::default();
    for row in rows {
        if !row.cells.is_empty() {
            totals.diners += 1;
        }
        for cell in row.cells.values() {
            totals.meals += 1;
            totals.subsidy += cell.subsidy;
            totals.self_paid += cell.self_paid;
        }
    }
    totals
}

/// What makes a tick impossible: the point does not serve the slot, mode or day, the elder is
/// not enrolled or has died or moved, the date is in the future, an amount is negative.
fn meal_problems(replica: &Replica, point: &MealPoint, request: &SetMeal) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    if request.date > replica.today() {
        problems.push(Problem::new("date", "就餐日期", Rule::DateInFuture));
    }
    if !point.prices.contains_key(&request.slot) {
        problems.push(crate::refused_now("slot", &format!("本助餐点不供应{}", request.slot.label())));
    }
    if !point.modes.contains(&request.mode) {
        problems.push(crate::refused_now("mode", &format!("本助餐点不提供{}", request.mode.label())));
    }
    if let Some(reason) = point.closed_on(request.date) {
        problems.push(crate::refused_now("date", &format!("{}本助餐点不供餐：{reason}", request.date)));
    }
    if request.self_paid.is_some_and(|amount| amount < 0) {
        problems.push(Problem::new("self_paid", "自付金额", Rule::Amount));
    }
    let elsewhere: Option<String> = replica
        .connection()
        .prepare_cached(
            "SELECT coalesce(p.name, m.point_id) FROM meals m LEFT JOIN meal_points p ON p.id = m.point_id
             WHERE m.elder_id = ?1 AND m.date = ?2 AND m.slot = ?3 AND m.point_id != ?4 AND m.voided = 0 LIMIT 1",
        )?
        .query_row(params![request.elder_id, request.date.to_string(), meal::slot_key(request.slot), point.id], |row| {
            row.get(0)
        })
        .optional()?;
    if let Some(other) = elsewhere {
        problems.push(crate::refused_now(
            "slot",
            &format!("该老人当日{}已在{other}登记，不能重复登记", request.slot.label()),
        ));
    }
    let enrolled = enrolled_on(replica, &point.id, request.date, Some(&request.elder_id))?.into_iter().next();
    match enrolled {
        None => problems.push(crate::refused_now("elder_id", "该老人当日未在本助餐点登记就餐，请先登记")),
        Some((_, elder)) => {
            if let Some(reason) = life_block(&elder, request.date) {
                problems.push(crate::refused_now("date", &format!("{}{reason}，不能登记就餐", elder.name)));
            }
        }
    }
    Ok(problems)
}

/// Subsidised meals an elder already had on the day (other slots) and in the week (other days
/// or slots), at any point, leaving out `exclude` (the meal being re-recorded).
fn subsidised_before(
    replica: &Replica,
    elder_id: &str,
    date: NaiveDate,
    slot: MealSlot,
    exclude: Option<&str>,
) -> Result<(u32, u32)> {
    let week = meal::week_start(date);
    let mut statement = replica.connection().prepare_cached(
        "SELECT date, slot FROM meals WHERE elder_id = ?1 AND date BETWEEN ?2 AND ?3 AND voided = 0 AND subsidy > 0
         AND id != ?4",
    )?;
    let rows = statement
        .query_map(
            params![elder_id, week.to_string(), (week + chrono::Duration::days(6)).to_string(), exclude.unwrap_or("")],
            |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let slot_text = meal::slot_key(slot);
    let mut today = 0;
    let mut week_count = 0;
    for (day, other_slot) in rows {
        if day == date.to_string() && other_slot == slot_text {
            // The same slot of the same day elsewhere is a double claim, not an earlier meal.
            continue;
        }
        week_count += 1;
        if day == date.to_string() {
            today += 1;
        }
    }
    Ok((today, week_count))
}

/// One line per elder who ate at the point in the month.
fn settlement_rows(replica: &Replica, point_id: &str, month: Month) -> Result<Vec<SettlementElderRow>> {
    let mut statement = replica.connection().prepare_cached(
        "SELECT m.elder_id, m.date, m.slot, m.mode, m.proxy IS NOT NULL, m.subsidy, m.self_paid
         FROM meals m WHERE m.point_id = ?1 AND m.date BETWEEN ?2 AND ?3 AND m.voided = 0",
    )?;
    let rows = statement
        .query_map(params![point_id, month.first_day().to_string(), month.last_day().to_string()], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, bool>(4)?,
                row.get::<_, i64>(5)?,
                row.get::<_, i64>(6)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut by_elder: BTreeMap<String, (SettlementElderRow, BTreeSet<String>)> = BTreeMap::new();
    for (elder_id, date, slot, mode, proxy, subsidy, self_paid) in rows {
        let (line, days) = by_elder.entry(elder_id.clone()).or_insert_with(|| {
            (SettlementElderRow { elder_id: elder_id.clone(), ..SettlementElderRow::default() }, BTreeSet::new())
        });
        days.insert(date);
        match slot.as_str() {
            "breakfast" => line.breakfasts += 1,
            "lunch" => line.lunches += 1,
            _ => line.dinners += 1,
        }
        if mode == "delivery" {
            line.deliveries += 1;
        }
        if proxy {
            line.proxies += 1;
        }
        line.subsidy += subsidy;
        line.self_paid += self_paid;
    }
    let policies = policies(replica)?;
    let on = month.last_day().min(replica.today());
    let mut lines = Vec::with_capacity(by_elder.len());
    let ids: Vec<&String> = by_elder.keys().collect();
    let elders = current_elders(replica, &ids)?;
    for (elder_id, (mut line, days)) in by_elder {
        line.dining_days = days.len() as u32;
        if let Some(elder) = elders.get(&elder_id) {
            line.elder_name = elder.name.clone();
            line.id_number_masked = id_number::mask(&elder.id_number);
            line.band = policy::in_force(&policies, on)
                .and_then(|policy| {
                    policy.meal.band_for(elder.age_on(on), &elder.categories_on(on), elder.economic_status)
                })
                .map_or_else(|| "不享受补贴".to_owned(), |band| band.name.clone());
        }
        lines.push(line);
    }
    lines.sort_by_cached_key(|line| name_keys(&line.elder_name).full);
    Ok(lines)
}

/// A meal as the checks see it.
struct RelatedMeal {
    id: String,
    point_id: String,
    elder_id: String,
    date: NaiveDate,
    slot: MealSlot,
    subsidy: i64,
}

/// Every meal, at any point, of the elders who ate at `point_ids` in `month`, over the whole
/// weeks around the month (the weekly cap counts across its edges), ordered by elder, date,
/// slot and id. Both indexes on meals cover these queries: no table lookups.
fn related_meals(replica: &Replica, point_ids: &[String], month: Month) -> Result<Vec<RelatedMeal>> {
    let week_from = meal::week_start(month.first_day());
    let week_to = meal::week_start(month.last_day()) + chrono::Duration::days(6);
    let mut statement = replica.connection().prepare_cached(
        "SELECT id, point_id, elder_id, date, slot, subsidy FROM meals
         WHERE voided = 0 AND date BETWEEN ?2 AND ?3 AND elder_id IN
              (SELECT elder_id FROM meals WHERE voided = 0 AND point_id IN (SELECT value FROM json_each(?1))
               AND date BETWEEN ?4 AND ?5)
         ORDER BY elder_id, date, slot, id",
    )?;
    let rows = statement.query_map(
        params![
            serde_json::to_string(point_ids)?,
            week_from.to_string(),
            week_to.to_string(),
            month.first_day().to_string(),
            month.last_day().to_string()
        ],
        |row| {
            let date: String = row.get(3)?;
            let slot: String = row.get(4)?;
            Ok(RelatedMeal {
                id: row.get(0)?,
                point_id: row.get(1)?,
                elder_id: row.get(2)?,
                date: NaiveDate::parse_from_str(&date, "%Y-%m-%d").unwrap_or_default(),
                slot: from_text(&slot).unwrap_or(MealSlot::Lunch),
                subsidy: row.get(5)?,
            })
        },
    )?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// An elder's name and whether (and since when) they are gone, for the checks.
pub(crate) struct ElderLife {
    pub(crate) name: String,
    pub(crate) village_code: String,
    pub(crate) state: LifeState,
    pub(crate) gone: Option<NaiveDate>,
}

/// The current registry entry of each elder, reduced to their name, village and life: an elder who moved
/// village has an entry in each, and is gone only if every entry says moved.
pub(crate) fn life_of(replica: &Replica, ids: &[&String]) -> Result<HashMap<String, ElderLife>> {
    let mut statement = replica.connection().prepare_cached(
        "SELECT id, name, life_state, life_date, village_code FROM current_elders
         WHERE id IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = statement
        .query_map([serde_json::to_string(ids)?], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, String>(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut elders = HashMap::with_capacity(ids.len());
    for (id, name, state, date, village_code) in rows {
        elders.entry(id).or_insert_with(|| {
            let state = from_text(&state).unwrap_or(LifeState::Active);
            let gone = date.and_then(|date| NaiveDate::parse_from_str(&date, "%Y-%m-%d").ok());
            ElderLife { name, village_code, gone: gone.filter(|_| state != LifeState::Active), state }
        });
    }
    Ok(elders)
}

/// Each elder's spans of enrollment at the points: point, from, and until (exclusive) if they left.
type Enrollments = HashMap<String, Vec<(String, NaiveDate, Option<NaiveDate>)>>;

fn enrollments(replica: &Replica, point_ids: &[String]) -> Result<Enrollments> {
    let mut statement = replica.connection().prepare_cached(
        "SELECT point_id, elder_id, enrolled_on, left_on FROM diners
         WHERE voided = 0 AND point_id IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = statement
        .query_map([serde_json::to_string(point_ids)?], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let parse = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    let mut spans: Enrollments = HashMap::new();
    for (point_id, elder_id, from, until) in rows {
        let Some(from) = parse(&from) else { continue };
        spans.entry(elder_id).or_default().push((point_id, from, until.as_deref().and_then(parse)));
    }
    Ok(spans)
}

/// The current registry entries of several elders at once (an elder who moved village has an
/// entry in each village; the one not marked moved is current).
fn current_elders(replica: &Replica, ids: &[&String]) -> Result<HashMap<String, Elder>> {
    let mut statement = replica
        .connection()
        .prepare_cached("SELECT id, body FROM current_elders WHERE id IN (SELECT value FROM json_each(?1))")?;
    let rows = statement
        .query_map([serde_json::to_string(ids)?], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut elders = HashMap::with_capacity(ids.len());
    for (id, body) in rows {
        if let std::collections::hash_map::Entry::Vacant(slot) = elders.entry(id) {
            slot.insert(serde_json::from_str(&body)?);
        }
    }
    Ok(elders)
}

fn adjustments_of(replica: &Replica, point_id: &str, month: Month) -> Result<Vec<AdjustmentRow>> {
    let mut statement = replica.connection().prepare_cached(
        "SELECT a.body, coalesce((SELECT e.name FROM elders e WHERE e.id = a.elder_id LIMIT 1), '')
         FROM meal_adjustments a WHERE a.point_id = ?1 AND a.month = ?2 AND a.voided = 0 ORDER BY a.id",
    )?;
    let rows = statement
        .query_map(params![point_id, month.to_string()], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(body, elder_name)| Ok(AdjustmentRow { adjustment: serde_json::from_str(&body)?, elder_name }))
        .collect()
}

fn totals_of(rows: &[SettlementElderRow], adjustments: &[AdjustmentRow]) -> SettlementTotals {
    let subsidy: i64 = rows.iter().map(|row| row.subsidy).sum();
    let adjustment: i64 = adjustments.iter().map(|row| row.adjustment.subsidy_delta).sum();
    SettlementTotals {
        diners: rows.len() as u32,
        dining_days: rows.iter().map(|row| row.dining_days).sum(),
        meals: rows.iter().map(|row| row.breakfasts + row.lunches + row.dinners).sum(),
        subsidy,
        self_paid: rows.iter().map(|row| row.self_paid).sum::<i64>()
            + adjustments.iter().map(|row| row.adjustment.self_paid_delta).sum::<i64>(),
        adjustments: adjustment,
        payable: subsidy + adjustment,
    }
}

fn add_totals(sum: &mut SettlementTotals, add: &SettlementTotals) {
    sum.diners += add.diners;
    sum.dining_days += add.dining_days;
    sum.meals += add.meals;
    sum.subsidy += add.subsidy;
    sum.self_paid += add.self_paid;
    sum.adjustments += add.adjustments;
    sum.payable += add.payable;
}

fn submission_of(replica: &Replica, point_id: &str, month: Month) -> Result<Option<SettlementSubmission>> {
    let body: Option<String> = replica
        .connection()
        .prepare_cached("SELECT body FROM meal_submissions WHERE point_id = ?1 AND month = ?2 AND voided = 0")?
        .query_row(params![point_id, month.to_string()], |row| row.get(0))
        .optional()?;
    Ok(body.map(|body| serde_json::from_str(&body)).transpose()?)
}

fn review_of(replica: &Replica, point_id: &str, month: Month) -> Result<Option<SettlementReview>> {
    let body: Option<String> = replica
        .connection()
        .prepare_cached("SELECT body FROM meal_reviews WHERE point_id = ?1 AND month = ?2 AND voided = 0")?
        .query_row(params![point_id, month.to_string()], |row| row.get(0))
        .optional()?;
    Ok(body.map(|body| serde_json::from_str(&body)).transpose()?)
}

fn status_of(
    replica: &Replica,
    submission: Option<&SettlementSubmission>,
    review: Option<&SettlementReview>,
) -> Result<(SettlementStatus, String)> {
    let day = |at: &str| at.get(..10).unwrap_or(at).to_owned();
    let who = |user_id: &str| -> Result<String> {
        Ok(crate::lookup::user_name(replica, user_id)?.unwrap_or_else(|| "未登记用户".to_owned()))
    };
    Ok(match (submission, review) {
        (_, Some(review)) if review.decision == ReviewDecision::Approved => (
            SettlementStatus::Approved,
            format!("已审核锁定（{} {}）", day(&review.reviewed_at), who(&review.reviewed_by)?),
        ),
        (Some(submission), Some(review)) if review.submission_id == submission.id => (
            SettlementStatus::Returned,
            format!("已退回（{} {}）：{}", day(&review.reviewed_at), who(&review.reviewed_by)?, review.reason),
        ),
        (Some(submission), _) => (
            SettlementStatus::Submitted,
            format!("已提交，待县级审核（{} {}）", day(&submission.submitted_at), who(&submission.submitted_by)?),
        ),
        (None, _) => (SettlementStatus::Open, "未提交".to_owned()),
    })
}

/// Meals of an approved month touched by changes the approval did not see.
fn changed_after(
    replica: &mut Replica,
    point: &MealPoint,
    month: Month,
    approved_heads: &[String],
) -> Result<Vec<Meal>> {
    let shard = ShardId::meals(&point.township_code, &point.id, month);
    let approved = xianglin_sync::heads::parse(approved_heads)?;
    let touched = replica.with_document(&shard, |document| {
        let known: Vec<_> =
            approved.iter().copied().filter(|hash| document.get_change_meta_by_hash(hash).is_some()).collect();
        let current = document.get_heads();
        if known.len() != approved.len() || current == known {
            // The approval saw changes this replica lacks (it catches up at its next sync), or
            // nothing changed since.
            return BTreeSet::new();
        }
        xianglin_sync::document::touched_records(document, &known)
    })?;
    let mut meals = Vec::new();
    for key in touched.iter().filter(|key| !key.contains('/')) {
        if let Some(stored) = replica.read_record(&shard, key)?
            && let Ok(meal) = serde_json::from_value::<Meal>(stored.value)
        {
            meals.push(meal);
        }
    }
    Ok(meals)
}

/// A point's settlement as an Excel workbook: the statement (one line per elder and the totals),
/// the adjustments, and what the checks found. Money in 元 as numbers with two decimals.
pub fn settlement_workbook(settlement: &Settlement) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let excel = |error: rust_xlsxwriter::XlsxError| Error::Invalid(format!("writing the workbook: {error}"));
    let money = |fen: i64| fen as f64 / 100.0;
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#E8F0FE");
    let amount = Format::new().set_num_format("0.00");
    let bold_amount = Format::new().set_bold().set_num_format("0.00");

    let sheet = workbook.add_worksheet();
    sheet.set_name("结算明细").map_err(excel)?;
    let title =
        format!("{} {} {}老年助餐服务补贴结算表", settlement.township_name, settlement.point.name, settlement.month);
    sheet.write_string_with_format(0, 0, &title, &Format::new().set_bold()).map_err(excel)?;
    sheet.write_string(1, 0, format!("状态：{}", settlement.status_label)).map_err(excel)?;
    const COLUMNS: [&str; 12] = [
        "序号",
        "姓名",
        "身份证号",
        "补贴档次",
        "就餐天数",
        "早餐",
        "午餐",
        "晚餐",
        "送餐",
        "代办",
        "补贴（元）",
        "自付（元）",
    ];
    for (column, name) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(3, column as u16, *name, &header).map_err(excel)?;
    }
    for (index, row) in settlement.rows.iter().enumerate() {
        let line = 4 + index as u32;
        sheet.write_number(line, 0, (index + 1) as f64).map_err(excel)?;
        sheet.write_string(line, 1, &row.elder_name).map_err(excel)?;
        sheet.write_string(line, 2, &row.id_number_masked).map_err(excel)?;
        sheet.write_string(line, 3, &row.band).map_err(excel)?;
        for (column, count) in
            [row.dining_days, row.breakfasts, row.lunches, row.dinners, row.deliveries, row.proxies].iter().enumerate()
        {
            sheet.write_number(line, 4 + column as u16, f64::from(*count)).map_err(excel)?;
        }
        sheet.write_number_with_format(line, 10, money(row.subsidy), &amount).map_err(excel)?;
        sheet.write_number_with_format(line, 11, money(row.self_paid), &amount).map_err(excel)?;
    }
    let totals = settlement.approved_totals.as_ref().unwrap_or(&settlement.totals);
    let total_line = 4 + settlement.rows.len() as u32;
    sheet.write_string_with_format(total_line, 1, "合计", &header).map_err(excel)?;
    sheet.write_number(total_line, 4, f64::from(totals.dining_days)).map_err(excel)?;
    sheet.write_number_with_format(total_line, 10, money(totals.subsidy), &bold_amount).map_err(excel)?;
    sheet.write_number_with_format(total_line, 11, money(totals.self_paid), &bold_amount).map_err(excel)?;
    sheet.write_string(total_line + 1, 1, "调整").map_err(excel)?;
    sheet.write_number_with_format(total_line + 1, 10, money(totals.adjustments), &amount).map_err(excel)?;
    sheet.write_string_with_format(total_line + 2, 1, "应拨付", &header).map_err(excel)?;
    sheet.write_number_with_format(total_line + 2, 10, money(totals.payable), &bold_amount).map_err(excel)?;
    sheet.set_column_width(1, 10.0).map_err(excel)?;
    sheet.set_column_width(2, 22.0).map_err(excel)?;
    sheet.set_column_width(3, 24.0).map_err(excel)?;
    sheet.set_freeze_panes(4, 0).map_err(excel)?;

    let sheet = workbook.add_worksheet();
    sheet.set_name("调整").map_err(excel)?;
    for (column, name) in ["姓名", "更正月份", "原因", "补贴调整（元）", "自付调整（元）"].iter().enumerate()
    {
        sheet.write_string_with_format(0, column as u16, *name, &header).map_err(excel)?;
    }
    for (index, row) in settlement.adjustments.iter().enumerate() {
        let line = 1 + index as u32;
        sheet.write_string(line, 0, &row.elder_name).map_err(excel)?;
        sheet.write_string(line, 1, &row.adjustment.from_month).map_err(excel)?;
        sheet.write_string(line, 2, &row.adjustment.reason).map_err(excel)?;
        sheet.write_number_with_format(line, 3, money(row.adjustment.subsidy_delta), &amount).map_err(excel)?;
        sheet.write_number_with_format(line, 4, money(row.adjustment.self_paid_delta), &amount).map_err(excel)?;
    }

    let sheet = workbook.add_worksheet();
    sheet.set_name("核查问题").map_err(excel)?;
    for (column, name) in ["日期", "餐次", "姓名", "助餐点", "问题"].iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *name, &header).map_err(excel)?;
    }
    for (index, anomaly) in settlement.anomalies.iter().enumerate() {
        let line = 1 + index as u32;
        sheet.write_string(line, 0, anomaly.date.to_string()).map_err(excel)?;
        sheet.write_string(line, 1, anomaly.slot.label()).map_err(excel)?;
        sheet.write_string(line, 2, &anomaly.elder_name).map_err(excel)?;
        sheet.write_string(line, 3, &anomaly.point_name).map_err(excel)?;
        sheet.write_string(line, 4, &anomaly.detail).map_err(excel)?;
    }
    sheet.set_column_width(4, 60.0).map_err(excel)?;
    workbook.save_to_buffer().map_err(excel)
}
