//! The closed-won intake checklist (seed 1.1/1.2): each item complete or missing with a reason,
//! and the contract lines an approved deal becomes. Pure functions over the parsed form.

use super::model::{
    BillingFrequency, ContractLineDraft, ContractLineKind, DealDraft, RevenueRecognitionType,
};
use crate::money::{Currency, Money};
use async_graphql::SimpleObject;
use chrono::{Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, SimpleObject)]
pub struct ChecklistItem {
    pub key: String,
    pub label: String,
    pub complete: bool,
    /// What is missing or wrong; None when complete.
    pub message: Option<String>,
}

/// What the checklist needs to know beyond the form, looked up by the service.
#[derive(Debug, Clone, Default)]
pub struct ChecklistFacts {
    /// The selected customer: (billing currency, on credit hold, legal name), None if not found.
    pub customer: Option<(Currency, bool, String)>,
    /// The selected AE's role name, None if the user was not found.
    pub assigned_ae_role: Option<String>,
}

fn item(key: &str, label: &str, problem: Option<String>) -> ChecklistItem {
    ChecklistItem {
        key: key.into(),
        label: label.into(),
        complete: problem.is_none(),
        message: problem,
    }
}

fn missing(what: &str) -> Option<String> {
    Some(format!("Enter the {what}."))
}

/// True when the term is a year or longer, the case where ARR may not exceed TCV.
fn term_is_at_least_a_year(start: NaiveDate, end: NaiveDate) -> bool {
    start
        .checked_add_months(Months::new(12))
        .is_some_and(|year_later| end >= year_later)
}

fn needs_milestones(draft: &DealDraft) -> bool {
    draft.revenue_recognition_type == Some(RevenueRecognitionType::Milestone)
        || draft.billing_frequency == Some(BillingFrequency::Milestone)
}

pub fn checklist(draft: &DealDraft, facts: &ChecklistFacts) -> Vec<ChecklistItem> {
    let mut items = Vec::with_capacity(20);
    items.push(item("crmOpportunityId", "CRM opportunity id", None));
    items.push(item(
        "customer",
        "Customer",
        match (draft.customer_id, &facts.customer) {
            (None, _) => Some("Choose the customer.".into()),
            (Some(_), None) => Some("The chosen customer does not exist.".into()),
            _ => None,
        },
    ));
    items.push(item(
        "creditStanding",
        "Customer not on credit hold",
        match &facts.customer {
            Some((_, true, name)) => Some(format!(
                "{name} is on credit hold; deals cannot be approved until it is released."
            )),
            _ => None,
        },
    ));
    items.push(item(
        "invoicedLegalEntity",
        "Invoiced legal entity",
        draft
            .invoiced_legal_entity
            .is_none()
            .then(|| "Enter the legal entity to invoice.".to_string()),
    ));
    items.push(item(
        "billingContact",
        "Billing contact",
        draft
            .billing_contact
            .is_none()
            .then(|| "Enter the billing contact's name and e-mail.".to_string()),
    ));
    let has_lines = !draft.lines.is_empty();
    items.push(item(
        "productName",
        "Product or plan",
        draft
            .product_name
            .is_none()
            .then(|| "Name the product or plan sold.".to_string()),
    ));
    items.push(item(
        "billingCurrency",
        "Billing currency",
        currency_problem(draft, facts),
    ));
    items.push(item(
        "tcv",
        "Total contract value (TCV)",
        tcv_problem(draft),
    ));
    items.push(item(
        "arr",
        "Annual recurring revenue (ARR)",
        arr_problem(draft),
    ));
    items.push(item("dates", "Start and end dates", dates_problem(draft)));
    items.push(item(
        "billingFrequency",
        "Billing frequency",
        (draft.billing_frequency.is_none() && !has_lines)
            .then(|| "Choose how often to bill.".to_string()),
    ));
    items.push(item(
        "paymentTerms",
        "Payment terms",
        draft
            .payment_terms
            .is_none()
            .then(|| "Choose the payment terms.".to_string()),
    ));
    items.push(item(
        "purchaseOrder",
        "Purchase order",
        (draft.po_required && draft.po_number.is_none())
            .then(|| "The customer requires a PO: enter the PO number.".to_string()),
    ));
    items.push(item(
        "taxJurisdiction",
        "Tax jurisdiction",
        draft
            .tax_jurisdiction
            .is_none()
            .then(|| "Enter the tax jurisdiction.".to_string()),
    ));
    items.push(item(
        "taxExemption",
        "Tax exemption certificate",
        (draft.tax_exempt && draft.tax_exemption_certificate.is_none())
            .then(|| "The deal is tax exempt: enter the exemption certificate.".to_string()),
    ));
    items.push(item(
        "revenueRecognitionType",
        "Revenue recognition type",
        (draft.revenue_recognition_type.is_none() && !has_lines)
            .then(|| "Choose how revenue is recognised.".to_string()),
    ));
    items.push(item(
        "milestones",
        "Milestone schedule",
        if has_lines {
            None
        } else {
            milestone_problem(draft)
        },
    ));
    let line_problems = super::lines::problems(draft);
    items.push(item(
        "lines",
        "Deal lines",
        (!line_problems.is_empty()).then(|| line_problems.join(" ")),
    ));
    items.push(item("assignedAe", "Assigned AE", ae_problem(draft, facts)));
    items.push(item(
        "commissionPlanId",
        "Commission plan",
        draft
            .commission_plan_id
            .is_none()
            .then(|| "Enter the commission plan id.".to_string()),
    ));
    items
}

