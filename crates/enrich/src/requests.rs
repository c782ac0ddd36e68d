//! One HTTP request logged by AWS WAF, an Application Load Balancer or
//! CloudFront as a row of the `requests` dataset: the decoded entry, the
//! account and region its object's key names, and its client's place
//! (`geoip`; WAF's own country when the databases do not know the
//! address). WAF records also pass through the detections, as audit-like
//! rows whose entity is the client address.

use arrow::record_batch::RecordBatch;
use formats::{HttpLogSource, HttpRequestEntry};
use model::DatasetKind;

use crate::audit::{AuditRow, ip_of};
use crate::geoip::{GeoIp, Place};

/// One row of the `requests` dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRow {
    pub entry: HttpRequestEntry,
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub place: Place,
}

impl RequestRow {
    /// The entry placed; `account_id` and `region` from the object's key.
    pub fn new(
        entry: HttpRequestEntry,
        account_id: Option<String>,
        region: Option<String>,
        geo: &GeoIp,
    ) -> RequestRow {
        let mut place = entry
            .client_ip
            .as_deref()
            .and_then(ip_of)
            .map(|ip| geo.lookup(ip))
            .unwrap_or_default();
        if place.country.is_none() {
            place.country = entry.country.clone();
        }
        RequestRow {
            entry,
            account_id,
            region,
            place,
        }
    }

    /// The request as the detections see it (WAF's rules): the client's
    /// address is the entity, WAF's action the event's name.
    pub fn detection_row(&self) -> AuditRow {
        let e = &self.entry;
        AuditRow {
            time: e.time,
            source: e.source.name(),
            event_id: e.request_id.clone(),
            event_source: e.resource.clone(),
            event_name: e.action.clone(),
            event_type: Some(
                [e.method.as_deref(), e.path.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
            )
            .filter(|s| !s.is_empty()),
            account_id: self.account_id.clone(),
            region: self.region.clone(),
            source_ip: e.client_ip.clone(),
            user_agent: e.user_agent.clone(),
            place: self.place.clone(),
            request_id: e.request_id.clone(),
            raw: e.raw.clone(),
            ..AuditRow::default()
        }
    }

    pub fn is_waf(&self) -> bool {
        self.entry.source == HttpLogSource::Waf
    }
}

/// The rows as one batch of the `requests` dataset's core columns.
pub fn requests_batch(rows: &[RequestRow]) -> Result<RecordBatch, String> {
    let labels: Vec<Option<String>> = rows
        .iter()
        .map(|r| (!r.entry.labels.is_empty()).then(|| r.entry.labels.join(",")))
        .collect();
    let c = model::Columns::new(rows);
    model::batch_of(DatasetKind::Requests, rows.len(), |name, ty| {
        Some(match name {
            model::TIME_COLUMN => c.time(ty, &|r| Some(r.entry.time)),
            "source" => c.text(&|r| Some(r.entry.source.name())),
            "account_id" => c.text(&|r| r.account_id.as_deref()),
            "region" => c.text(&|r| r.region.as_deref()),
            "resource" => c.text(&|r| r.entry.resource.as_deref()),
            "request_id" => c.text(&|r| r.entry.request_id.as_deref()),
            "client_ip" => c.text(&|r| r.entry.client_ip.as_deref()),
            "client_port" => c.int(&|r| r.entry.client_port.map(i64::from)),
            "country" => c.text(&|r| r.place.country.as_deref()),
            "city" => c.text(&|r| r.place.city.as_deref()),
            "latitude" => c.float(&|r| r.place.latitude),
            "longitude" => c.float(&|r| r.place.longitude),
            "asn" => c.int(&|r| r.place.asn.map(i64::from)),
            "as_org" => c.text(&|r| r.place.as_org.as_deref()),
            "method" => c.text(&|r| r.entry.method.as_deref()),
            "scheme" => c.text(&|r| r.entry.scheme.as_deref()),
            "host" => c.text(&|r| r.entry.host.as_deref()),
            "path" => c.text(&|r| r.entry.path.as_deref()),
            "query" => c.text(&|r| r.entry.query.as_deref()),
            "protocol" => c.text(&|r| r.entry.protocol.as_deref()),
            "status" => c.int(&|r| r.entry.status.map(i64::from)),
            "action" => c.text(&|r| r.entry.action.as_deref()),
            "rule" => c.text(&|r| r.entry.rule.as_deref()),
            "labels" => model::Columns::new(&labels).text(&|l| l.as_deref()),
            "user_agent" => c.text(&|r| r.entry.user_agent.as_deref()),
            "referer" => c.text(&|r| r.entry.referer.as_deref()),
            "bytes_in" => c.int(&|r| r.entry.bytes_in.map(|b| b as i64)),
            "bytes_out" => c.int(&|r| r.entry.bytes_out.map(|b| b as i64)),
            "duration_ms" => c.float(&|r| r.entry.duration_ms),
            "raw" => c.text(&|r| Some(r.entry.raw.as_str())),
            _ => return None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waf_block_is_placed_and_becomes_a_detection_row() {
        let log = formats::decode_waf_log(
            br#"{"timestamp":1576280412771,"formatVersion":1,"webaclId":"arn:aws:wafv2:ap-southeast-2:111122223333:regional/webacl/STMTest/1EXAMPLE","terminatingRuleId":"STMTest_SQLi_XSS","terminatingRuleType":"REGULAR","action":"BLOCK","httpSourceName":"ALB","httpSourceId":"alb","ruleGroupList":[],"rateBasedRuleList":[],"nonTerminatingMatchingRules":[],"httpRequest":{"clientIp":"81.2.69.142","country":"GB","headers":[{"name":"Host","value":"shop.example.com"},{"name":"User-Agent","value":"sqlmap/1.7"}],"uri":"/search","args":"q=1%27%20OR%201=1","httpVersion":"HTTP/1.1","httpMethod":"GET","requestId":"rid-1"},"labels":[{"name":"awswaf:managed:aws:sql-database:SQLi_QueryArguments"}]}"#,
        );
        assert_eq!(log.entries.len(), 1, "{:?}", log.reject_samples);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/maxmind");
        let geo = GeoIp::from_bytes(
            Some(std::fs::read(format!("{dir}/GeoLite2-City-Test.mmdb")).unwrap()),
            None,
        )
        .unwrap();
        let row = RequestRow::new(
            log.entries[0].clone(),
            Some("111122223333".into()),
            Some("ap-southeast-2".into()),
            &geo,
        );
        assert_eq!(row.place.city.as_deref(), Some("London"));
        let d = row.detection_row();
        assert_eq!(
            (d.source, d.source_ip.as_deref(), d.event_name.as_deref()),
            ("waf", Some("81.2.69.142"), Some("BLOCK"))
        );
        assert_eq!(d.event_type.as_deref(), Some("GET /search"));
        assert_eq!(d.actor, None);
        let batch = requests_batch(&[row]).unwrap();
        assert_eq!(batch.num_rows(), 1);
        let labels = batch
            .column_by_name("labels")
            .unwrap()
            .as_any()
            .downcast_ref::<arrow::array::StringArray>()
            .unwrap()
            .value(0)
            .to_owned();
        assert_eq!(
            labels,
            "awswaf:managed:aws:sql-database:SQLi_QueryArguments"
        );
    }
}
