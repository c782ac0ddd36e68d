//! `cargo xtask bench-detect`: CloudTrail events through detection, per
//! core. Synthetic trail files (gzipped `{"Records":[...]}` of 1,000
//! events: people through Identity Center, IAM users, task roles, root,
//! reads and writes across 40 APIs, failures; in the realistic mix reads
//! dominate and people keep their address, `--mix attack` makes every API
//! as likely and addresses random, so most events raise detections) go
//! through the whole pure path on one thread (gunzip, parse, normalise the
//! identity, route, match about 200 Sigma rules plus the built-ins and
//! impossible travel, build the `audit` and `signals` batches), next to
//! `rsigma-eval` alone matching the same parsed events against the same
//! rules (the lower bound); then through the server (`POST
//! /api/v1/import`), per server CPU-second.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;

use crate::harness::{post_until_accepted, setup};
use crate::server::Server;

pub(crate) struct DetectOptions {
    pub(crate) events: usize,
    /// `realistic` (default): reads dominate, root is rare, people keep
    /// their address; `attack`: every API equally likely, root every 20th
    /// event, addresses at random (detections on most events).
    pub(crate) attack: bool,
    /// Skip the run through the server (no release build needed).
    pub(crate) in_process: bool,
    /// Only the whole path in process: no peers, no server (for a
    /// profiler).
    pub(crate) path_only: bool,
}

const APIS: [(&str, &str, bool); 40] = [
    ("s3.amazonaws.com", "GetObject", true),
    ("s3.amazonaws.com", "PutObject", false),
    ("s3.amazonaws.com", "ListBuckets", true),
    ("s3.amazonaws.com", "GetBucketPolicy", true),
    ("s3.amazonaws.com", "PutBucketPolicy", false),
    ("ec2.amazonaws.com", "DescribeInstances", true),
    ("ec2.amazonaws.com", "RunInstances", false),
    ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", false),
    ("ec2.amazonaws.com", "DescribeSecurityGroups", true),
    ("ec2.amazonaws.com", "CreateSnapshot", false),
    ("iam.amazonaws.com", "GetRole", true),
    ("iam.amazonaws.com", "ListRoles", true),
    ("iam.amazonaws.com", "PutRolePolicy", false),
    ("iam.amazonaws.com", "AttachRolePolicy", false),
    ("iam.amazonaws.com", "CreateAccessKey", false),
    ("iam.amazonaws.com", "CreateUser", false),
    ("sts.amazonaws.com", "AssumeRole", true),
    ("sts.amazonaws.com", "GetCallerIdentity", true),
    ("kms.amazonaws.com", "Decrypt", true),
    ("kms.amazonaws.com", "GenerateDataKey", true),
    ("secretsmanager.amazonaws.com", "GetSecretValue", true),
    ("ssm.amazonaws.com", "GetParameters", true),
    ("ssm.amazonaws.com", "SendCommand", false),
    ("ecs.amazonaws.com", "DescribeServices", true),
    ("ecs.amazonaws.com", "UpdateService", false),
    ("ecs.amazonaws.com", "RegisterTaskDefinition", false),
    ("ecr.amazonaws.com", "GetAuthorizationToken", true),
    ("ecr.amazonaws.com", "PutImage", false),
    ("lambda.amazonaws.com", "Invoke", false),
    (
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        false,
    ),
    ("logs.amazonaws.com", "CreateLogStream", false),
    ("logs.amazonaws.com", "PutLogEvents", false),
    ("cloudtrail.amazonaws.com", "LookupEvents", true),
    ("cloudtrail.amazonaws.com", "StopLogging", false),
    ("rds.amazonaws.com", "DescribeDBInstances", true),
    ("rds.amazonaws.com", "ModifyDBSnapshotAttribute", false),
    ("dynamodb.amazonaws.com", "DescribeTable", true),
    ("sqs.amazonaws.com", "SendMessage", false),
    ("sns.amazonaws.com", "Publish", false),
    ("signin.amazonaws.com", "ConsoleLogin", false),
];

