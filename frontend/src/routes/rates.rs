//! Billing settings (`/settings/rates`): how a part of a billing period is billed (the company's
//! proration convention), the legal entities invoices are issued from, and the FX and tax rate
//! tables every invoice, the functional-currency reports and commissions convert and tax by. Whoever reads invoices sees them; whoever sets
//! billing up (CFO, VP Finance, admin) adds a dated rate beside each. A rate is never edited in
//! place: a new one from a later date takes over from that date, so what was invoiced, converted
//! or reported before keeps the rate it used.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, proration_label, ApiError, BillingSettings, FxRate, LegalEntity, TaxRate},
    app::RequirePermission,
    components::{
        field::{non_empty, ChoiceCards, TextAreaField, TextField},
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
    },
    format, session,
};

#[component]
pub fn RatesPage() -> impl IntoView {
    view! {
        <RequirePermission permission="INVOICE_READ">
            <Rates />
        </RequirePermission>
    }
}

#[component]
fn Rates() -> impl IntoView {
    let can_setup = session::can("BILLING_SETUP");
    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Billing settings"</h1>
                    <p class="muted">"How a part of a billing period is billed, who invoices are issued from, and the rates invoices are taxed by and other currencies are converted into the functional currency by. A new rate takes over from its date; earlier figures keep the rate they used."</p>
                </div>
            </header>
            <Proration can_setup=can_setup />
            <LegalEntities can_setup=can_setup />
            <FxRates can_setup=can_setup />
            <TaxRates can_setup=can_setup />
        </div>
    }
}

