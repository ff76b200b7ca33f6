//! Property tests of the import parsers (outside input: whatever a spreadsheet holds), and the
//! helpers each kind's own property test uses: a one-row table over the kind's columns, and cell
//! values an adversarial or careless file might hold.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::cells;
use super::table::Table;
use super::ColumnSpec;
use crate::money::{Currency, Money};
use proptest::prelude::*;

/// A cell: empty, plausible (dates, codes, amounts as spreadsheets write them) or anything.
pub fn cell_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        prop_oneof![
            Just("2026-11-30"),
            Just("2026-02-30"),
            Just("2026-11-30T00:00:00"),
            Just("2027-01"),
            Just("USD"),
            Just("usd"),
            Just("JPY"),
            Just("XXX"),
            Just("12,400.50"),
            Just("-1,000.5"),
            Just("1.005"),
            Just("0"),
            Just("99999999999999999999999"),
            Just("1e309"),
            Just("NaN"),
            Just("ACCT-1"),
            Just("OLD-1"),
            Just("ae@test.example"),
            Just("annually"),
            Just("net_30"),
            Just("US-CA"),
            Just("CARD"),
        ]
        .prop_map(str::to_owned),
        "[0-9,.\\- ]{0,16}",
        "\\PC{0,40}",
        any::<String>(),
    ]
}

