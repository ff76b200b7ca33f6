//! Invoice PDF rendering: a small, dependency-free PDF 1.4 writer for one invoice document.
//!
//! The writer lays out a US Letter page with the built-in Helvetica fonts in WinAnsi encoding,
//! paginates the lines table and writes an exact cross-reference table. Amounts arrive as
//! formatted strings; nothing here does money arithmetic.

/// A legal entity or customer as printed in an address block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub address_lines: Vec<String>,
    pub tax_id: Option<String>,
}

/// One row of the lines table, every value already formatted for print.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentLine {
    pub description: String,
    /// Service period, e.g. "2026-01-01 – 2026-01-31".
    pub period: Option<String>,
    pub quantity: String,
    pub unit_price: String,
    pub amount: String,
    /// Tax jurisdiction and rate, e.g. "US-CA 7.25%" or "Exempt".
    pub tax_label: String,
    pub tax_amount: String,
    /// Proration note, e.g. "Prorated 17/31 days".
    pub note: Option<String>,
}

/// Everything printed on an invoice, already formatted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceDocument {
    /// "INVOICE", or "INVOICE — VOID".
    pub title: String,
    pub number: String,
    pub issue_date: String,
    pub due_date: String,
    /// e.g. "Net 30".
    pub payment_terms: String,
    pub currency: String,
    /// The issuing legal entity.
    pub seller: Party,
    pub bill_to: Party,
    pub remit_to: Vec<String>,
    pub po_number: Option<String>,
    pub tax_exemption_certificate: Option<String>,
    pub lines: Vec<DocumentLine>,
    pub subtotal: String,
    pub tax_total: String,
    pub total: String,
    pub payment_instructions: Vec<String>,
    /// The words around the values: an invoice, a credit memo and a statement share the layout.
    pub labels: Labels,
}

/// Captions of the header details and the totals block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    pub number: String,
    pub issue_date: String,
    pub due_date: String,
    pub subtotal: String,
    pub tax: String,
    /// Followed by the currency, e.g. "Total due (USD)".
    pub total: String,
}

impl Default for Labels {
    fn default() -> Labels {
        Labels::invoice()
    }
}

impl Labels {
    pub fn invoice() -> Labels {
        Labels {
            number: "Invoice number".into(),
            issue_date: "Issue date".into(),
            due_date: "Due date".into(),
            subtotal: "Subtotal".into(),
            tax: "Tax".into(),
            total: "Total due".into(),
        }
    }

    pub fn credit_memo() -> Labels {
        Labels {
            number: "Credit memo".into(),
            issue_date: "Issue date".into(),
            due_date: "Applies to".into(),
            subtotal: "Subtotal".into(),
            tax: "Tax".into(),
            total: "Total credit".into(),
        }
    }

    pub fn statement() -> Labels {
        Labels {
            number: "Statement".into(),
            issue_date: "From".into(),
            due_date: "To".into(),
            subtotal: "Opening balance".into(),
            tax: "Activity".into(),
            total: "Closing balance".into(),
        }
    }
}

/// Renders the invoice as a complete PDF 1.4 file.
pub fn render(document: &InvoiceDocument) -> Vec<u8> {
    let pages = lay_out_pages(document);
    assemble_pdf(document, &pages)
}

// ---------------------------------------------------------------------------------------------
// Page geometry (points; the origin is the bottom-left corner of a US Letter page). Floats here
// are layout coordinates only; every amount arrives as preformatted text, never as a number.

const PAGE_WIDTH: f32 = 612.0;
const PAGE_HEIGHT: f32 = 792.0;
const LEFT: f32 = 50.0;
const RIGHT: f32 = PAGE_WIDTH - 50.0;
const TOP: f32 = PAGE_HEIGHT - 50.0;
/// Nothing but the footer is drawn below this line.
const CONTENT_BOTTOM: f32 = 58.0;
const FOOTER_BASELINE: f32 = 34.0;

const SELLER_WIDTH: f32 = 270.0;
const META_LABEL_X: f32 = 380.0;
const META_LABEL_WIDTH: f32 = 64.0;
const META_VALUE_WIDTH: f32 = RIGHT - 448.0;
const TITLE_WIDTH: f32 = RIGHT - 330.0;
const REMIT_TO_X: f32 = 320.0;
const BILL_TO_WIDTH: f32 = REMIT_TO_X - LEFT - 16.0;
const REMIT_TO_WIDTH: f32 = RIGHT - REMIT_TO_X;

// Address blocks are clipped so the first-page header has a bounded height.
const MAX_SELLER_ADDRESS_LINES: usize = 6;
const MAX_BILL_TO_ADDRESS_LINES: usize = 6;
const MAX_REMIT_TO_LINES: usize = 8;
const MAX_PAYMENT_INSTRUCTION_LINES: usize = 20;

// Lines table columns: the description is left-aligned, every number is right-aligned.
const DESCRIPTION_X: f32 = LEFT + 4.0;
const DESCRIPTION_WIDTH: f32 = 232.0;
const MAX_DESCRIPTION_LINES: usize = 3;
const MAX_NOTE_LINES: usize = 2;
const QUANTITY_RIGHT: f32 = 335.0;
const QUANTITY_WIDTH: f32 = 40.0;
const UNIT_PRICE_RIGHT: f32 = 410.0;
const UNIT_PRICE_WIDTH: f32 = 70.0;
const AMOUNT_RIGHT: f32 = 485.0;
const AMOUNT_WIDTH: f32 = 70.0;
const TAX_RIGHT: f32 = RIGHT - 4.0;
const TAX_WIDTH: f32 = 68.0;
const TABLE_HEADER_HEIGHT: f32 = 18.0;
const ROW_PADDING: f32 = 4.0;

const TOTALS_LABEL_RIGHT: f32 = 455.0;
const TOTALS_LABEL_WIDTH: f32 = 120.0;
const TOTALS_VALUE_WIDTH: f32 = RIGHT - 465.0;
/// Height of the totals block drawn by `draw_totals`.
const TOTALS_HEIGHT: f32 = 62.0;

