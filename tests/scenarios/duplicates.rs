//! Elders registered twice, county-wide: the demo's planted pairs are found and nothing else;
//! alike but distinct elders are never paired; a merge keeps every visit and meal of both
//! under the one kept, survives a rebuild, catches what only the merge reveals (one person's
//! two lunches of a day), counts one diner on the meals dashboard, and is undone with every
//! record back where it was recorded.

use chrono::NaiveDate;
use xianglin_demo::{Rng, SMALL_TOWNSHIP};
use xianglin_domain::meals;
use xianglin_domain::patrol;
use xianglin_domain::query;
use xianglin_domain::review::dashboards;
use xianglin_domain::review::duplicates;
use xianglin_schema::api::{
    DecideDuplicate, DueListRequest, DuplicatePair, DuplicateReason, ElderSearch, EnrollDiner, MealAnomalyKind,
    MealMonthCell, SetMeal, TrendRequest, UndoDuplicateDecision,
};
use xianglin_schema::duplicate::DuplicateVerdict;
use xianglin_schema::meal::{MealMode, MealSlot};
use xianglin_schema::user::Role;
use xianglin_sync::Error;
use xianglin_sync::Month;
use xianglin_sync::Replica;
use xianglin_sync::ShardId;

use crate::support::{VILLAGES, county_replica, elder, now, small_demo_replica};
use xianglin_domain::registry::store_elder;

fn sign_in(replica: &mut Replica, role: Role) {
    let user = query::users(replica).unwrap().into_iter().find(|user| user.role == role).unwrap();
    replica.set_user(&user.id).unwrap();
}

fn pair_of(page: &[DuplicatePair], reason: DuplicateReason) -> DuplicatePair {
    page.iter().find(|pair| pair.reason == reason).cloned().unwrap()
}

fn registry_size(replica: &Replica) -> u32 {
    let search = ElderSearch { place_code: None, query: String::new(), include_inactive: true, page: 1, page_size: 10 };
    query::search_elders(replica, &search).unwrap().total
}

#[test]
fn the_demo_s_planted_duplicates_are_found_and_no_other_pair() {
    let replica = small_demo_replica(1);
    let page = duplicates::duplicates(&replica).unwrap();
    assert_eq!(page.pairs.len(), 2, "{:#?}", page.pairs);

    let same_id = pair_of(&page.pairs, DuplicateReason::SameIdNumber);
    assert_eq!(same_id.score, 100);
    assert_eq!(same_id.first.name, same_id.second.name);
    assert_eq!(same_id.first.id_number_masked, same_id.second.id_number_masked);
    assert_ne!(same_id.first.village_code, same_id.second.village_code);
    assert!(same_id.first.registered_on < same_id.second.registered_on, "the first registered is suggested to keep");
    assert!(same_id.first.visits > 0 && same_id.second.visits > 0, "both have visits to keep");

    let typo = pair_of(&page.pairs, DuplicateReason::SameNameBirthVillage);
    assert!(typo.score >= 80, "{}", typo.score);
    assert_eq!((&typo.first.name, &typo.first.birth_date), (&typo.second.name, &typo.second.birth_date));
    assert_eq!(typo.first.village_code, typo.second.village_code);
    assert!(typo.explanation.contains("身份证号"), "{}", typo.explanation);
    assert!(page.decisions.is_empty());
    assert!(page.elders_checked > 400, "{}", page.elders_checked);
}

#[test]
fn alike_but_distinct_elders_are_never_paired_and_a_real_pair_among_them_is() {
    let mut replica = county_replica();
    let rng = &mut Rng::new(5);
    let base = elder(rng, VILLAGES[0]);
    let birth = base.birth_date;
    let mut alike = Vec::new();
    // Same name and birth date, other villages; same name and village, other birth dates; same
    // birth date and village, other names (namesakes are common in a county).
    for (village, name, days) in [
        (VILLAGES[1], base.name.as_str(), 0),
        (VILLAGES[2], base.name.as_str(), 0),
        (VILLAGES[0], base.name.as_str(), 1),
        (VILLAGES[0], base.name.as_str(), 400),
        (VILLAGES[0], "李春梅", 0),
        (VILLAGES[0], "钟桂兰", 0),
    ] {
        let mut other = base.clone();
        other.village_code = village.into();
        other.name = name.into();
        other.birth_date = birth + chrono::Duration::days(days);
        other.id_number =
            xianglin_schema::id_number::compose("360733", other.birth_date, 100 + alike.len() as u16 * 2, other.gender);
        alike.push(store_elder(&mut replica, other).unwrap());
    }
    store_elder(&mut replica, base.clone()).unwrap();
    let page = duplicates::duplicates(&replica).unwrap();
    assert!(page.pairs.is_empty(), "{:#?}", page.pairs);
    assert_eq!(page.elders_checked, 7);

    // The same person entered again with a mistyped ID number is found.
    let mut again = base.clone();
    again.id_number = xianglin_schema::id_number::compose("360733", birth, 880, base.gender);
    store_elder(&mut replica, again).unwrap();
    let page = duplicates::duplicates(&replica).unwrap();
    assert_eq!(page.pairs.len(), 1, "{:#?}", page.pairs);
    assert_eq!(page.pairs[0].reason, DuplicateReason::SameNameBirthVillage);
}

