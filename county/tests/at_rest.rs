//! The real `xianglin-county` keeps nothing personal readable on disk. A database of an older
//! version, plain, holding the demo township (and a plain photo beside it), is encrypted at the
//! server's first start; a device enrolls and pushes an elder; afterwards no file in the
//! server's folder (database, log, shared memory, attachments, key, config, and the server's
//! own log at debug level) holds any of the demo's names, ID numbers or phones, where the same
//! scan found them all in the plain database. A database whose key is missing or wrong is
//! refused and left as it was; a key rotation interrupted midway is finished by running it
//! again, and then only the new key opens anything.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::{BINARY, VILLAGE, admin, enroll, free_port, serve_logging_to, support_elder};
use xianglin_demo::{DemoOptions, DemoSize, Rng};
use xianglin_domain::registry::store_elder;
use xianglin_sync::Replica;
use xianglin_sync::attachments::AttachmentStore;

/// What the scan looks for: every elder's name, ID number and phone.
#[derive(Debug, Default)]
struct Needles {
    names: BTreeSet<String>,
    id_numbers: BTreeSet<String>,
    phones: BTreeSet<String>,
}

impl Needles {
    fn of(replica: &Replica) -> Needles {
        let mut needles = Needles::default();
        let mut statement = replica.connection().prepare("SELECT name, id_number, phone FROM elders").unwrap();
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, Option<String>>(2)?))
            })
            .unwrap();
        for row in rows {
            let (name, id_number, phone) = row.unwrap();
            needles.names.insert(name);
            needles.id_numbers.insert(id_number);
            needles.phones.extend(phone.filter(|phone| !phone.is_empty()));
        }
        needles
    }

    /// The needles found in `bytes`, as `strings` would: runs of digits (ID numbers end in X
    /// too; a landline has a dash) and runs of Chinese characters, each searched for every needle.
    fn found_in(&self, bytes: &[u8]) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        for run in
            bytes.split(|byte| !(byte.is_ascii_digit() || *byte == b'X' || *byte == b'-')).filter(|run| run.len() >= 11)
        {
            let run = std::str::from_utf8(run).unwrap();
            for needle in self.id_numbers.iter().chain(&self.phones) {
                if run.contains(needle.as_str()) {
                    found.insert(needle.clone());
                }
            }
        }
        for run in chinese_runs(bytes).into_iter().filter(|run| run.chars().count() >= 2) {
            for name in &self.names {
                if run.contains(name.as_str()) {
                    found.insert(name.clone());
                }
            }
        }
        found
    }

    fn count(&self) -> usize {
        self.names.len() + self.id_numbers.len() + self.phones.len()
    }
}

/// Maximal runs of CJK characters in UTF-8 anywhere in `bytes`.
fn chinese_runs(bytes: &[u8]) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut index = 0;
    while index < bytes.len() {
        let decoded = bytes.get(index..index + 3).and_then(|three| std::str::from_utf8(three).ok());
        match decoded.and_then(|text| text.chars().next()).filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)) {
            Some(character) => {
                current.push(character);
                index += 3;
            }
            None => {
                if !current.is_empty() {
                    runs.push(std::mem::take(&mut current));
                }
                index += 1;
            }
        }
    }
    runs.extend((!current.is_empty()).then_some(current));
    runs
}

/// A small real picture.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]))
        .write_to(&mut bytes, image::ImageFormat::Png)
        .unwrap();
    bytes.into_inner()
}

