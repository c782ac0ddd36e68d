//! The built-in rules, each with a stable id and the signal of the talk it
//! stands for. They read the normalised row (who acted, where from, the
//! outcome) and the event as delivered; impossible travel, which needs
//! state, is in `travel`.

use enrich::AuditRow;
use formats::Doc;

use crate::Severity;

/// Settings of the built-in rules (`[detect]` in the config).
#[derive(Debug, Clone)]
pub struct BuiltinConfig {
    /// Roles whose console use is a signal, as a case-insensitive glob
    /// (`*` any run of characters).
    pub rescue_role_pattern: String,
    /// When not empty, `aws-console-rescue-role` fires only in these
    /// accounts (the talk's "[prod]" signal).
    pub production_accounts: Vec<String>,
}

impl Default for BuiltinConfig {
    fn default() -> BuiltinConfig {
        BuiltinConfig {
            rescue_role_pattern: "*rescue*".to_owned(),
            production_accounts: Vec::new(),
        }
    }
}

/// The built-in rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BuiltinRule {
    RootActivity,
    IamPolicyModified,
    ConsoleRescueRole,
    ImpossibleTravel,
    OktaUnauthorizedApp,
}

impl BuiltinRule {
    pub const ALL: [BuiltinRule; 5] = [
        BuiltinRule::RootActivity,
        BuiltinRule::IamPolicyModified,
        BuiltinRule::ConsoleRescueRole,
        BuiltinRule::ImpossibleTravel,
        BuiltinRule::OktaUnauthorizedApp,
    ];

    pub fn id(self) -> &'static str {
        match self {
            BuiltinRule::RootActivity => "aws-root-activity",
            BuiltinRule::IamPolicyModified => "aws-iam-policy-modified",
            BuiltinRule::ConsoleRescueRole => "aws-console-rescue-role",
            BuiltinRule::ImpossibleTravel => "impossible-travel",
            BuiltinRule::OktaUnauthorizedApp => "okta-unauthorized-app",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            BuiltinRule::RootActivity => "AWS root account activity - non authentication activity",
            BuiltinRule::IamPolicyModified => "AWS IAM policy modified",
            BuiltinRule::ConsoleRescueRole => "User accessing AWS Console with rescue role",
            BuiltinRule::ImpossibleTravel => "User travel was impossible",
            BuiltinRule::OktaUnauthorizedApp => "Okta user attempted to access unauthorized app",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            BuiltinRule::RootActivity | BuiltinRule::ConsoleRescueRole => Severity::High,
            BuiltinRule::ImpossibleTravel => Severity::High,
            BuiltinRule::IamPolicyModified | BuiltinRule::OktaUnauthorizedApp => Severity::Medium,
        }
    }

    pub fn from_id(id: &str) -> Option<BuiltinRule> {
        BuiltinRule::ALL.into_iter().find(|r| r.id() == id)
    }
}

/// Sign-in and session events: what root does to authenticate is not
/// "activity".
const AUTHENTICATION_EVENTS: &[&str] = &[
    "ConsoleLogin",
    "CheckMfa",
    "GetSigninToken",
    "GetSessionToken",
    "ExitRole",
    "RenewRole",
    "SwitchRole",
    "PasswordUpdated",
    "CredentialVerification",
    "CredentialChallenge",
];

/// IAM calls that change what a role, user or group may do.
const POLICY_CHANGES: &[&str] = &[
    "PutRolePolicy",
    "PutUserPolicy",
    "PutGroupPolicy",
    "AttachRolePolicy",
    "AttachUserPolicy",
    "AttachGroupPolicy",
    "DetachRolePolicy",
    "DetachUserPolicy",
    "DetachGroupPolicy",
    "DeleteRolePolicy",
    "DeleteUserPolicy",
    "DeleteGroupPolicy",
    "CreatePolicy",
    "CreatePolicyVersion",
    "DeletePolicy",
    "DeletePolicyVersion",
    "SetDefaultPolicyVersion",
    "PutRolePermissionsBoundary",
    "PutUserPermissionsBoundary",
    "DeleteRolePermissionsBoundary",
    "DeleteUserPermissionsBoundary",
    "UpdateAssumeRolePolicy",
];

