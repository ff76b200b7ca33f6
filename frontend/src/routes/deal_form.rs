//! The deal intake form and the deal page: every `DealInput` field, a live checklist beside the
//! form, draft saving, and approval for billing. Approved deals are shown by `deal_view`.

use std::time::Duration;

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_navigate, use_params_map, use_query_map},
    NavigateOptions,
};
use serde_json::{json, Value};

use crate::{
    api::{self, ApiError, ChecklistItem, CustomerName, CustomerOption, Deal, UserRef},
    app::RequirePermission,
    components::{
        checklist::Checklist,
        field::{enum_options, focus_first_invalid, non_empty, SelectField, TextField},
        states::{ErrorPanel, FormErrorBanner, LoadingPanel},
        status::DealStatusBadge,
    },
    format,
    routes::{
        customer_detail::PAYMENT_TERMS, deal_view::DealReadOnly, new_idempotency_key, Debounce,
    },
    session::{self, use_session},
};

const BILLING_FREQUENCIES: [&str; 5] = [
    "MONTHLY",
    "QUARTERLY",
    "ANNUALLY",
    "MILESTONE",
    "TIME_AND_MATERIALS",
];
const RECOGNITION_TYPES: [&str; 4] = [
    "RATABLE",
    "MILESTONE",
    "TIME_AND_MATERIALS",
    "PERPETUAL_LICENSE",
];

#[component]
pub fn NewDealPage() -> impl IntoView {
    view! {
        <RequirePermission permission="DEAL_WRITE">
            <div class="page">
                <p class="breadcrumb"><a href="/deals">"Deals"</a></p>
                <DealEditor deal=None />
            </div>
        </RequirePermission>
    }
}

#[component]
pub fn DealPage() -> impl IntoView {
    view! {
        <RequirePermission permission="DEAL_READ">
            <DealLoader />
        </RequirePermission>
    }
}

#[component]
fn DealLoader() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let deal = LocalResource::new(move || api::deal(id.get()));
    let can_write = session::can("DEAL_WRITE");
    view! {
        <div class="page">
            <p class="breadcrumb"><a href="/deals">"Deals"</a></p>
            {move || match deal.get() {
                None => view! { <LoadingPanel label="Loading deal…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| deal.refetch()) /> }.into_any(),
                Some(Ok(deal)) if deal.status == "APPROVED" => {
                    view! { <DealReadOnly deal=deal /> }.into_any()
                }
                Some(Ok(deal)) if !can_write.get_untracked() => {
                    view! { <DraftForApprover deal=deal /> }.into_any()
                }
                Some(Ok(deal)) => view! { <DealEditor deal=Some(deal) /> }.into_any(),
            }}
        </div>
    }
}

/// A draft for someone who may approve it but not edit it (a CFO, a VP Finance): the deal read
/// only, with the approval panel beside its checklist; once approved, the contract.
#[component]
fn DraftForApprover(deal: Deal) -> impl IntoView {
    let approved = RwSignal::new(None::<Deal>);
    move || match approved.get() {
        Some(done) => view! { <DealReadOnly deal=done just_approved=true /> }.into_any(),
        None => view! { <DealReadOnly deal=deal.clone() approval=approved /> }.into_any(),
    }
}

// ---------------------------------------------------------------------------------------------
// Form state
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct MilestoneRow {
    key: u64,
    name: RwSignal<String>,
    due_date: RwSignal<String>,
    amount: RwSignal<String>,
}

/// One deal line as typed.
#[derive(Clone, Copy)]
struct LineRow {
    key: u64,
    product_name: RwSignal<String>,
    kind: RwSignal<String>,
    quantity: RwSignal<String>,
    unit_price: RwSignal<String>,
    billing_frequency: RwSignal<String>,
    start_date: RwSignal<String>,
    end_date: RwSignal<String>,
    /// The CRM's line item id; kept as it came, never typed.
    reference: StoredValue<Option<String>>,
    /// "", "PERCENT", "AMOUNT" or "COUPON": what the line's recurring discount is given as.
    discount_mode: RwSignal<String>,
    /// The percent, the amount or the coupon code, as typed.
    discount_value: RwSignal<String>,
    /// How many periods; empty for as long as the line runs.
    discount_periods: RwSignal<String>,
    discount_label: RwSignal<String>,
    /// A free trial's end: the day the line converts to paid; empty for none.
    trial_ends_on: RwSignal<String>,
}

const LINE_FREQUENCIES: [&str; 3] = ["MONTHLY", "QUARTERLY", "ANNUALLY"];

/// Every input of the intake form as text, exactly as typed, so nothing is lost when a save
/// fails; `to_input` turns it into a `DealInput`.
#[derive(Clone, Copy)]
struct DealForm {
    crm_opportunity_id: RwSignal<String>,
    customer_id: RwSignal<String>,
    invoiced_legal_entity: RwSignal<String>,
    contact_name: RwSignal<String>,
    contact_email: RwSignal<String>,
    contact_phone: RwSignal<String>,
    product_name: RwSignal<String>,
    tcv: RwSignal<String>,
    arr: RwSignal<String>,
    start_date: RwSignal<String>,
    end_date: RwSignal<String>,
    billing_frequency: RwSignal<String>,
    payment_terms: RwSignal<String>,
    billing_currency: RwSignal<String>,
    po_required: RwSignal<bool>,
    po_number: RwSignal<String>,
    tax_jurisdiction: RwSignal<String>,
    tax_exempt: RwSignal<bool>,
    tax_exemption_certificate: RwSignal<String>,
    revenue_recognition_type: RwSignal<String>,
    milestones: RwSignal<Vec<MilestoneRow>>,
    lines: RwSignal<Vec<LineRow>>,
    assigned_ae_id: RwSignal<String>,
    commission_plan_id: RwSignal<String>,
    next_key: StoredValue<u64>,
}

fn text(value: Option<&str>) -> RwSignal<String> {
    RwSignal::new(value.unwrap_or_default().to_string())
}

