//! Updates from the county: a release signed with minisign (as `cargo tauri signer` signs) is
//! added to a county server in-process on 127.0.0.1, offered to a station at sync (and to an
//! app the county refuses as too old), downloaded with a resumable `Range`, carried in a USB
//! answer file; unsigned, altered, wrongly versioned or wrongly keyed packages are refused on
//! both sides and nothing of them is kept.

use std::path::{Path, PathBuf};

use xianglin_county::{self as server, DeviceStore};
use xianglin_demo::Rng;
use xianglin_schema::record::RecordMeta;
use xianglin_sync::client;
use xianglin_sync::release::{self, ReleaseError, ReleaseOffer, UpdateFolder};

use crate::support::now;
use crate::sync::{County, station_and_caseworker};

/// A signing key pair, as the vendor holds it, and the app's view of its public half.
struct Signer {
    keys: minisign::KeyPair,
}

impl Signer {
    fn new() -> Signer {
        Signer { keys: minisign::KeyPair::generate_unencrypted_keypair().unwrap() }
    }

    /// The public key as `minisign`'s `.pub` file holds it.
    fn public_text(&self) -> String {
        self.keys.pk.to_box().unwrap().into_string()
    }

    fn public(&self) -> minisign_verify::PublicKey {
        release::public_key(&self.public_text()).unwrap()
    }

    /// A signature as `cargo tauri signer sign --app-version` writes it (the trusted comment
    /// names the file and the version).
    fn sign(&self, bytes: &[u8], file: &str, version: &str) -> String {
        let comment = format!("timestamp:1796600000\tfile:{file}\tversion:{version}");
        minisign::sign(Some(&self.keys.pk), &self.keys.sk, std::io::Cursor::new(bytes), Some(&comment), None)
            .unwrap()
            .into_string()
    }
}

fn package_name(version: &str) -> String {
    format!("xianglin_{version}_{}.deb", release::this_arch())
}

