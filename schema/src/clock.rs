//! Where "now" and "today" come from, for the whole workspace: the system's local clock, or a
//! fixed time (tests, benchmarks, the demo generator). Every read of the wall clock that decides
//! a date a user sees goes through [`Clock`]; the scenario test `architecture::one_clock` fails
//! on any other `Local::now`, `Utc::now` or `SystemTime::now` without a comment saying why.
//!
//! Local time without a zone: a county lives in one zone (China Standard Time), and records
//! carry their local wall time as people wrote it on paper.

use chrono::{NaiveDate, NaiveDateTime};

/// The source of "now": the system's clock, or a fixed time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    System,
    Fixed(NaiveDateTime),
}

impl Clock {
    /// The local time now.
    pub fn now(self) -> NaiveDateTime {
        match self {
            Clock::System => chrono::Local::now().naive_local(),
            Clock::Fixed(at) => at,
        }
    }

    pub fn today(self) -> NaiveDate {
        self.now().date()
    }
}

/// The system's local time now: for code with no replica at hand (the county server, the CLI,
/// the sync engine's status lines).
pub fn now() -> NaiveDateTime {
    Clock::System.now()
}

/// The system's local date today.
pub fn today() -> NaiveDate {
    Clock::System.today()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_stays_where_it_was_set() {
        let at = NaiveDate::from_ymd_opt(2028, 2, 29).unwrap().and_hms_opt(23, 59, 0).unwrap();
        assert_eq!(Clock::Fixed(at).now(), at);
        assert_eq!(Clock::Fixed(at).today(), at.date());
    }

    #[test]
    fn the_system_clock_moves_forward() {
        let before = Clock::System.now();
        assert!(Clock::System.now() >= before);
        assert_eq!(Clock::System.today(), Clock::System.now().date());
    }
}