const IPS: [&str; 6] = [
    "81.2.69.142",
    "216.160.83.56",
    "175.16.199.10",
    "89.160.20.130",
    "10.0.3.7",
    "ecs-tasks.amazonaws.com",
];

/// How often each API is called in the realistic mix (per mille of the
/// events, by `APIS` index; the rest share what is left equally): task
/// roles reading objects, decrypting and fetching secrets, services
/// writing logs and messages, people describing things; changes rare.
fn realistic_weight(name: &str) -> f64 {
    match name {
        "GetObject" => 200.0,
        "Decrypt" => 140.0,
        "AssumeRole" => 100.0,
        "GenerateDataKey" => 80.0,
        "PutLogEvents" => 80.0,
        "GetSecretValue" => 60.0,
        "PutObject" => 50.0,
        "DescribeInstances" | "SendMessage" => 40.0,
        "GetParameters" | "GetCallerIdentity" | "DescribeServices" => 30.0,
        "GetAuthorizationToken" | "Publish" | "CreateLogStream" | "DescribeTable" => 15.0,
        "ListBuckets"
        | "GetRole"
        | "ListRoles"
        | "DescribeSecurityGroups"
        | "DescribeDBInstances"
        | "LookupEvents"
        | "GetBucketPolicy"
        | "Invoke" => 5.0,
        "ConsoleLogin" => 2.0,
        // Changes: a few in ten thousand each.
        _ => 0.3,
    }
}

/// A small deterministic generator (xorshift), so runs compare.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// An index drawn by weight.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = (self.next() % 1_000_000) as f64 / 1_000_000.0 * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

/// An identity, and the address it calls from in the realistic mix.
fn identity(rng: &mut Rng, attack: bool) -> (String, &'static str) {
    let kind = if attack {
        rng.below(20)
    } else if rng.below(2_000) == 0 {
        0
    } else {
        1 + rng.below(19)
    };
    let home = match kind {
        0 => "216.160.83.56",
        1..=6 => "89.160.20.130",
        7..=9 => "10.0.3.7",
        _ => "ecs-tasks.amazonaws.com",
    };
    let json = match kind {
        0 => r#"{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"}"#.to_owned(),
        1..=6 => {
            let user = ["alice", "bob", "carol", "dave", "erin"][rng.below(5)];
            format!(
                r#"{{"type":"AssumedRole","principalId":"AROAEXAMPLESSO:{user}@corp.example","arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/{user}@corp.example","accountId":"111122223333","accessKeyId":"ASIA{:016}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROAEXAMPLESSO","arn":"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/ap-northeast-2/AWSReservedSSO_Developer_0123456789abcdef","accountId":"111122223333","userName":"AWSReservedSSO_Developer_0123456789abcdef"}},"attributes":{{"creationDate":"2026-12-01T00:00:00Z","mfaAuthenticated":"false"}}}}}}"#,
                rng.next() % 10_000_000_000_000_000
            )
        }
        7..=9 => {
            let user = ["deploy-bot", "backup", "legacy-ci"][rng.below(3)];
            format!(
                r#"{{"type":"IAMUser","principalId":"AIDAEXAMPLE{user}","arn":"arn:aws:iam::111122223333:user/{user}","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE{user}","userName":"{user}"}}"#
            )
        }
        _ => {
            let role = ["jobs-api-task", "cards-api-task", "feed-worker-task", "ads-bidder-task"]
                [rng.below(4)];
            format!(
                r#"{{"type":"AssumedRole","principalId":"AROAEXAMPLE{role}:{:x}","arn":"arn:aws:sts::111122223333:assumed-role/{role}/{:x}","accountId":"111122223333","accessKeyId":"ASIA{:016}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROAEXAMPLE{role}","arn":"arn:aws:iam::111122223333:role/{role}","accountId":"111122223333","userName":"{role}"}}}},"invokedBy":"ecs-tasks.amazonaws.com"}}"#,
                rng.next(),
                rng.next(),
                rng.next() % 10_000_000_000_000_000
            )
        }
    };
    (json, home)
}

