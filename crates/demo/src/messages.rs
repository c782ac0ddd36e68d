//! The text of log messages: access lines, exceptions, slow queries, worker
//! and job progress, and each service's everyday chatter.

use crate::json::{write_fixed, write_uint};
use crate::log_record::{Body, LogRec, write_path};
use crate::world::info;

/// `42ms`: whole milliseconds, as access logs print them.
fn write_ms(buf: &mut Vec<u8>, ms: f64) {
    write_uint(buf, ms.round().max(0.0) as u64);
    buf.extend_from_slice(b"ms");
}

pub(crate) fn app_logger(service: usize) -> &'static str {
    match info(service).language {
        "nodejs" => "app",
        "python" => "app.service",
        _ => "c.r.application.Service",
    }
}

pub(crate) fn runtime_logger(service: usize) -> &'static str {
    match (info(service).language, info(service).kind) {
        ("nodejs", _) => "runtime",
        (_, "worker") => "sqs.poller",
        ("python", _) => "app.health",
        _ => "com.zaxxer.hikari.pool.HikariPool",
    }
}

/// Everyday lines per service; `{}` takes the record's number.
const APP_LINES: [[&str; 3]; 14] = [
    [
        "composed home feed with {} sections",
        "feature flags evaluated in {}ms",
        "served {} items from BFF cache",
    ],
    [
        "access token validated, expires in {} min",
        "refresh token rotated (family size {})",
        "login session extended by {} min",
    ],
    [
        "loaded {} business cards for card book",
        "card book sync delta={} cards",
        "deduplicated {} cards by phone number",
    ],
    [
        "OCR extracted {} fields",
        "image normalized to 1600px in {}ms",
        "recognized company name with confidence 0.{}",
    ],
    [
        "fetched {} job postings",
        "applied filters (location, salary): {} results",
        "recommended jobs merged with {} search hits",
    ],
    [
        "search took {}ms on jobs-v3",
        "query rewritten with {} synonyms",
        "returned {} hits",
    ],
    [
        "updated recommendations for {} users",
        "embedding cache hit ratio 0.{}",
        "scored {} candidate postings",
    ],
    [
        "loaded {} posts for board",
        "hot posts cache refreshed ({} posts)",
        "comment count merged for {} posts",
    ],
    [
        "fanned out post to {} followers",
        "trimmed {} stale feed entries",
        "feed shard rebalanced in {}ms",
    ],
    [
        "filled ad slot with {} candidates",
        "frequency cap applied to {} creatives",
        "campaign budget cache age {}s",
    ],
    [
        "auction closed with {} bids",
        "floor price adjusted for {} slots",
        "bid model v12 scored in {}ms",
    ],
    [
        "listed {} open surveys for user",
        "reward points reserved: {}",
        "survey quota check passed ({} left)",
    ],
    [
        "listed {} gift products",
        "order reserved stock for {} items",
        "coupon applied, discount {}00 KRW",
    ],
    [
        "payment ready, amount {}000 KRW",
        "PG confirm succeeded in {}ms",
        "receipt sent for {} items",
    ],
];

pub(crate) fn write_message(b: &mut Vec<u8>, rec: &LogRec) {
    match rec.body {
        Body::Access {
            route,
            path_id,
            status,
            ms,
        } => {
            b.extend_from_slice(route.method.as_bytes());
            b.push(b' ');
            write_path(b, route.template, path_id);
            b.push(b' ');
            write_uint(b, u64::from(status));
            b.push(b' ');
            write_ms(b, ms);
        }
        Body::Error { exception, .. } => {
            b.extend_from_slice(exception.ty.as_bytes());
            b.extend_from_slice(b": ");
            b.extend_from_slice(exception.message.as_bytes());
        }
        Body::SlowQuery { ms, statement, .. } => {
            b.extend_from_slice(b"Slow query (");
            write_ms(b, ms);
            b.extend_from_slice(b"): ");
            b.extend_from_slice(statement.as_bytes());
        }
        Body::CacheMiss { key, id } => {
            b.extend_from_slice(b"cache miss key=");
            b.extend_from_slice(key.as_bytes());
            b.push(b':');
            write_uint(b, u64::from(id));
        }
        Body::PoolExhausted { waiting } => {
            b.extend_from_slice(b"HikariPool-1 - Connection is not available, request timed out after 3000ms (total=20, active=20, idle=0, waiting=");
            write_uint(b, u64::from(waiting));
            b.push(b')');
        }
        Body::Upstream {
            callee,
            route,
            status,
            ms,
        } => {
            b.extend_from_slice(b"upstream ");
            b.extend_from_slice(info(callee).name.as_bytes());
            b.push(b' ');
            b.extend_from_slice(route.method.as_bytes());
            b.push(b' ');
            b.extend_from_slice(route.template.as_bytes());
            b.push(b' ');
            write_uint(b, u64::from(status));
            b.push(b' ');
            write_ms(b, ms);
        }
        Body::Consumed { route, ms, ok } => {
            if ok {
                b.extend_from_slice(b"Processed message from ");
                b.extend_from_slice(route.template.as_bytes());
                b.extend_from_slice(b" in ");
                write_ms(b, ms);
            } else {
                b.extend_from_slice(b"Failed to process message from ");
                b.extend_from_slice(route.template.as_bytes());
                b.extend_from_slice(b", returning it to the queue");
            }
        }
        Body::JobStarted { route } => {
            b.extend_from_slice(b"Job ");
            b.extend_from_slice(route.template.as_bytes());
            b.extend_from_slice(b" started");
        }
        Body::JobFinished {
            route,
            ms,
            items,
            ok,
        } => {
            b.extend_from_slice(b"Job ");
            b.extend_from_slice(route.template.as_bytes());
            b.extend_from_slice(if ok {
                b" finished in "
            } else {
                b" failed after "
            });
            write_fixed(b, ms / 1000.0, 1);
            b.extend_from_slice(b"s, ");
            write_uint(b, items);
            b.extend_from_slice(b" items");
        }
        Body::App { n } => {
            let line = APP_LINES[rec.service][(n % 3) as usize];
            let (head, tail) = line.split_once("{}").unwrap_or((line, ""));
            b.extend_from_slice(head.as_bytes());
            write_uint(b, n);
            b.extend_from_slice(tail.as_bytes());
        }
        Body::Housekeeping { n } => write_housekeeping(b, rec.service, n),
    }
}

fn write_housekeeping(b: &mut Vec<u8>, service: usize, n: u64) {
    let mut put = |parts: &[&str], numbers: &[u64]| {
        for (i, part) in parts.iter().enumerate() {
            b.extend_from_slice(part.as_bytes());
            if let Some(&x) = numbers.get(i) {
                write_uint(b, x);
            }
        }
    };
    match (info(service).language, info(service).kind) {
        ("nodejs", _) => put(
            &["event loop delay p99=", "ms, heap used ", " MB"],
            &[n % 30 + 4, 120 + n % 90],
        ),
        (_, "worker") => put(
            &["ReceiveMessage returned ", " messages (wait 20s)"],
            &[n % 4],
        ),
        ("python", _) => put(&["health check ok, ", " db connections in use"], &[n % 6]),
        _ => put(
            &[
                "HikariPool-1 - Pool stats (total=10, active=",
                ", idle=",
                ", waiting=0)",
            ],
            &[n % 4, 10 - n % 4],
        ),
    }
}
