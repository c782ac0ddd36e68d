//! The one API-key check of every receiver (OTLP/gRPC metadata, OTLP/HTTP
//! and NDJSON headers: gRPC metadata are HTTP/2 headers).

use std::sync::Arc;

use http::HeaderMap;

use crate::error::IngestError;

/// The ingest API keys; empty means ingest is open.
#[derive(Debug, Clone, Default)]
pub struct ApiKeys(Arc<Vec<String>>);

impl ApiKeys {
    pub fn new(keys: Vec<String>) -> ApiKeys {
        ApiKeys(Arc::new(keys))
    }

    pub fn is_enforced(&self) -> bool {
        !self.0.is_empty()
    }

    /// Whether a presented key is one of ours. Compares in constant time per key.
    fn allows(&self, presented: Option<&str>) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let Some(presented) = presented else {
            return false;
        };
        self.0
            .iter()
            .any(|k| constant_time_eq(k.as_bytes(), presented.as_bytes()))
    }

    /// Admits a request whose headers carry one of our keys (or any request
    /// when no key is configured).
    pub(crate) fn check(&self, headers: &HeaderMap) -> Result<(), IngestError> {
        if self.allows(presented_key(headers)) {
            Ok(())
        } else {
            Err(IngestError::Unauthenticated)
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The API key a request presents: our header, Datadog's, or a bearer token.
fn presented_key(headers: &HeaderMap) -> Option<&str> {
    for name in ["x-hannun-api-key", "dd-api-key"] {
        if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
            return Some(v);
        }
    }
    headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(keys: &ApiKeys, headers: &[(&'static str, &str)]) -> bool {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        match keys.check(&map) {
            Ok(()) => true,
            Err(IngestError::Unauthenticated) => false,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn keys_are_checked_in_every_header_we_read() {
        let keys = ApiKeys::new(vec!["hn_key_one".into(), "hn_key_two".into()]);
        assert!(keys.is_enforced());
        assert!(check(&keys, &[("x-hannun-api-key", "hn_key_one")]));
        assert!(check(&keys, &[("x-hannun-api-key", "hn_key_two")]));
        assert!(check(&keys, &[("dd-api-key", "hn_key_one")]));
        assert!(check(&keys, &[("authorization", "Bearer hn_key_two")]));
        assert!(!check(&keys, &[]));
        assert!(!check(&keys, &[("x-hannun-api-key", "hn_key_on")]));
        assert!(!check(&keys, &[("x-hannun-api-key", "hn_key_one ")]));
        assert!(!check(&keys, &[("authorization", "hn_key_one")]));
        assert!(!check(&keys, &[("authorization", "Basic hn_key_one")]));
        // Our header wins over a bearer token, as it always did.
        assert!(!check(
            &keys,
            &[
                ("x-hannun-api-key", "wrong"),
                ("authorization", "Bearer hn_key_one")
            ]
        ));
    }

    #[test]
    fn no_keys_means_open_ingest() {
        let keys = ApiKeys::default();
        assert!(!keys.is_enforced());
        assert!(check(&keys, &[]));
        assert!(check(&keys, &[("x-hannun-api-key", "anything")]));
    }

    #[test]
    fn grpc_metadata_is_checked_the_same_way() {
        let keys = ApiKeys::new(vec!["hn_key_one".into()]);
        let mut metadata = tonic::metadata::MetadataMap::new();
        metadata.insert("x-hannun-api-key", "hn_key_one".parse().unwrap());
        assert!(keys.check(metadata.as_ref()).is_ok());
        let metadata = tonic::metadata::MetadataMap::new();
        assert!(keys.check(metadata.as_ref()).is_err());
    }

    #[test]
    fn constant_time_eq_compares_whole_keys() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(constant_time_eq(b"", b""));
    }
}
