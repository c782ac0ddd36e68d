//! Application log lines for benchmarks: the demo's log shape and mix of
//! messages, drawn line by line without building traces, so millions of
//! lines come out at hundreds of MB/s.

use crate::errors;
use crate::log_record::{Body, Level, LogRec, Resource};
use crate::logs::write_log;
use crate::random::{Rand, mix};
use crate::topology::{Route, Step, Store, routes};
use crate::world::{
    ADS_API, Env, JOBS_API, MAX_TASKS, SERVICE_COUNT, WEB_BFF, account_id, info, task_count,
};

/// Share of lines per service: the busy APIs and the BFF log the most,
/// workers the least.
const SERVICE_WEIGHTS: [f64; SERVICE_COUNT] = [
    10.0, 8.0, 8.0, 3.0, 12.0, 6.0, 3.0, 8.0, 3.0, 8.0, 5.0, 3.0, 4.0, 3.0,
];

/// Bytes handed to the sink at once.
const CHUNK_BYTES: usize = 4 << 20;

/// Realistic application log lines for benchmarks: exactly `count` NDJSON
/// log lines (the shape of the "logs" dataset), timestamps ascending over
/// `[start, end)`, deterministic per seed.
pub fn benchmark_logs(
    seed: u64,
    start_unix_nanos: i64,
    end_unix_nanos: i64,
    count: usize,
    sink: &mut dyn FnMut(&[u8]),
) {
    let mut rng = Rand::new(seed ^ 0xbe9c_4a11);
    let span = i128::from(end_unix_nanos.saturating_sub(start_unix_nanos).max(0));
    // Fixed tasks per service and stage for the whole run.
    let tasks: Vec<u128> = (0..SERVICE_COUNT * 3 * MAX_TASKS)
        .map(|k| {
            u128::from(mix(seed ^ mix(k as u64))) << 64 | u128::from(mix(seed ^ mix(!(k as u64))))
        })
        .collect();
    let catalog = Catalog::new();
    let mut buf = Vec::with_capacity(CHUNK_BYTES + 64 * 1024);
    for i in 0..count {
        // Line i lands in the i-th of `count` equal slices of the window, at
        // a random point in it: ascending, and spread over the whole window.
        let fraction = ((i as i128) << 32) + i128::from(rng.u64() as u32);
        let t = start_unix_nanos + (span * fraction / ((count as i128) << 32)) as i64;
        let rec = catalog.random_record(&mut rng, t);
        let res = Resource {
            task_id: tasks[(rec.service * 3 + rec.env.index()) * MAX_TASKS + rec.slot],
            region: "ap-northeast-2",
            account: account_id(rec.service, rec.env, true),
        };
        // Most request-scoped lines carry trace context; runtime chatter has none.
        let traced = !matches!(rec.body, Body::Housekeeping { .. }) && rng.chance(0.7);
        let ids = traced.then(|| (rng.trace_id(), rng.span_id()));
        write_log(&mut buf, &rec, &res, ids);
        buf.push(b'\n');
        if buf.len() >= CHUNK_BYTES {
            sink(&buf);
            buf.clear();
        }
    }
    if !buf.is_empty() {
        sink(&buf);
    }
}

/// What each service can log about, looked up once per run.
struct Catalog {
    /// HTTP routes per service (a worker's queue route when it has none).
    routes: Vec<Vec<&'static Route>>,
    /// A statement of the service's own database, for slow-query warnings.
    slow_query: Vec<Option<(&'static Store, &'static str)>>,
}

impl Catalog {
    fn new() -> Catalog {
        let by_service = (0..SERVICE_COUNT)
            .map(|s| {
                let http: Vec<_> = routes(s)
                    .iter()
                    .filter(|r| !r.method.is_empty() && r.method != "JOB")
                    .collect();
                if http.is_empty() {
                    vec![&routes(s)[0]]
                } else {
                    http
                }
            })
            .collect();
        let slow_query = (0..SERVICE_COUNT)
            .map(|s| {
                routes(s)
                    .iter()
                    .flat_map(|r| r.steps.iter())
                    .find_map(|step| match step {
                        Step::Db {
                            store, statement, ..
                        } => Some((*store, *statement)),
                        _ => None,
                    })
            })
            .collect();
        Catalog {
            routes: by_service,
            slow_query,
        }
    }

    fn random_record(&self, rng: &mut Rand, t: i64) -> LogRec {
        let service = rng.weighted(&SERVICE_WEIGHTS);
        let env = match rng.below(100) {
            0..=2 => Env::Dev,
            3..=5 => Env::Stg,
            _ => Env::Prod,
        };
        let choices = &self.routes[service];
        let route = choices[rng.below(choices.len() as u64) as usize];
        let worker = info(service).kind == "worker";
        let ms = rng.lognormal(route.self_ms * 6.0 + 8.0, 0.7);
        let path_id = rng.range(1_000, 999_999) as u32;
        // The mix, in per mille: errors with stack traces, slow queries,
        // cache misses, runtime chatter, app lines, then request lines.
        let roll = rng.below(1000);
        let (level, body) = match roll {
            0..=5 => {
                let list = errors::recurring(service);
                let exception = &list[rng.below(list.len() as u64) as usize];
                (
                    Level::Error,
                    Body::Error {
                        exception,
                        route,
                        status: exception.status,
                    },
                )
            }
            6..=20 => match self.slow_query[service] {
                Some((store, statement)) => (
                    Level::Warn,
                    Body::SlowQuery {
                        store,
                        statement,
                        ms: ms * 40.0 + 500.0,
                    },
                ),
                None => (
                    Level::Info,
                    Body::App {
                        n: rng.range(1, 60) as u64,
                    },
                ),
            },
            21..=110 => (
                Level::Debug,
                Body::CacheMiss {
                    key: "session",
                    id: path_id,
                },
            ),
            111..=200 => (
                Level::Debug,
                Body::Housekeeping {
                    n: rng.u64() % 1000,
                },
            ),
            201..=480 => (
                Level::Info,
                Body::App {
                    n: rng.range(1, 60) as u64,
                },
            ),
            _ if worker => (
                Level::Info,
                Body::Consumed {
                    route,
                    ms,
                    ok: true,
                },
            ),
            481..=600 if service == WEB_BFF => {
                let callee = if rng.chance(0.5) { JOBS_API } else { ADS_API };
                let callee_route = &routes(callee)[0];
                (
                    Level::Info,
                    Body::Upstream {
                        callee,
                        route: callee_route,
                        status: 200,
                        ms,
                    },
                )
            }
            _ => {
                let status = match rng.below(100) {
                    0..=2 => 404,
                    3 => 400,
                    _ if route.method == "POST" => 201,
                    _ => 200,
                };
                let level = if status >= 400 {
                    Level::Warn
                } else {
                    Level::Info
                };
                (
                    level,
                    Body::Access {
                        route,
                        path_id,
                        status,
                        ms,
                    },
                )
            }
        };
        let slots = task_count(service, env).max(1);
        LogRec {
            t,
            service,
            env,
            slot: rng.below(slots as u64) as usize,
            level,
            span: 1,
            user: if worker || matches!(body, Body::Housekeeping { .. }) {
                0
            } else {
                (4_500_000.0 * rng.unit().powi(3)) as u32 + 1
            },
            body,
        }
    }
}
