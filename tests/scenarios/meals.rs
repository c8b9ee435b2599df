//! Meal service: the day's roster and its subsidies, the checks, settlement totals against a
//! hand count, and the settlement's life (submit, return, approve and lock, adjust), including
//! an approved month that a device changed without knowing of the approval.

use std::collections::BTreeMap;

use automerge::ActorId;
use chrono::NaiveDate;
use xianglin_demo::{Rng, SMALL_TOWNSHIP};
use xianglin_domain::meals;
use xianglin_schema::api::{
    AddAdjustment, CopyMealDay, EnrollDiner, MealAnomalyKind, MealRosterRequest, ReviewSettlement, SetMeal,
    SettlementRequest, SettlementStatus, SubmitSettlement,
};
use xianglin_schema::elder::{EconomicStatus, Elder, LifeState, LifeStatus};
use xianglin_schema::meal::{MealMode, MealPoint, MealPointKind, MealSlot, ReviewDecision};
use xianglin_schema::record::{RecordMeta, new_id};
use xianglin_schema::user::{Role, User};
use xianglin_sync::Author;
use xianglin_sync::Error;
use xianglin_sync::Month;
use xianglin_sync::Replica;
use xianglin_sync::ShardId;
use xianglin_sync::projection::county_key;

use crate::support::{VILLAGES, county_replica, elder, now, small_demo_replica};
use xianglin_domain::registry::store_elder;

