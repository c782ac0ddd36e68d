//! S3 event notifications delivered through SQS: a source that follows a
//! queue never lists its bucket. Here: AWS Signature Version 4 for the
//! SQS JSON protocol (`ring` for SHA-256 and HMAC), the ReceiveMessage and
//! DeleteMessage calls, and the S3 event records in a message body (direct,
//! or wrapped by SNS), with their form-encoded keys. Credentials come from
//! object_store's provider, the same chain the bucket uses.

use std::sync::Arc;

use object_store::CredentialProvider;
use object_store::aws::AwsCredential;
use ring::{digest, hmac};
use serde::Deserialize;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
        .as_ref()
        .to_vec()
}

/// A request to sign: its method, host, path, query (already canonical),
/// headers (lowercase names; `host` and `x-amz-date` included) and payload.
pub(crate) struct ToSign<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: Vec<(String, String)>,
    pub payload: &'a [u8],
    pub region: &'a str,
    pub service: &'a str,
    /// `YYYYMMDDTHHMMSSZ`.
    pub amz_date: &'a str,
}

/// The `Authorization` header value of Signature Version 4.
pub(crate) fn authorization(request: &ToSign, credential: &AwsCredential) -> String {
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{}",
        request.method,
        request.path,
        request.query,
        sha256_hex(request.payload)
    );
    let date = &request.amz_date[..8];
    let scope = format!("{date}/{}/{}/aws4_request", request.region, request.service);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
        request.amz_date,
        sha256_hex(canonical_request.as_bytes())
    );
    let mut key = hmac_sha256(
        format!("AWS4{}", credential.secret_key).as_bytes(),
        date.as_bytes(),
    );
    for part in [request.region, request.service, "aws4_request"] {
        key = hmac_sha256(&key, part.as_bytes());
    }
    let signature = hex(&hmac_sha256(&key, string_to_sign.as_bytes()));
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        credential.key_id
    )
}

/// An S3 object an event says was created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CreatedObject {
    pub bucket: String,
    pub key: String,
    pub size: Option<u64>,
    pub etag: Option<String>,
}

#[derive(Deserialize)]
struct EventBody {
    #[serde(rename = "Records", default)]
    records: Vec<EventRecord>,
    /// SNS wraps the S3 event as a JSON string.
    #[serde(rename = "Type")]
    sns_type: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
}

#[derive(Deserialize)]
struct EventRecord {
    #[serde(rename = "eventName", default)]
    event_name: String,
    s3: Option<EventS3>,
}

#[derive(Deserialize)]
struct EventS3 {
    bucket: EventBucket,
    object: EventObject,
}

#[derive(Deserialize)]
struct EventBucket {
    name: String,
}

#[derive(Deserialize)]
struct EventObject {
    key: String,
    size: Option<u64>,
    #[serde(rename = "eTag")]
    etag: Option<String>,
}

