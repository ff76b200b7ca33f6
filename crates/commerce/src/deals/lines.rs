//! A deal's lines: several products on one deal — seats × a unit price billed monthly, a licence,
//! an onboarding milestone, hours of services — as a CRM's opportunity line items carry them.
//!
//! A deal with lines is computed from them, never typed twice:
//! - its product is the lines' products joined with " + ";
//! - its ARR is the sum over subscription lines of quantity × price per period × periods in a
//!   year (DOMAIN's ARR);
//! - its TCV is what the lines bill over their terms, periods and proration as billing computes
//!   them, plus the licence and milestone amounts and the T&M lines' estimate (hours × rate);
//! - its billing frequency and recognition type are the lines' one value when they share it.
//!
//! At approval each line becomes one contract line, so ASC 606 sees one performance obligation
//! per product and allocates the price by SSP.

use super::model::{BillingFrequency, ContractLineDraft, ContractLineKind, DealDraft, DealLine};
use crate::billing::discount::Off;
use crate::billing::discounts::DiscountInput;
use crate::billing::periods::Alignment;
use crate::billing::pricing::parse_quantity;
use crate::billing::schedule::LineTerms;
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money, MoneyError};
use crate::values::{optional_text, require_text, IsoDate, MoneyInput};
use async_graphql::InputObject;
use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

/// At most this many lines on one deal.
pub const MAX_LINES: usize = 200;

/// The longest term a line's value is computed over (a monthly line of this term is 1,200
/// periods); a longer one is a checklist problem, so a typing slip such as year 9999 cannot make
/// every live checklist call walk a hundred thousand periods.
pub const MAX_TERM_YEARS: i32 = 100;

fn too_long(start: NaiveDate, end: NaiveDate) -> bool {
    end.year() - start.year() > MAX_TERM_YEARS
}

/// One line of the deal form.
#[derive(Debug, Clone, PartialEq, Eq, InputObject)]
pub struct DealLineInput {
    pub product_name: String,
    /// Subscription, perpetual licence, milestone or time and materials. May be left out while
    /// the deal is a draft (a CRM's one-time line); the checklist asks for it. Usage lines are
    /// added to the approved contract with `contractLineAdd`, where their pricing is set.
    pub kind: Option<ContractLineKind>,
    /// Decimal text: seats, licences, estimated hours. Defaults to 1.
    pub quantity: Option<String>,
    /// A subscription's price of one unit per billing period; otherwise the price of one unit.
    /// In the deal's billing currency.
    pub unit_price: MoneyInput,
    /// Subscriptions only: monthly, quarterly or annually.
    pub billing_frequency: Option<BillingFrequency>,
    /// When left out, the deal's start date.
    pub start_date: Option<IsoDate>,
    /// When left out, the deal's end date. A milestone's due date.
    pub end_date: Option<IsoDate>,
    /// The CRM's id of the line item, shown beside the line.
    pub reference: Option<String>,
    /// A recurring discount; subscription lines only.
    pub discount: Option<DiscountInput>,
    /// A free trial: the line is free from its start until this day, when it converts to paid
    /// (billing, MRR and revenue start then). Subscription lines only; within the line's term.
    pub trial_ends_on: Option<IsoDate>,
}

impl From<&DealLine> for DealLineInput {
    fn from(line: &DealLine) -> DealLineInput {
        DealLineInput {
            product_name: line.product_name.clone(),
            kind: line.kind,
            quantity: Some(line.quantity.normalize().to_string()),
            unit_price: MoneyInput {
                amount: line.unit_price.amount_string(),
                currency: line.unit_price.currency().code().to_string(),
            },
            billing_frequency: line.billing_frequency,
            start_date: line.start_date.map(IsoDate),
            end_date: line.end_date.map(IsoDate),
            reference: line.reference.clone(),
            discount: line
                .discount
                .as_ref()
                .map(|discount| DiscountInput::of(discount, line.unit_price.currency())),
            trial_ends_on: line.trial_ends_on.map(IsoDate),
        }
    }
}

