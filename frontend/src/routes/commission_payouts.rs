//! Commission payouts: what is payable and when the next payout is, open disputes and whether
//! last month was calculated on time; the VP Revenue Operations (never a payee) approves a
//! month's payout after a confirmation that names it, and sees who is paid what. Every payout
//! keeps its payroll CSV, downloaded with the session's token.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ApiError, CommissionPayout, CommissionSummary},
    app::RequirePermission,
    components::{
        commissions::PeriodStateBadge,
        download::DownloadButton,
        field::TextField,
        money::{totals_text, MoneyCell, MoneyListCell},
        revenue::{current_month, is_month, shift_month},
        states::{ActionError, EmptyState, ErrorPanel, LoadingPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format,
    routes::new_idempotency_key,
    session,
};

#[component]
pub fn CommissionPayoutsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="COMMISSION_ALL_READ">
            <Payouts />
        </RequirePermission>
    }
}

#[component]
fn Payouts() -> impl IntoView {
    let refresh = RwSignal::new(0_u32);
    let summary = LocalResource::new(move || {
        refresh.track();
        api::commission_summary()
    });
    let payouts = LocalResource::new(move || {
        refresh.track();
        api::commission_payouts()
    });
    let can_approve = session::can("COMMISSION_PAYOUT_APPROVE");
    let on_approved = Callback::new(move |()| refresh.update(|count| *count += 1));
    view! {
        <div class="page commissions">
            <header class="page-header">
                <div>
                    <h1>"Commission payouts"</h1>
                    <p class="muted">"A payout pays every calculated, undisputed line of a month and the months before it; disputed lines wait for their answer. Approving posts commissions payable against cash and keeps a payroll file."</p>
                </div>
                <div class="header-actions">
                    <a class="button" href="/commissions/periods">"Commission runs"</a>
                </div>
            </header>
            {move || match summary.get() {
                None => view! { <LoadingPanel label="Loading what is payable…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| summary.refetch()) /> }.into_any(),
                Some(Ok(summary)) => view! { <SummaryFigures summary=summary /> }.into_any(),
            }}
            <Show when=move || can_approve.get()>
                <ApproveForm on_approved=on_approved />
            </Show>
            <section class="section" data-test="payouts">
                <div class="section-header"><h2>"Payouts"</h2></div>
                {move || match payouts.get() {
                    None => view! { <LoadingRows columns=7 rows=3 /> }.into_any(),
                    Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| payouts.refetch()) /> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! {
                        <EmptyState title="No payouts yet" hint="Once a month is calculated after its end, the VP Revenue Operations approves its payout here." />
                    }.into_any(),
                    Some(Ok(list)) => view! { <PayoutTable payouts=list /> }.into_any(),
                }}
            </section>
        </div>
    }
}

#[component]
fn SummaryFigures(summary: CommissionSummary) -> impl IntoView {
    let last = summary.last_close.clone();
    view! {
        <dl class="figures" data-test="commission-summary">
            <div class="figure-card">
                <dt>"Payable"</dt>
                <dd class="figure">{totals_text(summary.payable.iter())}</dd>
                <dd class="small muted">{format!("Calculated, unpaid, before this month (as of {})", format::date(&summary.as_of))}</dd>
            </div>
            <div class="figure-card">
                <dt>"Next payout"</dt>
                <dd class="figure">{format::date(&summary.next_payout_date)}</dd>
                <dd class="small muted">"When last month is paid"</dd>
            </div>
            <div class="figure-card">
                <dt>"Open disputes"</dt>
                <dd class="figure"><a class="figure-link" href="/commissions/disputes">{summary.open_disputes}</a></dd>
                <dd class="small">
                    {if summary.overdue_disputes > 0 {
                        view! { <Badge tone=Tone::Danger label=format!("{} overdue", summary.overdue_disputes) /> }.into_any()
                    } else {
                        view! { <span class="muted">"None overdue"</span> }.into_any()
                    }}
                </dd>
            </div>
            <div class="figure-card">
                <dt>{format!("Calculation of {}", format::month(&last.period))}</dt>
                <dd class="figure"><PeriodStateBadge state=last.state.clone() /></dd>
                <dd class="small muted">{format!("Due by {}", format::date(&last.due_on))}</dd>
            </div>
            <div class="figure-card">
                <dt>"Earned this month so far"</dt>
                <dd class="figure">{totals_text(summary.earned_month_to_date.iter())}</dd>
                <dd class="small muted">"Paid after the month is calculated"</dd>
            </div>
        </dl>
    }
}

