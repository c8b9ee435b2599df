//! Renders a 300-elder village register (about three visits each) 20 times and prints the
//! median and 95th percentile. Goal: p50 at most 300 ms. Run with `cargo bench -p xianglin-reports`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use xianglin_reports::{render_table_report, report_font, visit_register_report};

const ELDER_COUNT: usize = 300;
const RUNS: usize = 20;

fn main() {
    let font_started = Instant::now();
    report_font().expect("the report font loads");
    let font_load = font_started.elapsed();

    let register = support::generated_register(ELDER_COUNT);
    let visit_count: usize = register.rows.iter().map(|row| row.visits.len()).sum();
    let mut durations: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut last_rendered = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        let rendered = render_table_report(&visit_register_report(&register)).expect("the register renders");
        durations.push(started.elapsed());
        last_rendered = Some(rendered);
    }
    durations.sort();
    let rendered = last_rendered.expect("at least one run");
    let milliseconds = |duration: Duration| duration.as_secs_f64() * 1000.0;
    println!("visit register: {ELDER_COUNT} elders, {visit_count} visits, {RUNS} runs");
    println!("  font load (once): {:.0} ms", milliseconds(font_load));
    println!("  p50: {:.1} ms", milliseconds(durations[RUNS / 2]));
    println!("  p95: {:.1} ms", milliseconds(durations[(RUNS * 95).div_ceil(100) - 1]));
    println!("  pages: {}, PDF: {:.0} KB", rendered.page_count, rendered.pdf.len() as f64 / 1024.0);
}
