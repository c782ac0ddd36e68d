//! `aws ec2 describe-network-interfaces` output: which resource each
//! network interface (ENI) belongs to, and its addresses, tags, VPC,
//! subnet and zone. Flow log records name only the interface; this says
//! that `eni-…` is NAT gateway `nat-…`, a VPC endpoint, a load balancer,
//! an ECS task, a Lambda function, an RDS instance or an EC2 instance.
//!
//! Pure: JSON text in, typed interfaces and rejects out. An interface that
//! cannot be read is rejected alone; the others are kept.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Deserialize;

use crate::decoded::{Reject, count_reject};

/// What an interface belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EniOwner {
    NatGateway {
        id: String,
    },
    /// An interface VPC endpoint (gateway endpoints have no interface).
    VpcEndpoint {
        id: String,
    },
    /// `app/name/id`, `net/name/id` or `gwy/name/id`.
    LoadBalancer {
        name: String,
    },
    /// An ECS task's awsvpc interface: its attachment id (the task comes
    /// from the flow log's `ecs-*` fields or the ECS API).
    EcsTask {
        attachment: String,
    },
    Lambda {
        function: Option<String>,
    },
    Rds,
    Ec2Instance {
        id: String,
    },
    /// Owned by AWS or another service that the description does not name.
    Other {
        interface_type: String,
        description: String,
    },
}

/// One network interface.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkInterface {
    pub id: String,
    pub owner: EniOwner,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub availability_zone: Option<String>,
    pub private_addresses: Vec<IpAddr>,
    /// Public (Elastic or auto-assigned) addresses associated with it.
    pub public_addresses: Vec<IpAddr>,
    pub tags: BTreeMap<String, String>,
}

