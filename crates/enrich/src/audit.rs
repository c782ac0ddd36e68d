//! One audit event as a row of the `audit` dataset: what was done, by whom
//! (`identity`), from where (`geoip`), with what outcome, and the event as
//! delivered; and the Arrow batch of many rows, in the column order of
//! `model`'s `audit` kind.

use std::net::IpAddr;

use arrow::record_batch::RecordBatch;
use formats::Doc;
use formats::{CloudTrailEvent, OktaEvent};
use model::DatasetKind;

use crate::geoip::{GeoIp, Place};
use crate::identity::{Actor, cloudtrail_actor};

/// One row of the `audit` dataset.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuditRow {
    pub time: i64,
    pub source: &'static str,
    pub event_id: Option<String>,
    pub event_source: Option<String>,
    pub event_name: Option<String>,
    pub event_type: Option<String>,
    pub event_category: Option<String>,
    pub read_only: Option<bool>,
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub actor: Option<String>,
    pub actor_name: Option<String>,
    pub actor_type: Option<&'static str>,
    pub actor_account: Option<String>,
    pub principal_arn: Option<String>,
    pub access_key_id: Option<String>,
    pub role_arn: Option<String>,
    pub role_name: Option<String>,
    pub session_name: Option<String>,
    pub source_identity: Option<String>,
    pub federation: Option<&'static str>,
    pub mfa: Option<bool>,
    pub invoked_by: Option<String>,
    pub source_ip: Option<String>,
    /// `internet`, `aws`, `private` or `service` (see `source_class`).
    pub source_class: Option<&'static str>,
    pub user_agent: Option<String>,
    pub place: Place,
    /// `success` or `failure`.
    pub outcome: Option<&'static str>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub request_id: Option<String>,
    pub bucket: Option<String>,
    pub bytes_out: Option<i64>,
    pub resources: Option<String>,
    pub raw: String,
}

/// Where a source address is: `private` (RFC 1918, loopback, link-local,
/// unique local), `aws` (an AWS range: a service such as CloudFront, or
/// another account's instance), `internet`, or `service` when CloudTrail
/// names a service (`ecs.amazonaws.com`) instead of an address.
pub fn source_class(source: Option<&str>, ranges: &crate::AwsIpRanges) -> Option<&'static str> {
    let source = source?;
    let Some(ip) = ip_of(source) else {
        return Some("service");
    };
    let private = match ip {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback() || v4.is_link_local(),
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    };
    Some(if private {
        "private"
    } else if ranges.lookup(ip).is_some() {
        "aws"
    } else {
        "internet"
    })
}

