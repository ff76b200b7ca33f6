//! The remaining performance obligations disclosure (ASC 606-10-50-13) on the revenue overview:
//! the fixed consideration allocated to what is not yet satisfied, by when it is expected to be
//! recognised, per currency with its streams, as of the overview's date.

use leptos::prelude::*;

use crate::{
    api::{self, revenue_export_url, RpoCurrency, RpoFigures},
    components::{
        download::DownloadButton,
        money::MoneyCell,
        states::{EmptyState, ErrorPanel, LoadingPanel},
    },
    format,
};

#[component]
pub fn RpoSection(as_of: Signal<String>, refresh: RwSignal<u32>) -> impl IntoView {
    let report = LocalResource::new(move || {
        refresh.track();
        api::remaining_obligations(as_of.get())
    });
    view! {
        <section class="section" data-test="revenue-rpo">
            <div class="section-header">
                <h2>"Remaining performance obligations"</h2>
                {move || {
                    let date = as_of.get();
                    view! {
                        <div class="header-actions">
                            <DownloadButton
                                url=revenue_export_url("rpo", &[("asOf", &date)])
                                fallback_name=format!("remaining-performance-obligations-{date}.csv")
                                media_type="text/csv"
                                label="Download CSV"
                                test_id="rpo-csv"
                            />
                        </div>
                    }
                }}
            </div>
            <p class="muted small">"Contracted revenue not yet recognised, by when it is expected (ASC 606-10-50-13): billed and deferred, and not yet billed. Time and usage, recognised as earned, are left out (50-14(b))."</p>
            {move || match report.get() {
                None => view! { <LoadingPanel label="Loading the remaining obligations…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| report.refetch()) /> }.into_any(),
                Some(Ok(report)) if report.currencies.is_empty() => view! {
                    <EmptyState
                        title=format!("No remaining obligations on {}", format::date(&report.as_of))
                        hint="Approved contracts with revenue still to recognise appear here."
                    />
                }.into_any(),
                Some(Ok(report)) => view! {
                    {report.currencies.into_iter().map(|currency| view! { <RpoTable currency=currency /> }).collect_view()}
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RpoTable(currency: RpoCurrency) -> impl IntoView {
    let row = |label: String, figures: RpoFigures, total: bool| {
        let stream = label.clone();
        view! {
            <tr class:total-row=total data-stream=stream>
                <th scope="row">{label}</th>
                <MoneyCell money=Some(figures.within12_months) />
                <MoneyCell money=Some(figures.months13_to24) />
                <MoneyCell money=Some(figures.beyond24_months) />
                <MoneyCell money=Some(figures.date_not_known) />
                <MoneyCell money=Some(figures.total) />
            </tr>
        }
    };
    view! {
        <table class="table" data-test="rpo-table" data-currency=currency.currency.clone()>
            <caption>{format!(
                "{} · {} contract{}",
                currency.currency,
                currency.contracts,
                if currency.contracts == 1 { "" } else { "s" }
            )}</caption>
            <thead>
                <tr>
                    <th scope="col">"Stream"</th>
                    <th scope="col" class="num">"Within 12 months"</th>
                    <th scope="col" class="num">"13–24 months"</th>
                    <th scope="col" class="num">"Beyond 24 months"</th>
                    <th scope="col" class="num">"Date not known"</th>
                    <th scope="col" class="num">"Total"</th>
                </tr>
            </thead>
            <tbody>
                {currency.streams.into_iter().map(|stream| row(format::enum_label(&stream.stream), stream.figures, false)).collect_view()}
            </tbody>
            <tfoot>
                {row("Total".to_string(), currency.figures, true)}
            </tfoot>
        </table>
    }
}
