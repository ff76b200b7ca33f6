//! The renewal pipeline: the contracts renewing in the next 30, 60 or 90 days, 6 or 12 months
//! (`?days=` up to 365, as the API reads) with their Green / Yellow / Red status, the suggestion and its signals, the owner and the last contact. Window,
//! filters, sort order, page and the renewal opened all live in the URL (`?contract=ID` is what
//! alert links use). The renewal opened shows its history and, for those who may, forms to set
//! its status, log a contact and renew it into the next term after confirming the new ARR.

use std::time::Duration;

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    params::ParamsMap,
    NavigateOptions,
};
use wasm_bindgen::JsCast;

use crate::{
    api::{
        self, renewal_window, ApiError, Money, Renewal, RenewalEvent, RenewalPreview,
        RenewedContract, CONTACT_KINDS, RENEWAL_STATUSES, RENEWAL_WINDOWS,
    },
    app::RequirePermission,
    components::{
        export::ExportCsv,
        field::{focus_first_invalid, non_empty, SelectField, TextAreaField, TextField},
        money::{totals_by_currency, MoneyCell},
        pager::Pager,
        renewals::{alerts_text, contact_label, days_text, status_label, RenewalStatusBadge},
        revenue::{is_month, month_of},
        sort::{compare_amounts, SortHeader, SortOrder},
        states::{ActionError, EmptyState, ErrorPanel, LoadingPanel, LoadingRows},
        status::HoldBadge,
    },
    format,
    routes::{href_with_query, new_idempotency_key, Debounce},
    session,
};

const PAGE_SIZE: usize = 50;
const SORT_KEYS: [&str; 9] = [
    "customer",
    "contract",
    "arr",
    "renewal",
    "status",
    "suggested",
    "owner",
    "contact",
    "alerts",
];
/// The owner filter's value for renewals nobody owns.
const UNASSIGNED: &str = "none";

/// The page's state as it stands in the URL.
#[derive(Clone, Debug, PartialEq)]
struct RenewalFilters {
    days: u32,
    status: Option<String>,
    owner: Option<String>,
    search: Option<String>,
    /// A renewal month ("2026-12"), from the dashboard's renewals by month.
    month: Option<String>,
    sort: SortOrder,
    page: usize,
    /// The renewal opened in the detail panel.
    contract: Option<String>,
}

impl RenewalFilters {
    fn from_query(query: &ParamsMap) -> Self {
        let non_empty = |key: &str| query.get(key).filter(|value| !value.is_empty());
        Self {
            days: renewal_window(non_empty("days").as_deref()),
            status: non_empty("status")
                .filter(|status| RENEWAL_STATUSES.contains(&status.as_str())),
            owner: non_empty("owner"),
            search: non_empty("q"),
            month: non_empty("month").filter(|month| is_month(month)),
            sort: SortOrder::from_query(
                non_empty("sort"),
                non_empty("dir"),
                &SORT_KEYS,
                ("renewal", false),
            ),
            page: non_empty("page")
                .and_then(|page| page.parse::<usize>().ok())
                .filter(|page| *page >= 1)
                .unwrap_or(1),
            contract: non_empty("contract"),
        }
    }

    fn href(&self) -> String {
        let default_sort = self.sort.key == "renewal" && !self.sort.descending;
        href_with_query(
            "/renewals",
            &[
                ("days", Some(self.days.to_string())),
                ("status", self.status.clone()),
                ("owner", self.owner.clone()),
                ("q", self.search.clone()),
                ("month", self.month.clone()),
                ("sort", (!default_sort).then(|| self.sort.key.clone())),
                ("dir", (!default_sort).then(|| self.sort.dir().to_string())),
                ("page", (self.page > 1).then(|| self.page.to_string())),
                ("contract", self.contract.clone()),
            ],
        )
    }

    fn contract_href(&self, contract: Option<String>) -> String {
        Self {
            contract,
            ..self.clone()
        }
        .href()
    }

    fn keeps(&self, row: &Renewal) -> bool {
        let status = self
            .status
            .as_ref()
            .is_none_or(|status| row.status == *status);
        let owner = match self.owner.as_deref() {
            None => true,
            Some(UNASSIGNED) => row.owner_id.is_none(),
            Some(owner) => row.owner_id.as_deref() == Some(owner),
        };
        let month = self
            .month
            .as_ref()
            .is_none_or(|month| month_of(&row.renewal_date) == *month);
        let search = self.search.as_ref().is_none_or(|term| {
            let term = term.to_lowercase();
            row.customer_name.to_lowercase().contains(&term)
                || row.contract_number.to_lowercase().contains(&term)
        });
        status && owner && month && search
    }
}

/// Red first: the order of urgency.
fn status_rank(status: &str) -> u8 {
    match status {
        "RED" => 0,
        "YELLOW" => 1,
        "GREEN" => 2,
        _ => 3,
    }
}

/// The amount ARR sorts by: the functional one when known, so currencies compare.
fn arr_for_sort(row: &Renewal) -> &str {
    row.arr_functional
        .as_ref()
        .map_or(row.arr.amount.as_str(), |money| money.amount.as_str())
}

