//! Automerge chunks from outside (a sync request or answer, a bundle file, a stored chunk
//! received), checked before automerge decodes them, so that no chunk can cost more memory or
//! time than its limits allow.
//!
//! automerge inflates what is DEFLATE-compressed (a compressed change, a document's or a
//! bundle's columns) with no limit, and expands run-length columns into as many operations as a
//! run says: a 300-byte chunk can ask for gigabytes. [`check`] walks each chunk's structure
//! (header, column table) without building anything, inflates compressed parts into a bounded
//! buffer, and counts each column's rows; a chunk past its [`Limits`] is refused having used
//! at most about those limits. Only then may the bytes reach automerge.

use std::io::Read;

/// How much one call of [`check`] may accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes the chunks may hold once everything compressed in them is inflated.
    pub inflated_bytes: usize,
    /// The most rows (operations, changes) one column of one chunk may expand to.
    pub rows: u64,
}

impl Limits {
    /// What a sync request's or answer's chunks may hold: a change never exceeds
    /// [`crate::protocol::MAX_CHANGE_BYTES`], a document or bundle the request limit.
    pub const WIRE: Limits = Limits { inflated_bytes: crate::protocol::MAX_REQUEST_BYTES, rows: 1 << 22 };
    /// One shard as a county stores it (a first sync receives it whole): a township-year of
    /// meal records is well under a tenth of this.
    pub const SHARD: Limits = Limits { inflated_bytes: 256 << 20, rows: 1 << 23 };
}

/// Why chunks were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("chunk {index} is truncated or malformed ({what})")]
    Malformed { index: usize, what: &'static str },
    #[error("chunk {index} is not an automerge chunk")]
    NotAChunk { index: usize },
    #[error("chunk {index} has unknown type {kind}")]
    UnknownType { index: usize, kind: u8 },
    #[error("chunk {index} inflates past {limit} bytes")]
    Inflates { index: usize, limit: usize },
    #[error("a change in chunk {index} is larger than {limit} bytes")]
    ChangeTooLarge { index: usize, limit: usize },
    #[error("a column of chunk {index} expands past {limit} rows")]
    TooManyRows { index: usize, limit: u64 },
}

impl From<Refused> for crate::Error {
    fn from(refused: Refused) -> crate::Error {
        crate::Error::Invalid(refused.to_string())
    }
}

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const DOCUMENT: u8 = 0;
const CHANGE: u8 = 1;
const COMPRESSED_CHANGE: u8 = 2;
const BUNDLE: u8 = 3;
/// A column's spec: the low three bits are its type, bit 3 says it is DEFLATE-compressed.
const DEFLATE_BIT: u32 = 0b1000;

/// Checks a sequence of automerge chunks (as `load_incremental` takes them) against `limits`.
pub fn check(bytes: &[u8], limits: Limits) -> Result<(), Refused> {
    let mut budget = Budget { left: limits.inflated_bytes, limit: limits.inflated_bytes };
    let mut rest = bytes;
    let mut index = 0;
    while !rest.is_empty() {
        let mut input = Input { bytes: rest, index };
        if input.take(4)? != MAGIC {
            return Err(Refused::NotAChunk { index });
        }
        input.take(4)?; // checksum: automerge verifies it
        let kind = input.take(1)?[0];
        let length = input.uleb_len()?;
        let body = input.take(length)?;
        budget.spend(index, body.len())?;
        match kind {
            CHANGE => {
                change_limit(index, body.len())?;
                change(index, body, limits.rows)?;
            }
            COMPRESSED_CHANGE => {
                let inflated = inflate(index, body, &mut budget, true)?;
                change(index, &inflated, limits.rows)?;
            }
            DOCUMENT => document(index, body, limits.rows, &mut budget)?,
            BUNDLE => bundle(index, body, limits.rows, &mut budget)?,
            kind => return Err(Refused::UnknownType { index, kind }),
        }
        rest = input.bytes;
        index += 1;
    }
    Ok(())
}

/// Runs an automerge decode of bytes that passed [`check`], turning a panic inside automerge into
/// a refusal: its bundle parser (a format automerge marks experimental) panics on some malformed
/// bundles, which the fuzz runner found (`tests/fuzz/regressions/chunk/`).
pub fn guarded<T>(decode: impl FnOnce() -> T) -> Result<T, Refused> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode))
        .map_err(|_| Refused::Malformed { index: 0, what: "automerge failed decoding it" })
}

