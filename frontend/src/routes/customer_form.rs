//! The customer form, for a new customer (every field of `CustomerCreateInput`) and for editing
//! one (`customerUpdate`, sending only the parts that changed, so two people editing different
//! parts do not undo each other). The server's errors are shown next to the field they name, and
//! nothing typed is lost when the save fails.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_navigate, use_params_map},
    NavigateOptions,
};
use serde_json::{json, Map, Value};

use crate::{
    api::{self, Address, ApiError, CustomerDetail},
    app::RequirePermission,
    components::{
        field::{enum_options, focus_first_invalid, non_empty, SelectField, TextField},
        states::{ErrorPanel, FormErrorBanner, LoadingPanel},
    },
    format,
    routes::customer_detail::PAYMENT_TERMS,
};

/// The query the customer page reads to say the edit was saved.
pub const SAVED_QUERY: &str = "saved";

#[component]
pub fn NewCustomerPage() -> impl IntoView {
    view! {
        <RequirePermission permission="CUSTOMER_WRITE">
            <CustomerForm existing=None />
        </RequirePermission>
    }
}

#[component]
pub fn EditCustomerPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let customer = LocalResource::new(move || api::customer(id.get()));
    view! {
        <RequirePermission permission="CUSTOMER_WRITE">
            {move || match customer.get() {
                None => view! { <div class="page"><LoadingPanel label="Loading customer…" /></div> }.into_any(),
                Some(Err(error)) => view! {
                    <div class="page"><ErrorPanel error=error retry=Callback::new(move |()| customer.refetch()) /></div>
                }.into_any(),
                Some(Ok(customer)) => view! { <CustomerForm existing=Some(customer) /> }.into_any(),
            }}
        </RequirePermission>
    }
}

/// The text of one address block; `prefix` is the input object's name ("billingAddress").
#[derive(Clone, Copy)]
struct AddressFields {
    prefix: &'static str,
    line1: RwSignal<String>,
    line2: RwSignal<String>,
    city: RwSignal<String>,
    region: RwSignal<String>,
    postal_code: RwSignal<String>,
    country: RwSignal<String>,
}

impl AddressFields {
    /// Empty, or holding `address` when editing.
    fn new(prefix: &'static str, address: Option<&Address>) -> Self {
        let text = |value: Option<&String>| RwSignal::new(value.cloned().unwrap_or_default());
        Self {
            prefix,
            line1: text(address.map(|a| &a.line1)),
            line2: text(address.and_then(|a| a.line2.as_ref())),
            city: text(address.map(|a| &a.city)),
            region: text(address.and_then(|a| a.region.as_ref())),
            postal_code: text(address.map(|a| &a.postal_code)),
            country: RwSignal::new(address.map_or_else(|| "US".to_string(), |a| a.country.clone())),
        }
    }

    fn to_input(self) -> Value {
        json!({
            "line1": self.line1.get_untracked().trim(),
            "line2": non_empty(&self.line2.get_untracked()),
            "city": self.city.get_untracked().trim(),
            "region": non_empty(&self.region.get_untracked()),
            "postalCode": self.postal_code.get_untracked().trim(),
            "country": self.country.get_untracked().trim().to_uppercase(),
        })
    }
}

/// An address on file in the shape [`AddressFields::to_input`] writes, to tell whether it changed.
fn address_input(address: &Address) -> Value {
    let optional = |text: &Option<String>| text.as_deref().and_then(non_empty);
    json!({
        "line1": address.line1.trim(),
        "line2": optional(&address.line2),
        "city": address.city.trim(),
        "region": optional(&address.region),
        "postalCode": address.postal_code.trim(),
        "country": address.country.trim().to_uppercase(),
    })
}

