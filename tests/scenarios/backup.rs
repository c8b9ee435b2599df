//! Backups of a station PC: made while the app writes, opened on an empty PC with a person's
//! password, refused whole when damaged or foreign, and never half-made or half-restored when
//! the process is killed (-9) at any step or at random moments.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use xianglin_demo::{self as demo, Rng};
use xianglin_domain::registry::store_elder;
use xianglin_sync::Replica;
use xianglin_sync::backup::{self, BackupError, Reason, Step};
use xianglin_sync::crypto::Key;
use xianglin_sync::keyring::{Keyring, Person};
use xianglin_sync::replica::Clock;

use crate::support::{
    elder, kill_at_random_moments, kill_at_step, now, replica_contents as contents, scratch, small_demo_options,
};

/// Set for the child processes only: the replica, its key file, and (backup) the folder to
/// write to or (restore) the backup to restore.
const CHILD_DATABASE: &str = "XIANGLIN_TEST_BACKUP_DATABASE";
const CHILD_KEY: &str = "XIANGLIN_TEST_BACKUP_KEY_FILE";
const CHILD_FOLDER: &str = "XIANGLIN_TEST_BACKUP_FOLDER";
const CHILD_RESTORE: &str = "XIANGLIN_TEST_RESTORE_FROM";
/// Set for the restoring child only: pause at the start of each step until a line comes in.
const PAUSE_AT_STEPS: &str = "XIANGLIN_TEST_PAUSE_AT_STEPS";

const PASSWORD: &str = "correct horse 42";
const VILLAGE: &str = "360733105201";

/// A station PC: the small demo in an encrypted replica, and a keyring with one person.
struct Pc {
    directory: tempfile::TempDir,
    key: Key,
    keyring: Keyring,
}

impl Pc {
    fn new(seed: u64) -> Pc {
        let directory = scratch();
        let key = Key::create_file(&directory.path().join("test.key")).unwrap();
        {
            let mut replica = Replica::open_encrypted(&directory.path().join("xianglin.sqlite"), &key).unwrap();
            replica.set_clock(Clock::Fixed(now()));
            demo::generate(&mut replica, &small_demo_options(seed)).unwrap();
        }
        let mut keyring = Keyring::new(&key, false);
        let person = Person { user_id: "user-liu", role: "caseworker", name: "刘芳" };
        keyring.set_password(&key, &person, PASSWORD, 8, now()).unwrap();
        keyring.save(directory.path()).unwrap();
        Pc { directory, key, keyring }
    }

    fn database(&self) -> PathBuf {
        self.directory.path().join("xianglin.sqlite")
    }

    fn folder(&self) -> PathBuf {
        self.directory.path().join(backup::FOLDER)
    }

    fn key_file(&self) -> PathBuf {
        self.directory.path().join("test.key")
    }

    fn open(&self) -> Replica {
        Replica::open_encrypted(&self.database(), &self.key).unwrap()
    }
}

