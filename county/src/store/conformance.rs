//! One conformance suite for every [`CountyStore`]: each test runs against [`SqliteStore`],
//! [`PostgresStore`] (a new database on the test cluster) and [`MemoryStore`] (and any later
//! implementation added to the list at the bottom). A device's
//! data comes from a real replica, as it would arrive by sync.

use std::collections::BTreeMap;

use automerge::{Automerge, ChangeHash};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde_json::json;
use sha2::{Digest, Sha256};
use xianglin_schema::record::{Attachment, RecordMeta};
use xianglin_schema::user::{Role, User};
use xianglin_schema::visit::{CheckArea, Finding, Visit, VisitMode};
use xianglin_sync::crypto::Key;
use xianglin_sync::projection::county_key;
use xianglin_sync::replica::{ActorId, Author};
use xianglin_sync::shard::ShardId;
use xianglin_sync::{Error, Replica};

use super::{
    AttachmentIndex, ChangeStore, Contact, CountyStore, DeviceStore, Health, MemoryStore, PostgresStore, SqliteStore,
    testing,
};

const COUNTY: &str = "360733000000";
const TOWNSHIP: &str = "360733105000";
const VILLAGE: &str = "360733105201";
const OTHER_VILLAGE: &str = "360733105202";

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap().and_hms_opt(9, 0, 0).unwrap()
}

/// A device's replica, writing as `actor`.
struct Device {
    replica: Replica,
    author: Author,
}

impl Device {
    fn new(actor: &str) -> Device {
        let replica = Replica::open_in_memory().unwrap();
        Device { replica, author: Author { actor: ActorId::from(actor.as_bytes()), user_id: actor.into(), at: now() } }
    }

    fn write(&mut self, shard: &ShardId, key: &str, value: serde_json::Value) -> Vec<ChangeHash> {
        self.replica.commit(shard, &[(key.to_owned(), value)], &self.author).unwrap();
        self.heads(shard)
    }

    fn heads(&mut self, shard: &ShardId) -> Vec<ChangeHash> {
        let mut heads = self.replica.heads(shard).unwrap();
        heads.sort_unstable();
        heads
    }

    fn chunks(&self, shard: &ShardId) -> Vec<Vec<u8>> {
        self.replica.stored_chunks(shard).unwrap()
    }
}

/// `store` holding a county document with 会昌县, 庄口镇 and two of its villages.
pub(crate) fn seeded<S: CountyStore>(store: S) -> S {
    let places = [
        (COUNTY, "会昌县", "county", "360700000000"),
        (TOWNSHIP, "庄口镇", "township", COUNTY),
        (VILLAGE, "白沙村委会", "village", TOWNSHIP),
        (OTHER_VILLAGE, "洛口村委会", "village", TOWNSHIP),
    ];
    seeded_with(store, &places)
}

/// `store` holding a county document with `places` (code, name, level, parent), the county's first.
fn seeded_with<S: CountyStore>(mut store: S, places: &[(&str, &str, &str, &str)]) -> S {
    let mut county = Device::new("county-admin");
    let shard = ShardId::county(places[0].0);
    for (code, name, level, parent) in places {
        let place = json!({ "code": code, "name": name, "level": level, "parent_code": parent, "vintage": 2023 });
        county.write(&shard, &county_key("place", code), place);
    }
    store.apply(&shard, &county.chunks(&shard)).unwrap();
    store
}

fn caseworker() -> User {
    User {
        id: "caseworker-1".into(),
        name: "刘芳".into(),
        role: Role::Caseworker,
        places: vec![VILLAGE.into()],
        phone: None,
        meta: RecordMeta::default(),
    }
}

fn visit(id: &str, village: &str, photo: Option<&str>) -> serde_json::Value {
    let photos: BTreeMap<String, Attachment> = photo
        .map(|sha256| {
            let attachment = Attachment { sha256: sha256.to_owned(), mime: "image/jpeg".into(), size: 3 };
            (sha256.to_owned(), attachment)
        })
        .into_iter()
        .collect();
    let visit = Visit {
        id: id.into(),
        elder_id: "elder-1".into(),
        village_code: village.into(),
        visited_at: now(),
        mode: VisitMode::Home,
        visitor_id: "caseworker-1".into(),
        findings: BTreeMap::from([(CheckArea::Health, Finding::default())]),
        referrals: BTreeMap::new(),
        major_event: false,
        photos,
        notes: String::new(),
        meta: RecordMeta::default(),
    };
    serde_json::to_value(visit).unwrap()
}

