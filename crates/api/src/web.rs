//! Serves the embedded web UI: hashed assets cached for good, the app's
//! routes answered with index.html, gzip when the browser accepts it.

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};

use crate::error::ApiError;

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>hannun</title>\
<h1>hannun 한눈</h1><p>This binary was built without the web UI. Build it with \
<code>npm --prefix web ci &amp;&amp; npm --prefix web run build</code>, then rebuild hannun \
(<code>scripts/demo.sh</code> does both). The API is at <a href=/api/v1/openapi.json>/api/v1/openapi.json</a>.</p>";

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|e| e.split(';').next().unwrap_or("").trim() == "gzip")
        })
}

/// Any GET that no API route answered.
pub(crate) async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    if path.starts_with("/api/") || path.starts_with("/v1/") {
        return ApiError::NotFound("no such route; see /api/v1/openapi.json".into())
            .into_response();
    }
    if !ui::is_built() {
        return if path == "/" {
            Html(NOT_BUILT).into_response()
        } else {
            (StatusCode::NOT_FOUND, Html(NOT_BUILT)).into_response()
        };
    }
    let Some(asset) = ui::resolve(path) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let cache = if ui::is_immutable(asset.path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = match asset.gzip {
        Some(gz) if accepts_gzip(&headers) => {
            let mut r = gz.into_response();
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            r
        }
        _ => asset.body.into_response(),
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
