//! What a span is about, derived from its kind, name and semantic-convention
//! attributes: the endpoint a server or consumer span serves, and what a
//! client or producer span calls (`peer`) and what kind of thing that is.
//! Both old and current OpenTelemetry attribute names are accepted.

use std::borrow::Cow;
use std::sync::Arc;

use arrow::array::{ArrayRef, StringBuilder};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;

use crate::rows::{Rows, get};

/// Longest endpoint or peer kept; longer ones are cut (a span name with ids
/// in it must not make rollups unbounded per row).
pub const MAX_LABEL_CHARS: usize = 200;

/// What a client or producer span talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerKind {
    Service,
    Database,
    Queue,
    External,
}

impl PeerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PeerKind::Service => "service",
            PeerKind::Database => "database",
            PeerKind::Queue => "queue",
            PeerKind::External => "external",
        }
    }
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_LABEL_CHARS) {
        Some((i, _)) => text[..i].to_owned(),
        None => text.to_owned(),
    }
}

/// The endpoint of a server or consumer span: `METHOD route` for HTTP,
/// `service/method` for RPC, the destination for messaging, else its name.
pub fn endpoint<'a>(
    kind: &str,
    name: &'a str,
    attr: &dyn Fn(&str) -> Option<Cow<'a, str>>,
) -> String {
    let text = match kind {
        "server" => {
            let method = attr("http.request.method").or_else(|| attr("http.method"));
            if let Some(route) = attr("http.route") {
                match method {
                    Some(m) => format!("{m} {route}"),
                    None => route.into_owned(),
                }
            } else if let Some(m) = attr("rpc.method") {
                match attr("rpc.service") {
                    Some(s) => format!("{s}/{m}"),
                    None => m.into_owned(),
                }
            } else {
                name.to_owned()
            }
        }
        "consumer" if name.is_empty() => attr("messaging.destination.name")
            .map(|d| d.into_owned())
            .unwrap_or_default(),
        _ => name.to_owned(),
    };
    cut(&text)
}

/// What a client or producer span calls. `peer.service` (and its newer name
/// `service.peer.name`) wins; then a database from `db.system`, a queue from
/// the messaging destination, and an external host from the server address
/// or URL, with its port unless that is 80 or 443: HTTP instrumentations
/// name no service, and services on one host (a laptop, a node) differ only
/// by port, so a host alone would send one service's calls to another on the
/// map.
pub fn peer<'a>(attr: &dyn Fn(&str) -> Option<Cow<'a, str>>) -> (PeerKind, String) {
    if let Some(s) = attr("peer.service").or_else(|| attr("service.peer.name")) {
        return (PeerKind::Service, cut(&s));
    }
    if let Some(system) = attr("db.system").or_else(|| attr("db.system.name")) {
        let label = match attr("db.namespace").or_else(|| attr("db.name")) {
            Some(ns) => format!("{system} {ns}"),
            None => system.into_owned(),
        };
        return (PeerKind::Database, cut(&label));
    }
    if let Some(dest) = attr("messaging.destination.name").or_else(|| attr("messaging.destination"))
    {
        return (PeerKind::Queue, cut(&dest));
    }
    if let Some(system) = attr("messaging.system") {
        return (PeerKind::Queue, cut(&system));
    }
    for (address, port) in [
        ("server.address", "server.port"),
        ("net.peer.name", "net.peer.port"),
    ] {
        if let Some(host) = attr(address) {
            let port = attr(port);
            return (PeerKind::External, cut(&host_port(&host, port.as_deref())));
        }
    }
    if let Some(authority) = attr("http.host")
        && let Some((host, port)) = split_authority(&authority)
    {
        return (PeerKind::External, cut(&host_port(host, port)));
    }
    if let Some(url) = attr("url.full").or_else(|| attr("http.url"))
        && let Some((host, port)) = url_authority(&url)
    {
        return (PeerKind::External, cut(&host_port(host, port)));
    }
    (PeerKind::External, "unknown".to_owned())
}

/// `host:port`, or the host alone when the port is unknown or the default
/// of HTTP or HTTPS; an IPv6 address is bracketed before a port.
fn host_port(host: &str, port: Option<&str>) -> String {
    match port.map(str::trim) {
        None | Some("" | "80" | "443") => host.to_owned(),
        Some(p) if host.contains(':') => format!("[{host}]:{p}"),
        Some(p) => format!("{host}:{p}"),
    }
}

/// The host and port of an absolute URL.
fn url_authority(url: &str) -> Option<(&str, Option<&str>)> {
    let rest = url.split_once("://")?.1;
    split_authority(rest.split(['/', '?', '#']).next()?)
}

/// `[user@]host[:port]` (an IPv6 host in brackets) into host and port.
fn split_authority(authority: &str) -> Option<(&str, Option<&str>)> {
    let authority = authority.rsplit('@').next()?;
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']')?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    (!host.is_empty()).then_some((host, port.filter(|p| !p.is_empty())))
}

