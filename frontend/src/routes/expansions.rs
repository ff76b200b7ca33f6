//! The expansion report: seat expansions, module upsells, usage and renewal uplifts dated in a
//! range (this year to date unless the URL says otherwise), filtered by type, month, customer
//! and AE, optionally grouped by one of them, with the added MRR and what was billed totalled
//! in the functional currency. Range, filters, grouping, sort order and page live in the URL.

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    params::ParamsMap,
    NavigateOptions,
};

use crate::{
    api::{self, ApiError, Expansion, ExpansionReport, Money, EXPANSION_KINDS},
    app::RequirePermission,
    components::{
        export::ExportCsv,
        field::{non_empty, SelectField},
        metrics::expansion_kind_label,
        money::{totals_by_currency, MoneyCell, MoneyListCell},
        pager::Pager,
        revenue::sum_money,
        sort::{compare_amounts, SortHeader, SortOrder},
        states::{EmptyState, ErrorPanel, LoadingRows},
    },
    format,
    routes::href_with_query,
    session,
};

const PAGE_SIZE: usize = 50;
const SORT_KEYS: [&str; 8] = [
    "date", "kind", "customer", "contract", "product", "owner", "added", "billed",
];
/// What the report can be grouped by, with the words for it.
const GROUPS: [(&str, &str); 5] = [
    ("", "No grouping"),
    ("kind", "Type"),
    ("month", "Month"),
    ("customer", "Customer"),
    ("owner", "AE"),
];
/// The owner filter's value for expansions without an AE.
const UNASSIGNED: &str = "none";

/// The page's state as it stands in the URL.
#[derive(Clone, Debug, PartialEq)]
struct ExpansionFilters {
    from: String,
    to: String,
    kind: Option<String>,
    month: Option<String>,
    customer: Option<String>,
    owner: Option<String>,
    group: Option<String>,
    sort: SortOrder,
    page: usize,
}

/// The first day of the year of an ISO date.
fn year_start(date: &str) -> String {
    format!("{}-01-01", date.get(..4).unwrap_or("2026"))
}

impl ExpansionFilters {
    fn from_query(query: &ParamsMap) -> Self {
        let non_empty = |key: &str| query.get(key).filter(|value| !value.is_empty());
        let date = |key: &str| non_empty(key).filter(|date| format::parse_iso_date(date).is_some());
        let to = date("to").unwrap_or_else(format::today_iso);
        let from = date("from").unwrap_or_else(|| year_start(&to));
        Self {
            from,
            to,
            kind: non_empty("kind").filter(|kind| EXPANSION_KINDS.contains(&kind.as_str())),
            month: non_empty("month"),
            customer: non_empty("customer"),
            owner: non_empty("owner"),
            group: non_empty("group").filter(|group| GROUPS.iter().any(|(key, _)| key == group)),
            sort: SortOrder::from_query(
                non_empty("sort"),
                non_empty("dir"),
                &SORT_KEYS,
                ("date", true),
            ),
            page: non_empty("page")
                .and_then(|page| page.parse::<usize>().ok())
                .filter(|page| *page >= 1)
                .unwrap_or(1),
        }
    }

    fn href(&self) -> String {
        let default_sort = self.sort.key == "date" && self.sort.descending;
        href_with_query(
            "/expansions",
            &[
                ("from", Some(self.from.clone())),
                ("to", Some(self.to.clone())),
                ("kind", self.kind.clone()),
                ("month", self.month.clone()),
                ("customer", self.customer.clone()),
                ("owner", self.owner.clone()),
                ("group", self.group.clone()),
                ("sort", (!default_sort).then(|| self.sort.key.clone())),
                ("dir", (!default_sort).then(|| self.sort.dir().to_string())),
                ("page", (self.page > 1).then(|| self.page.to_string())),
            ],
        )
    }

    fn keeps(&self, row: &Expansion) -> bool {
        let kind = self.kind.as_ref().is_none_or(|kind| row.kind == *kind);
        let month = self.month.as_ref().is_none_or(|month| row.month == *month);
        let customer = self
            .customer
            .as_ref()
            .is_none_or(|customer| row.customer_id == *customer);
        let owner = match self.owner.as_deref() {
            None => true,
            Some(UNASSIGNED) => row.owner_id.is_none(),
            Some(owner) => row.owner_id.as_deref() == Some(owner),
        };
        kind && month && customer && owner
    }

