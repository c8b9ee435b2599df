//! The local replica: one write is one transaction of change bytes and projection rows;
//! concurrent edits are kept as conflicts; rebuild equals the incremental projection; bad
//! input and bad files change nothing.

use automerge::ActorId;
use chrono::Duration;
use xianglin_demo::Rng;
use xianglin_domain::query;
use xianglin_schema::api::ElderSearch;
use xianglin_schema::elder::{Category, Contact, Elder, LifeState, LifeStatus};
use xianglin_schema::visit::{Severity, Visit};
use xianglin_sync::Author;
use xianglin_sync::Error;
use xianglin_sync::Replica;
use xianglin_sync::ShardId;
use xianglin_sync::replica::Clock;

use crate::support::{VILLAGES, county_replica, elder, load_places, now, scratch, today, visit};
use xianglin_domain::patrol::store_visit;
use xianglin_domain::registry::store_elder;

/// Copies every shard of `from` that `to` lacks changes of, as a sync would.
fn exchange(from: &mut Replica, to: &mut Replica) {
    for shard in from.shards().unwrap() {
        let heads = to.heads(&shard).unwrap();
        let bytes = from.changes_since(&shard, &heads).unwrap();
        to.apply_changes(&shard, &bytes).unwrap();
    }
}

#[test]
fn rebuild_equals_the_incremental_projection_after_a_long_random_sequence_of_writes() {
    let mut station = county_replica();
    let mut county = Replica::open_in_memory().unwrap();
    county.set_clock(Clock::Fixed(now()));
    county.set_user("user-2").unwrap();
    county.set_cache_capacity(2);
    station.set_cache_capacity(3);
    let mut rng = Rng::new(42);
    let mut elders: Vec<Elder> = Vec::new();
    let mut visits: Vec<Visit> = Vec::new();
    for step in 0..400 {
        match rng.below(10) {
            0..=2 => {
                let village = VILLAGES[rng.below(3) as usize];
                elders.push(store_elder(&mut station, elder(&mut rng, village)).unwrap());
            }
            3 | 4 if !elders.is_empty() => {
                let index = rng.below(elders.len() as u64) as usize;
                let mut edited = elders[index].clone();
                match rng.below(4) {
                    0 => edited.phone = Some(format!("1380013{:04}", rng.below(10_000))),
                    1 => {
                        edited.categories.insert(Category::LivingAlone, today() - Duration::days(rng.between(1, 900)));
                    }
                    2 => {
                        edited.categories.clear();
                        edited.contacts.insert(
                            format!("c{step}"),
                            Contact {
                                name: "刘小红".into(), relation: "女儿".into(), phone: None, is_supporter: true
                            },
                        );
                    }
                    _ => {
                        edited.life = LifeStatus {
                            state: LifeState::Deceased,
                            date: Some(today() - Duration::days(3)),
                            moved_to: None,
                        }
                    }
                }
                elders[index] = store_elder(&mut station, edited).unwrap();
            }
            5 | 6 if !elders.is_empty() => {
                let target = &elders[rng.below(elders.len() as u64) as usize];
                if target.life.state == LifeState::Active {
                    let at = now() - Duration::days(rng.between(0, 60)) - Duration::hours(1);
                    visits.push(store_visit(&mut station, visit(target, at, Severity::Normal)).unwrap());
                }
            }
            7 if !visits.is_empty() => {
                let target = visits.remove(rng.below(visits.len() as u64) as usize);
                station
                    .void(&ShardId::visits(&target.village_code, target.visited_at.date()), &target.id, "录入错误")
                    .unwrap();
            }
            8 if !elders.is_empty() => {
                // The county edits the same elder concurrently, then both sides exchange changes.
                exchange(&mut station, &mut county);
                let index = rng.below(elders.len() as u64) as usize;
                let shard = ShardId::elders(&elders[index].village_code);
                let mut record = county.read_record(&shard, &elders[index].id).unwrap().unwrap().value;
                record["phone"] = serde_json::json!(format!("1390013{:04}", rng.below(10_000)));
                let author =
                    Author { actor: ActorId::from(b"county-device".as_slice()), user_id: "user-2".into(), at: now() };
                county.commit(&shard, &[(elders[index].id.clone(), record)], &author).unwrap();
                let mut local = elders[index].clone();
                local.phone = Some(format!("1370013{:04}", rng.below(10_000)));
                elders[index] = store_elder(&mut station, local).unwrap();
                exchange(&mut county, &mut station);
            }
            _ => {}
        }
    }
    let incremental = query::projection_dump(&station).unwrap();
    assert!(incremental.iter().any(|row| row.starts_with("conflicts:")), "the sequence produced conflicts");
    assert!(incremental.iter().filter(|row| row.starts_with("elders:")).count() > 50);
    let stats = station.rebuild().unwrap();
    assert!(stats.records > 100);
    assert_eq!(query::projection_dump(&station).unwrap(), incremental);
    // The county, which received everything, projects the same elders and visits.
    exchange(&mut station, &mut county);
    let county_rows: Vec<String> =
        query::projection_dump(&county).unwrap().into_iter().filter(|row| row.starts_with("elders:")).collect();
    let station_rows: Vec<String> = incremental.into_iter().filter(|row| row.starts_with("elders:")).collect();
    assert_eq!(county_rows, station_rows);
}

