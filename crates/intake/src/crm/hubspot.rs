//! HubSpot webhooks (v3): the signature check (`X-HubSpot-Signature-v3` is the base64 HMAC-SHA256,
//! keyed with the app's client secret, of method + URI + body + timestamp; the timestamp must be
//! within five minutes), the batch of deal events, and reading the deal, its company and its line
//! items from the HubSpot CRM API with the connector's private-app token.

use crate::error::{AppError, AppResult};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;
use std::collections::BTreeMap;

/// How far a signature's timestamp may be from now (HubSpot's own rule).
pub const MAX_SKEW_MILLISECONDS: i64 = 5 * 60 * 1000;
/// Events one request may carry (HubSpot batches up to 100).
pub const MAX_EVENTS: usize = 100;
/// The deal properties read from the API.
const DEAL_PROPERTIES: &str =
    "dealname,amount,dealstage,pipeline,closedate,deal_currency_code,hs_object_id,hubspot_owner_id";
const COMPANY_PROPERTIES: &str = "name,domain,address,city,zip,country,hs_object_id";
const CONTACT_PROPERTIES: &str = "firstname,lastname,email,phone,hs_object_id";
/// The line item properties read (their meaning is in `lines.rs`).
const LINE_ITEM_PROPERTIES: [&str; 10] = [
    "name",
    "quantity",
    "price",
    "amount",
    "recurringbillingfrequency",
    "hs_recurring_billing_period",
    "hs_recurring_billing_start_date",
    "hs_product_id",
    "hs_object_id",
    "createdate",
];
/// Ids one batch read may carry (HubSpot's limit).
const BATCH_READ_LIMIT: usize = 100;
/// Association pages followed at most (500 ids a page).
const MAX_ASSOCIATION_PAGES: usize = 4;

/// A deal as read from HubSpot: its and its company's properties, and its line items'.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DealRecord {
    pub fields: BTreeMap<String, String>,
    pub line_items: Vec<BTreeMap<String, String>>,
}

/// The v3 signature of a request.
pub fn signature_v3(secret: &str, method: &str, uri: &str, body: &[u8], timestamp: &str) -> String {
    // HMAC accepts a key of any length, so this cannot fail; an empty MAC would never match.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(method.as_bytes());
    mac.update(uri.as_bytes());
    mac.update(body);
    mac.update(timestamp.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether the request is signed with `secret` for one of the URIs it may have been sent to
/// (behind a proxy revops cannot know whether the CRM used http or https), at a time close to
/// `now_ms`. The comparison does not stop at the first differing byte.
pub fn verify(
    secret: &str,
    method: &str,
    uris: &[String],
    body: &[u8],
    timestamp: &str,
    signature: &str,
    now_ms: i64,
) -> Result<(), String> {
    let sent: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| "X-HubSpot-Request-Timestamp is not a number of milliseconds".to_string())?;
    if (now_ms - sent).abs() > MAX_SKEW_MILLISECONDS {
        return Err("the request's timestamp is more than five minutes from now".into());
    }
    let matches = uris.iter().any(|uri| {
        crate::auth::api_key::same_hash(
            &signature_v3(secret, method, uri, body, timestamp),
            signature.trim(),
        )
    });
    if matches {
        Ok(())
    } else {
        Err("the X-HubSpot-Signature-v3 does not match".into())
    }
}

/// One webhook event of the batch (only what intake reads).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    pub event_id: Value,
    pub subscription_type: String,
    pub object_id: Value,
    #[serde(default)]
    pub property_name: Option<String>,
}

impl WebhookEvent {
    pub fn is_deal(&self) -> bool {
        matches!(
            self.subscription_type.as_str(),
            "deal.creation" | "deal.propertyChange"
        )
    }

    fn text(value: &Value) -> String {
        match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        }
    }

    pub fn event_id(&self) -> String {
        Self::text(&self.event_id)
    }

    pub fn deal_id(&self) -> String {
        Self::text(&self.object_id)
    }
}

/// Reads a webhook batch; the error says what is wrong with it.
pub fn parse_batch(body: &[u8]) -> Result<Vec<(WebhookEvent, Value)>, String> {
    let raw: Vec<Value> = serde_json::from_slice(body).map_err(|error| {
        format!("not a HubSpot webhook batch (a JSON array of events): {error}")
    })?;
    if raw.len() > MAX_EVENTS {
        return Err(format!("more than {MAX_EVENTS} events in one request"));
    }
    raw.into_iter()
        .enumerate()
        .map(|(index, value)| {
            serde_json::from_value::<WebhookEvent>(value.clone())
                .map(|event| (event, value))
                .map_err(|error| format!("event {index}: {error}"))
        })
        .collect()
}

