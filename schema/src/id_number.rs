//! 公民身份号码 (GB 11643-1999): parsing, check character, 15→18 conversion, masking.
//!
//! The 6-digit address code is deliberately not checked against today's place list:
//! codes get renumbered, and a person keeps the number they were issued.

use chrono::{Datelike, NaiveDate};

use crate::problem::Rule;
use crate::record::Gender;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A valid 18-character ID number with what it tells about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber {
    /// The normalized number: 18 characters, upper-case `X`.
    pub number: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
}

pub use crate::problem::EARLIEST_BIRTH_YEAR;

/// Parses an 18-digit number (or a legacy 15-digit one, converted) checked against `today`.
///
/// The number is read as typed with a Chinese input method ([`crate::text::plain`]: full-width
/// digits and `Ｘ`, the ideographic space, zero-width characters), and a lower-case `x` is
/// accepted. A wrong length is judged in characters, not bytes.
pub fn parse(input: &str, today: NaiveDate) -> Result<IdNumber, Rule> {
    let trimmed = crate::text::plain(input).to_ascii_uppercase();
    if !trimmed.is_ascii() {
        return Err(if matches!(trimmed.chars().count(), 15 | 18) {
            Rule::IdNumberCharacters
        } else {
            Rule::IdNumberLength
        });
    }
    let number = match trimmed.len() {
        18 => trimmed,
        15 => {
            if !trimmed.bytes().all(|byte| byte.is_ascii_digit()) {
                return Err(Rule::IdNumberCharacters);
            }
            upgrade_15(&trimmed)
        }
        _ => return Err(Rule::IdNumberLength),
    };
    let bytes = number.as_bytes();
    if !bytes[..17].iter().all(u8::is_ascii_digit) || !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
        return Err(Rule::IdNumberCharacters);
    }
    let birth_date = NaiveDate::parse_from_str(&number[6..14], "%Y%m%d").map_err(|_| Rule::IdNumberBirthDate)?;
    if birth_date.year() < EARLIEST_BIRTH_YEAR {
        return Err(Rule::IdNumberBirthTooEarly);
    }
    if birth_date > today {
        return Err(Rule::IdNumberFutureBirth);
    }
    if check_character(&number[..17]) != bytes[17] as char {
        return Err(Rule::IdNumberCheckCharacter);
    }
    let sequence_digit = bytes[16] - b'0';
    let gender = if sequence_digit % 2 == 1 { Gender::Male } else { Gender::Female };
    Ok(IdNumber { number, birth_date, gender })
}

/// The check character of the first 17 digits (ISO 7064 MOD 11-2).
///
/// # Panics
/// If `first17` is not 17 ASCII digits.
pub fn check_character(first17: &str) -> char {
    assert!(first17.len() == 17 && first17.bytes().all(|byte| byte.is_ascii_digit()));
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(byte, weight)| u32::from(byte - b'0') * weight).sum();
    CHECK_CHARACTERS[(sum % 11) as usize]
}

/// Converts a legacy 15-digit number (YYMMDD, 19xx births) to its 18-character form.
fn upgrade_15(number15: &str) -> String {
    let first17 = format!("{}19{}", &number15[..6], &number15[6..]);
    let check = check_character(&first17);
    format!("{first17}{check}")
}

/// The number as lists show it: first four and last four characters, the rest starred.
///
/// Anything that is not a full 18-character number is starred whole but for its last two
/// characters, so that a malformed legacy entry never leaks either.
pub fn mask(number: &str) -> String {
    let characters: Vec<char> = number.chars().collect();
    if characters.len() == 18 {
        let head: String = characters[..4].iter().collect();
        let tail: String = characters[14..].iter().collect();
        format!("{head}**********{tail}")
    } else {
        let keep = characters.len().saturating_sub(2);
        let tail: String = characters[keep..].iter().collect();
        format!("{}{tail}", "*".repeat(keep))
    }
}

/// Builds a valid number from its parts; the demo county and tests use it.
pub fn compose(address_code: &str, birth_date: NaiveDate, sequence: u16, gender: Gender) -> String {
    let mut sequence = sequence % 1000;
    let wants_odd = gender == Gender::Male;
    if (sequence % 2 == 1) != wants_odd {
        sequence = if sequence == 999 { 998 } else { sequence + 1 };
    }
    let first17 = format!("{address_code}{}{sequence:03}", birth_date.format("%Y%m%d"));
    let check = check_character(&first17);
    format!("{first17}{check}")
}

