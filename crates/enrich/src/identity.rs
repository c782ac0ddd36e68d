//! Who really acted, from a CloudTrail event's `userIdentity`: the root
//! user, an IAM user and its access key, an assumed-role session (and the
//! role, the session name, the source identity), a person federated
//! through IAM Identity Center or SAML (named by the session, since the
//! role is shared), a web-identity or `GetFederationToken` user, or an AWS
//! service acting for the account. Detections group by `actor`; the
//! investigator links a person's sessions through it.

use formats::Doc;

/// The kinds of acting identity, after normalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorType {
    Root,
    IamUser,
    /// An assumed-role session with no person known behind it (a service,
    /// a task, an instance, a CI job): the role is the actor.
    Role,
    /// A person: an IAM Identity Center (SSO) or SAML/OIDC federated
    /// session, a source identity, a `GetFederationToken` user, or an
    /// identity-provider user in its own events.
    Person,
    AwsService,
    /// Another account acting on a resource of this one.
    AwsAccount,
    Unknown,
}

impl ActorType {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorType::Root => "root",
            ActorType::IamUser => "iam_user",
            ActorType::Role => "role",
            ActorType::Person => "person",
            ActorType::AwsService => "aws_service",
            ActorType::AwsAccount => "aws_account",
            ActorType::Unknown => "unknown",
        }
    }
}

/// The acting identity of one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub actor_type: ActorType,
    /// The stable identity detections group by: the root or IAM user ARN,
    /// a person's name (lower-cased e-mail or user name), a role's ARN, a
    /// service principal.
    pub actor: String,
    /// A short name for people to read: `root`, `alice`, `alice@corp.com`,
    /// `Deploy`, `ecs.amazonaws.com`.
    pub name: String,
    pub account_id: Option<String>,
    /// The principal's own ARN (for a session, the session's).
    pub arn: Option<String>,
    pub access_key_id: Option<String>,
    /// The role a session was assumed from.
    pub role_arn: Option<String>,
    pub role_name: Option<String>,
    pub session_name: Option<String>,
    pub source_identity: Option<String>,
    /// How the person signed in: `sso`, `saml`, `web_identity`,
    /// `source_identity`, `federation_token`.
    pub federation: Option<&'static str>,
    /// Whether the session was MFA-authenticated, when CloudTrail says.
    pub mfa: Option<bool>,
    /// The AWS service that made the call on the principal's behalf.
    pub invoked_by: Option<String>,
}

fn text<'a>(v: &'a Doc<'_>, path: &[&str]) -> Option<&'a str> {
    let mut v = v;
    for p in path {
        v = v.get(p)?;
    }
    v.as_str().filter(|s| !s.is_empty())
}

fn owned(v: &Doc<'_>, path: &[&str]) -> Option<String> {
    text(v, path).map(str::to_owned)
}

/// The last path segment of an ARN's resource (`role/path/Name` → `Name`).
fn arn_name(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}

/// Identity Center's roles: `AWSReservedSSO_<PermissionSet>_<hex>`.
fn is_identity_center_role(role_name: &str) -> bool {
    role_name.starts_with("AWSReservedSSO_")
}

