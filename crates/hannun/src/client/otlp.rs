//! Sends an OTLP-JSON file (one export request per line, as the
//! collector's file exporter writes them) to the server's OTLP/HTTP paths.
//! OTLP replies only say what was rejected (partial success), so the
//! records accepted are counted here: those in the document sent, less the
//! rejected ones.

use serde_json::Value;

use super::session::Session;

/// The signal's OTLP/HTTP path, when `first_line` starts an OTLP-JSON
/// document.
fn signal_path(first_line: &str) -> Option<&'static str> {
    let head = &first_line[..first_line.len().min(200)];
    if head.contains("\"resourceLogs\"") {
        Some("/v1/logs")
    } else if head.contains("\"resourceSpans\"") {
        Some("/v1/traces")
    } else if head.contains("\"resourceMetrics\"") {
        Some("/v1/metrics")
    } else {
        None
    }
}

/// The items of an array field, none when it is missing.
fn items<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    value[key].as_array().into_iter().flatten()
}

/// The metric types of OTLP, each holding `dataPoints`.
const METRIC_TYPES: [&str; 5] = [
    "gauge",
    "sum",
    "histogram",
    "exponentialHistogram",
    "summary",
];

/// Records in one export request, as the server counts them: log records,
/// spans, or metric data points (a metric without data is one record,
/// which the server rejects).
fn records_in(document: &Value) -> u64 {
    let logs = items(document, "resourceLogs")
        .flat_map(|r| items(r, "scopeLogs"))
        .flat_map(|s| items(s, "logRecords"))
        .count();
    let spans = items(document, "resourceSpans")
        .flat_map(|r| items(r, "scopeSpans"))
        .flat_map(|s| items(s, "spans"))
        .count();
    let points: usize = items(document, "resourceMetrics")
        .flat_map(|r| items(r, "scopeMetrics"))
        .flat_map(|s| items(s, "metrics"))
        .map(|m| match METRIC_TYPES.iter().find(|t| m[**t].is_object()) {
            Some(t) => items(&m[*t], "dataPoints").count(),
            None => 1,
        })
        .sum();
    (logs + spans + points) as u64
}

/// Records the server's partial-success reply rejected (int64 counts are
/// strings in OTLP-JSON, numbers are accepted too).
fn rejected_in(reply: &Value) -> u64 {
    ["rejectedLogRecords", "rejectedSpans", "rejectedDataPoints"]
        .iter()
        .filter_map(|k| {
            let v = &reply["partialSuccess"][*k];
            v.as_u64().or_else(|| v.as_str()?.parse().ok())
        })
        .sum()
}

pub(super) struct OtlpSender {
    url: String,
}

impl OtlpSender {
    /// A sender for the file that starts with `first_line`, when it is
    /// OTLP-JSON.
    pub(super) fn for_first_line(base: &str, first_line: &str) -> Option<OtlpSender> {
        signal_path(first_line).map(|path| OtlpSender {
            url: format!("{base}{path}"),
        })
    }

    /// Sends one document (a line); blank lines are skipped.
    pub(super) fn line(&mut self, session: &mut Session, line: &str) -> anyhow::Result<()> {
        let document = line.trim();
        if document.is_empty() {
            return Ok(());
        }
        // A document that does not parse is refused whole by the server
        // (HTTP 400), which ends the command before this count is used.
        let records = serde_json::from_str(document)
            .map(|d| records_in(&d))
            .unwrap_or(0);
        let reply = session.post(&self.url, "application/json", document.as_bytes().to_vec())?;
        let rejected = rejected_in(&reply);
        session.tally.accepted += records.saturating_sub(rejected);
        session.tally.rejected += rejected;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn signals_by_first_line() {
        let cases = [
            (r#"{"resourceLogs":[]}"#, Some("/v1/logs")),
            (r#"{"resourceSpans":[]}"#, Some("/v1/traces")),
            (r#"{"resourceMetrics":[]}"#, Some("/v1/metrics")),
            (r#"{"time":1,"message":"resourceLogs are JSON"}"#, None),
            ("", None),
        ];
        for (line, path) in cases {
            assert_eq!(signal_path(line), path, "{line}");
        }
    }

    #[test]
    fn records_as_the_server_counts_them() {
        let two = || json!([{}, {}]);
        let cases = [
            (
                json!({"resourceLogs": [
                    {"scopeLogs": [{"logRecords": two()}, {"logRecords": [{}]}]},
                    {"scopeLogs": [{"logRecords": [{}]}]},
                ]}),
                4,
            ),
            (
                json!({"resourceSpans": [{"scopeSpans": [{"spans": two()}, {}]}, {}]}),
                2,
            ),
            (
                json!({"resourceMetrics": [{"scopeMetrics": [{"metrics": [
                    {"name": "g", "gauge": {"dataPoints": two()}},
                    {"name": "s", "sum": {"dataPoints": [{}], "isMonotonic": true}},
                    {"name": "h", "histogram": {"dataPoints": two()}},
                    {"name": "e", "exponentialHistogram": {"dataPoints": [{}]}},
                    {"name": "q", "summary": {"dataPoints": [{}]}},
                    {"name": "no data"},
                    {"name": "no points", "gauge": {}},
                ]}]}]}),
                8,
            ),
            (json!({}), 0),
        ];
        for (document, records) in cases {
            assert_eq!(records_in(&document), records, "{document}");
        }
    }

    #[test]
    fn rejected_from_partial_success() {
        let cases = [
            (json!({}), 0),
            (json!({"partialSuccess": {}}), 0),
            (json!({"partialSuccess": {"rejectedSpans": "3"}}), 3),
            (json!({"partialSuccess": {"rejectedLogRecords": 2}}), 2),
            (json!({"partialSuccess": {"rejectedDataPoints": "x"}}), 0),
        ];
        for (reply, rejected) in cases {
            assert_eq!(rejected_in(&reply), rejected, "{reply}");
        }
    }
}
