//! HTTP: the router, the bearer-token extractor, health checks, GraphiQL and the SDL (dev) and
//! the web app.

mod documents;
mod graphiql;
mod imports;
mod intake;
mod observe;
mod security;
mod web_app;

use crate::app::App;
use crate::error::AppError;
use crate::graphql::{build_schema, export_sdl, AppSchema, Caller};
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Requests larger than this are refused before parsing (DESIGN law 7).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
struct HttpState {
    app: App,
    schema: AppSchema,
    /// The SDL `revops export-schema` writes, made once: `/schema.graphql` serves it.
    sdl: Arc<str>,
}

pub fn router(app: App) -> Router {
    let schema = build_schema(app.clone());
    let web_dir = app.config.web_dir.clone();
    let security = std::sync::Arc::new(security::SecurityHeaders::for_web_dir(
        &web_dir,
        app.config.hsts,
    ));
    let telemetry_app = app.clone();
    let sdl = Arc::from(export_sdl(&schema));
    let state = HttpState { app, schema, sdl };
    let router = Router::new()
        .route("/graphql", get(graphiql::page).post(graphql))
        .route("/graphql/ws", get(graphql_ws))
        .route("/graphql/assets/{name}", get(graphiql::asset))
        .route("/schema.graphql", get(graphiql::schema))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/readyz", get(readyz))
        .route("/api/invoices/{id}/pdf", get(invoice_pdf))
        .route("/api/credit-memos/{id}/pdf", get(credit_memo_pdf))
        .route("/api/customers/{id}/statement", get(customer_statement))
        .route("/api/revenue/export", get(revenue_export))
        .route("/api/ledger/exports/{id}/file", get(ledger_export_file))
        .route("/api/audit/export", get(audit_export))
        .route("/api/contract-documents/{id}/file", get(documents::file))
        .route("/api/intake/deals", axum::routing::post(intake::deals))
        .route("/api/intake/deals/schema.json", get(intake::deal_schema))
        .route(
            "/api/intake/salesforce/{connector}/{secret}",
            axum::routing::post(intake::salesforce),
        )
        .route(
            "/api/intake/hubspot/{connector}",
            axum::routing::post(intake::hubspot),
        )
        .route(
            "/api/commissions/payouts/{id}/csv",
            get(commission_payout_csv),
        )
        .route(
            "/api/commissions/plan-schema.json",
            get(commission_plan_schema),
        );
    // Import files are far larger than any other request and take longer to check, so the upload
    // has its own body limit and timeout (DESIGN law 7: still a limit).
    let uploads = Router::new()
        .route("/api/imports", axum::routing::post(imports::upload))
        .route(
            "/api/contracts/{id}/documents",
            axum::routing::post(documents::attach),
        )
        .layer(DefaultBodyLimit::max(crate::imports::MAX_FILE_BYTES))
        .layer(RequestBodyLimitLayer::new(crate::imports::MAX_FILE_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(300),
        ));
    router
        .fallback(web_app)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // The GraphQL extractor streams the body itself, so the limit is also enforced on the
        // body stream: anything larger gets 413 before it is parsed.
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .merge(uploads)
        .with_state(state)
        .layer(axum::middleware::map_response_with_state(
            security,
            security::add_security_headers,
        ))
        // Responses a client accepts gzip for are compressed (files already precompressed are
        // sent as they are: they carry their own Content-Encoding).
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            telemetry_app,
            observe::observe_request,
        ))
        .layer(TraceLayer::new_for_http())
}

fn caller_from_token(result: Result<crate::access::Actor, AppError>) -> Caller {
    match result {
        Ok(actor) => Caller::SignedIn(actor),
        Err(AppError::Unauthenticated(reason)) => Caller::Refused(reason),
        Err(other) => {
            tracing::error!(error = ?other, "could not check an access token");
            Caller::Refused("The access token could not be checked; try again.".into())
        }
    }
}

