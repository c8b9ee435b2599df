//! Checks shared by several record families: phone numbers and dates.

use chrono::NaiveDate;

use crate::problem::{Problem, Rule};

/// Tidies an optional phone number (spaces and dashes inside a mobile number are dropped) and
/// records a problem if it is neither a mainland mobile nor a fixed-line number.
pub fn optional_phone(field: &str, label: &str, phone: Option<String>, problems: &mut Vec<Problem>) -> Option<String> {
    let phone = phone.map(|phone| crate::text::plain(&phone)).filter(|phone| !phone.is_empty())?;
    match tidy_phone(&phone) {
        Some(tidy) => Some(tidy),
        None => {
            problems.push(Problem::new(field, label, Rule::Phone));
            Some(phone)
        }
    }
}

/// A mobile number as 11 digits, or a fixed-line number as `区号-号码`; `None` if neither. Read
/// as typed with a Chinese input method ([`crate::text::plain`]).
pub fn tidy_phone(phone: &str) -> Option<String> {
    let phone = crate::text::plain(phone);
    let digits: String = phone.chars().filter(|character| !matches!(character, ' ' | '-')).collect();
    let digits = digits.strip_prefix("+86").unwrap_or(&digits);
    if !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let bytes = digits.as_bytes();
    if bytes.len() == 11 && bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1]) {
        return Some(digits.to_owned());
    }
    // Fixed line: 区号 (010 and 02x have three digits, all others four) and a 7 or 8 digit
    // number; or a local number alone.
    if bytes.first() == Some(&b'0') {
        let area_length = if matches!(bytes.get(1), Some(b'1' | b'2')) { 3 } else { 4 };
        let rest = bytes.len().saturating_sub(area_length);
        return (7..=8).contains(&rest).then(|| format!("{}-{}", &digits[..area_length], &digits[area_length..]));
    }
    ((7..=8).contains(&bytes.len()) && bytes[0] != b'1').then(|| digits.to_owned())
}

/// Parses `YYYY-MM-DD`, recording a problem for `field` if it is not a real date.
pub fn date(field: &str, label: &str, text: &str, problems: &mut Vec<Problem>) -> Option<NaiveDate> {
    let parsed = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
    if parsed.is_none() {
        problems.push(Problem::new(field, label, Rule::Date));
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_and_fixed_line_numbers_are_accepted_and_tidied() {
        assert_eq!(tidy_phone("138-0013-8000").as_deref(), Some("13800138000"));
        assert_eq!(tidy_phone("+86 13800138000").as_deref(), Some("13800138000"));
        assert_eq!(tidy_phone("0797-5621234").as_deref(), Some("0797-5621234"));
        assert_eq!(tidy_phone("07975621234").as_deref(), Some("0797-5621234"));
        assert_eq!(tidy_phone("010-62751234").as_deref(), Some("010-62751234"));
        assert_eq!(tidy_phone("5621234").as_deref(), Some("5621234"));
        assert_eq!(tidy_phone("１３８－００１３－８０００").as_deref(), Some("13800138000"));
        assert_eq!(tidy_phone("\u{3000}0797\u{200B}5621234").as_deref(), Some("0797-5621234"));
    }

    #[test]
    fn malformed_phone_numbers_are_refused() {
        for bad in ["12345", "12800138000", "1380013800a", "138001380001", "0797-12"] {
            assert_eq!(tidy_phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn impossible_dates_are_reported_with_the_field() {
        let mut problems = Vec::new();
        assert_eq!(date("visited_on", "探访日期", "2026-02-30", &mut problems), None);
        assert_eq!(problems[0].message, "探访日期不是有效日期（应为 年-月-日）");
    }
}
