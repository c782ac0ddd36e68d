//! The driver: walks the window minute by minute, draws that minute's user
//! requests, QA traffic and scheduled jobs, keeps a sample of their traces,
//! writes logs, spans and metrics, and releases them in time order.

use crate::dataset::DemoDataset;
use crate::log_record::{Body, Level, LogRec, Resource};
use crate::logs::write_log;
use crate::metrics::Meters;
use crate::output::Output;
use crate::random::Rand;
use crate::spans::{Detail, Trace, write_span};
use crate::time::{DAY, MINUTE, SECOND};
use crate::timeline::Timeline;
use crate::topology::{BFF_WEIGHTS, JOBS, routes};
use crate::traces::Builder;
use crate::world::{Env, SERVICE_COUNT, WEB_BFF, account_id, task_count};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoConfig {
    pub seed: u64,
    /// End of the generated window (exclusive), nanoseconds since the epoch.
    pub end_unix_nanos: i64,
    /// Length of the window, ending at `end_unix_nanos`.
    pub days: u32,
    /// Traffic volume; 1.0 is the default (about 1.75 M logs and 1.05 M
    /// spans a week). Metrics rows, runtime housekeeping logs and scheduled
    /// jobs do not scale: they are per task, minute or schedule.
    pub scale: f64,
}

/// User requests a minute at a weekday's peak, at scale 1.0.
const PEAK_REQUESTS_PER_MINUTE: f64 = 44.0;
/// QA requests a minute in office hours: stg, dev.
const QA_REQUESTS_PER_MINUTE: [f64; 2] = [2.4, 1.6];
/// Share of error-free traces kept (errors are always kept, as a retention
/// filter on errors would); requests of dropped traces still log, without ids.
const TRACE_SAMPLE_RATE: f64 = 0.6;
/// Chance per task and minute of one runtime housekeeping line.
const HOUSEKEEPING_RATE: f64 = 0.4;

struct Run<'s> {
    scale: f64,
    timeline: Timeline,
    rng: Rand,
    out: Output<'s>,
    meters: Meters,
    trace: Trace,
}

/// Calls `sink(dataset, chunk)` with NDJSON chunks of at most `chunk_lines`
/// lines each (0 counts as 1), datasets interleaved, time ascending within a
/// dataset, covering `[end - days, end)`. Deterministic for a given config:
/// the concatenated lines of a dataset do not depend on `chunk_lines`.
pub fn generate(config: &DemoConfig, chunk_lines: usize, sink: &mut dyn FnMut(DemoDataset, &[u8])) {
    let end = config.end_unix_nanos;
    let start = end.saturating_sub(i64::from(config.days) * DAY);
    let mut run = Run {
        scale: if config.scale.is_finite() {
            config.scale.max(0.0)
        } else {
            0.0
        },
        timeline: Timeline::new(config.seed, start, end),
        rng: Rand::new(config.seed),
        out: Output::new(chunk_lines, sink),
        meters: Meters::new(),
        trace: Trace::default(),
    };
    let mut minute = start.div_euclid(MINUTE) * MINUTE;
    while minute < end {
        run.minute(minute, start, end);
        minute += MINUTE;
    }
    run.out.finish(end);
}

