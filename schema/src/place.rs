//! Places: 统计用区划代码 (12 digits: 省2 地2 县2 乡3 村3) with the vintage year of the list.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::problem::{Problem, Rule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PlaceLevel {
    Province,
    City,
    County,
    Township,
    Village,
}

/// A place as published in the national list of a given year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Place {
    /// The 12-digit code (shorter published codes are right-padded with zeros).
    pub code: String,
    pub name: String,
    pub level: PlaceLevel,
    /// The 12-digit code of the place above, if any.
    pub parent_code: Option<String>,
    /// Year of the code list this code comes from; codes are renumbered between years.
    pub vintage: u16,
}

/// A place's code, name and level, for headers and pickers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlaceSummary {
    pub code: String,
    pub name: String,
    pub level: PlaceLevel,
}

/// The real places of 会昌县, the county this build ships with (2023 codes; source and licence
/// in `data/README.md`).
const HUICHANG_CSV: &str = include_str!("../data/huichang-places-2023.csv");

/// The places of 会昌县, parents before children.
pub fn huichang() -> Vec<Place> {
    HUICHANG_CSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split(',');
            let (code, name, level, parent) = (fields.next()?, fields.next()?, fields.next()?, fields.next()?);
            let level = match level {
                "city" => PlaceLevel::City,
                "county" => PlaceLevel::County,
                "township" => PlaceLevel::Township,
                "village" => PlaceLevel::Village,
                _ => return None,
            };
            Some(Place {
                code: pad_code(code),
                name: name.trim_matches('"').to_owned(),
                level,
                parent_code: Some(pad_code(parent)),
                vintage: 2023,
            })
        })
        .collect()
}

/// Pads a published code (2, 4, 6, 9 or 12 digits) to 12 digits.
pub fn pad_code(code: &str) -> String {
    format!("{code:0<12}")
}

/// The level a well-formed 12-digit code denotes.
pub fn level_of(code: &str) -> Option<PlaceLevel> {
    if code.len() != 12 || !code.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    Some(if &code[2..] == "0000000000" {
        PlaceLevel::Province
    } else if &code[4..] == "00000000" {
        PlaceLevel::City
    } else if &code[6..] == "000000" {
        PlaceLevel::County
    } else if &code[9..] == "000" {
        PlaceLevel::Township
    } else {
        PlaceLevel::Village
    })
}

/// The 6-digit county part of a code (the first six digits).
pub fn county_part(code: &str) -> &str {
    &code[..6.min(code.len())]
}

/// Checks that `code` is a 12-digit code of the expected level.
pub fn validate_code(field: &str, label: &str, code: &str, expected: PlaceLevel) -> Option<Problem> {
    (level_of(code) != Some(expected)).then(|| Problem::new(field, label, Rule::PlaceCode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_code_segments() {
        assert_eq!(level_of("360000000000"), Some(PlaceLevel::Province));
        assert_eq!(level_of("360700000000"), Some(PlaceLevel::City));
        assert_eq!(level_of("360733000000"), Some(PlaceLevel::County));
        assert_eq!(level_of("360733100000"), Some(PlaceLevel::Township));
        assert_eq!(level_of("360733100201"), Some(PlaceLevel::Village));
        assert_eq!(level_of("3607331002"), None);
        assert_eq!(level_of("36073310020X"), None);
    }

    #[test]
    fn short_codes_are_padded() {
        assert_eq!(pad_code("360733"), "360733000000");
    }

    #[test]
    fn village_code_of_wrong_level_is_a_problem() {
        let problem = validate_code("village_code", "所在村", "360733100000", PlaceLevel::Village).unwrap();
        assert_eq!(problem.rule, Rule::PlaceCode);
        assert!(problem.message.contains("所在村"));
    }
}
