//! The typed core columns of each dataset kind, and the limits on the
//! attribute columns that grow beside them.

use arrow::datatypes::{DataType, TimeUnit};

use crate::dataset::DatasetKind;

/// Every dataset has this event-time column, nanoseconds since the epoch, UTC.
pub const TIME_COLUMN: &str = "timestamp";
/// Attributes that did not get a column of their own, as one JSON object per row.
pub const ATTRIBUTES_COLUMN: &str = "attributes";
/// Attributes beyond this many per dataset stay in the JSON column: a schema
/// with thousands of columns makes every file footer and plan slow.
pub const MAX_ATTRIBUTE_COLUMNS: usize = 200;

/// Storage type of a core column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoreType {
    Timestamp,
    Text,
    Int64,
    Float64,
    Boolean,
}

impl CoreType {
    pub fn data_type(self) -> DataType {
        match self {
            CoreType::Timestamp => timestamp_type(),
            CoreType::Text => DataType::Utf8,
            CoreType::Int64 => DataType::Int64,
            CoreType::Float64 => DataType::Float64,
            CoreType::Boolean => DataType::Boolean,
        }
    }
}

/// Storage type of a promoted attribute column, fixed by the first value seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributeType {
    Text,
    Int64,
    Float64,
    Boolean,
}

impl AttributeType {
    pub fn data_type(self) -> DataType {
        match self {
            AttributeType::Text => DataType::Utf8,
            AttributeType::Int64 => DataType::Int64,
            AttributeType::Float64 => DataType::Float64,
            AttributeType::Boolean => DataType::Boolean,
        }
    }

    pub fn from_data_type(data_type: &DataType) -> Option<AttributeType> {
        match data_type {
            DataType::Utf8 => Some(AttributeType::Text),
            DataType::Int64 => Some(AttributeType::Int64),
            DataType::Float64 => Some(AttributeType::Float64),
            DataType::Boolean => Some(AttributeType::Boolean),
            _ => None,
        }
    }
}

/// The timestamp type used for every time column.
pub(crate) fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Nanosecond, Some("+00:00".into()))
}

/// A typed column every row of a dataset kind has (possibly null).
#[derive(Debug, Clone, Copy)]
pub struct CoreColumn {
    pub name: &'static str,
    pub core_type: CoreType,
    /// Other keys NDJSON shippers use for the same thing (`message` for `body`).
    pub aliases: &'static [&'static str],
    /// Whether the column is an identifier worth a bloom filter on disk.
    pub bloom_filter: bool,
}

const fn col(name: &'static str, core_type: CoreType) -> CoreColumn {
    CoreColumn {
        name,
        core_type,
        aliases: &[],
        bloom_filter: false,
    }
}
const fn alias(
    name: &'static str,
    core_type: CoreType,
    aliases: &'static [&'static str],
) -> CoreColumn {
    CoreColumn {
        name,
        core_type,
        aliases,
        bloom_filter: false,
    }
}

const TIME_ALIASES: &[&str] = &["@timestamp", "time", "ts", "date", "datetime"];

const LOGS: &[CoreColumn] = &[
    alias(TIME_COLUMN, CoreType::Timestamp, TIME_ALIASES),
    col("observed_timestamp", CoreType::Timestamp),
    alias("service", CoreType::Text, &["service.name", "service_name"]),
    alias(
        "env",
        CoreType::Text,
        &[
            "deployment.environment",
            "deployment.environment.name",
            "environment",
        ],
    ),
    alias("host", CoreType::Text, &["host.name", "hostname"]),
    alias(
        "level",
        CoreType::Text,
        &[
            "severity",
            "severity_text",
            "status",
            "loglevel",
            "log.level",
        ],
    ),
    col("severity_number", CoreType::Int64),
    alias("body", CoreType::Text, &["message", "msg", "log"]),
    CoreColumn {
        name: "trace_id",
        core_type: CoreType::Text,
        aliases: &["traceId", "dd.trace_id"],
        bloom_filter: true,
    },
    CoreColumn {
        name: "span_id",
        core_type: CoreType::Text,
        aliases: &["spanId", "dd.span_id"],
        bloom_filter: false,
    },
    col("scope", CoreType::Text),
];

