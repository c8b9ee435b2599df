//! Whether an attachment's bytes are what their first bytes claim: an image must decode (its
//! header, sane dimensions, its pixels within a memory limit, and a thumbnail), a PDF must have
//! the structure every reader starts from (a header, a final `startxref` pointing at its
//! cross-reference table or stream, `%%EOF`). A picture's header followed by a script, or a
//! picture claiming a size that would take gigabytes to decode, is refused.

use std::io::Cursor;

/// The widest or tallest picture accepted (a 50-megapixel phone is about 8,200 wide).
pub const MAX_IMAGE_SIDE: u32 = 12_000;
/// The most memory decoding one picture may take.
pub const MAX_DECODE_BYTES: u64 = 160 << 20;

/// Why bytes are not the picture or PDF they claim to be (English, for logs).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("the image does not decode: {0}")]
    Image(String),
    #[error("the image is {width}×{height} pixels (limit {MAX_IMAGE_SIDE} a side)")]
    ImageTooLarge { width: u32, height: u32 },
    #[error("the PDF is malformed: {0}")]
    Pdf(&'static str),
}

/// Checks `bytes` of media type `mime` (as sniffed from their first bytes).
pub fn verify(mime: &str, bytes: &[u8]) -> Result<(), Malformed> {
    match mime {
        "application/pdf" => pdf(bytes),
        "image/jpeg" => image(bytes, image::ImageFormat::Jpeg),
        "image/png" => image(bytes, image::ImageFormat::Png),
        "image/webp" => image(bytes, image::ImageFormat::WebP),
        _ => Err(Malformed::Image(format!("unexpected type {mime}"))),
    }
}

fn image(bytes: &[u8], format: image::ImageFormat) -> Result<(), Malformed> {
    let reader = || {
        let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(MAX_IMAGE_SIDE);
        limits.max_image_height = Some(MAX_IMAGE_SIDE);
        limits.max_alloc = Some(MAX_DECODE_BYTES);
        reader.limits(limits);
        reader
    };
    let (width, height) = reader().into_dimensions().map_err(|error| Malformed::Image(error.to_string()))?;
    if width == 0 || height == 0 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(Malformed::ImageTooLarge { width, height });
    }
    // A decoder bug must cost one file, not the process.
    let decoded = std::panic::catch_unwind(|| reader().decode())
        .map_err(|_| Malformed::Image("the decoder failed".into()))?
        .map_err(|error| Malformed::Image(error.to_string()))?;
    let thumbnail = decoded.thumbnail(96, 96);
    if thumbnail.width() == 0 || thumbnail.height() == 0 {
        return Err(Malformed::Image("no pixels".into()));
    }
    Ok(())
}

fn pdf(bytes: &[u8]) -> Result<(), Malformed> {
    let header = bytes.get(..8).ok_or(Malformed::Pdf("too short"))?;
    if !header.starts_with(b"%PDF-1.") && !header.starts_with(b"%PDF-2.") {
        return Err(Malformed::Pdf("no %PDF-1.x header"));
    }
    // The trailer sits in the last kilobyte: `startxref`, the table's offset, `%%EOF`.
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    let end = trim_end(tail);
    let before_eof = end.strip_suffix(b"%%EOF").ok_or(Malformed::Pdf("does not end with %%EOF"))?;
    let at = find_last(before_eof, b"startxref").ok_or(Malformed::Pdf("no startxref"))?;
    let digits = trim_start(&before_eof[at + b"startxref".len()..]);
    let digits = trim_end(digits);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) || digits.len() > 12 {
        return Err(Malformed::Pdf("startxref is not an offset"));
    }
    let offset: usize =
        std::str::from_utf8(digits).ok().and_then(|text| text.parse().ok()).ok_or(Malformed::Pdf("offset"))?;
    let table = bytes.get(offset..).ok_or(Malformed::Pdf("startxref points past the end"))?;
    // A classic table (`xref`) or a cross-reference stream (`<n> <g> obj`).
    if table.starts_with(b"xref") || is_object_header(table) {
        Ok(())
    } else {
        Err(Malformed::Pdf("startxref does not point at a cross-reference table or stream"))
    }
}