    fn filtered(&self) -> bool {
        self.kind.is_some()
            || self.month.is_some()
            || self.customer.is_some()
            || self.owner.is_some()
    }
}

fn sort_rows(rows: &mut [Expansion], order: &SortOrder) {
    rows.sort_by(|a, b| {
        let ordering = match order.key.as_str() {
            "kind" => expansion_kind_label(&a.kind).cmp(&expansion_kind_label(&b.kind)),
            "customer" => a
                .customer_name
                .to_lowercase()
                .cmp(&b.customer_name.to_lowercase()),
            "contract" => a.contract_number.cmp(&b.contract_number),
            "product" => a.product.cmp(&b.product),
            "owner" => a.owner_name.cmp(&b.owner_name),
            "added" => compare_amounts(
                &a.added_mrr_functional.amount,
                &b.added_mrr_functional.amount,
            ),
            "billed" => compare_amounts(&a.billed_functional.amount, &b.billed_functional.amount),
            _ => a.date.cmp(&b.date),
        };
        order
            .apply(ordering)
            .then_with(|| a.contract_number.cmp(&b.contract_number))
    });
}

/// The group a row falls in, as (key, words).
fn group_of(group: &str, row: &Expansion) -> (String, String) {
    match group {
        "kind" => (row.kind.clone(), expansion_kind_label(&row.kind)),
        "month" => (row.month.clone(), format::month(&row.month)),
        "customer" => (row.customer_id.clone(), row.customer_name.clone()),
        "owner" => (
            row.owner_id
                .clone()
                .unwrap_or_else(|| UNASSIGNED.to_string()),
            row.owner_name
                .clone()
                .unwrap_or_else(|| "No AE".to_string()),
        ),
        _ => (String::new(), String::new()),
    }
}

/// One group of the summary: its key, words, count and functional totals.
#[derive(Clone, Debug, PartialEq)]
struct GroupTotal {
    key: String,
    label: String,
    count: usize,
    added: Option<Money>,
    billed: Option<Money>,
}

fn group_totals(group: &str, rows: &[Expansion], currency: &str) -> Vec<GroupTotal> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for row in rows {
        let key = group_of(group, row);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    if group == "month" || group == "kind" {
        keys.sort();
    } else {
        keys.sort_by_key(|a| a.1.to_lowercase());
    }
    keys.into_iter()
        .map(|(key, label)| {
            let members: Vec<&Expansion> = rows
                .iter()
                .filter(|row| group_of(group, row).0 == key)
                .collect();
            GroupTotal {
                count: members.len(),
                added: sum_money(
                    currency,
                    members.iter().map(|row| &row.added_mrr_functional),
                ),
                billed: sum_money(currency, members.iter().map(|row| &row.billed_functional)),
                key,
                label,
            }
        })
        .collect()
}

#[component]
pub fn ExpansionsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="METRICS_READ">
            <ExpansionBoard />
        </RequirePermission>
    }
}

