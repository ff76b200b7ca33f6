//! The web app's files from `dist/`: the precompressed copy a browser accepts (brotli, then gzip;
//! `cargo xtask web` writes them), and caching by name — a file whose name carries its content
//! hash (`revops-web-<16 hex>.wasm`) never changes, so browsers keep it for a year without asking;
//! everything else, above all `index.html` (which names the current hashes), is revalidated on
//! every load, so a new release is picked up at once.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_status::SetStatus;

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";

/// The files of `web_dir`, with `index.html` for every path that is not a file (deep links such
/// as `/customers/42` load the app).
pub fn files(web_dir: &Path) -> ServeDir<SetStatus<ServeFile>> {
    let index = ServeFile::new(web_dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    ServeDir::new(web_dir)
        .precompressed_br()
        .precompressed_gzip()
        .not_found_service(index)
}

/// Sets `Cache-Control` on the web app's responses by the rule above.
pub async fn cache_control(request: Request, next: Next) -> Response {
    let immutable = is_content_hashed(request.uri().path());
    let mut response = next.run(request).await;
    // A hashed name that is missing (an old release's file) is not cached either.
    let value = if immutable && response.status().is_success() {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
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
    use super::is_content_hashed;

    #[test]
    fn only_names_carrying_a_content_hash_are_immutable() {
        assert!(is_content_hashed("/revops-web-0123456789abcdef_bg.wasm"));
        assert!(is_content_hashed("/revops-web-0123456789abcdef.wasm"));
        assert!(is_content_hashed("/style-00ff00ff00ff00ff.css"));
        assert!(is_content_hashed("/start-0123456789abcdef.js"));
        assert!(!is_content_hashed("/index.html"));
        assert!(!is_content_hashed("/"));
        assert!(!is_content_hashed("/customers/42"));
        assert!(!is_content_hashed("/style-0123456789abcdeg.css"));
        assert!(!is_content_hashed("/style-0123456789abcde.css"));
        assert!(!is_content_hashed("/snippets/revops-web-1/inline0.js"));
    }
}