/// The heads of a document made of `chunks`.
fn heads_of(chunks: &[Vec<u8>]) -> Vec<ChangeHash> {
    let mut document = Automerge::new();
    for chunk in chunks {
        document.load_incremental(chunk).unwrap();
    }
    let mut heads = document.get_heads();
    heads.sort_unstable();
    heads
}

pub fn the_county_document_names_the_county(empty: impl CountyStore) {
    let mut empty = empty;
    assert!(matches!(empty.county_code(), Err(Error::NotFound(_))));
    let mut store = seeded(empty);
    assert_eq!(store.county_code().unwrap(), COUNTY);
}

pub fn a_code_enrolls_one_device_once_before_it_expires(store: impl CountyStore) {
    let mut store = seeded(store);
    store.create_code(&caseworker(), "ABCD-2345", now() + Duration::days(1), now()).unwrap();
    // People type codes: case, spaces and dashes do not count.
    let grant = store.enroll("abcd 2345", "device-1", "白沙村电脑", "token-1", now()).unwrap();
    assert_eq!((grant.device_id.as_str(), grant.user_id.as_str()), ("device-1", "caseworker-1"));
    assert_eq!(grant.revoked_at, None);
    assert_eq!(store.grant_by_token("token-1").unwrap(), Some(grant.clone()));
    assert_eq!(store.grant_by_token("token-2").unwrap(), None);
    assert!(matches!(store.enroll("ABCD-2345", "device-2", "x", "token-2", now()), Err(Error::Invalid(_))));
    assert!(matches!(store.enroll("ZZZZ-9999", "device-2", "x", "token-2", now()), Err(Error::NotFound(_))));

    store.create_code(&caseworker(), "EXPI-RED0", now() + Duration::hours(1), now()).unwrap();
    let later = now() + Duration::hours(2);
    assert!(matches!(store.enroll("EXPI-RED0", "device-2", "x", "token-2", later), Err(Error::Invalid(_))));
    assert_eq!(store.grants().unwrap(), vec![grant.clone()]);

    let scope = store.scope(&grant).unwrap();
    assert_eq!(
        (scope.role, scope.places.clone(), scope.county_code.as_str()),
        (Role::Caseworker, vec![VILLAGE.to_owned()], COUNTY)
    );
}

pub fn a_revoked_grant_stays_known_and_its_bundle_key_is_the_token_hash(store: impl CountyStore) {
    let mut store = seeded(store);
    store.create_code(&caseworker(), "CODE-0001", now() + Duration::days(1), now()).unwrap();
    store.enroll("CODE-0001", "device-1", "白沙村电脑", "token-1", now()).unwrap();
    let (grant, key) = store.bundle_key("device-1").unwrap().unwrap();
    assert_eq!(grant.device_id, "device-1");
    assert_eq!(key.as_slice(), Sha256::digest(b"TOKEN1").as_slice(), "the key is the hash the store keeps");
    assert_eq!(store.bundle_key("device-9").unwrap(), None);
    assert!(store.revoke("device-1", now()).unwrap());
    assert!(!store.revoke("device-1", now()).unwrap(), "revoking twice changes nothing");
    assert!(store.grant_by_token("token-1").unwrap().unwrap().revoked_at.is_some());
}

pub fn a_successor_revokes_the_device_it_replaces_and_names_it(store: impl CountyStore) {
    let mut store = seeded(store);
    for (code, device) in [("CODE-0001", "old-pc"), ("CODE-0002", "new-pc"), ("CODE-0003", "third-pc")] {
        store.create_code(&caseworker(), code, now() + Duration::days(1), now()).unwrap();
        store.enroll(code, device, "白沙村电脑", &format!("token-{device}"), now()).unwrap();
    }
    let elsewhere = User { id: "caseworker-2".into(), places: vec![OTHER_VILLAGE.into()], ..caseworker() };
    store.create_code(&elsewhere, "CODE-0004", now() + Duration::days(1), now()).unwrap();
    store.enroll("CODE-0004", "elsewhere-pc", "洛口村电脑", "token-elsewhere", now()).unwrap();

    let refused = |store: &mut dyn CountyStore, old: &str, new: &str| {
        matches!(super::name_successor(store, old, new, now()), Err(Error::Invalid(_) | Error::NotFound(_)))
    };
    assert!(refused(&mut store, "old-pc", "old-pc"), "a device cannot succeed itself");
    assert!(refused(&mut store, "lost-pc", "new-pc"), "an unknown device has no successor");
    assert!(refused(&mut store, "old-pc", "elsewhere-pc"), "a successor works for the same places");
    assert_eq!(store.bundle_key("old-pc").unwrap().unwrap().0.revoked_at, None, "a refusal revokes nothing");

    let grant = super::name_successor(&mut store, "old-pc", "new-pc", now()).unwrap();
    assert_eq!(grant.succeeds.as_deref(), Some("old-pc"));
    assert_eq!(store.grant_by_token("token-new-pc").unwrap().unwrap().succeeds.as_deref(), Some("old-pc"));
    assert!(store.grant_by_token("token-old-pc").unwrap().unwrap().revoked_at.is_some(), "the old PC is revoked");
    assert!(refused(&mut store, "third-pc", "new-pc"), "a device succeeds one device");
    assert!(refused(&mut store, "new-pc", "old-pc"), "a revoked device succeeds nothing");

    // The new PC lost in turn: the third brings up both of the others' changes.
    super::name_successor(&mut store, "new-pc", "third-pc", now()).unwrap();
    let third = store.grant_by_token("token-third-pc").unwrap().unwrap();
    assert_eq!(super::predecessors(&mut store, &third).unwrap(), ["new-pc", "old-pc"]);
}