fn text(v: &Doc<'_>, field: &str) -> Option<String> {
    v.get(field)
        .and_then(Doc::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The event's source address, when it is one (CloudTrail writes a service
/// name such as `ecs.amazonaws.com` there when a service made the call).
pub(crate) fn ip_of(source: &str) -> Option<IpAddr> {
    source.parse().ok()
}

impl AuditRow {
    /// A CloudTrail event with its identity and place.
    pub fn from_cloudtrail(event: &CloudTrailEvent<'_>, geo: &GeoIp) -> AuditRow {
        let e = &event.event;
        let actor: Actor = cloudtrail_actor(e);
        let error_code = text(e, "errorCode");
        let console_failed = e
            .pointer("/responseElements/ConsoleLogin")
            .and_then(Doc::as_str)
            == Some("Failure");
        let outcome = if error_code.is_some() || console_failed {
            "failure"
        } else {
            "success"
        };
        let source_ip = text(e, "sourceIPAddress");
        let place = source_ip
            .as_deref()
            .and_then(ip_of)
            .map(|ip| geo.lookup(ip))
            .unwrap_or_default();
        let read_only = match e.get("readOnly") {
            Some(Doc::Bool(b)) => Some(*b),
            Some(Doc::Str(s)) => s.parse().ok(),
            _ => None,
        };
        AuditRow {
            time: event.time,
            source: "cloudtrail",
            event_id: text(e, "eventID"),
            event_source: text(e, "eventSource"),
            event_name: text(e, "eventName"),
            event_type: text(e, "eventType"),
            event_category: text(e, "eventCategory"),
            read_only,
            account_id: text(e, "recipientAccountId").or_else(|| actor.account_id.clone()),
            region: text(e, "awsRegion"),
            actor: Some(actor.actor).filter(|a| !a.is_empty()),
            actor_name: Some(actor.name).filter(|a| !a.is_empty()),
            actor_type: Some(actor.actor_type.as_str()),
            actor_account: actor.account_id,
            principal_arn: actor.arn,
            access_key_id: actor.access_key_id,
            role_arn: actor.role_arn,
            role_name: actor.role_name,
            session_name: actor.session_name,
            source_identity: actor.source_identity,
            federation: actor.federation,
            mfa: actor.mfa,
            invoked_by: actor.invoked_by,
            source_ip,
            source_class: None,
            user_agent: text(e, "userAgent"),
            place,
            outcome: Some(outcome),
            error_message: text(e, "errorMessage"),
            error_code,
            request_id: text(e, "requestID"),
            bucket: e
                .pointer("/requestParameters/bucketName")
                .and_then(Doc::as_str)
                .map(str::to_owned),
            bytes_out: e
                .pointer("/additionalEventData/bytesTransferredOut")
                .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))),
            resources: e
                .get("resources")
                .filter(|r| !r.is_null())
                .map(Doc::to_string),
            raw: event.raw.as_ref().to_owned(),
        }
    }
}

impl AuditRow {
    /// An Okta System Log event. The actor is the user's login (lower
    /// case, as CloudTrail's people are), so a person's Okta and AWS
    /// sign-ins meet; the place comes from the configured databases, else
    /// from Okta's own `geographicalContext`.
    pub fn from_okta(event: &OktaEvent, geo: &GeoIp) -> AuditRow {
        let e = &event.event;
        let at = |p: &str| e.pointer(p).and_then(Doc::as_str).filter(|s| !s.is_empty());
        let actor_kind = at("/actor/type");
        let login = at("/actor/alternateId").or(at("/actor/id"));
        let (actor_type, federation) = match actor_kind {
            Some("User") => ("person", Some("okta")),
            Some(_) => ("service", None),
            None => ("unknown", None),
        };
        let result = at("/outcome/result").map(str::to_ascii_uppercase);
        let outcome = match result.as_deref() {
            Some("SUCCESS" | "ALLOW") => Some("success"),
            Some("FAILURE" | "DENY") => Some("failure"),
            Some("CHALLENGE") => Some("challenge"),
            Some("SKIPPED") => Some("skipped"),
            Some(_) => Some("unknown"),
            None => None,
        };
        let source_ip = at("/client/ipAddress").map(str::to_owned);
        let mut place = source_ip
            .as_deref()
            .and_then(ip_of)
            .map(|ip| geo.lookup(ip))
            .unwrap_or_default();
        if place.latitude.is_none() {
            let g = |p: &str| e.pointer(&format!("/client/geographicalContext{p}"));
            place.city = g("/city").and_then(Doc::as_str).map(str::to_owned);
            place.country = g("/country").and_then(Doc::as_str).map(str::to_owned);
            place.latitude = g("/geolocation/lat").and_then(Doc::as_f64);
            place.longitude = g("/geolocation/lon").and_then(Doc::as_f64);
        }
        if place.asn.is_none() {
            place.asn = e
                .pointer("/securityContext/asNumber")
                .and_then(Doc::as_u64)
                .and_then(|n| u32::try_from(n).ok());
            place.as_org = at("/securityContext/asOrg").map(str::to_owned);
        }
        AuditRow {
            time: event.time,
            source: "okta",
            event_id: at("/uuid").map(str::to_owned),
            event_source: Some("okta".to_owned()),
            event_name: at("/eventType").map(str::to_owned),
            event_type: at("/legacyEventType").map(str::to_owned),
            event_category: at("/severity").map(str::to_ascii_lowercase),
            read_only: None,
            account_id: None,
            region: None,
            actor: login.map(str::to_lowercase),
            actor_name: at("/actor/displayName").or(login).map(str::to_owned),
            actor_type: Some(actor_type),
            actor_account: None,
            principal_arn: at("/actor/id").map(str::to_owned),
            access_key_id: None,
            role_arn: None,
            role_name: None,
            session_name: at("/authenticationContext/externalSessionId").map(str::to_owned),
            source_identity: None,
            federation,
            mfa: None,
            invoked_by: None,
            source_ip,
            source_class: None,
            user_agent: at("/client/userAgent/rawUserAgent").map(str::to_owned),
            place,
            outcome,
            error_code: None,
            error_message: at("/outcome/reason").map(str::to_owned),
            request_id: at("/transaction/id").map(str::to_owned),
            bucket: None,
            bytes_out: None,
            resources: e.get("target").filter(|t| !t.is_null()).map(Doc::to_string),
            raw: event.raw.clone(),
        }
    }
}

