//! Proposes which open invoices a bank receipt pays. A proposal is only a suggestion a person
//! confirms, so each carries the reason in plain words; a line with no confident answer gets none
//! and stays in the unmatched queue.

use crate::money::Money;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// One receipt from a bank statement; `row` is its row in the uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptLine {
    pub row: u32,
    pub received_on: NaiveDate,
    pub amount: Money,
    pub payer: String,
    pub reference: String,
}

/// An invoice with money still owed on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvoice {
    pub invoice_id: i64,
    pub number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub open: Money,
    pub invoice_date: NaiveDate,
}

/// Which rule produced a proposal, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchBasis {
    InvoiceNumber,
    AmountAndCustomer,
    AmountOnly,
}

/// Invoices of one customer that a receipt probably pays, oldest first where order matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub customer_id: i64,
    pub invoice_ids: Vec<i64>,
    pub basis: MatchBasis,
    pub explanation: String,
}

/// Tries the rules in order: invoice numbers in the reference, then payer name with amount, then
/// a unique amount. Only invoices in the receipt's currency with a positive open balance count.
pub fn propose(line: &ReceiptLine, open: &[OpenInvoice]) -> Option<Proposal> {
    let currency = line.amount.currency();
    let invoices: Vec<&OpenInvoice> = open
        .iter()
        .filter(|invoice| invoice.open.currency() == currency && invoice.open.minor() > 0)
        .collect();
    by_invoice_number(line, &invoices)
        .or_else(|| by_customer_and_amount(line, &invoices))
        .or_else(|| by_amount_only(line, &invoices))
}

// ---- Rule 1: invoice numbers in the reference -------------------------------------------------

/// An invoice number `INV-<year>-<sequence>` compared by value, so "INV2026123" and
/// "inv 2026 000123" both name INV-2026-000123.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct InvoiceKey {
    year: u32,
    sequence: u64,
}

impl InvoiceKey {
    /// The key of a whole invoice number, or `None` when it is not in the INV format.
    fn of_number(number: &str) -> Option<InvoiceKey> {
        let chars = upper_chars(number.trim());
        key_at(&chars, 0).and_then(|(key, end)| (end == chars.len()).then_some(key))
    }

    fn canonical(&self) -> String {
        format!("INV-{}-{:06}", self.year, self.sequence)
    }
}

fn upper_chars(text: &str) -> Vec<char> {
    text.chars().map(|c| c.to_ascii_uppercase()).collect()
}

/// Every invoice number in free text, first mention first, each once.
fn invoice_keys_in(text: &str) -> Vec<InvoiceKey> {
    let chars = upper_chars(text);
    let mut found = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        match key_at(&chars, index) {
            Some((key, end)) => {
                if !found.contains(&key) {
                    found.push(key);
                }
                index = end;
            }
            None => index += 1,
        }
    }
    found
}

/// Reads "INV" (or "INVOICE"), optional separators, a four-digit year, optional separators and
/// the sequence digits, starting at `start` of upper-cased text; returns the key and where it ends.
fn key_at(chars: &[char], start: usize) -> Option<(InvoiceKey, usize)> {
    let mut at = skip_word(chars, start, "INV")?;
    at = skip_word(chars, at, "OICE").unwrap_or(at);
    at = skip_separators(chars, at);
    let (year, after_year) = digits(chars, at, 4)?;
    if after_year - at != 4 {
        return None;
    }
    at = skip_separators(chars, after_year);
    let (sequence, end) = digits(chars, at, 18)?;
    if chars.get(end).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let year = u32::try_from(year).ok()?;
    Some((InvoiceKey { year, sequence }, end))
}

fn skip_word(chars: &[char], at: usize, word: &str) -> Option<usize> {
    let mut end = at;
    for expected in word.chars() {
        if chars.get(end) != Some(&expected) {
            return None;
        }
        end += 1;
    }
    Some(end)
}

fn skip_separators(chars: &[char], mut at: usize) -> usize {
    while chars
        .get(at)
        .is_some_and(|c| matches!(c, ' ' | '-' | '_' | '\t'))
    {
        at += 1;
    }
    at
}

/// Up to `max` ASCII digits from `at` as a number, and the index after them; `None` if none.
fn digits(chars: &[char], at: usize, max: usize) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    let mut end = at;
    while end - at < max {
        let Some(digit) = chars.get(end).and_then(|c| c.to_digit(10)) else {
            break;
        };
        value = value * 10 + u64::from(digit);
        end += 1;
    }
    (end > at).then_some((value, end))
}

