//! Reads a bank's receipts export (CSV) into receipt lines, collecting every problem with its row
//! and field so the person uploading can fix the file in one pass.

use super::matching::ReceiptLine;
use crate::money::{Currency, Money, MoneyError};
use chrono::NaiveDate;

/// A problem with one row (row 0 is the file or its header); `field` is a column name or "csv".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: u32,
    pub field: String,
    pub message: String,
}

impl RowError {
    fn new(row: u32, field: &str, message: impl Into<String>) -> RowError {
        RowError {
            row,
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

const COLUMNS: [&str; 5] = ["date", "amount", "currency", "payer", "reference"];

/// Splits one CSV record (RFC 4180): commas separate fields, a field in double quotes may hold
/// commas, line breaks and doubled quotes (`""` is one `"`). A quote inside an unquoted field is
/// kept as text, as spreadsheets write it. A trailing line break is ignored.
pub fn split_csv_line(line: &str) -> Result<Vec<String>, String> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut chars = line.chars().peekable();
    let mut fields = Vec::new();
    loop {
        let (field, more) = if chars.next_if_eq(&'"').is_some() {
            read_quoted(&mut chars, fields.len() + 1)?
        } else {
            read_plain(&mut chars)
        };
        fields.push(field);
        if !more {
            return Ok(fields);
        }
    }
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// An unquoted field up to the next comma; `true` when a comma followed, so another field does.
fn read_plain(chars: &mut Chars<'_>) -> (String, bool) {
    let mut field = String::new();
    for c in chars.by_ref() {
        if c == ',' {
            return (field, true);
        }
        field.push(c);
    }
    (field, false)
}

/// A quoted field whose opening quote is already read; `true` when a comma followed it.
fn read_quoted(chars: &mut Chars<'_>, number: usize) -> Result<(String, bool), String> {
    let mut field = String::new();
    while let Some(c) = chars.next() {
        if c != '"' {
            field.push(c);
        } else if chars.next_if_eq(&'"').is_some() {
            field.push('"');
        } else {
            return match chars.next() {
                None => Ok((field, false)),
                Some(',') => Ok((field, true)),
                Some(other) => Err(format!(
                    "field {number} has {other:?} after its closing quote; put the whole field \
                     in quotes"
                )),
            };
        }
    }
    Err(format!("field {number} opens a quote that is never closed"))
}

/// Parses a receipts file. The header (first non-blank line) must name the columns date, amount,
/// currency, payer and reference in any order and case; other columns are ignored. Data rows are
/// numbered from 1 (blank rows, including rows of only commas, are skipped and not counted). Rows
/// with problems are left out and reported; the rest are returned. A file with more than
/// `limit_rows` data rows is refused whole.
pub fn parse_bank_csv(text: &str, limit_rows: usize) -> (Vec<ReceiptLine>, Vec<RowError>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = records(text).into_iter().filter(|record| !is_blank(record));
    let Some(header) = records.next() else {
        return file_error(
            "The file is empty: the first line must be the header \
             date,amount,currency,payer,reference.",
        );
    };
    let columns = match header_columns(header) {
        Ok(columns) => columns,
        Err(message) => return file_error(message),
    };
    let rows: Vec<&str> = records.collect();
    if rows.len() > limit_rows {
        return file_error(format!("At most {limit_rows} rows per file."));
    }
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (index, record) in rows.into_iter().enumerate() {
        let row = u32::try_from(index + 1).unwrap_or(u32::MAX);
        match parse_row(record, row, &columns) {
            Ok(line) => lines.push(line),
            Err(mut row_errors) => errors.append(&mut row_errors),
        }
    }
    (lines, errors)
}

fn file_error(message: impl Into<String>) -> (Vec<ReceiptLine>, Vec<RowError>) {
    (Vec::new(), vec![RowError::new(0, "csv", message)])
}

/// Where a records scan is, so line breaks inside quoted fields stay in their record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Splits text into records at line breaks (LF or CRLF) outside quoted fields, reading quotes the
/// way [`split_csv_line`] does.
fn records(text: &str) -> Vec<&str> {
    let mut records = Vec::new();
    let mut state = Scan::FieldStart;
    let mut start = 0;
    for (index, c) in text.char_indices() {
        state = match (state, c) {
            (Scan::Quoted, '"') => Scan::QuoteInQuoted,
            (Scan::Quoted, _) => Scan::Quoted,
            (Scan::FieldStart, '"') | (Scan::QuoteInQuoted, '"') => Scan::Quoted,
            (_, ',') => Scan::FieldStart,
            (_, '\n') => {
                records.push(trim_cr(&text[start..index]));
                start = index + 1;
                Scan::FieldStart
            }
            _ => Scan::Unquoted,
        };
    }
    if start < text.len() {
        records.push(trim_cr(&text[start..]));
    }
    records
}

fn trim_cr(record: &str) -> &str {
    record.strip_suffix('\r').unwrap_or(record)
}

fn is_blank(record: &str) -> bool {
    record.chars().all(|c| c == ',' || c.is_whitespace())
}

/// Where each required column is in a row.
#[derive(Debug, Clone, Copy)]
struct Columns {
    date: usize,
    amount: usize,
    currency: usize,
    payer: usize,
    reference: usize,
    count: usize,
}

fn header_columns(header: &str) -> Result<Columns, String> {
    let names: Vec<String> = split_csv_line(header)
        .map_err(|problem| format!("The header line cannot be read: {problem}."))?
        .iter()
        .map(|name| name.trim().to_lowercase())
        .collect();
    let position = |wanted: &str| names.iter().position(|name| name == wanted);
    let missing: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .filter(|wanted| position(wanted).is_none())
        .collect();
    match (
        position("date"),
        position("amount"),
        position("currency"),
        position("payer"),
        position("reference"),
    ) {
        (Some(date), Some(amount), Some(currency), Some(payer), Some(reference)) => Ok(Columns {
            date,
            amount,
            currency,
            payer,
            reference,
            count: names.len(),
        }),
        _ => Err(format!(
            "The header is missing the column{} {}; it needs date, amount, currency, payer and \
             reference.",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        )),
    }
}

fn parse_row(record: &str, row: u32, columns: &Columns) -> Result<ReceiptLine, Vec<RowError>> {
    let fields = split_csv_line(record).map_err(|problem| {
        vec![RowError::new(
            row,
            "csv",
            format!("The row cannot be read: {problem}."),
        )]
    })?;
    check_width(&fields, row, columns).map_err(|error| vec![error])?;
    let field = |index: usize| fields.get(index).map_or("", |value| value.trim());
    let mut errors = Vec::new();
    let received_on = noted(parse_date(field(columns.date)), row, "date", &mut errors);
    let currency = noted(
        parse_currency(field(columns.currency)),
        row,
        "currency",
        &mut errors,
    );
    let amount = currency.and_then(|currency| {
        let amount = parse_amount(field(columns.amount), currency);
        noted(amount, row, "amount", &mut errors)
    });
    match (received_on, amount) {
        (Some(received_on), Some(amount)) if errors.is_empty() => Ok(ReceiptLine {
            row,
            received_on,
            amount,
            payer: field(columns.payer).to_owned(),
            reference: field(columns.reference).to_owned(),
        }),
        _ => Err(errors),
    }
}

/// The value, or `None` after adding the problem to `errors`.
fn noted<T>(
    result: Result<T, String>,
    row: u32,
    field: &str,
    errors: &mut Vec<RowError>,
) -> Option<T> {
    result
        .map_err(|message| errors.push(RowError::new(row, field, message)))
        .ok()
}

/// A row must have the header's fields; extra trailing fields are allowed only when empty.
fn check_width(fields: &[String], row: u32, columns: &Columns) -> Result<(), RowError> {
    let extra_text = fields
        .iter()
        .skip(columns.count)
        .any(|value| !value.trim().is_empty());
    if fields.len() < columns.count || extra_text {
        return Err(RowError::new(
            row,
            "csv",
            format!(
                "The row has {} fields but the header has {}.",
                fields.len(),
                columns.count
            ),
        ));
    }
    Ok(())
}

fn parse_date(value: &str) -> Result<NaiveDate, String> {
    if value.is_empty() {
        return Err("date is empty; write it as 2026-01-31".to_owned());
    }
    let well_formed = value.len() == 10
        && value.char_indices().all(|(index, c)| {
            if index == 4 || index == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    let not_a_date = || format!("date \"{value}\" is not a date such as 2026-01-31");
    if !well_formed {
        return Err(not_a_date());
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| not_a_date())
}

fn parse_currency(value: &str) -> Result<Currency, String> {
    if value.is_empty() {
        return Err("currency is empty; write an ISO 4217 code such as USD".to_owned());
    }
    Currency::parse(value).map_err(|_| {
        format!(
            "currency \"{value}\" is not a currency we know; use an ISO 4217 code such as USD, \
             EUR or JPY"
        )
    })
}

fn parse_amount(value: &str, currency: Currency) -> Result<Money, String> {
    if value.is_empty() {
        return Err("amount is empty; write a number such as 1250.00".to_owned());
    }
    let amount = Money::parse(value, currency).map_err(|error| match error {
        MoneyError::TooManyDecimals { decimals, .. } => format!(
            "amount \"{value}\" has more decimal places than {} allows ({decimals})",
            currency.code()
        ),
        MoneyError::Overflow | MoneyError::AboveMaximum { .. } => format!(
            "amount \"{value}\" is too large: at most {}",
            Money::maximum(currency)
        ),
        _ => format!("amount \"{value}\" is not a number such as 1250.00"),
    })?;
    if amount.minor() <= 0 {
        return Err(format!(
            "amount \"{value}\" must be more than zero: list only money received"
        ));
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> Vec<String> {
        split_csv_line(line).unwrap()
    }

    const HEADER: &str = "date,amount,currency,payer,reference";

    fn parse(rows: &[&str]) -> (Vec<ReceiptLine>, Vec<RowError>) {
        let mut text = HEADER.to_owned();
        for row in rows {
            text.push('\n');
            text.push_str(row);
        }
        parse_bank_csv(&text, 100)
    }

    fn only_error(rows: &[&str]) -> RowError {
        let (lines, errors) = parse(rows);
        assert!(lines.is_empty(), "{lines:?}");
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn splits_plain_and_quoted_fields() {
        assert_eq!(split("a,b,c"), ["a", "b", "c"]);
        assert_eq!(split("\"Acme, Inc.\",x"), ["Acme, Inc.", "x"]);
        assert_eq!(split("\"say \"\"hi\"\"\",2"), ["say \"hi\"", "2"]);
        assert_eq!(split("\"\",,"), ["", "", ""]);
        assert_eq!(split("a,\"b,\""), ["a", "b,"]);
        assert_eq!(split("5\" disk,b"), ["5\" disk", "b"]);
        assert_eq!(split("\"two\nlines\",b"), ["two\nlines", "b"]);
        assert_eq!(split("a,b\r\n"), ["a", "b"]);
        assert_eq!(split(""), [""]);
    }

    #[test]
    fn refuses_broken_quotes() {
        assert!(split_csv_line("\"open,b")
            .unwrap_err()
            .contains("never closed"));
        assert!(split_csv_line("\"a\"b,c")
            .unwrap_err()
            .contains("after its closing quote"));
    }

    #[test]
    fn parses_rows_in_any_column_order_and_case() {
        let text = "Reference,PAYER,Currency,Amount,Date,Bank Note\n\
                    \"INV-2026-000123, thanks\",\"Acme, Inc.\",usd,1250.00,2026-03-02,x\n";
        let (lines, errors) = parse_bank_csv(text, 10);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            lines,
            vec![ReceiptLine {
                row: 1,
                received_on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
                amount: Money::from_minor(125_000, Currency::USD),
                payer: "Acme, Inc.".to_owned(),
                reference: "INV-2026-000123, thanks".to_owned(),
            }]
        );
    }

    #[test]
    fn reads_amounts_in_the_rows_currency() {
        let (lines, errors) = parse(&["2026-03-02,1200,JPY,A,", "2026-03-02,1.234,KWD,B,"]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(lines[0].amount.minor(), 1200);
        assert_eq!(lines[0].amount.currency().code(), "JPY");
        assert_eq!(lines[1].amount.minor(), 1234);
    }

    #[test]
    fn handles_bom_crlf_and_blank_lines() {
        let text = "\u{feff}\r\ndate,amount,currency,payer,reference\r\n\r\n\
                    2026-03-02,10.00,USD,A,r1\r\n,,,,\r\n  \r\n2026-03-03,20.00,USD,B,r2\r\n\r\n";
        let (lines, errors) = parse_bank_csv(text, 2);
        assert!(errors.is_empty(), "{errors:?}");
        let rows: Vec<(u32, &str)> = lines
            .iter()
            .map(|l| (l.row, l.reference.as_str()))
            .collect();
        assert_eq!(rows, [(1, "r1"), (2, "r2")]);
    }

    #[test]
    fn keeps_line_breaks_inside_quoted_fields() {
        let (lines, errors) = parse(&[
            "2026-03-02,10.00,USD,A,\"line one\r\nline two\"",
            "2026-03-03,5.00,USD,B,x",
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(lines[0].reference, "line one\r\nline two");
        assert_eq!(lines[1].row, 2);
    }

    #[test]
    fn a_bare_quote_inside_a_field_does_not_join_lines() {
        let (lines, errors) = parse(&[
            "2026-03-02,1.00,USD,5\" Disks Ltd,a",
            "2026-03-03,2.00,USD,B,b",
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(lines[0].payer, "5\" Disks Ltd");
        assert_eq!(lines[1].row, 2);
    }

    fn quote(field: &str) -> String {
        format!("\"{}\"", field.replace('"', "\"\""))
    }

    proptest::proptest! {
        #[test]
        fn quoted_fields_split_back_to_themselves(
            fields in proptest::collection::vec("(?s).*", 1..6),
        ) {
            let line = fields.iter().map(|field| quote(field)).collect::<Vec<_>>().join(",");
            proptest::prop_assert_eq!(split_csv_line(&line).unwrap(), fields.clone());
            let (payer, reference) = (quote(&fields[0]), quote(&line));
            let text = format!("{HEADER}\n2026-03-02,1.00,USD,{payer},{reference}\n");
            let (lines, errors) = parse_bank_csv(&text, 1);
            proptest::prop_assert!(errors.is_empty(), "{:?}", errors);
            proptest::prop_assert_eq!(&lines[0].payer, fields[0].trim());
            proptest::prop_assert_eq!(&lines[0].reference, line.trim());
        }
    }

    #[test]
    fn trims_spaces_around_values() {
        let (lines, _) = parse(&[" 2026-03-02 , 10.00 , usd , Acme , ref "]);
        assert_eq!(lines[0].payer, "Acme");
        assert_eq!(lines[0].reference, "ref");
        assert_eq!(lines[0].amount.minor(), 1000);
    }

    #[test]
    fn names_every_missing_column() {
        let (lines, errors) = parse_bank_csv("Date,Amount,Payer\n2026-03-02,1.00,A\n", 10);
        assert!(lines.is_empty());
        assert_eq!(
            errors,
            [RowError::new(
                0,
                "csv",
                "The header is missing the columns currency, reference; it needs date, amount, \
                 currency, payer and reference."
            )]
        );
    }

    #[test]
    fn refuses_an_empty_file_and_an_unreadable_header() {
        let (_, errors) = parse_bank_csv("\u{feff}\n  \n", 10);
        assert_eq!((errors[0].row, errors[0].field.as_str()), (0, "csv"));
        assert!(errors[0].message.starts_with("The file is empty"));
        let (_, errors) = parse_bank_csv("\"date,amount\n", 10);
        assert!(errors[0]
            .message
            .starts_with("The header line cannot be read"));
    }

    #[test]
    fn refuses_files_over_the_row_limit_whole() {
        let (lines, errors) = parse(&["2026-03-02,1.00,USD,A,", "2026-03-02,2.00,USD,B,"]);
        assert_eq!((lines.len(), errors.len()), (2, 0));
        let text = format!("{HEADER}\n2026-03-02,1.00,USD,A,\n2026-03-02,2.00,USD,B,\n");
        let (lines, errors) = parse_bank_csv(&text, 1);
        assert!(lines.is_empty());
        assert_eq!(
            errors,
            [RowError::new(0, "csv", "At most 1 rows per file.")]
        );
    }

    #[test]
    fn reports_bad_amounts_with_their_value() {
        let error = only_error(&["2026-03-02,\"12,50\",EUR,A,"]);
        assert_eq!((error.row, error.field.as_str()), (1, "amount"));
        assert_eq!(
            error.message,
            "amount \"12,50\" is not a number such as 1250.00"
        );
        let error = only_error(&["2026-03-02,1.005,USD,A,"]);
        assert_eq!(
            error.message,
            "amount \"1.005\" has more decimal places than USD allows (2)"
        );
        let error = only_error(&["2026-03-02,99999999999999999999,USD,A,"]);
        assert_eq!(
            error.message,
            "amount \"99999999999999999999\" is too large: at most USD 1,000,000,000,000.00"
        );
        let error = only_error(&["2026-03-02,1000000000000.01,USD,A,"]);
        assert_eq!(
            error.message,
            "amount \"1000000000000.01\" is too large: at most USD 1,000,000,000,000.00"
        );
        let error = only_error(&["2026-03-02,,USD,A,"]);
        assert_eq!(
            error.message,
            "amount is empty; write a number such as 1250.00"
        );
    }

    #[test]
    fn refuses_zero_and_negative_amounts() {
        for value in ["0.00", "-5.00", "0"] {
            let error = only_error(&[&format!("2026-03-02,{value},USD,A,")]);
            assert_eq!(error.field, "amount");
            assert_eq!(
                error.message,
                format!("amount \"{value}\" must be more than zero: list only money received")
            );
        }
    }

    #[test]
    fn reports_bad_dates_with_their_value() {
        for value in ["02/03/2026", "2026-3-2", "2026-02-30", "20260302"] {
            let error = only_error(&[&format!("{value},1.00,USD,A,")]);
            assert_eq!((error.row, error.field.as_str()), (1, "date"));
            assert_eq!(
                error.message,
                format!("date \"{value}\" is not a date such as 2026-01-31")
            );
        }
        assert_eq!(
            only_error(&[",1.00,USD,A,"]).message,
            "date is empty; write it as 2026-01-31"
        );
    }

    #[test]
    fn reports_unknown_and_empty_currencies() {
        let error = only_error(&["2026-03-02,1.00,XYZ,A,"]);
        assert_eq!((error.row, error.field.as_str()), (1, "currency"));
        assert!(error
            .message
            .starts_with("currency \"XYZ\" is not a currency we know"));
        let error = only_error(&["2026-03-02,1.00,,A,"]);
        assert_eq!(
            error.message,
            "currency is empty; write an ISO 4217 code such as USD"
        );
    }

    #[test]
    fn reports_every_problem_of_a_row_and_keeps_good_rows() {
        let (lines, errors) = parse(&[
            "2026-03-02,1.00,USD,A,ok",
            "yesterday,abc,USD,B,",
            "2026-03-04,3.00,USD,C,ok",
        ]);
        assert_eq!(lines.iter().map(|l| l.row).collect::<Vec<_>>(), [1, 3]);
        let fields: Vec<(u32, &str)> = errors.iter().map(|e| (e.row, e.field.as_str())).collect();
        assert_eq!(fields, [(2, "date"), (2, "amount")]);
    }

    #[test]
    fn reports_rows_of_the_wrong_width_and_broken_quotes() {
        let error = only_error(&["2026-03-02,1.00,USD"]);
        assert_eq!((error.row, error.field.as_str()), (1, "csv"));
        assert_eq!(error.message, "The row has 3 fields but the header has 5.");
        let error = only_error(&["2026-03-02,1.00,USD,A,r,surprise"]);
        assert_eq!(error.message, "The row has 6 fields but the header has 5.");
        let (lines, errors) = parse(&["2026-03-02,1.00,USD,A,r,,"]);
        assert_eq!((lines.len(), errors.len()), (1, 0));
        let error = only_error(&["2026-03-02,1.00,USD,\"A\"x,r"]);
        assert_eq!(error.field, "csv");
        assert!(error
            .message
            .starts_with("The row cannot be read: field 4 has 'x' after"));
    }
}
