//! Prints how many lines and bytes the demo world and the benchmark log
//! generator produce, and how long they take (run with `--release`).
//!
//! Usage: `cargo run -p demo --release --example demo_volume [days] [scale]`

use std::time::Instant;

use demo::{DemoConfig, DemoDataset, benchmark_logs, generate};

fn main() {
    let mut args = std::env::args().skip(1);
    let days = args.next().and_then(|a| a.parse().ok()).unwrap_or(7);
    let scale = args.next().and_then(|a| a.parse().ok()).unwrap_or(1.0);
    let config = DemoConfig {
        seed: 42,
        // 2026-11-24T05:13:02Z
        end_unix_nanos: 1_795_497_182_000_000_000,
        days,
        scale,
    };
    let started = Instant::now();
    let mut lines = [0usize; 3];
    let mut bytes = [0usize; 3];
    generate(&config, 20_000, &mut |dataset, chunk| {
        let i = dataset as usize;
        lines[i] += chunk.iter().filter(|&&b| b == b'\n').count();
        bytes[i] += chunk.len();
    });
    let elapsed = started.elapsed().as_secs_f64();
    for dataset in [DemoDataset::Logs, DemoDataset::Spans, DemoDataset::Metrics] {
        let i = dataset as usize;
        println!(
            "{:>8}: {:>9} lines {:>7.1} MB ({:.0} B/line)",
            dataset.name(),
            lines[i],
            bytes[i] as f64 / 1e6,
            bytes[i] as f64 / lines[i].max(1) as f64
        );
    }
    println!("generated {days} days at scale {scale} in {elapsed:.2} s");

    let count = 2_000_000;
    let started = Instant::now();
    let mut total = 0usize;
    benchmark_logs(7, 0, 3_600_000_000_000, count, &mut |chunk| {
        total += chunk.len()
    });
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "benchmark_logs: {count} lines, {:.0} B/line, {:.0} MB/s",
        total as f64 / count as f64,
        total as f64 / 1e6 / elapsed
    );
}
