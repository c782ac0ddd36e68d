//! VPC Flow Logs text in AWS's documented layouts: the default format, a
//! custom format with every field of versions 2 to 8, a NAT gateway's
//! interface, and bad lines.

use std::net::IpAddr;

use formats::{
    Action, DEFAULT_FORMAT, FlowDirection, FlowField, LogStatus, decode_vpc_flow_text, parse_format,
};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/test_data/vpc_flow/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().unwrap())
}

#[test]
fn default_format_with_nodata_skipdata_and_ipv6() {
    let text = fixture("default_format.log");
    let log = decode_vpc_flow_text(&text, None);
    assert_eq!(log.rejected, 0, "{:?}", log.reject_samples);
    assert_eq!(log.fields, DEFAULT_FORMAT);
    assert_eq!(log.records.len(), 5);
    let ssh = &log.records[0];
    assert_eq!(ssh.version, Some(2));
    assert_eq!(ssh.account_id.as_deref(), Some("123456789010"));
    assert_eq!(ssh.src_addr, ip("172.31.16.139"));
    assert_eq!(
        (ssh.src_port, ssh.dst_port, ssh.protocol),
        (Some(20641), Some(22), Some(6))
    );
    assert_eq!((ssh.packets, ssh.bytes), (Some(20), Some(4249)));
    assert_eq!((ssh.start, ssh.end), (Some(1418530010), Some(1418530070)));
    assert_eq!(ssh.action, Some(Action::Accept));
    assert_eq!(log.records[1].action, Some(Action::Reject));
    for (record, status) in [
        (&log.records[2], LogStatus::NoData),
        (&log.records[3], LogStatus::SkipData),
    ] {
        assert_eq!(record.log_status, Some(status));
        assert_eq!(
            (record.src_addr, record.bytes, record.action),
            (None, None, None)
        );
        assert_eq!(record.start, Some(1431280876), "the window stays");
    }
    assert_eq!(
        log.records[4].dst_addr,
        ip("2001:db8:1234:a102:3304:8879:34cf:4071")
    );

    // The same records without the header line (CloudWatch delivery) in
    // the default format.
    let body: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    assert_eq!(decode_vpc_flow_text(&body, None).records, log.records);
}

#[test]
fn every_field_of_versions_2_to_8() {
    let log = decode_vpc_flow_text(&fixture("all_fields_v8.log"), None);
    assert_eq!(log.rejected, 0, "{:?}", log.reject_samples);
    assert_eq!(log.fields.len(), 40);
    assert!(log.fields.iter().any(|f| f.version() == 8));
    let s3 = &log.records[0];
    assert_eq!(s3.version, Some(8));
    assert_eq!(s3.vpc_id.as_deref(), Some("vpc-0fe1c2d3b4a596870"));
    assert_eq!(s3.instance_id, None, "- is no value");
    assert_eq!(s3.tcp_flags, Some(3));
    assert_eq!(s3.traffic_type.as_deref(), Some("IPv4"));
    assert_eq!(s3.pkt_dst_addr, ip("52.219.56.12"));
    assert_eq!(s3.region.as_deref(), Some("ap-northeast-2"));
    assert_eq!(s3.az_id.as_deref(), Some("apne2-az1"));
    assert_eq!(s3.pkt_dst_aws_service.as_deref(), Some("S3"));
    assert_eq!(s3.flow_direction, Some(FlowDirection::Egress));
    assert_eq!(s3.traffic_path, Some(8));
    assert_eq!(s3.ecs_cluster_name.as_deref(), Some("prod"));
    assert_eq!(s3.ecs_service_name.as_deref(), Some("jobs-api"));
    assert_eq!(
        s3.ecs_task_id.as_deref(),
        Some("5c1a2b3c4d5e6f708192a3b4c5d6e7f8")
    );
    assert_eq!(s3.reject_reason, None);
    let blocked = &log.records[1];
    assert_eq!(blocked.action, Some(Action::Reject));
    assert_eq!(blocked.flow_direction, Some(FlowDirection::Ingress));
    assert_eq!(blocked.reject_reason.as_deref(), Some("BPA"));
}

#[test]
fn a_nat_gateway_interface_in_a_custom_format() {
    let format = parse_format(
        "${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr} ${bytes} ${flow-direction} ${traffic-path}",
    )
    .unwrap();
    let text = fixture("nat_gateway_custom.log");
    let log = decode_vpc_flow_text(&text, Some(&format));
    assert_eq!(log.rejected, 0, "{:?}", log.reject_samples);
    assert_eq!(log.fields, format);
    // The client's packets reach the gateway's address (10.0.0.220) while
    // their own destination is the internet host.
    let leg = &log.records[0];
    assert_eq!(
        (leg.dst_addr, leg.pkt_dst_addr),
        (ip("10.0.0.220"), ip("203.0.113.5"))
    );
    assert_eq!(
        log.records.iter().filter_map(|r| r.bytes).sum::<u64>(),
        13_000
    );
    assert!(
        parse_format("${version} ${bogus}")
            .unwrap_err()
            .contains("bogus")
    );
    assert_eq!(
        FlowField::from_name("pkt_dstaddr"),
        Some(FlowField::PktDstAddr)
    );
}