fn by_invoice_number(line: &ReceiptLine, invoices: &[&OpenInvoice]) -> Option<Proposal> {
    let mut named: Vec<&OpenInvoice> = Vec::new();
    let mut not_open: Vec<InvoiceKey> = Vec::new();
    for key in invoice_keys_in(&line.reference) {
        match invoices
            .iter()
            .find(|invoice| InvoiceKey::of_number(&invoice.number) == Some(key))
        {
            Some(invoice) => named.push(invoice),
            None => not_open.push(key),
        }
    }
    let first = named.first()?;
    if named
        .iter()
        .any(|invoice| invoice.customer_id != first.customer_id)
    {
        return None;
    }
    let numbers: Vec<String> = named.iter().map(|invoice| invoice.number.clone()).collect();
    let mut explanation = format!("Reference names {}.", join_words(&numbers));
    explanation.push_str(&balance_note(line, &named));
    explanation.push_str(&not_open_note(line, &not_open));
    Some(Proposal {
        customer_id: first.customer_id,
        invoice_ids: named.iter().map(|invoice| invoice.invoice_id).collect(),
        basis: MatchBasis::InvoiceNumber,
        explanation,
    })
}

/// Says how the receipt compares with the named invoices when it does not settle them exactly.
fn balance_note(line: &ReceiptLine, named: &[&OpenInvoice]) -> String {
    let Some(total) = total_open(named) else {
        return String::new();
    };
    if total == line.amount {
        return String::new();
    }
    let whose = if named.len() == 1 {
        "Its open balance is"
    } else {
        "Their open balances total"
    };
    format!(" {whose} {total}; the receipt is {}.", line.amount)
}

fn not_open_note(line: &ReceiptLine, keys: &[InvoiceKey]) -> String {
    let numbers: Vec<String> = keys.iter().map(InvoiceKey::canonical).collect();
    let currency = line.amount.currency().code();
    match numbers.len() {
        0 => String::new(),
        1 => format!(" {} is not an open {currency} invoice.", numbers[0]),
        _ => format!(
            " {} are not open {currency} invoices.",
            join_words(&numbers)
        ),
    }
}

// ---- Rule 2: payer name and amount -----------------------------------------------------------

const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "ltd",
    "llc",
    "gmbh",
    "corp",
    "corporation",
    "co",
    "plc",
    "sa",
    "ag",
    "bv",
    "limited",
    "pty",
];

