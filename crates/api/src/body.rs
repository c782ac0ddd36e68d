//! Request bodies: size limits, gzip/zstd decoding with a bound on the
//! decoded size (a decompression bomb stops at the bound), API keys.

use std::io::Read;

use axum::http::HeaderMap;
use bytes::Bytes;

use crate::error::ApiError;

/// Largest request body on the wire.
pub(crate) const MAX_BODY_BYTES: usize = 16 << 20;
/// Largest body after decompression.
pub(crate) const MAX_DECODED_BYTES: usize = 64 << 20;

/// The body, decompressed per its Content-Encoding.
pub(crate) fn decode_body(headers: &HeaderMap, body: Bytes) -> Result<Bytes, ApiError> {
    let encoding = headers
        .get(http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity")
        .trim()
        .to_ascii_lowercase();
    let reader: Box<dyn Read> = match encoding.as_str() {
        "" | "identity" => return Ok(body),
        "gzip" | "x-gzip" => Box::new(flate2::read::MultiGzDecoder::new(std::io::Cursor::new(
            body,
        ))),
        "deflate" => Box::new(flate2::read::ZlibDecoder::new(std::io::Cursor::new(body))),
        "zstd" => Box::new(
            zstd::stream::read::Decoder::new(std::io::Cursor::new(body))
                .map_err(|e| ApiError::BadRequest(format!("invalid zstd body: {e}")))?,
        ),
        other => {
            return Err(ApiError::UnsupportedMediaType(format!(
                "unsupported Content-Encoding {other:?}: use gzip, deflate or zstd"
            )));
        }
    };
    let mut out = Vec::new();
    reader
        .take(MAX_DECODED_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| ApiError::BadRequest(format!("invalid {encoding} body: {e}")))?;
    if out.len() > MAX_DECODED_BYTES {
        return Err(ApiError::PayloadTooLarge(format!(
            "body decompresses to more than {} MiB",
            MAX_DECODED_BYTES >> 20
        )));
    }
    Ok(Bytes::from(out))
}

/// The API key a request presents, from our header, Datadog's, or a bearer token.
pub(crate) fn presented_key(headers: &HeaderMap) -> Option<&str> {
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

/// The media type of the request without parameters, lowercased.
pub(crate) fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}
