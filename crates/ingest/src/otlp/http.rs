//! OTLP/HTTP (`/v1/logs`, `/v1/traces`, `/v1/metrics` on :4318 and :8080):
//! protobuf or JSON, gzip/deflate/zstd, replying in the request's encoding
//! with partial success. `api` routes requests here and sends the reply.

use bytes::Bytes;
use formats::OtlpEncoding;

use crate::error::{IngestError, PayloadProblem};
use crate::otlp::OtlpSignal;
use crate::otlp::reply::encode_reply;
use crate::receiver::Receiver;

/// An OTLP/HTTP success reply: the export response and its media type.
#[derive(Debug)]
pub struct OtlpHttpReply {
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Receiver {
    /// Receives one OTLP/HTTP export request of `signal`.
    pub async fn otlp_http<B>(
        &self,
        signal: OtlpSignal,
        request: http::Request<B>,
    ) -> Result<OtlpHttpReply, IngestError>
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        self.keys().check(request.headers())?;
        let (encoding, payload) = self
            .read_http(&signal.dataset(), request, |media| match media {
                "application/x-protobuf" | "application/protobuf" => Ok(OtlpEncoding::Protobuf),
                "application/json" => Ok(OtlpEncoding::Json),
                other => Err(IngestError::payload(
                    PayloadProblem::UnsupportedEncoding,
                    format!(
                        "unsupported Content-Type {other:?}: OTLP/HTTP takes application/x-protobuf or application/json"
                    ),
                )),
            })
            .await?;
        let outcome = self
            .pipeline()
            .ingest_otlp(signal, payload, encoding)
            .await?;
        let content_type = match encoding {
            OtlpEncoding::Protobuf => "application/x-protobuf",
            OtlpEncoding::Json => "application/json",
        };
        Ok(OtlpHttpReply {
            content_type,
            body: encode_reply(signal, encoding, &outcome),
        })
    }
}