async fn caller_of(state: &HttpState, headers: &HeaderMap) -> Caller {
    match headers.get(header::AUTHORIZATION) {
        None => Caller::Anonymous,
        Some(value) => match value
            .to_str()
            .ok()
            .and_then(|text| text.strip_prefix("Bearer "))
        {
            Some(token) => caller_from_token(state.app.auth.authenticate(token.trim()).await),
            None => Caller::Refused("The Authorization header must be `Bearer <token>`.".into()),
        },
    }
}

/// The invoice PDF, for a signed-in reader allowed to see the invoice.
async fn invoice_pdf(
    State(state): State<HttpState>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let app = state.app.clone();
    download(&state, &headers, &id, "invoice", |actor, id| async move {
        app.invoices.pdf(&actor, id).await
    })
    .await
}

async fn credit_memo_pdf(
    State(state): State<HttpState>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let app = state.app.clone();
    download(
        &state,
        &headers,
        &id,
        "credit memo",
        |actor, id| async move { app.receivables.credit_memo_pdf(&actor, id).await },
    )
    .await
}

#[derive(serde::Deserialize)]
struct StatementQuery {
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    format: Option<String>,
}

async fn customer_statement(
    State(state): State<HttpState>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<StatementQuery>,
) -> Response {
    let app = state.app.clone();
    download(&state, &headers, &id, "customer", |actor, id| async move {
        app.receivables
            .statement_file(&actor, id, query.from, query.to, query.format.as_deref())
            .await
    })
    .await
}

/// A revenue report as CSV: `report` = waterfall or rpo (asOf), rollforward or streams (from, to as
/// YYYY-MM), schedule (contractId).
async fn revenue_export(
    State(state): State<HttpState>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let app = state.app.clone();
    download_file(&state, &headers, "revenue report", |actor| async move {
        let report = query.get("report").cloned().unwrap_or_default();
        let (filename, text) = app.revenue.export_csv(&actor, &report, &query).await?;
        Ok(crate::notifications::mail::Attachment {
            filename,
            content_type: "text/csv; charset=utf-8".into(),
            bytes: text.into_bytes(),
        })
    })
    .await
}

/// A ledger export batch's file, the same bytes as when the batch was made.
async fn ledger_export_file(
    State(state): State<HttpState>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let app = state.app.clone();
    download(
        &state,
        &headers,
        &id,
        "ledger export",
        |actor, id| async move {
            let (filename, text) = app.ledger.export_file(&actor, id).await?;
            Ok(crate::notifications::mail::Attachment {
                filename,
                content_type: "text/csv; charset=utf-8".into(),
                bytes: text.into_bytes(),
            })
        },
    )
    .await
}

/// The audit log of a date range as CSV or JSON Lines (`format=csv|jsonl`), for the auditors.
async fn audit_export(
    State(state): State<HttpState>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<StatementQuery>,
) -> Response {
    let app = state.app.clone();
    download_file(&state, &headers, "audit log", |actor| async move {
        let (filename, content_type, text) = app
            .audit
            .export_file(&actor, query.from, query.to, query.format.as_deref())
            .await?;
        Ok(crate::notifications::mail::Attachment {
            filename,
            content_type: content_type.into(),
            bytes: text.into_bytes(),
        })
    })
    .await
}

/// A commission payout for payroll, as CSV.
async fn commission_payout_csv(
    State(state): State<HttpState>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let app = state.app.clone();
    download(&state, &headers, &id, "payout", |actor, id| async move {
        let (filename, text) = app.commissions.payout_csv(&actor, id).await?;
        Ok(crate::notifications::mail::Attachment {
            filename,
            content_type: "text/csv; charset=utf-8".into(),
            bytes: text.into_bytes(),
        })
    })
    .await
}

/// The published JSON Schema of commission plan documents (public: it describes a format).
async fn commission_plan_schema() -> Response {
    (
        [(header::CONTENT_TYPE, "application/schema+json")],
        crate::commissions::plan::SCHEMA_JSON,
    )
        .into_response()
}