impl DealForm {
    fn new(deal: Option<&Deal>) -> Self {
        let contact = deal.and_then(|d| d.billing_contact.as_ref());
        let form = Self {
            crm_opportunity_id: text(deal.map(|d| d.crm_opportunity_id.as_str())),
            customer_id: text(
                deal.and_then(|d| d.customer.as_ref())
                    .map(|c| c.id.as_str()),
            ),
            invoiced_legal_entity: text(deal.and_then(|d| d.invoiced_legal_entity.as_deref())),
            contact_name: text(contact.map(|c| c.name.as_str())),
            contact_email: text(contact.map(|c| c.email.as_str())),
            contact_phone: text(contact.and_then(|c| c.phone.as_deref())),
            product_name: text(deal.and_then(|d| d.product_name.as_deref())),
            tcv: text(deal.and_then(|d| d.tcv.as_ref()).map(|m| m.amount.as_str())),
            arr: text(deal.and_then(|d| d.arr.as_ref()).map(|m| m.amount.as_str())),
            start_date: text(deal.and_then(|d| d.start_date.as_deref())),
            end_date: text(deal.and_then(|d| d.end_date.as_deref())),
            billing_frequency: text(deal.and_then(|d| d.billing_frequency.as_deref())),
            payment_terms: text(deal.and_then(|d| d.payment_terms.as_deref())),
            billing_currency: text(deal.and_then(|d| d.billing_currency.as_deref())),
            po_required: RwSignal::new(deal.is_some_and(|d| d.po_required)),
            po_number: text(deal.and_then(|d| d.po_number.as_deref())),
            tax_jurisdiction: text(deal.and_then(|d| d.tax_jurisdiction.as_deref())),
            tax_exempt: RwSignal::new(deal.is_some_and(|d| d.tax_exempt)),
            tax_exemption_certificate: text(
                deal.and_then(|d| d.tax_exemption_certificate.as_deref()),
            ),
            revenue_recognition_type: text(
                deal.and_then(|d| d.revenue_recognition_type.as_deref()),
            ),
            milestones: RwSignal::new(Vec::new()),
            lines: RwSignal::new(Vec::new()),
            assigned_ae_id: text(
                deal.and_then(|d| d.assigned_ae.as_ref())
                    .map(|u| u.id.as_str()),
            ),
            commission_plan_id: text(deal.and_then(|d| d.commission_plan_id.as_deref())),
            next_key: StoredValue::new(0),
        };
        for milestone in deal.map(|d| d.milestones.as_slice()).unwrap_or_default() {
            form.push_milestone(
                &milestone.name,
                milestone.due_date.as_deref().unwrap_or_default(),
                &milestone.amount.amount,
            );
        }
        for line in deal.map(|d| d.lines.as_slice()).unwrap_or_default() {
            form.push_line(line);
        }
        form
    }

    fn push_line(&self, line: &api::DealLine) {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        let row = LineRow {
            key,
            product_name: RwSignal::new(line.product_name.clone()),
            kind: text(line.kind.as_deref()),
            quantity: RwSignal::new(line.quantity.clone()),
            unit_price: RwSignal::new(line.unit_price.amount.clone()),
            billing_frequency: text(line.billing_frequency.as_deref()),
            start_date: text(line.start_date.as_deref()),
            end_date: text(line.end_date.as_deref()),
            reference: StoredValue::new(line.reference.clone()),
            discount_mode: RwSignal::new(String::new()),
            discount_value: RwSignal::new(String::new()),
            discount_periods: RwSignal::new(String::new()),
            discount_label: RwSignal::new(String::new()),
            trial_ends_on: text(line.trial_ends_on.as_deref()),
        };
        if let Some(discount) = &line.discount {
            let (mode, value) = match (&discount.coupon, &discount.percent, &discount.amount) {
                (Some(code), _, _) => ("COUPON", code.clone()),
                (None, Some(percent), _) => ("PERCENT", percent.clone()),
                (None, None, Some(amount)) => ("AMOUNT", amount.amount.clone()),
                (None, None, None) => ("", String::new()),
            };
            row.discount_mode.set(mode.into());
            row.discount_value.set(value);
            if discount.coupon.is_none() {
                row.discount_periods.set(
                    discount
                        .periods
                        .map(|count| count.to_string())
                        .unwrap_or_default(),
                );
                row.discount_label.set(discount.label.clone());
            }
        }
        self.lines.update(|rows| rows.push(row));
    }

    fn add_line(&self) {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        let row = LineRow {
            key,
            product_name: RwSignal::new(String::new()),
            kind: RwSignal::new("SUBSCRIPTION".into()),
            quantity: RwSignal::new("1".into()),
            unit_price: RwSignal::new(String::new()),
            billing_frequency: RwSignal::new(self.billing_frequency.with_untracked(|f| {
                if LINE_FREQUENCIES.contains(&f.as_str()) {
                    f.clone()
                } else {
                    "MONTHLY".into()
                }
            })),
            start_date: RwSignal::new(String::new()),
            end_date: RwSignal::new(String::new()),
            reference: StoredValue::new(None),
            discount_mode: RwSignal::new(String::new()),
            discount_value: RwSignal::new(String::new()),
            discount_periods: RwSignal::new(String::new()),
            discount_label: RwSignal::new(String::new()),
            trial_ends_on: RwSignal::new(String::new()),
        };
        self.lines.update(|rows| rows.push(row));
    }

    fn remove_line(&self, key: u64) {
        self.lines.update(|rows| rows.retain(|row| row.key != key));
    }

    fn has_lines(&self) -> bool {
        self.lines.with(|rows| !rows.is_empty())
    }

    fn push_milestone(&self, name: &str, due_date: &str, amount: &str) {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        let row = MilestoneRow {
            key,
            name: RwSignal::new(name.to_string()),
            due_date: RwSignal::new(due_date.to_string()),
            amount: RwSignal::new(amount.to_string()),
        };
        self.milestones.update(|rows| rows.push(row));
    }

    fn remove_milestone(&self, key: u64) {
        self.milestones
            .update(|rows| rows.retain(|row| row.key != key));
    }

    /// A money input in the deal's billing currency; absent when nothing was typed.
    fn money(self, typed: &str) -> Value {
        let amount = format::amount_input(typed);
        if amount.is_empty() {
            Value::Null
        } else {
            json!({ "amount": amount, "currency": self.billing_currency.get().trim().to_uppercase() })
        }
    }