const BODY_LEADING: f32 = 11.0;
const SMALL_LEADING: f32 = 9.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Font {
    Helvetica,
    HelveticaBold,
}

impl Font {
    fn resource_name(self) -> &'static str {
        match self {
            Font::Helvetica => "F1",
            Font::HelveticaBold => "F2",
        }
    }
}

/// Font, size and grey level (0 is black) of a run of text.
#[derive(Debug, Clone, Copy)]
struct Style {
    font: Font,
    size: f32,
    gray: f32,
}

const BODY: Style = Style {
    font: Font::Helvetica,
    size: 9.0,
    gray: 0.0,
};
const BODY_BOLD: Style = Style {
    font: Font::HelveticaBold,
    size: 9.0,
    gray: 0.0,
};
const MUTED: Style = Style {
    font: Font::Helvetica,
    size: 9.0,
    gray: 0.4,
};
const SMALL_MUTED: Style = Style {
    font: Font::Helvetica,
    size: 7.5,
    gray: 0.4,
};
const SECTION_LABEL: Style = Style {
    font: Font::HelveticaBold,
    size: 7.5,
    gray: 0.4,
};
const TABLE_HEADING: Style = Style {
    font: Font::HelveticaBold,
    size: 8.0,
    gray: 0.2,
};
const SELLER_NAME: Style = Style {
    font: Font::HelveticaBold,
    size: 14.0,
    gray: 0.0,
};
const PARTY_NAME: Style = Style {
    font: Font::HelveticaBold,
    size: 10.0,
    gray: 0.0,
};
const TITLE: Style = Style {
    font: Font::HelveticaBold,
    size: 20.0,
    gray: 0.0,
};
const TOTAL_DUE: Style = Style {
    font: Font::HelveticaBold,
    size: 11.0,
    gray: 0.0,
};

impl Style {
    /// Width in points of WinAnsi-encoded text.
    fn width(self, text: &[u8]) -> f32 {
        let units: u32 = text
            .iter()
            .map(|byte| u32::from(glyph_width(self.font, *byte)))
            .sum();
        units as f32 * self.size / 1000.0
    }
}

// ---------------------------------------------------------------------------------------------
// Layout: the pages are drawn first, then the footers once the page count is known.

fn lay_out_pages(document: &InvoiceDocument) -> Vec<Canvas> {
    let rows: Vec<RowLayout> = document.lines.iter().map(RowLayout::new).collect();
    let instructions = wrap_payment_instructions(&document.payment_instructions);
    let closing_height = payment_instructions_height(&instructions);

    let closing_floor = CONTENT_BOTTOM + closing_height + TOTALS_HEIGHT;
    let mut pages = Vec::new();
    let mut canvas = Canvas::default();
    let mut y = draw_first_page_header(&mut canvas, document);
    y = draw_table_header(&mut canvas, y);
    let mut rows_on_page = 0;
    for (index, row) in rows.iter().enumerate() {
        let row_bottom = y - row.height();
        // The last row moves with the totals rather than leaving them alone on a page.
        let is_last = index + 1 == rows.len();
        let strand_totals = is_last && rows_on_page > 0 && row_bottom < closing_floor;
        if row_bottom < CONTENT_BOTTOM || strand_totals {
            pages.push(std::mem::take(&mut canvas));
            y = draw_continuation_header(&mut canvas, document);
            y = draw_table_header(&mut canvas, y);
            rows_on_page = 0;
        }
        y = draw_row(&mut canvas, row, y);
        rows_on_page += 1;
    }
    // The totals and payment instructions stay together on the last page.
    if y < closing_floor {
        pages.push(std::mem::take(&mut canvas));
        y = draw_continuation_header(&mut canvas, document);
    }
    draw_totals(&mut canvas, document, y);
    draw_payment_instructions(&mut canvas, &instructions, closing_height);
    pages.push(canvas);

    let page_count = pages.len();
    for (index, page) in pages.iter_mut().enumerate() {
        draw_footer(page, document, index + 1, page_count);
    }
    pages
}

/// Draws the seller, invoice details, parties and exemption line; returns the y below them.
fn draw_first_page_header(canvas: &mut Canvas, document: &InvoiceDocument) -> f32 {
    let seller_bottom = draw_seller(canvas, &document.seller);
    let details_bottom = draw_invoice_details(canvas, document);
    let mut y = seller_bottom.min(details_bottom) - 22.0;

    let bill_to_bottom = draw_bill_to(canvas, &document.bill_to, y);
    let remit_to_bottom = draw_remit_to(canvas, &document.remit_to, y);
    y = bill_to_bottom.min(remit_to_bottom);

    if let Some(certificate) = &document.tax_exemption_certificate {
        y -= 18.0;
        let text = format!("Tax exemption certificate: {certificate}");
        canvas.text_left(BODY, LEFT, y, RIGHT - LEFT, &text);
    }
    y - 16.0
}

fn draw_seller(canvas: &mut Canvas, seller: &Party) -> f32 {
    let mut y = TOP - 12.0;
    canvas.text_left(SELLER_NAME, LEFT, y, SELLER_WIDTH, &seller.name);
    y -= 4.0;
    for line in seller.address_lines.iter().take(MAX_SELLER_ADDRESS_LINES) {
        y -= BODY_LEADING;
        canvas.text_left(BODY, LEFT, y, SELLER_WIDTH, line);
    }
    if let Some(tax_id) = &seller.tax_id {
        y -= BODY_LEADING;
        canvas.text_left(MUTED, LEFT, y, SELLER_WIDTH, &format!("Tax ID: {tax_id}"));
    }
    y
}

fn draw_invoice_details(canvas: &mut Canvas, document: &InvoiceDocument) -> f32 {
    let mut y = TOP - 16.0;
    canvas.text_right(TITLE, RIGHT, y, TITLE_WIDTH, &document.title);
    y -= 8.0;
    let mut details = vec![
        (document.labels.number.as_str(), document.number.as_str()),
        (
            document.labels.issue_date.as_str(),
            document.issue_date.as_str(),
        ),
        (
            document.labels.due_date.as_str(),
            document.due_date.as_str(),
        ),
        ("Terms", document.payment_terms.as_str()),
        ("Currency", document.currency.as_str()),
    ];
    if let Some(po_number) = &document.po_number {
        details.push(("PO number", po_number.as_str()));
    }
    for (label, value) in details {
        y -= 12.0;
        canvas.text_left(MUTED, META_LABEL_X, y, META_LABEL_WIDTH, label);
        canvas.text_right(BODY_BOLD, RIGHT, y, META_VALUE_WIDTH, value);
    }
    y
}