/// The acting identity of a CloudTrail event.
pub fn cloudtrail_actor(event: &Doc<'_>) -> Actor {
    let id = event.get("userIdentity").unwrap_or(&Doc::Null);
    let kind = text(id, &["type"]).unwrap_or("");
    let account_id = owned(id, &["accountId"]).or_else(|| owned(event, &["recipientAccountId"]));
    let arn = owned(id, &["arn"]);
    let invoked_by = owned(id, &["invokedBy"]);
    let mfa = text(id, &["sessionContext", "attributes", "mfaAuthenticated"])
        .map(|m| m == "true")
        .or_else(|| {
            // Console sign-ins say it in additionalEventData.
            text(event, &["additionalEventData", "MFAUsed"]).map(|m| m == "Yes")
        });
    let source_identity = owned(id, &["sessionContext", "sourceIdentity"]);
    let mut actor = Actor {
        actor_type: ActorType::Unknown,
        actor: String::new(),
        name: String::new(),
        account_id,
        arn,
        access_key_id: owned(id, &["accessKeyId"]),
        role_arn: None,
        role_name: None,
        session_name: None,
        source_identity,
        federation: None,
        mfa,
        invoked_by,
    };
    match kind {
        "Root" => {
            actor.actor_type = ActorType::Root;
            actor.name = "root".to_owned();
            actor.actor = actor.arn.clone().unwrap_or_else(|| {
                format!(
                    "arn:aws:iam::{}:root",
                    actor.account_id.as_deref().unwrap_or("")
                )
            });
        }
        "IAMUser" => {
            actor.actor_type = ActorType::IamUser;
            actor.name = text(id, &["userName"])
                .or(actor.arn.as_deref().map(arn_name))
                .unwrap_or("")
                .to_owned();
            actor.actor = actor.arn.clone().unwrap_or_else(|| {
                format!(
                    "arn:aws:iam::{}:user/{}",
                    actor.account_id.as_deref().unwrap_or(""),
                    actor.name
                )
            });
        }
        "AssumedRole" | "Role" => {
            let issuer = id.pointer("/sessionContext/sessionIssuer");
            let role_arn = issuer.and_then(|i| owned(i, &["arn"]));
            let role_name = issuer
                .and_then(|i| owned(i, &["userName"]))
                .or_else(|| role_arn.as_deref().map(|a| arn_name(a).to_owned()));
            // arn:aws:sts::<account>:assumed-role/<role>/<session>; the
            // principal id is <role id>:<session> as well.
            let session_name = actor
                .arn
                .as_deref()
                .filter(|a| a.contains(":assumed-role/"))
                .and_then(|a| a.rsplit_once('/'))
                .map(|(_, s)| s.to_owned())
                .or_else(|| {
                    text(id, &["principalId"])
                        .and_then(|p| p.split_once(':'))
                        .map(|(_, s)| s.to_owned())
                });
            let web_identity = id
                .pointer("/sessionContext/webIdFederationData/federatedProvider")
                .is_some();
            let person = if let Some(user) =
                text(id, &["onBehalfOf", "userId"]).filter(|_| session_name.is_none())
            {
                Some((user.to_owned(), "sso"))
            } else if role_name.as_deref().is_some_and(is_identity_center_role) {
                session_name.clone().map(|s| (s, "sso"))
            } else if let Some(source) = &actor.source_identity {
                Some((source.clone(), "source_identity"))
            } else if web_identity && session_name.as_deref().is_some_and(|s| s.contains('@')) {
                session_name.clone().map(|s| (s, "web_identity"))
            } else if session_name.as_deref().is_some_and(|s| s.contains('@')) {
                // SAML federation names the session after the person's
                // RoleSessionName attribute, by convention the e-mail.
                session_name.clone().map(|s| (s, "saml"))
            } else {
                None
            };
            match person {
                Some((person, how)) => {
                    actor.actor_type = ActorType::Person;
                    actor.federation = Some(how);
                    actor.actor = person.to_lowercase();
                    actor.name = person;
                }
                None => {
                    actor.actor_type = ActorType::Role;
                    actor.name = role_name.clone().unwrap_or_default();
                    actor.actor = role_arn.clone().unwrap_or_else(|| actor.name.clone());
                }
            }
            actor.role_arn = role_arn;
            actor.role_name = role_name;
            actor.session_name = session_name;
        }
        "SAMLUser" | "WebIdentityUser" | "IdentityCenterUser" | "FederatedUser" => {
            let name = text(id, &["userName"])
                .map(str::to_owned)
                .or_else(|| {
                    // FederatedUser: arn:aws:sts::<account>:federated-user/<name>;
                    // SAMLUser principal id: <provider>:<name>.
                    actor.arn.as_deref().map(|a| arn_name(a).to_owned())
                })
                .or_else(|| {
                    text(id, &["principalId"])
                        .and_then(|p| p.rsplit_once(':'))
                        .map(|(_, n)| n.to_owned())
                })
                .unwrap_or_default();
            actor.actor_type = ActorType::Person;
            actor.federation = Some(match kind {
                "SAMLUser" => "saml",
                "WebIdentityUser" => "web_identity",
                "IdentityCenterUser" => "sso",
                _ => "federation_token",
            });
            actor.actor = name.to_lowercase();
            actor.name = name;
        }
        "AWSService" => {
            actor.actor_type = ActorType::AwsService;
            actor.name = actor.invoked_by.clone().unwrap_or_default();
            actor.actor = actor.name.clone();
        }
        "AWSAccount" => {
            actor.actor_type = ActorType::AwsAccount;
            actor.name = text(id, &["accountId"])
                .or(text(id, &["principalId"]))
                .unwrap_or("")
                .to_owned();
            actor.actor = format!("account:{}", actor.name);
        }
        _ => {
            // `Unknown` (a failed sign-in of an unknown name, some
            // Identity Center events) and types CloudTrail adds later.
            actor.name = text(id, &["userName"])
                .or(text(id, &["principalId"]))
                .unwrap_or("")
                .to_owned();
            actor.actor = actor.name.to_lowercase();
        }
    }
    actor
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn actor(identity: Value) -> Actor {
        cloudtrail_actor(&Doc::from(
            &json!({"userIdentity": identity, "recipientAccountId": "111122223333"}),
        ))
    }

    #[test]
    fn root_and_iam_users() {
        let a = actor(
            json!({"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE"}),
        );
        assert_eq!(
            (a.actor_type, a.actor.as_str(), a.name.as_str()),
            (ActorType::Root, "arn:aws:iam::111122223333:root", "root")
        );
        let a = actor(
            json!({"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/ops/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE","userName":"alice"}),
        );
        assert_eq!(a.actor_type, ActorType::IamUser);
        assert_eq!(a.actor, "arn:aws:iam::111122223333:user/ops/alice");
        assert_eq!(
            (a.name.as_str(), a.access_key_id.as_deref()),
            ("alice", Some("AKIAEXAMPLE"))
        );
    }

    #[test]
    fn an_identity_center_session_is_the_person_and_a_task_role_is_the_role() {
        let sso = actor(json!({
            "type":"AssumedRole","principalId":"AROAEXAMPLE:alice@corp.example",
            "arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@corp.example",
            "accountId":"111122223333","accessKeyId":"ASIAEXAMPLE",
            "sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/ap-northeast-2/AWSReservedSSO_AdministratorAccess_0123456789abcdef","accountId":"111122223333","userName":"AWSReservedSSO_AdministratorAccess_0123456789abcdef"},
              "attributes":{"creationDate":"2026-12-01T08:00:00Z","mfaAuthenticated":"false"}}
        }));
        assert_eq!(sso.actor_type, ActorType::Person);
        assert_eq!(
            (sso.actor.as_str(), sso.federation),
            ("alice@corp.example", Some("sso"))
        );
        assert_eq!(
            sso.role_name.as_deref(),
            Some("AWSReservedSSO_AdministratorAccess_0123456789abcdef")
        );
        assert_eq!(sso.mfa, Some(false));

        let task = actor(json!({
            "type":"AssumedRole","principalId":"AROATASK:5f2b8c0e1a2b4c3d",
            "arn":"arn:aws:sts::111122223333:assumed-role/jobs-api-task/5f2b8c0e1a2b4c3d",
            "accountId":"111122223333","accessKeyId":"ASIATASK",
            "sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROATASK","arn":"arn:aws:iam::111122223333:role/jobs-api-task","accountId":"111122223333","userName":"jobs-api-task"}},
            "invokedBy":"ecs-tasks.amazonaws.com"
        }));
        assert_eq!(task.actor_type, ActorType::Role);
        assert_eq!(
            (task.actor.as_str(), task.name.as_str()),
            (
                "arn:aws:iam::111122223333:role/jobs-api-task",
                "jobs-api-task"
            )
        );
        assert_eq!(task.session_name.as_deref(), Some("5f2b8c0e1a2b4c3d"));
    }

    #[test]
    fn source_identity_saml_and_services() {
        let a = actor(json!({
            "type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/deploy/ci-1234",
            "sessionContext":{"sourceIdentity":"bob","sessionIssuer":{"arn":"arn:aws:iam::111122223333:role/deploy","userName":"deploy"}}
        }));
        assert_eq!(
            (a.actor_type, a.actor.as_str(), a.federation),
            (ActorType::Person, "bob", Some("source_identity"))
        );
        let a = actor(json!({
            "type":"SAMLUser","principalId":"okta:Carol@Corp.example","userName":"Carol@Corp.example",
            "identityProvider":"arn:aws:iam::111122223333:saml-provider/okta"
        }));
        assert_eq!(
            (a.actor.as_str(), a.name.as_str(), a.federation),
            ("carol@corp.example", "Carol@Corp.example", Some("saml"))
        );
        let a = actor(json!({"type":"AWSService","invokedBy":"cloudtrail.amazonaws.com"}));
        assert_eq!(
            (a.actor_type, a.actor.as_str()),
            (ActorType::AwsService, "cloudtrail.amazonaws.com")
        );
        let a = actor(
            json!({"type":"FederatedUser","arn":"arn:aws:sts::111122223333:federated-user/dave","accountId":"111122223333"}),
        );
        assert_eq!(
            (a.actor_type, a.actor.as_str(), a.federation),
            (ActorType::Person, "dave", Some("federation_token"))
        );
    }

    #[test]
    fn console_sign_in_mfa_comes_from_additional_event_data() {
        let event = json!({
            "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/erin","userName":"erin"},
            "additionalEventData":{"MFAUsed":"No","LoginTo":"https://console.aws.amazon.com/"}
        });
        assert_eq!(cloudtrail_actor(&Doc::from(&event)).mfa, Some(false));
    }
}
