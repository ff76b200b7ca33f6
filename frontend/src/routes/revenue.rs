//! Revenue overview (ASC 606): the deferred revenue waterfall as of a date, the rollforward of
//! deferred revenue and unbilled AR over a range of months with its identity checked on every
//! line, revenue by stream against billing, and the recognition runs with the action that runs
//! one, and the remaining performance obligations as of the same date. The date, horizon, currency and month range live in the URL, so a link shows a
//! colleague the same figures.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    params::ParamsMap,
    NavigateOptions,
};

use crate::{
    api::{
        self, revenue_export_url, ApiError, Money, PeriodCloseCheck, RevenueRun, RevenueWaterfall,
        RollforwardMonth, StreamMonth, WaterfallCurrency, WaterfallRow,
    },
    app::RequirePermission,
    components::{
        download::DownloadButton,
        money::{totals_text, MoneyCell, MoneyListCell},
        revenue::{
            contract_asset, current_month, difference, is_month, liability_and_asset,
            months_between, moved_to_contract_asset, rollforward_gap, shift_month, sum_money,
            ChartMonth, MonthChart, Series, TieBadge,
        },
        states::{ActionError, EmptyState, ErrorPanel, LoadingPanel, LoadingRows},
    },
    format,
    routes::{href_with_query, revenue_rpo::RpoSection},
    session,
};

/// How many months ahead the waterfall can show.
const HORIZONS: [u32; 3] = [12, 24, 36];

/// The page's state as it stands in the URL.
#[derive(Clone, Debug, PartialEq)]
struct OverviewFilters {
    as_of: String,
    months: u32,
    /// The waterfall currency chosen when there are several.
    currency: Option<String>,
    from: String,
    to: String,
    /// The rollforward and streams for each currency on its own (`view=currency`) instead of
    /// every currency added up in the functional currency, the default.
    each_currency: bool,
}

impl OverviewFilters {
    fn from_query(query: &ParamsMap) -> Self {
        let non_empty = |key: &str| query.get(key).filter(|value| !value.is_empty());
        let to = non_empty("to")
            .filter(|month| is_month(month))
            .unwrap_or_else(current_month);
        let from = non_empty("from")
            .filter(|month| is_month(month) && month.as_str() <= to.as_str())
            .or_else(|| shift_month(&to, -5))
            .unwrap_or_else(|| to.clone());
        Self {
            as_of: non_empty("asOf")
                .filter(|date| date.len() == 10)
                .unwrap_or_else(format::today_iso),
            months: non_empty("months")
                .and_then(|months| months.parse().ok())
                .filter(|months| HORIZONS.contains(months))
                .unwrap_or(HORIZONS[0]),
            currency: non_empty("currency"),
            from,
            to,
            each_currency: non_empty("view").as_deref() == Some("currency"),
        }
    }

    fn href(&self) -> String {
        href_with_query(
            "/revenue",
            &[
                ("asOf", Some(self.as_of.clone())),
                ("months", Some(self.months.to_string())),
                ("currency", self.currency.clone()),
                ("from", Some(self.from.clone())),
                ("to", Some(self.to.clone())),
                ("view", self.each_currency.then(|| "currency".to_string())),
            ],
        )
    }
}

#[component]
pub fn RevenuePage() -> impl IntoView {
    view! {
        <RequirePermission permission="REVENUE_TOTALS_READ">
            <RevenueOverview />
        </RequirePermission>
    }
}

