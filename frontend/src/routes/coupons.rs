//! Coupons (`/settings/coupons`): the codes that give a deal's subscription line a recurring
//! discount, with what is left of each (redeemed of its limit, its expiry). Whoever enters
//! deals reads the list, to know which codes are live; whoever sets billing up (CFO, VP Finance,
//! admin) creates and archives them. A coupon is redeemed when the deal it is on is approved; an
//! archived one takes no new redemptions.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ApiError, Coupon, CouponDraft},
    app::RequirePermission,
    components::{
        field::{SelectField, TextField},
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
    },
    format, session,
};

#[component]
pub fn CouponsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="DEAL_READ">
            <Coupons />
        </RequirePermission>
    }
}

#[component]
fn Coupons() -> impl IntoView {
    let can_setup = session::can("BILLING_SETUP");
    let coupons = LocalResource::new(api::coupons);
    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Coupons"</h1>
                    <p class="muted">"Codes that take a percent or an amount off each period of a subscription line, for some periods or all. Put a code on a deal's line (Discount → Coupon code); it is redeemed when the deal is approved, and the invoices show it as a line of its own."</p>
                </div>
            </header>
            <section class="section" data-test="coupons">
                {move || match coupons.get() {
                    None => view! { <LoadingRows columns=5 rows=3 /> }.into_any(),
                    Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| coupons.refetch()) /> }.into_any(),
                    Some(Ok(rows)) if rows.is_empty() => view! {
                        <EmptyState title="No coupons yet" hint="A coupon gives every deal that carries its code the same discount, up to a number of redemptions and until a date." />
                    }.into_any(),
                    Some(Ok(rows)) => view! {
                        <CouponTable rows=rows can_archive=can_setup on_archived=Callback::new(move |()| coupons.refetch()) />
                    }.into_any(),
                }}
            </section>
            <Show when=move || can_setup.get()>
                <CouponForm on_created=Callback::new(move |()| coupons.refetch()) />
            </Show>
        </div>
    }
}