fn change_limit(index: usize, size: usize) -> Result<(), Refused> {
    let limit = crate::protocol::MAX_CHANGE_BYTES;
    if size > limit { Err(Refused::ChangeTooLarge { index, limit }) } else { Ok(()) }
}

/// What is left of the bytes a call may inflate.
struct Budget {
    left: usize,
    limit: usize,
}

impl Budget {
    fn spend(&mut self, index: usize, bytes: usize) -> Result<(), Refused> {
        self.left = self.left.checked_sub(bytes).ok_or(Refused::Inflates { index, limit: self.limit })?;
        Ok(())
    }
}

/// Inflates `compressed` into at most `cap` bytes (and what is left of the budget), refusing as
/// soon as the output would pass either: the reader never holds more than the cap.
fn inflate(index: usize, compressed: &[u8], budget: &mut Budget, one_change: bool) -> Result<Vec<u8>, Refused> {
    let change_cap = crate::protocol::MAX_CHANGE_BYTES;
    let cap = if one_change { change_cap.min(budget.left) } else { budget.left };
    let mut inflated = Vec::new();
    flate2::bufread::DeflateDecoder::new(compressed)
        .take(cap as u64 + 1)
        .read_to_end(&mut inflated)
        .map_err(|_| Refused::Malformed { index, what: "DEFLATE" })?;
    if inflated.len() > cap {
        return Err(if one_change && change_cap <= budget.left {
            Refused::ChangeTooLarge { index, limit: change_cap }
        } else {
            Refused::Inflates { index, limit: budget.limit }
        });
    }
    budget.spend(index, inflated.len())?;
    Ok(inflated)
}

/// A change chunk's body: dependencies, actor, counters, message, other actors, then its
/// operation columns (never compressed inside a change).
fn change(index: usize, body: &[u8], rows: u64) -> Result<(), Refused> {
    let mut input = Input { bytes: body, index };
    input.hashes()?;
    input.length_prefixed()?; // actor
    input.uleb()?; // seq
    input.uleb()?; // start op
    input.uleb()?; // time (signed, same length rules)
    input.length_prefixed()?; // message
    let actors = input.uleb_len()?;
    for _ in 0..actors {
        input.length_prefixed()?;
    }
    let columns = input.columns()?;
    if columns.iter().any(|column| column.spec & DEFLATE_BIT != 0) {
        return Err(Refused::Malformed { index, what: "a change's columns are compressed" });
    }
    for column in columns {
        let data = input.take(column.length)?;
        count_rows(index, column.spec, data, rows)?;
    }
    Ok(())
}

/// A document chunk's body: actors, heads, change columns and operation columns (each perhaps
/// compressed), then head indices.
fn document(index: usize, body: &[u8], rows: u64, budget: &mut Budget) -> Result<(), Refused> {
    let mut input = Input { bytes: body, index };
    let actors = input.uleb_len()?;
    for _ in 0..actors {
        input.length_prefixed()?;
    }
    input.hashes()?;
    let change_columns = input.columns()?;
    let op_columns = input.columns()?;
    for column in change_columns.iter().chain(&op_columns) {
        let data = input.take(column.length)?;
        column_rows(index, column, data, rows, budget)?;
    }
    Ok(())
}

/// A bundle chunk's body: dependencies, actors, change columns with their data, then operation
/// columns with theirs.
fn bundle(index: usize, body: &[u8], rows: u64, budget: &mut Budget) -> Result<(), Refused> {
    let mut input = Input { bytes: body, index };
    input.hashes()?;
    let actors = input.uleb_len()?;
    for _ in 0..actors {
        input.length_prefixed()?;
    }
    for _ in 0..2 {
        let columns = input.columns()?;
        for column in &columns {
            let data = input.take(column.length)?;
            column_rows(index, column, data, rows, budget)?;
        }
    }
    Ok(())
}

fn column_rows(index: usize, column: &Column, data: &[u8], rows: u64, budget: &mut Budget) -> Result<(), Refused> {
    if column.spec & DEFLATE_BIT == 0 {
        return count_rows(index, column.spec, data, rows);
    }
    let inflated = inflate(index, data, budget, false)?;
    count_rows(index, column.spec, &inflated, rows)
}

struct Column {
    spec: u32,
    length: usize,
}