#[test]
fn a_backup_made_while_the_app_writes_opens_on_an_empty_pc_with_a_person_s_password() {
    let pc = Pc::new(3);
    let mut replica = pc.open();
    let expected = contents(&replica);
    let mut reports = Vec::new();
    let made =
        backup::write(&pc.database(), &pc.key, &pc.keyring, &pc.folder(), now(), Reason::Manual, &mut |done, all| {
            reports.push((done, all))
        })
        .unwrap();
    assert!(reports.windows(2).all(|pair| pair[0].0 <= pair[1].0), "progress only moves forward");
    let (done, all) = *reports.last().unwrap();
    assert_eq!(done, all, "progress ends at the whole");
    // The app goes on writing: what it writes after the backup is not in it.
    replica.set_clock(Clock::Fixed(now()));
    store_elder(&mut replica, elder(&mut Rng::new(9), VILLAGE)).unwrap();
    assert_ne!(contents(&replica), expected);
    let device_id = replica.device_id();
    drop(replica);

    // The file is named for the device, the time and the reason, and holds no personal data in clear.
    let name = made.path.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(name.starts_with(&format!("xianglin-{}-20261120-160000-manual.", &device_id[20..])), "{name}");
    let bytes = std::fs::read(&made.path).unwrap();
    // The header (all that is not SQLCipher's pages) names nobody; the database is encrypted.
    let header_end = 12 + u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let (header, database) = bytes.split_at(header_end);
    assert!(!database.starts_with(b"SQLite format 3"), "the database in the backup is encrypted");
    let personal = xianglin_domain::query::personal_values(&pc.open()).unwrap();
    assert!(personal.len() > 100, "the demo's names, ID numbers and phones");
    let in_clear =
        |haystack: &[u8], needle: &str| haystack.windows(needle.len()).any(|window| window == needle.as_bytes());
    for needle in personal.iter().map(String::as_str).chain(["刘芳", "会昌县"]) {
        assert!(!in_clear(header, needle), "{needle} in clear in the backup's header");
    }
    for needle in personal.iter().take(3).map(String::as_str).chain(["会昌县"]) {
        assert!(!in_clear(database, needle), "{needle} in clear in the backup's database");
    }
    assert_eq!(backup::list(&pc.folder()).unwrap().len(), 1);
    // Copied onto a USB stick, whole, and private to its owner.
    let stick = scratch();
    let copy = backup::copy_to(&made, stick.path()).unwrap();
    assert_eq!(std::fs::read(&copy).unwrap(), bytes);
    assert_eq!(backup::list(stick.path()).unwrap().len(), 1);
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&made.path).unwrap().permissions()) & 0o777,
        0o600
    );

    // An empty PC: the header is read, a person's password unwraps the key, the replica comes back.
    let empty = scratch();
    let database = empty.path().join("xianglin.sqlite");
    let header = backup::read_header(&made.path).unwrap().header;
    assert_eq!(
        (header.device_id.as_str(), header.reason, header.created_at),
        (device_id.as_str(), Reason::Manual, now())
    );
    let mut keyring = header.keyring.clone();
    assert!(keyring.unlock("user-liu", "wrong password", now()).is_err());
    let key = keyring.unlock("user-liu", PASSWORD, now()).unwrap();
    let mut steps = Vec::new();
    backup::restore(&made.path, &key, &database, &mut |step, _, _| {
        if steps.last() != Some(&step) {
            steps.push(step)
        }
    })
    .unwrap();
    assert_eq!(steps, [Step::Copying, Step::Committing, Step::TakingNames]);
    let mut files: Vec<String> = std::fs::read_dir(empty.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files, ["keyring.json", "xianglin.sqlite"], "nothing staged is left");
    assert_eq!(Keyring::load(empty.path()).unwrap().unwrap(), header.keyring, "the PC's keyring comes back with it");
    let restored = Replica::open_encrypted(&database, &key).unwrap();
    assert!(contents(&restored) == expected, "the replica is back as it was at the backup");
    assert_eq!(restored.device_id(), device_id);
}

#[test]
fn a_damaged_foreign_or_wrongly_keyed_backup_restores_nothing() {
    let pc = Pc::new(4);
    let made = backup::write(&pc.database(), &pc.key, &pc.keyring, &pc.folder(), now(), Reason::Daily, &mut |_, _| {})
        .unwrap();
    let original = std::fs::read(&made.path).unwrap();
    let empty = scratch();
    let database = empty.path().join("xianglin.sqlite");
    let try_restore = |bytes: &[u8], key: &Key| {
        let path = empty.path().join("candidate.xlbak");
        std::fs::write(&path, bytes).unwrap();
        let result = backup::restore(&path, key, &database, &mut |_, _, _| {});
        std::fs::remove_file(&path).unwrap();
        let left: Vec<_> = std::fs::read_dir(empty.path()).unwrap().map(|entry| entry.unwrap().file_name()).collect();
        assert!(left.is_empty(), "a refused restore leaves nothing behind: {left:?}");
        result.unwrap_err()
    };
    // A byte of the database changed: its checksum says so.
    let mut flipped = original.clone();
    let at = original.len() - 5000;
    flipped[at] ^= 0x40;
    assert!(matches!(try_restore(&flipped, &pc.key), BackupError::Damaged { .. }));
    // Cut short (a copy to a USB stick pulled out too early).
    assert!(matches!(try_restore(&original[..original.len() / 2], &pc.key), BackupError::Damaged { .. }));
    // Not a backup at all, or a header claiming to be huge.
    assert!(matches!(try_restore(b"PK\x03\x04 a zip file, say", &pc.key), BackupError::NotABackup { .. }));
    let mut huge = original[..12].to_vec();
    huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(try_restore(&huge, &pc.key), BackupError::NotABackup { .. }));
    // A key that is not this PC's.
    assert!(matches!(
        try_restore(&original, &Key::generate()),
        BackupError::Replica(xianglin_sync::Error::WrongKey { .. })
    ));
    // The untouched file still restores.
    std::fs::write(empty.path().join("good.xlbak"), &original).unwrap();
    backup::restore(&empty.path().join("good.xlbak"), &pc.key, &database, &mut |_, _, _| {}).unwrap();
}

