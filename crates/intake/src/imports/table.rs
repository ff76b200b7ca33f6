//! Reads an uploaded file, CSV or XLSX, into one table of text cells with a normalised header,
//! so every import kind validates the same cells whichever format the person saved.

use calamine::{Data, Reader, Xlsx};
use std::collections::HashMap;
use std::io::Cursor;

/// The most data rows one import may hold (DESIGN law 7).
pub const MAX_ROWS: usize = 200_000;

/// The two formats an import accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl FileFormat {
    /// XLSX files are ZIP archives (they start with `PK\x03\x04`); anything else is read as CSV.
    pub fn detect(bytes: &[u8]) -> FileFormat {
        if bytes.starts_with(b"PK\x03\x04") {
            FileFormat::Xlsx
        } else {
            FileFormat::Csv
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }
}

/// The file's rows as text, with the header's columns found by their normalised names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    columns: HashMap<String, usize>,
    /// Data rows with their row number in the file as a spreadsheet shows it (the header is 1).
    pub rows: Vec<(u32, Vec<String>)>,
}

/// "Invoice Number", " invoice_number " and "INVOICE-NUMBER" all name `invoice_number`.
pub fn normalise_header(text: &str) -> String {
    text.trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

impl Table {
    /// Reads `bytes` in the detected format. The error says, in words, why the file is unreadable.
    pub fn read(bytes: &[u8]) -> Result<Table, String> {
        let grid = match FileFormat::detect(bytes) {
            FileFormat::Csv => read_csv(bytes)?,
            FileFormat::Xlsx => read_xlsx(bytes)?,
        };
        Table::from_grid(grid)
    }

    fn from_grid(grid: Vec<(u32, Vec<String>)>) -> Result<Table, String> {
        let mut rows = grid.into_iter();
        let Some((_, header)) = rows.next() else {
            return Err(
                "The file is empty: it needs a header row and at least one data row.".into(),
            );
        };
        let mut columns = HashMap::new();
        for (index, name) in header.iter().enumerate() {
            let name = normalise_header(name);
            if name.is_empty() {
                continue;
            }
            if columns.insert(name.clone(), index).is_some() {
                return Err(format!("The header names column \"{name}\" twice."));
            }
        }
        let rows: Vec<(u32, Vec<String>)> = rows
            .filter(|(_, cells)| cells.iter().any(|cell| !cell.trim().is_empty()))
            .collect();
        if rows.is_empty() {
            return Err("The file has a header but no data rows.".into());
        }
        if rows.len() > MAX_ROWS {
            return Err(format!(
                "The file has {} data rows; one import takes at most {MAX_ROWS}. Split it into several files.",
                rows.len()
            ));
        }
        Ok(Table { columns, rows })
    }

    /// Whether the header has this (normalised) column.
    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    /// The header's columns that no import column matches, to tell the person.
    pub fn unknown_columns(&self, known: &[&str]) -> Vec<String> {
        let mut unknown: Vec<String> = self
            .columns
            .keys()
            .filter(|name| !known.contains(&name.as_str()))
            .cloned()
            .collect();
        unknown.sort();
        unknown
    }

    /// The trimmed cell of `column` in `cells` ("" when the column or the cell is absent).
    pub fn cell<'a>(&self, cells: &'a [String], column: &str) -> &'a str {
        self.columns
            .get(column)
            .and_then(|index| cells.get(*index))
            .map(|cell| cell.trim())
            .unwrap_or("")
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<(u32, Vec<String>)>, String> {
    let text = std::str::from_utf8(bytes).map_err(|error| {
        format!(
            "The file is neither an XLSX workbook nor UTF-8 text (byte {} is not UTF-8); save it as \"CSV UTF-8\" or XLSX.",
            error.valid_up_to() + 1
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    // Rows are numbered as a spreadsheet shows the file: a blank line is a row, a line break
    // inside a quoted cell is not. `csv` skips blank lines, so count line breaks up to each
    // record's first byte, less those inside earlier records' cells.
    let mut breaks_inside_cells = 0;
    let mut breaks_counted = 0;
    let mut counted_to = 0;
    for record in reader.records() {
        let record = record.map_err(|error| match error.position() {
            Some(position) => format!("Near line {}: {error}", position.line()),
            None => error.to_string(),
        })?;
        let mut start = record
            .position()
            .map(|position| usize::try_from(position.byte()).unwrap_or(usize::MAX))
            .unwrap_or(counted_to)
            .min(bytes.len());
        // The reported start can sit on the line end that closed the previous record (the
        // `\n` of a CRLF); a record itself never begins with a line break.
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        breaks_counted += bytes[counted_to.min(start)..start]
            .iter()
            .filter(|byte| **byte == b'\n')
            .count();
        counted_to = start;
        let line = 1 + breaks_counted - breaks_inside_cells;
        breaks_inside_cells += record
            .iter()
            .map(|cell| cell.matches('\n').count())
            .sum::<usize>();
        grid.push((
            u32::try_from(line).unwrap_or(u32::MAX),
            record.iter().map(str::to_owned).collect(),
        ));
        if grid.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(grid)
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<(u32, Vec<String>)>, String> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|error| format!("The XLSX workbook could not be opened: {error}"))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| "The XLSX workbook has no sheet.".to_string())?
        .map_err(|error| format!("The first sheet could not be read: {error}"))?;
    let first_row = range.start().map(|(row, _)| row).unwrap_or(0);
    let first_column = range.start().map(|(_, column)| column).unwrap_or(0) as usize;
    let mut grid = Vec::with_capacity(range.height());
    for (index, row) in range.rows().enumerate() {
        // Cells left of the used range are empty; keep them so columns line up with the header.
        let mut cells = vec![String::new(); first_column];
        cells.extend(row.iter().map(cell_text));
        let number = first_row + u32::try_from(index).unwrap_or(u32::MAX) + 1;
        grid.push((number, cells));
        if grid.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(grid)
}

/// A spreadsheet cell as the text a person would type: dates as ISO dates, whole numbers without
/// a decimal point, other numbers in their shortest exact decimal form.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(number) => number.to_string(),
        Data::Float(number) => float_text(*number),
        Data::Bool(value) => value.to_string(),
        Data::DateTime(date_time) => match date_time.as_datetime() {
            Some(value) if value.time() == chrono::NaiveTime::MIN => {
                value.date().format("%Y-%m-%d").to_string()
            }
            Some(value) => value.format("%Y-%m-%dT%H:%M:%S").to_string(),
            None => float_text(date_time.as_f64()),
        },
        Data::Error(error) => format!("#{error:?}"),
    }
}

/// XLSX stores every number as a double; it is only printed here (shortest form that reads back
/// to the same double, e.g. 1234.56), never computed with, and the text is then parsed exactly
/// as money by the import kind, which refuses more decimals than the currency has.
fn float_text(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{number:.0}")
    } else {
        format!("{number}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Headers match whatever spacing and case a spreadsheet gave them.
    #[test]
    fn headers_are_normalised() {
        assert_eq!(normalise_header(" Invoice Number "), "invoice_number");
        assert_eq!(normalise_header("\u{feff}OPEN-AMOUNT"), "open_amount");
        assert_eq!(normalise_header("due date (ISO)"), "due_date_iso");
    }

    /// A CSV with quoted commas, a blank line, a cell over two lines and CRLF line ends reads
    /// into rows numbered as a spreadsheet numbers them.
    #[test]
    fn csv_rows_keep_their_spreadsheet_numbers() -> Result<(), String> {
        let table = Table::read(
            b"Name,Amount\r\n\"Acme, Inc.\",12.50\r\n\r\n\"Beta\nEast\",3\r\nGamma,4\r\n",
        )?;
        assert_eq!(table.rows.len(), 3);
        assert_eq!(table.rows[0].0, 2);
        assert_eq!(table.cell(&table.rows[0].1, "name"), "Acme, Inc.");
        assert_eq!(table.rows[1].0, 4);
        assert_eq!(table.cell(&table.rows[1].1, "amount"), "3");
        assert_eq!(table.rows[2].0, 5);
        Ok(())
    }

    /// A file without data, with a repeated column or in another encoding says why.
    #[test]
    fn unreadable_files_say_why() {
        assert!(Table::read(b"").is_err());
        assert!(Table::read(b"a,b\n").is_err());
        assert!(Table::read(b"a,A\n1,2\n")
            .err()
            .is_some_and(|message| message.contains("twice")));
        assert!(Table::read(b"name\n\xff\xfe\n")
            .err()
            .is_some_and(|message| message.contains("UTF-8")));
    }

    /// Spreadsheet numbers print as typed, without float noise.
    #[test]
    fn numbers_print_as_typed() {
        assert_eq!(cell_text(&Data::Float(1234.5)), "1234.5");
        assert_eq!(cell_text(&Data::Float(1200.0)), "1200");
        assert_eq!(cell_text(&Data::Float(0.1)), "0.1");
        assert_eq!(cell_text(&Data::Int(-7)), "-7");
    }
}
