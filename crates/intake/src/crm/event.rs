//! The closed-won notification any CRM can send (`POST /api/intake/deals`), and how its fields
//! are laid over the intake form: fields the CRM sends replace the form's, fields it leaves out
//! keep what revops already has (a VP RevOps may have completed them by hand).

use crate::customers::{Address, Contact, PaymentTerms};
use crate::deals::{BillingFrequency, DealInput, DealLineInput, RevenueRecognitionType};
use crate::error::{AppError, AppResult};
use crate::values::{IsoDate, MoneyInput};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The largest notification accepted (DESIGN law 7).
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

/// One notification: an opportunity, its account and the deal's terms.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealEvent {
    /// The CRM's id of this notification; a resend with the same id is recognised. When absent,
    /// the SHA-256 of the body stands in, so an identical resend is still recognised.
    pub event_id: Option<String>,
    /// The CRM opportunity; one deal per opportunity.
    pub opportunity_id: String,
    /// The opportunity's stage; only "closed won" (any case or spacing) makes or changes a deal.
    pub stage: Option<String>,
    pub account: Option<AccountPart>,
    #[serde(default)]
    pub deal: DealPart,
}

/// The CRM account: found by `externalRef`, created when every master field is given.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountPart {
    pub external_ref: String,
    pub legal_name: Option<String>,
    pub billing_address: Option<Address>,
    pub billing_contact: Option<Contact>,
    pub billing_currency: Option<String>,
    pub tax_registration_number: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealPart {
    pub product_name: Option<String>,
    pub tcv: Option<MoneyInput>,
    pub arr: Option<MoneyInput>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub billing_frequency: Option<BillingFrequency>,
    pub payment_terms: Option<PaymentTerms>,
    pub billing_currency: Option<String>,
    pub po_required: Option<bool>,
    pub po_number: Option<String>,
    pub tax_jurisdiction: Option<String>,
    pub tax_exempt: Option<bool>,
    pub tax_exemption_certificate: Option<String>,
    pub revenue_recognition_type: Option<RevenueRecognitionType>,
    pub invoiced_legal_entity: Option<String>,
    pub billing_contact: Option<Contact>,
    /// The owner's e-mail; the deal is assigned to the revops user with it.
    pub owner_email: Option<String>,
    /// The deal's line items; what they give the form is in `lines.rs`.
    #[serde(default)]
    pub line_items: Vec<super::lines::LineItemPart>,
    /// The line items read into deal lines (`lines::apply`); never sent.
    #[serde(skip)]
    pub lines: Option<Vec<DealLineInput>>,
}

/// Reads a notification; a malformed one is a validation error naming the path of the field.
pub fn parse(body: &[u8]) -> AppResult<DealEvent> {
    if body.len() > MAX_EVENT_BYTES {
        return Err(AppError::Limit(format!(
            "A notification is at most {} KB.",
            MAX_EVENT_BYTES / 1024
        )));
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    let event: DealEvent = serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        AppError::validation(field, error.inner().to_string())
    })?;
    if event.opportunity_id.trim().is_empty() {
        return Err(AppError::validation(
            "opportunityId",
            "The CRM opportunity id is required.",
        ));
    }
    Ok(event)
}

/// Whether the stage is closed won ("Closed Won", "closed_won", "closedwon"); no stage means it is.
pub fn is_closed_won(stage: Option<&str>) -> bool {
    stage.is_none_or(|stage| {
        stage
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .eq_ignore_ascii_case("closedwon")
    })
}

/// One field a notification changed: its name and both values as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub from: String,
    pub to: String,
}

