//! Period close: the last twelve months and every month the ledger knows, each open or closed.
//! A check shows whether a month can be closed (trial balance zero, no recognition pending, no
//! earlier month open, and any other problem the server names); the CFO closes it from there,
//! and reopens a closed month with a reason that is kept on the record.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ApiError, LedgerPeriod, PeriodCloseCheck},
    app::RequirePermission,
    components::{
        field::{non_empty, TextAreaField},
        money::totals_text,
        revenue::{current_month, shift_month, PeriodStatusBadge},
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format, session,
};

/// How many recent months are always listed, this one included.
const RECENT_MONTHS: i32 = 12;

#[component]
pub fn PeriodClosePage() -> impl IntoView {
    view! {
        <RequirePermission permission="REVENUE_TOTALS_READ">
            <PeriodClose />
        </RequirePermission>
    }
}

/// What the row of one month has open under it.
#[derive(Clone, Debug, PartialEq)]
enum Panel {
    None,
    Check(String),
    Reopen(String),
}

/// A month as listed: its ledger record when the ledger has one (a month never closed and
/// without postings has none and is open).
#[derive(Clone, Debug, PartialEq)]
struct MonthLine {
    period: String,
    record: Option<LedgerPeriod>,
}

impl MonthLine {
    fn is_closed(&self) -> bool {
        self.record.as_ref().is_some_and(LedgerPeriod::is_closed)
    }
}

/// The recent months and every month the ledger lists, newest first.
fn month_lines(periods: Vec<LedgerPeriod>) -> Vec<MonthLine> {
    let this_month = current_month();
    let mut lines: Vec<MonthLine> = (0..RECENT_MONTHS)
        .filter_map(|back| shift_month(&this_month, -back))
        .map(|period| MonthLine {
            period,
            record: None,
        })
        .collect();
    for record in periods {
        match lines.iter_mut().find(|line| line.period == record.period) {
            Some(line) => line.record = Some(record),
            None => lines.push(MonthLine {
                period: record.period.clone(),
                record: Some(record),
            }),
        }
    }
    lines.sort_by(|a, b| b.period.cmp(&a.period));
    lines
}

#[component]
fn PeriodClose() -> impl IntoView {
    let periods = LocalResource::new(api::ledger_periods);
    let can_close = session::can("PERIOD_CLOSE");
    let panel = RwSignal::new(Panel::None);
    let notice = RwSignal::new(None::<String>);
    let on_changed = Callback::new(move |message: String| {
        notice.set(Some(message));
        panel.set(Panel::None);
        periods.refetch();
    });
    view! {
        <div class="page revenue">
            <p class="breadcrumb"><a href="/revenue">"Revenue"</a></p>
            <header class="page-header">
                <div>
                    <h1>"Period close"</h1>
                    <p class="muted">"A closed month takes no more postings: invoices, payments and recognition dated in it are refused until it is reopened. Close months in order, once recognition has run and the trial balance is zero."</p>
                </div>
                <div class="header-actions">
                    <a class="button button-quiet" href="/revenue/settings">"Recognition settings"</a>
                </div>
            </header>
            {move || notice.get().map(|message| view! {
                <div class="alert alert-success" role="status" data-test="close-notice">{message}</div>
            })}
            {move || match periods.get() {
                None => view! { <LoadingRows columns=5 rows=8 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| periods.refetch()) /> }.into_any(),
                Some(Ok(list)) => {
                    let lines = month_lines(list);
                    if lines.is_empty() {
                        view! { <EmptyState title="No months to show" hint="Months appear here once the ledger has postings." /> }.into_any()
                    } else {
                        view! { <PeriodTable lines=lines panel=panel can_close=can_close on_changed=on_changed /> }.into_any()
                    }
                }
            }}
        </div>
    }
}

