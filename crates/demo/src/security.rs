//! The demo company's audit trails and edge logs as AWS and Okta deliver
//! them: CloudTrail log files (`{"Records":[...]}` under the AWSLogs keys of
//! three accounts, one file per account and hour), Okta System Log pages
//! (the API's JSON arrays), AWS WAF logs of the production web ACL (JSON
//! lines under its WAFLogs key), and S3 data events of the public assets
//! bucket.
//!
//! A week of ordinary work (people signing in to Okta and through IAM
//! Identity Center to the console, the CI user assuming the deploy role
//! and updating services, task roles reading secrets, customers' requests
//! through WAF) with the talk's five signals in it, relative to the end:
//! - 3 days before, 03:12 KST: the root user signs in and creates an
//!   access key (`aws-root-activity`);
//! - 2 days before, 14:30 KST: dana widens a task role's inline policy by
//!   hand (`aws-iam-policy-modified`; the CI user's routine policy updates
//!   at each deploy are the noise an exception tunes away);
//! - 2 days before, 11:05 KST: bob tries the Payroll app he is not assigned
//!   (`okta-unauthorized-app`);
//! - the day before, 02:40 KST: eun signs in to production's console with
//!   the prod-rescue permission set (`aws-console-rescue-role`);
//! - the day before, 22:40 KST: alice signs in to Okta from home, and 25
//!   minutes later her Identity Center session opens the console from
//!   Changchun (`impossible-travel`).
//!
//! Addresses are those the MaxMind test databases place (the demo's geo-IP
//! data): the office is in 89.160.20.128/25 (Linköping), homes at
//! 216.160.83.56 (Milton) and 81.2.69.142 (London), the stranger in
//! 175.16.199.0/24 (Changchun).

use std::fmt::Write as _;

use crate::network::NetworkObject;
use crate::random::Rand;
use crate::time::{HOUR, MINUTE, SECOND, kst_hour, kst_midnight, kst_weekday, write_rfc3339};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SecurityConfig {
    pub seed: u64,
    /// `[start, end)`, ns since the epoch.
    pub start: i64,
    pub end: i64,
}

/// The objects, in the order to import them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecurityData {
    pub cloudtrail: Vec<NetworkObject>,
    pub okta: Vec<NetworkObject>,
    pub waf: Vec<NetworkObject>,
    /// Events written, by source.
    pub events: usize,
}

const PROD: &str = "345678901234";
const DEV: &str = "456789012345";
const SECURITY: &str = "111122223333";
const REGION: &str = "ap-northeast-2";
const OKTA_ORG: &str = "hannun-demo.okta.com";
const DOMAIN: &str = "hannun-demo.example";
const OFFICE: &str = "89.160.20.";
const STRANGER: &str = "175.16.199.20";
const CONSOLE_UA: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const CLI_UA: &str = "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#ecs.describe-services";
const TERRAFORM_UA: &str = "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.78.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.5";
const ACTIONS_UA: &str = "aws-sdk-js/3.699.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.1 api/ecs#3.699.0 m/E,N";

/// People: login, display name, home address, Identity Center permission
/// set, accounts they work in.
const PEOPLE: [(&str, &str, &str, &str); 8] = [
    ("alice", "Alice Kim", "81.2.69.142", "DeveloperAccess"),
    ("bob", "Bob Lee", "216.160.83.56", "ReadOnlyAccess"),
    ("chris", "Chris Park", "81.2.69.142", "DeveloperAccess"),
    ("dana", "Dana Choi", "216.160.83.56", "AdministratorAccess"),
    ("eun", "Eun Jung", "81.2.69.142", "AdministratorAccess"),
    ("felix", "Felix Han", "216.160.83.56", "DeveloperAccess"),
    ("gina", "Gina Yoon", "81.2.69.142", "ReadOnlyAccess"),
    ("hoon", "Hoon Shin", "216.160.83.56", "DeveloperAccess"),
];

const TASKS: [&str; 5] = [
    "cards-api",
    "jobs-api",
    "community-api",
    "ads-api",
    "web-bff",
];

fn iso(nanos: i64) -> String {
    let mut b = Vec::with_capacity(30);
    write_rfc3339(&mut b, nanos - nanos.rem_euclid(SECOND));
    // Whole seconds, as CloudTrail writes them.
    let s = String::from_utf8(b).unwrap_or_default();
    format!("{}Z", &s[..19])
}

fn iso_ms(nanos: i64) -> String {
    let mut b = Vec::with_capacity(30);
    write_rfc3339(&mut b, nanos);
    let s = String::from_utf8(b).unwrap_or_default();
    format!("{}Z", &s[..23])
}