fn sort_rows(rows: &mut [Renewal], order: &SortOrder) {
    rows.sort_by(|a, b| {
        let ordering = match order.key.as_str() {
            "customer" => a
                .customer_name
                .to_lowercase()
                .cmp(&b.customer_name.to_lowercase()),
            "contract" => a.contract_number.cmp(&b.contract_number),
            "arr" => compare_amounts(arr_for_sort(a), arr_for_sort(b)),
            "status" => status_rank(&a.status).cmp(&status_rank(&b.status)),
            "suggested" => status_rank(&a.suggested_status).cmp(&status_rank(&b.suggested_status)),
            "owner" => a.owner_name.cmp(&b.owner_name),
            "contact" => a.last_contact_on.cmp(&b.last_contact_on),
            "alerts" => a.alerts_sent.len().cmp(&b.alerts_sent.len()),
            _ => a.renewal_date.cmp(&b.renewal_date),
        };
        order
            .apply(ordering)
            .then_with(|| a.renewal_date.cmp(&b.renewal_date))
            .then_with(|| a.contract_number.cmp(&b.contract_number))
    });
}

#[component]
pub fn RenewalsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="RENEWAL_READ">
            <RenewalPipeline />
        </RequirePermission>
    }
}

#[component]
fn RenewalPipeline() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let filters = Memo::new(move |_| query.with(RenewalFilters::from_query));
    let days = Memo::new(move |_| filters.with(|f| f.days));
    let contract = Memo::new(move |_| filters.with(|f| f.contract.clone()));
    let reload = RwSignal::new(0_u32);
    let pipeline = LocalResource::new(move || {
        reload.track();
        api::renewal_pipeline(days.get())
    });
    let typed = RwSignal::new(filters.get_untracked().search.unwrap_or_default());
    let debounce = Debounce::new();
    let on_changed = Callback::new(move |()| reload.update(|count| *count += 1));

    let go = {
        let navigate = navigate.clone();
        move |next: RenewalFilters, replace: bool| {
            navigate(
                &next.href(),
                NavigateOptions {
                    replace,
                    ..Default::default()
                },
            );
        }
    };
    // A new filter starts from the first page.
    let refilter = {
        let go = go.clone();
        move |change: &dyn Fn(&mut RenewalFilters)| {
            let mut next = filters.get_untracked();
            change(&mut next);
            next.page = 1;
            go(next, true);
        }
    };
    let on_search = {
        let refilter = refilter.clone();
        move |_| {
            let refilter = refilter.clone();
            debounce.run(Duration::from_millis(300), move || {
                let term = typed.get_untracked().trim().to_string();
                refilter(&|f: &mut RenewalFilters| {
                    f.search = Some(term.clone()).filter(|t| !t.is_empty())
                });
            });
        }
    };
    let on_sort = {
        let go = go.clone();
        Callback::new(move |key: String| {
            let mut next = filters.get_untracked();
            next.sort = next.sort.toggled(&key);
            go(next, true);
        })
    };
    let open = {
        let go = go.clone();
        Callback::new(move |id: String| {
            let mut next = filters.get_untracked();
            next.contract = Some(id);
            go(next, false);
        })
    };
    let owners = Memo::new(move |_| {
        let mut owners: Vec<(String, String)> = pipeline
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|row| row.owner_id.zip(row.owner_name))
            .collect();
        owners.sort_by(|a, b| a.1.cmp(&b.1));
        owners.dedup();
        owners
    });
    let status_options = Signal::derive(move || {
        std::iter::once((String::new(), "All statuses".to_string()))
            .chain(
                RENEWAL_STATUSES
                    .iter()
                    .map(|status| (status.to_string(), status_label(status).1.to_string())),
            )
            .collect::<Vec<_>>()
    });
    let owner_options = Signal::derive(move || {
        let mut options = vec![
            (String::new(), "All owners".to_string()),
            (UNASSIGNED.to_string(), "No owner".to_string()),
        ];
        options.extend(owners.get());
        options
    });
    let status_value = RwSignal::new(filters.get_untracked().status.unwrap_or_default());
    let owner_value = RwSignal::new(filters.get_untracked().owner.unwrap_or_default());
    {
        let refilter = refilter.clone();
        Effect::new(move |previous: Option<(String, String)>| {
            let current = (status_value.get(), owner_value.get());
            if previous.is_some_and(|previous| previous != current) {
                let (status, owner) = current.clone();
                refilter(&|f: &mut RenewalFilters| {
                    f.status = non_empty(&status);
                    f.owner = non_empty(&owner);
                });
            }
            current
        });
    }
    let no_errors = Signal::derive(|| None::<ApiError>);

    view! {
        <div class="page renewals">
            <header class="page-header">
                <div>
                    <h1>"Renewal pipeline"</h1>
                    <p class="muted">
                        {move || format!(
                            "Contracts renewing in the next {} days. Open a renewal to see its history, set its status, log a contact or renew it.",
                            days.get()
                        )}
                    </p>
                </div>
            </header>
            <div class="toolbar">
                <div class="field field-inline">
                    <span class="field-label" id="renewal-window-label">"Renewing within"</span>
                    <div class="segmented" role="group" aria-labelledby="renewal-window-label">
                        {RENEWAL_WINDOWS.iter().map(|(window, label)| {
                            let refilter = refilter.clone();
                            let (window, label) = (*window, *label);
                            let selected = move || days.get() == window;
                            view! {
                                <button
                                    type="button"
                                    class="segment"
                                    class:selected=selected
                                    aria-pressed=move || if selected() { "true" } else { "false" }
                                    data-days=window
                                    on:click=move |_| refilter(&|f: &mut RenewalFilters| f.days = window)
                                >
                                    {label}
                                </button>
                            }
                        }).collect_view()}
                    </div>
                </div>
                <div class="field-narrow">
                    <SelectField label="Status" name="filterStatus" value=status_value errors=no_errors options=status_options />
                </div>
                <div class="field-narrow">
                    <SelectField label="Owner" name="filterOwner" value=owner_value errors=no_errors options=owner_options />
                </div>
                <div class="field field-inline search">
                    <label for="renewal-search">"Search"</label>
                    <input id="renewal-search" type="search" placeholder="Customer or contract" bind:value=typed on:input=on_search />
                </div>
            </div>
            {move || filters.with(|f| f.month.clone()).map(|month| {
                let clear = filters.with(|f| RenewalFilters { month: None, page: 1, ..f.clone() }.href());
                view! {
                    <p class="filter-note">
                        {format!("Only renewals in {}. ", format::month(&month))}
                        <a href=clear>"Show every month"</a>
                    </p>
                }
            })}
            {move || contract.get().map(|id| view! {
                <RenewalDetail
                    contract_id=id
                    close_href=Signal::derive(move || filters.with(|f| f.contract_href(None)))
                    on_changed=on_changed
                />
            })}
            {move || match pipeline.get() {
                None => view! { <LoadingRows columns=10 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| pipeline.refetch()) /> }.into_any(),
                Some(Ok(rows)) => {
                    let current = filters.get();
                    let total_in_window = rows.len();
                    let mut shown: Vec<Renewal> = rows.into_iter().filter(|row| current.keeps(row)).collect();
                    if shown.is_empty() {
                        let (title, hint) = if total_in_window == 0 {
                            (
                                format!("No contract renews in the next {} days", current.days),
                                "Choose a longer window to look further ahead. Contracts appear here once their end date falls inside it.".to_string(),
                            )
                        } else {
                            (
                                "No renewal matches these filters".to_string(),
                                format!("{total_in_window} renewal(s) in the window; clear the status, owner or search filters to see them."),
                            )
                        };
                        return view! { <div data-test="renewal-list"><EmptyState title=title hint=hint /></div> }.into_any();
                    }
                    sort_rows(&mut shown, &current.sort);
                    let export = renewal_csv_rows(&shown);
                    let count = shown.len();
                    let at_risk = shown.iter().filter(|row| row.status != "GREEN").count();
                    let arr_total = totals_by_currency(shown.iter().filter_map(|row| row.arr_functional.as_ref()))
                        .map(|totals| totals.iter().map(Money::display).collect::<Vec<_>>().join(" + "))
                        .unwrap_or_else(|| "—".to_string());
                    let pages = count.div_ceil(PAGE_SIZE).max(1);
                    let page = current.page.min(pages);
                    let offset = (page - 1) * PAGE_SIZE;
                    let page_rows: Vec<Renewal> = shown.into_iter().skip(offset).take(PAGE_SIZE).collect();
                    let shown_on_page = page_rows.len();
                    let go_page = {
                        let go = go.clone();
                        move |page: usize| {
                            let mut next = filters.get_untracked();
                            next.page = page;
                            go(next, true);
                        }
                    };
                    let previous = {
                        let go_page = go_page.clone();
                        Callback::new(move |()| go_page(page.saturating_sub(1).max(1)))
                    };
                    let next_page = Callback::new(move |()| go_page(page + 1));
                    view! {
                        <div data-test="renewal-list">
                            <p class="muted" data-test="renewal-summary">
                                {format!("{count} renewal(s), {arr_total} ARR; {at_risk} marked Yellow or Red.")}
                            </p>
                            <RenewalTable rows=page_rows filters=current.clone() on_sort=on_sort open=open />
                            <Pager
                                shown=shown_on_page
                                offset=Some(offset)
                                total=count as i64
                                has_previous={page > 1}
                                has_next={page < pages}
                                on_previous=previous
                                on_next=next_page
                            >
                                <ExportCsv filename=format!("renewals-{}-days-{}.csv", current.days, format::today_iso()) header=&RENEWAL_CSV_HEADER rows=export />
                            </Pager>
                        </div>
                    }.into_any()
                }
            }}
        </div>
    }
}