pub fn a_device_s_health_contacts_refusals_and_users_are_kept(store: impl CountyStore) {
    let mut store = seeded(store);
    store.create_code(&caseworker(), "CODE-0004", now() + Duration::days(1), now()).unwrap();
    store.enroll("CODE-0004", "device-1", "白沙村电脑", "token-1", now()).unwrap();
    let grant = store.grants().unwrap().pop().unwrap();
    assert_eq!(grant.health, Health::default(), "not heard from yet");
    let contact = |app_version, user_id, shards_waiting| Contact { app_version, user_id, shards_waiting };
    store.record_contact("device-1", now() + Duration::hours(1), &contact("0.1.0", "user-1", 3)).unwrap();
    store.record_contact("device-1", now() + Duration::hours(2), &contact("0.2.0", "user-2", 0)).unwrap();
    store.record_contact("device-9", now(), &contact("0.2.0", "user-9", 0)).unwrap();
    store.record_refusal("device-1", now() + Duration::hours(3), "outdated: 请安装更新").unwrap();
    store.record_refusal("device-9", now(), "unauthorized").unwrap();
    let grant = store.grant_by_token("token-1").unwrap().unwrap();
    assert_eq!(
        grant.health,
        Health {
            last_contact_at: Some("2026-11-20T12:00:00".into()),
            last_sync_at: Some("2026-11-20T11:00:00".into()),
            app_version: Some("0.2.0".into()),
            shards_waiting: Some(0),
            last_error: Some("outdated: 请安装更新".into()),
            last_error_at: Some("2026-11-20T12:00:00".into()),
        }
    );
    assert_eq!(store.grants().unwrap(), vec![grant], "an unknown device adds nothing");
    assert_eq!(
        store.device_users().unwrap(),
        vec![
            ("device-1".into(), "user-1".into(), "2026-11-20T10:00:00".into()),
            ("device-1".into(), "user-2".into(), "2026-11-20T11:00:00".into()),
        ]
    );
}

pub fn reassigning_a_user_changes_their_scope_through_the_county_document(store: impl CountyStore) {
    let mut store = seeded(store);
    store.create_code(&caseworker(), "CODE-0002", now() + Duration::days(1), now()).unwrap();
    let grant = store.enroll("CODE-0002", "device-1", "白沙村电脑", "token-1", now()).unwrap();
    let before = store.changed_seq().unwrap();
    store.reassign("caseworker-1", &[OTHER_VILLAGE.to_owned()], now()).unwrap();
    assert_eq!(store.scope(&grant).unwrap().places, vec![OTHER_VILLAGE.to_owned()]);
    assert!(store.changed_seq().unwrap() > before);
    let changed: Vec<ShardId> =
        store.shards_changed_since(before).unwrap().into_iter().map(|(shard, _)| shard).collect();
    assert_eq!(changed, vec![ShardId::county(COUNTY)], "the county document carries the change to devices");
    assert!(matches!(store.reassign("nobody", &[], now()), Err(Error::NotFound(_))));
}