/// The parts of `input` (a whole `CustomerCreateInput` as the form holds it) that differ from the
/// customer on file, as a `CustomerUpdateInput`: a part left out stays as it is on the server. A
/// payment method chosen away is sent as `null` (removed); one whose kind is unchanged and whose
/// reference was left empty is kept.
fn changed_parts(existing: &CustomerDetail, input: &Value) -> Map<String, Value> {
    let mut changes = Map::new();
    changes.insert("id".into(), json!(existing.id));
    let mut put = |key: &str, value: &Value, before: Value| {
        if *value != before {
            changes.insert(key.into(), value.clone());
        }
    };
    put("legalName", &input["legalName"], json!(existing.legal_name));
    let billing = input["billingAddress"].clone();
    put(
        "billingAddress",
        &billing,
        address_input(&existing.billing_address),
    );
    // "Same as the billing address" sends the billing address as the remit-to address.
    let remit = match &input["remitToAddress"] {
        Value::Null => billing,
        remit => remit.clone(),
    };
    put(
        "remitToAddress",
        &remit,
        address_input(&existing.remit_to_address),
    );
    let tax = input["taxRegistrationNumber"].as_str().unwrap_or_default();
    // An emptied tax number is sent as "" (cleared); the server checks a kept one against a new
    // billing country itself.
    put(
        "taxRegistrationNumber",
        &json!(tax),
        json!(existing.tax_registration_number.clone().unwrap_or_default()),
    );
    let contact = &existing.billing_contact;
    put(
        "billingContact",
        &input["billingContact"],
        json!({ "name": contact.name, "email": contact.email, "phone": contact.phone.as_deref().and_then(non_empty) }),
    );
    let method = match (&existing.payment_method, &input["paymentMethod"]) {
        (None, Value::Null) => None,
        (Some(_), Value::Null) => Some(Value::Null),
        (Some(on_file), chosen)
            if chosen["kind"] == json!(on_file.kind) && chosen["reference"].is_null() =>
        {
            None
        }
        (_, chosen) => Some(chosen.clone()),
    };
    put(
        "paymentTerms",
        &input["paymentTerms"],
        json!(existing.payment_terms),
    );
    if let Some(method) = method {
        changes.insert("paymentMethod".into(), method);
    }
    changes
}

/// Field names are spelled out per prefix because error lookups need `'static` names.
fn address_names(prefix: &str) -> [&'static str; 6] {
    if prefix == "remitToAddress" {
        [
            "remitToAddress.line1",
            "remitToAddress.line2",
            "remitToAddress.city",
            "remitToAddress.region",
            "remitToAddress.postalCode",
            "remitToAddress.country",
        ]
    } else {
        [
            "billingAddress.line1",
            "billingAddress.line2",
            "billingAddress.city",
            "billingAddress.region",
            "billingAddress.postalCode",
            "billingAddress.country",
        ]
    }
}

#[component]
fn AddressEditor(fields: AddressFields, errors: Signal<Option<ApiError>>) -> impl IntoView {
    let [line1, line2, city, region, postal_code, country] = address_names(fields.prefix);
    view! {
        <TextField label="Address line 1" name=line1 value=fields.line1 errors=errors required=true />
        <TextField label="Address line 2" name=line2 value=fields.line2 errors=errors />
        <div class="form-row">
            <TextField label="City" name=city value=fields.city errors=errors required=true />
            <TextField label="State / region" name=region value=fields.region errors=errors />
        </div>
        <div class="form-row">
            <TextField label="Postal code" name=postal_code value=fields.postal_code errors=errors required=true />
            <TextField label="Country" name=country value=fields.country errors=errors required=true hint="Two-letter ISO code, e.g. US, GB, DE" />
        </div>
    }
}

