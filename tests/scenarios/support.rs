//! Shared helpers: fixed clocks, a replica holding the small demo county, sample records.

use chrono::{NaiveDate, NaiveDateTime};
use xianglin_sync::Replica;
use xianglin_sync::demo::{self, DemoOptions, DemoSize};
use xianglin_sync::replica::Clock;

/// The day the scenarios pretend it is.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

pub fn now() -> NaiveDateTime {
    today().and_hms_opt(16, 0, 0).unwrap()
}

pub fn small_demo_options(seed: u64) -> DemoOptions {
    DemoOptions { size: DemoSize::Small, seed, today: today() }
}

/// An in-memory replica holding the small demo county, with the clock fixed at [`now`].
pub fn small_demo_replica(seed: u64) -> Replica {
    let mut replica = Replica::open_in_memory().unwrap();
    replica.set_clock(Clock::Fixed(now()));
    demo::generate(&mut replica, &small_demo_options(seed)).unwrap();
    replica
}

/// A scratch directory for one test, removed when dropped.
pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}