fn day(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

fn lunch(point: &MealPoint, elder: &Elder, date: NaiveDate) -> SetMeal {
    SetMeal {
        point_id: point.id.clone(),
        elder_id: elder.id.clone(),
        date,
        slot: MealSlot::Lunch,
        eaten: true,
        mode: MealMode::DineIn,
        proxy: None,
        self_paid: None,
    }
}

/// Signs a county reviewer in on `replica` (a user in the county document).
fn sign_in_reviewer(replica: &mut Replica) {
    let reviewer = User {
        id: new_id(),
        name: "钟丽华".into(),
        role: Role::CountyReviewer,
        places: vec!["360733000000".into()],
        phone: None,
        meta: RecordMeta::created(now(), "county"),
    };
    let author = Author { actor: ActorId::from(b"county".as_slice()), user_id: "county".into(), at: now() };
    replica
        .commit(
            &ShardId::county("360733000000"),
            &[(county_key("user", &reviewer.id), serde_json::to_value(&reviewer).unwrap())],
            &author,
        )
        .unwrap();
    replica.set_user(&reviewer.id).unwrap();
}

/// The hand-counted fixture: one point of 庄口镇 (lunch 12.00 元, breakfast 5.00 元, delivery
/// 2.00 元 paid by the elder) and three diners under the default policy of 会昌县.
struct Fixture {
    replica: Replica,
    point: MealPoint,
    /// 80 years old: 75–84岁, 5.00 元 a lunch.
    a: Elder,
    /// 62 years old: 60–74岁, 1.00 元 a lunch.
    b: Elder,
    /// 70 years old, 低保: 8.00 元 a lunch.
    c: Elder,
}

fn diner(replica: &mut Replica, rng: &mut Rng, born: i32, economic: EconomicStatus, point: &MealPoint) -> Elder {
    let mut record = elder(rng, VILLAGES[0]);
    let birth = NaiveDate::from_ymd_opt(born, 1, 15).unwrap();
    record.birth_date = birth;
    record.id_number = xianglin_schema::id_number::compose("360733", birth, rng.below(900) as u16, record.gender);
    record.economic_status = economic;
    let saved = store_elder(replica, record).unwrap();
    meals::enroll_diner(
        replica,
        &EnrollDiner {
            point_id: point.id.clone(),
            elder_id: saved.id.clone(),
            enrolled_on: day(10, 1),
            usual_mode: MealMode::DineIn,
        },
    )
    .unwrap();
    saved
}

fn fixture() -> Fixture {
    let mut replica = county_replica();
    let point = meals::save_meal_point(
        &mut replica,
        MealPoint {
            id: String::new(),
            name: "庄口敬老院助餐点".into(),
            kind: MealPointKind::NursingHome,
            township_code: SMALL_TOWNSHIP.into(),
            village_code: None,
            prices: BTreeMap::from([(MealSlot::Breakfast, 500), (MealSlot::Lunch, 1200)]),
            modes: vec![MealMode::DineIn, MealMode::TakeAway, MealMode::Delivery],
            open_days: vec![1, 2, 3, 4, 5],
            closures: BTreeMap::new(),
            meta: RecordMeta::default(),
        },
    )
    .unwrap();
    let rng = &mut Rng::new(7);
    let a = diner(&mut replica, rng, 1946, EconomicStatus::None, &point);
    let b = diner(&mut replica, rng, 1964, EconomicStatus::None, &point);
    let c = diner(&mut replica, rng, 1956, EconomicStatus::Dibao, &point);
    Fixture { replica, point, a, b, c }
}

#[test]
fn a_months_settlement_equals_a_count_by_hand() {
    let Fixture { mut replica, point, a, b, c } = fixture();
    // A: lunches on Mon 10-05, Tue 10-06, Wed 10-07: 3 × 5.00 subsidy, 3 × 7.00 paid.
    for date in [day(10, 5), day(10, 6), day(10, 7)] {
        meals::set_meal(&mut replica, &lunch(&point, &a, date)).unwrap();
    }
    // B: lunches on 10-05 and 10-06 (2 × 1.00 subsidy, 2 × 11.00 paid) and a breakfast on
    // 10-06 (not subsidised: 5.00 paid).
    for date in [day(10, 5), day(10, 6)] {
        meals::set_meal(&mut replica, &lunch(&point, &b, date)).unwrap();
    }
    let breakfast = SetMeal { slot: MealSlot::Breakfast, ..lunch(&point, &b, day(10, 6)) };
    meals::set_meal(&mut replica, &breakfast).unwrap();
    // C: a delivered lunch on 10-08, collected by her daughter: 8.00 subsidy, 4.00 + 2.00 paid.
    let delivered =
        SetMeal { mode: MealMode::Delivery, proxy: Some("女儿 李红".into()), ..lunch(&point, &c, day(10, 8)) };
    meals::set_meal(&mut replica, &delivered).unwrap();

    let settlement =
        meals::settlement(&mut replica, &SettlementRequest { point_id: point.id.clone(), month: "2026-10".into() })
            .unwrap();
    let totals = &settlement.totals;
    assert_eq!((totals.diners, totals.dining_days, totals.meals), (3, 6, 7));
    assert_eq!(totals.subsidy, 3 * 500 + 2 * 100 + 800);
    assert_eq!(totals.self_paid, 3 * 700 + 2 * 1100 + 500 + (400 + 200));
    assert_eq!(totals.payable, totals.subsidy);
    let line = |elder: &Elder| settlement.rows.iter().find(|row| row.elder_id == elder.id).unwrap().clone();
    assert_eq!((line(&a).dining_days, line(&a).lunches, line(&a).subsidy), (3, 3, 1500));
    assert_eq!((line(&b).dining_days, line(&b).breakfasts, line(&b).lunches, line(&b).self_paid), (2, 1, 2, 2700));
    assert_eq!(
        (line(&c).deliveries, line(&c).proxies, line(&c).band.as_str()),
        (1, 1, "85–94岁或低保、计生特殊、困难重残")
    );
    assert!(line(&a).id_number_masked.contains("**********"), "ID numbers are masked");
    assert_eq!(settlement.policy_versions, ["360733-2024-01"]);
    assert!(settlement.anomalies.is_empty(), "{:?}", settlement.anomalies);
    assert_eq!(settlement.status, SettlementStatus::Open);
}

/// Writes a meal as another computer would have, without this one's checks.
fn meal_from_elsewhere(replica: &mut Replica, point: &MealPoint, elder: &Elder, date: NaiveDate) -> String {
    let meal = xianglin_schema::meal::Meal {
        id: new_id(),
        point_id: point.id.clone(),
        elder_id: elder.id.clone(),
        date,
        slot: MealSlot::Lunch,
        mode: MealMode::DineIn,
        proxy: None,
        operator_id: "elsewhere".into(),
        self_paid: 700,
        subsidy: 500,
        policy_version: "360733-2024-01".into(),
        price: 1200,
        delivery_fee: 0,
        subsidy_note: String::new(),
        meta: RecordMeta::created(now(), "elsewhere"),
    };
    let shard = ShardId::meals(&point.township_code, &point.id, Month::of(date));
    let author = Author { actor: ActorId::from(b"elsewhere".as_slice()), user_id: "elsewhere".into(), at: now() };
    replica.commit(&shard, &[(meal.id.clone(), serde_json::to_value(&meal).unwrap())], &author).unwrap();
    meal.id
}

#[test]
fn the_same_lunch_at_two_points_is_refused_at_entry_and_flagged_when_two_computers_both_record_it() {
    let Fixture { mut replica, point, a, .. } = fixture();
    let other = meals::save_meal_point(
        &mut replica,
        MealPoint {
            id: String::new(), name: "白沙互助幸福院".into(), kind: MealPointKind::MutualAid, ..point.clone()
        },
    )
    .unwrap();
    let enroll = EnrollDiner {
        point_id: other.id.clone(),
        elder_id: a.id.clone(),
        enrolled_on: day(10, 1),
        usual_mode: MealMode::DineIn,
    };
    meals::enroll_diner(&mut replica, &enroll).unwrap();
    meals::set_meal(&mut replica, &lunch(&point, &a, day(10, 5))).unwrap();
    let Err(Error::Problems(problems)) = meals::set_meal(&mut replica, &lunch(&other, &a, day(10, 5))) else {
        panic!("a second lunch of the day was taken");
    };
    assert!(problems[0].message.contains("已在庄口敬老院助餐点登记"), "{}", problems[0].message);

    // The other point's computer recorded it too, offline; after sync the check finds it.
    let doubled = meal_from_elsewhere(&mut replica, &other, &a, day(10, 5));
    let anomalies = meals::checks(&mut replica, std::slice::from_ref(&other.id), Month::of(day(10, 5))).unwrap();
    let kinds: Vec<MealAnomalyKind> = anomalies.iter().map(|anomaly| anomaly.kind).collect();
    assert_eq!(kinds, [MealAnomalyKind::DoubleClaim, MealAnomalyKind::CapExceeded]);
    assert_eq!(anomalies[0].meal_id, doubled);
    assert!(anomalies[0].detail.contains("庄口敬老院助餐点"), "{}", anomalies[0].detail);
    assert!(anomalies[1].detail.contains("每日1餐"), "{}", anomalies[1].detail);
}

#[test]
fn the_weekly_cap_of_the_county_policy_counts_meals_at_every_point() {
    let Fixture { mut replica, point, a, .. } = fixture();
    // The county lowers the weekly cap to 3 subsidised meals from October.
    let mut capped = xianglin_schema::policy::huichang_default();
    capped.version = "360733-2026-10-01".into();
    capped.effective_from = day(10, 1);
    capped.meal.meals_per_week = 3;
    let author = Author { actor: ActorId::from(b"county".as_slice()), user_id: "county".into(), at: now() };
    replica
        .commit(
            &ShardId::county("360733000000"),
            &[(county_key("policy", &capped.version), serde_json::to_value(&capped).unwrap())],
            &author,
        )
        .unwrap();
    let other = meals::save_meal_point(
        &mut replica,
        MealPoint {
            id: String::new(), name: "白沙互助幸福院".into(), kind: MealPointKind::MutualAid, ..point.clone()
        },
    )
    .unwrap();
    let enroll = EnrollDiner {
        point_id: other.id.clone(),
        elder_id: a.id.clone(),
        enrolled_on: day(10, 1),
        usual_mode: MealMode::DineIn,
    };
    meals::enroll_diner(&mut replica, &enroll).unwrap();
    for date in [day(10, 5), day(10, 6)] {
        meals::set_meal(&mut replica, &lunch(&point, &a, date)).unwrap();
    }
    let third = meals::set_meal(&mut replica, &lunch(&other, &a, day(10, 7))).unwrap();
    let fourth = meals::set_meal(&mut replica, &lunch(&point, &a, day(10, 8))).unwrap();
    assert_eq!(third.row.cells[&MealSlot::Lunch].subsidy, 500);
    assert_eq!(fourth.row.cells[&MealSlot::Lunch].subsidy, 0);
    assert!(fourth.row.cells[&MealSlot::Lunch].note.contains("每周上限"));
    assert!(fourth.row.cells[&MealSlot::Lunch].note.contains("3"));
    // The next week starts afresh.
    let monday = meals::set_meal(&mut replica, &lunch(&point, &a, day(10, 12))).unwrap();
    assert_eq!(monday.row.cells[&MealSlot::Lunch].subsidy, 500);
}

#[test]
fn a_rule_change_mid_month_applies_from_its_date_and_each_meal_keeps_its_version() {
    let Fixture { mut replica, point, a, .. } = fixture();
    let mut raised = xianglin_schema::policy::huichang_default();
    raised.version = "360733-2026-10-14".into();
    raised.effective_from = day(10, 14);
    raised.meal.bands[1].per_meal = 600;
    let author = Author { actor: ActorId::from(b"county".as_slice()), user_id: "county".into(), at: now() };
    replica
        .commit(
            &ShardId::county("360733000000"),
            &[(county_key("policy", &raised.version), serde_json::to_value(&raised).unwrap())],
            &author,
        )
        .unwrap();
    let before = meals::set_meal(&mut replica, &lunch(&point, &a, day(10, 13))).unwrap();
    let after = meals::set_meal(&mut replica, &lunch(&point, &a, day(10, 14))).unwrap();
    assert_eq!(before.row.cells[&MealSlot::Lunch].subsidy, 500);
    assert_eq!(after.row.cells[&MealSlot::Lunch].subsidy, 600);
    let settlement =
        meals::settlement(&mut replica, &SettlementRequest { point_id: point.id.clone(), month: "2026-10".into() })
            .unwrap();
    assert_eq!(settlement.policy_versions, ["360733-2024-01", "360733-2026-10-14"]);
}

#[test]
fn bad_meals_are_refused_in_chinese_and_change_nothing() {
    let Fixture { mut replica, point, a, .. } = fixture();
    let mut rng = Rng::new(99);
    let stranger = store_elder(&mut replica, elder(&mut rng, VILLAGES[1])).unwrap();
    let shard = ShardId::meals(SMALL_TOWNSHIP, &point.id, Month::of(day(10, 5)));
    let heads = replica.heads(&shard).unwrap();
    let refusal = |replica: &mut Replica, request: SetMeal| match meals::set_meal(replica, &request) {
        Err(Error::Problems(problems)) => {
            problems.iter().map(|problem| problem.message.clone()).collect::<Vec<_>>().join("；")
        }
        other => panic!("expected a refusal, got {other:?}"),
    };
    let not_enrolled = refusal(&mut replica, lunch(&point, &stranger, day(10, 5)));
    assert!(not_enrolled.contains("未在本助餐点登记"), "{not_enrolled}");
    let negative = refusal(&mut replica, SetMeal { self_paid: Some(-100), ..lunch(&point, &a, day(10, 5)) });
    assert!(negative.contains("自付金额不能为负数"), "{negative}");
    let dinner = refusal(&mut replica, SetMeal { slot: MealSlot::Dinner, ..lunch(&point, &a, day(10, 5)) });
    assert!(dinner.contains("不供应晚餐"), "{dinner}");
    let saturday = refusal(&mut replica, lunch(&point, &a, day(10, 10)));
    assert!(saturday.contains("不供餐"), "{saturday}");
    let future = refusal(&mut replica, lunch(&point, &a, day(12, 1)));
    assert!(future.contains("不能晚于今天"), "{future}");
    assert_eq!(replica.heads(&shard).unwrap(), heads, "nothing was written");

    // An elder who died on 10-06 can have a meal on 10-06 but not after.
    let mut record = xianglin_domain::registry::elder_for_edit(&replica, &a.id).unwrap();
    record.life = LifeStatus { state: LifeState::Deceased, date: Some(day(10, 6)), moved_to: None };
    store_elder(&mut replica, record).unwrap();
    meals::set_meal(&mut replica, &lunch(&point, &a, day(10, 6))).unwrap();
    let after_death = refusal(&mut replica, lunch(&point, &a, day(10, 7)));
    assert!(after_death.contains("已于2026-10-06去世"), "{after_death}");
}

#[test]
fn checks_find_meals_after_a_death_and_on_a_closed_day() {
    let Fixture { mut replica, point, a, b, .. } = fixture();
    for date in [day(10, 12), day(10, 13), day(10, 14)] {
        meals::set_meal(&mut replica, &lunch(&point, &a, date)).unwrap();
    }
    meals::set_meal(&mut replica, &lunch(&point, &b, day(10, 15))).unwrap();
    // Learned later: A died on 10-12; the point was closed on 10-15 for repairs.
    let mut record = xianglin_domain::registry::elder_for_edit(&replica, &a.id).unwrap();
    record.life = LifeStatus { state: LifeState::Deceased, date: Some(day(10, 12)), moved_to: None };
    store_elder(&mut replica, record).unwrap();
    let mut closed = point.clone();
    closed.closures.insert(day(10, 15), "厨房检修".into());
    meals::save_meal_point(&mut replica, closed).unwrap();

    let anomalies = meals::checks(&mut replica, std::slice::from_ref(&point.id), Month::of(day(10, 1))).unwrap();
    let found: Vec<(MealAnomalyKind, NaiveDate)> =
        anomalies.iter().map(|anomaly| (anomaly.kind, anomaly.date)).collect();
    assert_eq!(
        found,
        [
            (MealAnomalyKind::AfterLifeEnd, day(10, 13)),
            (MealAnomalyKind::AfterLifeEnd, day(10, 14)),
            (MealAnomalyKind::ClosedDay, day(10, 15)),
        ]
    );
    assert!(anomalies[0].detail.contains("去世"));
    assert!(anomalies[2].detail.contains("厨房检修"));
}

#[test]
fn a_submitted_month_is_returned_corrected_approved_and_then_locked_with_corrections_as_adjustments() {
    let Fixture { mut replica, point, a, b, .. } = fixture();
    for date in [day(10, 5), day(10, 6)] {
        meals::set_meal(&mut replica, &lunch(&point, &a, date)).unwrap();
        meals::set_meal(&mut replica, &lunch(&point, &b, date)).unwrap();
    }
    let october = || SettlementRequest { point_id: point.id.clone(), month: "2026-10".into() };
    let submit = SubmitSettlement { point_id: point.id.clone(), month: "2026-10".into(), note: String::new() };
    let submitted = meals::submit_settlement(&mut replica, &submit).unwrap();
    assert_eq!(submitted.status, SettlementStatus::Submitted);
    // While the county has not decided, the station cannot change the month.
    assert!(matches!(meals::set_meal(&mut replica, &lunch(&point, &a, day(10, 7))), Err(Error::Problems(_))));

    // The county returns it with a reason; the station corrects and submits again.
    let station_user = replica.user_id().to_owned();
    sign_in_reviewer(&mut replica);
    let no_reason = ReviewSettlement {
        point_id: point.id.clone(),
        month: "2026-10".into(),
        decision: ReviewDecision::Returned,
        reason: " ".into(),
    };
    assert!(matches!(meals::review_settlement(&mut replica, &no_reason), Err(Error::Problems(_))));
    let returned = meals::review_settlement(
        &mut replica,
        &ReviewSettlement { reason: "10月6日王某用餐记录存疑".into(), ..no_reason.clone() },
    )
    .unwrap();
    assert_eq!(returned.status, SettlementStatus::Returned);
    assert!(returned.status_label.contains("10月6日王某用餐记录存疑"));
    replica.set_user(&station_user).unwrap();
    meals::set_meal(&mut replica, &SetMeal { eaten: false, ..lunch(&point, &b, day(10, 6)) }).unwrap();
    meals::submit_settlement(&mut replica, &submit).unwrap();

    // A station may not approve its own month.
    let approve = ReviewSettlement { decision: ReviewDecision::Approved, reason: String::new(), ..no_reason };
    assert!(matches!(meals::review_settlement(&mut replica, &approve), Err(Error::Problems(_))));
    sign_in_reviewer(&mut replica);
    let approved = meals::review_settlement(&mut replica, &approve).unwrap();
    assert_eq!(approved.status, SettlementStatus::Approved);
    let approved_totals = approved.approved_totals.clone().unwrap();
    assert_eq!(approved_totals.subsidy, 2 * 500 + 100);
    replica.set_user(&station_user).unwrap();

    // Locked: no meal of October can be recorded or removed, and submitting again is refused.
    let locked = meals::set_meal(&mut replica, &lunch(&point, &b, day(10, 7)));
    let Err(Error::Problems(problems)) = locked else { panic!("a locked month took a meal") };
    assert!(problems[0].message.contains("经县级审核锁定"), "{}", problems[0].message);
    assert!(meals::submit_settlement(&mut replica, &submit).is_err());
    assert!(
        meals::roster(&replica, &MealRosterRequest { point_id: point.id.clone(), date: day(10, 5) })
            .unwrap()
            .locked
            .is_some()
    );

    // A correction is an adjustment in the next open month, never an edit of October.
    let adjustment = meals::add_adjustment(
        &mut replica,
        &AddAdjustment {
            point_id: point.id.clone(),
            from_month: "2026-10".into(),
            elder_id: b.id.clone(),
            reason: "10月6日午餐漏登".into(),
            subsidy_delta: 100,
            self_paid_delta: 1100,
        },
    )
    .unwrap();
    assert_eq!(adjustment.month, "2026-11");
    let november =
        meals::settlement(&mut replica, &SettlementRequest { point_id: point.id.clone(), month: "2026-11".into() })
            .unwrap();
    assert_eq!((november.totals.adjustments, november.totals.payable), (100, 100));
    assert_eq!(meals::settlement(&mut replica, &october()).unwrap().approved_totals, Some(approved_totals));
}

#[test]
fn an_approved_month_changed_by_a_device_that_had_not_heard_of_it_is_shown_and_never_changes_the_approved_total() {
    // The county and a second station computer hold the same demo county.
    let mut county = small_demo_replica(3);
    let mut late_device = small_demo_replica(3);
    sign_in_reviewer(&mut county);
    let point = meals::meal_points(&county, SMALL_TOWNSHIP).unwrap().remove(0).point;
    let october = SettlementRequest { point_id: point.id.clone(), month: "2026-10".into() };
    let waiting = meals::settlement(&mut county, &october).unwrap();
    assert_eq!(waiting.status, SettlementStatus::Submitted, "the demo's last month waits for the county");
    let approve = ReviewSettlement {
        point_id: point.id.clone(),
        month: "2026-10".into(),
        decision: ReviewDecision::Approved,
        reason: String::new(),
    };
    let approved = meals::review_settlement(&mut county, &approve).unwrap();
    let approved_totals = approved.approved_totals.clone().unwrap();

    // Meanwhile, offline, a computer that had not received the submission either records a
    // late lunch for October (written as an older app would, past today's checks).
    let diner = meals::diners(
        &late_device,
        &xianglin_schema::api::DinersRequest { point_id: point.id.clone(), include_left: false },
    )
    .unwrap()
    .remove(0);
    let roster =
        meals::roster(&late_device, &MealRosterRequest { point_id: point.id.clone(), date: day(10, 30) }).unwrap();
    assert!(roster.rows.iter().any(|row| row.elder_id == diner.diner.elder_id));
    let shard = ShardId::meals(SMALL_TOWNSHIP, &point.id, Month::of(day(10, 30)));
    let mut late = serde_json::to_value(xianglin_schema::meal::Meal {
        id: new_id(),
        point_id: point.id.clone(),
        elder_id: diner.diner.elder_id.clone(),
        date: day(10, 30),
        slot: MealSlot::Breakfast,
        mode: MealMode::DineIn,
        proxy: None,
        operator_id: "late".into(),
        self_paid: 500,
        subsidy: 0,
        policy_version: "360733-2024-01".into(),
        price: 500,
        delivery_fee: 0,
        subsidy_note: String::new(),
        meta: RecordMeta::created(now(), "late"),
    })
    .unwrap();
    late["subsidy"] = serde_json::json!(300);
    late_device
        .commit(&shard, &[(late["id"].as_str().unwrap().to_owned(), late.clone())], &late_device.author())
        .unwrap();

    // Both sync with each other.
    for shard in late_device.shards().unwrap() {
        let heads = county.heads(&shard).unwrap();
        let changes = late_device.changes_since(&shard, &heads).unwrap();
        county.apply_changes(&shard, &changes).unwrap();
    }
    let after = meals::settlement(&mut county, &october).unwrap();
    assert_eq!(after.status, SettlementStatus::Approved);
    assert_eq!(after.approved_totals, Some(approved_totals.clone()), "the approved total never moves");
    assert_eq!(after.totals.subsidy, approved_totals.subsidy + 300, "the meals as they are now differ");
    let changed: Vec<_> =
        after.anomalies.iter().filter(|anomaly| anomaly.kind == MealAnomalyKind::ChangedAfterApproval).collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].meal_id, late["id"].as_str().unwrap());
}