fn currency_problem(draft: &DealDraft, facts: &ChecklistFacts) -> Option<String> {
    let Some(currency) = draft.billing_currency else {
        return Some("Choose the billing currency.".into());
    };
    match &facts.customer {
        Some((customer_currency, _, name)) if *customer_currency != currency => Some(format!(
            "{name} is billed in {}, not {}.",
            customer_currency.code(),
            currency.code()
        )),
        _ => None,
    }
}

fn tcv_problem(draft: &DealDraft) -> Option<String> {
    match draft.tcv {
        None if !draft.lines.is_empty() => {
            Some("Complete the deal lines and dates; the TCV is computed from them.".into())
        }
        None => missing("total contract value"),
        Some(tcv) if tcv.minor() <= 0 => {
            Some("The total contract value must be greater than zero.".into())
        }
        Some(_) => None,
    }
}

fn arr_problem(draft: &DealDraft) -> Option<String> {
    let arr = match draft.arr {
        None => return missing("annual recurring revenue (0 for one-time deals)"),
        Some(arr) if arr.is_negative() => return Some("ARR cannot be negative.".into()),
        Some(arr) => arr,
    };
    if let (Some(tcv), Some(start), Some(end)) = (draft.tcv, draft.start_date, draft.end_date) {
        if term_is_at_least_a_year(start, end) && arr.minor() > tcv.minor() {
            return Some(format!(
                "ARR {arr} is above TCV {tcv} on a term of a year or more."
            ));
        }
    }
    None
}

fn dates_problem(draft: &DealDraft) -> Option<String> {
    match (draft.start_date, draft.end_date) {
        (Some(start), Some(end)) if end <= start => {
            Some("The end date must be after the start date.".into())
        }
        (Some(_), Some(_)) => None,
        _ => Some("Enter both the start and end dates.".into()),
    }
}

fn milestone_problem(draft: &DealDraft) -> Option<String> {
    if !needs_milestones(draft) {
        return None;
    }
    if draft.milestones.is_empty() {
        return Some("Milestone deals need a milestone schedule.".into());
    }
    let tcv = draft.tcv?;
    let mut total = Money::zero(tcv.currency());
    for milestone in &draft.milestones {
        match milestone.amount() {
            Some(amount) if amount.currency() == tcv.currency() => {
                total = total.checked_add(amount).ok()?;
            }
            _ => {
                return Some(format!(
                    "Milestone \"{}\" is not in {}.",
                    milestone.name,
                    tcv.currency().code()
                ))
            }
        }
    }
    (total != tcv).then(|| format!("Milestones add up to {total}, but the TCV is {tcv}."))
}

