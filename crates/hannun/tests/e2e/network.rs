//! `hannun import` of an AWS network written as AWS writes it (the demo
//! generator's VPC: inventory, Resolver query logs, v7 flow logs with the
//! NAT gateways' four legs and client-side duplicates, some gzip), then the
//! traffic and findings APIs against the generator's truth; bad objects
//! are reported and skipped; after kill -9 and a restart the flows and the
//! network knowledge are still there.

use std::collections::HashMap;
use std::io::Write;
use std::process::Command;

use crate::harness::{Server, client, now_nanos};

fn write(path: &std::path::Path, body: &[u8], gzip: bool) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    if gzip {
        let mut e = flate2::write::GzEncoder::new(
            std::fs::File::create(path.with_extension("log.gz")).unwrap(),
            flate2::Compression::fast(),
        );
        e.write_all(body).unwrap();
        e.finish().unwrap();
    } else {
        std::fs::write(path, body).unwrap();
    }
}

fn get(server: &Server, path: &str) -> serde_json::Value {
    let response = client().get(server.url(path)).send().unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().unwrap()
}

#[test]
fn import_attributes_nat_traffic_and_ranks_findings() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("bucket");
    let end = now_nanos() / 1_000_000_000 / 600 * 600 - 600;
    let start = end - 3 * 3600;
    let data = demo::generate_network(&demo::NetworkConfig {
        seed: 3,
        start_s: start,
        end_s: end,
        scale: 1.0,
    });
    write(&logs.join(&data.inventory.key), &data.inventory.body, false);
    for o in &data.resolver_logs {
        write(&logs.join(&o.key), &o.body, false);
    }
    for (i, o) in data.flow_logs.iter().enumerate() {
        write(&logs.join(&o.key), &o.body, i % 2 == 0);
    }
    // Bad objects: not an AWS log, and a truncated gzip of rejected flows
    // (REJECT records are never counted, so the truth is unchanged).
    std::fs::write(logs.join("notes.txt"), "hello").unwrap();
    let rejected: String = std::iter::once(demo::FLOW_FORMAT.to_owned() + "\n")
        .chain((0..2000).map(|i| format!("7 345678901234 eni-0bad000000000001 192.168.1.{} 10.20.1.11 {} 22 6 1 60 {start} {} REJECT OK vpc-0a1b2c3d4e5f60718 - - 2 IPv4 - - ap-northeast-2 apne2-az1 - - - - ingress - - - - -\n", i % 250, 40000 + i, start + 59)))
        .collect();
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(rejected.as_bytes()).unwrap();
    let gz = e.finish().unwrap();
    std::fs::write(logs.join("scans.log.gz"), &gz[..gz.len() * 2 / 3]).unwrap();

    let server = Server::start(dir.path(), "");
    let output = Command::new(env!("CARGO_BIN_EXE_hannun"))
        .args(["import", logs.to_str().unwrap(), "--server"])
        .arg(format!("http://{}", server.http))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "eni_inventory",
        "resolver_query_logs",
        "vpc_flow_logs",
        "skipped",
        "not a known log",
        "ends early",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected} missing from:\n{stdout}"
        );
    }
    let status = get(&server, "/api/v1/import/status");
    assert_eq!(
        status["kinds"]["vpc_flow_logs"]["objects"].as_u64(),
        Some(data.flow_logs.len() as u64 + 1),
        "{status}"
    );

    let range = format!(
        "from_ms={}&to_ms={}",
        (start - 600) * 1000,
        (end + 1200) * 1000
    );
    let check = |server: &Server| {
        // The talk's first table: bytes by client task and NAT gateway.
        let rows = get(
            server,
            &format!(
                "/api/v1/network/traffic?group_by=client_task,gateway&gateway_type=nat&{range}"
            ),
        );
        let mut found: HashMap<(String, String), u64> = HashMap::new();
        let mut cost = 0.0;
        for r in rows.as_array().unwrap() {
            let key = (
                r["group"]["client_task"].as_str().unwrap_or("").to_owned(),
                r["group"]["gateway"].as_str().unwrap_or("").to_owned(),
            );
            *found.entry(key).or_default() += r["bytes"].as_u64().unwrap();
            cost += r["cost_usd"].as_f64().unwrap();
        }
        let prices = network::PriceTable::embedded();
        let seoul = prices.region(Some("ap-northeast-2"));
        let (mut truth_bytes, mut right, mut truth_cost) = (0u64, 0u64, 0.0);
        let mut expected: HashMap<(String, String), u64> = HashMap::new();
        for t in data.truth.iter().filter(|t| t.gateway_type == "nat") {
            *expected
                .entry((t.client_task.clone(), t.gateway.clone()))
                .or_default() += t.bytes_sent + t.bytes_received;
            truth_cost += network::cost(
                seoul,
                &network::Moved {
                    gateway_type: "nat",
                    destination_class: t.destination_class,
                    internet_client: false,
                    cross_az: t.client_zone != t.other_zone,
                    bytes_sent: t.bytes_sent,
                    bytes_received: t.bytes_received,
                },
            );
        }
        for (k, bytes) in &expected {
            truth_bytes += bytes;
            right += found.get(k).copied().unwrap_or(0).min(*bytes);
        }
        let share = right as f64 / truth_bytes as f64;
        assert!(
            share >= 0.99,
            "{share}: expected {expected:?}\nfound {found:?}"
        );
        assert!(found.values().sum::<u64>() as f64 <= truth_bytes as f64 * 1.001);
        assert!(
            (cost - truth_cost).abs() <= truth_cost * 0.01,
            "cost {cost} vs {truth_cost}"
        );

        // The second table: by task and destination, through NAT.
        let rows = get(
            server,
            &format!(
                "/api/v1/network/traffic?group_by=client_task,destination&gateway_type=nat&env=*prod&{range}"
            ),
        );
        let destinations: Vec<&str> = rows
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["group"]["destination"].as_str())
            .collect();
        assert!(
            destinations.contains(&"sqs.ap-northeast-2.amazonaws.com"),
            "{destinations:?}"
        );
        assert!(destinations.contains(&"api.stripe.com"), "{destinations:?}");

        let findings = get(server, &format!("/api/v1/network/findings?{range}"));
        let kinds: Vec<&str> = findings["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["kind"].as_str())
            .collect();
        for kind in [
            "s3_via_nat",
            "aws_service_via_nat",
            "own_endpoint_via_nat",
            "cross_az",
            "internet_egress_to_cdn",
        ] {
            assert!(kinds.contains(&kind), "{kind} missing: {findings}");
        }
        let first = &findings["findings"][0];
        assert_eq!(first["kind"], "s3_via_nat", "{findings}");
        let usd = first["monthly_savings_usd"].as_f64().unwrap();
        let krw = first["monthly_savings_krw"].as_f64().unwrap();
        assert!(usd > 0.0 && (krw / usd - 1400.0).abs() < 1.0, "{first}");
        assert!(
            first["resources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r.as_str().unwrap().starts_with("nat-")),
            "{first}"
        );
    };
    check(&server);
    // A bad kind is a clear error.
    let response = client()
        .post(server.url("/api/v1/import?key=x&kind=bogus"))
        .body("x")
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert!(response.text().unwrap().contains("vpc_flow_logs"));

    server.kill();
    let server = Server::start(dir.path(), "");
    check(&server);
    let status = get(&server, "/api/v1/import/status");
    assert!(status["interfaces"].as_u64().unwrap() >= 20, "{status}");
    assert!(status["dns_answers"].as_u64().unwrap() > 0, "{status}");
    server.stop();
}
