//! A deal shown read-only: approved deals with their contract, lines and purchase orders, and
//! drafts for readers who may not edit them; with how its commission is split between reps.

use leptos::prelude::*;

use crate::{
    api::{Contract, Deal},
    components::{
        checklist::Checklist,
        money::{Amount, MoneyCell},
        status::DealStatusBadge,
    },
    format,
    routes::{
        contract_documents::ContractDocuments, contract_schedule::ContractBillingSchedule,
        deal_form::ApprovePanel, deal_splits::DealSplitSection,
        revenue_schedule::RevenueScheduleLink,
    },
};

fn or_dash(value: Option<String>) -> String {
    value
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "—".to_string())
}

#[component]
pub fn DealReadOnly(
    deal: Deal,
    /// True right after this user approved it: then the page says what just happened.
    #[prop(default = false)]
    just_approved: bool,
    /// For a draft shown to someone who may approve but not edit it (a CFO, a VP Finance): the
    /// approval panel beside the checklist sets the approved deal here.
    #[prop(optional)]
    approval: Option<RwSignal<Option<Deal>>>,
) -> impl IntoView {
    let is_approved = deal.status == "APPROVED";
    let contract = deal.contract.clone();
    let checklist = deal.checklist.clone();
    let approve_panel = approval.filter(|_| !is_approved).map(|approved| {
        let id = deal.id.clone();
        let items = deal.checklist.clone();
        let totals = (deal.tcv.clone(), deal.arr.clone());
        view! {
            <ApprovePanel
                deal_id=Signal::derive(move || Some(id.clone()))
                dirty=Signal::derive(|| false)
                checklist=Signal::derive(move || Some(Ok(items.clone())))
                approved=approved
                saved_totals=Signal::derive(move || Some(totals.clone()))
            />
        }
    });
    view! {
        <header class="page-header">
            <div>
                <h1>{format!("Deal {}", deal.crm_opportunity_id)}</h1>
                <p class="muted">
                    {match (&deal.approved_by, &deal.approved_at) {
                        (Some(by), Some(at)) => format!("Approved for billing by {} on {}", by.name, format::date(at)),
                        _ => format!("Created {}", format::date(&deal.created_at)),
                    }}
                </p>
            </div>
            <DealStatusBadge status=deal.status.clone() complete=deal.is_complete />
        </header>
        {contract.map(|contract| {
            let contract_id = contract.id.clone();
            let proration = contract
                .lines
                .iter()
                .find_map(|line| line.proration.clone())
                .unwrap_or_else(|| "ACTUAL_DAYS".into());
            let billing_day = contract.billing_day;
            let subscriptions: Vec<(String, String, bool)> = contract
                .lines
                .iter()
                .filter(|line| line.kind == "SUBSCRIPTION" && line.billing_frequency.is_some())
                .map(|line| (line.id.clone(), line.product_name.clone(), line.billed_in_arrears))
                .collect();
            view! {
                <ContractView contract=contract just_approved=just_approved />
                <ContractBillingSchedule contract_id=contract_id proration=proration billing_day=billing_day subscriptions=subscriptions />
            }
        })}
        <div class=if is_approved { "single" } else { "grid-2" }>
            <DealFacts deal=deal.clone() />
            {(!is_approved).then(|| view! {
                <div>
                    {approve_panel}
                    <Checklist checklist=Signal::derive(move || Some(Ok(checklist.clone()))) />
                </div>
            })}
        </div>
        <div class="single">
            <DealSplitSection deal_id=deal.id.clone() />
        </div>
    }
}

