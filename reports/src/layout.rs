//! The one layout every report uses: A4 pages with a title block, then either one bordered
//! table ([`TableReport`]) or a document of blocks ([`DocumentReport`]: headings, label/value
//! grids, tables, paragraphs and photo grids), then signature fields, and "第 N 页 共 M 页"
//! centred in every page's footer.
//!
//! A report is plain data; [`render_table_report`] and [`render_document_report`] turn it into
//! PDF bytes in two passes. The first pass plans every page in millimetres measured from the
//! top-left corner, so the page count is known; the second writes printpdf `Op`s (origin
//! bottom-left, points) and adds the footers. Text is shown as Unicode text in the embedded,
//! subset font, so it stays extractable. Wrapping breaks Chinese between any two characters and
//! Latin text and numbers between words, and keeps closing punctuation off the start of a line.
//!
//! Tables in both kinds of report are placed by the same code: cells wrap, a row that does not
//! fit moves to the next page whole (only a row taller than a page is split), and the header
//! row is repeated at the top of each page. In a document a heading stays with the start of
//! the block after it, and one row of a photo grid never splits across pages. Photos are
//! decoded and scaled by the crate's private `photo` module; one that does not decode prints as
//! an empty frame saying [`UNREADABLE_IMAGE_NOTE`] and is listed in
//! [`RenderedReport::unreadable_images`].
//!
//! What a report says, and in which blocks or columns, is left to the report modules.

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Polygon, PolygonRing, Pt, RawImage, TextItem, TextMatrix, WindingOrder, XObjectId, XObjectTransform,
};

use crate::ReportError;
use crate::font::{POINTS_PER_MM, ReportFont, report_font};
use crate::photo;

/// What an empty photo frame says when the photo's bytes could not be decoded.
pub const UNREADABLE_IMAGE_NOTE: &str = "（图片无法显示）";

/// Which way up the A4 sheet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    Portrait,
    Landscape,
}

/// Paper, margins and type sizes.
#[derive(Debug, Clone, PartialEq)]
pub struct PageSetup {
    pub orientation: Orientation,
    pub margin_top_mm: f32,
    /// Space below the table; the footer is printed inside it.
    pub margin_bottom_mm: f32,
    pub margin_left_mm: f32,
    pub margin_right_mm: f32,
    pub title_size_pt: f32,
    pub subtitle_size_pt: f32,
    /// Section headings of a document report.
    pub heading_size_pt: f32,
    /// Table cells, closing lines and signature fields.
    pub body_size_pt: f32,
    pub footer_size_pt: f32,
}

/// How a column's text sits between its borders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alignment {
    Left,
    Centre,
    Right,
}

/// A column's width: fixed, or a share of what the fixed columns leave of the page width.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColumnWidth {
    Mm(f32),
    Share(f32),
}

/// One table column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    pub width: ColumnWidth,
    pub alignment: Alignment,
}

/// Everything a table report prints. Cell text may hold `\n` for a forced line break.
#[derive(Debug, Clone, PartialEq)]
pub struct TableReport {
    pub page: PageSetup,
    /// Centred at the top of the first page, and the PDF's document title.
    pub title: String,
    /// Centred under the title, one line each.
    pub subtitle_lines: Vec<String>,
    pub columns: Vec<Column>,
    /// One `String` per column in each row.
    pub rows: Vec<Vec<String>>,
    /// Lines printed under the table, such as totals.
    pub closing_lines: Vec<String>,
    /// Labels printed on one line after everything else, each followed by a line to sign on,
    /// e.g. "探访员签字".
    pub signature_fields: Vec<String>,
}

/// Everything a report of several sections prints: a title block, its blocks one under the
/// other, then signature fields. Text may hold `\n` for a forced line break.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentReport {
    pub page: PageSetup,
    /// Centred at the top of the first page, and the PDF's document title.
    pub title: String,
    /// Centred under the title, one line each.
    pub subtitle_lines: Vec<String>,
    pub blocks: Vec<Block>,
    /// As in [`TableReport::signature_fields`], after the last block.
    pub signature_fields: Vec<String>,
}

/// One part of a document report, placed under the block before it.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading, kept on the same page as the start of the block after it.
    Heading(String),
    /// Label/value pairs in a bordered grid, two pairs to a row, the labels shaded.
    Fields(Vec<(String, String)>),
    /// A table placed as a [`TableReport`]'s is, with lines such as totals under it.
    Table { columns: Vec<Column>, rows: Vec<Vec<String>>, closing_lines: Vec<String> },
    /// Text across the width of the page, wrapped.
    Paragraph(String),
    /// Photos as a grid of framed thumbnails `thumb_width_mm` wide (narrower for an upright
    /// photo), each scaled keeping its aspect ratio, with its caption under it. A row of the
    /// grid is never split across pages.
    Images { items: Vec<ReportImage>, thumb_width_mm: f32 },
}

/// A photo to print, with its caption.
#[derive(Clone, PartialEq, Eq)]
pub struct ReportImage {
    pub caption: String,
    /// The bytes of a JPEG or PNG file.
    pub bytes: Vec<u8>,
}

/// A rendered report.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedReport {
    pub pdf: Vec<u8>,
    pub page_count: usize,
    /// Characters the font has no glyph for; each prints as a box. Empty when all is printable.
    pub missing_characters: Vec<char>,
    /// Captions of the photos whose bytes could not be decoded; each prints as an empty frame
    /// saying [`UNREADABLE_IMAGE_NOTE`]. Empty when every photo printed.
    pub unreadable_images: Vec<String>,
}

/// Lays out and renders `report` with the shared report font.
pub fn render_table_report(report: &TableReport) -> Result<RenderedReport, ReportError> {
    render_table_report_with_font(report, report_font()?)
}

/// Lays out and renders `report` with `font`.
pub fn render_table_report_with_font(report: &TableReport, font: &ReportFont) -> Result<RenderedReport, ReportError> {
    let missing_characters = missing_characters_in(table_report_texts(report), font);
    let planned_pages = plan_pages(report, font)?;
    let pdf = write_pdf(&report.title, &report.page, &planned_pages, &[], font);
    Ok(RenderedReport { pdf, page_count: planned_pages.len(), missing_characters, unreadable_images: Vec::new() })
}

/// Lays out and renders `report` with the shared report font.
pub fn render_document_report(report: &DocumentReport) -> Result<RenderedReport, ReportError> {
    render_document_report_with_font(report, report_font()?)
}

/// Lays out and renders `report` with `font`.
pub fn render_document_report_with_font(
    report: &DocumentReport,
    font: &ReportFont,
) -> Result<RenderedReport, ReportError> {
    let missing_characters = missing_characters_in(document_report_texts(report), font);
    let planned = plan_document(report, font)?;
    if !planned.unreadable_images.is_empty() {
        // Captions may name a person, so only the number is logged.
        tracing::warn!(
            unreadable_image_count = planned.unreadable_images.len(),
            "report has photos that could not be decoded; they print as empty frames"
        );
    }
    let pdf = write_pdf(&report.title, &report.page, &planned.pages, &planned.images, font);
    Ok(RenderedReport {
        pdf,
        page_count: planned.pages.len(),
        missing_characters,
        unreadable_images: planned.unreadable_images,
    })
}

/// The footer of page `page_number` of `page_count`.
pub fn page_footer(page_number: usize, page_count: usize) -> String {
    format!("第 {page_number} 页 共 {page_count} 页")
}

impl PageSetup {
    /// A4 portrait with 15 mm margins, 16 pt title, 11 pt headings, 9 pt body.
    pub fn a4_portrait() -> Self {
        Self {
            orientation: Orientation::Portrait,
            margin_top_mm: 15.0,
            margin_bottom_mm: 15.0,
            margin_left_mm: 15.0,
            margin_right_mm: 15.0,
            title_size_pt: 16.0,
            subtitle_size_pt: 10.0,
            heading_size_pt: 11.0,
            body_size_pt: 9.0,
            footer_size_pt: 9.0,
        }
    }

    /// A4 landscape with 12 mm margins, 16 pt title, 11 pt headings, 9 pt body.
    pub fn a4_landscape() -> Self {
        Self {
            orientation: Orientation::Landscape,
            margin_top_mm: 12.0,
            margin_bottom_mm: 12.0,
            margin_left_mm: 12.0,
            margin_right_mm: 12.0,
            ..Self::a4_portrait()
        }
    }

    /// Width and height of the sheet in millimetres.
    pub fn size_mm(&self) -> (f32, f32) {
        match self.orientation {
            Orientation::Portrait => (210.0, 297.0),
            Orientation::Landscape => (297.0, 210.0),
        }
    }

    /// Width between the left and right margins.
    pub fn content_width_mm(&self) -> f32 {
        self.size_mm().0 - self.margin_left_mm - self.margin_right_mm
    }

    /// Height between the top and bottom margins.
    pub fn content_height_mm(&self) -> f32 {
        self.size_mm().1 - self.margin_top_mm - self.margin_bottom_mm
    }
}

impl Column {
    /// A column `width_mm` wide.
    pub fn fixed(header: &str, width_mm: f32, alignment: Alignment) -> Self {
        Self { header: header.to_owned(), width: ColumnWidth::Mm(width_mm), alignment }
    }

    /// A column taking `share` of the width the fixed columns leave.
    pub fn shared(header: &str, share: f32, alignment: Alignment) -> Self {
        Self { header: header.to_owned(), width: ColumnWidth::Share(share), alignment }
    }
}

