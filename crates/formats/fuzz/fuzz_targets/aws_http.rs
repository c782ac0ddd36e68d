//! Fuzzes the decoders of AWS's HTTP request logs (WAF web ACL logs,
//! Application Load Balancer access logs, CloudFront standard logs): any
//! bytes give entries and rejects, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lines = data.split(|b| *b == b'\n').count();
    let waf = formats::decode_waf_log(data);
    assert!(waf.reject_samples.len() <= waf.rejected);
    let alb = formats::decode_alb_log(data);
    assert!(alb.entries.len() + alb.rejected <= lines);
    let cloudfront = formats::decode_cloudfront_log(data);
    assert!(cloudfront.entries.len() + cloudfront.rejected <= lines);
});