pub fn a_county_record_is_written_for_every_device_and_users_are_read_back(store: impl CountyStore) {
    let mut store = seeded(store);
    store.create_code(&caseworker(), "CODE-0003", now() + Duration::days(1), now()).unwrap();
    assert_eq!(store.user("caseworker-1").unwrap().unwrap().role, caseworker().role);
    assert_eq!(store.user("nobody").unwrap(), None);
    let before = store.changed_seq().unwrap();
    store.put_county_record("signin/caseworker-1", serde_json::json!({ "code_id": "c1" }), now()).unwrap();
    let changed: Vec<ShardId> =
        store.shards_changed_since(before).unwrap().into_iter().map(|(shard, _)| shard).collect();
    assert_eq!(changed, vec![ShardId::county(COUNTY)]);
    let county = ShardId::county(COUNTY);
    let mut document = automerge::AutoCommit::new();
    for chunk in store.changes_since(&county, &[]).unwrap() {
        document.load_incremental(&chunk).unwrap();
    }
    let stored = xianglin_sync::document::read_record(&document, "signin/caseworker-1").unwrap().unwrap();
    assert_eq!(stored.value["code_id"], "c1");
    assert_eq!(store.read_county_record("signin/caseworker-1").unwrap().unwrap()["code_id"], "c1");
    assert_eq!(store.read_county_record("signin/nobody").unwrap(), None);
}

pub fn changes_go_in_whole_and_come_back_as_what_a_device_lacks(store: impl CountyStore) {
    let mut store = seeded(store);
    let shard = ShardId::visits(VILLAGE, now().date());
    let mut device = Device::new("device-1");
    assert!(store.heads(&shard).unwrap().is_empty());
    assert!(store.changes_since(&shard, &[]).unwrap().is_empty());

    let first = device.write(&shard, "visit-1", visit("visit-1", VILLAGE, None));
    store.apply(&shard, &device.chunks(&shard)).unwrap();
    assert_eq!(store.heads(&shard).unwrap(), first);
    assert_eq!(store.has_changes(&shard, &first).unwrap(), vec![true]);
    assert_eq!(heads_of(&store.changes_since(&shard, &[]).unwrap()), first, "a new device gets everything");

    let second = device.write(&shard, "visit-2", visit("visit-2", VILLAGE, None));
    assert_eq!(store.has_changes(&shard, &second).unwrap(), vec![false]);
    let new_chunks = device.replica.chunks_since(&shard, &first).unwrap();
    store.apply(&shard, &new_chunks).unwrap();
    assert_eq!(store.heads(&shard).unwrap(), second);
    // A device at the first heads gets the second change; one at the second gets nothing.
    let lacking = store.changes_since(&shard, &first).unwrap();
    let mut at_first = device.chunks(&shard);
    at_first.truncate(1);
    assert_eq!(heads_of(&[at_first, lacking].concat()), second);
    assert!(store.changes_since(&shard, &second).unwrap().is_empty());

    // Bytes that do not decode (garbage, a damaged chunk) store nothing and count nothing (the
    // server's checks refuse them before they reach a store; a store must not be harmed either).
    let third = device.write(&shard, "visit-3", visit("visit-3", VILLAGE, None));
    let good = device.replica.chunks_since(&shard, &second).unwrap().concat();
    let mut damaged = good.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 0xff;
    let seq = store.changed_seq().unwrap();
    for bad in [damaged, b"not automerge".to_vec()] {
        let _ = store.apply(&shard, &[bad]);
        assert_eq!(store.heads(&shard).unwrap(), second);
        assert_eq!(store.changed_seq().unwrap(), seq);
    }
    store.apply(&shard, &[good]).unwrap();
    assert_eq!(store.heads(&shard).unwrap(), third);
}

pub fn the_change_counter_orders_shards_and_ignores_repeats(store: impl CountyStore) {
    let mut store = seeded(store);
    let start = store.changed_seq().unwrap();
    let (first, second) = (ShardId::visits(VILLAGE, now().date()), ShardId::visits(OTHER_VILLAGE, now().date()));
    let mut device = Device::new("device-1");
    device.write(&first, "visit-1", visit("visit-1", VILLAGE, None));
    device.write(&second, "visit-2", visit("visit-2", OTHER_VILLAGE, None));
    store.apply(&first, &device.chunks(&first)).unwrap();
    store.apply(&second, &device.chunks(&second)).unwrap();
    let changed = store.shards_changed_since(start).unwrap();
    assert_eq!(changed.iter().map(|(shard, _)| shard.clone()).collect::<Vec<_>>(), vec![first.clone(), second.clone()]);
    assert!(changed[0].1 < changed[1].1 && changed[1].1 == store.changed_seq().unwrap());
    // The same changes again change nothing, and so count nothing.
    store.apply(&first, &device.chunks(&first)).unwrap();
    assert_eq!(store.shards_changed_since(changed[1].1).unwrap(), vec![]);
}