/// A case-insensitive glob: `*` matches any run of characters.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (
        pattern.to_lowercase().chars().collect(),
        text.to_lowercase().chars().collect(),
    );
    // Iterative matching with backtracking to the last star: linear-ish,
    // no recursion on hostile patterns.
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn text<'a>(v: &'a Doc<'_>, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Doc::as_str)
}

/// The role a console sign-in or federation went into, if any.
fn console_role(row: &AuditRow, event: &Doc<'_>) -> Option<String> {
    let source = row.event_source.as_deref()?;
    let name = row.event_name.as_deref()?;
    match (source, name) {
        ("signin.amazonaws.com", "ConsoleLogin" | "GetSigninToken" | "SwitchRole") => {
            // A role session's own sign-in names the role; SwitchRole
            // names the role switched to in its request or the session.
            text(event, "/additionalEventData/SwitchTo")
                .and_then(|to| to.rsplit_once("roleName=").map(|(_, r)| r))
                .map(|r| r.split('&').next().unwrap_or(r).to_owned())
                .or_else(|| row.role_name.clone())
        }
        ("sts.amazonaws.com", "AssumeRoleWithSAML" | "AssumeRoleWithWebIdentity") => {
            text(event, "/requestParameters/roleArn")
                .map(|arn| arn.rsplit('/').next().unwrap_or(arn).to_owned())
        }
        _ => None,
    }
}

