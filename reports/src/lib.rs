//! Printable reports as PDF bytes: one layout, and the reports built on it.
//!
//! - [`font`] owns the report font (Noto Sans CJK SC), parsed once, and text measurement.
//! - [`layout`] owns the one layout every report uses: A4 pages, a title block, tables with
//!   wrapped cells, page breaks that repeat the header row, "第 N 页 共 M 页" footers and
//!   signature lines. Its input is plain strings: a [`layout::TableReport`] (one table) or a
//!   [`layout::DocumentReport`] (sections of headings, field grids, tables, paragraphs, photos).
//! - `photo` decodes the JPEG and PNG photos a document prints and scales them to print size.
//! - [`visit_register`] turns a village's month of visits ([`VisitRegister`]) into a table report.
//! - [`meal_settlement`] turns a meal point's month ([`MealSettlement`]) and a township's sum of
//!   its points ([`TownshipMealSummary`]) into table reports.
//! - [`case_file`] turns one household's home-adaptation case ([`CaseFile`]) into a document
//!   report.
//! - [`lock`] locks a rendered PDF with a password, as reports with personal data are saved.
//!
//! **Invariant:** this crate depends on no other workspace crate; callers convert their records
//! into the plain input structs here. Nothing here touches storage or the file system except
//! reading the font file.

pub mod case_file;
pub mod font;
pub mod layout;
pub mod lock;
pub mod meal_settlement;
mod photo;
pub mod visit_register;

use std::path::PathBuf;

pub use case_file::{
    CaseAssessment, CaseFile, CasePlanLine, CasePlanTotals, CaseStepLine, case_file_report, render_case_file,
};
pub use font::{ReportFont, report_font};
pub use layout::{
    Block, DocumentReport, RenderedReport, ReportImage, TableReport, render_document_report, render_table_report,
};
pub use lock::lock_pdf;
pub use meal_settlement::{
    MealSettlement, PointSummaryRow, SettlementAdjustment, SettlementRow, SettlementTotals, TownshipMealSummary,
    TownshipMealTotals, meal_settlement_report, render_meal_settlement, render_township_meal_summary,
    township_meal_summary_report,
};
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
    /// A block of a document report could not be laid out; `block_index` counts from 0.
    #[error("block {block_index} of the report: {source}")]
    InBlock {
        block_index: usize,
        #[source]
        source: Box<ReportError>,
    },
    /// The rendered PDF could not be read back to be locked.
    #[error("the report could not be locked with its password: {0}")]
    Lock(#[source] lopdf::Error),
}