    /// The whole form as a `DealInput`. Reads are tracked, so a memo over this re-runs on
    /// every keystroke (the live checklist relies on that).
    fn to_input(self) -> Value {
        let contact_parts = [
            self.contact_name.get(),
            self.contact_email.get(),
            self.contact_phone.get(),
        ];
        let billing_contact = if contact_parts.iter().all(|part| part.trim().is_empty()) {
            Value::Null
        } else {
            json!({
                "name": contact_parts[0].trim(),
                "email": contact_parts[1].trim(),
                "phone": non_empty(&contact_parts[2]),
            })
        };
        let milestones: Vec<Value> = self
            .milestones
            .get()
            .iter()
            .map(|row| {
                let amount = self.money(&row.amount.get());
                json!({
                    "name": row.name.get().trim(),
                    "dueDate": non_empty(&row.due_date.get()),
                    "amount": if amount.is_null() {
                        json!({ "amount": "", "currency": self.billing_currency.get().trim().to_uppercase() })
                    } else {
                        amount
                    },
                })
            })
            .collect();
        let lines: Vec<Value> = self
            .lines
            .get()
            .iter()
            .map(|row| {
                let kind = row.kind.get();
                json!({
                    "productName": row.product_name.get().trim(),
                    "kind": non_empty(&kind),
                    "quantity": non_empty(&row.quantity.get()),
                    "unitPrice": {
                        "amount": format::amount_input(&row.unit_price.get()),
                        "currency": self.billing_currency.get().trim().to_uppercase(),
                    },
                    "billingFrequency": if kind == "SUBSCRIPTION" { non_empty(&row.billing_frequency.get()) } else { None },
                    "startDate": non_empty(&row.start_date.get()),
                    "endDate": non_empty(&row.end_date.get()),
                    "reference": row.reference.get_value(),
                    "discount": line_discount(row),
                    "trialEndsOn": if kind == "SUBSCRIPTION" { non_empty(&row.trial_ends_on.get()) } else { None },
                })
            })
            .collect();
        // With lines, the product, amounts, frequency and recognition are computed from them.
        let computed = !lines.is_empty();
        let unless_computed = |value: Value| if computed { Value::Null } else { value };
        let po_required = self.po_required.get();
        let tax_exempt = self.tax_exempt.get();
        json!({
            "crmOpportunityId": self.crm_opportunity_id.get().trim(),
            "customerId": non_empty(&self.customer_id.get()),
            "invoicedLegalEntity": non_empty(&self.invoiced_legal_entity.get()),
            "billingContact": billing_contact,
            "productName": unless_computed(json!(non_empty(&self.product_name.get()))),
            "tcv": unless_computed(self.money(&self.tcv.get())),
            "arr": unless_computed(self.money(&self.arr.get())),
            "startDate": non_empty(&self.start_date.get()),
            "endDate": non_empty(&self.end_date.get()),
            "billingFrequency": unless_computed(json!(non_empty(&self.billing_frequency.get()))),
            "paymentTerms": non_empty(&self.payment_terms.get()),
            "billingCurrency": non_empty(&self.billing_currency.get()).map(|c| c.to_uppercase()),
            "poRequired": po_required,
            "poNumber": if po_required { non_empty(&self.po_number.get()) } else { None },
            "taxJurisdiction": non_empty(&self.tax_jurisdiction.get()),
            "taxExempt": tax_exempt,
            "taxExemptionCertificate": if tax_exempt { non_empty(&self.tax_exemption_certificate.get()) } else { None },
            "revenueRecognitionType": unless_computed(json!(non_empty(&self.revenue_recognition_type.get()))),
            "milestones": milestones,
            "lines": lines,
            "assignedAeId": non_empty(&self.assigned_ae_id.get()),
            "commissionPlanId": non_empty(&self.commission_plan_id.get()),
        })
    }