#[test]
fn a_merge_keeps_every_visit_and_meal_of_both_and_undo_puts_each_back() {
    let mut replica = small_demo_replica(1);
    let pair = pair_of(&duplicates::duplicates(&replica).unwrap().pairs, DuplicateReason::SameIdNumber);
    let (kept, merged) = (pair.first.elder_id.clone(), pair.second.elder_id.clone());

    // The station enrolls both registrations at its point; each eats lunch on the 19th.
    let point = meals::meal_points(&replica, SMALL_TOWNSHIP).unwrap().into_iter().next().unwrap().point;
    let november = |replica: &Replica| -> MealMonthCell {
        let request = TrendRequest { place_code: Some(SMALL_TOWNSHIP.into()), to_month: "2026-11".into(), months: 1 };
        let trend = dashboards::meal_trend(replica, &request).unwrap();
        trend.rows.iter().find(|row| row.place_code == point.id).unwrap().cells[0]
    };
    let before_lunches = november(&replica);
    for elder_id in [&kept, &merged] {
        meals::enroll_diner(
            &mut replica,
            &EnrollDiner {
                point_id: point.id.clone(),
                elder_id: elder_id.clone(),
                enrolled_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                usual_mode: MealMode::DineIn,
            },
        )
        .unwrap();
        meals::set_meal(
            &mut replica,
            &SetMeal {
                point_id: point.id.clone(),
                elder_id: elder_id.clone(),
                date: NaiveDate::from_ymd_opt(2026, 11, 19).unwrap(),
                slot: MealSlot::Lunch,
                eaten: true,
                mode: MealMode::DineIn,
                proxy: None,
                self_paid: None,
            },
        )
        .unwrap();
    }
    let month = Month::of(NaiveDate::from_ymd_opt(2026, 11, 19).unwrap());
    let double_claims = |replica: &mut Replica| {
        meals::checks(replica, std::slice::from_ref(&point.id), month)
            .unwrap()
            .into_iter()
            .filter(|anomaly| anomaly.kind == MealAnomalyKind::DoubleClaim && anomaly.elder_id == kept)
            .count()
    };
    assert_eq!(double_claims(&mut replica), 0, "two registrations, two people as far as the checks know");
    let lunches = november(&replica);
    assert_eq!((lunches.meals, lunches.diners), (before_lunches.meals + 2, before_lunches.diners + 2));
    assert!(lunches.subsidy >= before_lunches.subsidy);
    let visits_before = |replica: &Replica, id: &str| query::elder_detail(replica, id).unwrap().recent_visits.len();
    let (kept_visits, merged_visits) = (visits_before(&replica, &kept), visits_before(&replica, &merged));
    let registry_before = registry_size(&replica);

    // Only a county reviewer merges; a refused request changes nothing.
    let merge = DecideDuplicate {
        verdict: DuplicateVerdict::Merge,
        kept_id: kept.clone(),
        merged_id: merged.clone(),
        note: "同一人在两村重复登记".into(),
    };
    let county = ShardId::county("360733000000");
    let heads = replica.heads(&county).unwrap();
    assert!(matches!(duplicates::decide(&mut replica, &merge), Err(Error::Problems(_))));
    assert_eq!(replica.heads(&county).unwrap(), heads);

    sign_in(&mut replica, Role::CountyReviewer);
    let page = duplicates::decide(&mut replica, &merge).unwrap();
    assert!(page.pairs.iter().all(|pair| pair.second.elder_id != merged), "the merged pair is no longer suggested");
    assert_eq!(page.decisions.len(), 1);
    assert_eq!(page.decisions[0].kept.meals + page.decisions[0].merged.meals, 2);
    assert_eq!(page.decisions[0].decided_by, "钟丽华");

    // One person now: every visit on the kept elder's page, the merged one opens as the kept,
    // the registry and due list hold one, and the two lunches of the 19th are a double claim.
    let detail = query::elder_detail(&replica, &kept).unwrap();
    assert_eq!(detail.recent_visits.len(), (kept_visits + merged_visits).min(20));
    assert_eq!(detail.merged_from.len(), 1);
    assert_eq!(query::elder_detail(&replica, &merged).unwrap().elder.id, kept);
    assert_eq!(registry_size(&replica), registry_before - 1);
    let due = patrol::due_list(
        &replica,
        &DueListRequest { place_code: None, caseworker_id: None, include_later: true },
        now(),
    )
    .unwrap();
    assert!(due.rows.iter().all(|row| row.elder_id != merged));
    assert_eq!(due.rows.iter().filter(|row| row.elder_id == kept).count(), 1);
    assert_eq!(double_claims(&mut replica), 2, "one person's two lunches of one day");
    assert_eq!(november(&replica), MealMonthCell { diners: lunches.diners - 1, ..lunches }, "one diner, both meals");

    // The projection is the same when rebuilt from the documents.
    let dump = query::projection_dump(&replica).unwrap();
    replica.rebuild().unwrap();
    assert_eq!(query::projection_dump(&replica).unwrap(), dump);

    // Undo needs a reason; then each record is back on the elder it was recorded for.
    let id = page.decisions[0].id.clone();
    let no_reason = UndoDuplicateDecision { id: id.clone(), reason: " ".into() };
    assert!(matches!(duplicates::undo(&mut replica, &no_reason), Err(Error::Problems(_))));
    let page =
        duplicates::undo(&mut replica, &UndoDuplicateDecision { id: id.clone(), reason: "核实为两人".into() }).unwrap();
    assert!(page.decisions[0].undone);
    assert_eq!(page.decisions[0].undo_reason.as_deref(), Some("核实为两人"));
    assert!(page.pairs.iter().any(|pair| pair.second.elder_id == merged), "suggested again");
    assert_eq!(visits_before(&replica, &kept), kept_visits);
    assert_eq!(visits_before(&replica, &merged), merged_visits);
    assert_eq!(registry_size(&replica), registry_before);
    assert_eq!(double_claims(&mut replica), 0);
    assert_eq!(november(&replica), lunches);

    // Unticking a lunch takes it off the dashboard.
    let untick = SetMeal {
        point_id: point.id.clone(),
        elder_id: merged.clone(),
        date: NaiveDate::from_ymd_opt(2026, 11, 19).unwrap(),
        slot: MealSlot::Lunch,
        eaten: false,
        mode: MealMode::DineIn,
        proxy: None,
        self_paid: None,
    };
    meals::set_meal(&mut replica, &untick).unwrap();
    let unticked = november(&replica);
    assert_eq!((unticked.meals, unticked.diners), (lunches.meals - 1, lunches.diners - 1));
    assert!(matches!(
        duplicates::undo(&mut replica, &UndoDuplicateDecision { id, reason: "再次".into() }),
        Err(Error::Problems(_))
    ));
}

#[test]
fn a_pair_marked_as_two_people_is_no_longer_suggested_until_undone() {
    let mut replica = small_demo_replica(1);
    sign_in(&mut replica, Role::CountyReviewer);
    let pair = pair_of(&duplicates::duplicates(&replica).unwrap().pairs, DuplicateReason::SameNameBirthVillage);
    let distinct = DecideDuplicate {
        verdict: DuplicateVerdict::Distinct,
        kept_id: pair.first.elder_id.clone(),
        merged_id: pair.second.elder_id.clone(),
        note: "核实为同名同生日的两位老人".into(),
    };
    let page = duplicates::decide(&mut replica, &distinct).unwrap();
    assert_eq!(page.pairs.len(), 1);
    assert!(matches!(duplicates::decide(&mut replica, &distinct), Err(Error::Problems(_))), "decided once");
    // Both stay in the registry.
    assert_eq!(query::elder_detail(&replica, &pair.second.elder_id).unwrap().elder.id, pair.second.elder_id);
    let page = duplicates::undo(
        &mut replica,
        &UndoDuplicateDecision { id: page.decisions[0].id.clone(), reason: "误判".into() },
    )
    .unwrap();
    assert_eq!(page.pairs.len(), 2);
}