/// Parses the form's lines; a malformed value is an error naming `lines.<index>.<field>`.
/// Every line must be in `currency` when the deal has one; else the first line's sets it.
pub fn parse(
    inputs: &[DealLineInput],
    currency: Option<Currency>,
) -> AppResult<(Vec<DealLine>, Option<Currency>)> {
    if inputs.len() > MAX_LINES {
        return Err(AppError::Limit(format!(
            "A deal can have at most {MAX_LINES} lines; bring a larger order in as a contract import."
        )));
    }
    let mut currency = currency;
    let mut lines = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        let field = |name: &str| format!("lines.{index}.{name}");
        let line = parse_one(input, &field)?;
        let line_currency = line.unit_price.currency();
        match currency {
            Some(expected) if expected != line_currency => {
                return Err(AppError::validation(
                    field("unitPrice.currency"),
                    format!(
                        "Every line is in the deal's billing currency {}.",
                        expected.code()
                    ),
                ))
            }
            _ => currency = Some(line_currency),
        }
        lines.push(line);
    }
    Ok((lines, currency))
}

fn parse_one(input: &DealLineInput, field: &dyn Fn(&str) -> String) -> AppResult<DealLine> {
    let product_name = require_text(&field("productName"), &input.product_name, 200)?;
    let quantity = match input.quantity.as_deref().map(str::trim) {
        None | Some("") => Decimal::ONE,
        Some(text) => parse_quantity(text)
            .map_err(|message| AppError::validation(field("quantity"), message))?,
    };
    if quantity.is_zero() {
        return Err(AppError::validation(
            field("quantity"),
            "A line sells at least some of its product; remove the line instead of selling 0.",
        ));
    }
    let unit_price = input.unit_price.parse(&field("unitPrice"))?;
    if unit_price.is_negative() {
        return Err(AppError::validation(
            field("unitPrice.amount"),
            "The unit price cannot be negative; give the price after the discount.",
        ));
    }
    if input.kind == Some(ContractLineKind::Usage) {
        return Err(AppError::validation(
            field("kind"),
            "Usage is priced by meter and tiers: add it to the contract after approval (Add line on the contract).",
        ));
    }
    let billing_frequency = match input.kind {
        Some(kind) if kind != ContractLineKind::Subscription => {
            if input
                .billing_frequency
                .is_some_and(|given| kind.frequency_for(None) != Ok(Some(given)))
            {
                return Err(AppError::validation(
                    field("billingFrequency"),
                    "Only subscription lines bill at a frequency; leave it empty for this kind.",
                ));
            }
            None
        }
        _ => match input.billing_frequency {
            Some(given) if given.periods_per_year().is_none() => {
                return Err(AppError::validation(
                    field("billingFrequency"),
                    "A subscription bills monthly, quarterly or annually.",
                ))
            }
            given => given,
        },
    };
    let (start_date, end_date) = (
        input.start_date.map(|date| date.0),
        input.end_date.map(|date| date.0),
    );
    if let (Some(start), Some(end)) = (start_date, end_date) {
        if end < start {
            return Err(AppError::validation(
                field("endDate"),
                format!("{end} is before the line's start date {start}."),
            ));
        }
    }
    let discount = match &input.discount {
        None => None,
        Some(_) if input.kind.is_some_and(|kind| kind != ContractLineKind::Subscription) => {
            return Err(AppError::validation(
                field("discount"),
                "A recurring discount applies to subscription lines; give a one-time line its price after the discount.",
            ))
        }
        Some(discount) => Some(crate::billing::discounts::parse(
            discount,
            unit_price.currency(),
            &field("discount"),
        )?),
    };
    if input.trial_ends_on.is_some()
        && input
            .kind
            .is_some_and(|kind| kind != ContractLineKind::Subscription)
    {
        return Err(AppError::validation(
            field("trialEndsOn"),
            "Only a subscription line has a free trial.",
        ));
    }
    if let (Some(trial), Some(start)) = (input.trial_ends_on, start_date) {
        if trial.0 <= start {
            return Err(AppError::validation(
                field("trialEndsOn"),
                format!(
                    "The trial converts after the line starts ({start}); {} is not.",
                    trial.0
                ),
            ));
        }
    }
    if let (Some(trial), Some(end)) = (input.trial_ends_on, end_date) {
        if trial.0 > end {
            return Err(AppError::validation(
                field("trialEndsOn"),
                format!("{} is after the line ends ({end}).", trial.0),
            ));
        }
    }
    Ok(DealLine {
        trial_ends_on: input.trial_ends_on.map(|date| date.0),
        discount,
        product_name,
        kind: input.kind,
        quantity,
        unit_price,
        billing_frequency,
        start_date,
        end_date,
        reference: optional_text(&field("reference"), input.reference.as_deref(), 64)?,
    })
}

