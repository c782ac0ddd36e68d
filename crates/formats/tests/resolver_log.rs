//! Route 53 Resolver query log lines as AWS delivers them: names, the
//! addresses they resolved to through CNAMEs, the client; bad lines
//! rejected with reasons.

use std::net::IpAddr;

use formats::decode_resolver_log;

#[test]
fn queries_answers_and_clients() {
    let path = format!(
        "{}/tests/test_data/resolver_query_log.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    let log = decode_resolver_log(&std::fs::read_to_string(path).unwrap());
    assert_eq!(log.queries.len(), 3);
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();

    let s3 = &log.queries[0];
    assert_eq!(s3.query_name, "jobs-bucket.s3.ap-northeast-2.amazonaws.com");
    assert_eq!(s3.time, 1_796_029_512_000_000_000, "2026-11-30T09:05:12Z");
    assert_eq!(
        s3.answers[0].data, "s3-r-w.ap-northeast-2.amazonaws.com",
        "a CNAME is a name"
    );
    assert_eq!(
        s3.addresses().collect::<Vec<_>>(),
        [ip("52.219.56.12"), ip("52.219.60.99")]
    );
    assert_eq!(s3.src_addr, Some(ip("10.0.11.37")));
    assert_eq!(s3.src_port, Some(41822));
    assert_eq!(s3.instance_id.as_deref(), Some("i-0123456789abcdef0"));
    assert_eq!(s3.vpc_id.as_deref(), Some("vpc-0fe1c2d3b4a596870"));

    let v6 = &log.queries[1];
    assert_eq!(v6.query_name, "api.example.com", "names compare lowercase");
    assert_eq!(v6.time % 1_000_000_000, 250_000_000);
    assert_eq!(v6.addresses().collect::<Vec<_>>(), [ip("2001:db8::10")]);
    assert_eq!(
        v6.resolver_endpoint_id.as_deref(),
        Some("rslvr-in-0a1b2c3d4e5f60718")
    );

    let nx = &log.queries[2];
    assert_eq!(nx.rcode.as_deref(), Some("NXDOMAIN"));
    assert_eq!(nx.addresses().count(), 0);

    let reasons: Vec<(usize, &str)> = log
        .reject_samples
        .iter()
        .map(|r| (r.record, r.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 3);
    assert_eq!(
        reasons[0],
        (4, "query_timestamp \"yesterday\" is not an RFC 3339 time")
    );
    assert_eq!(
        reasons[1],
        (5, "srcaddr \"10.0.11.999\" is not an IP address")
    );
    assert_eq!(reasons[2].0, 6);
    assert!(
        reasons[2].1.starts_with("not a resolver query log record"),
        "{reasons:?}"
    );
    assert_eq!(log.rejected, 3);
}
