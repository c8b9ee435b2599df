//! Photos for reports: decoding the JPEG or PNG bytes a caller hands in, turning them upright,
//! and scaling them down to the resolution they are printed at.
//!
//! Decoding is printpdf's (its `png` and `jpeg` features, which build the `image` crate with
//! only those two codecs). Bytes that do not decode, or decode to an empty picture, give `None`:
//! the layout then prints an empty frame instead, and the report is never refused for a photo.
//! Phones often store a photo's pixels sideways and say how to turn them in the JPEG's EXIF
//! Orientation tag, which the decoder ignores; [`DecodedPhoto`] reads the tag and turns the
//! photo. A phone photo has some twelve million pixels, but a thumbnail 55 mm wide needs about
//! 430 across at [`PRINT_RESOLUTION_DPI`]; scaling down before embedding keeps the PDF small and
//! saving it fast. Where the photo is placed is left to [`crate::layout`].

use printpdf::{RawImage, RawImageData, RawImageFormat};

/// Pixels per inch a photo is kept at when it is printed: plenty for a thumbnail on paper.
pub const PRINT_RESOLUTION_DPI: f32 = 200.0;

/// A decoded photo and how its pixels must be turned to be seen upright.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DecodedPhoto {
    image: RawImage,
    /// The EXIF Orientation value, 1 (as stored) to 8.
    orientation: u16,
}

/// Decodes JPEG or PNG `bytes`, or gives `None` when they are not a picture printpdf can embed.
pub(crate) fn decode_photo(bytes: &[u8]) -> Option<DecodedPhoto> {
    // A decoder bug must cost one photo, not the report, so a panic counts as undecodable.
    let decoded = std::panic::catch_unwind(|| {
        let mut decode_warnings = Vec::new();
        RawImage::decode_from_bytes(bytes, &mut decode_warnings)
    });
    let image = decoded.ok()?.ok()?;
    let expected_samples = image.width.checked_mul(image.height)?.checked_mul(channel_count(image.data_format))?;
    let sample_count = match &image.pixels {
        RawImageData::U8(samples) => samples.len(),
        RawImageData::U16(samples) => samples.len(),
        RawImageData::F32(samples) => samples.len(),
    };
    (expected_samples > 0 && sample_count == expected_samples)
        .then(|| DecodedPhoto { image, orientation: jpeg_exif_orientation(bytes).unwrap_or(1) })
}

impl DecodedPhoto {
    /// Width and height in pixels as the photo is meant to be seen.
    pub(crate) fn upright_size(&self) -> (usize, usize) {
        if self.turns_sideways() {
            (self.image.height, self.image.width)
        } else {
            (self.image.width, self.image.height)
        }
    }

    /// The photo upright, scaled down (never up) so that printed `width_mm` wide it has about
    /// [`PRINT_RESOLUTION_DPI`] pixels per inch. Scaling comes first, so turning is cheap.
    pub(crate) fn upright_for_print(self, width_mm: f32) -> RawImage {
        let upright_width_px = ((width_mm / 25.4 * PRINT_RESOLUTION_DPI).ceil() as usize).max(1);
        let (upright_width, upright_height) = self.upright_size();
        // When the photo turns sideways, its stored height becomes the printed width.
        let stored_target_width_px = if self.turns_sideways() {
            (upright_width_px as f32 * upright_height as f32 / upright_width as f32).round() as usize
        } else {
            upright_width_px
        };
        let orientation = self.orientation;
        turned_upright(scaled_to_width(self.image, stored_target_width_px.max(1)), orientation)
    }

    /// Orientations 5 to 8 turn the photo a quarter, swapping width and height.
    fn turns_sideways(&self) -> bool {
        (5..=8).contains(&self.orientation)
    }
}