/// `count` events as gzipped trail files of 1,000.
fn trail_files(count: usize, attack: bool) -> Vec<Vec<u8>> {
    let weights: Vec<f64> = APIS
        .iter()
        .map(|(_, name, _)| if attack { 1.0 } else { realistic_weight(name) })
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut files = Vec::new();
    let mut made = 0;
    while made < count {
        let n = (count - made).min(1_000);
        let mut text = String::from("{\"Records\":[");
        for i in 0..n {
            let (source, name, read_only) = APIS[rng.weighted(&weights)];
            let t = 1_796_083_200 + (made + i) as i64 / 20;
            let (who, home) = identity(&mut rng, attack);
            let ip = if attack {
                IPS[rng.below(IPS.len())]
            } else {
                home
            };
            let failed = rng.below(25) == 0;
            let error = if failed {
                r#","errorCode":"AccessDenied","errorMessage":"User is not authorized to perform this operation""#
            } else {
                ""
            };
            let response = if name == "ConsoleLogin" {
                r#"{"ConsoleLogin":"Success"}"#
            } else {
                "null"
            };
            if i > 0 {
                text.push(',');
            }
            text.push_str(&format!(
                r#"{{"eventVersion":"1.09","userIdentity":{},"eventTime":"{}","eventSource":"{source}","eventName":"{name}","awsRegion":"ap-northeast-2","sourceIPAddress":"{ip}","userAgent":"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux api/{}#1.0","requestParameters":{{"resourceName":"res-{}","maxResults":50}},"responseElements":{response}{error},"requestID":"{:x}","eventID":"{:x}-{}","readOnly":{read_only},"eventType":"{}","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"{source}"}}}}"#,
                who,
                crate::flow_gen::rfc3339(t),
                source.split('.').next().unwrap_or(""),
                rng.below(1000),
                rng.next(),
                rng.next(),
                made + i,
                if name == "ConsoleLogin" { "AwsConsoleSignIn" } else { "AwsApiCall" },
            ));
        }
        text.push_str("]}");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text.as_bytes()).expect("gzip into memory");
        files.push(gz.finish().expect("gzip into memory"));
        made += n;
    }
    files
}

/// SigmaHQ's AWS CloudTrail rules, `copies` times over with distinct ids
/// and titles: about 200 rules on CloudTrail events.
fn rule_files(root: &Path, copies: usize) -> anyhow::Result<Vec<(String, String)>> {
    let dir = root.join("testdata/sigmahq/rules/cloud/aws/cloudtrail");
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| dir.display().to_string())? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "yml") {
            texts.push((path.display().to_string(), std::fs::read_to_string(&path)?));
        }
    }
    texts.sort();
    let mut out = Vec::new();
    for copy in 0..copies {
        for (name, text) in &texts {
            // A copy is the same rule under another id (titles stay).
            let text = text.replacen("\nid: ", &format!("\nid: c{copy}-"), 1);
            out.push((format!("{name}#{copy}"), text));
        }
    }
    Ok(out)
}

