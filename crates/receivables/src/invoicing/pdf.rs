//! Invoice PDF rendering: lays out one invoice, credit memo or statement on US Letter pages
//! (header, lines table with wrapping and continuation pages, totals, payment instructions,
//! "Page x of y") and writes it with `pdf-writer` as PDF 1.4.
//!
//! Text is set in embedded, subsetted Unicode fonts (`fonts.rs`: DejaVu Sans with a CJK
//! fallback), measured with the fonts' own metrics, and carries a ToUnicode map, so a Polish or
//! Japanese customer name prints and extracts back exactly. Amounts arrive as formatted strings;
//! nothing here does money arithmetic.

mod fonts;

use fonts::{Face, FontSet, Glyph, GlyphUse};
use pdf_writer::types::TextRenderingMode;
use pdf_writer::{Content, Filter, Pdf, Rect, Ref, Str, TextStr};

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

/// Renders the invoice as a complete PDF 1.4 file. The same document always gives the same bytes.
pub fn render(document: &InvoiceDocument) -> Vec<u8> {
    let fonts = match FontSet::get() {
        Ok(fonts) => fonts,
        Err(error) => {
            // The fonts are compiled in and a unit test parses them: only a broken build gets here.
            tracing::error!(%error, "the fonts compiled into revops cannot be read");
            return Vec::new();
        }
    };
    let pages = lay_out_pages(fonts, document);
    assemble_pdf(fonts, document, &pages)
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
/// Wide enough for "Invoice number" in DejaVu Sans at 9 pt (70.2 pt) before the values' column.
const META_LABEL_X: f32 = 372.0;
const META_LABEL_WIDTH: f32 = 74.0;
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
// The money columns hold "123,456,789.00" in DejaVu Sans at 9 pt (71.5 pt), as they did in
// Helvetica; the description gives up the 12 points that takes.
const DESCRIPTION_WIDTH: f32 = 220.0;
const MAX_DESCRIPTION_LINES: usize = 3;
const MAX_NOTE_LINES: usize = 2;
/// A tax label wraps under its amount to at most this many lines (then ends with an ellipsis).
const MAX_TAX_LABEL_LINES: usize = 4;
const QUANTITY_RIGHT: f32 = 323.0;
const QUANTITY_WIDTH: f32 = 40.0;
const UNIT_PRICE_RIGHT: f32 = 402.0;
const UNIT_PRICE_WIDTH: f32 = 74.0;
const AMOUNT_RIGHT: f32 = 481.0;
const AMOUNT_WIDTH: f32 = 74.0;
const TAX_RIGHT: f32 = RIGHT - 4.0;
const TAX_WIDTH: f32 = 72.0;
// Neighbouring columns never touch, however wide their values.
const _: () = assert!(DESCRIPTION_X + DESCRIPTION_WIDTH < QUANTITY_RIGHT - QUANTITY_WIDTH);
const _: () = assert!(QUANTITY_RIGHT < UNIT_PRICE_RIGHT - UNIT_PRICE_WIDTH);
const _: () = assert!(UNIT_PRICE_RIGHT < AMOUNT_RIGHT - AMOUNT_WIDTH);
const _: () = assert!(AMOUNT_RIGHT < TAX_RIGHT - TAX_WIDTH);
const TABLE_HEADER_HEIGHT: f32 = 18.0;
const ROW_PADDING: f32 = 4.0;

const TOTALS_LABEL_RIGHT: f32 = 455.0;
const TOTALS_LABEL_WIDTH: f32 = 120.0;
const TOTALS_VALUE_WIDTH: f32 = RIGHT - 460.0;
const _: () = assert!(TOTALS_LABEL_RIGHT < RIGHT - TOTALS_VALUE_WIDTH);
const _: () = assert!(META_LABEL_X + META_LABEL_WIDTH < RIGHT - META_VALUE_WIDTH);
/// Height of the totals block drawn by `draw_totals`.
const TOTALS_HEIGHT: f32 = 62.0;

const BODY_LEADING: f32 = 11.0;
const SMALL_LEADING: f32 = 9.5;

/// Weight, size and grey level (0 is black) of a run of text.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Style {
    bold: bool,
    size: f32,
    gray: f32,
}