#[test]
fn the_same_field_edited_on_two_devices_keeps_both_values_until_written_again() {
    let mut station = county_replica();
    let mut rng = Rng::new(1);
    let saved = store_elder(&mut station, elder(&mut rng, VILLAGES[0])).unwrap();
    let mut other = Replica::open_in_memory().unwrap();
    other.set_clock(Clock::Fixed(now()));
    exchange(&mut station, &mut other);
    other.set_user("user-2").unwrap();
    let mut theirs = saved.clone();
    theirs.phone = Some("13900139000".into());
    store_elder(&mut other, theirs).unwrap();
    let mut ours = saved.clone();
    ours.phone = Some("13700137000".into());
    ours.address = "庄口镇新屋".into();
    store_elder(&mut station, ours).unwrap();
    exchange(&mut other, &mut station);
    let conflicts = query::conflicts_of(&station, &saved.id).unwrap();
    assert_eq!(conflicts.len(), 1, "only the phone was edited on both: {conflicts:?}");
    assert_eq!(conflicts[0].field, "phone");
    let mut values = conflicts[0].values.clone();
    values.sort();
    assert_eq!(values, ["13700137000", "13900139000"]);
    let detail = query::elder_detail(&station, &saved.id).unwrap();
    assert_eq!(detail.elder.address, "庄口镇新屋", "edits of different fields merge");
    assert_eq!(detail.conflicts, conflicts);
    // Saving the record as shown (say, a note edited) keeps the conflict: nobody picked yet.
    let mut unchanged = detail.elder.clone();
    unchanged.id_number = saved.id_number.clone();
    unchanged.notes = "已电话核实".into();
    store_elder(&mut station, unchanged).unwrap();
    assert_eq!(query::conflicts_of(&station, &saved.id).unwrap().len(), 1);
    // Picking the value not shown resolves the conflict, for every device once they exchange changes.
    let shown = detail.elder.phone.clone().unwrap();
    let other_value = if shown == "13900139000" { "13700137000" } else { "13900139000" };
    let request = xianglin_schema::api::ResolveConflict {
        shard: ShardId::elders(VILLAGES[0]).to_string(),
        record_id: saved.id.clone(),
        field: "phone".into(),
        value: format!("\"{other_value}\""),
    };
    xianglin_domain::review::conflicts::resolve(&mut station, &request).unwrap();
    assert!(query::conflicts_of(&station, &saved.id).unwrap().is_empty());
    exchange(&mut station, &mut other);
    assert!(query::conflicts_of(&other, &saved.id).unwrap().is_empty());
    for replica in [&station, &other] {
        let elder = query::elder_detail(replica, &saved.id).unwrap().elder;
        assert_eq!(elder.phone.as_deref(), Some(other_value));
        assert_eq!(elder.notes, "已电话核实");
    }
}

