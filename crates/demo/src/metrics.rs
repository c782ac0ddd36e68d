//! Per-minute metrics (dataset "metrics"): container CPU and memory of every
//! ECS task, request counts per task, and a latency histogram per service,
//! counted from the requests the minute actually generated.

use crate::DemoDataset;
use crate::json::{Obj, write_uint};
use crate::logs::write_host;
use crate::output::Output;
use crate::random::Rand;
use crate::time::MINUTE;
use crate::timeline::Timeline;
use crate::topology::JOBS;
use crate::world::{Env, JOBS_API, MAX_TASKS, SERVICE_COUNT, account_id, info, task_count};

/// Upper bounds (ms) of the latency histogram buckets; one more bucket
/// counts everything above the last bound.
pub(crate) const BOUNDS_MS: [f64; 10] = [
    5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0,
];

#[derive(Clone, Copy)]
struct Histogram {
    count: u64,
    sum: f64,
    min: f64,
    max: f64,
    buckets: [u64; BOUNDS_MS.len() + 1],
}

impl Histogram {
    const EMPTY: Histogram = Histogram {
        count: 0,
        sum: 0.0,
        min: f64::INFINITY,
        max: 0.0,
        buckets: [0; BOUNDS_MS.len() + 1],
    };
}

/// Counters of the current minute.
pub(crate) struct Meters {
    requests: [[[u32; MAX_TASKS]; 3]; SERVICE_COUNT],
    latency: [Histogram; SERVICE_COUNT],
}

/// How much CPU a fully busy weekday peak costs each service's task.
const CPU_AT_PEAK: [f64; SERVICE_COUNT] = [
    0.42, 0.28, 0.3, 0.55, 0.45, 0.5, 0.35, 0.32, 0.3, 0.38, 0.6, 0.25, 0.22, 0.2,
];

impl Meters {
    pub(crate) fn new() -> Meters {
        Meters {
            requests: [[[0; MAX_TASKS]; 3]; SERVICE_COUNT],
            latency: [Histogram::EMPTY; SERVICE_COUNT],
        }
    }

    /// Counts one handled request (server or consumer span), kept or not.
    pub(crate) fn record(&mut self, service: usize, env: Env, slot: usize, ms: f64) {
        self.requests[service][env.index()][slot.min(MAX_TASKS - 1)] += 1;
        if env == Env::Prod {
            let h = &mut self.latency[service];
            h.count += 1;
            h.sum += ms;
            h.min = h.min.min(ms);
            h.max = h.max.max(ms);
            h.buckets[BOUNDS_MS.partition_point(|&b| b < ms)] += 1;
        }
    }

