//! Search keys for Chinese names: full pinyin and initials, so that "zhangjianguo",
//! "zhangjg" or "zjg" all find 张建国.
//!
//! Surnames with a reading of their own (曾 zeng, 单 shan, 解 xie, ...) are read as surnames;
//! characters without a reading (Latin letters, digits) are kept as they are, lower-cased.

use pinyin::ToPinyin;

/// Surname readings that differ from the character's common reading.
const SURNAME_READINGS: [(char, &str); 14] = [
    ('曾', "zeng"),
    ('单', "shan"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('朴', "piao"),
    ('区', "ou"),
    ('查', "zha"),
    ('覃', "qin"),
    ('翟', "zhai"),
    ('盖', "ge"),
    ('乐', "yue"),
    ('缪', "miao"),
    ('长', "chang"),
    ('尉', "yu"),
];

/// The pinyin keys of a name: full (`zhangjianguo`) and initials (`zjg`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKeys {
    pub full: String,
    pub initials: String,
}

pub fn name_keys(name: &str) -> NameKeys {
    let mut full = String::new();
    let mut initials = String::new();
    for (index, character) in
        name.chars().filter(|character| !character.is_whitespace() && *character != '·').enumerate()
    {
        let surname =
            (index == 0).then(|| SURNAME_READINGS.iter().find(|(surname, _)| *surname == character)).flatten();
        let reading = match surname {
            Some((_, reading)) => Some(*reading),
            None => character.to_pinyin().map(|pinyin| pinyin.plain()),
        };
        match reading {
            Some(reading) => {
                full.push_str(reading);
                initials.push_str(&reading[..1]);
            }
            None => {
                for lower in character.to_lowercase() {
                    full.push(lower);
                    initials.push(lower);
                }
            }
        }
    }
    NameKeys { full, initials }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_pinyin_and_initials_of_a_common_name() {
        assert_eq!(name_keys("张建国"), NameKeys { full: "zhangjianguo".into(), initials: "zjg".into() });
    }

    #[test]
    fn surname_heteronyms_are_read_as_surnames() {
        assert_eq!(name_keys("曾小红").initials, "zxh");
        assert_eq!(name_keys("单田芳").full, "shantianfang");
    }

    #[test]
    fn rare_characters_and_latin_letters_do_not_break_the_keys() {
        let keys = name_keys("李A 䶮");
        assert!(keys.full.starts_with("lia"));
        assert!(keys.initials.starts_with("la"));
    }
}