fn draw_bill_to(canvas: &mut Canvas, bill_to: &Party, top: f32) -> f32 {
    let mut y = top;
    canvas.text_left(SECTION_LABEL, LEFT, y, BILL_TO_WIDTH, "BILL TO");
    y -= 13.0;
    canvas.text_left(PARTY_NAME, LEFT, y, BILL_TO_WIDTH, &bill_to.name);
    for line in bill_to.address_lines.iter().take(MAX_BILL_TO_ADDRESS_LINES) {
        y -= BODY_LEADING;
        canvas.text_left(BODY, LEFT, y, BILL_TO_WIDTH, line);
    }
    if let Some(tax_id) = &bill_to.tax_id {
        y -= BODY_LEADING;
        canvas.text_left(MUTED, LEFT, y, BILL_TO_WIDTH, &format!("Tax ID: {tax_id}"));
    }
    y
}

fn draw_remit_to(canvas: &mut Canvas, remit_to: &[String], top: f32) -> f32 {
    if remit_to.is_empty() {
        return top;
    }
    let mut y = top;
    canvas.text_left(SECTION_LABEL, REMIT_TO_X, y, REMIT_TO_WIDTH, "REMIT TO");
    y -= 2.0;
    for line in remit_to.iter().take(MAX_REMIT_TO_LINES) {
        y -= BODY_LEADING;
        canvas.text_left(BODY, REMIT_TO_X, y, REMIT_TO_WIDTH, line);
    }
    y
}

/// The short header of every page after the first; returns the y where the table starts.
fn draw_continuation_header(canvas: &mut Canvas, document: &InvoiceDocument) -> f32 {
    let baseline = TOP - 10.0;
    let half_width = (RIGHT - LEFT) / 2.0 - 8.0;
    canvas.text_left(BODY_BOLD, LEFT, baseline, half_width, &document.seller.name);
    let reference = format!("{} {} (continued)", document.title, document.number);
    canvas.text_right(BODY_BOLD, RIGHT, baseline, half_width, &reference);
    canvas.rule(LEFT, TOP - 18.0, RIGHT, 0.6);
    TOP - 30.0
}

fn draw_table_header(canvas: &mut Canvas, top: f32) -> f32 {
    let bottom = top - TABLE_HEADER_HEIGHT;
    canvas.fill_rect(LEFT, bottom, RIGHT - LEFT, TABLE_HEADER_HEIGHT, 0.93);
    let baseline = bottom + 6.0;
    canvas.text_left(
        TABLE_HEADING,
        DESCRIPTION_X,
        baseline,
        DESCRIPTION_WIDTH,
        "Description",
    );
    canvas.text_right(
        TABLE_HEADING,
        QUANTITY_RIGHT,
        baseline,
        QUANTITY_WIDTH,
        "Qty",
    );
    canvas.text_right(
        TABLE_HEADING,
        UNIT_PRICE_RIGHT,
        baseline,
        UNIT_PRICE_WIDTH,
        "Unit price",
    );
    canvas.text_right(
        TABLE_HEADING,
        AMOUNT_RIGHT,
        baseline,
        AMOUNT_WIDTH,
        "Amount",
    );
    canvas.text_right(TABLE_HEADING, TAX_RIGHT, baseline, TAX_WIDTH, "Tax");
    bottom
}

/// One table row, encoded and fitted to its columns before anything is drawn.
#[derive(Debug)]
struct RowLayout {
    description: Vec<Vec<u8>>,
    /// Period and proration note, printed small and grey under the description.
    details: Vec<Vec<u8>>,
    quantity: Vec<u8>,
    unit_price: Vec<u8>,
    amount: Vec<u8>,
    tax_amount: Vec<u8>,
    tax_label: Vec<u8>,
}

impl RowLayout {
    fn new(line: &DocumentLine) -> Self {
        let description = wrap_to_width(
            BODY,
            &encode_win_ansi(&line.description),
            DESCRIPTION_WIDTH,
            MAX_DESCRIPTION_LINES,
        );
        let mut details = Vec::new();
        if let Some(period) = &line.period {
            details.push(fit_to_width(
                SMALL_MUTED,
                &encode_win_ansi(period),
                DESCRIPTION_WIDTH,
            ));
        }
        if let Some(note) = &line.note {
            let note = encode_win_ansi(note);
            details.extend(wrap_to_width(
                SMALL_MUTED,
                &note,
                DESCRIPTION_WIDTH,
                MAX_NOTE_LINES,
            ));
        }
        let fit = |style: Style, text: &str, width: f32| {
            fit_to_width(style, &encode_win_ansi(text), width)
        };
        RowLayout {
            description,
            details,
            quantity: fit(BODY, &line.quantity, QUANTITY_WIDTH),
            unit_price: fit(BODY, &line.unit_price, UNIT_PRICE_WIDTH),
            amount: fit(BODY, &line.amount, AMOUNT_WIDTH),
            tax_amount: fit(BODY, &line.tax_amount, TAX_WIDTH),
            tax_label: fit(SMALL_MUTED, &line.tax_label, TAX_WIDTH),
        }
    }

    fn height(&self) -> f32 {
        let description_height = self.description.len() as f32 * BODY_LEADING
            + self.details.len() as f32 * SMALL_LEADING;
        let tax_height = if self.tax_label.is_empty() {
            BODY_LEADING
        } else {
            BODY_LEADING + SMALL_LEADING
        };
        ROW_PADDING * 2.0 + description_height.max(tax_height)
    }
}