const SPANS: &[CoreColumn] = &[
    alias(
        TIME_COLUMN,
        CoreType::Timestamp,
        &["start_time", "start_timestamp"],
    ),
    alias("end_timestamp", CoreType::Timestamp, &["end_time"]),
    col("duration_ns", CoreType::Int64),
    alias("service", CoreType::Text, &["service.name"]),
    alias(
        "env",
        CoreType::Text,
        &["deployment.environment", "deployment.environment.name"],
    ),
    alias("host", CoreType::Text, &["host.name"]),
    CoreColumn {
        name: "trace_id",
        core_type: CoreType::Text,
        aliases: &["traceId"],
        bloom_filter: true,
    },
    // No bloom filter on span ids: spans are fetched by trace id, and a
    // filter per row group costs about a byte per span.
    alias("span_id", CoreType::Text, &["spanId"]),
    alias("parent_span_id", CoreType::Text, &["parentSpanId"]),
    col("name", CoreType::Text),
    col("kind", CoreType::Text),
    col("status_code", CoreType::Text),
    col("status_message", CoreType::Text),
    col("scope", CoreType::Text),
    col("events", CoreType::Text),
    col("links", CoreType::Text),
    // Derived at ingest (crates/derived) unless the record sets them: the
    // operation a server span serves ("GET /orders/{id}"), and for client and
    // producer spans what they call and its kind (service, database, queue,
    // external).
    col("endpoint", CoreType::Text),
    col("peer", CoreType::Text),
    col("peer_kind", CoreType::Text),
];

const SPAN_METRICS: &[CoreColumn] = &[
    col(TIME_COLUMN, CoreType::Timestamp),
    col("service", CoreType::Text),
    col("env", CoreType::Text),
    col("kind", CoreType::Text),
    col("endpoint", CoreType::Text),
    col("peer", CoreType::Text),
    col("peer_kind", CoreType::Text),
    col("latency_bucket", CoreType::Int64),
    col("count", CoreType::Int64),
    col("errors", CoreType::Int64),
    col("duration_sum_ns", CoreType::Int64),
];

const ERRORS: &[CoreColumn] = &[
    col(TIME_COLUMN, CoreType::Timestamp),
    col("service", CoreType::Text),
    col("env", CoreType::Text),
    col("host", CoreType::Text),
    CoreColumn {
        name: "fingerprint",
        core_type: CoreType::Text,
        aliases: &[],
        bloom_filter: true,
    },
    col("error_type", CoreType::Text),
    col("message", CoreType::Text),
    col("culprit", CoreType::Text),
    col("stack", CoreType::Text),
    col("source", CoreType::Text),
    col("endpoint", CoreType::Text),
    col("trace_id", CoreType::Text),
    col("span_id", CoreType::Text),
];

const CALL_PAIRS: &[CoreColumn] = &[
    col(TIME_COLUMN, CoreType::Timestamp),
    // The calling service, its environment, and the peer its span named.
    col("service", CoreType::Text),
    col("env", CoreType::Text),
    col("peer", CoreType::Text),
    col("peer_kind", CoreType::Text),
    // The service whose server or consumer span was the call's child.
    col("callee", CoreType::Text),
    col("count", CoreType::Int64),
];

