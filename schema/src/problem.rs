//! Validation problems: what is wrong with which field, worded in Chinese from one table.
//!
//! Validators return every problem they find (`Vec<Problem>`) so that a form can mark all
//! bad fields at once. The `rule` is data; `message` is derived from it by [`Rule::message`].

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The earliest birth year an ID number may carry: nobody born before it is alive, so such a
/// number is a typing error ([`Rule::IdNumberBirthTooEarly`] says so, with the year).
pub const EARLIEST_BIRTH_YEAR: i32 = 1880;

/// One thing wrong with one field of a record or request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Problem {
    /// The field's key as it appears in the record (`id_number`, `life.date`, ...).
    pub field: String,
    /// Which rule the value broke.
    pub rule: Rule,
    /// The rule worded in Chinese with the field's Chinese name, ready to show.
    pub message: String,
}

/// The rules a value can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Required,
    TooLong,
    IdNumberLength,
    IdNumberCharacters,
    IdNumberCheckCharacter,
    IdNumberBirthDate,
    IdNumberBirthTooEarly,
    IdNumberFutureBirth,
    PlaceCode,
    PlaceUnknown,
    Date,
    DateInFuture,
    DateBeforeBirth,
    DateOrder,
    Phone,
    Amount,
    /// Concurrent edits of a field disagree, or a value clashes with a record already there.
    Conflicts,
    OutOfRange,
    /// The signed-in user's role may not do this (e.g. only a county reviewer approves).
    NotPermitted,
    /// The record's state does not allow this now (a locked month, an archived case).
    NotAllowedNow,
    /// A file of a kind the app does not take.
    FileType,
}

impl Rule {
    /// The Chinese wording of this rule, for a field whose Chinese name is `label`.
    pub fn message(self, label: &str) -> String {
        match self {
            Rule::Required => format!("请填写{label}"),
            Rule::TooLong => format!("{label}过长"),
            Rule::IdNumberLength => format!("{label}应为18位（或旧版15位）"),
            Rule::IdNumberCharacters => format!("{label}只能包含数字，最后一位可以是X"),
            Rule::IdNumberCheckCharacter => format!("{label}校验位不正确，请核对"),
            Rule::IdNumberBirthDate => format!("{label}中的出生日期不存在"),
            Rule::IdNumberBirthTooEarly => {
                format!("{label}中的出生年份早于最早接受的{}年，请核对", EARLIEST_BIRTH_YEAR)
            }
            Rule::IdNumberFutureBirth => format!("{label}中的出生日期晚于今天"),
            Rule::PlaceCode => format!("{label}应为12位统计用区划代码"),
            Rule::PlaceUnknown => format!("{label}不在本县的区划中"),
            Rule::Date => format!("{label}不是有效日期（应为 年-月-日）"),
            Rule::DateInFuture => format!("{label}不能晚于今天"),
            Rule::DateBeforeBirth => format!("{label}不能早于出生日期"),
            Rule::DateOrder => format!("{label}早于开始日期"),
            Rule::Phone => format!("{label}不是有效的手机或固定电话号码"),
            Rule::Amount => format!("{label}不能为负数"),
            Rule::Conflicts => format!("{label}与已有记录冲突"),
            Rule::OutOfRange => format!("{label}超出范围"),
            Rule::NotPermitted => format!("当前用户无权办理{label}"),
            Rule::NotAllowedNow => format!("{label}当前不能办理"),
            Rule::FileType => format!("{label}的文件类型不受支持"),
        }
    }
}

impl Problem {
    /// A problem with `field` (named `label` in Chinese) breaking `rule`.
    pub fn new(field: impl Into<String>, label: &str, rule: Rule) -> Problem {
        Problem { field: field.into(), rule, message: rule.message(label) }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Joins problems into one line for an error message.
pub fn describe(problems: &[Problem]) -> String {
    problems.iter().map(|problem| problem.message.as_str()).collect::<Vec<_>>().join("；")
}
