//! `aws ec2 describe-network-interfaces` output as the CLI prints it: each
//! interface's owner, addresses and tags; bad interfaces rejected alone.

use std::net::IpAddr;

use formats::{EniOwner, decode_eni_inventory};

#[test]
fn every_kind_of_owner_with_addresses_and_tags() {
    let path = format!(
        "{}/tests/test_data/describe_network_interfaces.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let inventory = decode_eni_inventory(&std::fs::read_to_string(path).unwrap()).unwrap();
    let owners: Vec<(&str, &EniOwner)> = inventory
        .interfaces
        .iter()
        .map(|i| (i.id.as_str(), &i.owner))
        .collect();
    let text = |s: &str| s.to_owned();
    assert_eq!(
        owners,
        [
            (
                "eni-0nat000000000001",
                &EniOwner::NatGateway {
                    id: text("nat-0f1e2d3c4b5a69788")
                }
            ),
            (
                "eni-0vpce00000000001",
                &EniOwner::VpcEndpoint {
                    id: text("vpce-0123456789abcdef0")
                }
            ),
            (
                "eni-0alb000000000001",
                &EniOwner::LoadBalancer {
                    name: text("app/prod-web/50dc6c495c0c9188")
                }
            ),
            (
                "eni-0task00000000001",
                &EniOwner::EcsTask {
                    attachment: text("7f3a1c2b-9d8e-4f6a-b5c4-3d2e1f0a9b8c")
                }
            ),
            (
                "eni-0lambda000000001",
                &EniOwner::Lambda {
                    function: Some(text("resize-images"))
                }
            ),
            ("eni-0rds0000000000001", &EniOwner::Rds),
            (
                "eni-0ec2000000000001",
                &EniOwner::Ec2Instance {
                    id: text("i-0123456789abcdef0")
                }
            ),
        ]
    );
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    let nat = &inventory.interfaces[0];
    assert_eq!(nat.private_addresses, [ip("10.0.0.220")]);
    assert_eq!(
        nat.public_addresses,
        [ip("3.34.10.20")],
        "one address, listed twice"
    );
    assert_eq!(nat.availability_zone.as_deref(), Some("ap-northeast-2a"));
    let task = &inventory.interfaces[3];
    assert_eq!(
        task.private_addresses,
        [
            ip("10.0.11.37"),
            ip("2406:da12:abc:1f00:1234:5678:9abc:def0")
        ]
    );
    assert_eq!(task.tags["aws:ecs:serviceName"], "jobs-api");
    assert_eq!(task.tags["team"], "jobs");
    assert_eq!(
        inventory.interfaces[6].private_addresses,
        [ip("10.0.3.8"), ip("10.0.3.9")]
    );

    assert_eq!(inventory.rejected, 2);
    assert_eq!(inventory.reject_samples[0].record, 8);
    assert!(
        inventory.reject_samples[0].reason.contains("10.0.3.999"),
        "{:?}",
        inventory.reject_samples
    );
    assert!(
        inventory.reject_samples[1]
            .reason
            .contains("NetworkInterfaceId"),
        "{:?}",
        inventory.reject_samples
    );
}

#[test]
fn other_documents_are_refused_with_what_was_expected() {
    let e = decode_eni_inventory("{\"Reservations\": []}").unwrap_err();
    assert!(e.contains("NetworkInterfaces"), "{e}");
    assert!(decode_eni_inventory("not json").is_err());
    assert_eq!(
        decode_eni_inventory("{\"NetworkInterfaces\": []}")
            .unwrap()
            .interfaces,
        []
    );
}
