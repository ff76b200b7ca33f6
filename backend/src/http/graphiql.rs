//! GraphiQL (dev mode only) served entirely from this binary, so it works without internet and
//! under a policy that allows scripts from `'self'` only, and the SDL at `/schema.graphql`.
//!
//! The script and style files are vendored under `backend/assets/graphiql/` (see its README for
//! their versions, integrity and licences) and compiled in, so a deployment needs no extra files.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::HttpState;

/// The policy of GraphiQL's page: everything from this server. Inline styles stay allowed because
/// GraphiQL's editor and its React components set element styles at run time; scripts do not.
pub const GRAPHIQL_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
     frame-ancestors 'none'";

/// The page: the vendored styles and scripts, then `init.js` which mounts GraphiQL on `/graphql`.
const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>revops GraphiQL</title>
<link rel="stylesheet" href="/graphql/assets/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphql/assets/react.production.min.js"></script>
<script src="/graphql/assets/react-dom.production.min.js"></script>
<script src="/graphql/assets/graphiql.min.js"></script>
<script src="/graphql/assets/init.js"></script>
</body>
</html>
"#;

/// The vendored files by the name the page asks for, with their media type.
const ASSETS: [(&str, &str, &[u8]); 5] = [
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.css"),
    ),
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.js"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    ),
    (
        "init.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/init.js"),
    ),
];

fn dev_mode_only() -> Response {
    (
        StatusCode::NOT_FOUND,
        "GraphiQL is available in dev mode only.",
    )
        .into_response()
}

/// `GET /graphql`: the GraphiQL page.
pub async fn page(State(state): State<HttpState>) -> Response {
    if !state.app.config.dev_mode {
        return dev_mode_only();
    }
    (
        [(header::CONTENT_SECURITY_POLICY, GRAPHIQL_POLICY)],
        Html(PAGE),
    )
        .into_response()
}

/// `GET /graphql/assets/{name}`: one of the vendored files. They change only with the binary,
/// so a browser may keep them for a day.
pub async fn asset(State(state): State<HttpState>, Path(name): Path<String>) -> Response {
    if !state.app.config.dev_mode {
        return dev_mode_only();
    }
    match ASSETS.iter().find(|(file, _, _)| *file == name) {
        Some((_, media_type, body)) => (
            [
                (header::CONTENT_TYPE, *media_type),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "No such GraphiQL file.").into_response(),
    }
}

/// `GET /schema.graphql`: the SDL, the same text `revops export-schema` writes. Like
/// introspection, it is offered in dev mode only: a production server does not describe its API
/// to whoever asks (the committed `schema.graphql` is the reference there).
pub async fn schema(State(state): State<HttpState>) -> Response {
    if !state.app.config.dev_mode {
        return (
            StatusCode::NOT_FOUND,
            "The schema is offered in dev mode only; see schema.graphql in the repository.",
        )
            .into_response();
    }
    (
        [(header::CONTENT_TYPE, "application/graphql; charset=utf-8")],
        state.sdl.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_only_files_this_server_serves() {
        // Proves every script and style the page loads is one of the vendored files (a typo or a
        // CDN address would leave GraphiQL blank) and that the policy allows no other host.
        let mut named = 0;
        for chunk in PAGE.split("/graphql/assets/").skip(1) {
            let name = chunk.split('"').next().unwrap_or_default();
            assert!(
                ASSETS.iter().any(|(file, _, _)| *file == name),
                "{name} is not vendored"
            );
            named += 1;
        }
        assert_eq!(named, ASSETS.len());
        assert!(!PAGE.contains("http://") && !PAGE.contains("https://"));
        assert!(!GRAPHIQL_POLICY.contains("http"));
        assert!(GRAPHIQL_POLICY.contains("script-src 'self';"));
        assert!(ASSETS.iter().all(|(_, _, body)| !body.is_empty()));
    }
}
