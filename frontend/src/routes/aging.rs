//! AR aging: the as-of date and basis, all open AR with its total row, per currency a bar chart
//! and totals, the customers
//! table, and the invoices behind any figure. Everything the reader chose (date, basis,
//! search, page, drill-down) lives in the URL, so a link shows the same figures to a colleague.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    params::ParamsMap,
    NavigateOptions,
};

use crate::{
    api::{
        self, AgedInvoice, AgingDrill, AgingReport, AgingSummary, AgingView, CustomerAging,
        AGING_BUCKETS,
    },
    app::RequirePermission,
    components::{
        aging::{
            bucket_label, ordered, AgingChart, AgingOverall, AgingTotals, BucketName, FigureLink,
        },
        export::ExportCsv,
        money::MoneyCell,
        pager::Pager,
        states::{EmptyState, ErrorPanel, LoadingPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format,
    routes::{href_with_query, page_offset, CursorTrail, Debounce},
};

const PAGE_SIZE: usize = 25;
const BASES: [(&str, &str); 2] = [("INVOICE_DATE", "Invoice date"), ("DUE_DATE", "Due date")];

/// The page's state as it stands in the URL.
#[derive(Clone, Debug, PartialEq)]
pub struct AgingFilters {
    /// None: today on the server's business calendar (the report says which date that is).
    pub as_of: Option<String>,
    pub basis: String,
    pub search: Option<String>,
    pub after: Option<String>,
    pub drill: AgingDrill,
}

impl AgingFilters {
    fn from_query(query: &ParamsMap) -> Self {
        let non_empty = |key: &str| query.get(key).filter(|value| !value.is_empty());
        Self {
            as_of: non_empty("asOf").filter(|date| date.len() == 10),
            basis: non_empty("basis")
                .filter(|basis| BASES.iter().any(|(value, _)| value == basis))
                .unwrap_or_else(|| "INVOICE_DATE".to_string()),
            search: non_empty("q"),
            after: non_empty("after"),
            drill: AgingDrill {
                customer_id: non_empty("customer"),
                currency: non_empty("currency"),
                bucket: non_empty("bucket")
                    .filter(|bucket| AGING_BUCKETS.contains(&bucket.as_str())),
            },
        }
    }

    pub fn href(&self) -> String {
        href_with_query(
            "/receivables/aging",
            &[
                ("asOf", self.as_of.clone()),
                ("basis", Some(self.basis.clone())),
                ("q", self.search.clone()),
                ("after", self.after.clone()),
                ("customer", self.drill.customer_id.clone()),
                ("currency", self.drill.currency.clone()),
                ("bucket", self.drill.bucket.clone()),
            ],
        )
    }

    /// The same page with the invoices behind one figure open.
    fn drill_href(&self, drill: AgingDrill) -> String {
        Self {
            drill,
            ..self.clone()
        }
        .href()
    }

    fn view(&self) -> AgingView {
        AgingView {
            as_of: self.as_of.clone(),
            basis: self.basis.clone(),
        }
    }

    fn is_drilling(&self) -> bool {
        self.drill.customer_id.is_some() || self.drill.currency.is_some()
    }
}

/// The aging page's address for one customer's figures (the customer page links here).
pub fn customer_aging_href(customer_id: &str, currency: &str, bucket: Option<&str>) -> String {
    AgingFilters {
        as_of: None,
        basis: "INVOICE_DATE".to_string(),
        search: None,
        after: None,
        drill: AgingDrill {
            customer_id: Some(customer_id.to_string()),
            currency: Some(currency.to_string()),
            bucket: bucket.map(str::to_string),
        },
    }
    .href()
}

#[component]
pub fn AgingPage() -> impl IntoView {
    view! {
        <RequirePermission permission="RECEIVABLES_READ">
            <AgingBoard />
        </RequirePermission>
    }
}

fn date_or_today(date: Option<String>) -> String {
    date.as_deref()
        .map_or_else(|| "today".to_string(), format::date)
}

fn basis_words(basis: &str) -> &'static str {
    if basis == "DUE_DATE" {
        "aged by days past due"
    } else {
        "aged by days since the invoice date"
    }
}

#[component]
fn AgingBoard() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let filters = Memo::new(move |_| query.with(AgingFilters::from_query));
    let view_memo = Memo::new(move |_| filters.with(AgingFilters::view));
    let search = Memo::new(move |_| filters.with(|f| f.search.clone()));
    let after = Memo::new(move |_| filters.with(|f| f.after.clone()));
    // The drill-down is drawn anew for another figure, date or basis, not for a new page of
    // customers.
    let drill =
        Memo::new(move |_| filters.with(|f| f.is_drilling().then(|| (f.drill.clone(), f.view()))));
    let report = LocalResource::new(move || api::ar_aging(view_memo.get()));
    // The date the figures are for: the one chosen, else the server's today once it answered.
    let shown_as_of = Signal::derive(move || {
        filters
            .with(|f| f.as_of.clone())
            .or_else(|| report.get().and_then(Result::ok).map(|r| r.as_of))
    });
    let customers = LocalResource::new(move || {
        api::ar_aging_customers(view_memo.get(), search.get(), PAGE_SIZE as u32, after.get())
    });
    let typed = RwSignal::new(search.get_untracked().unwrap_or_default());
    let trail = CursorTrail::new();
    let debounce = Debounce::new();

    let go = move |next: AgingFilters| {
        navigate(
            &next.href(),
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    // A new date, basis or search starts the customers table from its first page.
    let refilter = {
        let go = go.clone();
        move |change: &dyn Fn(&mut AgingFilters)| {
            let mut next = filters.get_untracked();
            change(&mut next);
            next.after = None;
            trail.0.set(Vec::new());
            go(next);
        }
    };
    let on_date = {
        let refilter = refilter.clone();
        move |event: leptos::ev::Event| {
            let date = event_target_value(&event);
            if date.len() == 10 {
                refilter(&|f: &mut AgingFilters| f.as_of = Some(date.clone()));
            }
        }
    };
    let on_search = {
        let refilter = refilter.clone();
        move |_| {
            let refilter = refilter.clone();
            debounce.run(Duration::from_millis(300), move || {
                let term = typed.get_untracked().trim().to_string();
                refilter(&|f: &mut AgingFilters| {
                    f.search = Some(term.clone()).filter(|t| !t.is_empty())
                });
            });
        }
    };
    let on_next = {
        let go = go.clone();
        Callback::new(move |next: Option<String>| {
            trail.0.update(|trail| trail.push(after.get_untracked()));
            let mut filters = filters.get_untracked();
            filters.after = next;
            go(filters);
        })
    };
    let on_previous = Callback::new(move |()| {
        let previous = trail.0.try_update(Vec::pop).flatten().flatten();
        let mut filters = filters.get_untracked();
        filters.after = previous;
        go(filters);
    });

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"AR aging"</h1>
                    <p class="muted">
                        {move || format!(
                            "Open receivables on {}, {}. Click any figure to see the invoices behind it.",
                            date_or_today(shown_as_of.get()),
                            filters.with(|f| basis_words(&f.basis))
                        )}
                    </p>
                </div>
            </header>
            <div class="toolbar">
                <div class="field field-inline">
                    <label for="aging-as-of">"As of"</label>
                    <input id="aging-as-of" type="date" prop:value=move || shown_as_of.get().unwrap_or_default() on:change=on_date />
                </div>
                <div class="field field-inline">
                    <span class="field-label" id="aging-basis-label">"Age counted from"</span>
                    <div class="segmented" role="group" aria-labelledby="aging-basis-label">
                        {BASES.iter().map(|(value, label)| {
                            let refilter = refilter.clone();
                            let value = *value;
                            let selected = move || filters.with(|f| f.basis == value);
                            view! {
                                <button
                                    type="button"
                                    class="segment"
                                    class:selected=selected
                                    aria-pressed=move || if selected() { "true" } else { "false" }
                                    data-basis=value
                                    on:click=move |_| refilter(&|f: &mut AgingFilters| f.basis = value.to_string())
                                >
                                    {*label}
                                </button>
                            }
                        }).collect_view()}
                    </div>
                </div>
            </div>
            {move || match report.get() {
                None => view! { <LoadingPanel label="Loading the aging report…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| report.refetch()) /> }.into_any(),
                Some(Ok(report)) => {
                    // Its links carry the rest of the page's state, so they are redrawn with it.
                    filters.track();
                    view! { <AgingReportView report=report filters=filters /> }.into_any()
                }
            }}
            {move || drill.get().map(|(drill, view)| view! {
                <DrillPanel drill=drill view=view filters=filters shown_as_of=shown_as_of />
            })}
            <section class="section" data-test="aging-customers">
                <h2>"By customer"</h2>
                <div class="toolbar">
                    <div class="field field-inline search">
                        <label for="aging-search">"Search customers"</label>
                        <input id="aging-search" type="search" placeholder="Legal name" bind:value=typed on:input=on_search />
                    </div>
                </div>
                {move || match customers.get() {
                    None => view! { <LoadingRows columns=8 /> }.into_any(),
                    Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| customers.refetch()) /> }.into_any(),
                    Some(Ok(connection)) if connection.nodes.is_empty() => {
                        let (title, hint) = if search.get_untracked().is_some() {
                            ("No customer with open AR matches this search", "Clear the search to see every customer with an open balance.")
                        } else {
                            ("No customer has an open balance on this date", "Customers appear here once an issued invoice is unpaid on the as-of date. Try a later date.")
                        };
                        view! { <EmptyState title=title hint=hint /> }.into_any()
                    }
                    Some(Ok(connection)) => {
                        let shown = connection.nodes.len();
                        let next_cursor = connection.page_info.end_cursor.clone();
                        let current = filters.get_untracked();
                        let as_of = shown_as_of.get().unwrap_or_else(format::today_iso);
                        let export_rows = customer_csv_rows(&connection.nodes, &as_of, &current.basis);
                        view! {
                            <CustomerAgingTable rows=connection.nodes filters=current.clone() />
                            <Pager
                                shown=shown
                                offset=page_offset(trail, after.get_untracked(), PAGE_SIZE)
                                total=connection.total_count
                                has_previous=!trail.0.with(Vec::is_empty)
                                has_next=connection.page_info.has_next_page
                                on_previous=on_previous
                                on_next=Callback::new(move |()| on_next.run(next_cursor.clone()))
                            >
                                <ExportCsv filename=format!("ar-aging-{as_of}.csv") header=&CUSTOMER_CSV_HEADER rows=export_rows />
                            </Pager>
                        }.into_any()
                    }
                }}
            </section>
        </div>
    }
}

