//! The report font: Noto Sans CJK SC, found, parsed once and shared, and text measured with it.
//!
//! The font is never copied into the repository: it is read from `XIANGLIN_FONT` if set, else
//! from where the Debian package fonts-noto-cjk installs it. A collection (`.ttc`) is read at
//! face [`SIMPLIFIED_CHINESE_FACE_INDEX`]; a single-face file at face 0. printpdf accepts the
//! collection with a face index and subsets that one face when the PDF is saved.
//!
//! Widths come from the font's horizontal advances, the same numbers printpdf writes into the
//! PDF, because printpdf maps each character to one glyph without shaping. A character the font
//! lacks prints as a box; [`ReportFont::missing_characters`] reports such characters so the
//! caller can say so, and nothing is dropped silently.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{OnceLock, PoisonError, RwLock};

use printpdf::ParsedFont;

use crate::ReportError;

/// Environment variable naming the font file to use instead of the Debian path.
pub const FONT_PATH_VARIABLE: &str = "XIANGLIN_FONT";

/// Where Debian's fonts-noto-cjk installs Noto Sans CJK Regular.
pub const DEBIAN_NOTO_SANS_CJK_PATH: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

/// The face of NotoSansCJK-Regular.ttc drawn with simplified Chinese glyph forms (0 is Japanese).
pub const SIMPLIFIED_CHINESE_FACE_INDEX: usize = 2;

/// Points per millimetre.
pub const POINTS_PER_MM: f32 = 72.0 / 25.4;

/// The parsed report font with what measuring text needs.
#[derive(Debug)]
pub struct ReportFont {
    parsed_font: ParsedFont,
    path: PathBuf,
    face_index: usize,
    units_per_em: f32,
    /// Glyph and advance per character already looked up: the font's cmap lookup costs a few
    /// microseconds, and a report looks up the same few hundred characters tens of thousands
    /// of times.
    glyph_cache: RwLock<HashMap<char, Glyph>>,
}

/// A character's glyph id (0 when the font lacks it) and advance in font units.
#[derive(Debug, Clone, Copy)]
struct Glyph {
    id: u16,
    advance_units: u16,
}

/// The shared report font, loaded from `XIANGLIN_FONT` or the Debian path on first use.
///
/// A failed load is not cached, so installing the font and trying again works without a restart.
pub fn report_font() -> Result<&'static ReportFont, ReportError> {
    if let Some(font) = SHARED_REPORT_FONT.get() {
        return Ok(font);
    }
    let font = ReportFont::load(&configured_font_path())?;
    Ok(SHARED_REPORT_FONT.get_or_init(|| font))
}

/// Loads the shared report font from `path` (e.g. a font bundled as an app resource) unless a
/// font is already loaded, in which case that one stays. Call it once at start-up.
pub fn initialise_report_font(path: &Path) -> Result<&'static ReportFont, ReportError> {
    if let Some(font) = SHARED_REPORT_FONT.get() {
        return Ok(font);
    }
    let font = ReportFont::load(path)?;
    Ok(SHARED_REPORT_FONT.get_or_init(|| font))
}

/// The font file `report_font` reads: `XIANGLIN_FONT` if set and not empty, else the Debian path.
pub fn configured_font_path() -> PathBuf {
    match std::env::var_os(FONT_PATH_VARIABLE) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from(DEBIAN_NOTO_SANS_CJK_PATH),
    }
}