/// Lays `part` over `input`, returning the fields whose value changed.
pub fn overlay(input: &mut DealInput, part: &DealPart, assigned_ae_id: Option<i64>) -> Vec<Change> {
    let mut changes = Vec::new();
    fn set<T: PartialEq + Clone + std::fmt::Debug>(
        changes: &mut Vec<Change>,
        field: &str,
        slot: &mut T,
        value: Option<T>,
    ) {
        if let Some(value) = value {
            if *slot != value {
                changes.push(Change {
                    field: field.into(),
                    from: format!("{slot:?}"),
                    to: format!("{value:?}"),
                });
                *slot = value;
            }
        }
    }
    let money = |value: &Option<MoneyInput>| value.clone().map(Some);
    set(
        &mut changes,
        "productName",
        &mut input.product_name,
        part.product_name.clone().map(Some),
    );
    set(&mut changes, "tcv", &mut input.tcv, money(&part.tcv));
    set(&mut changes, "arr", &mut input.arr, money(&part.arr));
    set(
        &mut changes,
        "startDate",
        &mut input.start_date,
        part.start_date.map(|date| Some(IsoDate(date))),
    );
    set(
        &mut changes,
        "endDate",
        &mut input.end_date,
        part.end_date.map(|date| Some(IsoDate(date))),
    );
    set(
        &mut changes,
        "billingFrequency",
        &mut input.billing_frequency,
        part.billing_frequency.map(Some),
    );
    set(
        &mut changes,
        "paymentTerms",
        &mut input.payment_terms,
        part.payment_terms.map(Some),
    );
    set(
        &mut changes,
        "billingCurrency",
        &mut input.billing_currency,
        part.billing_currency.clone().map(Some),
    );
    set(
        &mut changes,
        "poRequired",
        &mut input.po_required,
        part.po_required,
    );
    set(
        &mut changes,
        "poNumber",
        &mut input.po_number,
        part.po_number.clone().map(Some),
    );
    set(
        &mut changes,
        "taxJurisdiction",
        &mut input.tax_jurisdiction,
        part.tax_jurisdiction.clone().map(Some),
    );
    set(
        &mut changes,
        "taxExempt",
        &mut input.tax_exempt,
        part.tax_exempt,
    );
    set(
        &mut changes,
        "taxExemptionCertificate",
        &mut input.tax_exemption_certificate,
        part.tax_exemption_certificate.clone().map(Some),
    );
    set(
        &mut changes,
        "revenueRecognitionType",
        &mut input.revenue_recognition_type,
        part.revenue_recognition_type.map(Some),
    );
    set(
        &mut changes,
        "invoicedLegalEntity",
        &mut input.invoiced_legal_entity,
        part.invoiced_legal_entity.clone().map(Some),
    );
    set(
        &mut changes,
        "billingContact",
        &mut input.billing_contact,
        part.billing_contact.clone().map(Some),
    );
    set(
        &mut changes,
        "assignedAeId",
        &mut input.assigned_ae_id,
        assigned_ae_id.map(|id| Some(async_graphql::ID(id.to_string()))),
    );
    if let Some(lines) = &part.lines {
        changes.extend(overlay_lines(input, lines));
    }
    changes
}

/// Lays the CRM's lines over the form's; the change, when they differ.
fn overlay_lines(input: &mut DealInput, lines: &[DealLineInput]) -> Option<Change> {
    let merged = merge_lines(&input.lines, lines);
    if merged == input.lines {
        return None;
    }
    let change = Change {
        field: "lines".into(),
        from: describe_lines(&input.lines),
        to: describe_lines(&merged),
    };
    input.lines = merged;
    Some(change)
}

/// The CRM's lines, keeping what revops added to a line the CRM cannot say: the kind chosen for
/// a one-time line and its own dates. A line is the same line when it has the same CRM
/// reference, or (without references) the same product at the same place.
fn merge_lines(existing: &[DealLineInput], incoming: &[DealLineInput]) -> Vec<DealLineInput> {
    incoming
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let same = existing
                .iter()
                .enumerate()
                .find(|(at, old)| match &line.reference {
                    Some(reference) => old.reference.as_ref() == Some(reference),
                    None => *at == index && old.product_name == line.product_name,
                });
            let mut line = line.clone();
            if let Some((_, old)) = same {
                line.kind = line.kind.or(old.kind);
                line.start_date = line.start_date.or(old.start_date);
                line.end_date = line.end_date.or(old.end_date);
            }
            line
        })
        .collect()
}

