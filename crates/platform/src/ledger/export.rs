//! Journal entries out to the company's ERP: the four file layouts (pure functions) and the
//! export batches that send each entry at most once per destination.
//!
//! Layouts, as the vendors document their imports:
//! - NetSuite: "Journal Entry and Intercompany Journal Entry Header Fields" and "… Line-Level
//!   Fields" tables (docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1534492479.html
//!   and section_1534492737.html): one row per line, the header fields repeated and lines grouped
//!   by External ID; Account as the account number (supported when "Use Account Numbers" is on);
//!   Debit and Credit numbers with two decimals at most.
//! - QuickBooks Online: Intuit's "Import journal entries" help article (quickbooks.intuit.com
//!   learn-support, import-journal-entries-quickbooks-online): Journal No., Journal Date,
//!   Account Name (names, with account numbers turned off), Debits, Credits, Description; one
//!   journal per Journal No. We add Currency for multicurrency companies.
//! - Xero: "Enter multiple manual journals using an import template" (help.xero.com/nz/
//!   ManualJournalsImport): Narration (one per journal; rows with the same Narration and Date form
//!   one journal), Date dd/mm/yyyy, Description, AccountCode, TaxRate (a tax rate name: "Tax
//!   Exempt"), Amount positive for a debit and negative for a credit.

use crate::money::{amount_string_of, Currency};
use crate::values::csv_cell;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where an export goes; each destination has its own file layout and its own "already sent".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum Destination {
    /// revops's own layout, for any system.
    Csv,
    Netsuite,
    Quickbooks,
    Xero,
}

impl Destination {
    pub const ALL: [Destination; 4] = [
        Destination::Csv,
        Destination::Netsuite,
        Destination::Quickbooks,
        Destination::Xero,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Destination::Csv => "csv",
            Destination::Netsuite => "netsuite",
            Destination::Quickbooks => "quickbooks",
            Destination::Xero => "xero",
        }
    }

    pub fn parse(text: &str) -> Option<Destination> {
        Destination::ALL
            .into_iter()
            .find(|destination| destination.as_str() == text)
    }

    /// The name people know, for messages.
    pub fn title(&self) -> &'static str {
        match self {
            Destination::Csv => "the revops CSV",
            Destination::Netsuite => "NetSuite",
            Destination::Quickbooks => "QuickBooks Online",
            Destination::Xero => "Xero",
        }
    }

    pub fn header(&self) -> &'static [&'static str] {
        match self {
            Destination::Csv => &[
                "entry_number",
                "entry_date",
                "memo",
                "source",
                "account_code",
                "account_name",
                "currency",
                "debit",
                "credit",
            ],
            Destination::Netsuite => &[
                "External ID",
                "Date",
                "Memo",
                "Account",
                "Debit",
                "Credit",
                "Currency",
                "Line Memo",
            ],
            Destination::Quickbooks => &[
                "Journal No.",
                "Journal Date",
                "Account Name",
                "Debits",
                "Credits",
                "Description",
                "Currency",
            ],
            Destination::Xero => &[
                "Narration",
                "Date",
                "Description",
                "AccountCode",
                "TaxRate",
                "Amount",
            ],
        }
    }
}

/// One line of an entry as exported: exactly one of debit and credit is above zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportLine {
    pub account_code: String,
    pub account_name: String,
    pub currency: Currency,
    pub debit_minor: i64,
    pub credit_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportEntry {
    pub entry_number: String,
    pub entry_date: NaiveDate,
    pub memo: String,
    pub source: String,
    pub lines: Vec<ExportLine>,
}

/// Debits and credits of one currency in a batch (equal, since every entry balances).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyTotal {
    pub currency: String,
    pub debit_minor: i128,
    pub credit_minor: i128,
}

