//! Commission statements of a month, one row per rep the signed-in user may see: their team for
//! a manager, everyone for the roles that see all. A row opens that rep's statement.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::{
    api::{self, CommissionStatementSummary},
    app::RequirePermission,
    components::{
        export::ExportCsv,
        field::MonthField,
        money::{totals_by_currency, MoneyListCell},
        states::{EmptyState, ErrorPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format,
    routes::{
        commissions::{use_go_to_period, use_period},
        href_with_query,
    },
    session,
};

#[component]
pub fn CommissionTeamPage() -> impl IntoView {
    view! {
        <RequirePermission permission="COMMISSION_READ">
            <TeamStatements />
        </RequirePermission>
    }
}

#[component]
fn TeamStatements() -> impl IntoView {
    let period = use_period();
    let go = use_go_to_period();
    let sees_all = session::can("COMMISSION_ALL_READ");
    let rows = LocalResource::new(move || api::commission_statements(period.get()));
    view! {
        <div class="page commissions">
            <header class="page-header">
                <div>
                    <h1>"Commission statements"</h1>
                    <p class="muted">
                        {move || if sees_all.get() {
                            "Every rep's statement for the month: lines, what they earned and open disputes. Open a row for the lines and their explanations."
                        } else {
                            "Your statement and your team's for the month. Open a row for the lines and their explanations."
                        }}
                    </p>
                </div>
                <div class="header-actions">
                    <MonthField label="Month" id="team-period" value=period on_change=go />
                </div>
            </header>
            {move || match rows.get() {
                None => view! { <LoadingRows columns=5 rows=6 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| rows.refetch()) /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <EmptyState
                        title=format!("No statements for {}", format::month(&period.get_untracked()))
                        hint="Reps appear here once they are assigned a plan for the month or have lines in it. Assign plans on the commission plans page; managers see the reps who report to them."
                    />
                }.into_any(),
                Some(Ok(list)) => view! { <TeamTable rows=list period=period.get_untracked() /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn TeamTable(rows: Vec<CommissionStatementSummary>, period: String) -> impl IntoView {
    let navigate = use_navigate();
    let export_rows = team_csv_rows(&rows);
    let all_totals = totals_by_currency(rows.iter().flat_map(|row| row.totals.iter()));
    let line_count: i64 = rows.iter().map(|row| row.lines).sum();
    let open_disputes: i64 = rows.iter().map(|row| row.open_disputes).sum();
    let filename = format!("commission-statements-{period}.csv");
    view! {
        <table class="table clickable" data-test="statement-table">
            <thead>
                <tr>
                    <th scope="col">"Rep"</th>
                    <th scope="col">"Plan"</th>
                    <th scope="col" class="num">"Lines"</th>
                    <th scope="col" class="num">"Earned"</th>
                    <th scope="col">"Open disputes"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let href = href_with_query(
                        &format!("/commissions/statements/{}", row.user_id),
                        &[("period", Some(period.clone()))],
                    );
                    let target = href.clone();
                    let navigate = navigate.clone();
                    view! {
                        <tr data-user-id=row.user_id.clone() on:click=move |_| navigate(&target, Default::default())>
                            <th scope="row" class="strong"><a href=href>{row.user_name.clone()}</a></th>
                            <td class="mono">{row.plan_code.clone().unwrap_or_else(|| "—".into())}</td>
                            <td class="num">{row.lines}</td>
                            <MoneyListCell amounts=row.totals.clone() />
                            <td>
                                {if row.open_disputes > 0 {
                                    view! { <Badge tone=Tone::Warning label=format!("{} open", row.open_disputes) /> }.into_any()
                                } else {
                                    view! { <span class="muted">"None"</span> }.into_any()
                                }}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
            <tfoot>
                <tr class="total-row">
                    <th scope="row" colspan="2">"Total"</th>
                    <td class="num">{line_count}</td>
                    <MoneyListCell amounts=all_totals.unwrap_or_default() />
                    <td>{format!("{open_disputes} open")}</td>
                </tr>
            </tfoot>
        </table>
        <div class="pager">
            <span class="muted">"Totals are kept per currency, never added across currencies."</span>
            <ExportCsv filename=filename header=&TEAM_CSV_HEADER rows=export_rows />
        </div>
    }
}

const TEAM_CSV_HEADER: [&str; 6] = ["user_id", "rep", "plan", "lines", "earned", "open_disputes"];

fn team_csv_rows(rows: &[CommissionStatementSummary]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| {
            vec![
                row.user_id.clone(),
                row.user_name.clone(),
                row.plan_code.clone().unwrap_or_default(),
                row.lines.to_string(),
                row.totals
                    .iter()
                    .map(|money| format!("{} {}", money.amount, money.currency))
                    .collect::<Vec<_>>()
                    .join("; "),
                row.open_disputes.to_string(),
            ]
        })
        .collect()
}
