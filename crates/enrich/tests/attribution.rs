//! Attribution cases in AWS's documented layouts beyond the demo network:
//! the NAT gateway example of AWS's "Flow log record examples" page, ECS
//! task names learned from the v7 `ecs-*` fields when the inventory has no
//! tags, and a NAT gateway log without `pkt-dstaddr`.

use enrich::AwsIpRanges;
use enrich::network::{FlowRow, Network, counted_rows};

const INVENTORY: &str = r#"{"NetworkInterfaces": [
  {"NetworkInterfaceId": "eni-1235b8ca123456789", "InterfaceType": "nat_gateway",
   "Description": "Interface for NAT Gateway nat-0123456789abcdef0", "VpcId": "vpc-1",
   "AvailabilityZone": "ap-northeast-2a", "PrivateIpAddress": "10.0.0.220",
   "Association": {"PublicIp": "3.34.10.20"}, "TagSet": []},
  {"NetworkInterfaceId": "eni-1111aaaa2222bbbb3", "InterfaceType": "interface",
   "Description": "arn:aws:ecs:ap-northeast-2:123456789012:attachment/7f3a1c2b-9d8e-4f6a-b5c4-3d2e1f0a9b8c",
   "VpcId": "vpc-1", "AvailabilityZone": "ap-northeast-2a", "PrivateIpAddress": "10.0.1.5", "TagSet": []}
]}"#;

fn network() -> Network {
    let mut n = Network::new();
    let inventory = formats::decode_eni_inventory(INVENTORY).unwrap();
    n.topology.add_inventory(&inventory.interfaces);
    n
}

fn attribute(n: &mut Network, text: &str) -> Vec<FlowRow> {
    let log = formats::decode_vpc_flow_text(text, None);
    assert_eq!(log.rejected, 0, "{:?}", log.reject_samples);
    n.attribute(&AwsIpRanges::embedded().unwrap(), &log.records)
}

const FORMAT: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id pkt-srcaddr pkt-dstaddr flow-direction traffic-path ecs-service-name ecs-task-definition-arn\n";

#[test]
fn a_nat_connection_counts_once_on_the_nat_gateway_with_the_task_from_ecs_fields() {
    let mut n = network();
    // AWS's example: instance 10.0.1.5 -> NAT 10.0.0.220 -> 203.0.113.5, on
    // the NAT gateway's interface (4 legs) and on the task's own (2).
    let text = FORMAT.to_owned()
        + "7 123456789012 eni-1111aaaa2222bbbb3 10.0.1.5 203.0.113.5 41000 443 6 10 1200 1764547200 1764547260 ACCEPT OK vpc-1 10.0.1.5 203.0.113.5 egress 1 payments arn:aws:ecs:ap-northeast-2:123456789012:task-definition/payments-api:7\n"
        + "7 123456789012 eni-1111aaaa2222bbbb3 203.0.113.5 10.0.1.5 443 41000 6 10 5300 1764547200 1764547260 ACCEPT OK vpc-1 203.0.113.5 10.0.1.5 ingress - payments arn:aws:ecs:ap-northeast-2:123456789012:task-definition/payments-api:7\n"
        + "7 123456789012 eni-1235b8ca123456789 10.0.1.5 10.0.0.220 41000 443 6 10 1200 1764547205 1764547265 ACCEPT OK vpc-1 10.0.1.5 203.0.113.5 ingress - - -\n"
        + "7 123456789012 eni-1235b8ca123456789 10.0.0.220 203.0.113.5 6100 443 6 10 1200 1764547205 1764547265 ACCEPT OK vpc-1 10.0.0.220 203.0.113.5 egress 8 - -\n"
        + "7 123456789012 eni-1235b8ca123456789 203.0.113.5 10.0.0.220 443 6100 6 10 5300 1764547205 1764547265 ACCEPT OK vpc-1 203.0.113.5 10.0.0.220 ingress - - -\n"
        + "7 123456789012 eni-1235b8ca123456789 10.0.0.220 10.0.1.5 443 41000 6 10 5300 1764547205 1764547265 ACCEPT OK vpc-1 203.0.113.5 10.0.1.5 egress 1 - -\n";
    let rows = attribute(&mut n, &text);
    let counted = counted_rows(&rows);
    assert_eq!(counted.len(), 2, "{counted:#?}");
    for r in &counted {
        assert_eq!(r.observer, "gateway");
        assert_eq!(
            r.client_task.as_deref(),
            Some("payments-api"),
            "from the task definition family"
        );
        assert_eq!(r.client_service.as_deref(), Some("payments"));
        assert_eq!(r.gateway.as_deref(), Some("nat-0123456789abcdef0"));
        assert_eq!(r.destination.as_deref(), Some("203.0.113.5"));
        assert_eq!(r.destination_class, Some("internet"));
    }
    let sent: i64 = counted.iter().map(|r| r.bytes_sent).sum();
    let received: i64 = counted.iter().map(|r| r.bytes_received).sum();
    assert_eq!((sent, received), (1200, 5300));
    // The task's own records name the same connection.
    let conns: std::collections::BTreeSet<_> = rows
        .iter()
        .filter(|r| r.observer != "transit")
        .map(|r| r.conn)
        .collect();
    assert_eq!(conns.len(), 1, "{rows:#?}");
}

#[test]
fn without_pkt_dstaddr_the_task_view_counts_with_the_nat_gateway_of_its_zone() {
    let mut n = network();
    let format = "version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n";
    let text = format.to_owned()
        + "2 eni-1111aaaa2222bbbb3 10.0.1.5 203.0.113.5 41000 443 6 10 1200 1764547200 1764547260 ACCEPT OK\n"
        + "2 eni-1111aaaa2222bbbb3 203.0.113.5 10.0.1.5 443 41000 6 10 5300 1764547200 1764547260 ACCEPT OK\n"
        + "2 eni-1235b8ca123456789 10.0.1.5 10.0.0.220 41000 443 6 10 1200 1764547205 1764547265 ACCEPT OK\n"
        + "2 eni-1235b8ca123456789 10.0.0.220 203.0.113.5 6100 443 6 10 1200 1764547205 1764547265 ACCEPT OK\n"
        + "2 eni-1235b8ca123456789 203.0.113.5 10.0.0.220 443 6100 6 10 5300 1764547205 1764547265 ACCEPT OK\n"
        + "2 eni-1235b8ca123456789 10.0.0.220 10.0.1.5 443 41000 6 10 5300 1764547205 1764547265 ACCEPT OK\n";
    let rows = attribute(&mut n, &text);
    let counted = counted_rows(&rows);
    let bytes: i64 = counted
        .iter()
        .map(|r| r.bytes_sent + r.bytes_received)
        .sum();
    assert_eq!(bytes, 6500, "{counted:#?}");
    assert!(
        counted.iter().all(
            |r| r.observer == "client" && r.gateway.as_deref() == Some("nat-0123456789abcdef0")
        ),
        "{counted:#?}"
    );
}