/// Counts the rows a column expands to, refusing past `limit`. Types (the spec's low bits):
/// 0 group and 1 actor, 2 integer, 6 value metadata: run-length unsigned; 3 delta: run-length
/// signed; 5 string: run-length strings; 4 boolean: alternating counts; 7 raw values: sized by
/// their metadata column, no rows of their own. Group counts say how many rows nested columns
/// hold, so their sum is bounded too.
fn count_rows(index: usize, spec: u32, data: &[u8], limit: u64) -> Result<(), Refused> {
    let mut input = Input { bytes: data, index };
    let too_many = Refused::TooManyRows { index, limit };
    let mut total: u64 = 0;
    let mut add = |count: u64| -> Result<(), Refused> {
        total = total.checked_add(count).filter(|total| *total <= limit).ok_or(too_many.clone())?;
        Ok(())
    };
    let kind = spec & 0b111;
    match kind {
        7 => {}
        4 => {
            while !input.bytes.is_empty() {
                add(input.uleb()?)?;
            }
        }
        _ => {
            let mut nested: u64 = 0;
            while !input.bytes.is_empty() {
                let count = input.sleb()?;
                if count > 0 {
                    let value = input.value(kind)?;
                    add(count.unsigned_abs())?;
                    if kind == 0 {
                        nested = value
                            .checked_mul(count.unsigned_abs())
                            .and_then(|run| nested.checked_add(run))
                            .filter(|nested| *nested <= limit)
                            .ok_or(too_many.clone())?;
                    }
                } else if count < 0 {
                    add(count.unsigned_abs())?;
                    for _ in 0..count.unsigned_abs() {
                        let value = input.value(kind)?;
                        if kind == 0 {
                            nested = nested.checked_add(value).filter(|n| *n <= limit).ok_or(too_many.clone())?;
                        }
                    }
                } else {
                    add(input.uleb()?)?;
                }
            }
        }
    }
    Ok(())
}

/// A cursor over untrusted bytes; every read is checked against what is there.
struct Input<'a> {
    bytes: &'a [u8],
    index: usize,
}

impl<'a> Input<'a> {
    fn malformed(&self, what: &'static str) -> Refused {
        Refused::Malformed { index: self.index, what }
    }

