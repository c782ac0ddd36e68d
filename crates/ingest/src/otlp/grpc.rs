//! OTLP/gRPC (:4317): the logs, traces and metrics `Export` methods, unary
//! gRPC on tonic's HTTP/2 server. The message is read raw and handed to
//! the pipeline like an OTLP/HTTP body, so decompression and protobuf
//! decoding run on its blocking thread, not on the async workers, and a
//! bad payload is counted like one sent over HTTP.

use std::convert::Infallible;
use std::future::Future;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use formats::OtlpEncoding;
use http::HeaderValue;
use http_body_util::BodyExt;
use opentelemetry_proto::tonic::collector::logs::v1::logs_service_server;
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server;
use tonic::body::Body;
use tonic::server::NamedService;

use crate::error::{IngestError, PayloadProblem};
use crate::otlp::OtlpSignal;
use crate::otlp::reply::encode_reply;
use crate::payload::{Compression, Payload, read_body};
use crate::receiver::Receiver;

/// Largest gRPC message on the wire (the decoded bound is the pipeline's).
const MAX_MESSAGE_BYTES: usize = 32 << 20;
/// A gRPC message's prefix: compressed flag (1 byte), length (4, big-endian).
const PREFIX_BYTES: usize = 5;

/// One OTLP gRPC service: its name and the signal it carries.
trait GrpcSignal: Send + Sync + 'static {
    const NAME: &'static str;
    const SIGNAL: OtlpSignal;
}

struct Logs;
struct Traces;
struct Metrics;

impl GrpcSignal for Logs {
    const NAME: &'static str = logs_service_server::SERVICE_NAME;
    const SIGNAL: OtlpSignal = OtlpSignal::Logs;
}

impl GrpcSignal for Traces {
    const NAME: &'static str = trace_service_server::SERVICE_NAME;
    const SIGNAL: OtlpSignal = OtlpSignal::Traces;
}

impl GrpcSignal for Metrics {
    const NAME: &'static str = metrics_service_server::SERVICE_NAME;
    const SIGNAL: OtlpSignal = OtlpSignal::Metrics;
}

/// Answers `/{S::NAME}/Export`; tonic's router sends it `/{S::NAME}/*`.
struct ExportService<S> {
    receiver: Receiver,
    signal: PhantomData<S>,
}

impl<S> ExportService<S> {
    fn new(receiver: Receiver) -> ExportService<S> {
        ExportService {
            receiver,
            signal: PhantomData,
        }
    }
}

impl<S> Clone for ExportService<S> {
    fn clone(&self) -> Self {
        ExportService::new(self.receiver.clone())
    }
}

impl<S: GrpcSignal> NamedService for ExportService<S> {
    const NAME: &'static str = S::NAME;
}

impl<S: GrpcSignal> tower::Service<http::Request<Body>> for ExportService<S> {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let receiver = self.receiver.clone();
        Box::pin(async move {
            let path = request.uri().path();
            if path.strip_prefix('/').and_then(|p| p.strip_prefix(S::NAME)) != Some("/Export") {
                return Ok(tonic::Status::unimplemented("no such method").into_http());
            }
            Ok(match receiver.otlp_grpc(S::SIGNAL, request).await {
                Ok(reply) => reply_response(reply),
                Err(e) => e.into_grpc_status().into_http(),
            })
        })
    }
}

impl Receiver {
    /// Receives one OTLP/gRPC export call of `signal`; the encoded reply.
    async fn otlp_grpc(
        &self,
        signal: OtlpSignal,
        request: http::Request<Body>,
    ) -> Result<Vec<u8>, IngestError> {
        self.keys().check(request.headers())?;
        let payload = self
            .pipeline()
            .count_refused(&signal.dataset(), read_message(request).await)?;
        let outcome = self
            .pipeline()
            .ingest_otlp(signal, payload, OtlpEncoding::Protobuf)
            .await?;
        Ok(encode_reply(signal, OtlpEncoding::Protobuf, &outcome))
    }
}

/// The one message of a unary call, still compressed if it was sent so.
async fn read_message(request: http::Request<Body>) -> Result<Payload, IngestError> {
    let compression = Compression::from_grpc_encoding(request.headers())?;
    let body = read_body(request.into_body(), PREFIX_BYTES + MAX_MESSAGE_BYTES).await?;
    unframe(body, compression)
}