/// The price of a year of seats (DOMAIN's ARR: price per period × periods in a year), rounded
/// once, half away from zero.
pub fn annual_value(
    unit_price: Money,
    quantity: Decimal,
    frequency: BillingFrequency,
) -> Result<Money, MoneyError> {
    let periods = frequency.periods_per_year().unwrap_or(1);
    unit_price.checked_mul_decimal(
        quantity * Decimal::from(periods),
        RoundingStrategy::MidpointAwayFromZero,
    )
}

/// A year's value less a discount that lasts as long as the line (from its first day, for every
/// period): the recurring value the deal books. A discount for some periods is not recurring —
/// it lowers the TCV and the MRR of the months it covers, not the ARR.
fn net_of_lasting_discount(
    annual: Money,
    line: &DealLine,
    frequency: BillingFrequency,
) -> Result<Money, MoneyError> {
    let Some(discount) = line
        .discount
        .as_ref()
        .filter(|discount| discount.periods.is_none() && discount.from.is_none())
    else {
        return Ok(annual);
    };
    let periods = i64::from(frequency.periods_per_year().unwrap_or(1));
    let off = match discount.off {
        Off::Percent(percent) => annual.checked_mul_decimal(
            percent / Decimal::ONE_HUNDRED,
            RoundingStrategy::MidpointAwayFromZero,
        )?,
        Off::Amount(minor) => Money::from_minor(
            minor.saturating_mul(periods).min(annual.minor()),
            annual.currency(),
        ),
    };
    annual.checked_sub(off)
}

/// A line's days: its own, else the deal's.
fn term(line: &DealLine, draft: &DealDraft) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        line.start_date.or(draft.start_date)?,
        line.end_date.or(draft.end_date)?,
    ))
}

/// The contract line a deal line becomes; `None` while it lacks its kind, its frequency or its
/// days (the checklist says which).
pub fn contract_line(line: &DealLine, draft: &DealDraft) -> Option<ContractLineDraft> {
    let kind = line.kind?;
    let billing_frequency = kind.frequency_for(line.billing_frequency).ok()?;
    let (start_date, end_date) = term(line, draft)?;
    // A milestone's start is the deal's start even when it is due earlier in the term.
    let start_date = if kind == ContractLineKind::Milestone {
        draft.start_date.unwrap_or(start_date).min(end_date)
    } else {
        start_date
    };
    // A free trial: the contract line starts (bills, counts in MRR, earns revenue) when it
    // converts; the trial's first day is kept beside it.
    let (start_date, trial_from) = match line.trial_ends_on {
        Some(converts) if kind == ContractLineKind::Subscription && converts > start_date => {
            (converts.min(end_date), Some(start_date))
        }
        _ => (start_date, None),
    };
    Some(ContractLineDraft {
        product_name: line.product_name.clone(),
        kind,
        quantity: line.quantity.normalize().to_string(),
        unit_price: line.unit_price,
        billing_frequency,
        start_date,
        end_date,
        discount: line.discount.clone(),
        trial_from,
    })
}

/// What one line adds to the TCV: what it bills over its term (T&M: its estimate).
fn line_total(line: &DealLine, draft: &DealDraft) -> Option<Money> {
    let contract_line = contract_line(line, draft)?;
    let fixed = || {
        line.unit_price
            .checked_mul_decimal(line.quantity, RoundingStrategy::MidpointAwayFromZero)
            .ok()
    };
    match contract_line.kind {
        ContractLineKind::Subscription
            if too_long(contract_line.start_date, contract_line.end_date) =>
        {
            None
        }
        ContractLineKind::Subscription => {
            let terms = LineTerms {
                anchor: None,
                replaced_by: None,
                kind: ContractLineKind::Subscription,
                product: contract_line.product_name,
                quantity: line.quantity,
                unit_price: line.unit_price,
                frequency: contract_line.billing_frequency,
                alignment: Alignment::Anniversary,
                start: contract_line.start_date,
                end: contract_line.end_date,
                delivered_on: None,
                accepted_on: None,
                changes: Vec::new(),
                billed_through: None,
                discount: contract_line.discount.clone(),
                // A deal's TCV counts parts of periods by actual days; the contract's lines bill
                // by the convention stamped on them at approval.
                proration: Default::default(),
                in_arrears: false,
            };
            crate::revenue::repo::stated_total(&terms)
                .ok()
                .map(|minor| Money::from_minor(minor, line.unit_price.currency()))
        }
        _ => fixed(),
    }
}