    /// Writes the rows of the minute starting at `minute` (stamped at its
    /// end, as OpenTelemetry stamps a delta interval) and resets the counters.
    pub(crate) fn emit(
        &mut self,
        minute: i64,
        timeline: &Timeline,
        rng: &mut Rand,
        out: &mut Output<'_>,
    ) {
        let t = minute + MINUTE;
        let region = timeline.region(t);
        let migrated = timeline.migrated(t);
        for service in 0..SERVICE_COUNT {
            let s = info(service);
            for env in Env::ALL {
                let account = account_id(service, env, migrated);
                let common =
                    |o: &mut Obj<'_>, slot: usize, metric: &str, kind: &str, unit: &str| {
                        o.time("timestamp", t);
                        o.str("service", s.name);
                        o.str("env", env.name());
                        o.str_with("host", |b| {
                            write_host(b, service, timeline.task_id(service, env, slot, t - 1))
                        });
                        o.str("metric", metric);
                        o.str("kind", kind);
                        o.str("unit", unit);
                    };
                let attributes = |o: &mut Obj<'_>| {
                    let mut a = o.obj("attributes");
                    a.str("aws.ecs.task.family", s.name);
                    a.str_with("aws.ecs.cluster.name", |b| {
                        b.extend_from_slice(if migrated { s.domain } else { "legacy" }.as_bytes());
                        b.push(b'-');
                        b.extend_from_slice(env.name().as_bytes());
                    });
                    a.str("cloud.region", region);
                    a.str_with("cloud.account.id", |b| write_uint(b, account));
                    a.end();
                };
                for slot in 0..task_count(service, env) {
                    let cpu = self.cpu(service, env, slot, minute, timeline, rng);
                    out.line(DemoDataset::Metrics, t, |b| {
                        let mut o = Obj::new(b);
                        common(&mut o, slot, "container.cpu.utilization", "gauge", "1");
                        o.float("value", cpu, 4);
                        attributes(&mut o);
                        o.end();
                    });
                    let memory = memory_bytes(service, env, slot, minute, timeline, rng);
                    out.line(DemoDataset::Metrics, t, |b| {
                        let mut o = Obj::new(b);
                        common(&mut o, slot, "container.memory.usage", "gauge", "By");
                        o.float("value", memory.round(), 1);
                        attributes(&mut o);
                        o.end();
                    });
                    if env == Env::Prod && s.kind != "worker" {
                        let count = self.requests[service][env.index()][slot];
                        out.line(DemoDataset::Metrics, t, |b| {
                            let mut o = Obj::new(b);
                            common(
                                &mut o,
                                slot,
                                "http.server.request.count",
                                "sum",
                                "{request}",
                            );
                            o.time("start_timestamp", minute);
                            o.str("temporality", "delta");
                            o.bool("is_monotonic", true);
                            o.int("value", i64::from(count));
                            attributes(&mut o);
                            o.end();
                        });
                    }
                }
            }
            if s.kind != "worker" {
                let h = self.latency[service];
                out.line(DemoDataset::Metrics, t, |b| {
                    let mut o = Obj::new(b);
                    o.time("timestamp", t);
                    o.time("start_timestamp", minute);
                    o.str("service", s.name);
                    o.str("env", "prod");
                    o.str("metric", "http.server.request.duration");
                    o.str("kind", "histogram");
                    o.str("unit", "ms");
                    o.str("temporality", "delta");
                    o.int("count", h.count as i64);
                    o.float("sum", h.sum, 3);
                    if h.count > 0 {
                        o.float("min", h.min, 3);
                        o.float("max", h.max, 3);
                    }
                    o.array("bucket_counts", &h.buckets, write_uint);
                    o.array("explicit_bounds", &BOUNDS_MS, |b, v| {
                        write_uint(b, v as u64)
                    });
                    let mut a = o.obj("attributes");
                    a.str("aws.ecs.task.family", s.name);
                    a.str("cloud.region", region);
                    a.str_with("cloud.account.id", |b| {
                        write_uint(b, account_id(service, Env::Prod, migrated))
                    });
                    a.end();
                    o.end();
                });
            }
        }
        *self = Meters::new();
    }

    /// CPU follows traffic (prod) or QA activity (dev, stg), with batch-job
    /// spikes on the task that runs the job and the incident's busy pool.
    fn cpu(
        &self,
        service: usize,
        env: Env,
        slot: usize,
        minute: i64,
        tl: &Timeline,
        rng: &mut Rand,
    ) -> f64 {
        let mut cpu = match env {
            Env::Prod => 0.03 + CPU_AT_PEAK[service] * tl.load(minute) * (0.85 + 0.3 * rng.unit()),
            _ => 0.02 + 0.08 * tl.qa_load(minute) * rng.unit(),
        };
        let minute_index = minute.div_euclid(MINUTE);
        for (job_service, _, period, offset) in JOBS {
            if job_service == service
                && slot == 0
                && env == Env::Prod
                && (minute_index - offset).rem_euclid(period) < 2
            {
                cpu += 0.45;
            }
        }
        if service == JOBS_API && env == Env::Prod && tl.in_incident(minute) {
            cpu += 0.3;
        }
        (cpu + 0.01 * rng.normal()).clamp(0.005, 0.98)
    }
}

/// Memory: the runtime's baseline, slow growth with uptime (reset by each
/// deploy), and a JVM heap sawtooth between collections.
fn memory_bytes(
    service: usize,
    env: Env,
    slot: usize,
    minute: i64,
    tl: &Timeline,
    rng: &mut Rand,
) -> f64 {
    const MIB: f64 = 1024.0 * 1024.0;
    let language = info(service).language;
    let (base, per_hour) = match language {
        "nodejs" => (310.0 * MIB, 9.0 * MIB),
        "python" => (430.0 * MIB, 3.0 * MIB),
        _ => (1150.0 * MIB, 5.0 * MIB),
    };
    let uptime_hours = (minute - tl.task_started(service, env, minute)) as f64 / 3.6e12;
    let growth = (per_hour * uptime_hours).min(base * 0.45);
    let sawtooth = if matches!(language, "kotlin" | "java") {
        let phase = (minute.div_euclid(MINUTE) + slot as i64 * 7).rem_euclid(15) as f64 / 15.0;
        160.0 * MIB * phase
    } else {
        0.0
    };
    (base + growth + sawtooth) * (0.99 + 0.02 * rng.unit())
}
