//! What hannun knows about the network: the interfaces of the ENI inventory
//! (`aws ec2 describe-network-interfaces`), indexed by id and address, and
//! what flow records taught about interfaces the inventory lacks (their
//! ECS task and service from the v7 `ecs-*` fields, their address).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use formats::{EniOwner, FlowRecord, NetworkInterface};
use serde::{Deserialize, Serialize};

/// What an interface is, as the analysis names it (`client_kind`,
/// `server_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterfaceKind {
    NatGateway,
    VpcEndpoint,
    LoadBalancer,
    EcsTask,
    Lambda,
    Rds,
    Ec2Instance,
    TransitGateway,
    Other,
}

impl InterfaceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InterfaceKind::NatGateway => "nat_gateway",
            InterfaceKind::VpcEndpoint => "vpc_endpoint",
            InterfaceKind::LoadBalancer => "load_balancer",
            InterfaceKind::EcsTask => "ecs_task",
            InterfaceKind::Lambda => "lambda",
            InterfaceKind::Rds => "rds",
            InterfaceKind::Ec2Instance => "ec2_instance",
            InterfaceKind::TransitGateway => "transit_gateway",
            InterfaceKind::Other => "other",
        }
    }
}

/// One interface, as the attribution reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interface {
    pub id: String,
    pub kind: InterfaceKind,
    /// The resource it belongs to: `nat-…`, `vpce-…`, `app/name/id`, an
    /// instance id, a Lambda function; the interface id when nothing else.
    pub resource: String,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    /// Zone name (`ap-northeast-2a`) from the inventory, or the zone id
    /// (`apne2-az1`) a flow record named.
    pub zone: Option<String>,
    pub private_addresses: Vec<IpAddr>,
    pub public_addresses: Vec<IpAddr>,
    /// The service and task (an ECS task definition family) running behind
    /// it, from tags or the flow log's `ecs-*` fields.
    pub service: Option<String>,
    pub task: Option<String>,
    pub env: Option<String>,
    pub team: Option<String>,
    /// Whether it came from an inventory (not only learned from flows).
    pub from_inventory: bool,
}

const SERVICE_TAGS: &[&str] = &[
    "service",
    "Service",
    "app",
    "App",
    "application",
    "Application",
    "aws:ecs:serviceName",
    "ecs:service-name",
];
const TASK_TAGS: &[&str] = &["task", "Task", "aws:ecs:taskDefinitionFamily"];
const ENV_TAGS: &[&str] = &[
    "env",
    "Env",
    "ENV",
    "environment",
    "Environment",
    "stage",
    "Stage",
];
const TEAM_TAGS: &[&str] = &["team", "Team", "owner", "Owner"];

fn tag(tags: &BTreeMap<String, String>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .filter_map(|k| tags.get(*k))
        .find(|v| !v.is_empty())
        .cloned()
}

impl Interface {
    /// The attribution's view of an inventory interface.
    pub fn from_inventory(eni: &NetworkInterface) -> Interface {
        let (kind, resource) = match &eni.owner {
            EniOwner::NatGateway { id } => (InterfaceKind::NatGateway, id.clone()),
            EniOwner::VpcEndpoint { id } => (InterfaceKind::VpcEndpoint, id.clone()),
            EniOwner::LoadBalancer { name } => (InterfaceKind::LoadBalancer, name.clone()),
            EniOwner::EcsTask { .. } => (InterfaceKind::EcsTask, eni.id.clone()),
            EniOwner::Lambda { function } => (
                InterfaceKind::Lambda,
                function.clone().unwrap_or_else(|| eni.id.clone()),
            ),
            EniOwner::Rds => (InterfaceKind::Rds, eni.id.clone()),
            EniOwner::Ec2Instance { id } => (InterfaceKind::Ec2Instance, id.clone()),
            EniOwner::Other { interface_type, .. }
                if interface_type == "transit_gateway"
                    || interface_type == "transit_gateway_attachment" =>
            {
                (InterfaceKind::TransitGateway, eni.id.clone())
            }
            EniOwner::Other { .. } => (InterfaceKind::Other, eni.id.clone()),
        };
        let service = tag(&eni.tags, SERVICE_TAGS).or_else(|| match kind {
            // A load balancer is named by its own name (`app/web/…` -> web).
            InterfaceKind::LoadBalancer => resource.split('/').nth(1).map(str::to_owned),
            InterfaceKind::Lambda if resource != eni.id => Some(resource.clone()),
            _ => None,
        });
        Interface {
            id: eni.id.clone(),
            kind,
            resource,
            vpc_id: eni.vpc_id.clone(),
            subnet_id: eni.subnet_id.clone(),
            zone: eni.availability_zone.clone(),
            private_addresses: eni.private_addresses.clone(),
            public_addresses: eni.public_addresses.clone(),
            task: tag(&eni.tags, TASK_TAGS).or_else(|| service.clone()),
            service,
            env: tag(&eni.tags, ENV_TAGS),
            team: tag(&eni.tags, TEAM_TAGS),
            from_inventory: true,
        }
    }

