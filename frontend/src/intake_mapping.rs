//! A connector's field mapping as the editor holds it: rows of CRM field → intake field, the
//! value tables (billing frequencies, payment terms, currencies), the stages that mean closed
//! won and the currency of bare amounts. It reads and writes the JSON `intakeConnectors` shows
//! and `intakeConnectorUpdate` takes, keeping any value table the editor does not show, and
//! checks what the server cannot see (a CRM field mapped twice collapses into one JSON key).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The intake fields a CRM field may fill, with their labels (the server's list, in its order).
pub const TARGETS: [(&str, &str); 18] = [
    ("opportunityId", "Opportunity id"),
    ("stage", "Stage"),
    ("account.externalRef", "Account external reference"),
    ("account.legalName", "Account legal name"),
    ("deal.productName", "Product name"),
    ("deal.tcv", "Total contract value (TCV)"),
    ("deal.arr", "Annual recurring revenue (ARR)"),
    ("deal.currency", "Currency"),
    ("deal.startDate", "Start date"),
    ("deal.endDate", "End date"),
    ("deal.billingFrequency", "Billing frequency"),
    ("deal.paymentTerms", "Payment terms"),
    ("deal.poNumber", "PO number"),
    ("deal.taxJurisdiction", "Tax jurisdiction"),
    ("deal.ownerEmail", "Owner e-mail"),
    ("deal.billingContact.name", "Billing contact name"),
    ("deal.billingContact.email", "Billing contact e-mail"),
    ("deal.billingContact.phone", "Billing contact phone"),
];

/// The intake field's label, or the path itself for one this page does not know.
pub fn target_label(target: &str) -> String {
    TARGETS
        .iter()
        .find(|(path, _)| *path == target)
        .map_or_else(|| target.to_string(), |(_, label)| label.to_string())
}

/// A value table the editor shows: the intake field it translates and what revops accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueTable {
    pub target: &'static str,
    pub title: &'static str,
    /// The revops values to choose from; empty means typed (a currency code).
    pub choices: &'static [(&'static str, &'static str)],
}

pub const VALUE_TABLES: [ValueTable; 3] = [
    ValueTable {
        target: "deal.billingFrequency",
        title: "Billing frequencies",
        choices: &[
            ("monthly", "Monthly"),
            ("quarterly", "Quarterly"),
            ("annually", "Annually"),
            ("milestone", "Milestone"),
            ("time_and_materials", "Time and materials"),
        ],
    },
    ValueTable {
        target: "deal.paymentTerms",
        title: "Payment terms",
        choices: &[
            ("upfront", "Upfront"),
            ("net_15", "Net 15"),
            ("net_30", "Net 30"),
            ("net_45", "Net 45"),
            ("net_60", "Net 60"),
        ],
    },
    ValueTable {
        target: "deal.currency",
        title: "Currencies",
        choices: &[],
    },
];

/// One row of CRM field → intake field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldRow {
    pub crm: String,
    pub target: String,
}

/// One row of a value table: the CRM's value → revops's value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValueRow {
    pub crm: String,
    pub revops: String,
}

/// The mapping as the server stores it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    fields: BTreeMap<String, String>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
    closed_won_stages: Vec<String>,
    currency: String,
    /// CRM line item property → line item field; not edited here, sent back unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line_item_fields: Option<BTreeMap<String, String>>,
}

/// The whole mapping in editable rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MappingDraft {
    pub fields: Vec<FieldRow>,
    /// One list per entry of `VALUE_TABLES`, in that order.
    pub tables: Vec<Vec<ValueRow>>,
    pub closed_won_stages: Vec<String>,
    pub currency: String,
    /// Value tables for intake fields the editor does not show, sent back unchanged.
    kept_tables: BTreeMap<String, BTreeMap<String, String>>,
    /// The line item mapping, which the editor does not show, sent back unchanged.
    kept_line_item_fields: Option<BTreeMap<String, String>>,
}

/// A problem found before saving, keyed like the server's errors so it shows in the same place:
/// `mapping.fields.<row>`, `mapping.values.<table>.<row>`, `mapping.closedWonStages.<row>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftProblem {
    pub field: String,
    pub message: String,
}