/// Fills the spans' `endpoint`, `peer` and `peer_kind` columns where the
/// record did not set them. Returns the batch unchanged when it lacks them.
pub(crate) fn enrich(batch: RecordBatch) -> RecordBatch {
    let schema = batch.schema();
    let (Ok(ei), Ok(pi), Ok(ki)) = (
        schema.index_of("endpoint"),
        schema.index_of("peer"),
        schema.index_of("peer_kind"),
    ) else {
        return batch;
    };
    if [ei, pi, ki]
        .iter()
        .any(|&i| schema.field(i).data_type() != &DataType::Utf8)
    {
        return batch;
    }
    let rows = Rows::new(&batch);
    let (kinds, names) = (rows.text("kind"), rows.text("name"));
    let (given_e, given_p, given_k) = (
        rows.text("endpoint"),
        rows.text("peer"),
        rows.text("peer_kind"),
    );
    let n = rows.len();
    let mut endpoints = StringBuilder::with_capacity(n, n * 24);
    let mut peers = StringBuilder::with_capacity(n, n * 8);
    let mut peer_kinds = StringBuilder::with_capacity(n, n * 4);
    for i in 0..n {
        let row = rows.row(i);
        let attr = |k: &str| row.attr(k);
        let kind = get(kinds, i).unwrap_or("");
        let name = get(names, i).unwrap_or("");
        match get(given_e, i) {
            Some(e) => endpoints.append_value(e),
            None => endpoints.append_value(endpoint(kind, name, &attr)),
        }
        if matches!(kind, "client" | "producer") {
            match (get(given_p, i), get(given_k, i)) {
                (Some(p), k) => {
                    peers.append_value(p);
                    peer_kinds.append_value(k.unwrap_or("service"));
                }
                (None, _) => {
                    let (k, p) = peer(&attr);
                    peers.append_value(p);
                    peer_kinds.append_value(k.as_str());
                }
            }
        } else {
            peers.append_option(get(given_p, i));
            peer_kinds.append_option(get(given_k, i));
        }
    }
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    columns[ei] = Arc::new(endpoints.finish());
    columns[pi] = Arc::new(peers.finish());
    columns[ki] = Arc::new(peer_kinds.finish());
    RecordBatch::try_new(schema, columns).unwrap_or(batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn attrs<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<Cow<'a, str>> {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        move |k| map.get(k).map(|v| Cow::Borrowed(*v))
    }

    #[test]
    fn endpoints() {
        let a = [
            ("http.request.method", "GET"),
            ("http.route", "/orders/{id}"),
        ];
        assert_eq!(endpoint("server", "GET", &attrs(&a)), "GET /orders/{id}");
        let a = [("http.method", "POST"), ("http.route", "/pay")];
        assert_eq!(endpoint("server", "x", &attrs(&a)), "POST /pay");
        let a = [("rpc.service", "jobs.Jobs"), ("rpc.method", "List")];
        assert_eq!(endpoint("server", "x", &attrs(&a)), "jobs.Jobs/List");
        assert_eq!(endpoint("server", "handler", &attrs(&[])), "handler");
        assert_eq!(
            endpoint("client", "SELECT orders", &attrs(&[])),
            "SELECT orders"
        );
        let a = [("messaging.destination.name", "emails")];
        assert_eq!(endpoint("consumer", "", &attrs(&a)), "emails");
        assert_eq!(
            endpoint("server", &"x".repeat(500), &attrs(&[])).len(),
            MAX_LABEL_CHARS
        );
    }

    #[test]
    fn peers() {
        let p = |pairs: &[(&str, &str)]| {
            let (k, v) = peer(&attrs(pairs));
            (k.as_str(), v)
        };
        assert_eq!(
            p(&[("peer.service", "jobs-api"), ("db.system", "x")]),
            ("service", "jobs-api".into())
        );
        assert_eq!(
            p(&[("service.peer.name", "search")]),
            ("service", "search".into())
        );
        assert_eq!(
            p(&[("db.system", "postgresql"), ("db.namespace", "jobs")]),
            ("database", "postgresql jobs".into())
        );
        assert_eq!(p(&[("db.system", "redis")]), ("database", "redis".into()));
        assert_eq!(
            p(&[
                ("messaging.system", "aws_sqs"),
                ("messaging.destination.name", "mail")
            ]),
            ("queue", "mail".into())
        );
        assert_eq!(
            p(&[("server.address", "api.tosspayments.com")]),
            ("external", "api.tosspayments.com".into())
        );
        assert_eq!(p(&[]), ("external", "unknown".into()));
    }

    /// External hosts keep their port (not 80 or 443), whichever semantic
    /// conventions name them: services on one host differ by port only.
    #[test]
    fn external_hosts_and_ports() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            // The requests instrumentation (0.66b1): old conventions give
            // the URL only, `OTEL_SEMCONV_STABILITY_OPT_IN=http` the address,
            // the port (when the URL names one) and the URL.
            (
                &[("http.url", "http://127.0.0.1:5001/price/1")],
                "127.0.0.1:5001",
            ),
            (
                &[
                    ("server.address", "127.0.0.1"),
                    ("server.port", "5001"),
                    ("url.full", "http://127.0.0.1:5001/price/1"),
                ],
                "127.0.0.1:5001",
            ),
            (
                &[("server.address", "api.tosspayments.com")],
                "api.tosspayments.com",
            ),
            (
                &[
                    ("server.address", "api.tosspayments.com"),
                    ("server.port", "443"),
                ],
                "api.tosspayments.com",
            ),
            (
                &[("net.peer.name", "orders"), ("net.peer.port", "8080")],
                "orders:8080",
            ),
            (
                &[("server.address", "::1"), ("server.port", "8080")],
                "[::1]:8080",
            ),
            (&[("http.host", "127.0.0.1:45575")], "127.0.0.1:45575"),
            (
                &[("http.url", "https://user@example.com:8443/x?y")],
                "example.com:8443",
            ),
            (&[("url.full", "https://example.com/x")], "example.com"),
            (&[("url.full", "http://[::1]:80/")], "::1"),
            (&[("url.full", "http://[::1]:9000/")], "[::1]:9000"),
            (&[("url.full", "/relative")], "unknown"),
        ];
        for (attributes, expected) in cases {
            let (kind, label) = peer(&attrs(attributes));
            assert_eq!(kind, PeerKind::External, "{attributes:?}");
            assert_eq!(label, *expected, "{attributes:?}");
        }
    }
}
