//! The app releases a county offers its stations: packages an admin adds with
//! `xianglin-county release add`, each checked against the update key the apps are built with
//! before it is kept, stored by SHA-256 (`<sha256>.deb` and its offer, `<sha256>.json`) in a
//! folder beside the attachments. The newest release for a device's architecture that is newer
//! than its app rides on every sync answer; devices download it from `GET /v1/releases/<sha256>`
//! (resumable, with `Range`) or find it inside their USB answer file.

use std::io::Write;
use std::path::{Path, PathBuf};

use xianglin_schema::version;
use xianglin_sync::release::{self, ReleaseError, ReleaseOffer};

/// The largest offer file read.
const MAX_OFFER_BYTES: u64 = 16 << 10;

/// The release folder of one county server.
#[derive(Debug, Clone)]
pub struct Releases {
    root: PathBuf,
    /// The offers as last read, by the folder's file names then: every sync asks for the
    /// newest, and a release's files never change once named by its hash, so they are parsed
    /// again only when the names change.
    read: std::sync::Arc<std::sync::Mutex<(Vec<String>, Vec<ReleaseOffer>)>>,
}

impl Releases {
    pub fn new(root: impl Into<PathBuf>) -> Releases {
        Releases { root: root.into(), read: std::sync::Arc::default() }
    }

    /// Checks `package` against `signature` (a `.sig` or `.minisig` file's bytes) and `key`,
    /// and keeps it. The version is the one the signature vouches for, and must be the one in
    /// the package's name (`xianglin_<version>_<arch>.deb`). Adding the same package again
    /// changes nothing.
    pub fn add(
        &self,
        package: &Path,
        signature: &[u8],
        key: &minisign_verify::PublicKey,
    ) -> Result<ReleaseOffer, ReleaseError> {
        let file_name = package.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let (named, arch) = release::parse_file_name(&file_name)?;
        let signature = release::signature_text(signature)?;
        let checked = release::check_file(key, package, &signature)?;
        if checked.version != named {
            return Err(ReleaseError::WrongVersion { signed: checked.version, said: named });
        }
        let offer = ReleaseOffer {
            version: checked.version,
            arch,
            file_name,
            bytes: checked.bytes,
            sha256: checked.sha256,
            signature,
        };
        std::fs::create_dir_all(&self.root)?;
        let kept = self.root.join(format!("{}.deb", offer.sha256));
        let partial = self.root.join(format!(".{}.deb.partial", offer.sha256));
        std::fs::copy(package, &partial)?;
        std::fs::File::open(&partial)?.sync_all()?;
        // The copy is what devices get: read it back through the same checks.
        let copied = release::check_file(key, &partial, &offer.signature)?;
        if copied.sha256 != offer.sha256 {
            let _ = std::fs::remove_file(&partial);
            return Err(ReleaseError::WrongHash);
        }
        std::fs::rename(&partial, &kept)?;
        let description = self.root.join(format!("{}.json", offer.sha256));
        let temporary = self.root.join(format!(".{}.json.partial", offer.sha256));
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(&serde_json::to_vec_pretty(&offer).expect("an offer serializes"))?;
        file.sync_all()?;
        std::fs::rename(&temporary, &description)?;
        Ok(offer)
    }

    /// Every release kept, oldest version first. Offers whose package is missing, and files
    /// that are not offers, are passed over.
    pub fn list(&self) -> Vec<ReleaseOffer> {
        let Ok(entries) = std::fs::read_dir(&self.root) else { return Vec::new() };
        let mut names: Vec<String> =
            entries.filter_map(|entry| Some(entry.ok()?.file_name().to_str()?.to_owned())).collect();
        names.sort();
        let mut read = self.read.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if read.0 != names {
            let offers = self.read_offers(&names);
            *read = (names, offers);
        }
        read.1.clone()
    }

    fn read_offers(&self, names: &[String]) -> Vec<ReleaseOffer> {
        let mut offers: Vec<ReleaseOffer> = names
            .iter()
            .filter_map(|name| {
                let path = self.root.join(name);
                let stem = path.file_stem()?.to_str()?;
                if path.extension()? != "json" || !release::is_sha256(stem) {
                    return None;
                }
                if std::fs::metadata(&path).ok()?.len() > MAX_OFFER_BYTES {
                    return None;
                }
                let offer: ReleaseOffer = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
                (offer.sha256 == stem && self.package(&offer.sha256).is_some()).then_some(offer)
            })
            .collect();
        offers.sort_by_key(|offer| version::parse(&offer.version));
        offers
    }

    /// The newest release for `arch` that is newer than `app_version` (none for an app that
    /// says no architecture: apps older than releases).
    pub fn newest_for(&self, arch: &str, app_version: &str) -> Option<ReleaseOffer> {
        if arch.is_empty() {
            return None;
        }
        self.list().into_iter().rfind(|offer| offer.arch == arch && !version::at_least(app_version, &offer.version))
    }

    /// The kept package named by its SHA-256.
    pub fn package(&self, sha256: &str) -> Option<PathBuf> {
        if !release::is_sha256(sha256) {
            return None;
        }
        let path = self.root.join(format!("{sha256}.deb"));
        path.is_file().then_some(path)
    }
}

/// The update public key from the config's `release_key`: the key itself (as
/// `cargo tauri signer generate` prints it, or minisign's `.pub` text), or the path of its file.
pub fn key_from_config(value: &str) -> Result<minisign_verify::PublicKey, ReleaseError> {
    let path = Path::new(value.trim());
    if path.is_absolute() && path.is_file() {
        let text = std::fs::read(path)?;
        if text.len() > release::MAX_SIGNATURE_BYTES {
            return Err(ReleaseError::BadKey("the key file is too long".into()));
        }
        return release::public_key(&String::from_utf8_lossy(&text));
    }
    release::public_key(value)
}