/// Reads `path` of the HubSpot API as JSON.
async fn get(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
    path: &str,
) -> AppResult<Value> {
    call(client, base_url, token, path, None).await
}

/// GETs `path`, or POSTs `body` to it, and reads the answer as JSON.
async fn call(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
    path: &str,
    body: Option<&Value>,
) -> AppResult<Value> {
    let url = format!("{}{path}", base_url.trim_end_matches('/'));
    let request = match body {
        Some(body) => client.post(&url).json(body),
        None => client.get(&url),
    };
    let response = request.bearer_auth(token).send().await.map_err(|error| {
        AppError::Conflict(format!(
            "HubSpot could not be reached ({error}); replay the event later."
        ))
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(AppError::Conflict(format!(
            "HubSpot answered {status} for {path}; check the connector's token, then replay."
        )));
    }
    response.json().await.map_err(|error| {
        AppError::Conflict(format!("HubSpot's answer for {path} was not JSON: {error}"))
    })
}

/// The deal's properties, its first associated company's as `company.<property>` (the fields a
/// connector's mapping reads), and its line items' properties.
pub async fn deal_record(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
    deal_id: &str,
) -> AppResult<DealRecord> {
    let fields = deal_fields(client, base_url, token, deal_id).await?;
    let line_items = line_items(client, base_url, token, deal_id).await?;
    Ok(DealRecord { fields, line_items })
}

/// Of a deal's contacts, the one whose association carries a label naming billing (a HubSpot
/// association label such as "Billing contact" or "Billing", read through associations v4,
/// case-insensitively); `None` when no association is so labelled.
async fn billing_contact(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
    deal_id: &str,
) -> AppResult<Option<String>> {
    let page = get(
        client,
        base_url,
        token,
        &format!("/crm/v4/objects/deals/{deal_id}/associations/contacts?limit=500"),
    )
    .await?;
    Ok(labelled_billing(&page))
}

/// The first association in a v4 associations page labelled as billing.
fn labelled_billing(page: &Value) -> Option<String> {
    page["results"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|result| {
            result["associationTypes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|kind| kind["label"].as_str())
                .any(|label| label.to_lowercase().contains("billing"))
        })
        .and_then(object_id)
}

/// The id an associations v4 result points to (`toObjectId`, a number or a string).
fn object_id(result: &Value) -> Option<String> {
    match &result["toObjectId"] {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The ids of the deal's line items (associations v4, `toObjectId`), then their properties in
/// batches (`POST /crm/v3/objects/line_items/batch/read`), in the order HubSpot lists them.
async fn line_items(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
    deal_id: &str,
) -> AppResult<Vec<BTreeMap<String, String>>> {
    let mut ids: Vec<String> = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..MAX_ASSOCIATION_PAGES {
        let mut path = format!("/crm/v4/objects/deals/{deal_id}/associations/line_items?limit=500");
        if let Some(cursor) = &after {
            path.push_str(&format!("&after={cursor}"));
        }
        let page = get(client, base_url, token, &path).await?;
        for result in page["results"].as_array().into_iter().flatten() {
            if let Some(id) = object_id(result).filter(|id| !ids.contains(id)) {
                ids.push(id);
            }
        }
        after = page["paging"]["next"]["after"].as_str().map(str::to_string);
        if after.is_none() {
            break;
        }
    }
    if after.is_some() {
        return Err(AppError::Conflict(format!(
            "HubSpot deal {deal_id} has more than {} line items; enter it by hand.",
            MAX_ASSOCIATION_PAGES * 500
        )));
    }
    let mut read: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for chunk in ids.chunks(BATCH_READ_LIMIT) {
        let body = serde_json::json!({
            "properties": LINE_ITEM_PROPERTIES,
            "inputs": chunk.iter().map(|id| serde_json::json!({ "id": id })).collect::<Vec<_>>(),
        });
        let answer = call(
            client,
            base_url,
            token,
            "/crm/v3/objects/line_items/batch/read",
            Some(&body),
        )
        .await?;
        for result in answer["results"].as_array().into_iter().flatten() {
            if let Some(id) = result["id"].as_str() {
                let mut properties = properties(result, "");
                properties
                    .entry("hs_object_id".into())
                    .or_insert_with(|| id.to_string());
                read.insert(id.to_string(), properties);
            }
        }
    }
    let missing: Vec<&str> = ids
        .iter()
        .filter(|id| !read.contains_key(*id))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(AppError::Conflict(format!(
            "HubSpot did not return line item(s) {} of deal {deal_id}; replay the event later.",
            missing.join(", ")
        )));
    }
    Ok(ids.iter().filter_map(|id| read.remove(id)).collect())
}

/// The deal's properties, its first associated company's as `company.<property>`, and its
/// billing contact's as `contact.<property>` (with `contact.name`, first and last name): the
/// only contact, or of several the one whose association the deal labels as billing (see
/// `billing_contact`), else the first.
async fn deal_fields(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
    deal_id: &str,
) -> AppResult<BTreeMap<String, String>> {
    let deal = get(
        client,
        base_url,
        token,
        &format!(
            "/crm/v3/objects/deals/{deal_id}?properties={DEAL_PROPERTIES}&associations=companies,contacts"
        ),
    )
    .await?;
    let mut fields = properties(&deal, "");
    let company_id = deal["associations"]["companies"]["results"][0]["id"]
        .as_str()
        .map(str::to_string);
    if let Some(company_id) = company_id {
        let company = get(
            client,
            base_url,
            token,
            &format!("/crm/v3/objects/companies/{company_id}?properties={COMPANY_PROPERTIES}"),
        )
        .await?;
        fields.extend(properties(&company, "company."));
        fields
            .entry("company.hs_object_id".into())
            .or_insert(company_id);
    }
    let contact_ids: Vec<String> = deal["associations"]["contacts"]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|result| result["id"].as_str().map(str::to_string))
        .collect();
    let contact_id = match contact_ids.as_slice() {
        [] => None,
        [only] => Some(only.clone()),
        // Several contacts: the one the deal labels as its billing contact, else the first.
        [first, ..] => Some(
            billing_contact(client, base_url, token, deal_id)
                .await?
                .unwrap_or_else(|| first.clone()),
        ),
    };
    if let Some(contact_id) = contact_id {
        let contact = get(
            client,
            base_url,
            token,
            &format!("/crm/v3/objects/contacts/{contact_id}?properties={CONTACT_PROPERTIES}"),
        )
        .await?;
        let contact = properties(&contact, "contact.");
        let name = ["contact.firstname", "contact.lastname"]
            .iter()
            .filter_map(|key| contact.get(*key).map(|part| part.trim()))
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        fields.extend(contact);
        if !name.is_empty() {
            fields.insert("contact.name".into(), name);
        }
    }
    fields
        .entry("hs_object_id".into())
        .or_insert_with(|| deal_id.to_string());
    Ok(fields)
}

fn properties(object: &Value, prefix: &str) -> BTreeMap<String, String> {
    object["properties"]
        .as_object()
        .map(|properties| {
            properties
                .iter()
                .filter_map(|(name, value)| match value {
                    Value::String(text) => Some((format!("{prefix}{name}"), text.clone())),
                    Value::Number(number) => Some((format!("{prefix}{name}"), number.to_string())),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contact_labelled_billing_is_the_billing_contact() {
        let page = serde_json::json!({ "results": [
            { "toObjectId": 3001, "associationTypes": [{ "category": "HUBSPOT_DEFINED", "typeId": 3, "label": null }] },
            { "toObjectId": 3002, "associationTypes": [
                { "category": "HUBSPOT_DEFINED", "typeId": 3, "label": null },
                { "category": "USER_DEFINED", "typeId": 41, "label": "Billing contact" }
            ] }
        ] });
        assert_eq!(labelled_billing(&page).as_deref(), Some("3002"));
        let unlabelled = serde_json::json!({ "results": [
            { "toObjectId": "3001", "associationTypes": [{ "label": "Decision maker" }] }
        ] });
        assert_eq!(labelled_billing(&unlabelled), None);
        assert_eq!(labelled_billing(&serde_json::json!({})), None);
    }

    /// HubSpot's documented v3 example: the signature of method + URI + body + timestamp.
    #[test]
    fn a_signed_request_verifies_and_a_changed_one_does_not() {
        let uri = "https://revops.example/api/intake/hubspot/acme".to_string();
        let body = br#"[{"eventId":1}]"#;
        let now = 1_765_000_000_000_i64;
        let timestamp = now.to_string();
        let signature = signature_v3("client-secret", "POST", &uri, body, &timestamp);
        assert!(verify(
            "client-secret",
            "POST",
            std::slice::from_ref(&uri),
            body,
            &timestamp,
            &signature,
            now
        )
        .is_ok());
        assert!(verify(
            "other-secret",
            "POST",
            std::slice::from_ref(&uri),
            body,
            &timestamp,
            &signature,
            now
        )
        .is_err());
        assert!(verify(
            "client-secret",
            "POST",
            std::slice::from_ref(&uri),
            br#"[{"eventId":2}]"#,
            &timestamp,
            &signature,
            now
        )
        .is_err());
        let late = now + MAX_SKEW_MILLISECONDS + 1;
        assert!(verify(
            "client-secret",
            "POST",
            &[uri],
            body,
            &timestamp,
            &signature,
            late
        )
        .is_err_and(|reason| reason.contains("five minutes")));
    }

    /// Deal events are told from others, ids read whether numbers or strings.
    #[test]
    fn reads_a_webhook_batch() -> Result<(), String> {
        let batch = parse_batch(br#"[{"eventId":100,"subscriptionId":7,"portalId":62515,"occurredAt":1765000000000,"subscriptionType":"deal.propertyChange","attemptNumber":0,"objectId":1234,"propertyName":"dealstage","propertyValue":"closedwon","changeSource":"CRM"},{"eventId":"101","subscriptionType":"contact.creation","objectId":9}]"#)?;
        assert_eq!(batch.len(), 2);
        assert!(batch[0].0.is_deal());
        assert_eq!(batch[0].0.event_id(), "100");
        assert_eq!(batch[0].0.deal_id(), "1234");
        assert!(!batch[1].0.is_deal());
        assert!(parse_batch(b"{}").is_err());
        Ok(())
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    proptest! {
        #[test]
        fn any_bytes_are_a_batch_or_a_reason(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            // Proves arbitrary bodies never panic the webhook reader.
            match parse_batch(&bytes) {
                Ok(batch) => prop_assert!(batch.len() <= MAX_EVENTS),
                Err(reason) => prop_assert!(!reason.is_empty()),
            }
        }

        #[test]
        fn any_array_of_values_names_the_bad_event(
            values in proptest::collection::vec(
                prop_oneof![
                    Just(json!({"eventId": 1, "subscriptionType": "deal.creation", "objectId": 2})),
                    Just(json!({"eventId": "x"})),
                    Just(json!([])),
                    Just(json!(null)),
                    any::<i64>().prop_map(|number| json!({"eventId": number, "subscriptionType": number, "objectId": number})),
                    "\\PC{0,10}".prop_map(|text| json!({"eventId": text, "subscriptionType": text, "objectId": text})),
                ],
                0..8,
            ),
        ) {
            // Proves a batch with a malformed event is refused naming that event's index.
            let body = serde_json::to_vec(&values).map_err(|error| TestCaseError::fail(error.to_string()))?;
            match parse_batch(&body) {
                Ok(batch) => prop_assert_eq!(batch.len(), values.len()),
                Err(reason) => prop_assert!(reason.starts_with("event "), "{}", reason),
            }
        }

        #[test]
        fn written_batches_read_back(
            events in proptest::collection::vec(
                (any::<u64>(), any::<bool>(), any::<u64>(), prop::sample::select(vec!["deal.creation", "deal.propertyChange", "contact.creation", "company.deletion"])),
                0..10,
            ),
        ) {
            // Proves the ids and types HubSpot sends (numbers or strings) read back as sent.
            let body: Vec<Value> = events
                .iter()
                .map(|(event_id, as_text, object_id, kind)| {
                    let id = if *as_text { json!(event_id.to_string()) } else { json!(event_id) };
                    json!({ "eventId": id, "subscriptionType": kind, "objectId": object_id, "portalId": 62515 })
                })
                .collect();
            let batch = parse_batch(&serde_json::to_vec(&body).map_err(|error| TestCaseError::fail(error.to_string()))?)
                .map_err(TestCaseError::fail)?;
            prop_assert_eq!(batch.len(), events.len());
            for ((event, _), (event_id, _, object_id, kind)) in batch.iter().zip(&events) {
                prop_assert_eq!(event.event_id(), event_id.to_string());
                prop_assert_eq!(event.deal_id(), object_id.to_string());
                prop_assert_eq!(event.is_deal(), kind.starts_with("deal."));
            }
        }
    }
}
