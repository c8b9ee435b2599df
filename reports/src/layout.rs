//! The one table layout every report uses: A4 pages with a title block, a bordered table whose
//! cells wrap, page breaks that repeat the header row, closing lines (totals), signature fields,
//! and "第 N 页 共 M 页" centred in every page's footer.
//!
//! A report is plain data, [`TableReport`]; [`render_table_report`] turns it into PDF bytes in
//! two passes. The first pass plans every page in millimetres measured from the top-left corner,
//! so the page count is known; the second writes printpdf `Op`s (origin bottom-left, points) and
//! adds the footers. Text is shown as Unicode text in the embedded, subset font, so it stays
//! extractable. Wrapping breaks Chinese between any two characters and Latin text and numbers
//! between words, and keeps closing punctuation off the start of a line.
//!
//! What a report says, and in which columns, is left to the report modules.

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Polygon, PolygonRing, Pt, TextItem, TextMatrix, WindingOrder,
};

use crate::ReportError;
use crate::font::{POINTS_PER_MM, ReportFont, report_font};

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

/// A rendered report.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedReport {
    pub pdf: Vec<u8>,
    pub page_count: usize,
    /// Characters the font has no glyph for; each prints as a box. Empty when all is printable.
    pub missing_characters: Vec<char>,
}

/// Lays out and renders `report` with the shared report font.
pub fn render_table_report(report: &TableReport) -> Result<RenderedReport, ReportError> {
    render_table_report_with_font(report, report_font()?)
}

/// Lays out and renders `report` with `font`.
pub fn render_table_report_with_font(report: &TableReport, font: &ReportFont) -> Result<RenderedReport, ReportError> {
    let missing_characters = missing_characters_in_report(report, font);
    if !missing_characters.is_empty() {
        // The characters themselves may be part of a name, so only their number is logged.
        tracing::warn!(missing_character_count = missing_characters.len(), "report has characters the font lacks");
    }
    let planned_pages = plan_pages(report, font)?;
    let page_count = planned_pages.len();

    let mut document = PdfDocument::new(&report.title);
    let now = printpdf::OffsetDateTime::now_utc();
    let info = &mut document.metadata.info;
    (info.creation_date, info.modification_date, info.metadata_date) = (now, now, now);
    info.creator = "乡邻 Xianglin".to_owned();
    let font_id = document.add_font(font.parsed_font());
    let (page_width_mm, page_height_mm) = report.page.size_mm();
    let pages = planned_pages
        .iter()
        .enumerate()
        .map(|(page_index, planned_page)| {
            let footer = page_footer(page_index + 1, page_count);
            let footer_width_mm = font.text_width_mm(&footer, report.page.footer_size_pt);
            let footer_text = PlacedText {
                text: footer,
                x_mm: (page_width_mm - footer_width_mm) / 2.0,
                baseline_mm: page_height_mm - report.page.margin_bottom_mm / 2.0,
                size_pt: report.page.footer_size_pt,
            };
            let ops = page_ops(planned_page, &footer_text, &font_id, page_height_mm);
            PdfPage::new(printpdf::Mm(page_width_mm), printpdf::Mm(page_height_mm), ops)
        })
        .collect();
    document.with_pages(pages);

    let mut save_warnings = Vec::new();
    let pdf = document.save(&PdfSaveOptions::default(), &mut save_warnings);
    for warning in save_warnings.iter().filter(|warning| warning.severity == printpdf::PdfParseErrorSeverity::Error) {
        tracing::warn!(page = warning.page, message = %warning.msg, "printpdf reported a problem while saving");
    }
    Ok(RenderedReport { pdf, page_count, missing_characters })
}

/// The footer of page `page_number` of `page_count`.
pub fn page_footer(page_number: usize, page_count: usize) -> String {
    format!("第 {page_number} 页 共 {page_count} 页")
}

impl PageSetup {
    /// A4 portrait with 15 mm margins, 16 pt title, 9 pt body.
    pub fn a4_portrait() -> Self {
        Self {
            orientation: Orientation::Portrait,
            margin_top_mm: 15.0,
            margin_bottom_mm: 15.0,
            margin_left_mm: 15.0,
            margin_right_mm: 15.0,
            title_size_pt: 16.0,
            subtitle_size_pt: 10.0,
            body_size_pt: 9.0,
            footer_size_pt: 9.0,
        }
    }

