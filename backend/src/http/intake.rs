//! `POST /api/intake/deals`: closed-won notifications from any CRM as revops's JSON (see
//! README, "CRM intake"), under a service account's key. The answer says what became of it: the
//! inbox status, the deal, whether it was a resend, and what the deal's checklist still lacks.

use super::{caller_of, failure, HttpState};
use crate::error::AppError;
use crate::graphql::Caller;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// `GET /api/intake/deals/schema.json`: the notification's JSON Schema, public like the API's
/// documentation (it holds no data).
pub(super) async fn deal_schema() -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/schema+json; charset=utf-8",
        )],
        crate::crm::schema::DEAL_EVENT_SCHEMA,
    )
        .into_response()
}

pub(super) async fn deals(
    State(state): State<HttpState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let actor = match caller_of(&state, &headers).await {
        Caller::SignedIn(actor) => actor,
        Caller::Refused(reason) => return failure(AppError::Unauthenticated(reason)),
        _ => {
            return failure(AppError::Unauthenticated(
                "Send a service account's key as `Authorization: Bearer <key>`.".into(),
            ))
        }
    };
    match state.app.intake.receive_json(&actor, &body).await {
        Ok(outcome) => {
            let status = if outcome.duplicate {
                StatusCode::OK
            } else {
                StatusCode::ACCEPTED
            };
            (
                status,
                Json(serde_json::json!({
                    "inboxId": outcome.event.id.to_string(),
                    "eventId": outcome.event.event_id,
                    "status": outcome.event.status.as_str(),
                    "dealId": outcome.event.deal_id.map(|id| id.to_string()),
                    "duplicate": outcome.duplicate,
                    "outcome": outcome.event.outcome,
                    "gaps": outcome.gaps,
                })),
            )
                .into_response()
        }
        Err(error) => failure(error),
    }
}

/// `POST /api/intake/salesforce/{connector}/{secret}`: a Salesforce outbound message. Answered
/// with `Ack` true once every notification is in the inbox; anything else is an error status,
/// which makes Salesforce retry (and the reason is in the body for whoever reads its log).
pub(super) async fn salesforce(
    State(state): State<HttpState>,
    axum::extract::Path((connector, secret)): axum::extract::Path<(String, String)>,
    body: Bytes,
) -> Response {
    use crate::crm::connectors::Refusal;
    use crate::crm::salesforce::acknowledgement;
    let xml = |status: StatusCode, text: String| {
        (
            status,
            [(axum::http::header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            text,
        )
            .into_response()
    };
    match state
        .app
        .intake
        .receive_salesforce(&connector, &secret, &body)
        .await
    {
        Ok(_) => xml(StatusCode::OK, acknowledgement(true)),
        Err(Refusal::Unauthorised(reason)) => (StatusCode::UNAUTHORIZED, reason).into_response(),
        Err(Refusal::Malformed(reason)) => (StatusCode::BAD_REQUEST, reason).into_response(),
        Err(Refusal::Paused(reason)) => (StatusCode::SERVICE_UNAVAILABLE, reason).into_response(),
        Err(Refusal::Failed(error)) => failure(error),
    }
}

/// `POST /api/intake/hubspot/{connector}`: a HubSpot webhook batch (v3 signature). 200 once the
/// deal events are in the inbox; 401 for a bad signature or stale timestamp (nothing stored).
pub(super) async fn hubspot(
    State(state): State<HttpState>,
    axum::extract::Path(connector): axum::extract::Path<String>,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    use crate::crm::connectors::Refusal;
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let host = header("host");
    let path = uri
        .path_and_query()
        .map(|path| path.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string());
    // The URI HubSpot signed is the one it called; behind a TLS-terminating proxy that is https.
    let uris = [
        format!("https://{host}{path}"),
        format!("http://{host}{path}"),
    ];
    let received = state
        .app
        .intake
        .receive_hubspot(
            &connector,
            &uris,
            &body,
            &header("x-hubspot-signature-v3"),
            &header("x-hubspot-request-timestamp"),
        )
        .await;
    match received {
        Ok(count) => (
            StatusCode::OK,
            Json(serde_json::json!({ "received": count })),
        )
            .into_response(),
        Err(Refusal::Unauthorised(reason)) => failure(AppError::Unauthenticated(reason)),
        Err(Refusal::Malformed(reason)) => failure(AppError::validation("body", reason)),
        Err(Refusal::Paused(reason)) => (StatusCode::SERVICE_UNAVAILABLE, reason).into_response(),
        Err(Refusal::Failed(error)) => failure(error),
    }
}