pub(crate) fn bench_detect(o: DetectOptions) -> anyhow::Result<()> {
    let s = if o.in_process || o.path_only {
        crate::harness::setup_without_binary()?
    } else {
        setup()?
    };
    let files = trail_files(o.events, o.attack);
    let compressed: usize = files.iter().map(Vec::len).sum();
    let rules = rule_files(&s.root, 4)?;
    let sigma = Arc::new(detect::SigmaRules::load(&rules));
    let evaluated = sigma.loaded(detect::Source::Cloudtrail);
    for r in &sigma.report {
        if let detect::RuleLoad::Failed { reason } = &r.load {
            eprintln!("rule {} failed: {reason}", r.file);
        }
    }
    println!(
        "{} events ({} mix) in {} files ({:.1} MB gzipped); {evaluated} Sigma rules on CloudTrail plus the built-ins",
        o.events,
        if o.attack { "attack" } else { "realistic" },
        files.len(),
        compressed as f64 / 1e6
    );
    let geo = {
        let dir = s.root.join("testdata/maxmind");
        enrich::GeoIp::from_bytes(
            Some(std::fs::read(dir.join("GeoLite2-City-Test.mmdb"))?),
            Some(std::fs::read(dir.join("GeoLite2-ASN-Test.mmdb"))?),
        )
        .map_err(anyhow::Error::msg)?
    };
    let ranges = enrich::AwsIpRanges::embedded().map_err(anyhow::Error::msg)?;

    // The whole pure path on this thread.
    let detector = detect::Detector::new(
        sigma.clone(),
        detect::BuiltinConfig::default(),
        detect::TravelConfig::default(),
        detect::DEFAULT_DEDUP_HOURS,
    );
    let started = Instant::now();
    let (mut events, mut detections) = (0usize, 0usize);
    // Time per stage: gunzip, decode, rows, detect, batches (and drops).
    let mut stages = [0f64; 5];
    let mut by_rule: std::collections::HashMap<String, usize> = Default::default();
    let mut lap = Instant::now();
    let mut mark = |stage: usize, lap: &mut Instant| {
        stages[stage] += lap.elapsed().as_secs_f64();
        *lap = Instant::now();
    };
    for file in &files {
        let mut text = Vec::new();
        flate2::read::MultiGzDecoder::new(file.as_slice()).read_to_end(&mut text)?;
        mark(0, &mut lap);
        let log = formats::decode_cloudtrail(&text);
        mark(1, &mut lap);
        let rows: Vec<enrich::AuditRow> = log
            .events
            .iter()
            .map(|e| {
                let mut row = enrich::AuditRow::from_cloudtrail(e, &geo);
                row.source_class = enrich::source_class(row.source_ip.as_deref(), &ranges);
                row
            })
            .collect();
        mark(2, &mut lap);
        let values: Vec<&formats::Doc> = log.events.iter().map(|e| &e.event).collect();
        let found = detector.detect(&rows, &values);
        mark(3, &mut lap);
        let audit = enrich::audit_batch(&rows).map_err(anyhow::Error::msg)?;
        let signals = detect::detections_batch(&found).map_err(anyhow::Error::msg)?;
        std::hint::black_box((audit, signals));
        events += rows.len();
        detections += found.len();
        for d in &found {
            *by_rule.entry(d.title.to_string()).or_insert(0usize) += 1;
        }
        drop(found);
        drop(values);
        drop(rows);
        drop(log);
        drop(text);
        mark(4, &mut lap);
    }
    let path_s = started.elapsed().as_secs_f64();
    if o.path_only {
        println!(
            "whole path: {:.0} events/s per core; µs per event: gunzip {:.2}, decode {:.2}, identity and place {:.2}, detect {:.2}, batches {:.2}",
            events as f64 / path_s,
            stages[0] / events as f64 * 1e6,
            stages[1] / events as f64 * 1e6,
            stages[2] / events as f64 * 1e6,
            stages[3] / events as f64 * 1e6,
            stages[4] / events as f64 * 1e6,
        );
        return Ok(());
    }
    // The events parsed for the matching-only run, outside both timings
    // (kept apart so the whole path's heap holds one file at a time).
    // The texts stay for the second run, which reads them in place.
    let mut parsed = Vec::with_capacity(events);
    let mut texts = Vec::with_capacity(files.len());
    for file in &files {
        let mut text = Vec::new();
        flate2::read::MultiGzDecoder::new(file.as_slice()).read_to_end(&mut text)?;
        parsed.extend(
            formats::decode_cloudtrail(&text)
                .events
                .iter()
                .map(|e| e.event.to_value()),
        );
        texts.push(text);
    }
    let docs: Vec<formats::Doc> = texts
        .iter()
        .flat_map(|t| formats::decode_cloudtrail(t).events)
        .map(|e| e.event)
        .collect();

    // rsigma-eval alone on the parsed events: matching only.
    let mut engine = rsigma_eval::Engine::new();
    let mut collection = rsigma_parser::SigmaCollection::new();
    for (_, text) in &rules {
        if let Ok(c) = rsigma_parser::parse_sigma_yaml(text) {
            collection.rules.extend(c.rules);
        }
    }
    engine
        .add_collection(&collection)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    let mut matches = 0usize;
    for event in &parsed {
        matches += engine
            .evaluate(&rsigma_eval::event::JsonEvent::borrow(event))
            .len();
    }
    let match_s = started.elapsed().as_secs_f64();
    // The same engine reading the events as hannun does (`DocEvent`).
    let started = Instant::now();
    let mut doc_matches = 0usize;
    for event in &docs {
        doc_matches += engine.evaluate(&detect::DocEvent::new(event)).len();
    }
    let doc_match_s = started.elapsed().as_secs_f64();

    let per_core = |n: usize, secs: f64| n as f64 / secs;
    println!();
    println!("| path | events/s per core | |");
    println!("|---|---:|---|");
    println!(
        "| whole path in process (gunzip, parse, identity, place, route, {evaluated} Sigma rules + built-ins + travel, audit and signals batches) | {:.0} | {detections} detections |",
        per_core(events, path_s)
    );
    println!(
        "| rsigma-eval alone, same rules, events parsed as serde_json values (its JsonEvent) | {:.0} | {matches} matches |",
        per_core(parsed.len(), match_s)
    );
    println!(
        "| rsigma-eval alone, same rules, events read in place (hannun's DocEvent) | {:.0} | {doc_matches} matches |",
        per_core(docs.len(), doc_match_s)
    );
    println!(
        "whole path / rsigma-eval alone: {:.2}x the time",
        path_s / match_s * parsed.len() as f64 / events as f64
    );
    let mut top: Vec<(usize, String)> = by_rule.into_iter().map(|(t, n)| (n, t)).collect();
    top.sort_by(|a, b| b.cmp(a));
    println!(
        "most detections: {}",
        top.iter()
            .take(4)
            .map(|(n, t)| format!("{t} ({n})"))
            .collect::<Vec<_>>()
            .join("; ")
    );
    println!(
        "whole path, µs per event: gunzip {:.2}, decode {:.2}, identity and place {:.2}, detect {:.2}, batches {:.2}",
        stages[0] / events as f64 * 1e6,
        stages[1] / events as f64 * 1e6,
        stages[2] / events as f64 * 1e6,
        stages[3] / events as f64 * 1e6,
        stages[4] / events as f64 * 1e6,
    );
    if o.in_process {
        return Ok(());
    }

    // Through the server.
    let data = s.work.join("data-detect");
    if data.exists() {
        std::fs::remove_dir_all(&data)?;
    }
    let rules_dir = s.work.join("detect-rules");
    if rules_dir.exists() {
        std::fs::remove_dir_all(&rules_dir)?;
    }
    std::fs::create_dir_all(&rules_dir)?;
    for (i, (_, text)) in rules.iter().enumerate() {
        std::fs::write(rules_dir.join(format!("r{i:04}.yml")), text)?;
    }
    let config = format!(
        "[storage]\nmax_buffer_mb = 512\n[enrich]\ngeoip_city = \"{}\"\ngeoip_asn = \"{}\"\n[detect]\nsigma_rules = [\"{}\"]\n",
        s.root
            .join("testdata/maxmind/GeoLite2-City-Test.mmdb")
            .display(),
        s.root
            .join("testdata/maxmind/GeoLite2-ASN-Test.mmdb")
            .display(),
        rules_dir.display()
    );
    let server = Server::start(&s.binary, &data, &config)?;
    let client = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(600))
        .build()?;
    let cpu_before = server.cpu_seconds()?;
    let started = Instant::now();
    for (i, file) in files.iter().enumerate() {
        let url = format!(
            "{}?key=AWSLogs/111122223333/CloudTrail/ap-northeast-2/2026/12/01/111122223333_CloudTrail_ap-northeast-2_20261201T0000Z_{i:06}.json.gz",
            server.url("/api/v1/import")
        );
        post_until_accepted(&client, &url, "application/octet-stream", file.clone())?;
    }
    let server_s = started.elapsed().as_secs_f64();
    let server_cpu = server.cpu_seconds()? - cpu_before;
    server.stop()?;

    println!(
        "| through the server (POST /api/v1/import, stored) | {:.0} per server CPU-second | {:.0} events/s wall |",
        per_core(events, server_cpu),
        per_core(events, server_s)
    );
    Ok(())
}