/// Sets the deal's product, TCV, ARR, billing frequency and recognition type from its lines
/// (nothing changes for a deal without lines). The TCV is left empty while any line cannot be
/// priced over its term yet; the checklist says which.
pub fn compute_totals(draft: &mut DealDraft) -> AppResult<()> {
    if draft.lines.is_empty() {
        return Ok(());
    }
    let Some(currency) = draft.billing_currency else {
        return Ok(());
    };
    let names: Vec<&str> = draft
        .lines
        .iter()
        .map(|line| line.product_name.as_str())
        .collect();
    let mut product = names.join(" + ");
    if product.chars().count() > 200 {
        product = format!("{} + {} more", names[0], names.len().saturating_sub(1));
    }
    let mut arr = Money::zero(currency);
    let mut tcv = Some(Money::zero(currency));
    for line in &draft.lines {
        if line.kind == Some(ContractLineKind::Subscription) {
            if let Some(frequency) = line.billing_frequency {
                let annual = annual_value(line.unit_price, line.quantity, frequency)?;
                arr = arr.checked_add(net_of_lasting_discount(annual, line, frequency)?)?;
            }
        }
        tcv = match (tcv, line_total(line, draft)) {
            (Some(sum), Some(total)) => Some(sum.checked_add(total)?),
            _ => None,
        };
    }
    let recurring: Vec<BillingFrequency> = draft
        .lines
        .iter()
        .filter(|line| line.kind == Some(ContractLineKind::Subscription))
        .filter_map(|line| line.billing_frequency)
        .collect();
    draft.product_name = Some(product);
    draft.arr = Some(arr);
    draft.tcv = tcv;
    draft.billing_frequency = one_value(&recurring);
    let kinds: Vec<_> = draft
        .lines
        .iter()
        .filter_map(|line| line.kind.and_then(|kind| kind.recognition()))
        .collect();
    draft.revenue_recognition_type = one_value(&kinds);
    Ok(())
}

/// The one value every item has; `None` when they differ or there are none.
fn one_value<T: Copy + PartialEq>(values: &[T]) -> Option<T> {
    let first = *values.first()?;
    values.iter().all(|value| *value == first).then_some(first)
}

/// What the lines still lack before the deal can be approved, each naming its line.
pub fn problems(draft: &DealDraft) -> Vec<String> {
    let mut found = Vec::new();
    if draft.lines.is_empty() {
        return found;
    }
    if !draft.milestones.is_empty() {
        found.push(
            "The deal has lines and a milestone schedule: enter each milestone as a line of kind milestone instead.".to_string(),
        );
    }
    for (index, line) in draft.lines.iter().enumerate() {
        let name = format!("Line {} \"{}\"", index + 1, line.product_name);
        let Some(kind) = line.kind else {
            found.push(format!(
                "{name}: choose what it is — a subscription, a perpetual licence, a milestone or time and materials."
            ));
            continue;
        };
        if line.discount.is_some() && kind != ContractLineKind::Subscription {
            found.push(format!(
                "{name}: a recurring discount applies to subscription lines only; give it its price after the discount instead."
            ));
        }
        if kind.frequency_for(line.billing_frequency).is_err() {
            found.push(format!(
                "{name}: choose how often it bills (monthly, quarterly or annually)."
            ));
        }
        let (Some(deal_start), Some(deal_end)) = (draft.start_date, draft.end_date) else {
            continue;
        };
        let (start, end) = term(line, draft).unwrap_or((deal_start, deal_end));
        if start < deal_start || end > deal_end {
            found.push(format!(
                "{name} runs {start} to {end}, outside the deal's term {deal_start} to {deal_end}."
            ));
        } else if too_long(start, end) {
            found.push(format!(
                "{name} runs {start} to {end}, more than {MAX_TERM_YEARS} years; check the dates."
            ));
        } else if kind == ContractLineKind::Subscription && end <= start {
            found.push(format!(
                "{name}: its end date must be after its start date."
            ));
        } else if line
            .trial_ends_on
            .is_some_and(|trial| trial <= start || trial > end)
        {
            found.push(format!(
                "{name}: its free trial must end after the line starts ({start}) and by its end ({end})."
            ));
        } else if kind == ContractLineKind::Milestone && end <= deal_start {
            found.push(format!(
                "{name}: the milestone is due on the deal's first day; give it a later due date."
            ));
        }
    }
    found
}