    fn take(&mut self, count: usize) -> Result<&'a [u8], Refused> {
        if count > self.bytes.len() {
            return Err(self.malformed("length past the end"));
        }
        let (taken, rest) = self.bytes.split_at(count);
        self.bytes = rest;
        Ok(taken)
    }

    fn uleb(&mut self) -> Result<u64, Refused> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = *self.take(1)?.first().ok_or(self.malformed("LEB128"))?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(self.malformed("LEB128 overflow"));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.malformed("LEB128 overflow"))
    }

    fn sleb(&mut self) -> Result<i64, Refused> {
        let mut value: i64 = 0;
        let mut shift = 0;
        loop {
            let byte = *self.take(1)?.first().ok_or(self.malformed("LEB128"))?;
            if shift >= 64 {
                return Err(self.malformed("LEB128 overflow"));
            }
            value |= i64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                if shift < 64 && byte & 0x40 != 0 {
                    value |= -1 << shift;
                }
                return Ok(value);
            }
        }
    }

    /// A length or count, which can never exceed the bytes that are left (each item takes at
    /// least one byte).
    fn uleb_len(&mut self) -> Result<usize, Refused> {
        let value = self.uleb()?;
        usize::try_from(value)
            .ok()
            .filter(|value| *value <= self.bytes.len())
            .ok_or(self.malformed("a count larger than the chunk"))
    }

    fn length_prefixed(&mut self) -> Result<&'a [u8], Refused> {
        let length = self.uleb_len()?;
        self.take(length)
    }

    /// A count of 32-byte change hashes.
    fn hashes(&mut self) -> Result<(), Refused> {
        let count = self.uleb_len()?;
        self.take(count.checked_mul(32).ok_or(self.malformed("hash count"))?)?;
        Ok(())
    }

    fn columns(&mut self) -> Result<Vec<Column>, Refused> {
        let count = self.uleb_len()?;
        let mut columns = Vec::with_capacity(count);
        let mut total: usize = 0;
        for _ in 0..count {
            let spec = u32::try_from(self.uleb()?).map_err(|_| self.malformed("column spec"))?;
            let length = self.uleb_len()?;
            total = total.checked_add(length).ok_or(self.malformed("column lengths"))?;
            columns.push(Column { spec, length });
        }
        Ok(columns)
    }

    /// One run-length value of a column type.
    fn value(&mut self, kind: u32) -> Result<u64, Refused> {
        match kind {
            3 => self.sleb().map(i64::unsigned_abs),
            5 => self.length_prefixed().map(|bytes| bytes.len() as u64),
            _ => self.uleb(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    fn uleb(mut value: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    fn chunk(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend([0, 0, 0, 0, kind]);
        uleb(body.len() as u64, &mut out);
        out.extend(body);
        out
    }

    /// A change whose one column is a single run-length run of `rows` rows.
    fn change_with_run(rows: u64) -> Vec<u8> {
        let mut body = vec![0]; // no dependencies
        body.extend([1, 0xab]); // actor
        body.extend([1, 1, 0, 0, 0]); // seq, start op, time, empty message, no other actors
        let mut column = Vec::new();
        uleb(rows, &mut column); // a positive run count (small enough to stay positive as signed)
        column.push(7); // the value repeated
        body.push(1); // one column
        uleb(2 << 4, &mut body); // spec: id 2, type integer
        uleb(column.len() as u64, &mut body);
        body.extend(column);
        chunk(CHANGE, &body)
    }

    fn document_with_edits(edits: usize) -> AutoCommit {
        let mut document = AutoCommit::new();
        for edit in 0..edits {
            document.put(ROOT, format!("key{}", edit % 50), format!("value {edit} of a record")).unwrap();
            if edit % 10 == 0 {
                document.commit();
            }
        }
        document
    }

    #[test]
    fn what_automerge_writes_passes() {
        let mut document = document_with_edits(400);
        let saved = document.save();
        let uncompressed = document.save_nocompress();
        let changes: Vec<u8> =
            document.get_changes(&[]).iter().flat_map(|change| change.raw_bytes().to_vec()).collect();
        let mut compressed = document.get_changes(&[])[0].clone();
        let compressed = compressed.bytes().to_vec();
        let hashes: Vec<_> = document.get_changes(&[]).iter().map(|change| change.hash()).collect();
        let bundle = document.document().bundle(hashes).unwrap().bytes().to_vec();
        for (name, bytes) in [
            ("saved", saved),
            ("uncompressed", uncompressed),
            ("changes", changes),
            ("compressed change", compressed),
            ("bundle", bundle),
        ] {
            assert_eq!(check(&bytes, Limits::WIRE), Ok(()), "{name}");
        }
    }

    #[test]
    fn a_compressed_change_that_inflates_past_the_limit_is_refused_after_the_limit() {
        // 64 MiB of zeros: DEFLATE makes it about 64 KB, and a far bigger one is a few hundred bytes.
        let zeros = vec![0u8; 64 << 20];
        let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut encoder, &zeros).unwrap();
        let bomb = chunk(COMPRESSED_CHANGE, &encoder.finish().unwrap());
        assert!(bomb.len() < 100_000, "{}", bomb.len());
        assert!(matches!(check(&bomb, Limits::WIRE), Err(Refused::ChangeTooLarge { .. })));
    }

    #[test]
    fn a_run_of_billions_of_rows_is_refused_without_expanding_it() {
        assert_eq!(check(&change_with_run(1000), Limits::WIRE), Ok(()));
        let bomb = change_with_run(1 << 40);
        assert!(bomb.len() < 40);
        assert!(matches!(check(&bomb, Limits::WIRE), Err(Refused::TooManyRows { .. })));
    }

    #[test]
    fn truncated_and_foreign_bytes_are_refused() {
        let saved = document_with_edits(50).save();
        for cut in [1, 5, 9, 10, saved.len() / 2, saved.len() - 1] {
            assert!(check(&saved[..cut], Limits::WIRE).is_err(), "cut at {cut}");
        }
        assert!(matches!(check(b"hello world", Limits::WIRE), Err(Refused::NotAChunk { index: 0 })));
        let mut two = saved.clone();
        two.extend(b"trailing");
        assert!(matches!(check(&two, Limits::WIRE), Err(Refused::NotAChunk { index: 1 })));
    }

    #[test]
    fn a_document_past_the_inflated_budget_is_refused() {
        let saved = document_with_edits(2000).save();
        let tight = Limits { inflated_bytes: saved.len() + 100, rows: 1 << 20 };
        assert!(matches!(check(&saved, tight), Err(Refused::Inflates { .. })));
        assert_eq!(check(&saved, Limits { inflated_bytes: 1 << 20, rows: 1 << 20 }), Ok(()));
    }
}