/// The single-event built-in rules `row` matches.
pub fn builtin_matches(
    row: &AuditRow,
    event: &Doc<'_>,
    config: &BuiltinConfig,
) -> Vec<BuiltinRule> {
    let mut out = Vec::new();
    let success = row.outcome == Some("success");
    if row.source == "cloudtrail" {
        let name = row.event_name.as_deref().unwrap_or("");
        // Root's own calls, not a service acting for the account and not
        // signing in.
        // CreateServiceLinkedRole: AWS creates service-linked roles for the
        // signed-in user when a console page turns a service on.
        if row.actor_type == Some("root")
            && row.invoked_by.is_none()
            && name != "CreateServiceLinkedRole"
            && row.event_type.as_deref() != Some("AwsServiceEvent")
            && row.event_source.as_deref() != Some("signin.amazonaws.com")
            && !AUTHENTICATION_EVENTS.contains(&name)
        {
            out.push(BuiltinRule::RootActivity);
        }
        if success
            && row.event_source.as_deref() == Some("iam.amazonaws.com")
            && POLICY_CHANGES.contains(&name)
        {
            out.push(BuiltinRule::IamPolicyModified);
        }
        let in_scope = config.production_accounts.is_empty()
            || row
                .account_id
                .as_ref()
                .is_some_and(|a| config.production_accounts.contains(a));
        if success
            && in_scope
            && console_role(row, event)
                .is_some_and(|role| glob_matches(&config.rescue_role_pattern, &role))
        {
            out.push(BuiltinRule::ConsoleRescueRole);
        }
    }
    if row.source == "okta"
        && row.event_name.as_deref() == Some("app.generic.unauth_app_access_attempt")
    {
        out.push(BuiltinRule::OktaUnauthorizedApp);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use enrich::GeoIp;
    use serde_json::Value;

    fn row(event: &Value) -> AuditRow {
        let text = event.to_string();
        let log = formats::decode_cloudtrail(text.as_bytes());
        assert_eq!(log.rejected, 0, "{:?}", log.reject_samples);
        AuditRow::from_cloudtrail(&log.events[0], &GeoIp::default())
    }

    fn fired(event: Value, config: &BuiltinConfig) -> Vec<&'static str> {
        builtin_matches(&row(&event), &Doc::from(&event), config)
            .into_iter()
            .map(BuiltinRule::id)
            .collect()
    }

    fn event(identity: Value, source: &str, name: &str, extra: Value) -> Value {
        let mut e = serde_json::json!({
            "eventVersion": "1.09", "userIdentity": identity,
            "eventTime": "2026-12-01T09:00:00Z", "eventSource": source, "eventName": name,
            "awsRegion": "ap-northeast-2", "sourceIPAddress": "81.2.69.142",
            "eventType": "AwsApiCall", "recipientAccountId": "111122223333"
        });
        for (k, v) in extra.as_object().unwrap() {
            e[k] = v.clone();
        }
        e
    }

    const ROOT: &str = r#"{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"}"#;

    #[test]
    fn root_activity_but_not_root_signing_in_or_a_service_for_root() {
        let root: Value = serde_json::from_str(ROOT).unwrap();
        let c = BuiltinConfig::default();
        assert_eq!(
            fired(
                event(
                    root.clone(),
                    "iam.amazonaws.com",
                    "CreateAccessKey",
                    serde_json::json!({})
                ),
                &c
            ),
            ["aws-root-activity"]
        );
        let sign_in = event(
            root.clone(),
            "signin.amazonaws.com",
            "ConsoleLogin",
            serde_json::json!({"eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Success"}}),
        );
        assert!(fired(sign_in, &c).is_empty());
        let mut by_service = root.clone();
        by_service["invokedBy"] = "support.amazonaws.com".into();
        assert!(
            fired(
                event(
                    by_service,
                    "s3.amazonaws.com",
                    "GetBucketAcl",
                    serde_json::json!({})
                ),
                &c
            )
            .is_empty()
        );
        let user = serde_json::json!({"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","userName":"alice"});
        assert!(
            fired(
                event(
                    user,
                    "iam.amazonaws.com",
                    "CreateAccessKey",
                    serde_json::json!({})
                ),
                &c
            )
            .is_empty()
        );
    }

    #[test]
    fn a_role_policy_change_fires_and_a_denied_one_or_a_read_does_not() {
        let c = BuiltinConfig::default();
        let who = serde_json::json!({"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/ops","userName":"ops"});
        let put = serde_json::json!({"requestParameters":{"roleName":"deploy","policyName":"p"}});
        assert_eq!(
            fired(
                event(
                    who.clone(),
                    "iam.amazonaws.com",
                    "PutRolePolicy",
                    put.clone()
                ),
                &c
            ),
            ["aws-iam-policy-modified"]
        );
        let mut denied = put.clone();
        denied["errorCode"] = "AccessDenied".into();
        assert!(
            fired(
                event(who.clone(), "iam.amazonaws.com", "PutRolePolicy", denied),
                &c
            )
            .is_empty()
        );
        assert!(fired(event(who, "iam.amazonaws.com", "GetRolePolicy", put), &c).is_empty());
    }

    #[test]
    fn console_sign_in_with_a_rescue_role_in_production_only_when_configured() {
        let session = serde_json::json!({
            "type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Prod-Rescue/bob",
            "accountId":"111122223333",
            "sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/Prod-Rescue","userName":"Prod-Rescue"}}
        });
        let login = serde_json::json!({"eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Success"}});
        let c = BuiltinConfig::default();
        assert_eq!(
            fired(
                event(
                    session.clone(),
                    "signin.amazonaws.com",
                    "ConsoleLogin",
                    login.clone()
                ),
                &c
            ),
            ["aws-console-rescue-role"]
        );
        let other_account = BuiltinConfig {
            production_accounts: vec!["999999999999".into()],
            ..BuiltinConfig::default()
        };
        assert!(
            fired(
                event(
                    session.clone(),
                    "signin.amazonaws.com",
                    "ConsoleLogin",
                    login.clone()
                ),
                &other_account
            )
            .is_empty()
        );
        let mut failed = login.clone();
        failed["responseElements"]["ConsoleLogin"] = "Failure".into();
        assert!(
            fired(
                event(session, "signin.amazonaws.com", "ConsoleLogin", failed),
                &c
            )
            .is_empty()
        );
        // Federation through SAML straight into the role.
        let saml = serde_json::json!({"type":"SAMLUser","userName":"carol@corp.example","principalId":"idp:carol@corp.example"});
        let into = serde_json::json!({"requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/ops/break-glass-RESCUE","principalArn":"arn:aws:iam::111122223333:saml-provider/idp"}});
        assert_eq!(
            fired(
                event(saml, "sts.amazonaws.com", "AssumeRoleWithSAML", into),
                &c
            ),
            ["aws-console-rescue-role"]
        );
    }

    #[test]
    fn globs() {
        assert!(glob_matches("*rescue*", "Prod-RESCUE-admin"));
        assert!(glob_matches("rescue", "Rescue"));
        assert!(!glob_matches("rescue", "rescuer"));
        assert!(glob_matches("a*b*c", "aXXbYYc"));
        assert!(!glob_matches("a*b*c", "aXXbYY"));
        assert!(glob_matches("*", ""));
        assert!(!glob_matches(&"*a".repeat(50), &"a".repeat(40)));
    }
}
