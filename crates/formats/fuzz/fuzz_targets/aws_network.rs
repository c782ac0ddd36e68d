//! Fuzzes the AWS network decoders (VPC Flow Logs text, Route 53 Resolver
//! query logs, describe-network-interfaces, object sniffing): any bytes
//! give records and rejects, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = formats::sniff(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let flows = formats::decode_vpc_flow_text(text, None);
    assert!(flows.records.len() + flows.rejected <= text.lines().count());
    let dns = formats::decode_resolver_log(text);
    assert!(dns.queries.len() + dns.rejected <= text.lines().count());
    let _ = formats::decode_eni_inventory(text);
    let _ = formats::parse_aws_log_key(text);
});