/// Splits `[compressed flag][length][message]`; a unary call holds exactly one.
fn unframe(body: Bytes, encoding: Compression) -> Result<Payload, IngestError> {
    let malformed = |m: String| {
        IngestError::payload(
            PayloadProblem::Malformed,
            format!("malformed gRPC message: {m}"),
        )
    };
    if body.len() < PREFIX_BYTES {
        return Err(malformed(format!(
            "{} bytes, shorter than the {PREFIX_BYTES}-byte prefix",
            body.len()
        )));
    }
    let length = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
    let follow = body.len() - PREFIX_BYTES;
    if length != follow {
        return Err(malformed(format!(
            "the prefix says {length} bytes but {follow} follow (a unary call carries one message)"
        )));
    }
    let compression = match (body[0], encoding) {
        (0, _) => Compression::Identity,
        (1, Compression::Identity) => {
            return Err(malformed(
                "compressed flag set without a grpc-encoding header".into(),
            ));
        }
        (1, encoding) => encoding,
        (flag, _) => return Err(malformed(format!("unknown compressed flag {flag}"))),
    };
    Ok(Payload {
        body: body.slice(PREFIX_BYTES..),
        compression,
    })
}

/// A successful unary reply: one uncompressed message, then `grpc-status: 0`.
fn reply_response(message: Vec<u8>) -> http::Response<Body> {
    let mut frame = Vec::with_capacity(PREFIX_BYTES + message.len());
    frame.push(0);
    frame.extend_from_slice(&(message.len() as u32).to_be_bytes());
    frame.extend_from_slice(&message);
    let mut trailers = http::HeaderMap::new();
    trailers.insert(tonic::Status::GRPC_STATUS, HeaderValue::from_static("0"));
    let body = http_body_util::Full::new(Bytes::from(frame))
        .with_trailers(std::future::ready(Some(Ok(trailers))));
    let mut response = http::Response::new(Body::new(body));
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/grpc"),
    );
    headers.insert(
        "grpc-accept-encoding",
        HeaderValue::from_static("gzip,zstd"),
    );
    response
}

