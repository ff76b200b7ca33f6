//! Integrations: the CRM connectors (kind, name, status, last event, events by status, the
//! address to paste into the CRM) with a "New connector" form for administrators, the generic
//! JSON endpoint any script can post to, and the inbox of every notification at
//! `/integrations/inbox`.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_query_map;

use crate::{
    api::{self, ApiError, CreatedConnector, IntakeConnector, ServiceAccount, JSON_CONNECTOR},
    app::RequirePermission,
    components::{
        field::{non_empty, SelectField, TextField},
        intake_inbox::Inbox,
        states::{ActionError, EmptyState, ErrorPanel, LoadingPanel, LoadingRows},
        status::{intake_status_tone, Badge, ConnectorStatusBadge, Tone},
    },
    format, session,
};

/// The address of this revops as the browser reached it, which is what a CRM must call.
pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|window| window.location().origin().ok())
        .unwrap_or_default()
}

/// "Salesforce" / "HubSpot" for a connector kind.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "SALESFORCE" => "Salesforce",
        "HUBSPOT" => "HubSpot",
        _ => "Other",
    }
}

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="INTAKE_READ">
            <Integrations />
        </RequirePermission>
    }
}

#[component]
fn Integrations() -> impl IntoView {
    let can_admin = session::can("USER_ADMIN");
    let changed = RwSignal::new(0_u32);
    let creating = RwSignal::new(false);
    let created = RwSignal::new(None::<CreatedConnector>);
    let on_created = Callback::new(move |connector: CreatedConnector| {
        creating.set(false);
        created.set(Some(connector));
        changed.update(|count| *count += 1);
    });
    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Integrations"</h1>
                    <p class="muted">"CRMs that send closed-won deals to revops. Every notification is kept in an inbox first, then becomes a draft deal, an update of the draft, or an amendment of an approved deal."</p>
                </div>
                <div class="header-actions">
                    <a class="button" href="/integrations/inbox">"Inbox"</a>
                    <a class="button" href="/integrations/amendments">"Amendments"</a>
                    <Show when=move || can_admin.get() && !creating.get()>
                        <button class="button button-primary" type="button" data-action="new-connector" on:click=move |_| { created.set(None); creating.set(true); }>"New connector"</button>
                    </Show>
                </div>
            </header>
            {move || created.get().map(|connector| view! { <NewEndpoint created=connector on_done=Callback::new(move |()| created.set(None)) /> })}
            <Show when=move || creating.get()>
                <CreateForm on_created=on_created on_cancel=Callback::new(move |()| creating.set(false)) />
            </Show>
            <ConnectorList changed=changed />
            <JsonEndpoint changed=changed />
        </div>
    }
}