/// Every file under `folder`, recursively.
fn files_under(folder: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_encrypts_an_older_plain_database_and_writes_nothing_personal_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("county.sqlite");
    let needles = {
        let mut replica = Replica::open(&database).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        xianglin_demo::generate(&mut replica, &DemoOptions { size: DemoSize::Small, seed: 1, today }).unwrap();
        replica.set_user("county-server").unwrap();
        Needles::of(&replica)
    };
    let plain = std::fs::read(&database).unwrap();
    let in_plain = needles.found_in(&plain);
    assert!(needles.count() > 500, "the demo's names, ID numbers and phones: {}", needles.count());
    assert_eq!(in_plain.len(), needles.count(), "the scan finds every one of them in the plain database");
    let photo = AttachmentStore::new(database.with_extension("attachments")).put(&png(4, 3)).unwrap();

    let config = dir.path().join("county.toml");
    std::fs::write(&config, format!("database = {:?}\n", database.display().to_string())).unwrap();
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
    let server = serve_logging_to(&config, port, log.into()).await;
    let printed = admin(&config, &["code", "--role", "caseworker", "--places", VILLAGE, "--name", "刘芳"]);
    let code = printed.lines().find_map(|line| line.strip_prefix("code ")).unwrap().to_owned();
    let url = format!("http://127.0.0.1:{port}");
    let device = enroll(&url, &code).await;
    device.link.sync(&device.replica).await.unwrap();
    let mut pushed = support_elder(&mut Rng::new(3));
    pushed.name = "欧阳春兰".into();
    pushed.phone = Some("13907970123".into());
    let pushed = store_elder(&mut device.replica.lock().unwrap(), pushed).unwrap();
    device.link.sync(&device.replica).await.unwrap();
    // While it serves, the key does not rotate beneath it and no second server starts.
    for args in [&["rotate-key"][..], &["serve"][..]] {
        let output = Command::new(BINARY)
            .arg("--config")
            .arg(&config)
            .args(args)
            .env("XIANGLIN_COUNTY_LISTEN", format!("127.0.0.1:{}", free_port()))
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?} ran beside the server");
        assert!(String::from_utf8_lossy(&output.stderr).contains("stop the server first"), "{args:?}");
    }
    assert!(!dir.path().join("county.key.new").exists(), "the refused rotation made no key");
    drop(server);
    let needles = Needles {
        names: needles.names.into_iter().chain([pushed.name.clone()]).collect(),
        id_numbers: needles.id_numbers.into_iter().chain([pushed.id_number.clone()]).collect(),
        phones: needles.phones.into_iter().chain(pushed.phone.clone()).collect(),
    };

    let files = files_under(dir.path());
    let mut scanned = 0;
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        scanned += bytes.len();
        let found = needles.found_in(&bytes);
        assert!(found.is_empty(), "{} holds {} of them, e.g. {:?}", file.display(), found.len(), found.first());
    }
    let names: Vec<String> =
        files.iter().map(|file| file.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(names.contains(&"county.sqlite".to_owned()) && names.contains(&"server.log".to_owned()), "{names:?}");
    assert!(scanned > plain.len() / 2, "the encrypted database was scanned ({scanned} bytes)");
    let stored_photo =
        std::fs::read(database.with_extension("attachments").join(&photo.sha256[..2]).join(&photo.sha256));
    assert!(xianglin_sync::crypto::is_sealed(&stored_photo.unwrap()), "the older version's photo is sealed");

    // The pushed elder is in the encrypted database, readable with the key.
    let mut store = common::open_store(&config);
    let shard = xianglin_sync::ShardId::Elders { village: VILLAGE.into() };
    assert!(!xianglin_county::ChangeStore::heads(&mut store, &shard).unwrap().is_empty());

    // Without its key, or with another, the database is refused and left exactly as it was.
    drop(store);
    let before = std::fs::read(&database).unwrap();
    let key_file = dir.path().join("county.key");
    std::fs::rename(&key_file, dir.path().join("kept-apart.key")).unwrap();
    let run = |env: &[(&str, String)]| {
        let mut command = Command::new(BINARY);
        command.arg("--config").arg(&config).arg("devices");
        for (name, value) in env {
            command.env(name, value);
        }
        let output = command.output().unwrap();
        assert!(!output.status.success());
        String::from_utf8(output.stderr).unwrap()
    };
    assert!(run(&[]).contains("its key file"), "missing key explained");
    assert!(!key_file.exists(), "no new key is made for an encrypted database");
    assert!(run(&[("XIANGLIN_COUNTY_KEY", "00".repeat(32))]).contains("cannot be opened with this key"));
    assert_eq!(std::fs::read(&database).unwrap(), before, "the database is untouched");
    std::fs::rename(dir.path().join("kept-apart.key"), &key_file).unwrap();

    // Rotation, interrupted after it made the new key: the server refuses to start until it is
    // run again, which finishes it. Then only the new key opens the data, the photo included.
    let old_key = std::fs::read_to_string(&key_file).unwrap();
    let pending = xianglin_sync::crypto::Key::create_file(&dir.path().join("county.key.new")).unwrap();
    assert!(run(&[]).contains("rotate-key"), "an unfinished rotation is named");
    let printed = admin(&config, &["rotate-key"]);
    assert!(printed.contains(&pending.fingerprint()) && printed.contains("attachments re-sealed: 1"), "{printed}");
    assert_eq!(std::fs::read_to_string(dir.path().join("county.key.retired")).unwrap(), old_key);
    assert!(!dir.path().join("county.key.new").exists());
    admin(&config, &["devices"]);
    assert!(run(&[("XIANGLIN_COUNTY_KEY", old_key.trim().to_owned())]).contains("cannot be opened with this key"));
    let photos = AttachmentStore::sealed(database.with_extension("attachments"), pending);
    assert_eq!(photos.get(&photo.sha256).unwrap(), png(4, 3));
}