fn draw_row(canvas: &mut Canvas, row: &RowLayout, top: f32) -> f32 {
    let first_baseline = top - ROW_PADDING - BODY_LEADING + 2.5;
    let mut cursor = top - ROW_PADDING;
    for line in &row.description {
        cursor -= BODY_LEADING;
        canvas.text_bytes(BODY, DESCRIPTION_X, cursor + 2.5, line);
    }
    for line in &row.details {
        cursor -= SMALL_LEADING;
        canvas.text_bytes(SMALL_MUTED, DESCRIPTION_X, cursor + 2.0, line);
    }
    canvas.text_bytes_right(BODY, QUANTITY_RIGHT, first_baseline, &row.quantity);
    canvas.text_bytes_right(BODY, UNIT_PRICE_RIGHT, first_baseline, &row.unit_price);
    canvas.text_bytes_right(BODY, AMOUNT_RIGHT, first_baseline, &row.amount);
    canvas.text_bytes_right(BODY, TAX_RIGHT, first_baseline, &row.tax_amount);
    let label_baseline = first_baseline - SMALL_LEADING;
    canvas.text_bytes_right(SMALL_MUTED, TAX_RIGHT, label_baseline, &row.tax_label);

    let bottom = top - row.height();
    canvas.rule(LEFT, bottom, RIGHT, 0.85);
    bottom
}

/// Draws Subtotal, Tax and Total due, right-aligned, in `TOTALS_HEIGHT` points below `top`.
fn draw_totals(canvas: &mut Canvas, document: &InvoiceDocument, top: f32) {
    let mut y = top - 18.0;
    canvas.text_right(
        MUTED,
        TOTALS_LABEL_RIGHT,
        y,
        TOTALS_LABEL_WIDTH,
        &document.labels.subtotal,
    );
    canvas.text_right(BODY, RIGHT, y, TOTALS_VALUE_WIDTH, &document.subtotal);
    y -= 14.0;
    canvas.text_right(
        MUTED,
        TOTALS_LABEL_RIGHT,
        y,
        TOTALS_LABEL_WIDTH,
        &document.labels.tax,
    );
    canvas.text_right(BODY, RIGHT, y, TOTALS_VALUE_WIDTH, &document.tax_total);
    y -= 7.0;
    canvas.rule(META_LABEL_X, y, RIGHT, 0.2);
    y -= 15.0;
    let label = format!("{} ({})", document.labels.total, document.currency);
    canvas.text_right(TOTAL_DUE, TOTALS_LABEL_RIGHT, y, TOTALS_LABEL_WIDTH, &label);
    canvas.text_right(TOTAL_DUE, RIGHT, y, TOTALS_VALUE_WIDTH, &document.total);
    debug_assert!(
        top - y < TOTALS_HEIGHT,
        "totals block is taller than TOTALS_HEIGHT"
    );
}

fn wrap_payment_instructions(instructions: &[String]) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = instructions
        .iter()
        .flat_map(|line| wrap_to_width(BODY, &encode_win_ansi(line), RIGHT - LEFT, 2))
        .collect();
    lines.truncate(MAX_PAYMENT_INSTRUCTION_LINES);
    lines
}

fn payment_instructions_height(lines: &[Vec<u8>]) -> f32 {
    if lines.is_empty() {
        0.0
    } else {
        18.0 + lines.len() as f32 * BODY_LEADING
    }
}

/// Draws the payment instructions anchored just above the footer of the page.
fn draw_payment_instructions(canvas: &mut Canvas, lines: &[Vec<u8>], height: f32) {
    if lines.is_empty() {
        return;
    }
    let top = CONTENT_BOTTOM + height;
    canvas.rule(LEFT, top, RIGHT, 0.6);
    let mut y = top - 13.0;
    canvas.text_left(SECTION_LABEL, LEFT, y, RIGHT - LEFT, "PAYMENT INSTRUCTIONS");
    for line in lines {
        y -= BODY_LEADING;
        canvas.text_bytes(BODY, LEFT, y, line);
    }
}

fn draw_footer(canvas: &mut Canvas, document: &InvoiceDocument, page: usize, page_count: usize) {
    let half_width = (RIGHT - LEFT) / 2.0 - 8.0;
    let reference = format!("{} · {}", document.seller.name, document.number);
    canvas.text_left(SMALL_MUTED, LEFT, FOOTER_BASELINE, half_width, &reference);
    let page_label = format!("Page {page} of {page_count}");
    canvas.text_right(SMALL_MUTED, RIGHT, FOOTER_BASELINE, half_width, &page_label);
}

// ---------------------------------------------------------------------------------------------
// Content stream operators.

/// The content stream of one page.
#[derive(Debug, Default)]
struct Canvas {
    content: Vec<u8>,
}

impl Canvas {
    /// Draws `text` left-aligned at `x`, truncated to `max_width`.
    fn text_left(&mut self, style: Style, x: f32, y: f32, max_width: f32, text: &str) {
        let fitted = fit_to_width(style, &encode_win_ansi(text), max_width);
        self.text_bytes(style, x, y, &fitted);
    }

    /// Draws `text` ending at `right`, truncated to `max_width`.
    fn text_right(&mut self, style: Style, right: f32, y: f32, max_width: f32, text: &str) {
        let fitted = fit_to_width(style, &encode_win_ansi(text), max_width);
        self.text_bytes_right(style, right, y, &fitted);
    }

    fn text_bytes_right(&mut self, style: Style, right: f32, y: f32, text: &[u8]) {
        self.text_bytes(style, right - style.width(text), y, text);
    }

    /// Draws already encoded and fitted WinAnsi text with its baseline at `y`.
    fn text_bytes(&mut self, style: Style, x: f32, y: f32, text: &[u8]) {
        if text.is_empty() {
            return;
        }
        let operators = format!(
            "BT /{} {} Tf {} g {} {} Td (",
            style.font.resource_name(),
            number(style.size),
            number(style.gray),
            number(x),
            number(y),
        );
        self.content.extend_from_slice(operators.as_bytes());
        self.content.extend_from_slice(&escape_string(text));
        self.content.extend_from_slice(b") Tj ET\n");
    }

    /// A horizontal hairline from `x_start` to `x_end` in the given grey.
    fn rule(&mut self, x_start: f32, y: f32, x_end: f32, gray: f32) {
        let operators = format!(
            "{} G 0.5 w {} {} m {} {} l S\n",
            number(gray),
            number(x_start),
            number(y),
            number(x_end),
            number(y),
        );
        self.content.extend_from_slice(operators.as_bytes());
    }

