//! The Revenue Ops dashboard: revenue (MRR, ARR and the MRR bridge), invoicing, AR aging,
//! commissions, alerts and the quality rules, for an as-of date and a to-date window, with the
//! sections the reader's role sees. Every figure opens the rows behind it; the charts show the
//! MRR movements of the last twelve months, the aging buckets and the renewals of the next
//! ninety days. The page reloads its figures every minute while it is open. The date, window
//! and the figure opened live in the URL, so a link shows a colleague the same rows.

use std::{collections::HashSet, time::Duration};

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    params::ParamsMap,
    NavigateOptions,
};

use crate::{
    api::{
        self, AgingBucketTotal, AgingSummary, ApiError, Dashboard, DashboardAging, DashboardAlerts,
        DashboardCommissions, DashboardInvoicing, DashboardRevenue, DashboardRow, Money,
        QualityRule, Renewal, DASHBOARD_PERIODS,
    },
    app::RequirePermission,
    components::{
        aging::{ordered, AgingChart, AgingTotals},
        export::ExportCsv,
        metrics::{
            MrrMovementChart, MRR_CHURN, MRR_CONTRACTION, MRR_EXPANSION, MRR_NEW, MRR_REACTIVATION,
        },
        money::{totals_by_currency, MoneyCell},
        revenue::{month_of, months_between, negate, shift_month, ChartMonth, MonthChart, Series},
        states::{EmptyState, ErrorPanel, LoadingPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format,
    routes::href_with_query,
    session,
};

/// How many customers on credit hold the alerts list by name (the figure opens them all).
const HOLDS_SHOWN: usize = 5;

/// How often the figures reload while the page is open.
const REFRESH_EVERY: Duration = Duration::from_secs(60);

/// The figures `dashboardRows` can open, with their names.
const FIGURES: [(&str, &str); 18] = [
    ("MRR", "MRR"),
    ("NEW_MRR", "New MRR"),
    ("REACTIVATION_MRR", "Reactivation MRR"),
    ("EXPANSION_MRR", "Expansion MRR"),
    ("CONTRACTION_MRR", "Contraction MRR"),
    ("CHURNED_MRR", "Churned MRR"),
    ("INVOICES_ISSUED", "Invoices issued"),
    ("INVOICES_PAID", "Invoices paid"),
    ("OUTSTANDING", "Outstanding AR"),
    ("OVERDUE", "Overdue invoices"),
    ("OVERDUE_OVER_60", "Open invoices over 60 days old"),
    ("AGING_CURRENT", "AR aging: current (0–30 days)"),
    ("AGING_31_TO_60", "AR aging: 31–60 days"),
    ("AGING_61_TO_90", "AR aging: 61–90 days"),
    ("AGING_OVER_90", "AR aging: over 90 days"),
    ("RENEWALS_DUE", "Renewals due in 30 days"),
    ("BLOCKED_PO", "Invoices blocked for a missing PO"),
    ("CREDIT_HOLDS", "Customers on credit hold"),
];

/// Not a figure of the API: the net MRR change opens the rows of all five movements together,
/// the losses as negative amounts, so the rows add up to the change.
const NET_MRR: &str = "NET_MRR_CHANGE";

/// The movement figures behind the net change, and whether each takes MRR away.
const NET_PARTS: [(&str, bool); 5] = [
    ("NEW_MRR", false),
    ("REACTIVATION_MRR", false),
    ("EXPANSION_MRR", false),
    ("CONTRACTION_MRR", true),
    ("CHURNED_MRR", true),
];

fn figure_label(figure: &str) -> &'static str {
    if figure == NET_MRR {
        return "Net MRR change";
    }
    FIGURES
        .iter()
        .find(|(key, _)| *key == figure)
        .map_or("Figure", |(_, label)| *label)
}

fn is_figure(figure: &str) -> bool {
    figure == NET_MRR || FIGURES.iter().any(|(key, _)| *key == figure)
}

fn period_label(period: &str) -> &'static str {
    DASHBOARD_PERIODS
        .iter()
        .find(|(key, _)| *key == period)
        .map_or("To date", |(_, label)| *label)
}

/// The figure behind one aging bucket.
fn bucket_figure(bucket: &str) -> &'static str {
    match bucket {
        "CURRENT" => "AGING_CURRENT",
        "DAYS_31_TO_60" => "AGING_31_TO_60",
        "DAYS_61_TO_90" => "AGING_61_TO_90",
        "OVER_90" => "AGING_OVER_90",
        _ => "OUTSTANDING",
    }
}

/// The page's state as it stands in the URL.
#[derive(Clone, Debug, PartialEq)]
struct DashboardFilters {
    /// None: today on the server's business calendar (the dashboard says which date that is).
    as_of: Option<String>,
    period: String,
    /// The figure whose rows are open.
    figure: Option<String>,
}

impl DashboardFilters {
    fn from_query(query: &ParamsMap) -> Self {
        let non_empty = |key: &str| query.get(key).filter(|value| !value.is_empty());
        Self {
            as_of: non_empty("asOf").filter(|date| format::parse_iso_date(date).is_some()),
            period: non_empty("period")
                .filter(|period| DASHBOARD_PERIODS.iter().any(|(key, _)| key == period))
                .unwrap_or_else(|| "MONTH".to_string()),
            figure: non_empty("figure").filter(|figure| is_figure(figure)),
        }
    }

    fn href(&self) -> String {
        href_with_query(
            "/dashboard",
            &[
                ("asOf", self.as_of.clone()),
                ("period", Some(self.period.clone())),
                ("figure", self.figure.clone()),
            ],
        )
    }

    /// The same page with the rows behind `figure` open (or closed).
    fn figure_href(&self, figure: Option<&str>) -> String {
        Self {
            figure: figure.map(str::to_string),
            ..self.clone()
        }
        .href()
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <RequirePermission permission="METRICS_READ">
            <DashboardBoard />
        </RequirePermission>
    }
}

