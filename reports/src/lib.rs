//! Printable reports as PDF bytes: one table layout, and the reports built on it.
//!
//! - [`font`] owns the report font (Noto Sans CJK SC), parsed once, and text measurement.
//! - [`layout`] owns the one table layout every report uses: A4 pages, a title block, a table
//!   with wrapped cells, page breaks that repeat the header row, "第 N 页 共 M 页" footers and
//!   signature lines. Its input is [`layout::TableReport`], plain strings.
//! - [`visit_register`] turns a village's month of visits ([`VisitRegister`]) into a table report.
//!
//! **Invariant:** this crate depends on no other workspace crate; callers convert their records
//! into the plain input structs here. Nothing here touches storage or the file system except
//! reading the font file.

pub mod font;
pub mod layout;
pub mod visit_register;

use std::path::PathBuf;

pub use font::{ReportFont, report_font};
pub use layout::{RenderedReport, TableReport, render_table_report};
pub use visit_register::{
    RegisterVisit, VisitRegister, VisitRegisterRow, render_visit_register, visit_register_report,
};

/// Why a report could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    #[error(
        "report font not found at {path}: install the Debian package fonts-noto-cjk \
         (Noto Sans CJK) or set XIANGLIN_FONT to the font file"
    )]
    FontMissing { path: PathBuf },
    #[error("report font {path} could not be read")]
    FontUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("report font {path} has no readable face {face_index}")]
    FontUnparsable { path: PathBuf, face_index: usize },
    #[error("a table needs at least one column")]
    TableWithoutColumns,
    #[error("table columns need {columns_mm:.1} mm but the page has {available_mm:.1} mm between its margins")]
    ColumnsWiderThanPage { columns_mm: f32, available_mm: f32 },
    #[error("table row {row_index} has {cell_count} cells but the table has {column_count} columns")]
    RowDoesNotMatchColumns { row_index: usize, cell_count: usize, column_count: usize },
}
