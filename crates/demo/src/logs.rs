//! The NDJSON form (dataset "logs") of the demo's log records
//! (`log_record.rs`): access logs, exceptions with stack traces, slow
//! queries, cache misses, worker and job progress, and everyday application
//! chatter (whose messages `messages.rs` writes).

use crate::errors::AXIOS_NETWORK;
use crate::json::{Obj, write_hex, write_uint};
use crate::log_record::{Body, LogRec, Resource};
use crate::messages::{app_logger, runtime_logger, write_message};
use crate::topology::Route;
use crate::world::info;

/// Writes the `ecs-task/<service>/<task id>` host name. The id is cut to 12
/// hex digits (ECS uses 32): unique enough, and it keeps facets readable
/// and log lines short.
pub(crate) fn write_host(buf: &mut Vec<u8>, service: usize, task_id: u128) {
    buf.extend_from_slice(b"ecs-task/");
    buf.extend_from_slice(info(service).name.as_bytes());
    buf.push(b'/');
    write_hex(buf, task_id, 12);
}

/// Writes one NDJSON log line (without the newline). `ids` are the trace and
/// span ids when the request's trace was kept.
pub(crate) fn write_log(buf: &mut Vec<u8>, rec: &LogRec, res: &Resource, ids: Option<(u128, u64)>) {
    let service = info(rec.service);
    let mut o = Obj::new(buf);
    o.time("timestamp", rec.t);
    o.str("service", service.name);
    o.str("env", rec.env.name());
    o.str_with("host", |b| write_host(b, rec.service, res.task_id));
    o.str("level", rec.level.name());
    o.str_with("message", |b| write_message(b, rec));
    if let Some((trace, span)) = ids {
        o.hex("trace_id", trace, 32);
        o.hex("span_id", u128::from(span), 16);
    }
    let mut a = o.obj("attributes");
    match rec.body {
        Body::Access {
            route, status, ms, ..
        } => {
            http_attributes(&mut a, route, status);
            a.float("duration_ms", ms, 1);
            if rec.service == crate::world::WEB_BFF && rec.user != 0 {
                client_attributes(&mut a, rec.user);
            }
        }
        Body::Error {
            exception,
            route,
            status,
        } => {
            http_attributes(&mut a, route, status);
            if std::ptr::eq(exception, &AXIOS_NETWORK) {
                a.str("peer.service", "ads-api");
                a.str("error.code", "ERR_NETWORK");
            }
            a.str("error.kind", exception.ty);
            a.str("exception.type", exception.ty);
            a.str("exception.message", exception.message);
            a.str("exception.stacktrace", exception.stack);
        }
        Body::SlowQuery {
            store,
            statement,
            ms,
        } => {
            a.str("db.system", store.system);
            a.str("db.namespace", store.namespace);
            a.str("db.statement", statement);
            a.float("duration_ms", ms, 1);
        }
        Body::CacheMiss { key, .. } => {
            a.str("cache.name", key);
            a.bool("cache.hit", false);
        }
        Body::PoolExhausted { waiting } => {
            a.str("db.system", "postgresql");
            a.str("db.client.connection.pool.name", "HikariPool-1");
            a.int("db.client.connection.pending_requests", i64::from(waiting));
        }
        Body::Upstream {
            callee,
            route,
            status,
            ms,
        } => {
            a.str("peer.service", info(callee).name);
            a.str("http.method", route.method);
            a.str("http.route", route.template);
            a.int("http.status_code", i64::from(status));
            a.float("duration_ms", ms, 1);
        }
        Body::Consumed { route, ms, ok } => {
            a.str("messaging.system", "aws_sqs");
            a.str("messaging.destination.name", route.template);
            a.float("duration_ms", ms, 1);
            a.bool("success", ok);
        }
        Body::JobStarted { route } => a.str("job.name", route.template),
        Body::JobFinished {
            route, ms, items, ..
        } => {
            a.str("job.name", route.template);
            a.float("duration_ms", ms, 1);
            a.int("job.items", items as i64);
        }
        Body::App { .. } => a.str("logger.name", app_logger(rec.service)),
        Body::Housekeeping { .. } => a.str("logger.name", runtime_logger(rec.service)),
    }
    a.str("cloud.region", res.region);
    if rec.user != 0 {
        a.str_with("usr.id", |b| {
            b.extend_from_slice(b"u-");
            write_uint(b, u64::from(rec.user));
        });
    }
    a.end();
    o.end();
}

fn http_attributes(a: &mut Obj<'_>, route: &Route, status: u16) {
    a.str("http.method", route.method);
    a.str("http.route", route.template);
    // 0: no response (the connection dropped).
    if status != 0 {
        a.int("http.status_code", i64::from(status));
    }
}

/// The BFF sees the app's client: a Korean mobile or office address and the
/// Remember app (or a browser) as user agent, both stable per user.
fn client_attributes(a: &mut Obj<'_>, user: u32) {
    let h = crate::random::mix(u64::from(user));
    const PREFIXES: [&str; 4] = ["211.234.", "223.38.", "118.235.", "121.134."];
    a.str_with("network.client.ip", |b| {
        b.extend_from_slice(PREFIXES[(h % 4) as usize].as_bytes());
        write_uint(b, (h >> 8) % 254 + 1);
        b.push(b'.');
        write_uint(b, (h >> 16) % 254 + 1);
    });
    const AGENTS: [&str; 4] = [
        "Remember/7.18.2 (com.dramancompany.remember; iOS 18.1.1) Alamofire/5.9.1",
        "Remember/7.18.1 (Android 14; SM-S921N) okhttp/4.12.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    ];
    a.str("http.useragent", AGENTS[((h >> 24) % 4) as usize]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log_record::Level;
    use crate::topology::routes;
    use crate::world::{Env, JOBS_API};

    #[test]
    fn access_line_has_the_documented_shape() {
        let rec = LogRec {
            t: 1_795_497_182_123_456_789,
            service: JOBS_API,
            env: Env::Prod,
            slot: 0,
            level: Level::Info,
            span: 7,
            user: 18273,
            body: Body::Access {
                route: &routes(JOBS_API)[1],
                path_id: 123,
                status: 200,
                ms: 42.06,
            },
        };
        let res = Resource {
            task_id: 0x3f9c,
            region: "ap-northeast-2",
            account: 381_020_492_017,
        };
        let mut buf = Vec::new();
        write_log(&mut buf, &rec, &res, Some((0xab, 7)));
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["timestamp"], "2026-11-24T05:13:02.123456789Z");
        assert_eq!(v["message"], "GET /v1/jobs/123 200 42ms");
        assert_eq!(v["host"], "ecs-task/jobs-api/000000003f9c");
        assert_eq!(v["trace_id"].as_str().unwrap().len(), 32);
        assert_eq!(v["span_id"], "0000000000000007");
        let a = &v["attributes"];
        assert_eq!(a["http.route"], "/v1/jobs/{id}");
        assert_eq!(a["http.status_code"], 200);
        assert_eq!(a["duration_ms"], 42.1);
        assert_eq!(a["usr.id"], "u-18273");
        assert_eq!(a["cloud.region"], "ap-northeast-2");
    }
}