/// All open AR with its total row, then one section per currency with its chart: the figures are
/// never added across currencies.
#[component]
fn AgingReportView(report: AgingReport, filters: Memo<AgingFilters>) -> impl IntoView {
    if report.currencies.is_empty() {
        return view! {
            <div data-test="aging-report">
                <EmptyState
                    title=format!("No open receivables on {}", format::date(&report.as_of))
                    hint="Issued invoices that are not fully paid appear here. Choose a later date if invoices were issued after this one."
                />
            </div>
        }
        .into_any();
    }
    let as_of = report.as_of.clone();
    let basis = report.basis.clone();
    let summaries: Vec<AgingSummary> = report.currencies.into_iter().map(ordered).collect();
    let (functional, functional_warnings) = (report.functional, report.functional_warnings);
    let overall_href = Callback::new(move |(currency, bucket): (String, Option<String>)| {
        filters.with_untracked(|f| {
            f.drill_href(AgingDrill {
                customer_id: None,
                currency: Some(currency),
                bucket,
            })
        })
    });
    view! {
        <div class="aging-report" data-test="aging-report">
            <AgingOverall
                summaries=summaries.clone()
                functional=functional
                warnings=functional_warnings
                as_of=as_of.clone()
                href=overall_href
            />
            {summaries.into_iter().map(|summary| {
                let currency = summary.currency.clone();
                let chart_href = {
                    let currency = currency.clone();
                    Callback::new(move |bucket: String| {
                        filters.with_untracked(|f| f.drill_href(AgingDrill {
                            customer_id: None,
                            currency: Some(currency.clone()),
                            bucket: Some(bucket),
                        }))
                    })
                };
                let totals_href = {
                    let currency = currency.clone();
                    Callback::new(move |bucket: Option<String>| {
                        filters.with_untracked(|f| f.drill_href(AgingDrill {
                            customer_id: None,
                            currency: Some(currency.clone()),
                            bucket,
                        }))
                    })
                };
                view! {
                    <section class="panel aging-currency" data-currency=currency.clone()>
                        <h2>
                            {format!("{currency} · {} open in {} invoice(s)", summary.total.display(), summary.count)}
                        </h2>
                        <p class="muted small">{format!("As of {}, {}.", format::date(&as_of), basis_words(&basis))}</p>
                        <AgingChart summary=summary.clone() basis=basis.clone() href=chart_href />
                        <AgingTotals summary=summary href=totals_href />
                    </section>
                }
            }).collect_view()}
        </div>
    }
    .into_any()
}

