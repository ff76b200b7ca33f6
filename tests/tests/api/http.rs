use revops_tests::{error_code, Role, TestApp};
use serde_json::json;

#[tokio::test]
async fn health_and_readiness_answer() {
    // Proves /healthz and /readyz (which checks the database) respond for load balancers.
    let app = TestApp::spawn().await;
    let health = app
        .client
        .get(format!("{}/healthz", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready: serde_json::Value = app
        .client
        .get(format!("{}/readyz", app.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["pendingMigrations"], 0);
}

#[tokio::test]
async fn serve_finishes_and_exits_on_sigterm() {
    // Proves `revops serve` shuts down gracefully on SIGTERM (what an orchestrator sends): it
    // answers until then and exits with success within seconds, instead of being killed.
    let app = revops_tests::TestApp::spawn().await;
    let directory =
        std::env::temp_dir().join(format!("revops-sigterm-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&directory).unwrap();
    let env = vec![
        ("DATABASE_URL", app.app.config.database_url.clone()),
        ("REVOPS_DATA_DIR", directory.display().to_string()),
        (
            "REVOPS_WEB_DIR",
            directory.join("no-web").display().to_string(),
        ),
    ];
    let mut serve = revops_tests::Process::start(
        &["serve", "--addr", "127.0.0.1:0"],
        &env,
        directory.join("serve.log"),
    );
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let address = loop {
        let output = serve.output();
        if let Some(line) = output
            .lines()
            .find(|line| line.contains("listening on http://"))
        {
            break line.rsplit(' ').next().unwrap().to_owned();
        }
        assert!(
            std::time::Instant::now() < until,
            "serve did not start:\n{output}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let ready = app
        .client
        .get(format!("{address}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let status = std::process::Command::new("kill")
        .args(["-TERM", &serve.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    serve.wait_success(std::time::Duration::from_secs(15)).await;
    assert!(
        serve.output().contains("shutting down"),
        "{}",
        serve.output()
    );
    let _ = std::fs::remove_dir_all(&directory);
}

#[tokio::test]
async fn oversized_and_overly_deep_requests_are_refused() {
    // Proves the body-size limit and the query depth limit.
    let app = TestApp::spawn().await;
    let huge = "x".repeat(revops::http::MAX_BODY_BYTES + 10);
    let response = app
        .client
        .post(format!("{}/graphql", app.base_url))
        .header("content-type", "application/json")
        .body(format!("{{\"query\":\"{huge}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let mut type_chain = String::from("name");
    for _ in 0..14 {
        type_chain = format!("ofType {{ {type_chain} }}");
    }
    let deep = format!("{{ __schema {{ types {{ fields {{ type {{ {type_chain} }} }} }} }} }}");
    let response = app.gql_as(Role::Cfo, &deep, json!({})).await;
    assert_eq!(
        error_code(&response).as_deref(),
        Some("LIMIT"),
        "{response}"
    );
    let broken = app.gql_as(Role::Cfo, "{ me { email ", json!({})).await;
    assert_eq!(
        error_code(&broken).as_deref(),
        Some("VALIDATION"),
        "malformed documents get a code too: {broken}"
    );
    let token = app.token(Role::Cfo).await;
    let ok = app.gql(Some(&token), "{ me { email } }", json!({})).await;
    assert_eq!(error_code(&ok), None);
}

#[tokio::test]
async fn deep_links_fall_back_to_the_web_app() {
    // Proves history fallback: an app route like /customers/42 serves index.html when the web app is built.
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(format!("{}/customers/42", app.base_url))
        .send()
        .await
        .unwrap();
    let body = response.text().await.unwrap();
    if app.app.config.web_dir.join("index.html").exists() {
        assert!(
            body.contains("<html") || body.contains("<!DOCTYPE"),
            "{body}"
        );
    } else {
        assert!(body.contains("web app has not been built"), "{body}");
    }
}

#[tokio::test]
async fn app_routes_answer_200_while_unknown_api_paths_and_files_stay_404() {
    // Proves history fallback answers 200 with the app's page for every app URL (a reload of
    // /dashboard or a sign-in link with its `next` is not an error to a browser, a monitor or a
    // cache), the app's own files are served as they are, and an unknown API path or a missing
    // file answers 404 rather than the app.
    let web_dir =
        std::env::temp_dir().join(format!("revops-web-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&web_dir).unwrap();
    std::fs::write(
        web_dir.join("index.html"),
        "<!DOCTYPE html><html><body>the revops app</body></html>",
    )
    .unwrap();
    std::fs::write(web_dir.join("app-1a2b.js"), "console.log('app')").unwrap();
    let served_dir = web_dir.clone();
    let app = TestApp::spawn_with(move |config| config.web_dir = served_dir).await;
    for path in [
        "/",
        "/dashboard",
        "/login?next=%2Frenewals%3Fdays%3D365",
        "/customers/42",
        "/receivables/aging?asOf=2026-11-27&basis=DUE_DATE",
        "/no-such-page",
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let media_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(media_type.starts_with("text/html"), "{path}: {media_type}");
        assert!(
            response.text().await.unwrap().contains("the revops app"),
            "{path}"
        );
    }
    let file = app
        .client
        .get(format!("{}/app-1a2b.js", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.text().await.unwrap(), "console.log('app')");
    for path in [
        "/api/nope",
        "/api",
        "/api/invoices",
        "/app-0000.js",
        "/assets/old.wasm",
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert!(
            !response.text().await.unwrap().contains("the revops app"),
            "{path}"
        );
    }
    std::fs::remove_dir_all(&web_dir).unwrap();
}

#[tokio::test]
async fn graphiql_and_the_schema_are_served_without_a_cdn() {
    // Proves GraphiQL works offline: its page loads scripts and styles only from this server,
    // each of which answers with its media type, under a policy that names no other host and
    // allows no inline script; and GET /schema.graphql answers the SDL `revops export-schema`
    // writes (the committed schema.graphql).
    let app = TestApp::spawn().await;
    let page = app
        .client
        .get(format!("{}/graphql", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(!policy.contains("http"), "{policy}");
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("https://") && !html.contains("http://"),
        "{html}"
    );
    let mut loaded = Vec::new();
    for attribute in [" src=\"", " href=\""] {
        for chunk in html.split(attribute).skip(1) {
            loaded.push(chunk.split('"').next().unwrap().to_string());
        }
    }
    assert!(loaded.len() >= 4, "{html}");
    for url in &loaded {
        assert!(url.starts_with('/') && !url.starts_with("//"), "{url}");
        let response = app
            .client
            .get(format!("{}{url}", app.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{url}");
        let media_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        let expected = if url.ends_with(".css") {
            "text/css"
        } else {
            "text/javascript"
        };
        assert!(media_type.starts_with(expected), "{url}: {media_type}");
        assert!(!response.bytes().await.unwrap().is_empty(), "{url}");
    }
    let schema = app
        .client
        .get(format!("{}/schema.graphql", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(schema.status(), 200);
    let media_type = schema.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        media_type.starts_with("application/graphql"),
        "{media_type}"
    );
    let sdl = schema.text().await.unwrap();
    assert!(sdl.contains("type Query {"), "{sdl}");
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql")).unwrap();
    assert!(
        sdl == committed,
        "/schema.graphql differs from schema.graphql"
    );
}

#[tokio::test]
async fn production_mode_hides_introspection_and_graphiql() {
    // Proves introspection and GraphiQL exist only in dev mode, while the API itself still works.
    let app = TestApp::spawn_with(|config| config.dev_mode = false).await;
    let response = app
        .gql_as(Role::Cfo, "{ __schema { queryType { name } } }", json!({}))
        .await;
    assert!(
        response["data"]["__schema"].is_null(),
        "introspection must answer nothing: {response}"
    );
    let graphiql = app
        .client
        .get(format!("{}/graphql", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(graphiql.status(), 404);
    for path in ["/graphql/assets/graphiql.min.js", "/schema.graphql"] {
        let hidden = app
            .client
            .get(format!("{}{path}", app.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(hidden.status(), 404, "{path}");
    }
    let me = app.gql_ok(Role::Cfo, "{ me { role } }", json!({})).await;
    assert_eq!(me["me"]["role"], "CFO");
}

#[tokio::test]
async fn metrics_count_requests_operations_jobs_and_the_outbox() {
    // Proves GET /metrics speaks Prometheus text with requests by route and status, GraphQL
    // operations by name and outcome (with latency buckets), daily job runs, mail deliveries,
    // the outbox and the pool; every response carries an x-request-id, echoed in each error's
    // extensions; and a configured metrics token is required.
    let app = TestApp::spawn().await;
    let token = app.token(Role::Cfo).await;
    app.gql(
        Some(&token),
        "{ customers(first: 5) { totalCount } }",
        json!({}),
    )
    .await;
    let refused = app
        .client
        .post(format!("{}/graphql", app.base_url))
        .header("x-request-id", "trace-42")
        .json(&json!({ "query": "{ customers(first: 5) { totalCount } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.headers()["x-request-id"], "trace-42");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(error_code(&body).as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(body["errors"][0]["extensions"]["requestId"], "trace-42");
    revops::jobs::run_daily(&app.app, "2026-11-27".parse().unwrap(), &|_, _, _| {})
        .await
        .unwrap();
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(metrics.headers().contains_key("x-request-id"));
    let text = metrics.text().await.unwrap();
    for expected in [
        "revops_graphql_operations_total{operation=\"customers\",outcome=\"ok\"} 1",
        "revops_graphql_operations_total{operation=\"customers\",outcome=\"UNAUTHENTICATED\"} 1",
        "revops_graphql_operation_duration_seconds_bucket{operation=\"customers\",le=\"+Inf\"} 2",
        "revops_http_requests_total{route=\"/graphql\",status=\"200\"}",
        "revops_job_runs_total{job=\"bill_run\",outcome=\"ok\"} 1",
        "revops_job_runs_total{job=\"mail\",outcome=\"ok\"} 1",
        "revops_mail_deliveries_total{outcome=\"sent\"}",
        "revops_outbox_pending 0",
        "revops_outbox_oldest_pending_age_seconds 0",
        "revops_db_pool_connections{state=\"in_use\"}",
    ] {
        assert!(text.contains(expected), "missing {expected} in:\n{text}");
    }

    let guarded = TestApp::spawn_with(|config| config.metrics_token = Some("s3cret".into())).await;
    let url = format!("{}/metrics", guarded.base_url);
    let without = guarded.client.get(&url).send().await.unwrap();
    assert_eq!(without.status(), 401);
    let with = guarded
        .client
        .get(&url)
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), 200);
}

#[tokio::test]
async fn web_files_are_sent_precompressed_and_cached_by_their_name() {
    // Proves the bundle rules: a browser that accepts brotli gets the `.br` copy the web build
    // wrote, one that accepts only gzip the `.gz`; a file whose name carries its content hash is
    // cached for a year as immutable, while index.html (and every deep link answering it) is
    // revalidated on each load, so a new release is seen at once.
    let web = std::env::temp_dir().join(format!("revops-web-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&web).unwrap();
    let module = "revops-web-0123456789abcdef_bg.wasm";
    std::fs::write(web.join(module), b"plain module").unwrap();
    std::fs::write(web.join(format!("{module}.br")), b"brotli module").unwrap();
    std::fs::write(web.join(format!("{module}.gz")), b"gzip module").unwrap();
    std::fs::write(web.join("index.html"), b"<!doctype html><html></html>").unwrap();
    let dir = web.clone();
    let app = TestApp::spawn_with(move |config| config.web_dir = dir).await;
    let get = |path: &str, accept: &str| {
        app.client
            .get(format!("{}{path}", app.base_url))
            .header("accept-encoding", accept)
            .send()
    };
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
    };
    let brotli = get(&format!("/{module}"), "gzip, deflate, br")
        .await
        .unwrap();
    assert_eq!(brotli.status(), 200);
    assert_eq!(header(&brotli, "content-encoding").as_deref(), Some("br"));
    assert_eq!(
        header(&brotli, "cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(brotli.bytes().await.unwrap().as_ref(), b"brotli module");
    let gzip = get(&format!("/{module}"), "gzip").await.unwrap();
    assert_eq!(header(&gzip, "content-encoding").as_deref(), Some("gzip"));
    assert_eq!(gzip.bytes().await.unwrap().as_ref(), b"gzip module");
    let identity = get(&format!("/{module}"), "identity").await.unwrap();
    assert_eq!(header(&identity, "content-encoding"), None);
    assert_eq!(identity.bytes().await.unwrap().as_ref(), b"plain module");
    for page in ["/", "/index.html", "/customers/42"] {
        let response = get(page, "identity").await.unwrap();
        assert_eq!(
            header(&response, "cache-control").as_deref(),
            Some("no-cache"),
            "{page}"
        );
        assert!(response.text().await.unwrap().contains("<html>"), "{page}");
    }
    // API answers are compressed on the fly for a client that accepts gzip.
    let token = app.token(Role::Cfo).await;
    let api = app
        .client
        .post(format!("{}/graphql", app.base_url))
        .bearer_auth(&token)
        .header("accept-encoding", "gzip")
        .json(&json!({ "query": "{ __schema { types { name description } } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 200);
    assert_eq!(header(&api, "content-encoding").as_deref(), Some("gzip"));
    let _ = std::fs::remove_dir_all(&web);
}

#[tokio::test]
async fn a_report_asked_for_hundreds_of_times_in_one_query_is_refused_before_it_runs() {
    // Proves that an expensive field costs its weight: the dashboard under 300 aliases is over
    // the request's budget and refused with LIMIT (it used to be computed 300 times); the web
    // app's heaviest page, a few reports in one request, is within it.
    let app = TestApp::spawn().await;
    let aliases: String = (0..300)
        .map(|index| format!("d{index}: dashboard(asOf: \"2026-11-27\") {{ asOf }} "))
        .collect();
    let response = app
        .gql_as(Role::Cfo, &format!("{{ {aliases} }}"), json!({}))
        .await;
    assert_eq!(
        error_code(&response).as_deref(),
        Some("LIMIT"),
        "{response}"
    );
    assert!(response["data"].is_null(), "nothing ran: {response}");
    let few: String = (0..5)
        .map(|index| format!("d{index}: dashboard(asOf: \"2026-11-27\") {{ asOf }} "))
        .collect();
    let response = app
        .gql_as(Role::Cfo, &format!("{{ {few} }}"), json!({}))
        .await;
    assert_eq!(error_code(&response), None, "{response}");
}