#[component]
fn PeriodTable(
    lines: Vec<MonthLine>,
    panel: RwSignal<Panel>,
    can_close: Signal<bool>,
    on_changed: Callback<String>,
) -> impl IntoView {
    // Only the latest closed month can be reopened (later months were closed after it).
    let latest_closed = lines
        .iter()
        .filter(|line| line.is_closed())
        .map(|line| line.period.clone())
        .max();
    view! {
        <table class="table" data-test="period-table">
            <thead>
                <tr>
                    <th scope="col">"Month"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Closed"</th>
                    <th scope="col">"Last reopened"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {lines.into_iter().map(|line| {
                    let period = line.period.clone();
                    let closed = line.is_closed();
                    let record = line.record.clone();
                    let closed_text = record.as_ref().and_then(|r| {
                        r.closed_at.as_ref().map(|at| match &r.closed_by_name {
                            Some(name) => format!("{} by {name}", format::date_time(at)),
                            None => format::date_time(at),
                        })
                    });
                    let reopened = record.as_ref().and_then(|r| r.reopened_at.clone().map(|at| (at, r.reopen_reason.clone())));
                    let check_period = period.clone();
                    let reopen_period = period.clone();
                    let panel_period = period.clone();
                    let checking = {
                        let period = period.clone();
                        move || panel.with(|p| *p == Panel::Check(period.clone()))
                    };
                    view! {
                        <tr data-period=period.clone() data-status=if closed { "CLOSED" } else { "OPEN" }>
                            <th scope="row" class="nowrap strong">{format::month(&period)}</th>
                            <td><PeriodStatusBadge closed=closed /></td>
                            <td class="nowrap">{closed_text.filter(|_| closed).unwrap_or_else(|| "—".into())}</td>
                            <td>
                                {match reopened {
                                    Some((at, reason)) => view! {
                                        <span class="nowrap">{format::date_time(&at)}</span>
                                        {reason.map(|reason| view! { <div class="small muted">{format!("Reason: {reason}")}</div> })}
                                    }.into_any(),
                                    None => view! { <span class="muted">"—"</span> }.into_any(),
                                }}
                            </td>
                            <td class="nowrap">
                                <div class="button-row">
                                    {if closed {
                                        let is_latest = latest_closed.as_deref() == Some(period.as_str());
                                        let latest = latest_closed.clone().map(|m| format::month(&m)).unwrap_or_default();
                                        let reopen_period = reopen_period.clone();
                                        // Readers who cannot reopen see the button only on the one
                                        // month that could be reopened, with who can.
                                        (move || {
                                            let allowed = can_close.get();
                                            let reason = match (allowed, is_latest) {
                                                (false, false) => return ().into_any(),
                                                (false, true) => Some("Only the CFO reopens a month.".to_string()),
                                                (true, false) => Some(format!("Reopen {latest} first.")),
                                                (true, true) => None,
                                            };
                                            let reopen_period = reopen_period.clone();
                                            view! {
                                                <button
                                                    class="button"
                                                    type="button"
                                                    data-action="reopen"
                                                    disabled=reason.is_some()
                                                    on:click=move |_| panel.set(Panel::Reopen(reopen_period.clone()))
                                                >
                                                    "Reopen…"
                                                </button>
                                                {reason.map(|reason| view! { <span class="muted small">{reason}</span> })}
                                            }.into_any()
                                        }).into_any()
                                    } else {
                                        let checking = checking.clone();
                                        view! {
                                            <button
                                                class="button"
                                                type="button"
                                                data-action="check"
                                                aria-expanded=move || if checking() { "true" } else { "false" }
                                                on:click=move |_| {
                                                    let open = Panel::Check(check_period.clone());
                                                    panel.update(|p| *p = if *p == open { Panel::None } else { open });
                                                }
                                            >
                                                "Check"
                                            </button>
                                        }.into_any()
                                    }}
                                </div>
                            </td>
                        </tr>
                        {move || match panel.get() {
                            Panel::Check(open) if open == panel_period => view! {
                                <tr class="row-form">
                                    <td colspan="5">
                                        <CloseCheck period=open can_close=can_close on_changed=on_changed />
                                    </td>
                                </tr>
                            }.into_any(),
                            Panel::Reopen(open) if open == panel_period => view! {
                                <tr class="row-form">
                                    <td colspan="5">
                                        <ReopenForm period=open on_changed=on_changed on_cancel=Callback::new(move |()| panel.set(Panel::None)) />
                                    </td>
                                </tr>
                            }.into_any(),
                            _ => ().into_any(),
                        }}
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// One line of the close check: passed, or what is wrong.
#[component]
fn CheckItem(
    key: &'static str,
    #[prop(into)] label: String,
    passed: bool,
    #[prop(into)] detail: String,
) -> impl IntoView {
    let state = if passed { "complete" } else { "missing" };
    view! {
        <li class=format!("checklist-item {state}") data-key=key data-state=state>
            <span class="check-icon" aria-hidden="true">{if passed { "✓" } else { "!" }}</span>
            <div class="check-body">
                <span class="check-label">{label}</span>
                <span class=if passed { "check-state good" } else { "check-state missing" }>{detail}</span>
            </div>
        </li>
    }
}

#[component]
fn CloseCheck(
    period: String,
    can_close: Signal<bool>,
    on_changed: Callback<String>,
) -> impl IntoView {
    let month = StoredValue::new(period.clone());
    let check = LocalResource::new(move || api::period_close_check(month.get_value()));
    view! {
        <section class="close-check" data-test="close-check" aria-live="polite">
            <div class="panel-header">
                <h3>{format!("Can {} be closed?", format::month(&period))}</h3>
                <button class="button button-quiet" type="button" on:click=move |_| check.refetch()>"Check again"</button>
            </div>
            {move || match check.get() {
                None => view! { <p class="muted">"Checking…"</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| check.refetch()) /> }.into_any(),
                Some(Ok(result)) => view! { <CheckResult result=result can_close=can_close on_changed=on_changed /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn CheckResult(
    result: PeriodCloseCheck,
    can_close: Signal<bool>,
    on_changed: Callback<String>,
) -> impl IntoView {
    let month = format::month(&result.period);
    let period = StoredValue::new(result.period.clone());
    let pending_ok = result.pending_rows == 0;
    let pending_detail = if pending_ok {
        "Nothing planned is still due in the month".to_string()
    } else {
        format!(
            "{} planned row(s) for {} still to recognise: run recognition for {month}",
            result.pending_rows,
            totals_text(result.pending_amount.iter())
        )
    };
    let earlier_ok = result.earlier_open.is_empty();
    let earlier_detail = if earlier_ok {
        "Every earlier month is closed".to_string()
    } else {
        format!(
            "Still open: {}",
            result
                .earlier_open
                .iter()
                .map(|m| format::month(m))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let server_allows = result.can_close;
    let problems = result.problems.clone();
    let pending = RwSignal::new(false);
    let errors = RwSignal::new(None::<ApiError>);
    let close = move |_| {
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::period_close(period.get_value()).await;
            pending.set(false);
            match result {
                Ok(closed) => on_changed.run(format!(
                    "{} closed{}. Postings dated in it are now refused.",
                    format::month(&closed.period),
                    closed
                        .closed_by_name
                        .map(|name| format!(" by {name}"))
                        .unwrap_or_default(),
                )),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    let blocked_reason = move || {
        if !can_close.get() {
            Some("Only the CFO can close a period.".to_string())
        } else if !server_allows {
            Some("Not ready to close: resolve the items marked above first.".to_string())
        } else {
            None
        }
    };
    let button_label = format!("Close {month}");
    view! {
        <ul class="checklist-items">
            <CheckItem key="trial-balance" label="Trial balance is zero" passed=result.trial_balance_zero detail=if result.trial_balance_zero { "Debits equal credits in every currency" } else { "Debits and credits differ; see the trial balance" } />
            <CheckItem key="pending-recognition" label="Recognition is complete" passed=pending_ok detail=pending_detail />
            <CheckItem key="earlier-open" label="Earlier months are closed" passed=earlier_ok detail=earlier_detail />
            {problems.into_iter().map(|problem| view! {
                <CheckItem key="problem" label="Problem" passed=false detail=problem />
            }).collect_view()}
        </ul>
        <p class="report-status">
            {if server_allows {
                view! { <Badge tone=Tone::Good label="Ready to close" /> }.into_any()
            } else {
                view! { <Badge tone=Tone::Warning label="Not ready" /> }.into_any()
            }}
            {(!result.trial_balance_zero).then(|| view! { <a href="/ledger">"Open the trial balance"</a> })}
            {(!pending_ok).then(|| view! { <a href="/revenue">"Go to recognition runs"</a> })}
        </p>
        <ActionError error=errors.into() />
        <div class="button-row">
            <button
                class="button button-primary"
                type="button"
                data-action="close-period"
                disabled=move || pending.get() || blocked_reason().is_some()
                aria-describedby="close-blocked-reason"
                on:click=close
            >
                {move || if pending.get() { "Closing…".to_string() } else { button_label.clone() }}
            </button>
            <span class="muted small" id="close-blocked-reason">{blocked_reason}</span>
        </div>
    }
}

/// Reopening needs a reason; it is kept with the month and in the audit log.
#[component]
fn ReopenForm(
    period: String,
    on_changed: Callback<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let month = format::month(&period);
    let button_month = month.clone();
    let period = StoredValue::new(period);
    let submit = move |_| {
        let Some(text) = non_empty(&reason.get_untracked()) else {
            errors.set(Some(ApiError::for_field(
                "reason",
                "Say why the month is reopened; the reason is kept on the record.",
            )));
            return;
        };
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::period_reopen(period.get_value(), text).await;
            pending.set(false);
            match result {
                Ok(reopened) => on_changed.run(format!(
                    "{} reopened. Postings dated in it are accepted again until it is closed.",
                    format::month(&reopened.period)
                )),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <form class="subform reopen-form" role="dialog" aria-label=format!("Reopen {month}") data-test="reopen-form" on:submit=|event| event.prevent_default()>
            <h3>{format!("Reopen {month}")}</h3>
            <p class="muted small">"Reopening lets postings dated in the month through again. Close it again once the correction is posted."</p>
            <TextAreaField label="Reason" name="reason" value=reason errors=errors.into() required=true />
            <ActionError error=errors.into() inline_fields=&["reason"] />
            <div class="button-row">
                <button class="button button-danger" type="button" data-action="confirm-reopen" disabled=move || pending.get() on:click=submit>
                    {move || if pending.get() { "Reopening…".to_string() } else { format!("Reopen {button_month}") }}
                </button>
                <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}