#[test]
fn photos_the_county_lacks_travel_in_the_backup_and_come_back_with_it() {
    use xianglin_sync::attachments::{self, AttachmentStore};
    let pc = Pc::new(6);
    let photos = AttachmentStore::sealed(pc.directory.path().join(attachments::FOLDER), pc.key.clone());
    let (sent_png, unsent_png) = (crate::support::png(64, 48), crate::support::png(40, 30));
    let (sent, unsent) = (photos.put(&sent_png).unwrap(), photos.put(&unsent_png).unwrap());
    // A photo picked for a form that was dropped: no record refers to it.
    photos.put(&crate::support::png(8, 8)).unwrap();
    {
        let mut replica = pc.open();
        replica.set_clock(Clock::Fixed(now()));
        let elder = store_elder(&mut replica, elder(&mut Rng::new(6), VILLAGE)).unwrap();
        let mut visit = crate::support::visit(&elder, now(), xianglin_schema::visit::Severity::Normal);
        visit.photos.insert(sent.sha256.clone(), sent.clone());
        visit.photos.insert(unsent.sha256.clone(), unsent.clone());
        xianglin_domain::patrol::store_visit(&mut replica, visit).unwrap();
        xianglin_sync::server_state::mark_uploaded(&replica, std::slice::from_ref(&sent.sha256)).unwrap();
    }
    let made = backup::write(&pc.database(), &pc.key, &pc.keyring, &pc.folder(), now(), Reason::Daily, &mut |_, _| {})
        .unwrap();
    let carried: Vec<&str> = made.header.attachments.iter().map(|attachment| attachment.sha256.as_str()).collect();
    assert_eq!(carried, [unsent.sha256.as_str()], "only what the county lacks, and only what a record refers to");
    let bytes = std::fs::read(&made.path).unwrap();
    let in_clear = |needle: &[u8]| bytes.windows(needle.len()).any(|window| window == needle);
    assert!(!in_clear(&unsent_png[..64]), "the photo travels sealed");

    // An empty PC gets the photo back with the replica, sealed under the backup's key.
    let empty = scratch();
    let database = empty.path().join("xianglin.sqlite");
    backup::restore(&made.path, &pc.key, &database, &mut |_, _, _| {}).unwrap();
    let restored = AttachmentStore::sealed(empty.path().join(attachments::FOLDER), pc.key.clone());
    assert_eq!(restored.get(&unsent.sha256).unwrap(), unsent_png);
    assert!(!restored.contains(&sent.sha256), "the county's copy is fetched again at the next sync");

    // A byte of the photo changed: the restore is refused and leaves nothing, photos included.
    let elsewhere = scratch();
    let mut damaged = bytes.clone();
    // The last byte is the photo's (the last file the backup carries).
    let at = damaged.len() - 1;
    damaged[at] ^= 0x40;
    let path = elsewhere.path().join("damaged.xlbak");
    std::fs::write(&path, &damaged).unwrap();
    let target = elsewhere.path().join("pc");
    std::fs::create_dir(&target).unwrap();
    let refused = backup::restore(&path, &pc.key, &target.join("xianglin.sqlite"), &mut |_, _, _| {});
    assert!(matches!(refused, Err(BackupError::Damaged { .. })), "{refused:?}");
    let photos_left = AttachmentStore::new(target.join(attachments::FOLDER)).list().unwrap();
    assert!(photos_left.is_empty(), "{photos_left:?}");
    assert!(!target.join("xianglin.sqlite").exists());
}