const BODY: Style = Style {
    bold: false,
    size: 9.0,
    gray: 0.0,
};
const BODY_BOLD: Style = Style {
    bold: true,
    size: 9.0,
    gray: 0.0,
};
const MUTED: Style = Style {
    bold: false,
    size: 9.0,
    gray: 0.4,
};
const SMALL_MUTED: Style = Style {
    bold: false,
    size: 7.5,
    gray: 0.4,
};
const SECTION_LABEL: Style = Style {
    bold: true,
    size: 7.5,
    gray: 0.4,
};
const TABLE_HEADING: Style = Style {
    bold: true,
    size: 8.0,
    gray: 0.2,
};
const SELLER_NAME: Style = Style {
    bold: true,
    size: 14.0,
    gray: 0.0,
};
const PARTY_NAME: Style = Style {
    bold: true,
    size: 10.0,
    gray: 0.0,
};
const TITLE: Style = Style {
    bold: true,
    size: 20.0,
    gray: 0.0,
};
const TOTAL_DUE: Style = Style {
    bold: true,
    size: 11.0,
    gray: 0.0,
};

impl Style {
    /// Width in points of text set in this style.
    fn width(self, text: &[Glyph]) -> f32 {
        let thousandths: f32 = text.iter().map(|glyph| glyph.advance).sum();
        thousandths * self.size / 1000.0
    }

    /// The glyphs of `text` in this style's weight.
    fn set(self, fonts: &FontSet, text: &str) -> Vec<Glyph> {
        fonts.glyphs(self.bold, text)
    }
}

// ---------------------------------------------------------------------------------------------
// Layout: the pages are drawn first, then the footers once the page count is known.

