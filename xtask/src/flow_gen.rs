//! Synthetic AWS network logs for `cargo xtask bench-flows`, written as
//! AWS writes them: a `describe-network-interfaces` document, one Resolver
//! query log, and flow log objects in a custom version-5 format with a
//! header. Every connection appears on every interface that sees it: the
//! task's own (egress and ingress), a NAT gateway's four legs, an
//! interface endpoint's two. Hundreds of tasks in two zones, 60-second
//! capture windows, objects of at most `LINES_PER_OBJECT` records.

use std::fmt::Write as _;

pub(crate) const FORMAT: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id az-id pkt-srcaddr pkt-dstaddr flow-direction traffic-path";
const LINES_PER_OBJECT: usize = 100_000;
const ACCOUNT: &str = "123456789012";
const VPC: &str = "vpc-0b1e2c3d4e5f60718";
pub(crate) const TASKS: usize = 400;
const SERVICES: [&str; 20] = [
    "web-bff",
    "auth-api",
    "cards-api",
    "cards-ocr",
    "jobs-api",
    "jobs-search",
    "jobs-reco",
    "community-api",
    "feed-worker",
    "ads-api",
    "ads-bidder",
    "research-api",
    "gifts-api",
    "gifts-payment",
    "search-indexer",
    "notify-worker",
    "media-api",
    "billing-api",
    "report-worker",
    "admin-api",
];
/// Destinations: name, address, route (0 NAT, 1 endpoint).
const DESTINATIONS: [(&str, &str, u8); 8] = [
    ("uploads.s3.ap-northeast-2.amazonaws.com", "3.5.140.10", 0),
    ("sqs.ap-northeast-2.amazonaws.com", "52.95.194.10", 0),
    ("sns.ap-northeast-2.amazonaws.com", "52.95.195.20", 0),
    ("kms.ap-northeast-2.amazonaws.com", "52.95.197.40", 0),
    ("api.stripe.com", "54.187.216.72", 0),
    ("fcm.googleapis.com", "142.250.196.10", 0),
    ("api.partner.example", "198.51.100.7", 0),
    ("api.ecr.ap-northeast-2.amazonaws.com", "10.30.1.200", 1),
];

fn zone(i: usize) -> (&'static str, &'static str) {
    if i.is_multiple_of(2) {
        ("ap-northeast-2a", "apne2-az1")
    } else {
        ("ap-northeast-2c", "apne2-az3")
    }
}

fn task_ip(t: usize) -> String {
    format!("10.30.{}.{}", 10 + t / 200, 10 + t % 200)
}

/// The interface inventory.
pub(crate) fn inventory() -> String {
    let mut interfaces = Vec::new();
    for z in 0..2 {
        interfaces.push(serde_json::json!({
            "NetworkInterfaceId": format!("eni-0nat{z:013}"), "InterfaceType": "nat_gateway",
            "Description": format!("Interface for NAT Gateway nat-0bench{z:012}"),
            "VpcId": VPC, "AvailabilityZone": zone(z).0, "PrivateIpAddress": format!("10.30.{}.10", 100 + z),
            "Association": {"PublicIp": format!("3.38.20.{}", 11 + z)}, "TagSet": []
        }));
    }
    interfaces.push(serde_json::json!({
        "NetworkInterfaceId": "eni-0vpce000000000001", "InterfaceType": "vpc_endpoint",
        "Description": "VPC Endpoint Interface vpce-0bench00000000001", "VpcId": VPC,
        "AvailabilityZone": zone(0).0, "PrivateIpAddress": "10.30.1.200", "TagSet": []
    }));
    for t in 0..TASKS {
        interfaces.push(serde_json::json!({
            "NetworkInterfaceId": format!("eni-0task{t:012}"), "InterfaceType": "interface",
            "Description": format!("arn:aws:ecs:ap-northeast-2:{ACCOUNT}:attachment/{t:08x}-0000-4000-8000-000000000000"),
            "VpcId": VPC, "AvailabilityZone": zone(t).0, "PrivateIpAddress": task_ip(t),
            "TagSet": [{"Key": "service", "Value": SERVICES[t % SERVICES.len()]}, {"Key": "env", "Value": "prod"}]
        }));
    }
    serde_json::json!({ "NetworkInterfaces": interfaces }).to_string()
}

/// The Resolver query log: every task resolves every name once.
pub(crate) fn resolver_log(start_s: i64) -> String {
    let mut out = String::new();
    let ts = crate::flow_gen::rfc3339(start_s);
    for t in 0..TASKS {
        for (name, address, _) in DESTINATIONS {
            let _ = writeln!(
                out,
                "{{\"version\":\"1.100000\",\"account_id\":\"{ACCOUNT}\",\"region\":\"ap-northeast-2\",\"vpc_id\":\"{VPC}\",\"query_timestamp\":\"{ts}\",\"query_name\":\"{name}.\",\"query_type\":\"A\",\"query_class\":\"IN\",\"rcode\":\"NOERROR\",\"answers\":[{{\"Rdata\":\"{address}\",\"Type\":\"A\",\"Class\":\"IN\"}}],\"srcaddr\":\"{}\",\"srcport\":\"40000\",\"transport\":\"UDP\",\"srcids\":{{}}}}",
                task_ip(t)
            );
        }
    }
    out
}