pub fn a_device_s_reported_heads_and_held_shards_are_kept(store: impl CountyStore) {
    let mut store = seeded(store);
    let shard = ShardId::visits(VILLAGE, now().date());
    let mut device = Device::new("device-1");
    let heads = device.write(&shard, "visit-1", visit("visit-1", VILLAGE, None));
    assert!(!store.held("device-1", &shard).unwrap());
    store.record_offered("device-1", &[(shard.clone(), heads.clone())]).unwrap();
    assert!(store.held("device-1", &shard).unwrap());
    assert!(store.peer_heads("device-1", &shard).unwrap().is_empty(), "sent is not reported");
    assert_eq!(store.offered_heads("device-1", &shard).unwrap(), heads);
    store.set_peer_heads("device-1", &[(shard.clone(), heads.clone())]).unwrap();
    store.record_offered("device-1", &[(shard.clone(), Vec::new())]).unwrap();
    assert_eq!(store.peer_heads("device-1", &shard).unwrap(), heads, "sending again keeps the reported heads");
    assert!(store.offered_heads("device-1", &shard).unwrap().is_empty());
    assert!(!store.held("device-2", &shard).unwrap());
    assert!(store.offered_heads("device-2", &shard).unwrap().is_empty());
}

pub fn a_change_is_covered_by_the_heads_it_leads_to(store: impl CountyStore) {
    let mut store = seeded(store);
    let shard = ShardId::visits(VILLAGE, now().date());
    let mut device = Device::new("device-1");
    let first = device.write(&shard, "visit-1", visit("visit-1", VILLAGE, None));
    let second = device.write(&shard, "visit-2", visit("visit-2", VILLAGE, None));
    store.apply(&shard, &device.chunks(&shard)).unwrap();
    let unknown = ChangeHash([7; 32]);
    let hashes = [first[0], second[0], unknown];
    assert_eq!(store.covered(&shard, &hashes, &second).unwrap(), vec![true, true, false]);
    assert_eq!(store.covered(&shard, &hashes, &first).unwrap(), vec![true, false, false]);
    assert_eq!(store.covered(&shard, &hashes, &[unknown]).unwrap(), vec![false, false, false]);
    assert_eq!(store.covered(&shard, &hashes, &[]).unwrap(), vec![false, false, false]);
    let elsewhere = ShardId::visits(OTHER_VILLAGE, now().date());
    assert_eq!(store.covered(&elsewhere, &hashes, &second).unwrap(), vec![false, false, false]);
}

pub fn an_attachment_is_known_by_the_villages_that_refer_to_it(store: impl CountyStore) {
    let mut store = seeded(store);
    let photo = "ab".repeat(32);
    let mut device = Device::new("device-1");
    for (village, key, with_photo) in [(VILLAGE, "visit-1", true), (OTHER_VILLAGE, "visit-2", false)] {
        let shard = ShardId::visits(village, now().date());
        device.write(&shard, key, visit(key, village, with_photo.then_some(photo.as_str())));
        store.apply(&shard, &device.chunks(&shard)).unwrap();
    }
    assert_eq!(store.attachment_villages(&photo).unwrap(), vec![VILLAGE.to_owned()]);
    assert!(store.attachment_villages(&"cd".repeat(32)).unwrap().is_empty());
}

pub fn unreferenced_uploads_count_per_device_and_are_released_after_their_window(store: impl CountyStore) {
    let mut store = seeded(store);
    let (first, second) = ("aa".repeat(32), "bb".repeat(32));
    let at = now();
    store.hold_unreferenced(&first, "device-1", 100, at).unwrap();
    store.hold_unreferenced(&first, "device-1", 100, at).unwrap();
    store.hold_unreferenced(&second, "device-1", 50, at + chrono::Duration::hours(2)).unwrap();
    store.hold_unreferenced(&first, "device-2", 100, at + chrono::Duration::hours(3)).unwrap();
    assert_eq!(store.unreferenced_bytes("device-1").unwrap(), 150, "holding again counts once");
    assert_eq!(store.unreferenced_bytes("device-3").unwrap(), 0);
    // After an hour: device-1's hold of `first` expires, but device-2 still holds it.
    assert!(store.release_unreferenced(at + chrono::Duration::hours(1)).unwrap().is_empty());
    assert_eq!(store.unreferenced_bytes("device-1").unwrap(), 50);
    let mut released = store.release_unreferenced(at + chrono::Duration::hours(4)).unwrap();
    released.sort();
    assert_eq!(released, vec![first, second]);
    assert_eq!(store.unreferenced_bytes("device-2").unwrap(), 0);
}

