//! What an AWS log object is, from its key and its first bytes: the layout
//! AWS delivers logs in (`AWSLogs/<account>/<service>/<region>/YYYY/MM/DD/`,
//! the organization-trail variant with the organization id before the
//! account, the Hive-style partitions `aws-account-id=.../year=...`, WAF's
//! `WAFLogs/<region>/<web-acl>/YYYY/MM/DD/HH/mm/`, Application Load
//! Balancer access log files (`..._elasticloadbalancing_<region>_app.<name>.<id>_...`)
//! and CloudFront standard log files, which sit under any prefix as
//! `<distribution-id>.YYYY-MM-DD-HH.<unique>.gz`), and the content (gzip,
//! Parquet, a flow log header, CloudTrail's `{"Records":...}`, WAF records,
//! ALB entries, CloudFront's W3C header). The importer asks here which
//! decoder an object needs; later kinds (IAM dumps) add variants.

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
    /// AWS WAF web ACL traffic logs (`WAFLogs`; the key's region slot is
    /// `cloudfront` for web ACLs of CloudFront scope).
    Waf,
    /// Application Load Balancer access logs (`elasticloadbalancing`, a
    /// file of an `app.` load balancer; Classic and Network Load Balancer
    /// files are not recognised).
    Alb,
    /// CloudFront standard (access) logs.
    CloudFront,
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
            AwsLogKind::Waf => "waf_logs",
            AwsLogKind::Alb => "alb_access_logs",
            AwsLogKind::CloudFront => "cloudfront_logs",
        }
    }
}

/// What an object's key says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsLogKey {
    pub kind: AwsLogKind,
    /// Empty for CloudFront standard logs (their keys name no account).
    pub account_id: String,
    /// Set for organization trails (`AWSLogs/o-.../<account>/...`).
    pub organization_id: Option<String>,
    /// Empty for CloudFront standard logs; `cloudfront` for WAF logs of a
    /// web ACL of CloudFront scope.
    pub region: String,
    /// The delivery day (UTC) the key is filed under.
    pub date: (u16, u8, u8),
    /// The hour, with hourly Hive partitions, WAF logs and CloudFront logs.
    pub hour: Option<u8>,
    /// What logged: the web ACL's name (WAF), the load balancer
    /// (`app/<name>/<id>`, ALB), the distribution id (CloudFront).
    pub resource: Option<String>,
}

/// The key's layout, when it is one AWS delivers logs in.
pub fn parse_aws_log_key(key: &str) -> Option<AwsLogKey> {
    let parts: Vec<&str> = key.split('/').filter(|p| !p.is_empty()).collect();
    if let Some(at) = parts.iter().position(|p| *p == "AWSLogs")
        && let Some(parsed) = aws_logs(&parts[at + 1..])
    {
        return Some(parsed);
    }
    cloudfront(parts.last()?)
}

/// The parts of a key after `AWSLogs/`.
fn aws_logs(rest: &[&str]) -> Option<AwsLogKey> {
    if rest.first().is_some_and(|p| p.contains('=')) {
        return hive(rest);
    }
    let (organization_id, rest) = match rest.first() {
        Some(org) if org.starts_with("o-") => (Some((*org).to_owned()), &rest[1..]),
        _ => (None, rest),
    };
    let key = |kind, account: &str, region: &str, date, hour, resource| {
        is_account(account).then(|| AwsLogKey {
            kind,
            account_id: account.to_owned(),
            organization_id: organization_id.clone(),
            region: region.to_owned(),
            date,
            hour,
            resource,
        })
    };
    match rest {
        [
            account,
            "WAFLogs",
            region,
            acl,
            year,
            month,
            day,
            hour,
            minute,
            _file,
            ..,
        ] => {
            let hour = hour.parse().ok().filter(|h| *h < 24)?;
            minute.parse::<u8>().ok().filter(|m| *m < 60)?;
            let date = date(year, month, day)?;
            key(
                AwsLogKind::Waf,
                account,
                region,
                date,
                Some(hour),
                Some((*acl).to_owned()),
            )
        }
        [
            account,
            "elasticloadbalancing",
            region,
            year,
            month,
            day,
            file,
        ] => {
            let balancer = alb_file(file, account, region)?;
            let date = date(year, month, day)?;
            key(AwsLogKind::Alb, account, region, date, None, Some(balancer))
        }
        [account, folder, region, year, month, day, _file, ..] => {
            let kind = AwsLogKind::from_folder(folder)?;
            key(kind, account, region, date(year, month, day)?, None, None)
        }
        _ => None,
    }
}

