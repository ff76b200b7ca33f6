//! The rows behind a figure, in a panel under the dashboard, with their CSV export.

use super::*;

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
pub(super) fn DrillPanel(
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