impl ReportImage {
    /// A photo from its file bytes.
    pub fn new(caption: &str, bytes: Vec<u8>) -> Self {
        Self { caption: caption.to_owned(), bytes }
    }
}

impl std::fmt::Debug for ReportImage {
    /// The caption and the number of bytes; the bytes themselves say nothing in a log.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ReportImage")
            .field("caption", &self.caption)
            .field("byte_count", &self.bytes.len())
            .finish()
    }
}

/// Splits `text` into lines no wider than `width_mm` at `size_pt`. Chinese breaks between any two
/// characters, other text at spaces (a word wider than the line breaks between characters);
/// closing punctuation stays with what precedes it. Spaces at a break are dropped, every other
/// character is kept in order. `\n` forces a break. Empty text gives no lines.
pub fn wrap_text(font: &ReportFont, text: &str, size_pt: f32, width_mm: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut line_width_mm = 0.0;
        for segment in line_break_segments(paragraph) {
            let segment_width_mm = font.text_width_mm(segment, size_pt);
            let is_space = segment.chars().all(char::is_whitespace);
            if line_width_mm + segment_width_mm <= width_mm {
                if !(is_space && line.is_empty()) {
                    line.push_str(segment);
                    line_width_mm += segment_width_mm;
                }
                continue;
            }
            if is_space {
                continue;
            }
            if !line.is_empty() {
                lines.push(line.trim_end().to_owned());
                line.clear();
                line_width_mm = 0.0;
            }
            // A segment wider than a whole line breaks between its characters.
            for character in segment.chars() {
                let character_width_mm = font.character_width_mm(character, size_pt);
                if line_width_mm + character_width_mm > width_mm && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_width_mm = 0.0;
                }
                line.push(character);
                line_width_mm += character_width_mm;
            }
        }
        let line = line.trim_end();
        if !line.is_empty() {
            lines.push(line.to_owned());
        }
    }
    lines
}

/// Text placed on a page: `baseline_mm` is measured from the top edge.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlacedText {
    pub(crate) text: String,
    pub(crate) x_mm: f32,
    pub(crate) baseline_mm: f32,
    pub(crate) size_pt: f32,
}

/// A straight border line, in millimetres from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rule {
    pub(crate) from: (f32, f32),
    pub(crate) to: (f32, f32),
}

/// A filled rectangle behind a header row or a label, in millimetres from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ShadedBox {
    pub(crate) left_mm: f32,
    pub(crate) top_mm: f32,
    pub(crate) width_mm: f32,
    pub(crate) height_mm: f32,
}

/// A decoded photo placed on a page, in millimetres from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PlacedImage {
    /// Index into the document's decoded photos.
    pub(crate) image_index: usize,
    pub(crate) left_mm: f32,
    pub(crate) top_mm: f32,
    pub(crate) width_mm: f32,
    pub(crate) height_mm: f32,
}

/// One page as planned by the first pass, without its footer.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PlannedPage {
    pub(crate) texts: Vec<PlacedText>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) shaded_boxes: Vec<ShadedBox>,
    pub(crate) images: Vec<PlacedImage>,
}

/// A document report as planned by the first pass: its pages, the decoded photos they place,
/// and the captions of the photos that could not be decoded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlannedDocument {
    pub(crate) pages: Vec<PlannedPage>,
    pub(crate) images: Vec<RawImage>,
    pub(crate) unreadable_images: Vec<String>,
}

/// Line height as a multiple of the type size.
const LINE_SPACING: f32 = 1.35;
/// Where the baseline sits in a CJK font's em box, measured from its top (Noto: 880 of 1000).
const EM_BOX_ASCENT: f32 = 0.88;
const CELL_PADDING_HORIZONTAL_MM: f32 = 1.2;
const CELL_PADDING_VERTICAL_MM: f32 = 1.0;
const GAP_AFTER_TITLE_BLOCK_MM: f32 = 4.0;
const GAP_BEFORE_CLOSING_LINES_MM: f32 = 3.0;
const GAP_BEFORE_SIGNATURES_MM: f32 = 8.0;
const SIGNATURE_LINE_LENGTH_MM: f32 = 35.0;
const GAP_BETWEEN_SIGNATURE_FIELDS_MM: f32 = 12.0;
const BORDER_THICKNESS_PT: f32 = 0.5;
const HEADER_SHADE: f32 = 0.9;
const GAP_BEFORE_HEADING_MM: f32 = 5.0;
const GAP_AFTER_HEADING_MM: f32 = 1.5;
const GAP_BETWEEN_BLOCKS_MM: f32 = 3.0;
/// A label column of a field grid is as wide as its longest label, within these bounds.
const FIELD_LABEL_MIN_WIDTH_MM: f32 = 16.0;
const FIELD_LABEL_MAX_WIDTH_MM: f32 = 40.0;
const DEFAULT_THUMB_WIDTH_MM: f32 = 50.0;
const MIN_THUMB_WIDTH_MM: f32 = 10.0;
const GAP_BETWEEN_THUMBS_MM: f32 = 6.0;
const GAP_BETWEEN_THUMB_ROWS_MM: f32 = 4.0;
const GAP_ABOVE_CAPTION_MM: f32 = 1.0;
/// An upright photo is shrunk until it is no taller than this many times the thumbnail width.
const MAX_THUMB_HEIGHT_RATIO: f32 = 4.0 / 3.0;
/// The empty frame of an undecodable photo has the shape of a 4:3 landscape photo.
const UNREADABLE_FRAME_HEIGHT_RATIO: f32 = 3.0 / 4.0;
/// printpdf sizes an image by its pixels at a resolution; placement then scales it to fit.
const IMAGE_PLACEMENT_DPI: f32 = 300.0;

/// The first pass of a table report: every page's text, borders and shading.
pub(crate) fn plan_pages(report: &TableReport, font: &ReportFont) -> Result<Vec<PlannedPage>, ReportError> {
    let table = TableGeometry::for_columns(&report.page, &report.columns)?;
    check_row_lengths(&report.rows, report.columns.len())?;
    let mut planner = PagePlanner::new(font, &report.page);
    planner.place_title_block(&report.title, &report.subtitle_lines);
    let header_cells = wrap_row(font, &table, report.columns.iter().map(|column| column.header.as_str()));
    let alignments: Vec<Alignment> = report.columns.iter().map(|column| column.alignment).collect();
    let rows = report.rows.iter().map(|row| wrap_row(font, &table, row.iter().map(String::as_str)));
    planner.place_table(&table, Some(&header_cells), &alignments, rows);
    planner.place_closing_and_signatures(&report.closing_lines, &report.signature_fields);
    Ok(planner.pages)
}

/// The first pass of a document report: photos decoded and scaled, and every page's text,
/// borders, shading and photos.
pub(crate) fn plan_document(report: &DocumentReport, font: &ReportFont) -> Result<PlannedDocument, ReportError> {
    let mut images = Vec::new();
    let mut unreadable_images = Vec::new();
    let mut prepared_blocks = Vec::with_capacity(report.blocks.len());
    for (block_index, block) in report.blocks.iter().enumerate() {
        let prepared = prepare_block(block, &report.page, font, &mut images, &mut unreadable_images)
            .map_err(|source| ReportError::InBlock { block_index, source: Box::new(source) })?;
        prepared_blocks.push(prepared);
    }

    let mut planner = PagePlanner::new(font, &report.page);
    planner.place_title_block(&report.title, &report.subtitle_lines);
    let body_line_height_mm = line_height_mm(report.page.body_size_pt);
    for (block_index, block) in prepared_blocks.iter().enumerate() {
        let follows_heading = block_index > 0 && matches!(prepared_blocks[block_index - 1], PreparedBlock::Heading(_));
        let gap_before_mm = match block {
            _ if block_index == 0 || follows_heading => 0.0,
            PreparedBlock::Heading(_) => GAP_BEFORE_HEADING_MM,
            _ => GAP_BETWEEN_BLOCKS_MM,
        };
        // A heading needs room for itself and the start of what it heads; any other block
        // needs room for its first unit (a header row and one row, a line, a row of photos).
        let needed_mm = match block {
            PreparedBlock::Heading(_) => {
                block.lead_height_mm(&report.page)
                    + prepared_blocks.get(block_index + 1).map_or(0.0, |next| next.lead_height_mm(&report.page))
            }
            _ => block.lead_height_mm(&report.page),
        };
        if !planner.at_page_top() {
            if planner.room_mm() < gap_before_mm + needed_mm.min(report.page.content_height_mm()) {
                planner.start_page();
            } else {
                planner.cursor_mm += gap_before_mm;
            }
        }
        match block {
            PreparedBlock::Heading(lines) => {
                planner.place_flowing_lines(lines, report.page.heading_size_pt);
                planner.cursor_mm += GAP_AFTER_HEADING_MM;
            }
            // An empty grid prints nothing, not even its top border.
            PreparedBlock::Fields { table, rows } if !rows.is_empty() => {
                let alignments = vec![Alignment::Left; table.column_widths_mm.len()];
                planner.place_table(table, None, &alignments, rows.iter().cloned());
            }
            PreparedBlock::Fields { .. } => {}
            PreparedBlock::Table { table, header_cells, alignments, rows, closing_lines } => {
                planner.place_table(table, Some(header_cells), alignments, rows.iter().cloned());
                if !closing_lines.is_empty() {
                    let closing_height_mm =
                        GAP_BEFORE_CLOSING_LINES_MM + closing_lines.len() as f32 * body_line_height_mm;
                    if closing_height_mm > planner.room_mm() && closing_height_mm <= report.page.content_height_mm() {
                        planner.start_page();
                    } else {
                        planner.cursor_mm += GAP_BEFORE_CLOSING_LINES_MM;
                    }
                    planner.place_flowing_lines(closing_lines, report.page.body_size_pt);
                }
            }
            PreparedBlock::Paragraph(lines) => planner.place_flowing_lines(lines, report.page.body_size_pt),
            PreparedBlock::Images(grid_rows) => {
                for (row_index, grid_row) in grid_rows.iter().enumerate() {
                    if row_index > 0 {
                        planner.cursor_mm += GAP_BETWEEN_THUMB_ROWS_MM;
                    }
                    if grid_row.height_mm > planner.room_mm() && !planner.at_page_top() {
                        planner.start_page();
                    }
                    planner.place_thumbnail_row(grid_row);
                }
            }
        }
    }
    planner.place_closing_and_signatures(&[], &report.signature_fields);
    Ok(PlannedDocument { pages: planner.pages, images, unreadable_images })
}