#[test]
fn every_change_carries_the_device_the_user_and_the_app_and_schema_versions() {
    let mut station = county_replica();
    let saved = store_elder(&mut station, elder(&mut Rng::new(5), VILLAGES[1])).unwrap();
    let shard = ShardId::elders(VILLAGES[1]);
    let bytes = station.changes_since(&shard, &[]).unwrap();
    let document = automerge::Automerge::load(&bytes).unwrap();
    let changes = document.get_changes(&[]);
    let last = changes.last().unwrap();
    assert_eq!(last.actor_id().to_hex_string(), station.device_id());
    let origin = xianglin_sync::document::change_origin(last.message());
    let schema = xianglin_schema::MIGRATIONS.last().unwrap().0;
    assert_eq!(
        (origin.user_id.as_str(), origin.app_version.as_deref(), origin.schema),
        ("user-1", Some(xianglin_schema::version::APP_VERSION), Some(schema))
    );
    assert_eq!(saved.meta.created_by, "user-1");
    // A change of an app from before versions were recorded names its user alone.
    assert_eq!(xianglin_sync::document::change_origin(Some("user-1")).user_id, "user-1");
    assert_eq!(xianglin_sync::document::change_origin(Some("user-1")).app_version, None);
    // The history of the record says the same.
    let history = xianglin_sync::document::record_history(&document, &saved.id);
    assert_eq!(history.last().unwrap().app_version.as_deref(), Some(xianglin_schema::version::APP_VERSION));
}

#[test]
fn an_invalid_elder_is_refused_with_chinese_messages_and_nothing_changes() {
    let mut station = county_replica();
    let before = query::projection_dump(&station).unwrap();
    let mut bad = elder(&mut Rng::new(2), VILLAGES[0]);
    bad.id_number = "360733194501010011".into();
    bad.name = " ".into();
    let Err(Error::Problems(problems)) = store_elder(&mut station, bad) else { panic!("should be refused") };
    let messages: Vec<&str> = problems.iter().map(|problem| problem.message.as_str()).collect();
    assert_eq!(messages, ["请填写姓名", "身份证号校验位不正确，请核对"]);
    let mut elsewhere = elder(&mut Rng::new(2), VILLAGES[0]);
    elsewhere.village_code = "360733999201".into();
    let Err(Error::Problems(problems)) = store_elder(&mut station, elsewhere) else {
        panic!("unknown village should be refused")
    };
    assert_eq!(problems[0].message, "所在村不在本县的区划中");
    assert_eq!(query::projection_dump(&station).unwrap(), before);
    assert!(station.shards().unwrap().iter().all(|shard| matches!(shard, ShardId::County { .. })));
}

#[test]
fn a_visit_after_death_or_in_the_future_is_refused() {
    let mut station = county_replica();
    let mut dead = elder(&mut Rng::new(3), VILLAGES[0]);
    dead.life = LifeStatus { state: LifeState::Deceased, date: Some(today() - Duration::days(10)), moved_to: None };
    let dead = store_elder(&mut station, dead).unwrap();
    let Err(Error::Problems(problems)) =
        store_visit(&mut station, visit(&dead, now() - Duration::days(2), Severity::Normal))
    else {
        panic!("a visit after death should be refused")
    };
    assert!(problems[0].message.contains("已于此前去世"), "{problems:?}");
    let alive = store_elder(&mut station, elder(&mut Rng::new(4), VILLAGES[0])).unwrap();
    let Err(Error::Problems(problems)) =
        store_visit(&mut station, visit(&alive, now() + Duration::hours(2), Severity::Normal))
    else {
        panic!("a visit in the future should be refused")
    };
    assert_eq!(problems[0].message, "探访时间不能晚于今天");
    let before_death =
        store_visit(&mut station, visit(&dead, now() - Duration::days(20), Severity::Attention)).unwrap();
    assert_eq!(before_death.village_code, VILLAGES[0]);
}

#[test]
fn a_voided_visit_leaves_lists_but_stays_in_its_document() {
    let mut station = county_replica();
    let saved_elder = store_elder(&mut station, elder(&mut Rng::new(6), VILLAGES[2])).unwrap();
    let saved = store_visit(&mut station, visit(&saved_elder, now() - Duration::days(1), Severity::Normal)).unwrap();
    assert_eq!(query::elder_detail(&station, &saved_elder.id).unwrap().recent_visits.len(), 1);
    let shard = ShardId::visits(VILLAGES[2], saved.visited_at.date());
    station.void(&shard, &saved.id, "重复录入").unwrap();
    assert!(query::elder_detail(&station, &saved_elder.id).unwrap().recent_visits.is_empty());
    let stored = station.read_record(&shard, &saved.id).unwrap().unwrap().value;
    assert_eq!(stored["meta"]["void_reason"], "重复录入");
    assert_eq!(stored["elder_id"], saved_elder.id.as_str());
}