    /// Fills the fields that are still empty from the chosen customer; never overwrites typing.
    fn prefill_from(&self, customer: &CustomerOption) {
        let fill = |signal: RwSignal<String>, value: &str| {
            if signal.with_untracked(|current| current.trim().is_empty()) {
                signal.set(value.to_string());
            }
        };
        fill(self.billing_currency, &customer.billing_currency);
        fill(self.invoiced_legal_entity, &customer.legal_name);
        fill(self.payment_terms, &customer.payment_terms);
        let contact_empty = [self.contact_name, self.contact_email, self.contact_phone]
            .iter()
            .all(|signal| signal.with_untracked(|value| value.trim().is_empty()));
        if contact_empty {
            self.contact_name.set(customer.billing_contact.name.clone());
            self.contact_email
                .set(customer.billing_contact.email.clone());
            self.contact_phone
                .set(customer.billing_contact.phone.clone().unwrap_or_default());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Editor
// ---------------------------------------------------------------------------------------------

#[component]
fn DealEditor(deal: Option<Deal>) -> impl IntoView {
    let navigate = use_navigate();
    let query = use_query_map();
    let form = DealForm::new(deal.as_ref());
    // An AE recording a new deal is almost always its owner.
    if deal.is_none() {
        let own_id = use_session().with_untracked(|session| {
            session
                .as_ref()
                .filter(|session| session.user.role.eq_ignore_ascii_case("AE"))
                .map(|session| session.user.id.clone())
        });
        if let Some(own_id) = own_id {
            form.assigned_ae_id.set(own_id);
        }
    }
    let deal_id = RwSignal::new(deal.as_ref().map(|d| d.id.clone()));
    let errors = RwSignal::new(None::<ApiError>);
    let error_signal: Signal<Option<ApiError>> = errors.into();
    let saving = RwSignal::new(false);
    let notice = RwSignal::new(
        query
            .with_untracked(|q| q.get("saved"))
            .map(|_| "Draft saved.".to_string()),
    );
    let input = Memo::new(move |_| form.to_input());
    // The input as last saved: the form is "dirty" while it differs, and approval waits.
    let saved_input = RwSignal::new(deal.as_ref().map(|_| input.get_untracked()));
    let dirty = Memo::new(move |_| saved_input.with(|saved| saved.as_ref() != Some(&input.get())));
    let checklist = RwSignal::new(
        deal.as_ref()
            .map(|d| Ok::<_, ApiError>(d.checklist.clone())),
    );
    let approved = RwSignal::new(None::<Deal>);
    // The saved draft's TCV and ARR (computed from its lines when it has them): what approval
    // confirms.
    let saved_totals = RwSignal::new(deal.as_ref().map(|d| (d.tcv.clone(), d.arr.clone())));

    // Live checklist: ask the server 300 ms after the last change; only the newest answer counts.
    let debounce = Debounce::new();
    let latest_request = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let input = input.get();
        // The server refuses a checklist without an opportunity ID, so say that instead of
        // showing its error as if something were wrong.
        if input["crmOpportunityId"].as_str().is_none_or(str::is_empty) {
            checklist.set(Some(Err(ApiError::for_field(
                "crmOpportunityId",
                "Enter the CRM opportunity ID to see what billing still needs.",
            ))));
            return;
        }
        debounce.run(Duration::from_millis(300), move || {
            let request = latest_request.get_value() + 1;
            latest_request.set_value(request);
            spawn_local(async move {
                let result = api::deal_checklist(input).await;
                if latest_request.try_get_value() == Some(request) {
                    checklist.set(Some(result));
                }
            });
        });
    });

    let save = move |_| {
        if saving.get_untracked() {
            return;
        }
        saving.set(true);
        notice.set(None);
        let submitted = input.get_untracked();
        let was_new = deal_id.get_untracked().is_none();
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::deal_save(deal_id.get_untracked(), submitted.clone()).await;
            saving.set(false);
            match result {
                Ok(saved) => {
                    errors.set(None);
                    saved_input.set(Some(submitted));
                    saved_totals.set(Some((saved.tcv.clone(), saved.arr.clone())));
                    checklist.set(Some(Ok(saved.checklist.clone())));
                    deal_id.set(Some(saved.id.clone()));
                    if was_new {
                        navigate(
                            &format!("/deals/{}?saved=1", saved.id),
                            NavigateOptions {
                                replace: true,
                                ..Default::default()
                            },
                        );
                    } else {
                        notice.set(Some("Draft saved.".into()));
                    }
                }
                Err(error) => {
                    errors.set(Some(error));
                    focus_first_invalid();
                }
            }
        });
    };

    let saved_customer = deal.as_ref().and_then(|d| d.customer.clone());
    let title = deal
        .as_ref()
        .map(|d| format!("Deal {}", d.crm_opportunity_id))
        .unwrap_or_else(|| "New deal".to_string());

    move || {
        if let Some(deal) = approved.get() {
            return view! { <DealReadOnly deal=deal just_approved=true /> }.into_any();
        }
        let save = save.clone();
        view! {
            <header class="page-header">
                <div>
                    <h1>{title.clone()}</h1>
                    <p class="muted">"Fill in what billing needs; the checklist updates as you type."</p>
                </div>
                <DealStatusBadge status="DRAFT" />
            </header>
            <div class="with-aside">
                <form class="form" novalidate=true on:submit=move |event| event.prevent_default() data-test="deal-form">
                    <FormErrorBanner error=error_signal />
                    {move || notice.get().map(|message| view! { <p class="alert alert-success" role="status">{message}</p> })}
                    <DealFields form=form errors=error_signal saved_customer=saved_customer.clone() saved_totals=saved_totals.into() />
                    <div class="button-row sticky-actions">
                        <button class="button button-primary" type="button" data-test="save-draft" disabled=move || saving.get() on:click=save>
                            {move || if saving.get() { "Saving…" } else { "Save draft" }}
                        </button>
                        <span class="muted">{move || if dirty.get() { "Unsaved changes" } else { "All changes saved" }}</span>
                    </div>
                </form>
                <aside class="aside">
                    <ApprovePanel deal_id=deal_id.into() dirty=dirty.into() checklist=checklist.into() approved=approved saved_totals=saved_totals.into() />
                    <Checklist checklist=checklist.into() />
                </aside>
            </div>
        }
        .into_any()
    }
}

