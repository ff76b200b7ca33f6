//! Deal amendments at `/integrations/amendments`: changes a CRM sent for deals already approved,
//! each with its deal and every field before → after. VP RevOps accepts (the contract is changed
//! through a contract change) or rejects, with a note, after confirming; focus then moves to the
//! next amendment waiting, or to what happened when none is left.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_query_map;

use crate::{
    api::{self, AmendmentChange, ApiError, DealAmendment, DealSummary},
    app::RequirePermission,
    components::{
        field::{focus_first, TextAreaField},
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format,
    routes::href_with_query,
    session,
};

#[component]
pub fn AmendmentsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="INTAKE_READ">
            <Amendments />
        </RequirePermission>
    }
}

/// An amendment with the deal it concerns (when the deal could be read).
#[derive(Clone)]
struct Listed {
    amendment: DealAmendment,
    deal: Option<DealSummary>,
}

async fn load(pending_only: bool) -> Result<Vec<Listed>, ApiError> {
    let amendments = api::deal_amendments(pending_only).await?;
    let mut ids: Vec<String> = amendments.iter().map(|a| a.deal_id.clone()).collect();
    ids.sort();
    ids.dedup();
    // The deals only name what the amendment is about; without them the list still works.
    let deals = api::deal_summaries(ids).await.unwrap_or_default();
    Ok(amendments
        .into_iter()
        .map(|amendment| Listed {
            deal: deals.iter().find(|d| d.id == amendment.deal_id).cloned(),
            amendment,
        })
        .collect())
}

#[component]
fn Amendments() -> impl IntoView {
    let query = use_query_map();
    let show_all = Memo::new(move |_| query.with(|q| q.get("show")).as_deref() == Some("all"));
    let notice = RwSignal::new(None::<String>);
    // Where the resolved amendment stood, so focus can go to the one that takes its place.
    let focus_at = RwSignal::new(None::<usize>);
    let list = LocalResource::new(move || load(!show_all.get()));
    let on_resolved = Callback::new(move |(position, message): (usize, String)| {
        notice.set(Some(message));
        focus_at.set(Some(position));
        list.refetch();
    });
    view! {
        <div class="page">
            <p class="breadcrumb"><a href="/integrations">"Integrations"</a></p>
            <header class="page-header">
                <div>
                    <h1>"Deal amendments"</h1>
                    <p class="muted">"Changes a CRM sent for deals already approved for billing. revops never edits an approved deal on its own: accept to change the contract through a contract change, or reject to keep it as approved."</p>
                </div>
            </header>
            <div class="toolbar">
                <div class="segmented" role="group" aria-label="Which amendments">
                    <a class="segment" class:selected=move || !show_all.get() aria-current=move || (!show_all.get()).then_some("page") href="/integrations/amendments">"Pending"</a>
                    <a class="segment" class:selected=move || show_all.get() aria-current=move || show_all.get().then_some("page") href=href_with_query("/integrations/amendments", &[("show", Some("all".into()))])>"All"</a>
                </div>
            </div>
            {move || notice.get().map(|message| view! { <div class="alert alert-success" role="status" tabindex="-1" id="amendment-notice" data-test="amendment-notice">{message}</div> })}
            {move || match list.get() {
                None => view! { <LoadingRows columns=4 rows=3 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| list.refetch()) /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => {
                    move_focus(focus_at, 0);
                    view! {
                        <EmptyState title="No amendment waiting" hint="When a CRM changes a deal that is already approved, the change waits here for your decision. Nothing to do until then; the inbox shows every notification.">
                            <a class="button" href="/integrations/inbox">"Open the inbox"</a>
                        </EmptyState>
                    }.into_any()
                }
                Some(Ok(rows)) => {
                    move_focus(focus_at, rows.len());
                    view! {
                        <div class="approval-list" data-test="amendment-list">
                            {rows.into_iter().enumerate().map(|(position, listed)| view! { <AmendmentCard position=position listed=listed on_resolved=on_resolved /> }).collect_view()}
                        </div>
                    }.into_any()
                }
            }}
        </div>
    }
}

