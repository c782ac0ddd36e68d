//! Builds one request's trace: the server span of each service it reaches,
//! their database, cache, HTTP, SQS and external-host client spans, and the
//! log records those services write while handling it.
//!
//! Nothing is serialized here: the caller decides whether the trace is kept
//! (sampled) and writes spans and logs from these records.

use crate::errors::{self, AXIOS_NETWORK, Exception, PG_STATEMENT_TIMEOUT, QUERY_TIMEOUT};
use crate::log_record::{Body, Level, LogRec};
use crate::random::Rand;
use crate::spans::{Detail, SpanRec, Status, Trace};
use crate::timeline::Timeline;
use crate::topology::{External, Route, Step, Store, routes};
use crate::world::{ADS_API, ERROR_RATE, Env, JOBS_API, WEB_BFF, info, task_count};

fn ns(ms: f64) -> i64 {
    (ms * 1e6) as i64
}

/// How a handler finished.
pub(crate) struct Outcome {
    pub(crate) end: i64,
    pub(crate) status: u16,
}

pub(crate) struct Builder<'a> {
    pub(crate) rng: &'a mut Rand,
    pub(crate) timeline: &'a Timeline,
    pub(crate) trace: &'a mut Trace,
}

/// One handler run: where it runs and its state between steps.
struct Handler {
    service: usize,
    env: Env,
    slot: usize,
    /// The handler's own (server, consumer or job) span.
    id: u64,
    route: &'static Route,
    path_id: u32,
    start: i64,
    /// Median-scaling of everything it does (Tokyo, cut-over, incident).
    slow: f64,
    incident: bool,
    /// Where the next sequential step starts, and where the last one began
    /// (a parallel step starts with it).
    cursor: i64,
    prev_start: i64,
    failure: Option<&'static Exception>,
    /// A 4xx a downstream answered, passed on to the caller.
    passed_status: Option<u16>,
}