/// A company name as a set of words: lower case, apostrophes and dots dropped ("S.A." is "sa",
/// "O'Neil" is "oneil"), other punctuation splitting words, legal suffixes removed unless
/// nothing else is left.
fn name_tokens(name: &str) -> BTreeSet<String> {
    let cleaned: String = name
        .chars()
        .filter(|c| !matches!(c, '\'' | '\u{2019}' | '.'))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words: BTreeSet<String> = cleaned.split_whitespace().map(str::to_owned).collect();
    let kept: BTreeSet<String> = words
        .iter()
        .filter(|word| !LEGAL_SUFFIXES.contains(&word.as_str()))
        .cloned()
        .collect();
    if kept.is_empty() {
        words
    } else {
        kept
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameMatch {
    Equal,
    Contains,
}

fn name_match(payer: &BTreeSet<String>, customer: &BTreeSet<String>) -> Option<NameMatch> {
    if payer.is_empty() || customer.is_empty() {
        None
    } else if payer == customer {
        Some(NameMatch::Equal)
    } else if payer.is_superset(customer) || customer.is_superset(payer) {
        Some(NameMatch::Contains)
    } else {
        None
    }
}

/// Customers whose names are equal to the payer's are tried first; only if none of them fits the
/// amount are customers whose names merely contain (or are contained in) it tried. More than one
/// fitting customer at a level is ambiguous, so there is no proposal from this rule.
fn by_customer_and_amount(line: &ReceiptLine, invoices: &[&OpenInvoice]) -> Option<Proposal> {
    let payer = name_tokens(&line.payer);
    let mut customers: BTreeMap<i64, &str> = BTreeMap::new();
    for invoice in invoices {
        customers
            .entry(invoice.customer_id)
            .or_insert(&invoice.customer_name);
    }
    for level in [NameMatch::Equal, NameMatch::Contains] {
        let mut fits: Vec<Proposal> = customers
            .iter()
            .filter(|(_, name)| name_match(&payer, &name_tokens(name)) == Some(level))
            .filter_map(|(id, name)| customer_fit(line, *id, name, invoices))
            .collect();
        match fits.len() {
            0 => continue,
            1 => return fits.pop(),
            _ => return None,
        }
    }
    None
}

/// One invoice of the customer whose open balance is the amount (the oldest if several), else
/// all its open invoices when together they are the amount.
fn customer_fit(
    line: &ReceiptLine,
    customer_id: i64,
    name: &str,
    invoices: &[&OpenInvoice],
) -> Option<Proposal> {
    let mut own: Vec<&OpenInvoice> = invoices
        .iter()
        .copied()
        .filter(|invoice| invoice.customer_id == customer_id)
        .collect();
    own.sort_by_key(|invoice| (invoice.invoice_date, invoice.invoice_id));
    let payer = format!("Payer '{}' matches {name}", line.payer.trim());
    let equal: Vec<&OpenInvoice> = own
        .iter()
        .copied()
        .filter(|invoice| invoice.open == line.amount)
        .collect();
    if let Some(oldest) = equal.first() {
        let mut explanation = format!(
            "{payer} and the amount equals {}'s open balance.",
            oldest.number
        );
        if equal.len() > 1 {
            explanation.push_str(&format!(
                " It is the oldest of {} open invoices with that balance.",
                equal.len()
            ));
        }
        return Some(customer_proposal(customer_id, vec![oldest], explanation));
    }
    if own.len() < 2 || total_open(&own) != Some(line.amount) {
        return None;
    }
    let numbers: Vec<String> = own.iter().map(|invoice| invoice.number.clone()).collect();
    let explanation = format!(
        "{payer} and the amount equals the total open balance of its {} open invoices ({}).",
        own.len(),
        join_words(&numbers)
    );
    Some(customer_proposal(customer_id, own, explanation))
}

fn customer_proposal(
    customer_id: i64,
    invoices: Vec<&OpenInvoice>,
    explanation: String,
) -> Proposal {
    Proposal {
        customer_id,
        invoice_ids: invoices.iter().map(|invoice| invoice.invoice_id).collect(),
        basis: MatchBasis::AmountAndCustomer,
        explanation,
    }
}

// ---- Rule 3: a unique amount -----------------------------------------------------------------

fn by_amount_only(line: &ReceiptLine, invoices: &[&OpenInvoice]) -> Option<Proposal> {
    let mut equal = invoices
        .iter()
        .filter(|invoice| invoice.open == line.amount);
    let only = equal.next()?;
    if equal.next().is_some() {
        return None;
    }
    Some(Proposal {
        customer_id: only.customer_id,
        invoice_ids: vec![only.invoice_id],
        basis: MatchBasis::AmountOnly,
        explanation: format!(
            "The amount {} equals the open balance of {} ({}) and of no other open invoice.",
            line.amount, only.number, only.customer_name
        ),
    })
}

// ---- Shared helpers --------------------------------------------------------------------------

/// Sum of open balances; `None` on overflow (which then simply matches nothing).
fn total_open(invoices: &[&OpenInvoice]) -> Option<Money> {
    let (first, rest) = invoices.split_first()?;
    rest.iter().try_fold(first.open, |total, invoice| {
        total.checked_add(invoice.open).ok()
    })
}

/// "A", "A and B", "A, B and C".
fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn usd(amount: &str) -> Money {
        Money::parse(amount, Currency::USD).unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn invoice(id: i64, customer: (i64, &str), open: Money, date: &str) -> OpenInvoice {
        OpenInvoice {
            invoice_id: id,
            number: format!("INV-2026-{id:06}"),
            customer_id: customer.0,
            customer_name: customer.1.to_owned(),
            open,
            invoice_date: day(date),
        }
    }

    fn line(amount: Money, payer: &str, reference: &str) -> ReceiptLine {
        ReceiptLine {
            row: 1,
            received_on: day("2026-03-02"),
            amount,
            payer: payer.to_owned(),
            reference: reference.to_owned(),
        }
    }

    const ACME: (i64, &str) = (10, "Acme Corp");
    const GLOBEX: (i64, &str) = (20, "Globex, Inc.");

    fn book() -> Vec<OpenInvoice> {
        vec![
            invoice(123, ACME, usd("1000.00"), "2026-01-15"),
            invoice(124, ACME, usd("250.00"), "2026-02-01"),
            invoice(200, GLOBEX, usd("1000.00"), "2026-01-20"),
            invoice(201, GLOBEX, usd("499.99"), "2026-01-21"),
        ]
    }

    #[test]
    fn reference_with_an_invoice_number_proposes_that_invoice() {
        let proposal = propose(&line(usd("1000.00"), "", "INV-2026-000123"), &book()).unwrap();
        assert_eq!(proposal.basis, MatchBasis::InvoiceNumber);
        assert_eq!(proposal.customer_id, 10);
        assert_eq!(proposal.invoice_ids, vec![123]);
        assert_eq!(proposal.explanation, "Reference names INV-2026-000123.");
    }

    #[test]
    fn invoice_numbers_are_read_despite_case_spaces_and_missing_dashes() {
        for reference in [
            "inv2026000123",
            "INV 2026 000123",
            "payment inv-2026-000123 thanks",
            "Invoice 2026-000123",
            "REF:INV_2026_123",
        ] {
            let proposal = propose(&line(usd("1.00"), "", reference), &book())
                .unwrap_or_else(|| panic!("no proposal for {reference:?}"));
            assert_eq!(proposal.invoice_ids, vec![123], "{reference}");
            assert_eq!(proposal.basis, MatchBasis::InvoiceNumber);
        }
    }

    #[test]
    fn longer_digit_runs_do_not_match_a_shorter_number() {
        assert_eq!(
            InvoiceKey::of_number("INV-2026-000123").map(|k| k.sequence),
            Some(123)
        );
        assert!(invoice_keys_in("INV-2026-0001234")
            .iter()
            .all(|k| k.sequence != 123));
        assert!(invoice_keys_in("INV-26-000123").is_empty());
    }

    #[test]
    fn several_numbers_of_one_customer_are_proposed_together() {
        let reference = "INV-2026-000124, INV-2026-000123";
        let proposal = propose(&line(usd("1250.00"), "", reference), &book()).unwrap();
        assert_eq!(proposal.basis, MatchBasis::InvoiceNumber);
        assert_eq!(proposal.invoice_ids, vec![124, 123]);
        assert_eq!(
            proposal.explanation,
            "Reference names INV-2026-000124 and INV-2026-000123."
        );
    }

    #[test]
    fn a_number_explanation_notes_a_different_amount_and_numbers_not_open() {
        let reference = "INV-2026-000123 INV-2026-000999";
        let proposal = propose(&line(usd("900.00"), "", reference), &book()).unwrap();
        assert_eq!(proposal.invoice_ids, vec![123]);
        assert_eq!(
            proposal.explanation,
            "Reference names INV-2026-000123. Its open balance is USD 1,000.00; the receipt is \
             USD 900.00. INV-2026-000999 is not an open USD invoice."
        );
    }

    #[test]
    fn numbers_of_different_customers_fall_through_to_the_next_rules() {
        // Payer names Globex and the amount equals its INV-2026-000201.
        let reference = "INV-2026-000123 INV-2026-000200";
        let proposal = propose(&line(usd("499.99"), "GLOBEX", reference), &book()).unwrap();
        assert_eq!(proposal.basis, MatchBasis::AmountAndCustomer);
        assert_eq!(proposal.invoice_ids, vec![201]);
        // Without the payer, the amount alone is unique.
        let proposal = propose(&line(usd("499.99"), "", reference), &book()).unwrap();
        assert_eq!(proposal.basis, MatchBasis::AmountOnly);
    }

    #[test]
    fn numbers_that_are_not_open_fall_through() {
        let proposal = propose(&line(usd("250.00"), "", "INV-2026-000999"), &book()).unwrap();
        assert_eq!(proposal.basis, MatchBasis::AmountOnly);
        assert_eq!(proposal.invoice_ids, vec![124]);
        assert_eq!(
            propose(&line(usd("7.00"), "", "INV-2026-000999"), &book()),
            None
        );
    }

    #[test]
    fn invoices_in_another_currency_are_ignored_by_every_rule() {
        let eur = Currency::parse("EUR").unwrap();
        let euro_invoice = invoice(300, ACME, Money::parse("42.00", eur).unwrap(), "2026-01-01");
        let open = vec![euro_invoice];
        assert_eq!(
            propose(&line(usd("42.00"), "Acme Corp", "INV-2026-000300"), &open),
            None
        );
    }

    #[test]
    fn payer_and_amount_propose_the_customers_matching_invoice() {
        let proposal = propose(&line(usd("1000.00"), "ACME CORP", "March"), &book()).unwrap();
        assert_eq!(proposal.basis, MatchBasis::AmountAndCustomer);
        assert_eq!(proposal.customer_id, 10);
        assert_eq!(proposal.invoice_ids, vec![123]);
        assert_eq!(
            proposal.explanation,
            "Payer 'ACME CORP' matches Acme Corp and the amount equals INV-2026-000123's open \
             balance."
        );
    }

    #[test]
    fn the_oldest_of_several_equal_invoices_is_proposed() {
        let open = vec![
            invoice(7, ACME, usd("100.00"), "2026-02-01"),
            invoice(5, ACME, usd("100.00"), "2026-01-01"),
            invoice(6, ACME, usd("100.00"), "2026-03-01"),
        ];
        let proposal = propose(&line(usd("100.00"), "acme", ""), &open).unwrap();
        assert_eq!(proposal.basis, MatchBasis::AmountAndCustomer);
        assert_eq!(proposal.invoice_ids, vec![5]);
        assert!(proposal
            .explanation
            .ends_with("the oldest of 3 open invoices with that balance."));
    }

    #[test]
    fn the_sum_of_all_a_customers_invoices_is_proposed() {
        let proposal = propose(&line(usd("1250.00"), "Acme Corporation", ""), &book()).unwrap();
        assert_eq!(proposal.basis, MatchBasis::AmountAndCustomer);
        assert_eq!(proposal.invoice_ids, vec![123, 124]);
        assert_eq!(
            proposal.explanation,
            "Payer 'Acme Corporation' matches Acme Corp and the amount equals the total open \
             balance of its 2 open invoices (INV-2026-000123 and INV-2026-000124)."
        );
    }

    #[test]
    fn names_match_after_normalising() {
        let same = |a: &str, b: &str| name_match(&name_tokens(a), &name_tokens(b));
        assert_eq!(same("GLOBEX INC", "Globex, Inc."), Some(NameMatch::Equal));
        assert_eq!(
            same("O'Neil & Sons Ltd.", "ONEIL SONS"),
            Some(NameMatch::Equal)
        );
        assert_eq!(same("Muller S.A.", "muller sa"), Some(NameMatch::Equal));
        assert_eq!(
            same("ACME CORP PAYMENTS", "Acme Corp"),
            Some(NameMatch::Contains)
        );
        assert_eq!(same("Acme", "Acme Widgets GmbH"), Some(NameMatch::Contains));
        assert_eq!(same("Acme Widgets", "Acme Gadgets"), None);
        assert_eq!(same("", "Acme"), None);
        assert_eq!(same("Ltd", "LTD."), Some(NameMatch::Equal));
    }

    #[test]
    fn a_matching_payer_with_no_fitting_amount_falls_through() {
        // Acme has no 499.99 invoice, Globex does: the amount alone decides.
        let proposal = propose(&line(usd("499.99"), "Acme Corp", ""), &book()).unwrap();
        assert_eq!(proposal.basis, MatchBasis::AmountOnly);
        assert_eq!(proposal.customer_id, 20);
        // Acme's 1000.00 is not unique across customers, and 1.00 fits nobody.
        assert_eq!(propose(&line(usd("1.00"), "Acme Corp", ""), &book()), None);
    }

    #[test]
    fn an_exact_name_wins_over_a_containing_one() {
        let open = vec![
            invoice(1, (1, "Acme"), usd("100.00"), "2026-01-01"),
            invoice(2, (2, "Acme Widgets"), usd("100.00"), "2026-01-01"),
        ];
        let proposal = propose(&line(usd("100.00"), "ACME INC", ""), &open).unwrap();
        assert_eq!(proposal.customer_id, 1);
        assert_eq!(proposal.basis, MatchBasis::AmountAndCustomer);
    }

    #[test]
    fn two_customers_fitting_equally_well_give_no_proposal() {
        let open = vec![
            invoice(1, (1, "Acme Widgets"), usd("100.00"), "2026-01-01"),
            invoice(2, (2, "Acme Gadgets"), usd("100.00"), "2026-01-01"),
        ];
        assert_eq!(propose(&line(usd("100.00"), "ACME", ""), &open), None);
    }

    #[test]
    fn a_unique_amount_proposes_that_invoice() {
        let proposal = propose(&line(usd("250.00"), "Someone Else", ""), &book()).unwrap();
        assert_eq!(proposal.basis, MatchBasis::AmountOnly);
        assert_eq!(proposal.customer_id, 10);
        assert_eq!(proposal.invoice_ids, vec![124]);
        assert_eq!(
            proposal.explanation,
            "The amount USD 250.00 equals the open balance of INV-2026-000124 (Acme Corp) and of \
             no other open invoice."
        );
    }

    #[test]
    fn an_amount_shared_by_two_invoices_gives_no_proposal() {
        assert_eq!(
            propose(&line(usd("1000.00"), "Someone Else", ""), &book()),
            None
        );
        assert_eq!(propose(&line(usd("1000.00"), "", ""), &[]), None);
    }

    #[test]
    fn join_words_reads_as_a_list() {
        let words = |list: &[&str]| list.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        assert_eq!(join_words(&words(&["A"])), "A");
        assert_eq!(join_words(&words(&["A", "B", "C"])), "A, B and C");
    }
}