#[component]
fn CustomerForm(existing: Option<CustomerDetail>) -> impl IntoView {
    let navigate = use_navigate();
    let on_file = existing.as_ref();
    let text = |value: Option<String>| RwSignal::new(value.unwrap_or_default());
    let legal_name = text(on_file.map(|c| c.legal_name.clone()));
    let billing = AddressFields::new("billingAddress", on_file.map(|c| &c.billing_address));
    let remit = AddressFields::new("remitToAddress", on_file.map(|c| &c.remit_to_address));
    let remit_same =
        RwSignal::new(on_file.is_none_or(|c| {
            address_input(&c.remit_to_address) == address_input(&c.billing_address)
        }));
    let tax_number = text(on_file.and_then(|c| c.tax_registration_number.clone()));
    let contact_name = text(on_file.map(|c| c.billing_contact.name.clone()));
    let contact_email = text(on_file.map(|c| c.billing_contact.email.clone()));
    let contact_phone = text(on_file.and_then(|c| c.billing_contact.phone.clone()));
    let payment_on_file = on_file.and_then(|c| c.payment_method.clone());
    let payment_kind = text(payment_on_file.as_ref().map(|m| m.kind.clone()));
    let payment_reference = RwSignal::new(String::new());
    let payment_terms = text(on_file.map(|c| c.payment_terms.clone()));
    let currency =
        RwSignal::new(on_file.map_or_else(|| "USD".to_string(), |c| c.billing_currency.clone()));
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let error_signal: Signal<Option<ApiError>> = errors.into();

    let build_input = move || {
        let payment_method = non_empty(&payment_kind.get_untracked()).map(|kind| {
            json!({ "kind": kind, "reference": non_empty(&payment_reference.get_untracked()) })
        });
        json!({
            "legalName": legal_name.get_untracked().trim(),
            "billingAddress": billing.to_input(),
            "remitToAddress": if remit_same.get_untracked() { Value::Null } else { remit.to_input() },
            "taxRegistrationNumber": non_empty(&tax_number.get_untracked()),
            "billingContact": {
                "name": contact_name.get_untracked().trim(),
                "email": contact_email.get_untracked().trim(),
                "phone": non_empty(&contact_phone.get_untracked()),
            },
            "paymentMethod": payment_method,
            "paymentTerms": non_empty(&payment_terms.get_untracked()),
            "billingCurrency": currency.get_untracked().trim().to_uppercase(),
        })
    };

    let existing = StoredValue::new(existing);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let input = build_input();
        let navigate = navigate.clone();
        let Some(customer) = existing.get_value() else {
            pending.set(true);
            spawn_local(async move {
                let result = api::customer_create(input).await;
                pending.set(false);
                match result {
                    Ok(customer) => {
                        errors.set(None);
                        navigate(
                            &format!("/customers/{}", customer.id),
                            NavigateOptions::default(),
                        );
                    }
                    Err(error) => {
                        errors.set(Some(error));
                        focus_first_invalid();
                    }
                }
            });
            return;
        };
        let changes = changed_parts(&customer, &input);
        let page = format!("/customers/{}", customer.id);
        if changes.len() == 1 {
            // Only the id: nothing differs from the record, so nothing is written or audited.
            navigate(&page, NavigateOptions::default());
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = api::customer_update(Value::Object(changes)).await;
            pending.set(false);
            match result {
                Ok(_) => {
                    errors.set(None);
                    navigate(
                        &format!("{page}?{SAVED_QUERY}=1"),
                        NavigateOptions::default(),
                    );
                }
                Err(error) => {
                    errors.set(Some(error));
                    focus_first_invalid();
                }
            }
        });
    };

    let editing = existing.with_value(Option::is_some);
    let payment_options = enum_options("None on file", &["ACH", "WIRE", "CHECK", "CARD"]);
    // Editing offers the terms the customer's credit category allows (and the terms it has);
    // others need a credit-limit request, from the customer page.
    let terms_options = existing.with_value(|existing| match existing {
        None => enum_options("From the credit policy", &PAYMENT_TERMS),
        Some(customer) => {
            let mut allowed: Vec<&str> = customer
                .credit_policy
                .allowed_terms
                .iter()
                .map(String::as_str)
                .collect();
            if !allowed.contains(&customer.payment_terms.as_str()) {
                allowed.insert(0, customer.payment_terms.as_str());
            }
            enum_options("", &allowed).into_iter().skip(1).collect()
        }
    });
    let (back, back_label, title, intro) = existing.with_value(|existing| match existing {
        None => (
            "/customers".to_string(),
            "Customers".to_string(),
            "New customer".to_string(),
            "The credit category, limit and default terms follow from the credit policy once saved.".to_string(),
        ),
        Some(customer) => (
            format!("/customers/{}", customer.id),
            customer.legal_name.clone(),
            format!("Edit {}", customer.legal_name),
            "Only what you change is saved, and every change is in the audit log. The credit limit changes through a credit-limit request on the customer page.".to_string(),
        ),
    });
    let reference_hint = match &payment_on_file {
        Some(method) if editing => format!(
            "On file: {} {}. Leave empty to keep it; never the full card or account number",
            format::enum_label(&method.kind),
            method.masked_reference.clone().unwrap_or_default()
        ),
        _ => "Never the full card or account number".to_string(),
    };

    view! {
        <div class="page">
            <p class="breadcrumb"><a href=back.clone()>{back_label}</a></p>
            <header class="page-header">
                <div>
                    <h1>{title}</h1>
                    <p class="muted">{intro}</p>
                </div>
            </header>
            <form class="form form-narrow" on:submit=submit novalidate=true data-test="customer-form">
                <FormErrorBanner error=error_signal />
                <fieldset class="panel">
                    <legend>"Company"</legend>
                    <TextField label="Legal name" name="legalName" value=legal_name errors=error_signal required=true />
                    <div class="form-row">
                        <TextField label="Tax registration number" name="taxRegistrationNumber" value=tax_number errors=error_signal />
                        {if editing {
                            view! {
                                <TextField label="Billing currency" name="billingCurrency" value=currency errors=error_signal disabled=Signal::derive(|| true) hint="Fixed: the customer's invoices and receivables are kept in it" />
                            }.into_any()
                        } else {
                            view! {
                                <TextField label="Billing currency" name="billingCurrency" value=currency errors=error_signal required=true hint="ISO 4217 code, e.g. USD, EUR, JPY" />
                            }.into_any()
                        }}
                    </div>
                </fieldset>
                <fieldset class="panel">
                    <legend>"Billing address"</legend>
                    <AddressEditor fields=billing errors=error_signal />
                    <label class="checkbox">
                        <input type="checkbox" bind:checked=remit_same />
                        "Remit-to address is the same as the billing address"
                    </label>
                </fieldset>
                <Show when=move || !remit_same.get()>
                    <fieldset class="panel">
                        <legend>"Remit-to address"</legend>
                        <AddressEditor fields=remit errors=error_signal />
                    </fieldset>
                </Show>
                <fieldset class="panel">
                    <legend>"Billing contact"</legend>
                    <div class="form-row">
                        <TextField label="Name" name="billingContact.name" value=contact_name errors=error_signal required=true />
                        <TextField label="Email" name="billingContact.email" kind="email" value=contact_email errors=error_signal required=true />
                    </div>
                    <TextField label="Phone" name="billingContact.phone" kind="tel" value=contact_phone errors=error_signal />
                </fieldset>
                <fieldset class="panel">
                    <legend>"Payment"</legend>
                    <div class="form-row">
                        <SelectField label="Payment method" name="paymentMethod.kind" value=payment_kind errors=error_signal options=payment_options />
                        <TextField label="Reference (last 4 only)" name="paymentMethod.reference" value=payment_reference errors=error_signal hint=reference_hint />
                    </div>
                    <SelectField label="Payment terms" name="paymentTerms" value=payment_terms errors=error_signal options=terms_options />
                </fieldset>
                <div class="button-row">
                    <button class="button button-primary" type="submit" disabled=move || pending.get()>
                        {move || match (pending.get(), editing) {
                            (true, false) => "Creating…",
                            (false, false) => "Create customer",
                            (true, true) => "Saving…",
                            (false, true) => "Save changes",
                        }}
                    </button>
                    <a class="button" href=back>"Cancel"</a>
                </div>
            </form>
        </div>
    }
}