/// A package's bytes (not a real .deb: what matters here is that every byte is vouched for).
fn package_bytes(rng: &mut Rng, length: usize) -> Vec<u8> {
    (0..length).map(|_| rng.next_u64() as u8).collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A package of `length` random bytes named for `version`, signed by `vendor` and added to the
/// county's releases; returns its bytes and the offer.
fn release(
    county: &County,
    dir: &Path,
    vendor: &Signer,
    rng: &mut Rng,
    version: &str,
    length: usize,
) -> (Vec<u8>, ReleaseOffer) {
    let name = package_name(version);
    let bytes = package_bytes(rng, length);
    let package = write(dir, &name, &bytes);
    let offer =
        releases_of(county).add(&package, vendor.sign(&bytes, &name, version).as_bytes(), &vendor.public()).unwrap();
    (bytes, offer)
}

fn releases_of(county: &County) -> server::Releases {
    server::Releases::new(county.database.with_extension("releases"))
}

/// The files in a folder (none when it does not exist).
fn files_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map(|entries| entries.map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn the_county_keeps_only_packages_whose_signature_vouches_for_every_byte_and_the_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(19);
    let vendor = Signer::new();
    let stranger = Signer::new();
    let releases = server::Releases::new(dir.path().join("releases"));
    let name = package_name("9.1.0");
    let bytes = package_bytes(&mut rng, 200_000);
    let signature = vendor.sign(&bytes, &name, "9.1.0");
    let incoming = dir.path().join("incoming");
    std::fs::create_dir_all(&incoming).unwrap();

    // Unsigned, altered, signed by another key, signed for another version, misnamed: refused.
    let package = write(&incoming, &name, &bytes);
    let refused = |path: &Path, signature: &[u8]| releases.add(path, signature, &vendor.public()).unwrap_err();
    assert!(matches!(refused(&package, b""), ReleaseError::BadSignature(_)));
    assert!(matches!(refused(&package, stranger.sign(&bytes, &name, "9.1.0").as_bytes()), ReleaseError::Mismatch));
    let mut altered = bytes.clone();
    altered[123_456] ^= 1;
    let altered_path = write(&incoming, &package_name("9.1.0"), &altered);
    assert!(matches!(refused(&altered_path, signature.as_bytes()), ReleaseError::Mismatch));
    std::fs::write(&package, &bytes).unwrap();
    let renamed = write(&incoming, &package_name("9.2.0"), &bytes);
    assert!(matches!(refused(&renamed, signature.as_bytes()), ReleaseError::WrongVersion { .. }));
    let misnamed = write(&incoming, "乡邻更新.deb", &bytes);
    assert!(matches!(refused(&misnamed, signature.as_bytes()), ReleaseError::BadName(_)));
    assert!(releases.list().is_empty(), "nothing of a refused package is kept");
    assert!(files_in(&dir.path().join("releases")).iter().all(|name| !name.ends_with(".deb")));

    // Signed right (as Tauri's signer writes it, base64-wrapped): kept, once.
    use base64::Engine;
    let wrapped = base64::engine::general_purpose::STANDARD.encode(&signature);
    let offer = releases.add(&package, wrapped.as_bytes(), &vendor.public()).unwrap();
    assert_eq!((offer.version.as_str(), offer.bytes), ("9.1.0", 200_000));
    releases.add(&package, signature.as_bytes(), &vendor.public()).unwrap();
    assert_eq!(releases.list(), vec![offer.clone()]);
    assert_eq!(std::fs::read(releases.package(&offer.sha256).unwrap()).unwrap(), bytes);

    // Offered to older apps of its architecture only; the newest wins.
    let newer_name = package_name("9.10.0");
    let newer_bytes = package_bytes(&mut rng, 1000);
    let newer_path = write(&incoming, &newer_name, &newer_bytes);
    let newer = releases
        .add(&newer_path, vendor.sign(&newer_bytes, &newer_name, "9.10.0").as_bytes(), &vendor.public())
        .unwrap();
    let arch = release::this_arch();
    assert_eq!(releases.newest_for(arch, "0.1.0"), Some(newer.clone()), "9.10 is newer than 9.1: numbers, not text");
    assert_eq!(releases.newest_for(arch, "9.10.0"), None);
    assert_eq!(releases.newest_for("riscv64", "0.1.0"), None);
    assert_eq!(releases.newest_for("", "0.1.0"), None, "an app from before releases names no architecture");
    assert_eq!(releases.package("../../etc/passwd"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_station_learns_of_a_release_at_sync_resumes_its_download_and_refuses_a_tampered_one() {
    let dir = tempfile::tempdir().unwrap();
    let (county, station, _caseworker) = station_and_caseworker(&dir).await;
    let mut rng = Rng::new(20);
    let vendor = Signer::new();
    let name = package_name("99.1.0");
    let bytes = package_bytes(&mut rng, 3 << 20);
    let package = write(dir.path(), &name, &bytes);
    let releases = releases_of(&county);

    // Nothing offered yet; then the county adds a release and the next sync says so.
    station.sync().await;
    assert_eq!(client::offered_release(&station.replica.lock().unwrap()).unwrap(), None);
    let offer = releases.add(&package, vendor.sign(&bytes, &name, "99.1.0").as_bytes(), &vendor.public()).unwrap();
    station.sync().await;
    let offered = client::offered_release(&station.replica.lock().unwrap()).unwrap().unwrap();
    assert_eq!(offered, offer);
    UpdateFolder::wanted(&offered, xianglin_schema::version::APP_VERSION).unwrap();

    // A link that broke after the first megabyte: the download asks for the rest only.
    let folder = UpdateFolder::new(dir.path().join("updates"));
    folder.append(&offer, 0, &bytes[..1 << 20]).unwrap();
    let mut reported = Vec::new();
    let path =
        station.link.download_release(&offer, &folder, &vendor.public(), |have, _| reported.push(have)).await.unwrap();
    assert_eq!(reported.first(), Some(&(1 << 20)), "resumed at the byte it had");
    assert_eq!(reported.last(), Some(&(3 << 20)));
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert_eq!(files_in(&dir.path().join("updates")), vec![name.clone()], "no partial left");

    // The server's Range answers, and a range past the end.
    let url = format!("{}/v1/releases/{}", county.url, offer.sha256);
    let http = reqwest::Client::new();
    let ranged = http.get(&url).bearer_auth(&station.token).header("range", "bytes=3145000-").send().await.unwrap();
    assert_eq!(ranged.status(), 206);
    assert_eq!(ranged.headers()["content-range"], "bytes 3145000-3145727/3145728");
    assert_eq!(ranged.bytes().await.unwrap(), bytes[3_145_000..]);
    for range in ["bytes=9999999-", "bytes=abc-", "bytes=5-10", "bytes=-5", &format!("bytes={}-", "9".repeat(400))] {
        let refused = http.get(&url).bearer_auth(&station.token).header("range", range).send().await.unwrap();
        assert_eq!(refused.status(), 416, "{range}");
    }
    let unknown = format!("{}/v1/releases/{}", county.url, "0".repeat(64));
    assert_eq!(http.get(&unknown).bearer_auth(&station.token).send().await.unwrap().status(), 404);
    let sideways = format!("{}/v1/releases/..%2F..%2Fcounty.sqlite", county.url);
    assert_eq!(http.get(&sideways).bearer_auth(&station.token).send().await.unwrap().status(), 404);
    let newest = format!("{}/v1/releases/newest/{}/0.1.0", county.url, "x".repeat(5000));
    let answer = http.get(&newest).bearer_auth(&station.token).send().await.unwrap();
    assert_eq!(answer.status(), 200, "an architecture nobody has: no offer");
    let nothing: Option<ReleaseOffer> =
        xianglin_sync::protocol::wire::decode(&answer.bytes().await.unwrap(), 4096).unwrap();
    assert_eq!(nothing, None);
    assert_eq!(http.get(&url).send().await.unwrap().status(), 401, "only enrolled devices download");

    // A partial download that went wrong (a byte flipped on the disk): refused whole, deleted,
    // and the next try fetches it all again.
    let other = UpdateFolder::new(dir.path().join("updates-2"));
    let mut spoiled = bytes[..2 << 20].to_vec();
    spoiled[77] ^= 0xff;
    other.append(&offer, 0, &spoiled).unwrap();
    let error = station.link.download_release(&offer, &other, &vendor.public(), |_, _| {}).await.unwrap_err();
    assert_eq!(error.code(), "bad_answer");
    assert!(other.ready(&offer).is_none());
    assert_eq!(files_in(&dir.path().join("updates-2")), Vec::<String>::new());
    let path = station.link.download_release(&offer, &other, &vendor.public(), |_, _| {}).await.unwrap();
    assert_eq!(std::fs::read(path).unwrap(), bytes);

    // The package altered on the server after it was added: every device refuses it.
    let kept = releases.package(&offer.sha256).unwrap();
    let mut altered = bytes.clone();
    altered[2_000_000] ^= 1;
    std::fs::write(&kept, &altered).unwrap();
    let third = UpdateFolder::new(dir.path().join("updates-3"));
    assert!(station.link.download_release(&offer, &third, &vendor.public(), |_, _| {}).await.is_err());
    assert!(third.ready(&offer).is_none());
    // So does a device that trusts another key.
    std::fs::write(&kept, &bytes).unwrap();
    let stranger = Signer::new();
    assert!(station.link.download_release(&offer, &third, &stranger.public(), |_, _| {}).await.is_err());
    assert_eq!(files_in(&dir.path().join("updates-3")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_app_refused_as_too_old_learns_of_the_release_and_its_edits_stay() {
    let dir = tempfile::tempdir().unwrap();
    let (county, station, _caseworker) = station_and_caseworker(&dir).await;
    let mut rng = Rng::new(21);
    let vendor = Signer::new();
    let (_, offer) = release(&county, dir.path(), &vendor, &mut rng, "99.2.0", 50_000);
    county.admin(|store| {
        let record = xianglin_schema::version::MinAppVersion {
            version: "99.0.0".into(),
            meta: RecordMeta::created(now(), "county-server"),
        };
        store
            .put_county_record(
                xianglin_schema::version::MIN_APP_VERSION_KEY,
                serde_json::to_value(record).unwrap(),
                now(),
            )
            .unwrap();
    });
    station.add_elder(&mut rng, crate::sync::VILLAGE_A);
    let refused = station.link.sync(&station.replica).await.unwrap_err();
    assert_eq!(refused.code(), "outdated");
    assert_eq!(client::waiting(&station.replica.lock().unwrap()).unwrap(), 1, "the edit waits on the PC");
    assert_eq!(station.link.newest_release().await.unwrap(), Some(offer));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_usb_answer_file_carries_the_release_to_a_station_without_a_network() {
    let dir = tempfile::tempdir().unwrap();
    let (county, station, _caseworker) = station_and_caseworker(&dir).await;
    let mut rng = Rng::new(22);
    let vendor = Signer::new();
    let (bytes, offer) = release(&county, dir.path(), &vendor, &mut rng, "99.3.0", 400_000);
    let releases = releases_of(&county);

    let bundle = client::bundle::export(&mut station.replica.lock().unwrap(), &station.token).unwrap();
    let (_, answer) = county.admin(|store| server::import_bundle(store, &releases, &bundle)).unwrap();
    let (_, carried) =
        client::bundle::import_answer(&mut station.replica.lock().unwrap(), &station.token, &answer).unwrap();
    assert_eq!(carried, bytes);
    let offered: ReleaseOffer = client::offered_release(&station.replica.lock().unwrap()).unwrap().unwrap();
    assert_eq!(offered, offer);
    let folder = UpdateFolder::new(dir.path().join("updates"));
    // A package that is not the one signed is refused, and nothing is kept.
    let mut altered = carried.clone();
    altered[0] ^= 1;
    assert!(folder.accept(&offered, &altered, &vendor.public()).is_err());
    assert_eq!(files_in(&dir.path().join("updates")), Vec::<String>::new());
    let path = folder.accept(&offered, &carried, &vendor.public()).unwrap();
    assert_eq!(std::fs::read(path).unwrap(), bytes);

    // An app already at that version is offered nothing.
    assert!(releases.newest_for(release::this_arch(), "99.3.0").is_none());
}