#[component]
fn DealFields(
    form: DealForm,
    errors: Signal<Option<ApiError>>,
    /// The customer the saved draft names, shown even when it is not among the picker's first
    /// page of customers.
    saved_customer: Option<CustomerName>,
    /// The saved draft's TCV and ARR, shown when they are computed from the lines.
    saved_totals: Signal<Option<(Option<api::Money>, Option<api::Money>)>>,
) -> impl IntoView {
    let computed_totals = move || {
        let shown = |money: Option<api::Money>| {
            money.map_or_else(
                || "—".to_string(),
                |m| format::money(&m.amount, &m.currency),
            )
        };
        saved_totals
            .get()
            .map(|(tcv, arr)| format!("As saved: TCV {}, ARR {}.", shown(tcv), shown(arr)))
    };
    let session = use_session();
    // What is typed in the picker's search box, and the same text once typing pauses.
    let customer_search_typed = RwSignal::new(String::new());
    let customer_search = RwSignal::new(String::new());
    let search_debounce = Debounce::new();
    Effect::new(move |_| {
        let typed = customer_search_typed.get();
        search_debounce.run(Duration::from_millis(300), move || {
            customer_search.set(typed)
        });
    });
    let customers =
        LocalResource::new(move || api::customer_options(non_empty(&customer_search.get())));
    let aes = LocalResource::new(|| api::users_with_role("AE"));
    let more_customers = Signal::derive(
        move || matches!(customers.get(), Some(Ok(connection)) if connection.page_info.has_next_page),
    );
    let customer_options = Signal::derive(move || {
        let mut options = vec![(String::new(), "Choose a customer".to_string())];
        if let Some(Ok(connection)) = customers.get() {
            options.extend(connection.nodes.into_iter().map(|c| (c.id, c.legal_name)));
        }
        let chosen = form.customer_id.get();
        if !chosen.is_empty() && !options.iter().any(|(id, _)| *id == chosen) {
            if let Some(saved) = saved_customer.as_ref().filter(|c| c.id == chosen) {
                options.push((saved.id.clone(), saved.legal_name.clone()));
            }
        }
        options
    });
    // Someone who may not list users (an AE) can still assign the deal to themself.
    let ae_options = Signal::derive(move || {
        let mut options = vec![(String::new(), "Choose an account executive".to_string())];
        match aes.get() {
            Some(Ok(list)) => {
                options.extend(list.into_iter().map(|UserRef { id, name }| (id, name)))
            }
            Some(Err(_)) => {
                if let Some(me) = session.with(|s| s.as_ref().map(|s| s.user.clone())) {
                    options.push((me.id, me.name));
                }
            }
            None => {}
        }
        options
    });
    // Prefill from the chosen customer once its details are known.
    Effect::new(move |previous: Option<String>| {
        let chosen = form.customer_id.get();
        if previous.as_ref() != Some(&chosen) && !chosen.is_empty() {
            if let Some(Ok(connection)) = customers.get_untracked() {
                if let Some(customer) = connection.nodes.iter().find(|c| c.id == chosen) {
                    form.prefill_from(customer);
                }
            }
        }
        chosen
    });
    let currency = Signal::derive(move || {
        let code = form.billing_currency.get().trim().to_uppercase();
        if code.is_empty() {
            "—".to_string()
        } else {
            code
        }
    });

    view! {
        <fieldset class="panel">
            <legend>"Opportunity"</legend>
            <div class="form-row">
                <TextField label="CRM opportunity ID" name="crmOpportunityId" value=form.crm_opportunity_id errors=errors required=true placeholder="e.g. 006Dn00000AbCdE" />
                <TextField label="Commission plan ID" name="commissionPlanId" value=form.commission_plan_id errors=errors />
            </div>
            <div class="form-row">
                <div class="field-stack">
                    <SelectField label="Customer" name="customerId" value=form.customer_id errors=errors options=customer_options required=true />
                    <Show when=move || more_customers.get() || !customer_search_typed.with(String::is_empty)>
                        <div class="field field-compact">
                            <label for="customer-picker-search">"Find a customer not listed"</label>
                            <input id="customer-picker-search" type="search" placeholder="Type part of the name" bind:value=customer_search_typed />
                        </div>
                    </Show>
                </div>
                <SelectField label="Account executive" name="assignedAeId" value=form.assigned_ae_id errors=errors options=ae_options required=true />
            </div>
        </fieldset>
        <fieldset class="panel">
            <legend>"Billing entity and contact"</legend>
            <TextField label="Invoiced legal entity" name="invoicedLegalEntity" value=form.invoiced_legal_entity errors=errors required=true />
            <div class="form-row">
                <TextField label="Billing contact name" name="billingContact.name" value=form.contact_name errors=errors required=true />
                <TextField label="Billing contact email" name="billingContact.email" kind="email" value=form.contact_email errors=errors required=true />
            </div>
            <TextField label="Billing contact phone" name="billingContact.phone" kind="tel" value=form.contact_phone errors=errors />
        </fieldset>
        <fieldset class="panel">
            <legend>"Commercial terms"</legend>
            <div class="form-row">
                <TextField label="Billing currency" name="billingCurrency" value=form.billing_currency errors=errors required=true hint="ISO 4217, e.g. USD" />
                <SelectField label="Payment terms" name="paymentTerms" value=form.payment_terms errors=errors options=enum_options("Choose terms", &PAYMENT_TERMS) required=true />
            </div>
            <div class="form-row">
                <TextField label="Start date" name="startDate" kind="date" value=form.start_date errors=errors required=true />
                <TextField label="End date" name="endDate" kind="date" value=form.end_date errors=errors required=true hint="The last day of service" />
            </div>
            <Show
                when=move || !form.has_lines()
                fallback=move || view! {
                    <p class="hint" data-test="computed-from-lines">
                        "Product, TCV, ARR, billing frequency and revenue recognition are computed from the lines below when the draft is saved. "
                        <span class="num" data-test="computed-totals">{computed_totals}</span>
                    </p>
                }
            >
                <div class="form-row">
                    <TextField label="Product" name="productName" value=form.product_name errors=errors required=true />
                    <SelectField label="Billing frequency" name="billingFrequency" value=form.billing_frequency errors=errors options=enum_options("Choose a frequency", &BILLING_FREQUENCIES) required=true />
                </div>
                <div class="form-row">
                    <TextField label="Total contract value (TCV)" name="tcv" value=form.tcv errors=errors numeric=true required=true suffix=currency />
                    <TextField label="Annual recurring revenue (ARR)" name="arr" value=form.arr errors=errors numeric=true required=true suffix=currency />
                </div>
                <SelectField label="Revenue recognition" name="revenueRecognitionType" value=form.revenue_recognition_type errors=errors options=enum_options("Choose a method", &RECOGNITION_TYPES) required=true />
            </Show>
        </fieldset>
        <LinesEditor form=form errors=errors currency=currency />
        <Show when=move || !form.has_lines() || !form.milestones.with(Vec::is_empty)>
            <MilestonesEditor form=form errors=errors currency=currency />
        </Show>
        <fieldset class="panel">
            <legend>"Purchase order and tax"</legend>
            <label class="checkbox">
                <input type="checkbox" name="poRequired" bind:checked=form.po_required />
                "Customer requires a purchase order on invoices"
            </label>
            <Show when=move || form.po_required.get()>
                <TextField label="PO number" name="poNumber" value=form.po_number errors=errors required=true />
            </Show>
            <TextField label="Tax jurisdiction" name="taxJurisdiction" value=form.tax_jurisdiction errors=errors required=true placeholder="e.g. US-CA" />
            <label class="checkbox">
                <input type="checkbox" name="taxExempt" bind:checked=form.tax_exempt />
                "Customer is tax exempt"
            </label>
            <Show when=move || form.tax_exempt.get()>
                <TextField label="Exemption certificate" name="taxExemptionCertificate" value=form.tax_exemption_certificate errors=errors required=true />
            </Show>
        </fieldset>
    }
}

/// A line's discount as a `DiscountInput`, or null when it has none.
fn line_discount(row: &LineRow) -> Value {
    let value = row.discount_value.get();
    let periods = row.discount_periods.get().trim().parse::<i64>().ok();
    let label = non_empty(&row.discount_label.get());
    match row.discount_mode.get().as_str() {
        "PERCENT" => json!({ "percent": value.trim(), "periods": periods, "label": label }),
        "AMOUNT" => {
            json!({ "amount": format::amount_input(&value), "periods": periods, "label": label })
        }
        "COUPON" => json!({ "coupon": value.trim() }),
        _ => Value::Null,
    }
}

