//! Where an address is: country, city, coordinates and network (ASN), from
//! MaxMind-format databases (GeoLite2, GeoIP2, DB-IP Lite or any file in
//! the MaxMind DB format). The caller reads the files; lookups are pure.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use maxminddb::{Reader, geoip2};

/// What the databases say about one address (any part may be unknown).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Place {
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub asn: Option<u32>,
    pub as_org: Option<String>,
}

/// The configured databases: a city (or country) database, an ASN
/// database, both or neither.
#[derive(Default)]
pub struct GeoIp {
    city: Option<Reader<Vec<u8>>>,
    asn: Option<Reader<Vec<u8>>>,
    /// Places already looked up: audit trails repeat a few addresses
    /// (offices, NAT gateways, services) on most events. Cleared whole at
    /// `CACHED` entries.
    cache: Mutex<HashMap<IpAddr, Place>>,
}

/// Addresses whose places are remembered at most.
const CACHED: usize = 65_536;

impl std::fmt::Debug for GeoIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoIp")
            .field(
                "city",
                &self.city.as_ref().map(|r| &r.metadata().database_type),
            )
            .field(
                "asn",
                &self.asn.as_ref().map(|r| &r.metadata().database_type),
            )
            .finish()
    }
}

impl GeoIp {
    /// Opens databases from their bytes; an error names which one is not a
    /// MaxMind DB file.
    pub fn from_bytes(city: Option<Vec<u8>>, asn: Option<Vec<u8>>) -> Result<GeoIp, String> {
        let open = |what: &str, bytes: Option<Vec<u8>>| {
            bytes
                .map(|b| {
                    Reader::from_source(b)
                        .map_err(|e| format!("the {what} database is not a MaxMind DB file: {e}"))
                })
                .transpose()
        };
        Ok(GeoIp {
            city: open("geo-IP city", city)?,
            asn: open("geo-IP ASN", asn)?,
            cache: Mutex::default(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.city.is_none() && self.asn.is_none()
    }

    /// The place of `address`; private, reserved and unknown addresses
    /// have none.
    pub fn lookup(&self, address: IpAddr) -> Place {
        if self.is_empty() {
            return Place::default();
        }
        if let Some(p) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&address)
        {
            return p.clone();
        }
        let place = self.read(address);
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHED {
            cache.clear();
        }
        cache.insert(address, place.clone());
        place
    }

    fn read(&self, address: IpAddr) -> Place {
        let mut place = Place::default();
        if let Some(reader) = &self.city
            && let Ok(found) = reader.lookup(address)
            && let Ok(Some(city)) = found.decode::<geoip2::City>()
        {
            place.country = city
                .country
                .iso_code
                .or(city.registered_country.iso_code)
                .map(str::to_owned);
            place.city = city.city.names.english.map(str::to_owned);
            place.latitude = city.location.latitude;
            place.longitude = city.location.longitude;
        }
        if let Some(reader) = &self.asn
            && let Ok(found) = reader.lookup(address)
            && let Ok(Some(asn)) = found.decode::<geoip2::Asn>()
        {
            place.asn = asn.autonomous_system_number;
            place.as_org = asn.autonomous_system_organization.map(str::to_owned);
        }
        place
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_databases() -> GeoIp {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/maxmind");
        GeoIp::from_bytes(
            Some(std::fs::read(format!("{dir}/GeoLite2-City-Test.mmdb")).unwrap()),
            Some(std::fs::read(format!("{dir}/GeoLite2-ASN-Test.mmdb")).unwrap()),
        )
        .unwrap()
    }

    #[test]
    fn the_maxmind_test_databases_place_their_documented_addresses() {
        let geo = test_databases();
        let london = geo.lookup("81.2.69.142".parse().unwrap());
        assert_eq!(london.country.as_deref(), Some("GB"));
        assert_eq!(london.city.as_deref(), Some("London"));
        assert!(london.latitude.is_some() && london.longitude.is_some());
        let milton = geo.lookup("216.160.83.56".parse().unwrap());
        assert_eq!(
            (milton.country.as_deref(), milton.city.as_deref()),
            (Some("US"), Some("Milton"))
        );
        let private = geo.lookup("10.0.0.1".parse().unwrap());
        assert_eq!(private, Place::default());
        let asn = geo.lookup("1.128.0.1".parse().unwrap());
        assert_eq!(asn.asn, Some(1221));
        assert_eq!(asn.as_org.as_deref(), Some("Telstra Pty Ltd"));
    }

    #[test]
    fn a_file_that_is_not_a_database_is_named() {
        let e = GeoIp::from_bytes(Some(b"not a database".to_vec()), None).unwrap_err();
        assert!(e.starts_with("the geo-IP city database is not"), "{e}");
    }
}
