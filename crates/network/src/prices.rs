//! The price table (`data/prices.toml`, or a file the config names) and
//! what a group of counted flows costs under it. Pure.

use std::collections::BTreeMap;

use serde::Deserialize;

static EMBEDDED: &str = include_str!("../data/prices.toml");

/// Bytes in a billed GB.
pub const GB: f64 = (1u64 << 30) as f64;
/// Hours AWS bills a month as.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// One region's prices, USD.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionPrices {
    pub nat_gateway_hour: f64,
    pub nat_gateway_per_gb: f64,
    pub internet_egress_per_gb: f64,
    pub inter_az_per_gb: f64,
    pub regional_public_per_gb: f64,
    pub interface_endpoint_hour: f64,
    pub interface_endpoint_per_gb: f64,
    pub gateway_endpoint_per_gb: f64,
    pub transit_gateway_per_gb: f64,
    pub cloudfront_per_gb: f64,
}

/// The table.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceTable {
    pub effective_date: String,
    pub source: String,
    pub krw_per_usd: f64,
    pub default_region: String,
    pub regions: BTreeMap<String, RegionPrices>,
}

impl PriceTable {
    /// The table committed with hannun.
    pub fn embedded() -> PriceTable {
        PriceTable::parse(EMBEDDED).expect("the embedded price table parses")
    }

    /// A table from TOML text, checked: the default region is in it, and no
    /// price is negative or not a number.
    pub fn parse(text: &str) -> Result<PriceTable, String> {
        let table: PriceTable = toml::from_str(text).map_err(|e| format!("price table: {e}"))?;
        if !table.regions.contains_key(&table.default_region) {
            return Err(format!(
                "price table: default_region {:?} has no [regions.{}] table",
                table.default_region, table.default_region
            ));
        }
        if !(table.krw_per_usd.is_finite() && table.krw_per_usd > 0.0) {
            return Err("price table: krw_per_usd must be a positive number".into());
        }
        for (name, r) in &table.regions {
            let all = [
                r.nat_gateway_hour,
                r.nat_gateway_per_gb,
                r.internet_egress_per_gb,
                r.inter_az_per_gb,
                r.regional_public_per_gb,
                r.interface_endpoint_hour,
                r.interface_endpoint_per_gb,
                r.gateway_endpoint_per_gb,
                r.transit_gateway_per_gb,
                r.cloudfront_per_gb,
            ];
            if all.iter().any(|p| !p.is_finite() || *p < 0.0) {
                return Err(format!(
                    "price table: region {name} has a negative or non-numeric price"
                ));
            }
        }
        Ok(table)
    }

    /// A region's prices, the default region's for one the table lacks.
    pub fn region(&self, region: Option<&str>) -> &RegionPrices {
        region
            .and_then(|r| self.regions.get(r))
            .unwrap_or_else(|| &self.regions[&self.default_region])
    }
}

/// What a group of counted flows moved, for costing.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Moved<'a> {
    pub gateway_type: &'a str,
    pub destination_class: &'a str,
    /// The client is on the internet (inbound to one of ours).
    pub internet_client: bool,
    /// The client's zone differs from the gateway's (NAT) or the server's.
    pub cross_az: bool,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

/// The data charges of `m`, USD: NAT gateway processing (both ways),
/// interface endpoint processing, transit gateway processing, internet
/// egress (what leaves AWS), public-address traffic inside the region, and
/// zone crossings (each direction). Hourly charges are not per flow; the
/// findings add them.
pub fn cost(p: &RegionPrices, m: &Moved) -> f64 {
    let both = (m.bytes_sent + m.bytes_received) as f64 / GB;
    // Bytes leaving AWS for the internet.
    let out = if m.internet_client {
        m.bytes_received
    } else {
        m.bytes_sent
    } as f64
        / GB;
    let egress = match m.destination_class {
        "internet" => out * p.internet_egress_per_gb,
        "own_public_endpoint" if m.internet_client => out * p.internet_egress_per_gb,
        "own_public_endpoint" => both * p.regional_public_per_gb,
        _ => 0.0,
    };
    let crossing = if m.cross_az {
        both * p.inter_az_per_gb * 2.0
    } else {
        0.0
    };
    let processing = match m.gateway_type {
        "nat" => both * p.nat_gateway_per_gb,
        "endpoint" => both * p.interface_endpoint_per_gb,
        "gateway_endpoint" => both * p.gateway_endpoint_per_gb,
        "tgw" => both * p.transit_gateway_per_gb,
        _ => 0.0,
    };
    processing + egress + crossing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_has_seoul_and_virginia() {
        let t = PriceTable::embedded();
        assert_eq!(t.region(Some("ap-northeast-2")).nat_gateway_per_gb, 0.059);
        assert_eq!(t.region(Some("us-east-1")).nat_gateway_per_gb, 0.045);
        assert_eq!(t.region(Some("mars-north-1")), t.region(None));
    }

    #[test]
    fn a_bad_table_says_what_is_wrong() {
        let text = EMBEDDED.replace(
            "default_region = \"ap-northeast-2\"",
            "default_region = \"eu-west-9\"",
        );
        assert!(PriceTable::parse(&text).unwrap_err().contains("eu-west-9"));
        let text = EMBEDDED.replace("nat_gateway_per_gb = 0.059", "nat_gateway_per_gb = -1.0");
        assert!(
            PriceTable::parse(&text)
                .unwrap_err()
                .contains("ap-northeast-2")
        );
        let text = EMBEDDED.replace(
            "cloudfront_per_gb = 0.12",
            "cloudfront_per_gb = 0.12\nbogus = 1",
        );
        assert!(PriceTable::parse(&text).unwrap_err().contains("bogus"));
    }

    #[test]
    fn costs_follow_the_table() {
        let p = PriceTable::embedded()
            .region(Some("ap-northeast-2"))
            .clone();
        let gb = GB as u64;
        let s3_via_nat = Moved {
            gateway_type: "nat",
            destination_class: "aws_service",
            bytes_sent: gb,
            bytes_received: 9 * gb,
            ..Moved::default()
        };
        assert!((cost(&p, &s3_via_nat) - 10.0 * 0.059).abs() < 1e-9);
        let internet = Moved {
            destination_class: "internet",
            ..s3_via_nat
        };
        assert!((cost(&p, &internet) - (10.0 * 0.059 + 0.126)).abs() < 1e-9);
        let gateway_endpoint = Moved {
            gateway_type: "gateway_endpoint",
            ..s3_via_nat
        };
        assert_eq!(cost(&p, &gateway_endpoint), 0.0);
        let cross = Moved {
            gateway_type: "local",
            destination_class: "same_vpc",
            cross_az: true,
            ..s3_via_nat
        };
        assert!((cost(&p, &cross) - 10.0 * 0.02).abs() < 1e-9);
        let inbound = Moved {
            gateway_type: "igw",
            destination_class: "own_public_endpoint",
            internet_client: true,
            ..s3_via_nat
        };
        assert!((cost(&p, &inbound) - 9.0 * 0.126).abs() < 1e-9);
    }
}
