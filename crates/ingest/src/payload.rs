//! Request bodies as received: read with a size bound, then (on the
//! pipeline's blocking thread) decompressed with a bound on the decoded
//! size, so a decompression bomb stops at the bound.

use std::io::Read;

use bytes::Bytes;
use http::HeaderMap;
use http_body_util::BodyExt;

use crate::error::{IngestError, PayloadProblem};

/// Largest HTTP request body on the wire.
pub const MAX_BODY_BYTES: usize = 16 << 20;
/// Largest body after decompression.
pub const MAX_DECODED_BYTES: usize = 64 << 20;

/// How a body is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    Identity,
    Gzip,
    Deflate,
    Zstd,
}

impl Compression {
    /// From an HTTP Content-Encoding header.
    pub(crate) fn from_content_encoding(headers: &HeaderMap) -> Result<Compression, IngestError> {
        match header(headers, http::header::CONTENT_ENCODING.as_str()).as_str() {
            "" | "identity" => Ok(Compression::Identity),
            "gzip" | "x-gzip" => Ok(Compression::Gzip),
            "deflate" => Ok(Compression::Deflate),
            "zstd" => Ok(Compression::Zstd),
            other => Err(IngestError::payload(
                PayloadProblem::UnsupportedEncoding,
                format!("unsupported Content-Encoding {other:?}: use gzip, deflate or zstd"),
            )),
        }
    }

    /// From a gRPC `grpc-encoding` header (the encodings gRPC clients send).
    pub(crate) fn from_grpc_encoding(headers: &HeaderMap) -> Result<Compression, IngestError> {
        match header(headers, "grpc-encoding").as_str() {
            "" | "identity" => Ok(Compression::Identity),
            "gzip" => Ok(Compression::Gzip),
            "zstd" => Ok(Compression::Zstd),
            other => Err(IngestError::payload(
                PayloadProblem::UnsupportedEncoding,
                format!("unsupported grpc-encoding {other:?}: use gzip or zstd"),
            )),
        }
    }

    fn failed(self, e: std::io::Error) -> IngestError {
        IngestError::payload(
            PayloadProblem::BadCompression,
            format!("invalid {} body: {e}", self.as_str()),
        )
    }

    fn as_str(self) -> &'static str {
        match self {
            Compression::Identity => "identity",
            Compression::Gzip => "gzip",
            Compression::Deflate => "deflate",
            Compression::Zstd => "zstd",
        }
    }
}

/// A header's value, trimmed and lowercased; empty when absent.
fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The media type of a request without parameters, lowercased.
pub fn media_type(headers: &HeaderMap) -> String {
    header(headers, http::header::CONTENT_TYPE.as_str())
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_owned()
}

/// A body as it came off the wire; `decompress` runs where the CPU work may
/// run (the pipeline calls it on a blocking thread).
#[derive(Debug)]
pub(crate) struct Payload {
    pub(crate) body: Bytes,
    pub(crate) compression: Compression,
}

impl Payload {
    pub(crate) fn decompress(self) -> Result<Bytes, IngestError> {
        let body = std::io::Cursor::new(self.body);
        let reader: Box<dyn Read> = match self.compression {
            Compression::Identity => return Ok(body.into_inner()),
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(body)),
            Compression::Deflate => Box::new(flate2::read::ZlibDecoder::new(body)),
            Compression::Zstd => Box::new(
                zstd::stream::read::Decoder::new(body).map_err(|e| self.compression.failed(e))?,
            ),
        };
        let mut out = Vec::new();
        reader
            .take(MAX_DECODED_BYTES as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| self.compression.failed(e))?;
        if out.len() > MAX_DECODED_BYTES {
            return Err(IngestError::payload(
                PayloadProblem::TooLarge,
                format!(
                    "body decompresses to more than {} MiB",
                    MAX_DECODED_BYTES >> 20
                ),
            ));
        }
        Ok(Bytes::from(out))
    }
}

