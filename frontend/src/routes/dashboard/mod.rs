//! The Revenue Ops dashboard: revenue (MRR, ARR and the MRR bridge), invoicing, AR aging,
//! commissions, alerts and the quality rules, for an as-of date and a to-date window, with the
//! sections the reader's role sees. Every figure opens the rows behind it; the charts show the
//! MRR movements of the last twelve months, the aging buckets and the renewals of the next
//! ninety days. The page reloads its figures when something posts to the ledger (the
//! `booksChanged` subscription), or every minute when the live feed cannot connect. The date, window
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
        DashboardCommissions, DashboardInvoicing, DashboardOverLimitCustomer, DashboardRevenue,
        DashboardRow, Money, QualityRule, Renewal, DASHBOARD_PERIODS,
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
    // Every tick reloads the figures: when something posts to the ledger (the live feed), on
    // "Refresh", and once a minute only while the live feed is not connected.
    let tick = RwSignal::new(0_u32);
    let loaded_at = RwSignal::new(None::<String>);
    let refreshing = RwSignal::new(false);
    let live_feed = RwSignal::new(false);
    let feed = crate::live::books_changed(
        move || {
            tick.try_update(|count| *count += 1);
        },
        move |_| {
            live_feed.try_set(false);
        },
    );
    live_feed.set(feed.is_some());
    let feed = StoredValue::new_local(feed);
    on_cleanup(move || drop(feed.try_update_value(Option::take)));
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if live_feed.try_get_untracked() == Some(false) {
                tick.try_update(|count| *count += 1);
            }
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
    // Customers over their credit limit are asked for beside the dashboard (reading every
    // running line), for the dashboard's date, once it shows alerts.
    let alerts_as_of = Memo::new(move |_| {
        loaded.with(|d| {
            d.as_ref()
                .filter(|d| d.alerts.is_some())
                .map(|d| d.as_of.clone())
        })
    });
    let over_limit = LocalResource::new(move || {
        tick.track();
        let as_of = alerts_as_of.get();
        async move {
            match as_of {
                Some(as_of) => api::customers_over_credit_limit(as_of).await.map(Some),
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
                    <span class="muted small" data-test="loaded-at" aria-live="polite" title=move || if live_feed.get() { "Reloads as soon as anything posts to the ledger" } else { "Reloads every minute" }>
                        {move || match (refreshing.get(), loaded_at.get()) {
                            (true, _) => "Refreshing…".to_string(),
                            (false, Some(time)) if live_feed.get() => format!("As of {time} · live"),
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
                            over_limit=over_limit
                            expanded=expanded
                        />
                    }.into_any()
                }
            }}
        </div>
    }
}

/// The customers over their credit limit, read beside the dashboard.
type OverLimitResource = LocalResource<Result<Option<Vec<DashboardOverLimitCustomer>>, ApiError>>;

#[component]
fn DashboardView(
    dashboard: Dashboard,
    filters: DashboardFilters,
    movements: LocalResource<Result<Option<Vec<api::MrrMonth>>, ApiError>>,
    renewals: LocalResource<Result<Option<Vec<Renewal>>, ApiError>>,
    over_limit: OverLimitResource,
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
            <AlertsSection alerts=alerts link=link renewals=renewals over_limit=over_limit currency=currency.clone() />
        })}
        {dashboard.quality.clone().map(|rules| view! {
            <QualitySection rules=rules expanded=expanded />
        })}
    }
}

mod drill;
mod export;
mod sections;

use drill::*;
use export::*;
use sections::*;

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
