//! `Receiver`, what every receiver shares (the pipeline and the API keys),
//! the front half of an HTTP receiver (key, media type, compression, body
//! size) and the NDJSON receiver; OTLP is in `otlp/`.

use bytes::Bytes;
use model::DatasetName;

use crate::auth::ApiKeys;
use crate::error::{IngestError, PayloadProblem};
use crate::import::{ImportKind, Importer, ObjectReport};
use crate::payload::{Compression, MAX_BODY_BYTES, Payload, media_type, read_body};
use crate::pipeline::{IngestOutcome, Pipeline};

/// The largest object `POST /api/v1/import` takes (AWS rolls its log files
/// over well below this).
pub const MAX_IMPORT_BODY_BYTES: usize = 256 << 20;

/// The receivers' handle on ingest: cheap to clone, one per server.
#[derive(Clone)]
pub struct Receiver {
    pipeline: Pipeline,
    keys: ApiKeys,
}

impl Receiver {
    pub fn new(pipeline: Pipeline, keys: ApiKeys) -> Receiver {
        Receiver { pipeline, keys }
    }

    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    pub(crate) fn keys(&self) -> &ApiKeys {
        &self.keys
    }

    /// Reads the media type (through `encoding`), the compression and the
    /// body (at most `MAX_BODY_BYTES`) of a request whose key was checked. A
    /// payload refused here is counted against `dataset`.
    pub(crate) async fn read_http<B, E>(
        &self,
        dataset: &DatasetName,
        request: http::Request<B>,
        encoding: impl FnOnce(&str) -> Result<E, IngestError>,
    ) -> Result<(E, Payload), IngestError>
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = request.into_parts();
        let read = async {
            let encoding = encoding(&media_type(&parts.headers))?;
            let compression = Compression::from_content_encoding(&parts.headers)?;
            let body = read_body(body, MAX_BODY_BYTES).await?;
            Ok((encoding, Payload { body, compression }))
        };
        self.pipeline.count_refused(dataset, read.await)
    }

    /// NDJSON into any dataset (`POST /api/v1/ingest/{dataset}`).
    pub async fn ndjson_http<B>(
        &self,
        dataset: &str,
        request: http::Request<B>,
    ) -> Result<IngestOutcome, IngestError>
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        self.keys.check(request.headers())?;
        let dataset =
            DatasetName::new(dataset).map_err(|e| IngestError::BadRequest(e.to_string()))?;
        let ((), payload) = self
            .read_http(&dataset, request, |media| match media {
                ""
                | "application/x-ndjson"
                | "application/ndjson"
                | "application/jsonl"
                | "application/json"
                | "text/plain" => Ok(()),
                other => Err(IngestError::payload(
                    PayloadProblem::UnsupportedEncoding,
                    format!(
                        "unsupported Content-Type {other:?}: send NDJSON as application/x-ndjson"
                    ),
                )),
            })
            .await?;
        self.pipeline.ingest_ndjson(dataset, payload).await
    }

    /// One AWS log object (`POST /api/v1/import?key=...&kind=...`): the
    /// body as stored (gzip, Parquet or text, at most
    /// `MAX_IMPORT_BODY_BYTES`), its key for recognising its kind.
    pub async fn import_http<B>(
        &self,
        importer: &Importer,
        key: &str,
        kind: Option<&str>,
        request: http::Request<B>,
    ) -> Result<ObjectReport, IngestError>
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        self.keys.check(request.headers())?;
        let kind = match kind.filter(|k| !k.is_empty()) {
            Some(name) => Some(ImportKind::from_name(name).ok_or_else(|| {
                IngestError::BadRequest(format!(
                    "unknown kind {name:?}: one of {}",
                    ImportKind::ALL.map(ImportKind::name).join(", ")
                ))
            })?),
            None => None,
        };
        if key.len() > 1024 {
            return Err(IngestError::BadRequest(
                "the object key is longer than 1024 bytes".into(),
            ));
        }
        let body = read_body(request.into_body(), MAX_IMPORT_BODY_BYTES).await?;
        importer.import(key.to_owned(), body, kind).await
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

    use http_body_util::Full;

    use super::*;
    use crate::otlp::OtlpSignal;
    use crate::pipeline::PipelineConfig;

    fn receiver(dir: &std::path::Path, keys: Vec<String>) -> Receiver {
        let (store, _) = store::Store::open(store::StoreConfig::new(dir)).unwrap();
        Receiver::new(
            Pipeline::new(store, PipelineConfig::default()),
            ApiKeys::new(keys),
        )
    }

    fn request(headers: &[(&'static str, &str)], body: Vec<u8>) -> http::Request<Full<Bytes>> {
        let mut r = http::Request::new(Full::new(Bytes::from(body)));
        for (name, value) in headers {
            r.headers_mut().insert(*name, value.parse().unwrap());
        }
        r
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    /// OTLP/JSON logs: `n` records stamped now.
    fn otlp_json_logs(n: usize) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let record = format!(
            r#"{{"timeUnixNano":"{now}","body":{{"stringValue":"checkout finished in 120 ms"}}}}"#
        );
        let records = vec![record; n].join(",");
        format!(
            r#"{{"resourceLogs":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"svc"}}}}]}},"scopeLogs":[{{"logRecords":[{records}]}}]}}]}}"#
        )
    }

    fn problem(e: IngestError) -> (PayloadProblem, String) {
        match e {
            IngestError::Payload { problem, message } => (problem, message),
            other => panic!("expected a payload error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn bad_payloads_are_named_counted_and_ingest_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let r = receiver(dir.path(), vec![]);
        let protobuf = [("content-type", "application/x-protobuf")];
        let e = r
            .otlp_http(OtlpSignal::Logs, request(&protobuf, vec![0xff, 0xff, 0xff]))
            .await
            .unwrap_err();
        let (p, m) = problem(e);
        assert_eq!(p, PayloadProblem::Malformed);
        assert!(m.starts_with("malformed OTLP protobuf"), "{m}");
        let gzipped = [
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
        ];
        let e = r
            .otlp_http(OtlpSignal::Logs, request(&gzipped, b"not gzip".to_vec()))
            .await
            .unwrap_err();
        assert_eq!(problem(e).0, PayloadProblem::BadCompression);
        let e = r
            .otlp_http(
                OtlpSignal::Logs,
                request(&[("content-type", "text/csv")], vec![]),
            )
            .await
            .unwrap_err();
        assert_eq!(problem(e).0, PayloadProblem::UnsupportedEncoding);
        let e = r
            .ndjson_http("logs", request(&[], vec![b' '; MAX_BODY_BYTES + 1]))
            .await
            .unwrap_err();
        assert_eq!(problem(e).0, PayloadProblem::TooLarge);

        // The next good request is served, gzip and all.
        let reply = r
            .otlp_http(
                OtlpSignal::Logs,
                request(&gzipped, gzip(otlp_json_logs(2).as_bytes())),
            )
            .await
            .unwrap();
        assert_eq!(reply.content_type, "application/json");
        assert_eq!(&reply.body[..], br#"{"partialSuccess":null}"#);

        let stats = r.pipeline().stats();
        let logs = &stats.datasets["logs"];
        assert_eq!(logs.rejected_payloads, 4);
        let by_problem: Vec<(&str, u64)> = logs
            .rejected_payloads_by_problem
            .iter()
            .map(|(k, v)| (*k, *v))
            .collect();
        assert_eq!(
            by_problem,
            [
                ("bad_compression", 1),
                ("malformed", 1),
                ("too_large", 1),
                ("unsupported_encoding", 1)
            ]
        );
        assert!(
            logs.last_payload_error
                .as_deref()
                .unwrap()
                .contains("larger than 16 MiB")
        );
        // Refused payloads are not records, nor failed requests.
        assert_eq!(
            (
                logs.accepted_records,
                logs.rejected_records,
                logs.requests,
                logs.failed_requests
            ),
            (2, 0, 1, 0)
        );
    }

    #[tokio::test]
    async fn keys_are_checked_before_anything_is_counted() {
        let dir = tempfile::tempdir().unwrap();
        let r = receiver(dir.path(), vec!["hn_key".into()]);
        let e = r
            .otlp_http(
                OtlpSignal::Traces,
                request(&[("content-type", "text/csv")], vec![]),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, IngestError::Unauthenticated), "{e:?}");
        let e = r
            .ndjson_http("Bad-Name", request(&[], vec![]))
            .await
            .unwrap_err();
        assert!(matches!(e, IngestError::Unauthenticated), "{e:?}");
        assert!(r.pipeline().stats().datasets.is_empty());
        let outcome = r
            .ndjson_http(
                "app",
                request(
                    &[("x-hannun-api-key", "hn_key")],
                    b"{\"message\":\"hi\"}".to_vec(),
                ),
            )
            .await
            .unwrap();
        assert_eq!(outcome.accepted, 1);
    }

    /// On this single-threaded runtime a ticker only runs while the
    /// ingest future waits; were decompression and decoding done on the
    /// async thread, it would not tick during the request.
    #[tokio::test(flavor = "current_thread")]
    async fn decompression_and_decoding_leave_the_async_thread_free() {
        let dir = tempfile::tempdir().unwrap();
        let r = receiver(dir.path(), vec![]);
        // Large, gzip-compressed, and malformed only at its very end: all of
        // it is decompressed and parsed, and nothing is stored.
        let body = gzip(format!("{} trailing", otlp_json_logs(40_000)).as_bytes());
        let ticks = Arc::new(AtomicU64::new(0));
        let ticker = tokio::spawn({
            let ticks = ticks.clone();
            async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    ticks.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        tokio::task::yield_now().await;
        let before = ticks.load(Ordering::Relaxed);
        let started = Instant::now();
        let headers = [
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
        ];
        let e = r
            .otlp_http(OtlpSignal::Logs, request(&headers, body))
            .await
            .unwrap_err();
        let elapsed = started.elapsed();
        let during = ticks.load(Ordering::Relaxed) - before;
        ticker.abort();
        let (p, m) = problem(e);
        assert_eq!(p, PayloadProblem::Malformed);
        assert!(m.starts_with("malformed OTLP JSON"), "{m}");
        assert!(
            elapsed >= Duration::from_millis(20),
            "too small to tell: {elapsed:?}"
        );
        assert!(
            during >= 5,
            "the async thread was blocked for {elapsed:?}: {during} ticks"
        );
    }
}