/// Approving a payout: the month, the payout date, a confirmation, then who is paid what. The
/// idempotency key is made once per form, so a retried click cannot pay twice.
#[component]
fn ApproveForm(on_approved: Callback<()>) -> impl IntoView {
    let last_month = shift_month(&current_month(), -1).unwrap_or_else(current_month);
    let period = RwSignal::new(last_month);
    let payout_date = RwSignal::new(format::today_iso());
    let key = RwSignal::new(new_idempotency_key());
    let errors = RwSignal::new(None::<ApiError>);
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let approved = RwSignal::new(None::<CommissionPayout>);
    // The request the key was made for: another month or date is another request.
    let keyed_for = StoredValue::new(None::<(String, String)>);
    let ask = move |_| {
        if !is_month(&period.get_untracked()) {
            errors.set(Some(ApiError::for_field(
                "period",
                "Choose the month to pay.",
            )));
            return;
        }
        if payout_date.with_untracked(|date| date.len() != 10) {
            errors.set(Some(ApiError::for_field(
                "payoutDate",
                "Choose the payout date.",
            )));
            return;
        }
        let request = (period.get_untracked(), payout_date.get_untracked());
        if keyed_for.get_value().as_ref() != Some(&request) {
            key.set(new_idempotency_key());
            keyed_for.set_value(Some(request));
        }
        errors.set(None);
        approved.set(None);
        confirming.set(true);
    };
    let submit = move |_| {
        pending.set(true);
        spawn_local(async move {
            let result = api::commission_payout_approve(
                period.get_untracked(),
                payout_date.get_untracked(),
                key.get_untracked(),
            )
            .await;
            pending.set(false);
            confirming.set(false);
            match result {
                Ok(payout) => {
                    approved.set(Some(payout));
                    // A new payout is a new request: it gets its own key.
                    keyed_for.set_value(None);
                    on_approved.run(());
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };

    view! {
        <section class="panel" data-test="approve-payout">
            <h2>"Approve a payout"</h2>
            <p class="muted small">"Pays every calculated, undisputed line of the month and earlier months still unpaid. The month must have been calculated after it ended. Nobody approves a payout they are paid in."</p>
            <div class="toolbar">
                <TextField label="Month" name="period" kind="month" value=period errors=errors.into() required=true />
                <TextField label="Payout date" name="payoutDate" kind="date" value=payout_date errors=errors.into() required=true />
            </div>
            <ActionError error=errors.into() inline_fields=&["period", "payoutDate"] />
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="approve-payout" on:click=ask>
                            {move || format!("Approve the payout of {}…", format::month(&period.get()))}
                        </button>
                    </div>
                }
            >
                <div class="confirm" role="alertdialog" aria-label="Confirm the payout">
                    <p>
                        {move || format!(
                            "Pay the commissions of {} and earlier still unpaid on {}? The payable is moved to cash and the lines are marked paid.",
                            format::month(&period.get()),
                            format::date(&payout_date.get())
                        )}
                    </p>
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="confirm-payout" disabled=move || pending.get() on:click=submit>
                            {move || if pending.get() { "Approving…" } else { "Approve payout" }}
                        </button>
                        <button class="button" type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                    </div>
                </div>
            </Show>
            {move || approved.get().map(|payout| view! {
                <div class="alert alert-success" role="status" data-test="payout-outcome">
                    {format!(
                        "Payout of {} approved: {} line(s), {} on {}.",
                        format::month(&payout.period),
                        payout.lines,
                        totals_text(payout.totals.iter()),
                        format::date(&payout.payout_date)
                    )}
                </div>
                <PayoutRows payout=payout />
            })}
        </section>
    }
}

/// Who is paid what in one payout.
#[component]
fn PayoutRows(payout: CommissionPayout) -> impl IntoView {
    view! {
        <table class="table compact" data-test="payout-rows">
            <thead>
                <tr>
                    <th scope="col">"Payee"</th>
                    <th scope="col">"E-mail"</th>
                    <th scope="col" class="num">"Lines"</th>
                    <th scope="col" class="num">"Amount"</th>
                </tr>
            </thead>
            <tbody>
                {payout.rows.into_iter().map(|row| view! {
                    <tr data-user-id=row.user_id.clone()>
                        <th scope="row">{row.name}</th>
                        <td>{row.email}</td>
                        <td class="num">{row.lines}</td>
                        <MoneyCell money=Some(row.amount) />
                    </tr>
                }).collect_view()}
            </tbody>
            <tfoot>
                <tr class="total-row">
                    <th scope="row" colspan="2">"Total"</th>
                    <td class="num">{payout.lines}</td>
                    <MoneyListCell amounts=payout.totals />
                </tr>
            </tfoot>
        </table>
    }
}

#[component]
fn PayoutTable(payouts: Vec<CommissionPayout>) -> impl IntoView {
    let open = RwSignal::new(None::<String>);
    view! {
        <table class="table" data-test="payout-table">
            <thead>
                <tr>
                    <th scope="col">"Month"</th>
                    <th scope="col">"Payout date"</th>
                    <th scope="col">"Approved"</th>
                    <th scope="col" class="num">"Lines"</th>
                    <th scope="col" class="num">"Total"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {payouts.into_iter().map(|payout| {
                    let id = payout.id.clone();
                    let toggle_id = id.clone();
                    let shown_id = id.clone();
                    let is_open = move || open.get().as_deref() == Some(shown_id.as_str());
                    let is_open_label = is_open.clone();
                    let is_open_rows = is_open.clone();
                    view! {
                        <tr data-payout-id=id.clone()>
                            <th scope="row" class="nowrap strong">{format::month(&payout.period)}</th>
                            <td class="nowrap">{format::date(&payout.payout_date)}</td>
                            <td class="nowrap">{format!("{} by {}", format::date_time(&payout.approved_at), payout.approved_by_name)}</td>
                            <td class="num">{payout.lines}</td>
                            <MoneyListCell amounts=payout.totals.clone() />
                            <td class="nowrap">
                                <div class="button-row">
                                    <button
                                        class="button button-quiet"
                                        type="button"
                                        aria-expanded=move || if is_open_label() { "true" } else { "false" }
                                        on:click=move |_| open.update(|open| {
                                            *open = if open.as_deref() == Some(toggle_id.as_str()) { None } else { Some(toggle_id.clone()) };
                                        })
                                    >
                                        "Who is paid"
                                    </button>
                                    <DownloadButton
                                        url=payout.csv_url.clone()
                                        fallback_name=format!("commission-payout-{}.csv", payout.period)
                                        media_type="text/csv"
                                        label="Payroll CSV"
                                        test_id="payout-csv"
                                    />
                                </div>
                            </td>
                        </tr>
                        {move || is_open_rows().then(|| view! {
                            <tr class="row-form">
                                <td colspan="6"><PayoutDetail id=id.clone() /></td>
                            </tr>
                        })}
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn PayoutDetail(id: String) -> impl IntoView {
    let id = StoredValue::new(id);
    let payout = LocalResource::new(move || api::commission_payout(id.get_value()));
    move || match payout.get() {
        None => view! { <LoadingRows columns=4 rows=2 /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorPanel error=error retry=Callback::new(move |()| payout.refetch()) /> }
                .into_any()
        }
        Some(Ok(payout)) => view! { <PayoutRows payout=payout /> }.into_any(),
    }
}