#[component]
fn RevenueOverview() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let filters = Memo::new(move |_| query.with(OverviewFilters::from_query));
    let go = Callback::new(move |next: OverviewFilters| {
        navigate(
            &next.href(),
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    });
    let change = move |edit: &dyn Fn(&mut OverviewFilters)| {
        let mut next = filters.get_untracked();
        edit(&mut next);
        go.run(next);
    };
    let can_contracts = session::can("REVENUE_READ");
    let can_run = session::can("REVENUE_RUN");
    // Bumped after a recognition run so every figure on the page is read again.
    let refresh = RwSignal::new(0_u32);

    let on_from = move |event: leptos::ev::Event| {
        let month = event_target_value(&event);
        if is_month(&month) {
            change(&|f: &mut OverviewFilters| {
                f.from = month.clone();
                if f.to < f.from {
                    f.to = month.clone();
                }
            });
        }
    };
    let on_to = move |event: leptos::ev::Event| {
        let month = event_target_value(&event);
        if is_month(&month) {
            change(&|f: &mut OverviewFilters| {
                f.to = month.clone();
                if f.from > f.to {
                    f.from = month.clone();
                }
            });
        }
    };

    view! {
        <div class="page revenue">
            <header class="page-header">
                <div>
                    <h1>"Revenue"</h1>
                    <p class="muted">"Revenue recognised under ASC 606: what is deferred and when it will be earned, how the balances moved month by month, and which streams earned it."</p>
                </div>
                <div class="header-actions">
                    <Show when=move || can_contracts.get()>
                        <a class="button" href="/revenue/contracts" data-test="revenue-contracts-link">"Contracts"</a>
                    </Show>
                    <a class="button" href="/revenue/close">"Period close"</a>
                    <a class="button button-quiet" href="/revenue/settings">"Settings"</a>
                </div>
            </header>
            <WaterfallSection filters=filters go=go refresh=refresh can_drill=can_contracts />
            <RpoSection as_of=Signal::derive(move || filters.with(|f| f.as_of.clone())) refresh=refresh />
            <section class="section" data-test="revenue-range">
                <div class="section-header">
                    <h2>"Month by month"</h2>
                </div>
                <div class="toolbar">
                    <div class="field field-inline">
                        <label for="revenue-from">"From month"</label>
                        <input id="revenue-from" type="month" prop:value=move || filters.with(|f| f.from.clone()) on:change=on_from />
                    </div>
                    <div class="field field-inline">
                        <label for="revenue-to">"To month"</label>
                        <input id="revenue-to" type="month" prop:value=move || filters.with(|f| f.to.clone()) on:change=on_to />
                    </div>
                    <div class="segmented" role="group" aria-label="Currencies" data-test="revenue-currency-view">
                        {[(false, "Functional currency"), (true, "Each currency")].into_iter().map(|(each, label)| view! {
                            <button
                                type="button"
                                class="segment"
                                class:selected=move || filters.with(|f| f.each_currency == each)
                                aria-pressed=move || if filters.with(|f| f.each_currency == each) { "true" } else { "false" }
                                data-view=if each { "currency" } else { "functional" }
                                on:click=move |_| change(&|f: &mut OverviewFilters| f.each_currency = each)
                            >
                                {label}
                            </button>
                        }).collect_view()}
                    </div>
                    <p class="muted small">
                        {move || filters.with(|f| format!(
                            "{} to {} ({} months)",
                            format::month(&f.from),
                            format::month(&f.to),
                            months_between(&f.from, &f.to).len()
                        ))}
                    </p>
                </div>
                <RollforwardSection filters=filters refresh=refresh />
                <StreamsSection filters=filters refresh=refresh />
            </section>
            <RunsSection refresh=refresh can_run=can_run />
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// Waterfall
// ---------------------------------------------------------------------------------------------

#[component]
fn WaterfallSection(
    filters: Memo<OverviewFilters>,
    go: Callback<OverviewFilters>,
    refresh: RwSignal<u32>,
    can_drill: Signal<bool>,
) -> impl IntoView {
    let key = Memo::new(move |_| filters.with(|f| (f.as_of.clone(), f.months)));
    let chosen = Memo::new(move |_| filters.with(|f| f.currency.clone()));
    let waterfall = LocalResource::new(move || {
        refresh.track();
        let (as_of, months) = key.get();
        api::revenue_waterfall(as_of, months)
    });
    let change = move |edit: &dyn Fn(&mut OverviewFilters)| {
        let mut next = filters.get_untracked();
        edit(&mut next);
        go.run(next);
    };
    let on_date = move |event: leptos::ev::Event| {
        let date = event_target_value(&event);
        if date.len() == 10 {
            change(&|f: &mut OverviewFilters| f.as_of = date.clone());
        }
    };
    let export_url = Signal::derive(move || {
        filters.with(|f| revenue_export_url("waterfall", &[("asOf", &f.as_of)]))
    });
    view! {
        <section class="section" data-test="revenue-waterfall">
            <div class="section-header">
                <h2>"Deferred revenue waterfall"</h2>
                {move || {
                    let as_of = filters.with(|f| f.as_of.clone());
                    view! {
                        <div class="header-actions">
                            <DownloadButton
                                url=export_url.get()
                                fallback_name=format!("revenue-waterfall-{as_of}.csv")
                                media_type="text/csv"
                                label="Download CSV"
                                test_id="waterfall-csv"
                            />
                        </div>
                    }
                }}
            </div>
            <div class="toolbar">
                <div class="field field-inline">
                    <label for="waterfall-as-of">"As of"</label>
                    <input id="waterfall-as-of" type="date" prop:value=move || filters.with(|f| f.as_of.clone()) on:change=on_date />
                </div>
                <div class="field field-inline">
                    <span class="field-label" id="waterfall-horizon-label">"Months ahead"</span>
                    <div class="segmented" role="group" aria-labelledby="waterfall-horizon-label">
                        {HORIZONS.iter().map(|months| {
                            let months = *months;
                            let selected = move || filters.with(|f| f.months == months);
                            view! {
                                <button
                                    type="button"
                                    class="segment"
                                    class:selected=selected
                                    aria-pressed=move || if selected() { "true" } else { "false" }
                                    on:click=move |_| change(&|f: &mut OverviewFilters| f.months = months)
                                >
                                    {months}
                                </button>
                            }
                        }).collect_view()}
                    </div>
                </div>
            </div>
            {move || match waterfall.get() {
                None => view! { <LoadingPanel label="Loading the waterfall…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| waterfall.refetch()) /> }.into_any(),
                Some(Ok(report)) if report.currencies.is_empty() && report.rows.is_empty() => view! {
                    <EmptyState
                        title=format!("Nothing deferred or scheduled on {}", format::date(&report.as_of))
                        hint="Approved contracts get a recognition schedule; their future revenue appears here by month. Choose an earlier date to see past positions."
                    />
                }.into_any(),
                Some(Ok(report)) => {
                    let chosen = chosen.get();
                    view! { <WaterfallView report=report chosen=chosen filters=filters go=go can_drill=can_drill /> }.into_any()
                }
            }}
        </section>
    }
}

/// The currencies the report speaks of, in the order it gave them.
fn waterfall_currencies(report: &RevenueWaterfall) -> Vec<String> {
    let mut currencies: Vec<String> = report
        .currencies
        .iter()
        .map(|c| c.currency.clone())
        .collect();
    for row in &report.rows {
        if !currencies.contains(&row.currency) {
            currencies.push(row.currency.clone());
        }
    }
    currencies
}

#[component]
fn WaterfallView(
    report: RevenueWaterfall,
    chosen: Option<String>,
    filters: Memo<OverviewFilters>,
    go: Callback<OverviewFilters>,
    can_drill: Signal<bool>,
) -> impl IntoView {
    let currencies = waterfall_currencies(&report);
    let currency = chosen
        .filter(|chosen| currencies.contains(chosen))
        .or_else(|| currencies.first().cloned())
        .unwrap_or_default();
    let summary = report
        .currencies
        .iter()
        .find(|c| c.currency == currency)
        .cloned();
    let mut rows: Vec<WaterfallRow> = report
        .rows
        .iter()
        .filter(|row| row.currency == currency)
        .cloned()
        .collect();
    rows.sort_by(|a, b| a.month.cmp(&b.month));
    let selector = (currencies.len() > 1).then(|| {
        let current = currency.clone();
        view! {
            <div class="field field-inline">
                <span class="field-label" id="waterfall-currency-label">"Currency"</span>
                <div class="segmented" role="group" aria-labelledby="waterfall-currency-label" data-test="waterfall-currency">
                    {currencies.iter().map(|option| {
                        let option = option.clone();
                        let selected = option == current;
                        let chosen = option.clone();
                        view! {
                            <button
                                type="button"
                                class="segment"
                                class:selected=selected
                                aria-pressed=if selected { "true" } else { "false" }
                                on:click=move |_| {
                                    let mut next = filters.get_untracked();
                                    next.currency = Some(chosen.clone());
                                    go.run(next);
                                }
                            >
                                {option.clone()}
                            </button>
                        }
                    }).collect_view()}
                </div>
            </div>
        }
    });
    let as_of = report.as_of.clone();
    view! {
        <div class="panel" data-currency=currency.clone()>
            {selector.map(|selector| view! { <div class="toolbar">{selector}</div> })}
            <p class="muted small">
                {format!("Positions on {} in {currency}; each currency is shown on its own, never added together.", format::date(&as_of))}
            </p>
            {summary.map(|summary| view! { <WaterfallFigures summary=summary can_drill=can_drill /> })}
            {if rows.is_empty() {
                view! {
                    <EmptyState
                        title=format!("Nothing scheduled to recognise in {currency}")
                        hint="No planned recognition falls in the months ahead. Milestones awaiting acceptance have no month until they are accepted."
                    />
                }.into_any()
            } else {
                let chart_months = rows
                    .iter()
                    .map(|row| ChartMonth { month: row.month.clone(), values: vec![row.amount.clone()] })
                    .collect::<Vec<_>>();
                let scheduled = report
                    .currencies
                    .iter()
                    .find(|c| c.currency == currency)
                    .map(|c| c.scheduled.clone());
                view! {
                    <MonthChart
                        currency=currency.clone()
                        series=vec![Series { class: "rev-scheduled", label: "To recognise" }]
                        months=chart_months
                        title="Revenue to recognise"
                        test_id="waterfall-chart"
                    />
                    <WaterfallTable currency=currency.clone() rows=rows scheduled=scheduled />
                }.into_any()
            }}
        </div>
    }
}

/// The balances of one currency, each with what it means.
#[component]
fn WaterfallFigures(summary: WaterfallCurrency, can_drill: Signal<bool>) -> impl IntoView {
    // Deferred revenue is a liability, shown positive; a debit balance of it is revenue earned
    // ahead of billing and joins unbilled AR as the contract asset.
    let deferred = liability_and_asset(&summary.deferred_balance)
        .map(|(liability, _)| liability)
        .unwrap_or_else(|| summary.deferred_balance.clone())
        .display();
    let asset = contract_asset(&summary.deferred_balance, &summary.unbilled_balance)
        .unwrap_or_else(|| summary.unbilled_balance.clone())
        .display();
    view! {
        <dl class="figures" data-test="waterfall-figures">
            <div class="figure-card">
                <dt>"Deferred revenue"</dt>
                <dd class="figure" data-test="deferred-revenue">
                    {move || if can_drill.get() {
                        view! { <a class="figure-link" href="/revenue/contracts" title="The contracts behind this balance">{deferred.clone()}</a> }.into_any()
                    } else {
                        view! { <span>{deferred.clone()}</span> }.into_any()
                    }}
                </dd>
                <dd class="small muted">"Billed, not yet earned"</dd>
            </div>
            <div class="figure-card">
                <dt>"Contract asset"</dt>
                <dd class="figure" data-test="contract-asset">{asset}</dd>
                <dd class="small muted">"Earned, not yet billed (unbilled AR)"</dd>
            </div>
            <div class="figure-card">
                <dt>"Scheduled to recognise"</dt>
                <dd class="figure">{summary.scheduled.display()}</dd>
                <dd class="small muted">"Planned rows with a month"</dd>
            </div>
            <div class="figure-card">
                <dt>"Awaiting satisfaction"</dt>
                <dd class="figure">{summary.awaiting_satisfaction.display()}</dd>
                <dd class="small muted">"Milestones not yet accepted"</dd>
            </div>
        </dl>
    }
}

#[component]
fn WaterfallTable(
    currency: String,
    rows: Vec<WaterfallRow>,
    scheduled: Option<Money>,
) -> impl IntoView {
    let total = sum_money(&currency, rows.iter().map(|row| &row.amount));
    // What the scheduled figure holds beyond the months shown (none when the horizon covers it).
    let later = scheduled
        .as_ref()
        .zip(total.as_ref())
        .and_then(|(scheduled, total)| difference(scheduled, total))
        .filter(|later| !format::is_zero(&later.amount));
    let last_month = rows.last().map(|row| row.month.clone()).unwrap_or_default();
    let count = rows.len();
    let mut running = Vec::new();
    let mut cumulative: Option<Money> = Some(Money {
        amount: "0".into(),
        currency: currency.clone(),
    });
    for row in &rows {
        cumulative = cumulative.and_then(|so_far| sum_money(&currency, [&so_far, &row.amount]));
        running.push(cumulative.clone());
    }
    view! {
        <table class="table compact" data-test="waterfall-table">
            <thead>
                <tr>
                    <th scope="col">"Month"</th>
                    <th scope="col" class="num">{format!("To recognise ({currency})")}</th>
                    <th scope="col" class="num">"Cumulative"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().zip(running).map(|(row, cumulative)| view! {
                    <tr data-month=row.month.clone()>
                        <td class="nowrap">{format::month(&row.month)}</td>
                        <MoneyCell money=Some(row.amount) />
                        <MoneyCell money=cumulative />
                    </tr>
                }).collect_view()}
            </tbody>
            <tfoot>
                <tr class="total-row">
                    <th scope="row">{format!("Total, {count} month(s) shown")}</th>
                    <MoneyCell money=total />
                    <td></td>
                </tr>
                {later.map(|later| view! {
                    <tr>
                        <th scope="row">{format!("After {}", format::month(&last_month))}</th>
                        <MoneyCell money=Some(later) />
                        <td></td>
                    </tr>
                })}
            </tfoot>
        </table>
    }
}

// ---------------------------------------------------------------------------------------------
// Rollforward
// ---------------------------------------------------------------------------------------------

/// Rows grouped by currency, in the order each currency first appears, each group by month.
fn by_currency<T: Clone>(
    rows: &[T],
    currency: impl Fn(&T) -> &str,
    month: impl Fn(&T) -> &str,
) -> Vec<(String, Vec<T>)> {
    let mut groups: Vec<(String, Vec<T>)> = Vec::new();
    for row in rows {
        match groups.iter_mut().find(|(c, _)| c == currency(row)) {
            Some((_, group)) => group.push(row.clone()),
            None => groups.push((currency(row).to_string(), vec![row.clone()])),
        }
    }
    for (_, group) in &mut groups {
        group.sort_by(|a, b| month(a).cmp(month(b)));
    }
    groups
}

#[component]
fn RollforwardSection(filters: Memo<OverviewFilters>, refresh: RwSignal<u32>) -> impl IntoView {
    let range =
        Memo::new(move |_| filters.with(|f| (f.from.clone(), f.to.clone(), !f.each_currency)));
    let rollforward = LocalResource::new(move || {
        refresh.track();
        let (from, to, functional) = range.get();
        api::revenue_rollforward(from, to, functional)
    });
    view! {
        <section class="subsection" data-test="revenue-rollforward">
            <div class="section-header">
                <h3>"Deferred revenue rollforward"</h3>
                {move || {
                    let (from, to, functional) = range.get();
                    let view_param = if functional { "functional" } else { "currency" };
                    view! {
                        <div class="header-actions">
                            <DownloadButton
                                url=revenue_export_url("rollforward", &[("from", &from), ("to", &to), ("view", view_param)])
                                fallback_name=format!("revenue-rollforward-{from}-{to}.csv")
                                media_type="text/csv"
                                label="Download CSV"
                                test_id="rollforward-csv"
                            />
                        </div>
                    }
                }}
            </div>
            <p class="muted small identity">
                <strong>"Opening deferred + billed − recognised ± contract asset = closing deferred"</strong>
                ", checked on every line against the ledger. Billed is every movement of deferred revenue other than recognition (invoices, voids, credit memos); recognised is what recognition runs took out of it. "
                "Deferred revenue is a liability and reads as a positive amount: revenue recognised beyond what was billed is a contract asset (with unbilled AR), shown on its own line below, and comes back when it is billed."
            </p>
            {move || match rollforward.get() {
                None => view! { <LoadingRows columns=7 rows=6 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| rollforward.refetch()) /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <EmptyState title="No movements in these months" hint="Billing and recognition on contracts appear here month by month. Choose a wider range." />
                }.into_any(),
                Some(Ok(rows)) => {
                    let functional = range.with_untracked(|(_, _, functional)| *functional);
                    by_currency(&rows, |r| &r.currency, |r| &r.month)
                        .into_iter()
                        .map(|(currency, rows)| view! { <RollforwardTable currency=currency rows=rows functional=functional /> })
                        .collect_view()
                        .into_any()
                }
            }}
        </section>
    }
}

/// One currency's rollforward as a CFO reads it: deferred revenue, a liability, always a positive
/// amount (opening + billed − recognised ± what moved to or from the contract asset = closing),
/// and the contract asset (revenue earned ahead of billing: unbilled AR and any debit balance of
/// deferred revenue) on its own line below. The check compares the ledger's own balances.
#[component]
fn RollforwardTable(
    currency: String,
    rows: Vec<RollforwardMonth>,
    functional: bool,
) -> impl IntoView {
    let billed = sum_money(&currency, rows.iter().map(|r| &r.billed));
    let recognised = sum_money(&currency, rows.iter().map(|r| &r.recognised));
    let translation = sum_money(&currency, rows.iter().map(|r| &r.fx_translation));
    let liability = |balance: &Money| liability_and_asset(balance).map(|(liability, _)| liability);
    // The whole range as one line: the first opening, the movements, the last closing.
    let range = rows.first().zip(rows.last()).map(|(first, last)| {
        let gap = billed
            .as_ref()
            .zip(recognised.as_ref())
            .zip(translation.as_ref())
            .and_then(|((billed, recognised), translation)| {
                rollforward_gap(
                    &first.opening_deferred,
                    billed,
                    recognised,
                    translation,
                    &last.closing_deferred,
                )
            });
        (
            liability(&first.opening_deferred),
            moved_to_contract_asset(&first.opening_deferred, &last.closing_deferred),
            liability(&last.closing_deferred),
            contract_asset(&first.opening_deferred, &first.opening_unbilled),
            contract_asset(&last.closing_deferred, &last.closing_unbilled),
            gap,
        )
    });
    let asset_rows: Vec<(String, Option<Money>, Option<Money>)> = rows
        .iter()
        .map(|row| {
            (
                row.month.clone(),
                contract_asset(&row.opening_deferred, &row.opening_unbilled),
                contract_asset(&row.closing_deferred, &row.closing_unbilled),
            )
        })
        .collect();
    view! {
        <table class="table compact rollforward" data-test="rollforward-table" data-currency=currency.clone()>
            <caption class="muted small">
                {if functional {
                    format!("Deferred revenue (a liability), every currency in {currency}: balances at their day's rate, the month's billing and recognition at its last day's rate")
                } else {
                    format!("Deferred revenue (a liability), {currency}")
                }}
            </caption>
            <thead>
                <tr>
                    <th scope="col">"Month"</th>
                    <th scope="col" class="num">"Opening deferred"</th>
                    <th scope="col" class="num">"+ Billed"</th>
                    <th scope="col" class="num">"− Recognised"</th>
                    {functional.then(|| view! {
                        <th scope="col" class="num" data-test="fx-translation-header" title="What moving the rates from the opening day to the month's last day did to the balance">"± FX translation"</th>
                    })}
                    <th scope="col" class="num" title="Recognised beyond what was billed goes to the contract asset; billing it later brings it back">"± Contract asset"</th>
                    <th scope="col" class="num">"= Closing deferred"</th>
                    <th scope="col">"Check"</th>
                </tr>
            </thead>
            <tbody>
                {rows.iter().cloned().map(|row| {
                    let gap = rollforward_gap(&row.opening_deferred, &row.billed, &row.recognised, &row.fx_translation, &row.closing_deferred);
                    let moved = moved_to_contract_asset(&row.opening_deferred, &row.closing_deferred);
                    let closing = liability(&row.closing_deferred);
                    view! {
                        <tr data-month=row.month.clone()>
                            <td class="nowrap">{format::month(&row.month)}</td>
                            <MoneyCell money=liability(&row.opening_deferred) />
                            <MoneyCell money=Some(row.billed) />
                            <MoneyCell money=Some(row.recognised) />
                            {functional.then(|| view! { <MoneyCell money=Some(row.fx_translation.clone()) /> })}
                            <MoneyCell money=moved />
                            <td class="num strong" data-test="closing-deferred">{closing.map(|money| money.display()).unwrap_or_default()}</td>
                            <td><TieBadge gap=gap /></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
            {range.clone().map(|(opening, moved, closing, _, _, gap)| view! {
                <tfoot>
                    <tr class="total-row">
                        <th scope="row">"Range"</th>
                        <MoneyCell money=opening />
                        <MoneyCell money=billed.clone() />
                        <MoneyCell money=recognised.clone() />
                        {functional.then(|| view! { <MoneyCell money=translation.clone() /> })}
                        <MoneyCell money=moved />
                        <MoneyCell money=closing />
                        <td><TieBadge gap=gap /></td>
                    </tr>
                </tfoot>
            })}
        </table>
        <table class="table compact rollforward" data-test="contract-asset-table" data-currency=currency.clone()>
            <caption class="muted small">{format!("Contract asset (earned, not yet billed: unbilled AR), {currency}")}</caption>
            <thead>
                <tr>
                    <th scope="col">"Month"</th>
                    <th scope="col" class="num">"Opening contract asset"</th>
                    <th scope="col" class="num">"Closing contract asset"</th>
                </tr>
            </thead>
            <tbody>
                {asset_rows.into_iter().map(|(month, opening, closing)| view! {
                    <tr data-month=month.clone()>
                        <td class="nowrap">{format::month(&month)}</td>
                        <MoneyCell money=opening />
                        <MoneyCell money=closing />
                    </tr>
                }).collect_view()}
            </tbody>
            {range.map(|(_, _, _, opening, closing, _)| view! {
                <tfoot>
                    <tr class="total-row">
                        <th scope="row">"Range"</th>
                        <MoneyCell money=opening />
                        <MoneyCell money=closing />
                    </tr>
                </tfoot>
            })}
        </table>
    }
}

// ---------------------------------------------------------------------------------------------
// Revenue by stream
// ---------------------------------------------------------------------------------------------

#[component]
fn StreamsSection(filters: Memo<OverviewFilters>, refresh: RwSignal<u32>) -> impl IntoView {
    let range =
        Memo::new(move |_| filters.with(|f| (f.from.clone(), f.to.clone(), !f.each_currency)));
    let streams = LocalResource::new(move || {
        refresh.track();
        let (from, to, functional) = range.get();
        api::revenue_by_stream(from, to, functional)
    });
    view! {
        <section class="subsection" data-test="revenue-streams">
            <div class="section-header">
                <h3>"Revenue by stream"</h3>
                {move || {
                    let (from, to, functional) = range.get();
                    let view_param = if functional { "functional" } else { "currency" };
                    view! {
                        <div class="header-actions">
                            <DownloadButton
                                url=revenue_export_url("streams", &[("from", &from), ("to", &to), ("view", view_param)])
                                fallback_name=format!("revenue-by-stream-{from}-{to}.csv")
                                media_type="text/csv"
                                label="Download CSV"
                                test_id="streams-csv"
                            />
                        </div>
                    }
                }}
            </div>
            <p class="muted small">"Recognised revenue by the account it was earned in, beside what was invoiced in the same month. Contra revenue (credits and discounts) reduces the total."</p>
            {move || match streams.get() {
                None => view! { <LoadingRows columns=10 rows=6 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| streams.refetch()) /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <EmptyState title="No revenue recognised or billed in these months" hint="Run recognition for a month to post its revenue; it then appears here by stream." />
                }.into_any(),
                Some(Ok(rows)) => by_currency(&rows, |r| &r.currency, |r| &r.month)
                    .into_iter()
                    .map(|(currency, rows)| view! { <StreamTable currency=currency rows=rows /> })
                    .collect_view()
                    .into_any(),
            }}
        </section>
    }
}

#[component]
fn StreamTable(currency: String, rows: Vec<StreamMonth>) -> impl IntoView {
    let sum = |pick: fn(&StreamMonth) -> &Money| sum_money(&currency, rows.iter().map(pick));
    let totals = [
        sum(|r| &r.subscription),
        sum(|r| &r.services),
        sum(|r| &r.usage),
        sum(|r| &r.licence),
        sum(|r| &r.contra),
        sum(|r| &r.total),
        sum(|r| &r.billed),
    ];
    let billed_less_recognised = totals[6]
        .as_ref()
        .zip(totals[5].as_ref())
        .and_then(|(billed, total)| difference(billed, total));
    view! {
        <table class="table compact streams" data-test="stream-table" data-currency=currency.clone()>
            <caption class="muted small">{currency.clone()}</caption>
            <thead>
                <tr>
                    <th scope="col">"Month"</th>
                    <th scope="col" class="num">"Subscription"</th>
                    <th scope="col" class="num">"Services"</th>
                    <th scope="col" class="num">"Usage"</th>
                    <th scope="col" class="num">"Licence"</th>
                    <th scope="col" class="num">"Contra"</th>
                    <th scope="col" class="num">"Recognised"</th>
                    <th scope="col" class="num">"Billed"</th>
                    <th scope="col" class="num" title="Billed less recognised: added to deferred revenue when positive">"Billed − recognised"</th>
                </tr>
            </thead>
            <tbody>
                {rows.iter().cloned().map(|row| {
                    let gap = difference(&row.billed, &row.total);
                    view! {
                        <tr data-month=row.month.clone()>
                            <td class="nowrap">{format::month(&row.month)}</td>
                            <MoneyCell money=Some(row.subscription) />
                            <MoneyCell money=Some(row.services) />
                            <MoneyCell money=Some(row.usage) />
                            <MoneyCell money=Some(row.licence) />
                            <MoneyCell money=Some(row.contra) />
                            <td class="num strong">{row.total.display()}</td>
                            <MoneyCell money=Some(row.billed) />
                            <MoneyCell money=gap />
                        </tr>
                    }
                }).collect_view()}
            </tbody>
            <tfoot>
                <tr class="total-row">
                    <th scope="row">"Total"</th>
                    {totals.into_iter().map(|total| view! { <MoneyCell money=total /> }).collect_view()}
                    <MoneyCell money=billed_less_recognised />
                </tr>
            </tfoot>
        </table>
    }
}

// ---------------------------------------------------------------------------------------------
// Recognition runs
// ---------------------------------------------------------------------------------------------

/// What a run is about to do, read before it is confirmed.
#[derive(Clone, Debug, PartialEq)]
struct RunPlan {
    period: String,
    /// The planned rows due in the period, when the server could say.
    pending: Result<PeriodCloseCheck, ApiError>,
}

#[component]
fn RunsSection(refresh: RwSignal<u32>, can_run: Signal<bool>) -> impl IntoView {
    let runs = LocalResource::new(move || {
        refresh.track();
        api::revenue_runs()
    });
    let period = RwSignal::new(current_month());
    let plan = RwSignal::new(None::<RunPlan>);
    let checking = RwSignal::new(false);
    let running = RwSignal::new(false);
    let errors = RwSignal::new(None::<ApiError>);
    let outcome = RwSignal::new(None::<RevenueRun>);

    let ask = move |_| {
        let month = period.get_untracked();
        if !is_month(&month) {
            errors.set(Some(ApiError::for_field(
                "period",
                "Choose the month to recognise.",
            )));
            return;
        }
        errors.set(None);
        outcome.set(None);
        checking.set(true);
        spawn_local(async move {
            let pending = api::period_close_check(month.clone()).await;
            checking.set(false);
            plan.set(Some(RunPlan {
                period: month,
                pending,
            }));
        });
    };
    let run = Callback::new(move |month: String| {
        running.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::revenue_run(month).await;
            running.set(false);
            plan.set(None);
            match result {
                Ok(run) => {
                    outcome.set(Some(run));
                    refresh.update(|count| *count += 1);
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    });
    let busy = Signal::derive(move || checking.get() || running.get());

    view! {
        <section class="section" data-test="revenue-runs">
            <div class="section-header">
                <h2>"Recognition runs"</h2>
            </div>
            <p class="muted small">"A run recognises every planned row due in its month and posts one journal entry per contract (deferred revenue or unbilled AR against the revenue stream). Running a month again recognises only what is still planned."</p>
            <Show when=move || can_run.get()>
                <div class="toolbar" data-test="run-recognition">
                    <div class="field field-inline" class:has-error=move || errors.with(|e| e.as_ref().is_some_and(|e| e.field("period").is_some()))>
                        <label for="run-period">"Month"</label>
                        <input
                            id="run-period"
                            type="month"
                            prop:value=move || period.get()
                            on:change=move |event| {
                                period.set(event_target_value(&event));
                                plan.set(None);
                            }
                        />
                    </div>
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="run-recognition" disabled=move || busy.get() || plan.with(Option::is_some) on:click=ask>
                            {move || if checking.get() {
                                "Reading what is due…".to_string()
                            } else {
                                format!("Run recognition for {}…", format::month(&period.get()))
                            }}
                        </button>
                    </div>
                </div>
            </Show>
            <ActionError error=errors.into() />
            {move || plan.get().map(|proposed| view! {
                <RunConfirm plan=proposed running=running on_confirm=run on_cancel=Callback::new(move |()| plan.set(None)) />
            })}
            {move || outcome.get().map(|run| view! {
                <div class="alert alert-success" role="status" data-test="run-outcome">
                    <strong>{format!("Recognition for {} done. ", format::month(&run.period))}</strong>
                    {format!(
                        "{} row(s) recognised on {} contract(s) in {} journal entr{}, {} in total.",
                        run.rows_recognised,
                        run.contracts,
                        run.entries,
                        if run.entries == 1 { "y" } else { "ies" },
                        totals_text(run.total.iter()),
                    )}
                </div>
            })}
            {move || match runs.get() {
                None => view! { <LoadingRows columns=7 rows=3 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| runs.refetch()) /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <EmptyState title="No recognition runs yet" hint="Run recognition for a month to post its planned revenue to the ledger." />
                }.into_any(),
                Some(Ok(list)) => view! { <RunsTable runs=list /> }.into_any(),
            }}
        </section>
    }
}

/// The confirmation before a run, with what is due in the month.
#[component]
fn RunConfirm(
    plan: RunPlan,
    running: RwSignal<bool>,
    on_confirm: Callback<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let month = format::month(&plan.period);
    let period = StoredValue::new(plan.period.clone());
    let detail = match &plan.pending {
        Ok(check) if check.pending_rows == 0 => view! {
            <p>"No planned row is due in this month; the run will record that nothing was recognised."</p>
        }.into_any(),
        Ok(check) => view! {
            <p data-test="run-pending">
                {format!(
                    "{} planned row(s) are due, {} in total. Each contract gets one journal entry dated in {month}.",
                    check.pending_rows,
                    totals_text(check.pending_amount.iter()),
                )}
            </p>
        }.into_any(),
        Err(error) => view! {
            <p class="muted">{format!("What is due could not be read beforehand ({}). The run still recognises only rows due in the month.", error.summary())}</p>
        }.into_any(),
    };
    view! {
        <div class="confirm panel" role="alertdialog" aria-label="Confirm the recognition run" data-test="run-confirm">
            <p><strong>{format!("Recognise revenue for {month}?")}</strong></p>
            {detail}
            <p class="muted">"Only rows due by today are recognised; later ones wait for the next run. Recognised rows are posted to the ledger, and a closed month refuses the run."</p>
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="confirm-run" disabled=move || running.get() on:click=move |_| on_confirm.run(period.get_value())>
                    {move || if running.get() { "Recognising…".to_string() } else { format!("Recognise {month}") }}
                </button>
                <button class="button" type="button" disabled=move || running.get() on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </div>
    }
}

#[component]
fn RunsTable(runs: Vec<RevenueRun>) -> impl IntoView {
    view! {
        <table class="table" data-test="revenue-run-table">
            <thead>
                <tr>
                    <th scope="col">"Month"</th>
                    <th scope="col">"As of"</th>
                    <th scope="col" class="num">"Contracts"</th>
                    <th scope="col" class="num">"Rows recognised"</th>
                    <th scope="col" class="num">"Journal entries"</th>
                    <th scope="col" class="num">"Recognised"</th>
                    <th scope="col">"Ran"</th>
                </tr>
            </thead>
            <tbody>
                {runs.into_iter().map(|run| view! {
                    <tr data-run-id=run.id.clone()>
                        <td class="nowrap">{format::month(&run.period)}</td>
                        <td class="nowrap">{format::date(&run.as_of)}</td>
                        <td class="num">{run.contracts}</td>
                        <td class="num">{run.rows_recognised}</td>
                        <td class="num">{run.entries}</td>
                        <MoneyListCell amounts=run.total />
                        <td class="nowrap">{format::date_time(&run.ran_at)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