#[component]
fn DashboardBoard() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let filters = Memo::new(move |_| query.with(DashboardFilters::from_query));
    let window = Memo::new(move |_| filters.with(|f| (f.as_of.clone(), f.period.clone())));
    let figure = Memo::new(move |_| filters.with(|f| f.figure.clone()));
    // Every tick reloads the figures: once a minute, and on "Refresh".
    let tick = RwSignal::new(0_u32);
    let loaded_at = RwSignal::new(None::<String>);
    let refreshing = RwSignal::new(false);
    if let Ok(handle) = set_interval_with_handle(
        move || {
            tick.try_update(|count| *count += 1);
        },
        REFRESH_EVERY,
    ) {
        on_cleanup(move || handle.clear());
    }
    let dashboard = LocalResource::new(move || {
        tick.track();
        let (as_of, period) = window.get();
        async move {
            refreshing.try_set(true);
            let result = api::dashboard(as_of, period).await;
            refreshing.try_set(false);
            if result.is_ok() {
                loaded_at.try_set(Some(format::time_now()));
            }
            result
        }
    });
    let loaded = Memo::new(move |_| dashboard.get().and_then(Result::ok));
    // The MRR chart covers the twelve months to the dashboard's date, for readers who see revenue.
    let movement_end = Memo::new(move |_| {
        loaded.with(|d| {
            d.as_ref()
                .filter(|d| d.revenue.is_some())
                .map(|d| d.as_of.clone())
        })
    });
    let movements = LocalResource::new(move || {
        tick.track();
        let end = movement_end.get();
        async move {
            match end {
                Some(end) => {
                    let from = shift_month(&month_of(&end), -11)
                        .map(|month| format!("{month}-01"))
                        .unwrap_or_else(|| end.clone());
                    api::mrr_movements(from, end).await.map(Some)
                }
                None => Ok(None),
            }
        }
    });
    let can_renewals = session::can("RENEWAL_READ");
    let renewals = LocalResource::new(move || {
        tick.track();
        let allowed = can_renewals.get();
        async move {
            if allowed {
                api::renewal_pipeline(90).await.map(Some)
            } else {
                Ok(None)
            }
        }
    });
    // Expanded quality rules stay expanded when the figures reload.
    let expanded = RwSignal::new(HashSet::<String>::new());

    let go = move |next: DashboardFilters| {
        navigate(
            &next.href(),
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    let on_date = {
        let go = go.clone();
        move |event: leptos::ev::Event| {
            let date = event_target_value(&event);
            if format::parse_iso_date(&date).is_some() {
                let mut next = filters.get_untracked();
                next.as_of = Some(date);
                go(next);
            }
        }
    };
    let refresh = move |_| tick.update(|count| *count += 1);
    let shown_as_of = Signal::derive(move || {
        filters
            .with(|f| f.as_of.clone())
            .or_else(|| loaded.with(|d| d.as_ref().map(|d| d.as_of.clone())))
    });

    view! {
        <div class="page dashboard">
            <header class="page-header">
                <div>
                    <h1>"Revenue Ops dashboard"</h1>
                    <p class="muted" data-test="dashboard-subtitle">
                        {move || match loaded.get() {
                            Some(d) => format!(
                                "{} from {} to {}, amounts in {}. Click any figure to see the rows behind it.",
                                period_label(&d.period),
                                format::date(&d.window_start),
                                format::date(&d.as_of),
                                d.currency
                            ),
                            None => "Loading the figures…".to_string(),
                        }}
                    </p>
                </div>
                <div class="header-actions">
                    <span class="muted small" data-test="loaded-at" aria-live="polite">
                        {move || match (refreshing.get(), loaded_at.get()) {
                            (true, _) => "Refreshing…".to_string(),
                            (false, Some(time)) => format!("As of {time} · refreshes every minute"),
                            (false, None) => String::new(),
                        }}
                    </span>
                    <button class="button" type="button" data-action="refresh" on:click=refresh disabled=move || refreshing.get()>
                        "Refresh"
                    </button>
                    {move || loaded.get().map(|d| {
                        let rows = dashboard_csv_rows(&d);
                        view! {
                            <ExportCsv
                                filename=format!("dashboard-{}-{}.csv", d.as_of, d.period.to_lowercase())
                                header=&DASHBOARD_CSV_HEADER
                                rows=rows
                            />
                        }
                    })}
                </div>
            </header>
            <div class="toolbar">
                <div class="field field-inline">
                    <label for="dashboard-as-of">"As of"</label>
                    <input
                        id="dashboard-as-of"
                        type="date"
                        prop:value=move || shown_as_of.get().unwrap_or_default()
                        on:change=on_date
                    />
                </div>
                <div class="field field-inline">
                    <span class="field-label" id="dashboard-period-label">"Window"</span>
                    <div class="segmented" role="group" aria-labelledby="dashboard-period-label">
                        {DASHBOARD_PERIODS.iter().map(|(value, label)| {
                            let go = go.clone();
                            let value = *value;
                            let selected = move || filters.with(|f| f.period == value);
                            view! {
                                <button
                                    type="button"
                                    class="segment"
                                    class:selected=selected
                                    aria-pressed=move || if selected() { "true" } else { "false" }
                                    data-period=value
                                    on:click=move |_| {
                                        let mut next = filters.get_untracked();
                                        next.period = value.to_string();
                                        go(next);
                                    }
                                >
                                    {*label}
                                </button>
                            }
                        }).collect_view()}
                    </div>
                </div>
            </div>
            {move || figure.get().map(|figure| view! {
                <DrillPanel figure=figure filters=filters tick=tick shown_as_of=shown_as_of />
            })}
            {move || match dashboard.get() {
                None => view! { <LoadingPanel label="Loading the dashboard…" /> }.into_any(),
                Some(Err(error)) => view! {
                    <ErrorPanel error=error retry=Callback::new(move |()| dashboard.refetch()) />
                }.into_any(),
                Some(Ok(d)) => {
                    // The figure links carry the rest of the page's state.
                    let current = filters.get();
                    view! {
                        <DashboardView
                            dashboard=d
                            filters=current
                            movements=movements
                            renewals=renewals
                            expanded=expanded
                        />
                    }.into_any()
                }
            }}
        </div>
    }
}

#[component]
fn DashboardView(
    dashboard: Dashboard,
    filters: DashboardFilters,
    movements: LocalResource<Result<Option<Vec<api::MrrMonth>>, ApiError>>,
    renewals: LocalResource<Result<Option<Vec<Renewal>>, ApiError>>,
    expanded: RwSignal<HashSet<String>>,
) -> impl IntoView {
    let href = StoredValue::new(filters);
    let link = move |figure: &str| href.with_value(|f| f.figure_href(Some(figure)));
    let currency = dashboard.currency.clone();
    let as_of = dashboard.as_of.clone();
    let nothing_shown = dashboard.revenue.is_none()
        && dashboard.invoicing.is_none()
        && dashboard.aging.is_none()
        && dashboard.commissions.is_none()
        && dashboard.alerts.is_none()
        && dashboard.quality.is_none();
    view! {
        {(!dashboard.warnings.is_empty()).then(|| view! {
            <div class="alert alert-warning" role="status" data-test="dashboard-warnings">
                <strong>"Some figures are incomplete"</strong>
                <ul>
                    {dashboard.warnings.iter().map(|warning| view! { <li>{warning.clone()}</li> }).collect_view()}
                </ul>
            </div>
        })}
        {dashboard.own_book.then(|| view! {
            <p class="alert alert-neutral" data-test="own-book">
                <strong>"Your book only. "</strong>
                "These figures cover the customers you own, not the whole company."
            </p>
        })}
        {nothing_shown.then(|| view! {
            <EmptyState
                title="No dashboard sections for your role"
                hint="Ask an administrator which figures your role should see."
            />
        })}
        {dashboard.revenue.clone().map(|revenue| view! {
            <RevenueSection revenue=revenue window_start=dashboard.window_start.clone() link=link movements=movements currency=currency.clone() />
        })}
        {dashboard.invoicing.clone().map(|invoicing| view! {
            <InvoicingSection invoicing=invoicing link=link />
        })}
        {dashboard.aging.clone().map(|aging| view! {
            <AgingSection aging=aging currency=currency.clone() as_of=as_of.clone() link=link />
        })}
        {dashboard.commissions.clone().map(|commissions| view! {
            <CommissionsSection commissions=commissions own_book=dashboard.own_book />
        })}
        {dashboard.alerts.clone().map(|alerts| view! {
            <AlertsSection alerts=alerts link=link renewals=renewals currency=currency.clone() />
        })}
        {dashboard.quality.clone().map(|rules| view! {
            <QualitySection rules=rules expanded=expanded />
        })}
    }
}

// ---------------------------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------------------------

/// One figure: its name, its value as a link to the rows (or page) behind it, and a note.
#[component]
fn FigureCard(
    #[prop(into)] label: String,
    #[prop(into)] value: String,
    #[prop(into)] href: String,
    /// The figure's key, for tests and for the drill-down it opens.
    key: &'static str,
    #[prop(optional, into)] note: Option<String>,
    /// The colour swatch of a movement, so the figure reads with the chart.
    #[prop(optional)]
    swatch: Option<&'static str>,
    #[prop(default = false)] negative: bool,
    #[prop(optional)] badge: Option<(Tone, String)>,
    /// More under the note, such as a second figure that opens its own rows.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="figure-card" data-figure-card=key>
            <dt>
                {swatch.map(|class| view! { <span class=format!("swatch {class}") aria-hidden="true"></span> })}
                {label}
            </dt>
            <dd class="figure" class:negative=negative>
                <a class="figure-link" href=href data-figure=key>{value}</a>
            </dd>
            {badge.map(|(tone, label)| view! { <dd><Badge tone=tone label=label /></dd> })}
            {note.map(|note| view! { <dd class="small muted">{note}</dd> })}
            {children.map(|children| view! { <dd class="figure-more">{children()}</dd> })}
        </div>
    }
}

