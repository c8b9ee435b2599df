//! The sync protocol as a property: whatever three devices edit offline, and whatever order they
//! sync in, with answers lost on the way back and requests sent twice, every replica ends equal
//! and no saved edit is missing. Runs the protocol's steps directly (`client::prepare`,
//! `server::answer`, `client::absorb`), without a network, so that many schedules fit in a test.

use std::collections::BTreeSet;

use proptest::prelude::*;
use xianglin_county::{self as server, ChangeStore, CountyStore, DeviceGrant, MemoryStore, SqliteStore};
use xianglin_demo::Rng;
use xianglin_domain::query;
use xianglin_schema::api::ElderSearch;
use xianglin_schema::record::{RecordMeta, new_id};
use xianglin_schema::user::{Role, User};
use xianglin_schema::visit::Severity;
use xianglin_sync::Replica;
use xianglin_sync::ShardId;
use xianglin_sync::ShardKind;
use xianglin_sync::client;
use xianglin_sync::document;
use xianglin_sync::replica::Clock;

use crate::support::{VILLAGES, elder, load_places, now, visit};
use xianglin_domain::patrol::store_visit;
use xianglin_domain::registry::store_elder;

/// What one step of a schedule does.
#[derive(Debug, Clone)]
enum Step {
    /// A device adds an elder to one of the shared villages.
    AddElder { device: usize, village: usize, seed: u64 },
    /// A device edits the phone of the n-th elder it knows (concurrent edits make conflicts).
    EditPhone { device: usize, elder: usize, digits: u16 },
    /// A device records a visit to the n-th elder it knows.
    AddVisit { device: usize, elder: usize, minutes: u16 },
    /// A device syncs once; its answer may be lost, and its request may arrive twice.
    Sync { device: usize, answer_lost: bool, sent_twice: bool },
}

fn step() -> impl Strategy<Value = Step> {
    let device = 0..3usize;
    prop_oneof![
        (device.clone(), 0..2usize, any::<u64>()).prop_map(|(device, village, seed)| Step::AddElder {
            device,
            village,
            seed
        }),
        (device.clone(), 0..8usize, any::<u16>()).prop_map(|(device, elder, digits)| Step::EditPhone {
            device,
            elder,
            digits
        }),
        (device.clone(), 0..8usize, 0..600u16).prop_map(|(device, elder, minutes)| Step::AddVisit {
            device,
            elder,
            minutes
        }),
        (device, any::<bool>(), any::<bool>()).prop_map(|(device, answer_lost, sent_twice)| Step::Sync {
            device,
            answer_lost,
            sent_twice
        }),
    ]
}

/// The county and three devices of one township's station, each enrolled for the two villages.
struct World {
    county: Box<dyn CountyStore>,
    devices: Vec<(Replica, DeviceGrant)>,
}

/// A county replica holding 会昌县's places and policy.
fn county_replica() -> Replica {
    let mut county_replica = Replica::open_in_memory().unwrap();
    county_replica.set_clock(Clock::Fixed(now()));
    load_places(&mut county_replica);
    county_replica
}

/// The county server's SQLite store.
fn sqlite_county() -> Box<dyn CountyStore> {
    Box::new(SqliteStore::new(county_replica()).unwrap())
}

/// The in-memory twin, given the same county document.
fn memory_county() -> Box<dyn CountyStore> {
    let replica = county_replica();
    let shard = ShardId::county("360733000000");
    let mut county = MemoryStore::new();
    county.apply(&shard, &replica.stored_chunks(&shard).unwrap()).unwrap();
    Box::new(county)
}

impl World {
    fn new(mut county: Box<dyn CountyStore>) -> World {
        let devices = (0..3)
            .map(|index| {
                let user = User {
                    id: new_id(),
                    name: format!("探访员{index}"),
                    role: Role::Caseworker,
                    places: VILLAGES[..2].iter().map(|village| village.to_string()).collect(),
                    phone: None,
                    meta: RecordMeta::created(now(), "county-server"),
                };
                let code = server::new_code();
                county.create_code(&user, &code, now() + chrono::Duration::days(1), now()).unwrap();
                let mut replica = Replica::open_in_memory().unwrap();
                replica.set_clock(Clock::Fixed(now()));
                let grant =
                    county.enroll(&code, &replica.device_id(), &format!("电脑{index}"), &new_id(), now()).unwrap();
                replica.set_user(&grant.user_id).unwrap();
                (replica, grant)
            })
            .collect();
        let mut world = World { county, devices };
        // A newly enrolled computer first takes in the county's places, as the app does.
        for index in 0..3 {
            world.sync(index, false, false);
        }
        world
    }

    /// One round trip of device `index`; a lost answer is never taken in, a request sent twice
    /// is answered twice and only the second answer arrives.
    fn sync(&mut self, index: usize, answer_lost: bool, sent_twice: bool) -> client::RoundTrip {
        let (replica, grant) = &mut self.devices[index];
        let (request, _) = client::prepare(replica).unwrap();
        let decoded = server::decode(request.clone()).unwrap();
        let mut response = server::answer(self.county.as_mut(), grant, &decoded).unwrap();
        if sent_twice {
            response = server::answer(self.county.as_mut(), grant, &decoded).unwrap();
        }
        if answer_lost {
            return client::RoundTrip { more: true, ..Default::default() };
        }
        client::absorb(replica, &request, &response).unwrap()
    }

