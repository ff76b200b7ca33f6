//! Recognition settings: the company's ratable method (set by the CFO) and the standalone
//! selling price (SSP) table the allocation reads, with a form to add a price range.

use leptos::{prelude::*, task::spawn_local};
use serde_json::json;

use crate::{
    api::{self, ApiError, RevenueSettings, SspPrice, RATABLE_METHODS, SSP_BASES, SSP_METHODS},
    app::RequirePermission,
    components::{
        field::{
            enum_options, focus_first_invalid, non_empty, ChoiceCards, SelectField, TextField,
        },
        money::MoneyCell,
        revenue::method_label,
        states::{ActionError, EmptyState, ErrorPanel, LoadingPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format, session,
};

#[component]
pub fn RevenueSettingsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="REVENUE_TOTALS_READ">
            <div class="page revenue">
                <p class="breadcrumb"><a href="/revenue/close">"Period close"</a></p>
                <header class="page-header">
                    <div>
                        <h1>"Recognition settings"</h1>
                        <p class="muted">"How ratable revenue is spread over a service period, and the standalone selling prices the transaction price is allocated by."</p>
                    </div>
                </header>
                <RatableMethodSection />
                <SspSection />
            </div>
        </RequirePermission>
    }
}

// ---------------------------------------------------------------------------------------------
// Ratable method
// ---------------------------------------------------------------------------------------------

