//! A document's heads as the replica and the county store keep them in SQLite and the protocol
//! sends them: hex change hashes, sorted, joined by commas in a column.

use automerge::ChangeHash;

use crate::{Error, Result};

/// Heads as one text column: hex hashes joined by commas (empty for a new document).
pub fn to_text(heads: &[ChangeHash]) -> String {
    heads.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

/// Heads from hex change hashes, sorted as the replica stores them; refused if one is not a hash.
pub fn parse<S: AsRef<str>>(hex: impl IntoIterator<Item = S>) -> Result<Vec<ChangeHash>> {
    let mut heads = hex
        .into_iter()
        .map(|text| {
            text.as_ref()
                .parse::<ChangeHash>()
                .map_err(|_| Error::Invalid(format!("bad change hash {:?}", text.as_ref())))
        })
        .collect::<Result<Vec<_>>>()?;
    heads.sort_unstable();
    Ok(heads)
}

/// Heads from their text column ([`to_text`]); empty text is a new document's.
pub fn from_text(text: &str) -> Result<Vec<ChangeHash>> {
    if text.is_empty() { Ok(Vec::new()) } else { parse(text.split(',')) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_round_trip_through_their_text_sorted() {
        let first = ChangeHash([7; 32]);
        let second = ChangeHash([1; 32]);
        let text = to_text(&[first, second]);
        assert_eq!(from_text(&text).unwrap(), [second, first]);
        assert_eq!(from_text("").unwrap(), []);
        assert!(from_text("not-a-hash").is_err());
    }
}