    /// The name the analysis shows for what runs behind the interface.
    pub fn name(&self) -> &str {
        self.service.as_deref().unwrap_or(&self.resource)
    }
}

/// The family of a task definition ARN
/// (`arn:aws:ecs:region:account:task-definition/family:revision`).
pub fn task_family(task_definition_arn: &str) -> Option<&str> {
    let tail = task_definition_arn.rsplit('/').next()?;
    let family = tail.split(':').next()?;
    (!family.is_empty()).then_some(family)
}

/// Interfaces by id and by address. Addresses can repeat across VPCs with
/// overlapping ranges: a lookup prefers the interface in the VPC asked.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Topology {
    interfaces: BTreeMap<String, Interface>,
    #[serde(skip)]
    by_private: HashMap<IpAddr, Vec<String>>,
    #[serde(skip)]
    by_public: HashMap<IpAddr, String>,
    /// NAT gateway interface ids, and the VPCs an inventory describes:
    /// asked for every flow record, so kept apart from the full list.
    #[serde(skip)]
    nats: Vec<String>,
    #[serde(skip)]
    inventory_vpcs: BTreeSet<String>,
}

/// At most this many interfaces are learned from flow records alone (the
/// inventory's are always kept).
const MAX_LEARNED: usize = 200_000;

impl Topology {
    pub fn new() -> Topology {
        Topology::default()
    }

    /// Rebuilds the address indexes (after deserializing).
    pub fn reindex(&mut self) {
        self.by_private.clear();
        self.by_public.clear();
        let ids: Vec<String> = self.interfaces.keys().cloned().collect();
        for id in ids {
            self.index(&id);
        }
        self.summarize();
    }

    /// Rebuilds the NAT gateway list and the inventory VPCs (only an
    /// inventory adds either).
    fn summarize(&mut self) {
        self.nats = self
            .interfaces
            .values()
            .filter(|i| i.kind == InterfaceKind::NatGateway)
            .map(|i| i.id.clone())
            .collect();
        self.inventory_vpcs = self
            .interfaces
            .values()
            .filter(|i| i.from_inventory)
            .filter_map(|i| i.vpc_id.clone())
            .collect();
    }

    /// Whether an inventory described VPC `vpc`.
    pub fn has_inventory_of(&self, vpc: &str) -> bool {
        self.inventory_vpcs.contains(vpc)
    }

    fn index(&mut self, id: &str) {
        let Some(i) = self.interfaces.get(id) else {
            return;
        };
        for a in &i.private_addresses {
            let ids = self.by_private.entry(*a).or_default();
            if !ids.iter().any(|x| x == id) {
                ids.push(id.to_owned());
            }
        }
        for a in &i.public_addresses {
            self.by_public.insert(*a, id.to_owned());
        }
    }

    fn unindex(&mut self, id: &str) {
        let Some(i) = self.interfaces.get(id) else {
            return;
        };
        for a in &i.private_addresses {
            if let Some(ids) = self.by_private.get_mut(a) {
                ids.retain(|x| x != id);
                if ids.is_empty() {
                    self.by_private.remove(a);
                }
            }
        }
        for a in &i.public_addresses {
            if self.by_public.get(a).is_some_and(|x| x == id) {
                self.by_public.remove(a);
            }
        }
    }

