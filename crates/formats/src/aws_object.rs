//! What an AWS log object is, from its key and its first bytes: the layout
//! AWS delivers logs in (`AWSLogs/<account>/<service>/<region>/YYYY/MM/DD/`,
//! the organization-trail variant with the organization id before the
//! account, and the Hive-style partitions `aws-account-id=.../year=...`),
//! and the content (gzip, Parquet, a flow log header, CloudTrail's
//! `{"Records":...}`). The importer asks here which decoder an object
//! needs; later kinds (WAF, ALB, Okta, IAM dumps) add variants.

/// The kinds of log object the importer knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AwsLogKind {
    VpcFlowLogs,
    /// Route 53 Resolver query logs (`vpcdnsquerylogs`; the key's region
    /// slot holds the VPC id).
    ResolverQueryLogs,
    CloudTrail,
    /// CloudTrail's digest files: signatures of the log files, not events
    /// (skipped by the importer).
    CloudTrailDigest,
}

impl AwsLogKind {
    /// The service folder AWS names in keys.
    fn from_folder(folder: &str) -> Option<AwsLogKind> {
        match folder {
            "vpcflowlogs" => Some(AwsLogKind::VpcFlowLogs),
            "vpcdnsquerylogs" => Some(AwsLogKind::ResolverQueryLogs),
            "CloudTrail" => Some(AwsLogKind::CloudTrail),
            "CloudTrail-Digest" => Some(AwsLogKind::CloudTrailDigest),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AwsLogKind::VpcFlowLogs => "vpc_flow_logs",
            AwsLogKind::ResolverQueryLogs => "resolver_query_logs",
            AwsLogKind::CloudTrail => "cloudtrail",
            AwsLogKind::CloudTrailDigest => "cloudtrail_digest",
        }
    }
}

/// What an object's key says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsLogKey {
    pub kind: AwsLogKind,
    pub account_id: String,
    /// Set for organization trails (`AWSLogs/o-.../<account>/...`).
    pub organization_id: Option<String>,
    pub region: String,
    /// The delivery day (UTC) the key is filed under.
    pub date: (u16, u8, u8),
    /// The hour, with hourly Hive partitions.
    pub hour: Option<u8>,
}

/// The key's layout, when it is one AWS delivers logs in.
pub fn parse_aws_log_key(key: &str) -> Option<AwsLogKey> {
    let parts: Vec<&str> = key.split('/').filter(|p| !p.is_empty()).collect();
    let at = parts.iter().position(|p| *p == "AWSLogs")?;
    let rest = &parts[at + 1..];
    if rest.first().is_some_and(|p| p.contains('=')) {
        return hive(rest);
    }
    let (organization_id, rest) = match rest.first() {
        Some(org) if org.starts_with("o-") => (Some((*org).to_owned()), &rest[1..]),
        _ => (None, rest),
    };
    let [account, folder, region, year, month, day, _file, ..] = rest else {
        return None;
    };
    if !is_account(account) {
        return None;
    }
    Some(AwsLogKey {
        kind: AwsLogKind::from_folder(folder)?,
        account_id: (*account).to_owned(),
        organization_id,
        region: (*region).to_owned(),
        date: date(year, month, day)?,
        hour: None,
    })
}