#[component]
fn DealFacts(deal: Deal) -> impl IntoView {
    let contact = deal.billing_contact.as_ref().map(|c| {
        format!(
            "{} <{}>{}",
            c.name,
            c.email,
            c.phone
                .as_deref()
                .map(|p| format!(", {p}"))
                .unwrap_or_default()
        )
    });
    let milestones = deal.milestones.clone();
    let lines = deal.lines.clone();
    view! {
        <section class="panel">
            <h2>"Deal"</h2>
            <dl class="facts">
                <dt>"Customer"</dt>
                <dd>{match deal.customer.clone() {
                    Some(c) => view! { <a href=format!("/customers/{}", c.id)>{c.legal_name}</a> }.into_any(),
                    None => "—".into_any(),
                }}</dd>
                <dt>"Invoiced legal entity"</dt><dd>{or_dash(deal.invoiced_legal_entity.clone())}</dd>
                <dt>"Billing contact"</dt><dd>{or_dash(contact)}</dd>
                <dt>"Product"</dt><dd>{or_dash(deal.product_name.clone())}</dd>
                <dt>"TCV"</dt><dd>{or_dash(deal.tcv.as_ref().map(|m| m.display()))}</dd>
                <dt>"ARR"</dt><dd>{or_dash(deal.arr.as_ref().map(|m| m.display()))}</dd>
                <dt>"Term"</dt>
                <dd>{format!(
                    "{} – {}",
                    deal.start_date.as_deref().map(format::date).unwrap_or_else(|| "—".into()),
                    deal.end_date.as_deref().map(format::date).unwrap_or_else(|| "—".into()),
                )}</dd>
                <dt>"Billing frequency"</dt><dd>{or_dash(deal.billing_frequency.as_deref().map(format::enum_label))}</dd>
                <dt>"Payment terms"</dt><dd>{or_dash(deal.payment_terms.as_deref().map(format::enum_label))}</dd>
                <dt>"Revenue recognition"</dt><dd>{or_dash(deal.revenue_recognition_type.as_deref().map(format::enum_label))}</dd>
                <dt>"Purchase order"</dt>
                <dd>{if deal.po_required { or_dash(deal.po_number.clone()) } else { "Not required".to_string() }}</dd>
                <dt>"Tax"</dt>
                <dd>{format!(
                    "{}{}",
                    or_dash(deal.tax_jurisdiction.clone()),
                    if deal.tax_exempt { format!(" · exempt ({})", or_dash(deal.tax_exemption_certificate.clone())) } else { String::new() }
                )}</dd>
                <dt>"Account executive"</dt><dd>{or_dash(deal.assigned_ae.as_ref().map(|u| u.name.clone()))}</dd>
                <dt>"Commission plan"</dt><dd>{or_dash(deal.commission_plan_id.clone())}</dd>
            </dl>
            {(!lines.is_empty()).then(|| view! {
                <h3>"Lines"</h3>
                <p class="hint">"The product, TCV and ARR above are computed from these lines."</p>
                <table class="table compact" data-test="deal-lines-view">
                    <thead><tr>
                        <th scope="col">"Product"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col" class="num">"Quantity"</th>
                        <th scope="col" class="num">"Unit price"</th>
                        <th scope="col">"Billing"</th>
                        <th scope="col">"Dates"</th>
                    </tr></thead>
                    <tbody>
                        {lines.into_iter().map(|line| view! {
                            <tr>
                                <td>{line.product_name}{line.reference.map(|r| view! { <span class="muted">{format!(" · CRM {r}")}</span> })}</td>
                                <td>{line.kind.as_deref().map(format::enum_label).unwrap_or_else(|| "Not chosen yet".into())}</td>
                                <td class="num">{line.quantity}</td>
                                <MoneyCell money=Some(line.unit_price) />
                                <td>{or_dash(line.billing_frequency.as_deref().map(format::enum_label))}</td>
                                <td class="nowrap">{match (line.start_date, line.end_date) {
                                    (None, None) => "The deal's term".to_string(),
                                    (start, end) => format!(
                                        "{} – {}",
                                        start.as_deref().map(format::date).unwrap_or_else(|| "deal start".into()),
                                        end.as_deref().map(format::date).unwrap_or_else(|| "deal end".into()),
                                    ),
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {(!milestones.is_empty()).then(|| view! {
                <h3>"Milestones"</h3>
                <table class="table compact">
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Due"</th><th scope="col" class="num">"Amount"</th></tr></thead>
                    <tbody>
                        {milestones.into_iter().map(|m| view! {
                            <tr>
                                <td>{m.name}</td>
                                <td>{m.due_date.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</td>
                                <MoneyCell money=Some(m.amount) />
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

#[component]
fn ContractView(contract: Contract, just_approved: bool) -> impl IntoView {
    let brought_over = contract.brought_over_on.clone();
    let documents = contract.documents.clone();
    let contract_id = contract.id.clone();
    view! {
        <section class="panel contract" data-test="contract">
            {just_approved.then(|| view! {
                <div class="alert alert-success" role="status" data-test="approved-notice">
                    {format!(
                        "Approved for billing. Contract {} created with {} line(s) and {} purchase order(s).",
                        contract.contract_number,
                        contract.lines.len(),
                        contract.purchase_orders.len(),
                    )}
                </div>
            })}
            <h2>{format!("Contract {}", contract.contract_number)}</h2>
            <dl class="facts inline">
                <dt>"Term"</dt><dd>{format!("{} – {}", format::date(&contract.start_date), format::date(&contract.end_date))}</dd>
                <dt>"TCV"</dt><dd><Amount money=contract.tcv.clone() /></dd>
                <dt>"ARR"</dt><dd><Amount money=contract.arr.clone() /></dd>
            </dl>
            {brought_over.clone().map(|day| view! {
                <p class="alert alert-neutral" data-test="brought-over">
                    {format!(
                        "Brought over from the old system as of {}. Billing resumes after each line's last invoiced day; revenue before the cut-over was recognised there.",
                        format::date(&day)
                    )}
                </p>
            })}
            <RevenueScheduleLink contract_id=contract.id.clone() />
            <h3>"Lines"</h3>
            <table class="table compact">
                <thead>
                    <tr>
                        <th scope="col">"Product"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col" class="num">"Quantity"</th>
                        <th scope="col" class="num">"Unit price"</th>
                        <th scope="col">"Billing"</th>
                        <th scope="col">"Period"</th>
                        {brought_over.is_some().then(|| view! { <th scope="col">"Old system invoiced through"</th> })}
                    </tr>
                </thead>
                <tbody>
                    {contract.lines.iter().cloned().map(|line| {
                        // A plan change's new line names the one it took over from.
                        let replaced = line.replaces_line_id.as_ref().and_then(|id| {
                            contract.lines.iter().find(|other| &other.id == id).map(|old| old.product_name.clone())
                        });
                        view! {
                        <tr>
                            <td>
                                {line.product_name}
                                {line.discount.map(|discount| view! { <p class="hint" data-test="line-discount">{discount.description}</p> })}
                                {line.trial_from.map(|from| view! { <p class="hint" data-test="line-trial">{format!("Free trial from {}; paid from {}", format::date(&from), format::date(&line.start_date))}</p> })}
                                {replaced.map(|old| view! { <p class="hint" data-test="line-replaces">{format!("Plan change from {}, from {}", old, format::date(&line.start_date))}</p> })}
                                {line.cancelled_on.map(|day| view! { <p class="hint" data-test="line-stopped">{format!("No service from {}", format::date(&day))}</p> })}
                            </td>
                            <td>{format::enum_label(&line.kind)}</td>
                            <td class="num">{line.quantity}</td>
                            <MoneyCell money=Some(line.unit_price) />
                            <td>
                                {or_dash(line.billing_frequency.as_deref().map(format::enum_label))}
                                {line.billed_in_arrears.then(|| view! { <span class="small muted" data-test="in-arrears">", in arrears"</span> })}
                            </td>
                            <td class="nowrap">{format!("{} – {}", format::date(&line.start_date), format::date(&line.end_date))}</td>
                            {brought_over.is_some().then(|| view! {
                                <td class="nowrap" data-test="billed-through">{or_dash(line.billed_through.as_deref().map(format::date))}</td>
                            })}
                        </tr>
                    }}).collect_view()}
                </tbody>
            </table>
            <crate::routes::contract_activity::LineActivity contract_id=contract.id.clone() lines=contract.lines.clone() />
            <h3>"Purchase orders"</h3>
            {if contract.purchase_orders.is_empty() {
                view! { <p class="muted">"No purchase order on this contract."</p> }.into_any()
            } else {
                view! {
                    <table class="table compact">
                        <thead>
                            <tr><th scope="col">"Number"</th><th scope="col" class="num">"Amount"</th><th scope="col">"Valid"</th></tr>
                        </thead>
                        <tbody>
                            {contract.purchase_orders.into_iter().map(|po| view! {
                                <tr>
                                    <td class="mono">{po.number}</td>
                                    <MoneyCell money=Some(po.amount) />
                                    <td class="nowrap">{format!("{} – {}", format::date(&po.valid_from), format::date(&po.valid_to))}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <ContractDocuments contract_id=contract_id documents=documents />
        </section>
    }
}
