//! Renders a home-adaptation case file with two phone-sized photos (4000 × 3000 JPEG, noisy so
//! they decode like real ones) 20 times and prints the median and 95th percentile; nothing is
//! asserted. Decoding and scaling the photos is most of the time. Run with
//! `cargo bench -p xianglin-reports`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use xianglin_reports::{ReportImage, render_case_file, report_font};

const RUNS: usize = 20;
const PHOTO_WIDTH: u32 = 4000;
const PHOTO_HEIGHT: u32 = 3000;

fn main() {
    report_font().expect("the report font loads");
    let mut case = support::case_file();
    case.photos = vec![
        ReportImage::new("改造前：卫生间地面", noisy_jpeg(PHOTO_WIDTH, PHOTO_HEIGHT, 1)),
        ReportImage::new("改造后：卫生间扶手", noisy_jpeg(PHOTO_HEIGHT, PHOTO_WIDTH, 2)),
    ];
    let photo_bytes: usize = case.photos.iter().map(|photo| photo.bytes.len()).sum();
    let mut durations: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut last_rendered = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        let rendered = render_case_file(&case).expect("the case file renders");
        durations.push(started.elapsed());
        last_rendered = Some(rendered);
    }
    durations.sort();
    let rendered = last_rendered.expect("at least one run");
    let milliseconds = |duration: Duration| duration.as_secs_f64() * 1000.0;
    println!(
        "case file: 26 assessment items, {} plan lines, 2 photos of {PHOTO_WIDTH} × {PHOTO_HEIGHT} ({:.1} MB of JPEG), {RUNS} runs",
        case.plan.len(),
        photo_bytes as f64 / 1024.0 / 1024.0
    );
    println!("  p50: {:.1} ms", milliseconds(durations[RUNS / 2]));
    println!("  p95: {:.1} ms", milliseconds(durations[(RUNS * 95).div_ceil(100) - 1]));
    println!("  pages: {}, PDF: {:.0} KB", rendered.page_count, rendered.pdf.len() as f64 / 1024.0);
}

/// A JPEG of gentle gradients with pixel noise, which compresses and decodes like a photo.
fn noisy_jpeg(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        let noise = (x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663) ^ seed.wrapping_mul(83_492_791)) % 40;
        let shade = |base: u32| (base + noise) as u8;
        image::Rgb([shade(x * 150 / width), shade(80 + y * 100 / height), shade(120)])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut bytes, image::ImageFormat::Jpeg)
        .expect("a picture in memory encodes");
    bytes.into_inner()
}