#[test]
fn a_backup_of_the_previous_format_still_restores_and_one_of_a_newer_format_is_refused() {
    let pc = Pc::new(7);
    let made = backup::write(&pc.database(), &pc.key, &pc.keyring, &pc.folder(), now(), Reason::Daily, &mut |_, _| {})
        .unwrap();
    assert!(made.header.attachments.is_empty());
    let bytes = std::fs::read(&made.path).unwrap();
    let header_end = 12 + u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[12..header_end]).unwrap();
    // The same file as the previous version wrote it: format 1, no attachments after the database.
    let with_header = |edit: &dyn Fn(&mut serde_json::Map<String, serde_json::Value>)| {
        let mut header = header.as_object().unwrap().clone();
        edit(&mut header);
        let json = serde_json::to_vec(&header).unwrap();
        let mut file = bytes[..8].to_vec();
        file.extend_from_slice(&(json.len() as u32).to_le_bytes());
        file.extend_from_slice(&json);
        file.extend_from_slice(&bytes[header_end..]);
        file
    };
    let directory = scratch();
    let old = directory.path().join("old.xlbak");
    std::fs::write(
        &old,
        with_header(&|header| {
            header.insert("format".into(), 1.into());
            header.remove("attachments");
        }),
    )
    .unwrap();
    let database = directory.path().join("pc").join("xianglin.sqlite");
    std::fs::create_dir(database.parent().unwrap()).unwrap();
    backup::restore(&old, &pc.key, &database, &mut |_, _, _| {}).unwrap();
    assert!(contents(&Replica::open_encrypted(&database, &pc.key).unwrap()) == contents(&pc.open()));

    let newer = directory.path().join("newer.xlbak");
    std::fs::write(
        &newer,
        with_header(&|header| {
            header.insert("format".into(), 3.into());
        }),
    )
    .unwrap();
    assert!(matches!(backup::read_header(&newer), Err(BackupError::TooNew { found: 3, .. })));
}

#[test]
fn daily_backups_are_due_after_a_day_and_old_ones_go_but_the_newest_stay() {
    let pc = Pc::new(5);
    let device_id = pc.open().device_id();
    let folder = pc.folder();
    assert!(backup::due(&folder, &device_id, now(), backup::DAILY).unwrap(), "no backup yet");
    let day = |days: i64| now() + chrono::Duration::days(days);
    for days in [0, 1, 2, 40, 41, 80] {
        backup::write(&pc.database(), &pc.key, &pc.keyring, &folder, day(days), Reason::Daily, &mut |_, _| {}).unwrap();
    }
    assert!(!backup::due(&folder, &device_id, day(80) + chrono::Duration::hours(23), backup::DAILY).unwrap());
    assert!(backup::due(&folder, &device_id, day(81), backup::DAILY).unwrap());
    // Another PC's backup on the same stick is not this PC's to prune.
    let other = Pc::new(6);
    backup::write(&other.database(), &other.key, &other.keyring, &folder, day(0), Reason::Daily, &mut |_, _| {})
        .unwrap();

    let removed = backup::prune(&folder, &device_id, day(80), backup::KEEP_DAYS, backup::KEEP_AT_LEAST).unwrap();
    let left: Vec<_> = backup::list(&folder).unwrap().iter().map(|backup| backup.header.created_at).collect();
    assert_eq!(removed, 3, "days 0, 1 and 2 are older than 30 days and not among the newest three");
    assert_eq!(left, [day(80), day(41), day(40), day(0)], "the newest three, and the other PC's");
    // Long offline: only the newest three are left, however old.
    backup::prune(&folder, &device_id, day(400), backup::KEEP_DAYS, backup::KEEP_AT_LEAST).unwrap();
    assert_eq!(backup::list(&folder).unwrap().len(), 4);
}

#[test]
fn the_newest_backup_reaches_the_stick_once_whenever_it_is_plugged_in_and_old_copies_there_go() {
    let pc = Pc::new(7);
    let device_id = pc.open().device_id();
    let folder = pc.folder();
    let stick = tempfile::tempdir().unwrap();
    let day = |days: i64| now() + chrono::Duration::days(days);
    assert_eq!(backup::mirror_newest(&folder, stick.path(), &device_id, day(0)).unwrap(), None, "nothing to copy");
    // Another PC's backup already on the stick stays whatever happens.
    let other = Pc::new(8);
    let theirs = backup::write(
        &other.database(),
        &other.key,
        &other.keyring,
        stick.path(),
        day(-100),
        Reason::Daily,
        &mut |_, _| {},
    )
    .unwrap();
    for days in 0..40 {
        backup::write(&pc.database(), &pc.key, &pc.keyring, &folder, day(days), Reason::Daily, &mut |_, _| {}).unwrap();
        // Plugged in only every tenth day: that day's backup goes on it then.
        if days % 10 == 9 {
            let copied = backup::mirror_newest(&folder, stick.path(), &device_id, day(days)).unwrap().unwrap();
            assert_eq!(backup::read_header(&copied).unwrap().header.created_at, day(days));
            assert_eq!(backup::mirror_newest(&folder, stick.path(), &device_id, day(days)).unwrap(), None, "once");
        }
    }
    let on_stick: Vec<_> = backup::list(stick.path()).unwrap().iter().map(|backup| backup.header.created_at).collect();
    assert_eq!(on_stick, [day(39), day(29), day(19), day(9), day(-100)], "this PC's newest, and the other PC's");
    assert!(theirs.path.exists());
    backup::write(&pc.database(), &pc.key, &pc.keyring, &folder, day(80), Reason::Daily, &mut |_, _| {}).unwrap();
    backup::mirror_newest(&folder, stick.path(), &device_id, day(80)).unwrap();
    let on_stick: Vec<_> = backup::list(stick.path()).unwrap().iter().map(|backup| backup.header.created_at).collect();
    assert_eq!(
        on_stick,
        [day(80), day(39), day(29), day(-100)],
        "older than 30 days and not among the newest three: gone"
    );
}