    /// Syncs every device until a whole pass moves nothing.
    fn settle(&mut self) {
        for _pass in 0..20 {
            let mut moved = false;
            for index in 0..self.devices.len() {
                loop {
                    let round = self.sync(index, false, false);
                    moved |= round.pushed_changes > 0 || round.pulled_changes > 0;
                    if !round.more {
                        break;
                    }
                }
            }
            if !moved {
                return;
            }
        }
        panic!("sync did not settle within 20 passes");
    }
}

fn known_elders(replica: &Replica) -> Vec<String> {
    let search =
        ElderSearch { place_code: None, query: String::new(), include_inactive: true, page: 1, page_size: 500 };
    let mut ids: Vec<String> =
        query::search_elders(replica, &search).unwrap().items.into_iter().map(|row| row.id).collect();
    ids.sort();
    ids
}

fn run(steps: &[Step], county: Box<dyn CountyStore>) {
    let mut world = World::new(county);
    // Every record a device saved, with its shard: all of them must be everywhere at the end.
    let mut saved: BTreeSet<(ShardId, String)> = BTreeSet::new();
    for step in steps {
        match *step {
            Step::AddElder { device, village, seed } => {
                let replica = &mut world.devices[device].0;
                let mut rng = Rng::new(seed);
                let elder = store_elder(replica, elder(&mut rng, VILLAGES[village])).unwrap();
                saved.insert((ShardId::elders(&elder.village_code), elder.id));
            }
            Step::EditPhone { device, elder: pick, digits } => {
                let replica = &mut world.devices[device].0;
                let elders = known_elders(replica);
                if let Some(id) = elders.get(pick % elders.len().max(1)) {
                    let mut record = xianglin_domain::registry::elder_for_edit(replica, id).unwrap();
                    record.phone = Some(format!("1390797{:04}", digits % 10_000));
                    store_elder(replica, record).unwrap();
                }
            }
            Step::AddVisit { device, elder: pick, minutes } => {
                let replica = &mut world.devices[device].0;
                let elders = known_elders(replica);
                if let Some(id) = elders.get(pick % elders.len().max(1)) {
                    let record = xianglin_domain::registry::elder_for_edit(replica, id).unwrap();
                    let at = now() - chrono::Duration::minutes(i64::from(minutes) + 1);
                    let visit = store_visit(replica, visit(&record, at, Severity::Normal)).unwrap();
                    saved.insert((ShardId::visits(&visit.village_code, at.date()), visit.id));
                }
            }
            Step::Sync { device, answer_lost, sent_twice } => {
                world.sync(device, answer_lost, sent_twice);
            }
        }
    }
    world.settle();

    let county_shards: BTreeSet<ShardId> =
        world.county.shards_changed_since(0).unwrap().into_iter().map(|(shard, _)| shard).collect();
    let first_dump = query::projection_dump(&world.devices[0].0).unwrap();
    for (index, (replica, _)) in world.devices.iter_mut().enumerate() {
        assert_eq!(client::waiting(replica).unwrap(), 0, "device {index} still has unsent edits");
        for shard in replica.shards().unwrap() {
            assert!(county_shards.contains(&shard), "the county lacks {shard}");
            let mut heads = replica.heads(&shard).unwrap();
            heads.sort_unstable();
            assert_eq!(heads, world.county.heads(&shard).unwrap(), "device {index} differs on {shard}");
        }
        let dump = query::projection_dump(replica).unwrap();
        let only_here: Vec<&String> = dump.iter().filter(|line| !first_dump.contains(line)).collect();
        let only_first: Vec<&String> = first_dump.iter().filter(|line| !dump.contains(line)).collect();
        assert!(
            only_here.is_empty() && only_first.is_empty(),
            "device {index}'s projection differs from device 0's: {only_here:#?} against {only_first:#?}"
        );
        for (shard, id) in &saved {
            assert!(replica.read_record(shard, id).unwrap().is_some(), "record {id} was lost on device {index}");
        }
        // Every record is there once, and nothing else (a replayed request doubled nothing).
        let mut records = 0;
        for shard in replica.shards().unwrap().iter().filter(|shard| shard.kind() != ShardKind::County) {
            records += replica.with_document(shard, |document| document::record_keys(document).len()).unwrap();
        }
        assert_eq!(records, saved.len(), "device {index} holds other records than those saved");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_offline_edits_on_three_replicas_converge_under_any_sync_schedule(
        steps in proptest::collection::vec(step(), 10..60)
    ) {
        run(&steps, sqlite_county());
    }

    /// The same protocol over the county store's in-memory twin: the store traits, not the
    /// SQLite store, are what the protocol relies on.
    #[test]
    fn the_same_schedules_converge_on_the_in_memory_county_store(
        steps in proptest::collection::vec(step(), 10..60)
    ) {
        run(&steps, memory_county());
    }
}
