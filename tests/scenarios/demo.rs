//! The demo county: deterministic from its seed, realistic, and searchable.

use xianglin_demo::{self as demo, PLANTED_ELDER, SMALL_TOWNSHIP};
use xianglin_domain::query;
use xianglin_schema::api::ElderSearch;
use xianglin_schema::id_number;

use crate::support::{small_demo_options, small_demo_replica, today};

/// `text`'s ASCII letters and digits as full-width characters (Ａ, ０).
fn full_width(text: &str) -> String {
    text.chars()
        .map(|character| {
            if character.is_ascii_alphanumeric() {
                char::from_u32(character as u32 + 0xFEE0).unwrap()
            } else {
                character
            }
        })
        .collect()
}

fn search(query_text: &str) -> ElderSearch {
    ElderSearch { place_code: None, query: query_text.to_owned(), include_inactive: false, page: 1, page_size: 50 }
}

#[test]
fn the_same_seed_gives_the_same_county_and_the_same_documents() {
    let mut first = small_demo_replica(7);
    let mut second = small_demo_replica(7);
    assert_eq!(query::projection_dump(&first).unwrap(), query::projection_dump(&second).unwrap());
    for shard in first.shards().unwrap() {
        assert_eq!(first.heads(&shard).unwrap(), second.heads(&shard).unwrap(), "{shard}");
    }
    let other = small_demo_replica(8);
    assert_ne!(query::projection_dump(&first).unwrap(), query::projection_dump(&other).unwrap());
}

#[test]
fn the_small_demo_is_one_township_of_real_places_with_elders_visits_and_meals() {
    let mut replica = xianglin_sync::Replica::open_in_memory().unwrap();
    let summary = demo::generate(&mut replica, &small_demo_options(1)).unwrap();
    assert_eq!(summary.townships, 1);
    assert_eq!(summary.villages, 13);
    assert!((280..=600).contains(&summary.elders), "{summary:?}");
    assert!(summary.visits > summary.elders, "{summary:?}");
    assert!(summary.meals > 5_000, "{summary:?}");
    let status = query::app_status(&replica, "/data").unwrap();
    assert!(status.has_data);
    assert_eq!(status.county.unwrap().name, "会昌县");
    let tree = query::place_tree(&replica).unwrap();
    assert_eq!(tree.len(), 1, "the station director sees their township only");
    assert_eq!(tree[0].code, SMALL_TOWNSHIP);
    assert_eq!(tree[0].name, "庄口镇");
    assert_eq!(tree[0].children.len(), 13);
    assert_eq!(tree[0].elders, status.elders);
}

#[test]
fn every_demo_elder_has_a_valid_id_number_matching_gender_and_birth_date() {
    let replica = small_demo_replica(3);
    let mut all = search("");
    all.include_inactive = true;
    all.page_size = 200;
    let mut checked = 0;
    for page in 1..=5 {
        all.page = page;
        for row in query::search_elders(&replica, &all).unwrap().items {
            let elder = query::elder_detail(&replica, &row.id).unwrap().elder;
            assert!(elder.id_number.contains("**********"), "the detail page masks the ID number");
            checked += 1;
        }
    }
    assert!(checked > 280);
    // The unmasked numbers are checked where the generator writes them: through normalize.
    let page = query::search_elders(&replica, &search("zjg")).unwrap();
    assert_eq!(page.items[0].name, PLANTED_ELDER);
    assert_eq!(page.items[0].age, id_number::age_on(chrono::NaiveDate::from_ymd_opt(1946, 3, 15).unwrap(), today()));
}

#[test]
fn registry_search_finds_an_elder_by_name_pinyin_initials_and_masked_id_number() {
    let replica = small_demo_replica(1);
    let by_initials = query::search_elders(&replica, &search("zjg")).unwrap();
    assert!(by_initials.items.iter().any(|row| row.name == PLANTED_ELDER));
    let planted = by_initials.items.iter().find(|row| row.name == PLANTED_ELDER).unwrap().clone();
    assert!(planted.id_number_masked.contains("**********"));
    for query_text in [
        "张建国",
        "建国",
        "zhangjianguo",
        "zhangj",
        "ZJG",
        planted.id_number_masked.as_str(),
        &planted.id_number_masked[14..],
        // As a Chinese input method types them: full-width letters and digits, an ideographic
        // space, a zero-width space pasted along.
        "ｚｊｇ",
        "\u{3000}zjg\u{3000}",
        "zhang\u{200B}jianguo",
        &full_width(&planted.id_number_masked[14..]),
    ] {
        let page = query::search_elders(&replica, &search(query_text)).unwrap();
        assert!(page.items.iter().any(|row| row.id == planted.id), "{query_text} should find {PLANTED_ELDER}");
    }
    let nobody = query::search_elders(&replica, &search("qqqqq")).unwrap();
    assert_eq!(nobody.total, 0);
}

#[test]
fn registry_pages_cover_every_active_elder_once() {
    let replica = small_demo_replica(2);
    let status = query::app_status(&replica, "").unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut request = search("");
    request.page_size = 37;
    loop {
        let page = query::search_elders(&replica, &request).unwrap();
        assert_eq!(page.total, status.elders);
        if page.items.is_empty() {
            break;
        }
        for row in page.items {
            assert_eq!(row.life.state, xianglin_schema::elder::LifeState::Active);
            assert!(seen.insert(row.id), "an elder appeared on two pages");
        }
        request.page += 1;
    }
    assert_eq!(seen.len() as u32, status.elders);
}

#[test]
fn the_demo_has_two_conflicts_from_two_computers_and_picking_one_leaves_the_other() {
    use xianglin_domain::review::conflicts;
    use xianglin_schema::api::{ConflictRecordKind, ResolveConflict};

    let mut replica = small_demo_replica(1);
    let rows = conflicts::conflicts(&mut replica).unwrap();
    let fields: Vec<&str> = rows.iter().map(|row| row.field.as_str()).collect();
    assert_eq!(fields.len(), 2, "{fields:?}");
    assert!(fields.contains(&"phone") && fields.contains(&"address"), "{fields:?}");
    for row in &rows {
        assert_eq!(row.kind, ConflictRecordKind::Elder);
        assert!(!row.elder_name.is_empty() && !row.place_name.is_empty());
        assert_eq!(row.values.len(), 2);
        assert_ne!(row.values[0].user_name, row.values[1].user_name, "a caseworker and the director");
        assert_ne!(row.values[0].device, row.values[1].device);
        assert!(row.values.iter().all(|value| !value.at.is_empty()));
    }

    let phone = rows.iter().find(|row| row.field == "phone").unwrap();
    let picked = phone.values[1].clone();
    let request = ResolveConflict {
        shard: phone.shard.clone(),
        record_id: phone.record_id.clone(),
        field: phone.field.clone(),
        value: picked.value.clone(),
    };
    conflicts::resolve(&mut replica, &request).unwrap();
    let left = conflicts::conflicts(&mut replica).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].field, "address");
    let elder = xianglin_domain::registry::elder_for_edit(&replica, &phone.record_id).unwrap();
    assert_eq!(elder.phone.as_deref(), Some(picked.display.as_str()));

    // Resolving it again is refused: it is gone.
    assert!(conflicts::resolve(&mut replica, &request).is_err());
    // The projection rebuilt from the documents agrees.
    let before = query::projection_dump(&replica).unwrap();
    replica.rebuild().unwrap();
    assert_eq!(query::projection_dump(&replica).unwrap(), before);
}
