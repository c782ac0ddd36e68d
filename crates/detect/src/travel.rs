//! Impossible travel: two successful authentications of one identity from
//! places so far apart, so close in time, that getting from one to the
//! other needs more than a speed limit (1,000 km/h by default, faster than
//! an airliner). Known VPN and corporate ranges and addresses with no
//! place are left out; a small clock allowance keeps two sources' clocks
//! (CloudTrail, Okta) from inventing speed; events may arrive out of order,
//! so each is compared with its neighbours in time on both sides.

use std::collections::HashMap;
use std::net::IpAddr;

use enrich::AuditRow;

/// Settings of the rule.
#[derive(Debug, Clone)]
pub struct TravelConfig {
    pub max_speed_kmh: f64,
    /// Ranges whose sign-ins are not placed (VPN exits, offices).
    pub ignore: Vec<(IpAddr, u8)>,
    /// Added to every time gap, for clocks that disagree.
    pub clock_allowance_s: f64,
    /// Places closer than this are the same place (a city's two ends).
    pub min_distance_km: f64,
}

impl Default for TravelConfig {
    fn default() -> TravelConfig {
        TravelConfig {
            max_speed_kmh: 1_000.0,
            ignore: Vec::new(),
            clock_allowance_s: 300.0,
            min_distance_km: 100.0,
        }
    }
}

/// Parses `10.0.0.0/8` (or a bare address) into an address and prefix.
pub fn parse_cidr(text: &str) -> Result<(IpAddr, u8), String> {
    let (addr, bits) = match text.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (text, None),
    };
    let addr: IpAddr = addr
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not an address or CIDR range"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let bits = match bits {
        Some(b) => b
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|b| *b <= max)
            .ok_or_else(|| format!("{text:?}: the prefix must be 0-{max}"))?,
        None => max,
    };
    Ok((addr, bits))
}

fn in_range(ip: IpAddr, (net, bits): (IpAddr, u8)) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Great-circle distance in km (haversine, mean Earth radius).
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371.0 * a.sqrt().asin()
}

/// One placed sign-in.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub time: i64,
    pub latitude: f64,
    pub longitude: f64,
    pub place: String,
    pub ip: String,
}

/// A travel found impossible: from `from` to `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct Trip {
    pub actor: String,
    pub from: Fix,
    pub to: Fix,
    pub distance_km: f64,
    pub speed_kmh: f64,
}

/// The sign-ins kept per identity: the recent ones, in time order.
#[derive(Debug, Default)]
pub struct Travel {
    by_actor: HashMap<String, Vec<Fix>>,
}

/// Sign-ins older than this before the newest are forgotten.
const KEEP_NS: i64 = 24 * 3_600_000_000_000;
/// At most this many sign-ins per identity.
const KEEP_FIXES: usize = 16;

/// Whether a row is a successful authentication.
pub fn is_authentication(row: &AuditRow) -> bool {
    if row.outcome != Some("success") {
        return false;
    }
    match (row.event_source.as_deref(), row.event_name.as_deref()) {
        (Some("signin.amazonaws.com"), Some("ConsoleLogin")) => true,
        (Some("sts.amazonaws.com"), Some("AssumeRoleWithSAML" | "AssumeRoleWithWebIdentity")) => {
            true
        }
        (Some("okta"), Some(name)) => {
            name == "user.session.start" || name.starts_with("user.authentication.")
        }
        _ => false,
    }
}