    /// Adds or replaces interfaces from an inventory. What flow records
    /// taught about an interface (its task and service) is kept when the
    /// inventory does not say.
    pub fn add_inventory(&mut self, interfaces: &[NetworkInterface]) {
        for eni in interfaces {
            let mut new = Interface::from_inventory(eni);
            if let Some(old) = self.interfaces.get(&eni.id) {
                if new.service.is_none() {
                    new.service.clone_from(&old.service);
                }
                if new.task.is_none() {
                    new.task.clone_from(&old.task);
                }
            }
            self.unindex(&eni.id);
            self.interfaces.insert(eni.id.clone(), new);
            self.index(&eni.id);
        }
        self.summarize();
    }

    pub fn len(&self) -> usize {
        self.interfaces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.interfaces.is_empty()
    }

    pub fn interface(&self, id: &str) -> Option<&Interface> {
        self.interfaces.get(id)
    }

    pub fn interfaces(&self) -> impl Iterator<Item = &Interface> {
        self.interfaces.values()
    }

    /// The interface holding private address `addr`, preferring `vpc`.
    pub fn by_private(&self, addr: IpAddr, vpc: Option<&str>) -> Option<&Interface> {
        let ids = self.by_private.get(&addr)?;
        let pick = ids
            .iter()
            .filter_map(|id| self.interfaces.get(id))
            .find(|i| vpc.is_none() || i.vpc_id.as_deref() == vpc);
        pick.or_else(|| ids.first().and_then(|id| self.interfaces.get(id)))
    }

    /// The interface a public address is associated with (one of ours).
    pub fn by_public(&self, addr: IpAddr) -> Option<&Interface> {
        self.by_public
            .get(&addr)
            .and_then(|id| self.interfaces.get(id))
    }

    /// The NAT gateway interfaces of a VPC.
    pub fn nat_gateways<'a>(&'a self, vpc: Option<&'a str>) -> impl Iterator<Item = &'a Interface> {
        self.nats
            .iter()
            .filter_map(|id| self.interfaces.get(id))
            .filter(move |i| vpc.is_none() || i.vpc_id.as_deref() == vpc)
    }

    /// Learns from a record on interface `record.interface_id`: its task
    /// and service (v7 `ecs-*` fields), VPC, subnet and zone id, and on an
    /// egress record its address. Returns whether anything changed.
    pub fn learn(&mut self, record: &FlowRecord, local: Option<IpAddr>) -> bool {
        let Some(id) = record.interface_id.as_deref() else {
            return false;
        };
        let task = record
            .ecs_task_definition_arn
            .as_deref()
            .and_then(task_family)
            .map(str::to_owned);
        let service = record.ecs_service_name.clone();
        let known = self.interfaces.contains_key(id);
        if !known && self.interfaces.len() >= MAX_LEARNED {
            return false;
        }
        let interface = self
            .interfaces
            .entry(id.to_owned())
            .or_insert_with(|| Interface {
                id: id.to_owned(),
                kind: if record.ecs_task_id.is_some() || task.is_some() {
                    InterfaceKind::EcsTask
                } else if record.instance_id.is_some() {
                    InterfaceKind::Ec2Instance
                } else {
                    InterfaceKind::Other
                },
                resource: record.instance_id.clone().unwrap_or_else(|| id.to_owned()),
                vpc_id: None,
                subnet_id: None,
                zone: None,
                private_addresses: Vec::new(),
                public_addresses: Vec::new(),
                service: None,
                task: None,
                env: None,
                team: None,
                from_inventory: false,
            });
        let mut changed = !known;
        let mut set = |slot: &mut Option<String>, value: Option<&String>| {
            if let Some(v) = value
                && slot.as_ref() != Some(v)
            {
                *slot = Some(v.clone());
                changed = true;
            }
        };
        set(&mut interface.service, service.as_ref());
        set(&mut interface.task, task.as_ref().or(service.as_ref()));
        if !interface.from_inventory {
            set(&mut interface.vpc_id, record.vpc_id.as_ref());
            set(&mut interface.subnet_id, record.subnet_id.as_ref());
            set(&mut interface.zone, record.az_id.as_ref());
        }
        let mut new_address = false;
        if let Some(a) = local
            && !interface.from_inventory
            && !interface.private_addresses.contains(&a)
            && interface.private_addresses.len() < 16
        {
            interface.private_addresses.push(a);
            new_address = true;
        }
        if new_address {
            self.index(id);
            changed = true;
        }
        changed
    }
}
