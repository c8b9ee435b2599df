//! The command API: what the app's commands take and return (requests, rows, pages), one file
//! per area, mirroring `src-tauri/src/commands/<area>.rs` and `ui/src/api/<area>.ts`. These are
//! wire types (serde + ts-rs) and a boundary: the UI's TypeScript is generated from them.
//! Every type is also re-exported here, so callers write `api::ElderPage`.

pub mod access;
pub mod adaptation;
pub mod app;
pub mod attachments;
pub mod backup;
pub mod conflicts;
pub mod duplicates;
pub mod elders;
pub mod fleet;
pub mod meals;
pub mod review;
pub mod roster;
pub mod session;
pub mod sync;
pub mod update;
pub mod visits;

pub use access::*;
pub use adaptation::*;
pub use app::*;
pub use attachments::*;
pub use backup::*;
pub use conflicts::*;
pub use duplicates::*;
pub use elders::*;
pub use fleet::*;
pub use meals::*;
pub use review::*;
pub use roster::*;
pub use session::*;
pub use sync::*;
pub use update::*;
pub use visits::*;
