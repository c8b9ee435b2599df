//! Who viewed whose data, on one replica: each way of seeing an elder's full data (the ID
//! number shown, the record opened to edit, a roster written with full ID numbers) leaves one
//! access record per elder; the elder's page and the county's list show them, newest first;
//! a rebuild gives the same list; a reason too long is refused and records nothing. A roster
//! holds only the elders of the signed-in user's places.

use xianglin_domain::access;
use xianglin_domain::query;
use xianglin_schema::access::AccessKind;
use xianglin_schema::api::AccessLogRequest;
use xianglin_schema::user::Role;

use crate::support::{VILLAGES, small_demo_replica};

#[test]
fn every_view_of_full_data_is_recorded_once_per_elder_and_listed() {
    let mut replica = small_demo_replica(1);
    let users = query::users(&replica).unwrap();
    let caseworker = users.iter().find(|user| user.role == Role::Caseworker).unwrap().clone();
    let reviewer = users.iter().find(|user| user.role == Role::CountyReviewer).unwrap().clone();
    replica.set_user(&caseworker.id).unwrap();
    let village = VILLAGES[0];
    let elders = xianglin_domain::registry::roster::check(
        &replica,
        &xianglin_domain::registry::roster::export(&replica, village).unwrap(),
    )
    .unwrap()
    .rows
    .len();
    let elder_id: String = replica
        .connection()
        .query_row("SELECT id FROM current_elders WHERE village_code = ?1 ORDER BY id LIMIT 1", [village], |row| {
            row.get(0)
        })
        .unwrap();

    let shown = access::reveal_id_number(&mut replica, &elder_id, "核对身份").unwrap();
    let edited = access::open_for_edit(&mut replica, &elder_id).unwrap();
    assert_eq!(shown, edited.id_number);
    let workbook = access::export_registry(&mut replica, village, "导出密码2026").unwrap();
    assert!(xianglin_domain::locked_workbook::is_locked(&workbook), "a roster with full ID numbers is locked");
    let too_long = "因".repeat(201);
    assert!(access::reveal_id_number(&mut replica, &elder_id, &too_long).is_err());

    let of_elder = access::of_elder(&replica, &elder_id).unwrap();
    let kinds: Vec<AccessKind> = of_elder.iter().map(|row| row.kind).collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert!(kinds.contains(&AccessKind::IdNumber) && kinds.contains(&AccessKind::FullRecord));
    assert!(kinds.contains(&AccessKind::ExportWithIdNumber));
    assert!(
        of_elder.iter().all(|row| row.user_name == caseworker.name && !row.id_number_masked.contains(&shown[4..14]))
    );
    assert_eq!(of_elder.iter().find(|row| row.kind == AccessKind::IdNumber).unwrap().reason, "核对身份");

    assert!(
        access::log(
            &replica,
            &AccessLogRequest { user_id: None, elder_id: None, from: None, to: None, page: 1, page_size: 20 }
        )
        .is_err()
    );
    replica.set_user(&reviewer.id).unwrap();
    let all = AccessLogRequest {
        user_id: Some(caseworker.id.clone()),
        elder_id: None,
        from: None,
        to: None,
        page: 1,
        page_size: 20,
    };
    let page = access::log(&replica, &all).unwrap();
    assert_eq!(page.total as usize, 2 + elders, "one per elder of the roster, two more for the one elder");
    assert_eq!(page.items.len(), 20);
    let second = access::log(&replica, &AccessLogRequest { page: 2, ..all.clone() }).unwrap();
    assert!(second.items.iter().all(|row| !page.items.iter().any(|first| first.id == row.id)), "pages do not overlap");

    let before = access::of_elder(&replica, &elder_id).unwrap();
    replica.rebuild().unwrap();
    assert_eq!(access::of_elder(&replica, &elder_id).unwrap(), before, "the list is the documents' projection");
}

#[test]
fn a_roster_holds_only_the_signed_in_users_places() {
    let mut replica = small_demo_replica(1);
    let caseworker = query::users(&replica).unwrap().into_iter().find(|user| user.role == Role::Caseworker).unwrap();
    replica.set_user(&caseworker.id).unwrap();
    let places = xianglin_domain::lookup::scope_prefixes(&replica).unwrap().unwrap();
    let township = &VILLAGES[0][..9];
    let (theirs, others): (Vec<String>, Vec<String>) = {
        let connection = replica.connection();
        let mut statement =
            connection.prepare("SELECT DISTINCT village_code FROM current_elders WHERE village_code LIKE ?1").unwrap();
        statement
            .query_map([format!("{township}%")], |row| row.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .partition(|village| places.contains(village))
    };
    assert!(!theirs.is_empty() && !others.is_empty(), "the township has villages on both sides");
    let records = |replica: &xianglin_sync::Replica| -> u32 {
        replica.connection().query_row("SELECT count(*) FROM access_log", [], |row| row.get(0)).unwrap()
    };

    let refused = access::export_registry(&mut replica, &others[0], "导出密码2026");
    assert!(refused.is_err(), "another caseworker's village is refused");
    assert_eq!(records(&replica), 0, "a refused export records nothing");

    let locked = access::export_registry(&mut replica, &format!("{township}000"), "导出密码2026").unwrap();
    let workbook = xianglin_domain::locked_workbook::unlock(&locked, "导出密码2026").unwrap();
    let rows = xianglin_domain::registry::roster::check(&replica, &workbook).unwrap().rows;
    let in_theirs: u32 = replica
        .connection()
        .query_row(
            "SELECT count(*) FROM current_elders WHERE village_code IN (SELECT value FROM json_each(?1))
                 AND life_state != 'moved'",
            [serde_json::to_string(&theirs).unwrap()],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(rows.len() as u32, in_theirs, "the township's roster holds their villages' elders only");
    assert_eq!(records(&replica), in_theirs, "one access record per elder written out");
}