/// After a decision the list reloads; the keyboard goes to the first action of the amendment now
/// at the resolved one's place (or the last), or to the notice when none is left.
fn move_focus(resolved_at: RwSignal<Option<usize>>, remaining: usize) {
    // Taken once: a later reload (the "All" filter) leaves focus where the person put it.
    let Some(position) = resolved_at.try_update_untracked(Option::take).flatten() else {
        return;
    };
    let next = (remaining > 0).then(|| {
        format!(
            "[data-test=amendment][data-position=\"{}\"] [data-action=accept]",
            position.min(remaining - 1)
        )
    });
    focus_first(
        next.into_iter()
            .chain(["#amendment-notice".to_string()])
            .collect(),
    );
}

/// The deal's name as a person knows it: customer — product, else the CRM opportunity.
fn deal_title(listed: &Listed) -> String {
    match &listed.deal {
        Some(deal) => {
            let product = deal
                .product_name
                .clone()
                .unwrap_or_else(|| deal.crm_opportunity_id.clone());
            match &deal.customer {
                Some(customer) => format!("{} — {product}", customer.legal_name),
                None => product,
            }
        }
        None => format!("Deal #{}", listed.amendment.deal_id),
    }
}

/// A changed field's name in words.
pub fn change_label(field: &str) -> String {
    match field {
        "tcv" => "Total contract value (TCV)".to_string(),
        "arr" => "Annual recurring revenue (ARR)".to_string(),
        "assignedAeId" => "Account executive".to_string(),
        other => format::field_label(other),
    }
}

/// A value as the server wrote it (`Some("Analytics Suite")`, `Some(MoneyInput { amount: "1.00",
/// currency: "USD" })`, `Some(IsoDate(2026-12-01))`, `None`) in the app's own formats.
pub fn change_value(raw: &str) -> String {
    let value = raw.trim();
    if value == "None" || value.is_empty() {
        return "—".to_string();
    }
    let value = value
        .strip_prefix("Some(")
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or(value);
    if let Some(date) = value
        .strip_prefix("IsoDate(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        return format::date(date);
    }
    if let Some(id) = value
        .strip_prefix("ID(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        return format!("User #{}", id.trim_matches('"'));
    }
    if value.starts_with("MoneyInput {") {
        let part = |key: &str| {
            value
                .split(&format!("{key}: \""))
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .map(str::to_string)
        };
        if let (Some(amount), Some(currency)) = (part("amount"), part("currency")) {
            return format::money(&amount, &currency);
        }
    }
    match value
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        Some(text) => text.to_string(),
        None => format::enum_label(value),
    }
}

#[component]
fn AmendmentCard(
    position: usize,
    listed: Listed,
    on_resolved: Callback<(usize, String)>,
) -> impl IntoView {
    let can_review = session::can("INTAKE_REVIEW");
    let deciding = RwSignal::new(None::<bool>);
    let title = deal_title(&listed);
    let amendment = listed.amendment.clone();
    let pending = amendment.status == "pending";
    let (tone, status) = match amendment.status.as_str() {
        "pending" => (Tone::Warning, "Pending"),
        "accepted" => (Tone::Good, "Accepted"),
        _ => (Tone::Neutral, "Rejected"),
    };
    let stored = StoredValue::new(listed.clone());
    view! {
        <article class="panel" data-test="amendment" data-position=position data-amendment-id=amendment.id.clone()>
            <div class="approval-header">
                <h2><a href=format!("/deals/{}", amendment.deal_id)>{title}</a></h2>
                <p class="small muted">{format!("Received {} · amendment #{} · inbox event #{}", format::date_time(&amendment.created_at), amendment.id, amendment.intake_event_id)}</p>
                <Badge tone=tone label=status />
            </div>
            <ChangeTable changes=amendment.changes.clone() />
            {amendment.resolution_note.clone().map(|note| view! {
                <p class="reason"><span class="label">"Note: "</span>{note}{amendment.resolved_at.as_deref().map(|at| format!(" ({})", format::date_time(at)))}</p>
            })}
            <Show when=move || pending && can_review.get() && deciding.get().is_none()>
                <div class="button-row">
                    <button class="button button-primary" type="button" data-action="accept" on:click=move |_| deciding.set(Some(true))>"Accept…"</button>
                    <button class="button" type="button" data-action="reject" on:click=move |_| deciding.set(Some(false))>"Reject…"</button>
                </div>
            </Show>
            {move || deciding.get().map(|accept| view! {
                <DecisionConfirm listed=stored.get_value() accept=accept
                    on_done=Callback::new(move |message: String| on_resolved.run((position, message)))
                    on_cancel=Callback::new(move |()| deciding.set(None)) />
            })}
        </article>
    }
}

