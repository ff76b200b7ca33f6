//! Webhooks (admin): the endpoints other systems receive events at. The list shows each URL with
//! its event types, status (with why it is disabled) and failures in a row; creating one or
//! rotating its secret shows the secret once with a copy button; enabling, disabling, a test
//! ping and deleting (after confirmation) act at once; the delivery log shows each event with its
//! attempts, status codes and the start of each answer, and redelivers one.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ApiError, WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret},
    app::RequirePermission,
    components::{
        field::TextField,
        pager::Pager,
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format,
    routes::{page_offset, service_accounts::copy_to_clipboard, CursorTrail},
};

#[component]
pub fn WebhooksPage() -> impl IntoView {
    view! {
        <RequirePermission permission="WEBHOOK_MANAGE">
            <Webhooks />
        </RequirePermission>
    }
}

/// What the page shows above the list after an action.
#[derive(Clone)]
struct PageState {
    changed: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
    secret: RwSignal<Option<(WebhookEndpointWithSecret, &'static str)>>,
    deleting: RwSignal<Option<WebhookEndpoint>>,
    log_of: RwSignal<Option<WebhookEndpoint>>,
    action_error: RwSignal<Option<ApiError>>,
}

impl PageState {
    fn refresh(&self, notice: Option<String>) {
        self.notice.set(notice);
        self.changed.update(|count| *count += 1);
    }
}

#[component]
fn Webhooks() -> impl IntoView {
    let state = PageState {
        changed: RwSignal::new(0),
        notice: RwSignal::new(None),
        secret: RwSignal::new(None),
        deleting: RwSignal::new(None),
        log_of: RwSignal::new(None),
        action_error: RwSignal::new(None),
    };
    let creating = RwSignal::new(false);
    let on_created = {
        let state = state.clone();
        Callback::new(move |created: WebhookEndpointWithSecret| {
            creating.set(false);
            state.secret.set(Some((created, "created")));
            state.refresh(None);
        })
    };
    let start_creating = {
        let state = state.clone();
        move |_| {
            state.secret.set(None);
            state.notice.set(None);
            creating.set(true);
        }
    };
    let secret = state.secret;
    let notice = state.notice;
    let deleting = state.deleting;
    let log_of = state.log_of;
    let action_error = state.action_error;
    let delete_state = state.clone();
    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Webhooks"</h1>
                    <p class="muted">"revops POSTs signed JSON events (deal approved, invoice issued or paid, …) to the URLs you subscribe here. Failed deliveries are retried with backoff; ten failures in a row disable an endpoint."</p>
                </div>
                <Show when=move || !creating.get()>
                    <button class="button button-primary" type="button" data-action="new-webhook" on:click=start_creating>"New endpoint"</button>
                </Show>
            </header>
            {move || notice.get().map(|message| view! { <div class="alert alert-success" role="status" data-test="webhook-notice">{message}</div> })}
            <ActionError error=action_error.into() />
            {move || secret.get().map(|(shown, verb)| view! { <NewSecret shown=shown verb=verb on_done=Callback::new(move |()| secret.set(None)) /> })}
            <Show when=move || creating.get()>
                <CreateForm on_created=on_created on_cancel=Callback::new(move |()| creating.set(false)) />
            </Show>
            {move || deleting.get().map(|endpoint| view! { <DeleteConfirm endpoint=endpoint state=delete_state.clone() /> })}
            <EndpointList state=state.clone() />
            {move || log_of.get().map(|endpoint| view! { <DeliveryLog endpoint=endpoint changed=state.changed /> })}
        </div>
    }
}

/// Runs one endpoint action, then refreshes the list with `notice` or shows the error.
fn act<T: 'static>(
    state: PageState,
    work: impl std::future::Future<Output = Result<T, ApiError>> + 'static,
    on_done: impl FnOnce(T, &PageState) + 'static,
) {
    state.action_error.set(None);
    spawn_local(async move {
        match work.await {
            Ok(value) => on_done(value, &state),
            Err(error) => state.action_error.set(Some(error)),
        }
    });
}

#[component]
fn EndpointList(state: PageState) -> impl IntoView {
    let changed = state.changed;
    let endpoints = LocalResource::new(move || {
        changed.track();
        api::webhook_endpoints()
    });
    move || {
        match endpoints.get() {
        None => view! { <LoadingRows columns=6 rows=2 /> }.into_any(),
        Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| endpoints.refetch()) /> }.into_any(),
        Some(Ok(rows)) if rows.is_empty() => view! {
            <EmptyState title="No webhook endpoints yet" hint="Add the URL of the system that should hear about revops events (an ERP, a data warehouse loader, a Slack relay), choose its event types, and keep the signing secret shown once." />
        }.into_any(),
        Some(Ok(rows)) => view! { <EndpointTable rows=rows state=state.clone() /> }.into_any(),
    }
    }
}