#[component]
fn CouponTable(
    rows: Vec<Coupon>,
    can_archive: Signal<bool>,
    on_archived: Callback<()>,
) -> impl IntoView {
    let pending = RwSignal::new(None::<String>);
    let failed = RwSignal::new(None::<ApiError>);
    let archive = move |code: String| {
        pending.set(Some(code.clone()));
        failed.set(None);
        spawn_local(async move {
            let result = api::coupon_archive(code).await;
            pending.set(None);
            match result {
                Ok(_) => on_archived.run(()),
                Err(error) => failed.set(Some(error)),
            }
        });
    };
    view! {
        <ActionError error=failed.into() inline_fields=&[] />
        <div class="table-scroll">
            <table class="table compact" data-test="coupon-table">
                <thead>
                    <tr>
                        <th scope="col">"Code"</th>
                        <th scope="col">"Invoice label"</th>
                        <th scope="col">"Gives"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col" class="num">"Redeemed"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let redeemed = match row.redemption_limit {
                            Some(limit) => format!("{} of {limit}", row.redeemed),
                            None => format!("{} (no limit)", row.redeemed),
                        };
                        let status = row.unusable_reason.clone();
                        let archived = row.archived_at.is_some();
                        let code = row.code.clone();
                        let label = format!("Archive {}", row.code);
                        view! {
                            <tr data-code=row.code.clone()>
                                <th scope="row" class="mono">{row.code.clone()}</th>
                                <td>{row.label.clone()}</td>
                                <td>{row.description.clone()}</td>
                                <td class="nowrap">{row.expires_on.as_deref().map_or_else(|| "—".to_string(), format::date)}</td>
                                <td class="num">{redeemed}</td>
                                <td>
                                    {match status {
                                        Some(reason) => view! { <span class="badge badge-neutral" title=reason.clone() data-test="coupon-unusable">{if archived { "Archived" } else if reason.contains("expired") { "Expired" } else { "Used up" }}</span> }.into_any(),
                                        None => view! { <span class="badge badge-good">"Live"</span> }.into_any(),
                                    }}
                                </td>
                                <td>
                                    <Show when=move || can_archive.get() && !archived>
                                        {
                                            let code = code.clone();
                                            let busy = code.clone();
                                            view! {
                                                <button class="button button-quiet" type="button" data-action="archive-coupon" aria-label=label.clone()
                                                    title="No new redemptions; lines that carry it keep their discount"
                                                    disabled=move || pending.with(|pending| pending.as_deref() == Some(busy.as_str()))
                                                    on:click=move |_| archive(code.clone())>
                                                    "Archive"
                                                </button>
                                            }
                                        }
                                    </Show>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The form for a new coupon; the server's refusals show beside their field.
#[component]
fn CouponForm(on_created: Callback<()>) -> impl IntoView {
    let errors = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let (code, label, mode, value, currency) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new("PERCENT".to_string()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let (periods, expires_on, limit) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let create = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        errors.set(None);
        saved.set(None);
        pending.set(true);
        let draft = CouponDraft {
            code: code.get_untracked(),
            label: label.get_untracked(),
            mode: mode.get_untracked(),
            value: format::amount_input(&value.get_untracked()),
            currency: currency.get_untracked(),
            periods: periods.get_untracked(),
            expires_on: expires_on.get_untracked(),
            redemption_limit: limit.get_untracked(),
        };
        spawn_local(async move {
            let result = api::coupon_create(draft).await;
            pending.try_set(false);
            match result {
                Ok(coupon) => {
                    saved.try_set(Some(format!(
                        "Coupon {} created: {}.",
                        coupon.code, coupon.description
                    )));
                    code.try_set(String::new());
                    value.try_set(String::new());
                    on_created.run(());
                }
                Err(error) => {
                    errors.try_set(Some(error));
                }
            }
        });
    };
    let modes = Signal::derive(|| {
        vec![
            ("PERCENT".to_string(), "Percent off each period".to_string()),
            ("AMOUNT".to_string(), "Amount off each period".to_string()),
        ]
    });
    view! {
        <form class="form section" data-test="coupon-form" on:submit=create novalidate=true>
            <h2>"New coupon"</h2>
            <div class="form-row">
                <TextField label="Code" name="code" value=code errors=errors.into() required=true placeholder="SPRING20" hint="Letters, digits, - and _; kept in capitals." />
                <TextField label="Invoice label" name="label" value=label errors=errors.into() required=true placeholder="Spring offer" />
            </div>
            <div class="form-row">
                <SelectField label="Discount" name="mode" value=mode errors=errors.into() options=modes required=true />
                <Show
                    when=move || mode.with(|mode| mode == "AMOUNT")
                    fallback=move || view! {
                        <TextField label="Percent" name="percent" value=value errors=errors.into() required=true numeric=true suffix=Signal::derive(|| "%".to_string()) placeholder="20" />
                    }
                >
                    <TextField label="Amount" name="amount.amount" value=value errors=errors.into() required=true numeric=true placeholder="50.00" />
                    <TextField label="Currency" name="amount.currency" value=currency errors=errors.into() required=true placeholder="USD" hint="The coupon fits lines in this currency." />
                </Show>
                <TextField label="For periods" name="periods" value=periods errors=errors.into() numeric=true placeholder="all" hint="Empty: for as long as the line runs." />
            </div>
            <div class="form-row">
                <TextField label="Expires on" name="expiresOn" kind="date" value=expires_on errors=errors.into() hint="Last day it can be applied or redeemed; empty: no expiry." />
                <TextField label="Redemptions" name="redemptionLimit" value=limit errors=errors.into() numeric=true placeholder="no limit" hint="How many approved deals may use it." />
            </div>
            <ActionError error=errors.into() inline_fields=&["code", "label", "percent", "amount.amount", "amount.currency", "periods", "expiresOn", "redemptionLimit"] />
            {move || saved.get().map(|text| view! { <p class="alert alert-success" role="status" data-test="coupon-saved">{text}</p> })}
            <div class="button-row">
                <button class="button button-primary" type="submit" data-action="create-coupon" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Create coupon" }}
                </button>
            </div>
        </form>
    }
}