    fn fill_rect(&mut self, x: f32, y: f32, width: f32, height: f32, gray: f32) {
        let operators = format!(
            "{} g {} {} {} {} re f\n",
            number(gray),
            number(x),
            number(y),
            number(width),
            number(height),
        );
        self.content.extend_from_slice(operators.as_bytes());
    }
}

/// Formats a coordinate with at most two decimals and no trailing zeros.
fn number(value: f32) -> String {
    let formatted = format!("{value:.2}");
    let trimmed = formatted.trim_end_matches('0').trim_end_matches('.');
    if trimmed == "-0" {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

// ---------------------------------------------------------------------------------------------
// Text: WinAnsi encoding, escaping, widths, truncation and wrapping.

/// WinAnsi byte of the horizontal ellipsis, used to mark truncated text.
const ELLIPSIS: u8 = 0x85;

/// Encodes text as WinAnsi (Windows-1252) bytes; characters it lacks become `?`.
fn encode_win_ansi(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi_byte).collect()
}

fn win_ansi_byte(character: char) -> u8 {
    let code = u32::from(character);
    // Printable ASCII and the Latin-1 upper half have the same code in WinAnsi.
    if (0x20..=0x7E).contains(&code) || (0xA0..=0xFF).contains(&code) {
        return u8::try_from(code).unwrap_or(b'?');
    }
    match character {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '\u{2018}' => 0x91,
        '\u{2019}' => 0x92,
        '\u{201C}' => 0x93,
        '\u{201D}' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        // Near equivalents that WinAnsi lacks.
        '\u{2010}' | '\u{2011}' | '\u{2212}' => b'-',
        '\u{2009}' | '\u{202F}' | '\u{2007}' => 0xA0,
        '\t' | '\n' | '\r' => b' ',
        _ => b'?',
    }
}

/// Escapes the bytes that end or escape a PDF literal string.
fn escape_string(text: &[u8]) -> Vec<u8> {
    let mut escaped = Vec::with_capacity(text.len() + 4);
    for &byte in text {
        if matches!(byte, b'(' | b')' | b'\\') {
            escaped.push(b'\\');
        }
        escaped.push(byte);
    }
    escaped
}

/// Returns `text` unchanged when it fits, otherwise cut and ended with an ellipsis.
fn fit_to_width(style: Style, text: &[u8], max_width: f32) -> Vec<u8> {
    if style.width(text) <= max_width {
        text.to_vec()
    } else {
        truncate_with_ellipsis(style, text, max_width)
    }
}

/// Keeps the longest prefix that fits together with a trailing ellipsis.
fn truncate_with_ellipsis(style: Style, text: &[u8], max_width: f32) -> Vec<u8> {
    let available = max_width - style.width(&[ELLIPSIS]);
    if available < 0.0 {
        return Vec::new();
    }
    let mut kept = text[..prefix_fitting(style, text, available)].to_vec();
    while kept.last() == Some(&b' ') {
        kept.pop();
    }
    kept.push(ELLIPSIS);
    kept
}

/// Number of leading bytes of `text` that fit in `max_width`.
fn prefix_fitting(style: Style, text: &[u8], max_width: f32) -> usize {
    let mut used = 0.0;
    for (index, byte) in text.iter().enumerate() {
        used += style.width(&[*byte]);
        if used > max_width {
            return index;
        }
    }
    text.len()
}

/// Word-wraps `text` to `max_width`; past `max_lines` the last line ends with an ellipsis.
/// Always returns at least one (possibly empty) line.
fn wrap_to_width(style: Style, text: &[u8], max_width: f32, max_lines: usize) -> Vec<Vec<u8>> {
    let space_width = style.width(b" ");
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    for word in text
        .split(|byte| *byte == b' ')
        .filter(|word| !word.is_empty())
    {
        let word_width = style.width(word);
        if current.is_empty() && word_width <= max_width {
            current.extend_from_slice(word);
            continue;
        }
        if !current.is_empty() && style.width(&current) + space_width + word_width <= max_width {
            current.push(b' ');
            current.extend_from_slice(word);
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        // A word wider than the column is broken wherever it has to be.
        let mut rest = word;
        while style.width(rest) > max_width {
            let split = prefix_fitting(style, rest, max_width).max(1);
            let (head, tail) = rest.split_at(split);
            lines.push(head.to_vec());
            rest = tail;
        }
        current = rest.to_vec();
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines && max_lines > 0 {
        let overflow = lines.split_off(max_lines - 1).join(&b' ');
        lines.push(truncate_with_ellipsis(style, &overflow, max_width));
    }
    lines
}

/// Advance width of a WinAnsi byte in thousandths of the font size (Adobe's core font metrics).
fn glyph_width(font: Font, byte: u8) -> u16 {
    let ascii_widths = match font {
        Font::Helvetica => &HELVETICA_WIDTHS,
        Font::HelveticaBold => &HELVETICA_BOLD_WIDTHS,
    };
    let ascii = |byte: u8| ascii_widths[usize::from(byte - 0x20)];
    match byte {
        0x20..=0x7E => ascii(byte),
        0x85 | 0x97 | 0x99 => 1000,
        0x91 | 0x92 => ascii(b'\''),
        0x93 | 0x94 => ascii(b'"'),
        0x95 => 350,
        0xA0 | 0xB7 => 278,
        0xA9 | 0xAE => 737,
        0xC6 => 1000,
        0xE6 => 889,
        _ => accented_base_letter(byte).map_or(556, ascii),
    }
}

/// The unaccented letter whose width an accented WinAnsi letter shares.
fn accented_base_letter(byte: u8) -> Option<u8> {
    let base = match byte {
        0x8A => b'S',
        0x9A => b's',
        0x8E | 0x9F => b'Z',
        0x9E => b'z',
        0xC0..=0xC5 => b'A',
        0xC7 => b'C',
        0xC8..=0xCB => b'E',
        0xCC..=0xCF => b'I',
        0xD0 => b'D',
        0xD1 => b'N',
        0xD2..=0xD6 | 0xD8 => b'O',
        0xD9..=0xDC => b'U',
        0xDD => b'Y',
        0xDE => b'P',
        0xE0..=0xE5 => b'a',
        0xE7 => b'c',
        0xE8..=0xEB => b'e',
        0xEC..=0xEF => b'I',
        0xF0 | 0xF2..=0xF6 | 0xF8 => b'o',
        0xF1 => b'n',
        0xF9..=0xFC => b'u',
        0xFD | 0xFF => b'y',
        0xFE => b'p',
        0xDF => b'h',
        _ => return None,
    };
    Some(base)
}

/// Helvetica advance widths for the printable ASCII bytes 0x20 through 0x7E.
#[rustfmt::skip]
const HELVETICA_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0..?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @..O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P.._
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `..o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,      // p..~
];

/// Helvetica-Bold advance widths for the printable ASCII bytes 0x20 through 0x7E.
#[rustfmt::skip]
const HELVETICA_BOLD_WIDTHS: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // space../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0..?
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // @..O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // P.._
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // `..o
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,      // p..~
];

// ---------------------------------------------------------------------------------------------
// File structure: objects, cross-reference table and trailer.

const CATALOG_OBJECT: usize = 1;
const PAGES_OBJECT: usize = 2;
const HELVETICA_OBJECT: usize = 3;
const HELVETICA_BOLD_OBJECT: usize = 4;
const INFO_OBJECT: usize = 5;
/// Page `i` (from 0) is object `FIRST_PAGE_OBJECT + 2i`; its content stream follows it.
const FIRST_PAGE_OBJECT: usize = 6;

fn assemble_pdf(document: &InvoiceDocument, pages: &[Canvas]) -> Vec<u8> {
    let page_object = |index: usize| FIRST_PAGE_OBJECT + 2 * index;
    let mut writer = PdfWriter::new();
    writer.object(
        CATALOG_OBJECT,
        format!(
            "<< /Type /Catalog /Pages {PAGES_OBJECT} 0 R \
             /ViewerPreferences << /DisplayDocTitle true >> >>"
        )
        .as_bytes(),
    );
    let kids: Vec<String> = (0..pages.len())
        .map(|index| format!("{} 0 R", page_object(index)))
        .collect();
    let pages_dictionary = format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        pages.len()
    );
    writer.object(PAGES_OBJECT, pages_dictionary.as_bytes());
    writer.object(HELVETICA_OBJECT, font_dictionary("Helvetica").as_bytes());
    writer.object(
        HELVETICA_BOLD_OBJECT,
        font_dictionary("Helvetica-Bold").as_bytes(),
    );
    let info = format!(
        "<< /Title {} /Producer (revops) >>",
        utf16_text_string(&document.number)
    );
    writer.object(INFO_OBJECT, info.as_bytes());

    for (index, page) in pages.iter().enumerate() {
        let content_object = page_object(index) + 1;
        let page_dictionary = format!(
            "<< /Type /Page /Parent {PAGES_OBJECT} 0 R /MediaBox [0 0 {} {}] \
             /Resources << /Font << /F1 {HELVETICA_OBJECT} 0 R /F2 {HELVETICA_BOLD_OBJECT} 0 R >> >> \
             /Contents {content_object} 0 R >>",
            number(PAGE_WIDTH),
            number(PAGE_HEIGHT),
        );
        writer.object(page_object(index), page_dictionary.as_bytes());
        writer.stream(content_object, &page.content);
    }
    writer.finish()
}

fn font_dictionary(base_font: &str) -> String {
    format!("<< /Type /Font /Subtype /Type1 /BaseFont /{base_font} /Encoding /WinAnsiEncoding >>")
}

/// A PDF text string in UTF-16BE with a byte order mark, written as a hex string.
fn utf16_text_string(text: &str) -> String {
    let mut hex = String::from("<FEFF");
    for unit in text.encode_utf16() {
        hex.push_str(&format!("{unit:04X}"));
    }
    hex.push('>');
    hex
}

/// Writes numbered objects in order and records each one's byte offset for the xref table.
struct PdfWriter {
    bytes: Vec<u8>,
    /// Byte offset of object `n` at index `n - 1`.
    offsets: Vec<usize>,
}

impl PdfWriter {
    fn new() -> Self {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(b"%PDF-1.4\n");
        // A comment with high bytes tells transfer tools the file is binary.
        bytes.extend_from_slice(b"%\xE2\xE3\xCF\xD3\n");
        PdfWriter {
            bytes,
            offsets: Vec::new(),
        }
    }

    fn begin_object(&mut self, object_number: usize) {
        debug_assert_eq!(
            object_number,
            self.offsets.len() + 1,
            "PDF objects must be written in order"
        );
        self.offsets.push(self.bytes.len());
        self.bytes
            .extend_from_slice(format!("{object_number} 0 obj\n").as_bytes());
    }

    fn object(&mut self, object_number: usize, body: &[u8]) {
        self.begin_object(object_number);
        self.bytes.extend_from_slice(body);
        self.bytes.extend_from_slice(b"\nendobj\n");
    }

    fn stream(&mut self, object_number: usize, data: &[u8]) {
        self.begin_object(object_number);
        self.bytes
            .extend_from_slice(format!("<< /Length {} >>\nstream\n", data.len()).as_bytes());
        self.bytes.extend_from_slice(data);
        self.bytes.extend_from_slice(b"\nendstream\nendobj\n");
    }

    fn finish(mut self) -> Vec<u8> {
        let xref_offset = self.bytes.len();
        let size = self.offsets.len() + 1;
        let mut xref = format!("xref\n0 {size}\n0000000000 65535 f \n");
        for offset in &self.offsets {
            // Every entry is exactly 20 bytes: the two-byte end of line is space + LF.
            xref.push_str(&format!("{offset:010} 00000 n \n"));
        }
        xref.push_str(&format!(
            "trailer\n<< /Size {size} /Root {CATALOG_OBJECT} 0 R /Info {INFO_OBJECT} 0 R >>\n\
             startxref\n{xref_offset}\n%%EOF\n"
        ));
        self.bytes.extend_from_slice(xref.as_bytes());
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_line(index: usize) -> DocumentLine {
        DocumentLine {
            description: format!("Platform subscription, seat tier {index}"),
            period: Some("2026-01-01 – 2026-01-31".to_owned()),
            quantity: "12".to_owned(),
            unit_price: "1,250.00".to_owned(),
            amount: "15,000.00".to_owned(),
            tax_label: "US-CA 7.25%".to_owned(),
            tax_amount: "1,087.50".to_owned(),
            note: index
                .is_multiple_of(3)
                .then(|| "Prorated 17/31 days".to_owned()),
        }
    }

    fn sample_document(line_count: usize) -> InvoiceDocument {
        InvoiceDocument {
            title: "INVOICE".to_owned(),
            number: "INV-2026-000123".to_owned(),
            issue_date: "2026-02-01".to_owned(),
            due_date: "2026-03-03".to_owned(),
            payment_terms: "Net 30".to_owned(),
            currency: "USD".to_owned(),
            seller: Party {
                name: "Revops Demo Inc.".to_owned(),
                address_lines: vec![
                    "1 Market Street".to_owned(),
                    "San Francisco, CA 94105".to_owned(),
                ],
                tax_id: Some("EIN 12-3456789".to_owned()),
            },
            bill_to: Party {
                name: "Acme Corporation".to_owned(),
                address_lines: vec!["500 Main Street".to_owned(), "Austin, TX 78701".to_owned()],
                tax_id: None,
            },
            remit_to: vec!["Revops Demo Inc.".to_owned(), "PO Box 1000".to_owned()],
            po_number: Some("PO-778899".to_owned()),
            tax_exemption_certificate: None,
            lines: (0..line_count).map(sample_line).collect(),
            subtotal: "15,000.00".to_owned(),
            tax_total: "1,087.50".to_owned(),
            total: "16,087.50".to_owned(),
            payment_instructions: vec![
                "ACH: routing 121000248, account 4000123456".to_owned(),
                "Please quote the invoice number with your payment.".to_owned(),
            ],
            labels: Labels::invoice(),
        }
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack
            .windows(needle.len())
            .position(|window| window == needle)
    }

    fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack
            .windows(needle.len())
            .rposition(|window| window == needle)
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        find(haystack, needle).is_some()
    }

    fn page_count(pdf: &[u8]) -> usize {
        let start = find(pdf, b"/Count ").unwrap() + b"/Count ".len();
        let digits: Vec<u8> = pdf[start..]
            .iter()
            .copied()
            .take_while(u8::is_ascii_digit)
            .collect();
        String::from_utf8(digits).unwrap().parse().unwrap()
    }

    /// The content streams in file order, which is page order.
    fn content_streams(pdf: &[u8]) -> Vec<&[u8]> {
        let mut streams = Vec::new();
        let mut rest = pdf;
        while let Some(start) = find(rest, b">>\nstream\n") {
            let body = &rest[start + b">>\nstream\n".len()..];
            let end = find(body, b"\nendstream").unwrap();
            streams.push(&body[..end]);
            rest = &body[end + b"\nendstream".len()..];
        }
        streams
    }

    #[test]
    fn output_starts_with_the_pdf_header_and_ends_with_eof() {
        // Proves the file has the 1.4 header, a binary comment line and the end-of-file marker.
        let pdf = render(&sample_document(1));
        assert!(pdf.starts_with(b"%PDF-1.4\n%"));
        assert!(pdf[10..14].iter().all(|byte| *byte >= 0x80));
        assert!(pdf.ends_with(b"%%EOF\n"));
    }

    #[test]
    fn every_xref_offset_points_at_the_object_it_names() {
        // Proves the cross-reference table is exact, with no lines, one line and many pages.
        for line_count in [0, 1, 120] {
            let pdf = render(&sample_document(line_count));
            let startxref = rfind(&pdf, b"startxref\n").unwrap() + b"startxref\n".len();
            let xref_offset: usize = String::from_utf8_lossy(&pdf[startxref..])
                .lines()
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let xref = String::from_utf8(pdf[xref_offset..].to_vec()).unwrap();
            let mut lines = xref.lines();
            assert_eq!(lines.next(), Some("xref"));
            let subsection: Vec<usize> = lines
                .next()
                .unwrap()
                .split(' ')
                .map(|part| part.parse().unwrap())
                .collect();
            assert_eq!(subsection[0], 0);
            let size = subsection[1];
            assert_eq!(lines.next(), Some("0000000000 65535 f "));
            for object_number in 1..size {
                let entry = lines.next().unwrap();
                assert_eq!(entry.len(), 19, "entry plus its LF must be 20 bytes");
                assert!(entry.ends_with(" 00000 n "));
                let offset: usize = entry[..10].parse().unwrap();
                let expected = format!("{object_number} 0 obj\n");
                assert!(
                    pdf[offset..].starts_with(expected.as_bytes()),
                    "object {object_number}"
                );
            }
            assert_eq!(lines.next(), Some("trailer"));
            assert!(xref.contains(&format!("/Size {size} /Root 1 0 R /Info 5 0 R")));
        }
    }

    #[test]
    fn stream_lengths_match_their_data() {
        // Proves each /Length is the exact byte count between `stream` and `endstream`.
        let pdf = render(&sample_document(40));
        let mut rest = &pdf[..];
        let mut checked = 0;
        while let Some(start) = find(rest, b"/Length ") {
            let after = &rest[start + b"/Length ".len()..];
            let digits: Vec<u8> = after
                .iter()
                .copied()
                .take_while(u8::is_ascii_digit)
                .collect();
            let length: usize = String::from_utf8(digits).unwrap().parse().unwrap();
            let data_start = find(after, b"stream\n").unwrap() + b"stream\n".len();
            assert!(after[data_start + length..].starts_with(b"\nendstream"));
            rest = &after[data_start + length..];
            checked += 1;
        }
        assert_eq!(checked, page_count(&pdf));
    }

    #[test]
    fn one_line_fits_on_one_page() {
        // Proves a short invoice is a single page with its totals.
        let pdf = render(&sample_document(1));
        assert_eq!(page_count(&pdf), 1);
        assert!(contains(&pdf, b"(Page 1 of 1)"));
        assert!(contains(&pdf, b"(Total due \\(USD\\))"));
    }

    #[test]
    fn many_lines_continue_on_further_pages_with_the_header_repeated() {
        // Proves 120 lines paginate, every page repeats the table header, and the totals come last
        // together with at least the final line.
        let pdf = render(&sample_document(120));
        let pages = page_count(&pdf);
        assert!(
            pages > 1,
            "120 lines must need more than one page, got {pages}"
        );
        let streams = content_streams(&pdf);
        assert_eq!(streams.len(), pages);
        assert_eq!(
            pdf.windows(b"/Type /Page ".len())
                .filter(|w| w == b"/Type /Page ")
                .count(),
            pages
        );
        for (index, stream) in streams.iter().enumerate() {
            let label = format!("(Page {} of {pages})", index + 1);
            assert!(contains(stream, label.as_bytes()), "missing {label}");
        }
        let (last, earlier) = streams.split_last().unwrap();
        assert!(contains(last, b"(Total due \\(USD\\))"));
        assert!(contains(last, b"(Platform subscription, seat tier 119)"));
        assert!(earlier
            .iter()
            .all(|stream| contains(stream, b"(Unit price)")));
        assert!(earlier
            .iter()
            .all(|stream| !contains(stream, b"(Total due")));
        for index in [0, 60, 119] {
            let description = format!("(Platform subscription, seat tier {index})");
            assert!(
                contains(&pdf, description.as_bytes()),
                "line {index} is missing"
            );
        }
    }

    #[test]
    fn parentheses_and_backslashes_are_escaped() {
        // Proves a description cannot end the PDF string early.
        let mut document = sample_document(1);
        document.lines[0].description = r"Support (premium) C:\plans".to_owned();
        let pdf = render(&document);
        assert!(contains(&pdf, br"(Support \(premium\) C:\\plans)"));
    }

    #[test]
    fn e_acute_and_euro_become_single_win_ansi_bytes() {
        // Proves text is written as WinAnsi bytes, not UTF-8.
        let mut document = sample_document(1);
        document.lines[0].description = "Café plan €5".to_owned();
        let pdf = render(&document);
        assert!(contains(&pdf, b"(Caf\xE9 plan \x805)"));
        assert_eq!(
            encode_win_ansi("é€–—’üß"),
            vec![0xE9, 0x80, 0x96, 0x97, 0x92, 0xFC, 0xDF]
        );
    }

    #[test]
    fn characters_outside_win_ansi_become_question_marks() {
        // Proves unmappable characters degrade to `?` instead of corrupting the stream.
        assert_eq!(encode_win_ansi("Tōkyō 東京"), b"T?ky? ??".to_vec());
    }

    #[test]
    fn invoice_number_po_number_and_total_appear_in_the_content() {
        // Proves the key reference fields are printed.
        let pdf = render(&sample_document(3));
        let first_page = content_streams(&pdf)[0];
        assert!(contains(first_page, b"(INV-2026-000123)"));
        assert!(contains(first_page, b"(PO-778899)"));
        assert!(contains(first_page, b"(16,087.50)"));
        assert!(contains(&pdf, b"/Title <FEFF0049004E0056"));
        assert!(contains(&pdf, b"/Producer (revops)"));
    }

    #[test]
    fn optional_blocks_are_printed_only_when_present() {
        // Proves the exemption certificate line appears when given and the PO row disappears when absent.
        let mut document = sample_document(1);
        document.po_number = None;
        document.tax_exemption_certificate = Some("CA-RESALE-4412".to_owned());
        let pdf = render(&document);
        assert!(!contains(&pdf, b"(PO number)"));
        assert!(contains(
            &pdf,
            b"(Tax exemption certificate: CA-RESALE-4412)"
        ));
    }

    #[test]
    fn long_descriptions_wrap_inside_the_column() {
        // Proves wrapping keeps every line within the column and marks cut text with an ellipsis.
        let text =
            encode_win_ansi(&"Enterprise analytics add-on with extended retention ".repeat(8));
        let lines = wrap_to_width(BODY, &text, DESCRIPTION_WIDTH, MAX_DESCRIPTION_LINES);
        assert_eq!(lines.len(), MAX_DESCRIPTION_LINES);
        assert!(lines
            .iter()
            .all(|line| BODY.width(line) <= DESCRIPTION_WIDTH));
        assert_eq!(lines.last().unwrap().last(), Some(&ELLIPSIS));

        let unbroken = vec![b'W'; 200];
        let lines = wrap_to_width(BODY, &unbroken, DESCRIPTION_WIDTH, 10);
        assert!(lines.len() > 1);
        assert!(lines
            .iter()
            .all(|line| BODY.width(line) <= DESCRIPTION_WIDTH));
    }

    #[test]
    fn right_aligned_numbers_end_at_the_column_edge() {
        // Proves the width table gives digits their Helvetica width so right edges line up.
        let expected_width = (556.0 * 6.0 + 278.0 * 2.0) * 9.0 / 1000.0;
        assert!((BODY.width(b"1,087.50") - expected_width).abs() < 0.001);
        let mut canvas = Canvas::default();
        canvas.text_bytes_right(BODY, 100.0, 10.0, b"10.00");
        let expected_x = 100.0 - (556.0 * 4.0 + 278.0) * 9.0 / 1000.0;
        let expected = format!("{} 10 Td (10.00) Tj", number(expected_x));
        assert!(contains(&canvas.content, expected.as_bytes()));
    }

    #[test]
    fn text_that_does_not_fit_is_truncated_with_an_ellipsis() {
        // Proves fitted values never exceed their column.
        let fitted = fit_to_width(BODY, b"123,456,789,012.00", AMOUNT_WIDTH);
        assert!(BODY.width(&fitted) <= AMOUNT_WIDTH);
        assert_eq!(fitted.last(), Some(&ELLIPSIS));
        assert_eq!(
            fit_to_width(BODY, b"15.00", AMOUNT_WIDTH),
            b"15.00".to_vec()
        );
    }
}
