//! What a log line says, as the generators fill it in and the writers of
//! `logs.rs` and `messages.rs` read it.

use crate::errors::Exception;
use crate::json::write_uint;
use crate::topology::{Route, Store};
use crate::world::Env;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// What a log line says.
pub(crate) enum Body {
    /// One handled HTTP request.
    Access {
        route: &'static Route,
        path_id: u32,
        status: u16,
        ms: f64,
    },
    /// An exception that escaped (or, for the BFF's axios, was caught).
    Error {
        exception: &'static Exception,
        route: &'static Route,
        status: u16,
    },
    SlowQuery {
        store: &'static Store,
        statement: &'static str,
        ms: f64,
    },
    CacheMiss {
        key: &'static str,
        id: u32,
    },
    /// jobs-api's connection pool running dry during the incident.
    PoolExhausted {
        waiting: u32,
    },
    /// The BFF's record of one downstream call.
    Upstream {
        callee: usize,
        route: &'static Route,
        status: u16,
        ms: f64,
    },
    Consumed {
        route: &'static Route,
        ms: f64,
        ok: bool,
    },
    JobStarted {
        route: &'static Route,
    },
    JobFinished {
        route: &'static Route,
        ms: f64,
        items: u64,
        ok: bool,
    },
    /// A service-specific informational line; `n` fills its number.
    App {
        n: u64,
    },
    /// Runtime chatter outside any request (pool stats, event loop, polls).
    Housekeeping {
        n: u64,
    },
}

pub(crate) struct LogRec {
    pub(crate) t: i64,
    pub(crate) service: usize,
    pub(crate) env: Env,
    pub(crate) slot: usize,
    pub(crate) level: Level,
    /// The span the line was written in (0: none).
    pub(crate) span: u64,
    /// The signed-in user (0: none).
    pub(crate) user: u32,
    pub(crate) body: Body,
}

/// Where a line was written: resolved by the caller from the timeline.
pub(crate) struct Resource {
    pub(crate) task_id: u128,
    pub(crate) region: &'static str,
    pub(crate) account: u64,
}

/// A route template with `{id}` filled in: `/v1/jobs/{id}` → `/v1/jobs/123`.
pub(crate) fn write_path(buf: &mut Vec<u8>, template: &str, id: u32) {
    match template.split_once("{id}") {
        Some((head, tail)) => {
            buf.extend_from_slice(head.as_bytes());
            write_uint(buf, u64::from(id));
            buf.extend_from_slice(tail.as_bytes());
        }
        None => buf.extend_from_slice(template.as_bytes()),
    }
}