/// Serves OTLP/gRPC on `listener` until `shutdown` completes.
pub async fn serve_otlp_grpc(
    listener: tokio::net::TcpListener,
    receiver: Receiver,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error> {
    let addr: SocketAddr = listener
        .local_addr()
        .expect("bound listener has an address");
    tracing::info!(%addr, "OTLP/gRPC receiver listening");
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    tonic::transport::Server::builder()
        .add_service(ExportService::<Logs>::new(receiver.clone()))
        .add_service(ExportService::<Traces>::new(receiver.clone()))
        .add_service(ExportService::<Metrics>::new(receiver))
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(flag: u8, message: &[u8]) -> Bytes {
        let mut b = vec![flag];
        b.extend_from_slice(&(message.len() as u32).to_be_bytes());
        b.extend_from_slice(message);
        Bytes::from(b)
    }

    fn malformed(r: Result<Payload, IngestError>) -> String {
        match r {
            Err(IngestError::Payload {
                problem: PayloadProblem::Malformed,
                message,
            }) => message,
            other => panic!("expected a malformed payload, got {other:?}"),
        }
    }

    #[test]
    fn one_message_per_call() {
        let p = unframe(frame(0, b"abc"), Compression::Gzip).unwrap();
        assert_eq!(
            (p.body, p.compression),
            (Bytes::from_static(b"abc"), Compression::Identity)
        );
        let p = unframe(frame(1, b"abc"), Compression::Zstd).unwrap();
        assert_eq!(p.compression, Compression::Zstd);
        let mut two = frame(0, b"abc").to_vec();
        two.extend_from_slice(&frame(0, b"d"));
        assert!(
            malformed(unframe(Bytes::from(two), Compression::Identity)).contains("one message")
        );
        assert!(
            malformed(unframe(Bytes::from_static(&[0, 0]), Compression::Identity))
                .contains("shorter")
        );
        assert!(
            malformed(unframe(frame(1, b"abc"), Compression::Identity)).contains("grpc-encoding")
        );
        assert!(malformed(unframe(frame(7, b"abc"), Compression::Identity)).contains("flag 7"));
    }

    #[tokio::test]
    async fn a_reply_is_one_message_then_status_ok() {
        let response = reply_response(b"reply".to_vec());
        assert_eq!(response.headers()["content-type"], "application/grpc");
        let collected = response.into_body().collect().await.unwrap();
        assert_eq!(collected.trailers().unwrap()["grpc-status"], "0");
        assert_eq!(&collected.to_bytes()[..], &frame(0, b"reply")[..]);
    }
}

/// The server over a real socket, with tonic's own client.
#[cfg(test)]
mod server_tests {
    use bytes::{Buf, BufMut};
    use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
    use opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;
    use opentelemetry_proto::tonic::common::v1::{AnyValue, any_value};
    use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
    use tonic::codec::{CompressionEncoding, DecodeBuf, Decoder, EncodeBuf, Encoder};
    use tonic::transport::Channel;

    use super::*;
    use crate::auth::ApiKeys;
    use crate::pipeline::{Pipeline, PipelineConfig};

    /// Sends and receives raw bytes, to send what no typed client would.
    #[derive(Clone, Copy)]
    struct RawCodec;

    impl tonic::codec::Codec for RawCodec {
        type Encode = Vec<u8>;
        type Decode = Vec<u8>;
        type Encoder = RawCodec;
        type Decoder = RawCodec;
        fn encoder(&mut self) -> RawCodec {
            RawCodec
        }
        fn decoder(&mut self) -> RawCodec {
            RawCodec
        }
    }

    impl Encoder for RawCodec {
        type Item = Vec<u8>;
        type Error = tonic::Status;
        fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
            dst.put_slice(&item);
            Ok(())
        }
    }

    impl Decoder for RawCodec {
        type Item = Vec<u8>;
        type Error = tonic::Status;
        fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, tonic::Status> {
            Ok(Some(src.copy_to_bytes(src.remaining()).to_vec()))
        }
    }

    async fn start(keys: Vec<String>) -> (Receiver, Channel, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = store::Store::open(store::StoreConfig::new(dir.path())).unwrap();
        let receiver = Receiver::new(
            Pipeline::new(store, PipelineConfig::default()),
            ApiKeys::new(keys),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve_otlp_grpc(
            listener,
            receiver.clone(),
            std::future::pending(),
        ));
        let channel = Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect()
            .await
            .unwrap();
        (receiver, channel, dir)
    }

    fn logs(messages: &[&str]) -> ExportLogsServiceRequest {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        let log_records = messages
            .iter()
            .map(|m| LogRecord {
                time_unix_nano: now,
                body: Some(AnyValue {
                    value: Some(any_value::Value::StringValue((*m).to_owned())),
                }),
                ..Default::default()
            })
            .collect();
        ExportLogsServiceRequest {
            resource_logs: vec![ResourceLogs {
                scope_logs: vec![ScopeLogs {
                    log_records,
                    ..Default::default()
                }],
                ..Default::default()
            }],
        }
    }

    async fn raw_call(channel: &Channel, path: &'static str, message: Vec<u8>) -> tonic::Status {
        let mut grpc = tonic::client::Grpc::new(channel.clone());
        grpc.ready().await.unwrap();
        grpc.unary(
            tonic::Request::new(message),
            http::uri::PathAndQuery::from_static(path),
            RawCodec,
        )
        .await
        .unwrap_err()
    }

    #[tokio::test]
    async fn compressed_calls_are_accepted_and_bad_ones_named_and_counted() {
        let (receiver, channel, _dir) = start(vec![]).await;
        for encoding in [CompressionEncoding::Gzip, CompressionEncoding::Zstd] {
            let mut client = LogsServiceClient::new(channel.clone()).send_compressed(encoding);
            let reply = client.export(logs(&["one", "two"])).await.unwrap();
            assert_eq!(reply.into_inner().partial_success, None, "{encoding:?}");
        }
        let status = raw_call(
            &channel,
            "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
            vec![0x0a, 0xff],
        )
        .await;
        assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
        assert!(
            status.message().starts_with("malformed OTLP protobuf"),
            "{status:?}"
        );
        let status = raw_call(
            &channel,
            "/opentelemetry.proto.collector.logs.v1.LogsService/Import",
            vec![],
        )
        .await;
        assert_eq!(status.code(), tonic::Code::Unimplemented, "{status:?}");

        // Still serving after the bad call.
        let mut client = LogsServiceClient::new(channel.clone());
        client.export(logs(&["three"])).await.unwrap();
        let stats = receiver.pipeline().stats();
        let logs = &stats.datasets["logs"];
        assert_eq!((logs.accepted_records, logs.requests), (5, 3));
        assert_eq!(logs.rejected_payloads, 1);
        assert_eq!(logs.rejected_payloads_by_problem["malformed"], 1);
    }

    #[tokio::test]
    async fn calls_without_our_key_are_refused() {
        let (receiver, channel, _dir) = start(vec!["hn_grpc_key".into()]).await;
        let mut client = LogsServiceClient::new(channel.clone());
        let status = client.export(logs(&["no key"])).await.unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unauthenticated);
        assert!(status.message().contains("x-hannun-api-key"), "{status:?}");
        let mut request = tonic::Request::new(logs(&["with key"]));
        request
            .metadata_mut()
            .insert("x-hannun-api-key", "hn_grpc_key".parse().unwrap());
        client.export(request).await.unwrap();
        assert_eq!(
            receiver.pipeline().stats().datasets["logs"].accepted_records,
            1
        );
    }
}
