//! A replacement PC taking over a lost one: the county names it the successor, it pulls its
//! places, then takes the edits the lost PC never sent from the lost PC's last backup; they
//! reach the county and the other devices once, and nothing is doubled.

use std::path::Path;

use xianglin_county::{self as server, DeviceStore};
use xianglin_demo::Rng;
use xianglin_domain::query;
use xianglin_domain::registry::{self, store_elder};
use xianglin_schema::api::ElderSearch;
use xianglin_schema::user::Role;
use xianglin_sync::attachments::{self, AttachmentStore};
use xianglin_sync::backup::{self, BackupError, Reason};
use xianglin_sync::crypto::Key;
use xianglin_sync::keyring::{Keyring, Person};
use xianglin_sync::successor;
use xianglin_sync::{Replica, ShardId};

use crate::support::now;
use crate::sync::{County, Device, VILLAGE_A, code_for, county_database};

const PASSWORD: &str = "correct horse 42";

/// A caseworker's PC whose replica is on disk, encrypted, with a keyring holding `person`.
async fn pc(county: &County, folder: &Path, code: &str, label: &str, person: &Person<'_>) -> (Device, Key, Keyring) {
    std::fs::create_dir_all(folder).unwrap();
    let key = Key::create_file(&folder.join("test.key")).unwrap();
    let replica = Replica::open_encrypted(&folder.join("xianglin.sqlite"), &key).unwrap();
    let mut keyring = Keyring::new(&key, false);
    keyring.set_password(&key, person, PASSWORD, 8, now()).unwrap();
    keyring.save(folder).unwrap();
    (Device::enroll_replica(county, code, label, replica).await, key, keyring)
}