impl Travel {
    /// Takes a row; returns the impossible trips it closes (with the
    /// sign-in before it and the one after it, when out of order).
    pub fn observe(&mut self, row: &AuditRow, config: &TravelConfig) -> Vec<Trip> {
        if !is_authentication(row) {
            return Vec::new();
        }
        let (Some(actor), Some(lat), Some(lon)) = (
            row.actor.as_deref(),
            row.place.latitude,
            row.place.longitude,
        ) else {
            return Vec::new();
        };
        let ip = row.source_ip.clone().unwrap_or_default();
        if let Ok(addr) = ip.parse::<IpAddr>()
            && config.ignore.iter().any(|r| in_range(addr, *r))
        {
            return Vec::new();
        }
        let place = [row.place.city.as_deref(), row.place.country.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        let fix = Fix {
            time: row.time,
            latitude: lat,
            longitude: lon,
            place,
            ip,
        };
        let fixes = self.by_actor.entry(actor.to_owned()).or_default();
        let at = fixes.partition_point(|f| f.time <= fix.time);
        let mut trips = Vec::new();
        let neighbours = [at.checked_sub(1).map(|i| (i, true)), Some((at, false))];
        for (i, before) in neighbours.into_iter().flatten() {
            let Some(other) = fixes.get(i) else { continue };
            let distance = distance_km(other.latitude, other.longitude, lat, lon);
            if distance < config.min_distance_km {
                continue;
            }
            let hours =
                ((fix.time - other.time).abs() as f64 / 1e9 + config.clock_allowance_s) / 3600.0;
            let speed = distance / hours;
            if speed > config.max_speed_kmh {
                let (from, to) = if before {
                    (other.clone(), fix.clone())
                } else {
                    (fix.clone(), other.clone())
                };
                trips.push(Trip {
                    actor: actor.to_owned(),
                    from,
                    to,
                    distance_km: distance,
                    speed_kmh: speed,
                });
            }
        }
        fixes.insert(at, fix);
        let newest = fixes.last().map_or(0, |f| f.time);
        fixes.retain(|f| newest - f.time <= KEEP_NS);
        if fixes.len() > KEEP_FIXES {
            let extra = fixes.len() - KEEP_FIXES;
            fixes.drain(..extra);
        }
        trips
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use enrich::Place;

    const MINUTE: i64 = 60_000_000_000;

    fn login(actor: &str, minute: i64, city: Option<(&str, f64, f64)>, ip: &str) -> AuditRow {
        AuditRow {
            time: minute * MINUTE,
            source: "cloudtrail",
            event_source: Some("signin.amazonaws.com".into()),
            event_name: Some("ConsoleLogin".into()),
            actor: Some(actor.into()),
            outcome: Some("success"),
            source_ip: Some(ip.into()),
            place: match city {
                Some((name, lat, lon)) => Place {
                    city: Some(name.into()),
                    latitude: Some(lat),
                    longitude: Some(lon),
                    ..Place::default()
                },
                None => Place::default(),
            },
            ..AuditRow::default()
        }
    }

    const LONDON: (&str, f64, f64) = ("London", 51.5142, -0.0931);
    const LONDON_EAST: (&str, f64, f64) = ("London", 51.52, 0.05);
    const CHANGCHUN: (&str, f64, f64) = ("Changchun", 43.88, 125.3228);
    const MILTON: (&str, f64, f64) = ("Milton", 47.2513, -122.3149);

    #[test]
    fn london_then_changchun_an_hour_later_is_impossible() {
        let mut t = Travel::default();
        let c = TravelConfig::default();
        assert!(
            t.observe(&login("alice", 0, Some(LONDON), "81.2.69.142"), &c)
                .is_empty()
        );
        let trips = t.observe(&login("alice", 60, Some(CHANGCHUN), "175.16.199.1"), &c);
        assert_eq!(trips.len(), 1);
        assert!(
            (trips[0].distance_km - 8_100.0).abs() < 300.0,
            "{}",
            trips[0].distance_km
        );
        assert!(trips[0].speed_kmh > 1_000.0);
        assert_eq!(trips[0].from.place, "London");
        // Someone else, and the same person a day later, are fine.
        assert!(
            t.observe(&login("bob", 61, Some(MILTON), "216.160.83.56"), &c)
                .is_empty()
        );
        assert!(
            t.observe(
                &login("alice", 60 + 24 * 60, Some(LONDON), "81.2.69.142"),
                &c
            )
            .is_empty()
        );
    }

    #[test]
    fn same_city_missing_place_vpn_and_clock_skew_do_not_fire() {
        let c = TravelConfig {
            ignore: vec![parse_cidr("175.16.199.0/24").unwrap()],
            ..TravelConfig::default()
        };
        let mut t = Travel::default();
        assert!(
            t.observe(&login("a", 0, Some(LONDON), "81.2.69.142"), &c)
                .is_empty()
        );
        assert!(
            t.observe(&login("a", 1, Some(LONDON_EAST), "81.2.69.160"), &c)
                .is_empty()
        );
        assert!(t.observe(&login("a", 2, None, "10.0.0.1"), &c).is_empty());
        assert!(
            t.observe(&login("a", 3, Some(CHANGCHUN), "175.16.199.1"), &c)
                .is_empty()
        );
        // London -> Paris (340 km) reported 2 minutes apart by clocks that
        // disagree: with the 5-minute allowance it is 2,900 km/h, still
        // impossible; 20 minutes apart it is 816 km/h and possible.
        let paris = ("Paris", 48.8566, 2.3522);
        let mut t = Travel::default();
        let c = TravelConfig::default();
        t.observe(&login("p", 0, Some(LONDON), "81.2.69.142"), &c);
        assert!(
            t.observe(&login("p", 20, Some(paris), "1.1.1.1"), &c)
                .is_empty()
        );
        assert_eq!(
            t.observe(&login("p", 22, Some(LONDON), "81.2.69.142"), &c)
                .len(),
            1
        );
    }

    #[test]
    fn an_earlier_sign_in_arriving_late_is_compared_both_ways() {
        let c = TravelConfig::default();
        let mut t = Travel::default();
        t.observe(&login("o", 100, Some(LONDON), "81.2.69.142"), &c);
        // Arrives after, happened before: Milton at minute 40, London at 100.
        let trips = t.observe(&login("o", 40, Some(MILTON), "216.160.83.56"), &c);
        assert_eq!(trips.len(), 1);
        assert_eq!(
            (trips[0].from.place.as_str(), trips[0].to.place.as_str()),
            ("Milton", "London")
        );
    }

    #[test]
    fn failures_and_other_events_are_not_sign_ins() {
        let c = TravelConfig::default();
        let mut t = Travel::default();
        t.observe(&login("f", 0, Some(LONDON), "81.2.69.142"), &c);
        let mut failed = login("f", 5, Some(CHANGCHUN), "175.16.199.1");
        failed.outcome = Some("failure");
        assert!(t.observe(&failed, &c).is_empty());
        let mut api = login("f", 5, Some(CHANGCHUN), "175.16.199.1");
        api.event_name = Some("ListBuckets".into());
        assert!(t.observe(&api, &c).is_empty());
    }

    #[test]
    fn ranges_parse_and_match() {
        assert!(in_range(
            "10.1.2.3".parse().unwrap(),
            parse_cidr("10.0.0.0/8").unwrap()
        ));
        assert!(!in_range(
            "11.0.0.1".parse().unwrap(),
            parse_cidr("10.0.0.0/8").unwrap()
        ));
        assert!(in_range(
            "2001:db8::1".parse().unwrap(),
            parse_cidr("2001:db8::/32").unwrap()
        ));
        assert!(parse_cidr("10.0.0.0/33").is_err());
        assert!(parse_cidr("vpn").is_err());
    }
}