fn is_object_header(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    for _ in 0..2 {
        let digits = rest.iter().take_while(|byte| byte.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let spaces = rest.iter().take_while(|byte| byte.is_ascii_whitespace()).count();
        if spaces == 0 {
            return false;
        }
        rest = &rest[spaces..];
    }
    rest.starts_with(b"obj")
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let keep = bytes.iter().rposition(|byte| !byte.is_ascii_whitespace()).map_or(0, |index| index + 1);
    &bytes[..keep]
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().position(|byte| !byte.is_ascii_whitespace()).unwrap_or(bytes.len());
    &bytes[skip..]
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|window| window == needle)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A real PNG of `width`×`height` pixels.
    pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbImage::from_pixel(width, height, image::Rgb([200, 80, 40]));
        let mut bytes = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(picture).write_to(&mut bytes, image::ImageFormat::Png).unwrap();
        bytes.into_inner()
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbImage::from_pixel(width, height, image::Rgb([20, 80, 240]));
        let mut bytes = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(picture).write_to(&mut bytes, image::ImageFormat::Jpeg).unwrap();
        bytes.into_inner()
    }

    /// A minimal valid PDF: one empty page, its cross-reference table at the offset it states.
    pub(crate) fn pdf_file() -> Vec<u8> {
        let mut out = b"%PDF-1.4\n".to_vec();
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ];
        let mut offsets = Vec::new();
        for (index, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n{object}\nendobj\n", index + 1).as_bytes());
        }
        let table = out.len();
        out.extend(b"xref\n0 4\n0000000000 65535 f \n");
        for offset in offsets {
            out.extend(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend(format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{table}\n%%EOF\n").as_bytes());
        out
    }

    #[test]
    fn real_pictures_and_pdfs_pass() {
        assert_eq!(verify("image/png", &png(40, 30)), Ok(()));
        assert_eq!(verify("image/jpeg", &jpeg(40, 30)), Ok(()));
        assert_eq!(verify("application/pdf", &pdf_file()), Ok(()));
    }

    #[test]
    fn a_picture_header_followed_by_a_script_is_refused() {
        let mut png_script = png(4, 4)[..16].to_vec();
        png_script.extend(b"<script>alert(1)</script>");
        assert!(matches!(verify("image/png", &png_script), Err(Malformed::Image(_))));
        let mut jpeg_script = vec![0xFF, 0xD8, 0xFF, 0xE0];
        jpeg_script.extend(b"#!/bin/sh\nrm -rf /\n");
        assert!(matches!(verify("image/jpeg", &jpeg_script), Err(Malformed::Image(_))));
        let truncated = &jpeg(64, 64)[..200];
        assert!(verify("image/jpeg", truncated).is_err());
    }

    #[test]
    fn a_picture_claiming_a_huge_size_is_refused_before_decoding() {
        // A PNG header saying 60,000 × 60,000 (10 GB of pixels), and nothing behind it.
        let mut huge = png(1, 1);
        huge[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        assert!(verify("image/png", &huge).is_err());
    }

    #[test]
    fn a_pdf_header_without_a_pdf_behind_it_is_refused() {
        assert_eq!(
            verify("application/pdf", b"%PDF-1.7\n<script>x</script>"),
            Err(Malformed::Pdf("does not end with %%EOF"))
        );
        let text = String::from_utf8(pdf_file()).unwrap();
        let table = text.find("xref\n0 4").unwrap();
        let wrong_offset = text.replace(&format!("startxref\n{table}\n"), &format!("startxref\n{}\n", table + 3));
        assert_ne!(wrong_offset, text);
        assert!(verify("application/pdf", wrong_offset.as_bytes()).is_err());
        assert!(verify("application/pdf", b"%PDF-1.4\nstartxref\n999999\n%%EOF").is_err());
    }
}