fn status_badge(endpoint: &WebhookEndpoint) -> impl IntoView {
    if endpoint.enabled {
        view! { <Badge tone=Tone::Good label="Enabled" /> }.into_any()
    } else {
        let label = match &endpoint.disabled_at {
            Some(at) => format!("Disabled {}", format::date(at)),
            None => "Disabled".to_string(),
        };
        view! { <Badge tone=Tone::Danger label=label /> }.into_any()
    }
}

#[component]
fn EndpointTable(rows: Vec<WebhookEndpoint>, state: PageState) -> impl IntoView {
    view! {
        <table class="table" data-test="webhook-table">
            <thead>
                <tr>
                    <th scope="col">"URL"</th>
                    <th scope="col">"Event types"</th>
                    <th scope="col">"Secret"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col" class="numeric">"Failures in a row"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|endpoint| view! { <EndpointRow endpoint=endpoint state=state.clone() /> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn EndpointRow(endpoint: WebhookEndpoint, state: PageState) -> impl IntoView {
    let stored = StoredValue::new(endpoint.clone());
    let toggle = {
        let state = state.clone();
        move |_| {
            let endpoint = stored.get_value();
            let enable = !endpoint.enabled;
            act(
                state.clone(),
                api::webhook_endpoint_set_enabled(endpoint.id.clone(), enable),
                move |saved, state| {
                    let verb = if saved.enabled {
                        "enabled; waiting deliveries go out within seconds"
                    } else {
                        "disabled; events are not queued for it while disabled"
                    };
                    state.refresh(Some(format!("{} is {verb}.", saved.url)));
                },
            );
        }
    };
    let rotate = {
        let state = state.clone();
        move |_| {
            act(
                state.clone(),
                api::webhook_endpoint_rotate_secret(stored.get_value().id),
                |rotated, state| {
                    state.secret.set(Some((rotated, "rotated")));
                    state.refresh(None);
                },
            )
        }
    };
    let test = {
        let state = state.clone();
        move |_| {
            act(
                state.clone(),
                api::webhook_test(stored.get_value().id),
                move |delivery, state| {
                    let answer = delivery
                        .last_status_code
                        .map(|code| format!("HTTP {code}"))
                        .or(delivery.last_error.clone())
                        .unwrap_or_default();
                    state.refresh(Some(format!(
                        "Test ping to {}: {} ({answer}).",
                        stored.get_value().url,
                        format::enum_label(&delivery.status)
                    )));
                },
            )
        }
    };
    let show_log = {
        let state = state.clone();
        move |_| state.log_of.set(Some(stored.get_value()))
    };
    let ask_delete = move |_| state.deleting.set(Some(stored.get_value()));
    view! {
        <tr data-webhook-id=endpoint.id.clone() class:muted=!endpoint.enabled>
            <td>
                <span class="mono" data-test="webhook-url">{endpoint.url.clone()}</span>
                {(!endpoint.description.is_empty()).then(|| view! { <div class="muted">{endpoint.description.clone()}</div> })}
            </td>
            <td>{endpoint.event_types.join(", ")}</td>
            <td class="mono">{format!("{}…", endpoint.secret_hint)}</td>
            <td>
                {status_badge(&endpoint)}
                {endpoint.disabled_reason.clone().map(|reason| view! { <div class="hint">{reason}</div> })}
            </td>
            <td class="numeric">{endpoint.consecutive_failures}</td>
            <td class="button-row">
                <button class="button" type="button" data-action="deliveries" on:click=show_log>"Deliveries"</button>
                <button class="button" type="button" data-action="test" on:click=test>"Send test"</button>
                <button class="button" type="button" data-action="toggle" on:click=toggle>{if endpoint.enabled { "Disable" } else { "Enable" }}</button>
                <button class="button" type="button" data-action="rotate" on:click=rotate>"Rotate secret"</button>
                <button class="button button-danger" type="button" data-action="delete" on:click=ask_delete>"Delete…"</button>
            </td>
        </tr>
    }
}

#[component]
fn CreateForm(
    on_created: Callback<WebhookEndpointWithSecret>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<String>::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let types = LocalResource::new(api::webhook_event_types);
    let save = move |_| {
        pending.set(true);
        spawn_local(async move {
            let result = api::webhook_endpoint_create(
                url.get_untracked(),
                description.get_untracked(),
                chosen.get_untracked(),
            )
            .await;
            pending.set(false);
            match result {
                Ok(created) => on_created.run(created),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <form class="panel subform" data-test="webhook-form" on:submit=|event| event.prevent_default()>
            <h3>"New webhook endpoint"</h3>
            <div class="form-row">
                <TextField label="URL" name="url" value=url errors=errors.into() required=true placeholder="https://erp.example.com/revops-events" hint="http or https; revops POSTs JSON here and expects a 2xx answer within 10 seconds." />
                <TextField label="Description" name="description" value=description errors=errors.into() placeholder="ERP sync" />
            </div>
            <fieldset class="field" data-test="event-types">
                <legend>"Event types"</legend>
                {move || match types.get() {
                    None => view! { <p class="muted">"Loading event types…"</p> }.into_any(),
                    Some(Err(error)) => view! { <ErrorPanel error=error /> }.into_any(),
                    Some(Ok(types)) => types.into_iter().map(|event_type| {
                        let code = StoredValue::new(event_type.code.clone());
                        view! {
                            <label class="checkbox">
                                <input type="checkbox" data-event-type=event_type.code.clone()
                                    prop:checked=move || chosen.with(|list| list.contains(&code.get_value()))
                                    on:change=move |event| {
                                        let on = event_target_checked(&event);
                                        chosen.update(|list| {
                                            list.retain(|item| *item != code.get_value());
                                            if on { list.push(code.get_value()); }
                                        });
                                    } />
                                <span class="mono">{event_type.code.clone()}</span>
                                " — " {event_type.description.clone()}
                            </label>
                        }
                    }).collect_view().into_any(),
                }}
            </fieldset>
            <ActionError error=errors.into() inline_fields=&["url", "description"] />
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="create-webhook" disabled=move || pending.get() on:click=save>
                    {move || if pending.get() { "Creating…" } else { "Create and show secret" }}
                </button>
                <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}

/// The signing secret, shown this once, with a copy button.
#[component]
fn NewSecret(
    shown: WebhookEndpointWithSecret,
    verb: &'static str,
    on_done: Callback<()>,
) -> impl IntoView {
    let secret = StoredValue::new(shown.secret.clone());
    let copied = RwSignal::new(None::<bool>);
    let copy = move |_| {
        spawn_local(async move {
            copied.set(Some(copy_to_clipboard(secret.get_value()).await));
        });
    };
    view! {
        <section class="alert alert-warning" role="status" data-test="new-secret">
            <strong>{format!("Signing secret {verb} for {}", shown.endpoint.url)}</strong>
            <p>"Copy it now: it will not be shown again. Your receiver checks each request's Revops-Signature header with it (see the README's “Outgoing webhooks”). If it is lost, rotate the secret."</p>
            <div class="field">
                <label for="new-secret-value">"Signing secret"</label>
                <input id="new-secret-value" class="mono" type="text" readonly=true size=80 data-test="new-secret-value" prop:value=move || secret.get_value() />
            </div>
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="copy-secret" on:click=copy>
                    {move || if copied.get() == Some(true) { "Copied" } else { "Copy secret" }}
                </button>
                <button class="button" type="button" data-action="secret-saved" on:click=move |_| on_done.run(())>"I have saved it"</button>
            </div>
            {move || (copied.get() == Some(false)).then(|| view! {
                <p class="field-error">"The browser did not allow copying; select the secret above and copy it yourself."</p>
            })}
        </section>
    }
}

#[component]
fn DeleteConfirm(endpoint: WebhookEndpoint, state: PageState) -> impl IntoView {
    let pending = RwSignal::new(false);
    let id = StoredValue::new(endpoint.id.clone());
    let cancel_state = state.clone();
    let delete = move |_| {
        pending.set(true);
        act(
            state.clone(),
            api::webhook_endpoint_delete(id.get_value()),
            move |deleted, state| {
                pending.set(false);
                state.deleting.set(None);
                state.log_of.set(None);
                state.refresh(Some(format!(
                    "{} is deleted; deliveries still waiting were cancelled.",
                    deleted.url
                )));
            },
        );
    };
    view! {
        <div class="confirm" role="alertdialog" aria-label="Confirm deleting the webhook endpoint" data-test="delete-confirm">
            <p>{format!("Delete the endpoint {}? It stops receiving events at once and waiting deliveries are cancelled. This cannot be undone.", endpoint.url)}</p>
            <div class="button-row">
                <button class="button button-danger" type="button" data-action="confirm" disabled=move || pending.get() on:click=delete>
                    {move || if pending.get() { "Deleting…" } else { "Delete endpoint" }}
                </button>
                <button class="button" type="button" on:click=move |_| cancel_state.deleting.set(None)>"Back"</button>
            </div>
        </div>
    }
}

fn delivery_badge(status: &str) -> impl IntoView {
    let tone = match status {
        "DELIVERED" => Tone::Good,
        "FAILED" => Tone::Danger,
        "PENDING" | "SENDING" => Tone::Warning,
        _ => Tone::Neutral,
    };
    view! { <Badge tone=tone label=format::enum_label(status) /> }
}

/// One endpoint's deliveries, newest first, a page at a time.
#[component]
fn DeliveryLog(endpoint: WebhookEndpoint, changed: RwSignal<u32>) -> impl IntoView {
    let after = RwSignal::new(None::<String>);
    let trail = CursorTrail::new();
    let redelivered = RwSignal::new(0_u32);
    let id = endpoint.id.clone();
    let deliveries = LocalResource::new(move || {
        changed.track();
        redelivered.track();
        api::webhook_deliveries(id.clone(), after.get())
    });
    view! {
        <section class="panel" data-test="delivery-log">
            <h2>{format!("Deliveries to {}", endpoint.url)}</h2>
            {move || match deliveries.get() {
                None => view! { <LoadingRows columns=6 rows=3 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| deliveries.refetch()) /> }.into_any(),
                Some(Ok(connection)) if connection.nodes.is_empty() => view! {
                    <EmptyState title="Nothing delivered yet" hint="Events this endpoint subscribes to appear here once they happen; “Send test” sends a ping now." />
                }.into_any(),
                Some(Ok(connection)) => {
                    let shown = connection.nodes.len();
                    let next_cursor = connection.page_info.end_cursor.clone();
                    view! {
                        <DeliveryTable rows=connection.nodes redelivered=redelivered />
                        <Pager
                            shown=shown
                            offset=page_offset(trail, after.get_untracked(), 25)
                            total=connection.total_count
                            has_previous=!trail.0.with(Vec::is_empty)
                            has_next=connection.page_info.has_next_page
                            on_previous=Callback::new(move |()| after.set(trail.0.try_update(Vec::pop).flatten().flatten()))
                            on_next=Callback::new(move |()| {
                                trail.0.update(|trail| trail.push(after.get_untracked()));
                                after.set(next_cursor.clone());
                            })
                        />
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn DeliveryTable(rows: Vec<WebhookDelivery>, redelivered: RwSignal<u32>) -> impl IntoView {
    let errors = RwSignal::new(None::<ApiError>);
    view! {
        <ActionError error=errors.into() />
        <table class="table" data-test="delivery-table">
            <thead>
                <tr>
                    <th scope="col">"Event"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col" class="numeric">"Attempts"</th>
                    <th scope="col">"Last answer"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|delivery| {
                    let id = StoredValue::new(delivery.id.clone());
                    let redeliver = move |_| {
                        errors.set(None);
                        spawn_local(async move {
                            match api::webhook_redeliver(id.get_value()).await {
                                Ok(_) => redelivered.update(|count| *count += 1),
                                Err(error) => errors.set(Some(error)),
                            }
                        });
                    };
                    let last = delivery.attempt_log.last().cloned();
                    view! {
                        <tr data-delivery-id=delivery.id.clone()>
                            <td>
                                <span class="mono">{delivery.event_type.clone()}</span>
                                <div class="hint mono">{delivery.event_id.clone()}{delivery.redelivery_of.as_ref().map(|of| format!(" (redelivery of #{of})"))}</div>
                            </td>
                            <td class="nowrap">{format::date_time(&delivery.created_at)}</td>
                            <td>
                                {delivery_badge(&delivery.status)}
                                {delivery.next_attempt_at.as_deref().map(|at| view! { <div class="hint">{format!("next try {}", format::date_time(at))}</div> })}
                            </td>
                            <td class="numeric">{delivery.attempts}</td>
                            <td>
                                {last.map(|attempt| view! {
                                    <details>
                                        <summary>{format!("{} · {} ms", attempt.status_code.map(|code| format!("HTTP {code}")).unwrap_or_else(|| attempt.error.clone().unwrap_or_default()), attempt.duration_ms)}</summary>
                                        <pre class="mono">{attempt.response_excerpt.clone()}</pre>
                                    </details>
                                })}
                            </td>
                            <td><button class="button" type="button" data-action="redeliver" on:click=redeliver>"Redeliver"</button></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
