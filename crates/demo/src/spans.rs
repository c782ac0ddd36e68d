//! Spans as records (what a span did) and their NDJSON form (dataset
//! "spans"): OpenTelemetry names, kinds, statuses and semantic-convention
//! attributes for each kind of work.

use crate::errors::Exception;
use crate::json::{Obj, write_uint};
use crate::log_record::{LogRec, Resource, write_path};
use crate::logs::write_host;
use crate::topology::{External, Route, Store};
use crate::world::{Env, info};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Unset,
    Ok,
    Error,
}

/// What a span did; its OpenTelemetry kind, name and attributes follow.
pub(crate) enum Detail {
    /// An HTTP request served (kind server).
    Server {
        route: &'static Route,
        path_id: u32,
        status: u16,
    },
    /// An SQS message processed (kind consumer).
    Consumer {
        route: &'static Route,
    },
    /// A scheduled job run (kind internal, a trace root).
    Job {
        route: &'static Route,
    },
    /// An HTTP call to another service; status 0 when no response came.
    Call {
        callee: usize,
        route: &'static Route,
        path_id: u32,
        status: u16,
    },
    Db {
        store: &'static Store,
        op: &'static str,
        target: &'static str,
        statement: &'static str,
    },
    Cache {
        store: &'static Store,
        key: &'static str,
    },
    External {
        host: External,
        method: &'static str,
        path: &'static str,
        status: u16,
    },
    Producer {
        queue: &'static str,
    },
}

pub(crate) struct SpanRec {
    pub(crate) id: u64,
    /// 0 for a root span.
    pub(crate) parent: u64,
    pub(crate) service: usize,
    pub(crate) env: Env,
    pub(crate) slot: usize,
    pub(crate) start: i64,
    pub(crate) end: i64,
    pub(crate) status: Status,
    /// Recorded as the span's `exception` event when set.
    pub(crate) exception: Option<&'static Exception>,
    pub(crate) detail: Detail,
}

/// One trace under construction.
#[derive(Default)]
pub(crate) struct Trace {
    pub(crate) id: u128,
    pub(crate) user: u32,
    pub(crate) spans: Vec<SpanRec>,
    pub(crate) logs: Vec<LogRec>,
    pub(crate) errored: bool,
}

impl Trace {
    pub(crate) fn reset(&mut self, id: u128, user: u32) {
        self.id = id;
        self.user = user;
        self.spans.clear();
        self.logs.clear();
        self.errored = false;
    }

    /// The latest instant anything in the trace happens.
    pub(crate) fn last_instant(&self) -> i64 {
        let spans = self.spans.iter().map(|s| s.end);
        spans
            .chain(self.logs.iter().map(|l| l.t))
            .max()
            .unwrap_or(i64::MIN)
    }
}

/// Writes one NDJSON span line (without the newline).
pub(crate) fn write_span(buf: &mut Vec<u8>, trace_id: u128, span: &SpanRec, res: &Resource) {
    let service = info(span.service);
    let mut o = Obj::new(buf);
    o.time("timestamp", span.start);
    o.time("end_timestamp", span.end);
    o.int("duration_ns", span.end - span.start);
    o.hex("trace_id", trace_id, 32);
    o.hex("span_id", u128::from(span.id), 16);
    if span.parent == 0 {
        o.str("parent_span_id", "");
    } else {
        o.hex("parent_span_id", u128::from(span.parent), 16);
    }
    o.str_with("name", |b| write_name(b, &span.detail));
    o.str("kind", kind(&span.detail));
    o.str(
        "status_code",
        match span.status {
            Status::Unset => "unset",
            Status::Ok => "ok",
            Status::Error => "error",
        },
    );
    o.str_with("status_message", |b| {
        if span.status != Status::Error {
            return;
        }
        match (span.exception, &span.detail) {
            (Some(e), _) => {
                b.extend_from_slice(e.ty.as_bytes());
                b.extend_from_slice(b": ");
                b.extend_from_slice(e.message.as_bytes());
            }
            (None, Detail::Call { status, .. }) => {
                b.extend_from_slice(b"HTTP ");
                write_uint(b, u64::from(*status));
            }
            (None, _) => {}
        }
    });
    o.str("service", service.name);
    o.str("env", span.env.name());
    o.str_with("host", |b| write_host(b, span.service, res.task_id));
    let mut a = o.obj("attributes");
    write_attributes(&mut a, span, res);
    a.str("cloud.region", res.region);
    a.str_with("cloud.account.id", |b| write_uint(b, res.account));
    a.end();
    if let Some(e) = span.exception {
        o.obj_in_array("events", |event| {
            event.str("name", "exception");
            event.time("timestamp", span.end);
            let mut a = event.obj("attributes");
            a.str("exception.type", e.ty);
            a.str("exception.message", e.message);
            a.str("exception.stacktrace", e.stack);
            a.end();
        });
    }
    o.end();
}

