//! The trial balance as of a chosen date (kept in the URL as `?asOf=`), with totals per
//! currency and a clear balanced / out-of-balance status.

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{self, TrialBalance},
    app::RequirePermission,
    components::{
        export::ExportCsv,
        money::MoneyCell,
        states::{EmptyState, ErrorPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format,
    routes::href_with_query,
};

#[component]
pub fn LedgerPage() -> impl IntoView {
    view! {
        <RequirePermission permission="LEDGER_READ">
            <TrialBalanceView />
        </RequirePermission>
    }
}

#[component]
fn TrialBalanceView() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let as_of = Memo::new(move |_| {
        query
            .with(|q| q.get("asOf"))
            .filter(|date| date.len() == 10)
            .unwrap_or_else(format::today_iso)
    });
    let balance = LocalResource::new(move || api::trial_balance(as_of.get()));
    let on_date = move |event: leptos::ev::Event| {
        let date = event_target_value(&event);
        if date.len() == 10 {
            let href = href_with_query("/ledger", &[("asOf", Some(date))]);
            navigate(
                &href,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    };

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Trial balance"</h1>
                    <p class="muted">{move || format!("All posted journal entries up to and including {}.", format::date(&as_of.get()))}</p>
                </div>
            </header>
            <div class="toolbar">
                <div class="field field-inline">
                    <label for="as-of">"As of"</label>
                    <input id="as-of" type="date" prop:value=move || as_of.get() on:change=on_date />
                </div>
            </div>
            {move || match balance.get() {
                None => view! { <LoadingRows columns=6 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| balance.refetch()) /> }.into_any(),
                Some(Ok(balance)) if balance.lines.is_empty() => view! {
                    <EmptyState
                        title=format!("Nothing posted by {}", format::date(&balance.as_of))
                        hint="Journal entries appear here once deals are billed or entries are posted. Try a later date."
                    />
                }.into_any(),
                Some(Ok(balance)) => view! { <TrialBalanceTable balance=balance /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn TrialBalanceTable(balance: TrialBalance) -> impl IntoView {
    let status = if balance.is_balanced {
        view! { <Badge tone=Tone::Good label="Balanced" /> }
    } else {
        view! { <Badge tone=Tone::Danger label="Out of balance" /> }
    };
    let export_rows: Vec<Vec<String>> = balance
        .lines
        .iter()
        .map(|line| {
            vec![
                balance.as_of.clone(),
                line.account.code.clone(),
                line.account.name.clone(),
                line.account.kind.clone(),
                line.currency.clone(),
                line.debit.amount.clone(),
                line.credit.amount.clone(),
                line.balance.amount.clone(),
            ]
        })
        .collect();
    view! {
        <div class="report-status" data-test="balance-status">
            {status}
            <span class="muted">{format!("As of {}", format::date(&balance.as_of))}</span>
            <span class="spacer"></span>
            <ExportCsv
                filename=format!("trial-balance-{}.csv", balance.as_of)
                header=&["as_of", "account_code", "account_name", "kind", "currency", "debit", "credit", "balance"]
                rows=export_rows
            />
        </div>
        // Focusable, so a keyboard can scroll it where it scrolls in its own box (a phone).
        <table class="table" tabindex="0" aria-label=format!("Trial balance as of {}", format::date(&balance.as_of))>
            <thead>
                <tr>
                    <th scope="col">"Account"</th>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col">"Currency"</th>
                    <th scope="col" class="num">"Debit"</th>
                    <th scope="col" class="num">"Credit"</th>
                    <th scope="col" class="num">"Balance"</th>
                </tr>
            </thead>
            <tbody>
                {balance
                    .lines
                    .into_iter()
                    .map(|line| view! {
                        <tr>
                            <td class="mono">{line.account.code}</td>
                            <td>{line.account.name}</td>
                            <td>{format::enum_label(&line.account.kind)}</td>
                            <td>{line.currency}</td>
                            <MoneyCell money=Some(line.debit) />
                            <MoneyCell money=Some(line.credit) />
                            <MoneyCell money=Some(line.balance) />
                        </tr>
                    })
                    .collect_view()}
            </tbody>
            <tfoot>
                {balance
                    .totals
                    .into_iter()
                    .map(|total| view! {
                        <tr class="total-row">
                            <th scope="row" colspan="3">{format!("Total {}", total.currency)}</th>
                            <td>{total.currency.clone()}</td>
                            <MoneyCell money=Some(total.debit) />
                            <MoneyCell money=Some(total.credit) />
                            <td></td>
                        </tr>
                    })
                    .collect_view()}
            </tfoot>
        </table>
    }
}