/// `image` scaled down (never up) to `target_width` pixels across, keeping its aspect ratio.
/// Each new pixel is the average of the pixels it covers, so fine detail blurs rather than
/// shimmers. 16-bit pictures become 8-bit.
fn scaled_to_width(image: RawImage, target_width: usize) -> RawImage {
    if image.width <= target_width {
        return image;
    }
    let target_height = ((image.height as f32 * target_width as f32 / image.width as f32).round() as usize).max(1);
    let Some((samples, data_format)) = eight_bit_samples(&image) else {
        return image;
    };
    let channels = channel_count(data_format);
    let (source_width, source_height) = (image.width, image.height);
    let mut scaled = Vec::with_capacity(target_width * target_height * channels);
    let mut sums = vec![0_u32; channels];
    for target_y in 0..target_height {
        let (top, bottom) = covered_range(target_y, target_height, source_height);
        for target_x in 0..target_width {
            let (left, right) = covered_range(target_x, target_width, source_width);
            sums.iter_mut().for_each(|sum| *sum = 0);
            for source_y in top..bottom {
                let row_start = (source_y * source_width + left) * channels;
                let row = &samples[row_start..row_start + (right - left) * channels];
                for pixel in row.chunks_exact(channels) {
                    for (sum, sample) in sums.iter_mut().zip(pixel) {
                        *sum += u32::from(*sample);
                    }
                }
            }
            let covered = ((bottom - top) * (right - left)) as u32;
            scaled.extend(sums.iter().map(|sum| ((sum + covered / 2) / covered) as u8));
        }
    }
    RawImage {
        pixels: RawImageData::U8(scaled),
        width: target_width,
        height: target_height,
        data_format,
        tag: Vec::new(),
    }
}

/// `image` turned as EXIF `orientation` says: 2 mirrored, 3 half a turn, 4 flipped, 5
/// transposed, 6 a quarter turn clockwise, 7 transversed, 8 a quarter turn anticlockwise.
/// Floating-point pictures, which neither PNG nor JPEG decodes to, are left as they are.
fn turned_upright(image: RawImage, orientation: u16) -> RawImage {
    if !(2..=8).contains(&orientation) {
        return image;
    }
    let Some((samples, data_format)) = eight_bit_samples(&image) else {
        return image;
    };
    let channels = channel_count(data_format);
    let (width, height) = (image.width, image.height);
    let (turned_width, turned_height) = if orientation >= 5 { (height, width) } else { (width, height) };
    let mut turned = Vec::with_capacity(samples.len());
    for y in 0..turned_height {
        for x in 0..turned_width {
            let (source_x, source_y) = match orientation {
                2 => (width - 1 - x, y),
                3 => (width - 1 - x, height - 1 - y),
                4 => (x, height - 1 - y),
                5 => (y, x),
                6 => (y, height - 1 - x),
                7 => (width - 1 - y, height - 1 - x),
                _ => (width - 1 - y, x),
            };
            let start = (source_y * width + source_x) * channels;
            turned.extend_from_slice(&samples[start..start + channels]);
        }
    }
    RawImage {
        pixels: RawImageData::U8(turned),
        width: turned_width,
        height: turned_height,
        data_format,
        tag: Vec::new(),
    }
}

/// The Orientation tag (1 to 8) of a JPEG's EXIF data, if the bytes are a JPEG that has one.
fn jpeg_exif_orientation(bytes: &[u8]) -> Option<u16> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut position = 2;
    loop {
        let marker = *bytes.get(position + 1)?;
        if bytes[position] != 0xFF {
            return None;
        }
        if marker == 0xFF {
            // A fill byte before the marker.
            position += 1;
            continue;
        }
        // The image data starts (SOS) or ends (EOI): there is no EXIF segment before it.
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let length = usize::from(u16::from_be_bytes([*bytes.get(position + 2)?, *bytes.get(position + 3)?]));
        let segment = bytes.get(position + 4..position + 2 + length.max(2))?;
        if marker == 0xE1
            && let Some(tiff) = segment.strip_prefix(b"Exif\0\0")
        {
            return tiff_orientation(tiff);
        }
        position += 2 + length;
    }
}

/// The Orientation entry (tag 0x0112) of the first IFD of EXIF's TIFF structure.
fn tiff_orientation(tiff: &[u8]) -> Option<u16> {
    let big_endian = match tiff.get(0..2)? {
        b"MM" => true,
        b"II" => false,
        _ => return None,
    };
    let u16_at = |offset: usize| -> Option<u16> {
        let pair = [*tiff.get(offset)?, *tiff.get(offset + 1)?];
        Some(if big_endian { u16::from_be_bytes(pair) } else { u16::from_le_bytes(pair) })
    };
    let u32_at = |offset: usize| -> Option<u32> {
        let quad = [*tiff.get(offset)?, *tiff.get(offset + 1)?, *tiff.get(offset + 2)?, *tiff.get(offset + 3)?];
        Some(if big_endian { u32::from_be_bytes(quad) } else { u32::from_le_bytes(quad) })
    };
    let first_ifd = usize::try_from(u32_at(4)?).ok()?;
    let entry_count = usize::from(u16_at(first_ifd)?);
    (0..entry_count).map(|entry_index| first_ifd + 2 + entry_index * 12).find_map(|entry| {
        // A SHORT value sits at the start of the entry's four value bytes.
        (u16_at(entry)? == 0x0112).then(|| u16_at(entry + 8)).flatten().filter(|value| (1..=8).contains(value))
    })
}

