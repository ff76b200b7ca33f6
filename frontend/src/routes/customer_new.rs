//! The new-customer form: every field of `CustomerCreateInput`, with the server's errors shown
//! next to the field they name. Nothing typed is lost when the save fails.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{hooks::use_navigate, NavigateOptions};
use serde_json::{json, Value};

use crate::{
    api::{self, ApiError},
    app::RequirePermission,
    components::{
        field::{enum_options, focus_first_invalid, non_empty, SelectField, TextField},
        states::FormErrorBanner,
    },
    routes::customer_detail::PAYMENT_TERMS,
};

#[component]
pub fn NewCustomerPage() -> impl IntoView {
    view! {
        <RequirePermission permission="CUSTOMER_WRITE">
            <NewCustomerForm />
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
    fn new(prefix: &'static str) -> Self {
        Self {
            prefix,
            line1: RwSignal::new(String::new()),
            line2: RwSignal::new(String::new()),
            city: RwSignal::new(String::new()),
            region: RwSignal::new(String::new()),
            postal_code: RwSignal::new(String::new()),
            country: RwSignal::new("US".to_string()),
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
fn NewCustomerForm() -> impl IntoView {
    let navigate = use_navigate();
    let legal_name = RwSignal::new(String::new());
    let billing = AddressFields::new("billingAddress");
    let remit = AddressFields::new("remitToAddress");
    let remit_same = RwSignal::new(true);
    let tax_number = RwSignal::new(String::new());
    let contact_name = RwSignal::new(String::new());
    let contact_email = RwSignal::new(String::new());
    let contact_phone = RwSignal::new(String::new());
    let payment_kind = RwSignal::new(String::new());
    let payment_reference = RwSignal::new(String::new());
    let payment_terms = RwSignal::new(String::new());
    let currency = RwSignal::new("USD".to_string());
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

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        let input = build_input();
        let navigate = navigate.clone();
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
    };

    let payment_options = enum_options("None on file", &["ACH", "WIRE", "CHECK", "CARD"]);
    let terms_options = enum_options("From the credit policy", &PAYMENT_TERMS);

    view! {
        <div class="page">
            <p class="breadcrumb"><a href="/customers">"Customers"</a></p>
            <header class="page-header">
                <div>
                    <h1>"New customer"</h1>
                    <p class="muted">"The credit category, limit and default terms follow from the credit policy once saved."</p>
                </div>
            </header>
            <form class="form form-narrow" on:submit=submit novalidate=true data-test="customer-form">
                <FormErrorBanner error=error_signal />
                <fieldset class="panel">
                    <legend>"Company"</legend>
                    <TextField label="Legal name" name="legalName" value=legal_name errors=error_signal required=true />
                    <div class="form-row">
                        <TextField label="Tax registration number" name="taxRegistrationNumber" value=tax_number errors=error_signal />
                        <TextField label="Billing currency" name="billingCurrency" value=currency errors=error_signal required=true hint="ISO 4217 code, e.g. USD, EUR, JPY" />
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
                        <TextField label="Reference (last 4 only)" name="paymentMethod.reference" value=payment_reference errors=error_signal hint="Never the full card or account number" />
                    </div>
                    <SelectField label="Payment terms" name="paymentTerms" value=payment_terms errors=error_signal options=terms_options />
                </fieldset>
                <div class="button-row">
                    <button class="button button-primary" type="submit" disabled=move || pending.get()>
                        {move || if pending.get() { "Creating…" } else { "Create customer" }}
                    </button>
                    <a class="button" href="/customers">"Cancel"</a>
                </div>
            </form>
        </div>
    }
}