#[test]
fn copying_yesterday_records_the_same_meals_for_todays_diners() {
    let mut replica = small_demo_replica(5);
    let point = meals::meal_points(&replica, SMALL_TOWNSHIP).unwrap().remove(0).point;
    let today = replica.today();
    let empty = meals::roster(&replica, &MealRosterRequest { point_id: point.id.clone(), date: today }).unwrap();
    assert_eq!(empty.totals.meals, 0, "the demo has no meals today yet");
    let previous = empty.previous_day.expect("the demo has earlier days");
    let source = meals::roster(&replica, &MealRosterRequest { point_id: point.id.clone(), date: previous }).unwrap();
    let copied =
        meals::copy_day(&mut replica, &CopyMealDay { point_id: point.id.clone(), from: previous, to: today }).unwrap();
    assert_eq!(copied.totals.meals, source.totals.meals);
    assert_eq!(copied.totals.diners, source.totals.diners);
    assert!(copied.totals.subsidy > 0);
    // Copying again changes nothing.
    let again =
        meals::copy_day(&mut replica, &CopyMealDay { point_id: point.id.clone(), from: previous, to: today }).unwrap();
    assert_eq!(again.totals, copied.totals);
}

#[test]
fn the_settlement_workbook_reads_back_with_its_lines_and_totals() {
    use calamine::{Data, Reader, Xlsx};
    let Fixture { mut replica, point, a, b, .. } = fixture();
    for date in [day(10, 5), day(10, 6), day(10, 7)] {
        meals::set_meal(&mut replica, &lunch(&point, &a, date)).unwrap();
    }
    meals::set_meal(&mut replica, &lunch(&point, &b, day(10, 5))).unwrap();
    let settlement =
        meals::settlement(&mut replica, &SettlementRequest { point_id: point.id.clone(), month: "2026-10".into() })
            .unwrap();
    let bytes = meals::settlement_workbook(&settlement).unwrap();
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), ["结算明细", "调整", "核查问题"]);
    let range = workbook.worksheet_range("结算明细").unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    let line_of = |name: &str| rows.iter().find(|row| row.get(1).is_some_and(|cell| *cell == name)).unwrap();
    let a_line = line_of(&a.name);
    assert_eq!(a_line[4], Data::Float(3.0), "dining days");
    assert_eq!(a_line[10], Data::Float(15.0), "subsidy in yuan");
    assert_eq!(a_line[11], Data::Float(21.0), "self-paid in yuan");
    assert!(a_line[2].to_string().contains("**********"), "ID numbers masked");
    let total = line_of("合计");
    assert_eq!(total[10], Data::Float(16.0));
    assert_eq!(line_of("应拨付")[10], Data::Float(16.0));
}