impl Run<'_> {
    fn minute(&mut self, minute: i64, start: i64, end: i64) {
        let lo = minute.max(start);
        let hi = (minute + MINUTE).min(end);
        let share = (hi - lo) as f64 / MINUTE as f64;
        let load = self.timeline.load(minute + 30 * SECOND);
        let n = self
            .rng
            .poisson(PEAK_REQUESTS_PER_MINUTE * self.scale * load * share);
        for _ in 0..n {
            let t = self.rng.range(lo, hi);
            self.user_request(Env::Prod, t);
        }
        let qa = self.timeline.qa_load(minute);
        for (env, rate) in [
            (Env::Stg, QA_REQUESTS_PER_MINUTE[0]),
            (Env::Dev, QA_REQUESTS_PER_MINUTE[1]),
        ] {
            for _ in 0..self.rng.poisson(rate * self.scale * qa * share) {
                let t = self.rng.range(lo, hi);
                self.user_request(env, t);
            }
        }
        if minute >= start {
            let index = minute.div_euclid(MINUTE);
            for (service, route, period, offset) in JOBS {
                if (index - offset).rem_euclid(period) == 0 {
                    let t = minute + self.rng.range(0, 3 * SECOND);
                    self.trace.reset(self.rng.trace_id(), 0);
                    self.build(|b| {
                        b.serve(service, Env::Prod, &routes(service)[route], t, 0, 0);
                    });
                }
            }
        }
        self.housekeeping(lo, hi);
        if minute >= start && minute + MINUTE < end {
            self.meters
                .emit(minute, &self.timeline, &mut self.rng, &mut self.out);
        }
        self.out.release_before(hi);
    }

    /// One request from the app or website, entering through web-bff.
    fn user_request(&mut self, env: Env, t: i64) {
        let user = match env {
            // Heavy users come back often: a skewed pick among 4.5 M members.
            Env::Prod => (4_500_000.0 * self.rng.unit().powi(3)) as u32 + 1,
            _ => 900_001 + self.rng.below(12) as u32,
        };
        let route = &routes(WEB_BFF)[self.rng.weighted(&BFF_WEIGHTS)];
        let path_id = self.rng.range(1_000, 999_999) as u32;
        self.trace.reset(self.rng.trace_id(), user);
        self.build(|b| {
            b.serve(WEB_BFF, env, route, t, 0, path_id);
        });
    }

    /// Builds a trace with `f`, then writes it: spans only if it is kept.
    fn build(&mut self, f: impl FnOnce(&mut Builder<'_>)) {
        let mut builder = Builder {
            rng: &mut self.rng,
            timeline: &self.timeline,
            trace: &mut self.trace,
        };
        f(&mut builder);
        // A request still running at the window's end is left out whole, so
        // every kept line is inside the window and every trace complete.
        if self.trace.last_instant() >= self.timeline.end {
            return;
        }
        let keep = self.trace.errored || self.rng.chance(TRACE_SAMPLE_RATE);
        let trace = &self.trace;
        let tl = &self.timeline;
        for span in &trace.spans {
            if matches!(span.detail, Detail::Server { .. } | Detail::Consumer { .. }) {
                let ms = (span.end - span.start) as f64 / 1e6;
                self.meters.record(span.service, span.env, span.slot, ms);
            }
            if keep {
                let res = resource(tl, span.service, span.env, span.slot, span.start);
                self.out.line(DemoDataset::Spans, span.start, |b| {
                    write_span(b, trace.id, span, &res)
                });
            }
        }
        for log in &trace.logs {
            let res = resource(tl, log.service, log.env, log.slot, log.t);
            let ids = (keep && log.span != 0).then_some((trace.id, log.span));
            self.out
                .line(DemoDataset::Logs, log.t, |b| write_log(b, log, &res, ids));
        }
    }

    /// Runtime lines no request asked for: pool stats, event-loop delay,
    /// empty SQS polls.
    fn housekeeping(&mut self, lo: i64, hi: i64) {
        for service in 0..SERVICE_COUNT {
            for env in Env::ALL {
                for slot in 0..task_count(service, env) {
                    if !self.rng.chance(HOUSEKEEPING_RATE) {
                        continue;
                    }
                    let t = self.rng.range(lo, hi);
                    let n = self.rng.u64() % 1000;
                    let rec = LogRec {
                        t,
                        service,
                        env,
                        slot,
                        level: Level::Debug,
                        span: 0,
                        user: 0,
                        body: Body::Housekeeping { n },
                    };
                    let res = resource(&self.timeline, service, env, slot, t);
                    self.out
                        .line(DemoDataset::Logs, t, |b| write_log(b, &rec, &res, None));
                }
            }
        }
    }
}

fn resource(tl: &Timeline, service: usize, env: Env, slot: usize, t: i64) -> Resource {
    Resource {
        task_id: tl.task_id(service, env, slot, t),
        region: tl.region(t),
        account: account_id(service, env, tl.migrated(t)),
    }
}
