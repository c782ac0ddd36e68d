//! The rules the server runs, as the API lists them: the built-in rules
//! and every Sigma rule file it was given, each loaded (and on which
//! source), not routed (a product hannun has no source for) or failed,
//! with the reason. The binary fills it from crate `detect`'s load report.

/// One rule and what became of it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RuleInfo {
    /// The built-in id, the Sigma rule's `id`, or `file#title`.
    pub id: String,
    pub title: String,
    /// `builtin`, `detection` (Sigma) or `correlation` (Sigma).
    pub kind: String,
    /// info, low, medium, high or critical.
    pub severity: String,
    /// `loaded`, `not_routed` or `failed`.
    pub state: String,
    /// cloudtrail, okta or waf, when loaded.
    #[schema(required = true)]
    pub source: Option<String>,
    /// Why it is not routed or failed.
    #[schema(required = true)]
    pub reason: Option<String>,
    /// The rule file (Sigma rules).
    #[schema(required = true)]
    pub file: Option<String>,
}