/// `YYYY-MM-DDTHH:MM:SSZ` of seconds since the epoch, as AWS writes times.
pub(crate) fn rfc3339(s: i64) -> String {
    let days = s.div_euclid(86_400);
    let secs = s.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Flow log objects with at least `records` records from `start_s`, one
/// 60-second window after another; calls `sink(key, text, records)`.
/// Returns the window end.
pub(crate) fn flow_logs(
    records: usize,
    start_s: i64,
    sink: &mut dyn FnMut(String, String, usize),
) -> i64 {
    let mut written = 0;
    let mut window = start_s;
    let mut out = String::from(FORMAT);
    out.push('\n');
    let mut lines = 0;
    let mut object = 0;
    let mut flush = |out: &mut String, lines: &mut usize, window: i64, object: &mut usize| {
        if *lines == 0 {
            return;
        }
        *object += 1;
        let key = format!(
            "AWSLogs/{ACCOUNT}/vpcflowlogs/ap-northeast-2/{}/{ACCOUNT}_vpcflowlogs_ap-northeast-2_fl-0bench_{}_{:08x}.log",
            rfc3339(window)[..10].replace('-', "/"),
            rfc3339(window).replace(['-', ':'], "").replace("00Z", "Z"),
            *object
        );
        let text = std::mem::replace(out, String::from(FORMAT) + "\n");
        sink(key, text, *lines);
        *lines = 0;
    };
    while written < records {
        let end = window + 59;
        for t in 0..TASKS {
            let (dest, address, route) =
                DESTINATIONS[(t + (window / 60) as usize) % DESTINATIONS.len()];
            let _ = dest;
            let ip = task_ip(t);
            let eni = format!("eni-0task{t:012}");
            let az = zone(t).1;
            let port = 32_768 + ((t * 7919 + (window / 3600) as usize) % 28_000) as u16;
            let up = 20_000 + (t * 131 % 50_000) as u64;
            let down = up * 7;
            let path = 1;
            let mut rec = |eni: &str,
                           src: &str,
                           dst: &str,
                           sp: u16,
                           dp: u16,
                           bytes: u64,
                           ps: &str,
                           pd: &str,
                           dir: &str,
                           tp: &str,
                           az: &str| {
                let _ = writeln!(
                    out,
                    "5 {ACCOUNT} {eni} {src} {dst} {sp} {dp} 6 {} {bytes} {window} {end} ACCEPT OK {VPC} {az} {ps} {pd} {dir} {tp}",
                    bytes / 1300 + 1
                );
            };
            rec(
                &eni,
                &ip,
                address,
                port,
                443,
                up,
                &ip,
                address,
                "egress",
                &path.to_string(),
                az,
            );
            rec(
                &eni, address, &ip, 443, port, down, address, &ip, "ingress", "-", az,
            );
            let mut n = 2;
            if route == 0 {
                let z = t % 2;
                let nat_eni = format!("eni-0nat{z:013}");
                let nat_ip = format!("10.30.{}.10", 100 + z);
                let nat_port = 1024 + ((t * 31 + port as usize) % 60_000) as u16;
                rec(
                    &nat_eni, &ip, &nat_ip, port, 443, up, &ip, address, "ingress", "-", az,
                );
                rec(
                    &nat_eni, &nat_ip, address, nat_port, 443, up, &nat_ip, address, "egress", "8",
                    az,
                );
                rec(
                    &nat_eni, address, &nat_ip, 443, nat_port, down, address, &nat_ip, "ingress",
                    "-", az,
                );
                rec(
                    &nat_eni, &nat_ip, &ip, 443, port, down, address, &ip, "egress", "1", az,
                );
                n += 4;
            } else {
                rec(
                    "eni-0vpce000000000001",
                    &ip,
                    address,
                    port,
                    443,
                    up,
                    &ip,
                    address,
                    "ingress",
                    "-",
                    "apne2-az1",
                );
                rec(
                    "eni-0vpce000000000001",
                    address,
                    &ip,
                    443,
                    port,
                    down,
                    address,
                    &ip,
                    "egress",
                    "1",
                    "apne2-az1",
                );
                n += 2;
            }
            written += n;
            lines += n;
            if lines >= LINES_PER_OBJECT {
                flush(&mut out, &mut lines, window, &mut object);
            }
        }
        window += 60;
    }
    flush(&mut out, &mut lines, window - 60, &mut object);
    window
}
