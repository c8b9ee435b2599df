//! What a record is and what may be written: places, users and devices, elders (and the
//! county's duplicate decisions), the layout of exports to the city's platform, ability
//! assessments (GB/T 42195-2022), patrol visits, meals, home-adaptation cases (their workflow,
//! eligibility and plan caps); one check per record family, run before every write; county
//! policy as data; the command API ([`api`], one module per area); and the SQL migrations of the
//! local replica.
//!
//! **Architecture invariant:** nothing here touches storage or automerge. `xianglin-domain`
//! calls the checks here before it hands a record to the replica.
//!
//! **Boundary:** the types here are the wire format (serde) and the UI's TypeScript (ts-rs,
//! generated into `ui/src/bindings/`): change them deliberately.

pub mod access;
pub mod adaptation;
pub mod api;
pub mod assessment;
pub mod clock;
pub mod due;
pub mod duplicate;
pub mod elder;
pub mod export;
pub mod id_number;
pub mod meal;
pub mod money;
pub mod names;
pub mod place;
pub mod policy;
pub mod problem;
pub mod record;
pub mod text;
pub mod user;
pub mod validate;
pub mod version;
pub mod visit;

mod bindings;

pub use problem::{Problem, Rule};

/// The replica's SQL migrations, applied in order; never edited once landed.
pub const MIGRATIONS: &[(u32, &str, &str)] = &[
    (1, "replica", include_str!("../migrations/0001_replica.sql")),
    (2, "sync", include_str!("../migrations/0002_sync.sql")),
    (3, "attachment_sync", include_str!("../migrations/0003_attachment_sync.sql")),
    (4, "meals", include_str!("../migrations/0004_meals.sql")),
    (5, "adaptation", include_str!("../migrations/0005_adaptation.sql")),
    (6, "duplicates", include_str!("../migrations/0006_duplicates.sql")),
    (7, "dashboards", include_str!("../migrations/0007_dashboards.sql")),
    (8, "current_elders", include_str!("../migrations/0008_current_elders.sql")),
    (9, "offered_heads", include_str!("../migrations/0009_offered_heads.sql")),
    (10, "unreferenced_uploads", include_str!("../migrations/0010_unreferenced_uploads.sql")),
    (11, "access_log", include_str!("../migrations/0011_access_log.sql")),
    (12, "device_contact", include_str!("../migrations/0012_device_contact.sql")),
    (13, "device_health", include_str!("../migrations/0013_device_health.sql")),
    (14, "successors", include_str!("../migrations/0014_successors.sql")),
];
