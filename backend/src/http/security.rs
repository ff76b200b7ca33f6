//! Security headers on every response: a Content-Security-Policy the Leptos app runs under (its
//! one inline start-up script allowed by hash, WebAssembly compiled with `wasm-unsafe-eval`, no
//! third-party origin), `nosniff`, a strict referrer policy, framing refused, and HSTS when the
//! deployment says it is served over TLS (`REVOPS_HSTS`). GraphiQL (dev mode only) runs React
//! rather than WebAssembly, so its page carries a policy of its own (`graphiql::GRAPHIQL_POLICY`,
//! also `'self'` only), which this layer leaves in place.

use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue};
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The headers added to every response that does not set them itself. The policy follows the
/// built `index.html`: when the web app is rebuilt while revops serves (its start-up script names
/// the new bundle, so its hash changes), the next response carries the new hash.
#[derive(Debug)]
pub struct SecurityHeaders {
    headers: Vec<(HeaderName, HeaderValue)>,
    index: PathBuf,
    /// `index.html`'s modification time when the policy was made, and the policy.
    policy: Mutex<(Option<SystemTime>, HeaderValue)>,
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path)
        .and_then(|meta| meta.modified())
        .ok()
}

/// One year, with subdomains, as the HSTS preload list asks.
const HSTS: &str = "max-age=31536000; includeSubDomains";

impl SecurityHeaders {
    /// Reads the built web app's `index.html` (when there is one) for the inline scripts to allow.
    pub fn for_web_dir(web_dir: &Path, hsts: bool) -> SecurityHeaders {
        let index = web_dir.join("index.html");
        let mut headers = vec![
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
            (header::X_FRAME_OPTIONS, "DENY"),
        ];
        if hsts {
            headers.push((header::STRICT_TRANSPORT_SECURITY, HSTS));
        }
        SecurityHeaders {
            headers: headers
                .into_iter()
                .map(|(name, value)| (name, HeaderValue::from_static(value)))
                .collect(),
            policy: Mutex::new((modified(&index), policy_of(&index))),
            index,
        }
    }

    /// The current policy, made again when `index.html` changed since (one `stat` a response).
    fn current_policy(&self) -> HeaderValue {
        let now = modified(&self.index);
        let mut guard = match self.policy.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if guard.0 != now {
            *guard = (now, policy_of(&self.index));
        }
        guard.1.clone()
    }
}

fn policy_of(index: &Path) -> HeaderValue {
    let policy = content_security_policy(&std::fs::read_to_string(index).unwrap_or_default());
    // Base64 hashes and ASCII keywords only, so this cannot fail; the fallback is the strictest.
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// The policy for the app and the API. Inline styles stay allowed because the app sets widths of
/// chart bars and columns through `style` attributes; scripts are only our own files and the
/// hashed start-up script Trunk writes into `index.html`.
pub fn content_security_policy(index_html: &str) -> String {
    let hashes: String = inline_script_hashes(index_html)
        .iter()
        .map(|hash| format!(" 'sha256-{hash}'"))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Base64 SHA-256 of the text of every `<script>` without a `src`, as CSP hash sources expect.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after_tag = &rest[start..];
        let Some(tag_end) = after_tag.find('>') else {
            break;
        };
        let tag = &after_tag[..tag_end];
        let body = &after_tag[tag_end + 1..];
        let Some(close) = body.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            let digest = Sha256::digest(&body.as_bytes()[..close]);
            hashes.push(base64::engine::general_purpose::STANDARD.encode(digest));
        }
        rest = &body[close + "</script>".len()..];
    }
    hashes
}

/// Adds each header the handler did not set itself.
pub async fn add_security_headers(
    State(security): State<Arc<SecurityHeaders>>,
    mut response: Response,
) -> Response {
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, security.current_policy());
    }
    for (name, value) in &security.headers {
        if !headers.contains_key(name) {
            headers.insert(name.clone(), value.clone());
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed() {
        // Proves the hash is of the inline script's exact text (the value a browser computes:
        // base64 SHA-256, here of "alert(1)") and that scripts with a src are not listed.
        let html = "<head><script src=\"/app.js\"></script><script type=\"module\">alert(1)</script></head>";
        assert_eq!(
            inline_script_hashes(html),
            ["bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="]
        );
        let policy = content_security_policy(html);
        assert!(policy.contains("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains(" 'unsafe-eval'"), "{policy}");
        assert!(
            !policy.contains("script-src 'self' 'unsafe-inline'"),
            "{policy}"
        );
    }

    #[test]
    fn the_policy_follows_a_rebuilt_index_html() {
        // Proves a web build while serving is picked up: the inline script's new hash replaces
        // the old one without a restart.
        let directory = std::env::temp_dir().join(format!("revops-csp-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        let index = directory.join("index.html");
        std::fs::write(&index, "<script type=\"module\">alert(1)</script>").unwrap();
        let security = SecurityHeaders::for_web_dir(&directory, false);
        let first = security.current_policy();
        assert!(first.to_str().unwrap().contains("bhHHL3z2"));
        std::fs::write(&index, "<script type=\"module\">alert(2)</script>").unwrap();
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&index)
            .unwrap()
            .set_modified(later)
            .unwrap();
        let second = security.current_policy();
        assert_ne!(first, second);
        assert!(!second.to_str().unwrap().contains("bhHHL3z2"));
        std::fs::remove_dir_all(&directory).unwrap();
    }

    #[test]
    fn hsts_is_sent_only_when_configured() {
        // Proves HSTS is opt-in (a plain-HTTP laptop must not pin itself to HTTPS).
        let has_hsts = |headers: &SecurityHeaders| {
            headers
                .headers
                .iter()
                .any(|(name, _)| name == header::STRICT_TRANSPORT_SECURITY)
        };
        let no_web = Path::new("/nonexistent-revops-web");
        assert!(!has_hsts(&SecurityHeaders::for_web_dir(no_web, false)));
        assert!(has_hsts(&SecurityHeaders::for_web_dir(no_web, true)));
    }
}
