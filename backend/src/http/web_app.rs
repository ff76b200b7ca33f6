//! The web app's files from `dist/`, for every path no route claims.
//!
//! - **History fallback:** an app route (a path outside `/api/` whose last segment names no file,
//!   like `/customers/42` or `/login`) gets `index.html` with 200, so a deep link or a reload
//!   loads the app. Unknown API paths and missing files stay 404, so a typo in a client or a
//!   stale asset is not mistaken for the app.
//! - **Compression:** the precompressed copy a browser accepts (brotli, then gzip), which
//!   `cargo xtask web` writes beside each file.
//! - **Caching by name:** a file whose name carries its content hash (`revops-web-<16 hex>.wasm`)
//!   never changes, so browsers keep it for a year without asking; everything else, above all
//!   `index.html` (which names the current hashes), is revalidated on every load, so a new
//!   release is picked up at once.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::path::Path;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";

/// The answer for `request` from the web app in `web_dir` (see the module's rules).
pub async fn respond(web_dir: &Path, request: Request) -> Response {
    let path = request.uri().path().to_string();
    if path == "/api" || path.starts_with("/api/") {
        return (StatusCode::NOT_FOUND, "There is no such API path.").into_response();
    }
    let index = web_dir.join("index.html");
    if !index.exists() {
        return missing();
    }
    // The fallback to index.html answers with the same method and accepted encodings.
    let mut index_request = Request::new(Body::empty());
    *index_request.method_mut() = request.method().clone();
    if let Some(accepted) = request.headers().get(header::ACCEPT_ENCODING) {
        index_request
            .headers_mut()
            .insert(header::ACCEPT_ENCODING, accepted.clone());
    }
    let served = serve(
        ServeDir::new(web_dir)
            .precompressed_br()
            .precompressed_gzip(),
        request,
    )
    .await;
    let mut response = if served.status() != StatusCode::NOT_FOUND || names_a_file(&path) {
        served
    } else {
        serve(
            ServeFile::new(index)
                .precompressed_br()
                .precompressed_gzip(),
            index_request,
        )
        .await
    };
    // A hashed name that is missing (an old release's file) is not cached either.
    let cache = if is_content_hashed(&path) && response.status().is_success() {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

async fn serve<S, B>(service: S, request: Request) -> Response
where
    S: tower::Service<
        Request,
        Response = axum::http::Response<B>,
        Error = std::convert::Infallible,
    >,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    match service.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

/// The page for a server started before the web app was built.
pub fn missing() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html("<h1>revops</h1><p>The web app has not been built. Run <code>cargo xtask start</code> (or <code>cargo xtask web</code>) and reload.</p><p>The API is at <a href=\"/graphql\">/graphql</a>.</p>"),
    )
        .into_response()
}

/// Whether a path's last segment looks like a file name (`app-1a2b.wasm`, `favicon.ico`) rather
/// than an app route; app routes never carry a dot in their last segment.
fn names_a_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|segment| segment.contains('.'))
}

/// Whether the path's file name is `<stem>-<16 hex digits>` followed by `.` or `_` (the glue's
/// module is `revops-web-<hash>_bg.wasm`), as the web build names every file it hashes.
pub fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let Some((_, tail)) = name.rsplit_once('-') else {
        return false;
    };
    let hash = tail.get(..16).unwrap_or_default();
    hash.len() == 16
        && hash.bytes().all(|byte| byte.is_ascii_hexdigit())
        && matches!(tail.as_bytes().get(16), Some(b'.' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::{is_content_hashed, names_a_file};

    #[test]
    fn only_names_carrying_a_content_hash_are_immutable() {
        assert!(is_content_hashed("/revops-web-0123456789abcdef_bg.wasm"));
        assert!(is_content_hashed("/style-00ff00ff00ff00ff.css"));
        assert!(is_content_hashed("/start-0123456789abcdef.js"));
        assert!(!is_content_hashed("/index.html"));
        assert!(!is_content_hashed("/"));
        assert!(!is_content_hashed("/customers/42"));
        assert!(!is_content_hashed("/style-0123456789abcdeg.css"));
        assert!(!is_content_hashed("/style-0123456789abcde.css"));
        assert!(!is_content_hashed("/snippets/revops-web-1/inline0.js"));
    }

    #[test]
    fn app_routes_are_told_from_file_names_by_a_dot() {
        assert!(names_a_file("/app-1a2b.js"));
        assert!(names_a_file("/favicon.ico"));
        assert!(!names_a_file("/customers/42"));
        assert!(!names_a_file("/login"));
    }
}