    /// A4 landscape with 12 mm margins, 16 pt title, 9 pt body.
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

/// A filled rectangle behind a header row, in millimetres from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ShadedBox {
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

/// The first pass: every page's text, borders and shading.
pub(crate) fn plan_pages(report: &TableReport, font: &ReportFont) -> Result<Vec<PlannedPage>, ReportError> {
    let column_widths_mm = column_widths_mm(report)?;
    for (row_index, row) in report.rows.iter().enumerate() {
        if row.len() != report.columns.len() {
            return Err(ReportError::RowDoesNotMatchColumns {
                row_index,
                cell_count: row.len(),
                column_count: report.columns.len(),
            });
        }
    }
    let page = &report.page;
    let (page_width_mm, page_height_mm) = page.size_mm();
    let table = TableGeometry {
        left_mm: page.margin_left_mm,
        column_widths_mm,
        size_pt: page.body_size_pt,
        line_height_mm: line_height_mm(page.body_size_pt),
    };
    let content_top_mm = page.margin_top_mm;
    let content_bottom_mm = page_height_mm - page.margin_bottom_mm;

    let mut planner = PagePlanner { font, pages: vec![PlannedPage::default()], cursor_mm: content_top_mm };
    for (text, size_pt) in std::iter::once((&report.title, page.title_size_pt))
        .chain(report.subtitle_lines.iter().map(|line| (line, page.subtitle_size_pt)))
    {
        let width_mm = font.text_width_mm(text, size_pt);
        planner.place_line(text, (page_width_mm - width_mm) / 2.0, size_pt);
    }
    planner.cursor_mm += GAP_AFTER_TITLE_BLOCK_MM;

    let header_cells = wrap_row(font, &table, report.columns.iter().map(|column| column.header.as_str()));
    let header_height_mm = table.row_height_mm(&header_cells);
    let alignments: Vec<Alignment> = report.columns.iter().map(|column| column.alignment).collect();
    let header_alignments = vec![Alignment::Centre; report.columns.len()];
    let fresh_page_room_mm = content_bottom_mm - content_top_mm - header_height_mm;

    let mut table_top_mm = planner.cursor_mm;
    planner.place_row(&table, &header_cells, &header_alignments, header_height_mm, true);
    for row in &report.rows {
        let mut cells = wrap_row(font, &table, row.iter().map(String::as_str));
        loop {
            let room_mm = content_bottom_mm - planner.cursor_mm;
            let row_height_mm = table.row_height_mm(&cells);
            if row_height_mm <= room_mm {
                planner.place_row(&table, &cells, &alignments, row_height_mm, false);
                break;
            }
            // A row taller than a whole page is split, the rest carried to the next page;
            // any other row moves to the next page whole.
            if row_height_mm > fresh_page_room_mm {
                let page_is_fresh = room_mm >= fresh_page_room_mm - 0.01;
                let lines_that_fit =
                    ((room_mm - 2.0 * CELL_PADDING_VERTICAL_MM) / table.line_height_mm + 0.001).floor().max(0.0);
                let lines_that_fit = if page_is_fresh { lines_that_fit.max(1.0) } else { lines_that_fit } as usize;
                if lines_that_fit > 0 {
                    let (first_part, rest) = split_cells(cells, lines_that_fit);
                    planner.place_row(&table, &first_part, &alignments, table.row_height_mm(&first_part), false);
                    cells = rest;
                    if cells.iter().all(Vec::is_empty) {
                        break;
                    }
                }
            }
            planner.close_table(&table, table_top_mm);
            planner.start_page(content_top_mm);
            table_top_mm = planner.cursor_mm;
            planner.place_row(&table, &header_cells, &header_alignments, header_height_mm, true);
        }
    }
    planner.close_table(&table, table_top_mm);

    let closing_lines: Vec<String> = report
        .closing_lines
        .iter()
        .flat_map(|line| wrap_text(font, line, page.body_size_pt, page.content_width_mm()))
        .collect();
    let signature_lines =
        signature_field_lines(font, &report.signature_fields, page.body_size_pt, page.content_width_mm());
    let signature_height_mm = match signature_lines.len() {
        0 => 0.0,
        line_count => GAP_BEFORE_SIGNATURES_MM + (2 * line_count - 1) as f32 * table.line_height_mm,
    };
    let closing_height_mm =
        GAP_BEFORE_CLOSING_LINES_MM + closing_lines.len() as f32 * table.line_height_mm + signature_height_mm;
    if planner.cursor_mm + closing_height_mm > content_bottom_mm {
        planner.start_page(content_top_mm);
    }
    planner.cursor_mm += GAP_BEFORE_CLOSING_LINES_MM;
    for line in &closing_lines {
        planner.place_line(line, page.margin_left_mm, page.body_size_pt);
    }
    if !signature_lines.is_empty() {
        planner.cursor_mm += GAP_BEFORE_SIGNATURES_MM;
        planner.place_signature_fields(&signature_lines, page.margin_left_mm, page.body_size_pt);
    }
    Ok(planner.pages)
}

/// Column positions and the type the table is set in.
#[derive(Debug)]
struct TableGeometry {
    left_mm: f32,
    column_widths_mm: Vec<f32>,
    size_pt: f32,
    line_height_mm: f32,
}

impl TableGeometry {
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
struct PagePlanner<'font> {
    font: &'font ReportFont,
    pages: Vec<PlannedPage>,
    cursor_mm: f32,
}

impl PagePlanner<'_> {
    fn current(&mut self) -> &mut PlannedPage {
        let last_index = self.pages.len() - 1;
        &mut self.pages[last_index]
    }

