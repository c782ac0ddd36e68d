//! A `[[sources]]` S3 prefix against a real S3 API (moto's server on
//! 127.0.0.1): the server lists it, imports every object once, reports a
//! changed object instead of importing it again, picks up a new one, and
//! after kill -9 and a restart resumes from its checkpoint without
//! importing anything twice.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{Server, client, now_nanos, python};

/// moto's server, stopped on drop.
struct Moto {
    child: Child,
    url: String,
}

impl Moto {
    fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = python().with_file_name("moto_server");
        assert!(
            server.exists(),
            "{} missing: scripts/test.sh installs moto[server]",
            server.display()
        );
        let child = Command::new(server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        while client().get(format!("{url}/moto-api/")).send().is_err() {
            assert!(Instant::now() < deadline, "moto did not start");
            std::thread::sleep(Duration::from_millis(200));
        }
        Moto { child, url }
    }

    /// A PUT as the credentials' owner: moto checks no signature, but
    /// answers an anonymous overwrite with 403.
    fn put(&self, path: &str, body: Vec<u8>) {
        let response = client()
            .put(format!("{}/{path}", self.url))
            .header("authorization", OWNER)
            .body(body)
            .send()
            .unwrap();
        assert!(
            response.status().is_success(),
            "PUT {path}: {}",
            response.status()
        );
    }

    /// An SQS JSON-protocol call.
    fn sqs(&self, target: &str, body: serde_json::Value) -> serde_json::Value {
        let response = client()
            .post(format!("{}/", self.url))
            .header("authorization", OWNER.replace("/s3/", "/sqs/"))
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", format!("AmazonSQS.{target}"))
            .body(body.to_string())
            .send()
            .unwrap();
        assert!(
            response.status().is_success(),
            "SQS {target}: {}",
            response.status()
        );
        response.json().unwrap()
    }
}

/// The credentials' owner, for moto (which checks no signature but answers
/// an anonymous overwrite with 403).
const OWNER: &str = "AWS4-HMAC-SHA256 Credential=testing/20261203/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00";

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn status(server: &Server) -> serde_json::Value {
    client()
        .get(server.url("/api/v1/import/status"))
        .send()
        .unwrap()
        .json::<serde_json::Value>()
        .unwrap()["sources"][0]
        .clone()
}

fn wait_for(
    server: &Server,
    what: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let s = status(server);
        if done(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "{what}: {s}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn an_s3_prefix_is_imported_once_and_resumed_after_a_restart() {
    let moto = Moto::start();
    moto.put("aws-logs", Vec::new());
    let end = now_nanos() / 1_000_000_000 / 600 * 600;
    let data = demo::generate_network(&demo::NetworkConfig {
        seed: 9,
        start_s: end - 2 * 3600,
        end_s: end,
        scale: 1.0,
    });
    let objects: Vec<&demo::NetworkObject> = std::iter::once(&data.inventory)
        .chain(&data.resolver_logs)
        .chain(&data.flow_logs)
        .collect();
    for o in &objects {
        moto.put(&format!("aws-logs/{}", o.key), o.body.clone());
    }

    let dir = tempfile::tempdir().unwrap();
    // The standard credential variables; moto takes any.
    let credentials = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing-secret"),
    ];
    let config = format!(
        "[[sources]]\nname = \"vpc\"\nurl = \"s3://aws-logs\"\nregion = \"us-east-1\"\nendpoint = \"{}\"\npoll_seconds = 1\n",
        moto.url
    );
    let server = Server::start_with_env(dir.path(), &config, &credentials);
    let total = objects.len() as u64;
    let s = wait_for(&server, "every object imported", |s| {
        s["objects_imported"] == total && s["polls"].as_u64() >= Some(1)
    });
    assert_eq!(s["rejected"], 0, "{s}");
    assert_eq!(s["last_error"], serde_json::Value::Null, "{s}");
    let count = |server: &Server| server.count("SELECT count(*) AS n FROM flows");
    assert_eq!(count(&server) as usize, data.flow_records);
    // Attributed with the inventory and DNS imported first.
    let s3_rows = server.count(
        "SELECT count(*) AS n FROM flows WHERE client_task = 'jobs-api' AND destination = 'jobs-prod-uploads.s3.ap-northeast-2.amazonaws.com'",
    );
    assert!(s3_rows > 0, "no jobs-api rows to its S3 bucket");

    // `hannun import s3://...` reads the same prefix into another server.
    let other_dir = tempfile::tempdir().unwrap();
    let other = Server::start(other_dir.path(), "");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hannun"))
        .args([
            "import",
            "s3://aws-logs",
            "--region",
            "us-east-1",
            "--endpoint",
            &moto.url,
            "--server",
        ])
        .arg(format!("http://{}", other.http))
        .envs(credentials)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("vpc_flow_logs") && stdout.contains("eni_inventory"),
        "{stdout}"
    );
    assert!(!stdout.contains("testing-secret"), "{stdout}");
    assert_eq!(count(&other) as usize, data.flow_records);
    other.stop();

    // A changed object is reported, not imported again.
    let changed = &data.flow_logs[0];
    let mut body = changed.body.clone();
    body.extend_from_slice(&data.flow_logs[1].body[demo::FLOW_FORMAT.len() + 1..]);
    moto.put(&format!("aws-logs/{}", changed.key), body);
    let s = wait_for(&server, "the changed object reported", |s| {
        s["changed_objects"] == 1
    });
    assert!(
        s["problems"]
            .to_string()
            .contains("changed after it was imported"),
        "{s}"
    );
    assert_eq!(count(&server) as usize, data.flow_records);

    // A new object is imported at the next poll.
    let later = demo::generate_network(&demo::NetworkConfig {
        seed: 9,
        start_s: end,
        end_s: end + 600,
        scale: 1.0,
    });
    let new = &later.flow_logs[0];
    moto.put(&format!("aws-logs/{}", new.key), new.body.clone());
    wait_for(&server, "the new object imported", |s| {
        s["objects_imported"] == total + 1
    });
    let after_new = count(&server);
    assert_eq!(after_new as usize, data.flow_records + later.flow_records);

    // kill -9, restart: the checkpoint says what was imported.
    server.kill();
    let server = Server::start_with_env(dir.path(), &config, &credentials);
    let s = wait_for(&server, "a poll after the restart", |s| {
        s["polls"].as_u64() >= Some(2)
    });
    assert_eq!(s["objects_imported"], total + 1, "{s}");
    assert_eq!(count(&server), after_new, "nothing imported twice");
    server.stop();
}

