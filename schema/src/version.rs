//! Which app wrote what, and which apps a county still takes edits from: this build's version,
//! the county's minimum (a record of the county document) and how two versions compare.

use serde::{Deserialize, Serialize};

use crate::record::RecordMeta;

/// This build's version (the workspace's, which the app, the server and the protocol share).
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The county document's record holding [`MinAppVersion`].
pub const MIN_APP_VERSION_KEY: &str = "app/min_version";

/// The oldest app version whose edits the county server takes (record
/// [`MIN_APP_VERSION_KEY`]); an older app keeps its edits until it is updated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinAppVersion {
    pub version: String,
    pub meta: RecordMeta,
}

/// `major.minor.patch` as numbers; a missing part is 0, anything else (a pre-release tail,
/// letters) ends the version. `None` when not even the major part is a number.
pub fn parse(version: &str) -> Option<(u32, u32, u32)> {
    let mut parts = version.trim().trim_start_matches('v').split('.').map(|part| {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        digits.parse::<u32>().ok()
    });
    let major = parts.next().flatten()?;
    Some((major, parts.next().flatten().unwrap_or(0), parts.next().flatten().unwrap_or(0)))
}

/// Whether `version` is `minimum` or newer. An app that says no version (one from before
/// versions were sent) is older than any minimum.
pub fn at_least(version: &str, minimum: &str) -> bool {
    match (parse(version), parse(minimum)) {
        (Some(version), Some(minimum)) => version >= minimum,
        (None, Some(_)) => false,
        (_, None) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_their_numbers() {
        assert!(at_least("0.10.0", "0.9.3"), "numbers, not text");
        assert!(at_least("1.2.3", "1.2.3"));
        assert!(!at_least("1.2.2", "1.2.3"));
        assert!(at_least("v2", "1.9.9"));
        assert!(!at_least("", "0.1.0"), "no version: older than any minimum");
        assert!(at_least("0.1.0", "not a version"), "a minimum that is not one refuses nobody");
        assert_eq!(parse("1.4.0-beta.2"), Some((1, 4, 0)));
        assert_eq!(parse(APP_VERSION).map(|_| ()), Some(()));
    }
}