/// One VPC flow log record, read as one side of a connection (crate
/// `enrich`, `network/`). Bytes are split by direction: `bytes_sent` went
/// from the client to the server, `bytes_received` back.
const FLOWS: &[CoreColumn] = &[
    col(TIME_COLUMN, CoreType::Timestamp),
    col("end_time", CoreType::Timestamp),
    col("account_id", CoreType::Text),
    col("region", CoreType::Text),
    col("vpc_id", CoreType::Text),
    // The interface whose flow log holds the record, and its role in the
    // connection: client, server, gateway (a NAT gateway's leg from the
    // client, an interface endpoint) or transit (a NAT gateway's leg to the
    // internet). `counted` says which rows the analysis adds up.
    col("interface_id", CoreType::Text),
    col("observer", CoreType::Text),
    col("counted", CoreType::Text),
    // The connection (client address and port, final server address and
    // port, protocol) hashed, equal on every interface that saw it.
    col("conn", CoreType::Int64),
    col("action", CoreType::Text),
    col("log_status", CoreType::Text),
    col("protocol", CoreType::Int64),
    col("traffic_path", CoreType::Int64),
    col("client_addr", CoreType::Text),
    col("client_port", CoreType::Int64),
    col("client_kind", CoreType::Text),
    col("client_id", CoreType::Text),
    col("client_service", CoreType::Text),
    col("client_task", CoreType::Text),
    col("client_az", CoreType::Text),
    col("env", CoreType::Text),
    col("team", CoreType::Text),
    col("server_addr", CoreType::Text),
    col("server_port", CoreType::Int64),
    col("server_kind", CoreType::Text),
    col("server_id", CoreType::Text),
    col("server_service", CoreType::Text),
    col("server_az", CoreType::Text),
    col("gateway_type", CoreType::Text),
    col("gateway", CoreType::Text),
    col("gateway_az", CoreType::Text),
    col("destination", CoreType::Text),
    col("destination_class", CoreType::Text),
    col("destination_service", CoreType::Text),
    col("destination_domain", CoreType::Text),
    col("az_pair", CoreType::Text),
    col("bytes_sent", CoreType::Int64),
    col("bytes_received", CoreType::Int64),
    col("packets_sent", CoreType::Int64),
    col("packets_received", CoreType::Int64),
];

/// One audit event (CloudTrail, Okta): what was done, by whom (the
/// identity normalised by `enrich`), from where, with what outcome, and the
/// event as delivered in `raw` (JSON), which rules run over history read.
const AUDIT: &[CoreColumn] = &[
    col(TIME_COLUMN, CoreType::Timestamp),
    // `cloudtrail` or `okta`.
    col("source", CoreType::Text),
    col("event_id", CoreType::Text),
    // CloudTrail's eventSource (`iam.amazonaws.com`), Okta's `okta`.
    col("event_source", CoreType::Text),
    // CloudTrail's eventName, Okta's eventType.
    col("event_name", CoreType::Text),
    col("event_type", CoreType::Text),
    col("event_category", CoreType::Text),
    col("read_only", CoreType::Boolean),
    col("account_id", CoreType::Text),
    col("region", CoreType::Text),
    col("actor", CoreType::Text),
    col("actor_name", CoreType::Text),
    col("actor_type", CoreType::Text),
    col("actor_account", CoreType::Text),
    col("principal_arn", CoreType::Text),
    col("access_key_id", CoreType::Text),
    col("role_arn", CoreType::Text),
    col("role_name", CoreType::Text),
    col("session_name", CoreType::Text),
    col("source_identity", CoreType::Text),
    col("federation", CoreType::Text),
    col("mfa", CoreType::Boolean),
    col("invoked_by", CoreType::Text),
    col("source_ip", CoreType::Text),
    // internet, aws (an AWS range: a service, another account), private,
    // or service (CloudTrail's `<service>.amazonaws.com` in the address).
    col("source_class", CoreType::Text),
    col("user_agent", CoreType::Text),
    col("country", CoreType::Text),
    col("city", CoreType::Text),
    col("latitude", CoreType::Float64),
    col("longitude", CoreType::Float64),
    col("asn", CoreType::Int64),
    col("as_org", CoreType::Text),
    // `success` or `failure`.
    col("outcome", CoreType::Text),
    col("error_code", CoreType::Text),
    col("error_message", CoreType::Text),
    col("request_id", CoreType::Text),
    // S3 data events: the bucket, and the bytes sent back
    // (`additionalEventData.bytesTransferredOut`).
    col("bucket", CoreType::Text),
    col("bytes_out", CoreType::Int64),
    // The event's resources (CloudTrail's `resources`, Okta's `target`) as JSON.
    col("resources", CoreType::Text),
    col("raw", CoreType::Text),
];

/// One detection: a rule matching an event (crate `detect`). Rows of one
/// `signal_id` (rule, entity, dedup window) are one signal.
const SIGNALS: &[CoreColumn] = &[
    col(TIME_COLUMN, CoreType::Timestamp),
    col("signal_id", CoreType::Text),
    col("rule_id", CoreType::Text),
    col("title", CoreType::Text),
    // info, low, medium, high, critical.
    col("severity", CoreType::Text),
    col("entity", CoreType::Text),
    col("source", CoreType::Text),
    col("event_id", CoreType::Text),
    col("event_name", CoreType::Text),
    col("account_id", CoreType::Text),
    col("source_ip", CoreType::Text),
    col("place", CoreType::Text),
    col("detail", CoreType::Text),
];