#[component]
fn RatableMethodSection() -> impl IntoView {
    let settings = LocalResource::new(api::revenue_settings);
    let saved = RwSignal::new(None::<RevenueSettings>);
    let notice = RwSignal::new(None::<String>);
    let current = Signal::derive(move || match saved.get() {
        Some(settings) => Some(Ok(settings)),
        None => settings.get(),
    });
    view! {
        <section class="section" data-test="ratable-method">
            <h2>"Ratable method"</h2>
            {move || notice.get().map(|message| view! { <div class="alert alert-success" role="status">{message}</div> })}
            {move || match current.get() {
                None => view! { <LoadingPanel label="Loading the settings…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| settings.refetch()) /> }.into_any(),
                Some(Ok(current)) => view! {
                    <MethodForm
                        current=current.ratable_method
                        on_saved=Callback::new(move |settings: RevenueSettings| {
                            notice.set(Some(format!("Ratable method set to “{}”.", method_label(&settings.ratable_method).0)));
                            saved.set(Some(settings));
                        })
                    />
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn MethodForm(current: String, on_saved: Callback<RevenueSettings>) -> impl IntoView {
    let can_edit = session::can("REVENUE_SETTINGS");
    let chosen = RwSignal::new(current.clone());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let current = StoredValue::new(current);
    let save = move |_| {
        let method = chosen.get_untracked();
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::revenue_method_set(method).await;
            pending.set(false);
            match result {
                Ok(settings) => on_saved.run(settings),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <div class="panel">
            <ChoiceCards
                legend="Ratable method"
                name="ratableMethod"
                choices=RATABLE_METHODS
                    .iter()
                    .map(|method| {
                        let (label, explanation) = method_label(method);
                        (method.to_string(), label, explanation)
                    })
                    .collect()
                in_use=current.get_value()
                chosen=chosen.into()
                on_choose=Callback::new(move |method: String| chosen.set(method))
                disabled=Signal::derive(move || !can_edit.get() || pending.get())
            />
            <ActionError error=errors.into() />
            {move || if can_edit.get() {
                view! {
                    <div class="button-row">
                        <button
                            class="button button-primary"
                            type="button"
                            data-action="save-method"
                            disabled=move || pending.get() || current.with_value(|current| *current == chosen.get())
                            on:click=save
                        >
                            {move || if pending.get() { "Saving…" } else { "Save method" }}
                        </button>
                    </div>
                }.into_any()
            } else {
                view! { <p class="muted small">"Only the CFO changes the ratable method."</p> }.into_any()
            }}
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// SSP table
// ---------------------------------------------------------------------------------------------

/// Where an SSP entry stands on `today`: the one in force for its product and currency, one
/// replaced by a later entry, or one that starts later.
fn ssp_state(price: &SspPrice, all: &[SspPrice], today: &str) -> (Tone, &'static str) {
    if price.effective_from.as_str() > today {
        return (Tone::Info, "Scheduled");
    }
    let replaced = all.iter().any(|other| {
        other.id != price.id
            && other.product_name == price.product_name
            && other.currency == price.currency
            && other.effective_from.as_str() <= today
            && other.effective_from > price.effective_from
    });
    if replaced {
        (Tone::Neutral, "Superseded")
    } else {
        (Tone::Good, "In force")
    }
}

fn basis_label(basis: &str) -> &'static str {
    match basis {
        "PER_UNIT_YEAR" => "Per unit per year",
        "PER_UNIT" => "Per unit",
        _ => "Other",
    }
}

fn ssp_method_label(method: &str) -> &'static str {
    match method {
        "OBSERVABLE" => "Observable price",
        "ADJUSTED_MARKET" => "Adjusted market",
        "EXPECTED_COST_PLUS_MARGIN" => "Cost plus margin",
        "RESIDUAL" => "Residual",
        _ => "Other",
    }
}

/// The entry in words for the saved notice: its price, range or how it is found.
fn ssp_in_words(price: &SspPrice) -> String {
    match price.method.as_str() {
        "EXPECTED_COST_PLUS_MARGIN" => format!(
            "{} (cost {} + {} %)",
            price.low.display(),
            price
                .cost
                .as_ref()
                .map(api::Money::display)
                .unwrap_or_default(),
            price.margin_percent.clone().unwrap_or_default()
        ),
        "RESIDUAL" if format::is_zero(&price.high.amount) => {
            "the residual, no prices seen yet".to_string()
        }
        "RESIDUAL" => format!(
            "the residual, within {} – {}",
            price.low.display(),
            price.high.display()
        ),
        _ if price.low == price.high => price.low.display(),
        _ => format!("{} – {}", price.low.display(), price.high.display()),
    }
}

#[component]
fn SspSection() -> impl IntoView {
    let can_manage = session::can("SSP_MANAGE");
    let prices = LocalResource::new(api::ssp_prices);
    let notice = RwSignal::new(None::<String>);
    let adding = RwSignal::new(false);
    let on_saved = Callback::new(move |price: SspPrice| {
        notice.set(Some(format!(
            "SSP for {} from {} saved: {}, {}.",
            price.product_name,
            format::date(&price.effective_from),
            ssp_in_words(&price),
            basis_label(&price.basis).to_lowercase(),
        )));
        adding.set(false);
        prices.refetch();
    });
    view! {
        <section class="section" data-test="ssp-table-section">
            <div class="section-header">
                <h2>"Standalone selling prices"</h2>
                <Show when=move || can_manage.get() && !adding.get()>
                    <button class="button" type="button" data-action="add-ssp" on:click=move |_| { notice.set(None); adding.set(true) }>"Add SSP"</button>
                </Show>
            </div>
            <p class="muted small">"Prices are per unit, or per unit per year of service. An observed or market price: a contract price inside the range is used as the SSP; outside it, the nearer end; when low and high are equal, that price. Cost plus margin: the expected cost with the margin added. Residual: what the contract price leaves after the other lines' SSPs, and only when that falls within the prices seen. A product with no entry takes its contract price. Entries apply from their effective date."</p>
            {move || notice.get().map(|message| view! { <div class="alert alert-success" role="status" data-test="ssp-notice">{message}</div> })}
            {move || adding.get().then(|| view! { <SspForm on_saved=on_saved on_cancel=Callback::new(move |()| adding.set(false)) /> })}
            {move || match prices.get() {
                None => view! { <LoadingRows columns=8 rows=4 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| prices.refetch()) /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <EmptyState title="No standalone selling prices yet" hint="Add a price range per product; until then each obligation's stated price is used as its SSP." />
                }.into_any(),
                Some(Ok(list)) => view! { <SspTable prices=list /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn SspTable(prices: Vec<SspPrice>) -> impl IntoView {
    let today = format::today_iso();
    let mut sorted = prices.clone();
    sorted.sort_by(|a, b| {
        (
            a.product_name.to_lowercase(),
            &a.currency,
            &b.effective_from,
        )
            .cmp(&(
                b.product_name.to_lowercase(),
                &b.currency,
                &a.effective_from,
            ))
    });
    view! {
        <table class="table compact" data-test="ssp-table">
            <thead>
                <tr>
                    <th scope="col">"Product"</th>
                    <th scope="col">"Basis"</th>
                    <th scope="col">"Method"</th>
                    <th scope="col">"Currency"</th>
                    <th scope="col" class="num">"Low"</th>
                    <th scope="col" class="num">"High"</th>
                    <th scope="col">"Effective from"</th>
                    <th scope="col">"State"</th>
                </tr>
            </thead>
            <tbody>
                {sorted.into_iter().map(|price| {
                    let (tone, state) = ssp_state(&price, &prices, &today);
                    view! {
                        <tr data-ssp-id=price.id.clone() class:muted=state == "Superseded">
                            <td>{price.product_name.clone()}</td>
                            <td>{basis_label(&price.basis)}</td>
                            <td title=ssp_in_words(&price)>{ssp_method_label(&price.method)}</td>
                            <td>{price.currency.clone()}</td>
                            {if price.method == "RESIDUAL" && format::is_zero(&price.high.amount) {
                                view! { <td class="num muted">"—"</td><td class="num muted">"—"</td> }.into_any()
                            } else {
                                view! {
                                    <MoneyCell money=Some(price.low.clone()) />
                                    <MoneyCell money=Some(price.high.clone()) />
                                }.into_any()
                            }}
                            <td class="nowrap">{format::date(&price.effective_from)}</td>
                            <td><Badge tone=tone label=state /></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn SspForm(on_saved: Callback<SspPrice>, on_cancel: Callback<()>) -> impl IntoView {
    let product = RwSignal::new(String::new());
    let basis = RwSignal::new(String::new());
    let method = RwSignal::new("OBSERVABLE".to_string());
    let currency = RwSignal::new("USD".to_string());
    let low = RwSignal::new(String::new());
    let high = RwSignal::new(String::new());
    let cost = RwSignal::new(String::new());
    let margin = RwSignal::new(String::new());
    let effective_from = RwSignal::new(format::today_iso());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let currency_code = Signal::derive(move || currency.get().trim().to_uppercase());
    let residual = Signal::derive(move || method.get() == "RESIDUAL");
    let method_options: Vec<(String, String)> = SSP_METHODS
        .iter()
        .map(|value| (value.to_string(), ssp_method_label(value).to_string()))
        .collect();
    let save = move |_| {
        let code = currency_code.get_untracked();
        if code.len() != 3 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
            errors.set(Some(ApiError::for_field(
                "currency",
                "Enter the three-letter currency code, e.g. USD.",
            )));
            focus_first_invalid();
            return;
        }
        // Only the amounts the chosen method takes are sent; a blank optional amount is absent.
        let money = |typed: String| {
            non_empty(&typed)
                .map(|typed| json!({ "amount": format::amount_input(&typed), "currency": code }))
        };
        let method_now = method.get_untracked();
        let (low_sent, high_sent, cost_sent, margin_sent) = match method_now.as_str() {
            "EXPECTED_COST_PLUS_MARGIN" => (
                None,
                None,
                money(cost.get_untracked()),
                non_empty(&margin.get_untracked()),
            ),
            _ => (
                money(low.get_untracked()),
                money(high.get_untracked()),
                None,
                None,
            ),
        };
        let mut input = json!({
            "productName": non_empty(&product.get_untracked()).unwrap_or_default(),
            "basis": basis.get_untracked(),
            "method": method_now,
            "currency": code,
            "effectiveFrom": effective_from.get_untracked(),
        });
        for (name, value) in [
            ("low", low_sent),
            ("high", high_sent),
            ("cost", cost_sent),
            ("marginPercent", margin_sent.map(serde_json::Value::from)),
        ] {
            if let Some(value) = value {
                input[name] = value;
            }
        }
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::ssp_price_set(input).await;
            pending.set(false);
            match result {
                Ok(price) => on_saved.run(price),
                Err(error) => {
                    errors.set(Some(error));
                    focus_first_invalid();
                }
            }
        });
    };
    view! {
        <form class="panel subform" data-test="ssp-form" on:submit=|event| event.prevent_default()>
            <h3>"New standalone selling price"</h3>
            <div class="form-row">
                <TextField label="Product" name="productName" value=product errors=errors.into() required=true placeholder="Platform subscription" />
                <SelectField label="Basis" name="basis" value=basis errors=errors.into() options=enum_options("Choose a basis", &SSP_BASES) required=true />
                <SelectField label="Method" name="method" value=method errors=errors.into() options=method_options required=true />
                <TextField label="Currency" name="currency" value=currency errors=errors.into() required=true placeholder="USD" />
            </div>
            {move || match method.get().as_str() {
                "EXPECTED_COST_PLUS_MARGIN" => view! {
                    <div class="form-row">
                        <TextField label="Expected cost" name="cost" value=cost errors=errors.into() numeric=true required=true suffix=currency_code />
                        <TextField label="Margin (%)" name="marginPercent" value=margin errors=errors.into() numeric=true required=true placeholder="25" />
                        <TextField label="Effective from" name="effectiveFrom" kind="date" value=effective_from errors=errors.into() required=true />
                    </div>
                }.into_any(),
                "RESIDUAL" => view! {
                    <div class="form-row">
                        <TextField label="Lowest price seen" name="low" value=low errors=errors.into() numeric=true suffix=currency_code />
                        <TextField label="Highest price seen" name="high" value=high errors=errors.into() numeric=true suffix=currency_code />
                        <TextField label="Effective from" name="effectiveFrom" kind="date" value=effective_from errors=errors.into() required=true />
                    </div>
                }.into_any(),
                _ => view! {
                    <div class="form-row">
                        <TextField label="Low" name="low" value=low errors=errors.into() numeric=true required=true suffix=currency_code />
                        <TextField label="High" name="high" value=high errors=errors.into() numeric=true required=true suffix=currency_code />
                        <TextField label="Effective from" name="effectiveFrom" kind="date" value=effective_from errors=errors.into() required=true />
                    </div>
                }.into_any(),
            }}
            <Show when=move || residual.get()>
                <p class="muted small" data-test="residual-hint">"The residual is what the contract price leaves after the other lines' SSPs (ASC 606-10-32-34(c)). Leave the prices seen empty when the product has no selling history yet."</p>
            </Show>
            <ActionError error=errors.into() inline_fields=&["productName", "basis", "method", "currency", "low", "high", "cost", "marginPercent", "effectiveFrom"] />
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="save-ssp" disabled=move || pending.get() on:click=save>
                    {move || if pending.get() { "Saving…" } else { "Save SSP" }}
                </button>
                <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}
