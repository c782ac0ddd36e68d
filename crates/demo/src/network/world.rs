//! The demo company's production VPC in Seoul: two zones, a NAT gateway in
//! each, an ECR interface endpoint, a gateway endpoint for DynamoDB, an
//! internet-facing and an internal load balancer, and ECS tasks of six
//! services. And what those tasks talk to, with the talk's problems in it:
//! S3, SQS, SNS, SES and KMS through the NAT gateways, calls to the
//! company's own public API leaving through NAT, and cross-zone calls.

pub(crate) const ACCOUNT: &str = "345678901234";
pub(crate) const REGION: &str = "ap-northeast-2";
pub(crate) const VPC: &str = "vpc-0a1b2c3d4e5f60718";
pub(crate) const FLOW_LOG_ID: &str = "fl-0c9d8e7f6a5b43210";

/// A zone: name, zone id, private and public subnet, their /24 prefix.
pub(crate) struct Zone {
    pub name: &'static str,
    pub id: &'static str,
    pub private_subnet: &'static str,
    pub public_subnet: &'static str,
    pub private_prefix: &'static str,
    pub public_prefix: &'static str,
}

pub(crate) const ZONES: [Zone; 2] = [
    Zone {
        name: "ap-northeast-2a",
        id: "apne2-az1",
        private_subnet: "subnet-0a00000000000a001",
        public_subnet: "subnet-0a00000000000b001",
        private_prefix: "10.20.1",
        public_prefix: "10.20.101",
    },
    Zone {
        name: "ap-northeast-2c",
        id: "apne2-az3",
        private_subnet: "subnet-0c00000000000a003",
        public_subnet: "subnet-0c00000000000b003",
        private_prefix: "10.20.2",
        public_prefix: "10.20.102",
    },
];

/// What an interface belongs to, with what describe-network-interfaces
/// says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Owner {
    Nat(&'static str),
    Endpoint(&'static str),
    LoadBalancer(&'static str),
    Task {
        service: &'static str,
        family: &'static str,
        cluster: &'static str,
    },
}

/// One interface of the VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Eni {
    pub id: String,
    pub owner: Owner,
    pub zone: usize,
    pub private_ip: String,
    pub public_ip: Option<String>,
    pub team: Option<&'static str>,
    pub public_subnet: bool,
}

/// The ECS services with tasks in the VPC: name, team, tasks.
pub(crate) const TASK_SERVICES: [(&str, &str, usize); 6] = [
    ("web-bff", "frontend", 2),
    ("jobs-api", "jobs-core", 3),
    ("cards-ocr-worker", "cards", 2),
    ("community-feed-worker", "community", 2),
    ("gifts-payment", "commerce", 1),
    ("ads-bidder", "ads", 2),
];

pub(crate) const NATS: [&str; 2] = ["nat-0a1a2a3a4a5a6a7a8", "nat-0c1c2c3c4c5c6c7c8"];
pub(crate) const NAT_EIPS: [&str; 2] = ["3.38.10.11", "3.38.10.12"];
pub(crate) const ECR_ENDPOINT: &str = "vpce-0e1c2r3e4n5d6p7t8";
pub(crate) const PUBLIC_ALB: &str = "app/prod-public/5f0c1d2e3a4b5c6d";
pub(crate) const PUBLIC_ALB_EIPS: [&str; 2] = ["13.124.20.1", "13.124.20.2"];
pub(crate) const INTERNAL_ALB: &str = "app/prod-internal/7a8b9c0d1e2f3a4b";
pub(crate) const OWN_API_NAME: &str = "api.jobplanet-demo.co.kr";

/// Every interface, in a stable order.
pub(crate) fn interfaces() -> Vec<Eni> {
    let mut out = Vec::new();
    for (z, zone) in ZONES.iter().enumerate() {
        out.push(Eni {
            id: format!("eni-0{}00000000000a01", z + 1),
            owner: Owner::Nat(NATS[z]),
            zone: z,
            private_ip: format!("{}.10", zone.public_prefix),
            public_ip: Some(NAT_EIPS[z].to_owned()),
            team: None,
            public_subnet: true,
        });
        out.push(Eni {
            id: format!("eni-0{}00000000000b02", z + 1),
            owner: Owner::LoadBalancer(PUBLIC_ALB),
            zone: z,
            private_ip: format!("{}.50", zone.public_prefix),
            public_ip: Some(PUBLIC_ALB_EIPS[z].to_owned()),
            team: None,
            public_subnet: true,
        });
        out.push(Eni {
            id: format!("eni-0{}00000000000c03", z + 1),
            owner: Owner::LoadBalancer(INTERNAL_ALB),
            zone: z,
            private_ip: format!("{}.60", zone.private_prefix),
            public_ip: None,
            team: None,
            public_subnet: false,
        });
    }
    // The ECR endpoint only in zone a.
    out.push(Eni {
        id: "eni-0100000000000d04".to_owned(),
        owner: Owner::Endpoint(ECR_ENDPOINT),
        zone: 0,
        private_ip: format!("{}.200", ZONES[0].private_prefix),
        public_ip: None,
        team: None,
        public_subnet: false,
    });
    let mut host = 11;
    for (service, team, tasks) in TASK_SERVICES {
        for t in 0..tasks {
            let z = t % 2;
            out.push(Eni {
                id: format!("eni-0{:016x}", 0x7a5c_0000_0000u64 + host as u64),
                owner: Owner::Task {
                    service,
                    family: service,
                    cluster: "prod",
                },
                zone: z,
                private_ip: format!("{}.{host}", ZONES[z].private_prefix),
                public_ip: None,
                team: Some(team),
                public_subnet: false,
            });
            host += 1;
        }
    }
    out
}

/// Where a conversation goes and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// Out through the NAT gateway of the task's zone.
    Nat,
    /// Through the ECR interface endpoint's interface.
    Endpoint,
    /// Through the DynamoDB gateway endpoint (traffic-path 7).
    GatewayEndpoint,
    /// To the internal load balancer's interface in the other zone.
    InternalOtherZone,
}