fn kind(detail: &Detail) -> &'static str {
    match detail {
        Detail::Server { .. } => "server",
        Detail::Consumer { .. } => "consumer",
        Detail::Job { .. } => "internal",
        Detail::Producer { .. } => "producer",
        Detail::Call { .. }
        | Detail::Db { .. }
        | Detail::Cache { .. }
        | Detail::External { .. } => "client",
    }
}

fn write_name(b: &mut Vec<u8>, detail: &Detail) {
    let mut put = |parts: &[&str]| {
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                b.push(b' ');
            }
            b.extend_from_slice(part.as_bytes());
        }
    };
    match detail {
        Detail::Server { route, .. } => put(&[route.method, route.template]),
        Detail::Call { route, .. } => put(&[route.method, route.template]),
        Detail::Consumer { route } => put(&["process", route.template]),
        Detail::Job { route } => put(&[route.template]),
        Detail::Db { op, target, .. } => put(&[op, target]),
        Detail::Cache { key, .. } => put(&["GET", key]),
        Detail::External {
            host: External::S3,
            method,
            ..
        } => put(&[s3_operation(method)]),
        Detail::External { method, path, .. } => put(&[method, path]),
        Detail::Producer { queue } => put(&["publish", queue]),
    }
}

fn s3_operation(method: &str) -> &'static str {
    if method == "PUT" {
        "S3.PutObject"
    } else {
        "S3.GetObject"
    }
}

/// `ap-northeast-2` → `apne2`, as ElastiCache writes it in endpoints.
fn region_code(region: &str) -> &'static str {
    if region == "ap-northeast-1" {
        "apne1"
    } else {
        "apne2"
    }
}

/// Another service's public name. Service-to-service calls still go
/// through public domains (and so through NAT), as in the talk's "AS-IS".
fn write_service_address(b: &mut Vec<u8>, service: usize, env: Env) {
    b.extend_from_slice(info(service).name.as_bytes());
    if env != Env::Prod {
        b.push(b'.');
        b.extend_from_slice(env.name().as_bytes());
    }
    b.extend_from_slice(b".remember.co.kr");
}