/// Age in whole years on `on`.
pub fn age_on(birth_date: NaiveDate, on: NaiveDate) -> u32 {
    let mut age = on.year() - birth_date.year();
    if (on.month(), on.day()) < (birth_date.month(), birth_date.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn published_samples_are_valid_and_tell_birth_date_and_gender() {
        let first = parse("11010519491231002X", today()).unwrap();
        assert_eq!(first.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(first.gender, Gender::Female);
        let second = parse("440524188001010014", today()).unwrap();
        assert_eq!(second.birth_date, NaiveDate::from_ymd_opt(1880, 1, 1).unwrap());
        assert_eq!(second.gender, Gender::Male);
    }

    #[test]
    fn lower_case_x_and_surrounding_spaces_are_accepted() {
        assert_eq!(parse(" 11010519491231002x ", today()).unwrap().number, "11010519491231002X");
    }

    #[test]
    fn a_number_typed_with_a_chinese_input_method_is_read() {
        assert_eq!(parse("１１０１０５１９４９１２３１００２Ｘ", today()).unwrap().number, "11010519491231002X");
        assert_eq!(parse("１１０１０５１９４９１２３１００２ｘ", today()).unwrap().number, "11010519491231002X");
        assert_eq!(parse("\u{3000}110105\u{200B}19491231002X\u{FEFF}", today()).unwrap().number, "11010519491231002X");
        assert_eq!(parse("１１０１０５４９１２３１００２", today()).unwrap().number, "11010519491231002X");
    }

    #[test]
    fn full_width_characters_that_are_not_digits_are_named_as_characters() {
        assert_eq!(parse("１１０１０５１９４９１２３１００２Ｙ", today()), Err(Rule::IdNumberCharacters));
        assert_eq!(parse("１１０１０５１９４９１２３１００２号", today()), Err(Rule::IdNumberCharacters));
        assert_eq!(parse("１１０１０５", today()), Err(Rule::IdNumberLength));
    }

    #[test]
    fn a_birth_year_before_1880_is_named_as_too_early() {
        let number = compose("110105", NaiveDate::from_ymd_opt(1879, 1, 1).unwrap(), 1, Gender::Male);
        assert_eq!(parse(&number, today()), Err(Rule::IdNumberBirthTooEarly));
        assert_eq!(Rule::IdNumberBirthTooEarly.message("身份证号"), "身份证号中的出生年份早于最早接受的1880年，请核对");
    }

    #[test]
    fn id_number_with_wrong_check_character_is_rejected() {
        assert_eq!(parse("110105194912310021", today()), Err(Rule::IdNumberCheckCharacter));
    }

    #[test]
    fn impossible_birth_date_is_rejected() {
        let first17 = "36073319490230001";
        let number = format!("{first17}{}", check_character(first17));
        assert_eq!(parse(&number, today()), Err(Rule::IdNumberBirthDate));
    }

    #[test]
    fn birth_date_after_today_is_rejected() {
        let number = compose("360733", NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(), 11, Gender::Male);
        assert_eq!(parse(&number, today()), Err(Rule::IdNumberFutureBirth));
    }

    #[test]
    fn wrong_length_and_letters_are_rejected() {
        assert_eq!(parse("12345", today()), Err(Rule::IdNumberLength));
        assert_eq!(parse("1101051949123100AX", today()), Err(Rule::IdNumberCharacters));
        assert_eq!(parse("11010549123100A", today()), Err(Rule::IdNumberCharacters));
    }

    #[test]
    fn fifteen_digit_number_is_converted_to_eighteen() {
        let parsed = parse("110105491231002", today()).unwrap();
        assert_eq!(parsed.number, "11010519491231002X");
        assert_eq!(parsed.gender, Gender::Female);
    }

    #[test]
    fn unknown_address_code_is_not_rejected() {
        let number = compose("999999", NaiveDate::from_ymd_opt(1950, 5, 6).unwrap(), 123, Gender::Male);
        assert!(parse(&number, today()).is_ok());
    }

    #[test]
    fn composed_numbers_carry_the_requested_gender() {
        let birth = NaiveDate::from_ymd_opt(1940, 2, 29).unwrap();
        for sequence in [0, 1, 998, 999] {
            for gender in [Gender::Male, Gender::Female] {
                let parsed = parse(&compose("360733", birth, sequence, gender), today()).unwrap();
                assert_eq!(parsed.gender, gender);
            }
        }
    }

    #[test]
    fn masked_number_shows_only_first_and_last_four() {
        assert_eq!(mask("11010519491231002X"), "1101**********002X");
        assert_eq!(mask("123"), "*23");
    }

    #[test]
    fn age_counts_whole_years() {
        let birth = NaiveDate::from_ymd_opt(1946, 11, 24).unwrap();
        assert_eq!(age_on(birth, today()), 79);
        assert_eq!(age_on(birth, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()), 80);
    }
}