/// S3 keys in events are form-encoded: `+` is a space, `%XX` a byte.
pub(crate) fn decode_key(key: &str) -> String {
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(&key[i + 1..i + 3], 16) {
                Ok(b) => {
                    out.push(b);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The objects a message body says were created (none for a test event or
/// another event). `Err` when the body is not an S3 event at all.
pub(crate) fn created_objects(body: &str) -> Result<Vec<CreatedObject>, String> {
    let parsed: EventBody =
        serde_json::from_str(body).map_err(|e| format!("not an S3 event notification: {e}"))?;
    if parsed.sns_type.as_deref() == Some("Notification")
        && let Some(inner) = parsed.message
    {
        return created_objects(&inner);
    }
    Ok(parsed
        .records
        .into_iter()
        .filter(|r| r.event_name.starts_with("ObjectCreated:"))
        .filter_map(|r| r.s3)
        .map(|s3| CreatedObject {
            bucket: s3.bucket.name,
            key: decode_key(&s3.object.key),
            size: s3.object.size,
            etag: s3.object.etag,
        })
        .collect())
}

/// One received message.
#[derive(Debug, Deserialize)]
pub(crate) struct Message {
    #[serde(rename = "ReceiptHandle")]
    pub receipt_handle: String,
    #[serde(rename = "Body")]
    pub body: String,
}

#[derive(Deserialize)]
struct Received {
    #[serde(rename = "Messages", default)]
    messages: Vec<Message>,
}

/// A queue, reached with the SQS JSON protocol.
pub(crate) struct Queue {
    pub url: String,
    region: String,
    credentials: Arc<dyn CredentialProvider<Credential = AwsCredential>>,
    http: reqwest::Client,
}

fn amz_date() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let text = model::format_rfc3339_nanos(secs * 1_000_000_000);
    // 2026-12-03T14:52:07Z -> 20261203T145207Z
    text.chars()
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .take(15)
        .collect::<String>()
        + "Z"
}

impl Queue {
    pub(crate) fn new(
        url: &str,
        region: &str,
        credentials: Arc<dyn CredentialProvider<Credential = AwsCredential>>,
    ) -> Result<Queue, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("sqs_queue_url {url:?}: {e}"))?;
        if parsed.host_str().is_none() {
            return Err(format!("sqs_queue_url {url:?} has no host"));
        }
        Ok(Queue {
            url: url.to_owned(),
            region: region.to_owned(),
            credentials,
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .map_err(|e| e.to_string())?,
        })
    }

    async fn call(
        &self,
        target: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        let url = reqwest::Url::parse(&self.url).map_err(|e| e.to_string())?;
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let endpoint = format!("{}://{host}/", url.scheme());
        let payload = body.to_string();
        let credential = self
            .credentials
            .get_credential()
            .await
            .map_err(|e| format!("AWS credentials: {}", super::redact(&e.to_string())))?;
        let date = amz_date();
        let mut headers = vec![
            (
                "content-type".to_owned(),
                "application/x-amz-json-1.0".to_owned(),
            ),
            ("host".to_owned(), host.clone()),
            ("x-amz-date".to_owned(), date.clone()),
            ("x-amz-target".to_owned(), format!("AmazonSQS.{target}")),
        ];
        if let Some(token) = &credential.token {
            headers.push(("x-amz-security-token".to_owned(), token.clone()));
        }
        let authorization = authorization(
            &ToSign {
                method: "POST",
                path: "/",
                query: "",
                headers: headers.clone(),
                payload: payload.as_bytes(),
                region: &self.region,
                service: "sqs",
                amz_date: &date,
            },
            &credential,
        );
        let mut request = self.http.post(&endpoint).body(payload);
        for (k, v) in headers.iter().filter(|(k, _)| k != "host") {
            request = request.header(k, v);
        }
        let response = request
            .header("authorization", authorization)
            .send()
            .await
            .map_err(|e| format!("SQS {target}: {}", super::redact(&e.to_string())))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            let text: String = text.chars().take(300).collect();
            return Err(format!(
                "SQS {target}: HTTP {status}: {}",
                super::redact(&text)
            ));
        }
        serde_json::from_str(&text).map_err(|e| format!("SQS {target}: {e}"))
    }

    /// Up to 10 messages, waiting up to `wait_s` for the first.
    pub(crate) async fn receive(&self, wait_s: u32) -> Result<Vec<Message>, String> {
        let reply = self
            .call(
                "ReceiveMessage",
                serde_json::json!({
                    "QueueUrl": self.url,
                    "MaxNumberOfMessages": 10,
                    "WaitTimeSeconds": wait_s,
                    "VisibilityTimeout": 600,
                }),
            )
            .await?;
        let received: Received =
            serde_json::from_value(reply).map_err(|e| format!("SQS ReceiveMessage: {e}"))?;
        Ok(received.messages)
    }

    pub(crate) async fn delete(&self, receipt_handle: &str) -> Result<(), String> {
        self.call(
            "DeleteMessage",
            serde_json::json!({"QueueUrl": self.url, "ReceiptHandle": receipt_handle}),
        )
        .await
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's Signature Version 4 test suite, `get-vanilla`.
    #[test]
    fn signs_like_the_aws_test_suite() {
        let credential = AwsCredential {
            key_id: "AKIDEXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            token: None,
        };
        let auth = authorization(
            &ToSign {
                method: "GET",
                path: "/",
                query: "",
                headers: vec![
                    ("Host".into(), "example.amazonaws.com".into()),
                    ("X-Amz-Date".into(), "20150830T123600Z".into()),
                ],
                payload: b"",
                region: "us-east-1",
                service: "service",
                amz_date: "20150830T123600Z",
            },
            &credential,
        );
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    /// The event AWS documents ("Event message structure"), a key with a
    /// space and a `+`, and the same event wrapped by SNS.
    #[test]
    fn reads_s3_events() {
        let event = r#"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"ap-northeast-2","eventTime":"2026-12-03T05:10:00.000Z","eventName":"ObjectCreated:Put","userIdentity":{"principalId":"AWS:AIDAEXAMPLE"},"requestParameters":{"sourceIPAddress":"10.0.0.1"},"responseElements":{"x-amz-request-id":"C3D13FE58DE4C810","x-amz-id-2":"FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},"s3":{"s3SchemaVersion":"1.0","configurationId":"flows","bucket":{"name":"my-logs","ownerIdentity":{"principalId":"A3NL1KOZZKExample"},"arn":"arn:aws:s3:::my-logs"},"object":{"key":"AWSLogs/123456789012/vpcflowlogs/ap-northeast-2/2026/12/03/a+b%2Bc%3D.log.gz","size":1024,"eTag":"d41d8cd98f00b204e9800998ecf8427e","sequencer":"0055AED6DCD90281E5"}}},{"eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"my-logs"},"object":{"key":"old.log"}}}]}"#;
        let objects = created_objects(event).unwrap();
        assert_eq!(
            objects,
            vec![CreatedObject {
                bucket: "my-logs".into(),
                key: "AWSLogs/123456789012/vpcflowlogs/ap-northeast-2/2026/12/03/a b+c=.log.gz"
                    .into(),
                size: Some(1024),
                etag: Some("d41d8cd98f00b204e9800998ecf8427e".into()),
            }]
        );
        let sns = serde_json::json!({"Type": "Notification", "MessageId": "1", "Message": event})
            .to_string();
        assert_eq!(created_objects(&sns).unwrap(), objects);
        let test_event = r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-12-03T05:10:00.000Z","Bucket":"my-logs","RequestId":"1","HostId":"2"}"#;
        assert_eq!(created_objects(test_event).unwrap(), vec![]);
        assert!(
            created_objects("hello")
                .unwrap_err()
                .contains("not an S3 event")
        );
        assert_eq!(decode_key("100%"), "100%");
    }
}
