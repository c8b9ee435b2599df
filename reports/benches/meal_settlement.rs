//! Renders a meal point's month, 30 diners over 22 working days, 20 times and prints the
//! median and 95th percentile; nothing is asserted. Run with `cargo bench -p xianglin-reports`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use xianglin_reports::{render_meal_settlement, report_font};

const DINER_COUNT: usize = 30;
const WORKING_DAYS: u32 = 22;
const RUNS: usize = 20;

fn main() {
    let font_started = Instant::now();
    report_font().expect("the report font loads");
    let font_load = font_started.elapsed();

    let settlement = support::generated_settlement(DINER_COUNT, WORKING_DAYS);
    let mut durations: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut last_rendered = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        let rendered = render_meal_settlement(&settlement).expect("the settlement renders");
        durations.push(started.elapsed());
        last_rendered = Some(rendered);
    }
    durations.sort();
    let rendered = last_rendered.expect("at least one run");
    let milliseconds = |duration: Duration| duration.as_secs_f64() * 1000.0;
    println!(
        "meal settlement: {DINER_COUNT} diners, {WORKING_DAYS} days, {} meals, {RUNS} runs",
        settlement.totals.meals
    );
    println!("  font load (once): {:.0} ms", milliseconds(font_load));
    println!("  p50: {:.1} ms", milliseconds(durations[RUNS / 2]));
    println!("  p95: {:.1} ms", milliseconds(durations[(RUNS * 95).div_ceil(100) - 1]));
    println!("  pages: {}, PDF: {:.0} KB", rendered.page_count, rendered.pdf.len() as f64 / 1024.0);
}
