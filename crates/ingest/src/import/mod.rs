//! Importing AWS's own log objects (`hannun import`, `POST /api/v1/import`,
//! and later the S3 sources): each object is recognised (key layout, then
//! content), decoded by its kind's pure decoder, and stored. The ENI
//! inventory and the Resolver query logs feed the attribution's knowledge
//! of the network (`<data>/network/context.json`, rewritten atomically);
//! flow records are attributed against it (crate `enrich`) and appended to
//! the `flows` dataset. CloudTrail events get their acting identity and
//! their source address's place (crate `enrich`) and go to the `audit`
//! dataset. Counts per kind, with the latest rejects and problems, are
//! kept for the status API.

mod object;

use std::collections::{BTreeMap, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use enrich::network::{DnsIndex, Network, Topology, flow_batch};
use enrich::{AuditRow, AwsIpRanges, GeoIp, RequestRow, audit_batch};
use formats::{FlowField, Reject};
use model::DatasetName;
use store::Store;

pub use object::{ImportKind, MAX_OBJECT_DECODED_BYTES, import_order};

use crate::error::IngestError;

/// Flow records attributed and appended at a time.
const CHUNK_LINES: usize = 50_000;
/// Audit events appended at a time.
const AUDIT_CHUNK: usize = 10_000;
/// How long an object's import waits for room in the write buffer.
const BACKPRESSURE_WAIT: std::time::Duration = std::time::Duration::from_secs(300);
/// Latest problems kept per kind.
const RECENT: usize = 20;

/// What importing one object did.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ObjectReport {
    pub key: String,
    /// The kind it was read as; none when skipped.
    #[schema(required = true)]
    pub kind: Option<ImportKind>,
    /// Records stored (flows), or read (interfaces, DNS queries).
    pub records: usize,
    pub rejected: usize,
    /// The first rejects, each with its line or record number and reason.
    #[schema(value_type = Vec<crate::schemas::RejectSchema>)]
    pub rejects: Vec<Reject>,
    /// Bytes of the object as received.
    pub bytes: usize,
    /// Security rule matches among the records (CloudTrail).
    pub detections: usize,
    /// Why the object was skipped or ended early (unknown content, a
    /// truncated gzip stream, a document that is not the kind's shape).
    #[schema(required = true)]
    pub problem: Option<String>,
}

/// Totals of one kind since the server started.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct KindImportStats {
    pub objects: u64,
    pub records: u64,
    pub rejected: u64,
    pub bytes: u64,
    /// Objects that were skipped or ended early.
    pub problems: u64,
    /// The latest objects with rejects or a problem, newest last.
    #[schema(value_type = Vec<ObjectReport>)]
    pub recent: VecDeque<ObjectReport>,
}

/// What the importer knows and has done.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ImportStatus {
    /// Per kind (`vpc_flow_logs`, ...), plus `skipped` for objects of no kind.
    pub kinds: BTreeMap<String, KindImportStats>,
    /// Interfaces known (inventory and learned from flows).
    pub interfaces: usize,
    /// DNS answers held for naming destinations.
    pub dns_answers: usize,
    /// The configured sources (S3 prefixes, the Okta System Log API).
    pub sources: Vec<SourceStatus>,
}

/// What a source (`sources/`: an S3 prefix or the Okta System Log API) has done, for the status API: part of
/// the import status.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct SourceStatus {
    pub name: String,
    pub url: String,
    /// Objects imported since the source was first configured.
    pub objects_imported: u64,
    /// Objects the last listing found (counted up while a listing runs).
    pub objects_listed: u64,
    /// Records stored from this source since the server started.
    pub records: u64,
    pub rejected: u64,
    /// Objects listed again with another ETag or size after their import.
    pub changed_objects: u64,
    /// Completed polls since the server started.
    pub polls: u64,
    /// When the last poll ended, ms since the epoch.
    #[schema(required = true)]
    pub last_poll_ms: Option<i64>,
    /// Why the last poll stopped early (listing or storage failed).
    #[schema(required = true)]
    pub last_error: Option<String>,
    /// The latest problems: changed, truncated or vanished objects, rejects.
    #[schema(value_type = Vec<String>)]
    pub problems: VecDeque<String>,
}

/// The stored form of the network knowledge.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Context {
    topology: Topology,
    dns: DnsIndex,
}

