//! One connector at `/integrations/:id`: its settings and state (pause and resume, asked first),
//! its field mapping (editable by administrators) and its inbox with replay.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_params_map;

use crate::{
    api::{self, ApiError, IntakeConnector},
    app::RequirePermission,
    components::{
        intake_inbox::Inbox,
        mapping_editor::MappingEditor,
        states::{ActionError, ErrorPanel, LoadingPanel},
        status::ConnectorStatusBadge,
    },
    format,
    routes::integrations::{kind_label, page_origin, EventCounts},
    session,
};

#[component]
pub fn IntegrationDetailPage() -> impl IntoView {
    view! {
        <RequirePermission permission="INTAKE_READ">
            <ConnectorView />
        </RequirePermission>
    }
}

#[component]
fn ConnectorView() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let loaded = LocalResource::new(move || api::intake_connector(id.get()));
    view! {
        <div class="page">
            <p class="breadcrumb"><a href="/integrations">"Integrations"</a></p>
            {move || match loaded.get() {
                None => view! { <h1>"Connector"</h1><LoadingPanel label="Loading the connector…" /> }.into_any(),
                Some(Err(error)) => view! { <h1>"Connector"</h1><ErrorPanel error=error retry=Callback::new(move |()| loaded.refetch()) /> }.into_any(),
                Some(Ok(connector)) => view! { <ConnectorBody connector=connector /> }.into_any(),
            }}
        </div>
    }
}

/// The loaded connector; saves replace it here so the page shows what the server now holds.
#[component]
fn ConnectorBody(connector: IntakeConnector) -> impl IntoView {
    let can_admin = session::can("USER_ADMIN");
    let name = connector.name.clone();
    let current = RwSignal::new(connector.clone());
    let changed = RwSignal::new(0_u32);
    let on_saved = Callback::new(move |saved: IntakeConnector| current.set(saved));
    let hint = format!(
        "Nothing has arrived through {name} yet. Paste the endpoint URL above into {} and send a test: it appears here first, then as a draft deal.",
        kind_label(&connector.kind)
    );
    view! {
        <header class="page-header">
            <div>
                <h1>{name.clone()}</h1>
                <p class="muted">{format!("{} connector, created {}", kind_label(&connector.kind), format::date(&connector.created_at))}</p>
            </div>
        </header>
        <Settings current=current changed=changed />
        {move || view! { <MappingEditor connector=current.get_untracked() editable=can_admin.get() on_saved=on_saved /> }}
        <Inbox connector=Some(name) changed=changed empty_hint=hint />
    }
}

#[component]
fn Settings(current: RwSignal<IntakeConnector>, changed: RwSignal<u32>) -> impl IntoView {
    let can_admin = session::can("USER_ADMIN");
    let confirming = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let on_done = Callback::new(move |connector: IntakeConnector| {
        confirming.set(false);
        notice.set(Some(if connector.paused {
            format!(
                "{} is paused: the CRM is told to try again later, and nothing it sends is lost.",
                connector.name
            )
        } else {
            format!(
                "{} is receiving again; the CRM's retries arrive in the inbox.",
                connector.name
            )
        }));
        current.set(connector);
    });
    let connector = move || current.get();
    view! {
        <section class="section" data-test="connector-settings">
            <h2>"Settings"</h2>
            {move || notice.get().map(|message| view! { <div class="alert alert-success" role="status" data-test="connector-notice">{message}</div> })}
            <dl class="facts">
                <dt>"Status"</dt>
                <dd data-test="connector-status">{move || view! { <ConnectorStatusBadge paused=connector().paused /> }}</dd>
                <dt>"Endpoint URL"</dt>
                <dd class="endpoint">{move || format!("{}{}", page_origin(), connector().endpoint_path())}</dd>
                {move || connector().organization_id.map(|org| view! { <dt>"Salesforce organization id"</dt><dd class="mono">{org}</dd> })}
                {move || connector().api_base_url.map(|url| view! { <dt>"HubSpot API address"</dt><dd class="mono">{url}</dd> })}
                <dt>"Acts as"</dt>
                <dd>{move || format!("Service account #{}", connector().service_account_id)}</dd>
                <dt>"Last event"</dt>
                <dd>{move || connector().last_event_at.as_deref().map(format::date_time).unwrap_or_else(|| "Never".into())}</dd>
                <dt>"Events"</dt>
                <dd>{move || view! { <EventCounts connector=connector().name changed=changed /> }}</dd>
            </dl>
            <Show when=move || can_admin.get() && !confirming.get()>
                <div class="button-row">
                    <button class="button" type="button" data-action="toggle-pause" on:click=move |_| { notice.set(None); confirming.set(true); }>
                        {move || if current.with(|c| c.paused) { "Resume…" } else { "Pause…" }}
                    </button>
                </div>
            </Show>
            {move || confirming.get().then(|| view! { <PauseConfirm connector=current.get_untracked() on_done=on_done on_cancel=Callback::new(move |()| confirming.set(false)) /> })}
        </section>
    }
}

#[component]
fn PauseConfirm(
    connector: IntakeConnector,
    on_done: Callback<IntakeConnector>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let pause = !connector.paused;
    let id = StoredValue::new(connector.id.clone());
    let apply = move |_| {
        pending.set(true);
        spawn_local(async move {
            let result = api::intake_connector_update(id.get_value(), Some(pause), None).await;
            pending.try_set(false);
            match result {
                Ok(connector) => on_done.run(connector),
                Err(error) => {
                    errors.try_set(Some(error));
                }
            }
        });
    };
    let question = if pause {
        format!("Pause {}? Its CRM gets “try again later” (HTTP 503) and keeps retrying; nothing is stored or lost until you resume.", connector.name)
    } else {
        format!(
            "Resume {}? Notifications are accepted again, including the CRM's pending retries.",
            connector.name
        )
    };
    let button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = button.get() {
            let _ = button.focus();
        }
    });
    view! {
        <div class="confirm" role="alertdialog" aria-label="Confirm the connector's new state" data-test="pause-confirm">
            <p>{question}</p>
            <ActionError error=errors.into() />
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="confirm-pause" node_ref=button disabled=move || pending.get() on:click=apply>
                    {move || match (pause, pending.get()) {
                        (_, true) => "Saving…",
                        (true, false) => "Pause connector",
                        (false, false) => "Resume connector",
                    }}
                </button>
                <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Back"</button>
            </div>
        </div>
    }
}