fn uuid(r: &mut Rand) -> String {
    let (a, b) = (r.u64(), r.u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

fn office_ip(r: &mut Rand) -> String {
    format!("{OFFICE}{}", 130 + r.below(20))
}

/// The Identity Center role of a permission set.
fn sso_role(set: &str) -> (String, String) {
    let name = format!(
        "AWSReservedSSO_{set}_{:016x}",
        crate::random::mix(set.len() as u64 * 7919 + set.as_bytes()[0] as u64)
    );
    let arn =
        format!("arn:aws:iam::{{account}}:role/aws-reserved/sso.amazonaws.com/{REGION}/{name}");
    (name, arn)
}

/// One CloudTrail record under construction.
struct Trail<'a> {
    time: i64,
    account: &'a str,
    identity: String,
    source: &'a str,
    name: &'a str,
    ip: String,
    agent: &'a str,
    request: String,
    response: String,
    extra: String,
    event_type: &'a str,
    read_only: bool,
}

impl Trail<'_> {
    fn write(&self, r: &mut Rand, out: &mut String) {
        let category = if self.extra.contains("\"eventCategory\"") {
            ""
        } else {
            ",\"eventCategory\":\"Management\""
        };
        let _ = write!(
            out,
            r#"{{"eventVersion":"1.10","userIdentity":{},"eventTime":"{}","eventSource":"{}","eventName":"{}","awsRegion":"{REGION}","sourceIPAddress":"{}","userAgent":"{}","requestParameters":{},"responseElements":{},"requestID":"{}","eventID":"{}","readOnly":{},"eventType":"{}","managementEvent":true,"recipientAccountId":"{}"{}{}}}"#,
            self.identity,
            iso(self.time),
            self.source,
            self.name,
            self.ip,
            self.agent,
            if self.request.is_empty() {
                "null"
            } else {
                &self.request
            },
            if self.response.is_empty() {
                "null"
            } else {
                &self.response
            },
            uuid(r),
            uuid(r),
            self.read_only,
            self.event_type,
            self.account,
            self.extra,
            category,
        );
    }
}

/// An Identity Center session of a person in an account.
fn sso_identity(login: &str, set: &str, account: &str, since: i64) -> String {
    let (name, arn) = sso_role(set);
    let arn = arn.replace("{account}", account);
    format!(
        r#"{{"type":"AssumedRole","principalId":"AROA{}:{login}@{DOMAIN}","arn":"arn:aws:sts::{account}:assumed-role/{name}/{login}@{DOMAIN}","accountId":"{account}","accessKeyId":"ASIA{}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROA{}","arn":"{arn}","accountId":"{account}","userName":"{name}"}},"attributes":{{"creationDate":"{}","mfaAuthenticated":"false"}}}}}}"#,
        upper_id(set, 17),
        upper_id(login, 16),
        upper_id(set, 17),
        iso(since)
    )
}

/// A stable upper-case id of `n` characters from a name.
fn upper_id(seed: &str, n: usize) -> String {
    let mut x = seed.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    (0..n)
        .map(|_| {
            x = crate::random::mix(x);
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(x % 32) as usize] as char
        })
        .collect()
}