impl MappingDraft {
    /// Reads the JSON the API shows; an unreadable one is the server's fault, named as such.
    pub fn parse(json: &str) -> Result<MappingDraft, String> {
        let wire: Wire = serde_json::from_str(json)
            .map_err(|error| format!("The saved mapping could not be read: {error}"))?;
        let mut values = wire.values;
        let tables = VALUE_TABLES
            .iter()
            .map(|table| {
                values
                    .remove(table.target)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(crm, revops)| ValueRow { crm, revops })
                    .collect()
            })
            .collect();
        Ok(MappingDraft {
            fields: wire
                .fields
                .into_iter()
                .map(|(crm, target)| FieldRow { crm, target })
                .collect(),
            tables,
            closed_won_stages: wire.closed_won_stages,
            currency: wire.currency,
            kept_tables: values,
            kept_line_item_fields: wire.line_item_fields,
        })
    }

    /// What the editor would save, or every problem found, each with the row it is about.
    pub fn to_json(&self) -> Result<String, Vec<DraftProblem>> {
        let mut problems = Vec::new();
        let mut fields = BTreeMap::new();
        for (index, row) in self.fields.iter().enumerate() {
            let crm = row.crm.trim();
            let at = format!("mapping.fields.{index}");
            if crm.is_empty() {
                problems.push(problem(
                    &at,
                    "Name the CRM field, e.g. StageName or Amount.",
                ));
            } else if row.target.is_empty() {
                problems.push(problem(&at, "Choose the intake field it fills."));
            } else if fields.insert(crm.to_string(), row.target.clone()).is_some() {
                problems.push(problem(
                    &at,
                    &format!("{crm} is already mapped above; a CRM field fills one intake field."),
                ));
            }
        }
        let mut values = self.kept_tables.clone();
        for (table, rows) in VALUE_TABLES.iter().zip(&self.tables) {
            let checked = table_values(table, rows, &mut problems);
            if !checked.is_empty() {
                values.insert(table.target.to_string(), checked);
            }
        }
        let stages: Vec<String> = self
            .closed_won_stages
            .iter()
            .map(|stage| stage.trim().to_string())
            .collect();
        for (index, stage) in stages.iter().enumerate() {
            if stage.is_empty() {
                problems.push(problem(
                    &format!("mapping.closedWonStages.{index}"),
                    "Type the stage name as the CRM spells it, or remove the row.",
                ));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let wire = Wire {
            fields,
            values,
            closed_won_stages: stages,
            currency: self.currency.trim().to_ascii_uppercase(),
            line_item_fields: self.kept_line_item_fields.clone(),
        };
        serde_json::to_string(&wire).map_err(|error| vec![problem("mapping", &error.to_string())])
    }
}

fn problem(field: &str, message: &str) -> DraftProblem {
    DraftProblem {
        field: field.to_string(),
        message: message.to_string(),
    }
}

/// One value table as the server stores it, with the problems of its rows.
fn table_values(
    table: &ValueTable,
    rows: &[ValueRow],
    problems: &mut Vec<DraftProblem>,
) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    for (index, row) in rows.iter().enumerate() {
        let at = format!("mapping.values.{}.{index}", table.target);
        let crm = row.crm.trim();
        let revops = row.revops.trim();
        if crm.is_empty() {
            problems.push(problem(&at, "Type the value as the CRM sends it."));
        } else if revops.is_empty() {
            problems.push(problem(&at, "Choose what it means in revops."));
        } else if table.choices.is_empty()
            && !(revops.len() == 3 && revops.chars().all(|c| c.is_ascii_alphabetic()))
        {
            problems.push(problem(&at, "A three-letter ISO currency code, e.g. USD."));
        } else if values
            .insert(crm.to_string(), revops_value(table, revops))
            .is_some()
        {
            problems.push(problem(
                &at,
                &format!("“{crm}” is already in this table above."),
            ));
        }
    }
    values
}

/// Currency codes are upper case; the other tables' values are revops's own words.
fn revops_value(table: &ValueTable, typed: &str) -> String {
    if table.choices.is_empty() {
        typed.to_ascii_uppercase()
    } else {
        typed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAVED: &str = r#"{"fields":{"Id":"opportunityId","Amount":"deal.tcv"},
        "values":{"deal.billingFrequency":{"Annual":"annually"},"stage":{"Won":"closed_won"}},
        "closedWonStages":["Closed Won"],"currency":"USD","lineItemFields":{"price":"unitPrice"}}"#;

    /// A mapping read into rows and saved unchanged is the same JSON, tables not shown included.
    #[test]
    fn a_saved_mapping_reads_into_rows_and_writes_back_the_same() {
        let draft = MappingDraft::parse(SAVED).unwrap();
        assert_eq!(draft.fields.len(), 2);
        assert_eq!(
            draft.tables[0],
            vec![ValueRow {
                crm: "Annual".into(),
                revops: "annually".into()
            }]
        );
        let written: serde_json::Value = serde_json::from_str(&draft.to_json().unwrap()).unwrap();
        let saved: serde_json::Value = serde_json::from_str(SAVED).unwrap();
        assert_eq!(
            written, saved,
            "a table and the line item mapping the editor does not show are kept as they were"
        );
    }

    /// Two rows with one CRM field would collapse into one JSON key; the later row is named.
    #[test]
    fn a_crm_field_mapped_twice_is_named_on_its_second_row() {
        let mut draft = MappingDraft::parse(SAVED).unwrap();
        draft.fields.push(FieldRow {
            crm: " Amount ".into(),
            target: "deal.arr".into(),
        });
        let problems = draft.to_json().unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "mapping.fields.2");
        assert!(problems[0].message.contains("Amount is already mapped"));
    }

    /// Each incomplete row is refused by its position, in the order of the page.
    #[test]
    fn empty_rows_and_bad_currency_codes_are_refused_by_row() {
        let mut draft = MappingDraft::parse(SAVED).unwrap();
        draft.fields.push(FieldRow::default());
        draft.tables[2].push(ValueRow {
            crm: "US Dollar".into(),
            revops: "dollars".into(),
        });
        draft.closed_won_stages.push("  ".into());
        let fields: Vec<String> = draft
            .to_json()
            .unwrap_err()
            .into_iter()
            .map(|problem| problem.field)
            .collect();
        assert_eq!(
            fields,
            vec![
                "mapping.fields.2",
                "mapping.values.deal.currency.0",
                "mapping.closedWonStages.1"
            ]
        );
    }

    /// Typed currency codes are saved as ISO writes them.
    #[test]
    fn currency_codes_are_saved_in_upper_case() {
        let mut draft = MappingDraft::parse(SAVED).unwrap();
        draft.currency = "eur".into();
        draft.tables[2].push(ValueRow {
            crm: "Euro".into(),
            revops: "eur".into(),
        });
        let written: serde_json::Value = serde_json::from_str(&draft.to_json().unwrap()).unwrap();
        assert_eq!(written["currency"], "EUR");
        assert_eq!(written["values"]["deal.currency"]["Euro"], "EUR");
    }
}