/// The child of the kill tests: makes one backup (`CHILD_FOLDER`) or restores one
/// (`CHILD_RESTORE`), printing each restore step as it begins and, if asked, waiting there.
#[test]
#[ignore = "run by the kill -9 tests of this module as a child process"]
fn backup_child_process() {
    let Some(database) = std::env::var_os(CHILD_DATABASE) else { return };
    let database = PathBuf::from(database);
    let key = Key::read_file(Path::new(&std::env::var_os(CHILD_KEY).unwrap())).unwrap();
    if let Some(folder) = std::env::var_os(CHILD_FOLDER) {
        let keyring = Keyring::load(database.parent().unwrap()).unwrap().unwrap();
        backup::write(&database, &key, &keyring, Path::new(&folder), now(), Reason::Daily, &mut |_, _| {}).unwrap();
    } else {
        let from = PathBuf::from(std::env::var_os(CHILD_RESTORE).unwrap());
        let pause = std::env::var_os(PAUSE_AT_STEPS).is_some();
        let mut stdin = std::io::stdin().lock();
        let mut last = None;
        backup::restore(&from, &key, &database, &mut |step, _, _| {
            if last == Some(step) {
                return;
            }
            last = Some(step);
            println!("step {step:?}");
            std::io::stdout().flush().unwrap();
            if pause {
                stdin.read_line(&mut String::new()).unwrap();
            }
        })
        .unwrap();
    }
    println!("done");
}

fn child(environment: &[(&str, &Path)], pause: bool) -> std::process::Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["backup::backup_child_process", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (name, value) in environment {
        command.env(name, value);
    }
    if pause {
        command.env(PAUSE_AT_STEPS, "1");
    }
    command.spawn().unwrap()
}

#[test]
fn a_backup_killed_at_any_moment_leaves_the_replica_and_every_earlier_backup_whole() {
    let pc = Pc::new(7);
    let expected = contents(&pc.open());
    let first = backup::write(
        &pc.database(),
        &pc.key,
        &pc.keyring,
        &pc.folder(),
        now() - chrono::Duration::days(1),
        Reason::Daily,
        &mut |_, _| {},
    )
    .unwrap();
    let first_bytes = std::fs::read(&first.path).unwrap();
    let (database, key_file, folder) = (pc.database(), pc.key_file(), pc.folder());
    let spawn = || child(&[(CHILD_DATABASE, &database), (CHILD_KEY, &key_file), (CHILD_FOLDER, &folder)], false);
    kill_at_random_moments(
        6,
        11,
        || {
            // Each run starts from the first backup alone (a run that finished leaves a second).
            for backup in backup::list(&folder).unwrap().into_iter().filter(|backup| backup.path != first.path) {
                std::fs::remove_file(backup.path).unwrap();
            }
        },
        spawn,
        |what| {
            // Every file that looks like a backup is a whole one; the first is untouched.
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|extension| extension == backup::EXTENSION)
                    && !path.file_name().unwrap().to_str().unwrap().starts_with('.')
                {
                    backup::read_header(&path).unwrap_or_else(|error| panic!("killed {what}: {error}"));
                }
            }
            assert_eq!(std::fs::read(&first.path).unwrap(), first_bytes, "killed {what}: the earlier backup changed");
            assert!(contents(&pc.open()) == expected, "killed {what}: the replica changed");
            // The next backup clears what the killed one left.
            let next =
                backup::write(&database, &pc.key, &pc.keyring, &folder, now(), Reason::Daily, &mut |_, _| {}).unwrap();
            let hidden = std::fs::read_dir(&folder)
                .unwrap()
                .filter(|entry| entry.as_ref().unwrap().file_name().to_str().unwrap().starts_with('.'))
                .count();
            assert_eq!(hidden, 0, "killed {what}: partial files left after the next backup");
            std::fs::remove_file(next.path).unwrap();
        },
    );
}

