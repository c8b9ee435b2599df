//! Money as people read it: amounts travel and are stored in 分 (integers) and are shown in 元.

/// 分 as 元 with thousands separators and two decimals, e.g. `215000` → `2,150.00`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let whole = (fen.abs() / 100).to_string();
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{:02}", fen.abs() % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_in_yuan_with_separators() {
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(215_000), "2,150.00");
        assert_eq!(yuan(123_456_789), "1,234,567.89");
        assert_eq!(yuan(-5), "-0.05");
    }
}