/// The deal's lines: one row per product sold. Without lines the deal is one product typed
/// with its TCV and ARR above.
#[component]
fn LinesEditor(
    form: DealForm,
    errors: Signal<Option<ApiError>>,
    currency: Signal<String>,
) -> impl IntoView {
    view! {
        <fieldset class="panel" data-test="deal-lines">
            <legend>"Lines"</legend>
            <p class="hint">"For a deal that sells several products, seats at a unit price, a licence or a one-time service: one line each. Each becomes a contract line. Leave a line's dates empty to use the deal's; a milestone's end date is its due date."</p>
            <Show when=move || form.has_lines()>
                <div class="table-scroll">
                    <table class="table compact deal-lines">
                        <thead>
                            <tr>
                                <th scope="col">"Product"</th>
                                <th scope="col">"Kind"</th>
                                <th scope="col" class="num">"Quantity"</th>
                                <th scope="col" class="num">"Unit price"</th>
                                <th scope="col">"Billed"</th>
                                <th scope="col">"Start"</th>
                                <th scope="col">"End / due"</th>
                                <th scope="col"><span class="visually-hidden">"Remove"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || form.lines.get() key=|row| row.key let:row>
                                <LineEditorRow form=form row=row errors=errors currency=currency />
                            </For>
                        </tbody>
                    </table>
                </div>
            </Show>
            <button class="button" type="button" data-test="add-line" on:click=move |_| form.add_line()>
                "Add line"
            </button>
        </fieldset>
    }
}

#[component]
fn LineEditorRow(
    form: DealForm,
    row: LineRow,
    errors: Signal<Option<ApiError>>,
    currency: Signal<String>,
) -> impl IntoView {
    let key = row.key;
    let index = Memo::new(move |_| {
        form.lines
            .with(|rows| rows.iter().position(|r| r.key == key).unwrap_or(0))
    });
    let error = move |part: &'static str| {
        Signal::derive(move || {
            errors.with(|e| {
                e.as_ref().and_then(|e| {
                    e.field(&format!("lines.{}.{part}", index.get()))
                        .or_else(|| e.field(&format!("lines.{}.{part}.amount", index.get())))
                        .or_else(|| e.field(&format!("lines.{}.{part}.currency", index.get())))
                })
            })
        })
    };
    let cell_error = move |message: Signal<Option<String>>| {
        move || {
            message
                .get()
                .map(|m| view! { <p class="field-error">{m}</p> })
        }
    };
    let invalid =
        move |message: Signal<Option<String>>| move || message.with(Option::is_some).to_string();
    let (
        name_error,
        kind_error,
        quantity_error,
        price_error,
        frequency_error,
        start_error,
        end_error,
    ) = (
        error("productName"),
        error("kind"),
        error("quantity"),
        error("unitPrice"),
        error("billingFrequency"),
        error("startDate"),
        error("endDate"),
    );
    let label = move |what: &'static str| move || format!("Line {} {what}", index.get() + 1);
    let is_subscription = move || row.kind.with(|kind| kind == "SUBSCRIPTION");
    // The discount's errors name its part (`lines.0.discount.percent`) or the discount itself.
    let discount_error = Signal::derive(move || {
        errors.with(|e| {
            e.as_ref().and_then(|e| {
                [
                    "discount.percent",
                    "discount.amount",
                    "discount.periods",
                    "discount.label",
                    "discount.coupon",
                    "discount",
                ]
                .iter()
                .find_map(|part| e.field(&format!("lines.{}.{part}", index.get())))
            })
        })
    });
    view! {
        <tr data-test="deal-line">
            <td>
                <label class="visually-hidden" for=format!("line-{key}-product")>{label("product")}</label>
                <input id=format!("line-{key}-product") type="text" bind:value=row.product_name aria-invalid=invalid(name_error) />
                {move || row.reference.get_value().map(|reference| view! { <p class="hint">{format!("CRM line item {reference}")}</p> })}
                {cell_error(name_error)}
            </td>
            <td>
                <label class="visually-hidden" for=format!("line-{key}-kind")>{label("kind")}</label>
                <select id=format!("line-{key}-kind") bind:value=row.kind aria-invalid=invalid(kind_error)>
                    <option value="">"Choose…"</option>
                    <option value="SUBSCRIPTION">"Subscription"</option>
                    <option value="PERPETUAL_LICENSE">"Perpetual licence"</option>
                    <option value="MILESTONE">"Milestone (one-time service)"</option>
                    <option value="TIME_AND_MATERIALS">"Time and materials"</option>
                </select>
                {cell_error(kind_error)}
            </td>
            <td>
                <label class="visually-hidden" for=format!("line-{key}-quantity")>{label("quantity")}</label>
                <input id=format!("line-{key}-quantity") class="num-input" type="text" inputmode="decimal" bind:value=row.quantity aria-invalid=invalid(quantity_error) />
                {cell_error(quantity_error)}
            </td>
            <td>
                <label class="visually-hidden" for=format!("line-{key}-price")>{label("unit price")}</label>
                <div class="input-wrap has-suffix">
                    <input id=format!("line-{key}-price") class="num-input" type="text" inputmode="decimal" bind:value=row.unit_price aria-invalid=invalid(price_error) />
                    <span class="input-suffix">{move || currency.get()}</span>
                </div>
                {cell_error(price_error)}
            </td>
            <td>
                <Show when=is_subscription fallback=|| view! { <span class="muted">"once"</span> }>
                    <label class="visually-hidden" for=format!("line-{key}-frequency")>{label("billing frequency")}</label>
                    <select id=format!("line-{key}-frequency") bind:value=row.billing_frequency aria-invalid=invalid(frequency_error)>
                        <option value="">"Choose…"</option>
                        <option value="MONTHLY">"Monthly"</option>
                        <option value="QUARTERLY">"Quarterly"</option>
                        <option value="ANNUALLY">"Annually"</option>
                    </select>
                </Show>
                {cell_error(frequency_error)}
            </td>
            <td>
                <label class="visually-hidden" for=format!("line-{key}-start")>{label("start date")}</label>
                <input id=format!("line-{key}-start") type="date" bind:value=row.start_date aria-invalid=invalid(start_error) />
                {cell_error(start_error)}
            </td>
            <td>
                <label class="visually-hidden" for=format!("line-{key}-end")>{label("end or due date")}</label>
                <input id=format!("line-{key}-end") type="date" bind:value=row.end_date aria-invalid=invalid(end_error) />
                {cell_error(end_error)}
            </td>
            <td>
                <button class="button button-quiet" type="button" on:click=move |_| form.remove_line(key)>
                    "Remove"
                </button>
            </td>
        </tr>
        <Show when=is_subscription>
            <tr class="line-discount" data-test="deal-line-discount">
                <td colspan="8">
                    <LineDiscountEditor row=row label=Signal::derive(label("discount")) currency=currency error=discount_error />
                </td>
            </tr>
        </Show>
    }
}

