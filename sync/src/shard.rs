//! Shards: which automerge document holds a record.
//!
//! Documents are cut by place and month so that each stays under a few thousand records and a
//! device loads only what it works on: `elders/<village>`, `visits/<village>/<YYYY-MM>`,
//! `meals/<point>/<YYYY-MM>`, `adaptation/<case>`, `county/<county>`.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::Error;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ShardId {
    Elders { village: String },
    Visits { village: String, month: Month },
    Meals { point: String, month: Month },
    Adaptation { case: String },
    County { county: String },
}

/// A calendar month, `YYYY-MM` in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn of(date: NaiveDate) -> Month {
        Month { year: date.year(), month: date.month() }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("month is valid")
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { year: self.year, month: self.month + 1 }
        }
    }

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month { year: self.year - 1, month: 12 }
        } else {
            Month { year: self.year, month: self.month - 1 }
        }
    }

    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("month has a last day")
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = ();

    fn from_str(text: &str) -> Result<Month, ()> {
        let (year, month) = text.split_once('-').ok_or(())?;
        let (year, month) = (year.parse().map_err(|_| ())?, month.parse().map_err(|_| ())?);
        (text.len() == 7 && (1..=12).contains(&month)).then_some(Month { year, month }).ok_or(())
    }
}

/// What kind of records a shard holds; the projection uses it to pick tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShardKind {
    Elders,
    Visits,
    Meals,
    Adaptation,
    County,
}

impl ShardKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ShardKind::Elders => "elders",
            ShardKind::Visits => "visits",
            ShardKind::Meals => "meals",
            ShardKind::Adaptation => "adaptation",
            ShardKind::County => "county",
        }
    }
}

impl ShardId {
    pub fn kind(&self) -> ShardKind {
        match self {
            ShardId::Elders { .. } => ShardKind::Elders,
            ShardId::Visits { .. } => ShardKind::Visits,
            ShardId::Meals { .. } => ShardKind::Meals,
            ShardId::Adaptation { .. } => ShardKind::Adaptation,
            ShardId::County { .. } => ShardKind::County,
        }
    }

    pub fn elders(village: &str) -> ShardId {
        ShardId::Elders { village: village.to_owned() }
    }

    pub fn visits(village: &str, date: NaiveDate) -> ShardId {
        ShardId::Visits { village: village.to_owned(), month: Month::of(date) }
    }

    pub fn meals(point: &str, date: NaiveDate) -> ShardId {
        ShardId::Meals { point: point.to_owned(), month: Month::of(date) }
    }

    pub fn county(county: &str) -> ShardId {
        ShardId::County { county: county.to_owned() }
    }
}

impl fmt::Display for ShardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShardId::Elders { village } => write!(f, "elders/{village}"),
            ShardId::Visits { village, month } => write!(f, "visits/{village}/{month}"),
            ShardId::Meals { point, month } => write!(f, "meals/{point}/{month}"),
            ShardId::Adaptation { case } => write!(f, "adaptation/{case}"),
            ShardId::County { county } => write!(f, "county/{county}"),
        }
    }
}

impl FromStr for ShardId {
    type Err = Error;

    fn from_str(text: &str) -> Result<ShardId, Error> {
        let bad = || Error::BadShardId(text.to_owned());
        let parts: Vec<&str> = text.split('/').collect();
        let name = |part: &str| (!part.is_empty()).then(|| part.to_owned()).ok_or_else(bad);
        match parts.as_slice() {
            ["elders", village] => Ok(ShardId::Elders { village: name(village)? }),
            ["visits", village, month] => {
                Ok(ShardId::Visits { village: name(village)?, month: month.parse().map_err(|_| bad())? })
            }
            ["meals", point, month] => {
                Ok(ShardId::Meals { point: name(point)?, month: month.parse().map_err(|_| bad())? })
            }
            ["adaptation", case] => Ok(ShardId::Adaptation { case: name(case)? }),
            ["county", county] => Ok(ShardId::County { county: name(county)? }),
            _ => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ids_round_trip_through_text() {
        for text in [
            "elders/360733100201",
            "visits/360733100201/2026-11",
            "meals/0190f0c2-aaaa/2026-01",
            "adaptation/0190f0c2-bbbb",
            "county/360733000000",
        ] {
            assert_eq!(text.parse::<ShardId>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn malformed_shard_ids_are_refused() {
        for text in ["", "elders", "elders/", "visits/360733100201/2026-13", "visits/x/2026-1", "people/1"] {
            assert!(text.parse::<ShardId>().is_err(), "{text}");
        }
    }

    #[test]
    fn months_step_across_years() {
        let december = Month { year: 2025, month: 12 };
        assert_eq!(december.next().to_string(), "2026-01");
        assert_eq!(december.next().previous(), december);
        assert_eq!(december.last_day(), NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
    }
}