#[test]
fn a_source_following_s3_event_notifications_through_sqs_never_lists() {
    let moto = Moto::start();
    moto.put("flow-logs", Vec::new());
    let queue = moto.sqs(
        "CreateQueue",
        serde_json::json!({"QueueName": "flow-events"}),
    );
    let queue_url = queue["QueueUrl"].as_str().unwrap().to_owned();
    // S3 sends its event notifications to the queue (moto's default account).
    let notification = "<NotificationConfiguration><QueueConfiguration><Id>flows</Id><Queue>arn:aws:sqs:us-east-1:123456789012:flow-events</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>";
    let response = client()
        .put(format!("{}/flow-logs?notification", moto.url))
        .header("authorization", OWNER)
        .body(notification)
        .send()
        .unwrap();
    assert!(
        response.status().is_success(),
        "notification: {}",
        response.status()
    );

    let dir = tempfile::tempdir().unwrap();
    let credentials = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing-secret"),
    ];
    let config = format!(
        "[[sources]]\nname = \"events\"\nurl = \"s3://flow-logs/AWSLogs\"\nregion = \"us-east-1\"\nendpoint = \"{}\"\nsqs_queue_url = \"{queue_url}\"\npoll_seconds = 1\n",
        moto.url
    );
    let server = Server::start_with_env(dir.path(), &config, &credentials);
    let end = now_nanos() / 1_000_000_000 / 600 * 600;
    let data = demo::generate_network(&demo::NetworkConfig {
        seed: 4,
        start_s: end - 3600,
        end_s: end,
        scale: 1.0,
    });
    // An object outside the source's prefix is announced too, and ignored.
    moto.put("flow-logs/other/notes.txt", b"hello".to_vec());
    for o in &data.flow_logs {
        moto.put(&format!("flow-logs/{}", o.key), o.body.clone());
    }
    let total = data.flow_logs.len() as u64;
    let s = wait_for(&server, "every announced flow log imported", |s| {
        s["objects_imported"] == total
    });
    assert_eq!(
        s["objects_listed"], 0,
        "a queue-following source never lists: {s}"
    );
    assert_eq!(
        server.count("SELECT count(*) AS n FROM flows") as usize,
        data.flow_records
    );
    // The queue is drained: the messages were deleted once imported.
    let left = moto.sqs(
        "GetQueueAttributes",
        serde_json::json!({"QueueUrl": queue_url, "AttributeNames": ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]}),
    );
    assert_eq!(
        left["Attributes"]["ApproximateNumberOfMessages"], "0",
        "{left}"
    );
    assert_eq!(
        left["Attributes"]["ApproximateNumberOfMessagesNotVisible"], "0",
        "{left}"
    );
    server.stop();
}
