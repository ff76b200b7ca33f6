//! The collections block of the customer page: whether the account is on watch or on credit
//! hold (and whether the ladder or a person placed the hold), the account manager (with a
//! picker for those who may change the customer), and the statement for a period with its PDF
//! and CSV downloads.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ApiError, CurrencyStatement, CustomerCollections as Facts, CustomerStatement},
    components::{
        download::DownloadButton,
        money::{Amount, MoneyCell},
        states::{ActionError, ErrorPanel, LoadingPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format, session,
};

/// Shown to readers of receivables.
#[component]
pub fn CustomerCollections(customer_id: String) -> impl IntoView {
    let can_read = session::can("RECEIVABLES_READ");
    let customer_id = StoredValue::new(customer_id);
    move || {
        can_read
            .get()
            .then(|| view! { <CollectionsBlock customer_id=customer_id.get_value() /> })
    }
}

#[component]
fn CollectionsBlock(customer_id: String) -> impl IntoView {
    let id = StoredValue::new(customer_id.clone());
    let facts = LocalResource::new(move || api::customer_collections(id.get_value()));
    let can_work = session::can("COLLECTIONS_WORK");
    view! {
        <section class="section collections-block" data-test="customer-collections">
            <div class="section-header">
                <h2>"Collections"</h2>
                <Show when=move || can_work.get()>
                    <a class="button button-quiet" href=format!("/collections?customer={}", id.get_value())>"Collection tasks"</a>
                </Show>
            </div>
            {move || match facts.get() {
                None => view! { <LoadingPanel label="Loading collections status…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| facts.refetch()) /> }.into_any(),
                Some(Ok(facts)) => view! { <StatusPanel facts=facts /> }.into_any(),
            }}
            <StatementPanel customer_id=customer_id />
        </section>
    }
}

#[component]
fn StatusPanel(facts: Facts) -> impl IntoView {
    let hold_source = match facts.credit_hold_source.as_deref() {
        Some("ladder") => "placed by the collections ladder; lifted by it once paid",
        Some("manual") => "placed by a person; released on the Credit hold panel",
        _ => "",
    };
    view! {
        <section class="panel" data-loaded="collections-status">
            <h3>"Status"</h3>
            <dl class="facts">
                <dt>"Watch"</dt>
                <dd data-test="watch-status">
                    {if facts.on_watch {
                        view! {
                            <Badge tone=Tone::Warning label="On watch" />
                            {facts.watch_since.as_deref().map(|since| format!(" since {}", format::date(since)))}
                        }.into_any()
                    } else {
                        view! { <Badge tone=Tone::Good label="Not on watch" /> }.into_any()
                    }}
                </dd>
                <dt>"Credit hold"</dt>
                <dd data-test="hold-status">
                    {if facts.on_credit_hold {
                        view! {
                            <Badge tone=Tone::Danger label="On hold" />
                            <div class="small">{hold_source}</div>
                            {facts.credit_hold_reason.clone().map(|reason| view! { <div class="small muted">{reason}</div> })}
                            {facts.credit_hold_since.as_deref().map(|since| view! { <div class="small muted">{format!("Since {}", format::date(since))}</div> })}
                        }.into_any()
                    } else {
                        view! { <Badge tone=Tone::Good label="Not on hold" /> }.into_any()
                    }}
                </dd>
                <dt>"Account manager"</dt>
                <dd><AccountManager customer_id=facts.id.clone() current=facts.account_manager_id.clone() /></dd>
            </dl>
        </section>
    }
}

/// The account manager's name; holders of CUSTOMER_WRITE may pick another or clear it.
#[component]
fn AccountManager(customer_id: String, current: Option<String>) -> impl IntoView {
    let can_write = session::can("CUSTOMER_WRITE");
    let managers = LocalResource::new(api::account_managers);
    let current = RwSignal::new(current);
    let chosen = RwSignal::new(current.get_untracked().unwrap_or_default());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let saved = RwSignal::new(None::<String>);
    let customer_id = StoredValue::new(customer_id);
    let name_of = move |id: &str| {
        managers
            .get()
            .and_then(Result::ok)
            .and_then(|users| users.into_iter().find(|user| user.id == id))
            .map(|user| user.name)
    };
    let save = move |_| {
        let user_id = Some(chosen.get_untracked()).filter(|id| !id.is_empty());
        pending.set(true);
        saved.set(None);
        spawn_local(async move {
            let result = api::customer_account_manager_set(customer_id.get_value(), user_id).await;
            pending.set(false);
            match result {
                Ok(facts) => {
                    errors.set(None);
                    current.set(facts.account_manager_id);
                    saved.set(Some("Saved.".into()));
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        {move || match current.get() {
            Some(id) => name_of(&id).unwrap_or_else(|| "Assigned".to_string()),
            None => "None named".to_string(),
        }}
        <Show when=move || can_write.get()>
            <div class="field field-inline account-manager">
                <label for="account-manager">"Change to"</label>
                <select id="account-manager" on:change=move |event| chosen.set(event_target_value(&event)) prop:value=move || chosen.get()>
                    <option value="">"Nobody"</option>
                    {move || managers.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|user| {
                        let selected = chosen.get_untracked() == user.id;
                        view! { <option value=user.id selected=selected>{user.name}</option> }
                    }).collect_view()}
                </select>
                <button class="button" type="button" data-action="save-account-manager" disabled=move || pending.get() on:click=save>
                    {move || if pending.get() { "Saving…" } else { "Save" }}
                </button>
            </div>
            {move || saved.get().map(|message| view! { <p class="hint" role="status">{message}</p> })}
            <ActionError error=errors.into() />
        </Show>
    }
}

/// The first day of this month, as the statement's default start.
fn month_start(today: &str) -> String {
    format!("{}-01", today.get(..7).unwrap_or(today))
}

#[component]
fn StatementPanel(customer_id: String) -> impl IntoView {
    let today = format::today_iso();
    let from = RwSignal::new(month_start(&today));
    let to = RwSignal::new(today);
    let customer_id = StoredValue::new(customer_id);
    let requested = RwSignal::new(None::<(String, String)>);
    let statement = LocalResource::new(move || {
        let period = requested.get();
        async move {
            match period {
                Some((from, to)) => {
                    api::customer_statement(customer_id.get_value(), Some(from), Some(to))
                        .await
                        .map(Some)
                }
                None => Ok(None),
            }
        }
    });
    view! {
        <section class="panel" data-test="statement">
            <h3>"Statement"</h3>
            <div class="toolbar">
                <div class="field">
                    <label for="statement-from">"From"</label>
                    <input id="statement-from" type="date" bind:value=from />
                </div>
                <div class="field">
                    <label for="statement-to">"To"</label>
                    <input id="statement-to" type="date" bind:value=to />
                </div>
                <button class="button" type="button" data-action="show-statement" on:click=move |_| requested.set(Some((from.get_untracked(), to.get_untracked())))>
                    "Show statement"
                </button>
            </div>
            {move || match statement.get() {
                Some(Ok(None)) => view! { <p class="muted">"Choose a period and show the statement to read or download it."</p> }.into_any(),
                None => view! { <LoadingRows columns=4 rows=3 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error /> }.into_any(),
                Some(Ok(Some(statement))) => view! { <StatementView statement=statement /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn StatementView(statement: CustomerStatement) -> impl IntoView {
    let base_name = format!(
        "statement-{}-{}-{}",
        statement.legal_name.replace(' ', "-"),
        statement.from,
        statement.to
    );
    view! {
        <p class="muted" data-loaded="statement">
            {format!("{} · {} – {}", statement.legal_name, format::date(&statement.from), format::date(&statement.to))}
        </p>
        <div class="button-row">
            <DownloadButton url=statement.pdf_url.clone() fallback_name=format!("{base_name}.pdf") media_type="application/pdf" label="Download PDF" test_id="statement-pdf" />
            <DownloadButton url=statement.csv_url.clone() fallback_name=format!("{base_name}.csv") media_type="text/csv" label="Download CSV" test_id="statement-csv" />
        </div>
        {if statement.currencies.is_empty() {
            view! { <p class="muted">"No activity and nothing open in this period."</p> }.into_any()
        } else {
            statement.currencies.into_iter().map(|currency| view! { <CurrencyStatementView statement=currency /> }).collect_view().into_any()
        }}
    }
}

#[component]
fn CurrencyStatementView(statement: CurrencyStatement) -> impl IntoView {
    view! {
        <h4>{format!("In {}", statement.currency)}</h4>
        <table class="table compact" data-test="statement-lines">
            <thead>
                <tr>
                    <th scope="col">"Date"</th>
                    <th scope="col">"Invoice"</th>
                    <th scope="col">"Description"</th>
                    <th scope="col" class="num">"Amount"</th>
                    <th scope="col" class="num">"Balance"</th>
                </tr>
            </thead>
            <tbody>
                <tr>
                    <th scope="row" colspan="4">"Opening balance"</th>
                    <MoneyCell money=Some(statement.opening.clone()) />
                </tr>
                {statement.lines.into_iter().map(|line| view! {
                    <tr>
                        <td class="nowrap">{format::date(&line.date)}</td>
                        <td class="nowrap mono">{line.invoice_number}</td>
                        <td>{line.description}</td>
                        <MoneyCell money=Some(line.amount) />
                        <MoneyCell money=Some(line.balance) />
                    </tr>
                }).collect_view()}
            </tbody>
            <tfoot>
                <tr class="total-row">
                    <th scope="row" colspan="4">"Closing balance"</th>
                    <MoneyCell money=Some(statement.closing.clone()) />
                </tr>
            </tfoot>
        </table>
        {(!statement.open_items.is_empty()).then(|| view! {
            <p class="small muted">
                {format!("{} open item(s): ", statement.open_items.len())}
                {statement.open_items.into_iter().map(|item| view! {
                    <span class="nowrap">
                        {format!("{} ({} days, ", item.invoice_number, item.days)}
                        <Amount money=item.open />
                        ") "
                    </span>
                }).collect_view()}
            </p>
        })}
    }
}
