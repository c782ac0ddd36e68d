//! S3 access through the `object_store` crate: an `s3://bucket/prefix`
//! URL, a region, an optional endpoint (an S3-compatible server), and the
//! standard AWS credential sources object_store reads (AWS_ACCESS_KEY_ID /
//! AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, web identity, the ECS
//! container and EC2 instance metadata endpoints). Credentials never appear
//! in errors: messages name the bucket and key only.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;

/// Where objects are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// The key prefix, without a leading or trailing `/` (empty: the whole bucket).
    pub prefix: String,
}

impl S3Location {
    /// Reads `s3://bucket[/prefix]`.
    pub fn parse(url: &str) -> Result<S3Location, String> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| format!("{url:?} is not an s3://bucket/prefix URL"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid {
            return Err(format!(
                "{bucket:?} is not an S3 bucket name (3-63 lowercase letters, digits, '-' and '.')"
            ));
        }
        Ok(S3Location {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
        })
    }

    pub fn prefix_path(&self) -> Option<Path> {
        (!self.prefix.is_empty()).then(|| Path::from(self.prefix.as_str()))
    }
}

/// How to reach the bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S3Access {
    pub region: Option<String>,
    /// An S3-compatible endpoint (`http://127.0.0.1:9000`); path-style
    /// requests, plain HTTP allowed when the endpoint says `http://`.
    pub endpoint: Option<String>,
}

/// The bucket as an object store.
pub fn open_bucket(
    location: &S3Location,
    access: &S3Access,
) -> Result<Arc<dyn ObjectStore>, String> {
    open_with_credentials(location, access).map(|(store, _)| store)
}

/// The bucket and the credential provider it signs with (shared with SQS).
pub(crate) fn open_with_credentials(
    location: &S3Location,
    access: &S3Access,
) -> Result<
    (
        Arc<dyn ObjectStore>,
        object_store::aws::AwsCredentialProvider,
    ),
    String,
> {
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(&location.bucket);
    if let Some(region) = &access.region {
        builder = builder.with_region(region);
    }
    if let Some(endpoint) = &access.endpoint {
        builder = builder
            .with_endpoint(endpoint)
            .with_allow_http(endpoint.starts_with("http://"))
            .with_virtual_hosted_style_request(false);
    }
    let store = builder
        .build()
        .map_err(|e| format!("S3 bucket {}: {}", location.bucket, redact(&e.to_string())))?;
    let credentials = store.credentials().clone();
    Ok((Arc::new(store), credentials))
}

/// An object_store error message with anything that looks like a
/// credential removed (they do not carry them today; this keeps it so).
pub fn redact(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for word in message.split_inclusive(|c: char| c.is_whitespace() || c == '&' || c == '?') {
        let lower = word.to_ascii_lowercase();
        if lower.contains("x-amz-security-token=")
            || lower.contains("x-amz-credential=")
            || lower.contains("x-amz-signature=")
            || lower.contains("aws_secret_access_key")
        {
            out.push_str("[redacted]");
            if word.ends_with(|c: char| c.is_whitespace()) {
                out.push(' ');
            }
        } else {
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            S3Location::parse("s3://my-logs/AWSLogs/123/").unwrap(),
            S3Location {
                bucket: "my-logs".into(),
                prefix: "AWSLogs/123".into()
            }
        );
        assert_eq!(S3Location::parse("s3://my-logs").unwrap().prefix, "");
        assert!(
            S3Location::parse("https://x")
                .unwrap_err()
                .contains("s3://")
        );
        assert!(
            S3Location::parse("s3://Bad_Bucket/x")
                .unwrap_err()
                .contains("bucket name")
        );
    }

    #[test]
    fn credentials_are_redacted() {
        let m = redact(
            "GET https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA/2026&X-Amz-Signature=abc failed",
        );
        assert!(!m.contains("AKIA") && !m.contains("abc"), "{m}");
        assert!(m.contains("failed"));
    }
}
