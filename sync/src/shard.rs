//! Shards: which automerge document holds a record.
//!
//! Documents are cut by place and month so that each stays under a few thousand records and a
//! device loads only what it works on: `elders/<village>`, `visits/<village>/<YYYY-MM>`,
//! `township/<township>` (meal points and their diners), `meals/<township>/<point>/<YYYY-MM>`
//! (meals, the month's settlement and adjustments), `adaptation/<village>/<case>`,
//! `review/<township>` (the county's decisions on the township's settlements and cases: written
//! only by the county), `county/<county>`.
//!
//! Every id names the place its records belong to, so who may read or write a shard follows
//! from the id alone, even for a shard the county has never seen (a case opened offline).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::Error;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ShardId {
    Elders { village: String },
    Visits { village: String, month: Month },
    Township { township: String },
    Meals { township: String, point: String, month: Month },
    Adaptation { village: String, case: String },
    Review { township: String },
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
    Township,
    Meals,
    Adaptation,
    Review,
    County,
}

impl ShardKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ShardKind::Elders => "elders",
            ShardKind::Visits => "visits",
            ShardKind::Township => "township",
            ShardKind::Meals => "meals",
            ShardKind::Adaptation => "adaptation",
            ShardKind::Review => "review",
            ShardKind::County => "county",
        }
    }
}

impl ShardId {
    pub fn kind(&self) -> ShardKind {
        match self {
            ShardId::Elders { .. } => ShardKind::Elders,
            ShardId::Visits { .. } => ShardKind::Visits,
            ShardId::Township { .. } => ShardKind::Township,
            ShardId::Meals { .. } => ShardKind::Meals,
            ShardId::Adaptation { .. } => ShardKind::Adaptation,
            ShardId::Review { .. } => ShardKind::Review,
            ShardId::County { .. } => ShardKind::County,
        }
    }

    pub fn elders(village: &str) -> ShardId {
        ShardId::Elders { village: village.to_owned() }
    }

    pub fn visits(village: &str, date: NaiveDate) -> ShardId {
        ShardId::Visits { village: village.to_owned(), month: Month::of(date) }
    }

    pub fn township(township: &str) -> ShardId {
        ShardId::Township { township: township.to_owned() }
    }

    pub fn meals(township: &str, point: &str, month: Month) -> ShardId {
        ShardId::Meals { township: township.to_owned(), point: point.to_owned(), month }
    }

    pub fn adaptation(village: &str, case: &str) -> ShardId {
        ShardId::Adaptation { village: village.to_owned(), case: case.to_owned() }
    }

    pub fn review(township: &str) -> ShardId {
        ShardId::Review { township: township.to_owned() }
    }

    /// The place whose records the shard holds: a village, a township or the county.
    pub fn place(&self) -> &str {
        match self {
            ShardId::Elders { village } | ShardId::Visits { village, .. } | ShardId::Adaptation { village, .. } => {
                village
            }
            ShardId::Township { township } | ShardId::Meals { township, .. } | ShardId::Review { township } => township,
            ShardId::County { county } => county,
        }
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
            ShardId::Township { township } => write!(f, "township/{township}"),
            ShardId::Meals { township, point, month } => write!(f, "meals/{township}/{point}/{month}"),
            ShardId::Adaptation { village, case } => write!(f, "adaptation/{village}/{case}"),
            ShardId::Review { township } => write!(f, "review/{township}"),
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
        // A place is a 12-digit code (统计用区划代码).
        let place = |part: &str| {
            (part.len() == 12 && part.bytes().all(|byte| byte.is_ascii_digit()))
                .then(|| part.to_owned())
                .ok_or_else(bad)
        };
        match parts.as_slice() {
            ["elders", village] => Ok(ShardId::Elders { village: name(village)? }),
            ["visits", village, month] => {
                Ok(ShardId::Visits { village: name(village)?, month: month.parse().map_err(|_| bad())? })
            }
            ["township", township] => Ok(ShardId::Township { township: place(township)? }),
            ["meals", township, point, month] => Ok(ShardId::Meals {
                township: place(township)?,
                point: name(point)?,
                month: month.parse().map_err(|_| bad())?,
            }),
            ["adaptation", village, case] => Ok(ShardId::Adaptation { village: place(village)?, case: name(case)? }),
            ["review", township] => Ok(ShardId::Review { township: place(township)? }),
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
            "township/360733100000",
            "meals/360733100000/0190f0c2-aaaa/2026-01",
            "adaptation/360733100201/0190f0c2-bbbb",
            "review/360733100000",
            "county/360733000000",
        ] {
            assert_eq!(text.parse::<ShardId>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn malformed_shard_ids_are_refused() {
        for text in [
            "",
            "elders",
            "elders/",
            "visits/360733100201/2026-13",
            "visits/x/2026-1",
            "people/1",
            "meals/p1/2026-01",
            "township/3607",
            "adaptation/case-1",
        ] {
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