/// An amount with its sign, as a change: `+$225.00`, `-$25.00`, `$0.00`.
fn signed(money: &Money) -> String {
    if format::is_negative(&money.amount) || format::is_zero(&money.amount) {
        money.display()
    } else {
        format!("+{}", money.display())
    }
}

/// A movement that takes MRR away, shown below zero.
fn loss(money: &Money) -> Money {
    if format::is_zero(&money.amount) {
        money.clone()
    } else {
        Money {
            amount: negate(&money.amount),
            currency: money.currency.clone(),
        }
    }
}

fn count_text(count: i64, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------

#[component]
fn RevenueSection(
    revenue: DashboardRevenue,
    window_start: String,
    link: impl Fn(&str) -> String + Copy + Send + Sync + 'static,
    movements: LocalResource<Result<Option<Vec<api::MrrMonth>>, ApiError>>,
    currency: String,
) -> impl IntoView {
    let bridge = revenue.movements.clone();
    let net_note = match &bridge.net_percent {
        Some(percent) => {
            let text = format::percent_text(percent);
            let sign = if format::is_negative(percent) || format::is_zero(percent) {
                ""
            } else {
                "+"
            };
            format!("{sign}{text} on the opening MRR")
        }
        None => "No MRR to start from".to_string(),
    };
    let since = format!("Since {}", format::date(&window_start));
    let opening_day = format::add_days(&window_start, -1).unwrap_or_else(|| window_start.clone());
    view! {
        <section class="panel dashboard-section" data-test="dashboard-revenue" aria-labelledby="dashboard-revenue-heading">
            <div class="panel-header">
                <h2 id="dashboard-revenue-heading">"Revenue"</h2>
                <span class="muted small">
                    {format!(
                        "Opening MRR {} on {} → {} now",
                        bridge.opening.display(),
                        format::date(&opening_day),
                        bridge.closing.display()
                    )}
                </span>
            </div>
            <dl class="figures">
                <FigureCard label="MRR" value=revenue.mrr.display() href=link("MRR") key="MRR"
                    note=count_text(revenue.paying_customers, "paying customer", "paying customers") />
                <FigureCard label="ARR" value=revenue.arr.display() href=link("MRR") key="ARR" note="MRR × 12" />
                <FigureCard label="New MRR" value=bridge.new.display() href=link("NEW_MRR") key="NEW_MRR"
                    swatch=MRR_NEW.class note=since.clone() />
                <FigureCard label="Reactivation" value=bridge.reactivation.display() href=link("REACTIVATION_MRR")
                    key="REACTIVATION_MRR" swatch=MRR_REACTIVATION.class note=since.clone() />
                <FigureCard label="Expansion" value=bridge.expansion.display() href=link("EXPANSION_MRR")
                    key="EXPANSION_MRR" swatch=MRR_EXPANSION.class note=since.clone() />
                <FigureCard label="Contraction" value=loss(&bridge.contraction).display() href=link("CONTRACTION_MRR")
                    key="CONTRACTION_MRR" swatch=MRR_CONTRACTION.class note=since.clone()
                    negative=format::is_negative(&loss(&bridge.contraction).amount) />
                <FigureCard label="Churned" value=loss(&bridge.churn).display() href=link("CHURNED_MRR")
                    key="CHURNED_MRR" swatch=MRR_CHURN.class note=since.clone()
                    negative=format::is_negative(&loss(&bridge.churn).amount) />
                <FigureCard label="Net MRR change" value=signed(&bridge.net_change) href=link(NET_MRR)
                    key=NET_MRR note=net_note negative=format::is_negative(&bridge.net_change.amount) />
            </dl>
            <h3>"MRR movements, last 12 months"</h3>
            {move || match movements.get() {
                None => view! { <LoadingPanel label="Loading the MRR movements…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| movements.refetch()) /> }.into_any(),
                Some(Ok(None)) => ().into_any(),
                Some(Ok(Some(months))) => view! { <MrrMovementChart months=months currency=currency.clone() /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn InvoicingSection(
    invoicing: DashboardInvoicing,
    link: impl Fn(&str) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let paid_note = match &invoicing.average_days_to_pay {
        Some(days) => format!(
            "{} · paid in {} days on average",
            count_text(invoicing.paid_count, "invoice", "invoices"),
            format::one_decimal(days)
        ),
        None => count_text(invoicing.paid_count, "invoice", "invoices"),
    };
    let (escalate_tone, escalate_text) = if invoicing.over60_count > 0 {
        (
            Tone::Danger,
            format!("{} over 60 days: to escalate", invoicing.over60_count),
        )
    } else {
        (Tone::Good, "None over 60 days to escalate".to_string())
    };
    view! {
        <section class="panel dashboard-section" data-test="dashboard-invoicing" aria-labelledby="dashboard-invoicing-heading">
            <div class="panel-header"><h2 id="dashboard-invoicing-heading">"Invoicing"</h2></div>
            <dl class="figures">
                <FigureCard label="Issued" value=invoicing.issued_total.display() href=link("INVOICES_ISSUED")
                    key="INVOICES_ISSUED" note=count_text(invoicing.issued_count, "invoice", "invoices") />
                <FigureCard label="Paid" value=invoicing.paid_total.display() href=link("INVOICES_PAID")
                    key="INVOICES_PAID" note=paid_note />
                <FigureCard label="Outstanding" value=invoicing.outstanding_total.display() href=link("OUTSTANDING")
                    key="OUTSTANDING" note=count_text(invoicing.outstanding_count, "open invoice", "open invoices") />
                <FigureCard label="Overdue" value=invoicing.overdue_total.display() href=link("OVERDUE")
                    key="OVERDUE" note=count_text(invoicing.overdue_count, "invoice past due", "invoices past due")>
                    <a href=link("OVERDUE_OVER_60") data-figure="OVERDUE_OVER_60" class="escalate-link"
                        title="Open invoices more than 60 days old">
                        <Badge tone=escalate_tone label=escalate_text />
                    </a>
                </FigureCard>
            </dl>
        </section>
    }
}

/// The dashboard's aging in the shape the aging chart and table draw.
fn aging_summary(aging: &DashboardAging, currency: &str) -> AgingSummary {
    ordered(AgingSummary {
        currency: currency.to_string(),
        total: aging.total.clone(),
        count: aging.lines.iter().map(|line| line.count).sum(),
        buckets: aging
            .lines
            .iter()
            .map(|line| AgingBucketTotal {
                bucket: line.bucket.clone(),
                label: line.label.clone(),
                amount: line.amount.clone(),
                count: line.count,
                percent: line.percent.clone(),
            })
            .collect(),
    })
}

#[component]
fn AgingSection(
    aging: DashboardAging,
    currency: String,
    as_of: String,
    link: impl Fn(&str) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let summary = aging_summary(&aging, &currency);
    let chart_href = Callback::new(move |bucket: String| link(bucket_figure(&bucket)));
    let totals_href = Callback::new(move |bucket: Option<String>| {
        link(bucket.as_deref().map_or("OUTSTANDING", bucket_figure))
    });
    view! {
        <section class="panel dashboard-section" data-test="dashboard-aging" aria-labelledby="dashboard-aging-heading">
            <div class="panel-header">
                <h2 id="dashboard-aging-heading">"AR aging"</h2>
                <span class="muted small">{format!("Open receivables on {}, aged from the invoice date, in {currency}.", format::date(&as_of))}</span>
            </div>
            {if summary.count == 0 {
                view! {
                    <EmptyState
                        title="No open receivables"
                        hint="Issued invoices that are not fully paid appear here by age."
                    />
                }.into_any()
            } else {
                view! {
                    <AgingChart summary=summary.clone() basis="INVOICE_DATE" href=chart_href />
                    <AgingTotals summary=summary href=totals_href />
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn CommissionsSection(commissions: DashboardCommissions, own_book: bool) -> impl IntoView {
    let can_all = session::can("COMMISSION_ALL_READ").get_untracked();
    let earned_href = if own_book || !can_all {
        "/commissions"
    } else {
        "/commissions/team"
    };
    let payable_href = if can_all {
        "/commissions/payouts"
    } else {
        "/commissions"
    };
    let overdue = (commissions.overdue_disputes > 0).then(|| {
        (
            Tone::Danger,
            format!("{} past the answer date", commissions.overdue_disputes),
        )
    });
    view! {
        <section class="panel dashboard-section" data-test="dashboard-commissions" aria-labelledby="dashboard-commissions-heading">
            <div class="panel-header"><h2 id="dashboard-commissions-heading">"Commissions"</h2></div>
            <dl class="figures">
                <FigureCard label="Earned this month" value=commissions.earned_month_to_date.display()
                    href=earned_href key="COMMISSIONS_EARNED" note="Month to date, after clawbacks" />
                <FigureCard label="Payable" value=commissions.payable.display() href=payable_href
                    key="COMMISSIONS_PAYABLE"
                    note=format!("Next payout {}", format::date(&commissions.next_payout_date)) />
                <FigureCard label="Open disputes" value=commissions.open_disputes.to_string()
                    href="/commissions/disputes" key="COMMISSION_DISPUTES"
                    note="Statement lines reps have disputed"
                    badge=overdue.unwrap_or((Tone::Good, "None overdue".to_string())) />
            </dl>
        </section>
    }
}

#[component]
fn AlertsSection(
    alerts: DashboardAlerts,
    link: impl Fn(&str) -> String + Copy + Send + Sync + 'static,
    renewals: LocalResource<Result<Option<Vec<Renewal>>, ApiError>>,
    currency: String,
) -> impl IntoView {
    let at_risk_badge = (alerts.renewals_at_risk > 0).then(|| {
        (
            Tone::Danger,
            format!("{} Yellow or Red", alerts.renewals_at_risk),
        )
    });
    let hold_count = alerts.credit_holds.len();
    let holds: Vec<_> = alerts
        .credit_holds
        .iter()
        .take(HOLDS_SHOWN)
        .cloned()
        .collect();
    view! {
        <section class="panel dashboard-section" data-test="dashboard-alerts" aria-labelledby="dashboard-alerts-heading">
            <div class="panel-header">
                <h2 id="dashboard-alerts-heading">"Alerts"</h2>
                <a href="/renewals?days=30" data-test="open-renewals">"Open the renewal pipeline"</a>
            </div>
            <dl class="figures">
                <FigureCard label="Renewals due in 30 days" value=alerts.renewals_due.to_string()
                    href=link("RENEWALS_DUE") key="RENEWALS_DUE"
                    note=format!("{} ARR renewing", alerts.renewals_arr.display()) />
                <FigureCard label="ARR at risk" value=alerts.arr_at_risk.display() href=link("RENEWALS_DUE")
                    key="ARR_AT_RISK" note="Renewals due in 30 days marked Yellow or Red"
                    badge=at_risk_badge.unwrap_or((Tone::Good, "None at risk".to_string())) />
                <FigureCard label="Blocked for a missing PO" value=alerts.blocked_po_amount.display()
                    href=link("BLOCKED_PO") key="BLOCKED_PO"
                    note=count_text(alerts.blocked_po_count, "invoice held", "invoices held") />
                <FigureCard label="On credit hold" value=alerts.credit_holds.len().to_string()
                    href=link("CREDIT_HOLDS") key="CREDIT_HOLDS" note="Customers whose new business is stopped" />
            </dl>
            <div class="subsection" data-test="credit-holds">
                <h3>"Customers on credit hold"</h3>
                {if holds.is_empty() {
                    view! { <p class="muted">"No customer is on credit hold."</p> }.into_any()
                } else {
                    view! {
                        <table class="table compact">
                            <thead>
                                <tr>
                                    <th scope="col">"Customer"</th>
                                    <th scope="col">"On hold since"</th>
                                    <th scope="col">"Reason"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {holds.into_iter().map(|hold| view! {
                                    <tr>
                                        <td><a href=format!("/customers/{}", hold.customer_id)>{hold.name}</a></td>
                                        <td class="nowrap">{hold.since.as_deref().map_or_else(|| "—".to_string(), format::date)}</td>
                                        <td>{hold.reason.unwrap_or_else(|| "—".to_string())}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {(hold_count > HOLDS_SHOWN).then(|| view! {
                            <p class="small">
                                <a href=link("CREDIT_HOLDS")>{format!("Show all {hold_count} customers on credit hold")}</a>
                            </p>
                        })}
                    }.into_any()
                }}
            </div>
            {move || match renewals.get() {
                Some(Ok(Some(rows))) => view! { <RenewalsByMonth rows=rows currency=currency.clone() /> }.into_any(),
                Some(Err(error)) => view! {
                    <div class="subsection">
                        <h3>"Renewals by month"</h3>
                        <ErrorPanel error=error retry=Callback::new(move |()| renewals.refetch()) />
                    </div>
                }.into_any(),
                None => view! { <LoadingPanel label="Loading the renewals…" /> }.into_any(),
                Some(Ok(None)) => ().into_any(),
            }}
        </section>
    }
}

/// The renewals of the next 90 days by the month they renew in: a bar of ARR per month with
/// the number of contracts on hover and in the table under it.
#[component]
fn RenewalsByMonth(rows: Vec<Renewal>, currency: String) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <div class="subsection" data-test="renewals-by-month">
                <h3>"Renewals by month, next 90 days"</h3>
                <p class="muted">"No contract renews in the next 90 days."</p>
            </div>
        }
        .into_any();
    }
    // Every month the 90 days touch, from the server's today, so empty months show as such.
    let today = rows.iter().find_map(Renewal::server_today);
    let first = today
        .as_deref()
        .map(month_of)
        .or_else(|| rows.iter().map(|row| month_of(&row.renewal_date)).min());
    let last = today
        .as_deref()
        .and_then(|today| format::add_days(today, 89))
        .map(|day| month_of(&day))
        .into_iter()
        .chain(rows.iter().map(|row| month_of(&row.renewal_date)))
        .max();
    let months = match (first, last) {
        (Some(first), Some(last)) => months_between(&first, &last),
        _ => Vec::new(),
    };
    // Without an FX rate a renewal has no functional ARR; it is counted but not in the bar.
    let missing_rate = rows
        .iter()
        .filter(|row| row.arr_functional.is_none())
        .count();
    let by_month: Vec<(String, usize, Money)> = months
        .iter()
        .map(|month| {
            let in_month: Vec<&Renewal> = rows
                .iter()
                .filter(|row| month_of(&row.renewal_date) == *month)
                .collect();
            let amounts: Vec<&Money> = in_month
                .iter()
                .filter_map(|row| row.arr_functional.as_ref())
                .collect();
            let total = format::sum_amounts(amounts.iter().map(|money| money.amount.as_str()))
                .unwrap_or_else(|| "0".to_string());
            (
                month.clone(),
                in_month.len(),
                Money {
                    amount: total,
                    currency: currency.clone(),
                },
            )
        })
        .collect();
    let chart_months: Vec<ChartMonth> = by_month
        .iter()
        .map(|(month, _, arr)| ChartMonth {
            month: month.clone(),
            values: vec![arr.clone()],
        })
        .collect();
    let notes: Vec<String> = by_month
        .iter()
        .map(|(_, count, _)| count_text(*count as i64, "contract", "contracts"))
        .collect();
    view! {
        <div class="subsection" data-test="renewals-by-month">
            <h3>"Renewals by month, next 90 days"</h3>
            <MonthChart
                currency=currency.clone()
                series=vec![Series { class: "renewal-arr", label: "ARR renewing" }]
                months=chart_months
                title="ARR renewing"
                test_id="renewals-chart"
                notes=notes
            />
            <table class="table compact renewals-by-month">
                <thead>
                    <tr>
                        <th scope="col">"Month"</th>
                        <th scope="col" class="num">"Contracts"</th>
                        <th scope="col" class="num">{format!("ARR ({currency})")}</th>
                    </tr>
                </thead>
                <tbody>
                    {by_month.into_iter().map(|(month, count, arr)| view! {
                        <tr>
                            <td><a href=format!("/renewals?days=90&month={month}")>{format::month(&month)}</a></td>
                            <td class="num">{count}</td>
                            <MoneyCell money=Some(arr) />
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {(missing_rate > 0).then(|| view! {
                <p class="muted small">
                    {format!("{} without an FX rate to {currency} counted but not in the ARR.", count_text(missing_rate as i64, "renewal", "renewals"))}
                </p>
            })}
        </div>
    }
    .into_any()
}

#[component]
fn QualitySection(rules: Vec<QualityRule>, expanded: RwSignal<HashSet<String>>) -> impl IntoView {
    view! {
        <section class="panel dashboard-section" data-test="dashboard-quality" aria-labelledby="dashboard-quality-heading">
            <div class="panel-header">
                <h2 id="dashboard-quality-heading">"Quality rules"</h2>
                <span class="muted small">"Whether each commitment was kept over the window; open a rule to see its items."</span>
            </div>
            {if rules.is_empty() {
                view! { <p class="muted">"No quality rules apply to this window."</p> }.into_any()
            } else {
                view! {
                    <ul class="quality-rules">
                        {rules.into_iter().map(|rule| view! { <QualityRuleRow rule=rule expanded=expanded /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn QualityRuleRow(rule: QualityRule, expanded: RwSignal<HashSet<String>>) -> impl IntoView {
    let key = StoredValue::new(rule.key.clone());
    let is_open = move || expanded.with(|set| key.with_value(|key| set.contains(key)));
    let toggle = move |_| {
        let key = key.get_value();
        expanded.update(|set| {
            if !set.remove(&key) {
                set.insert(key);
            }
        });
    };
    let panel_id = format!("quality-{}", rule.key);
    let (tone, label) = if rule.met {
        (Tone::Good, "Met".to_string())
    } else {
        (Tone::Danger, format!("Late: {}", rule.late))
    };
    let items = rule.items.clone();
    let count = items.len();
    view! {
        <li class="quality-rule" data-rule=rule.key.clone() data-met=rule.met.to_string()>
            <button
                type="button"
                class="disclosure"
                aria-expanded=move || if is_open() { "true" } else { "false" }
                aria-controls=panel_id.clone()
                on:click=toggle
            >
                <span class="disclosure-arrow" aria-hidden="true">{move || if is_open() { "▾" } else { "▸" }}</span>
                <span class="quality-title">{rule.title.clone()}</span>
                <Badge tone=tone label=label />
                <span class="muted small">{count_text(count as i64, "item", "items")}</span>
            </button>
            <div id=panel_id hidden=move || !is_open()>
                {if items.is_empty() {
                    view! { <p class="muted small">"Nothing fell under this rule in the window."</p> }.into_any()
                } else {
                    view! {
                        <table class="table compact quality-items">
                            <thead>
                                <tr>
                                    <th scope="col">"Item"</th>
                                    <th scope="col">"Due"</th>
                                    <th scope="col">"Done"</th>
                                    <th scope="col">"Status"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {items.into_iter().map(|item| {
                                    let status = match (item.late, item.done_at.is_some()) {
                                        (true, _) => view! { <Badge tone=Tone::Danger label="Late" /> },
                                        (false, true) => view! { <Badge tone=Tone::Good label="On time" /> },
                                        (false, false) => view! { <Badge tone=Tone::Neutral label="Open" /> },
                                    };
                                    view! {
                                        <tr class:row-late=item.late>
                                            <td>
                                                {match item.link {
                                                    Some(link) => view! { <a href=link>{item.label}</a> }.into_any(),
                                                    None => view! { <span>{item.label}</span> }.into_any(),
                                                }}
                                            </td>
                                            <td class="nowrap">{item.due_at.as_deref().map_or_else(|| "—".to_string(), format::date_time)}</td>
                                            <td class="nowrap">{item.done_at.as_deref().map_or_else(|| "Not yet".to_string(), format::date_time)}</td>
                                            <td>{status}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </div>
        </li>
    }
}

// ---------------------------------------------------------------------------------------------
// Drill-down
// ---------------------------------------------------------------------------------------------

/// The rows behind a figure; the net change gathers the five movements, losses negative.
async fn figure_rows(
    figure: String,
    as_of: Option<String>,
    period: String,
) -> Result<Vec<DashboardRow>, ApiError> {
    if figure != NET_MRR {
        return api::dashboard_rows(figure, as_of, period).await;
    }
    let mut rows = Vec::new();
    for (part, takes_away) in NET_PARTS {
        let found = api::dashboard_rows(part.to_string(), as_of.clone(), period.clone()).await?;
        rows.extend(found.into_iter().map(|mut row| {
            if takes_away {
                row.amount_functional = loss(&row.amount_functional);
            }
            row
        }));
    }
    Ok(rows)
}

#[component]
fn DrillPanel(
    figure: String,
    filters: Memo<DashboardFilters>,
    tick: RwSignal<u32>,
    shown_as_of: Signal<Option<String>>,
) -> impl IntoView {
    let panel = NodeRef::<leptos::html::Section>::new();
    let key = StoredValue::new(figure.clone());
    let rows = LocalResource::new(move || {
        tick.track();
        let (as_of, period) = filters.with(|f| (f.as_of.clone(), f.period.clone()));
        figure_rows(key.get_value(), as_of, period)
    });
    // Bring the rows into view: they open above the sections the reader clicked in.
    Effect::new(move |_| {
        if let Some(element) = panel.get() {
            element.scroll_into_view();
        }
    });
    let close_href = move || filters.with(|f| f.figure_href(None));
    let label = figure_label(&figure);
    view! {
        <section class="panel drill" node_ref=panel data-test="dashboard-drilldown" data-figure=figure.clone() aria-live="polite">
            <div class="panel-header">
                <h2>{format!("{label}: the rows behind it")}</h2>
                <a class="button button-quiet" href=close_href data-action="close-drill">"Close"</a>
            </div>
            <p class="muted small">
                {move || format!(
                    "{} to {}.",
                    filters.with(|f| period_label(&f.period)),
                    shown_as_of.get().as_deref().map_or_else(|| "today".to_string(), format::date)
                )}
            </p>
            {move || match rows.get() {
                None => view! { <LoadingRows columns=6 rows=4 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| rows.refetch()) /> }.into_any(),
                Some(Ok(found)) if found.is_empty() => view! {
                    <EmptyState
                        title="No rows behind this figure"
                        hint="Nothing counted towards it in this window. Choose a longer window or another date."
                    />
                }.into_any(),
                Some(Ok(found)) => {
                    let as_of = shown_as_of.get_untracked().unwrap_or_else(format::today_iso);
                    let export = drill_csv_rows(&found, key.get_value().as_str(), &as_of);
                    let filename = format!("dashboard-{}-{as_of}.csv", key.get_value().to_lowercase().replace('_', "-"));
                    view! {
                        <DrillTable rows=found />
                        <div class="pager">
                            <span class="muted small">"At most 500 rows are listed per figure."</span>
                            <ExportCsv filename=filename header=&DRILL_CSV_HEADER rows=export />
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn DrillTable(rows: Vec<DashboardRow>) -> impl IntoView {
    let count = rows.len();
    let total = totals_by_currency(rows.iter().map(|row| &row.amount_functional))
        .map(|totals| {
            totals
                .iter()
                .map(Money::display)
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .unwrap_or_else(|| "—".to_string());
    let functional = rows
        .first()
        .map(|row| row.amount_functional.currency.clone())
        .unwrap_or_default();
    view! {
        <table class="table" data-test="dashboard-rows">
            <thead>
                <tr>
                    <th scope="col">"Reference"</th>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Date"</th>
                    <th scope="col">"Detail"</th>
                    <th scope="col" class="num">"Amount"</th>
                    <th scope="col" class="num">{format!("In {functional}")}</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr>
                        <td class="nowrap">
                            {match row.link {
                                Some(link) => view! { <a href=link>{row.reference}</a> }.into_any(),
                                None => view! { <span>{row.reference}</span> }.into_any(),
                            }}
                        </td>
                        <td>
                            {match row.customer_id {
                                Some(id) => view! { <a href=format!("/customers/{id}")>{row.customer_name}</a> }.into_any(),
                                None => view! { <span>{row.customer_name}</span> }.into_any(),
                            }}
                        </td>
                        <td class="nowrap">{row.date.as_deref().map_or_else(|| "—".to_string(), format::date)}</td>
                        <td>{row.detail}</td>
                        <MoneyCell money=row.amount />
                        <MoneyCell money=Some(row.amount_functional) />
                    </tr>
                }).collect_view()}
            </tbody>
            <tfoot>
                <tr class="total-row">
                    <th scope="row" colspan="5">{format!("Total of {}", count_text(count as i64, "row", "rows"))}</th>
                    <td class="num">{total}</td>
                </tr>
            </tfoot>
        </table>
    }
}

const DRILL_CSV_HEADER: [&str; 10] = [
    "figure",
    "reference",
    "customer_id",
    "customer",
    "date",
    "detail",
    "amount",
    "currency",
    "amount_functional",
    "functional_currency",
];

fn drill_csv_rows(rows: &[DashboardRow], figure: &str, _as_of: &str) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| {
            vec![
                figure.to_string(),
                row.reference.clone(),
                row.customer_id.clone().unwrap_or_default(),
                row.customer_name.clone(),
                row.date.clone().unwrap_or_default(),
                row.detail.clone(),
                row.amount
                    .as_ref()
                    .map(|m| m.amount.clone())
                    .unwrap_or_default(),
                row.amount
                    .as_ref()
                    .map(|m| m.currency.clone())
                    .unwrap_or_default(),
                row.amount_functional.amount.clone(),
                row.amount_functional.currency.clone(),
            ]
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

const DASHBOARD_CSV_HEADER: [&str; 6] =
    ["section", "figure", "value", "currency", "as_of", "period"];

/// Every figure on the dashboard as one row: amounts as plain decimals with their currency,
/// counts and percentages without one.
fn dashboard_csv_rows(d: &Dashboard) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut money = |section: &str, figure: &str, value: &Money| {
        rows.push(vec![
            section.to_string(),
            figure.to_string(),
            value.amount.clone(),
            value.currency.clone(),
            d.as_of.clone(),
            d.period.clone(),
        ]);
    };
    if let Some(revenue) = &d.revenue {
        let bridge = &revenue.movements;
        money("revenue", "MRR", &revenue.mrr);
        money("revenue", "ARR", &revenue.arr);
        money("revenue", "Opening MRR", &bridge.opening);
        money("revenue", "New MRR", &bridge.new);
        money("revenue", "Reactivation MRR", &bridge.reactivation);
        money("revenue", "Expansion MRR", &bridge.expansion);
        money("revenue", "Contraction MRR", &bridge.contraction);
        money("revenue", "Churned MRR", &bridge.churn);
        money("revenue", "Net MRR change", &bridge.net_change);
        money("revenue", "Closing MRR", &bridge.closing);
    }
    if let Some(invoicing) = &d.invoicing {
        money("invoicing", "Issued total", &invoicing.issued_total);
        money("invoicing", "Paid total", &invoicing.paid_total);
        money(
            "invoicing",
            "Outstanding total",
            &invoicing.outstanding_total,
        );
        money("invoicing", "Overdue total", &invoicing.overdue_total);
    }
    if let Some(aging) = &d.aging {
        for line in &aging.lines {
            money("aging", &line.label, &line.amount);
        }
        money("aging", "Total", &aging.total);
    }
    if let Some(commissions) = &d.commissions {
        money(
            "commissions",
            "Earned month to date",
            &commissions.earned_month_to_date,
        );
        money("commissions", "Payable", &commissions.payable);
    }
    if let Some(alerts) = &d.alerts {
        money(
            "alerts",
            "Renewals due in 30 days ARR",
            &alerts.renewals_arr,
        );
        money("alerts", "ARR at risk", &alerts.arr_at_risk);
        money(
            "alerts",
            "Blocked for missing PO",
            &alerts.blocked_po_amount,
        );
    }
    let mut plain = |section: &str, figure: &str, value: String| {
        rows.push(vec![
            section.to_string(),
            figure.to_string(),
            value,
            String::new(),
            d.as_of.clone(),
            d.period.clone(),
        ]);
    };
    if let Some(revenue) = &d.revenue {
        plain(
            "revenue",
            "Paying customers",
            revenue.paying_customers.to_string(),
        );
        if let Some(percent) = &revenue.movements.net_percent {
            plain("revenue", "Net MRR change percent", percent.clone());
        }
    }
    if let Some(invoicing) = &d.invoicing {
        plain(
            "invoicing",
            "Issued count",
            invoicing.issued_count.to_string(),
        );
        plain("invoicing", "Paid count", invoicing.paid_count.to_string());
        if let Some(days) = &invoicing.average_days_to_pay {
            plain("invoicing", "Average days to pay", days.clone());
        }
        plain(
            "invoicing",
            "Outstanding count",
            invoicing.outstanding_count.to_string(),
        );
        plain(
            "invoicing",
            "Overdue count",
            invoicing.overdue_count.to_string(),
        );
        plain(
            "invoicing",
            "Over 60 days to escalate",
            invoicing.over60_count.to_string(),
        );
    }
    if let Some(aging) = &d.aging {
        for line in &aging.lines {
            plain(
                "aging",
                &format!("{} percent of AR", line.label),
                line.percent.clone(),
            );
            plain(
                "aging",
                &format!("{} invoices", line.label),
                line.count.to_string(),
            );
        }
    }
    if let Some(commissions) = &d.commissions {
        plain(
            "commissions",
            "Next payout date",
            commissions.next_payout_date.clone(),
        );
        plain(
            "commissions",
            "Open disputes",
            commissions.open_disputes.to_string(),
        );
        plain(
            "commissions",
            "Overdue disputes",
            commissions.overdue_disputes.to_string(),
        );
    }
    if let Some(alerts) = &d.alerts {
        plain(
            "alerts",
            "Renewals due in 30 days",
            alerts.renewals_due.to_string(),
        );
        plain(
            "alerts",
            "Renewals at risk",
            alerts.renewals_at_risk.to_string(),
        );
        plain(
            "alerts",
            "Invoices blocked for missing PO",
            alerts.blocked_po_count.to_string(),
        );
        plain(
            "alerts",
            "Customers on credit hold",
            alerts.credit_holds.len().to_string(),
        );
    }
    if let Some(rules) = &d.quality {
        for rule in rules {
            plain(
                "quality",
                &rule.title,
                if rule.met {
                    "met".to_string()
                } else {
                    format!("late ({})", rule.late)
                },
            );
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_has_a_name_and_buckets_open_their_figure() {
        for (key, _) in FIGURES {
            assert!(is_figure(key));
            assert_ne!(figure_label(key), "Figure");
        }
        assert!(is_figure(NET_MRR));
        assert!(!is_figure("SOMETHING_ELSE"));
        assert_eq!(bucket_figure("DAYS_61_TO_90"), "AGING_61_TO_90");
        assert_eq!(bucket_figure("OVER_90"), "AGING_OVER_90");
    }

    #[test]
    fn changes_carry_their_sign() {
        let usd = |amount: &str| Money {
            amount: amount.into(),
            currency: "USD".into(),
        };
        assert_eq!(signed(&usd("225.00")), "+$225.00");
        assert_eq!(signed(&usd("-25.00")), "-$25.00");
        assert_eq!(signed(&usd("0.00")), "$0.00");
        assert_eq!(loss(&usd("25.00")).amount, "-25.00");
        assert_eq!(loss(&usd("0.00")).amount, "0.00");
    }
}