struct Inner {
    network: Network,
    status: ImportStatus,
}

/// The importer: shared by the API route and the S3 sources.
#[derive(Clone)]
pub struct Importer {
    store: Store,
    ranges: Arc<AwsIpRanges>,
    /// Places of source addresses, from the configured databases.
    geo: Arc<GeoIp>,
    /// The security rules audit events are matched against as they are
    /// stored; none: no detections.
    detector: Option<Arc<detect::Detector>>,
    /// Told of every detection once it is stored (notifications).
    on_detections: Option<DetectionSink>,
    inner: Arc<Mutex<Inner>>,
    /// `<data>/network/context.json`; none for a server without a data
    /// directory of its own (tests).
    context_path: Option<PathBuf>,
    /// Objects imported at once: each holds its body and its decoded text.
    permits: Arc<tokio::sync::Semaphore>,
}

/// What the importer tells of stored detections.
pub type DetectionSink = Arc<dyn Fn(&[detect::Detection]) + Send + Sync>;

/// Objects imported at the same time.
const IMPORTS_AT_ONCE: usize = 2;

impl Importer {
    /// Opens the importer, reading the network knowledge kept in
    /// `network_dir` (created when missing).
    pub fn open(store: Store, network_dir: Option<&Path>) -> Result<Importer, IngestError> {
        let ranges = AwsIpRanges::embedded().map_err(IngestError::Storage)?;
        let mut network = Network::new();
        let context_path = network_dir.map(|d| d.join("context.json"));
        if let Some(path) = &context_path {
            match std::fs::read(path) {
                Ok(bytes) => {
                    let context: Context = serde_json::from_slice(&bytes).map_err(|e| {
                        IngestError::Storage(format!("{} is unreadable: {e}", path.display()))
                    })?;
                    network.topology = context.topology;
                    network.topology.reindex();
                    network.dns = context.dns;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(IngestError::Storage(format!(
                        "reading {}: {e}",
                        path.display()
                    )));
                }
            }
        }
        Ok(Importer {
            store,
            ranges: Arc::new(ranges),
            geo: Arc::new(GeoIp::default()),
            detector: None,
            on_detections: None,
            inner: Arc::new(Mutex::new(Inner {
                network,
                status: ImportStatus::default(),
            })),
            context_path,
            permits: Arc::new(tokio::sync::Semaphore::new(IMPORTS_AT_ONCE)),
        })
    }

    /// Places source addresses with these geo-IP databases.
    pub fn with_geoip(mut self, geo: Arc<GeoIp>) -> Importer {
        self.geo = geo;
        self
    }

    /// Tells `sink` of the detections of every import once they are
    /// stored (not of those a run over history stores).
    pub fn with_detection_sink(mut self, sink: DetectionSink) -> Importer {
        self.on_detections = Some(sink);
        self
    }

    /// The detector imports run, if any (to switch rules on and off).
    pub fn detector(&self) -> Option<&Arc<detect::Detector>> {
        self.detector.as_ref()
    }

    /// Matches audit events against these rules as they are stored; the
    /// detections go to the `signals` dataset in the same append.
    pub fn with_detector(mut self, detector: Arc<detect::Detector>) -> Importer {
        self.detector = Some(detector);
        self
    }

    pub fn status(&self) -> ImportStatus {
        let inner = self.inner.lock().expect("importer lock");
        let mut status = inner.status.clone();
        status.interfaces = inner.network.topology.len();
        status.dns_answers = inner.network.dns.len();
        status
    }