/// One HTTP request logged by AWS WAF, an Application Load Balancer or
/// CloudFront (crate `formats`), its client placed by `enrich`.
const REQUESTS: &[CoreColumn] = &[
    col(TIME_COLUMN, CoreType::Timestamp),
    // `waf`, `alb` or `cloudfront`.
    col("source", CoreType::Text),
    col("account_id", CoreType::Text),
    col("region", CoreType::Text),
    // WAF's web ACL, the load balancer (`app/name/id`), the distribution.
    col("resource", CoreType::Text),
    col("request_id", CoreType::Text),
    col("client_ip", CoreType::Text),
    col("client_port", CoreType::Int64),
    col("country", CoreType::Text),
    col("city", CoreType::Text),
    col("latitude", CoreType::Float64),
    col("longitude", CoreType::Float64),
    col("asn", CoreType::Int64),
    col("as_org", CoreType::Text),
    col("method", CoreType::Text),
    col("scheme", CoreType::Text),
    col("host", CoreType::Text),
    col("path", CoreType::Text),
    col("query", CoreType::Text),
    col("protocol", CoreType::Text),
    col("status", CoreType::Int64),
    // WAF: ALLOW, BLOCK, COUNT, CAPTCHA, CHALLENGE; ALB: the actions
    // executed; CloudFront: the edge result type.
    col("action", CoreType::Text),
    // WAF's terminating rule, the ALB rule's priority.
    col("rule", CoreType::Text),
    // WAF's labels, comma-separated.
    col("labels", CoreType::Text),
    col("user_agent", CoreType::Text),
    col("referer", CoreType::Text),
    col("bytes_in", CoreType::Int64),
    col("bytes_out", CoreType::Int64),
    col("duration_ms", CoreType::Float64),
    col("raw", CoreType::Text),
];

const METRICS: &[CoreColumn] = &[
    alias(TIME_COLUMN, CoreType::Timestamp, TIME_ALIASES),
    col("start_timestamp", CoreType::Timestamp),
    alias("service", CoreType::Text, &["service.name"]),
    alias(
        "env",
        CoreType::Text,
        &["deployment.environment", "deployment.environment.name"],
    ),
    alias("host", CoreType::Text, &["host.name"]),
    alias("metric", CoreType::Text, &["name", "metric_name"]),
    col("kind", CoreType::Text),
    col("unit", CoreType::Text),
    col("temporality", CoreType::Text),
    col("is_monotonic", CoreType::Boolean),
    col("value", CoreType::Float64),
    col("count", CoreType::Int64),
    col("sum", CoreType::Float64),
    col("min", CoreType::Float64),
    col("max", CoreType::Float64),
    col("bucket_counts", CoreType::Text),
    col("explicit_bounds", CoreType::Text),
    col("scope", CoreType::Text),
];

const EVENTS: &[CoreColumn] = &[alias(TIME_COLUMN, CoreType::Timestamp, TIME_ALIASES)];

/// Columns whose values add up when rows agree on every other column: the
/// store keeps one row per such key when it writes files (like a summing
/// merge tree), so rollups shrink as they are flushed and compacted.
pub fn summed_columns(kind: DatasetKind) -> &'static [&'static str] {
    match kind {
        DatasetKind::SpanMetrics => &["count", "errors", "duration_sum_ns"],
        DatasetKind::CallPairs => &["count"],
        _ => &[],
    }
}

/// The core columns of a dataset kind, time first.
pub fn core_columns(kind: DatasetKind) -> &'static [CoreColumn] {
    match kind {
        DatasetKind::Logs => LOGS,
        DatasetKind::Spans => SPANS,
        DatasetKind::Metrics => METRICS,
        DatasetKind::Events => EVENTS,
        DatasetKind::SpanMetrics => SPAN_METRICS,
        DatasetKind::Errors => ERRORS,
        DatasetKind::CallPairs => CALL_PAIRS,
        DatasetKind::Flows => FLOWS,
        DatasetKind::Audit => AUDIT,
        DatasetKind::Signals => SIGNALS,
        DatasetKind::Requests => REQUESTS,
    }
}