impl ReportFont {
    /// Reads and parses the font file at `path`: face 2 of a collection, face 0 of a single font.
    pub fn load(path: &Path) -> Result<Self, ReportError> {
        let font_bytes = std::fs::read(path).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => ReportError::FontMissing { path: path.to_owned() },
            _ => ReportError::FontUnreadable { path: path.to_owned(), source },
        })?;
        let face_index = if font_bytes.starts_with(b"ttcf") { SIMPLIFIED_CHINESE_FACE_INDEX } else { 0 };
        let started = std::time::Instant::now();
        let mut parse_warnings = Vec::new();
        let parsed_font = ParsedFont::from_bytes(&font_bytes, face_index, &mut parse_warnings)
            .ok_or_else(|| ReportError::FontUnparsable { path: path.to_owned(), face_index })?;
        let units_per_em = f32::from(parsed_font.pdf_font_metrics.units_per_em.max(1));
        tracing::debug!(
            path = %path.display(),
            face_index,
            parse_warning_count = parse_warnings.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "report font parsed"
        );
        Ok(Self {
            parsed_font,
            path: path.to_owned(),
            face_index,
            units_per_em,
            glyph_cache: RwLock::new(HashMap::new()),
        })
    }

    /// The parsed face, for adding to a `printpdf::PdfDocument`.
    pub fn parsed_font(&self) -> &ParsedFont {
        &self.parsed_font
    }

    /// The file the font was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The face read from the file.
    pub fn face_index(&self) -> usize {
        self.face_index
    }

    /// Whether the font has a glyph for `character`.
    pub fn has_character(&self, character: char) -> bool {
        self.glyph(character).id != 0
    }

    /// The characters of `text` the font has no glyph for, each once, in order of appearance.
    /// Line breaks and other control characters are never drawn and so never missing.
    pub fn missing_characters(&self, text: &str) -> Vec<char> {
        let mut missing = Vec::new();
        for character in text.chars() {
            if !character.is_control() && !self.has_character(character) && !missing.contains(&character) {
                missing.push(character);
            }
        }
        missing
    }

    /// How far `character` advances the pen at `size_pt`, in millimetres. A missing character
    /// advances by the width of the box (glyph 0) that is drawn for it.
    pub fn character_width_mm(&self, character: char, size_pt: f32) -> f32 {
        f32::from(self.glyph(character).advance_units) / self.units_per_em * size_pt / POINTS_PER_MM
    }

    /// The width of `text` on one line at `size_pt`, in millimetres.
    pub fn text_width_mm(&self, text: &str, size_pt: f32) -> f32 {
        text.chars().map(|character| self.character_width_mm(character, size_pt)).sum()
    }

    fn glyph(&self, character: char) -> Glyph {
        let cached = self.glyph_cache.read().unwrap_or_else(PoisonError::into_inner).get(&character).copied();
        if let Some(glyph) = cached {
            return glyph;
        }
        let id = self.parsed_font.lookup_glyph_index(u32::from(character)).unwrap_or(0);
        let glyph = Glyph { id, advance_units: self.parsed_font.get_horizontal_advance(id) };
        self.glyph_cache.write().unwrap_or_else(PoisonError::into_inner).insert(character, glyph);
        glyph
    }
}

static SHARED_REPORT_FONT: OnceLock<ReportFont> = OnceLock::new();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_font_file_names_the_path_and_the_debian_package() {
        let error = ReportFont::load(Path::new("/nonexistent/xianglin/font.ttc")).unwrap_err();
        assert!(
            matches!(&error, ReportError::FontMissing { path } if path == Path::new("/nonexistent/xianglin/font.ttc"))
        );
        let message = error.to_string();
        assert!(message.contains("/nonexistent/xianglin/font.ttc"), "{message}");
        assert!(message.contains("fonts-noto-cjk"), "{message}");
    }

    #[test]
    fn collection_is_read_at_the_simplified_chinese_face() {
        let font = report_font().unwrap();
        assert_eq!(font.face_index(), SIMPLIFIED_CHINESE_FACE_INDEX);
    }

    #[test]
    fn chinese_characters_are_one_em_wide_and_digits_narrower() {
        let font = report_font().unwrap();
        let one_em_at_ten_points_mm = 10.0 / POINTS_PER_MM;
        assert!((font.text_width_mm("探访", 10.0) - 2.0 * one_em_at_ten_points_mm).abs() < 0.01);
        let digit_width = font.character_width_mm('8', 10.0);
        assert!(digit_width > 0.0 && digit_width < one_em_at_ten_points_mm);
    }

    #[test]
    fn extension_a_characters_in_names_are_covered() {
        let font = report_font().unwrap();
        assert!(font.missing_characters("刘䶮 㐀 堃").is_empty());
    }

    #[test]
    fn characters_the_font_lacks_are_reported_once_each() {
        let font = report_font().unwrap();
        // U+E000 is private use and U+1F9A9 (flamingo) an emoji; Noto Sans CJK draws neither.
        assert_eq!(font.missing_characters("王\u{E000}明\u{E000}\u{1F9A9}\n"), vec!['\u{E000}', '\u{1F9A9}']);
    }
}