/// A block with its text wrapped, its tables measured and its photos decoded and sized, ready
/// to be placed.
#[derive(Debug)]
enum PreparedBlock {
    Heading(Vec<String>),
    Fields {
        table: TableGeometry,
        rows: Vec<Vec<Vec<String>>>,
    },
    Table {
        table: TableGeometry,
        header_cells: Vec<Vec<String>>,
        alignments: Vec<Alignment>,
        rows: Vec<Vec<Vec<String>>>,
        closing_lines: Vec<String>,
    },
    Paragraph(Vec<String>),
    Images(Vec<ThumbnailRow>),
}

/// One row of a photo grid.
#[derive(Debug)]
struct ThumbnailRow {
    thumbnails: Vec<Thumbnail>,
    /// The tallest photo and caption in the row.
    height_mm: f32,
}

/// One photo of a grid, or the empty frame of a photo that could not be decoded.
#[derive(Debug)]
struct Thumbnail {
    /// Index into the document's decoded photos; `None` for an empty frame.
    image_index: Option<usize>,
    /// From the left margin to the photo's left edge.
    offset_mm: f32,
    /// Left edge and width of the grid cell, which the caption is centred in.
    cell_offset_mm: f32,
    cell_width_mm: f32,
    width_mm: f32,
    height_mm: f32,
    caption_lines: Vec<String>,
    /// What an empty frame says inside it, wrapped to the frame.
    note_lines: Vec<String>,
}

/// Wraps, measures and decodes `block`; decoded photos are appended to `images`, the captions
/// of the photos that do not decode to `unreadable_images`.
fn prepare_block(
    block: &Block,
    page: &PageSetup,
    font: &ReportFont,
    images: &mut Vec<RawImage>,
    unreadable_images: &mut Vec<String>,
) -> Result<PreparedBlock, ReportError> {
    let content_width_mm = page.content_width_mm();
    Ok(match block {
        Block::Heading(text) => PreparedBlock::Heading(wrap_text(font, text, page.heading_size_pt, content_width_mm)),
        Block::Paragraph(text) => PreparedBlock::Paragraph(wrap_text(font, text, page.body_size_pt, content_width_mm)),
        Block::Fields(pairs) => {
            let longest_label_mm =
                pairs.iter().map(|(label, _)| font.text_width_mm(label, page.body_size_pt)).fold(0.0_f32, f32::max);
            let label_width_mm = (longest_label_mm + 2.0 * CELL_PADDING_HORIZONTAL_MM + 0.01)
                .clamp(FIELD_LABEL_MIN_WIDTH_MM, FIELD_LABEL_MAX_WIDTH_MM.min(content_width_mm / 4.0));
            let value_width_mm = content_width_mm / 2.0 - label_width_mm;
            let mut table =
                TableGeometry::with_widths(page, vec![label_width_mm, value_width_mm, label_width_mm, value_width_mm]);
            table.shaded_columns = vec![true, false, true, false];
            let rows = pairs
                .chunks(2)
                .map(|pair_row| {
                    let (left, right) = (&pair_row[0], pair_row.get(1));
                    let cells = [left.0.as_str(), left.1.as_str()]
                        .into_iter()
                        .chain(right.map_or(["", ""], |(label, value)| [label.as_str(), value.as_str()]));
                    wrap_row(font, &table, cells)
                })
                .collect();
            PreparedBlock::Fields { table, rows }
        }
        Block::Table { columns, rows, closing_lines } => {
            let table = TableGeometry::for_columns(page, columns)?;
            check_row_lengths(rows, columns.len())?;
            PreparedBlock::Table {
                header_cells: wrap_row(font, &table, columns.iter().map(|column| column.header.as_str())),
                alignments: columns.iter().map(|column| column.alignment).collect(),
                rows: rows.iter().map(|row| wrap_row(font, &table, row.iter().map(String::as_str))).collect(),
                closing_lines: closing_lines
                    .iter()
                    .flat_map(|line| wrap_text(font, line, page.body_size_pt, content_width_mm))
                    .collect(),
                table,
            }
        }
        Block::Images { items, thumb_width_mm } => {
            PreparedBlock::Images(prepare_thumbnails(items, *thumb_width_mm, page, font, images, unreadable_images))
        }
    })
}

/// Decodes and sizes the photos of a grid and groups them into rows.
fn prepare_thumbnails(
    items: &[ReportImage],
    thumb_width_mm: f32,
    page: &PageSetup,
    font: &ReportFont,
    images: &mut Vec<RawImage>,
    unreadable_images: &mut Vec<String>,
) -> Vec<ThumbnailRow> {
    let content_width_mm = page.content_width_mm();
    let cell_width_mm = if thumb_width_mm.is_finite() && thumb_width_mm > 0.0 {
        thumb_width_mm.clamp(MIN_THUMB_WIDTH_MM, content_width_mm)
    } else {
        DEFAULT_THUMB_WIDTH_MM
    };
    let per_row = (((content_width_mm + GAP_BETWEEN_THUMBS_MM) / (cell_width_mm + GAP_BETWEEN_THUMBS_MM)).floor()
        as usize)
        .max(1);
    let line_height = line_height_mm(page.body_size_pt);
    let thumbnails: Vec<Thumbnail> = items
        .iter()
        .enumerate()
        .map(|(item_index, item)| {
            let cell_offset_mm = (item_index % per_row) as f32 * (cell_width_mm + GAP_BETWEEN_THUMBS_MM);
            let caption_lines = wrap_text(font, &item.caption, page.body_size_pt, cell_width_mm);
            // However tall the photo, it and its caption fit on one page.
            let caption_height_mm = GAP_ABOVE_CAPTION_MM + caption_lines.len() as f32 * line_height;
            let max_height_mm =
                (cell_width_mm * MAX_THUMB_HEIGHT_RATIO).min(page.content_height_mm() - caption_height_mm).max(1.0);
            let (image_index, width_mm, height_mm, note_lines) = match photo::decode_photo(&item.bytes) {
                Some(decoded) => {
                    let (upright_width, upright_height) = decoded.upright_size();
                    let aspect = upright_height as f32 / upright_width as f32;
                    let (mut width_mm, mut height_mm) = (cell_width_mm, cell_width_mm * aspect);
                    if height_mm > max_height_mm {
                        (width_mm, height_mm) = (max_height_mm / aspect, max_height_mm);
                    }
                    images.push(decoded.upright_for_print(width_mm));
                    (Some(images.len() - 1), width_mm, height_mm, Vec::new())
                }
                None => {
                    unreadable_images.push(item.caption.clone());
                    let height_mm = (cell_width_mm * UNREADABLE_FRAME_HEIGHT_RATIO).min(max_height_mm);
                    let note_width_mm = cell_width_mm - 2.0 * CELL_PADDING_HORIZONTAL_MM;
                    let note_lines = wrap_text(font, UNREADABLE_IMAGE_NOTE, page.body_size_pt, note_width_mm);
                    (None, cell_width_mm, height_mm, note_lines)
                }
            };
            Thumbnail {
                image_index,
                offset_mm: cell_offset_mm + (cell_width_mm - width_mm) / 2.0,
                cell_offset_mm,
                cell_width_mm,
                width_mm,
                height_mm,
                caption_lines,
                note_lines,
            }
        })
        .collect();
    let mut rows: Vec<ThumbnailRow> = Vec::new();
    for (thumbnail_index, thumbnail) in thumbnails.into_iter().enumerate() {
        let height_mm = thumbnail.height_mm
            + if thumbnail.caption_lines.is_empty() {
                0.0
            } else {
                GAP_ABOVE_CAPTION_MM + thumbnail.caption_lines.len() as f32 * line_height
            };
        match rows.last_mut() {
            Some(row) if thumbnail_index % per_row != 0 => {
                row.height_mm = row.height_mm.max(height_mm);
                row.thumbnails.push(thumbnail);
            }
            _ => rows.push(ThumbnailRow { thumbnails: vec![thumbnail], height_mm }),
        }
    }
    rows
}

