//! Tests of the demo world as the platform receives it: every line's shape,
//! order and ids, span trees, volumes and scale, the story's events (the
//! jobs-api incident, the Tokyo→Seoul switch, the AxiosError burst),
//! determinism, and the benchmark log generator.

#[path = "generate/scan.rs"]
mod scan;

use std::sync::OnceLock;

use demo::{DemoConfig, DemoDataset, benchmark_logs, generate, services};
use scan::{DAY, HOUR, KST, MINUTE, Report, SECOND, parse_time, scan};

/// 2026-11-26T05:13:02.123456789Z: a Thursday, 14:13 KST, deliberately not
/// on a whole minute. The incident (two days earlier, 14:00 KST) is on a
/// Tuesday afternoon.
const END: i64 = 1_795_669_982 * SECOND + 123_456_789;

fn config(seed: u64, days: u32, scale: f64) -> DemoConfig {
    DemoConfig {
        seed,
        end_unix_nanos: END,
        days,
        scale,
    }
}

/// A full week at a reduced scale, every line checked (shared by the tests).
fn week() -> &'static Report {
    static WEEK: OnceLock<Report> = OnceLock::new();
    WEEK.get_or_init(|| scan(&config(42, 7, 0.3), END - 4 * DAY))
}

fn incident() -> (i64, i64) {
    let start = (END - 2 * DAY + KST).div_euclid(DAY) * DAY - KST + 14 * HOUR;
    (start, start + 40 * MINUTE)
}

fn all_bytes(config: &DemoConfig, chunk_lines: usize) -> [Vec<u8>; 3] {
    let mut out: [Vec<u8>; 3] = Default::default();
    generate(config, chunk_lines, &mut |d, chunk| {
        out[d as usize].extend_from_slice(chunk)
    });
    out
}

#[test]
fn every_line_is_valid_json_with_the_documented_shape() {
    let report = week();
    for category in ["json", "shape", "time", "metrics", "errors"] {
        report.assert_clean(category);
    }
    assert!(report.lines.iter().all(|&n| n > 1000), "{:?}", report.lines);
    let seen: Vec<&str> = services()
        .iter()
        .map(|s| s.name)
        .filter(|n| !report.services_seen.contains(*n))
        .collect();
    assert!(seen.is_empty(), "services without data: {seen:?}");
    for level in ["debug", "info", "warn", "error"] {
        assert!(
            report.log_levels.get(level).copied().unwrap_or(0) > 0,
            "no {level} logs"
        );
    }
    for kind in ["server", "client", "internal", "producer", "consumer"] {
        assert!(
            report.span_kinds.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} spans"
        );
    }
    for system in ["postgresql", "mysql", "redis", "elasticsearch"] {
        assert!(report.db_systems.contains(system), "no {system} spans");
    }
    for host in ["s3.ap-northeast-2.amazonaws.com", "api.tosspayments.com"] {
        assert!(report.server_addresses.contains(host), "no calls to {host}");
    }
}

#[test]
fn timestamps_ascend_inside_the_window() {
    week().assert_clean("order");
    week().assert_clean("window");
}

#[test]
fn ids_are_hex_and_spans_form_trees() {
    let report = week();
    report.assert_clean("ids");
    report.assert_clean("tree");
    report.assert_clean("nesting");
    // Logs that carry ids point at spans that exist.
    report.assert_clean("links");
    let share = report.access_logs_with_ids as f64 / report.access_logs as f64;
    assert!(
        (0.5..0.9).contains(&share),
        "{share} of access logs carry trace ids"
    );
}

#[test]
fn metrics_come_every_minute_for_every_task() {
    let report = week();
    let rows = &report.cpu_rows;
    let first = *rows.keys().next().unwrap();
    let last = *rows.keys().last().unwrap();
    assert_eq!(
        rows.len() as i64,
        (last - first) / MINUTE + 1,
        "a minute without metrics"
    );
    let tasks = rows[&first];
    assert!((30..=70).contains(&tasks), "{tasks} tasks");
    assert!(rows.values().all(|&n| n == tasks), "task count changes");
    assert!(first < END - 7 * DAY + 2 * MINUTE && last > END - 2 * MINUTE);
}