impl Builder<'_> {
    /// A small gap between steps (serialization, scheduling): 20–200 µs.
    fn gap(&mut self) -> i64 {
        self.rng.range(20_000, 200_000)
    }

    fn log(&mut self, h: &Handler, t: i64, level: Level, span: u64, body: Body) {
        self.trace.logs.push(LogRec {
            t,
            service: h.service,
            env: h.env,
            slot: h.slot,
            level,
            span,
            user: self.trace.user,
            body,
        });
    }

    /// Records a client (or producer) span of the handler; `error` marks
    /// it failed even without an exception (a 5xx answer).
    fn child(
        &mut self,
        h: &Handler,
        id: u64,
        (start, end): (i64, i64),
        exception: Option<&'static Exception>,
        error: bool,
        detail: Detail,
    ) {
        let status = if error || exception.is_some() {
            Status::Error
        } else {
            Status::Unset
        };
        self.trace.spans.push(SpanRec {
            id,
            parent: h.id,
            service: h.service,
            env: h.env,
            slot: h.slot,
            start,
            end,
            status,
            exception,
            detail,
        });
    }

    /// Handles `route` of `service`: the server (or consumer, or job) span,
    /// everything it calls, and its logs. `parent` is 0 for a trace root.
    pub(crate) fn serve(
        &mut self,
        service: usize,
        env: Env,
        route: &'static Route,
        start: i64,
        parent: u64,
        path_id: u32,
    ) -> Outcome {
        let tl = self.timeline;
        let incident = service == JOBS_API && env == Env::Prod && tl.in_incident(start);
        let mut slow = if tl.migrated(start) { 1.0 } else { 1.15 };
        if tl.in_cutover(start) {
            slow *= 2.5;
        }
        if incident {
            slow *= 10.0;
        }
        let self_ms = self.rng.lognormal(route.self_ms, 0.45) * slow;
        let cursor = start + ns(self_ms * 0.4);
        let mut h = Handler {
            service,
            env,
            slot: self.rng.below(task_count(service, env).max(1) as u64) as usize,
            id: self.rng.span_id(),
            route,
            path_id,
            start,
            slow,
            incident,
            cursor,
            prev_start: cursor,
            failure: None,
            passed_status: None,
        };
        let mut skip_next = false;
        for step in route.steps {
            if h.failure.is_some() {
                break;
            }
            if std::mem::take(&mut skip_next) {
                continue;
            }
            match *step {
                Step::Db {
                    store,
                    op,
                    target,
                    statement,
                    p,
                } => {
                    if self.rng.chance(p) {
                        self.query(
                            &mut h,
                            store,
                            Detail::Db {
                                store,
                                op,
                                target,
                                statement,
                            },
                        );
                    }
                }
                Step::Cache { store, key, hit } => {
                    self.query(&mut h, store, Detail::Cache { store, key });
                    if self.rng.chance(hit) {
                        skip_next = true;
                    } else if self.rng.chance(0.35) {
                        self.log(
                            &h,
                            h.cursor,
                            Level::Debug,
                            h.id,
                            Body::CacheMiss { key, id: path_id },
                        );
                    }
                }
                Step::Call {
                    service: callee,
                    route: r,
                    p,
                    parallel,
                } => {
                    if self.rng.chance(p) {
                        self.call(&mut h, callee, &routes(callee)[r], parallel);
                    }
                }
                Step::External {
                    host,
                    method,
                    path,
                    median_ms,
                } => self.external(&mut h, host, method, path, median_ms),
                Step::Publish { queue, worker, p } => {
                    // Workers consume only in prod (see world::task_count).
                    if env == Env::Prod && self.rng.chance(p) {
                        self.publish(&mut h, queue, worker);
                    }
                }
            }
        }
        self.finish(h, self_ms, parent)
    }

    /// A database or cache operation; jobs-api's Postgres times out in the
    /// incident, and slow queries are logged.
    fn query(&mut self, h: &mut Handler, store: &'static Store, detail: Detail) {
        let t0 = h.cursor + self.gap();
        let sigma = if matches!(detail, Detail::Cache { .. }) {
            0.4
        } else {
            0.55
        };
        let mut ms = self.rng.lognormal(store.median_ms, sigma) * h.slow;
        if self.rng.chance(0.004) {
            ms *= self.rng.range(5, 40) as f64;
        }
        let mut exception = None;
        if h.incident && store.system == "postgresql" && self.rng.chance(0.5) {
            // Postgres cancels at the 3 s statement_timeout.
            ms = 3000.0 + self.rng.unit() * 4.0;
            exception = Some(&PG_STATEMENT_TIMEOUT);
            h.failure = Some(&QUERY_TIMEOUT);
        }
        let end = t0 + ns(ms);
        if let (Detail::Db { statement, .. }, None, true) = (&detail, exception, ms > 500.0) {
            let body = Body::SlowQuery {
                store,
                statement,
                ms,
            };
            self.log(h, end, Level::Warn, h.id, body);
        }
        let id = self.rng.span_id();
        self.child(h, id, (t0, end), exception, false, detail);
        h.prev_start = t0;
        h.cursor = end;
    }

    /// An HTTP call to another service, which serves it in turn; during the
    /// burst web-bff's calls to ads-api drop with `AxiosError: Network Error`.
    fn call(&mut self, h: &mut Handler, callee: usize, route: &'static Route, parallel: bool) {
        let t0 = if parallel {
            h.prev_start
        } else {
            h.cursor + self.gap()
        };
        let id = self.rng.span_id();
        let network = h.service == WEB_BFF
            && callee == ADS_API
            && self.timeline.in_burst(t0)
            && self.rng.chance(0.6);
        let (end, status) = if network {
            // The connection drops before ads-api answers: no server span,
            // and the BFF renders without ads. The error span keeps the
            // trace (errors are never sampled out).
            let end = t0 + ns(self.rng.lognormal(9.0, 0.8));
            self.trace.errored = true;
            let body = Body::Error {
                exception: &AXIOS_NETWORK,
                route: h.route,
                status: 0,
            };
            self.log(h, end, Level::Error, id, body);
            (end, 0)
        } else {
            let callee_start = t0 + self.rng.range(250_000, 1_200_000);
            let out = self.serve(callee, h.env, route, callee_start, id, h.path_id);
            (out.end + self.rng.range(150_000, 900_000), out.status)
        };
        if status >= 500 {
            h.failure = Some(errors::upstream(info(h.service).language));
        } else if status >= 400 {
            h.passed_status = Some(status);
        }
        // The BFF logs half of its calls, and every failed one.
        if h.service == WEB_BFF && !network && (status >= 400 || self.rng.chance(0.5)) {
            let body = Body::Upstream {
                callee,
                route,
                status,
                ms: (end - t0) as f64 / 1e6,
            };
            self.log(h, end, Level::Info, id, body);
        }
        let exception = network.then_some(&AXIOS_NETWORK);
        let detail = Detail::Call {
            callee,
            route,
            path_id: h.path_id,
            status,
        };
        self.child(h, id, (t0, end), exception, status >= 500, detail);
        h.prev_start = t0;
        h.cursor = h.cursor.max(end);
    }

    /// S3 or the payment gateway. From Tokyo, the Korean gateway is a sea
    /// crossing further away; once in a while it does not answer at all.
    fn external(
        &mut self,
        h: &mut Handler,
        host: External,
        method: &'static str,
        path: &'static str,
        median_ms: f64,
    ) {
        let t0 = h.cursor + self.gap();
        let toss = host == External::TossPayments;
        let extra = if toss && !self.timeline.migrated(t0) {
            32.0
        } else {
            0.0
        };
        let mut ms = self.rng.lognormal(median_ms, 0.5) + extra;
        let mut status = 200;
        let mut exception = None;
        if toss && self.rng.chance(0.002) {
            ms = 5000.0 + self.rng.unit() * 20.0;
            status = 0;
            exception = errors::recurring(h.service).last();
            h.failure = exception;
        }
        let id = self.rng.span_id();
        let detail = Detail::External {
            host,
            method,
            path,
            status,
        };
        self.child(h, id, (t0, t0 + ns(ms)), exception, false, detail);
        h.prev_start = t0;
        h.cursor = t0 + ns(ms);
    }

    /// An SQS message; the worker long-polls and picks it up a little later,
    /// in the same trace.
    fn publish(&mut self, h: &mut Handler, queue: &'static str, worker: usize) {
        let t0 = h.cursor + self.gap();
        let end = t0 + ns(self.rng.lognormal(6.0, 0.4));
        let id = self.rng.span_id();
        self.child(h, id, (t0, end), None, false, Detail::Producer { queue });
        let picked = end + ns(self.rng.lognormal(80.0, 0.9));
        self.serve(worker, h.env, &routes(worker)[0], picked, id, h.path_id);
        h.prev_start = t0;
        h.cursor = end;
    }

    /// After the steps: the handler's own errors and 4xx, its end, logs and
    /// span.
    fn finish(&mut self, mut h: Handler, self_ms: f64, parent: u64) -> Outcome {
        let (route, language) = (h.route, info(h.service).language);
        let base_rate = ERROR_RATE[h.service] * if h.env == Env::Prod { 1.0 } else { 2.0 };
        let cutover = self.timeline.in_cutover(h.start);
        if h.failure.is_none() && (self.rng.chance(base_rate) || (cutover && self.rng.chance(0.02)))
        {
            let list = errors::recurring(h.service);
            // The first recurring exception is the most common one.
            let pick = usize::from(list.len() > 1 && self.rng.chance(0.35));
            h.failure = Some(&list[pick]);
        }
        let is_http = !route.method.is_empty() && route.method != "JOB";
        if h.failure.is_none() && h.passed_status.is_none() && is_http {
            let (p, status) = match (route.template.contains("{id}"), route.method) {
                (true, _) => (0.02, 404),
                (false, "POST") => (0.012, 400),
                _ => (0.004, 401),
            };
            if self.rng.chance(p) {
                h.passed_status = Some(status);
            }
        }
        let mut end = h.cursor + ns(self_ms * 0.6);
        if matches!(language, "kotlin" | "java") && self.rng.chance(0.003) {
            // A stop-the-world GC pause lands in the middle of a request.
            end += ns(self.rng.lognormal(250.0, 0.5));
        }
        let status = match (h.failure, h.passed_status) {
            (Some(e), _) => e.status,
            (None, Some(s)) => s,
            (None, None) if route.method == "POST" => 201,
            (None, None) => 200,
        };
        let ms = (end - h.start) as f64 / 1e6;
        if let Some(exception) = h.failure {
            self.trace.errored = true;
            self.log(
                &h,
                end - 50_000,
                Level::Error,
                h.id,
                Body::Error {
                    exception,
                    route,
                    status,
                },
            );
        }
        if h.incident && self.rng.chance(0.3) {
            let waiting = self.rng.range(8, 60) as u32;
            self.log(
                &h,
                h.start + ns(self_ms * 0.2),
                Level::Warn,
                h.id,
                Body::PoolExhausted { waiting },
            );
        }
        let ok = h.failure.is_none();
        let (detail, level) = match route.method {
            "" => {
                let level = if ok { Level::Info } else { Level::Error };
                self.log(&h, end, level, h.id, Body::Consumed { route, ms, ok });
                (Detail::Consumer { route }, level)
            }
            "JOB" => {
                let items = self.rng.range(50, 20_000) as u64;
                self.log(
                    &h,
                    h.start + 1_000,
                    Level::Info,
                    h.id,
                    Body::JobStarted { route },
                );
                self.log(
                    &h,
                    end,
                    Level::Info,
                    h.id,
                    Body::JobFinished {
                        route,
                        ms,
                        items,
                        ok,
                    },
                );
                (Detail::Job { route }, Level::Info)
            }
            _ => {
                let level = match status {
                    500.. => Level::Error,
                    400.. => Level::Warn,
                    _ if ms > 2000.0 => Level::Warn,
                    _ => Level::Info,
                };
                self.log(
                    &h,
                    end,
                    level,
                    h.id,
                    Body::Access {
                        route,
                        path_id: h.path_id,
                        status,
                        ms,
                    },
                );
                (
                    Detail::Server {
                        route,
                        path_id: h.path_id,
                        status,
                    },
                    level,
                )
            }
        };
        // Handlers chat: usually one line of their own, sometimes two.
        let chatter = u32::from(self.rng.chance(0.8)) + u32::from(self.rng.chance(0.4));
        for _ in 0..if level == Level::Error { 0 } else { chatter } {
            let t = h.start + ((end - h.start) as f64 * self.rng.unit()) as i64;
            let n = self.rng.range(1, 60) as u64;
            self.log(&h, t.max(h.start + 1), Level::Info, h.id, Body::App { n });
        }
        let status_code = match (ok, route.method) {
            (false, _) => Status::Error,
            // The Python worker marks successful messages explicitly.
            (true, "") if language == "python" => Status::Ok,
            _ => Status::Unset,
        };
        let (service, env, slot, id, start) = (h.service, h.env, h.slot, h.id, h.start);
        self.trace.spans.push(SpanRec {
            id,
            parent,
            service,
            env,
            slot,
            start,
            end,
            status: status_code,
            exception: h.failure,
            detail,
        });
        Outcome { end, status }
    }
}