impl PreparedBlock {
    /// The height of the block's first unit, which must fit on the page the block starts on:
    /// a heading's lines, a field grid's first row, a table's header and first row (or its
    /// closing lines), a paragraph's first two lines, a photo grid's first row.
    fn lead_height_mm(&self, page: &PageSetup) -> f32 {
        let body_line_height_mm = line_height_mm(page.body_size_pt);
        match self {
            PreparedBlock::Heading(lines) => lines.len() as f32 * line_height_mm(page.heading_size_pt),
            PreparedBlock::Fields { table, rows } => rows.first().map_or(0.0, |row| table.row_height_mm(row)),
            PreparedBlock::Table { table, header_cells, rows, closing_lines, .. } => {
                let header_height_mm = table.row_height_mm(header_cells);
                let first_height_mm = match rows.first() {
                    Some(row) => table.row_height_mm(row),
                    None if closing_lines.is_empty() => 0.0,
                    None => GAP_BEFORE_CLOSING_LINES_MM + closing_lines.len() as f32 * body_line_height_mm,
                };
                header_height_mm + first_height_mm
            }
            PreparedBlock::Paragraph(lines) => lines.len().min(2) as f32 * body_line_height_mm,
            PreparedBlock::Images(rows) => rows.first().map_or(0.0, |row| row.height_mm),
        }
    }
}

/// Column positions and the type the table is set in.
#[derive(Debug)]
struct TableGeometry {
    left_mm: f32,
    column_widths_mm: Vec<f32>,
    /// Columns whose body cells are shaded like the header, such as the labels of a field grid.
    shaded_columns: Vec<bool>,
    size_pt: f32,
    line_height_mm: f32,
}

impl TableGeometry {
    /// A table of `columns` between the margins of `page`, in its body type.
    fn for_columns(page: &PageSetup, columns: &[Column]) -> Result<Self, ReportError> {
        Ok(Self::with_widths(page, column_widths_mm(page, columns)?))
    }

    /// A table of columns `column_widths_mm` wide from the left margin of `page`.
    fn with_widths(page: &PageSetup, column_widths_mm: Vec<f32>) -> Self {
        Self {
            left_mm: page.margin_left_mm,
            shaded_columns: vec![false; column_widths_mm.len()],
            column_widths_mm,
            size_pt: page.body_size_pt,
            line_height_mm: line_height_mm(page.body_size_pt),
        }
    }

    fn width_mm(&self) -> f32 {
        self.column_widths_mm.iter().sum()
    }

    fn row_height_mm(&self, cells: &[Vec<String>]) -> f32 {
        let line_count = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
        line_count as f32 * self.line_height_mm + 2.0 * CELL_PADDING_VERTICAL_MM
    }

    /// Left edges of the columns, then the table's right edge.
    fn column_edges_mm(&self) -> Vec<f32> {
        let mut edges = vec![self.left_mm];
        for width_mm in &self.column_widths_mm {
            edges.push(edges[edges.len() - 1] + width_mm);
        }
        edges
    }
}

/// The first pass's state: the pages so far and how far down the last one is filled.
#[derive(Debug)]
struct PagePlanner<'a> {
    font: &'a ReportFont,
    page: &'a PageSetup,
    pages: Vec<PlannedPage>,
    cursor_mm: f32,
}

impl<'a> PagePlanner<'a> {
    fn new(font: &'a ReportFont, page: &'a PageSetup) -> Self {
        Self { font, page, pages: vec![PlannedPage::default()], cursor_mm: page.margin_top_mm }
    }

    fn current(&mut self) -> &mut PlannedPage {
        let last_index = self.pages.len() - 1;
        &mut self.pages[last_index]
    }

    fn content_top_mm(&self) -> f32 {
        self.page.margin_top_mm
    }

    fn content_bottom_mm(&self) -> f32 {
        self.page.size_mm().1 - self.page.margin_bottom_mm
    }

    /// Space left on the current page below the cursor.
    fn room_mm(&self) -> f32 {
        self.content_bottom_mm() - self.cursor_mm
    }

    fn at_page_top(&self) -> bool {
        self.cursor_mm <= self.content_top_mm() + 0.01
    }

    fn start_page(&mut self) {
        self.pages.push(PlannedPage::default());
        self.cursor_mm = self.content_top_mm();
    }

    /// The title and subtitle lines, centred, and the gap under them.
    fn place_title_block(&mut self, title: &str, subtitle_lines: &[String]) {
        let page_width_mm = self.page.size_mm().0;
        let (title_size_pt, subtitle_size_pt) = (self.page.title_size_pt, self.page.subtitle_size_pt);
        for (text, size_pt) in std::iter::once((title, title_size_pt))
            .chain(subtitle_lines.iter().map(|line| (line.as_str(), subtitle_size_pt)))
        {
            let width_mm = self.font.text_width_mm(text, size_pt);
            self.place_line(text, (page_width_mm - width_mm) / 2.0, size_pt);
        }
        self.cursor_mm += GAP_AFTER_TITLE_BLOCK_MM;
    }

    /// Places one line of text at `x_mm` and moves the cursor below it.
    fn place_line(&mut self, text: &str, x_mm: f32, size_pt: f32) {
        let baseline_mm = self.cursor_mm + baseline_offset_mm(size_pt);
        self.cursor_mm += line_height_mm(size_pt);
        self.current().texts.push(PlacedText { text: text.to_owned(), x_mm, baseline_mm, size_pt });
    }

    /// Places lines at the left margin, continuing on a new page when one does not fit.
    fn place_flowing_lines(&mut self, lines: &[String], size_pt: f32) {
        for line in lines {
            if line_height_mm(size_pt) > self.room_mm() && !self.at_page_top() {
                self.start_page();
            }
            self.place_line(line, self.page.margin_left_mm, size_pt);
        }
    }

    /// Places a table under the cursor: its header row (if any) and then each row of wrapped
    /// cells. A row that does not fit moves to the next page, where the header is repeated; a
    /// row taller than a whole page is split, the rest carried to the next page.
    fn place_table(
        &mut self,
        table: &TableGeometry,
        header_cells: Option<&[Vec<String>]>,
        alignments: &[Alignment],
        rows: impl IntoIterator<Item = Vec<Vec<String>>>,
    ) {
        let header_height_mm = header_cells.map_or(0.0, |cells| table.row_height_mm(cells));
        let header_alignments = vec![Alignment::Centre; table.column_widths_mm.len()];
        let fresh_page_room_mm = self.content_bottom_mm() - self.content_top_mm() - header_height_mm;
        let mut table_top_mm = self.start_table_part(table, header_cells, &header_alignments, header_height_mm);
        for mut cells in rows {
            loop {
                let room_mm = self.room_mm();
                let row_height_mm = table.row_height_mm(&cells);
                if row_height_mm <= room_mm {
                    self.place_row(table, &cells, alignments, row_height_mm, false);
                    break;
                }
                if row_height_mm > fresh_page_room_mm {
                    let page_is_fresh = room_mm >= fresh_page_room_mm - 0.01;
                    let lines_that_fit =
                        ((room_mm - 2.0 * CELL_PADDING_VERTICAL_MM) / table.line_height_mm + 0.001).floor().max(0.0);
                    let lines_that_fit = if page_is_fresh { lines_that_fit.max(1.0) } else { lines_that_fit } as usize;
                    if lines_that_fit > 0 {
                        let (first_part, rest) = split_cells(cells, lines_that_fit);
                        self.place_row(table, &first_part, alignments, table.row_height_mm(&first_part), false);
                        cells = rest;
                        if cells.iter().all(Vec::is_empty) {
                            break;
                        }
                    }
                }
                self.close_table(table, table_top_mm);
                self.start_page();
                table_top_mm = self.start_table_part(table, header_cells, &header_alignments, header_height_mm);
            }
        }
        self.close_table(table, table_top_mm);
    }

    /// Starts the part of a table on this page with the header row, or with a border above
    /// the first row when the table has no header. Returns the part's top.
    fn start_table_part(
        &mut self,
        table: &TableGeometry,
        header_cells: Option<&[Vec<String>]>,
        header_alignments: &[Alignment],
        header_height_mm: f32,
    ) -> f32 {
        let top_mm = self.cursor_mm;
        match header_cells {
            Some(cells) => self.place_row(table, cells, header_alignments, header_height_mm, true),
            None => {
                let right_mm = table.left_mm + table.width_mm();
                self.current().rules.push(Rule { from: (table.left_mm, top_mm), to: (right_mm, top_mm) });
            }
        }
        top_mm
    }

    /// Places a row's wrapped cells under the cursor, with a border under the row. A header row
    /// is shaded and gets a border above it too; in other rows, the table's shaded columns are.
    fn place_row(
        &mut self,
        table: &TableGeometry,
        cells: &[Vec<String>],
        alignments: &[Alignment],
        height_mm: f32,
        is_header: bool,
    ) {
        let top_mm = self.cursor_mm;
        let edges_mm = table.column_edges_mm();
        let font = self.font;
        let page = self.current();
        if is_header {
            let (left_mm, width_mm) = (table.left_mm, table.width_mm());
            page.shaded_boxes.push(ShadedBox { left_mm, top_mm, width_mm, height_mm });
            page.rules.push(Rule { from: (left_mm, top_mm), to: (left_mm + width_mm, top_mm) });
        } else {
            // An empty label (the blank half of a field grid's last row) stays white.
            let shaded_cells = table.shaded_columns.iter().zip(cells).enumerate();
            for (column_index, _) in shaded_cells.filter(|(_, (shaded, lines))| **shaded && !lines.is_empty()) {
                let (left_mm, right_mm) = (edges_mm[column_index], edges_mm[column_index + 1]);
                page.shaded_boxes.push(ShadedBox { left_mm, top_mm, width_mm: right_mm - left_mm, height_mm });
            }
        }
        for (column_index, lines) in cells.iter().enumerate() {
            let (left_mm, right_mm) = (edges_mm[column_index], edges_mm[column_index + 1]);
            for (line_index, line) in lines.iter().enumerate() {
                let x_mm = match alignments[column_index] {
                    Alignment::Left => left_mm + CELL_PADDING_HORIZONTAL_MM,
                    Alignment::Centre => (left_mm + right_mm - font.text_width_mm(line, table.size_pt)) / 2.0,
                    Alignment::Right => right_mm - CELL_PADDING_HORIZONTAL_MM - font.text_width_mm(line, table.size_pt),
                };
                let line_top_mm = top_mm + CELL_PADDING_VERTICAL_MM + line_index as f32 * table.line_height_mm;
                page.texts.push(PlacedText {
                    text: line.clone(),
                    x_mm,
                    baseline_mm: line_top_mm + baseline_offset_mm(table.size_pt),
                    size_pt: table.size_pt,
                });
            }
        }
        let bottom_mm = top_mm + height_mm;
        page.rules.push(Rule { from: (table.left_mm, bottom_mm), to: (table.left_mm + table.width_mm(), bottom_mm) });
        self.cursor_mm = bottom_mm;
    }