/// Samples per pixel.
fn channel_count(data_format: RawImageFormat) -> usize {
    match data_format {
        RawImageFormat::R8 | RawImageFormat::R16 => 1,
        RawImageFormat::RG8 | RawImageFormat::RG16 => 2,
        RawImageFormat::RGB8 | RawImageFormat::BGR8 | RawImageFormat::RGB16 | RawImageFormat::RGBF32 => 3,
        RawImageFormat::RGBA8 | RawImageFormat::BGRA8 | RawImageFormat::RGBA16 | RawImageFormat::RGBAF32 => 4,
    }
}

/// The picture's samples as 8-bit values with their format; `None` for floating-point pictures,
/// which neither PNG nor JPEG decodes to.
fn eight_bit_samples(image: &RawImage) -> Option<(std::borrow::Cow<'_, [u8]>, RawImageFormat)> {
    match &image.pixels {
        RawImageData::U8(samples) => Some((std::borrow::Cow::Borrowed(samples.as_slice()), image.data_format)),
        RawImageData::U16(samples) => {
            let data_format = match image.data_format {
                RawImageFormat::R16 => RawImageFormat::R8,
                RawImageFormat::RG16 => RawImageFormat::RG8,
                RawImageFormat::RGB16 => RawImageFormat::RGB8,
                RawImageFormat::RGBA16 => RawImageFormat::RGBA8,
                _ => return None,
            };
            Some((std::borrow::Cow::Owned(samples.iter().map(|sample| (sample >> 8) as u8).collect()), data_format))
        }
        RawImageData::F32(_) => None,
    }
}

