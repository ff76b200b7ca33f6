//! One invoice: header facts, why a held draft was not issued, its lines with tax and totals
//! (paid, credited, written off, open), the payments and credit applied to it, the PDF, and for
//! invoice managers the draft actions (set PO, issue) or voiding.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_params_map;

use crate::{
    api::{self, ApiError, Invoice, InvoiceLine},
    app::RequirePermission,
    components::{
        export::download_bytes,
        field::{non_empty, TextAreaField, TextField},
        money::{Amount, MoneyCell},
        states::{ActionError, ErrorPanel, LoadingPanel},
        status::InvoiceStatusBadge,
    },
    format,
    routes::payment_detail::ApplicationTable,
    session,
};

#[component]
pub fn InvoiceDetailPage() -> impl IntoView {
    view! {
        <RequirePermission permission="INVOICE_READ">
            <InvoiceDetailView />
        </RequirePermission>
    }
}

fn or_dash(value: Option<String>) -> String {
    value
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "—".to_string())
}

/// How the invoice is called in headings and messages: its number, or "Draft" before issue.
fn invoice_name(invoice: &Invoice) -> String {
    invoice
        .number
        .as_ref()
        .map_or_else(|| "Draft invoice".to_string(), |n| format!("Invoice {n}"))
}

#[component]
fn InvoiceDetailView() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let invoice = LocalResource::new(move || api::invoice(id.get()));
    // Kept above the re-rendered body, so the message survives the reload it triggers.
    let notice = RwSignal::new(None::<String>);
    let on_done = Callback::new(move |message: String| {
        notice.set(Some(message));
        invoice.refetch();
    });
    view! {
        <div class="page">
            <p class="breadcrumb"><a href="/invoices">"Invoices"</a></p>
            {move || notice.get().map(|message| view! {
                <div class="alert alert-success" role="status" data-test="invoice-notice">{message}</div>
            })}
            {move || match invoice.get() {
                None => view! { <LoadingPanel label="Loading invoice…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| invoice.refetch()) /> }.into_any(),
                Some(Ok(invoice)) => view! { <InvoiceBody invoice=invoice on_done=on_done /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn InvoiceBody(invoice: Invoice, on_done: Callback<String>) -> impl IntoView {
    let is_draft = invoice.status == "DRAFT";
    let lines = invoice.lines.clone();
    view! {
        <header class="page-header">
            <div>
                <h1>{invoice_name(&invoice)}</h1>
                <p class="muted">
                    {match invoice.customer.clone() {
                        Some(c) => view! { <a href=format!("/customers/{}", c.id)>{c.legal_name}</a> }.into_any(),
                        None => "—".into_any(),
                    }}
                    {format!(" · dated {}", format::date(&invoice.invoice_date))}
                </p>
            </div>
            <div class="header-actions">
                <InvoiceStatusBadge
                    status=invoice.status.clone()
                    held=invoice.blocked_reason.is_some()
                    due_date=invoice.due_date.clone()
                />
                <PdfButton id=invoice.id.clone() fallback_name=invoice.number.clone().unwrap_or_else(|| format!("draft-{}", invoice.id)) />
            </div>
        </header>
        {invoice.blocked_reason.clone().filter(|_| is_draft).map(|reason| view! {
            <BlockedNotice reason=reason field=invoice.blocked_field.clone() />
        })}
        {invoice.voided_at.clone().map(|at| view! {
            <div class="alert alert-neutral" role="status" data-test="void-notice">
                <strong>{format!("Voided on {}", format::date_time(&at))}</strong>
                <p>{or_dash(invoice.void_reason.clone())}</p>
            </div>
        })}
        <InvoiceFacts invoice=invoice.clone() />
        <section class="section">
            <h2>"Lines"</h2>
            <InvoiceLines lines=lines invoice=invoice.clone() />
            <FunctionalTotal invoice=invoice.clone() />
        </section>
        {(!is_draft).then(|| view! {
            <section class="section" data-test="invoice-applications">
                <h2>"Payments and credit applied"</h2>
                <ApplicationTable
                    applications=invoice.applications.clone()
                    by_source=true
                    empty_hint="Nothing has been paid on this invoice yet. Record a payment under Payments when money arrives."
                />
            </section>
        })}
        <crate::components::invoice_collections::InvoiceCollections invoice=invoice.clone() />
        <InvoiceActions invoice=invoice on_done=on_done />
    }
}

/// What an invoice manager may do next: a draft's actions, or voiding an unpaid invoice.
#[component]
fn InvoiceActions(invoice: Invoice, on_done: Callback<String>) -> impl IntoView {
    let can_manage = session::can("INVOICE_MANAGE");
    let is_draft = invoice.status == "DRAFT";
    let can_void = invoice.status == "ISSUED" && format::is_zero(&invoice.paid.amount);
    move || match (can_manage.get(), is_draft, can_void) {
        (true, true, _) => {
            view! { <DraftActions invoice=invoice.clone() on_done=on_done /> }.into_any()
        }
        (true, false, true) => {
            view! { <VoidPanel invoice=invoice.clone() on_done=on_done /> }.into_any()
        }
        _ => ().into_any(),
    }
}

/// Why the bill run held this draft back, and which field to fix: the first thing to read.
#[component]
fn BlockedNotice(reason: String, field: Option<String>) -> impl IntoView {
    view! {
        <div class="alert alert-warning" role="alert" data-test="blocked-reason">
            <strong>"Held: this draft was not issued. "</strong>
            {reason}
            {field.map(|field| view! {
                <p>
                    "Field to fix: "
                    <strong data-field=field.clone()>{format::field_label(&field)}</strong>
                </p>
            })}
        </div>
    }
}

#[component]
fn InvoiceFacts(invoice: Invoice) -> impl IntoView {
    view! {
        <section class="panel">
            <dl class="facts" data-test="invoice-facts">
                <dt>"Number"</dt><dd class="mono">{invoice.number.clone().unwrap_or_else(|| "Draft (numbered at issue)".into())}</dd>
                <dt>"Invoice date"</dt><dd>{format::date(&invoice.invoice_date)}</dd>
                <dt>"Issued"</dt><dd>{or_dash(invoice.issue_date.as_deref().map(format::date))}</dd>
                <dt>"Due"</dt><dd>{or_dash(invoice.due_date.as_deref().map(format::date))}</dd>
                <dt>"Payment terms"</dt><dd>{format::enum_label(&invoice.payment_terms)}</dd>
                <dt>"Purchase order"</dt><dd class="mono">{or_dash(invoice.po_number.clone())}</dd>
                <dt>"Legal entity"</dt><dd>{invoice.legal_entity.clone()}</dd>
                <dt>"Tax exemption certificate"</dt><dd>{or_dash(invoice.tax_exemption_certificate.clone())}</dd>
                <dt>"Settled on"</dt><dd data-test="settled-on">{or_dash(invoice.settled_on.as_deref().map(format::date))}</dd>
            </dl>
        </section>
    }
}

#[component]
fn InvoiceLines(lines: Vec<InvoiceLine>, invoice: Invoice) -> impl IntoView {
    view! {
        <table class="table" data-test="invoice-lines">
            <thead>
                <tr>
                    <th scope="col">"Description"</th>
                    <th scope="col">"Period"</th>
                    <th scope="col" class="num">"Quantity"</th>
                    <th scope="col" class="num">"Unit price"</th>
                    <th scope="col" class="num">"Amount"</th>
                    <th scope="col">"Tax rate"</th>
                    <th scope="col" class="num">"Tax"</th>
                </tr>
            </thead>
            <tbody>
                {lines
                    .into_iter()
                    .map(|line| view! {
                        <tr>
                            <td>
                                {line.description}
                                {line.note.map(|note| view! { <div class="small muted">{note}</div> })}
                            </td>
                            <td class="nowrap">{format::period(line.period_start.as_deref(), line.period_end.as_deref())}</td>
                            <td class="num">{line.quantity}</td>
                            <MoneyCell money=Some(line.unit_price) />
                            <MoneyCell money=Some(line.amount) />
                            <td>
                                {line.tax_label}
                                <span class="muted">{format!(" {}%", line.tax_rate_percent)}</span>
                            </td>
                            <MoneyCell money=Some(line.tax) />
                        </tr>
                    })
                    .collect_view()}
            </tbody>
            <tfoot>
                <TotalRow label="Subtotal" money=invoice.subtotal />
                <TotalRow label="Tax" money=invoice.tax />
                <TotalRow label="Total" money=invoice.total />
                <TotalRow label="Paid" money=invoice.paid />
                <TotalRow label="Credited" money=invoice.credited />
                <TotalRow label="Written off" money=invoice.written_off />
                <TotalRow label="Open" money=invoice.open_amount />
            </tfoot>
        </table>
    }
}

#[component]
fn TotalRow(label: &'static str, money: api::Money) -> impl IntoView {
    view! {
        <tr class="total-row">
            <th scope="row" colspan="6">{label}</th>
            <MoneyCell money=Some(money) />
        </tr>
    }
}

/// The total in the books' (functional) currency and the rate used, when the invoice is in
/// another currency.
#[component]
fn FunctionalTotal(invoice: Invoice) -> impl IntoView {
    let currency = invoice.total.currency.clone();
    invoice
        .functional_total
        .filter(|functional| functional.currency != currency)
        .map(|functional| {
            let rate = invoice.fx_rate.clone().map(|rate| {
                format!(
                    " at 1 {} = {rate} {} (rate on the invoice date)",
                    invoice.total.currency, functional.currency
                )
            });
            view! {
                <p class="muted" data-test="functional-total">
                    {format!("Total in {}: ", functional.currency)}
                    <Amount money=functional.clone() />
                    {rate}
                </p>
            }
        })
}

/// Downloads the PDF with the session's token (a plain link could not send it) and hands it
/// to the browser as a file.
#[component]
fn PdfButton(id: String, fallback_name: String) -> impl IntoView {
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id = StoredValue::new(id);
    let fallback_name = StoredValue::new(format!("invoice-{fallback_name}.pdf"));
    let download = move |_| {
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::invoice_pdf(id.get_value()).await;
            pending.set(false);
            match result {
                Ok(file) => {
                    let name = file.filename.unwrap_or_else(|| fallback_name.get_value());
                    if download_bytes(&name, "application/pdf", &file.bytes).is_none() {
                        error.set(Some("This browser could not save the PDF.".into()));
                    }
                }
                Err(failure) => error.set(Some(failure.summary())),
            }
        });
    };
    view! {
        <button class="button" type="button" data-test="download-pdf" disabled=move || pending.get() on:click=download>
            {move || if pending.get() { "Preparing PDF…" } else { "Download PDF" }}
        </button>
        {move || error.get().map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
    }
}

/// A draft's actions: put the PO on it, then issue it (with the amount confirmed first).
#[component]
fn DraftActions(invoice: Invoice, on_done: Callback<String>) -> impl IntoView {
    let po = RwSignal::new(invoice.po_number.clone().unwrap_or_default());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let id = StoredValue::new(invoice.id.clone());
    let total = invoice.total.display();
    let customer = invoice
        .customer
        .as_ref()
        .map_or_else(|| "the customer".to_string(), |c| c.legal_name.clone());
    // Held over the customer's credit limit: only a VP Finance issues it.
    let over_limit = invoice.blocked_field.as_deref() == Some("creditLimit");
    let can_exceed_limit = session::can("CREDIT_LIMIT_APPROVE");
    let issue_refused = move || over_limit && !can_exceed_limit.get();

    let set_po = move |_| {
        let Some(number) = non_empty(&po.get_untracked()) else {
            errors.set(Some(ApiError::for_field(
                "poNumber",
                "Enter the customer's PO number.",
            )));
            return;
        };
        errors.set(None);
        pending.set(true);
        spawn_local(async move {
            let result = api::invoice_po_set(id.get_value(), number).await;
            pending.set(false);
            match result {
                Ok(saved) => on_done.run(format!(
                    "PO {} set on the draft. Issue it when it is ready.",
                    saved.po_number.unwrap_or_default()
                )),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    let issue = move |_| {
        pending.set(true);
        spawn_local(async move {
            let result = api::invoice_issue(id.get_value()).await;
            pending.set(false);
            confirming.set(false);
            match result {
                Ok(issued) => on_done.run(format!(
                    "{} issued for {}, due {}.",
                    invoice_name(&issued),
                    issued.total.display(),
                    or_dash(issued.due_date.as_deref().map(format::date))
                )),
                Err(error) => errors.set(Some(error)),
            }
        });
    };

    view! {
        <section class="panel subform" data-test="draft-actions">
            <h2>"Draft actions"</h2>
            <div class="form-row">
                <TextField label="Purchase order number" name="poNumber" value=po errors=errors.into() hint="Must be a PO on file for this customer." />
            </div>
            <ActionError error=errors.into() inline_fields=&["poNumber"] />
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <div class="button-row">
                        <button class="button" type="button" data-action="set-po" disabled=move || pending.get() on:click=set_po>"Set PO"</button>
                        <button class="button button-primary" type="button" data-action="issue" disabled=move || pending.get() || issue_refused() on:click=move |_| confirming.set(true)>
                            "Issue…"
                        </button>
                    </div>
                    {move || issue_refused().then(|| view! {
                        <p class="hint" data-test="issue-refused">"Held over the customer's credit limit: only a VP Finance can issue it."</p>
                    })}
                }
            >
                <div class="confirm" role="alertdialog" aria-label="Confirm issuing the invoice">
                    <p>{format!("Issue this invoice to {customer} for {total}? It gets its number, is posted to the ledger and cannot be changed afterwards.")}</p>
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="confirm" disabled=move || pending.get() on:click=issue>
                            {move || if pending.get() { "Issuing…" } else { "Confirm issue" }}
                        </button>
                        <button class="button" type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                    </div>
                </div>
            </Show>
        </section>
    }
}

/// Voids an issued, unpaid invoice with a reason, optionally returning its charges to the
/// next bill run.
#[component]
fn VoidPanel(invoice: Invoice, on_done: Callback<String>) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let rebill = RwSignal::new(false);
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let id = StoredValue::new(invoice.id.clone());
    let name = invoice_name(&invoice);
    let total = invoice.total.display();

    let review = move |_| {
        if reason.with_untracked(|r| r.trim().is_empty()) {
            errors.set(Some(ApiError::for_field(
                "reason",
                "Give the reason for voiding; it is kept in the audit log.",
            )));
            return;
        }
        errors.set(None);
        confirming.set(true);
    };
    let void = move |_| {
        pending.set(true);
        let release = rebill.get_untracked();
        spawn_local(async move {
            let result = api::invoice_void(
                id.get_value(),
                reason.get_untracked().trim().to_string(),
                release,
            )
            .await;
            pending.set(false);
            confirming.set(false);
            match result {
                Ok(voided) => on_done.run(format!(
                    "{} voided; its ledger posting is reversed. {}",
                    invoice_name(&voided),
                    if release {
                        "Its charges go to the next bill run."
                    } else {
                        "Its charges are not billed again."
                    }
                )),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    let consequence = move || {
        if rebill.get() {
            "The charges go back to the next bill run."
        } else {
            "The charges stay on the void invoice and are not billed again."
        }
    };

    view! {
        <section class="panel subform" data-test="void-invoice">
            <h2>"Void invoice"</h2>
            <TextAreaField label="Reason" name="reason" value=reason errors=errors.into() required=true id_suffix="void" />
            <label class="checkbox">
                <input type="checkbox" name="releaseCharges" bind:checked=rebill />
                "Rebill the charges on the next bill run"
            </label>
            <ActionError error=errors.into() inline_fields=&["reason"] />
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <button class="button button-danger" type="button" data-action="void" on:click=review>"Void…"</button>
                }
            >
                <div class="confirm" role="alertdialog" aria-label="Confirm voiding the invoice">
                    <p>{format!("Void {name} for {total}? The ledger posting is reversed. ")}{consequence}</p>
                    <div class="button-row">
                        <button class="button button-danger" type="button" data-action="confirm" disabled=move || pending.get() on:click=void>
                            {move || if pending.get() { "Voiding…" } else { "Confirm void" }}
                        </button>
                        <button class="button" type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                    </div>
                </div>
            </Show>
        </section>
    }
}
