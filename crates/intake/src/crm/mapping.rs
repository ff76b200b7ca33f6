//! A connector's field mapping: which CRM field fills which intake field, how CRM values read as
//! revops values (stages, frequencies, terms), and the currency of bare amounts. Applying it to
//! a CRM record gives the same JSON notification `POST /api/intake/deals` takes, so every CRM
//! goes through one parser and one processing path.

use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The intake fields a CRM field may fill (the paths of the JSON notification).
pub const TARGETS: &[&str] = &[
    "opportunityId",
    "stage",
    "account.externalRef",
    "account.legalName",
    "deal.productName",
    "deal.tcv",
    "deal.arr",
    "deal.currency",
    "deal.startDate",
    "deal.endDate",
    "deal.billingFrequency",
    "deal.paymentTerms",
    "deal.poNumber",
    "deal.taxJurisdiction",
    "deal.ownerEmail",
    "deal.billingContact.name",
    "deal.billingContact.email",
    "deal.billingContact.phone",
];

/// The line item fields a CRM line item property may fill (`deal.lineItems[]` of the JSON
/// notification).
pub const LINE_TARGETS: &[&str] = &[
    "reference",
    "productName",
    "productRef",
    "quantity",
    "unitPrice",
    "amount",
    "currency",
    "billingFrequency",
    "startDate",
    "term",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mapping {
    /// CRM field name → intake field (one of `TARGETS`).
    pub fields: BTreeMap<String, String>,
    /// Intake field → CRM value → revops value (e.g. billingFrequency: "Annual" → "annually").
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// Stage names that mean closed won.
    pub closed_won_stages: Vec<String>,
    /// ISO 4217 currency of amounts when no field gives one.
    pub currency: String,
    /// CRM line item property → line item field (one of `LINE_TARGETS`); value tables for them
    /// are under `values` as `lineItems.<field>`. Mappings saved before line items were read
    /// get HubSpot's standard properties.
    #[serde(default = "hubspot_line_item_fields")]
    pub line_item_fields: BTreeMap<String, String>,
}

/// HubSpot's standard line item properties (CRM v3 `line_items`).
pub fn hubspot_line_item_fields() -> BTreeMap<String, String> {
    [
        ("hs_object_id", "reference"),
        ("name", "productName"),
        ("hs_product_id", "productRef"),
        ("quantity", "quantity"),
        ("price", "unitPrice"),
        ("amount", "amount"),
        ("recurringbillingfrequency", "billingFrequency"),
        ("hs_recurring_billing_start_date", "startDate"),
        ("hs_recurring_billing_period", "term"),
    ]
    .iter()
    .map(|(from, to)| (from.to_string(), to.to_string()))
    .collect()
}

impl Mapping {
    /// The mapping of a standard Salesforce Opportunity with the usual custom fields.
    pub fn salesforce_default() -> Mapping {
        let fields = [
            ("Id", "opportunityId"),
            ("StageName", "stage"),
            ("AccountId", "account.externalRef"),
            ("Name", "deal.productName"),
            ("Amount", "deal.tcv"),
            ("CurrencyIsoCode", "deal.currency"),
            ("ARR__c", "deal.arr"),
            ("Contract_Start_Date__c", "deal.startDate"),
            ("Contract_End_Date__c", "deal.endDate"),
            ("Billing_Frequency__c", "deal.billingFrequency"),
            ("Payment_Terms__c", "deal.paymentTerms"),
            ("PO_Number__c", "deal.poNumber"),
            ("Owner_Email__c", "deal.ownerEmail"),
        ];
        let values = [
            (
                "deal.billingFrequency",
                vec![
                    ("Monthly", "monthly"),
                    ("Quarterly", "quarterly"),
                    ("Annual", "annually"),
                    ("Annually", "annually"),
                    ("Milestone", "milestone"),
                    ("Time and Materials", "time_and_materials"),
                ],
            ),
            (
                "deal.paymentTerms",
                vec![
                    ("Net 15", "net_15"),
                    ("Net 30", "net_30"),
                    ("Net 45", "net_45"),
                    ("Net 60", "net_60"),
                    ("Due on receipt", "upfront"),
                    ("Upfront", "upfront"),
                ],
            ),
        ];
        Mapping {
            fields: fields
                .iter()
                .map(|(from, to)| (from.to_string(), to.to_string()))
                .collect(),
            values: values
                .into_iter()
                .map(|(field, pairs)| {
                    (
                        field.to_string(),
                        pairs
                            .into_iter()
                            .map(|(from, to)| (from.to_string(), to.to_string()))
                            .collect(),
                    )
                })
                .collect(),
            closed_won_stages: vec!["Closed Won".into()],
            currency: "USD".into(),
            line_item_fields: BTreeMap::new(),
        }
    }

    /// The mapping of HubSpot's standard deal and company properties.
    pub fn hubspot_default() -> Mapping {
        let fields = [
            ("hs_object_id", "opportunityId"),
            ("dealstage", "stage"),
            ("dealname", "deal.productName"),
            ("amount", "deal.tcv"),
            ("deal_currency_code", "deal.currency"),
            ("company.hs_object_id", "account.externalRef"),
            ("company.name", "account.legalName"),
            ("contact.name", "deal.billingContact.name"),
            ("contact.email", "deal.billingContact.email"),
            ("contact.phone", "deal.billingContact.phone"),
        ];
        Mapping {
            fields: fields
                .iter()
                .map(|(from, to)| (from.to_string(), to.to_string()))
                .collect(),
            values: BTreeMap::new(),
            closed_won_stages: vec!["closedwon".into()],
            currency: "USD".into(),
            line_item_fields: hubspot_line_item_fields(),
        }
    }

    /// Checks an edited mapping; errors name the field of the mapping.
    pub fn validated(self) -> AppResult<Mapping> {
        for (from, to) in &self.fields {
            if !TARGETS.contains(&to.as_str()) {
                return Err(AppError::validation(
                    format!("mapping.fields.{from}"),
                    format!(
                        "\"{to}\" is not an intake field; use one of {}.",
                        TARGETS.join(", ")
                    ),
                ));
            }
        }
        for (from, to) in &self.line_item_fields {
            if !LINE_TARGETS.contains(&to.as_str()) {
                return Err(AppError::validation(
                    format!("mapping.lineItemFields.{from}"),
                    format!(
                        "\"{to}\" is not a line item field; use one of {}.",
                        LINE_TARGETS.join(", ")
                    ),
                ));
            }
        }
        if !self.fields.values().any(|to| to == "opportunityId") {
            return Err(AppError::validation(
                "mapping.fields",
                "One CRM field must map to opportunityId.",
            ));
        }
        crate::values::parse_currency("mapping.currency", &self.currency)?;
        Ok(self)
    }

    /// The JSON notification for one CRM record (`fields` by CRM name) and its line items (each
    /// a line item's properties by CRM name), with `event_id`.
    pub fn notification(
        &self,
        event_id: &str,
        fields: &BTreeMap<String, String>,
        line_items: &[BTreeMap<String, String>],
    ) -> Value {
        let mut mapped: BTreeMap<&str, String> = BTreeMap::new();
        for (from, to) in &self.fields {
            let Some(value) = fields
                .get(from)
                .map(|value| value.trim())
                .filter(|value| !value.is_empty())
            else {
                continue;
            };
            let value = self
                .values
                .get(to)
                .and_then(|table| table.get(value))
                .cloned()
                .unwrap_or_else(|| value.to_string());
            mapped.insert(to.as_str(), value);
        }
        let currency = mapped
            .get("deal.currency")
            .cloned()
            .unwrap_or_else(|| self.currency.clone());
        let stage = mapped.get("stage").map(|stage| {
            if self
                .closed_won_stages
                .iter()
                .any(|won| won.eq_ignore_ascii_case(stage))
            {
                "closed_won".to_string()
            } else {
                stage.clone()
            }
        });
        let mut account = Map::new();
        let mut deal = Map::new();
        let mut contact = Map::new();
        for (path, value) in &mapped {
            match *path {
                "deal.billingContact.name"
                | "deal.billingContact.email"
                | "deal.billingContact.phone" => contact.insert(
                    path.trim_start_matches("deal.billingContact.").into(),
                    json!(value),
                ),
                "account.externalRef" => account.insert("externalRef".into(), json!(value)),
                "account.legalName" => account.insert("legalName".into(), json!(value)),
                "deal.tcv" | "deal.arr" => deal.insert(
                    path.trim_start_matches("deal.").into(),
                    json!({ "amount": amount_text(value), "currency": currency }),
                ),
                "deal.currency" => deal.insert("billingCurrency".into(), json!(value)),
                other if other.starts_with("deal.") => {
                    deal.insert(other.trim_start_matches("deal.").into(), json!(value))
                }
                _ => None,
            };
        }
        // A contact is a name and an e-mail; with either missing it stays a checklist gap.
        if contact.contains_key("name") && contact.contains_key("email") {
            deal.insert("billingContact".into(), Value::Object(contact));
        }
        let lines: Vec<Value> = line_items
            .iter()
            .map(|properties| self.line_item(properties, &currency))
            .collect();
        if !lines.is_empty() {
            deal.insert("lineItems".into(), Value::Array(lines));
        }
        let mut event = json!({
            "eventId": event_id,
            "opportunityId": mapped.get("opportunityId").cloned().unwrap_or_default(),
            "deal": Value::Object(deal),
        });
        if let Some(stage) = stage {
            event["stage"] = json!(stage);
        }
        if !account.is_empty() {
            event["account"] = Value::Object(account);
        }
        event
    }
}

impl Mapping {
    /// One line item of the JSON notification: its mapped properties as text (a value the
    /// intake cannot read becomes a gap there), in `currency` unless a property gives one.
    fn line_item(&self, properties: &BTreeMap<String, String>, currency: &str) -> Value {
        let mut line = Map::new();
        for (from, to) in &self.line_item_fields {
            let Some(value) = properties
                .get(from)
                .map(|value| value.trim())
                .filter(|value| !value.is_empty())
            else {
                continue;
            };
            let value = self
                .values
                .get(&format!("lineItems.{to}"))
                .and_then(|table| table.get(value))
                .cloned()
                .unwrap_or_else(|| value.to_string());
            let value = match to.as_str() {
                "unitPrice" | "amount" => amount_text(&value),
                _ => value,
            };
            line.insert(to.clone(), json!(value));
        }
        line.entry("currency").or_insert_with(|| json!(currency));
        Value::Object(line)
    }
}

/// CRMs send amounts as doubles ("360000.0", "1250.5"); revops takes decimal text. Trailing
/// zeros after the point are dropped so a currency's decimals are never exceeded by them.
fn amount_text(value: &str) -> String {
    match value.split_once('.') {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() {
                whole.to_string()
            } else {
                format!("{whole}.{fraction}")
            }
        }
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Salesforce Opportunity maps to the JSON notification, values translated.
    #[test]
    fn an_opportunity_maps_to_the_intake_notification() {
        let fields: BTreeMap<String, String> = [
            ("Id", "0065e00000Opp01AAA"),
            ("StageName", "Closed Won"),
            ("AccountId", "0015e00000Acc01AAA"),
            ("Amount", "360000.0"),
            ("Billing_Frequency__c", "Annual"),
            ("Payment_Terms__c", "Net 30"),
            ("Unmapped__c", "ignored"),
        ]
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
        let event = Mapping::salesforce_default().notification("04l-1", &fields, &[]);
        assert_eq!(event["opportunityId"], "0065e00000Opp01AAA");
        assert_eq!(event["stage"], "closed_won");
        assert_eq!(event["account"]["externalRef"], "0015e00000Acc01AAA");
        assert_eq!(
            event["deal"]["tcv"],
            json!({ "amount": "360000", "currency": "USD" })
        );
        assert_eq!(event["deal"]["billingFrequency"], "annually");
        assert_eq!(event["deal"]["paymentTerms"], "net_30");
    }

    /// HubSpot line item properties map to `deal.lineItems`, amounts as decimal text, in the
    /// deal's currency unless a property gives one; a bad line item field is named.
    #[test]
    fn hubspot_line_items_map_to_the_notifications_line_items() {
        let deal: BTreeMap<String, String> =
            [("hs_object_id", "1300"), ("deal_currency_code", "EUR")]
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect();
        let line: BTreeMap<String, String> = [
            ("hs_object_id", "9001"),
            ("name", "Platform seats"),
            ("quantity", "25"),
            ("price", "1200.0"),
            ("recurringbillingfrequency", "annually"),
            ("hs_recurring_billing_period", "P36M"),
            ("hs_lastmodifieddate", "ignored"),
        ]
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
        let event = Mapping::hubspot_default().notification("4101", &deal, &[line]);
        assert_eq!(
            event["deal"]["lineItems"],
            json!([{ "reference": "9001", "productName": "Platform seats", "quantity": "25", "unitPrice": "1200", "billingFrequency": "annually", "term": "P36M", "currency": "EUR" }])
        );
        let mut mapping = Mapping::hubspot_default();
        mapping
            .line_item_fields
            .insert("discount".into(), "rebate".into());
        assert!(matches!(
            mapping.validated().err(),
            Some(AppError::Validation { field, .. }) if field == "mapping.lineItemFields.discount"
        ));
    }

    /// A mapping to a field intake does not have is refused with the CRM field named.
    #[test]
    fn a_mapping_names_its_bad_field() {
        let mut mapping = Mapping::salesforce_default();
        mapping.fields.insert("Foo__c".into(), "deal.colour".into());
        let error = mapping.validated().err();
        assert!(
            matches!(error, Some(AppError::Validation { field, .. }) if field == "mapping.fields.Foo__c")
        );
    }
}