/// A file about one record (`id` from the path) for a signed-in reader.
async fn download<F, Fut>(
    state: &HttpState,
    headers: &HeaderMap,
    id: &str,
    what: &str,
    render: F,
) -> Response
where
    F: FnOnce(crate::access::Actor, i64) -> Fut,
    Fut: std::future::Future<
        Output = crate::error::AppResult<crate::notifications::mail::Attachment>,
    >,
{
    let Ok(id) = id.parse::<i64>() else {
        return error_response(
            StatusCode::BAD_REQUEST,
            "VALIDATION",
            format!("{id:?} is not a {what} id."),
        );
    };
    download_file(state, headers, what, |actor| render(actor, id)).await
}

fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::Validation { .. } => StatusCode::BAD_REQUEST,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Forbidden(_) | AppError::Denied { .. } => StatusCode::FORBIDDEN,
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Limit(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An error as JSON with the GraphQL codes (and the field, for validation), logged when ours.
fn failure(error: AppError) -> Response {
    if let AppError::Internal(_) = &error {
        tracing::error!(error = ?error, "a REST request failed");
    }
    let field = match &error {
        AppError::Validation { field, .. } => Some(field.clone()),
        _ => None,
    };
    let mut body = serde_json::json!({ "code": error.code(), "message": error.message() });
    if let Some(field) = field {
        body["field"] = serde_json::Value::String(field);
    }
    (status_of(&error), Json(body)).into_response()
}

fn error_response(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(serde_json::json!({ "code": code, "message": message })),
    )
        .into_response()
}

/// A file for a signed-in reader (bearer token), rendered by `render`; errors as JSON with the
/// same codes as GraphQL.
async fn download_file<F, Fut>(
    state: &HttpState,
    headers: &HeaderMap,
    what: &str,
    render: F,
) -> Response
where
    F: FnOnce(crate::access::Actor) -> Fut,
    Fut: std::future::Future<
        Output = crate::error::AppResult<crate::notifications::mail::Attachment>,
    >,
{
    let error = error_response;
    let actor = match caller_of(state, headers).await {
        Caller::SignedIn(actor) => actor,
        Caller::Refused(reason) => {
            return error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", reason)
        }
        _ => {
            return error(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "Sign in first.".into(),
            )
        }
    };
    match render(actor).await {
        Ok(file) => (
            [
                (header::CONTENT_TYPE, file.content_type.clone()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{}\"", file.filename),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            file.bytes,
        )
            .into_response(),
        Err(AppError::NotFound(message)) => error(StatusCode::NOT_FOUND, "NOT_FOUND", message),
        Err(AppError::Forbidden(message)) | Err(AppError::Denied { message, .. }) => {
            error(StatusCode::FORBIDDEN, "FORBIDDEN", message)
        }
        Err(AppError::Validation { message, .. }) => {
            error(StatusCode::BAD_REQUEST, "VALIDATION", message)
        }
        Err(other) => {
            tracing::error!(error = ?other, what, "rendering a download failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "The file could not be made; try again.".into(),
            )
        }
    }
}

/// A GraphQL request. A bearer credential that is refused (an expired or signed-out token, a
/// revoked or unknown API key) answers HTTP 401 as the REST endpoints do, with the reason in the
/// usual `UNAUTHENTICATED` error; operations open to anyone (`login`) still run.
async fn graphql(
    State(state): State<HttpState>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    let caller = caller_of(&state, &headers).await;
    let credential_refused = matches!(caller, Caller::Refused(_));
    let request = request.into_inner();
    let operation = observe::operation_label(&request);
    let started = std::time::Instant::now();
    let mut response = match observe::refuse_nul_characters(&request) {
        Some(refused) => refused,
        None => state.schema.execute(request.data(caller)).await,
    };
    let outcome = response
        .errors
        .first()
        .and_then(|error| error.extensions.as_ref()?.get("code").cloned())
        .map_or_else(|| "ok".to_owned(), |code| code.to_string().replace('"', ""));
    state
        .app
        .telemetry
        .graphql_operation(&operation, &outcome, started.elapsed());
    // Every error names the request it belongs to, as the log lines do, so a user's report
    // of an error leads straight to its log.
    if let Some(request_id) = observe::request_id_of(&headers) {
        for error in &mut response.errors {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("requestId", request_id.clone());
        }
    }
    let status = if credential_refused && outcome == "UNAUTHENTICATED" {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    (status, GraphQLResponse::from(response)).into_response()
}

/// GraphQL subscriptions over a WebSocket (graphql-ws, or subscriptions-transport-ws). The
/// browser cannot set headers on a WebSocket, so the token comes in the connection's first
/// message (`connection_init`, payload `{ "token": "…" }`, or `{ "Authorization": "Bearer …" }`);
/// a connection without a usable one is closed with the reason. Each subscription then checks
/// the caller's permission as queries do.
async fn graphql_ws(
    State(state): State<HttpState>,
    protocol: GraphQLProtocol,
    upgrade: axum::extract::WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let app = state.app.clone();
            GraphQLWebSocket::new(socket, state.schema.clone(), protocol)
                .on_connection_init(move |payload| async move {
                    let token = payload["token"]
                        .as_str()
                        .or_else(|| {
                            payload["Authorization"]
                                .as_str()
                                .and_then(|value| value.strip_prefix("Bearer "))
                        })
                        .map(str::trim)
                        .filter(|token| !token.is_empty());
                    let Some(token) = token else {
                        return Err(async_graphql::Error::new(
                            "Sign in first: send the access token as `token` in connection_init.",
                        ));
                    };
                    match caller_from_token(app.auth.authenticate(token).await) {
                        Caller::Refused(reason) => Err(async_graphql::Error::new(reason)),
                        caller => {
                            let mut data = async_graphql::Data::default();
                            data.insert(caller);
                            Ok(data)
                        }
                    }
                })
                .serve()
        })
}