#[test]
fn documents_are_loaded_on_demand_and_evicted_beyond_the_cache_capacity() {
    let mut station = county_replica();
    station.set_cache_capacity(2);
    let mut rng = Rng::new(9);
    for village in VILLAGES {
        store_elder(&mut station, elder(&mut rng, village)).unwrap();
    }
    assert_eq!(station.loaded_documents(), 2);
    // An evicted document loads again from disk with everything in it.
    for village in VILLAGES {
        let page = query::search_elders(
            &station,
            &ElderSearch {
                place_code: Some(village.into()),
                query: String::new(),
                include_inactive: true,
                page: 1,
                page_size: 10,
            },
        )
        .unwrap();
        assert_eq!(page.total, 1);
        let id = page.items[0].id.clone();
        assert!(station.read_record(&ShardId::elders(village), &id).unwrap().is_some());
    }
    assert_eq!(station.loaded_documents(), 2);
}

#[test]
fn a_replica_file_reopens_with_its_device_user_and_records() {
    let directory = scratch();
    let path = directory.path().join("xianglin.sqlite");
    let (device, elder_id) = {
        let mut replica = Replica::open(&path).unwrap();
        replica.set_clock(Clock::Fixed(now()));
        load_places(&mut replica);
        replica.set_user("user-9").unwrap();
        let saved = store_elder(&mut replica, elder(&mut Rng::new(11), VILLAGES[0])).unwrap();
        (replica.device_id(), saved.id)
    };
    let mut reopened = Replica::open(&path).unwrap();
    assert_eq!(reopened.device_id(), device);
    assert_eq!(reopened.user_id(), "user-9");
    assert_eq!(query::elder_detail(&reopened, &elder_id).unwrap().elder.id, elder_id);
    let before = query::projection_dump(&reopened).unwrap();
    reopened.rebuild().unwrap();
    assert_eq!(query::projection_dump(&reopened).unwrap(), before);
}

#[test]
fn a_foreign_or_damaged_file_is_refused_and_left_untouched() {
    let directory = scratch();
    let text_file = directory.path().join("notes.txt");
    std::fs::write(&text_file, "乡镇工作笔记，不是数据库").unwrap();
    assert!(matches!(Replica::open(&text_file), Err(Error::Foreign { .. })));
    assert_eq!(std::fs::read_to_string(&text_file).unwrap(), "乡镇工作笔记，不是数据库");

    let other_program = directory.path().join("other.sqlite");
    {
        let connection = rusqlite::Connection::open(&other_program).unwrap();
        connection.execute_batch("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER)").unwrap();
    }
    let bytes_before = std::fs::read(&other_program).unwrap();
    let error = Replica::open(&other_program).unwrap_err();
    assert!(matches!(error, Error::Foreign { .. }), "{error}");
    assert!(error.to_string().contains("not a Xianglin database"));
    assert_eq!(std::fs::read(&other_program).unwrap(), bytes_before);

    let damaged = directory.path().join("damaged.sqlite");
    {
        let mut replica = Replica::open(&damaged).unwrap();
        load_places(&mut replica);
    }
    let mut bytes = std::fs::read(&damaged).unwrap();
    for byte in &mut bytes[100..4096] {
        *byte = 0xA5;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    let _ = std::fs::remove_file(damaged.with_extension("sqlite-wal"));
    let error = Replica::open(&damaged).unwrap_err();
    assert!(matches!(error, Error::Corrupt { .. } | Error::Foreign { .. }), "{error}");
    assert_eq!(std::fs::read(&damaged).unwrap(), bytes);
}

#[test]
fn change_bytes_that_do_not_decode_change_nothing() {
    let mut station = county_replica();
    let saved = store_elder(&mut station, elder(&mut Rng::new(12), VILLAGES[0])).unwrap();
    let before = query::projection_dump(&station).unwrap();
    let shard = ShardId::elders(VILLAGES[0]);
    let heads = station.heads(&shard).unwrap();
    assert!(station.apply_changes(&shard, b"\x85\x6f\x4a\x83garbage").is_err());
    assert_eq!(station.heads(&shard).unwrap(), heads);
    assert_eq!(query::projection_dump(&station).unwrap(), before);
    assert!(station.read_record(&shard, &saved.id).unwrap().is_some());
}