/// The load balancer (`app/<name>/<id>`) of an ALB access log file,
/// `<account>_elasticloadbalancing_<region>_app.<name>.<id>_<end-time>_<ip>_<random>.log.gz`.
fn alb_file(file: &str, account: &str, region: &str) -> Option<String> {
    let rest = file
        .strip_prefix(account)?
        .strip_prefix("_elasticloadbalancing_")?
        .strip_prefix(region)?
        .strip_prefix("_app.")?;
    let (balancer, rest) = rest.split_once('_')?;
    let (name, id) = balancer.rsplit_once('.')?;
    let fine = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    (fine(name) && fine(id) && rest.contains('_')).then(|| format!("app/{name}/{id}"))
}

/// A CloudFront standard log file: `<distribution-id>.YYYY-MM-DD-HH.<unique>.gz`
/// (or without `.gz`, unpacked), under any prefix.
fn cloudfront(file: &str) -> Option<AwsLogKey> {
    let name = file.strip_suffix(".gz").unwrap_or(file);
    let [id, stamp, unique] = name.split('.').collect::<Vec<_>>()[..] else {
        return None;
    };
    let id_ok = (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let unique_ok = !unique.is_empty() && unique.bytes().all(|b| b.is_ascii_alphanumeric());
    let [year, month, day, hour] = stamp.split('-').collect::<Vec<_>>()[..] else {
        return None;
    };
    if !(id_ok && unique_ok && year.len() == 4 && month.len() == 2 && day.len() == 2) {
        return None;
    }
    let hour = (hour.len() == 2)
        .then(|| hour.parse().ok())
        .flatten()
        .filter(|h: &u8| *h < 24)?;
    Some(AwsLogKey {
        kind: AwsLogKind::CloudFront,
        account_id: String::new(),
        organization_id: None,
        region: String::new(),
        date: date(year, month, day)?,
        hour: Some(hour),
        resource: Some(id.to_owned()),
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
        resource: None,
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
    /// AWS WAF records: JSON objects with a `webaclId` and the request
    /// (`httpRequest`, `terminatingRuleId` or `httpSourceName`).
    WafLog,
    /// Application Load Balancer access log lines: a request type (`http`,
    /// `https`, `h2`, `grpcs`, `ws`, `wss`), a space and an ISO 8601 time.
    AlbLog,
    /// A CloudFront standard log: `#Version:`, then a `#Fields:` line
    /// naming CloudFront's `x-edge-` fields.
    CloudFrontLog,
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
        if first_object.contains("\"webaclId\"")
            && [
                "\"httpRequest\"",
                "\"terminatingRuleId\"",
                "\"httpSourceName\"",
            ]
            .iter()
            .any(|k| text.contains(k))
        {
            return Content::WafLog;
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
    let mut lines = text.lines();
    let first_line = lines.next().unwrap_or("");
    if let Some((kind, rest)) = first_line.split_once(' ')
        && crate::alb_log::ALB_TYPES.contains(&kind)
        && rest
            .split(' ')
            .next()
            .is_some_and(|t| t.len() > 10 && model::parse_rfc3339_nanos(t).is_some())
    {
        return Content::AlbLog;
    }
    let fields = if first_line.starts_with("#Version:") {
        lines.next().unwrap_or("")
    } else {
        first_line
    };
    if fields
        .strip_prefix("#Fields:")
        .is_some_and(|f| f.split_ascii_whitespace().any(|n| n.starts_with("x-edge-")))
    {
        return Content::CloudFrontLog;
    }
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
        assert_eq!(hive.resource, None);
    }

    #[test]
    fn http_log_keys() {
        let waf = parse_aws_log_key(
            "aws-waf-logs-prod/AWSLogs/111122223333/WAFLogs/us-east-1/prod-acl/2026/11/30/09/05/111122223333_waflogs_us-east-1_prod-acl_20261130T0905Z_1a2b3c4d.log.gz",
        )
        .unwrap();
        assert_eq!(waf.kind, AwsLogKind::Waf);
        assert_eq!(waf.kind.name(), "waf_logs");
        assert_eq!(
            (waf.account_id.as_str(), waf.region.as_str()),
            ("111122223333", "us-east-1")
        );
        assert_eq!((waf.date, waf.hour), ((2026, 11, 30), Some(9)));
        assert_eq!(waf.resource.as_deref(), Some("prod-acl"));
        let global = parse_aws_log_key(
            "AWSLogs/111122223333/WAFLogs/cloudfront/cdn-acl/2026/11/30/23/55/111122223333_waflogs_cloudfront_cdn-acl_20261130T2355Z_9f8e.log.gz",
        )
        .unwrap();
        assert_eq!(
            (global.region.as_str(), global.hour),
            ("cloudfront", Some(23))
        );

        // The example file name in AWS's "Access logs for your Application
        // Load Balancer" (with its bucket and prefix).
        let alb = parse_aws_log_key(
            "s3://amzn-s3-demo-logging-bucket/logging-prefix/AWSLogs/123456789012/elasticloadbalancing/us-east-2/2022/05/01/123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.1234567890abcdef_20220215T2340Z_172.160.001.192_20sg8hgm.log.gz",
        )
        .unwrap();
        assert_eq!(alb.kind, AwsLogKind::Alb);
        assert_eq!(alb.kind.name(), "alb_access_logs");
        assert_eq!((alb.region.as_str(), alb.date), ("us-east-2", (2022, 5, 1)));
        assert_eq!(
            alb.resource.as_deref(),
            Some("app/my-loadbalancer/1234567890abcdef")
        );

        // The example in CloudFront's "File name format", and one with no
        // prefix and unpacked.
        let cf = parse_aws_log_key("example-prefix/EMLARXS9EXAMPLE.2019-11-14-20.RT4KCN4SGK9.gz")
            .unwrap();
        assert_eq!(cf.kind, AwsLogKind::CloudFront);
        assert_eq!(cf.kind.name(), "cloudfront_logs");
        assert_eq!((cf.date, cf.hour), ((2019, 11, 14), Some(20)));
        assert_eq!(cf.resource.as_deref(), Some("EMLARXS9EXAMPLE"));
        assert_eq!((cf.account_id.as_str(), cf.region.as_str()), ("", ""));
        let bare = parse_aws_log_key("E2QWRUHAPOMQZL.2026-01-02-03.a1b2c3d4").unwrap();
        assert_eq!((bare.date, bare.hour), ((2026, 1, 2), Some(3)));
    }

    #[test]
    fn other_http_log_keys_are_not_recognised() {
        for key in [
            // Classic and Network Load Balancer files, connection logs.
            "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2014/02/15/123456789012_elasticloadbalancing_us-east-2_my-loadbalancer_20140215T2340Z_172.160.001.192_20sg8hgm.log",
            "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2022/05/01/123456789012_elasticloadbalancing_us-east-2_net.my-loadbalancer.1234567890abcdef_20220215T2340Z_2c2e2b5f.log.gz",
            "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2022/05/01/conn_log.123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.1234567890abcdef_20220215T2340Z_172.160.001.192_20sg8hgm.log.gz",
            // WAF keys without the hour and minute, or with a bad hour.
            "AWSLogs/111122223333/WAFLogs/us-east-1/prod-acl/2026/11/30/x.log.gz",
            "AWSLogs/111122223333/WAFLogs/us-east-1/prod-acl/2026/11/30/24/05/x.log.gz",
            // CloudFront-like names that are not.
            "logs/EMLARXS9EXAMPLE.2019-11-14.RT4KCN4SGK9.gz",
            "logs/emlarxs9example.2019-11-14-20.RT4KCN4SGK9.gz",
            "logs/EMLARXS9EXAMPLE.2019-11-14-25.RT4KCN4SGK9.gz",
            "logs/EMLARXS9EXAMPLE.2019-13-14-20.RT4KCN4SGK9.gz",
            "logs/EMLARXS9EXAMPLE.2019-11-14-20.RT4K.CN4SGK9.gz",
        ] {
            assert_eq!(parse_aws_log_key(key), None, "{key}");
        }
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

    #[test]
    fn http_logs_from_the_first_bytes() {
        assert_eq!(
            sniff(b"{\"timestamp\":1576280412771,\"formatVersion\":1,\"webaclId\":\"arn:aws:wafv2:ap-southeast-2:111122223333:regional/webacl/STMTest/1EXAMPLE\",\"terminatingRuleId\":\"STMTest_SQLi_XSS\",\"httpRequest\":{\"clientIp\":\"1.1.1.1\"}}\n"),
            Content::WafLog
        );
        assert_eq!(
            sniff(b"[\n  {\n    \"timestamp\": 1576280412771,\n    \"webaclId\": \"arn\",\n    \"httpRequest\": {}\n  }\n]"),
            Content::WafLog
        );
        assert_eq!(sniff(b"{\"webaclId\":\"arn\"}"), Content::Unknown);
        for kind in ["http", "https", "h2", "grpcs", "ws", "wss"] {
            let line = format!(
                "{kind} 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 \"GET http://www.example.com:80/ HTTP/1.1\""
            );
            assert_eq!(sniff(line.as_bytes()), Content::AlbLog, "{kind}");
        }
        for not_alb in [
            "http 2018-07-02 app/x",
            "tcp 2018-07-02T22:23:00.186641Z app/x",
            "2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80",
        ] {
            assert_eq!(sniff(not_alb.as_bytes()), Content::Unknown, "{not_alb}");
        }
        assert_eq!(
            sniff(b"#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method\n2019-12-04\t21:02:31"),
            Content::CloudFrontLog
        );
        assert_eq!(
            sniff(b"#Version: 1.0\r\n#Fields: c-ip date time x-edge-request-id\r\n"),
            Content::CloudFrontLog
        );
        assert_eq!(
            sniff(b"#Version: 1.0\n#Fields: date time c-ip cs-method\n"),
            Content::Unknown,
            "W3C, but not CloudFront's"
        );
    }
}