/// The whole file: the destination's header, then one row per line, entries in the given order.
pub fn render(destination: Destination, entries: &[ExportEntry]) -> String {
    let mut text = row_text(destination.header().iter().map(|cell| cell.to_string()));
    for entry in entries {
        for line in &entry.lines {
            text.push_str(&row_text(row(destination, entry, line)));
        }
    }
    text
}

fn row_text(cells: impl IntoIterator<Item = String>) -> String {
    let cells: Vec<String> = cells.into_iter().map(|cell| csv_cell(&cell)).collect();
    format!("{}\r\n", cells.join(","))
}

/// An amount as the importers want it: decimal text in the currency's decimals, blank for zero.
fn amount_or_blank(minor: i64, currency: Currency) -> String {
    if minor == 0 {
        String::new()
    } else {
        amount_string_of(i128::from(minor), currency)
    }
}

fn row(destination: Destination, entry: &ExportEntry, line: &ExportLine) -> Vec<String> {
    let currency = line.currency;
    let us_date = entry.entry_date.format("%m/%d/%Y").to_string();
    match destination {
        Destination::Csv => vec![
            entry.entry_number.clone(),
            entry.entry_date.to_string(),
            entry.memo.clone(),
            entry.source.clone(),
            line.account_code.clone(),
            line.account_name.clone(),
            currency.code().to_string(),
            amount_string_of(i128::from(line.debit_minor), currency),
            amount_string_of(i128::from(line.credit_minor), currency),
        ],
        Destination::Netsuite => vec![
            entry.entry_number.clone(),
            us_date,
            entry.memo.clone(),
            line.account_code.clone(),
            amount_or_blank(line.debit_minor, currency),
            amount_or_blank(line.credit_minor, currency),
            currency.code().to_string(),
            entry.source.clone(),
        ],
        Destination::Quickbooks => vec![
            entry.entry_number.clone(),
            us_date,
            line.account_name.clone(),
            amount_or_blank(line.debit_minor, currency),
            amount_or_blank(line.credit_minor, currency),
            entry.memo.clone(),
            currency.code().to_string(),
        ],
        Destination::Xero => vec![
            // The number keeps two entries with the same memo and date apart: Xero groups rows
            // into a journal by Narration and Date.
            format!("{}: {}", entry.entry_number, entry.memo),
            entry.entry_date.format("%d/%m/%Y").to_string(),
            entry.source.clone(),
            line.account_code.clone(),
            "Tax Exempt".to_string(),
            amount_string_of(
                i128::from(line.debit_minor) - i128::from(line.credit_minor),
                currency,
            ),
        ],
    }
}

/// Debits and credits per currency over the entries, currencies in code order.
pub fn totals(entries: &[ExportEntry]) -> Vec<CurrencyTotal> {
    let mut sums: BTreeMap<&'static str, (i128, i128)> = BTreeMap::new();
    for line in entries.iter().flat_map(|entry| &entry.lines) {
        let sum = sums.entry(line.currency.code()).or_insert((0, 0));
        sum.0 += i128::from(line.debit_minor);
        sum.1 += i128::from(line.credit_minor);
    }
    sums.into_iter()
        .map(|(currency, (debit_minor, credit_minor))| CurrencyTotal {
            currency: currency.to_string(),
            debit_minor,
            credit_minor,
        })
        .collect()
}