fn role_identity(
    role: &str,
    session: &str,
    account: &str,
    since: i64,
    invoked_by: Option<&str>,
) -> String {
    let invoked = invoked_by
        .map(|s| format!(r#","invokedBy":"{s}""#))
        .unwrap_or_default();
    format!(
        r#"{{"type":"AssumedRole","principalId":"AROA{}:{session}","arn":"arn:aws:sts::{account}:assumed-role/{role}/{session}","accountId":"{account}","accessKeyId":"ASIA{}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROA{}","arn":"arn:aws:iam::{account}:role/{role}","accountId":"{account}","userName":"{role}"}},"attributes":{{"creationDate":"{}","mfaAuthenticated":"false"}}}}{invoked}}}"#,
        upper_id(role, 17),
        upper_id(session, 16),
        upper_id(role, 17),
        iso(since)
    )
}

fn ci_user(account: &str) -> String {
    format!(
        r#"{{"type":"IAMUser","principalId":"AIDA{}","arn":"arn:aws:iam::{account}:user/github-actions","accountId":"{account}","accessKeyId":"AKIA{}","userName":"github-actions"}}"#,
        upper_id("github-actions", 17),
        upper_id("github-actions-key", 16)
    )
}

fn root(account: &str) -> String {
    format!(
        r#"{{"type":"Root","principalId":"{account}","arn":"arn:aws:iam::{account}:root","accountId":"{account}","accessKeyId":"ASIA{}"}}"#,
        upper_id("root-session", 16)
    )
}

/// A console sign-in through Identity Center.
fn console_login(
    r: &mut Rand,
    t: i64,
    login: &str,
    set: &str,
    account: &str,
    ip: &str,
    out: &mut Vec<(i64, String, String)>,
) {
    let mut e = String::new();
    Trail {
        time: t,
        account,
        identity: sso_identity(login, set, account, t - 5 * SECOND),
        source: "signin.amazonaws.com",
        name: "ConsoleLogin",
        ip: ip.to_owned(),
        agent: CONSOLE_UA,
        request: String::new(),
        response: r#"{"ConsoleLogin":"Success"}"#.into(),
        extra: r#","additionalEventData":{"MobileVersion":"No","MFAUsed":"No"},"eventCategory":"Management""#.into(),
        event_type: "AwsConsoleSignIn",
        read_only: false,
    }
    .write(r, &mut e);
    out.push((t, account.to_owned(), e));
}

/// Writes a record (built first: building it may draw from `r`).
macro_rules! push {
    ($r:expr, $out:expr, $trail:expr $(,)?) => {{
        let trail = $trail;
        push_trail($r, $out, trail)
    }};
}

fn push_trail(r: &mut Rand, out: &mut Vec<(i64, String, String)>, trail: Trail<'_>) {
    let mut e = String::new();
    trail.write(r, &mut e);
    out.push((trail.time, trail.account.to_owned(), e));
}

/// The week of CloudTrail events: (time, account, record).
fn cloudtrail_events(c: &SecurityConfig, r: &mut Rand) -> Vec<(i64, String, String)> {
    let mut out = Vec::new();
    let day = 24 * HOUR;
    let mut t = kst_midnight(c.start) + day;
    while t < c.end {
        let weekday = kst_weekday(t) < 5;
        // People at work: a console sign-in from the office in the morning,
        // a few reads during the day.
        if weekday {
            for (i, (login, _, _, set)) in PEOPLE.iter().enumerate() {
                let at = t + 9 * HOUR + (i as i64) * 7 * MINUTE + r.range(0, 20) * MINUTE;
                if at >= c.end {
                    continue;
                }
                let account = if *set == "AdministratorAccess" || i % 2 == 0 {
                    PROD
                } else {
                    DEV
                };
                let ip = office_ip(r);
                console_login(r, at, login, set, account, &ip, &mut out);
                for k in 0..(3 + r.below(6)) as i64 {
                    let when = at + (k + 1) * r.range(5, 40) * MINUTE;
                    if when >= c.end {
                        break;
                    }
                    let (source, name) = [
                        ("ecs.amazonaws.com", "DescribeServices"),
                        ("logs.amazonaws.com", "FilterLogEvents"),
                        ("cloudwatch.amazonaws.com", "GetMetricData"),
                        ("ec2.amazonaws.com", "DescribeInstances"),
                        ("s3.amazonaws.com", "ListBuckets"),
                    ][r.below(5) as usize];
                    push!(
                        r,
                        &mut out,
                        Trail {
                            time: when,
                            account,
                            identity: sso_identity(login, set, account, at),
                            source,
                            name,
                            ip: ip.clone(),
                            agent: if r.chance(0.7) { CONSOLE_UA } else { CLI_UA },
                            request: String::new(),
                            response: String::new(),
                            extra: String::new(),
                            event_type: "AwsApiCall",
                            read_only: true,
                        },
                    );
                }
            }
            // Terraform from a developer's laptop: plan (reads), sometimes apply.
            let at = t + 15 * HOUR + r.range(0, 60) * MINUTE;
            if at < c.end {
                for k in 0..6 {
                    push!(
                        r,
                        &mut out,
                        Trail {
                            time: at + k * 3 * SECOND,
                            account: DEV,
                            identity: sso_identity("felix", "DeveloperAccess", DEV, at - HOUR),
                            source: "iam.amazonaws.com",
                            name: ["GetRole", "GetRolePolicy", "ListAttachedRolePolicies"]
                                [k as usize % 3],
                            ip: office_ip(r),
                            agent: TERRAFORM_UA,
                            request: r#"{"roleName":"ads-api-task"}"#.into(),
                            response: String::new(),
                            extra: String::new(),
                            event_type: "AwsApiCall",
                            read_only: true,
                        },
                    );
                }
            }
        }
        // Deploys: the CI user assumes the deploy role, which registers a
        // task definition, updates the service and rewrites the task role's
        // inline policy (Terraform-managed, routine: the tuning candidate).
        for deploy in 0..(2 + r.below(3)) as i64 {
            let at = t + 10 * HOUR + deploy * 2 * HOUR + r.range(0, 50) * MINUTE;
            if at >= c.end {
                continue;
            }
            let task = TASKS[r.below(TASKS.len() as u64) as usize];
            let session = format!("GitHubActions-{}", r.below(900_000) + 100_000);
            let runner = format!("20.{}.{}.{}", 40 + r.below(20), r.below(250), r.below(250));
            push!(
                r,
                &mut out,
                Trail {
                    time: at,
                    account: PROD,
                    identity: ci_user(PROD),
                    source: "sts.amazonaws.com",
                    name: "AssumeRole",
                    ip: runner.clone(),
                    agent: ACTIONS_UA,
                    request: format!(
                        r#"{{"roleArn":"arn:aws:iam::{PROD}:role/deploy","roleSessionName":"{session}","durationSeconds":3600}}"#
                    ),
                    response: format!(
                        r#"{{"credentials":{{"accessKeyId":"ASIA{}","sessionToken":"redacted","expiration":"{}"}},"assumedRoleUser":{{"assumedRoleId":"AROA{}:{session}","arn":"arn:aws:sts::{PROD}:assumed-role/deploy/{session}"}}}}"#,
                        upper_id(&session, 16),
                        iso(at + HOUR),
                        upper_id("deploy", 17)
                    ),
                    extra: format!(
                        r#","resources":[{{"accountId":"{PROD}","type":"AWS::IAM::Role","ARN":"arn:aws:iam::{PROD}:role/deploy"}}]"#
                    ),
                    event_type: "AwsApiCall",
                    read_only: true,
                },
            );
            for (k, (source, name, request, read_only)) in [
                ("ecs.amazonaws.com", "RegisterTaskDefinition", format!(r#"{{"family":"{task}"}}"#), false),
                ("iam.amazonaws.com", "PutRolePolicy", format!(r#"{{"roleName":"{task}-task","policyName":"{task}-runtime","policyDocument":"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":[\"secretsmanager:GetSecretValue\"],\"Resource\":\"arn:aws:secretsmanager:{REGION}:{PROD}:secret:{task}/*\"}}]}}"}}"#), false),
                ("ecs.amazonaws.com", "UpdateService", format!(r#"{{"cluster":"prod","service":"{task}","taskDefinition":"{task}"}}"#), false),
                ("ecs.amazonaws.com", "DescribeServices", format!(r#"{{"cluster":"prod","services":["{task}"]}}"#), true),
            ]
            .into_iter()
            .enumerate()
            {
                push!(r, &mut out, Trail {
                    time: at + (k as i64 + 1) * 20 * SECOND,
                    account: PROD,
                    identity: role_identity("deploy", &session, PROD, at, None),
                    source,
                    name,
                    ip: runner.clone(),
                    agent: ACTIONS_UA,
                    request,
                    response: String::new(),
                    extra: String::new(),
                    event_type: "AwsApiCall",
                    read_only,
                });
            }
        }
        // Task roles read their secrets and decrypt with KMS all day.
        for hour in 0..24 {
            let at = t + hour * HOUR;
            if at >= c.end {
                break;
            }
            for task in TASKS {
                if r.chance(0.6) {
                    let session = format!("{:032x}", r.u64() as u128 * 7 + 1);
                    push!(
                        r,
                        &mut out,
                        Trail {
                            time: at + r.range(0, 3_599) * SECOND,
                            account: PROD,
                            identity: role_identity(
                                &format!("{task}-task"),
                                &session[..32],
                                PROD,
                                at,
                                None,
                            ),
                            source: "secretsmanager.amazonaws.com",
                            name: "GetSecretValue",
                            ip: format!("10.20.{}.{}", 1 + r.below(3), 10 + r.below(200)),
                            agent: "aws-sdk-js/3.699.0 ua/2.1 os/linux lang/js md/nodejs#20.18.1 api/secrets-manager#3.699.0",
                            request: format!(
                                r#"{{"secretId":"arn:aws:secretsmanager:{REGION}:{PROD}:secret:{task}/database"}}"#
                            ),
                            response: String::new(),
                            extra: String::new(),
                            event_type: "AwsApiCall",
                            read_only: true,
                        },
                    );
                }
            }
            // Security Hub and Config in the security account.
            if r.chance(0.5) {
                push!(
                    r,
                    &mut out,
                    Trail {
                        time: at + r.range(0, 3_599) * SECOND,
                        account: SECURITY,
                        identity: role_identity(
                            "AWSServiceRoleForConfig",
                            "AWSConfig-Describe",
                            SECURITY,
                            at,
                            Some("config.amazonaws.com"),
                        ),
                        source: "iam.amazonaws.com",
                        name: "GetAccountAuthorizationDetails",
                        ip: "config.amazonaws.com".into(),
                        agent: "config.amazonaws.com",
                        request: String::new(),
                        response: String::new(),
                        extra: String::new(),
                        event_type: "AwsApiCall",
                        read_only: true,
                    },
                );
            }
        }
        t += day;
    }
    stories(c, r, &mut out);
    out.retain(|(time, _, _)| *time >= c.start && *time < c.end);
    out.sort_by_key(|(time, _, _)| *time);
    out
}

/// Alice's Okta sign-in from home the story starts with: 22:40 KST the
/// day before the end (after every evening sign-in, hours before the
/// office opens).
fn alice_home_sign_in(c: &SecurityConfig) -> i64 {
    kst_midnight(c.end - 24 * HOUR) + 22 * HOUR + 40 * MINUTE
}

/// The talk's signals, relative to the end.
fn stories(c: &SecurityConfig, r: &mut Rand, out: &mut Vec<(i64, String, String)>) {
    let day = 24 * HOUR;
    let at = |days_before: i64, kst: f64| {
        kst_midnight(c.end - days_before * day) + (kst * HOUR as f64) as i64
    };
    // The root user, at night, from a home address.
    let t = at(3, 3.2);
    push!(r, out, Trail {
        time: t,
        account: PROD,
        identity: root(PROD).replace(&format!(r#","accessKeyId":"ASIA{}""#, upper_id("root-session", 16)), ""),
        source: "signin.amazonaws.com",
        name: "ConsoleLogin",
        ip: "216.160.83.56".into(),
        agent: CONSOLE_UA,
        request: String::new(),
        response: r#"{"ConsoleLogin":"Success"}"#.into(),
        extra: r#","additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"Yes"}"#.into(),
        event_type: "AwsConsoleSignIn",
        read_only: false,
    });
    push!(r, out, Trail {
        time: t + 4 * MINUTE,
        account: PROD,
        identity: root(PROD),
        source: "iam.amazonaws.com",
        name: "CreateAccessKey",
        ip: "216.160.83.56".into(),
        agent: CONSOLE_UA,
        request: String::new(),
        response: r#"{"accessKey":{"userName":"root","accessKeyId":"AKIAROOTDEMOEXAMPLE","status":"Active","createDate":"redacted"}}"#.into(),
        extra: String::new(),
        event_type: "AwsApiCall",
        read_only: false,
    });
    // Dana widens jobs-api's task role by hand.
    let t = at(2, 14.5);
    console_login(
        r,
        t - 10 * MINUTE,
        "dana",
        "AdministratorAccess",
        PROD,
        &format!("{OFFICE}141"),
        out,
    );
    push!(
        r,
        out,
        Trail {
            time: t,
            account: PROD,
            identity: sso_identity("dana", "AdministratorAccess", PROD, t - 10 * MINUTE),
            source: "iam.amazonaws.com",
            name: "PutRolePolicy",
            ip: format!("{OFFICE}141"),
            agent: CONSOLE_UA,
            request: r#"{"roleName":"jobs-api-task","policyName":"hotfix-s3","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"}"#.to_owned(),
            response: String::new(),
            extra: String::new(),
            event_type: "AwsApiCall",
            read_only: false,
        },
    );
    // Eun opens production's console with the rescue permission set.
    let t = at(1, 2.67);
    console_login(r, t, "eun", "prod-rescue", PROD, "81.2.69.142", out);
    push!(
        r,
        out,
        Trail {
            time: t + 6 * MINUTE,
            account: PROD,
            identity: sso_identity("eun", "prod-rescue", PROD, t),
            source: "rds.amazonaws.com",
            name: "RebootDBInstance",
            ip: "81.2.69.142".into(),
            agent: CONSOLE_UA,
            request: r#"{"dBInstanceIdentifier":"jobs-prod-1"}"#.into(),
            response: String::new(),
            extra: String::new(),
            event_type: "AwsApiCall",
            read_only: false,
        },
    );
    // Alice's Identity Center session opens the console from Changchun 25
    // minutes after her Okta sign-in from home (okta_events), late evening.
    let t = alice_home_sign_in(c) + 25 * MINUTE;
    console_login(r, t, "alice", "DeveloperAccess", PROD, STRANGER, out);
    for k in 0..4 {
        push!(
            r,
            out,
            Trail {
                time: t + (k + 1) * 2 * MINUTE,
                account: PROD,
                identity: sso_identity("alice", "DeveloperAccess", PROD, t),
                source: "secretsmanager.amazonaws.com",
                name: [
                    "ListSecrets",
                    "GetSecretValue",
                    "GetSecretValue",
                    "ListSecrets",
                ][k as usize],
                ip: STRANGER.into(),
                agent: CLI_UA,
                request: String::new(),
                response: String::new(),
                extra: String::new(),
                event_type: "AwsApiCall",
                read_only: true,
            },
        );
    }
}

/// S3 data events of the public assets bucket: browsers and apps fetching
/// bundles and images straight from S3 (bytes a CDN would serve cheaper),
/// and CloudFront's own fetches for the part already behind it.
fn s3_data_events(c: &SecurityConfig, r: &mut Rand) -> Vec<(i64, String, String)> {
    let mut out = Vec::new();
    let clients = [
        "81.2.69.142",
        "216.160.83.56",
        "89.160.20.200",
        "1.128.0.1",
        "2.125.160.216",
    ];
    let mut t = c.start - c.start.rem_euclid(HOUR);
    while t < c.end {
        let busy = (kst_hour(t) - 13.0).abs() < 6.0;
        for _ in 0..(if busy { 24 } else { 8 }) {
            let time = t + r.range(0, 3_599) * SECOND;
            if time < c.start || time >= c.end {
                continue;
            }
            let cdn = r.chance(0.2);
            let ip = if cdn {
                format!("13.32.{}.{}", r.below(250), 1 + r.below(250))
            } else {
                clients[r.below(clients.len() as u64) as usize].to_owned()
            };
            let key = [
                "app/main.7f3a.js",
                "img/hero.webp",
                "video/intro-1080p.mp4",
                "app/vendor.91bc.js",
            ][r.below(4) as usize];
            let bytes = if key.starts_with("video") {
                48_000_000 + r.below(8_000_000)
            } else {
                400_000 + r.below(2_000_000)
            };
            let mut e = String::new();
            let _ = write!(
                e,
                r#"{{"eventVersion":"1.10","userIdentity":{{"type":"AWSAccount","principalId":"","accountId":"anonymous"}},"eventTime":"{}","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"{REGION}","sourceIPAddress":"{ip}","userAgent":"{}","requestParameters":{{"bucketName":"hannun-demo-assets","Host":"hannun-demo-assets.s3.{REGION}.amazonaws.com","key":"{key}"}},"responseElements":null,"additionalEventData":{{"SignatureVersion":"","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"","x-amz-id-2":"redacted","bytesTransferredOut":{bytes}}},"requestID":"{}","eventID":"{}","readOnly":true,"resources":[{{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::hannun-demo-assets/{key}"}},{{"accountId":"{PROD}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::hannun-demo-assets"}}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"{PROD}","eventCategory":"Data"}}"#,
                iso(time),
                if cdn { "Amazon CloudFront" } else { CONSOLE_UA },
                uuid(r),
                uuid(r),
            );
            out.push((time, PROD.to_owned(), e));
        }
        t += HOUR;
    }
    out
}

/// Okta's System Log: sign-ins through the week, the unauthorized app and
/// alice's office sign-in before her Changchun console session.
fn okta_events(c: &SecurityConfig, r: &mut Rand) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    let event = |r: &mut Rand,
                 t: i64,
                 login: &str,
                 display: &str,
                 ip: &str,
                 kind: &str,
                 message: &str,
                 outcome: &str,
                 target: &str| {
        format!(
            r#"{{"actor":{{"id":"00u{}","type":"User","alternateId":"{login}@{DOMAIN}","displayName":"{display}","detailEntry":null}},"client":{{"userAgent":{{"rawUserAgent":"{CONSOLE_UA}","os":"Mac OS X","browser":"CHROME"}},"zone":"null","device":"Computer","id":null,"ipAddress":"{ip}","geographicalContext":null}},"authenticationContext":{{"authenticationProvider":null,"credentialProvider":null,"credentialType":null,"issuer":null,"interface":null,"authenticationStep":0,"externalSessionId":"102{}"}},"displayMessage":"{message}","eventType":"{kind}","outcome":{{"result":"{outcome}","reason":null}},"published":"{}","securityContext":{{"asNumber":null,"asOrg":null,"isp":null,"domain":null,"isProxy":false}},"severity":"{}","debugContext":{{"debugData":{{"requestUri":"/api/v1/authn"}}}},"legacyEventType":null,"transaction":{{"type":"WEB","id":"{}","detail":{{}}}},"uuid":"{}","version":"0","request":{{"ipChain":[{{"ip":"{ip}","geographicalContext":null,"version":"V4","source":null}}]}},"target":{target}}}"#,
            upper_id(login, 17).to_lowercase(),
            upper_id(&format!("{login}{t}"), 20),
            iso_ms(t),
            if outcome == "SUCCESS" { "INFO" } else { "WARN" },
            upper_id(&format!("tx{t}{login}"), 24),
            uuid(r),
        )
    };
    let day = 24 * HOUR;
    let mut t = kst_midnight(c.start) + day;
    while t < c.end {
        if kst_weekday(t) < 5 {
            for (i, (login, display, _, _)) in PEOPLE.iter().enumerate() {
                let at =
                    t + 9 * HOUR + (i as i64) * 7 * MINUTE - 5 * MINUTE + r.range(0, 20) * MINUTE;
                let ip = office_ip(r);
                out.push((
                    at,
                    event(
                        r,
                        at,
                        login,
                        display,
                        &ip,
                        "user.session.start",
                        "User login to Okta",
                        "SUCCESS",
                        "[]",
                    ),
                ));
                let app =
                    ["Slack", "GitHub", "AWS IAM Identity Center", "Notion"][r.below(4) as usize];
                out.push((at + 2 * MINUTE, event(r, at + 2 * MINUTE, login, display, &ip, "user.authentication.sso", "User single sign on to app", "SUCCESS", &format!(r#"[{{"id":"0oa{}","type":"AppInstance","alternateId":"{app}","displayName":"{app}","detailEntry":{{"signOnModeType":"SAML_2_0"}}}}]"#, upper_id(app, 17).to_lowercase()))));
            }
        }
        // Evenings from home, now and then.
        for (login, display, home, _) in PEOPLE {
            if r.chance(0.3) {
                let at = t + 21 * HOUR + r.range(0, 90) * MINUTE;
                out.push((
                    at,
                    event(
                        r,
                        at,
                        login,
                        display,
                        home,
                        "user.session.start",
                        "User login to Okta",
                        "SUCCESS",
                        "[]",
                    ),
                ));
            }
        }
        t += day;
    }
    let at = |days_before: i64, kst: f64| {
        kst_midnight(c.end - days_before * day) + (kst * HOUR as f64) as i64
    };
    let t = at(2, 11.08);
    out.push((t, event(r, t, "bob", "Bob Lee", &format!("{OFFICE}133"), "app.generic.unauth_app_access_attempt", "User attempted unauthorized access to app", "FAILURE", r#"[{"id":"0oapayroll0000000001","type":"AppInstance","alternateId":"Payroll","displayName":"Payroll","detailEntry":null}]"#)));
    // Evenings from home (above) end by 22:30; this one is later.
    let t = alice_home_sign_in(c);
    out.push((
        t,
        event(
            r,
            t,
            "alice",
            "Alice Kim",
            "81.2.69.142",
            "user.session.start",
            "User login to Okta",
            "SUCCESS",
            "[]",
        ),
    ));
    out.retain(|(time, _)| *time >= c.start && *time < c.end);
    out.sort_by_key(|(time, _)| *time);
    out
}

/// The production web ACL's log: customers' requests (mostly allowed), a
/// scanner's SQL injection and admin probes blocked, and a rate-based block.
fn waf_events(c: &SecurityConfig, r: &mut Rand) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    let acl = format!(
        "arn:aws:wafv2:{REGION}:{PROD}:regional/webacl/prod-web-acl/5e2a6c1b-7d4f-4a8e-9c3b-1f0e2d3c4b5a"
    );
    let record = |r: &mut Rand,
                  t: i64,
                  ip: &str,
                  country: &str,
                  method: &str,
                  uri: &str,
                  args: &str,
                  action: &str,
                  rule: &str,
                  rule_type: &str,
                  agent: &str,
                  groups: &str,
                  labels: &str| {
        format!(
            r#"{{"timestamp":{},"formatVersion":1,"webaclId":"{acl}","terminatingRuleId":"{rule}","terminatingRuleType":"{rule_type}","action":"{action}","terminatingRuleMatchDetails":[],"httpSourceName":"ALB","httpSourceId":"{PROD}-app/prod-public/50dc6c495c0c9188","ruleGroupList":{groups},"rateBasedRuleList":[],"nonTerminatingMatchingRules":[],"requestHeadersInserted":null,"responseCodeSent":null,"httpRequest":{{"clientIp":"{ip}","country":"{country}","headers":[{{"name":"Host","value":"www.{DOMAIN}"}},{{"name":"User-Agent","value":"{agent}"}},{{"name":"Accept","value":"*/*"}}],"uri":"{uri}","args":"{args}","httpVersion":"HTTP/1.1","httpMethod":"{method}","requestId":"1-{:08x}-{:024x}"}},"labels":{labels}}}"#,
            t / 1_000_000,
            (t / SECOND) as u32,
            (u128::from(r.u64()) << 32) | u128::from(r.u64() >> 32),
        )
    };
    let paths = [
        "/api/cards",
        "/api/jobs",
        "/api/jobs/search",
        "/community/posts",
        "/",
        "/static/app.js",
    ];
    let customers = [
        ("81.2.69.142", "GB"),
        ("216.160.83.56", "US"),
        ("89.160.20.150", "SE"),
        ("2.125.160.216", "GB"),
        ("1.128.0.9", "AU"),
    ];
    let mut t = c.start - c.start.rem_euclid(HOUR);
    while t < c.end {
        let n = if (kst_hour(t) - 14.0).abs() < 7.0 {
            40
        } else {
            12
        };
        for _ in 0..n {
            let time = t + r.range(0, 3_599_999) * 1_000_000;
            let (ip, cc) = customers[r.below(customers.len() as u64) as usize];
            let path = paths[r.below(paths.len() as u64) as usize];
            out.push((
                time,
                record(
                    r,
                    time,
                    ip,
                    cc,
                    if path.contains("search") {
                        "POST"
                    } else {
                        "GET"
                    },
                    path,
                    "",
                    "ALLOW",
                    "Default_Action",
                    "REGULAR",
                    CONSOLE_UA,
                    "[]",
                    "[]",
                ),
            ));
        }
        t += HOUR;
    }
    // A scanner from Changchun, five hours before the end: SQL injection,
    // admin paths, then the rate limit.
    let start = c.end - 5 * HOUR;
    let sqli = r#"[{"ruleGroupId":"AWS#AWSManagedRulesSQLiRuleSet","terminatingRule":{"ruleId":"SQLi_QUERYARGUMENTS","action":"BLOCK","ruleMatchDetails":null},"nonTerminatingMatchingRules":[],"excludedRules":null,"customerConfig":null}]"#;
    let admin = r#"[{"ruleGroupId":"AWS#AWSManagedRulesAdminProtectionRuleSet","terminatingRule":{"ruleId":"AdminProtection_URIPATH","action":"BLOCK","ruleMatchDetails":null},"nonTerminatingMatchingRules":[],"excludedRules":null,"customerConfig":null}]"#;
    for k in 0..60i64 {
        let time = start + k * 7 * SECOND;
        let (uri, args, rule, groups, label) = match k % 3 {
            0 => (
                "/api/jobs/search",
                format!("q=1%27%20OR%20{k}%3D{k}--"),
                "AWS-AWSManagedRulesSQLiRuleSet",
                sqli,
                "awswaf:managed:aws:sql-database:SQLi_QueryArguments",
            ),
            1 => (
                "/admin/login.php",
                String::new(),
                "AWS-AWSManagedRulesAdminProtectionRuleSet",
                admin,
                "awswaf:managed:aws:admin-protection:AdminProtection_URIPath",
            ),
            _ => (
                "/.env",
                String::new(),
                "AWS-AWSManagedRulesAdminProtectionRuleSet",
                admin,
                "awswaf:managed:aws:admin-protection:AdminProtection_URIPath",
            ),
        };
        out.push((
            time,
            record(
                r,
                time,
                "175.16.199.77",
                "CN",
                "GET",
                uri,
                &args,
                "BLOCK",
                rule,
                "MANAGED_RULE_GROUP",
                "sqlmap/1.8.11#stable (https://sqlmap.org)",
                groups,
                &format!(r#"[{{"name":"{label}"}}]"#),
            ),
        ));
    }
    for k in 0..20i64 {
        let time = start + 8 * MINUTE + k * SECOND;
        out.push((
            time,
            record(
                r,
                time,
                "175.16.199.77",
                "CN",
                "GET",
                "/api/cards",
                "",
                "BLOCK",
                "rate-limit-per-ip",
                "RATE_BASED",
                "sqlmap/1.8.11#stable (https://sqlmap.org)",
                "[]",
                "[]",
            ),
        ));
    }
    out.retain(|(time, _)| *time >= c.start && *time < c.end);
    out.sort_by_key(|(time, _)| *time);
    out
}

/// The week's objects.
pub fn generate_security(c: &SecurityConfig) -> SecurityData {
    let mut r = Rand::new(c.seed ^ 0x5ec0_5ec0_5ec0_5ec0);
    let mut data = SecurityData::default();
    let mut trail = cloudtrail_events(c, &mut r);
    trail.extend(s3_data_events(c, &mut r));
    trail.sort_by_key(|(time, _, _)| *time);
    data.events += trail.len();
    // One file per account and hour, as a trail delivers (roughly).
    let mut files: std::collections::BTreeMap<(String, i64), Vec<String>> = Default::default();
    for (time, account, record) in trail {
        files
            .entry((account, time - time.rem_euclid(HOUR)))
            .or_default()
            .push(record);
    }
    for ((account, hour), records) in files {
        let stamp = iso(hour);
        let (date, compact) = (&stamp[..10], stamp[..16].replace(['-', ':'], ""));
        data.cloudtrail.push(NetworkObject {
            key: format!(
                "AWSLogs/{account}/CloudTrail/{REGION}/{}/{account}_CloudTrail_{REGION}_{compact}Z_{}.json",
                date.replace('-', "/"),
                upper_id(&format!("{account}{hour}"), 16)
            ),
            body: format!(r#"{{"Records":[{}]}}"#, records.join(",")).into_bytes(),
        });
    }
    let okta = okta_events(c, &mut r);
    data.events += okta.len();
    for (page, chunk) in okta.chunks(200).enumerate() {
        data.okta.push(NetworkObject {
            key: format!("okta/{OKTA_ORG}/system-log-{page:04}.json"),
            body: format!(
                "[{}]",
                chunk
                    .iter()
                    .map(|(_, e)| e.as_str())
                    .collect::<Vec<_>>()
                    .join(",\n")
            )
            .into_bytes(),
        });
    }
    let waf = waf_events(c, &mut r);
    data.events += waf.len();
    let mut files: std::collections::BTreeMap<i64, Vec<&str>> = Default::default();
    for (time, record) in &waf {
        files
            .entry(time - time.rem_euclid(HOUR))
            .or_default()
            .push(record);
    }
    for (hour, records) in files {
        let stamp = iso(hour);
        let compact = stamp[..16].replace(['-', ':'], "");
        data.waf.push(NetworkObject {
            key: format!(
                "AWSLogs/{PROD}/WAFLogs/{REGION}/prod-web-acl/{}/{}/{PROD}_waflogs_{REGION}_prod-web-acl_{compact}Z_{}.log",
                stamp[..13].replace(['-', 'T'], "/"),
                &stamp[14..16],
                upper_id(&format!("waf{hour}"), 8).to_lowercase()
            ),
            body: records.join("\n").into_bytes(),
        });
    }
    data
}