/// Runs every conformance test against one implementation.
macro_rules! conformance {
    ($implementation:ident, $make:expr) => {
        mod $implementation {
            use super::*;

            #[test]
            fn the_county_document_names_the_county() {
                super::the_county_document_names_the_county($make);
            }
            #[test]
            fn a_code_enrolls_one_device_once_before_it_expires() {
                super::a_code_enrolls_one_device_once_before_it_expires($make);
            }
            #[test]
            fn a_revoked_grant_stays_known_and_its_bundle_key_is_the_token_hash() {
                super::a_revoked_grant_stays_known_and_its_bundle_key_is_the_token_hash($make);
            }
            #[test]
            fn a_successor_revokes_the_device_it_replaces_and_names_it() {
                super::a_successor_revokes_the_device_it_replaces_and_names_it($make);
            }
            #[test]
            fn a_device_s_health_contacts_refusals_and_users_are_kept() {
                super::a_device_s_health_contacts_refusals_and_users_are_kept($make);
            }
            #[test]
            fn reassigning_a_user_changes_their_scope_through_the_county_document() {
                super::reassigning_a_user_changes_their_scope_through_the_county_document($make);
            }
            #[test]
            fn a_county_record_is_written_for_every_device_and_users_are_read_back() {
                super::a_county_record_is_written_for_every_device_and_users_are_read_back($make);
            }
            #[test]
            fn changes_go_in_whole_and_come_back_as_what_a_device_lacks() {
                super::changes_go_in_whole_and_come_back_as_what_a_device_lacks($make);
            }
            #[test]
            fn the_change_counter_orders_shards_and_ignores_repeats() {
                super::the_change_counter_orders_shards_and_ignores_repeats($make);
            }
            #[test]
            fn a_device_s_reported_heads_and_held_shards_are_kept() {
                super::a_device_s_reported_heads_and_held_shards_are_kept($make);
            }
            #[test]
            fn a_change_is_covered_by_the_heads_it_leads_to() {
                super::a_change_is_covered_by_the_heads_it_leads_to($make);
            }
            #[test]
            fn unreferenced_uploads_count_per_device_and_are_released_after_their_window() {
                super::unreferenced_uploads_count_per_device_and_are_released_after_their_window($make);
            }
            #[test]
            fn an_attachment_is_known_by_the_villages_that_refer_to_it() {
                super::an_attachment_is_known_by_the_villages_that_refer_to_it($make);
            }
        }
    };
}

conformance!(sqlite, SqliteStore::new(Replica::open_in_memory().unwrap()).unwrap());
conformance!(memory, MemoryStore::new());
conformance!(postgres, PostgresStore::connect(&testing::fresh_postgres(), COUNTY, Key::generate()).unwrap());

/// PostgreSQL only: what one database shared by several server processes and several counties
/// must keep true.
mod postgres_shared {
    use super::*;

    /// The database key every process of these tests shares.
    fn key() -> Key {
        Key::from_hex(&"5a".repeat(32)).unwrap()
    }

    /// 瑞金市, a county beside 会昌县, in the same database.
    const OTHER_COUNTY: &str = "360781000000";

    fn ruijin(store: PostgresStore) -> PostgresStore {
        let places = [
            (OTHER_COUNTY, "瑞金市", "county", "360700000000"),
            ("360781100000", "壬田镇", "township", OTHER_COUNTY),
            ("360781100201", "凤岗村委会", "village", "360781100000"),
        ];
        seeded_with(store, &places)
    }

    #[test]
    fn two_processes_over_one_database_see_each_other_s_writes() {
        let url = testing::fresh_postgres();
        let mut first = seeded(PostgresStore::connect(&url, COUNTY, key()).unwrap());
        let mut second = PostgresStore::connect(&url, COUNTY, key()).unwrap();
        assert_eq!(second.county_code().unwrap(), COUNTY);

        let shard = ShardId::visits(VILLAGE, now().date());
        let mut device = Device::new("device-1");
        let one = device.write(&shard, "visit-1", visit("visit-1", VILLAGE, None));
        first.apply(&shard, &device.chunks(&shard)).unwrap();
        assert_eq!(second.heads(&shard).unwrap(), one);
        assert_eq!(heads_of(&second.changes_since(&shard, &[]).unwrap()), one, "the second loads it");

        // The second writes next; the first's loaded copy is behind and must catch up.
        let two = device.write(&shard, "visit-2", visit("visit-2", VILLAGE, None));
        second.apply(&shard, &device.replica.chunks_since(&shard, &one).unwrap()).unwrap();
        assert_eq!(first.heads(&shard).unwrap(), two);
        assert_eq!(heads_of(&first.changes_since(&shard, &[]).unwrap()), two);
        assert_eq!(first.covered(&shard, &two, &two).unwrap(), vec![true]);
        assert!(first.records_touched_by(&shard, &[]).unwrap().is_empty());
        assert_eq!(first.changed_seq().unwrap(), second.changed_seq().unwrap(), "one counter per county");

        // Both write the county document: both writes are kept.
        first.create_code(&caseworker(), "CODE-1111", now() + Duration::days(1), now()).unwrap();
        second.put_county_record("signin/caseworker-1", json!({ "code_id": "c1" }), now()).unwrap();
        assert_eq!(first.read_county_record("signin/caseworker-1").unwrap().unwrap()["code_id"], "c1");
        assert_eq!(second.user("caseworker-1").unwrap().unwrap().name, "刘芳");
        // A code made through one is redeemed through the other, once.
        let grant = second.enroll("CODE-1111", "device-1", "白沙村电脑", "token-1", now()).unwrap();
        assert!(matches!(first.enroll("CODE-1111", "device-2", "x", "token-2", now()), Err(Error::Invalid(_))));
        assert_eq!(first.grant_by_token("token-1").unwrap(), Some(grant));
    }