/// Prometheus metrics; with `REVOPS_METRICS_TOKEN` set, only for `Authorization: Bearer <it>`.
async fn metrics(State(state): State<HttpState>, headers: HeaderMap) -> Response {
    if let Some(expected) = &state.app.config.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !observe::same_secret(given, expected) {
            return (StatusCode::UNAUTHORIZED, "metrics need the metrics token").into_response();
        }
    }
    match state.app.telemetry.render(&state.app.db).await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(error = ?error, "rendering metrics failed");
            (StatusCode::SERVICE_UNAVAILABLE, "metrics are unavailable").into_response()
        }
    }
}

async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Ready when the database answers and has every migration this binary knows.
async fn readyz(State(state): State<HttpState>) -> Response {
    let unavailable =
        |body: serde_json::Value| (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    if let Err(error) = crate::db::ping(&state.app.db).await {
        tracing::warn!(error = ?error, "readiness check failed");
        return unavailable(
            serde_json::json!({ "status": "unavailable", "database": "unreachable" }),
        );
    }
    match crate::db::pending_migrations(&state.app.db).await {
        Ok(0) => {
            Json(serde_json::json!({ "status": "ready", "database": "ok", "pendingMigrations": 0 }))
                .into_response()
        }
        Ok(pending) => unavailable(serde_json::json!({
            "status": "unavailable", "database": "ok", "pendingMigrations": pending
        })),
        Err(error) => {
            tracing::warn!(error = ?error, "reading the applied migrations failed");
            unavailable(
                serde_json::json!({ "status": "unavailable", "database": "ok", "pendingMigrations": null }),
            )
        }
    }
}

/// Every path no route claims: the web app (`web_app.rs`).
async fn web_app(State(state): State<HttpState>, request: Request) -> Response {
    web_app::respond(&state.app.config.web_dir, request).await
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    app: App,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown)
        .await
}