/// The company's proration convention: what a part of a period costs on contracts written from
/// now on. Whoever sets billing up chooses it; everyone who reads invoices sees it.
#[component]
fn Proration(can_setup: Signal<bool>) -> impl IntoView {
    let settings = LocalResource::new(api::billing_settings);
    let saved = RwSignal::new(None::<BillingSettings>);
    let chosen = RwSignal::new(None::<String>);
    let errors = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let current = Signal::derive(move || match saved.get() {
        Some(settings) => Some(Ok(settings)),
        None => settings.get(),
    });
    let save = move |_| {
        let Some(proration) = chosen.get_untracked() else {
            return;
        };
        pending.set(true);
        errors.set(None);
        notice.set(None);
        spawn_local(async move {
            let result = api::billing_set_proration(proration).await;
            pending.set(false);
            match result {
                Ok(settings) => {
                    notice.set(Some(format!(
                        "Contracts written from now on bill parts of periods by {}. Contracts already written keep theirs.",
                        proration_label(&settings.proration).0.to_lowercase()
                    )));
                    chosen.set(None);
                    saved.set(Some(settings));
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <section class="section" data-test="proration">
            <h2>"Proration"</h2>
            <p class="muted small">"What a part of a billing period costs: a first or last period cut short, seats added or given back mid-period, a plan changed immediately. Each contract keeps the convention it was written under; a contract not yet billed can be given its own on its billing schedule."</p>
            {move || notice.get().map(|message| view! { <div class="alert alert-success" role="status">{message}</div> })}
            {move || match current.get() {
                None => view! { <LoadingRows columns=1 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| settings.refetch()) /> }.into_any(),
                Some(Ok(current)) => {
                    let in_use = current.proration.clone();
                    let selected = {
                        let in_use = in_use.clone();
                        Signal::derive(move || chosen.get().unwrap_or_else(|| in_use.clone()))
                    };
                    view! {
                        <div class="panel">
                            <ChoiceCards
                                legend="Proration convention"
                                name="proration"
                                choices=current
                                    .proration_choices
                                    .into_iter()
                                    .map(|convention| {
                                        let (label, explanation) = proration_label(&convention);
                                        (convention, label, explanation)
                                    })
                                    .collect()
                                in_use=in_use.clone()
                                chosen=selected
                                on_choose=Callback::new(move |convention: String| chosen.set(Some(convention)))
                                disabled=Signal::derive(move || !can_setup.get() || pending.get())
                            />
                            <ActionError error=errors.into() />
                            {move || if can_setup.get() {
                                let in_use = in_use.clone();
                                view! {
                                    <div class="button-row">
                                        <button
                                            class="button button-primary"
                                            type="button"
                                            data-action="save-proration"
                                            disabled=move || pending.get() || chosen.get().is_none_or(|chosen| chosen == in_use)
                                            on:click=save
                                        >
                                            {move || if pending.get() { "Saving…" } else { "Save convention" }}
                                        </button>
                                    </div>
                                }.into_any()
                            } else {
                                view! { <p class="muted small">"The CFO, a VP Finance or an admin changes the convention."</p> }.into_any()
                            }}
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// The legal entities invoices are issued from (the seller an invoice prints, where and how the
/// customer pays), and the form that adds one or changes one's details. An entity is known by its
/// name: deals and invoices name it, so the name is fixed once it exists.
#[component]
fn LegalEntities(can_setup: Signal<bool>) -> impl IntoView {
    let entities = LocalResource::new(api::legal_entities);
    let errors = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    // The entity whose details the form is changing; none while adding one.
    let editing = RwSignal::new(None::<String>);
    let text = || RwSignal::new(String::new());
    let (name, line1, line2, city, region, postal_code, country) =
        (text(), text(), text(), text(), text(), text(), text());
    let (tax_id, remit_to, instructions) = (text(), text(), text());
    let clear = move || {
        for field in [
            name,
            line1,
            line2,
            city,
            region,
            postal_code,
            country,
            tax_id,
            remit_to,
            instructions,
        ] {
            field.set(String::new());
        }
        editing.set(None);
        errors.set(None);
    };
    let edit = Callback::new(move |entity: LegalEntity| {
        name.set(entity.name.clone());
        line1.set(entity.address.line1);
        line2.set(entity.address.line2.unwrap_or_default());
        city.set(entity.address.city);
        region.set(entity.address.region.unwrap_or_default());
        postal_code.set(entity.address.postal_code);
        country.set(entity.address.country);
        tax_id.set(entity.tax_id.unwrap_or_default());
        remit_to.set(entity.remit_to.join("\n"));
        instructions.set(entity.payment_instructions);
        editing.set(Some(entity.name));
        errors.set(None);
        saved.set(None);
        crate::components::field::focus_first(vec!["#field-address-line1".to_string()]);
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        errors.set(None);
        saved.set(None);
        pending.set(true);
        let input = serde_json::json!({
            "name": name.get_untracked().trim(),
            "address": {
                "line1": line1.get_untracked().trim(),
                "line2": non_empty(&line2.get_untracked()),
                "city": city.get_untracked().trim(),
                "region": non_empty(&region.get_untracked()),
                "postalCode": postal_code.get_untracked().trim(),
                "country": country.get_untracked().trim().to_uppercase(),
            },
            "taxId": non_empty(&tax_id.get_untracked()),
            "remitTo": remit_to.get_untracked().lines().map(str::trim).filter(|line| !line.is_empty()).collect::<Vec<_>>(),
            "paymentInstructions": instructions.get_untracked().trim(),
        });
        let replacing = editing.get_untracked().is_some();
        spawn_local(async move {
            let result = api::legal_entity_set(input).await;
            pending.try_set(false);
            match result {
                Ok(entity) => {
                    clear();
                    saved.try_set(Some(if replacing {
                        format!(
                            "{}'s details saved. Invoices issued from it print them from now on.",
                            entity.name
                        )
                    } else {
                        format!("{} added. Deals can now be invoiced from it.", entity.name)
                    }));
                    entities.refetch();
                }
                Err(error) => {
                    errors.try_set(Some(error));
                    crate::components::field::focus_first_invalid();
                }
            }
        });
    };
    let errors_signal: Signal<Option<ApiError>> = errors.into();
    view! {
        <section class="section" data-test="legal-entities">
            <h2>"Legal entities"</h2>
            <p class="muted">"The companies invoices are issued from: the seller each invoice prints, with its tax ID, where the customer sends payment and how. A deal names the one it is invoiced from."</p>
            {move || match entities.get() {
                None => view! { <LoadingRows columns=4 rows=2 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| entities.refetch()) /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <EmptyState title="No legal entities yet" hint="Add the company your invoices are issued from, with the address and payment instructions they print." />
                }.into_any(),
                Some(Ok(rows)) => view! { <LegalEntityTable rows=rows can_edit=can_setup.get_untracked() on_edit=edit /> }.into_any(),
            }}
            <Show when=move || can_setup.get()>
                <form class="form add-rate" data-test="legal-entity-form" on:submit=submit novalidate=true>
                    <h3>{move || match editing.get() {
                        Some(entity) => format!("Change {entity}"),
                        None => "Add a legal entity".to_string(),
                    }}</h3>
                    <TextField label="Name" name="name" value=name errors=errors_signal required=true placeholder="Acme Software Ltd" disabled=Signal::derive(move || editing.get().is_some()) hint="As registered; invoices and deals name it." />
                    <TextField label="Address line 1" name="address.line1" value=line1 errors=errors_signal required=true />
                    <TextField label="Address line 2" name="address.line2" value=line2 errors=errors_signal />
                    <div class="form-row">
                        <TextField label="City" name="address.city" value=city errors=errors_signal required=true />
                        <TextField label="State / region" name="address.region" value=region errors=errors_signal />
                    </div>
                    <div class="form-row">
                        <TextField label="Postal code" name="address.postalCode" value=postal_code errors=errors_signal required=true />
                        <TextField label="Country" name="address.country" value=country errors=errors_signal required=true hint="Two-letter ISO code, e.g. US, GB, DE" />
                        <TextField label="Tax ID" name="taxId" value=tax_id errors=errors_signal />
                    </div>
                    <TextAreaField label="Remit-to address (one line each)" name="remitTo" value=remit_to errors=errors_signal required=true rows=3 />
                    <TextAreaField label="Payment instructions" name="paymentInstructions" value=instructions errors=errors_signal required=true rows=3 />
                    <ActionError error=errors_signal inline_fields=&["name", "address.line1", "address.line2", "address.city", "address.region", "address.postalCode", "address.country", "taxId", "remitTo", "paymentInstructions"] />
                    {move || saved.get().map(|text| view! { <p class="alert alert-success" role="status" data-test="legal-entity-saved">{text}</p> })}
                    <div class="button-row">
                        <button class="button button-primary" type="submit" data-action="save-legal-entity" disabled=move || pending.get()>
                            {move || match (pending.get(), editing.get().is_some()) {
                                (true, _) => "Saving…",
                                (false, true) => "Save details",
                                (false, false) => "Add legal entity",
                            }}
                        </button>
                        <Show when=move || editing.get().is_some()>
                            <button class="button" type="button" on:click=move |_| clear()>"Cancel"</button>
                        </Show>
                    </div>
                </form>
            </Show>
        </section>
    }
}

#[component]
fn LegalEntityTable(
    rows: Vec<LegalEntity>,
    can_edit: bool,
    on_edit: Callback<LegalEntity>,
) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="table compact" data-test="legal-entity-table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Address"</th>
                        <th scope="col">"Tax ID"</th>
                        <th scope="col">"Remit to"</th>
                        <th scope="col">"Payment instructions"</th>
                        {can_edit.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|entity| {
                        let address = &entity.address;
                        let address_text = [
                            Some(address.line1.clone()),
                            address.line2.clone(),
                            Some(format!("{} {}", address.postal_code, address.city)),
                            address.region.clone(),
                            Some(address.country.clone()),
                        ]
                        .into_iter()
                        .flatten()
                        .filter(|part| !part.trim().is_empty())
                        .collect::<Vec<_>>()
                        .join(", ");
                        let label = format!("Change {}", entity.name);
                        let chosen = entity.clone();
                        view! {
                            <tr data-entity=entity.name.clone()>
                                <th scope="row">{entity.name.clone()}</th>
                                <td>{address_text}</td>
                                <td class="mono">{entity.tax_id.clone().unwrap_or_else(|| "—".to_string())}</td>
                                <td>{entity.remit_to.iter().map(|line| view! { <div>{line.clone()}</div> }).collect_view()}</td>
                                <td class="small">{entity.payment_instructions.clone()}</td>
                                {can_edit.then(|| view! {
                                    <td>
                                        <button class="button button-quiet" type="button" aria-label=label data-action="edit-legal-entity" on:click=move |_| on_edit.run(chosen.clone())>"Change"</button>
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The FX table, newest rate of each currency first, and the form for a new dated rate.
#[component]
fn FxRates(can_setup: Signal<bool>) -> impl IntoView {
    let rates = LocalResource::new(api::fx_rates);
    let errors = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let (currency, rate, rate_date) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(format::today_iso()),
    );
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        errors.set(None);
        saved.set(None);
        pending.set(true);
        let input = (
            currency.get_untracked().trim().to_ascii_uppercase(),
            format::amount_input(&rate.get_untracked()),
            rate_date.get_untracked(),
        );
        spawn_local(async move {
            let result = api::fx_rate_set(input.0, input.1, input.2).await;
            pending.try_set(false);
            match result {
                Ok(row) => {
                    saved.try_set(Some(format!(
                        "From {}, 1 {} = {} {}.",
                        format::date(&row.rate_date),
                        row.currency,
                        row.rate,
                        row.functional_currency
                    )));
                    rate.try_set(String::new());
                    rates.refetch();
                }
                Err(error) => {
                    errors.try_set(Some(error));
                }
            }
        });
    };
    view! {
        <section class="section" data-test="fx-rates">
            <h2>"FX rates"</h2>
            <p class="muted">"Units of the functional currency per unit of another currency. Reports convert each currency's total once at the rate in force on their date (the latest on or before it)."</p>
            {move || match rates.get() {
                None => view! { <LoadingRows columns=3 rows=3 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| rates.refetch()) /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <EmptyState title="No FX rates yet" hint="Add a rate for each currency your customers are invoiced in, other than the functional currency, so totals can add them up." />
                }.into_any(),
                Some(Ok(rows)) => view! { <FxTable rows=rows /> }.into_any(),
            }}
            <Show when=move || can_setup.get()>
                <form class="form add-rate" data-test="fx-rate-form" on:submit=add novalidate=true>
                    <h3>"Add a rate"</h3>
                    <div class="form-row">
                        <TextField label="Currency" name="currency" value=currency errors=errors.into() required=true placeholder="EUR" hint="ISO code, e.g. EUR or GBP." />
                        <TextField label="Rate" name="rate" value=rate errors=errors.into() required=true numeric=true placeholder="1.0842" hint="Functional currency per one unit." />
                        <TextField label="From" name="rateDate" kind="date" value=rate_date errors=errors.into() required=true />
                    </div>
                    <ActionError error=errors.into() inline_fields=&["currency", "rate", "rateDate"] />
                    {move || saved.get().map(|text| view! { <p class="alert alert-success" role="status" data-test="fx-rate-saved">{text}</p> })}
                    <div class="button-row">
                        <button class="button button-primary" type="submit" data-action="add-fx-rate" disabled=move || pending.get()>
                            {move || if pending.get() { "Saving…" } else { "Add FX rate" }}
                        </button>
                    </div>
                </form>
            </Show>
        </section>
    }
}

#[component]
fn FxTable(rows: Vec<FxRate>) -> impl IntoView {
    let mut rows = rows;
    // By currency, the rate in force now first.
    rows.sort_by(|a, b| {
        a.currency
            .cmp(&b.currency)
            .then(b.rate_date.cmp(&a.rate_date))
    });
    view! {
        <div class="table-scroll">
            <table class="table compact" data-test="fx-rate-table">
                <thead>
                    <tr>
                        <th scope="col">"Currency"</th>
                        <th scope="col" class="num">"Rate"</th>
                        <th scope="col">"From"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr data-currency=row.currency.clone() data-date=row.rate_date.clone()>
                            <th scope="row">{row.currency.clone()}</th>
                            <td class="num">{format!("1 {} = {} {}", row.currency, row.rate, row.functional_currency)}</td>
                            <td class="nowrap">{format::date(&row.rate_date)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The tax table by jurisdiction, newest first, and the form for a new rate from a date.
#[component]
fn TaxRates(can_setup: Signal<bool>) -> impl IntoView {
    let rates = LocalResource::new(api::tax_rates);
    let errors = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let (jurisdiction, label, percent, effective_from) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(format::today_iso()),
    );
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        errors.set(None);
        saved.set(None);
        pending.set(true);
        let input = (
            jurisdiction.get_untracked().trim().to_ascii_uppercase(),
            label.get_untracked().trim().to_string(),
            format::amount_input(&percent.get_untracked())
                .trim_end_matches('%')
                .to_string(),
            effective_from.get_untracked(),
        );
        spawn_local(async move {
            let result = api::tax_rate_set(input.0, input.1, input.2, input.3).await;
            pending.try_set(false);
            match result {
                Ok(row) => {
                    saved.try_set(Some(format!(
                        "From {}, {} is taxed at {} ({}).",
                        format::date(&row.effective_from),
                        row.jurisdiction,
                        format::exact_percent(&row.rate_percent),
                        row.label
                    )));
                    percent.try_set(String::new());
                    rates.refetch();
                }
                Err(error) => {
                    errors.try_set(Some(error));
                }
            }
        });
    };
    view! {
        <section class="section" data-test="tax-rates">
            <h2>"Tax rates"</h2>
            <p class="muted">"The rate of each jurisdiction a customer is invoiced in, from its effective date; an invoice line takes the rate in force on the invoice's date."</p>
            {move || match rates.get() {
                None => view! { <LoadingRows columns=4 rows=3 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| rates.refetch()) /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <EmptyState title="No tax rates yet" hint="Invoices for a jurisdiction without a rate are held as drafts until one is added." />
                }.into_any(),
                Some(Ok(rows)) => view! { <TaxTable rows=rows /> }.into_any(),
            }}
            <Show when=move || can_setup.get()>
                <form class="form add-rate" data-test="tax-rate-form" on:submit=add novalidate=true>
                    <h3>"Add a rate"</h3>
                    <div class="form-row">
                        <TextField label="Jurisdiction" name="jurisdiction" value=jurisdiction errors=errors.into() required=true placeholder="US-CA" hint="Country, or country and region: DE, US-CA." />
                        <TextField label="Label" name="label" value=label errors=errors.into() required=true placeholder="California sales tax" />
                        <TextField label="Rate" name="ratePercent" value=percent errors=errors.into() required=true numeric=true suffix=Signal::derive(|| "%".to_string()) placeholder="7.25" />
                        <TextField label="From" name="effectiveFrom" kind="date" value=effective_from errors=errors.into() required=true />
                    </div>
                    <ActionError error=errors.into() inline_fields=&["jurisdiction", "label", "ratePercent", "effectiveFrom"] />
                    {move || saved.get().map(|text| view! { <p class="alert alert-success" role="status" data-test="tax-rate-saved">{text}</p> })}
                    <div class="button-row">
                        <button class="button button-primary" type="submit" data-action="add-tax-rate" disabled=move || pending.get()>
                            {move || if pending.get() { "Saving…" } else { "Add tax rate" }}
                        </button>
                    </div>
                </form>
            </Show>
        </section>
    }
}

#[component]
fn TaxTable(rows: Vec<TaxRate>) -> impl IntoView {
    let mut rows = rows;
    rows.sort_by(|a, b| {
        a.jurisdiction
            .cmp(&b.jurisdiction)
            .then(b.effective_from.cmp(&a.effective_from))
    });
    view! {
        <div class="table-scroll">
            <table class="table compact" data-test="tax-rate-table">
                <thead>
                    <tr>
                        <th scope="col">"Jurisdiction"</th>
                        <th scope="col">"Label"</th>
                        <th scope="col" class="num">"Rate"</th>
                        <th scope="col">"From"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr data-jurisdiction=row.jurisdiction.clone() data-date=row.effective_from.clone()>
                            <th scope="row">{row.jurisdiction.clone()}</th>
                            <td>{row.label.clone()}</td>
                            <td class="num">{format::exact_percent(&row.rate_percent)}</td>
                            <td class="nowrap">{format::date(&row.effective_from)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