#[component]
fn RenewalTable(
    rows: Vec<Renewal>,
    filters: RenewalFilters,
    on_sort: Callback<String>,
    open: Callback<String>,
) -> impl IntoView {
    let sort = Signal::derive({
        let order = filters.sort.clone();
        move || order.clone()
    });
    view! {
        <div class="table-scroll">
        <table class="table clickable wide-table" data-test="renewal-table">
            <thead>
                <tr>
                    <SortHeader label="Customer" key="customer" sort=sort on_sort=on_sort />
                    <SortHeader label="Contract" key="contract" sort=sort on_sort=on_sort />
                    <SortHeader label="ARR" key="arr" sort=sort on_sort=on_sort numeric=true />
                    <SortHeader label="Renews" key="renewal" sort=sort on_sort=on_sort />
                    <SortHeader label="Status" key="status" sort=sort on_sort=on_sort />
                    <SortHeader label="Suggested" key="suggested" sort=sort on_sort=on_sort />
                    <SortHeader label="Owner" key="owner" sort=sort on_sort=on_sort />
                    <SortHeader label="Last contact" key="contact" sort=sort on_sort=on_sort />
                    <th scope="col">"Risk reason"</th>
                    <SortHeader label="Alerts sent" key="alerts" sort=sort on_sort=on_sort />
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let selected = filters.contract.as_deref() == Some(row.contract_id.as_str());
                    let href = filters.contract_href(Some(row.contract_id.clone()));
                    let id = row.contract_id.clone();
                    // A click anywhere on the row opens it, except on its own links.
                    let on_row = move |event: leptos::ev::MouseEvent| {
                        let on_link = event
                            .target()
                            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                            .and_then(|element| element.closest("a, button").ok().flatten())
                            .is_some();
                        if !on_link {
                            open.run(id.clone());
                        }
                    };
                    let signals = row.signals.clone();
                    view! {
                        <tr data-contract-id=row.contract_id.clone() class:selected=selected aria-current=selected.then_some("true") on:click=on_row>
                            <td>
                                <a href=format!("/customers/{}", row.customer_id)>{row.customer_name.clone()}</a>
                                {row.on_credit_hold.then(|| view! { " " <HoldBadge on_hold=true /> })}
                            </td>
                            <td class="nowrap"><a href=href data-action="open-renewal">{row.contract_number.clone()}</a></td>
                            <td class="num">
                                <div>{row.arr.display()}</div>
                                {row.arr_functional.clone().filter(|functional| functional.currency != row.arr.currency).map(|functional| view! {
                                    <div class="muted small">{functional.display()}</div>
                                })}
                            </td>
                            <td class="nowrap">
                                <div>{format::date(&row.renewal_date)}</div>
                                <div class="muted small">{days_text(row.days_to_renewal)}</div>
                            </td>
                            <td class="nowrap">
                                <RenewalStatusBadge status=row.status.clone() />
                                {row.status_set_by.is_none().then(|| view! { <div class="muted small">"Suggested"</div> })}
                            </td>
                            <td>
                                <RenewalStatusBadge status=row.suggested_status.clone() />
                                {(!signals.is_empty()).then(|| view! {
                                    <ul class="plain-list small muted signals">
                                        {signals.into_iter().map(|signal| view! { <li>{signal.reason}</li> }).collect_view()}
                                    </ul>
                                })}
                            </td>
                            <td>{row.owner_name.clone().unwrap_or_else(|| "—".to_string())}</td>
                            <td class="nowrap">{row.last_contact_on.as_deref().map_or_else(|| "None logged".to_string(), format::date)}</td>
                            <td>{row.reason.clone().unwrap_or_else(|| "—".to_string())}</td>
                            <td class="nowrap">{alerts_text(&row.alerts_sent)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

const RENEWAL_CSV_HEADER: [&str; 19] = [
    "contract_id",
    "contract_number",
    "customer_id",
    "customer",
    "arr",
    "currency",
    "arr_functional",
    "functional_currency",
    "end_date",
    "renewal_date",
    "days_to_renewal",
    "status",
    "suggested_status",
    "reason",
    "owner",
    "last_contact_on",
    "uplift_percent",
    "on_credit_hold",
    "alerts_sent",
];

fn renewal_csv_rows(rows: &[Renewal]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| {
            vec![
                row.contract_id.clone(),
                row.contract_number.clone(),
                row.customer_id.clone(),
                row.customer_name.clone(),
                row.arr.amount.clone(),
                row.arr.currency.clone(),
                row.arr_functional
                    .as_ref()
                    .map(|m| m.amount.clone())
                    .unwrap_or_default(),
                row.arr_functional
                    .as_ref()
                    .map(|m| m.currency.clone())
                    .unwrap_or_default(),
                row.end_date.clone(),
                row.renewal_date.clone(),
                row.days_to_renewal.to_string(),
                row.status.clone(),
                row.suggested_status.clone(),
                row.reason.clone().unwrap_or_default(),
                row.owner_name.clone().unwrap_or_default(),
                row.last_contact_on.clone().unwrap_or_default(),
                row.uplift_percent.clone(),
                row.on_credit_hold.to_string(),
                row.alerts_sent
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
            ]
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// One renewal
// ---------------------------------------------------------------------------------------------

#[component]
fn RenewalDetail(
    contract_id: String,
    close_href: Signal<String>,
    on_changed: Callback<()>,
) -> impl IntoView {
    let panel = NodeRef::<leptos::html::Section>::new();
    let id = StoredValue::new(contract_id);
    let version = RwSignal::new(0_u32);
    let renewal = LocalResource::new(move || {
        version.track();
        api::renewal(id.get_value())
    });
    let history = LocalResource::new(move || {
        version.track();
        api::renewal_history(id.get_value())
    });
    let notice = RwSignal::new(None::<String>);
    let changed = Callback::new(move |message: String| {
        notice.set(Some(message));
        version.update(|count| *count += 1);
        on_changed.run(());
    });
    Effect::new(move |_| {
        if let Some(element) = panel.get() {
            element.scroll_into_view();
        }
    });
    // The forms are drawn once per renewal, so a reload after saving keeps what was typed in
    // the other forms.
    let loaded = Memo::new(move |_| renewal.get().and_then(Result::ok));
    let first =
        Memo::new(move |_| loaded.with(|row| row.as_ref().map(|row| row.contract_id.clone())));
    view! {
        <section class="panel drill renewal-detail" node_ref=panel data-test="renewal-detail" aria-live="polite">
            <div class="panel-header">
                <h2>
                    {move || match loaded.get() {
                        Some(row) => format!("{} · {}", row.customer_name, row.contract_number),
                        None => "Renewal".to_string(),
                    }}
                </h2>
                <a class="button button-quiet" href=move || close_href.get() data-action="close-renewal">"Close"</a>
            </div>
            {move || notice.get().map(|message| view! {
                <div class="alert alert-success" role="status" data-test="renewal-notice">{message}</div>
            })}
            {move || match renewal.get() {
                None => view! { <LoadingPanel label="Loading the renewal…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| renewal.refetch()) /> }.into_any(),
                Some(Ok(row)) => view! { <RenewalFacts row=row /> }.into_any(),
            }}
            {move || first.get().map(|_| {
                let row = loaded.get_untracked();
                row.map(|row| view! { <RenewalActions row=row changed=changed renewed=on_changed /> })
            })}
            <div class="subsection" data-test="renewal-history">
                <h3>"History"</h3>
                {move || match history.get() {
                    None => view! { <LoadingRows columns=4 rows=2 /> }.into_any(),
                    Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| history.refetch()) /> }.into_any(),
                    Some(Ok(events)) if events.is_empty() => view! {
                        <p class="muted">"No status set and no contact logged yet. Log the first call, e-mail or meeting below the facts."</p>
                    }.into_any(),
                    Some(Ok(events)) => view! { <HistoryTable events=events /> }.into_any(),
                }}
            </div>
        </section>
    }
}

#[component]
fn RenewalFacts(row: Renewal) -> impl IntoView {
    let set = match (&row.status_set_by, &row.status_set_at) {
        (Some(by), Some(at)) => format!("Set by {by} on {}", format::date_time(at)),
        (Some(by), None) => format!("Set by {by}"),
        _ => "The suggestion: nobody has set a status yet".to_string(),
    };
    let signals = row.signals.clone();
    view! {
        <dl class="facts two-column" data-test="renewal-facts">
            <dt>"Customer"</dt>
            <dd>
                <a href=format!("/customers/{}", row.customer_id)>{row.customer_name.clone()}</a>
                {row.on_credit_hold.then(|| view! { " " <HoldBadge on_hold=true /> })}
            </dd>
            <dt>"Contract"</dt>
            <dd class="mono">{row.contract_number.clone()}</dd>
            <dt>"ARR"</dt>
            <dd class="amount">
                {row.arr.display()}
                {row.arr_functional.clone().filter(|functional| functional.currency != row.arr.currency).map(|functional| {
                    format!(" ({})", functional.display())
                })}
            </dd>
            <dt>"Renews"</dt>
            <dd>{format!("{} ({}); the term ends {}", format::date(&row.renewal_date), days_text(row.days_to_renewal), format::date(&row.end_date))}</dd>
            <dt>"Status"</dt>
            <dd data-test="renewal-status">
                <RenewalStatusBadge status=row.status.clone() />
                <span class="muted small">{format!(" {set}")}</span>
            </dd>
            <dt>"Suggested"</dt>
            <dd>
                <RenewalStatusBadge status=row.suggested_status.clone() />
                {(!signals.is_empty()).then(|| view! {
                    <ul class="plain-list small">
                        {signals.into_iter().map(|signal| {
                            let (_, word) = status_label(&signal.status);
                            view! { <li>{format!("{word}: {}", signal.reason)}</li> }
                        }).collect_view()}
                    </ul>
                })}
            </dd>
            <dt>"Risk reason"</dt>
            <dd>{row.reason.clone().unwrap_or_else(|| "—".to_string())}</dd>
            <dt>"Owner"</dt>
            <dd>{row.owner_name.clone().unwrap_or_else(|| "No owner".to_string())}</dd>
            <dt>"Last contact"</dt>
            <dd>{row.last_contact_on.as_deref().map_or_else(|| "None logged".to_string(), format::date)}</dd>
            <dt>"Uplift at renewal"</dt>
            <dd>{format::percent_text(&row.uplift_percent)}</dd>
            <dt>"Alerts sent"</dt>
            <dd>{alerts_text(&row.alerts_sent)}</dd>
        </dl>
    }
}

#[component]
fn HistoryTable(events: Vec<RenewalEvent>) -> impl IntoView {
    view! {
        <table class="table compact" data-test="renewal-history-table">
            <thead>
                <tr>
                    <th scope="col">"When"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"Note"</th>
                    <th scope="col">"By"</th>
                </tr>
            </thead>
            <tbody>
                {events.into_iter().map(|event| {
                    let what = match (event.kind.as_str(), &event.status, &event.contact_kind) {
                        ("status", Some(status), _) => view! {
                            <span>"Status set to "</span><RenewalStatusBadge status=status.clone() />
                        }.into_any(),
                        (_, _, Some(kind)) => view! {
                            <span>
                                {format!(
                                    "{} on {}",
                                    contact_label(kind),
                                    event.contacted_on.as_deref().map_or_else(|| format::date(&event.at), format::date)
                                )}
                            </span>
                        }.into_any(),
                        _ => view! { <span>{format::enum_label(&event.kind)}</span> }.into_any(),
                    };
                    view! {
                        <tr>
                            <td class="nowrap">{format::date_time(&event.at)}</td>
                            <td class="nowrap">{what}</td>
                            <td>{event.text}</td>
                            <td>{event.by}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// What may be done with a renewal: set its status, log a contact, renew it.
#[component]
fn RenewalActions(
    row: Renewal,
    changed: Callback<String>,
    /// Reloads the pipeline (not this renewal: once renewed it is no longer up for renewal).
    renewed: Callback<()>,
) -> impl IntoView {
    let can_manage = session::can("RENEWAL_MANAGE").get_untracked();
    let can_renew = session::can("RENEWAL_RENEW").get_untracked();
    if !can_manage && !can_renew {
        return view! {
            <p class="muted small">"Your role reads renewals; their owner or RevOps sets the status, logs contacts and renews."</p>
        }
        .into_any();
    }
    // AEs and account managers work their own book; the others may hand a renewal over.
    let sees_all = session::use_session()
        .get_untracked()
        .is_some_and(|session| {
            !matches!(
                session.user.role.to_ascii_uppercase().as_str(),
                "AE" | "ACCOUNT_MANAGER"
            )
        });
    view! {
        <div class="grid-2 renewal-actions">
            {can_manage.then(|| view! {
                <StatusForm contract_id=row.contract_id.clone() current=row.status.clone() changed=changed />
                <ContactForm contract_id=row.contract_id.clone() today=row.server_today() changed=changed />
            })}
            {(can_manage && sees_all).then(|| view! { <TermsForm row=row.clone() changed=changed /> })}
            {can_renew.then(|| view! { <RenewForm row=row.clone() renewed=renewed /> })}
        </div>
    }
    .into_any()
}

#[component]
fn StatusForm(contract_id: String, current: String, changed: Callback<String>) -> impl IntoView {
    let id = StoredValue::new(contract_id);
    let status = RwSignal::new(current);
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let options = Signal::derive(|| {
        RENEWAL_STATUSES
            .iter()
            .map(|status| (status.to_string(), status_label(status).1.to_string()))
            .collect::<Vec<_>>()
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        pending.set(true);
        errors.set(None);
        let chosen = status.get_untracked();
        spawn_local(async move {
            let result = api::renewal_status_set(
                id.get_value(),
                chosen.clone(),
                non_empty(&reason.get_untracked()),
            )
            .await;
            pending.try_set(false);
            match result {
                Ok(saved) => {
                    reason.try_set(String::new());
                    changed.run(format!(
                        "Status of {} set to {}.",
                        saved.contract_number,
                        status_label(&saved.status).1
                    ));
                }
                Err(error) => {
                    errors.try_set(Some(error));
                    focus_first_invalid();
                }
            }
        });
    };
    view! {
        <form class="panel form" data-test="status-form" on:submit=submit novalidate=true>
            <h3>"Set the status"</h3>
            <SelectField label="Status" name="status" value=status errors=errors.into() options=options required=true />
            <TextAreaField
                label="Reason"
                name="reason"
                value=reason
                errors=errors.into()
                rows=3
                hint="Needed for Yellow and Red. Within 60 days of renewal an at-risk status goes to the CRO and the VP customer success."
            />
            <ActionError error=errors.into() inline_fields=&["status", "reason"] />
            <div class="button-row">
                <button class="button button-primary" type="submit" data-action="set-status" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Set status" }}
                </button>
            </div>
        </form>
    }
}

#[component]
fn ContactForm(
    contract_id: String,
    today: Option<String>,
    changed: Callback<String>,
) -> impl IntoView {
    let id = StoredValue::new(contract_id);
    let kind = RwSignal::new("CALL".to_string());
    let contacted_on = RwSignal::new(today.clone().unwrap_or_default());
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let options = Signal::derive(|| {
        CONTACT_KINDS
            .iter()
            .map(|kind| (kind.to_string(), contact_label(kind)))
            .collect::<Vec<_>>()
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::renewal_contact_log(
                id.get_value(),
                kind.get_untracked(),
                note.get_untracked(),
                non_empty(&contacted_on.get_untracked()),
            )
            .await;
            pending.try_set(false);
            match result {
                Ok(saved) => {
                    note.try_set(String::new());
                    changed.run(format!(
                        "{} logged for {}.",
                        contact_label(&kind.get_untracked()),
                        saved.contract_number
                    ));
                }
                Err(error) => {
                    errors.try_set(Some(error));
                    focus_first_invalid();
                }
            }
        });
    };
    view! {
        <form class="panel form" data-test="contact-form" on:submit=submit novalidate=true>
            <h3>"Log a contact"</h3>
            <div class="form-row">
                <SelectField label="How" name="kind" value=kind errors=errors.into() options=options required=true />
                <TextField label="On" name="contactedOn" kind="date" value=contacted_on errors=errors.into() hint="Today when left empty" />
            </div>
            <TextAreaField label="Note" name="note" value=note errors=errors.into() rows=3 required=true />
            <ActionError error=errors.into() inline_fields=&["kind", "contactedOn", "note"] />
            <div class="button-row">
                <button class="button" type="submit" data-action="log-contact" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Log contact" }}
                </button>
            </div>
        </form>
    }
}

/// Handing the renewal to another owner and pricing it with another uplift, for the roles that
/// see every renewal. The deal keeps its AE for commissions; the choice of owners is the
/// server's (`renewalOwners`: active people whose role manages renewals).
#[component]
fn TermsForm(row: Renewal, changed: Callback<String>) -> impl IntoView {
    let id = StoredValue::new(row.contract_id.clone());
    let current_owner = StoredValue::new(row.owner_id.clone().unwrap_or_default());
    let current_name = StoredValue::new(row.owner_name.clone().unwrap_or_default());
    let current_uplift = StoredValue::new(row.uplift_percent.clone());
    let owner = RwSignal::new(current_owner.get_value());
    let uplift = RwSignal::new(current_uplift.get_value());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let people = LocalResource::new(api::renewal_owners);
    let options = Signal::derive(move || {
        let mut options: Vec<(String, String)> = match people.get() {
            Some(Ok(list)) => list
                .iter()
                .map(|person| {
                    (
                        person.id.clone(),
                        format!("{} ({})", person.name, person.role),
                    )
                })
                .collect(),
            _ => Vec::new(),
        };
        // The current owner stays choosable even when no longer eligible (deactivated, say).
        let current = current_owner.get_value();
        if !current.is_empty() && !options.iter().any(|(value, _)| *value == current) {
            options.insert(
                0,
                (current, format!("{} (current)", current_name.get_value())),
            );
        }
        if current_owner.with_value(String::is_empty) {
            options.insert(0, (String::new(), "No owner yet".to_string()));
        }
        options
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        errors.set(None);
        let chosen = owner.get_untracked();
        let new_owner =
            (!chosen.is_empty() && chosen != current_owner.get_value()).then_some(chosen);
        let typed = format::amount_input(&uplift.get_untracked())
            .trim_end_matches('%')
            .trim()
            .to_string();
        let new_uplift = (typed != current_uplift.get_value()).then_some(typed);
        if new_owner.is_none() && new_uplift.is_none() {
            errors.set(Some(ApiError::for_field(
                "ownerId",
                "Choose another owner or change the uplift first.",
            )));
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = api::renewal_terms_set(id.get_value(), new_owner, new_uplift).await;
            pending.try_set(false);
            match result {
                Ok(saved) => changed.run(format!(
                    "The renewal of {} is owned by {}, priced with a {} uplift.",
                    saved.contract_number,
                    saved.owner_name.as_deref().unwrap_or("nobody"),
                    format::percent_text(&saved.uplift_percent)
                )),
                Err(error) => {
                    errors.try_set(Some(error));
                    focus_first_invalid();
                }
            }
        });
    };
    view! {
        <form class="panel form" data-test="terms-form" on:submit=submit novalidate=true>
            <h3>"Owner and uplift"</h3>
            <SelectField label="Renewal owner" name="ownerId" value=owner errors=errors.into() options=options id_suffix="terms" />
            <TextField
                label="Uplift at renewal"
                name="upliftPercent"
                value=uplift
                errors=errors.into()
                numeric=true
                suffix=Signal::derive(|| "%".to_string())
                hint="0 to 100. The deal keeps its AE for commissions."
                id_suffix="terms"
            />
            <ActionError error=errors.into() inline_fields=&["ownerId", "upliftPercent"] />
            <div class="button-row">
                <button class="button" type="submit" data-action="set-terms" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Save owner and uplift" }}
                </button>
            </div>
        </form>
    }
}

/// Renewing into the next term: the uplift (the contract's own by default), a confirmation with
/// the ARR before and after, then the new contract the server created.
#[component]
fn RenewForm(row: Renewal, renewed: Callback<()>) -> impl IntoView {
    let row = StoredValue::new(row);
    let uplift = RwSignal::new(row.with_value(|row| row.uplift_percent.clone()));
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    // The key is made when the confirmation opens, so a retry of the same renewal is safe; the
    // confirmation shows the server's preview, computed by the rule that renews, so the figures
    // confirmed are the figures created.
    let confirming = RwSignal::new(None::<(String, RenewalPreview)>);
    let outcome = RwSignal::new(None::<RenewedContract>);
    let typed_uplift = move || {
        format::amount_input(&uplift.get_untracked())
            .trim_end_matches('%')
            .to_string()
    };
    // A changed uplift makes the preview stale: the confirmation closes until it is reviewed again.
    Effect::new(move |_| {
        uplift.track();
        confirming.set(None);
    });
    // The server refuses to renew for a customer on credit hold, so the form does not offer it.
    let on_hold = row.with_value(|row| row.on_credit_hold);
    let review = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        errors.set(None);
        if on_hold || pending.get_untracked() {
            return;
        }
        // The server checks the uplift (its message lands beside the field) and previews.
        let typed = typed_uplift();
        pending.set(true);
        spawn_local(async move {
            let result = api::renewal_preview(
                row.with_value(|row| row.contract_id.clone()),
                non_empty(&typed),
            )
            .await;
            pending.try_set(false);
            match result {
                Ok(preview) => {
                    confirming.try_set(Some((new_idempotency_key(), preview)));
                }
                Err(error) => {
                    errors.try_set(Some(error));
                }
            }
        });
    };
    let confirm = move |_| {
        // Renews with the uplift the preview was computed with, whatever the field says now.
        let Some((key, preview)) = confirming.get_untracked() else {
            return;
        };
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::contract_renew(
                row.with_value(|row| row.contract_id.clone()),
                Some(preview.uplift_percent),
                key,
            )
            .await;
            pending.try_set(false);
            match result {
                Ok(contract) => {
                    confirming.try_set(None);
                    outcome.try_set(Some(contract));
                    renewed.run(());
                }
                Err(error) => {
                    errors.try_set(Some(error));
                }
            }
        });
    };
    let customer_href =
        StoredValue::new(row.with_value(|row| format!("/customers/{}", row.customer_id)));
    view! {
        <div class="panel" data-test="renew-form">
            <h3>"Renew"</h3>
            {move || match outcome.get() {
                Some(renewed) => view! {
                    <div class="alert alert-success" role="status" data-test="renew-outcome">
                        <strong>{format!("Renewed as contract {}.", renewed.contract_number)}</strong>
                        <p>
                            {format!(
                                "The new term runs {}, ARR {} (uplift {}), TCV {}.",
                                format::period(Some(&renewed.start_date), Some(&renewed.end_date)),
                                renewed.arr.display(),
                                format::percent_text(&renewed.uplift_percent),
                                renewed.tcv.display()
                            )}
                        </p>
                    </div>
                }.into_any(),
                None => view! {
                    <form class="form" on:submit=review novalidate=true>
                        <TextField
                            label="Uplift"
                            name="upliftPercent"
                            value=uplift
                            errors=errors.into()
                            numeric=true
                            suffix=Signal::derive(|| "%".to_string())
                            hint="The contract's own uplift unless you change it."
                            disabled=Signal::derive(move || on_hold)
                        />
                        {move || confirming.get().is_none().then(|| {
                            let customer_href = customer_href.get_value();
                            view! {
                                <div class="button-row">
                                    <button
                                        class="button"
                                        type="submit"
                                        data-action="review-renewal"
                                        disabled=on_hold
                                        aria-describedby=on_hold.then_some("renew-blocked-reason")
                                    >
                                        "Review renewal"
                                    </button>
                                    {on_hold.then(|| view! {
                                        <span class="muted small" id="renew-blocked-reason" data-test="renew-blocked-reason">
                                            "Not available while the customer is on credit hold: renewing is possible once the hold is released ("
                                            <a href=customer_href>"the customer's credit hold"</a>
                                            ")."
                                        </span>
                                    })}
                                </div>
                            }
                        })}
                        {move || confirming.get().map(|(_, preview)| {
                            let (before, number, customer) = row.with_value(|row| (row.arr.clone(), row.contract_number.clone(), row.customer_name.clone()));
                            view! {
                                <div class="confirm" data-test="renew-confirm">
                                    <p><strong>{format!("Renew {number} for {customer}?")}</strong></p>
                                    <table class="table compact">
                                        <tbody>
                                            <tr><th scope="row">"ARR now"</th><MoneyCell money=Some(before) /></tr>
                                            <tr><th scope="row">"Uplift"</th><td class="num">{format::exact_percent(&preview.uplift_percent)}</td></tr>
                                            <tr><th scope="row">"New term"</th><td>{format::period(Some(&preview.start_date), Some(&preview.end_date))}</td></tr>
                                            <tr data-test="renew-preview-arr"><th scope="row">"ARR after renewal"</th><MoneyCell money=Some(preview.arr.clone()) /></tr>
                                            <tr><th scope="row">"TCV of the new term"</th><MoneyCell money=Some(preview.tcv.clone()) /></tr>
                                        </tbody>
                                    </table>
                                    <p class="muted small">"Each line's price is uplifted and rounded to the cent, then the lines are added up: these are the figures the new contract will have."</p>
                                    <div class="button-row">
                                        <button class="button button-primary" type="button" data-action="confirm-renewal" disabled=move || pending.get() on:click=confirm>
                                            {move || if pending.get() { "Renewing…" } else { "Confirm renewal" }}
                                        </button>
                                        <button class="button button-quiet" type="button" on:click=move |_| confirming.set(None)>"Cancel"</button>
                                    </div>
                                </div>
                            }
                        })}
                        <ActionError error=errors.into() inline_fields=&["upliftPercent"] />
                    </form>
                }.into_any(),
            }}
            <p class="muted small">"Renewing creates the next term's contract with the uplift applied."</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renewal(number: &str, customer: &str, arr: &str, date: &str, status: &str) -> Renewal {
        Renewal {
            contract_id: number.to_string(),
            contract_number: number.to_string(),
            customer_id: "1".into(),
            customer_name: customer.into(),
            arr: Money {
                amount: arr.into(),
                currency: "USD".into(),
            },
            arr_functional: Some(Money {
                amount: arr.into(),
                currency: "USD".into(),
            }),
            end_date: date.into(),
            renewal_date: date.into(),
            days_to_renewal: 10,
            status: status.into(),
            suggested_status: status.into(),
            signals: Vec::new(),
            reason: None,
            status_set_by: None,
            status_set_at: None,
            owner_id: None,
            owner_name: None,
            last_contact_on: None,
            uplift_percent: "5".into(),
            on_credit_hold: false,
            alerts_sent: Vec::new(),
        }
    }

    #[test]
    fn rows_sort_by_the_chosen_column() {
        let mut rows = vec![
            renewal("C-2", "Beta", "900.00", "2026-12-01", "GREEN"),
            renewal("C-1", "alpha", "12000.00", "2027-01-15", "RED"),
            renewal("C-3", "Gamma", "50.00", "2026-12-20", "YELLOW"),
        ];
        sort_rows(
            &mut rows,
            &SortOrder {
                key: "arr".into(),
                descending: true,
            },
        );
        assert_eq!(rows[0].contract_number, "C-1");
        sort_rows(
            &mut rows,
            &SortOrder {
                key: "status".into(),
                descending: false,
            },
        );
        assert_eq!(rows[0].status, "RED");
        sort_rows(
            &mut rows,
            &SortOrder {
                key: "customer".into(),
                descending: false,
            },
        );
        assert_eq!(rows[0].customer_name, "alpha");
    }
}