    #[test]
    fn changes_are_stored_sealed_with_the_county_key() {
        let url = testing::fresh_postgres();
        let mut store = seeded(PostgresStore::connect(&url, COUNTY, key()).unwrap());
        store.create_code(&caseworker(), "CODE-4444", now() + Duration::days(1), now()).unwrap();
        let contains = |haystack: &[u8], needle: &str| haystack.windows(needle.len()).any(|w| w == needle.as_bytes());
        // The changes as automerge writes them name the caseworker in clear…
        let mut document = Automerge::new();
        for chunk in store.changes_since(&ShardId::county(COUNTY), &[]).unwrap() {
            document.load_incremental(&chunk).unwrap();
        }
        assert!(document.get_changes(&[]).iter().any(|change| contains(change.raw_bytes(), "刘芳")));
        // …and the database holds them sealed.
        let stored = store.stored_change_bytes();
        assert!(stored.len() > 100);
        assert!(!contains(&stored, "刘芳") && !contains(&stored, "白沙村委会"));
        // Another key opens nothing, and changes nothing.
        let mut wrong = PostgresStore::connect(&url, COUNTY, Key::generate()).unwrap();
        assert!(matches!(wrong.user("caseworker-1"), Err(Error::Database(_))));
        assert_eq!(store.user("caseworker-1").unwrap().unwrap().name, "刘芳");
    }

    #[test]
    fn a_county_s_changes_are_sealed_again_under_a_new_key_and_no_other_county_s() {
        let url = testing::fresh_postgres();
        let mut huichang = seeded(PostgresStore::connect(&url, COUNTY, key()).unwrap());
        huichang.create_code(&caseworker(), "CODE-5555", now() + Duration::days(1), now()).unwrap();
        let mut ruijin = ruijin(PostgresStore::connect(&url, OTHER_COUNTY, key()).unwrap());
        let new = Key::generate();
        let resealed = huichang.reseal(&key(), &new).unwrap();
        assert_eq!(resealed, 5, "four places and the user, one change each");
        assert_eq!(huichang.reseal(&key(), &new).unwrap(), 0, "run again, it finds the work done");
        let mut with_new = PostgresStore::connect(&url, COUNTY, new.clone()).unwrap();
        assert_eq!(with_new.user("caseworker-1").unwrap().unwrap().name, "刘芳");
        let mut with_old = PostgresStore::connect(&url, COUNTY, key()).unwrap();
        assert!(matches!(with_old.user("caseworker-1"), Err(Error::Database(_))));
        assert_eq!(ruijin.county_code().unwrap(), OTHER_COUNTY, "瑞金市 keeps its own key");
        let mut ruijin_again = PostgresStore::connect(&url, OTHER_COUNTY, key()).unwrap();
        assert_eq!(ruijin_again.county_code().unwrap(), OTHER_COUNTY);
        // A third key opens neither: nothing is sealed again, nothing changes.
        assert!(matches!(with_new.reseal(&Key::generate(), &Key::generate()), Err(Error::Database(_))));
        assert_eq!(with_new.user("caseworker-1").unwrap().unwrap().name, "刘芳");
    }

