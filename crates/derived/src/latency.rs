//! Latency buckets of the span rollups: eight per octave from 1 µs, so a
//! bucket's representative value is within about 4.4% of every duration in
//! it (the relative accuracy of a DDSketch with γ = 2^(1/8)). Percentiles and
//! Apdex over any range are computed from summed bucket counts.

/// Buckets per doubling of the duration.
const PER_OCTAVE: f64 = 8.0;
/// Durations at or below 1 µs share bucket 0.
const BASE_NS: f64 = 1_000.0;
/// The last bucket holds everything from about 2.7 hours up.
pub const MAX_BUCKET: i64 = 8 * 33;

/// The bucket of a duration in nanoseconds.
pub fn bucket_of(duration_ns: i64) -> i64 {
    if duration_ns as f64 <= BASE_NS {
        return 0;
    }
    let b = ((duration_ns as f64 / BASE_NS).log2() * PER_OCTAVE).floor() as i64;
    b.clamp(0, MAX_BUCKET)
}

/// The value a bucket stands for: the geometric middle of its bounds.
pub fn bucket_value_ns(bucket: i64) -> f64 {
    BASE_NS * ((bucket.clamp(0, MAX_BUCKET) as f64 + 0.5) / PER_OCTAVE).exp2()
}

/// The `q` quantile (0..=1) of a histogram given as `(bucket, count)` pairs
/// in any order: the value of the bucket holding the rank ⌈q·n⌉.
pub fn quantile_ns(histogram: &[(i64, u64)], q: f64) -> Option<f64> {
    let total: u64 = histogram.iter().map(|(_, c)| c).sum();
    if total == 0 {
        return None;
    }
    let mut sorted: Vec<(i64, u64)> = histogram.to_vec();
    sorted.sort_unstable_by_key(|(b, _)| *b);
    let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
    let mut seen = 0;
    for (bucket, count) in sorted {
        seen += count;
        if seen >= rank {
            return Some(bucket_value_ns(bucket));
        }
    }
    None
}

/// Apdex with threshold `t_ns` from a histogram: a bucket counts as
/// satisfied when its value is at most T, tolerating when at most 4T.
pub fn apdex(histogram: &[(i64, u64)], t_ns: f64) -> Option<f64> {
    let total: u64 = histogram.iter().map(|(_, c)| c).sum();
    if total == 0 {
        return None;
    }
    let (mut satisfied, mut tolerating) = (0u64, 0u64);
    for &(bucket, count) in histogram {
        let v = bucket_value_ns(bucket);
        if v <= t_ns {
            satisfied += count;
        } else if v <= 4.0 * t_ns {
            tolerating += count;
        }
    }
    Some((satisfied as f64 + tolerating as f64 / 2.0) / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn buckets_cover_the_range() {
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(-5), 0);
        assert_eq!(bucket_of(1_000), 0);
        assert_eq!(bucket_of(2_000), 8);
        assert_eq!(bucket_of(i64::MAX), MAX_BUCKET);
        assert!(bucket_of(1_000_000) < bucket_of(1_100_000));
    }

    #[test]
    fn quantiles_of_a_known_histogram() {
        // 90 fast (1 ms) and 10 slow (100 ms) requests.
        let h = [(bucket_of(1_000_000), 90), (bucket_of(100_000_000), 10)];
        let p50 = quantile_ns(&h, 0.5).unwrap();
        let p95 = quantile_ns(&h, 0.95).unwrap();
        assert!((p50 / 1e6 - 1.0).abs() < 0.05, "{p50}");
        assert!((p95 / 1e8 - 1.0).abs() < 0.05, "{p95}");
        assert_eq!(quantile_ns(&[], 0.5), None);
        let a = apdex(&h, 500e6).unwrap();
        assert!((a - 1.0).abs() < 1e-9);
        let a = apdex(&h, 10e6).unwrap();
        assert!((a - 0.9).abs() < 1e-9, "{a}");
    }

    proptest! {
        #[test]
        fn bucket_value_is_within_five_percent(d in 1_001i64..8_000_000_000_000) {
            let v = bucket_value_ns(bucket_of(d));
            prop_assert!((v - d as f64).abs() / d as f64 <= 0.045, "{d} -> {v}");
        }
    }
}
