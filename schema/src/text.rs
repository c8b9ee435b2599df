//! Text as people type it with a Chinese input method, made plain before it is checked:
//! full-width ASCII (０–９, Ａ–Ｚ, ａ–ｚ, －, ＋ …) becomes half-width, the ideographic space
//! becomes a space, and invisible characters (zero-width spaces and joiners, the byte-order mark,
//! soft hyphens) go. ID numbers, phones, place codes and searches pass through [`plain`]
//! before any rule looks at them (amounts are typed and read in the UI, `ui/src/utils/text.ts`).

/// `input` with full-width ASCII made half-width, the ideographic space made a space, invisible
/// characters removed, and the ends trimmed.
pub fn plain(input: &str) -> String {
    let converted: String = input
        .chars()
        .filter(|character| !is_invisible(*character))
        .map(|character| match character {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(character as u32 - 0xFF01 + 0x21).unwrap_or(character),
            _ => character,
        })
        .collect();
    converted.trim().to_owned()
}

/// Characters that take no space on screen, so that a number copied from a web page or a chat
/// carrying one looks right and yet fails every check.
fn is_invisible(character: char) -> bool {
    matches!(character, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{202A}'..='\u{202E}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_and_letters_become_half_width() {
        assert_eq!(plain("３６０７３３１９４６０３１５００１Ｘ"), "36073319460315001X");
        assert_eq!(plain("ｘ"), "x");
        assert_eq!(plain("１３８－００１３－８０００"), "138-0013-8000");
        assert_eq!(plain("＋８６"), "+86");
    }

    #[test]
    fn ideographic_spaces_and_invisible_characters_go() {
        assert_eq!(plain("\u{3000}张建国\u{3000}"), "张建国");
        assert_eq!(plain("3607\u{200B}33\u{FEFF}1946\u{200D}"), "3607331946");
        assert_eq!(plain("zjg\u{3000}"), "zjg");
    }

    #[test]
    fn chinese_characters_are_left_as_they_are() {
        assert_eq!(plain("会昌县白沙村"), "会昌县白沙村");
        // Full-width punctuation becomes ASCII: `plain` is meant for numbers, codes and searches.
        assert_eq!(plain("（一组）"), "(一组)");
    }
}
