//! S3 objects served straight to the internet, from CloudTrail's S3 data
//! events in the `audit` dataset (flow logs never see S3's side): the
//! bytes `GetObject` sent to internet addresses, per bucket, are internet
//! egress that CloudFront would serve for less (S3 to CloudFront is free).
//! CloudFront's own fetches come from AWS ranges and are left out.

use std::collections::BTreeMap;

use model::DatasetName;
use query::QueryEngine;
use query::ir::{self, Select, column, text};

use crate::NetworkError;
use crate::finding::{Evidence, Finding, grouped, round2};
use crate::prices::{GB, HOURS_PER_MONTH, PriceTable};
use crate::traffic::TrafficFilter;

/// The `s3_egress_to_cdn` findings of the filter's range, and the hours
/// of S3 data events they were measured over (none without such events).
pub(crate) async fn s3_egress_to_cdn(
    engine: &QueryEngine,
    prices: &PriceTable,
    filter: &TrafficFilter,
) -> Result<(Vec<Finding>, Option<f64>), NetworkError> {
    if !engine.has_dataset(&DatasetName::audit()) {
        return Ok((Vec::new(), None));
    }
    let mut select = Select::from(DatasetName::audit())
        .filter(column("event_source").eq(text("s3.amazonaws.com")))
        .filter(column("event_name").eq(text("GetObject")))
        .filter(column("source_class").eq(text("internet")))
        .filter(column("outcome").eq(text("success")))
        .filter(column("bytes_out").is_not_null());
    if let Some(range) = filter.range {
        select = select.filter(ir::time_in(range));
    }
    let select = select
        .group_by(["bucket", "region"].map(column))
        .aggregate([
            ir::sum(column("bytes_out")).alias("bytes"),
            ir::count_rows().alias("requests"),
            ir::count_distinct(column("source_ip")).alias("clients"),
            ir::min(ir::nanos(column(model::TIME_COLUMN))).alias("first"),
            ir::max(ir::nanos(column(model::TIME_COLUMN))).alias("last"),
        ]);
    let rows = engine.fetch(&select).await?;
    if rows.is_empty() {
        return Ok((Vec::new(), None));
    }
    let (buckets, regions) = (rows.texts("bucket")?, rows.texts("region")?);
    let (bytes, requests, clients) = (
        rows.integers("bytes")?,
        rows.counts("requests")?,
        rows.counts("clients")?,
    );
    let (first, last) = (rows.integers("first")?, rows.integers("last")?);
    let span = match (first.iter().flatten().min(), last.iter().flatten().max()) {
        (Some(a), Some(b)) => ((b - a) as f64 / 3.6e12).max(1.0),
        _ => 1.0,
    };
    let month = HOURS_PER_MONTH / span;
    // One finding per region (its prices), the buckets as resources.
    let mut by_region: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
    for (i, region) in regions.iter().enumerate() {
        by_region.entry(region.clone()).or_default().push(i);
    }
    let mut out = Vec::new();
    for (region, rows_of) in by_region {
        let p = prices.region(region.as_deref());
        let per_gb = p.internet_egress_per_gb - p.cloudfront_per_gb;
        let total: u64 = rows_of
            .iter()
            .map(|&i| bytes[i].unwrap_or(0).max(0) as u64)
            .sum();
        let saved = total as f64 / GB * per_gb * month;
        if saved <= 0.0 {
            continue;
        }
        let mut evidence: Vec<Evidence> = rows_of
            .iter()
            .map(|&i| {
                let b = bytes[i].unwrap_or(0).max(0) as u64;
                Evidence {
                    client_task: None,
                    gateway: None,
                    destination: Some(format!(
                        "s3://{} ({} requests from {} addresses)",
                        buckets[i].as_deref().unwrap_or("?"),
                        requests[i],
                        clients[i]
                    )),
                    az_pair: None,
                    bytes: b,
                    cost_usd: round2(b as f64 / GB * p.internet_egress_per_gb),
                }
            })
            .collect();
        evidence.sort_by_key(|e| std::cmp::Reverse(e.bytes));
        evidence.truncate(5);
        let monthly_bytes = (total as f64 * month) as u64;
        let mut resources: Vec<String> = rows_of
            .iter()
            .filter_map(|&i| buckets[i].as_deref().map(|b| format!("arn:aws:s3:::{b}")))
            .collect();
        resources.sort();
        resources.dedup();
        out.push(Finding {
            kind: "s3_egress_to_cdn",
            title: format!(
                "S3 serves {} GB a month straight to the internet",
                grouped(monthly_bytes as f64 / GB)
            ),
            resources,
            service: Some("S3".to_owned()),
            monthly_savings_usd: round2(saved),
            monthly_savings_krw: (saved * prices.krw_per_usd).round(),
            monthly_bytes,
            break_even_gb_per_month: None,
            evidence,
            fix: "Put a CloudFront distribution in front of the buckets (origin access control, the bucket closed to the public): transfer from S3 to CloudFront is free and CloudFront's transfer out costs less than S3's internet egress; repeated objects are served from the edge.".to_owned(),
        });
    }
    Ok((out, Some(span)))
}