fn lay_out_pages(fonts: &'static FontSet, document: &InvoiceDocument) -> Vec<Canvas> {
    let rows: Vec<RowLayout> = document
        .lines
        .iter()
        .map(|line| RowLayout::new(fonts, line))
        .collect();
    let instructions = wrap_payment_instructions(fonts, &document.payment_instructions);
    let closing_height = payment_instructions_height(&instructions);

    let closing_floor = CONTENT_BOTTOM + closing_height + TOTALS_HEIGHT;
    let mut pages = Vec::new();
    let mut canvas = Canvas::new(fonts);
    let mut y = draw_first_page_header(&mut canvas, document);
    y = draw_table_header(&mut canvas, y);
    let mut rows_on_page = 0;
    for (index, row) in rows.iter().enumerate() {
        let row_bottom = y - row.height();
        // The last row moves with the totals rather than leaving them alone on a page.
        let is_last = index + 1 == rows.len();
        let strand_totals = is_last && rows_on_page > 0 && row_bottom < closing_floor;
        if row_bottom < CONTENT_BOTTOM || strand_totals {
            pages.push(std::mem::replace(&mut canvas, Canvas::new(fonts)));
            y = draw_continuation_header(&mut canvas, document);
            y = draw_table_header(&mut canvas, y);
            rows_on_page = 0;
        }
        y = draw_row(&mut canvas, row, y);
        rows_on_page += 1;
    }
    // The totals and payment instructions stay together on the last page.
    if y < closing_floor {
        pages.push(std::mem::replace(&mut canvas, Canvas::new(fonts)));
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

/// One table row, set and fitted to its columns before anything is drawn.
#[derive(Debug)]
struct RowLayout {
    description: Vec<Vec<Glyph>>,
    /// Period and proration note, printed small and grey under the description.
    details: Vec<Vec<Glyph>>,
    quantity: Vec<Glyph>,
    unit_price: Vec<Glyph>,
    amount: Vec<Glyph>,
    tax_amount: Vec<Glyph>,
    /// The tax label wrapped under the tax amount ("US sales tax (Sacramento County) 8.75%").
    tax_label: Vec<Vec<Glyph>>,
}

impl RowLayout {
    fn new(fonts: &FontSet, line: &DocumentLine) -> Self {
        let description = wrap_to_width(
            fonts,
            BODY,
            &BODY.set(fonts, &line.description),
            DESCRIPTION_WIDTH,
            MAX_DESCRIPTION_LINES,
        );
        let mut details = Vec::new();
        if let Some(period) = &line.period {
            details.push(fit_to_width(
                fonts,
                SMALL_MUTED,
                &SMALL_MUTED.set(fonts, period),
                DESCRIPTION_WIDTH,
            ));
        }
        if let Some(note) = &line.note {
            details.extend(wrap_to_width(
                fonts,
                SMALL_MUTED,
                &SMALL_MUTED.set(fonts, note),
                DESCRIPTION_WIDTH,
                MAX_NOTE_LINES,
            ));
        }
        let fit = |style: Style, text: &str, width: f32| {
            fit_to_width(fonts, style, &style.set(fonts, text), width)
        };
        RowLayout {
            description,
            details,
            quantity: fit(BODY, &line.quantity, QUANTITY_WIDTH),
            unit_price: fit(BODY, &line.unit_price, UNIT_PRICE_WIDTH),
            amount: fit(BODY, &line.amount, AMOUNT_WIDTH),
            tax_amount: fit(BODY, &line.tax_amount, TAX_WIDTH),
            tax_label: if line.tax_label.is_empty() {
                Vec::new()
            } else {
                wrap_to_width(
                    fonts,
                    SMALL_MUTED,
                    &SMALL_MUTED.set(fonts, &line.tax_label),
                    TAX_WIDTH,
                    MAX_TAX_LABEL_LINES,
                )
            },
        }
    }

    fn height(&self) -> f32 {
        let description_height = self.description.len() as f32 * BODY_LEADING
            + self.details.len() as f32 * SMALL_LEADING;
        let tax_height = BODY_LEADING + self.tax_label.len() as f32 * SMALL_LEADING;
        ROW_PADDING * 2.0 + description_height.max(tax_height)
    }
}

fn draw_row(canvas: &mut Canvas, row: &RowLayout, top: f32) -> f32 {
    let first_baseline = top - ROW_PADDING - BODY_LEADING + 2.5;
    let mut cursor = top - ROW_PADDING;
    for line in &row.description {
        cursor -= BODY_LEADING;
        canvas.text_glyphs(BODY, DESCRIPTION_X, cursor + 2.5, line);
    }
    for line in &row.details {
        cursor -= SMALL_LEADING;
        canvas.text_glyphs(SMALL_MUTED, DESCRIPTION_X, cursor + 2.0, line);
    }
    canvas.text_glyphs_right(BODY, QUANTITY_RIGHT, first_baseline, &row.quantity);
    canvas.text_glyphs_right(BODY, UNIT_PRICE_RIGHT, first_baseline, &row.unit_price);
    canvas.text_glyphs_right(BODY, AMOUNT_RIGHT, first_baseline, &row.amount);
    canvas.text_glyphs_right(BODY, TAX_RIGHT, first_baseline, &row.tax_amount);
    for (index, line) in row.tax_label.iter().enumerate() {
        let baseline = first_baseline - SMALL_LEADING * (index as f32 + 1.0);
        canvas.text_glyphs_right(SMALL_MUTED, TAX_RIGHT, baseline, line);
    }

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

fn wrap_payment_instructions(fonts: &FontSet, instructions: &[String]) -> Vec<Vec<Glyph>> {
    let mut lines: Vec<Vec<Glyph>> = instructions
        .iter()
        .flat_map(|line| wrap_to_width(fonts, BODY, &BODY.set(fonts, line), RIGHT - LEFT, 2))
        .collect();
    lines.truncate(MAX_PAYMENT_INSTRUCTION_LINES);
    lines
}

fn payment_instructions_height(lines: &[Vec<Glyph>]) -> f32 {
    if lines.is_empty() {
        0.0
    } else {
        18.0 + lines.len() as f32 * BODY_LEADING
    }
}

/// Draws the payment instructions anchored just above the footer of the page.
fn draw_payment_instructions(canvas: &mut Canvas, lines: &[Vec<Glyph>], height: f32) {
    if lines.is_empty() {
        return;
    }
    let top = CONTENT_BOTTOM + height;
    canvas.rule(LEFT, top, RIGHT, 0.6);
    let mut y = top - 13.0;
    canvas.text_left(SECTION_LABEL, LEFT, y, RIGHT - LEFT, "PAYMENT INSTRUCTIONS");
    for line in lines {
        y -= BODY_LEADING;
        canvas.text_glyphs(BODY, LEFT, y, line);
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
// Pages as marks: text runs, hairlines and filled rectangles, turned into content streams once
// every page is laid out (when the glyphs each font must hold are known).

#[derive(Debug)]
enum Mark {
    Text {
        style: Style,
        x: f32,
        y: f32,
        glyphs: Vec<Glyph>,
    },
    Rule {
        x_start: f32,
        y: f32,
        x_end: f32,
        gray: f32,
    },
    Rectangle {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        gray: f32,
    },
}

/// One page being drawn.
struct Canvas {
    fonts: &'static FontSet,
    marks: Vec<Mark>,
}

impl Canvas {
    fn new(fonts: &'static FontSet) -> Canvas {
        Canvas {
            fonts,
            marks: Vec::new(),
        }
    }

    /// Draws `text` left-aligned at `x`, truncated to `max_width`.
    fn text_left(&mut self, style: Style, x: f32, y: f32, max_width: f32, text: &str) {
        let fitted = fit_to_width(self.fonts, style, &style.set(self.fonts, text), max_width);
        self.text_glyphs(style, x, y, &fitted);
    }

    /// Draws `text` ending at `right`, truncated to `max_width`.
    fn text_right(&mut self, style: Style, right: f32, y: f32, max_width: f32, text: &str) {
        let fitted = fit_to_width(self.fonts, style, &style.set(self.fonts, text), max_width);
        self.text_glyphs_right(style, right, y, &fitted);
    }

    fn text_glyphs_right(&mut self, style: Style, right: f32, y: f32, text: &[Glyph]) {
        self.text_glyphs(style, right - style.width(text), y, text);
    }

    /// Draws already set and fitted text with its baseline at `y`.
    fn text_glyphs(&mut self, style: Style, x: f32, y: f32, text: &[Glyph]) {
        if text.is_empty() {
            return;
        }
        self.marks.push(Mark::Text {
            style,
            x,
            y,
            glyphs: text.to_vec(),
        });
    }

    /// A horizontal hairline from `x_start` to `x_end` in the given grey.
    fn rule(&mut self, x_start: f32, y: f32, x_end: f32, gray: f32) {
        self.marks.push(Mark::Rule {
            x_start,
            y,
            x_end,
            gray,
        });
    }

    fn fill_rect(&mut self, x: f32, y: f32, width: f32, height: f32, gray: f32) {
        self.marks.push(Mark::Rectangle {
            x,
            y,
            width,
            height,
            gray,
        });
    }

    /// The page's content stream; every glyph is written as its two-byte number in the subset
    /// font `used` assigns (Identity-H encoding).
    fn content(&self, used: &mut GlyphUse) -> Vec<u8> {
        let mut content = Content::new();
        for mark in &self.marks {
            match mark {
                Mark::Text {
                    style,
                    x,
                    y,
                    glyphs,
                } => {
                    content.begin_text();
                    content.set_fill_gray(style.gray);
                    content.next_line(*x, *y);
                    for run in glyphs.chunk_by(|left, right| left.face == right.face) {
                        show_run(&mut content, *style, run, used);
                    }
                    content.end_text();
                }
                Mark::Rule {
                    x_start,
                    y,
                    x_end,
                    gray,
                } => {
                    content.set_stroke_gray(*gray);
                    content.set_line_width(0.5);
                    content.move_to(*x_start, *y);
                    content.line_to(*x_end, *y);
                    content.stroke();
                }
                Mark::Rectangle {
                    x,
                    y,
                    width,
                    height,
                    gray,
                } => {
                    content.set_fill_gray(*gray);
                    content.rect(*x, *y, *width, *height);
                    content.fill_nonzero();
                }
            }
        }
        content.finish().into_vec()
    }

    /// The text of every run on the page, in drawing order (for tests).
    #[cfg(test)]
    fn texts(&self) -> Vec<String> {
        self.marks
            .iter()
            .filter_map(|mark| match mark {
                Mark::Text { glyphs, .. } => Some(plain(glyphs)),
                _ => None,
            })
            .collect()
    }
}

/// Shows a run of glyphs from one font. The CJK fallback has no bold, so bold text in it is
/// filled and outlined with a thin stroke of the same grey, which reads as bold.
fn show_run(content: &mut Content, style: Style, run: &[Glyph], used: &mut GlyphUse) {
    let Some(first) = run.first() else {
        return;
    };
    content.set_font(first.face.resource_name(), style.size);
    let emboldened = style.bold && first.face == Face::Fallback;
    if emboldened {
        content.set_text_rendering_mode(TextRenderingMode::FillStroke);
        content.set_stroke_gray(style.gray);
        content.set_line_width(style.size * 0.03);
    }
    let bytes: Vec<u8> = run
        .iter()
        .flat_map(|glyph| used.encode(*glyph).to_be_bytes())
        .collect();
    content.show(Str(&bytes));
    if emboldened {
        content.set_text_rendering_mode(TextRenderingMode::Fill);
    }
}

// ---------------------------------------------------------------------------------------------
// Text: fitting, truncation and wrapping by the fonts' advance widths.

/// The characters a run of glyphs shows.
#[cfg(test)]
fn plain(glyphs: &[Glyph]) -> String {
    glyphs.iter().map(|glyph| glyph.character).collect()
}

/// Returns `text` unchanged when it fits, otherwise cut and ended with an ellipsis.
fn fit_to_width(fonts: &FontSet, style: Style, text: &[Glyph], max_width: f32) -> Vec<Glyph> {
    if style.width(text) <= max_width {
        text.to_vec()
    } else {
        truncate_with_ellipsis(fonts, style, text, max_width)
    }
}

/// Keeps the longest prefix that fits together with a trailing ellipsis.
fn truncate_with_ellipsis(
    fonts: &FontSet,
    style: Style,
    text: &[Glyph],
    max_width: f32,
) -> Vec<Glyph> {
    let ellipsis = style.set(fonts, "…");
    let available = max_width - style.width(&ellipsis);
    if available < 0.0 {
        return Vec::new();
    }
    let mut kept = text[..prefix_fitting(style, text, available)].to_vec();
    while kept.last().is_some_and(|glyph| glyph.character == ' ') {
        kept.pop();
    }
    kept.extend(ellipsis);
    kept
}

/// Number of leading glyphs of `text` that fit in `max_width`.
fn prefix_fitting(style: Style, text: &[Glyph], max_width: f32) -> usize {
    let mut used = 0.0;
    for (index, glyph) in text.iter().enumerate() {
        used += style.width(std::slice::from_ref(glyph));
        if used > max_width {
            return index;
        }
    }
    text.len()
}

/// Word-wraps `text` to `max_width`; past `max_lines` the last line ends with an ellipsis.
/// Always returns at least one (possibly empty) line. Text without spaces (Japanese, say) breaks
/// wherever the column ends.
fn wrap_to_width(
    fonts: &FontSet,
    style: Style,
    text: &[Glyph],
    max_width: f32,
    max_lines: usize,
) -> Vec<Vec<Glyph>> {
    let space = style.set(fonts, " ");
    let space_width = style.width(&space);
    let mut lines: Vec<Vec<Glyph>> = Vec::new();
    let mut current: Vec<Glyph> = Vec::new();
    for word in text
        .split(|glyph| glyph.character == ' ')
        .filter(|word| !word.is_empty())
    {
        let word_width = style.width(word);
        if current.is_empty() && word_width <= max_width {
            current.extend_from_slice(word);
            continue;
        }
        if !current.is_empty() && style.width(&current) + space_width + word_width <= max_width {
            current.extend_from_slice(&space);
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
        let overflow = lines.split_off(max_lines - 1).join(space.as_slice());
        lines.push(truncate_with_ellipsis(fonts, style, &overflow, max_width));
    }
    lines
}

// ---------------------------------------------------------------------------------------------
// File structure: catalog, page tree, info, the subset fonts and one content stream per page.

fn assemble_pdf(fonts: &FontSet, document: &InvoiceDocument, pages: &[Canvas]) -> Vec<u8> {
    let mut last_ref = 0;
    let mut next_ref = || {
        last_ref += 1;
        Ref::new(last_ref)
    };
    let catalog_ref = next_ref();
    let page_tree_ref = next_ref();
    let info_ref = next_ref();
    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (next_ref(), next_ref())).collect();

    // Content first: it decides which glyphs each subset font holds.
    let mut used = GlyphUse::default();
    let contents: Vec<Vec<u8>> = pages.iter().map(|page| page.content(&mut used)).collect();

    let mut pdf = Pdf::new();
    pdf.set_version(1, 4);
    let mut catalog = pdf.catalog(catalog_ref);
    catalog.pages(page_tree_ref);
    catalog.viewer_preferences().display_doc_title(true);
    // pdf-writer closes an object when its writer is dropped.
    drop(catalog);
    pdf.pages(page_tree_ref)
        .kids(page_refs.iter().map(|(page_ref, _)| *page_ref))
        .count(i32::try_from(pages.len()).unwrap_or(i32::MAX));
    pdf.document_info(info_ref)
        .title(TextStr(&document.number))
        .producer(TextStr("revops"));
    let font_refs = used.write_fonts(fonts, &mut pdf, &mut next_ref);

    for ((page_ref, content_ref), content) in page_refs.iter().zip(&contents) {
        let mut page = pdf.page(*page_ref);
        page.parent(page_tree_ref)
            .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .contents(*content_ref);
        let mut resources = page.resources();
        let mut font_dictionary = resources.fonts();
        for (face, font_ref) in &font_refs {
            font_dictionary.pair(face.resource_name(), *font_ref);
        }
        drop(font_dictionary);
        drop(resources);
        drop(page);
        pdf.stream(*content_ref, &deflate(content))
            .filter(Filter::FlateDecode);
    }
    pdf.finish()
}

/// zlib (FlateDecode) at the default level: deterministic, and a subset font shrinks by half.
fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
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

    fn fonts() -> &'static FontSet {
        FontSet::get().unwrap()
    }

    /// The text runs of each page, in drawing order.
    fn page_texts(document: &InvoiceDocument) -> Vec<Vec<String>> {
        lay_out_pages(fonts(), document)
            .iter()
            .map(Canvas::texts)
            .collect()
    }

    fn set(style: Style, text: &str) -> Vec<Glyph> {
        style.set(fonts(), text)
    }

    /// The text `pdftotext` (Debian's poppler-utils, installed by `cargo xtask setup`) extracts.
    fn extracted_text(pdf: &[u8]) -> String {
        let path = std::env::temp_dir().join(format!("revops-pdf-{}.pdf", uuid::Uuid::new_v4()));
        std::fs::write(&path, pdf).unwrap();
        let output = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .output();
        std::fs::remove_file(&path).unwrap();
        let output = output.unwrap_or_else(|error| {
            panic!("pdftotext is missing ({error}): run `cargo xtask setup` (poppler-utils)")
        });
        assert!(
            output.status.success(),
            "pdftotext failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    #[test]
    fn output_starts_with_the_pdf_header_and_ends_with_eof() {
        // Proves the file has the 1.4 header, a binary comment line and the end-of-file marker.
        let pdf = render(&sample_document(1));
        assert!(pdf.starts_with(b"%PDF-1.4\n%"));
        assert!(pdf[10..14].iter().all(|byte| *byte >= 0x80));
        assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
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
            let subsection_line = lines.next().unwrap();
            let subsection: Vec<usize> = subsection_line
                .split(' ')
                .map(|part| part.parse().unwrap())
                .collect();
            assert_eq!(subsection[0], 0);
            let size = subsection[1];
            // Entries are exactly 20 bytes, their two-byte end of line included.
            let entries_start = "xref\n".len() + subsection_line.len() + 1;
            let entry = |index: usize| &xref[entries_start + 20 * index..][..20];
            assert_eq!(&entry(0)[..18], "0000000000 65535 f");
            for object_number in 1..size {
                let entry = entry(object_number);
                assert!(matches!(&entry[18..], " \n" | "\r\n" | " \r"), "{entry:?}");
                assert_eq!(&entry[10..18], " 00000 n");
                let offset: usize = entry[..10].parse().unwrap();
                let expected = format!("{object_number} 0 obj");
                assert!(
                    pdf[offset..].starts_with(expected.as_bytes()),
                    "object {object_number}"
                );
            }
            let mut lines = xref[entries_start + 20 * size..].lines();
            assert_eq!(lines.next(), Some("trailer"));
            assert!(xref.contains(&format!("/Size {size}")));
            assert!(xref.contains("/Root 1 0 R") && xref.contains("/Info 3 0 R"));
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
        let streams = pdf
            .windows(b"endstream".len())
            .filter(|window| window == b"endstream")
            .count();
        // One content stream per page, and a font file and a ToUnicode map per font.
        assert_eq!(checked, streams);
        assert!(checked > page_count(&pdf));
    }

    #[test]
    fn one_line_fits_on_one_page() {
        // Proves a short invoice is a single page with its totals.
        let pdf = render(&sample_document(1));
        assert_eq!(page_count(&pdf), 1);
        let pages = page_texts(&sample_document(1));
        assert_eq!(pages.len(), 1);
        assert!(pages[0].contains(&"Page 1 of 1".to_owned()));
        assert!(pages[0].contains(&"Total due (USD)".to_owned()));
    }

    #[test]
    fn many_lines_continue_on_further_pages_with_the_header_repeated() {
        // Proves 120 lines paginate, every page repeats the table header, and the totals come last
        // together with at least the final line.
        let document = sample_document(120);
        let pdf = render(&document);
        let pages = page_count(&pdf);
        assert!(
            pages > 1,
            "120 lines must need more than one page, got {pages}"
        );
        let texts = page_texts(&document);
        assert_eq!(texts.len(), pages);
        assert_eq!(
            pdf.windows(b"/Type /Page\n".len())
                .filter(|w| w == b"/Type /Page\n")
                .count()
                + pdf
                    .windows(b"/Type /Page/".len())
                    .filter(|w| w == b"/Type /Page/")
                    .count(),
            pages
        );
        for (index, page) in texts.iter().enumerate() {
            let label = format!("Page {} of {pages}", index + 1);
            assert!(page.contains(&label), "missing {label}");
        }
        let (last, earlier) = texts.split_last().unwrap();
        let has = |page: &Vec<String>, text: &str| page.iter().any(|run| run == text);
        assert!(has(last, "Total due (USD)"));
        assert!(has(last, "Platform subscription, seat tier 119"));
        assert!(earlier.iter().all(|page| has(page, "Unit price")));
        assert!(earlier
            .iter()
            .all(|page| !page.iter().any(|run| run.starts_with("Total due"))));
        for page in &texts[1..] {
            assert!(has(page, "INVOICE INV-2026-000123 (continued)"));
        }
        for index in [0, 60, 119] {
            let description = format!("Platform subscription, seat tier {index}");
            assert!(
                texts.iter().any(|page| has(page, &description)),
                "line {index} is missing"
            );
        }
    }

    #[test]
    fn text_extracts_back_exactly_in_any_script() {
        // Proves Polish, Czech, Greek and Japanese names and addresses, a Euro sign and PDF
        // string delimiters print in real glyphs (not `?`) and extract back exactly.
        let mut document = sample_document(2);
        document.bill_to = Party {
            name: "Zakład Łódź Spółka z o.o.".to_owned(),
            address_lines: vec![
                "ul. Piotrkowska 12, 90-001 Łódź".to_owned(),
                "株式会社東京商事".to_owned(),
                "東京都千代田区丸の内1-1".to_owned(),
            ],
            tax_id: Some("PL 725-18-01-126".to_owned()),
        };
        document.lines[0].description = "Café plan €5 (premium) C:\\plans".to_owned();
        document.lines[1].description = "Řízení účtů — Αθήνα".to_owned();
        let pdf = render(&document);
        let text = extracted_text(&pdf);
        for expected in [
            "Zakład Łódź Spółka z o.o.",
            "ul. Piotrkowska 12, 90-001 Łódź",
            "株式会社東京商事",
            "東京都千代田区丸の内1-1",
            "Café plan €5 (premium) C:\\plans",
            "Řízení účtů — Αθήνα",
            "INV-2026-000123",
            "16,087.50",
        ] {
            assert!(text.contains(expected), "{expected:?} not in:\n{text}");
        }
        assert!(!text.contains('?'), "{text}");
    }

    #[test]
    fn fonts_are_subset_so_the_file_stays_small() {
        // Proves only the used glyphs are embedded: a Japanese invoice stays far below the size of
        // the fonts themselves (4.9 MB), and rendering is deterministic.
        let mut document = sample_document(3);
        document.bill_to.name = "株式会社東京商事".to_owned();
        let pdf = render(&document);
        assert!(pdf.len() < 60_000, "{} bytes", pdf.len());
        assert!(contains(&pdf, b"/FontFile2"));
        assert!(contains(&pdf, b"/ToUnicode"));
        assert!(contains(&pdf, b"+DejaVuSans-Bold"));
        assert!(contains(&pdf, b"+DroidSansFallback"));
        assert_eq!(render(&document), pdf);
    }

    #[test]
    fn invoice_number_po_number_and_total_appear_in_the_content() {
        // Proves the key reference fields are printed.
        let pdf = render(&sample_document(3));
        let first_page = &page_texts(&sample_document(3))[0];
        for expected in ["INV-2026-000123", "PO-778899", "16,087.50"] {
            assert!(first_page.contains(&expected.to_owned()), "{expected}");
        }
        assert!(contains(&pdf, b"/Title (INV-2026-000123)"));
        assert!(contains(&pdf, b"/Producer (revops)"));
    }

    #[test]
    fn header_labels_print_in_full() {
        // Proves the captions of the invoice, credit memo and statement details fit their column.
        for labels in [
            Labels::invoice(),
            Labels::credit_memo(),
            Labels::statement(),
        ] {
            let mut document = sample_document(1);
            document.labels = labels.clone();
            let first_page = &page_texts(&document)[0];
            for caption in [labels.number, labels.issue_date, labels.due_date] {
                assert!(first_page.contains(&caption), "{caption} in {first_page:?}");
            }
            assert!(first_page.contains(&"PO number".to_owned()));
        }
    }

    #[test]
    fn optional_blocks_are_printed_only_when_present() {
        // Proves the exemption certificate line appears when given and the PO row disappears when absent.
        let mut document = sample_document(1);
        document.po_number = None;
        document.tax_exemption_certificate = Some("CA-RESALE-4412".to_owned());
        let texts = page_texts(&document).concat();
        assert!(!texts.contains(&"PO number".to_owned()));
        assert!(texts.contains(&"Tax exemption certificate: CA-RESALE-4412".to_owned()));
    }

    #[test]
    fn long_descriptions_wrap_inside_the_column() {
        // Proves wrapping keeps every line within the column and marks cut text with an ellipsis,
        // for words and for Japanese text without spaces.
        let text = set(
            BODY,
            &"Enterprise analytics add-on with extended retention ".repeat(8),
        );
        let lines = wrap_to_width(
            fonts(),
            BODY,
            &text,
            DESCRIPTION_WIDTH,
            MAX_DESCRIPTION_LINES,
        );
        assert_eq!(lines.len(), MAX_DESCRIPTION_LINES);
        assert!(lines
            .iter()
            .all(|line| BODY.width(line) <= DESCRIPTION_WIDTH));
        assert_eq!(
            plain(&lines[0]),
            "Enterprise analytics add-on with extended"
        );
        assert!(plain(lines.last().unwrap()).ends_with('…'));

        for unbroken in ["W".repeat(200), "東京都千代田区丸の内".repeat(6)] {
            let lines = wrap_to_width(fonts(), BODY, &set(BODY, &unbroken), DESCRIPTION_WIDTH, 10);
            assert!(lines.len() > 1);
            assert!(lines
                .iter()
                .all(|line| BODY.width(line) <= DESCRIPTION_WIDTH));
            assert_eq!(
                lines.iter().map(|line| plain(line)).collect::<String>(),
                unbroken
            );
        }
    }

    #[test]
    fn right_aligned_numbers_end_at_the_column_edge() {
        // Proves widths come from the font's metrics, so right edges line up.
        let face = ttf_parser::Face::parse(include_bytes!("../../assets/fonts/DejaVuSans.ttf"), 0)
            .unwrap();
        let advance = |c: char| {
            f32::from(
                face.glyph_hor_advance(face.glyph_index(c).unwrap())
                    .unwrap(),
            ) * 1000.0
                / f32::from(face.units_per_em())
        };
        let expected_width = "1,087.50".chars().map(advance).sum::<f32>() * 9.0 / 1000.0;
        assert!((BODY.width(&set(BODY, "1,087.50")) - expected_width).abs() < 0.001);
        let mut canvas = Canvas::new(fonts());
        canvas.text_glyphs_right(BODY, 100.0, 10.0, &set(BODY, "10.00"));
        let expected_x = 100.0 - "10.00".chars().map(advance).sum::<f32>() * 9.0 / 1000.0;
        match &canvas.marks[..] {
            [Mark::Text { x, y, glyphs, .. }] => {
                assert!((x - expected_x).abs() < 0.001, "{x} vs {expected_x}");
                assert_eq!(*y, 10.0);
                assert_eq!(plain(glyphs), "10.00");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nine_digit_amounts_fit_their_columns() {
        // Proves the wider Unicode font did not shrink what the money columns hold: amounts up
        // to hundreds of millions print in full in the table and in the total.
        let amount = "123,456,789.00";
        for width in [UNIT_PRICE_WIDTH, AMOUNT_WIDTH, TAX_WIDTH] {
            assert!(BODY.width(&set(BODY, amount)) <= width, "{width}");
        }
        assert!(TOTAL_DUE.width(&set(TOTAL_DUE, amount)) <= TOTALS_VALUE_WIDTH);
    }

    #[test]
    fn text_that_does_not_fit_is_truncated_with_an_ellipsis() {
        // Proves fitted values never exceed their column.
        let fitted = fit_to_width(
            fonts(),
            BODY,
            &set(BODY, "123,456,789,012.00"),
            AMOUNT_WIDTH,
        );
        assert!(BODY.width(&fitted) <= AMOUNT_WIDTH);
        assert!(plain(&fitted).ends_with('…'));
        assert_eq!(
            plain(&fit_to_width(
                fonts(),
                BODY,
                &set(BODY, "15.00"),
                AMOUNT_WIDTH
            )),
            "15.00"
        );
    }
}
