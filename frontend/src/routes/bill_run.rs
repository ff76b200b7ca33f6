//! The bill run: preview what a date would invoice, run it after confirming the amounts, watch
//! its progress, read the outcome, and see the recent runs.

use std::time::Duration;

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{
        self, ApiError, BillRunInvoice, BillRunResult, BillRunStatus, PlannedInvoiceLine,
        SkippedCharge,
    },
    app::RequirePermission,
    components::{
        money::{totals_text, MoneyCell},
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
        status::{Badge, BillRunStatusBadge, Tone},
    },
    format,
    live::{self, Ended, Live},
};

#[component]
pub fn BillRunPage() -> impl IntoView {
    view! {
        <RequirePermission permission="BILL_RUN">
            <BillRun />
        </RequirePermission>
    }
}

/// Follows the run's progress: live over the `billRunProgress` subscription, or, when the live
/// feed cannot connect (or ends before the run request answered, as it does at once when an
/// earlier run of the same date is already done), by asking the server every second until the
/// run answered and the server says it is done.
#[derive(Clone, Copy)]
struct ProgressPoller {
    interval: StoredValue<Option<IntervalHandle>>,
    live: StoredValue<Option<Live>, LocalStorage>,
    in_flight: StoredValue<bool>,
    progress: RwSignal<Option<BillRunStatus>>,
}

impl ProgressPoller {
    fn new() -> Self {
        let poller = Self {
            interval: StoredValue::new(None),
            live: StoredValue::new_local(None),
            in_flight: StoredValue::new(false),
            progress: RwSignal::new(None),
        };
        on_cleanup(move || poller.stop());
        poller
    }

    fn stop(self) {
        if let Some(handle) = self.interval.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        drop(self.live.try_update_value(Option::take));
    }

    /// `running` is true while the run request is still waiting for its answer; `on_finished`
    /// runs once following ends.
    fn start(self, date: String, running: RwSignal<bool>, on_finished: Callback<()>) {
        self.stop();
        self.progress.set(None);
        let polled_date = date.clone();
        let fallback_date = date.clone();
        let live = live::bill_run_progress(
            date,
            move |status| {
                self.progress.try_set(status);
            },
            move |ended| match ended {
                Ended::Completed if running.try_get_untracked() == Some(false) => {
                    on_finished.run(());
                }
                _ => self.poll(polled_date.clone(), running, on_finished),
            },
        );
        match live {
            Some(live) => self.live.set_value(Some(live)),
            None => self.poll(fallback_date, running, on_finished),
        }
    }

    fn poll(self, date: String, running: RwSignal<bool>, on_finished: Callback<()>) {
        if let Some(handle) = self.interval.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        let tick = move || {
            if self.in_flight.try_get_value() != Some(false) {
                return;
            }
            self.in_flight.set_value(true);
            let date = date.clone();
            spawn_local(async move {
                let status = api::bill_run_status(date).await;
                self.in_flight.try_set_value(false);
                let answered = running.try_get_untracked() == Some(false);
                let still_running = match status {
                    Ok(Some(status)) => {
                        let running_now = status.status == "running";
                        self.progress.try_set(Some(status));
                        running_now
                    }
                    _ => false,
                };
                if answered && !still_running {
                    self.stop();
                    on_finished.run(());
                }
            });
        };
        if let Ok(handle) = set_interval_with_handle(tick, Duration::from_secs(1)) {
            self.interval.try_set_value(Some(handle));
        }
    }
}