const CUSTOMER_CSV_HEADER: [&str; 11] = [
    "customer_id",
    "customer",
    "currency",
    "current",
    "days_31_to_60",
    "days_61_to_90",
    "over_90",
    "total",
    "invoices",
    "as_of",
    "basis",
];

fn customer_csv_rows(rows: &[CustomerAging], as_of: &str, basis: &str) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| {
            let aging = ordered(row.aging.clone());
            let mut fields = vec![
                row.customer_id.clone(),
                row.legal_name.clone(),
                aging.currency.clone(),
            ];
            fields.extend(aging.buckets.iter().map(|b| b.amount.amount.clone()));
            fields.extend([
                aging.total.amount.clone(),
                aging.count.to_string(),
                as_of.to_string(),
                basis.to_string(),
            ]);
            fields
        })
        .collect()
}

#[component]
fn CustomerAgingTable(rows: Vec<CustomerAging>, filters: AgingFilters) -> impl IntoView {
    view! {
        <table class="table" data-test="aging-customer-table">
            <thead>
                <tr>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Currency"</th>
                    {AGING_BUCKETS.iter().map(|bucket| view! {
                        <th scope="col" class="num"><BucketName bucket=bucket.to_string() /></th>
                    }).collect_view()}
                    <th scope="col" class="num">"Total"</th>
                    <th scope="col" class="num">"Invoices"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let aging = ordered(row.aging);
                    let drill = |bucket: Option<String>| AgingDrill {
                        customer_id: Some(row.customer_id.clone()),
                        currency: Some(aging.currency.clone()),
                        bucket,
                    };
                    let total_href = filters.drill_href(drill(None));
                    view! {
                        <tr data-customer-id=row.customer_id.clone()>
                            <td>
                                <a href=format!("/customers/{}", row.customer_id)>{row.legal_name.clone()}</a>
                                {row.on_credit_hold.then(|| view! { " " <Badge tone=Tone::Danger label="On hold" /> })}
                            </td>
                            <td>{aging.currency.clone()}</td>
                            {aging.buckets.iter().map(|bucket| view! {
                                <td class="num">
                                    <FigureLink
                                        href=filters.drill_href(drill(Some(bucket.bucket.clone())))
                                        count=bucket.count
                                        text=bucket.amount.display()
                                    />
                                </td>
                            }).collect_view()}
                            <td class="num strong">
                                <FigureLink href=total_href count=aging.count text=aging.total.display() />
                            </td>
                            <td class="num">{aging.count}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// What the drill-down shows in its heading: whose, which currency and which bucket.
fn drill_title(drill: &AgingDrill, customer_name: Option<String>) -> String {
    let whose = match (&drill.customer_id, customer_name) {
        (Some(_), Some(name)) => name,
        (Some(id), None) => format!("Customer {id}"),
        (None, _) => "All customers".to_string(),
    };
    let bucket = drill.bucket.as_deref().map_or("all ages", bucket_label);
    match &drill.currency {
        Some(currency) => format!("{whose} · {currency} · {bucket}"),
        None => format!("{whose} · {bucket}"),
    }
}

/// The invoices behind one aging figure, with what was open on the aging date.
#[component]
fn DrillPanel(
    drill: AgingDrill,
    view: AgingView,
    filters: Memo<AgingFilters>,
    shown_as_of: Signal<Option<String>>,
) -> impl IntoView {
    let panel = NodeRef::<leptos::html::Section>::new();
    let cursor = RwSignal::new(None::<String>);
    let trail = CursorTrail::new();
    let days_header = if view.basis == "DUE_DATE" {
        "Days past due"
    } else {
        "Days old"
    };
    let view_value = view;
    let invoices = {
        let drill = drill.clone();
        LocalResource::new(move || {
            let (view, drill, after) = (view_value.clone(), drill.clone(), cursor.get());
            async move {
                let page = api::ar_aging_invoices(view, drill, after).await?;
                let names =
                    api::customer_names(page.nodes.iter().map(|i| i.customer_id.clone()).collect())
                        .await
                        .unwrap_or_default();
                Ok::<_, api::ApiError>((page, names))
            }
        })
    };
    // Bring the list into view: it opens above the table the reader clicked in.
    Effect::new(move |_| {
        if let Some(element) = panel.get() {
            element.scroll_into_view();
        }
    });
    let close_href = move || filters.with(|f| f.drill_href(AgingDrill::default()));
    let heading_drill = drill.clone();
    view! {
        <section class="panel drill" node_ref=panel data-test="aging-drilldown" aria-live="polite">
            <div class="panel-header">
                <h2>
                    {move || {
                        let name = heading_drill.customer_id.as_ref().and_then(|id| {
                            invoices.get().and_then(Result::ok).and_then(|(_, names)| names.get(id).cloned())
                        });
                        drill_title(&heading_drill, name)
                    }}
                </h2>
                <a class="button button-quiet" href=close_href data-action="close-drill">"Close"</a>
            </div>
            <p class="muted small">{move || format!("Open on {}; oldest first.", date_or_today(shown_as_of.get()))}</p>
            {move || match invoices.get() {
                None => view! { <LoadingRows columns=7 rows=4 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| invoices.refetch()) /> }.into_any(),
                Some(Ok((page, _))) if page.nodes.is_empty() => view! {
                    <EmptyState title="No invoices behind this figure" hint="Nothing was open in this bucket on the as-of date. Choose another figure or date." />
                }.into_any(),
                Some(Ok((page, names))) => {
                    let shown = page.nodes.len();
                    let next_cursor = page.page_info.end_cursor.clone();
                    let export_rows = drill_csv_rows(&page.nodes, &names);
                    let filename = format!(
                        "ar-aging-invoices-{}.csv",
                        shown_as_of.get_untracked().unwrap_or_else(format::today_iso)
                    );
                    view! {
                        <AgedInvoiceTable rows=page.nodes names=names days_header=days_header />
                        <Pager
                            shown=shown
                            offset=page_offset(trail, cursor.get_untracked(), 50)
                            total=page.total_count
                            has_previous=!trail.0.with(Vec::is_empty)
                            has_next=page.page_info.has_next_page
                            on_previous=Callback::new(move |()| {
                                let previous = trail.0.try_update(Vec::pop).flatten().flatten();
                                cursor.set(previous);
                            })
                            on_next=Callback::new(move |()| {
                                trail.0.update(|trail| trail.push(cursor.get_untracked()));
                                cursor.set(next_cursor.clone());
                            })
                        >
                            <ExportCsv filename=filename header=&DRILL_CSV_HEADER rows=export_rows />
                        </Pager>
                    }.into_any()
                }
            }}
        </section>
    }
}

const DRILL_CSV_HEADER: [&str; 9] = [
    "invoice_id",
    "number",
    "customer",
    "invoice_date",
    "due_date",
    "days",
    "bucket",
    "open",
    "currency",
];

fn drill_csv_rows(
    rows: &[AgedInvoice],
    names: &std::collections::HashMap<String, String>,
) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| {
            vec![
                row.invoice_id.clone(),
                row.number.clone(),
                names.get(&row.customer_id).cloned().unwrap_or_default(),
                row.invoice_date.clone(),
                row.due_date.clone(),
                row.days.to_string(),
                row.bucket.clone(),
                row.open.amount.clone(),
                row.open.currency.clone(),
            ]
        })
        .collect()
}