#[test]
fn a_restore_killed_at_any_step_or_moment_leaves_the_old_replica_or_the_restored_one_never_a_mix() {
    // The PC's backup, then a day's more work on it; restoring brings the backup's state back.
    let pc = Pc::new(8);
    let at_backup = contents(&pc.open());
    let made = backup::write(&pc.database(), &pc.key, &pc.keyring, &pc.folder(), now(), Reason::Daily, &mut |_, _| {})
        .unwrap();
    {
        let mut replica = pc.open();
        replica.set_clock(Clock::Fixed(now()));
        store_elder(&mut replica, elder(&mut Rng::new(12), VILLAGE)).unwrap();
    }
    let database = pc.database();
    let before_restore = database.with_extension("sqlite.before-restore");
    let pristine = scratch();
    for file in ["xianglin.sqlite", "keyring.json"] {
        std::fs::copy(pc.directory.path().join(file), pristine.path().join(file)).unwrap();
    }
    let later = contents(&pc.open());
    assert_ne!(later, at_backup);
    let reset = || {
        for entry in std::fs::read_dir(pc.directory.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() && path.file_name().unwrap() != "test.key" {
                std::fs::remove_file(path).unwrap();
            }
        }
        for file in ["xianglin.sqlite", "keyring.json"] {
            std::fs::copy(pristine.path().join(file), pc.directory.path().join(file)).unwrap();
        }
    };
    // After a kill, the next start finishes or discards the restore: the replica is either the
    // later one, untouched, or the backup's with the later one kept aside.
    let check = |what: &str| {
        backup::finish_restore(&database).unwrap();
        let now_holds = contents(&pc.open());
        if now_holds == later {
            assert!(!before_restore.exists(), "killed {what}: a replica set aside though none was restored");
        } else {
            assert!(now_holds == at_backup, "killed {what}: the replica is neither the old one nor the backup's");
            let aside = Replica::open_encrypted(&before_restore, &pc.key).unwrap();
            assert!(contents(&aside) == later, "killed {what}: the replaced replica was not kept whole");
        }
        assert!(Keyring::load(pc.directory.path()).unwrap().is_some(), "killed {what}: no keyring");
        for staged in ["xianglin.sqlite.restoring", "xianglin.sqlite.restored", "keyring.json.restored"] {
            assert!(!pc.directory.path().join(staged).exists(), "killed {what}: {staged} left");
        }
    };
    let key_file = pc.key_file();
    let spawn =
        |pause: bool| child(&[(CHILD_DATABASE, &database), (CHILD_KEY, &key_file), (CHILD_RESTORE, &made.path)], pause);

    // Killed at the start of each step (the child waits there).
    for stop_at in ["Copying", "Committing", "TakingNames"] {
        reset();
        kill_at_step(spawn(true), stop_at);
        check(&format!("at {stop_at}"));
    }
    kill_at_random_moments(6, 13, reset, || spawn(false), check);
}

#[test]
fn a_replica_of_an_older_schema_is_backed_up_before_it_is_migrated_and_only_then() {
    let pc = Pc::new(10);
    let known = xianglin_schema::MIGRATIONS.last().unwrap().0;
    let folder = pc.folder();
    let before = |at| backup::before_migration(&pc.database(), &pc.key, &pc.keyring, &folder, at).unwrap();
    assert!(before(now()).is_none(), "a replica of this version needs no migration");
    {
        // As an earlier version left it: the schema one migration behind.
        let replica = pc.open();
        replica.connection().pragma_update(None, "user_version", known - 1).unwrap();
    }
    let made = before(now()).expect("a backup before migrating");
    assert_eq!((made.header.reason, made.header.schema_version), (Reason::Migration, known - 1));
    assert!(
        backup::before_migration(&scratch().path().join("none.sqlite"), &pc.key, &pc.keyring, &folder, now())
            .unwrap()
            .is_none()
    );
}
