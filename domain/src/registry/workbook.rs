//! What a roster file may be before any of its cells is read: its size, the size of each part
//! once inflated (a zip bomb stops at the limit), and where its sheets' values lie (a single
//! value at the sheet's last cell would make the reader allocate the whole grid). Each limit has
//! its own refusal, which the app words in Chinese; the reader runs only on a file within them.

use std::io::{BufReader, Cursor, Read};

use xianglin_sync::{Error, Result, RosterLimit};

/// The largest roster file accepted (a 20,000-row roster is about 1.5 MB).
pub const MAX_FILE_BYTES: u64 = 20 << 20;
/// The most a workbook's parts may hold together once inflated.
pub const MAX_INFLATED_BYTES: u64 = 128 << 20;
/// The most parts (files inside the zip) a workbook may have.
const MAX_PARTS: usize = 1_000;
/// The widest sheet accepted: the roster has 14 columns, and people add a few of their own.
pub const MAX_COLUMNS: u32 = 64;
/// Rows above the header (a title, a note) and blank rows at the end a roster may have beyond
/// its data rows.
const SPARE_ROWS: u32 = 20;

/// Checks a roster file against the limits, reading each part once through a bounded stream;
/// `max_rows` is the county's limit of data rows in one import.
pub fn check_limits(bytes: &[u8], max_rows: u32) -> Result<()> {
    let size = bytes.len() as u64;
    if size > MAX_FILE_BYTES {
        return Err(Error::RosterTooLarge(RosterLimit::FileBytes { size, limit: MAX_FILE_BYTES }));
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Error::NotExcel)?;
    if archive.len() > MAX_PARTS {
        return Err(Error::RosterTooLarge(RosterLimit::Inflated { limit: MAX_INFLATED_BYTES }));
    }
    let mut left = MAX_INFLATED_BYTES;
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(|_| Error::NotExcel)?;
        // The size the zip declares may lie; what is read is counted as it is read.
        if entry.size() > left {
            return Err(Error::RosterTooLarge(RosterLimit::Inflated { limit: MAX_INFLATED_BYTES }));
        }
        let name = entry.name().map_err(|_| Error::NotExcel)?;
        let is_sheet = name.starts_with("xl/worksheets/") && name.ends_with(".xml");
        drop(name);
        let mut counted = Counted { inner: entry.take(left + 1), read: 0 };
        if is_sheet {
            let scanned = sheet_extent(BufReader::new(&mut counted));
            if counted.read > left {
                return Err(Error::RosterTooLarge(RosterLimit::Inflated { limit: MAX_INFLATED_BYTES }));
            }
            let extent = scanned?;
            let rows_limit = max_rows.saturating_add(SPARE_ROWS);
            if extent.columns > MAX_COLUMNS {
                return Err(Error::RosterTooLarge(RosterLimit::Columns { found: extent.columns, limit: MAX_COLUMNS }));
            }
            if extent.rows > rows_limit {
                return Err(Error::RosterTooLarge(RosterLimit::Rows { found: extent.rows, limit: max_rows }));
            }
        }
        std::io::copy(&mut counted, &mut std::io::sink()).map_err(|_| Error::NotExcel)?;
        if counted.read > left {
            return Err(Error::RosterTooLarge(RosterLimit::Inflated { limit: MAX_INFLATED_BYTES }));
        }
        left -= counted.read;
    }
    Ok(())
}

/// A reader that counts what passed through it.
struct Counted<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.read += read as u64;
        Ok(read)
    }
}

/// How far a sheet's values reach: the last row and column holding a value (1-based), or the
/// number of rows and of cells in a row where positions are left out.
#[derive(Debug, Default, PartialEq, Eq)]
struct Extent {
    rows: u32,
    columns: u32,
}

/// Scans a sheet's XML for the cells that hold a value (`<c>` with a `<v>` or inline `<is>`).
/// Parts past the inflated limit stop the scan as malformed XML would.
fn sheet_extent(reader: impl std::io::BufRead) -> Result<Extent> {
    use quick_xml::events::Event;
    let mut xml = quick_xml::Reader::from_reader(reader);
    let mut buffer = Vec::new();
    let mut extent = Extent::default();
    // The current row's number and the next cell's column where positions are left out.
    let mut row = 0u32;
    let mut column = 0u32;
    let mut cell: Option<(u32, u32)> = None;
    loop {
        let event = xml.read_event_into(&mut buffer).map_err(|_| Error::NotExcel)?;
        match event {
            Event::Start(ref element) | Event::Empty(ref element) => match element.local_name().into_inner() {
                "row" => {
                    row = attribute(element, "r").and_then(|r| r.parse().ok()).unwrap_or(row + 1);
                    column = 0;
                }
                "c" => {
                    let position = attribute(element, "r").and_then(|r| cell_position(&r));
                    let (cell_row, cell_column) = position.unwrap_or((row, column + 1));
                    column = cell_column;
                    cell = matches!(event, Event::Start(_)).then_some((cell_row, cell_column));
                }
                "v" | "is" => {
                    if let Some((cell_row, cell_column)) = cell {
                        extent.rows = extent.rows.max(cell_row);
                        extent.columns = extent.columns.max(cell_column);
                    }
                }
                _ => {}
            },
            Event::End(ref element) if element.local_name().into_inner() == "c" => cell = None,
            Event::Eof => return Ok(extent),
            _ => {}
        }
        buffer.clear();
    }
}

fn attribute(element: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|attribute| attribute.key.local_name().into_inner() == name)
        .map(|attribute| attribute.value.into_owned())
}

/// `"XFD1048576"` → (row 1048576, column 16384), both 1-based.
fn cell_position(reference: &str) -> Option<(u32, u32)> {
    let letters = reference.bytes().take_while(u8::is_ascii_uppercase).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let column = reference[..letters].bytes().fold(0u32, |column, letter| column * 26 + u32::from(letter - b'A') + 1);
    let row = reference[letters..].parse().ok()?;
    Some((row, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(xml: &str) -> Extent {
        sheet_extent(xml.as_bytes()).unwrap()
    }

    #[test]
    fn positions_read_as_excel_numbers_them() {
        assert_eq!(cell_position("A1"), Some((1, 1)));
        assert_eq!(cell_position("N20001"), Some((20001, 14)));
        assert_eq!(cell_position("XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(cell_position("1A"), None);
    }

    #[test]
    fn only_cells_with_a_value_count() {
        let xml = r#"<worksheet><dimension ref="A1:XFD1048576"/><sheetData>
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>x</t></is></c></row>
            <row r="9"><c r="C9" s="1"/><c r="XFD1048576" s="2"></c></row>
            </sheetData></worksheet>"#;
        assert_eq!(sheet(xml), Extent { rows: 1, columns: 2 });
        let far = r#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>
            <row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#;
        assert_eq!(sheet(far), Extent { rows: 1_048_576, columns: 16_384 });
    }

    #[test]
    fn cells_without_positions_count_in_order() {
        let xml = "<worksheet><sheetData><row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row><row/><row><c><v>4</v></c></row></sheetData></worksheet>";
        assert_eq!(sheet(xml), Extent { rows: 3, columns: 3 });
    }
}