    /// Imports one object on a blocking thread.
    pub async fn import(
        &self,
        key: String,
        body: bytes::Bytes,
        kind: Option<ImportKind>,
    ) -> Result<ObjectReport, IngestError> {
        let permit = match tokio::time::timeout(
            std::time::Duration::from_secs(30),
            self.permits.clone().acquire_owned(),
        )
        .await
        {
            Ok(Ok(p)) => p,
            Ok(Err(_)) => return Err(IngestError::Closed),
            Err(_) => {
                return Err(IngestError::Backpressure(
                    format!("{IMPORTS_AT_ONCE} imports in progress"),
                    5,
                ));
            }
        };
        let importer = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            importer.import_blocking(&key, &body, kind)
        })
        .await
        .map_err(|e| IngestError::Storage(format!("import task failed: {e}")))?
    }

    /// Imports one object: `Err` only when storing failed (the object can
    /// be retried); unreadable content is a report with a problem.
    pub fn import_blocking(
        &self,
        key: &str,
        body: &[u8],
        kind: Option<ImportKind>,
    ) -> Result<ObjectReport, IngestError> {
        let mut report = ObjectReport {
            key: key.to_owned(),
            bytes: body.len(),
            ..ObjectReport::default()
        };
        let opened = object::open(body);
        report.problem = opened.truncated.clone();
        let detected = match kind {
            Some(k) => Ok(k),
            None => object::detect(key, &opened.bytes),
        };
        let result = match detected {
            Ok(kind) => {
                report.kind = Some(kind);
                self.read(kind, &opened.bytes, &mut report)
            }
            Err(why) => {
                report.problem = Some(why);
                Ok(())
            }
        };
        self.count(&report);
        result.map(|()| report)
    }

    fn read(
        &self,
        kind: ImportKind,
        content: &[u8],
        report: &mut ObjectReport,
    ) -> Result<(), IngestError> {
        match kind {
            ImportKind::EniInventory => {
                let text = String::from_utf8_lossy(content);
                match formats::decode_eni_inventory(&text) {
                    Ok(inventory) => {
                        report.records = inventory.interfaces.len();
                        report.rejected = inventory.rejected;
                        report.rejects = inventory.reject_samples;
                        let mut inner = self.inner.lock().expect("importer lock");
                        inner.network.topology.add_inventory(&inventory.interfaces);
                        self.save(&inner.network)?;
                    }
                    Err(e) => report.problem = Some(e),
                }
            }
            ImportKind::ResolverQueryLogs => {
                let text = String::from_utf8_lossy(content);
                let log = formats::decode_resolver_log(&text);
                report.records = log.queries.len();
                report.rejected = log.rejected;
                report.rejects = log.reject_samples;
                let mut inner = self.inner.lock().expect("importer lock");
                for q in &log.queries {
                    inner.network.dns.add(q);
                }
                self.save(&inner.network)?;
            }
            ImportKind::VpcFlowLogs => self.read_flows(content, report)?,
            ImportKind::Cloudtrail => self.read_cloudtrail(content, report)?,
            ImportKind::Okta => self.read_okta(content, report)?,
            ImportKind::WafLogs | ImportKind::AlbAccessLogs | ImportKind::CloudfrontLogs => {
                self.read_requests(kind, content, report)?
            }
        }
        Ok(())
    }

    fn read_cloudtrail(
        &self,
        content: &[u8],
        report: &mut ObjectReport,
    ) -> Result<(), IngestError> {
        let log = formats::decode_cloudtrail(content);
        if log.digest {
            report.problem =
                Some("a CloudTrail digest file (signatures, not events): skipped".into());
            return Ok(());
        }
        report.rejected += log.rejected;
        report
            .rejects
            .extend(log.reject_samples.into_iter().take(10));
        self.store_events(&log.events, |e| &e.event, AuditRow::from_cloudtrail, report)
    }

    fn read_okta(&self, content: &[u8], report: &mut ObjectReport) -> Result<(), IngestError> {
        let log = formats::decode_okta(content);
        report.rejected += log.rejected;
        report
            .rejects
            .extend(log.reject_samples.into_iter().take(10));
        self.store_events(&log.events, |e| &e.event, AuditRow::from_okta, report)
    }

    /// HTTP request logs (WAF, ALB, CloudFront) into `requests`, placed;
    /// WAF records also through the detections, stored together.
    fn read_requests(
        &self,
        kind: ImportKind,
        content: &[u8],
        report: &mut ObjectReport,
    ) -> Result<(), IngestError> {
        let log = match kind {
            ImportKind::WafLogs => formats::decode_waf_log(content),
            ImportKind::AlbAccessLogs => formats::decode_alb_log(content),
            _ => formats::decode_cloudfront_log(content),
        };
        report.rejected += log.rejected;
        report
            .rejects
            .extend(log.reject_samples.into_iter().take(10));
        let key = formats::parse_aws_log_key(&report.key);
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let account = key.as_ref().and_then(|k| non_empty(&k.account_id));
        // WAF's key names "cloudfront" for global web ACLs: not a region.
        let region = key
            .as_ref()
            .and_then(|k| non_empty(&k.region))
            .filter(|r| r != "cloudfront");
        let mut entries = log.entries.into_iter();
        loop {
            let rows: Vec<RequestRow> = entries
                .by_ref()
                .take(AUDIT_CHUNK)
                .map(|e| RequestRow::new(e, account.clone(), region.clone(), &self.geo))
                .collect();
            if rows.is_empty() {
                break;
            }
            let mut batches = vec![(
                DatasetName::requests(),
                enrich::requests_batch(&rows).map_err(IngestError::Storage)?,
            )];
            let waf: Vec<&RequestRow> = rows.iter().filter(|r| r.is_waf()).collect();
            let audit: Vec<AuditRow> = waf.iter().map(|r| r.detection_row()).collect();
            let docs: Vec<formats::Doc> = waf.iter().map(|r| (&r.entry.event).into()).collect();
            let values: Vec<&formats::Doc> = docs.iter().collect();
            let detections = self.detect_into(&audit, &values, &mut batches, report)?;
            // The requests and their detections are stored together.
            self.append_waiting(batches)?;
            self.tell(&detections);
            report.records += rows.len();
        }
        Ok(())
    }

    /// Audit events of one source, in chunks: each a row (identity, place,
    /// source class) stored with the detections of its event.
    fn store_events<'d, E>(
        &self,
        events: &'d [E],
        value: impl Fn(&'d E) -> &'d formats::Doc<'d>,
        row: impl Fn(&E, &GeoIp) -> AuditRow,
        report: &mut ObjectReport,
    ) -> Result<(), IngestError> {
        for chunk in events.chunks(AUDIT_CHUNK) {
            let rows: Vec<AuditRow> = chunk
                .iter()
                .map(|e| {
                    let mut r = row(e, &self.geo);
                    r.source_class = enrich::source_class(r.source_ip.as_deref(), &self.ranges);
                    r
                })
                .collect();
            let values: Vec<&formats::Doc> = chunk.iter().map(&value).collect();
            self.store_audit(&rows, &values, report)?;
        }
        Ok(())
    }

    /// Appends audit rows and the detections of their events together.
    fn store_audit(
        &self,
        rows: &[AuditRow],
        values: &[&formats::Doc<'_>],
        report: &mut ObjectReport,
    ) -> Result<(), IngestError> {
        let mut batches = vec![(
            DatasetName::audit(),
            audit_batch(rows).map_err(IngestError::Storage)?,
        )];
        let detections = self.detect_into(rows, values, &mut batches, report)?;
        // The events and their detections are stored together or not at all.
        self.append_waiting(batches)?;
        self.tell(&detections);
        report.records += rows.len();
        Ok(())
    }

    /// The detections of rows (with their events as delivered), their
    /// `signals` batch added to those to append.
    fn detect_into(
        &self,
        rows: &[AuditRow],
        values: &[&formats::Doc<'_>],
        batches: &mut Vec<(DatasetName, arrow::record_batch::RecordBatch)>,
        report: &mut ObjectReport,
    ) -> Result<Vec<detect::Detection>, IngestError> {
        let Some(detector) = self.detector.as_ref().filter(|_| !rows.is_empty()) else {
            return Ok(Vec::new());
        };
        let detections = detector.detect(rows, values);
        if !detections.is_empty() {
            report.detections += detections.len();
            batches.push((
                DatasetName::signals(),
                detect::detections_batch(&detections).map_err(IngestError::Storage)?,
            ));
        }
        Ok(detections)
    }

    /// Hands stored detections to the sink, if any.
    fn tell(&self, detections: &[detect::Detection]) {
        if let (Some(sink), false) = (&self.on_detections, detections.is_empty()) {
            sink(detections);
        }
    }

    /// Stores detections found outside an import (a rule run over
    /// history) as rows of `signals`.
    pub fn store_detections(&self, detections: &[detect::Detection]) -> Result<(), IngestError> {
        if detections.is_empty() {
            return Ok(());
        }
        let batch = detect::detections_batch(detections).map_err(IngestError::Storage)?;
        self.append_waiting(vec![(DatasetName::signals(), batch)])
    }

    /// Appends, waiting for the background flush while the write buffer is
    /// full: an object's chunks are stored whole or not at all (a retried
    /// object would be counted twice).
    fn append_waiting(
        &self,
        batches: Vec<(DatasetName, arrow::record_batch::RecordBatch)>,
    ) -> Result<(), IngestError> {
        let waiting_since = std::time::Instant::now();
        loop {
            match self.store.append_all(batches.clone()) {
                Err(store::StoreError::Backpressure { .. })
                    if waiting_since.elapsed() < BACKPRESSURE_WAIT =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => {
                    return other
                        .map(|_| ())
                        .map_err(|e| IngestError::Storage(e.to_string()));
                }
            }
        }
    }

    fn read_flows(&self, content: &[u8], report: &mut ObjectReport) -> Result<(), IngestError> {
        if formats::sniff(content) == formats::Content::Parquet {
            let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
                bytes::Bytes::copy_from_slice(content),
            )
            .and_then(|b| b.with_batch_size(CHUNK_LINES).build());
            let reader = match reader {
                Ok(r) => r,
                Err(e) => {
                    report.problem = Some(format!("not a readable Parquet file: {e}"));
                    return Ok(());
                }
            };
            for batch in reader {
                let batch = match batch {
                    Ok(b) => b,
                    Err(e) => {
                        report.problem =
                            Some(format!("the Parquet file ends early or is corrupt: {e}"));
                        break;
                    }
                };
                match formats::decode_vpc_flow_batch(&batch) {
                    Ok(log) => self.store_flows(log, report)?,
                    Err(e) => {
                        report.problem = Some(e);
                        break;
                    }
                }
            }
            return Ok(());
        }
        let text = String::from_utf8_lossy(content);
        let mut fields: Option<Vec<FlowField>> = None;
        let mut line_offset = 0;
        for chunk in object::chunks(&text, CHUNK_LINES) {
            let mut log = formats::decode_vpc_flow_text(chunk, fields.as_deref());
            for r in &mut log.reject_samples {
                r.record += line_offset;
            }
            line_offset += chunk.matches('\n').count();
            if fields.is_none() {
                fields = Some(log.fields.clone());
            }
            self.store_flows(log, report)?;
        }
        Ok(())
    }

    fn store_flows(
        &self,
        log: formats::FlowLog,
        report: &mut ObjectReport,
    ) -> Result<(), IngestError> {
        report.rejected += log.rejected;
        for r in log.reject_samples {
            if report.rejects.len() < 10 {
                report.rejects.push(r);
            }
        }
        if log.records.is_empty() {
            return Ok(());
        }
        let rows = {
            let mut inner = self.inner.lock().expect("importer lock");
            let learned_before = inner.network.topology.len();
            let rows = inner.network.attribute(&self.ranges, &log.records);
            // Interfaces learned from the records (their tasks) are kept
            // with the rest; at most once an object's chunk grew them.
            if inner.network.topology.len() != learned_before {
                self.save(&inner.network)?;
            }
            rows
        };
        let batch = flow_batch(&rows).map_err(IngestError::Storage)?;
        self.append_waiting(vec![(DatasetName::flows(), batch)])?;
        report.records += rows.len();
        Ok(())
    }

    /// Writes the network knowledge atomically (temporary file, sync, rename).
    fn save(&self, network: &Network) -> Result<(), IngestError> {
        let Some(path) = &self.context_path else {
            return Ok(());
        };
        let write = || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = path.with_extension("json.tmp");
            let mut file = std::fs::File::create(&tmp)?;
            #[derive(serde::Serialize)]
            struct ContextRef<'a> {
                topology: &'a Topology,
                dns: &'a DnsIndex,
            }
            serde_json::to_writer(
                &mut std::io::BufWriter::new(&mut file),
                &ContextRef {
                    topology: &network.topology,
                    dns: &network.dns,
                },
            )?;
            file.flush()?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| IngestError::Storage(format!("saving {}: {e}", path.display())))
    }

    fn count(&self, report: &ObjectReport) {
        let mut inner = self.inner.lock().expect("importer lock");
        let name = report.kind.map_or("skipped", ImportKind::name);
        let k = inner.status.kinds.entry(name.to_owned()).or_default();
        k.objects += 1;
        k.records += report.records as u64;
        k.rejected += report.rejected as u64;
        k.bytes += report.bytes as u64;
        if report.problem.is_some() {
            k.problems += 1;
        }
        if report.problem.is_some() || report.rejected > 0 {
            if k.recent.len() == RECENT {
                k.recent.pop_front();
            }
            k.recent.push_back(report.clone());
        }
    }
}