#[test]
fn incident_window_has_errors_and_slow_requests() {
    let report = week();
    let (from, to) = incident();
    let inside = |t: i64| (from..to).contains(&t);
    let rate = |keep: &dyn Fn(i64) -> bool| {
        let selected: Vec<bool> = report
            .jobs_access
            .iter()
            .filter(|(t, _)| keep(*t))
            .map(|(_, e)| *e)
            .collect();
        (
            selected.iter().filter(|&&e| e).count() as f64 / selected.len() as f64,
            selected.len(),
        )
    };
    let (in_rate, in_count) = rate(&|t| inside(t));
    let (out_rate, _) = rate(&|t| !inside(t));
    assert!(
        in_count > 30,
        "only {in_count} jobs-api requests in the incident"
    );
    assert!(in_rate > 0.2, "error rate in the incident {in_rate}");
    assert!(
        out_rate < 0.02,
        "error rate outside the incident {out_rate}"
    );
    let median = |keep: &dyn Fn(i64) -> bool| {
        let mut d: Vec<i64> = report
            .jobs_server_spans
            .iter()
            .filter(|(t, _)| keep(*t))
            .map(|(_, d)| *d)
            .collect();
        d.sort_unstable();
        d[d.len() / 2]
    };
    let (slow, normal) = (median(&|t| inside(t)), median(&|t| !inside(t)));
    assert!(
        slow > 5 * normal,
        "incident median {slow} ns vs {normal} ns"
    );
}

#[test]
fn base_error_rate_is_low() {
    let report = week();
    let (from, to) = incident();
    let outside: Vec<bool> = report
        .prod_access
        .iter()
        .filter(|(t, ..)| !(from..to).contains(t))
        .map(|(.., e)| *e)
        .collect();
    let rate = outside.iter().filter(|&&e| e).count() as f64 / outside.len() as f64;
    assert!((0.0005..0.015).contains(&rate), "base 5xx rate {rate}");
}

#[test]
fn region_switches_from_tokyo_to_seoul_four_days_before_the_end() {
    let report = week();
    let switch = END - 4 * DAY;
    let wrong = report
        .regions
        .iter()
        .filter(|(t, r)| {
            r != if *t < switch {
                "ap-northeast-1"
            } else {
                "ap-northeast-2"
            }
        })
        .count();
    assert_eq!(wrong, 0, "lines in the wrong region");
    assert!(
        report.regions.iter().any(|(t, _)| *t < switch)
            && report.regions.iter().any(|(t, _)| *t >= switch)
    );
    // One legacy account before, one account per domain and stage after.
    let (before, after) = &report.accounts;
    assert_eq!(before.len(), 1, "{before:?}");
    assert!(after.len() >= 7, "{after:?}");
}

#[test]
fn axios_network_error_burst_on_the_last_day() {
    let mut times = week().axios_network.clone();
    times.sort_unstable();
    assert!(
        times.len() >= 20,
        "only {} AxiosError: Network Error logs",
        times.len()
    );
    let (first, last) = (times[0], times[times.len() - 1]);
    assert!(first >= END - DAY, "burst starts before the last day");
    assert!(
        last - first <= 30 * MINUTE,
        "not a burst: spread over {} min",
        (last - first) / MINUTE
    );
}

#[test]
fn traffic_follows_korean_office_hours_and_stages() {
    let report = week();
    let kst_hour = |t: i64| (t + KST).rem_euclid(DAY) / HOUR;
    let weekday = |t: i64| ((t + KST).div_euclid(DAY) + 3).rem_euclid(7) < 5;
    // User requests (prod access logs) per KST hour range and kind of day.
    let count = |hours: std::ops::Range<i64>, on_weekday: bool| {
        report
            .prod_access
            .iter()
            .filter(|(t, ..)| hours.contains(&kst_hour(*t)) && weekday(*t) == on_weekday)
            .count() as f64
    };
    // 5 weekdays and 2 weekend days in the week.
    let (busy, night) = (count(10..12, true) / 5.0, count(2..4, true) / 5.0);
    assert!(
        busy > 8.0 * night,
        "weekday 10-12 KST {busy}/day vs 02-04 KST {night}/day"
    );
    let weekend = count(10..12, false) / 2.0;
    assert!(busy > 1.5 * weekend, "weekday {busy} vs weekend {weekend}");
    let total: usize = report.log_envs.values().sum();
    let prod = report.log_envs["prod"] as f64 / total as f64;
    assert!((0.8..0.99).contains(&prod), "prod share {prod}");
    assert!(report.log_envs["stg"] > 0 && report.log_envs["dev"] > 0);
}

#[test]
fn volumes_at_scale_one_for_a_week() {
    let mut lines = [0usize; 3];
    generate(&config(7, 7, 1.0), 50_000, &mut |d, chunk| {
        lines[d as usize] += chunk.iter().filter(|&&b| b == b'\n').count();
    });
    let [logs, spans, metrics] = lines;
    assert!((1_500_000..=2_000_000).contains(&logs), "{logs} logs");
    assert!((800_000..=1_200_000).contains(&spans), "{spans} spans");
    assert!(
        (500_000..=1_500_000).contains(&metrics),
        "{metrics} metrics"
    );
}

