//! The app itself: whether it has data, the people and places to pick from, a file it wrote.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::place::{PlaceLevel, PlaceSummary};
use crate::user::Role;

/// Whether this computer has data yet, and of which county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppStatus {
    pub has_data: bool,
    pub county: Option<PlaceSummary>,
    pub townships: u32,
    pub villages: u32,
    pub elders: u32,
    pub data_dir: String,
    /// This device's automerge actor id (hex).
    pub device_id: String,
    /// Who is signed in (`None` before enrollment).
    pub user: Option<UserOption>,
    /// Whether this is the built-in demo county, where anyone of it may be signed in to try
    /// their part.
    pub demo: bool,
}

/// Someone who works in the county, as a picker shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UserOption {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The places they work for, named (a few, then how many more).
    pub places: String,
}

/// A place with the places below it, for pickers; `elders` counts active elders within.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlaceNode {
    pub code: String,
    pub name: String,
    pub level: PlaceLevel,
    pub elders: u32,
    pub children: Vec<PlaceNode>,
}

/// The password a saved file with personal data is locked with (a roster, a printed register,
/// a case file, a settlement, the city export's zip): Excel, WPS, PDF viewers and zip tools ask
/// for it to open the file. At least
/// the county policy's minimum password length. Its `Debug` never shows it.
/// In TypeScript it is a plain `string` (each field says so: `#[ts(type = "string")]`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FilePassword(pub String);

impl std::fmt::Debug for FilePassword {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("FilePassword(..)")
    }
}

/// Where a file the app wrote was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SavedFile {
    pub path: String,
}