#[test]
fn the_county_s_queue_lists_submitted_months_and_an_approval_locks_the_month_on_the_station_after_sync() {
    let mut county = small_demo_replica(4);
    let mut station = small_demo_replica(4);
    sign_in_reviewer(&mut county);
    let queue = xianglin_domain::review::approvals::approvals(&mut county).unwrap();
    let points = meals::meal_points(&county, SMALL_TOWNSHIP).unwrap();
    assert_eq!(queue.settlements.len(), points.len(), "the demo's last month of every point waits");
    assert!(queue.settlements.iter().all(|row| row.month == "2026-10" && row.days_waiting > 0));
    let first = &queue.settlements[0];
    let october = SettlementRequest { point_id: first.point_id.clone(), month: first.month.clone() };
    assert_eq!(first.totals, meals::settlement(&mut county, &october).unwrap().submission.unwrap().totals);

    let approve = ReviewSettlement {
        point_id: first.point_id.clone(),
        month: first.month.clone(),
        decision: ReviewDecision::Approved,
        reason: String::new(),
    };
    meals::review_settlement(&mut county, &approve).unwrap();
    let queue = xianglin_domain::review::approvals::approvals(&mut county).unwrap();
    assert_eq!(queue.settlements.len(), points.len() - 1);
    assert!(queue.settlements.iter().all(|row| row.point_id != approve.point_id));

    // The station hears of it by sync: the month reads approved and a late lunch is refused.
    for shard in county.shards().unwrap() {
        let heads = station.heads(&shard).unwrap();
        let changes = county.changes_since(&shard, &heads).unwrap();
        station.apply_changes(&shard, &changes).unwrap();
    }
    assert_eq!(meals::settlement(&mut station, &october).unwrap().status, SettlementStatus::Approved);
    let point = points.iter().find(|row| row.point.id == approve.point_id).unwrap().point.clone();
    let diner = meals::diners(
        &station,
        &xianglin_schema::api::DinersRequest { point_id: point.id.clone(), include_left: false },
    )
    .unwrap()
    .remove(0);
    let elder = xianglin_domain::registry::elder_for_edit(&station, &diner.diner.elder_id).unwrap();
    let heads = station.heads(&ShardId::meals(SMALL_TOWNSHIP, &point.id, Month::of(day(10, 30)))).unwrap();
    let refused =
        meals::set_meal(&mut station, &SetMeal { slot: MealSlot::Breakfast, ..lunch(&point, &elder, day(10, 30)) });
    assert!(matches!(refused, Err(Error::Problems(_))), "{refused:?}");
    assert_eq!(station.heads(&ShardId::meals(SMALL_TOWNSHIP, &point.id, Month::of(day(10, 30)))).unwrap(), heads);
}