#[component]
fn AgedInvoiceTable(
    rows: Vec<AgedInvoice>,
    names: std::collections::HashMap<String, String>,
    days_header: &'static str,
) -> impl IntoView {
    let total = crate::components::money::totals_text(rows.iter().map(|row| &row.open));
    view! {
        <table class="table" data-test="aged-invoice-table">
            <thead>
                <tr>
                    <th scope="col">"Invoice"</th>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Invoice date"</th>
                    <th scope="col">"Due"</th>
                    <th scope="col" class="num">{days_header}</th>
                    <th scope="col">"Bucket"</th>
                    <th scope="col" class="num">"Open on the date"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let name = names.get(&row.customer_id).cloned().unwrap_or_else(|| format!("Customer {}", row.customer_id));
                    view! {
                        <tr>
                            <td class="nowrap"><a href=format!("/invoices/{}", row.invoice_id)>{row.number}</a></td>
                            <td><a href=format!("/customers/{}", row.customer_id)>{name}</a></td>
                            <td class="nowrap">{format::date(&row.invoice_date)}</td>
                            <td class="nowrap">{format::date(&row.due_date)}</td>
                            <td class="num">{row.days}</td>
                            <td class="nowrap"><BucketName bucket=row.bucket /></td>
                            <MoneyCell money=Some(row.open) />
                        </tr>
                    }
                }).collect_view()}
            </tbody>
            <tfoot>
                <tr class="total-row">
                    <th scope="row" colspan="6">"Total on this page"</th>
                    <td class="num">{total}</td>
                </tr>
            </tfoot>
        </table>
    }
}