fn ae_problem(draft: &DealDraft, facts: &ChecklistFacts) -> Option<String> {
    if draft.assigned_ae_id.is_none() {
        return Some("Choose the account executive.".into());
    }
    match facts.assigned_ae_role.as_deref() {
        Some("ae") => None,
        Some(_) => Some("The assigned user is not an account executive.".into()),
        None => Some("The assigned AE does not exist.".into()),
    }
}

pub fn is_complete(items: &[ChecklistItem]) -> bool {
    items.iter().all(|item| item.complete)
}

/// The contract lines an approved deal becomes. Only called for a complete checklist.
pub fn contract_lines(draft: &DealDraft) -> Option<Vec<ContractLineDraft>> {
    if !draft.lines.is_empty() {
        return super::lines::contract_lines(draft);
    }
    let (start, end) = (draft.start_date?, draft.end_date?);
    let product = draft.product_name.clone()?;
    let tcv = draft.tcv?;
    let frequency = draft.billing_frequency;
    let line = |kind, unit_price, billing_frequency, start_date, end_date| ContractLineDraft {
        product_name: product.clone(),
        kind,
        quantity: "1".into(),
        unit_price,
        billing_frequency,
        start_date,
        end_date,
        discount: None,
        trial_from: None,
    };
    Some(match draft.revenue_recognition_type? {
        RevenueRecognitionType::Ratable => {
            let periods = frequency
                .and_then(|frequency| frequency.periods_per_year())
                .unwrap_or(1);
            let frequency = frequency
                .filter(|frequency| frequency.periods_per_year().is_some())
                .unwrap_or(BillingFrequency::Annually);
            // Price per billing period; rounded once, half away from zero (DOMAIN rounding rule).
            let unit_price = draft
                .arr?
                .checked_mul_decimal(
                    Decimal::ONE / Decimal::from(periods),
                    RoundingStrategy::MidpointAwayFromZero,
                )
                .ok()?;
            vec![line(
                ContractLineKind::Subscription,
                unit_price,
                Some(frequency),
                start,
                end,
            )]
        }
        RevenueRecognitionType::Milestone => draft
            .milestones
            .iter()
            .map(|milestone| {
                let due = milestone.due_date.unwrap_or(end);
                Some(ContractLineDraft {
                    product_name: format!("{product}: {}", milestone.name),
                    ..line(
                        ContractLineKind::Milestone,
                        milestone.amount()?,
                        Some(BillingFrequency::Milestone),
                        start,
                        due.max(start.succ_opt()?),
                    )
                })
            })
            .collect::<Option<Vec<_>>>()?,
        RevenueRecognitionType::TimeAndMaterials => {
            vec![line(
                ContractLineKind::TimeAndMaterials,
                tcv,
                Some(BillingFrequency::TimeAndMaterials),
                start,
                end,
            )]
        }
        RevenueRecognitionType::PerpetualLicense => vec![line(
            ContractLineKind::PerpetualLicense,
            tcv,
            None,
            start,
            end,
        )],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::{Contact, PaymentTerms};
    use crate::deals::model::Milestone;

    fn usd(major_units: i64) -> Money {
        Money::from_minor(major_units * 100, Currency::USD)
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn complete_draft() -> DealDraft {
        DealDraft {
            crm_opportunity_id: "OPP-1".into(),
            customer_id: Some(1),
            invoiced_legal_entity: Some("Acme Ltd".into()),
            billing_contact: Some(Contact {
                name: "Ann".into(),
                email: "ann@acme.test".into(),
                phone: None,
            }),
            product_name: Some("Platform".into()),
            tcv: Some(usd(120_000)),
            arr: Some(usd(120_000)),
            billing_currency: Some(Currency::USD),
            start_date: Some(date("2026-01-01")),
            end_date: Some(date("2027-01-01")),
            billing_frequency: Some(BillingFrequency::Monthly),
            payment_terms: Some(PaymentTerms::Net30),
            po_required: false,
            po_number: None,
            tax_jurisdiction: Some("US-CA".into()),
            tax_exempt: false,
            tax_exemption_certificate: None,
            revenue_recognition_type: Some(RevenueRecognitionType::Ratable),
            milestones: vec![],
            lines: vec![],
            assigned_ae_id: Some(9),
            commission_plan_id: Some("PLAN-2026".into()),
        }
    }

    fn facts() -> ChecklistFacts {
        ChecklistFacts {
            customer: Some((Currency::USD, false, "Acme".into())),
            assigned_ae_role: Some("ae".into()),
        }
    }

    fn problems(draft: &DealDraft, facts: &ChecklistFacts) -> Vec<String> {
        checklist(draft, facts)
            .into_iter()
            .filter(|item| !item.complete)
            .map(|item| item.key)
            .collect()
    }

    #[test]
    fn a_complete_deal_has_every_item_complete() {
        // Proves the happy path passes and yields one monthly subscription line of ARR/12.
        let draft = complete_draft();
        assert!(
            problems(&draft, &facts()).is_empty(),
            "{:?}",
            problems(&draft, &facts())
        );
        let lines = contract_lines(&draft).unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].unit_price, usd(10_000));
    }

    #[test]
    fn each_business_rule_blocks_approval() {
        // Proves every rule of the checklist: PO, tax certificate, dates, ARR vs TCV, milestones, AE role, hold.
        let mut draft = complete_draft();
        draft.po_required = true;
        draft.tax_exempt = true;
        draft.end_date = Some(date("2025-12-31"));
        assert_eq!(
            problems(&draft, &facts()),
            vec!["dates", "purchaseOrder", "taxExemption"]
        );

        let mut draft = complete_draft();
        draft.arr = Some(usd(120_001));
        assert_eq!(problems(&draft, &facts()), vec!["arr"]);
        draft.end_date = Some(date("2026-07-01")); // shorter than a year: ARR may exceed TCV
        assert!(problems(&draft, &facts()).is_empty());

        let mut draft = complete_draft();
        draft.revenue_recognition_type = Some(RevenueRecognitionType::Milestone);
        assert_eq!(problems(&draft, &facts()), vec!["milestones"]);
        draft.milestones = vec![
            Milestone {
                name: "Kick-off".into(),
                due_date: None,
                amount_minor: 6_000_000,
                currency: "USD".into(),
            },
            Milestone {
                name: "Go-live".into(),
                due_date: None,
                amount_minor: 5_999_999,
                currency: "USD".into(),
            },
        ];
        assert_eq!(problems(&draft, &facts()), vec!["milestones"]);
        draft.milestones[1].amount_minor = 6_000_000;
        assert!(problems(&draft, &facts()).is_empty());
        assert_eq!(contract_lines(&draft).unwrap().len(), 2);

        let wrong_role = ChecklistFacts {
            assigned_ae_role: Some("cfo".into()),
            ..facts()
        };
        assert_eq!(problems(&complete_draft(), &wrong_role), vec!["assignedAe"]);
        let on_hold = ChecklistFacts {
            customer: Some((Currency::USD, true, "Acme".into())),
            ..facts()
        };
        assert_eq!(
            problems(&complete_draft(), &on_hold),
            vec!["creditStanding"]
        );
        let other_currency = ChecklistFacts {
            customer: Some((Currency::parse("EUR").unwrap(), false, "Acme".into())),
            ..facts()
        };
        assert_eq!(
            problems(&complete_draft(), &other_currency),
            vec!["billingCurrency"]
        );
    }

    #[test]
    fn an_empty_draft_lists_what_is_missing() {
        // Proves a bare draft is incomplete item by item, each with a message.
        let draft = DealDraft {
            customer_id: None,
            invoiced_legal_entity: None,
            billing_contact: None,
            product_name: None,
            tcv: None,
            arr: None,
            billing_currency: None,
            start_date: None,
            end_date: None,
            billing_frequency: None,
            payment_terms: None,
            tax_jurisdiction: None,
            revenue_recognition_type: None,
            assigned_ae_id: None,
            commission_plan_id: None,
            ..complete_draft()
        };
        let items = checklist(&draft, &ChecklistFacts::default());
        assert!(!is_complete(&items));
        assert!(items
            .iter()
            .filter(|item| !item.complete)
            .all(|item| item.message.is_some()));
        assert_eq!(items.iter().filter(|item| !item.complete).count(), 14);
    }
}