#[component]
fn ChangeTable(changes: Vec<AmendmentChange>) -> impl IntoView {
    view! {
        <table class="table compact" data-test="amendment-changes">
            <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
            <tbody>
                {changes.into_iter().map(|change| view! {
                    <tr>
                        <td>{change_label(&change.field)}</td>
                        <td class="change-value">{change_value(&change.from)}</td>
                        <td class="change-value"><strong>{change_value(&change.to)}</strong></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn DecisionConfirm(
    listed: Listed,
    accept: bool,
    on_done: Callback<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let title = deal_title(&listed);
    let id = StoredValue::new(listed.amendment.id.clone());
    let done_title = title.clone();
    let decide = move |_| {
        pending.set(true);
        let title = done_title.clone();
        spawn_local(async move {
            let result =
                api::deal_amendment_resolve(id.get_value(), accept, note.get_untracked()).await;
            pending.try_set(false);
            match result {
                Ok(amendment) => on_done.run(format!(
                    "Amendment #{} for {title} {}.",
                    amendment.id,
                    if accept {
                        "accepted: raise the contract change it describes"
                    } else {
                        "rejected: the deal stays as approved"
                    }
                )),
                Err(error) => {
                    errors.try_set(Some(error));
                    crate::components::field::focus_first_invalid();
                }
            }
        });
    };
    let question = if accept {
        format!("Accept these {} change(s) to {title}? The contract is to be changed to match through a contract change.", listed.amendment.changes.len())
    } else {
        format!("Reject these {} change(s) to {title}? The deal stays as approved; the CRM's values are not used.", listed.amendment.changes.len())
    };
    view! {
        <div class="confirm approval-decision" role="alertdialog" aria-label="Confirm the decision on the amendment" data-test="amendment-confirm">
            <p>{question}</p>
            <TextAreaField label="Note" name="note" value=note errors=errors.into() required=true id_suffix=listed.amendment.id.clone()
                hint="Why, in a sentence; kept with the amendment and in the audit log." />
            <ActionError error=errors.into() inline_fields=&["note"] />
            <div class="button-row">
                <button class=if accept { "button button-primary" } else { "button button-danger" } type="button" data-action="confirm-decision" disabled=move || pending.get() on:click=decide>
                    {move || match (pending.get(), accept) {
                        (true, _) => "Saving…",
                        (false, true) => "Accept amendment",
                        (false, false) => "Reject amendment",
                    }}
                </button>
                <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Back"</button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server's before/after texts read as the app writes values elsewhere.
    #[test]
    fn changed_values_read_in_the_apps_formats() {
        assert_eq!(change_value("None"), "—");
        assert_eq!(change_value("Some(\"Analytics Suite\")"), "Analytics Suite");
        assert_eq!(
            change_value("Some(Quarterly)"),
            format::enum_label("Quarterly")
        );
        assert_eq!(
            change_value("Some(IsoDate(2026-12-01))"),
            format::date("2026-12-01")
        );
        assert_eq!(
            change_value("Some(MoneyInput { amount: \"400000.00\", currency: \"USD\" })"),
            format::money("400000.00", "USD")
        );
    }

    /// Field names of a change read as words, amounts with their abbreviation.
    #[test]
    fn amounts_have_their_names() {
        assert_eq!(change_label("tcv"), "Total contract value (TCV)");
        assert_eq!(change_label("billingFrequency"), "Billing frequency");
    }
}