#[component]
fn BillRun() -> impl IntoView {
    let date = RwSignal::new(format::today_iso());
    let preview = RwSignal::new(None::<BillRunResult>);
    let outcome = RwSignal::new(None::<BillRunResult>);
    let errors = RwSignal::new(None::<ApiError>);
    let previewing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let running = RwSignal::new(false);
    let poller = ProgressPoller::new();
    let runs = LocalResource::new(api::bill_runs);
    // Made here, with the page, so it lives as long as the page (one made inside the click
    // handler has no owner to keep it).
    let refresh_runs = Callback::new(move |()| runs.refetch());

    // A preview answers for one date only; a new date needs a new one.
    let current_preview = move || preview.get().filter(|p| p.as_of == date.get());
    let load_preview = move |then_confirm: bool| {
        previewing.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::invoice_preview(date.get_untracked()).await;
            previewing.set(false);
            match result {
                Ok(result) => {
                    preview.set(Some(result));
                    confirming.set(then_confirm);
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    let ask_to_run = move |_| {
        outcome.set(None);
        if current_preview().is_some() {
            confirming.set(true);
        } else {
            load_preview(true);
        }
    };
    let run = Callback::new(move |()| {
        let as_of = date.get_untracked();
        confirming.set(false);
        running.set(true);
        errors.set(None);
        outcome.set(None);
        poller.start(as_of.clone(), running, refresh_runs);
        spawn_local(async move {
            let result = api::bill_run(as_of).await;
            running.set(false);
            match result {
                Ok(result) => {
                    preview.set(None);
                    outcome.set(Some(result));
                    // The run is over when its request answers; the list shows it at once.
                    runs.refetch();
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    });
    let cancel = Callback::new(move |()| confirming.set(false));
    let busy = Signal::derive(move || previewing.get() || running.get());

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Bill run"</h1>
                    <p class="muted">"Writes every invoice due by the date, each charge exactly once. Preview first to see what it would issue."</p>
                </div>
            </header>
            <div class="toolbar">
                <div class="field field-inline">
                    <label for="bill-run-date">"Bill through"</label>
                    <input
                        id="bill-run-date"
                        type="date"
                        prop:value=move || date.get()
                        on:change=move |event| {
                            date.set(event_target_value(&event));
                            confirming.set(false);
                        }
                    />
                </div>
                <div class="button-row">
                    <button class="button" type="button" data-action="preview" disabled=move || busy.get() on:click=move |_| load_preview(false)>
                        {move || if previewing.get() { "Previewing…" } else { "Preview" }}
                    </button>
                    <button class="button button-primary" type="button" data-action="run" disabled=move || busy.get() || confirming.get() on:click=ask_to_run>
                        "Run billing…"
                    </button>
                </div>
            </div>
            <ActionError error=errors.into() />
            {move || confirming.get().then(|| current_preview().map(|preview| view! {
                <RunConfirm preview=preview on_confirm=run on_cancel=cancel />
            })).flatten()}
            {move || poller.progress.get().filter(|_| running.get() || outcome.with(Option::is_none)).map(|status| view! { <RunProgress status=status /> })}
            {move || running.get().then(|| poller.progress.with(Option::is_none).then(|| view! {
                <div class="panel loading-panel" role="status" aria-live="polite">
                    <span class="spinner" aria-hidden="true"></span>
                    "Starting the bill run…"
                </div>
            })).flatten()}
            {move || outcome.get().map(|result| view! { <RunResultView result=result /> })}
            {move || outcome.with(Option::is_none).then(|| current_preview().map(|result| view! { <RunResultView result=result /> })).flatten()}
            <RecentRuns runs=runs />
        </div>
    }
}

/// The confirmation before a real run, with what the preview says it will issue.
#[component]
fn RunConfirm(
    preview: BillRunResult,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let issued_total = totals_text(preview.issued.iter().map(|i| &i.total));
    view! {
        <div class="confirm panel" role="alertdialog" aria-label="Confirm the bill run" data-test="run-confirm">
            <p>
                <strong>{format!("Run billing through {}?", format::date(&preview.as_of))}</strong>
            </p>
            <p>
                {format!(
                    "{} invoice(s) will be issued for {issued_total}; {} draft(s) will be held back and {} charge(s) skipped.",
                    preview.issued.len(),
                    preview.held.len(),
                    preview.skipped.len(),
                )}
            </p>
            <p class="muted">"Issued invoices are numbered and posted to the ledger; afterwards they can only be voided."</p>
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="confirm" on:click=move |_| on_confirm.run(())>"Confirm run"</button>
                <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </div>
    }
}

#[component]
fn RunProgress(status: BillRunStatus) -> impl IntoView {
    let done = status.done.max(0);
    let total = status.total.max(0);
    view! {
        <section class="panel run-progress" aria-live="polite" data-test="bill-run-progress">
            <p class="report-status">
                <BillRunStatusBadge status=status.status.clone() />
                <span>{format!("{done} / {total} done")}</span>
                <span class="muted">{format!("Bill run for {}", format::date(&status.business_date))}</span>
            </p>
            <progress max=total.max(1) value=done aria-label="Bill run progress"></progress>
            {(status.status != "running").then(|| view! { <p>{status.summary.clone()}</p> })}
        </section>
    }
}

/// What a run issued, held and skipped (or, for a preview, would).
#[component]
fn RunResultView(result: BillRunResult) -> impl IntoView {
    let (issued_title, held_title) = if result.dry_run {
        ("Would be issued", "Would be held")
    } else {
        ("Issued", "Held")
    };
    view! {
        <section class="section" data-test=if result.dry_run { "bill-run-preview" } else { "bill-run-outcome" }>
            <div class=if result.dry_run { "alert alert-neutral" } else { "alert alert-success" } role="status">
                <strong>
                    {if result.dry_run {
                        format!("Preview for {} (nothing written). ", format::date(&result.as_of))
                    } else {
                        format!("Bill run for {} finished. ", format::date(&result.as_of))
                    }}
                </strong>
                {result.summary.clone()}
            </div>
            <h2>{format!("{issued_title} ({})", result.issued.len())}</h2>
            <RunInvoices invoices=result.issued held=false empty="No invoices to issue for this date." />
            <h2>{format!("{held_title} ({})", result.held.len())}</h2>
            <RunInvoices invoices=result.held held=true empty="Nothing held back." />
            <h2>{format!("Skipped charges ({})", result.skipped.len())}</h2>
            <SkippedCharges charges=result.skipped />
        </section>
    }
}

#[component]
fn RunInvoices(invoices: Vec<BillRunInvoice>, held: bool, empty: &'static str) -> impl IntoView {
    if invoices.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    let total = totals_text(invoices.iter().map(|i| &i.total));
    view! {
        <table class="table" data-test=if held { "held-invoices" } else { "issued-invoices" }>
            <thead>
                <tr>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Invoice"</th>
                    <th scope="col">"PO"</th>
                    {held.then(|| view! { <th scope="col">"Blocked because"</th> })}
                    <th scope="col">"Lines"</th>
                    <th scope="col" class="num">"Tax"</th>
                    <th scope="col" class="num">"Total"</th>
                </tr>
            </thead>
            <tbody>
                {invoices.into_iter().map(|invoice| view! { <RunInvoiceRow invoice=invoice held=held /> }).collect_view()}
            </tbody>
            <tfoot>
                <tr class="total-row">
                    <th scope="row" colspan=if held { "6" } else { "5" }>"Total"</th>
                    <td class="num">{total}</td>
                </tr>
            </tfoot>
        </table>
    }
    .into_any()
}

#[component]
fn RunInvoiceRow(invoice: BillRunInvoice, held: bool) -> impl IntoView {
    let label =
        invoice
            .number
            .clone()
            .unwrap_or_else(|| if held { "Draft".into() } else { "—".into() });
    let invoice_cell = match invoice.invoice_id.clone() {
        Some(id) => view! { <a href=format!("/invoices/{id}")>{label}</a> }.into_any(),
        None => view! { <span class="muted">{label}</span> }.into_any(),
    };
    view! {
        <tr>
            <td>
                <a href=format!("/customers/{}", invoice.customer_id)>{invoice.customer_name.clone()}</a>
                <div class="small muted">{invoice.legal_entity.clone()}</div>
            </td>
            <td class="nowrap">{invoice_cell}</td>
            <td class="mono">{invoice.po_number.clone().unwrap_or_else(|| "—".into())}</td>
            {held.then(|| view! {
                <td>
                    {invoice.blocked_reason.clone().unwrap_or_else(|| "—".into())}
                    {invoice.blocked_field.clone().map(|field| view! {
                        <div class="small">
                            <Badge tone=Tone::Warning label=format!("Fix: {}", format::field_label(&field)) />
                        </div>
                    })}
                </td>
            })}
            <td><PlannedLines lines=invoice.lines.clone() /></td>
            <MoneyCell money=Some(invoice.tax.clone()) />
            <MoneyCell money=Some(invoice.total.clone()) />
        </tr>
    }
}

/// The lines behind an invoice total, folded away until asked for.
#[component]
fn PlannedLines(lines: Vec<PlannedInvoiceLine>) -> impl IntoView {
    view! {
        <details>
            <summary>{format!("{} line(s)", lines.len())}</summary>
            <table class="table compact">
                <tbody>
                    {lines.into_iter().map(|line| view! {
                        <tr>
                            <td>
                                {line.description}
                                <div class="small muted">{format::period(line.period_start.as_deref(), line.period_end.as_deref())}</div>
                                {line.note.map(|note| view! { <div class="small muted">{note}</div> })}
                            </td>
                            <td class="num">{line.quantity}</td>
                            <MoneyCell money=Some(line.amount) />
                            <td class="small muted">{line.tax_label}</td>
                            <MoneyCell money=Some(line.tax) />
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

#[component]
fn SkippedCharges(charges: Vec<SkippedCharge>) -> impl IntoView {
    if charges.is_empty() {
        return view! { <p class="muted">"No charges skipped."</p> }.into_any();
    }
    view! {
        <table class="table" data-test="skipped-charges">
            <thead>
                <tr>
                    <th scope="col">"Charge"</th>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Reason"</th>
                </tr>
            </thead>
            <tbody>
                {charges.into_iter().map(|charge| view! {
                    <tr>
                        <td>{charge.description}</td>
                        <td><a href=format!("/customers/{}", charge.customer_id)>"View customer"</a></td>
                        <td>{charge.reason}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn RecentRuns(runs: LocalResource<Result<Vec<BillRunStatus>, ApiError>>) -> impl IntoView {
    view! {
        <section class="section">
            <h2>"Recent runs"</h2>
            {move || match runs.get() {
                None => view! { <LoadingRows columns=6 rows=3 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| runs.refetch()) /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <EmptyState title="No bill runs yet" hint="Preview a date above, then run billing; the scheduler's daily runs appear here too." />
                }.into_any(),
                Some(Ok(list)) => view! { <RunsTable runs=list /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RunsTable(runs: Vec<BillRunStatus>) -> impl IntoView {
    view! {
        <table class="table" data-test="bill-runs">
            <thead>
                <tr>
                    <th scope="col">"Business date"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col" class="num">"Done / total"</th>
                    <th scope="col">"Started"</th>
                    <th scope="col">"Finished"</th>
                    <th scope="col">"Summary"</th>
                </tr>
            </thead>
            <tbody>
                {runs.into_iter().map(|run| view! {
                    <tr>
                        <td class="nowrap">{format::date(&run.business_date)}</td>
                        <td><BillRunStatusBadge status=run.status /></td>
                        <td class="num">{format!("{} / {}", run.done, run.total)}</td>
                        <td class="nowrap">{format::date_time(&run.started_at)}</td>
                        <td class="nowrap">{run.finished_at.as_deref().map(format::date_time).unwrap_or_else(|| "—".into())}</td>
                        <td>{run.summary}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
