//! The demo's random source: one ChaCha8 stream per run (deterministic per
//! seed) with the few distributions the world needs, and a stateless hash for
//! ids that must not depend on how much randomness was drawn before.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub(crate) struct Rand {
    rng: ChaCha8Rng,
    /// Box–Muller yields normals in pairs; the second waits here.
    spare_normal: Option<f64>,
}

impl Rand {
    pub(crate) fn new(seed: u64) -> Rand {
        Rand {
            rng: ChaCha8Rng::seed_from_u64(seed),
            spare_normal: None,
        }
    }

    pub(crate) fn u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// A span id: random, never zero (zero means "no parent").
    pub(crate) fn span_id(&mut self) -> u64 {
        self.u64().max(1)
    }

    pub(crate) fn trace_id(&mut self) -> u128 {
        (u128::from(self.u64()) << 64 | u128::from(self.u64())).max(1)
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.unit() < p
    }

    /// Uniform in [0, n); n must be > 0.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        // Multiply-shift: bias is below 2^-32 for the small n used here.
        ((u128::from(self.u64()) * u128::from(n)) >> 64) as u64
    }

    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo).max(1) as u64) as i64
    }

    pub(crate) fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (std::f64::consts::TAU * u2).sin_cos();
        self.spare_normal = Some(r * s);
        r * c
    }

    /// Log-normal with the given median: latencies have this shape (most
    /// near the median, a long right tail).
    pub(crate) fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// Poisson-distributed count with mean `lambda` (normal approximation
    /// above 30, where it is indistinguishable on a chart).
    pub(crate) fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda > 30.0 {
            return (lambda + lambda.sqrt() * self.normal()).round().max(0.0) as u64;
        }
        let limit = (-lambda).exp();
        let mut product = self.unit();
        let mut n = 0;
        while product > limit {
            n += 1;
            product *= self.unit();
        }
        n
    }

    /// An index into `weights`, chosen in proportion to them.
    pub(crate) fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

/// SplitMix64 finalizer: a well-mixed hash of `x`, for stable derived ids.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_have_the_right_shape() {
        let mut r = Rand::new(7);
        let n = 20_000;
        let mean = (0..n).map(|_| r.poisson(4.0) as f64).sum::<f64>() / n as f64;
        assert!((mean - 4.0).abs() < 0.1, "{mean}");
        let mean = (0..n).map(|_| r.poisson(100.0) as f64).sum::<f64>() / n as f64;
        assert!((mean - 100.0).abs() < 0.5, "{mean}");
        let mut samples: Vec<f64> = (0..n).map(|_| r.lognormal(40.0, 0.6)).collect();
        samples.sort_by(f64::total_cmp);
        let median = samples[n / 2];
        assert!((median - 40.0).abs() < 2.0, "{median}");
        assert!(samples[n * 99 / 100] > 3.0 * median);
        assert!((0..n).all(|_| r.below(3) < 3));
        let picks = (0..n).filter(|_| r.weighted(&[1.0, 3.0]) == 1).count();
        assert!((picks as f64 / n as f64 - 0.75).abs() < 0.02);
    }
}