#[test]
fn volume_scales_roughly_linearly() {
    let count = |scale: f64| {
        let mut lines = [0usize; 3];
        generate(&config(5, 2, scale), 10_000, &mut |d, chunk| {
            lines[d as usize] += chunk.iter().filter(|&&b| b == b'\n').count();
        });
        lines
    };
    let (full, half) = (count(1.0), count(0.5));
    let spans = half[1] as f64 / full[1] as f64;
    assert!((0.45..0.55).contains(&spans), "spans ratio {spans}");
    // Runtime housekeeping lines are per task, not per request.
    let logs = half[0] as f64 / full[0] as f64;
    assert!((0.5..0.65).contains(&logs), "logs ratio {logs}");
    assert_eq!(half[2], full[2], "metrics rows are per task and minute");
    // Without traffic only the scheduled jobs remain.
    let idle = count(0.0)[1];
    assert!(idle * 100 < full[1], "{idle} spans without traffic");
}

#[test]
fn same_config_same_bytes_and_seed_matters() {
    let small = config(11, 2, 0.2);
    let a = all_bytes(&small, 1_000);
    // Chunking changes how lines are handed over, never the lines.
    let b = all_bytes(&small, 777);
    assert!(a == b, "two runs of the same config differ");
    let c = all_bytes(&config(12, 2, 0.2), 1_000);
    assert!(
        a[0] != c[0] && a[1] != c[1],
        "another seed gives the same world"
    );
}

#[test]
fn chunks_are_bounded_whole_lines_and_interleaved() {
    let mut order = Vec::new();
    generate(&config(3, 1, 0.2), 500, &mut |d, chunk| {
        let lines = chunk.iter().filter(|&&b| b == b'\n').count();
        assert!((1..=500).contains(&lines), "{lines} lines in a chunk");
        assert_eq!(chunk.last(), Some(&b'\n'));
        order.push(d);
    });
    let half = &order[..order.len() / 2];
    for d in [DemoDataset::Logs, DemoDataset::Spans, DemoDataset::Metrics] {
        assert!(half.contains(&d), "{} only at the end", d.name());
    }
    let mut none = 0;
    generate(&config(3, 0, 1.0), 10, &mut |_, _| none += 1);
    assert_eq!(none, 0, "an empty window gives no chunks");
}

#[test]
fn services_cover_the_talks_domains() {
    let all = services();
    assert!((12..=16).contains(&all.len()));
    let mut names: Vec<&str> = all.iter().map(|s| s.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len(), "duplicate service names");
    for domain in [
        "cards",
        "jobs",
        "community",
        "ads",
        "research",
        "gifts",
        "platform",
    ] {
        assert!(
            all.iter().any(|s| s.domain == domain),
            "no {domain} service"
        );
    }
    for s in all {
        assert!(["api", "worker", "web"].contains(&s.kind), "{s:?}");
        assert!(
            ["kotlin", "java", "nodejs", "python"].contains(&s.language),
            "{s:?}"
        );
        assert!(!s.team.is_empty());
    }
    assert_eq!(DemoDataset::Spans.name(), "spans");
}

fn bench_lines(seed: u64, count: usize) -> Vec<u8> {
    let mut out = Vec::new();
    benchmark_logs(seed, END - HOUR, END, count, &mut |chunk| {
        out.extend_from_slice(chunk)
    });
    out
}

#[test]
fn benchmark_logs_count_size_order_and_determinism() {
    let count = 60_000;
    let bytes = bench_lines(9, count);
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    assert_eq!(lines.len(), count);
    let average = bytes.len() as f64 / count as f64;
    assert!(
        (300.0..=400.0).contains(&average),
        "average line {average} bytes"
    );
    let mut last = i64::MIN;
    for line in &lines {
        let v: serde_json::Value = serde_json::from_slice(line).expect("valid JSON");
        let t = v["timestamp"]
            .as_str()
            .and_then(parse_time)
            .expect("RFC 3339 timestamp");
        assert!(
            t >= last && (END - HOUR..END).contains(&t),
            "time out of order or window"
        );
        last = t;
        for key in ["service", "env", "host", "level", "message"] {
            assert!(v[key].is_string(), "{key} missing: {v}");
        }
        assert!(v["attributes"]["cloud.region"].is_string());
    }
    assert!(bytes == bench_lines(9, count), "not deterministic");
    assert!(bytes != bench_lines(10, count), "seed ignored");
    let mut calls = 0;
    benchmark_logs(9, 0, 1, 0, &mut |_| calls += 1);
    assert_eq!(calls, 0);
}