/// The entry numbers whose lines do not balance in some currency (none, for posted entries: the
/// ledger refuses unbalanced ones; checked again so a file never carries one).
pub fn unbalanced(entries: &[ExportEntry]) -> Vec<String> {
    entries
        .iter()
        .filter(|entry| {
            totals(std::slice::from_ref(entry))
                .iter()
                .any(|total| total.debit_minor != total.credit_minor)
        })
        .map(|entry| entry.entry_number.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(code: &str, name: &str, debit: i64, credit: i64) -> ExportLine {
        ExportLine {
            account_code: code.into(),
            account_name: name.into(),
            currency: Currency::USD,
            debit_minor: debit,
            credit_minor: credit,
        }
    }

    fn sample() -> Vec<ExportEntry> {
        vec![ExportEntry {
            entry_number: "JE-0000007".into(),
            entry_date: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap_or_default(),
            memo: "Invoice INV-2026-000001, Acme, Inc.".into(),
            source: "invoice:INV-2026-000001".into(),
            lines: vec![
                line("1100", "Accounts receivable", 123_450, 0),
                line("2000", "Deferred revenue", 0, 123_450),
            ],
        }]
    }

    #[test]
    fn each_layout_has_its_documented_header_and_one_row_per_line() {
        // Proves the four layouts' headers, dates, signs and decimal text on one balanced entry.
        let entries = sample();
        let expected = [
            (Destination::Csv, "entry_number,entry_date,memo,source,account_code,account_name,currency,debit,credit\r\nJE-0000007,2026-10-31,\"Invoice INV-2026-000001, Acme, Inc.\",invoice:INV-2026-000001,1100,Accounts receivable,USD,1234.50,0.00\r\nJE-0000007,2026-10-31,\"Invoice INV-2026-000001, Acme, Inc.\",invoice:INV-2026-000001,2000,Deferred revenue,USD,0.00,1234.50\r\n"),
            (Destination::Netsuite, "External ID,Date,Memo,Account,Debit,Credit,Currency,Line Memo\r\nJE-0000007,10/31/2026,\"Invoice INV-2026-000001, Acme, Inc.\",1100,1234.50,,USD,invoice:INV-2026-000001\r\nJE-0000007,10/31/2026,\"Invoice INV-2026-000001, Acme, Inc.\",2000,,1234.50,USD,invoice:INV-2026-000001\r\n"),
            (Destination::Quickbooks, "Journal No.,Journal Date,Account Name,Debits,Credits,Description,Currency\r\nJE-0000007,10/31/2026,Accounts receivable,1234.50,,\"Invoice INV-2026-000001, Acme, Inc.\",USD\r\nJE-0000007,10/31/2026,Deferred revenue,,1234.50,\"Invoice INV-2026-000001, Acme, Inc.\",USD\r\n"),
            (Destination::Xero, "Narration,Date,Description,AccountCode,TaxRate,Amount\r\n\"JE-0000007: Invoice INV-2026-000001, Acme, Inc.\",31/10/2026,invoice:INV-2026-000001,1100,Tax Exempt,1234.50\r\n\"JE-0000007: Invoice INV-2026-000001, Acme, Inc.\",31/10/2026,invoice:INV-2026-000001,2000,Tax Exempt,-1234.50\r\n"),
        ];
        for (destination, text) in expected {
            assert_eq!(render(destination, &entries), text, "{destination:?}");
        }
    }

    #[test]
    fn zero_decimal_currencies_keep_their_decimals() {
        // Proves a JPY amount is written without a decimal point (never a float).
        let mut entries = sample();
        for line in &mut entries[0].lines {
            line.currency = Currency::parse("JPY").unwrap_or(Currency::USD);
        }
        let text = render(Destination::Xero, &entries);
        assert!(text.ends_with(",Tax Exempt,-123450\r\n"), "{text}");
    }

    #[test]
    fn totals_sum_per_currency_and_find_unbalanced_entries() {
        // Proves the batch totals and the balance check the service relies on.
        let mut entries = sample();
        assert_eq!(
            totals(&entries),
            vec![CurrencyTotal {
                currency: "USD".into(),
                debit_minor: 123_450,
                credit_minor: 123_450
            }]
        );
        assert!(unbalanced(&entries).is_empty());
        entries[0].lines[1].credit_minor = 1;
        assert_eq!(unbalanced(&entries), vec!["JE-0000007".to_string()]);
    }

    #[test]
    fn destinations_round_trip() {
        // Proves stored destination text maps back to the same destination.
        for destination in Destination::ALL {
            assert_eq!(Destination::parse(destination.as_str()), Some(destination));
        }
        assert_eq!(Destination::parse("sap"), None);
    }
}