/// The lines in a few words each, for the record of what a notification changed.
fn describe_lines(lines: &[DealLineInput]) -> String {
    if lines.is_empty() {
        return "no lines".into();
    }
    lines
        .iter()
        .map(|line| {
            format!(
                "{} × {} at {} {}",
                line.product_name,
                line.quantity.as_deref().unwrap_or("1"),
                line.unit_price.amount,
                line.unit_price.currency
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stages are matched however the CRM spells closed won.
    #[test]
    fn closed_won_in_any_spelling() {
        assert!(is_closed_won(None));
        assert!(is_closed_won(Some("Closed Won")));
        assert!(is_closed_won(Some("closed_won")));
        assert!(!is_closed_won(Some("Negotiation")));
        assert!(!is_closed_won(Some("Closed Lost")));
    }

    /// A malformed notification names the field by its path.
    #[test]
    fn a_bad_field_is_named_by_path() {
        let error = parse(br#"{"opportunityId":"006A","deal":{"startDate":"next week"}}"#).err();
        assert!(
            matches!(error, Some(AppError::Validation { field, .. }) if field == "deal.startDate")
        );
        let error = parse(br#"{"opportunityId":" "}"#).err();
        assert!(
            matches!(error, Some(AppError::Validation { field, .. }) if field == "opportunityId")
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    /// A JSON value of any shape, a few levels deep.
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|number| json!(number)),
            "\\PC{0,20}".prop_map(Value::from),
            prop::sample::select(vec![
                "2026-12-01",
                "annually",
                "net_30",
                "ratable",
                "USD",
                "360000.00"
            ])
            .prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map(
                    prop::sample::select(vec![
                        "eventId",
                        "opportunityId",
                        "stage",
                        "account",
                        "deal",
                        "externalRef",
                        "productName",
                        "tcv",
                        "amount",
                        "currency",
                        "startDate",
                        "endDate",
                        "billingFrequency",
                        "lineItems",
                        "quantity",
                        "unitPrice",
                        "term",
                    ])
                    .prop_map(str::to_owned),
                    inner,
                    0..5,
                )
                .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_bytes_are_an_event_or_a_named_refusal(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            // Proves the JSON intake never panics on arbitrary bytes: it reads an event with an
            // opportunity id, or refuses with VALIDATION naming a field path, or LIMIT.
            match parse(&bytes) {
                Ok(event) => prop_assert!(!event.opportunity_id.trim().is_empty()),
                Err(AppError::Validation { field, message }) => {
                    prop_assert!(!field.is_empty() && !message.is_empty());
                }
                Err(other) => prop_assert_eq!(other.code(), "LIMIT"),
            }
        }

        #[test]
        fn any_json_shape_is_an_event_or_names_the_field(deal in any_json(), opportunity in any_json()) {
            // Proves structured nonsense (wrong types, unknown enums, nested garbage) under the
            // real field names is refused naming the field's path, never a panic.
            let body = json!({ "opportunityId": opportunity, "deal": deal }).to_string();
            match parse(body.as_bytes()) {
                Ok(event) => prop_assert!(!event.opportunity_id.trim().is_empty()),
                Err(AppError::Validation { field, .. }) => {
                    prop_assert!(
                        field == "body" || field.starts_with("deal") || field.starts_with("opportunityId"),
                        "{}", field
                    );
                }
                Err(other) => prop_assert!(false, "{:?}", other),
            }
        }

        #[test]
        fn written_events_read_back(
            opportunity in "[A-Za-z0-9]{1,18}",
            event_id in proptest::option::of("[a-z0-9-]{1,20}"),
            product in proptest::option::of("\\PC{1,30}"),
            amount in -1_000_000_000_000i64..1_000_000_000_000,
            days in 0i64..20_000,
            owner in proptest::option::of("[a-z]{1,8}@[a-z]{1,8}\\.example"),
        ) {
            // Proves the fields a CRM writes read back exactly as sent.
            let start = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default() + chrono::Duration::days(days);
            let tcv = format!("{}.{:02}", amount / 100, (amount % 100).abs());
            let body = json!({
                "eventId": event_id, "opportunityId": opportunity, "stage": "Closed Won",
                "deal": { "productName": product, "tcv": { "amount": tcv, "currency": "USD" },
                          "startDate": start.to_string(), "ownerEmail": owner }
            });
            let event = parse(body.to_string().as_bytes()).map_err(|error| TestCaseError::fail(error.message()))?;
            prop_assert_eq!(event.opportunity_id, opportunity);
            prop_assert_eq!(event.event_id, event_id);
            prop_assert_eq!(event.deal.product_name, product);
            prop_assert_eq!(event.deal.start_date, Some(start));
            prop_assert_eq!(event.deal.owner_email, owner);
            prop_assert_eq!(event.deal.tcv.map(|tcv| tcv.amount), Some(tcv));
        }
    }
}