    #[test]
    fn processes_writing_one_shard_at_once_lose_and_double_nothing() {
        let url = testing::fresh_postgres();
        let mut store = seeded(PostgresStore::connect(&url, COUNTY, key()).unwrap());
        let shard = ShardId::visits(VILLAGE, now().date());
        let start = store.changed_seq().unwrap();
        let writers: Vec<_> = (0..2)
            .map(|process| {
                let (url, shard) = (url.clone(), shard.clone());
                std::thread::spawn(move || {
                    let mut store = PostgresStore::connect(&url, COUNTY, key()).unwrap();
                    let mut device = Device::new(&format!("device-{process}"));
                    let mut heads = Vec::new();
                    for visit_number in 0..15 {
                        let key = format!("visit-{process}-{visit_number}");
                        let next = device.write(&shard, &key, visit(&key, VILLAGE, None));
                        store.apply(&shard, &device.replica.chunks_since(&shard, &heads).unwrap()).unwrap();
                        heads = next;
                    }
                    heads
                })
            })
            .collect();
        let mut expected: Vec<ChangeHash> = writers.into_iter().flat_map(|writer| writer.join().unwrap()).collect();
        expected.sort_unstable();
        assert_eq!(store.heads(&shard).unwrap(), expected, "both devices' last changes are the heads");
        let mut everything = Automerge::new();
        for chunk in store.changes_since(&shard, &[]).unwrap() {
            everything.load_incremental(&chunk).unwrap();
        }
        assert_eq!(xianglin_sync::document::read_all_records(&everything).unwrap().len(), 30);
        assert_eq!(store.changed_seq().unwrap(), start + 30, "each write counted once, none lost");
    }

    #[test]
    fn counties_in_one_database_are_apart() {
        let url = testing::fresh_postgres();
        let mut huichang = seeded(PostgresStore::connect(&url, COUNTY, key()).unwrap());
        let mut ruijin = ruijin(PostgresStore::connect(&url, OTHER_COUNTY, key()).unwrap());
        assert_eq!(
            (huichang.county_code().unwrap(), ruijin.county_code().unwrap()),
            (COUNTY.into(), OTHER_COUNTY.into())
        );

        let shard = ShardId::visits(VILLAGE, now().date());
        let photo = "ab".repeat(32);
        let mut device = Device::new("device-1");
        device.write(&shard, "visit-1", visit("visit-1", VILLAGE, Some(&photo)));
        huichang.apply(&shard, &device.chunks(&shard)).unwrap();
        assert!(ruijin.heads(&shard).unwrap().is_empty());
        assert!(ruijin.changes_since(&shard, &[]).unwrap().is_empty());
        assert_eq!(ruijin.has_changes(&shard, &huichang.heads(&shard).unwrap()).unwrap(), vec![false]);
        let ruijin_shards: Vec<ShardId> =
            ruijin.shards_changed_since(0).unwrap().into_iter().map(|(shard, _)| shard).collect();
        assert_eq!(ruijin_shards, vec![ShardId::county(OTHER_COUNTY)]);
        assert!(ruijin.attachment_villages(&photo).unwrap().is_empty());
        assert_eq!(huichang.attachment_villages(&photo).unwrap(), vec![VILLAGE.to_owned()]);

        // Codes, users, grants and tokens of one county are unknown to the other.
        huichang.create_code(&caseworker(), "CODE-2222", now() + Duration::days(1), now()).unwrap();
        assert!(matches!(ruijin.enroll("CODE-2222", "device-9", "x", "token-9", now()), Err(Error::NotFound(_))));
        assert_eq!(ruijin.user("caseworker-1").unwrap(), None);
        huichang.enroll("CODE-2222", "device-1", "白沙村电脑", "token-1", now()).unwrap();
        assert_eq!(ruijin.grant_by_token("token-1").unwrap(), None);
        assert_eq!(ruijin.bundle_key("device-1").unwrap(), None);
        assert!(ruijin.grants().unwrap().is_empty());
        assert!(!ruijin.revoke("device-1", now()).unwrap());
        huichang
            .record_contact(
                "device-1",
                now(),
                &Contact { app_version: "0.1.0", user_id: "caseworker-1", shards_waiting: 0 },
            )
            .unwrap();
        assert!(ruijin.device_users().unwrap().is_empty());
        huichang.set_peer_heads("device-1", &[(shard.clone(), Vec::new())]).unwrap();
        assert!(!ruijin.held("device-1", &shard).unwrap());
        huichang.hold_unreferenced(&photo, "device-1", 10, now()).unwrap();
        assert_eq!(ruijin.unreferenced_bytes("device-1").unwrap(), 0);
        // A device of 瑞金市 with the same id is its own device there.
        ruijin
            .create_code(
                &User { places: vec!["360781100201".into()], ..caseworker() },
                "CODE-3333",
                now() + Duration::days(1),
                now(),
            )
            .unwrap();
        ruijin.enroll("CODE-3333", "device-1", "凤岗村电脑", "token-3", now()).unwrap();
        let grant = ruijin.grant_by_token("token-3").unwrap().unwrap();
        assert_eq!(ruijin.scope(&grant).unwrap().county_code, OTHER_COUNTY);
        assert_eq!(huichang.grant_by_token("token-3").unwrap(), None);
        assert_eq!(huichang.grants().unwrap().len(), 1);
    }
}
