//! One object's bytes to its kind and its text or Arrow batches: gzip is
//! undone (a truncated stream keeps what was read, and says so), the kind
//! comes from `--kind`, else the key's `AWSLogs/` layout, else the content.

use std::io::Read;

use formats::{AwsLogKind, Content};

/// The kinds `hannun import` reads.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// `aws ec2 describe-network-interfaces` JSON.
    EniInventory,
    /// Route 53 Resolver query logs (JSON lines).
    ResolverQueryLogs,
    /// VPC Flow Logs, text or Parquet.
    VpcFlowLogs,
    /// CloudTrail events: trail files, arrays, JSON lines, EventBridge.
    Cloudtrail,
    /// Okta System Log events: API pages, JSON lines, EventBridge.
    Okta,
    /// AWS WAF web ACL logs (JSON lines, Firehose, CloudWatch Logs).
    WafLogs,
    /// Application Load Balancer access logs.
    AlbAccessLogs,
    /// CloudFront standard (access) logs, W3C format.
    CloudfrontLogs,
}

impl ImportKind {
    pub const ALL: [ImportKind; 8] = [
        ImportKind::EniInventory,
        ImportKind::ResolverQueryLogs,
        ImportKind::VpcFlowLogs,
        ImportKind::Cloudtrail,
        ImportKind::Okta,
        ImportKind::WafLogs,
        ImportKind::AlbAccessLogs,
        ImportKind::CloudfrontLogs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ImportKind::EniInventory => "eni_inventory",
            ImportKind::ResolverQueryLogs => "resolver_query_logs",
            ImportKind::VpcFlowLogs => "vpc_flow_logs",
            ImportKind::Cloudtrail => "cloudtrail",
            ImportKind::Okta => "okta",
            ImportKind::WafLogs => "waf_logs",
            ImportKind::AlbAccessLogs => "alb_access_logs",
            ImportKind::CloudfrontLogs => "cloudfront_logs",
        }
    }

    pub fn from_name(name: &str) -> Option<ImportKind> {
        ImportKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Objects of a kind are imported in this order within one run: the
    /// inventory and the DNS answers first, so the flows find them.
    pub fn order(self) -> u8 {
        match self {
            ImportKind::EniInventory => 0,
            ImportKind::ResolverQueryLogs => 1,
            ImportKind::VpcFlowLogs
            | ImportKind::Cloudtrail
            | ImportKind::Okta
            | ImportKind::WafLogs
            | ImportKind::AlbAccessLogs
            | ImportKind::CloudfrontLogs => 2,
        }
    }
}

/// Where an object goes in an import run, by its key alone: keys of no
/// AWS log layout (an interface inventory) first, then Resolver query logs,
/// then the other AWS logs, so flows find the inventory and DNS answers.
pub fn import_order(key: &str) -> u8 {
    match formats::parse_aws_log_key(key).map(|k| k.kind) {
        None => 0,
        Some(AwsLogKind::ResolverQueryLogs) => 1,
        Some(_) => 2,
    }
}

/// Decoded bytes beyond this are refused: AWS rolls flow log and query
/// log files over well before (tens of MB).
pub const MAX_OBJECT_DECODED_BYTES: usize = 1 << 30;

/// An object's content, gzip undone.
pub(crate) struct Opened {
    pub bytes: Vec<u8>,
    /// Why the object ended early (a truncated or corrupt gzip stream).
    pub truncated: Option<String>,
}

/// Undoes gzip (every member, as AWS concatenates them), keeping what was
/// read before an error.
pub(crate) fn open(body: &[u8]) -> Opened {
    if formats::sniff(body) != Content::Gzip {
        return Opened {
            bytes: body.to_vec(),
            truncated: None,
        };
    }
    let mut out = Vec::new();
    let mut decoder =
        flate2::read::MultiGzDecoder::new(body).take(MAX_OBJECT_DECODED_BYTES as u64 + 1);
    let mut buf = vec![0u8; 64 << 10];
    loop {
        match decoder.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => {
                return Opened {
                    bytes: out,
                    truncated: Some(format!("the gzip stream ends early or is corrupt: {e}")),
                };
            }
        }
        if out.len() > MAX_OBJECT_DECODED_BYTES {
            out.truncate(MAX_OBJECT_DECODED_BYTES);
            return Opened {
                bytes: out,
                truncated: Some(format!(
                    "the object decompresses to more than {} MiB; the rest was not read",
                    MAX_OBJECT_DECODED_BYTES >> 20
                )),
            };
        }
    }
    Opened {
        bytes: out,
        truncated: None,
    }
}

