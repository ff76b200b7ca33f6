//! Commission calculation by month: the last twelve months against the rule that a month is
//! calculated within five business days of its end (state in words and colour), each with its
//! last run (lines, what changed, journal entries, totals, warnings), and for those who may a
//! "Calculate" that runs a month again and says what the run did.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ApiError, CommissionPeriodStatus, CommissionRun},
    app::RequirePermission,
    components::{
        commissions::PeriodStateBadge,
        money::{totals_text, MoneyListCell},
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format, session,
};

/// How many months the page lists, this one included.
const MONTHS: u32 = 12;

#[component]
pub fn CommissionPeriodsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="COMMISSION_ALL_READ">
            <Periods />
        </RequirePermission>
    }
}

#[component]
fn Periods() -> impl IntoView {
    let periods = LocalResource::new(|| api::commission_periods(MONTHS));
    let can_calculate = session::can("COMMISSION_CALCULATE");
    let confirming = RwSignal::new(None::<String>);
    let running = RwSignal::new(false);
    let errors = RwSignal::new(None::<ApiError>);
    let outcome = RwSignal::new(None::<CommissionRun>);
    let calculate = Callback::new(move |period: String| {
        running.set(true);
        errors.set(None);
        outcome.set(None);
        spawn_local(async move {
            let result = api::commission_calculate(period).await;
            running.set(false);
            confirming.set(None);
            match result {
                Ok(run) => {
                    outcome.set(Some(run));
                    periods.refetch();
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    });
    view! {
        <div class="page commissions">
            <header class="page-header">
                <div>
                    <h1>"Commission runs"</h1>
                    <p class="muted">"Each month is calculated within five business days of its end: deals booked and cash collected are credited under each rep's plan, the lines settled and the accrual posted (commission expense, or capitalised contract costs, against commissions payable). A rerun changes only what its inputs changed."</p>
                </div>
                <div class="header-actions">
                    <a class="button" href="/commissions/payouts">"Payouts"</a>
                </div>
            </header>
            <ActionError error=errors.into() />
            {move || outcome.get().map(|run| view! { <RunOutcome run=run /> })}
            {move || match periods.get() {
                None => view! { <LoadingRows columns=9 rows=8 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| periods.refetch()) /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <EmptyState title="No months to show" hint="Months appear here from the first one with a plan in force." />
                }.into_any(),
                Some(Ok(list)) => view! {
                    <PeriodTable periods=list can_calculate=can_calculate confirming=confirming running=running calculate=calculate />
                }.into_any(),
            }}
        </div>
    }
}

/// What a run did, with its warnings spelled out.
#[component]
fn RunOutcome(run: CommissionRun) -> impl IntoView {
    let warnings = run.warnings.clone();
    let class = if warnings.is_empty() {
        "alert alert-success"
    } else {
        "alert alert-warning"
    };
    view! {
        <div class=class role="status" data-test="calculate-outcome">
            <strong>{format!("{} calculated as of {}. ", format::month(&run.period), format::date(&run.as_of))}</strong>
            {format!(
                "{} line(s), {} changed by this run, {} journal entr{} posted; {} in total.",
                run.lines,
                run.changed,
                run.entries,
                if run.entries == 1 { "y" } else { "ies" },
                totals_text(run.totals.iter()),
            )}
            {(!warnings.is_empty()).then(|| view! {
                <ul data-test="run-warnings">
                    {warnings.into_iter().map(|warning| view! { <li>{warning}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}

#[component]
fn PeriodTable(
    periods: Vec<CommissionPeriodStatus>,
    can_calculate: Signal<bool>,
    confirming: RwSignal<Option<String>>,
    running: RwSignal<bool>,
    calculate: Callback<String>,
) -> impl IntoView {
    view! {
        <table class="table compact" data-test="commission-period-table">
            <thead>
                <tr>
                    <th scope="col">"Month"</th>
                    <th scope="col">"Due by"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Last run"</th>
                    <th scope="col" class="num">"Lines"</th>
                    <th scope="col" class="num">"Changed"</th>
                    <th scope="col" class="num">"Entries"</th>
                    <th scope="col" class="num">"Total"</th>
                    <th scope="col">"Warnings"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {periods.into_iter().map(|status| {
                    let period = status.period.clone();
                    let month = format::month(&period);
                    let late = status.state == "overdue";
                    let run = status.last_run.clone();
                    let warnings = run.as_ref().map(|run| run.warnings.clone()).unwrap_or_default();
                    let ask_period = period.clone();
                    let confirm_period = period.clone();
                    let is_confirming = move || confirming.get().as_deref() == Some(confirm_period.as_str());
                    view! {
                        <tr data-period=period.clone() data-state=status.state.clone() class:row-late=late>
                            <th scope="row" class="nowrap strong">{month.clone()}</th>
                            <td class="nowrap">{format::date(&status.due_on)}</td>
                            <td>
                                <PeriodStateBadge state=status.state.clone() />
                                {status.paid_out.then(|| view! { " " <Badge tone=Tone::Good label="Paid out" /> })}
                            </td>
                            <td>
                                {match &run {
                                    Some(run) => view! {
                                        {format::date_time(&run.ran_at)}
                                        <div class="small muted">{format!("as of {}", format::date(&run.as_of))}</div>
                                    }.into_any(),
                                    None => view! { <span class="muted">"Not run"</span> }.into_any(),
                                }}
                            </td>
                            <td class="num">{run.as_ref().map(|run| run.lines.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td class="num">{run.as_ref().map(|run| run.changed.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td class="num">{run.as_ref().map(|run| run.entries.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <MoneyListCell amounts=run.as_ref().map(|run| run.totals.clone()).unwrap_or_default() />
                            <td>
                                {if warnings.is_empty() {
                                    view! { <span class="muted">"None"</span> }.into_any()
                                } else {
                                    let count = warnings.len();
                                    view! {
                                        <details>
                                            <summary><Badge tone=Tone::Warning label=format!("{count} warning(s)") /></summary>
                                            <ul class="plain-list small">
                                                {warnings.into_iter().map(|warning| view! { <li>{warning}</li> }).collect_view()}
                                            </ul>
                                        </details>
                                    }.into_any()
                                }}
                            </td>
                            <td class="nowrap">
                                <Show when=move || can_calculate.get()>
                                    {
                                        let ask_period = ask_period.clone();
                                        let is_confirming = is_confirming.clone();
                                        let month = month.clone();
                                        let run_period = ask_period.clone();
                                        move || if is_confirming() {
                                            let run_period = run_period.clone();
                                            view! {
                                                <div class="confirm" role="alertdialog" aria-label=format!("Calculate {month}")>
                                                    <p class="small">{format!("Calculate {month} up to today and post the accrual?")}</p>
                                                    <div class="button-row">
                                                        <button class="button button-primary" type="button" data-action="confirm-calculate" disabled=move || running.get() on:click=move |_| calculate.run(run_period.clone())>
                                                            {move || if running.get() { "Calculating…" } else { "Calculate" }}
                                                        </button>
                                                        <button class="button" type="button" disabled=move || running.get() on:click=move |_| confirming.set(None)>"Cancel"</button>
                                                    </div>
                                                </div>
                                            }.into_any()
                                        } else {
                                            let ask_period = ask_period.clone();
                                            view! {
                                                <button class="button" type="button" data-action="calculate" disabled=move || running.get() on:click=move |_| confirming.set(Some(ask_period.clone()))>
                                                    "Calculate…"
                                                </button>
                                            }.into_any()
                                        }
                                    }
                                </Show>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