/// The rows as one batch of the `audit` dataset's core columns.
pub fn audit_batch(rows: &[AuditRow]) -> Result<RecordBatch, String> {
    let c = model::Columns::new(rows);
    model::batch_of(DatasetKind::Audit, rows.len(), |name, ty| {
        Some(match name {
            model::TIME_COLUMN => c.time(ty, &|r| Some(r.time)),
            "source" => c.text(&|r| Some(r.source)),
            "event_id" => c.text(&|r| r.event_id.as_deref()),
            "event_source" => c.text(&|r| r.event_source.as_deref()),
            "event_name" => c.text(&|r| r.event_name.as_deref()),
            "event_type" => c.text(&|r| r.event_type.as_deref()),
            "event_category" => c.text(&|r| r.event_category.as_deref()),
            "read_only" => c.flag(&|r| r.read_only),
            "account_id" => c.text(&|r| r.account_id.as_deref()),
            "region" => c.text(&|r| r.region.as_deref()),
            "actor" => c.text(&|r| r.actor.as_deref()),
            "actor_name" => c.text(&|r| r.actor_name.as_deref()),
            "actor_type" => c.text(&|r| r.actor_type),
            "actor_account" => c.text(&|r| r.actor_account.as_deref()),
            "principal_arn" => c.text(&|r| r.principal_arn.as_deref()),
            "access_key_id" => c.text(&|r| r.access_key_id.as_deref()),
            "role_arn" => c.text(&|r| r.role_arn.as_deref()),
            "role_name" => c.text(&|r| r.role_name.as_deref()),
            "session_name" => c.text(&|r| r.session_name.as_deref()),
            "source_identity" => c.text(&|r| r.source_identity.as_deref()),
            "federation" => c.text(&|r| r.federation),
            "mfa" => c.flag(&|r| r.mfa),
            "invoked_by" => c.text(&|r| r.invoked_by.as_deref()),
            "source_ip" => c.text(&|r| r.source_ip.as_deref()),
            "source_class" => c.text(&|r| r.source_class),
            "bucket" => c.text(&|r| r.bucket.as_deref()),
            "bytes_out" => c.int(&|r| r.bytes_out),
            "user_agent" => c.text(&|r| r.user_agent.as_deref()),
            "country" => c.text(&|r| r.place.country.as_deref()),
            "city" => c.text(&|r| r.place.city.as_deref()),
            "latitude" => c.float(&|r| r.place.latitude),
            "longitude" => c.float(&|r| r.place.longitude),
            "asn" => c.int(&|r| r.place.asn.map(i64::from)),
            "as_org" => c.text(&|r| r.place.as_org.as_deref()),
            "outcome" => c.text(&|r| r.outcome),
            "error_code" => c.text(&|r| r.error_code.as_deref()),
            "error_message" => c.text(&|r| r.error_message.as_deref()),
            "request_id" => c.text(&|r| r.request_id.as_deref()),
            "resources" => c.text(&|r| r.resources.as_deref()),
            "raw" => c.text(&|r| Some(r.raw.as_str())),
            // The attributes JSON column: empty.
            _ => return None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONSOLE_FAILURE: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","accountId":"111122223333","accessKeyId":"","userName":"alice"},"eventTime":"2026-12-01T09:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"81.2.69.142","userAgent":"Mozilla/5.0","errorMessage":"Failed authentication","requestParameters":null,"responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"No"},"eventID":"e2","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}"#;

    #[test]
    fn a_failed_console_sign_in_becomes_a_row_with_its_place() {
        let log = formats::decode_cloudtrail(CONSOLE_FAILURE.as_bytes());
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/maxmind");
        let geo = GeoIp::from_bytes(
            Some(std::fs::read(format!("{dir}/GeoLite2-City-Test.mmdb")).unwrap()),
            None,
        )
        .unwrap();
        let row = AuditRow::from_cloudtrail(&log.events[0], &geo);
        assert_eq!(row.outcome, Some("failure"));
        assert_eq!(row.error_message.as_deref(), Some("Failed authentication"));
        assert_eq!(row.actor_name.as_deref(), Some("alice"));
        assert_eq!(row.actor_type, Some("iam_user"));
        assert_eq!(row.access_key_id, None);
        assert_eq!(row.mfa, Some(false));
        assert_eq!(row.place.city.as_deref(), Some("London"));
        assert_eq!(row.read_only, Some(false));
        let batch = audit_batch(&[row.clone(), row]).unwrap();
        assert_eq!(batch.num_rows(), 2);

        let okta = formats::decode_okta(
            br#"{"uuid":"u1","published":"2026-12-01T09:00:00Z","eventType":"user.session.start","legacyEventType":"core.user_auth.login_success","actor":{"id":"00u1","type":"User","alternateId":"Alice@Corp.example","displayName":"Alice"},"client":{"ipAddress":"198.51.100.7","geographicalContext":{"city":"Seoul","country":"South Korea","geolocation":{"lat":37.56,"lon":126.97}}},"outcome":{"result":"SUCCESS"},"securityContext":{"asNumber":4766,"asOrg":"Korea Telecom"}}"#,
        );
        let row = AuditRow::from_okta(&okta.events[0], &geo);
        assert_eq!(row.actor.as_deref(), Some("alice@corp.example"));
        assert_eq!(
            (row.actor_type, row.federation),
            (Some("person"), Some("okta"))
        );
        assert_eq!(row.outcome, Some("success"));
        assert_eq!(row.event_name.as_deref(), Some("user.session.start"));
        // Not in the test database: Okta's own place and network.
        assert_eq!(row.place.city.as_deref(), Some("Seoul"));
        assert_eq!(row.place.latitude, Some(37.56));
        assert_eq!(row.place.asn, Some(4766));
        assert_eq!(
            batch.num_columns(),
            model::DatasetSchema::new(DatasetKind::Audit)
                .arrow_schema()
                .fields()
                .len()
        );
    }
}

#[cfg(test)]
mod source_class_tests {
    use super::*;

    #[test]
    fn addresses_are_classed() {
        let ranges = crate::AwsIpRanges::embedded().unwrap();
        let class = |s: &str| source_class(Some(s), &ranges);
        assert_eq!(class("10.1.2.3"), Some("private"));
        assert_eq!(class("fd00::1"), Some("private"));
        assert_eq!(class("ecs.amazonaws.com"), Some("service"));
        assert_eq!(class("81.2.69.142"), Some("internet"));
        // CloudFront's edge, fetching from an S3 origin.
        assert_eq!(class("13.32.0.1"), Some("aws"));
        assert_eq!(source_class(None, &ranges), None);
    }
}