/// A subscription line's recurring discount: none, a percent or an amount off each period (for
/// some periods or all), or a coupon's code, which brings its own.
#[component]
fn LineDiscountEditor(
    row: LineRow,
    label: Signal<String>,
    currency: Signal<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let key = row.key;
    let mode = row.discount_mode;
    let invalid = move || error.with(Option::is_some).to_string();
    view! {
        <div class="line-discount-fields">
            <label for=format!("line-{key}-discount")>{move || label.get()}</label>
            <select id=format!("line-{key}-discount") bind:value=mode aria-invalid=invalid data-test="discount-mode">
                <option value="">"None"</option>
                <option value="PERCENT">"Percent off each period"</option>
                <option value="AMOUNT">"Amount off each period"</option>
                <option value="COUPON">"Coupon code"</option>
            </select>
            <Show when=move || !mode.with(String::is_empty)>
                <label for=format!("line-{key}-discount-value")>
                    {move || match mode.get().as_str() {
                        "PERCENT" => "Percent".to_string(),
                        "AMOUNT" => format!("Amount ({})", currency.get()),
                        _ => "Code".to_string(),
                    }}
                </label>
                <input id=format!("line-{key}-discount-value") class="num-input" type="text" bind:value=row.discount_value aria-invalid=invalid data-test="discount-value" />
                <Show when=move || mode.with(|mode| mode != "COUPON")>
                    <label for=format!("line-{key}-discount-periods")>"For periods"</label>
                    <input id=format!("line-{key}-discount-periods") class="num-input" type="text" inputmode="numeric" placeholder="all" bind:value=row.discount_periods aria-invalid=invalid data-test="discount-periods" />
                    <label for=format!("line-{key}-discount-label")>"Invoice label"</label>
                    <input id=format!("line-{key}-discount-label") type="text" placeholder="Launch discount" bind:value=row.discount_label aria-invalid=invalid data-test="discount-label" />
                </Show>
            </Show>
            <label for=format!("line-{key}-trial")>"Free trial until"</label>
            <input id=format!("line-{key}-trial") type="date" bind:value=row.trial_ends_on aria-invalid=invalid data-test="trial-ends-on" />
            {move || error.get().map(|message| view! { <p class="field-error">{message}</p> })}
        </div>
    }
}

#[component]
fn MilestonesEditor(
    form: DealForm,
    errors: Signal<Option<ApiError>>,
    currency: Signal<String>,
) -> impl IntoView {
    let list_error = Signal::derive(move || {
        errors.with(|e| {
            e.as_ref().and_then(|e| {
                e.items
                    .iter()
                    .find(|item| item.field.as_deref() == Some("milestones"))
                    .map(|item| item.message.clone())
            })
        })
    });
    view! {
        <fieldset class="panel">
            <legend>"Milestones"</legend>
            <p class="hint">"Needed when billing or recognition is by milestone; amounts should add up to the TCV."</p>
            {move || list_error.get().map(|message| view! { <p class="field-error">{message}</p> })}
            <Show when=move || !form.milestones.with(Vec::is_empty)>
                <table class="table compact milestones">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Due date"</th>
                            <th scope="col" class="num">"Amount"</th>
                            <th scope="col"><span class="visually-hidden">"Remove"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || form.milestones.get() key=|row| row.key let:row>
                            <MilestoneEditorRow form=form row=row errors=errors currency=currency />
                        </For>
                    </tbody>
                </table>
            </Show>
            <button class="button" type="button" data-test="add-milestone" on:click=move |_| form.push_milestone("", "", "")>
                "Add milestone"
            </button>
        </fieldset>
    }
}

#[component]
fn MilestoneEditorRow(
    form: DealForm,
    row: MilestoneRow,
    errors: Signal<Option<ApiError>>,
    currency: Signal<String>,
) -> impl IntoView {
    let key = row.key;
    let index = Memo::new(move |_| {
        form.milestones
            .with(|rows| rows.iter().position(|r| r.key == key).unwrap_or(0))
    });
    let error = move |part: &'static str| {
        Signal::derive(move || {
            errors.with(|e| {
                e.as_ref()
                    .and_then(|e| e.field(&format!("milestones.{}.{part}", index.get())))
            })
        })
    };
    let (name_error, date_error, amount_error) = (error("name"), error("dueDate"), error("amount"));
    let cell_error = move |message: Signal<Option<String>>| {
        move || {
            message
                .get()
                .map(|m| view! { <p class="field-error">{m}</p> })
        }
    };
    view! {
        <tr>
            <td>
                <label class="visually-hidden" for=format!("milestone-{key}-name")>{move || format!("Milestone {} name", index.get() + 1)}</label>
                <input id=format!("milestone-{key}-name") type="text" bind:value=row.name aria-invalid=move || name_error.with(Option::is_some).to_string() />
                {cell_error(name_error)}
            </td>
            <td>
                <label class="visually-hidden" for=format!("milestone-{key}-date")>{move || format!("Milestone {} due date", index.get() + 1)}</label>
                <input id=format!("milestone-{key}-date") type="date" bind:value=row.due_date aria-invalid=move || date_error.with(Option::is_some).to_string() />
                {cell_error(date_error)}
            </td>
            <td>
                <label class="visually-hidden" for=format!("milestone-{key}-amount")>{move || format!("Milestone {} amount", index.get() + 1)}</label>
                <div class="input-wrap has-suffix">
                    <input id=format!("milestone-{key}-amount") class="num-input" type="text" inputmode="decimal" bind:value=row.amount aria-invalid=move || amount_error.with(Option::is_some).to_string() />
                    <span class="input-suffix">{move || currency.get()}</span>
                </div>
                {cell_error(amount_error)}
            </td>
            <td>
                <button class="button button-quiet" type="button" on:click=move |_| form.remove_milestone(key)>
                    "Remove"
                </button>
            </td>
        </tr>
    }
}