/// A kind of conversation: which service, to which name and address, port,
/// how, and bytes a minute per task each way (median).
pub(crate) struct Talk {
    pub service: &'static str,
    pub name: &'static str,
    /// The address the name resolves to (`""`: the route's own interface).
    pub address: &'static str,
    pub port: u16,
    pub route: Route,
    pub up_per_min: f64,
    pub down_per_min: f64,
    /// The class and AWS service the analysis should find.
    pub class: &'static str,
    pub aws_service: Option<&'static str>,
}

const MB: f64 = 1_000_000.0;

#[allow(clippy::too_many_arguments)]
const fn talk(
    service: &'static str,
    name: &'static str,
    address: &'static str,
    port: u16,
    route: Route,
    up_mb: f64,
    down_mb: f64,
    class: &'static str,
    aws_service: Option<&'static str>,
) -> Talk {
    Talk {
        service,
        name,
        address,
        port,
        route,
        up_per_min: up_mb * MB,
        down_per_min: down_mb * MB,
        class,
        aws_service,
    }
}

pub(crate) const TALKS: [Talk; 14] = [
    talk(
        "jobs-api",
        "jobs-prod-uploads.s3.ap-northeast-2.amazonaws.com",
        "3.5.140.10",
        443,
        Route::Nat,
        2.0,
        30.0,
        "aws_service",
        Some("S3"),
    ),
    talk(
        "cards-ocr-worker",
        "cards-prod-scans.s3.ap-northeast-2.amazonaws.com",
        "3.5.141.20",
        443,
        Route::Nat,
        1.0,
        24.0,
        "aws_service",
        Some("S3"),
    ),
    talk(
        "community-feed-worker",
        "sqs.ap-northeast-2.amazonaws.com",
        "52.95.194.10",
        443,
        Route::Nat,
        3.0,
        3.5,
        "aws_service",
        Some("SQS"),
    ),
    talk(
        "community-feed-worker",
        "sns.ap-northeast-2.amazonaws.com",
        "52.95.195.20",
        443,
        Route::Nat,
        1.2,
        0.2,
        "aws_service",
        Some("SNS"),
    ),
    talk(
        "community-feed-worker",
        "fcm.googleapis.com",
        "142.250.196.10",
        443,
        Route::Nat,
        2.0,
        0.3,
        "internet",
        None,
    ),
    talk(
        "gifts-payment",
        "api.stripe.com",
        "54.187.216.72",
        443,
        Route::Nat,
        0.4,
        0.6,
        "internet",
        None,
    ),
    talk(
        "gifts-payment",
        "kms.ap-northeast-2.amazonaws.com",
        "52.95.197.40",
        443,
        Route::Nat,
        0.3,
        0.3,
        "aws_service",
        Some("KMS"),
    ),
    talk(
        "gifts-payment",
        "email.ap-northeast-2.amazonaws.com",
        "52.95.196.30",
        443,
        Route::Nat,
        0.8,
        0.05,
        "aws_service",
        Some("SES"),
    ),
    talk(
        "web-bff",
        OWN_API_NAME,
        "13.124.20.1",
        443,
        Route::Nat,
        5.0,
        15.0,
        "own_public_endpoint",
        None,
    ),
    talk(
        "web-bff",
        "internal-prod-internal.ap-northeast-2.elb.amazonaws.com",
        "",
        80,
        Route::InternalOtherZone,
        3.0,
        9.0,
        "same_vpc",
        None,
    ),
    talk(
        "ads-bidder",
        "dynamodb.ap-northeast-2.amazonaws.com",
        "52.94.6.12",
        443,
        Route::GatewayEndpoint,
        6.0,
        12.0,
        "aws_service",
        Some("DYNAMODB"),
    ),
    talk(
        "jobs-api",
        "api.ecr.ap-northeast-2.amazonaws.com",
        "",
        443,
        Route::Endpoint,
        0.05,
        0.4,
        "aws_service",
        Some("ECR"),
    ),
    talk(
        "ads-bidder",
        "api.ecr.ap-northeast-2.amazonaws.com",
        "",
        443,
        Route::Endpoint,
        0.05,
        0.4,
        "aws_service",
        Some("ECR"),
    ),
    talk(
        "cards-ocr-worker",
        "api.ecr.ap-northeast-2.amazonaws.com",
        "",
        443,
        Route::Endpoint,
        0.05,
        0.4,
        "aws_service",
        Some("ECR"),
    ),
];

/// Internet users of the public load balancer: bytes a minute each way.
pub(crate) const INBOUND_UP_PER_MIN: f64 = 2.0 * MB;
pub(crate) const INBOUND_DOWN_PER_MIN: f64 = 40.0 * MB;
/// Internet clients' addresses (documentation ranges).
pub(crate) const INTERNET_CLIENTS: [&str; 4] = [
    "198.51.100.23",
    "203.0.113.77",
    "198.51.100.190",
    "203.0.113.5",
];