    /// Draws the column borders of the table part on this page, from `top_mm` to the cursor.
    fn close_table(&mut self, table: &TableGeometry, top_mm: f32) {
        let bottom_mm = self.cursor_mm;
        let page = self.current();
        for edge_mm in table.column_edges_mm() {
            page.rules.push(Rule { from: (edge_mm, top_mm), to: (edge_mm, bottom_mm) });
        }
    }

    /// Places one row of a photo grid under the cursor: each photo (or empty frame) framed,
    /// its caption centred under it.
    fn place_thumbnail_row(&mut self, row: &ThumbnailRow) {
        let top_mm = self.cursor_mm;
        let left_margin_mm = self.page.margin_left_mm;
        let size_pt = self.page.body_size_pt;
        let line_height = line_height_mm(size_pt);
        let font = self.font;
        let page = self.current();
        for thumbnail in &row.thumbnails {
            let left_mm = left_margin_mm + thumbnail.offset_mm;
            let (right_mm, bottom_mm) = (left_mm + thumbnail.width_mm, top_mm + thumbnail.height_mm);
            if let Some(image_index) = thumbnail.image_index {
                page.images.push(PlacedImage {
                    image_index,
                    left_mm,
                    top_mm,
                    width_mm: thumbnail.width_mm,
                    height_mm: thumbnail.height_mm,
                });
            }
            let corners = [(left_mm, top_mm), (right_mm, top_mm), (right_mm, bottom_mm), (left_mm, bottom_mm)];
            for (corner_index, corner) in corners.iter().enumerate() {
                page.rules.push(Rule { from: *corner, to: corners[(corner_index + 1) % corners.len()] });
            }
            let centred_x_mm = |line: &str, cell_left_mm: f32, cell_width_mm: f32| {
                cell_left_mm + (cell_width_mm - font.text_width_mm(line, size_pt)) / 2.0
            };
            let notes_top_mm = top_mm + (thumbnail.height_mm - thumbnail.note_lines.len() as f32 * line_height) / 2.0;
            for (line_index, line) in thumbnail.note_lines.iter().enumerate() {
                page.texts.push(PlacedText {
                    text: line.clone(),
                    x_mm: centred_x_mm(line, left_mm, thumbnail.width_mm),
                    baseline_mm: notes_top_mm + line_index as f32 * line_height + baseline_offset_mm(size_pt),
                    size_pt,
                });
            }
            let captions_top_mm = bottom_mm + GAP_ABOVE_CAPTION_MM;
            for (line_index, line) in thumbnail.caption_lines.iter().enumerate() {
                page.texts.push(PlacedText {
                    text: line.clone(),
                    x_mm: centred_x_mm(line, left_margin_mm + thumbnail.cell_offset_mm, thumbnail.cell_width_mm),
                    baseline_mm: captions_top_mm + line_index as f32 * line_height + baseline_offset_mm(size_pt),
                    size_pt,
                });
            }
        }
        self.cursor_mm = top_mm + row.height_mm;
    }

    /// Places the closing lines and then the signature fields, all on one page: a new one if
    /// they do not fit under what is already there.
    fn place_closing_and_signatures(&mut self, closing_lines: &[String], signature_fields: &[String]) {
        let page = self.page;
        let line_height = line_height_mm(page.body_size_pt);
        let closing_lines: Vec<String> = closing_lines
            .iter()
            .flat_map(|line| wrap_text(self.font, line, page.body_size_pt, page.content_width_mm()))
            .collect();
        let signature_lines =
            signature_field_lines(self.font, signature_fields, page.body_size_pt, page.content_width_mm());
        let signature_height_mm = match signature_lines.len() {
            0 => 0.0,
            line_count => GAP_BEFORE_SIGNATURES_MM + (2 * line_count - 1) as f32 * line_height,
        };
        let closing_height_mm =
            GAP_BEFORE_CLOSING_LINES_MM + closing_lines.len() as f32 * line_height + signature_height_mm;
        if self.cursor_mm + closing_height_mm > self.content_bottom_mm() {
            self.start_page();
        }
        self.cursor_mm += GAP_BEFORE_CLOSING_LINES_MM;
        for line in &closing_lines {
            self.place_line(line, page.margin_left_mm, page.body_size_pt);
        }
        if !signature_lines.is_empty() {
            self.cursor_mm += GAP_BEFORE_SIGNATURES_MM;
            self.place_signature_fields(&signature_lines, page.margin_left_mm, page.body_size_pt);
        }
    }

    /// Places each line of signature fields: "label：" followed by a line to sign on.
    fn place_signature_fields(&mut self, field_lines: &[Vec<String>], left_mm: f32, size_pt: f32) {
        let font = self.font;
        for (line_index, labels) in field_lines.iter().enumerate() {
            if line_index > 0 {
                self.cursor_mm += line_height_mm(size_pt);
            }
            let baseline_mm = self.cursor_mm + baseline_offset_mm(size_pt);
            let underline_mm = baseline_mm + 0.8;
            let mut x_mm = left_mm;
            let page = self.current();
            for label in labels {
                let text_width_mm = font.text_width_mm(label, size_pt);
                page.texts.push(PlacedText { text: label.clone(), x_mm, baseline_mm, size_pt });
                x_mm += text_width_mm;
                page.rules
                    .push(Rule { from: (x_mm, underline_mm), to: (x_mm + SIGNATURE_LINE_LENGTH_MM, underline_mm) });
                x_mm += SIGNATURE_LINE_LENGTH_MM + GAP_BETWEEN_SIGNATURE_FIELDS_MM;
            }
            self.cursor_mm += line_height_mm(size_pt);
        }
    }
}

/// Groups signature fields into lines that fit `width_mm`, each label ending in "：".
fn signature_field_lines(font: &ReportFont, labels: &[String], size_pt: f32, width_mm: f32) -> Vec<Vec<String>> {
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut line_width_mm = 0.0;
    for label in labels {
        let label = format!("{label}：");
        let field_width_mm = font.text_width_mm(&label, size_pt) + SIGNATURE_LINE_LENGTH_MM;
        match lines.last_mut() {
            Some(line) if line_width_mm + GAP_BETWEEN_SIGNATURE_FIELDS_MM + field_width_mm <= width_mm => {
                line_width_mm += GAP_BETWEEN_SIGNATURE_FIELDS_MM + field_width_mm;
                line.push(label);
            }
            _ => {
                line_width_mm = field_width_mm;
                lines.push(vec![label]);
            }
        }
    }
    lines
}

/// Writes planned pages as a PDF: the font embedded (and subset on saving), the decoded
/// photos as image XObjects, "第 N 页 共 M 页" in every footer.
fn write_pdf(
    title: &str,
    page_setup: &PageSetup,
    planned_pages: &[PlannedPage],
    images: &[RawImage],
    font: &ReportFont,
) -> Vec<u8> {
    let page_count = planned_pages.len();
    let mut document = PdfDocument::new(title);
    let now = printpdf::OffsetDateTime::now_utc();
    let info = &mut document.metadata.info;
    (info.creation_date, info.modification_date, info.metadata_date) = (now, now, now);
    info.creator = "乡邻 Xianglin".to_owned();
    let font_id = document.add_font(font.parsed_font());
    let embedded_images: Vec<EmbeddedImage> = images
        .iter()
        .map(|image| EmbeddedImage { id: document.add_image(image), width_px: image.width, height_px: image.height })
        .collect();
    let (page_width_mm, page_height_mm) = page_setup.size_mm();
    let pages = planned_pages
        .iter()
        .enumerate()
        .map(|(page_index, planned_page)| {
            let footer = page_footer(page_index + 1, page_count);
            let footer_width_mm = font.text_width_mm(&footer, page_setup.footer_size_pt);
            let footer_text = PlacedText {
                text: footer,
                x_mm: (page_width_mm - footer_width_mm) / 2.0,
                baseline_mm: page_height_mm - page_setup.margin_bottom_mm / 2.0,
                size_pt: page_setup.footer_size_pt,
            };
            let ops = page_ops(planned_page, &footer_text, &font_id, &embedded_images, page_height_mm);
            PdfPage::new(printpdf::Mm(page_width_mm), printpdf::Mm(page_height_mm), ops)
        })
        .collect();
    document.with_pages(pages);

    let mut save_warnings = Vec::new();
    let pdf = document.save(&PdfSaveOptions::default(), &mut save_warnings);
    for warning in save_warnings.iter().filter(|warning| warning.severity == printpdf::PdfParseErrorSeverity::Error) {
        tracing::warn!(page = warning.page, message = %warning.msg, "printpdf reported a problem while saving");
    }
    pdf
}

