//! Which AWS service and region an address belongs to, from AWS's
//! published IP ranges (`data/aws-ip-ranges.tsv.gz`, refreshed by
//! `cargo xtask aws-ip-ranges`). AWS lists every range under `AMAZON` and
//! many again under a specific service (`S3`, `EC2`, `DYNAMODB`...): a
//! lookup answers the longest matching prefix, and among the ranges of
//! that prefix a specific service before `AMAZON`.

use std::collections::HashMap;
use std::io::Read;
use std::net::IpAddr;

static EMBEDDED: &[u8] = include_bytes!("../data/aws-ip-ranges.tsv.gz");

/// The AWS range an address is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsRange {
    /// AWS's service name (`S3`, `EC2`, `AMAZON`...).
    pub service: String,
    /// `ap-northeast-2`, or `GLOBAL`.
    pub region: String,
    pub prefix_len: u8,
}

/// AWS's ranges, by prefix length, for longest-prefix lookups.
#[derive(Debug, Default)]
pub struct AwsIpRanges {
    /// Per prefix length (0-32), network address -> the range's best entry.
    v4: Vec<HashMap<u32, (String, String)>>,
    /// Per prefix length (0-128).
    v6: Vec<HashMap<u128, (String, String)>>,
    len: usize,
}

fn mask_v4(addr: u32, len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        addr & (u32::MAX << (32 - u32::from(len)))
    }
}

fn mask_v6(addr: u128, len: u8) -> u128 {
    if len == 0 {
        0
    } else {
        addr & (u128::MAX << (128 - u32::from(len)))
    }
}

impl AwsIpRanges {
    /// The ranges committed with hannun.
    pub fn embedded() -> Result<AwsIpRanges, String> {
        let mut text = String::new();
        flate2::read::GzDecoder::new(EMBEDDED)
            .read_to_string(&mut text)
            .map_err(|e| format!("the embedded AWS IP ranges are unreadable: {e}"))?;
        AwsIpRanges::parse(&text)
    }

    /// Ranges from `cidr<TAB>region<TAB>service` lines (`#` comments).
    pub fn parse(text: &str) -> Result<AwsIpRanges, String> {
        let mut ranges = AwsIpRanges {
            v4: vec![HashMap::new(); 33],
            v6: vec![HashMap::new(); 129],
            len: 0,
        };
        for (i, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split('\t');
            let (Some(cidr), region, service) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            let (region, service) = (region.unwrap_or(""), service.unwrap_or("AMAZON"));
            let bad = || format!("line {}: {cidr:?} is not a CIDR range", i + 1);
            let (addr, len) = cidr.split_once('/').ok_or_else(bad)?;
            let len: u8 = len.parse().map_err(|_| bad())?;
            let entry = (service.to_owned(), region.to_owned());
            match addr.parse::<IpAddr>().map_err(|_| bad())? {
                IpAddr::V4(a) if len <= 32 => {
                    insert(&mut ranges.v4[len as usize], mask_v4(a.into(), len), entry)
                }
                IpAddr::V6(a) if len <= 128 => {
                    insert(&mut ranges.v6[len as usize], mask_v6(a.into(), len), entry)
                }
                _ => return Err(bad()),
            }
            ranges.len += 1;
        }
        Ok(ranges)
    }

    /// Ranges read (lines, before merging a prefix's services).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The most specific AWS range `addr` is in.
    pub fn lookup(&self, addr: IpAddr) -> Option<AwsRange> {
        let found = |(service, region): &(String, String), prefix_len: u8| AwsRange {
            service: service.clone(),
            region: region.clone(),
            prefix_len,
        };
        match addr {
            IpAddr::V4(a) => {
                let a = u32::from(a);
                (0..=32u8).rev().find_map(|len| {
                    self.v4
                        .get(len as usize)?
                        .get(&mask_v4(a, len))
                        .map(|e| found(e, len))
                })
            }
            IpAddr::V6(a) => {
                let a = u128::from(a);
                (0..=128u8).rev().find_map(|len| {
                    self.v6
                        .get(len as usize)?
                        .get(&mask_v6(a, len))
                        .map(|e| found(e, len))
                })
            }
        }
    }
}

/// Keeps a specific service over `AMAZON` for the same prefix.
fn insert<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, (String, String)>,
    key: K,
    entry: (String, String),
) {
    match map.get(&key) {
        Some((service, _)) if service != "AMAZON" && entry.0 == "AMAZON" => {}
        _ => {
            map.insert(key, entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn longest_prefix_and_specific_service_first() {
        let ranges = AwsIpRanges::parse(
            "# test\n52.192.0.0/11\tGLOBAL\tAMAZON\n52.219.56.0/22\tap-northeast-2\tAMAZON\n52.219.56.0/22\tap-northeast-2\tS3\n2406:da00::/24\tGLOBAL\tAMAZON\n2406:da12::/32\tap-northeast-2\tEC2\n",
        )
        .unwrap();
        assert_eq!(ranges.len(), 5);
        let s3 = ranges.lookup(ip("52.219.57.1")).unwrap();
        assert_eq!(
            (s3.service.as_str(), s3.region.as_str(), s3.prefix_len),
            ("S3", "ap-northeast-2", 22)
        );
        let wide = ranges.lookup(ip("52.200.0.1")).unwrap();
        assert_eq!((wide.service.as_str(), wide.prefix_len), ("AMAZON", 11));
        assert_eq!(ranges.lookup(ip("10.0.0.1")), None);
        assert_eq!(
            ranges.lookup(ip("2406:da12:abc::1")).unwrap().service,
            "EC2"
        );
        assert_eq!(
            ranges.lookup(ip("2406:da00:1::1")).unwrap().service,
            "AMAZON"
        );
        assert!(
            AwsIpRanges::parse("300.1.2.3/8\tx\ty\n")
                .unwrap_err()
                .contains("line 1")
        );
    }

    #[test]
    fn the_embedded_ranges_name_known_aws_addresses() {
        let ranges = AwsIpRanges::embedded().unwrap();
        assert!(ranges.len() > 10_000, "{}", ranges.len());
        // Private addresses are never AWS's public ranges.
        for private in ["10.0.0.1", "172.16.5.4", "192.168.1.1"] {
            assert_eq!(ranges.lookup(ip(private)), None, "{private}");
        }
        // Every range's own first address finds a range at least as long.
        let mut text = String::new();
        flate2::read::GzDecoder::new(EMBEDDED)
            .read_to_string(&mut text)
            .unwrap();
        let s3 = text
            .lines()
            .find(|l| l.ends_with("\tap-northeast-2\tS3"))
            .expect("S3 has ranges in Seoul");
        let (cidr, _) = s3.split_once('\t').unwrap();
        let (addr, len) = cidr.split_once('/').unwrap();
        let found = ranges.lookup(ip(addr)).unwrap();
        assert_eq!(found.region, "ap-northeast-2");
        assert!(found.prefix_len >= len.parse::<u8>().unwrap());
        assert_ne!(found.service, "AMAZON", "{found:?}");
    }
}