/// Reads a whole request body, refusing it once it exceeds `limit` bytes.
pub(crate) async fn read_body<B>(body: B, limit: usize) -> Result<Bytes, IngestError>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(IngestError::payload(
            PayloadProblem::TooLarge,
            format!("body is larger than {} MiB", limit >> 20),
        )),
        Err(e) => Err(IngestError::BadRequest(format!(
            "could not read the request body: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn decompress(compression: Compression, body: Vec<u8>) -> Result<Bytes, IngestError> {
        Payload {
            body: Bytes::from(body),
            compression,
        }
        .decompress()
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn problem(r: Result<Bytes, IngestError>) -> (PayloadProblem, String) {
        match r {
            Err(IngestError::Payload { problem, message }) => (problem, message),
            other => panic!("expected a payload error, got {other:?}"),
        }
    }

    #[test]
    fn every_encoding_decompresses() {
        let text = b"{\"message\":\"hello\"}\n".repeat(100);
        let zlib = {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&text).unwrap();
            e.finish().unwrap()
        };
        let zstd = zstd::encode_all(&text[..], 1).unwrap();
        for (compression, body) in [
            (Compression::Identity, text.clone()),
            (Compression::Gzip, gzip(&text)),
            (Compression::Deflate, zlib),
            (Compression::Zstd, zstd),
        ] {
            assert_eq!(
                decompress(compression, body).unwrap(),
                text,
                "{compression:?}"
            );
        }
    }

    #[test]
    fn bad_compression_and_bombs_are_named() {
        let (p, m) = problem(decompress(Compression::Gzip, b"not gzip".to_vec()));
        assert_eq!(p, PayloadProblem::BadCompression);
        assert!(m.starts_with("invalid gzip body"), "{m}");
        let (p, m) = problem(decompress(Compression::Zstd, b"not zstd".to_vec()));
        assert_eq!(p, PayloadProblem::BadCompression);
        assert!(m.starts_with("invalid zstd body"), "{m}");
        let bomb = zstd::encode_all(&vec![0u8; MAX_DECODED_BYTES + 1][..], 3).unwrap();
        let (p, m) = problem(decompress(Compression::Zstd, bomb));
        assert_eq!(p, PayloadProblem::TooLarge);
        assert_eq!(m, "body decompresses to more than 64 MiB");
    }

    #[test]
    fn encodings_come_from_headers() {
        let headers = |name: &'static str, value: &str| {
            let mut h = HeaderMap::new();
            h.insert(name, value.parse().unwrap());
            h
        };
        let http = |v| Compression::from_content_encoding(&headers("content-encoding", v));
        assert_eq!(http(" GZIP ").unwrap(), Compression::Gzip);
        assert_eq!(http("x-gzip").unwrap(), Compression::Gzip);
        assert_eq!(http("identity").unwrap(), Compression::Identity);
        assert_eq!(
            Compression::from_content_encoding(&HeaderMap::new()).unwrap(),
            Compression::Identity
        );
        let (p, m) = problem(http("br").map(|_| Bytes::new()));
        assert_eq!(p, PayloadProblem::UnsupportedEncoding);
        assert!(m.starts_with("unsupported Content-Encoding \"br\""), "{m}");
        let grpc = |v| Compression::from_grpc_encoding(&headers("grpc-encoding", v));
        assert_eq!(grpc("zstd").unwrap(), Compression::Zstd);
        assert!(grpc("deflate").is_err());
        assert_eq!(
            media_type(&headers("content-type", "Application/JSON; charset=utf-8")),
            "application/json"
        );
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused() {
        let body = http_body_util::Full::new(Bytes::from(vec![b'x'; 2 << 20]));
        let (p, m) = problem(read_body(body, 1 << 20).await);
        assert_eq!(
            (p, m.as_str()),
            (PayloadProblem::TooLarge, "body is larger than 1 MiB")
        );
        let body = http_body_util::Full::new(Bytes::from_static(b"small"));
        assert_eq!(read_body(body, 1 << 20).await.unwrap(), "small");
    }
}