#[component]
fn ConnectorList(changed: RwSignal<u32>) -> impl IntoView {
    let connectors = LocalResource::new(move || {
        changed.track();
        api::intake_connectors()
    });
    view! {
        <section class="section">
            <h2>"Connectors"</h2>
            {move || match connectors.get() {
                None => view! { <LoadingRows columns=7 rows=2 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| connectors.refetch()) /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <EmptyState title="No connector yet" hint="Create one with “New connector” (a service account with the VP RevOps role first), then paste its URL into Salesforce as an outbound message, or into HubSpot as the webhook target." />
                }.into_any(),
                Some(Ok(list)) => view! { <ConnectorTable rows=list changed=changed /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ConnectorTable(rows: Vec<IntakeConnector>, changed: RwSignal<u32>) -> impl IntoView {
    let origin = page_origin();
    view! {
        <table class="table" data-test="connector-table">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Last event"</th>
                    <th scope="col">"Events"</th>
                    <th scope="col">"Endpoint URL"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|connector| {
                    let endpoint = format!("{origin}{}", connector.endpoint_path());
                    view! {
                        <tr data-connector-id=connector.id.clone()>
                            <td><a href=format!("/integrations/{}", connector.id)>{connector.name.clone()}</a></td>
                            <td>{kind_label(&connector.kind)}</td>
                            <td><ConnectorStatusBadge paused=connector.paused /></td>
                            <td class="nowrap">{connector.last_event_at.as_deref().map(format::date_time).unwrap_or_else(|| "Never".into())}</td>
                            <td><EventCounts connector=connector.name.clone() changed=changed /></td>
                            <td class="endpoint">{endpoint}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A connector's events counted by status; failures first and marked, so they are not missed.
#[component]
pub fn EventCounts(connector: String, changed: RwSignal<u32>) -> impl IntoView {
    let connector = StoredValue::new(connector);
    let counts = LocalResource::new(move || {
        changed.track();
        api::intake_event_counts(connector.get_value())
    });
    move || match counts.get() {
        None => view! { <span class="muted small">"Counting…"</span> }.into_any(),
        Some(Err(error)) => view! { <span class="field-error">{error.summary()}</span> }.into_any(),
        Some(Ok(counts)) if counts.total() == 0 => {
            view! { <span class="muted" data-test="event-counts">"None yet"</span> }.into_any()
        }
        Some(Ok(counts)) => view! {
            <span class="counts" data-test="event-counts">
                {counts.0.iter().filter(|(_, count)| *count > 0).map(|(status, count)| {
                    let (tone, label) = intake_status_tone(status);
                    let tone = if *status == "FAILED" { Tone::Danger } else { tone };
                    view! { <Badge tone=tone label=format!("{label} {}", format::count(*count)) /> }
                }).collect_view()}
            </span>
        }
        .into_any(),
    }
}

/// `POST /api/intake/deals`: the endpoint that needs no connector, with its own counts.
#[component]
fn JsonEndpoint(changed: RwSignal<u32>) -> impl IntoView {
    let url = format!("{}/api/intake/deals", page_origin());
    view! {
        <section class="section" data-test="json-endpoint">
            <h2>"Any CRM or script (JSON)"</h2>
            <p class="muted">"Post a closed-won deal as JSON with a service account's key (VP RevOps role) as the bearer token. The README describes the body."</p>
            <dl class="facts">
                <dt>"Endpoint URL"</dt>
                <dd class="endpoint">{url}</dd>
                <dt>"Events"</dt>
                <dd><EventCounts connector=JSON_CONNECTOR.to_string() changed=changed /></dd>
            </dl>
            <p><a href=format!("/integrations/inbox?connector={JSON_CONNECTOR}") data-action="json-inbox">"Open the JSON inbox"</a></p>
        </section>
    }
}

/// Service accounts a connector can act as: active, with a role that may submit deals.
fn intake_accounts(accounts: Vec<ServiceAccount>) -> Vec<(String, String)> {
    std::iter::once((String::new(), "Choose a service account".to_string()))
        .chain(
            accounts
                .into_iter()
                .filter(|account| {
                    account.is_active() && matches!(account.role.as_str(), "VP_REVOPS" | "ADMIN")
                })
                .map(|account| {
                    (
                        account.id,
                        format!(
                            "{} ({}, {})",
                            account.name,
                            format::enum_label(&account.role),
                            account.key_prefix
                        ),
                    )
                }),
        )
        .collect()
}

#[component]
fn CreateForm(on_created: Callback<CreatedConnector>, on_cancel: Callback<()>) -> impl IntoView {
    let accounts = LocalResource::new(|| api::service_accounts(None));
    view! {
        <form class="panel subform" data-test="connector-form" on:submit=|event| event.prevent_default()>
            <h3>"New connector"</h3>
            {move || match accounts.get() {
                None => view! { <LoadingPanel label="Loading the service accounts…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| accounts.refetch()) /> }.into_any(),
                Some(Ok(page)) => {
                    let options = intake_accounts(page.nodes);
                    if options.len() == 1 {
                        view! {
                            <EmptyState title="No service account can receive deals yet" hint="A connector acts as a service account whose role may submit deals. Create one with the VP RevOps role first, then come back.">
                                <a class="button" href="/service-accounts">"Go to service accounts"</a>
                            </EmptyState>
                            <div class="button-row"><button class="button" type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button></div>
                        }.into_any()
                    } else {
                        view! { <CreateFields accounts=options on_created=on_created on_cancel=on_cancel /> }.into_any()
                    }
                }
            }}
        </form>
    }
}

#[component]
fn CreateFields(
    accounts: Vec<(String, String)>,
    on_created: Callback<CreatedConnector>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let kind = RwSignal::new("SALESFORCE".to_string());
    let name = RwSignal::new(String::new());
    let account = RwSignal::new(String::new());
    let organization = RwSignal::new(String::new());
    let signing_secret = RwSignal::new(String::new());
    let api_token = RwSignal::new(String::new());
    let api_base_url = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let is_salesforce = move || kind.with(|k| k == "SALESFORCE");
    let save = move |_| {
        if account.with_untracked(String::is_empty) {
            errors.set(Some(ApiError::for_field(
                "serviceAccountId",
                "Choose the service account revops acts as for this CRM.",
            )));
            return;
        }
        let input = if is_salesforce() {
            serde_json::json!({ "kind": "SALESFORCE", "name": name.get_untracked(), "serviceAccountId": account.get_untracked(),
                "organizationId": non_empty(&organization.get_untracked()) })
        } else {
            serde_json::json!({ "kind": "HUBSPOT", "name": name.get_untracked(), "serviceAccountId": account.get_untracked(),
                "signingSecret": non_empty(&signing_secret.get_untracked()), "apiToken": non_empty(&api_token.get_untracked()),
                "apiBaseUrl": non_empty(&api_base_url.get_untracked()) })
        };
        pending.set(true);
        spawn_local(async move {
            let result = api::intake_connector_create(input).await;
            pending.try_set(false);
            match result {
                Ok(created) => on_created.run(created),
                Err(error) => {
                    errors.try_set(Some(error));
                    crate::components::field::focus_first_invalid();
                }
            }
        });
    };
    let kinds = vec![
        (
            "SALESFORCE".to_string(),
            "Salesforce (outbound messages)".to_string(),
        ),
        ("HUBSPOT".to_string(), "HubSpot (webhooks)".to_string()),
    ];
    view! {
        <div class="form-row">
            <SelectField label="Kind" name="kind" value=kind errors=errors.into() options=kinds required=true />
            <TextField label="Name" name="name" value=name errors=errors.into() required=true placeholder="acme-sf" hint="Letters, digits and hyphens; it becomes part of the URL." />
            <SelectField label="Acts as service account" name="serviceAccountId" value=account errors=errors.into() options=accounts required=true />
        </div>
        <Show when=is_salesforce fallback=move || view! {
            <div class="form-row">
                <TextField label="Client secret of the HubSpot app" name="signingSecret" value=signing_secret errors=errors.into() required=true hint="HubSpot signs each webhook with it; revops checks the signature." />
                <TextField label="Private app access token" name="apiToken" value=api_token errors=errors.into() required=true hint="With CRM read scopes (deals, companies): revops reads each deal and its company." />
                <TextField label="HubSpot API address" name="apiBaseUrl" value=api_base_url errors=errors.into() placeholder="https://api.hubapi.com" hint="Leave empty for HubSpot's own." />
            </div>
        }>
            <div class="form-row">
                <TextField label="Salesforce organization id" name="organizationId" value=organization errors=errors.into() required=true placeholder="00D5e000000AbCd" hint="15 or 18 characters (Setup → Company Information); messages from other orgs are refused." />
            </div>
        </Show>
        <ActionError error=errors.into() inline_fields=&["kind", "name", "serviceAccountId", "organizationId", "signingSecret", "apiToken", "apiBaseUrl"] />
        <div class="button-row">
            <button class="button button-primary" type="button" data-action="create-connector" disabled=move || pending.get() on:click=save>
                {move || if pending.get() { "Creating…" } else { "Create connector" }}
            </button>
            <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
        </div>
    }
}

/// The new connector's URL, shown this once when it carries a secret (Salesforce), with what to
/// do with it in the CRM.
#[component]
fn NewEndpoint(created: CreatedConnector, on_done: Callback<()>) -> impl IntoView {
    let url = format!("{}{}", page_origin(), created.endpoint_path);
    let connector = created.connector;
    let salesforce = connector.kind == "SALESFORCE";
    view! {
        <section class=if salesforce { "alert alert-warning" } else { "alert alert-success" } role="status" data-test="new-endpoint">
            <strong>{format!("Connector “{}” is ready", connector.name)}</strong>
            {if salesforce {
                view! { <p>"Copy this URL now: it carries the connector's secret and will not be shown again. In Salesforce, create an Outbound Message on Opportunity with this endpoint URL, and a flow that sends it when the stage becomes Closed Won."</p> }.into_any()
            } else {
                view! { <p>"In the HubSpot app's webhook settings, set this as the target URL and subscribe to deal.creation and deal.propertyChange (dealstage)."</p> }.into_any()
            }}
            <div class="field">
                <label for="new-endpoint-url">"Endpoint URL"</label>
                <input id="new-endpoint-url" class="mono" type="text" readonly=true size=90 data-test="new-endpoint-url" prop:value=url />
            </div>
            <div class="button-row">
                <a class="button" href=format!("/integrations/{}", connector.id)>"Open the connector and its mapping"</a>
                <button class="button" type="button" data-action="endpoint-saved" on:click=move |_| on_done.run(())>"I have saved it"</button>
            </div>
        </section>
    }
}

/// `/integrations/inbox`: every notification, or one connector's (`?connector=`), newest first.
#[component]
pub fn IntakeInboxPage() -> impl IntoView {
    let query = use_query_map();
    let connector =
        Memo::new(move |_| query.with(|q| q.get("connector")).filter(|c| !c.is_empty()));
    let changed = RwSignal::new(0_u32);
    view! {
        <RequirePermission permission="INTAKE_READ">
            <div class="page">
                <p class="breadcrumb"><a href="/integrations">"Integrations"</a></p>
                <h1>{move || match connector.get() {
                    Some(name) if name == JSON_CONNECTOR => "Inbox: JSON endpoint".to_string(),
                    Some(name) => format!("Inbox: {name}"),
                    None => "Inbox".to_string(),
                }}</h1>
                {move || {
                    let connector = connector.get();
                    let hint = if connector.as_deref() == Some(JSON_CONNECTOR) {
                        "Nothing has been posted to /api/intake/deals yet. Give a CRM or script a service account key (VP RevOps role) and the endpoint URL from the Integrations page."
                    } else {
                        "No CRM has sent anything yet. Paste a connector's URL into Salesforce or HubSpot; each notification appears here first."
                    };
                    view! { <Inbox connector=connector changed=changed empty_hint=hint /> }
                }}
            </div>
        </RequirePermission>
    }
}
