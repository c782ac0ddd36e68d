//! What a finding is, shared by the flow findings (`findings.rs`) and
//! S3's (`s3_egress.rs`): the finding, its evidence, the list, and how
//! their numbers are written.

/// One flow group behind a finding.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Evidence {
    pub client_task: Option<String>,
    pub gateway: Option<String>,
    pub destination: Option<String>,
    pub az_pair: Option<String>,
    pub bytes: u64,
    pub cost_usd: f64,
}

/// A way to pay less, with what it is worth.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Finding {
    /// `s3_via_nat`, `dynamodb_via_nat`, `aws_service_via_nat`,
    /// `own_endpoint_via_nat`, `internet_egress_to_cdn`,
    /// `s3_egress_to_cdn`, `cross_az`.
    pub kind: &'static str,
    pub title: String,
    /// The resources involved: NAT gateways, VPCs, load balancers.
    pub resources: Vec<String>,
    /// The AWS service, for the `*_via_nat` kinds.
    #[schema(required = true)]
    pub service: Option<String>,
    pub monthly_savings_usd: f64,
    pub monthly_savings_krw: f64,
    /// Bytes a month (the observed span scaled to 730 hours).
    pub monthly_bytes: u64,
    /// For `aws_service_via_nat`: GB a month above which the endpoint's
    /// hours pay for themselves.
    #[schema(required = true)]
    pub break_even_gb_per_month: Option<f64>,
    /// The largest flow groups behind it.
    pub evidence: Vec<Evidence>,
    /// The fix, in words.
    pub fix: String,
}

/// The findings and the span they were measured over.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Findings {
    /// Hours of flows observed (at least one), scaled to a month.
    pub observed_hours: f64,
    pub findings: Vec<Finding>,
    /// The price table's date and source.
    pub prices: String,
}

/// A whole number with thousands separators (`118,830`).
pub(crate) fn grouped(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands() {
        assert_eq!(super::grouped(118_830.4), "118,830");
        assert_eq!(super::grouped(999.0), "999");
        assert_eq!(super::grouped(1_000.0), "1,000");
        assert_eq!(super::grouped(0.2), "0");
    }
}