fn write_attributes(a: &mut Obj<'_>, span: &SpanRec, res: &Resource) {
    let env = span.env;
    match span.detail {
        Detail::Server {
            route,
            path_id,
            status,
        } => {
            a.str("http.request.method", route.method);
            a.str("http.route", route.template);
            a.str_with("url.path", |b| write_path(b, route.template, path_id));
            a.int("http.response.status_code", i64::from(status));
            a.str_with("server.address", |b| {
                write_service_address(b, span.service, env)
            });
        }
        Detail::Call {
            callee,
            route,
            path_id,
            status,
        } => {
            a.str("http.request.method", route.method);
            a.str_with("url.full", |b| {
                b.extend_from_slice(b"https://");
                write_service_address(b, callee, env);
                write_path(b, route.template, path_id);
            });
            if status != 0 {
                a.int("http.response.status_code", i64::from(status));
            }
            a.str_with("server.address", |b| write_service_address(b, callee, env));
            a.str("peer.service", info(callee).name);
        }
        Detail::Db {
            store,
            op,
            target,
            statement,
        } => {
            a.str("db.system", store.system);
            a.str("db.namespace", store.namespace);
            a.str("db.operation.name", op);
            a.str("db.collection.name", target);
            a.str("db.query.text", statement);
            a.str_with("server.address", |b| {
                write_store_address(b, store.system, store.namespace, env, res.region)
            });
        }
        Detail::Cache { store, key } => {
            a.str("db.system", store.system);
            a.str("db.namespace", store.namespace);
            a.str("db.operation.name", "GET");
            a.str_with("db.query.text", |b| {
                b.extend_from_slice(b"GET ");
                b.extend_from_slice(key.as_bytes());
                b.extend_from_slice(b":?");
            });
            a.str_with("server.address", |b| {
                write_store_address(b, store.system, store.namespace, env, res.region)
            });
        }
        Detail::External {
            host: External::S3,
            method,
            path,
            ..
        } => {
            a.str("rpc.system", "aws-api");
            a.str("rpc.service", "S3");
            a.str("rpc.method", &s3_operation(method)[3..]);
            a.str("aws.s3.bucket", &path[1..]);
            a.str("http.request.method", method);
            a.str_with("server.address", |b| {
                b.extend_from_slice(b"s3.");
                b.extend_from_slice(res.region.as_bytes());
                b.extend_from_slice(b".amazonaws.com");
            });
            a.int("http.response.status_code", 200);
        }
        Detail::External {
            method,
            path,
            status,
            ..
        } => {
            a.str("http.request.method", method);
            a.str_with("url.full", |b| {
                b.extend_from_slice(b"https://api.tosspayments.com");
                b.extend_from_slice(path.as_bytes());
            });
            if status != 0 {
                a.int("http.response.status_code", i64::from(status));
            }
            a.str("server.address", "api.tosspayments.com");
            a.str("peer.service", "tosspayments");
        }
        Detail::Producer { queue } => {
            a.str("messaging.system", "aws_sqs");
            a.str("messaging.destination.name", queue);
            a.str("messaging.operation.type", "publish");
            a.str_with("server.address", |b| {
                b.extend_from_slice(b"sqs.");
                b.extend_from_slice(res.region.as_bytes());
                b.extend_from_slice(b".amazonaws.com");
            });
        }
        Detail::Consumer { route } => {
            a.str("messaging.system", "aws_sqs");
            a.str("messaging.destination.name", route.template);
            a.str("messaging.operation.type", "process");
        }
        Detail::Job { route } => a.str("job.name", route.template),
    }
}

/// The endpoint of a managed database in the caller's stage and region.
fn write_store_address(b: &mut Vec<u8>, system: &str, namespace: &str, env: Env, region: &str) {
    let (prefix, suffix_head, suffix_tail): (&str, &str, &str) = match system {
        "redis" => ("", ".x4k2pq.ng.0001.", ".cache.amazonaws.com"),
        "elasticsearch" => ("vpc-", "-k3j2h1.", ".es.amazonaws.com"),
        _ => ("", ".cluster-c8x1k2m3n4p5.", ".rds.amazonaws.com"),
    };
    b.extend_from_slice(prefix.as_bytes());
    b.extend_from_slice(namespace.as_bytes());
    b.push(b'-');
    b.extend_from_slice(env.name().as_bytes());
    b.extend_from_slice(suffix_head.as_bytes());
    let region = if system == "redis" {
        region_code(region)
    } else {
        region
    };
    b.extend_from_slice(region.as_bytes());
    b.extend_from_slice(suffix_tail.as_bytes());
}