/// The contract lines of a deal with lines; `None` while any line is incomplete.
pub fn contract_lines(draft: &DealDraft) -> Option<Vec<ContractLineDraft>> {
    draft
        .lines
        .iter()
        .map(|line| contract_line(line, draft))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(text: &str) -> Money {
        Money::from_minor(
            (text.parse::<Decimal>().unwrap() * Decimal::from(100))
                .try_into()
                .unwrap(),
            Currency::USD,
        )
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn line(name: &str, kind: Option<ContractLineKind>, quantity: i64, price: &str) -> DealLine {
        DealLine {
            product_name: name.into(),
            kind,
            quantity: Decimal::from(quantity),
            unit_price: usd(price),
            billing_frequency: (kind == Some(ContractLineKind::Subscription))
                .then_some(BillingFrequency::Monthly),
            start_date: None,
            end_date: None,
            reference: None,
            discount: None,
            trial_ends_on: None,
        }
    }

    fn draft(lines: Vec<DealLine>) -> DealDraft {
        DealDraft {
            crm_opportunity_id: "006-LINES".into(),
            customer_id: None,
            invoiced_legal_entity: None,
            billing_contact: None,
            product_name: Some("typed by hand".into()),
            tcv: Some(usd("1")),
            arr: Some(usd("1")),
            billing_currency: Some(Currency::USD),
            start_date: Some(date("2027-01-01")),
            end_date: Some(date("2027-12-31")),
            billing_frequency: None,
            payment_terms: None,
            po_required: false,
            po_number: None,
            tax_jurisdiction: None,
            tax_exempt: false,
            tax_exemption_certificate: None,
            revenue_recognition_type: None,
            milestones: Vec::new(),
            lines,
            assigned_ae_id: None,
            commission_plan_id: None,
        }
    }

    /// Seats × price per month over a year, a licence and an onboarding milestone: ARR counts
    /// the seats only; TCV is twelve months of seats plus the one-time amounts; the product
    /// names every line.
    #[test]
    fn totals_come_from_the_lines() {
        let mut deal = draft(vec![
            line(
                "Platform seats",
                Some(ContractLineKind::Subscription),
                25,
                "40.00",
            ),
            line(
                "On-prem licence",
                Some(ContractLineKind::PerpetualLicense),
                1,
                "12000.00",
            ),
            DealLine {
                end_date: Some(date("2027-03-31")),
                ..line(
                    "Onboarding",
                    Some(ContractLineKind::Milestone),
                    1,
                    "5000.00",
                )
            },
            line(
                "Consulting hours",
                Some(ContractLineKind::TimeAndMaterials),
                40,
                "180.00",
            ),
        ]);
        compute_totals(&mut deal).unwrap();
        assert_eq!(deal.arr, Some(usd("12000.00"))); // 25 × 40.00 × 12
                                                     // 12 × 1,000.00 + 12,000.00 + 5,000.00 + 40 × 180.00
        assert_eq!(deal.tcv, Some(usd("36200.00")));
        assert_eq!(
            deal.product_name.as_deref(),
            Some("Platform seats + On-prem licence + Onboarding + Consulting hours")
        );
        assert_eq!(deal.billing_frequency, Some(BillingFrequency::Monthly));
        assert_eq!(deal.revenue_recognition_type, None);
        assert!(problems(&deal).is_empty());
        let lines = contract_lines(&deal).unwrap();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].quantity, "25");
        assert_eq!(
            lines[2].billing_frequency,
            Some(BillingFrequency::Milestone)
        );
        assert_eq!(
            (lines[2].start_date, lines[2].end_date),
            (date("2027-01-01"), date("2027-03-31"))
        );
    }

    /// A line starting mid-term is billed from its own start, with the first period prorated
    /// as billing prorates it, so the TCV is what the invoices will add up to.
    #[test]
    fn a_line_starting_later_counts_only_its_own_periods() {
        let mut deal = draft(vec![DealLine {
            start_date: Some(date("2027-07-01")),
            billing_frequency: Some(BillingFrequency::Quarterly),
            ..line("Add-on", Some(ContractLineKind::Subscription), 10, "300.00")
        }]);
        compute_totals(&mut deal).unwrap();
        assert_eq!(deal.arr, Some(usd("12000.00"))); // 10 × 300 × 4
        assert_eq!(deal.tcv, Some(usd("6000.00"))); // two quarters
        assert_eq!(
            deal.revenue_recognition_type,
            Some(super::super::RevenueRecognitionType::Ratable)
        );
    }

    /// A line revops cannot price yet (no kind) leaves the TCV empty and is named in the
    /// checklist; a line outside the deal's term is named too.
    #[test]
    fn an_unclassified_or_outside_line_is_a_named_problem() {
        let mut deal = draft(vec![
            line("Setup", None, 1, "900.00"),
            DealLine {
                end_date: Some(date("2028-06-30")),
                ..line("Seats", Some(ContractLineKind::Subscription), 5, "10.00")
            },
        ]);
        compute_totals(&mut deal).unwrap();
        assert_eq!(deal.tcv, None);
        let found = problems(&deal);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("Line 1 \"Setup\": choose what it is"));
        assert!(found[1].contains("outside the deal's term 2027-01-01 to 2027-12-31"));
        assert!(
            contract_lines(&deal).is_none(),
            "a line without a kind has no contract line"
        );
        deal.lines[0].kind = Some(ContractLineKind::Milestone);
        assert!(
            contract_lines(&deal).is_some(),
            "dates are the checklist's to refuse"
        );
    }

    /// A term past a hundred years is a named problem and is not walked period by period.
    #[test]
    fn a_term_of_centuries_is_a_problem_not_a_long_computation() {
        let mut deal = draft(vec![line(
            "Seats",
            Some(ContractLineKind::Subscription),
            1,
            "10.00",
        )]);
        deal.end_date = Some(date("9999-12-31"));
        compute_totals(&mut deal).unwrap();
        assert_eq!(deal.tcv, None);
        let found = problems(&deal);
        assert!(found[0].contains("more than 100 years"), "{found:?}");
    }

    /// Bad values name their line and field; lines in another currency are refused.
    #[test]
    fn bad_lines_name_the_line_and_field() {
        let input = |quantity: &str, amount: &str, currency: &str| DealLineInput {
            product_name: "Seats".into(),
            kind: Some(ContractLineKind::Subscription),
            quantity: Some(quantity.into()),
            unit_price: MoneyInput {
                amount: amount.into(),
                currency: currency.into(),
            },
            billing_frequency: Some(BillingFrequency::Monthly),
            start_date: None,
            end_date: None,
            reference: None,
            discount: None,
            trial_ends_on: None,
        };
        let field = |inputs: &[DealLineInput]| match parse(inputs, Some(Currency::USD)) {
            Err(AppError::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        };
        assert_eq!(
            field(&[input("2", "1.00", "USD"), input("ten", "1.00", "USD")]),
            "lines.1.quantity"
        );
        assert_eq!(field(&[input("0", "1.00", "USD")]), "lines.0.quantity");
        assert_eq!(
            field(&[input("1", "-1.00", "USD")]),
            "lines.0.unitPrice.amount"
        );
        assert_eq!(
            field(&[input("1", "1.00", "EUR")]),
            "lines.0.unitPrice.currency"
        );
        let usage = DealLineInput {
            kind: Some(ContractLineKind::Usage),
            ..input("1", "1.00", "USD")
        };
        assert_eq!(field(&[usage]), "lines.0.kind");
        let (lines, currency) = parse(&[input("12.5", "8.00", "usd")], None).unwrap();
        assert_eq!(currency, Some(Currency::USD));
        assert_eq!(lines[0].quantity.to_string(), "12.5");
    }
}