/// `aws-account-id=.../aws-service=.../aws-region=.../year=.../month=.../day=.../[hour=.../]file`.
fn hive(parts: &[&str]) -> Option<AwsLogKey> {
    let value = |name: &str| {
        parts.iter().find_map(|p| {
            p.split_once('=')
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| v)
        })
    };
    let account = value("aws-account-id")?;
    if !is_account(account) {
        return None;
    }
    let hour = match value("hour") {
        Some(h) => Some(h.parse().ok().filter(|h| *h < 24)?),
        None => None,
    };
    Some(AwsLogKey {
        kind: AwsLogKind::from_folder(value("aws-service")?)?,
        account_id: account.to_owned(),
        organization_id: None,
        region: value("aws-region")?.to_owned(),
        date: date(value("year")?, value("month")?, value("day")?)?,
        hour,
    })
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn date(year: &str, month: &str, day: &str) -> Option<(u16, u8, u8)> {
    let (y, m, d): (u16, u8, u8) = (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    ((1970..=9999).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then_some((y, m, d))
}

/// What an object's first bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// gzip: decompress, then look again.
    Gzip,
    Parquet,
    /// Text whose first line is a flow log header.
    VpcFlowLogText,
    /// A JSON object with a `Records` array (CloudTrail's files).
    CloudTrailRecords,
    /// Single CloudTrail events: an object, an array or JSON lines of
    /// records, or EventBridge events carrying them.
    CloudTrailEvent,
    /// Okta System Log events: an API page, JSON lines, EventBridge.
    OktaEvent,
    /// `aws ec2 describe-network-interfaces` output.
    EniInventory,
    /// JSON lines with a `query_name` (Route 53 Resolver query logs).
    ResolverQueryLog,
    Unknown,
}

/// The content of an object from its first bytes (a few hundred suffice).
pub fn sniff(head: &[u8]) -> Content {
    if head.starts_with(&[0x1f, 0x8b]) {
        return Content::Gzip;
    }
    if head.starts_with(b"PAR1") {
        return Content::Parquet;
    }
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('[') || text.starts_with('{') {
        let first_object = &text[..text.len().min(2048)];
        let record = first_object.contains("\"eventSource\"")
            && first_object.contains("\"eventName\"")
            && (first_object.contains("\"eventTime\"")
                || first_object.contains("\"eventVersion\""));
        let bridge =
            first_object.contains("\"detail-type\"") && first_object.contains("via CloudTrail\"");
        if (record || bridge)
            && !text
                .trim_start_matches('{')
                .trim_start()
                .starts_with("\"Records\"")
        {
            return Content::CloudTrailEvent;
        }
        let lower = first_object.to_ascii_lowercase();
        if lower.contains("\"eventtype\"")
            && lower.contains("\"published\"")
            && lower.contains("\"actor\"")
        {
            return Content::OktaEvent;
        }
    }
    if let Some(after_brace) = text.strip_prefix('{') {
        let after_brace = after_brace.trim_start();
        if after_brace.starts_with("\"Records\"") {
            return Content::CloudTrailRecords;
        }
        if after_brace.starts_with("\"NetworkInterfaces\"") {
            return Content::EniInventory;
        }
        let first_line = text.lines().next().unwrap_or("");
        if first_line.contains("\"query_name\"") && first_line.contains("\"query_timestamp\"") {
            return Content::ResolverQueryLog;
        }
        return Content::Unknown;
    }
    let first_line = text.lines().next().unwrap_or("");
    let mut words = first_line.split_ascii_whitespace();
    let is_header = words
        .next()
        .is_some_and(|w| crate::vpc_flow::FlowField::from_name(w).is_some())
        && words.all(|w| crate::vpc_flow::FlowField::from_name(w).is_some());
    if is_header {
        Content::VpcFlowLogText
    } else {
        Content::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_in_every_aws_layout() {
        let flow = parse_aws_log_key(
            "logs/AWSLogs/123456789012/vpcflowlogs/ap-northeast-2/2026/11/30/123456789012_vpcflowlogs_ap-northeast-2_fl-0a1b2c3d4e5f60718_20261130T0905Z_4f3e2d1c.log.gz",
        )
        .unwrap();
        assert_eq!(flow.kind, AwsLogKind::VpcFlowLogs);
        assert_eq!(flow.account_id, "123456789012");
        assert_eq!(flow.region, "ap-northeast-2");
        assert_eq!(flow.date, (2026, 11, 30));
        assert_eq!((flow.organization_id, flow.hour), (None, None));

        let org = parse_aws_log_key(
            "AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2026/01/02/111122223333_CloudTrail_us-east-1_20260102T0000Z_abcdEFGH.json.gz",
        )
        .unwrap();
        assert_eq!(org.kind, AwsLogKind::CloudTrail);
        assert_eq!(org.organization_id.as_deref(), Some("o-a1b2c3d4e5"));
        assert_eq!(org.account_id, "111122223333");

        let dns = parse_aws_log_key(
            "AWSLogs/123456789012/vpcdnsquerylogs/vpc-0fe1c2d3b4a596870/2026/11/30/123456789012_vpcdnsquerylogs_vpc-0fe1c2d3b4a596870_20261130T0905Z_9a8b7c6d.log.gz",
        )
        .unwrap();
        assert_eq!(dns.kind, AwsLogKind::ResolverQueryLogs);

        let digest = parse_aws_log_key(
            "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/01/02/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20260102T010000Z.json.gz",
        )
        .unwrap();
        assert_eq!(digest.kind, AwsLogKind::CloudTrailDigest);

        let hive = parse_aws_log_key(
            "flows/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=ap-northeast-2/year=2026/month=11/day=30/hour=09/123456789012_vpcflowlogs_ap-northeast-2_fl-0a1b_20261130T0900Z_1a2b.log.parquet",
        )
        .unwrap();
        assert_eq!(hive.kind, AwsLogKind::VpcFlowLogs);
        assert_eq!(hive.date, (2026, 11, 30));
        assert_eq!(hive.hour, Some(9));
    }

    #[test]
    fn other_keys_are_not_aws_logs() {
        for key in [
            "AWSLogs/123456789012/vpcflowlogs/ap-northeast-2/2026/11/30/",
            "AWSLogs/12345/vpcflowlogs/ap-northeast-2/2026/11/30/x.log.gz",
            "AWSLogs/123456789012/elasticloadbalancing/ap-northeast-2/2026/11/30/x.log.gz",
            "AWSLogs/123456789012/vpcflowlogs/ap-northeast-2/2026/13/30/x.log.gz",
            "logs/2026/11/30/x.log.gz",
            "AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/year=2026/month=11/day=30/x.parquet",
        ] {
            assert_eq!(parse_aws_log_key(key), None, "{key}");
        }
    }

    #[test]
    fn content_from_the_first_bytes() {
        assert_eq!(sniff(&[0x1f, 0x8b, 8, 0]), Content::Gzip);
        assert_eq!(sniff(b"PAR1\x15\x04"), Content::Parquet);
        assert_eq!(
            sniff(b"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n2 1"),
            Content::VpcFlowLogText
        );
        assert_eq!(
            sniff(b"{\"Records\":[{\"eventVersion\":\"1.08\""),
            Content::CloudTrailRecords
        );
        assert_eq!(sniff(b"{ \"Records\" : []}"), Content::CloudTrailRecords);
        assert_eq!(sniff(b"{\"eventVersion\":\"1.08\"}"), Content::Unknown);
        assert_eq!(
            sniff(b"{\n    \"NetworkInterfaces\": [\n"),
            Content::EniInventory
        );
        assert_eq!(
            sniff(b"{\"version\":\"1.100000\",\"account_id\":\"1\",\"query_timestamp\":\"2026-11-30T09:05:12Z\",\"query_name\":\"a.b.\"}\n{"),
            Content::ResolverQueryLog
        );
        assert_eq!(
            sniff(b"2 123456789010 eni-1 - - - - - - - 1 2 - NODATA"),
            Content::Unknown
        );
        assert_eq!(sniff(b"version account-id bogus"), Content::Unknown);
        assert_eq!(sniff(b""), Content::Unknown);
    }
}