#[component]
fn ExpansionBoard() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let filters = Memo::new(move |_| query.with(ExpansionFilters::from_query));
    let range = Memo::new(move |_| filters.with(|f| (f.from.clone(), f.to.clone())));
    let report = LocalResource::new(move || {
        let (from, to) = range.get();
        api::expansions(from, to)
    });
    let go = move |next: ExpansionFilters| {
        navigate(
            &next.href(),
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    let refilter = {
        let go = go.clone();
        move |change: &dyn Fn(&mut ExpansionFilters)| {
            let mut next = filters.get_untracked();
            change(&mut next);
            next.page = 1;
            go(next);
        }
    };
    let on_from = {
        let refilter = refilter.clone();
        move |event: leptos::ev::Event| {
            let date = event_target_value(&event);
            if format::parse_iso_date(&date).is_some() {
                refilter(&|f: &mut ExpansionFilters| f.from = date.clone());
            }
        }
    };
    let on_to = {
        let refilter = refilter.clone();
        move |event: leptos::ev::Event| {
            let date = event_target_value(&event);
            if format::parse_iso_date(&date).is_some() {
                refilter(&|f: &mut ExpansionFilters| f.to = date.clone());
            }
        }
    };
    let on_sort = {
        let go = go.clone();
        Callback::new(move |key: String| {
            let mut next = filters.get_untracked();
            next.sort = next.sort.toggled(&key);
            go(next);
        })
    };
    // The choices of the filters come from the report's own rows.
    let rows = Memo::new(move |_| {
        report
            .get()
            .and_then(Result::ok)
            .map(|report| report.rows)
            .unwrap_or_default()
    });
    let choices = move |pick: fn(&Expansion) -> Option<(String, String)>| {
        Signal::derive(move || {
            let mut found: Vec<(String, String)> =
                rows.with(|rows| rows.iter().filter_map(pick).collect());
            found.sort_by_key(|a| a.1.to_lowercase());
            found.dedup();
            found
        })
    };
    let customers = choices(|row| Some((row.customer_id.clone(), row.customer_name.clone())));
    let owners = choices(|row| row.owner_id.clone().zip(row.owner_name.clone()));
    let months = Signal::derive(move || {
        let mut found: Vec<String> =
            rows.with(|rows| rows.iter().map(|row| row.month.clone()).collect());
        found.sort();
        found.dedup();
        found
    });
    let kind_options = Signal::derive(|| {
        std::iter::once((String::new(), "All types".to_string()))
            .chain(
                EXPANSION_KINDS
                    .iter()
                    .map(|kind| (kind.to_string(), expansion_kind_label(kind))),
            )
            .collect::<Vec<_>>()
    });
    let month_options = Signal::derive(move || {
        std::iter::once((String::new(), "All months".to_string()))
            .chain(months.get().into_iter().map(|month| {
                let label = format::month(&month);
                (month, label)
            }))
            .collect::<Vec<_>>()
    });
    let customer_options = Signal::derive(move || {
        std::iter::once((String::new(), "All customers".to_string()))
            .chain(customers.get())
            .collect::<Vec<_>>()
    });
    let owner_options = Signal::derive(move || {
        let mut options = vec![
            (String::new(), "All AEs".to_string()),
            (UNASSIGNED.to_string(), "No AE".to_string()),
        ];
        options.extend(owners.get());
        options
    });
    let group_options = Signal::derive(|| {
        GROUPS
            .iter()
            .map(|(key, label)| (key.to_string(), label.to_string()))
            .collect::<Vec<_>>()
    });
    let start = filters.get_untracked();
    let kind = RwSignal::new(start.kind.clone().unwrap_or_default());
    let month = RwSignal::new(start.month.clone().unwrap_or_default());
    let customer = RwSignal::new(start.customer.clone().unwrap_or_default());
    let owner = RwSignal::new(start.owner.clone().unwrap_or_default());
    let group = RwSignal::new(start.group.clone().unwrap_or_default());
    {
        let refilter = refilter.clone();
        Effect::new(move |previous: Option<[String; 5]>| {
            let current = [
                kind.get(),
                month.get(),
                customer.get(),
                owner.get(),
                group.get(),
            ];
            if previous.is_some_and(|previous| previous != current) {
                let [kind, month, customer, owner, group] = current.clone();
                refilter(&|f: &mut ExpansionFilters| {
                    f.kind = non_empty(&kind);
                    f.month = non_empty(&month);
                    f.customer = non_empty(&customer);
                    f.owner = non_empty(&owner);
                    f.group = non_empty(&group);
                });
            }
            current
        });
    }
    let no_errors = Signal::derive(|| None::<ApiError>);

    view! {
        <div class="page expansions">
            <header class="page-header">
                <div>
                    <h1>"Expansion report"</h1>
                    <p class="muted">
                        {move || filters.with(|f| format!(
                            "Seat expansions, module upsells, usage and renewal uplifts from {} to {}.",
                            format::date(&f.from),
                            format::date(&f.to)
                        ))}
                    </p>
                </div>
            </header>
            <div class="toolbar">
                <div class="field field-inline">
                    <label for="expansions-from">"From"</label>
                    <input id="expansions-from" type="date" prop:value=move || filters.with(|f| f.from.clone()) on:change=on_from />
                </div>
                <div class="field field-inline">
                    <label for="expansions-to">"To"</label>
                    <input id="expansions-to" type="date" prop:value=move || filters.with(|f| f.to.clone()) on:change=on_to />
                </div>
                <div class="field-narrow"><SelectField label="Type" name="filterKind" value=kind errors=no_errors options=kind_options /></div>
                <div class="field-narrow"><SelectField label="Month" name="filterMonth" value=month errors=no_errors options=month_options /></div>
                <div class="field-narrow"><SelectField label="Customer" name="filterCustomer" value=customer errors=no_errors options=customer_options /></div>
                <div class="field-narrow"><SelectField label="AE" name="filterOwner" value=owner errors=no_errors options=owner_options /></div>
                <div class="field-narrow"><SelectField label="Group by" name="groupBy" value=group errors=no_errors options=group_options /></div>
            </div>
            {move || match report.get() {
                None => view! { <LoadingRows columns=10 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| report.refetch()) /> }.into_any(),
                Some(Ok(report)) => {
                    let current = filters.get();
                    view! { <ExpansionReportView report=report filters=current on_sort=on_sort go=Callback::new(go.clone()) /> }.into_any()
                }
            }}
        </div>
    }
}