    fn start_page(&mut self, content_top_mm: f32) {
        self.pages.push(PlannedPage::default());
        self.cursor_mm = content_top_mm;
    }

    /// Places one line of text at `x_mm` and moves the cursor below it.
    fn place_line(&mut self, text: &str, x_mm: f32, size_pt: f32) {
        let baseline_mm = self.cursor_mm + baseline_offset_mm(size_pt);
        self.cursor_mm += line_height_mm(size_pt);
        self.current().texts.push(PlacedText { text: text.to_owned(), x_mm, baseline_mm, size_pt });
    }

    /// Places a row's wrapped cells under the cursor, with a border under the row. A header row
    /// is shaded and gets a border above it too.
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

fn line_height_mm(size_pt: f32) -> f32 {
    size_pt * LINE_SPACING / POINTS_PER_MM
}

/// Distance from the top of a line box to its baseline, with the em box centred in the line.
fn baseline_offset_mm(size_pt: f32) -> f32 {
    let size_mm = size_pt / POINTS_PER_MM;
    (line_height_mm(size_pt) - size_mm) / 2.0 + EM_BOX_ASCENT * size_mm
}

/// Resolves fixed and shared column widths against the page's content width.
fn column_widths_mm(report: &TableReport) -> Result<Vec<f32>, ReportError> {
    if report.columns.is_empty() {
        return Err(ReportError::TableWithoutColumns);
    }
    let available_mm = report.page.content_width_mm();
    let (mut fixed_mm, mut shares) = (0.0, 0.0);
    for column in &report.columns {
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
    Ok(report
        .columns
        .iter()
        .map(|column| match column.width {
            ColumnWidth::Mm(width_mm) => width_mm,
            ColumnWidth::Share(share) => left_for_shares_mm * share / shares,
        })
        .collect())
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
            Some(&(previous_start, _)) => {
                let previous = paragraph[previous_start..].chars().next().map(segment_kind);
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

fn missing_characters_in_report(report: &TableReport, font: &ReportFont) -> Vec<char> {
    let texts = std::iter::once(&report.title)
        .chain(&report.subtitle_lines)
        .chain(report.columns.iter().map(|column| &column.header))
        .chain(report.rows.iter().flatten())
        .chain(&report.closing_lines)
        .chain(&report.signature_fields);
    let mut missing = Vec::new();
    for text in texts {
        for character in font.missing_characters(text) {
            if !missing.contains(&character) {
                missing.push(character);
            }
        }
    }
    missing
}

/// The second pass: one page's shading, borders and text as printpdf operations.
fn page_ops(page: &PlannedPage, footer: &PlacedText, font_id: &FontId, page_height_mm: f32) -> Vec<Op> {
    let point = |(x_mm, y_from_top_mm): (f32, f32)| Point {
        x: Pt(x_mm * POINTS_PER_MM),
        y: Pt((page_height_mm - y_from_top_mm) * POINTS_PER_MM),
    };
    let mut ops = Vec::with_capacity(page.texts.len() * 2 + page.rules.len() + 16);
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
}