/// A photo added to the PDF's resources, and its size in pixels.
#[derive(Debug)]
struct EmbeddedImage {
    id: XObjectId,
    width_px: usize,
    height_px: usize,
}

fn line_height_mm(size_pt: f32) -> f32 {
    size_pt * LINE_SPACING / POINTS_PER_MM
}

/// Distance from the top of a line box to its baseline, with the em box centred in the line.
fn baseline_offset_mm(size_pt: f32) -> f32 {
    let size_mm = size_pt / POINTS_PER_MM;
    (line_height_mm(size_pt) - size_mm) / 2.0 + EM_BOX_ASCENT * size_mm
}

/// Resolves fixed and shared column widths against the page's content width.
fn column_widths_mm(page: &PageSetup, columns: &[Column]) -> Result<Vec<f32>, ReportError> {
    if columns.is_empty() {
        return Err(ReportError::TableWithoutColumns);
    }
    let available_mm = page.content_width_mm();
    let (mut fixed_mm, mut shares) = (0.0, 0.0);
    for column in columns {
        match column.width {
            ColumnWidth::Mm(width_mm) => fixed_mm += width_mm,
            ColumnWidth::Share(share) => shares += share,
        }
    }
    let left_for_shares_mm = available_mm - fixed_mm;
    let too_wide = left_for_shares_mm < -0.01 || (shares > 0.0 && left_for_shares_mm < 1.0);
    if too_wide {
        return Err(ReportError::ColumnsWiderThanPage { columns_mm: fixed_mm, available_mm });
    }
    Ok(columns
        .iter()
        .map(|column| match column.width {
            ColumnWidth::Mm(width_mm) => width_mm,
            ColumnWidth::Share(share) => left_for_shares_mm * share / shares,
        })
        .collect())
}

/// Refuses a row whose number of cells is not the number of columns.
fn check_row_lengths(rows: &[Vec<String>], column_count: usize) -> Result<(), ReportError> {
    match rows.iter().position(|row| row.len() != column_count) {
        Some(row_index) => {
            Err(ReportError::RowDoesNotMatchColumns { row_index, cell_count: rows[row_index].len(), column_count })
        }
        None => Ok(()),
    }
}

/// Wraps each cell's text to its column's width inside the padding.
fn wrap_row<'a>(font: &ReportFont, table: &TableGeometry, cells: impl Iterator<Item = &'a str>) -> Vec<Vec<String>> {
    cells
        .zip(&table.column_widths_mm)
        .map(|(text, width_mm)| wrap_text(font, text, table.size_pt, width_mm - 2.0 * CELL_PADDING_HORIZONTAL_MM))
        .collect()
}

/// Splits wrapped cells after `line_count` lines: what fits on this page, and the rest.
fn split_cells(cells: Vec<Vec<String>>, line_count: usize) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    cells
        .into_iter()
        .map(|mut lines| {
            let rest = lines.split_off(line_count.min(lines.len()));
            (lines, rest)
        })
        .unzip()
}

