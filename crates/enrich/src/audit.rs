//! One audit event as a row of the `audit` dataset: what was done, by whom
//! (`identity`), from where (`geoip`), with what outcome, and the event as
//! delivered; and the Arrow batch of many rows, in the column order of
//! `model`'s `audit` kind.

use std::net::IpAddr;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder,
    TimestampNanosecondBuilder,
};
use arrow::record_batch::RecordBatch;
use formats::CloudTrailEvent;
use model::{DatasetKind, DatasetSchema};
use serde_json::Value;

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
    pub user_agent: Option<String>,
    pub place: Place,
    /// `success` or `failure`.
    pub outcome: Option<&'static str>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub request_id: Option<String>,
    pub resources: Option<String>,
    pub raw: String,
}

fn text(v: &Value, field: &str) -> Option<String> {
    v.get(field)
        .and_then(Value::as_str)
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
    pub fn from_cloudtrail(event: &CloudTrailEvent, geo: &GeoIp) -> AuditRow {
        let e = &event.event;
        let actor: Actor = cloudtrail_actor(e);
        let error_code = text(e, "errorCode");
        let console_failed = e
            .pointer("/responseElements/ConsoleLogin")
            .and_then(Value::as_str)
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
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::String(s)) => s.parse().ok(),
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
            user_agent: text(e, "userAgent"),
            place,
            outcome: Some(outcome),
            error_message: text(e, "errorMessage"),
            error_code,
            request_id: text(e, "requestID"),
            resources: e
                .get("resources")
                .filter(|r| !r.is_null())
                .map(Value::to_string),
            raw: event.raw.clone(),
        }
    }
}

/// The rows as one batch of the `audit` dataset's core columns.
pub fn audit_batch(rows: &[AuditRow]) -> Result<RecordBatch, String> {
    let schema = DatasetSchema::new(DatasetKind::Audit).arrow_schema();
    let n = rows.len();
    let text = |f: &dyn Fn(&AuditRow) -> Option<&str>| -> ArrayRef {
        let mut b = StringBuilder::with_capacity(n, n * 16);
        for r in rows {
            b.append_option(f(r));
        }
        Arc::new(b.finish())
    };
    let flag = |f: &dyn Fn(&AuditRow) -> Option<bool>| -> ArrayRef {
        let mut b = BooleanBuilder::with_capacity(n);
        for r in rows {
            b.append_option(f(r));
        }
        Arc::new(b.finish())
    };
    let float = |f: &dyn Fn(&AuditRow) -> Option<f64>| -> ArrayRef {
        let mut b = Float64Builder::with_capacity(n);
        for r in rows {
            b.append_option(f(r));
        }
        Arc::new(b.finish())
    };
    let mut columns = Vec::with_capacity(schema.fields().len());
    for field in schema.fields() {
        let column = match field.name().as_str() {
            model::TIME_COLUMN => {
                let mut b = TimestampNanosecondBuilder::with_capacity(n)
                    .with_data_type(field.data_type().clone());
                for r in rows {
                    b.append_value(r.time);
                }
                Arc::new(b.finish()) as ArrayRef
            }
            "source" => text(&|r| Some(r.source)),
            "event_id" => text(&|r| r.event_id.as_deref()),
            "event_source" => text(&|r| r.event_source.as_deref()),
            "event_name" => text(&|r| r.event_name.as_deref()),
            "event_type" => text(&|r| r.event_type.as_deref()),
            "event_category" => text(&|r| r.event_category.as_deref()),
            "read_only" => flag(&|r| r.read_only),
            "account_id" => text(&|r| r.account_id.as_deref()),
            "region" => text(&|r| r.region.as_deref()),
            "actor" => text(&|r| r.actor.as_deref()),
            "actor_name" => text(&|r| r.actor_name.as_deref()),
            "actor_type" => text(&|r| r.actor_type),
            "actor_account" => text(&|r| r.actor_account.as_deref()),
            "principal_arn" => text(&|r| r.principal_arn.as_deref()),
            "access_key_id" => text(&|r| r.access_key_id.as_deref()),
            "role_arn" => text(&|r| r.role_arn.as_deref()),
            "role_name" => text(&|r| r.role_name.as_deref()),
            "session_name" => text(&|r| r.session_name.as_deref()),
            "source_identity" => text(&|r| r.source_identity.as_deref()),
            "federation" => text(&|r| r.federation),
            "mfa" => flag(&|r| r.mfa),
            "invoked_by" => text(&|r| r.invoked_by.as_deref()),
            "source_ip" => text(&|r| r.source_ip.as_deref()),
            "user_agent" => text(&|r| r.user_agent.as_deref()),
            "country" => text(&|r| r.place.country.as_deref()),
            "city" => text(&|r| r.place.city.as_deref()),
            "latitude" => float(&|r| r.place.latitude),
            "longitude" => float(&|r| r.place.longitude),
            "asn" => {
                let mut b = Int64Builder::with_capacity(n);
                for r in rows {
                    b.append_option(r.place.asn.map(i64::from));
                }
                Arc::new(b.finish()) as ArrayRef
            }
            "as_org" => text(&|r| r.place.as_org.as_deref()),
            "outcome" => text(&|r| r.outcome),
            "error_code" => text(&|r| r.error_code.as_deref()),
            "error_message" => text(&|r| r.error_message.as_deref()),
            "request_id" => text(&|r| r.request_id.as_deref()),
            "resources" => text(&|r| r.resources.as_deref()),
            "raw" => text(&|r| Some(r.raw.as_str())),
            // The attributes JSON column: empty.
            _ => arrow::array::new_null_array(field.data_type(), n),
        };
        columns.push(column);
    }
    RecordBatch::try_new(schema, columns).map_err(|e| format!("building the audit batch: {e}"))
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
        assert_eq!(
            batch.num_columns(),
            DatasetSchema::new(DatasetKind::Audit)
                .arrow_schema()
                .fields()
                .len()
        );
    }
}