/// The interfaces of one describe output, and those rejected.
#[derive(Debug, Default)]
pub struct EniInventory {
    pub interfaces: Vec<NetworkInterface>,
    pub rejected: usize,
    /// The first few rejects (record = 1-based index in the list).
    pub reject_samples: Vec<Reject>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Output {
    network_interfaces: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawInterface {
    network_interface_id: String,
    #[serde(default)]
    interface_type: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    attachment: Option<RawAttachment>,
    #[serde(default)]
    vpc_id: Option<String>,
    #[serde(default)]
    subnet_id: Option<String>,
    #[serde(default)]
    availability_zone: Option<String>,
    #[serde(default)]
    private_ip_address: Option<String>,
    #[serde(default)]
    private_ip_addresses: Vec<RawPrivateAddress>,
    #[serde(default)]
    ipv6_addresses: Vec<RawIpv6>,
    #[serde(default)]
    association: Option<RawAssociation>,
    #[serde(default)]
    tag_set: Vec<RawTag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawAttachment {
    #[serde(default)]
    instance_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawPrivateAddress {
    private_ip_address: String,
    #[serde(default)]
    association: Option<RawAssociation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawIpv6 {
    ipv6_address: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawAssociation {
    #[serde(default)]
    public_ip: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawTag {
    key: String,
    #[serde(default)]
    value: String,
}

/// Reads `describe-network-interfaces` JSON (`{"NetworkInterfaces": [...]}`).
/// A document that is not that shape is an error; a bad interface in it is
/// a reject.
pub fn decode_eni_inventory(json: &str) -> Result<EniInventory, String> {
    let output: Output = serde_json::from_str(json).map_err(|e| {
        format!("not describe-network-interfaces output ({{\"NetworkInterfaces\": [...]}}): {e}")
    })?;
    let mut inventory = EniInventory::default();
    for (i, value) in output.network_interfaces.into_iter().enumerate() {
        match serde_json::from_value::<RawInterface>(value)
            .map_err(|e| e.to_string())
            .and_then(interface)
        {
            Ok(eni) => inventory.interfaces.push(eni),
            Err(reason) => count_reject(
                &mut inventory.rejected,
                &mut inventory.reject_samples,
                i + 1,
                reason,
            ),
        }
    }
    Ok(inventory)
}

fn address(s: &str) -> Result<IpAddr, String> {
    s.parse().map_err(|_| format!("{s:?} is not an IP address"))
}

/// Adds `a` unless it is there already (AWS lists the primary address and
/// its public address at the interface and again per private address).
fn push_new(addresses: &mut Vec<IpAddr>, a: IpAddr) {
    if !addresses.contains(&a) {
        addresses.push(a);
    }
}

fn interface(raw: RawInterface) -> Result<NetworkInterface, String> {
    let private = raw
        .private_ip_address
        .iter()
        .chain(
            raw.private_ip_addresses
                .iter()
                .map(|p| &p.private_ip_address),
        )
        .chain(raw.ipv6_addresses.iter().map(|v6| &v6.ipv6_address));
    let public = raw
        .association
        .iter()
        .chain(
            raw.private_ip_addresses
                .iter()
                .filter_map(|p| p.association.as_ref()),
        )
        .filter_map(|a| a.public_ip.as_ref());
    let (mut private_addresses, mut public_addresses) = (Vec::new(), Vec::new());
    for a in private {
        push_new(&mut private_addresses, address(a)?);
    }
    for a in public {
        push_new(&mut public_addresses, address(a)?);
    }
    Ok(NetworkInterface {
        owner: owner(&raw),
        id: raw.network_interface_id,
        vpc_id: raw.vpc_id,
        subnet_id: raw.subnet_id,
        availability_zone: raw.availability_zone,
        private_addresses,
        public_addresses,
        tags: raw.tag_set.into_iter().map(|t| (t.key, t.value)).collect(),
    })
}

/// The first word of `text` that starts with `id_prefix`.
fn id_after(text: &str, id_prefix: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '/')
        .find(|w| w.starts_with(id_prefix))
        .map(str::to_owned)
}

/// `name` without a trailing `-<uuid>` (8-4-4-4-12 hex digits).
fn without_uuid(name: &str) -> &str {
    let is_uuid = |s: &str| {
        s.len() == 36
            && s.char_indices().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => c == '-',
                _ => c.is_ascii_hexdigit(),
            })
    };
    match name.len().checked_sub(37) {
        Some(at)
            if name.is_char_boundary(at)
                && name[at..].starts_with('-')
                && is_uuid(&name[at + 1..]) =>
        {
            &name[..at]
        }
        _ => name,
    }
}

/// The owner, from the interface type, the description AWS writes for
/// managed interfaces, and the attachment.
fn owner(raw: &RawInterface) -> EniOwner {
    let kind = raw.interface_type.as_deref().unwrap_or("interface");
    let description = raw.description.as_deref().unwrap_or("");
    if (kind == "nat_gateway" || description.starts_with("Interface for NAT Gateway"))
        && let Some(id) = id_after(description, "nat-")
    {
        return EniOwner::NatGateway { id };
    }
    if (kind == "vpc_endpoint" || description.starts_with("VPC Endpoint Interface"))
        && let Some(id) = id_after(description, "vpce-")
    {
        return EniOwner::VpcEndpoint { id };
    }
    if let Some(name) = description.strip_prefix("ELB ") {
        return EniOwner::LoadBalancer {
            name: name.trim().to_owned(),
        };
    }
    if description.starts_with("arn:aws:ecs:") && description.contains(":attachment/") {
        return EniOwner::EcsTask {
            attachment: description
                .rsplit('/')
                .next()
                .unwrap_or(description)
                .to_owned(),
        };
    }
    if kind == "lambda" || description.starts_with("AWS Lambda VPC ENI") {
        let function = description
            .strip_prefix("AWS Lambda VPC ENI-")
            .map(without_uuid)
            .filter(|f| !f.is_empty())
            .map(str::to_owned);
        return EniOwner::Lambda { function };
    }
    if description == "RDSNetworkInterface" {
        return EniOwner::Rds;
    }
    if let Some(id) = raw.attachment.as_ref().and_then(|a| a.instance_id.clone()) {
        return EniOwner::Ec2Instance { id };
    }
    EniOwner::Other {
        interface_type: kind.to_owned(),
        description: description.to_owned(),
    }
}