fn elders_in_village(device: &Device) -> Vec<(String, Option<String>)> {
    let replica = device.replica.lock().unwrap();
    let search = ElderSearch {
        place_code: Some(VILLAGE_A.into()),
        query: String::new(),
        include_inactive: true,
        page: 1,
        page_size: 100,
    };
    let mut elders: Vec<(String, Option<String>)> = query::search_elders(&replica, &search)
        .unwrap()
        .items
        .into_iter()
        .map(|row| {
            let phone = registry::elder_for_edit(&replica, &row.id).unwrap().phone;
            (row.id, phone)
        })
        .collect();
    elders.sort();
    elders
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replacement_pc_takes_the_lost_pc_s_unsent_edits_from_its_backup_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut county = County::start(county_database(&dir)).await;
    let (old_code, new_code, station_code) = county.admin(|store| {
        (
            code_for(store, Role::Caseworker, &[VILLAGE_A], "刘芳"),
            code_for(store, Role::Caseworker, &[VILLAGE_A], "刘芳"),
            code_for(store, Role::StationDirector, &["360733105000"], "庄口站"),
        )
    });
    let station =
        Device::enroll_replica(&county, &station_code, "庄口镇敬老院", Replica::open_in_memory().unwrap()).await;
    let liu = Person { user_id: "user-liu-old", role: "caseworker", name: "刘芳" };
    let old_folder = dir.path().join("old-pc");
    let (old, old_key, old_keyring) = pc(&county, &old_folder, &old_code, "白沙村旧电脑", &liu).await;
    let old_id = old.replica.lock().unwrap().device_id();

    // The old PC registers an elder and sends it; then, offline, edits her, registers a second
    // and visits the first, taking a photo it never uploads.
    let mut rng = Rng::new(19);
    old.sync().await;
    let synced = old.add_elder(&mut rng, VILLAGE_A);
    old.sync().await;
    let unsent = old.add_elder(&mut rng, VILLAGE_A);
    let old_photos = AttachmentStore::sealed(old_folder.join(attachments::FOLDER), old_key.clone());
    let photo_png = crate::support::png(64, 48);
    let photo = old_photos.put(&photo_png).unwrap();
    {
        let mut replica = old.replica.lock().unwrap();
        let mut edited = registry::elder_for_edit(&replica, &synced).unwrap();
        edited.phone = Some("13912345678".into());
        let edited = store_elder(&mut replica, edited).unwrap();
        let mut visit = crate::support::visit(&edited, now(), xianglin_schema::visit::Severity::Normal);
        visit.photos.insert(photo.sha256.clone(), photo.clone());
        xianglin_domain::patrol::store_visit(&mut replica, visit).unwrap();
    }
    // Its daily backup; after it, one more elder that no backup holds (lost with the PC).
    let made = {
        let replica = old.replica.lock().unwrap();
        let database = Path::new(replica.path()).to_path_buf();
        backup::write(
            &database,
            &old_key,
            &old_keyring,
            &old_folder.join("backups"),
            now(),
            Reason::Daily,
            &mut |_, _| {},
        )
        .unwrap()
    };
    let lost = old.add_elder(&mut rng, VILLAGE_A);
    let before: Vec<(String, Option<String>)> =
        elders_in_village(&old).into_iter().filter(|(id, _)| *id != lost).collect();
    drop(old);

    // The replacement, enrolled for the same village, pulls it: the old PC's sent elder only.
    let new_folder = dir.path().join("new-pc");
    let newcomer = Person { user_id: "user-liu-new", role: "caseworker", name: "刘芳" };
    let (new, new_key, _) = pc(&county, &new_folder, &new_code, "白沙村新电脑", &newcomer).await;
    let new_photos = AttachmentStore::sealed(new_folder.join(attachments::FOLDER), new_key.clone());
    let new_id = new.replica.lock().unwrap().device_id();
    new.sync().await;
    assert_eq!(elders_in_village(&new).iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), [synced.as_str()]);

    // Until the county names it the successor, the old PC's backup is refused and changes nothing.
    let keyring_key = |password: &str| {
        let mut keyring = backup::read_header(&made.path).unwrap().header.keyring;
        keyring.unlock("user-liu-old", password, now())
    };
    assert!(keyring_key("wrong password").is_err(), "the backup opens only with its people's passwords");
    let key = keyring_key(PASSWORD).unwrap();
    let heads_before = new.replica.lock().unwrap().heads(&ShardId::Elders { village: VILLAGE_A.into() }).unwrap();
    let refused =
        successor::take_over(&mut new.replica.lock().unwrap(), &new_photos, &made.path, &key, &mut |_, _, _| {});
    assert!(
        matches!(refused, Err(BackupError::Replica(xianglin_sync::Error::Invalid(ref why))) if why.contains("successor"))
    );
    assert_eq!(
        new.replica.lock().unwrap().heads(&ShardId::Elders { village: VILLAGE_A.into() }).unwrap(),
        heads_before
    );

    // The county names it (the server must stop for the admin command, as in production).
    county.stop().await;
    let named = county.admin(|store| server::name_successor(store, &old_id, &new_id, now())).unwrap();
    assert_eq!(named.succeeds.as_deref(), Some(old_id.as_str()));
    assert!(county.admin(|store| store.bundle_key(&old_id).unwrap().unwrap().0.revoked_at.is_some()));
    county = County::start(county.database.clone()).await;
    let new = Device { link: xianglin_sync::client::http::Link::new(&county.url, None, &new.token).unwrap(), ..new };
    let station =
        Device { link: xianglin_sync::client::http::Link::new(&county.url, None, &station.token).unwrap(), ..station };
    new.sync().await;
    assert_eq!(xianglin_sync::client::succeeds(&new.replica.lock().unwrap()).unwrap(), vec![old_id.clone()]);

    // Taken over: the old PC's unsent edits are here, and go up at the next sync.
    let mut steps = 0;
    let taken =
        successor::take_over(&mut new.replica.lock().unwrap(), &new_photos, &made.path, &key, &mut |_, _, _| {
            steps += 1
        })
        .unwrap();
    assert_eq!(
        (taken.device_id.as_str(), taken.shards, taken.changed, taken.outside, taken.attachments),
        (old_id.as_str(), 2, 2, 0, 1),
        "the elders and the visit, and the photo"
    );
    assert_eq!(new_photos.get(&photo.sha256).unwrap(), photo_png, "the photo, sealed under this PC's key");
    assert!(steps >= 2, "unpacking the backup reports its progress");
    assert_eq!(elders_in_village(&new), before, "the old PC's elders as its backup held them");
    let leftovers: Vec<String> = std::fs::read_dir(&new_folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("predecessor"))
        .collect();
    assert!(leftovers.is_empty(), "the unpacked copy is removed: {leftovers:?}");
    let round = new.sync().await;
    assert_eq!(round.pushed_shards, 2);
    assert_eq!(new.link.sync_attachments(&new.replica, &new_photos).await.unwrap(), (1, 0), "the photo goes up");

    // The county and the station get them once: the unsent elder, the new phone, the visit's
    // photo, nothing doubled.
    station.sync().await;
    let station_photos = AttachmentStore::new(dir.path().join("station-photos"));
    assert_eq!(station.link.sync_attachments(&station.replica, &station_photos).await.unwrap(), (0, 1));
    assert_eq!(station_photos.get(&photo.sha256).unwrap(), photo_png);
    assert_eq!(elders_in_village(&station), before);
    assert!(before.iter().any(|(id, _)| *id == unsent));
    assert!(before.contains(&(synced.clone(), Some("13912345678".into()))));
    assert!(!before.iter().any(|(id, _)| *id == lost));

    // Taking the same backup again brings nothing new, and the next sync moves nothing.
    let again =
        successor::take_over(&mut new.replica.lock().unwrap(), &new_photos, &made.path, &key, &mut |_, _, _| {})
            .unwrap();
    assert_eq!((again.changed, again.attachments), (0, 0));
    assert_eq!(new.sync().await, xianglin_sync::client::RoundTrip::default());
    assert_eq!(elders_in_village(&new), before);
    county.stop().await;
}