/// What an object is, from its key and then its content, or why that
/// cannot be said (`Err`: the reason it is skipped).
pub(crate) fn detect(key: &str, content: &[u8]) -> Result<ImportKind, String> {
    if let Some(parsed) = formats::parse_aws_log_key(key) {
        match parsed.kind {
            AwsLogKind::VpcFlowLogs => return Ok(ImportKind::VpcFlowLogs),
            AwsLogKind::ResolverQueryLogs => return Ok(ImportKind::ResolverQueryLogs),
            AwsLogKind::CloudTrailDigest => {
                return Err("a CloudTrail digest file (signatures, not events): skipped".into());
            }
            AwsLogKind::CloudTrail => return Ok(ImportKind::Cloudtrail),
            AwsLogKind::Waf => return Ok(ImportKind::WafLogs),
            AwsLogKind::Alb => return Ok(ImportKind::AlbAccessLogs),
            AwsLogKind::CloudFront => return Ok(ImportKind::CloudfrontLogs),
        }
    }
    let head = &content[..content.len().min(4096)];
    match formats::sniff(head) {
        Content::VpcFlowLogText | Content::Parquet => Ok(ImportKind::VpcFlowLogs),
        Content::EniInventory => Ok(ImportKind::EniInventory),
        Content::ResolverQueryLog => Ok(ImportKind::ResolverQueryLogs),
        Content::CloudTrailRecords | Content::CloudTrailEvent => Ok(ImportKind::Cloudtrail),
        Content::OktaEvent => Ok(ImportKind::Okta),
        Content::WafLog => Ok(ImportKind::WafLogs),
        Content::AlbLog => Ok(ImportKind::AlbAccessLogs),
        Content::CloudFrontLog => Ok(ImportKind::CloudfrontLogs),
        Content::Gzip => Err("gzip inside gzip: not a log AWS writes".into()),
        Content::Unknown => Err(
            "not a known log: neither an AWSLogs/ key nor a flow log header, Resolver query log line, CloudTrail or Okta event, WAF, ALB or CloudFront log or describe-network-interfaces document".into(),
        ),
    }
}

/// Splits text into chunks of about `lines` lines, at line ends.
pub(crate) fn chunks(text: &str, lines: usize) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = 0;
        for _ in 0..lines {
            match rest[end..].find('\n') {
                Some(i) => end += i + 1,
                None => {
                    end = rest.len();
                    break;
                }
            }
        }
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_truncated_gzip_keeps_what_was_read() {
        let text = "version srcaddr\n".to_owned() + &"2 10.0.0.1\n".repeat(10_000);
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(text.as_bytes()).unwrap();
        let gz = e.finish().unwrap();
        let whole = open(&gz);
        assert_eq!(whole.bytes, text.as_bytes());
        assert!(whole.truncated.is_none());
        let cut = open(&gz[..gz.len() / 2]);
        assert!(
            cut.truncated.as_deref().unwrap().contains("ends early"),
            "{:?}",
            cut.truncated
        );
        assert!(!cut.bytes.is_empty() && cut.bytes.len() < text.len());
    }

    #[test]
    fn chunks_split_at_line_ends() {
        let text = "a\nb\nc\nd\ne";
        let parts: Vec<&str> = chunks(text, 2).collect();
        assert_eq!(parts, ["a\nb\n", "c\nd\n", "e"]);
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn kinds_from_keys_then_content() {
        assert_eq!(
            detect(
                "AWSLogs/123456789012/vpcflowlogs/ap-northeast-2/2026/12/01/x.log.gz",
                b""
            ),
            Ok(ImportKind::VpcFlowLogs)
        );
        assert_eq!(
            detect("inv.json", b"{\"NetworkInterfaces\": []}"),
            Ok(ImportKind::EniInventory)
        );
        assert!(
            detect("notes.txt", b"hello")
                .unwrap_err()
                .contains("not a known log")
        );
        assert!(
            detect(
                "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/01/02/d.json.gz",
                b""
            )
            .unwrap_err()
            .contains("digest")
        );
        let event = br#"{"eventVersion":"1.08","userIdentity":{"type":"Root"},"eventTime":"2026-12-01T09:00:00Z","eventSource":"s3.amazonaws.com","eventName":"CreateBucket"}"#;
        assert_eq!(detect("event.json", event), Ok(ImportKind::Cloudtrail));
        assert_eq!(
            detect("stratus.json", &[b"[\n  ".as_slice(), event].concat()),
            Ok(ImportKind::Cloudtrail)
        );
        assert_eq!(
            detect("trail.json", br#"{"Records":[]}"#),
            Ok(ImportKind::Cloudtrail)
        );
    }
}