/// Segments `paragraph` at its break opportunities: a space run, one Chinese character, or a
/// run of other characters (a word); closing punctuation joins the segment before it and
/// opening punctuation the segment after it.
fn line_break_segments(paragraph: &str) -> Vec<&str> {
    let mut segments: Vec<(usize, usize)> = Vec::new();
    let mut glue_to_next = false;
    for (start, character) in paragraph.char_indices() {
        let end = start + character.len_utf8();
        let kind = segment_kind(character);
        let joins_previous = match segments.last() {
            None => false,
            Some(_) => {
                // The character just before, not the segment's first: "（2026" is one segment
                // whose "（" is wide, and the digits after it still belong to the word.
                let previous = paragraph[..start].chars().next_back().map(segment_kind);
                glue_to_next
                    || (kind == SegmentKind::Word && previous == Some(SegmentKind::Word))
                    || (kind == SegmentKind::Space && previous == Some(SegmentKind::Space))
                    || (is_closing_punctuation(character) && previous != Some(SegmentKind::Space))
            }
        };
        if joins_previous {
            segments.last_mut().expect("a segment to join").1 = end;
        } else {
            segments.push((start, end));
        }
        glue_to_next = is_opening_punctuation(character);
    }
    segments.into_iter().map(|(start, end)| &paragraph[start..end]).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SegmentKind {
    Space,
    /// Chinese, Japanese and Korean characters and full-width forms: each is its own segment.
    Wide,
    Word,
}

fn segment_kind(character: char) -> SegmentKind {
    if character.is_whitespace() {
        SegmentKind::Space
    } else if u32::from(character) >= 0x2E80 {
        SegmentKind::Wide
    } else {
        SegmentKind::Word
    }
}

fn is_closing_punctuation(character: char) -> bool {
    "，。、；：！？）》」』】〕〉”’…·%,.;:!?)]}".contains(character)
}

fn is_opening_punctuation(character: char) -> bool {
    "（《「『【〔〈“‘([{".contains(character)
}

/// Every text a table report prints, footers aside.
fn table_report_texts(report: &TableReport) -> Vec<&str> {
    std::iter::once(&report.title)
        .chain(&report.subtitle_lines)
        .chain(report.columns.iter().map(|column| &column.header))
        .chain(report.rows.iter().flatten())
        .chain(&report.closing_lines)
        .chain(&report.signature_fields)
        .map(String::as_str)
        .collect()
}

/// Every text a document report prints, footers aside.
fn document_report_texts(report: &DocumentReport) -> Vec<&str> {
    let mut texts: Vec<&str> =
        std::iter::once(&report.title).chain(&report.subtitle_lines).map(String::as_str).collect();
    for block in &report.blocks {
        match block {
            Block::Heading(text) | Block::Paragraph(text) => texts.push(text),
            Block::Fields(pairs) => {
                texts.extend(pairs.iter().flat_map(|(label, value)| [label.as_str(), value.as_str()]))
            }
            Block::Table { columns, rows, closing_lines } => texts.extend(
                columns
                    .iter()
                    .map(|column| &column.header)
                    .chain(rows.iter().flatten())
                    .chain(closing_lines)
                    .map(String::as_str),
            ),
            Block::Images { items, .. } => {
                texts.extend(items.iter().map(|item| item.caption.as_str()));
                texts.push(UNREADABLE_IMAGE_NOTE);
            }
        }
    }
    texts.extend(report.signature_fields.iter().map(String::as_str));
    texts
}

/// The characters of `texts` the font lacks, each once, logged by number only.
fn missing_characters_in(texts: Vec<&str>, font: &ReportFont) -> Vec<char> {
    let mut missing = Vec::new();
    for text in texts {
        for character in font.missing_characters(text) {
            if !missing.contains(&character) {
                missing.push(character);
            }
        }
    }
    if !missing.is_empty() {
        // The characters themselves may be part of a name, so only their number is logged.
        tracing::warn!(missing_character_count = missing.len(), "report has characters the font lacks");
    }
    missing
}

/// The second pass: one page's photos, shading, borders and text as printpdf operations.
fn page_ops(
    page: &PlannedPage,
    footer: &PlacedText,
    font_id: &FontId,
    images: &[EmbeddedImage],
    page_height_mm: f32,
) -> Vec<Op> {
    let point = |(x_mm, y_from_top_mm): (f32, f32)| Point {
        x: Pt(x_mm * POINTS_PER_MM),
        y: Pt((page_height_mm - y_from_top_mm) * POINTS_PER_MM),
    };
    let mut ops = Vec::with_capacity(page.texts.len() * 2 + page.rules.len() + page.images.len() + 16);
    for placed in &page.images {
        let Some(image) = images.get(placed.image_index) else { continue };
        // printpdf first scales the image to its pixel size at IMAGE_PLACEMENT_DPI, then
        // applies this scale, then moves its bottom-left corner into place.
        let natural_width_pt = image.width_px as f32 * 72.0 / IMAGE_PLACEMENT_DPI;
        let natural_height_pt = image.height_px as f32 * 72.0 / IMAGE_PLACEMENT_DPI;
        let bottom_left = point((placed.left_mm, placed.top_mm + placed.height_mm));
        ops.push(Op::UseXobject {
            id: image.id.clone(),
            transform: XObjectTransform {
                translate_x: Some(bottom_left.x),
                translate_y: Some(bottom_left.y),
                scale_x: Some(placed.width_mm * POINTS_PER_MM / natural_width_pt),
                scale_y: Some(placed.height_mm * POINTS_PER_MM / natural_height_pt),
                dpi: Some(IMAGE_PLACEMENT_DPI),
                ..XObjectTransform::default()
            },
        });
    }
    if !page.shaded_boxes.is_empty() {
        ops.push(Op::SetFillColor { col: Color::Greyscale(Greyscale::new(HEADER_SHADE, None)) });
        for shaded in &page.shaded_boxes {
            let (left, top) = (shaded.left_mm, shaded.top_mm);
            let (right, bottom) = (left + shaded.width_mm, top + shaded.height_mm);
            let corners = [(left, top), (right, top), (right, bottom), (left, bottom)];
            let points = corners.into_iter().map(|corner| LinePoint { p: point(corner), bezier: false }).collect();
            ops.push(Op::DrawPolygon {
                polygon: Polygon {
                    rings: vec![PolygonRing { points }],
                    mode: PaintMode::Fill,
                    winding_order: WindingOrder::NonZero,
                },
            });
        }
    }
    ops.push(Op::SetOutlineColor { col: Color::Greyscale(Greyscale::new(0.0, None)) });
    ops.push(Op::SetOutlineThickness { pt: Pt(BORDER_THICKNESS_PT) });
    for rule in &page.rules {
        let points =
            vec![LinePoint { p: point(rule.from), bezier: false }, LinePoint { p: point(rule.to), bezier: false }];
        ops.push(Op::DrawLine { line: Line { points, is_closed: false } });
    }
    ops.push(Op::SetFillColor { col: Color::Greyscale(Greyscale::new(0.0, None)) });
    ops.push(Op::StartTextSection);
    let mut current_size_pt = None;
    for text in page.texts.iter().chain(std::iter::once(footer)) {
        if current_size_pt != Some(text.size_pt) {
            ops.push(Op::SetFont { font: PdfFontHandle::External(font_id.clone()), size: Pt(text.size_pt) });
            current_size_pt = Some(text.size_pt);
        }
        let position = point((text.x_mm, text.baseline_mm));
        ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(position.x, position.y) });
        ops.push(Op::ShowText { items: vec![TextItem::Text(text.text.clone())] });
    }
    ops.push(Op::EndTextSection);
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> &'static ReportFont {
        report_font().unwrap()
    }

    fn three_column_report(rows: Vec<Vec<String>>) -> TableReport {
        TableReport {
            page: PageSetup::a4_portrait(),
            title: "测试表".to_owned(),
            subtitle_lines: vec!["副标题".to_owned()],
            columns: vec![
                Column::fixed("编号", 20.0, Alignment::Centre),
                Column::shared("内容", 1.0, Alignment::Left),
                Column::fixed("金额", 25.0, Alignment::Right),
            ],
            rows,
            closing_lines: vec!["合计 3 行".to_owned()],
            signature_fields: vec!["经办人签字".to_owned()],
        }
    }

    fn numbered_rows(count: usize, lines_per_row: usize) -> Vec<Vec<String>> {
        (0..count)
            .map(|row_index| {
                let content =
                    (0..lines_per_row).map(|line| format!("R{row_index}L{line}")).collect::<Vec<_>>().join("\n");
                vec![format!("R{row_index}"), content, "12.50".to_owned()]
            })
            .collect()
    }

    fn texts_on(page: &PlannedPage) -> Vec<&str> {
        page.texts.iter().map(|text| text.text.as_str()).collect()
    }

    #[test]
    fn wrapping_chinese_keeps_every_character_in_order_within_the_width() {
        let text = "老人独居，子女在外务工；本月上门两次，发现血压偏高，已告知村医并电话联系其长子。";
        let lines = wrap_text(font(), text, 9.0, 25.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert_eq!(lines.concat(), text);
        for line in &lines {
            assert!(font().text_width_mm(line, 9.0) <= 25.0, "{line}");
        }
    }

    #[test]
    fn wrapping_breaks_latin_and_numbers_between_words_and_keeps_them_whole() {
        let width_mm = font().text_width_mm("20261103 王小明", 9.0) + 0.1;
        let lines = wrap_text(font(), "11-03 上门 20261103 王小明", 9.0, width_mm);
        assert_eq!(lines, vec!["11-03 上门", "20261103 王小明"]);
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        let width_mm = font().text_width_mm("一二三四", 9.0) + 0.1;
        let lines = wrap_text(font(), "一二三四，五六", 9.0, width_mm);
        assert_eq!(lines, vec!["一二三", "四，五六"]);
    }

    #[test]
    fn opening_punctuation_stays_with_the_whole_word_after_it() {
        let text = "已审核（2026-12-03 李审核）";
        let width_mm = font().text_width_mm("已审核（2026-12-03", 9.0) + 0.1;
        assert_eq!(wrap_text(font(), text, 9.0, width_mm), vec!["已审核（2026-12-03", "李审核）"]);
        let width_mm = font().text_width_mm("已审核（2026-1", 9.0);
        assert_eq!(wrap_text(font(), text, 9.0, width_mm), vec!["已审核", "（2026-12-03", "李审核）"]);
    }

    #[test]
    fn a_word_wider_than_the_column_breaks_between_its_characters() {
        let lines = wrap_text(font(), "3621**********031X", 9.0, 15.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), "3621**********031X");
    }

    #[test]
    fn forced_line_breaks_are_kept_and_empty_text_has_no_lines() {
        assert_eq!(wrap_text(font(), "甲\n乙", 9.0, 50.0), vec!["甲", "乙"]);
        assert!(wrap_text(font(), "", 9.0, 50.0).is_empty());
    }

    #[test]
    fn header_row_repeats_at_the_top_of_every_page() {
        let pages = plan_pages(&three_column_report(numbered_rows(120, 2)), font()).unwrap();
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for page in &pages[1..] {
            let texts = texts_on(page);
            assert_eq!(&texts[..3], ["编号", "内容", "金额"]);
            assert!(page.texts[0].baseline_mm < 25.0, "header starts at the top margin");
            assert!(!texts.contains(&"测试表"), "the title is printed on the first page only");
        }
        assert!(texts_on(&pages[0]).contains(&"测试表"));
    }

    #[test]
    fn every_row_appears_once_and_never_splits_across_pages() {
        let pages = plan_pages(&three_column_report(numbered_rows(90, 4)), font()).unwrap();
        for row_index in 0..90 {
            let pages_with_row: Vec<usize> = (0..pages.len())
                .filter(|&page_index| {
                    texts_on(&pages[page_index]).iter().any(|text| text.starts_with(&format!("R{row_index}L")))
                })
                .collect();
            assert_eq!(pages_with_row.len(), 1, "row {row_index} is on pages {pages_with_row:?}");
            let lines_of_row = texts_on(&pages[pages_with_row[0]])
                .into_iter()
                .filter(|text| text.starts_with(&format!("R{row_index}L")))
                .count();
            assert_eq!(lines_of_row, 4);
        }
    }

    #[test]
    fn a_row_taller_than_a_page_continues_on_the_next_page_without_losing_lines() {
        let pages = plan_pages(&three_column_report(numbered_rows(1, 150)), font()).unwrap();
        assert!(pages.len() >= 2);
        let printed: Vec<&str> = pages.iter().flat_map(texts_on).filter(|text| text.starts_with("R0L")).collect();
        let expected: Vec<String> = (0..150).map(|line| format!("R0L{line}")).collect();
        assert_eq!(printed, expected);
        let page_height_mm = PageSetup::a4_portrait().size_mm().1;
        for page in &pages {
            for text in &page.texts {
                assert!(text.baseline_mm < page_height_mm - PageSetup::a4_portrait().margin_bottom_mm);
            }
        }
    }

    #[test]
    fn closing_lines_and_signature_fields_follow_the_table() {
        let pages = plan_pages(&three_column_report(numbered_rows(3, 1)), font()).unwrap();
        assert_eq!(pages.len(), 1);
        let texts = texts_on(&pages[0]);
        let last_row = texts.iter().position(|text| *text == "R2L0").unwrap();
        let totals = texts.iter().position(|text| *text == "合计 3 行").unwrap();
        let signature = texts.iter().position(|text| *text == "经办人签字：").unwrap();
        assert!(last_row < totals && totals < signature);
        assert!(pages[0].texts[totals].baseline_mm > pages[0].texts[last_row].baseline_mm);
    }

    #[test]
    fn signature_fields_too_wide_for_one_line_continue_on_the_next() {
        let mut report = three_column_report(numbered_rows(1, 1));
        report.signature_fields = ["探访员签字", "村负责人签字", "乡镇审核人签字", "日期"].map(str::to_owned).to_vec();
        let pages = plan_pages(&report, font()).unwrap();
        let baseline_of = |label: &str| pages[0].texts.iter().find(|text| text.text == label).unwrap().baseline_mm;
        assert_eq!(baseline_of("探访员签字："), baseline_of("村负责人签字："));
        assert!(baseline_of("乡镇审核人签字：") > baseline_of("探访员签字："));
        let right_edge_mm = PageSetup::a4_portrait().size_mm().0 - PageSetup::a4_portrait().margin_right_mm;
        assert!(pages[0].rules.iter().all(|rule| rule.to.0 <= right_edge_mm + 0.01));
    }

    #[test]
    fn right_aligned_cells_end_at_the_column_padding() {
        let pages = plan_pages(&three_column_report(numbered_rows(1, 1)), font()).unwrap();
        let amount = pages[0].texts.iter().find(|text| text.text == "12.50").unwrap();
        let table_right_mm = PageSetup::a4_portrait().size_mm().0 - PageSetup::a4_portrait().margin_right_mm;
        let right_edge_mm = amount.x_mm + font().text_width_mm("12.50", amount.size_pt);
        assert!((right_edge_mm - (table_right_mm - CELL_PADDING_HORIZONTAL_MM)).abs() < 0.01);
    }

    #[test]
    fn columns_wider_than_the_page_are_refused() {
        let mut report = three_column_report(numbered_rows(1, 1));
        report.columns.push(Column::fixed("备注", 200.0, Alignment::Left));
        report.rows[0].push(String::new());
        assert!(matches!(render_table_report(&report), Err(ReportError::ColumnsWiderThanPage { .. })));
    }

    #[test]
    fn a_row_with_the_wrong_number_of_cells_is_refused() {
        let mut report = three_column_report(numbered_rows(2, 1));
        report.rows[1].pop();
        let error = render_table_report(&report).unwrap_err();
        assert!(matches!(error, ReportError::RowDoesNotMatchColumns { row_index: 1, cell_count: 2, column_count: 3 }));
    }

    #[test]
    fn characters_the_font_lacks_are_returned_with_the_pdf() {
        let mut report = three_column_report(numbered_rows(1, 1));
        report.rows[0][1] = "王\u{E000}明".to_owned();
        let rendered = render_table_report(&report).unwrap();
        assert_eq!(rendered.missing_characters, vec!['\u{E000}']);
        assert!(rendered.pdf.starts_with(b"%PDF"));
    }

    fn document(blocks: Vec<Block>) -> DocumentReport {
        DocumentReport {
            page: PageSetup::a4_portrait(),
            title: "测试档案".to_owned(),
            subtitle_lines: vec!["副标题".to_owned()],
            blocks,
            signature_fields: vec!["经办人".to_owned()],
        }
    }

    fn table_block(rows: Vec<Vec<String>>) -> Block {
        let report = three_column_report(rows);
        Block::Table { columns: report.columns, rows: report.rows, closing_lines: vec!["小计".to_owned()] }
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbImage::from_pixel(width, height, image::Rgb([90, 150, 220]));
        let mut bytes = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(picture).write_to(&mut bytes, image::ImageFormat::Png).unwrap();
        bytes.into_inner()
    }

    fn page_and_text<'a>(pages: &'a [PlannedPage], text: &str) -> (usize, &'a PlacedText) {
        pages
            .iter()
            .enumerate()
            .find_map(|(page_index, page)| {
                page.texts.iter().find(|placed| placed.text == text).map(|placed| (page_index, placed))
            })
            .unwrap_or_else(|| panic!("{text} is placed"))
    }

    #[test]
    fn a_heading_moves_to_the_next_page_with_the_start_of_the_block_it_heads() {
        // Enough lines to leave room for the heading and a line more, but not for the table.
        let page = PageSetup::a4_portrait();
        let title_block_mm = line_height_mm(page.title_size_pt) + line_height_mm(page.subtitle_size_pt);
        let room_mm = page.content_height_mm() - title_block_mm - GAP_AFTER_TITLE_BLOCK_MM;
        let room_to_leave_mm = GAP_BEFORE_HEADING_MM
            + line_height_mm(page.heading_size_pt)
            + GAP_AFTER_HEADING_MM
            + line_height_mm(page.body_size_pt);
        let line_count = ((room_mm - room_to_leave_mm) / line_height_mm(page.body_size_pt)).floor() as usize;
        let filler = (0..line_count).map(|line| format!("第 {line} 行")).collect::<Vec<_>>().join("\n");
        let report = document(vec![
            Block::Paragraph(filler),
            Block::Heading("二、办理进度".to_owned()),
            table_block(numbered_rows(3, 1)),
        ]);
        let pages = plan_document(&report, font()).unwrap().pages;
        assert_eq!(page_and_text(&pages, &format!("第 {} 行", line_count - 1)).0, 0, "the filler fits page 1");
        let (heading_page, heading) = page_and_text(&pages, "二、办理进度");
        let (header_page, header) = page_and_text(&pages, "编号");
        assert_eq!(heading_page, 1, "the page had room for the heading but not for the table under it");
        assert_eq!(header_page, heading_page);
        assert!(heading.baseline_mm < header.baseline_mm);
        assert!(heading.baseline_mm < 25.0, "the heading starts the new page");
    }

    #[test]
    fn field_grids_put_two_pairs_to_a_row_and_shade_only_the_labels() {
        let pairs = [("姓名", "张桂兰"), ("性别", "女"), ("地址", "朱砂村三组 17 号")]
            .map(|(label, value)| (label.to_owned(), value.to_owned()))
            .to_vec();
        let pages = plan_document(&document(vec![Block::Fields(pairs)]), font()).unwrap().pages;
        assert_eq!(pages.len(), 1);
        let (_, name) = page_and_text(&pages, "姓名");
        let (_, gender) = page_and_text(&pages, "性别");
        let (_, address) = page_and_text(&pages, "地址");
        let page_setup = PageSetup::a4_portrait();
        assert_eq!(name.baseline_mm, gender.baseline_mm, "two pairs to a row");
        assert!(gender.x_mm > page_setup.margin_left_mm + page_setup.content_width_mm() / 2.0 - 0.01);
        assert!(address.baseline_mm > name.baseline_mm && address.x_mm == name.x_mm);
        assert_eq!(pages[0].shaded_boxes.len(), 3, "three labels shaded, the blank fourth not");
        assert!(pages[0].shaded_boxes.iter().all(|shaded| shaded.width_mm < 40.1));

        let empty = plan_document(&document(vec![Block::Fields(Vec::new())]), font()).unwrap().pages;
        let signature_underline_count = 1;
        assert_eq!(empty[0].rules.len(), signature_underline_count, "an empty grid draws no border");
    }

    #[test]
    fn a_table_in_a_document_repeats_its_header_and_keeps_its_closing_lines_after_the_last_row() {
        let pages = plan_document(&document(vec![table_block(numbered_rows(120, 2))]), font()).unwrap().pages;
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for page in &pages {
            assert_eq!(texts_on(page).iter().filter(|text| **text == "编号").count(), 1, "one header row a page");
        }
        let (last_row_page, last_row) = page_and_text(&pages, "R119L1");
        let (closing_page, closing) = page_and_text(&pages, "小计");
        assert!(closing_page > last_row_page || closing.baseline_mm > last_row.baseline_mm);
    }

    #[test]
    fn rows_of_photos_never_split_across_pages_and_keep_each_photos_aspect_ratio() {
        let items: Vec<ReportImage> = (0..14)
            .map(|index| {
                let bytes = if index % 2 == 0 { png(40, 30) } else { png(30, 40) };
                ReportImage::new(&format!("照片 {index}"), bytes)
            })
            .collect();
        let planned = plan_document(&document(vec![Block::Images { items, thumb_width_mm: 50.0 }]), font()).unwrap();
        assert!(planned.unreadable_images.is_empty());
        assert_eq!(planned.images.len(), 14);
        assert!(planned.pages.len() >= 2, "{} pages", planned.pages.len());
        let page_setup = PageSetup::a4_portrait();
        let content_bottom_mm = page_setup.size_mm().1 - page_setup.margin_bottom_mm;
        let mut placed_count = 0;
        for page in &planned.pages {
            for placed in &page.images {
                placed_count += 1;
                let image = &planned.images[placed.image_index];
                let aspect = image.height as f32 / image.width as f32;
                assert!((placed.height_mm / placed.width_mm - aspect).abs() < 0.01, "aspect ratio kept");
                assert!(placed.width_mm <= 50.01 && placed.height_mm <= 50.0 * 4.0 / 3.0 + 0.01);
                let caption = page.texts.iter().find(|text| text.text == format!("照片 {}", placed.image_index));
                let caption = caption.expect("the caption is on the photo's page");
                assert!(
                    caption.baseline_mm > placed.top_mm + placed.height_mm && caption.baseline_mm < content_bottom_mm
                );
            }
            // Photos three to a row: the photos of one row share their top edge.
            let mut tops: Vec<f32> = page.images.iter().map(|placed| placed.top_mm).collect();
            tops.dedup_by(|a, b| (*a - *b).abs() < 0.01);
            assert!(page.images.len() <= 3 * tops.len());
        }
        assert_eq!(placed_count, 14);
    }

    #[test]
    fn a_photo_that_does_not_decode_prints_a_framed_note_and_is_reported() {
        let items =
            vec![ReportImage::new("改造后：卫生间", b"not a photo".to_vec()), ReportImage::new("门槛", png(8, 6))];
        let planned = plan_document(&document(vec![Block::Images { items, thumb_width_mm: 55.0 }]), font()).unwrap();
        assert_eq!(planned.unreadable_images, ["改造后：卫生间"]);
        assert_eq!(planned.images.len(), 1);
        let page = &planned.pages[0];
        assert_eq!(page.images.len(), 1);
        let note = page.texts.iter().find(|text| text.text == UNREADABLE_IMAGE_NOTE).expect("the note is printed");
        let caption = page.texts.iter().find(|text| text.text == "改造后：卫生间").expect("the caption is printed");
        assert!(note.baseline_mm < caption.baseline_mm);
        let photo = &page.images[0];
        assert!(note.x_mm < photo.left_mm, "the empty frame takes the first cell");
        let rendered = render_document_report(&document(vec![Block::Images {
            items: vec![ReportImage::new("坏", vec![0xFF, 0xD8, 0xFF, 0x00])],
            thumb_width_mm: 55.0,
        }]))
        .unwrap();
        assert_eq!(rendered.unreadable_images, ["坏"]);
        assert!(rendered.pdf.starts_with(b"%PDF"));
    }

    #[test]
    fn a_bad_table_in_a_document_is_refused_naming_its_block() {
        let mut rows = numbered_rows(2, 1);
        rows[1].pop();
        let report =
            document(vec![Block::Heading("一".to_owned()), Block::Paragraph("说明".to_owned()), table_block(rows)]);
        let error = render_document_report(&report).unwrap_err();
        assert!(matches!(
            &error,
            ReportError::InBlock { block_index: 2, source } if matches!(**source, ReportError::RowDoesNotMatchColumns { row_index: 1, .. })
        ));
        assert!(error.to_string().starts_with("block 2 of the report: table row 1 has 2 cells"), "{error}");
    }
}
