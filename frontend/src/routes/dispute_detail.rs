//! One dispute: the customer's words, the review clock, the invoice beside the contract terms it
//! was billed under, the evidence (with upload), the review (valid: a credit memo is requested;
//! invalid: the customer is answered with the evidence), closing with a resolution and an
//! optional corrected invoice, and the credit memo it led to.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_params_map;
use serde_json::json;

use crate::{
    api::{self, ApiError, Deal, Dispute, DisputedInvoice, Evidence},
    app::{use_approvals_changed, RequirePermission},
    components::{
        collections_status::{DisputeStatusBadge, DocumentStatusBadge, SlaTimer},
        download::DownloadButton,
        field::{non_empty, SelectField, TextAreaField, TextField},
        file_read::{chosen_file, read_file, ReadAs},
        money::{Amount, MoneyCell},
        states::{ActionError, ErrorPanel, LoadingPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format, session,
};

#[component]
pub fn DisputeDetailPage() -> impl IntoView {
    view! {
        <RequirePermission permission="RECEIVABLES_READ">
            <DisputeDetailView />
        </RequirePermission>
    }
}

fn or_dash(value: Option<String>) -> String {
    value
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "—".to_string())
}

fn invoice_name(invoice: &DisputedInvoice) -> String {
    invoice
        .number
        .clone()
        .unwrap_or_else(|| "the invoice".to_string())
}

#[component]
fn DisputeDetailView() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let dispute = LocalResource::new(move || api::dispute(id.get()));
    let notice = RwSignal::new(None::<String>);
    let on_done = Callback::new(move |message: String| {
        notice.set(Some(message));
        dispute.refetch();
    });
    view! {
        <div class="page">
            <p class="breadcrumb"><a href="/disputes">"Disputes"</a></p>
            {move || notice.get().map(|message| view! {
                <div class="alert alert-success" role="status" data-test="dispute-notice">{message}</div>
            })}
            {move || match dispute.get() {
                None => view! { <LoadingPanel label="Loading dispute…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| dispute.refetch()) /> }.into_any(),
                Some(Ok(dispute)) => view! { <DisputeBody dispute=dispute on_done=on_done /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn DisputeBody(dispute: Dispute, on_done: Callback<String>) -> impl IntoView {
    let reviewed = dispute.status != "OPEN";
    let customer = dispute.customer.clone();
    view! {
        <header class="page-header">
            <div>
                <h1>{format!("Dispute on {}", invoice_name(&dispute.invoice))}</h1>
                <p class="muted">
                    {customer.map(|c| view! { <a href=format!("/customers/{}", c.id)>{c.legal_name}</a> })}
                    {format!(" · opened {}", format::date_time(&dispute.opened_at))}
                </p>
            </div>
            <div class="header-actions">
                <DisputeStatusBadge status=dispute.status.clone() />
                <span class="small muted">"Review clock"</span>
                <SlaTimer minutes_left=dispute.review_minutes_left late=dispute.review_late reviewed=reviewed />
            </div>
        </header>
        {(dispute.review_late && !reviewed).then(|| view! {
            <div class="alert alert-error" role="alert" data-test="review-late">
                <strong>"Review is late. "</strong>
                {format!("It was due by {}.", format::date_time(&dispute.review_due_at))}
                {dispute.escalated_at.as_deref().map(|at| format!(" Escalated on {}.", format::date(at)))}
            </div>
        })}
        <CustomerWords dispute=dispute.clone() />
        <div class="with-aside">
            <InvoicePanel dispute=dispute.clone() />
            <ContractTerms dispute=dispute.clone() />
        </div>
        <EvidencePanel dispute=dispute.clone() on_done=on_done />
        <ReviewPanel dispute=dispute.clone() on_done=on_done />
        <ClosePanel dispute=dispute.clone() on_done=on_done />
        {dispute.credit_memo_id.clone().map(|id| view! { <LinkedCreditMemo credit_memo_id=id /> })}
    }
}

#[component]
fn CustomerWords(dispute: Dispute) -> impl IntoView {
    view! {
        <section class="panel" data-test="customer-words">
            <h2>"What the customer says"</h2>
            <blockquote class="customer-words">{dispute.customer_statement.clone()}</blockquote>
            <dl class="facts">
                <dt>"Reason"</dt><dd>{format::enum_label(&dispute.reason)}</dd>
                <dt>"Disputed"</dt><dd class="figure"><Amount money=dispute.disputed.clone() /></dd>
                <dt>"Lines"</dt><dd>{if dispute.line_ids.is_empty() { "The invoice as a whole".to_string() } else { format!("{} line(s), marked below", dispute.line_ids.len()) }}</dd>
                <dt>"Review due"</dt><dd>{format::date_time(&dispute.review_due_at)}</dd>
                <dt>"Reviewed"</dt><dd>{or_dash(dispute.reviewed_at.as_deref().map(format::date_time))}</dd>
                <dt>"Review note"</dt><dd>{or_dash(dispute.review_note.clone())}</dd>
                <dt>"Closed"</dt><dd>{or_dash(dispute.closed_on.as_deref().map(format::date))}</dd>
                <dt>"Resolution"</dt><dd data-test="resolution">{or_dash(dispute.resolution.clone())}</dd>
                <dt>"Corrected invoice"</dt>
                <dd>
                    {match dispute.rebill_invoice_id.clone() {
                        Some(id) => view! { <a href=format!("/invoices/{id}")>"Open corrected invoice"</a> }.into_any(),
                        None => "—".into_any(),
                    }}
                </dd>
            </dl>
        </section>
    }
}

#[component]
fn InvoicePanel(dispute: Dispute) -> impl IntoView {
    let invoice = dispute.invoice.clone();
    let disputed_lines = dispute.line_ids.clone();
    view! {
        <section class="panel" data-test="disputed-invoice">
            <h2>
                "Invoice "
                <a href=format!("/invoices/{}", invoice.id)>{invoice_name(&invoice)}</a>
            </h2>
            <dl class="facts compact">
                <dt>"Invoice date"</dt><dd>{format::date(&invoice.invoice_date)}</dd>
                <dt>"Due"</dt><dd>{or_dash(invoice.due_date.as_deref().map(format::date))}</dd>
                <dt>"Payment terms"</dt><dd>{format::enum_label(&invoice.payment_terms)}</dd>
                <dt>"Purchase order"</dt><dd class="mono">{or_dash(invoice.po_number.clone())}</dd>
                <dt>"Total"</dt><dd><Amount money=invoice.total.clone() /></dd>
                <dt>"Open"</dt><dd><Amount money=invoice.open_amount.clone() /></dd>
            </dl>
            <table class="table compact" data-test="disputed-lines">
                <thead>
                    <tr>
                        <th scope="col">"Line"</th>
                        <th scope="col" class="num">"Quantity"</th>
                        <th scope="col" class="num">"Unit price"</th>
                        <th scope="col" class="num">"Amount"</th>
                        <th scope="col" class="num">"Tax"</th>
                    </tr>
                </thead>
                <tbody>
                    {invoice.lines.into_iter().map(|line| {
                        let disputed = disputed_lines.contains(&line.id);
                        view! {
                            <tr class:row-late=disputed>
                                <td>
                                    {line.description}
                                    {disputed.then(|| view! { " " <Badge tone=Tone::Warning label="Disputed" /> })}
                                    <div class="small muted">{format::period(line.period_start.as_deref(), line.period_end.as_deref())}</div>
                                </td>
                                <td class="num">{line.quantity}</td>
                                <MoneyCell money=Some(line.unit_price) />
                                <MoneyCell money=Some(line.amount) />
                                <MoneyCell money=Some(line.tax) />
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// The contract the invoice was billed under, read through the customer's deals.
#[component]
fn ContractTerms(dispute: Dispute) -> impl IntoView {
    let can_read_deals = session::can("DEAL_READ");
    let customer_id = dispute.customer.as_ref().map(|c| c.id.clone());
    let contract_id = dispute.invoice.contract_id.clone();
    let deal = LocalResource::new(move || {
        let ids = customer_id.clone().zip(contract_id.clone());
        let allowed = can_read_deals.get_untracked();
        async move {
            match ids {
                Some((customer_id, contract_id)) if allowed => {
                    api::deal_for_contract(customer_id, contract_id).await
                }
                _ => Ok(None),
            }
        }
    });
    let has_contract = dispute.invoice.contract_id.is_some();
    view! {
        <aside class="panel aside" data-test="contract-terms">
            <h2>"Contract terms"</h2>
            {move || match (has_contract, deal.get()) {
                (false, _) => view! { <p class="muted">"This invoice is not tied to a contract."</p> }.into_any(),
                (true, None) => view! { <LoadingRows columns=2 rows=4 /> }.into_any(),
                (true, Some(Err(error))) => view! { <ErrorPanel error=error retry=Callback::new(move |()| deal.refetch()) /> }.into_any(),
                (true, Some(Ok(None))) => view! {
                    <p class="muted">"The contract is not among the deals you can see; ask the deal owner for its terms."</p>
                }.into_any(),
                (true, Some(Ok(Some(deal)))) => view! { <TermsView deal=deal /> }.into_any(),
            }}
        </aside>
    }
}

#[component]
fn TermsView(deal: Deal) -> impl IntoView {
    let Some(contract) = deal.contract.clone() else {
        return view! { <p class="muted">"The deal has no contract yet."</p> }.into_any();
    };
    view! {
        <dl class="facts compact" data-loaded="contract-terms">
            <dt>"Contract"</dt><dd class="mono"><a href=format!("/deals/{}", deal.id)>{contract.contract_number.clone()}</a></dd>
            <dt>"Term"</dt><dd>{format::period(Some(&contract.start_date), Some(&contract.end_date))}</dd>
            <dt>"Payment terms"</dt><dd>{or_dash(deal.payment_terms.as_deref().map(format::enum_label))}</dd>
            <dt>"Billing"</dt><dd>{or_dash(deal.billing_frequency.as_deref().map(format::enum_label))}</dd>
            <dt>"PO required"</dt><dd>{if deal.po_required { format!("Yes ({})", or_dash(deal.po_number.clone())) } else { "No".to_string() }}</dd>
            <dt>"Tax"</dt><dd>{if deal.tax_exempt { format!("Exempt ({})", or_dash(deal.tax_exemption_certificate.clone())) } else { or_dash(deal.tax_jurisdiction.clone()) }}</dd>
            <dt>"TCV"</dt><dd><Amount money=contract.tcv.clone() /></dd>
        </dl>
        <h3>"Contracted lines"</h3>
        <table class="table compact">
            <thead>
                <tr>
                    <th scope="col">"Product"</th>
                    <th scope="col" class="num">"Qty"</th>
                    <th scope="col" class="num">"Unit price"</th>
                </tr>
            </thead>
            <tbody>
                {contract.lines.into_iter().map(|line| view! {
                    <tr>
                        <td>
                            {line.product_name}
                            <div class="small muted">
                                {format!("{} · {}", format::enum_label(&line.kind), line.billing_frequency.as_deref().map(format::enum_label).unwrap_or_else(|| "once".into()))}
                            </div>
                        </td>
                        <td class="num">{line.quantity}</td>
                        <MoneyCell money=Some(line.unit_price) />
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {(!contract.purchase_orders.is_empty()).then(|| view! {
            <h3>"Purchase orders"</h3>
            <ul class="plain-list">
                {contract.purchase_orders.into_iter().map(|po| view! {
                    <li>
                        <span class="mono">{po.number}</span>
                        " · "
                        <Amount money=po.amount />
                        {format!(" · {}", format::period(Some(&po.valid_from), Some(&po.valid_to)))}
                    </li>
                }).collect_view()}
            </ul>
        })}
    }
    .into_any()
}

/// File sizes as people read them.
fn file_size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[component]
fn EvidencePanel(dispute: Dispute, on_done: Callback<String>) -> impl IntoView {
    let can_add = session::can("DISPUTE_REVIEW");
    let open = dispute.status != "CLOSED";
    let dispute_id = dispute.id.clone();
    view! {
        <section class="section" data-test="evidence">
            <h2>"Evidence"</h2>
            {if dispute.evidence.is_empty() {
                view! { <p class="muted">"No files yet. Attach the signed order, delivery proof or correspondence; they go with an “invalid” answer to the customer."</p> }.into_any()
            } else {
                view! { <EvidenceTable files=dispute.evidence.clone() /> }.into_any()
            }}
            {move || (can_add.get() && open).then(|| view! { <EvidenceUpload dispute_id=dispute_id.clone() on_done=on_done /> })}
        </section>
    }
}

#[component]
fn EvidenceTable(files: Vec<Evidence>) -> impl IntoView {
    view! {
        <table class="table compact" data-test="evidence-table">
            <thead>
                <tr>
                    <th scope="col">"File"</th>
                    <th scope="col">"Type"</th>
                    <th scope="col" class="num">"Size"</th>
                    <th scope="col">"Added"</th>
                </tr>
            </thead>
            <tbody>
                {files.into_iter().map(|file| view! {
                    <tr>
                        <td>{file.filename}</td>
                        <td class="mono small">{file.content_type}</td>
                        <td class="num">{file_size(file.size_bytes)}</td>
                        <td class="nowrap">{format::date_time(&file.uploaded_at)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Picks a file, reads it in the browser and sends it base64-encoded (at most 5 MB).
#[component]
fn EvidenceUpload(dispute_id: String, on_done: Callback<String>) -> impl IntoView {
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let dispute_id = StoredValue::new(dispute_id);
    let on_change = move |event: leptos::ev::Event| {
        let Some(file) = chosen_file(&event) else {
            return;
        };
        if file.size() > api::EVIDENCE_MAX_BYTES {
            errors.set(Some(ApiError::for_field(
                "contentBase64",
                "The file is larger than 5 MB; attach a smaller copy.",
            )));
            return;
        }
        errors.set(None);
        pending.set(true);
        read_file(file, ReadAs::Base64, move |read| {
            let read = match read {
                Ok(read) => read,
                Err(message) => {
                    pending.set(false);
                    errors.set(Some(ApiError::for_field("contentBase64", message)));
                    return;
                }
            };
            spawn_local(async move {
                let content_type = if read.content_type.is_empty() {
                    "application/octet-stream".to_string()
                } else {
                    read.content_type
                };
                let result = api::dispute_evidence_add(
                    dispute_id.get_value(),
                    read.name,
                    content_type,
                    read.content,
                )
                .await;
                pending.set(false);
                match result {
                    Ok(evidence) => {
                        on_done.run(format!("{} added as evidence.", evidence.filename))
                    }
                    Err(error) => errors.set(Some(error)),
                }
            });
        });
    };
    view! {
        <div class="field" data-test="evidence-upload">
            <label for="evidence-file">"Add a file"</label>
            <input id="evidence-file" type="file" accept=api::EVIDENCE_TYPES.join(",") disabled=move || pending.get() on:change=on_change />
            <p class="hint">{move || if pending.get() { "Uploading…" } else { "PDF, PNG, JPEG, plain text or e-mail (.eml), at most 5 MB." }}</p>
            {move || errors.with(|e| e.as_ref().and_then(|e| e.field("contentBase64"))).map(|message| view! { <p class="field-error">{message}</p> })}
            <ActionError error=errors.into() inline_fields=&["contentBase64"] />
        </div>
    }
}

/// The review of an open dispute, for holders of DISPUTE_REVIEW.
#[component]
fn ReviewPanel(dispute: Dispute, on_done: Callback<String>) -> impl IntoView {
    let can_review = session::can("DISPUTE_REVIEW");
    let is_open = dispute.status == "OPEN";
    let dispute = StoredValue::new(dispute);
    move || {
        (can_review.get() && is_open)
            .then(|| view! { <ReviewForm dispute=dispute.get_value() on_done=on_done /> })
    }
}

#[component]
fn ReviewForm(dispute: Dispute, on_done: Callback<String>) -> impl IntoView {
    let currency = StoredValue::new(dispute.disputed.currency.clone());
    let outcome = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let credit = RwSignal::new(dispute.disputed.amount.clone());
    let response = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let id = StoredValue::new(dispute.id.clone());
    let evidence_count = dispute.evidence.len();
    let approvals_changed = use_approvals_changed();
    let review = move |_| {
        let problem = match outcome.get_untracked().as_str() {
            "" => Some(ApiError::for_field(
                "outcome",
                "Choose whether the dispute is valid.",
            )),
            _ if non_empty(&note.get_untracked()).is_none() => Some(ApiError::for_field(
                "note",
                "Say what the review found, checked against the contract.",
            )),
            "VALID" if non_empty(&credit.get_untracked()).is_none() => Some(ApiError::for_field(
                "creditAmount",
                "Enter the credit to request.",
            )),
            "INVALID" if non_empty(&response.get_untracked()).is_none() => Some(
                ApiError::for_field("response", "Write the answer the customer receives."),
            ),
            _ => None,
        };
        confirming.set(problem.is_none());
        errors.set(problem);
    };
    let submit = move |_| {
        let valid = outcome.get_untracked() == "VALID";
        let input = json!({
            "id": id.get_value(),
            "outcome": outcome.get_untracked(),
            "note": note.get_untracked().trim(),
            "creditAmount": valid.then(|| format::amount_input(&credit.get_untracked())),
            "response": (!valid).then(|| response.get_untracked().trim().to_string()),
        });
        pending.set(true);
        spawn_local(async move {
            let result = api::dispute_review(input).await;
            pending.set(false);
            confirming.set(false);
            match result {
                Ok(_) if valid => {
                    approvals_changed();
                    on_done.run("Dispute found valid; a credit memo was requested and waits for approval.".into());
                }
                Ok(_) => on_done.run("Dispute found invalid; the customer was e-mailed the answer with the evidence.".into()),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    let question = move || {
        if outcome.get() == "VALID" {
            format!("Find the dispute valid and request a credit memo of {}? The VP RevOps approves it.", format::money(&format::amount_input(&credit.get()), &currency.get_value()))
        } else {
            format!("Find the dispute invalid and e-mail your answer with {evidence_count} evidence file(s) to the customer's billing contact?")
        }
    };
    let outcome_options = vec![
        (String::new(), "Choose".to_string()),
        (
            "VALID".to_string(),
            "Valid: credit the customer".to_string(),
        ),
        (
            "INVALID".to_string(),
            "Invalid: answer with evidence".to_string(),
        ),
    ];
    view! {
        <form class="panel subform" data-test="review-form" on:submit=|event| event.prevent_default()>
            <h2>"Review"</h2>
            <SelectField label="Outcome" name="outcome" value=outcome errors=errors.into() options=outcome_options required=true />
            <TextAreaField label="What the review found" name="note" value=note errors=errors.into() required=true id_suffix="review" />
            <Show when=move || outcome.get() == "VALID">
                <TextField label="Credit to request" name="creditAmount" value=credit errors=errors.into() numeric=true required=true suffix=Signal::derive(move || currency.get_value()) hint="Including tax; defaults to the disputed amount." />
            </Show>
            <Show when=move || outcome.get() == "INVALID">
                <TextAreaField label="Answer to the customer" name="response" value=response errors=errors.into() required=true id_suffix="response" />
            </Show>
            <ActionError error=errors.into() inline_fields=&["outcome", "note", "creditAmount", "response"] />
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="review-dispute" on:click=review>"Review…"</button>
                    </div>
                }
            >
                <div class="confirm" role="alertdialog" aria-label="Confirm the review">
                    <p>{question}</p>
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="confirm" disabled=move || pending.get() on:click=submit>
                            {move || if pending.get() { "Saving…" } else { "Record review" }}
                        </button>
                        <button class="button" type="button" on:click=move |_| confirming.set(false)>"Back"</button>
                    </div>
                </div>
            </Show>
        </form>
    }
}

/// Closing a reviewed dispute, for holders of DISPUTE_REVIEW.
#[component]
fn ClosePanel(dispute: Dispute, on_done: Callback<String>) -> impl IntoView {
    let can_close = session::can("DISPUTE_REVIEW");
    let closable = matches!(dispute.status.as_str(), "VALID" | "INVALID");
    let dispute = StoredValue::new(dispute);
    move || {
        (can_close.get() && closable)
            .then(|| view! { <CloseForm dispute=dispute.get_value() on_done=on_done /> })
    }
}

#[component]
fn CloseForm(dispute: Dispute, on_done: Callback<String>) -> impl IntoView {
    let resolution = RwSignal::new(String::new());
    let rebill = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let id = StoredValue::new(dispute.id.clone());
    let disputed_invoice = dispute.invoice.id.clone();
    let customer_id = dispute.customer.as_ref().map(|c| c.id.clone());
    // A corrected invoice is one of the customer's other invoices still open.
    let candidates = LocalResource::new(move || {
        let customer_id = customer_id.clone();
        async move {
            match customer_id {
                Some(id) => api::open_invoices(id).await,
                None => Ok(Vec::new()),
            }
        }
    });
    let rebill_options = Signal::derive(move || {
        let mut options = vec![(String::new(), "None".to_string())];
        if let Some(Ok(invoices)) = candidates.get() {
            options.extend(
                invoices
                    .into_iter()
                    .filter(|i| i.id != disputed_invoice)
                    .map(|i| {
                        (
                            i.id,
                            format!(
                                "{} · {} · {}",
                                i.number.unwrap_or_else(|| "Draft".into()),
                                format::date(&i.invoice_date),
                                i.total.display()
                            ),
                        )
                    }),
            );
        }
        options
    });
    let review = move |_| {
        if non_empty(&resolution.get_untracked()).is_none() {
            errors.set(Some(ApiError::for_field(
                "resolution",
                "Say how the dispute was resolved.",
            )));
            return;
        }
        errors.set(None);
        confirming.set(true);
    };
    let submit = move |_| {
        let input = json!({
            "id": id.get_value(),
            "resolution": resolution.get_untracked().trim(),
            "rebillInvoiceId": non_empty(&rebill.get_untracked()),
        });
        pending.set(true);
        spawn_local(async move {
            let result = api::dispute_close(input).await;
            pending.set(false);
            confirming.set(false);
            match result {
                Ok(_) => on_done.run(
                    "Dispute closed; the invoice's collections ladder resumes where it paused."
                        .into(),
                ),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <form class="panel subform" data-test="close-form" on:submit=|event| event.prevent_default()>
            <h2>"Close dispute"</h2>
            <TextAreaField label="Resolution" name="resolution" value=resolution errors=errors.into() required=true id_suffix="close" />
            <SelectField label="Corrected invoice (rebill)" name="rebillInvoiceId" value=rebill errors=errors.into() options=rebill_options />
            <ActionError error=errors.into() inline_fields=&["resolution", "rebillInvoiceId"] />
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <div class="button-row">
                        <button class="button" type="button" data-action="close-dispute" on:click=review>"Close…"</button>
                    </div>
                }
            >
                <div class="confirm" role="alertdialog" aria-label="Confirm closing the dispute">
                    <p>{move || if rebill.get().is_empty() { "Close the dispute with this resolution?".to_string() } else { "Close the dispute and record the chosen invoice as its corrected rebill?".to_string() }}</p>
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="confirm" disabled=move || pending.get() on:click=submit>
                            {move || if pending.get() { "Closing…" } else { "Close dispute" }}
                        </button>
                        <button class="button" type="button" on:click=move |_| confirming.set(false)>"Back"</button>
                    </div>
                </div>
            </Show>
        </form>
    }
}

#[component]
fn LinkedCreditMemo(credit_memo_id: String) -> impl IntoView {
    let memo = LocalResource::new(move || api::credit_memo(credit_memo_id.clone()));
    view! {
        <section class="section" data-test="linked-credit-memo">
            <h2>"Credit memo"</h2>
            {move || match memo.get() {
                None => view! { <LoadingRows columns=4 rows=1 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| memo.refetch()) /> }.into_any(),
                Some(Ok(memo)) => {
                    let file_name = format!("{}.pdf", memo.number.clone().unwrap_or_else(|| format!("credit-memo-{}", memo.id)));
                    view! {
                        <div class="panel">
                            <dl class="facts compact">
                                <dt>"Number"</dt><dd class="mono">{memo.number.clone().unwrap_or_else(|| "Assigned on approval".into())}</dd>
                                <dt>"Status"</dt><dd><DocumentStatusBadge status=memo.status.clone() /></dd>
                                <dt>"Total"</dt><dd><Amount money=memo.total.clone() /></dd>
                                {(memo.status == "APPROVED").then(|| view! {
                                    <dt>"Off the invoice"</dt><dd><Amount money=memo.to_invoice.clone() /></dd>
                                    <dt>"To customer credit"</dt><dd><Amount money=memo.to_credit.clone() /></dd>
                                })}
                                <dt>"Decision"</dt><dd>{or_dash(memo.comment.clone())}</dd>
                            </dl>
                            {(memo.status == "APPROVED").then(|| view! {
                                <DownloadButton url=memo.pdf_url.clone() fallback_name=file_name.clone() media_type="application/pdf" label="Download PDF" test_id="credit-memo-pdf" />
                            })}
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}
