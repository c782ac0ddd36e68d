//! The ground truth: the demo generator's AWS network (ENIs, tasks, two NAT
//! gateways, an interface endpoint, a gateway endpoint, load balancers, DNS
//! answers) and its flows written as AWS writes them (the NAT gateways' four
//! legs, client-side duplicates, endpoint and server views), read back by
//! the decoders and attributed. At least 99% of the bytes land on the right
//! client task, gateway and destination, and nothing is counted twice.

use std::collections::HashMap;

use demo::{NetworkConfig, NetworkData, generate_network};
use enrich::AwsIpRanges;
use enrich::network::{FlowRow, Network, counted_rows};

const START: i64 = 1_796_104_800; // 2026-12-01T06:00:00Z

fn attribute(data: &NetworkData) -> Vec<FlowRow> {
    let ranges = AwsIpRanges::embedded().unwrap();
    let mut network = Network::new();
    let inventory =
        formats::decode_eni_inventory(std::str::from_utf8(&data.inventory.body).unwrap()).unwrap();
    assert_eq!(inventory.rejected, 0, "{:?}", inventory.reject_samples);
    network.topology.add_inventory(&inventory.interfaces);
    for object in &data.resolver_logs {
        let log = formats::decode_resolver_log(std::str::from_utf8(&object.body).unwrap());
        assert_eq!(log.rejected, 0, "{:?}", log.reject_samples);
        for q in &log.queries {
            network.dns.add(q);
        }
    }
    let mut rows = Vec::new();
    for object in &data.flow_logs {
        let log = formats::decode_vpc_flow_text(std::str::from_utf8(&object.body).unwrap(), None);
        assert_eq!(log.rejected, 0, "{}: {:?}", object.key, log.reject_samples);
        rows.extend(network.attribute(&ranges, &log.records));
    }
    rows
}

type Key = (String, String, String, String);

fn key(task: &str, gateway_type: &str, gateway: &str, destination: &str) -> Key {
    (
        task.into(),
        gateway_type.into(),
        gateway.into(),
        destination.into(),
    )
}

#[test]
fn bytes_land_on_the_right_task_gateway_and_destination() {
    let data = generate_network(&NetworkConfig {
        seed: 7,
        start_s: START,
        end_s: START + 2 * 3600,
        scale: 1.0,
    });
    assert!(data.flow_records > 1_000, "{}", data.flow_records);
    let rows = attribute(&data);
    assert_eq!(rows.len(), data.flow_records);

    let mut found: HashMap<Key, (u64, u64)> = HashMap::new();
    for r in counted_rows(&rows) {
        let k = key(
            r.client_task.as_deref().unwrap_or(""),
            r.gateway_type.unwrap_or(""),
            r.gateway
                .as_deref()
                .filter(|_| r.gateway_type != Some("local"))
                .unwrap_or(""),
            r.destination.as_deref().unwrap_or(""),
        );
        let e = found.entry(k).or_default();
        e.0 += r.bytes_sent as u64;
        e.1 += r.bytes_received as u64;
    }
    let (mut truth_total, mut right) = (0u64, 0u64);
    let mut misses = Vec::new();
    for t in &data.truth {
        let k = key(&t.client_task, t.gateway_type, &t.gateway, &t.destination);
        let (sent, received) = found.get(&k).copied().unwrap_or_default();
        truth_total += t.bytes_sent + t.bytes_received;
        right += sent.min(t.bytes_sent) + received.min(t.bytes_received);
        if (sent, received) != (t.bytes_sent, t.bytes_received) {
            misses.push(format!(
                "{k:?}: truth {} / {}, found {sent} / {received}",
                t.bytes_sent, t.bytes_received
            ));
        }
    }
    let found_total: u64 = found.values().map(|(s, r)| s + r).sum();
    let share = right as f64 / truth_total as f64;
    assert!(
        share >= 0.99,
        "{:.4} of the bytes attributed right:\n{}\nfound: {found:#?}",
        share,
        misses.join("\n")
    );
    // No connection counted twice: what was found is the truth, not more.
    assert!(
        found_total as f64 <= truth_total as f64 * 1.001,
        "found {found_total} bytes, truth {truth_total}"
    );
}

#[test]
fn classes_and_services_match_the_truth() {
    let data = generate_network(&NetworkConfig {
        seed: 11,
        start_s: START,
        end_s: START + 3600,
        scale: 1.0,
    });
    let rows = attribute(&data);
    for t in &data.truth {
        let r = counted_rows(&rows)
            .into_iter()
            .find(|r| {
                r.client_task.as_deref() == Some(&t.client_task)
                    && r.destination.as_deref() == Some(&t.destination)
                    && r.gateway_type == Some(t.gateway_type)
                    && (t.gateway.is_empty() || r.gateway.as_deref() == Some(&t.gateway))
            })
            .unwrap_or_else(|| panic!("no row for {t:?}"));
        assert_eq!(r.destination_class, Some(t.destination_class), "{t:?}");
        assert_eq!(
            r.destination_service.as_deref(),
            t.destination_service,
            "{t:?}"
        );
        assert_eq!(r.client_az.as_deref(), t.client_zone, "{t:?}");
    }
}

#[test]
fn rows_make_a_flows_batch() {
    let data = generate_network(&NetworkConfig {
        seed: 5,
        start_s: START,
        end_s: START + 600,
        scale: 1.0,
    });
    let rows = attribute(&data);
    let batch = enrich::network::flow_batch(&rows).unwrap();
    assert_eq!(batch.num_rows(), rows.len());
    assert_eq!(
        batch.schema(),
        model::DatasetSchema::new(model::DatasetKind::Flows).arrow_schema()
    );
}