#[test]
fn bad_lines_are_rejected_with_reasons_and_the_rest_kept() {
    let log = decode_vpc_flow_text(&fixture("bad_lines.log"), None);
    assert_eq!(log.records.len(), 1);
    let reasons: Vec<(usize, &str)> = log
        .reject_samples
        .iter()
        .map(|r| (r.record, r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (3, "13 values where the format has 14 fields"),
            (4, "srcaddr: \"172.31.16.999\" is not an IP address"),
            (5, "end 1418530010 is before start 1418530070"),
            (6, "action: \"ALLOW\" is not ACCEPT or REJECT"),
            (
                7,
                "unknown flow log field \"dst-address\" in the header line"
            ),
            (8, "under a header line that was rejected"),
        ]
    );
    assert_eq!(log.rejected, 6);
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// A word as flow log lines hold them: numbers, ids, addresses, `-`,
    /// keywords, field names, or noise.
    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u64..100_000).prop_map(|n| n.to_string()),
            Just("-".to_owned()),
            Just("ACCEPT".to_owned()),
            Just("NODATA".to_owned()),
            Just("10.0.0.1".to_owned()),
            Just("version".to_owned()),
            Just("eni-0a1b".to_owned()),
            "[ -~]{0,12}",
        ]
    }

    proptest! {
        /// Any text decodes without panicking, and every non-blank line is
        /// a header, a record or a reject.
        #[test]
        fn every_line_is_accounted_for(lines in prop::collection::vec(prop::collection::vec(word(), 0..16), 0..20)) {
            let text: String = lines.iter().map(|l| format!("{}\n", l.join(" "))).collect();
            let log = decode_vpc_flow_text(&text, None);
            let non_blank = text.lines().filter(|l| !l.trim().is_empty()).count();
            let headers = text
                .lines()
                .filter(|l| l.split_ascii_whitespace().next().and_then(FlowField::from_name).is_some())
                .count();
            // Fewer than 20 lines, so every reject is among the samples.
            let bad_headers = log
                .reject_samples
                .iter()
                .filter(|r| r.reason.ends_with("in the header line"))
                .count();
            prop_assert_eq!(
                log.records.len() + log.rejected,
                non_blank - headers + bad_headers
            );
        }
    }
}

#[test]
fn parquet_delivery_columns_by_name() {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Int32Array, Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use arrow::record_batch::RecordBatch;

    // AWS's Parquet schema: integer fields as INT32/INT64, the rest strings.
    let text = |v: Vec<Option<&str>>| Arc::new(StringArray::from(v)) as ArrayRef;
    let int32 = |v: Vec<Option<i32>>| Arc::new(Int32Array::from(v)) as ArrayRef;
    let int64 = |v: Vec<Option<i64>>| Arc::new(Int64Array::from(v)) as ArrayRef;
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("version", int32(vec![Some(5), Some(5), Some(5)])),
        (
            "interface_id",
            text(vec![
                Some("eni-0nat000000000001"),
                Some("eni-0nat000000000001"),
                Some("eni-0nat000000000001"),
            ]),
        ),
        (
            "srcaddr",
            text(vec![Some("10.0.11.37"), None, Some("10.0.11.37")]),
        ),
        (
            "dstaddr",
            text(vec![Some("52.219.56.12"), None, Some("52.219.56.12")]),
        ),
        ("dstport", int32(vec![Some(443), None, Some(70000)])),
        ("bytes", int64(vec![Some(61_035_840), None, Some(1)])),
        (
            "start",
            int64(vec![
                Some(1_764_547_200),
                Some(1_764_547_200),
                Some(1_764_547_200),
            ]),
        ),
        (
            "end",
            int64(vec![
                Some(1_764_547_260),
                Some(1_764_547_260),
                Some(1_764_547_260),
            ]),
        ),
        (
            "log_status",
            text(vec![Some("OK"), Some("NODATA"), Some("OK")]),
        ),
        ("pkt_dst_aws_service", text(vec![Some("S3"), None, None])),
        ("traffic_path", int32(vec![Some(2), None, None])),
    ];
    let schema = Schema::new(
        columns
            .iter()
            .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
            .collect::<Vec<_>>(),
    );
    let batch = RecordBatch::try_new(
        Arc::new(schema),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .unwrap();
    let log = formats::decode_vpc_flow_batch(&batch).unwrap();
    assert_eq!(log.fields[4], FlowField::DstPort);
    assert_eq!(log.records.len(), 2);
    let s3 = &log.records[0];
    assert_eq!((s3.dst_port, s3.bytes), (Some(443), Some(61_035_840)));
    assert_eq!(s3.pkt_dst_aws_service.as_deref(), Some("S3"));
    assert_eq!(s3.traffic_path, Some(2));
    assert_eq!(log.records[1].log_status, Some(LogStatus::NoData));
    assert_eq!(log.rejected, 1);
    assert_eq!(log.reject_samples[0].record, 3);
    assert!(
        log.reject_samples[0].reason.starts_with("dstport:"),
        "{:?}",
        log.reject_samples
    );

    let odd = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new(
            "dst_address",
            DataType::Utf8,
            true,
        )])),
        vec![text(vec![Some("10.0.0.1")])],
    )
    .unwrap();
    let e = formats::decode_vpc_flow_batch(&odd).unwrap_err();
    assert!(e.contains("dst_address"), "{e}");
}