/// The source rows (or columns) that target row `index` of `target_length` covers, never empty.
fn covered_range(index: usize, target_length: usize, source_length: usize) -> (usize, usize) {
    let start = index * source_length / target_length;
    let end = ((index + 1) * source_length / target_length).max(start + 1).min(source_length);
    (start.min(source_length - 1), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grey_image(width: usize, height: usize, sample: impl Fn(usize, usize) -> u8) -> RawImage {
        let samples = (0..height).flat_map(|y| (0..width).map(move |x| (x, y))).map(|(x, y)| sample(x, y)).collect();
        RawImage { pixels: RawImageData::U8(samples), width, height, data_format: RawImageFormat::R8, tag: Vec::new() }
    }

    fn samples(image: &RawImage) -> &[u8] {
        match &image.pixels {
            RawImageData::U8(samples) => samples,
            other => panic!("8-bit samples, not {other:?}"),
        }
    }

    /// A JPEG whose left half is red and right half blue, `width` × `height` as stored, with an
    /// EXIF segment saying `orientation` (big-endian TIFF, as many cameras write it).
    fn jpeg_with_orientation(width: u32, height: u32, orientation: u16) -> Vec<u8> {
        let picture = image::RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 { image::Rgb([220, 30, 30]) } else { image::Rgb([30, 30, 220]) }
        });
        let mut encoded = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(picture).write_to(&mut encoded, image::ImageFormat::Jpeg).unwrap();
        let encoded = encoded.into_inner();
        let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        let mut segment = b"Exif\0\0".to_vec();
        segment.extend_from_slice(&tiff);
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
        jpeg.extend_from_slice(&(segment.len() as u16 + 2).to_be_bytes());
        jpeg.extend_from_slice(&segment);
        jpeg.extend_from_slice(&encoded[2..]);
        jpeg
    }

    #[test]
    fn bytes_that_are_no_picture_do_not_decode() {
        assert!(decode_photo(b"not a photo at all").is_none());
        assert!(decode_photo(b"\x89PNG\r\n\x1a\n truncated").is_none());
        assert!(decode_photo(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00]).is_none());
        assert!(decode_photo(&[]).is_none());
    }

    #[test]
    fn a_large_photo_is_averaged_down_to_print_resolution_keeping_its_aspect_ratio() {
        let photo =
            DecodedPhoto { image: grey_image(4000, 3000, |x, _| if x % 2 == 0 { 0 } else { 200 }), orientation: 1 };
        let scaled = photo.upright_for_print(50.8);
        assert_eq!((scaled.width, scaled.height), (400, 300));
        assert!(samples(&scaled).iter().all(|sample| *sample == 100), "stripes average to mid grey");
    }

    #[test]
    fn a_small_photo_is_kept_as_it_is() {
        let image = grey_image(40, 30, |x, y| (x + y) as u8);
        assert_eq!(DecodedPhoto { image: image.clone(), orientation: 1 }.upright_for_print(50.0), image);
    }

    #[test]
    fn sixteen_bit_photos_become_eight_bit_when_scaled() {
        let image = RawImage {
            pixels: RawImageData::U16(vec![0x8000_u16; 3 * 1000 * 10]),
            width: 1000,
            height: 10,
            data_format: RawImageFormat::RGB16,
            tag: Vec::new(),
        };
        let scaled = DecodedPhoto { image, orientation: 1 }.upright_for_print(25.4);
        assert_eq!((scaled.width, scaled.height, scaled.data_format), (200, 2, RawImageFormat::RGB8));
        assert!(samples(&scaled).iter().all(|sample| *sample == 0x80));
    }

    #[test]
    fn a_photo_stored_sideways_is_turned_upright_as_its_exif_orientation_says() {
        // Stored 40 × 30, red on the left; orientation 6 means "turn a quarter clockwise to
        // view", so upright it is 30 × 40 with red on top.
        let decoded = decode_photo(&jpeg_with_orientation(40, 30, 6)).expect("the JPEG decodes");
        assert_eq!(decoded.upright_size(), (30, 40));
        let upright = decoded.upright_for_print(100.0);
        assert_eq!((upright.width, upright.height, upright.data_format), (30, 40, RawImageFormat::RGB8));
        let pixel = |x: usize, y: usize| &samples(&upright)[(y * 30 + x) * 3..(y * 30 + x) * 3 + 3];
        assert!(pixel(15, 5)[0] > 150 && pixel(15, 5)[2] < 100, "red on top: {:?}", pixel(15, 5));
        assert!(pixel(15, 35)[2] > 150 && pixel(15, 35)[0] < 100, "blue below: {:?}", pixel(15, 35));
    }

    #[test]
    fn a_sideways_photo_is_scaled_to_its_upright_width() {
        let decoded = decode_photo(&jpeg_with_orientation(800, 600, 8)).expect("the JPEG decodes");
        assert_eq!(decoded.upright_size(), (600, 800));
        let upright = decoded.upright_for_print(25.4);
        assert_eq!((upright.width, upright.height), (200, 267));
    }

    #[test]
    fn every_orientation_maps_the_stored_corners_where_exif_says() {
        // Stored 3 × 2: the top-left pixel is 1, the top-right 2, the bottom-left 3.
        let stored = grey_image(3, 2, |x, y| match (x, y) {
            (0, 0) => 1,
            (2, 0) => 2,
            (0, 1) => 3,
            _ => 0,
        });
        // Where the stored top-left, top-right and bottom-left pixels land, upright.
        let expected: [(u16, (usize, usize), [usize; 3]); 8] = [
            (1, (3, 2), [0, 2, 3]),
            (2, (3, 2), [2, 0, 5]),
            (3, (3, 2), [5, 3, 2]),
            (4, (3, 2), [3, 5, 0]),
            (5, (2, 3), [0, 4, 1]),
            (6, (2, 3), [1, 5, 0]),
            (7, (2, 3), [5, 1, 4]),
            (8, (2, 3), [4, 0, 5]),
        ];
        for (orientation, size, [top_left, top_right, bottom_left]) in expected {
            let turned = turned_upright(stored.clone(), orientation);
            assert_eq!((turned.width, turned.height), size, "orientation {orientation}");
            let turned_samples = samples(&turned);
            assert_eq!(
                [turned_samples[top_left], turned_samples[top_right], turned_samples[bottom_left]],
                [1, 2, 3],
                "orientation {orientation}"
            );
        }
    }
}