/// One value per column of a kind: often the column's own example (so rows get past the first
/// checks and the deeper ones are exercised too), otherwise any `cell_value`.
pub fn cells_for(columns: &'static [ColumnSpec]) -> impl Strategy<Value = Vec<String>> {
    columns
        .iter()
        .map(|column| {
            prop_oneof![
                3 => Just(column.example.to_owned()),
                2 => cell_value(),
            ]
        })
        .collect::<Vec<_>>()
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// The table of a CSV whose header names `columns` and whose one row holds `cells`, with that
/// row's cells and number; None when every cell is blank (a file with no data row).
pub fn one_row(columns: &[ColumnSpec], cells: &[String]) -> Option<(Table, Vec<String>, u32)> {
    let header: Vec<String> = columns.iter().map(|column| quoted(column.name)).collect();
    let row: Vec<String> = cells.iter().map(|cell| quoted(cell)).collect();
    let csv = format!("{}\r\n{}\r\n", header.join(","), row.join(","));
    let table = Table::read(csv.as_bytes()).ok()?;
    let (number, cells) = table.rows.first()?.clone();
    Some((table, cells, number))
}

/// The table of a CSV whose header names `columns` and whose rows hold `rows`; None when no row
/// has anything in it.
pub fn table_of(columns: &[ColumnSpec], rows: &[Vec<String>]) -> Option<Table> {
    let header: Vec<String> = columns.iter().map(|column| quoted(column.name)).collect();
    let mut csv = format!("{}\r\n", header.join(","));
    for row in rows {
        let line: Vec<String> = row.iter().map(|cell| quoted(cell)).collect();
        csv.push_str(&line.join(","));
        csv.push_str("\r\n");
    }
    Table::read(csv.as_bytes()).ok()
}

/// Whether a row error names the row it was given and one of the kind's columns.
pub fn names_row_and_column(error: &cells::CellError, row: u32, columns: &[ColumnSpec]) -> bool {
    error.row == row
        && !error.message.is_empty()
        && columns.iter().any(|column| column.name == error.column)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_read_as_a_table_or_say_why(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        // Proves arbitrary uploads (binary, truncated ZIPs, bad UTF-8) never panic: they read
        // into rows numbered from 2 upwards, or give a reason in words.
        match Table::read(&bytes) {
            Ok(table) => {
                let numbers: Vec<u32> = table.rows.iter().map(|(number, _)| *number).collect();
                prop_assert!(numbers.iter().all(|number| *number >= 2));
                prop_assert!(numbers.windows(2).all(|pair| pair[0] < pair[1]));
            }
            Err(reason) => prop_assert!(!reason.is_empty()),
        }
    }

    #[test]
    fn zip_looking_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..400)) {
        // Proves a file that starts like an XLSX workbook but is not one is refused, not a panic.
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        prop_assert!(Table::read(&bytes).is_err_and(|reason| !reason.is_empty()));
    }

    #[test]
    fn csv_cells_round_trip(
        rows in proptest::collection::vec(proptest::collection::vec("\\PC{0,12}", 3), 1..6),
    ) {
        // Proves what a spreadsheet writes as CSV (quoted, commas, quotes, new lines) reads back
        // cell for cell (trimmed), under headers of any case and spacing, rows keeping their
        // spreadsheet numbers; rows with nothing in them are skipped.
        let header = "\" Customer Ref \",AMOUNT,due-date";
        let mut csv = format!("{header}\r\n");
        for row in &rows {
            let line: Vec<String> = row.iter().map(|cell| quoted(cell)).collect();
            csv.push_str(&line.join(","));
            csv.push_str("\r\n");
        }
        let kept: Vec<(u32, &Vec<String>)> = rows
            .iter()
            .enumerate()
            .filter(|(_, row)| row.iter().any(|cell| !cell.trim().is_empty()))
            .map(|(index, row)| (index as u32 + 2, row))
            .collect();
        match Table::read(csv.as_bytes()) {
            Ok(table) => {
                prop_assert_eq!(table.rows.len(), kept.len());
                for ((number, cells), (expected_number, expected)) in table.rows.iter().zip(&kept) {
                    prop_assert_eq!(number, expected_number);
                    for (column, value) in ["customer_ref", "amount", "due_date"].iter().zip(expected.iter()) {
                        prop_assert_eq!(table.cell(cells, column), value.trim());
                    }
                }
            }
            Err(reason) => {
                prop_assert!(kept.is_empty(), "{}", reason);
            }
        }
    }

    #[test]
    fn any_cell_text_is_a_value_or_an_error_naming_its_cell(text in cell_value(), row in 2u32..200_000) {
        // Proves the shared cell readers never panic and every refusal names the row and column.
        for result in [
            cells::date(&text, "invoice_date", row).map(|_| ()),
            cells::currency(&text, "currency", row).map(|_| ()),
            cells::amount(&text, Currency::USD, "open_amount", row).map(|_| ()),
            cells::amount(&text, Currency::parse("JPY").unwrap(), "open_amount", row).map(|_| ()),
            cells::optional(&text, "po_number", row, 32).map(|_| ()),
        ] {
            if let Err(error) = result {
                prop_assert_eq!(error.row, row);
                prop_assert!(!error.message.is_empty());
            }
        }
    }

    #[test]
    fn amounts_round_trip_through_their_text(minor in any::<i64>(), code in prop::sample::select(vec!["USD", "EUR", "JPY", "BHD"])) {
        // Proves any amount within the bound, written as revops writes it (and with the thousands
        // separators a spreadsheet adds), reads back to the same minor units.
        let currency = Currency::parse(code).unwrap();
        let maximum = Money::maximum(currency).minor();
        let money = Money::from_minor(minor % (maximum + 1), currency);
        let text = money.amount_string();
        prop_assert_eq!(cells::amount(&text, currency, "amount", 2).unwrap(), money);
        let (whole, fraction) = text.split_once('.').map_or((text.as_str(), None), |(whole, fraction)| (whole, Some(fraction)));
        let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |digits| ("-", digits));
        let mut grouped: Vec<String> = Vec::new();
        let mut end = digits.len();
        while end > 3 {
            grouped.insert(0, digits[end - 3..end].to_owned());
            end -= 3;
        }
        grouped.insert(0, digits[..end].to_owned());
        let separated = match fraction {
            Some(fraction) => format!("{sign}{}.{fraction}", grouped.join(",")),
            None => format!("{sign}{}", grouped.join(",")),
        };
        prop_assert_eq!(cells::amount(&separated, currency, "amount", 2).unwrap(), money);
    }

    #[test]
    fn dates_round_trip(days in 0i32..200_000) {
        // Proves every date written as YYYY-MM-DD reads back as itself.
        let date = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(i64::from(days));
        prop_assert_eq!(cells::date(&date.format("%Y-%m-%d").to_string(), "d", 2).unwrap(), date);
    }
}
