//! Dataset names (validated) and the kind of each dataset.

use crate::error::ModelError;

/// What a dataset holds; decides its typed core columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatasetKind {
    /// OpenTelemetry log records and log lines (`logs`).
    Logs,
    /// OpenTelemetry spans (`spans`).
    Spans,
    /// OpenTelemetry metric data points (`metrics`).
    Metrics,
    /// Any other NDJSON event stream, with a schema that grows as fields appear.
    Events,
    /// RED rollups derived from spans at ingest: one row per minute
    /// (`span_metrics`) or hour (`span_metrics_1h`), service, endpoint or
    /// peer, and latency bucket.
    SpanMetrics,
    /// Error occurrences derived from spans and logs at ingest (`errors`),
    /// each with its issue fingerprint.
    Errors,
    /// Calls whose two ends were both seen at ingest (`call_pairs`): per
    /// minute, the calling service, what its client or producer span named as
    /// the peer, and the service whose server or consumer span answered. The
    /// service map uses them to resolve peers to services.
    CallPairs,
    /// VPC flow log records, each read as one side of a connection and
    /// attributed at import (`flows`): client, server, gateway (NAT,
    /// endpoint, internet or transit), destination and its class, which
    /// interface saw it, and whether it is the one counted.
    Flows,
    /// Who did what, from the audit trails of the clouds and identity
    /// providers (`audit`): CloudTrail and Okta System Log events, each
    /// with its acting identity normalised, where it came from (address,
    /// place, network) and the event as delivered. Detections and the
    /// posture features read it.
    Audit,
    /// Detections of the security rules (`signals`): one row per rule
    /// matching an event, with the signal it belongs to (rule, entity and
    /// dedup window), written by the importer as it stores audit events.
    Signals,
    /// HTTP requests as AWS's edge logged them (`requests`): AWS WAF web
    /// ACL logs, Application Load Balancer and CloudFront access logs, one
    /// row per request with its client (address, place, network), what
    /// was asked, the answer or WAF's action, and the record as delivered.
    Requests,
}

impl DatasetKind {
    /// Whether hannun writes this dataset itself from other data; receivers
    /// refuse to write it directly.
    pub fn is_derived(self) -> bool {
        matches!(
            self,
            DatasetKind::SpanMetrics | DatasetKind::Errors | DatasetKind::CallPairs
        )
    }

    /// Whether only hannun's importer writes this dataset (its rows are
    /// attributed against the network inventory as they are read); the
    /// NDJSON and OTLP receivers refuse it, like derived datasets.
    pub fn is_imported(self) -> bool {
        matches!(
            self,
            DatasetKind::Flows | DatasetKind::Audit | DatasetKind::Signals | DatasetKind::Requests
        )
    }

    /// The kind's name in catalogs and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            DatasetKind::Logs => "logs",
            DatasetKind::Spans => "spans",
            DatasetKind::Metrics => "metrics",
            DatasetKind::Events => "events",
            DatasetKind::SpanMetrics => "span_metrics",
            DatasetKind::Errors => "errors",
            DatasetKind::CallPairs => "call_pairs",
            DatasetKind::Flows => "flows",
            DatasetKind::Audit => "audit",
            DatasetKind::Signals => "signals",
            DatasetKind::Requests => "requests",
        }
    }
}

/// A validated dataset name: `[a-z][a-z0-9_]{0,62}`.
///
/// The name ends up in file paths and SQL identifiers, so it is kept to a
/// conservative alphabet instead of being escaped everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DatasetName(String);

impl DatasetName {
    pub const LOGS: &'static str = "logs";
    pub const SPANS: &'static str = "spans";
    pub const METRICS: &'static str = "metrics";
    pub const SPAN_METRICS: &'static str = "span_metrics";
    pub const SPAN_METRICS_HOURLY: &'static str = "span_metrics_1h";
    pub const ERRORS: &'static str = "errors";
    pub const CALL_PAIRS: &'static str = "call_pairs";
    pub const FLOWS: &'static str = "flows";
    pub const AUDIT: &'static str = "audit";
    pub const SIGNALS: &'static str = "signals";
    pub const REQUESTS: &'static str = "requests";

    pub fn new(name: &str) -> Result<DatasetName, ModelError> {
        let invalid = |reason| ModelError::InvalidDatasetName {
            name: name.chars().take(80).collect(),
            reason,
        };
        if name.is_empty() {
            return Err(invalid("name is empty"));
        }
        if name.len() > 63 {
            return Err(invalid("name is longer than 63 characters"));
        }
        let mut chars = name.chars();
        let first = chars.next().unwrap_or('_');
        if !first.is_ascii_lowercase() {
            return Err(invalid("name must start with a lowercase letter a-z"));
        }
        if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            return Err(invalid(
                "only lowercase letters a-z, digits and '_' are allowed",
            ));
        }
        Ok(DatasetName(name.to_owned()))
    }

    pub fn logs() -> DatasetName {
        DatasetName(Self::LOGS.to_owned())
    }
    pub fn spans() -> DatasetName {
        DatasetName(Self::SPANS.to_owned())
    }
    pub fn metrics() -> DatasetName {
        DatasetName(Self::METRICS.to_owned())
    }

    pub fn span_metrics() -> DatasetName {
        DatasetName(Self::SPAN_METRICS.to_owned())
    }
    pub fn span_metrics_hourly() -> DatasetName {
        DatasetName(Self::SPAN_METRICS_HOURLY.to_owned())
    }
    pub fn errors() -> DatasetName {
        DatasetName(Self::ERRORS.to_owned())
    }
    pub fn call_pairs() -> DatasetName {
        DatasetName(Self::CALL_PAIRS.to_owned())
    }

    pub fn flows() -> DatasetName {
        DatasetName(Self::FLOWS.to_owned())
    }

    pub fn audit() -> DatasetName {
        DatasetName(Self::AUDIT.to_owned())
    }

    pub fn signals() -> DatasetName {
        DatasetName(Self::SIGNALS.to_owned())
    }

    pub fn requests() -> DatasetName {
        DatasetName(Self::REQUESTS.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> DatasetKind {
        match self.0.as_str() {
            Self::LOGS => DatasetKind::Logs,
            Self::SPANS => DatasetKind::Spans,
            Self::METRICS => DatasetKind::Metrics,
            Self::SPAN_METRICS | Self::SPAN_METRICS_HOURLY => DatasetKind::SpanMetrics,
            Self::ERRORS => DatasetKind::Errors,
            Self::CALL_PAIRS => DatasetKind::CallPairs,
            Self::FLOWS => DatasetKind::Flows,
            Self::AUDIT => DatasetKind::Audit,
            Self::SIGNALS => DatasetKind::Signals,
            Self::REQUESTS => DatasetKind::Requests,
            _ => DatasetKind::Events,
        }
    }
}

impl std::fmt::Display for DatasetName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_rejects_names() {
        assert_eq!(DatasetName::new("logs").unwrap().kind(), DatasetKind::Logs);
        assert_eq!(
            DatasetName::new("checkout_events2").unwrap().kind(),
            DatasetKind::Events
        );
        for bad in [
            "",
            "Logs",
            "1abc",
            "a-b",
            "a.b",
            "../etc",
            "_x",
            &"a".repeat(64),
        ] {
            let err = DatasetName::new(bad).unwrap_err().to_string();
            assert!(err.starts_with("invalid dataset name"), "{bad}: {err}");
        }
    }
}