#[component]
fn ExpansionReportView(
    report: ExpansionReport,
    filters: ExpansionFilters,
    on_sort: Callback<String>,
    go: Callback<ExpansionFilters>,
) -> impl IntoView {
    let currency = report.added_mrr.currency.clone();
    let warnings = report.warnings.clone();
    let all_count = report.rows.len();
    let mut shown: Vec<Expansion> = report
        .rows
        .into_iter()
        .filter(|row| filters.keeps(row))
        .collect();
    sort_rows(&mut shown, &filters.sort);
    let added = sum_money(&currency, shown.iter().map(|row| &row.added_mrr_functional));
    let billed = sum_money(&currency, shown.iter().map(|row| &row.billed_functional));
    let filtered = filters.filtered();
    let of_total = |total: &Money| {
        if filtered {
            format!("Of {} in the whole report", total.display())
        } else {
            format!("All expansions in the range, in {currency}")
        }
    };
    let warning_view = (!warnings.is_empty()).then(|| {
        view! {
            <div class="alert alert-warning" role="status" data-test="expansion-warnings">
                <strong>"Some amounts are incomplete"</strong>
                <ul>{warnings.into_iter().map(|warning| view! { <li>{warning}</li> }).collect_view()}</ul>
            </div>
        }
    });
    if shown.is_empty() {
        let (title, hint) = if all_count == 0 {
            (
                "No expansions in this range".to_string(),
                "Seat increases, new modules for paying customers, billed usage and renewal uplifts appear here. Choose an earlier start date to look further back.".to_string(),
            )
        } else {
            (
                "No expansion matches these filters".to_string(),
                format!("{all_count} expansion(s) in the range; clear the type, month, customer or AE filter to see them."),
            )
        };
        return view! {
            {warning_view}
            <div data-test="expansion-report"><EmptyState title=title hint=hint /></div>
        }
        .into_any();
    }
    let count = shown.len();
    let export = expansion_csv_rows(&shown);
    // Added MRR in the contracts' own currencies, one total per currency.
    let own_currencies =
        totals_by_currency(shown.iter().map(|row| &row.added_mrr)).unwrap_or_default();
    let filename = format!("expansions-{}-to-{}.csv", filters.from, filters.to);
    let groups = filters
        .group
        .as_deref()
        .map(|group| (group, group_totals(group, &shown, &currency)));
    let group_label = filters
        .group
        .as_deref()
        .and_then(|group| GROUPS.iter().find(|(key, _)| *key == group))
        .map_or("Group", |(_, label)| *label);
    let pages = count.div_ceil(PAGE_SIZE).max(1);
    let page = filters.page.min(pages);
    let offset = (page - 1) * PAGE_SIZE;
    let page_rows: Vec<Expansion> = shown.into_iter().skip(offset).take(PAGE_SIZE).collect();
    let shown_on_page = page_rows.len();
    let to_page = {
        let filters = filters.clone();
        move |page: usize| {
            let mut next = filters.clone();
            next.page = page;
            go.run(next);
        }
    };
    let previous = {
        let to_page = to_page.clone();
        Callback::new(move |()| to_page(page.saturating_sub(1).max(1)))
    };
    let next = Callback::new(move |()| to_page(page + 1));
    let sort = Signal::derive({
        let order = filters.sort.clone();
        move || order.clone()
    });
    let can_contracts = session::can("REVENUE_READ").get_untracked();
    let group_filter = filters.clone();
    view! {
        {warning_view}
        <div data-test="expansion-report">
            <dl class="figures" data-test="expansion-totals">
                <div class="figure-card">
                    <dt>"Added MRR"</dt>
                    <dd class="figure">{added.as_ref().map_or_else(|| "—".to_string(), Money::display)}</dd>
                    <dd class="small muted">{of_total(&report.added_mrr)}</dd>
                </div>
                <div class="figure-card">
                    <dt>"Billed"</dt>
                    <dd class="figure">{billed.as_ref().map_or_else(|| "—".to_string(), Money::display)}</dd>
                    <dd class="small muted">{of_total(&report.billed)}</dd>
                </div>
                <div class="figure-card">
                    <dt>"Expansions"</dt>
                    <dd class="figure">{count}</dd>
                    <dd class="small muted">{if filtered { format!("Of {all_count} in the range") } else { "In the range".to_string() }}</dd>
                </div>
            </dl>
            {groups.map(|(group, totals)| view! {
                <section class="section" data-test="expansion-groups">
                    <h2>{format!("By {}", group_label.to_lowercase())}</h2>
                    <table class="table compact">
                        <thead>
                            <tr>
                                <th scope="col">{group_label}</th>
                                <th scope="col" class="num">"Expansions"</th>
                                <th scope="col" class="num">{format!("Added MRR ({currency})")}</th>
                                <th scope="col" class="num">{format!("Billed ({currency})")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {totals.into_iter().map(|total| {
                                // Each group narrows the table to its rows.
                                let mut narrowed = group_filter.clone();
                                narrowed.page = 1;
                                narrowed.group = None;
                                match group {
                                    "kind" => narrowed.kind = Some(total.key.clone()),
                                    "month" => narrowed.month = Some(total.key.clone()),
                                    "customer" => narrowed.customer = Some(total.key.clone()),
                                    _ => narrowed.owner = Some(total.key.clone()),
                                }
                                view! {
                                    <tr>
                                        <td><a href=narrowed.href()>{total.label}</a></td>
                                        <td class="num">{total.count}</td>
                                        <MoneyCell money=total.added />
                                        <MoneyCell money=total.billed />
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            })}
            <section class="section">
                <div class="table-scroll">
                <table class="table wide-table" data-test="expansion-table">
                    <thead>
                        <tr>
                            <SortHeader label="Date" key="date" sort=sort on_sort=on_sort />
                            <SortHeader label="Type" key="kind" sort=sort on_sort=on_sort />
                            <SortHeader label="Customer" key="customer" sort=sort on_sort=on_sort />
                            <SortHeader label="Contract" key="contract" sort=sort on_sort=on_sort />
                            <SortHeader label="Product and detail" key="product" sort=sort on_sort=on_sort />
                            <SortHeader label="AE" key="owner" sort=sort on_sort=on_sort />
                            <th scope="col" class="num">"Added MRR"</th>
                            <SortHeader label=format!("Added ({currency})") key="added" sort=sort on_sort=on_sort numeric=true />
                            <SortHeader label=format!("Billed ({currency})") key="billed" sort=sort on_sort=on_sort numeric=true />
                        </tr>
                    </thead>
                    <tbody>
                        {page_rows.into_iter().map(|row| view! {
                            <tr data-kind=row.kind.clone()>
                                <td class="nowrap">{format::date(&row.date)}</td>
                                <td>{expansion_kind_label(&row.kind)}</td>
                                <td><a href=format!("/customers/{}", row.customer_id)>{row.customer_name.clone()}</a></td>
                                <td class="nowrap">
                                    {if can_contracts {
                                        view! { <a href=format!("/revenue/contracts/{}", row.contract_id)>{row.contract_number.clone()}</a> }.into_any()
                                    } else {
                                        view! { <span>{row.contract_number.clone()}</span> }.into_any()
                                    }}
                                </td>
                                <td class="detail-cell">
                                    <div>{row.product.clone()}</div>
                                    <div class="muted small">{row.detail.clone()}</div>
                                </td>
                                <td>{row.owner_name.clone().unwrap_or_else(|| "—".to_string())}</td>
                                <MoneyCell money=Some(row.added_mrr.clone()) />
                                <MoneyCell money=Some(row.added_mrr_functional.clone()) />
                                <MoneyCell money=Some(row.billed_functional.clone()) />
                            </tr>
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr class="total-row">
                            <th scope="row" colspan="6">{format!("Total of {count} expansion(s) in {currency}")}</th>
                            <MoneyListCell amounts=own_currencies />
                            <MoneyCell money=added.clone() />
                            <MoneyCell money=billed.clone() />
                        </tr>
                    </tfoot>
                </table>
                </div>
                <Pager
                    shown=shown_on_page
                    offset=Some(offset)
                    total=count as i64
                    has_previous={page > 1}
                    has_next={page < pages}
                    on_previous=previous
                    on_next=next
                >
                    <ExportCsv filename=filename header=&EXPANSION_CSV_HEADER rows=export />
                </Pager>
            </section>
        </div>
    }
    .into_any()
}

const EXPANSION_CSV_HEADER: [&str; 16] = [
    "date",
    "month",
    "kind",
    "customer_id",
    "customer",
    "contract_id",
    "contract_number",
    "product",
    "detail",
    "owner",
    "added_mrr",
    "currency",
    "added_mrr_functional",
    "billed",
    "billed_functional",
    "functional_currency",
];

fn expansion_csv_rows(rows: &[Expansion]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| {
            vec![
                row.date.clone(),
                row.month.clone(),
                row.kind.clone(),
                row.customer_id.clone(),
                row.customer_name.clone(),
                row.contract_id.clone(),
                row.contract_number.clone(),
                row.product.clone(),
                row.detail.clone(),
                row.owner_name.clone().unwrap_or_default(),
                row.added_mrr.amount.clone(),
                row.added_mrr.currency.clone(),
                row.added_mrr_functional.amount.clone(),
                row.billed
                    .as_ref()
                    .map(|m| m.amount.clone())
                    .unwrap_or_default(),
                row.billed_functional.amount.clone(),
                row.billed_functional.currency.clone(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(amount: &str) -> Money {
        Money {
            amount: amount.into(),
            currency: "USD".into(),
        }
    }

    fn expansion(kind: &str, month: &str, customer: &str, added: &str) -> Expansion {
        Expansion {
            kind: kind.into(),
            date: format!("{month}-15"),
            month: month.into(),
            customer_id: customer.into(),
            customer_name: format!("Customer {customer}"),
            contract_id: "1".into(),
            contract_number: "C-1".into(),
            owner_id: None,
            owner_name: None,
            product: "Platform".into(),
            detail: String::new(),
            added_mrr: usd(added),
            added_mrr_functional: usd(added),
            billed: None,
            billed_functional: usd("0.00"),
        }
    }

    #[test]
    fn groups_add_up_their_rows() {
        let rows = vec![
            expansion("SEATS", "2026-10", "1", "100.00"),
            expansion("MODULE", "2026-11", "2", "250.50"),
            expansion("SEATS", "2026-11", "1", "20.00"),
        ];
        let by_kind = group_totals("kind", &rows, "USD");
        assert_eq!(by_kind.len(), 2);
        let seats = by_kind
            .iter()
            .find(|g| g.key == "SEATS")
            .map(|g| (g.count, g.added.clone()));
        assert_eq!(seats, Some((2, Some(usd("120.00")))));
        let by_month = group_totals("month", &rows, "USD");
        assert_eq!(by_month[0].key, "2026-10");
    }

    #[test]
    fn the_range_defaults_to_the_year_so_far() {
        assert_eq!(year_start("2026-11-27"), "2026-01-01");
    }
}