/// Approval for billing: only a saved, unchanged, complete draft can be approved. The
/// confirmation shows the amounts; one idempotency key is used for the whole confirmation, so
/// a retry after a network failure cannot create a second contract.
#[component]
pub(crate) fn ApprovePanel(
    deal_id: Signal<Option<String>>,
    dirty: Signal<bool>,
    checklist: Signal<Option<Result<Vec<ChecklistItem>, ApiError>>>,
    approved: RwSignal<Option<Deal>>,
    saved_totals: Signal<Option<(Option<api::Money>, Option<api::Money>)>>,
) -> impl IntoView {
    let can_approve = session::can("DEAL_APPROVE");
    let idempotency_key = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let complete = Signal::derive(move || {
        checklist.with(|c| matches!(c, Some(Ok(items)) if !items.is_empty() && items.iter().all(|i| i.complete)))
    });
    // A VP Finance may approve over the customer's credit limit (raising it); others may not.
    let can_exceed_limit = session::can("CREDIT_LIMIT_APPROVE");
    let over_limit_confirmed = RwSignal::new(false);
    // The saved draft's credit check, read again whenever the saved deal changes.
    let credit = LocalResource::new(move || {
        let id = deal_id.get();
        let saved = !dirty.get();
        let ready = complete.get();
        async move {
            match id {
                Some(id) if saved && ready => api::deal_credit_check(id).await,
                _ => Ok(None),
            }
        }
    });
    let credit_check = move || credit.get().and_then(Result::ok).flatten();
    let blocker = Signal::derive(move || {
        if deal_id.with(Option::is_none) {
            Some("Save the draft first.".to_string())
        } else if dirty.get() {
            Some("Save your changes first; approval uses the saved deal.".to_string())
        } else if !complete.get() {
            Some("Complete every checklist item first.".to_string())
        } else {
            match credit.get() {
                // Approve waits for the check, so nobody confirms what the server will refuse.
                None => Some("Checking the customer's credit limit…".to_string()),
                Some(Ok(Some(check))) if check.needs_vp_finance && !can_exceed_limit.get() => Some(format!(
                    "{} Only a VP Finance can approve a deal over the credit limit.{}",
                    check.explanation,
                    check.deposit.map_or_else(String::new, |deposit| format!(
                        " Or take a deposit, as its credit policy allows: a payment of {} recorded as customer credit brings the deal within the limit.",
                        deposit.display()
                    )),
                )),
                _ => None,
            }
        }
    });
    let needs_override = move || {
        credit_check().is_some_and(|check| check.needs_vp_finance) && can_exceed_limit.get()
    };
    let shown = move |money: Option<api::Money>| {
        money.map_or_else(
            || "—".to_string(),
            |m| format::money(&m.amount, &m.currency),
        )
    };
    let tcv = move || shown(saved_totals.get().and_then(|(tcv, _)| tcv));
    let arr = move || shown(saved_totals.get().and_then(|(_, arr)| arr));
    let confirm = move |_| {
        let (Some(id), Some(key)) = (deal_id.get_untracked(), idempotency_key.get_untracked())
        else {
            return;
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::deal_approve(id, key, over_limit_confirmed.get_untracked()).await;
            pending.set(false);
            match result {
                Ok(payload) => {
                    let mut deal = payload.deal;
                    deal.contract = Some(payload.contract);
                    approved.set(Some(deal));
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    view! {
        <Show when=move || can_approve.get()>
            <section class="panel approve-panel">
                <h2>"Approve for billing"</h2>
                <Show
                    when=move || idempotency_key.with(Option::is_some)
                    fallback=move || view! {
                        <button
                            class="button button-primary button-block"
                            type="button"
                            data-test="approve-deal"
                            disabled=move || blocker.get().is_some()
                            on:click=move |_| idempotency_key.set(Some(new_idempotency_key()))
                        >
                            "Approve for billing"
                        </button>
                        {move || blocker.get().map(|reason| view! { <p class="hint" data-test="approve-blocker">{reason}</p> })}
                    }
                >
                    <div class="confirm" role="alertdialog" aria-label="Confirm approval">
                        <p>"Approve this deal and create its contract?"</p>
                        <dl class="facts compact">
                            <dt>"TCV"</dt><dd class="num">{tcv}</dd>
                            <dt>"ARR"</dt><dd class="num">{arr}</dd>
                        </dl>
                        {move || credit_check().map(|check| view! {
                            <p
                                class=if check.needs_vp_finance { "alert alert-warning" } else { "explanation" }
                                data-test="approve-credit-check"
                            >
                                {check.explanation.clone()}
                            </p>
                        })}
                        {move || needs_override().then(|| {
                            let raised = credit_check().map(|check| check.after.display()).unwrap_or_default();
                            view! {
                                <label class="checkbox">
                                    <input
                                        type="checkbox"
                                        data-test="approve-over-limit"
                                        prop:checked=move || over_limit_confirmed.get()
                                        on:change=move |event| over_limit_confirmed.set(event_target_checked(&event))
                                    />
                                    {format!(" Approve over the credit limit; the limit becomes {raised}.")}
                                </label>
                            }
                        })}
                        {move || error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e.summary()}</p> })}
                        <div class="button-row">
                            <button
                                class="button button-primary"
                                type="button"
                                data-test="confirm-approve"
                                disabled=move || pending.get() || (needs_override() && !over_limit_confirmed.get())
                                on:click=confirm
                            >
                                {move || if pending.get() { "Approving…" } else { "Confirm approval" }}
                            </button>
                            <button class="button" type="button" disabled=move || pending.get() on:click=move |_| { error.set(None); over_limit_confirmed.set(false); idempotency_key.set(None); }>
                                "Cancel"
                            </button>
                        </div>
                    </div>
                </Show>
            </section>
        </Show>
    }
}
