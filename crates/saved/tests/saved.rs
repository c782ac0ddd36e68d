//! Saved objects survive reopening; bad documents get clear errors.

use saved::{Kind, Saved, SavedError};
use serde_json::json;

#[test]
fn create_replace_delete_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let saved = Saved::open(dir.path()).unwrap();
    let a = saved
        .create(
            Kind::Dashboards,
            json!({"title": "Jobs", "widgets": [{"type": "note"}], "id": "ignored"}),
        )
        .unwrap();
    let id = a["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with('d') && id != "ignored");
    assert!(a["created_at"].as_str().unwrap().ends_with('Z'));
    let b = saved
        .create(Kind::Dashboards, json!({"title": "Support", "widgets": []}))
        .unwrap();
    assert_ne!(a["id"], b["id"]);
    let view = saved
        .create(
            Kind::Views,
            json!({"name": "errors", "dataset": "logs", "query": "status:error"}),
        )
        .unwrap();
    let replaced = saved
        .replace(
            Kind::Dashboards,
            &id,
            json!({"title": "Jobs v2", "widgets": []}),
        )
        .unwrap();
    assert_eq!(replaced["created_at"], a["created_at"]);
    assert_eq!(replaced["id"], a["id"]);
    saved
        .delete(Kind::Dashboards, b["id"].as_str().unwrap())
        .unwrap();
    drop(saved);

    // What a crash or restart leaves: exactly the last acknowledged state.
    let saved = Saved::open(dir.path()).unwrap();
    let dashboards = saved.list(Kind::Dashboards);
    assert_eq!(dashboards.len(), 1);
    assert_eq!(dashboards[0]["title"], "Jobs v2");
    assert_eq!(saved.list(Kind::Views), vec![view]);
    assert!(matches!(
        saved.get(Kind::Dashboards, "d0"),
        Err(SavedError::NotFound { .. })
    ));
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("tmp")), "{names:?}");
}

#[test]
fn bad_documents_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let saved = Saved::open(dir.path()).unwrap();
    for (kind, doc, want) in [
        (Kind::Dashboards, json!([1]), "JSON object"),
        (Kind::Dashboards, json!({"widgets": []}), "`title`"),
        (
            Kind::Dashboards,
            json!({"title": "  ", "widgets": []}),
            "`title`",
        ),
        (Kind::Dashboards, json!({"title": "x"}), "`widgets`"),
        (
            Kind::Dashboards,
            json!({"title": "x", "widgets": vec![0; 101]}),
            "at most 100",
        ),
        (
            Kind::Dashboards,
            json!({"title": "x".repeat(201), "widgets": []}),
            "longer than 200",
        ),
        (Kind::Views, json!({"title": "x"}), "`name`"),
        (
            Kind::Views,
            json!({"name": "x", "blob": "y".repeat(1 << 20)}),
            "bytes",
        ),
    ] {
        let e = saved.create(kind, doc).unwrap_err();
        assert!(matches!(e, SavedError::Invalid(_)));
        assert!(e.to_string().contains(want), "{e} lacks {want}");
    }
    assert!(saved.list(Kind::Dashboards).is_empty());
    assert!(matches!(
        saved.replace(Kind::Views, "v1", json!({"name": "x"})),
        Err(SavedError::NotFound { .. })
    ));
}

#[test]
fn a_corrupt_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("views.json"), b"{not json").unwrap();
    let e = Saved::open(dir.path()).unwrap_err();
    assert!(e.to_string().contains("views.json"), "{e}");
}

#[test]
fn issue_states_are_upserted_by_fingerprint_and_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let saved = Saved::open(dir.path()).unwrap();
    let first = saved
        .upsert(
            Kind::IssueStates,
            "0123456789abcdef",
            json!({"status": "resolved", "resolved_at": 5}),
        )
        .unwrap();
    assert_eq!(first["id"], "0123456789abcdef");
    let second = saved
        .upsert(
            Kind::IssueStates,
            "0123456789abcdef",
            json!({"status": "open"}),
        )
        .unwrap();
    assert_eq!(second["created_at"], first["created_at"]);
    assert_eq!(saved.list(Kind::IssueStates).len(), 1);
    drop(saved);
    let reopened = Saved::open(dir.path()).unwrap();
    assert_eq!(
        reopened.get(Kind::IssueStates, "0123456789abcdef").unwrap()["status"],
        "open"
    );
}
