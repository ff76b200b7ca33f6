//! Service accounts (admin): the API keys other systems call revops with. The list shows each
//! key's name, role, prefix, creation, last use and status; creating one shows its key once with
//! a copy button; revoking asks for confirmation first.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ApiError, CreatedServiceAccount, ServiceAccount, SERVICE_ACCOUNT_ROLES},
    app::RequirePermission,
    components::{
        field::{enum_options, SelectField, TextField},
        pager::Pager,
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format,
    routes::{page_offset, CursorTrail},
};

#[component]
pub fn ServiceAccountsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="USER_ADMIN">
            <ServiceAccounts />
        </RequirePermission>
    }
}

#[component]
fn ServiceAccounts() -> impl IntoView {
    // Bumped after a create or revoke, so the list reads the accounts again.
    let changed = RwSignal::new(0_u32);
    let creating = RwSignal::new(false);
    let created = RwSignal::new(None::<CreatedServiceAccount>);
    let confirming = RwSignal::new(None::<ServiceAccount>);
    let notice = RwSignal::new(None::<String>);
    let on_created = Callback::new(move |account: CreatedServiceAccount| {
        creating.set(false);
        created.set(Some(account));
        changed.update(|count| *count += 1);
    });
    let on_revoked = Callback::new(move |account: ServiceAccount| {
        confirming.set(None);
        notice.set(Some(format!(
            "Service account “{}” ({}) is revoked; its key is refused from now on.",
            account.name, account.key_prefix
        )));
        changed.update(|count| *count += 1);
    });
    let start_creating = move |_| {
        created.set(None);
        notice.set(None);
        creating.set(true);
    };
    let on_revoke = Callback::new(move |account| {
        notice.set(None);
        confirming.set(Some(account));
    });
    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Service accounts"</h1>
                    <p class="muted">"API keys for other systems — a CRM, an ERP, a script — that call revops without a person's sign-in. Each key acts with one role."</p>
                </div>
                <Show when=move || !creating.get()>
                    <button class="button button-primary" type="button" data-action="new-service-account" on:click=start_creating>"New service account"</button>
                </Show>
            </header>
            {move || notice.get().map(|message| view! { <div class="alert alert-success" role="status" data-test="service-account-notice">{message}</div> })}
            {move || created.get().map(|account| view! { <NewKey created=account on_done=Callback::new(move |()| created.set(None)) /> })}
            <Show when=move || creating.get()>
                <CreateForm on_created=on_created on_cancel=Callback::new(move |()| creating.set(false)) />
            </Show>
            {move || confirming.get().map(|account| view! { <RevokeConfirm account=account on_revoked=on_revoked on_cancel=Callback::new(move |()| confirming.set(None)) /> })}
            <AccountList changed=changed on_revoke=on_revoke />
        </div>
    }
}

/// The accounts, a page at a time, with their loading, empty and error states.
#[component]
fn AccountList(changed: RwSignal<u32>, on_revoke: Callback<ServiceAccount>) -> impl IntoView {
    let after = RwSignal::new(None::<String>);
    let trail = CursorTrail::new();
    let accounts = LocalResource::new(move || {
        changed.track();
        api::service_accounts(after.get())
    });
    move || {
        match accounts.get() {
        None => view! { <LoadingRows columns=7 rows=3 /> }.into_any(),
        Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| accounts.refetch()) /> }.into_any(),
        Some(Ok(connection)) if connection.nodes.is_empty() => view! {
            <EmptyState title="No service accounts yet" hint="Create one for each system that calls revops, e.g. “Salesforce sync”, with the narrowest role that does its job; its key is shown once." />
        }.into_any(),
        Some(Ok(connection)) => {
            let shown = connection.nodes.len();
            let next_cursor = connection.page_info.end_cursor.clone();
            view! {
                <AccountTable rows=connection.nodes on_revoke=on_revoke />
                <Pager
                    shown=shown
                    offset=page_offset(trail, after.get_untracked(), 50)
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
    }
    }
}

#[component]
fn AccountTable(rows: Vec<ServiceAccount>, on_revoke: Callback<ServiceAccount>) -> impl IntoView {
    view! {
        <table class="table" data-test="service-account-table">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Key prefix"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Last used"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|account| {
                    let revoked = account.clone();
                    let created_by = account.created_by.as_ref().map(|user| format!(" by {}", user.name)).unwrap_or_default();
                    view! {
                        <tr data-service-account-id=account.id.clone() class:muted=!account.is_active()>
                            <td>{account.name.clone()}</td>
                            <td>{format::enum_label(&account.role)}</td>
                            <td class="mono" data-test="key-prefix">{account.key_prefix.clone()}</td>
                            <td class="nowrap">{format!("{}{created_by}", format::date(&account.created_at))}</td>
                            <td class="nowrap">{account.last_used_at.as_deref().map(format::date_time).unwrap_or_else(|| "Never".into())}</td>
                            <td>
                                {match account.revoked_at.as_deref() {
                                    None => view! { <Badge tone=Tone::Good label="Active" /> }.into_any(),
                                    Some(at) => view! { <Badge tone=Tone::Neutral label=format!("Revoked {}", format::date(at)) /> }.into_any(),
                                }}
                            </td>
                            <td>
                                {account.is_active().then(|| view! {
                                    <button class="button button-danger" type="button" data-action="revoke" on:click=move |_| on_revoke.run(revoked.clone())>"Revoke…"</button>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn CreateForm(
    on_created: Callback<CreatedServiceAccount>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let save = move |_| {
        let chosen_role = role.get_untracked();
        if chosen_role.is_empty() {
            errors.set(Some(ApiError::for_field(
                "role",
                "Choose the role the key acts with; it may do what a person in that role may do.",
            )));
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = api::service_account_create(name.get_untracked(), chosen_role).await;
            pending.set(false);
            match result {
                Ok(created) => on_created.run(created),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <form class="panel subform" data-test="service-account-form" on:submit=|event| event.prevent_default()>
            <h3>"New service account"</h3>
            <div class="form-row">
                <TextField label="Name" name="name" value=name errors=errors.into() required=true placeholder="Salesforce sync" hint="The system that will call with the key; the audit log names it." />
                <SelectField label="Role" name="role" value=role errors=errors.into() options=enum_options("Choose a role", &SERVICE_ACCOUNT_ROLES) required=true />
            </div>
            <ActionError error=errors.into() inline_fields=&["name", "role"] />
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="create-service-account" disabled=move || pending.get() on:click=save>
                    {move || if pending.get() { "Creating…" } else { "Create and show key" }}
                </button>
                <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}

/// Copies `text` to the clipboard; false when the browser refused (then the person selects it).
pub(crate) async fn copy_to_clipboard(text: String) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(&text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// The new key, shown this once, with a copy button and the warning that it cannot be shown again.
#[component]
fn NewKey(created: CreatedServiceAccount, on_done: Callback<()>) -> impl IntoView {
    let key = StoredValue::new(created.key.clone());
    let copied = RwSignal::new(None::<bool>);
    let copy = move |_| {
        spawn_local(async move {
            copied.set(Some(copy_to_clipboard(key.get_value()).await));
        });
    };
    let account = created.service_account;
    view! {
        <section class="alert alert-warning" role="status" data-test="new-key">
            <strong>{format!("Key for “{}” ({})", account.name, format::enum_label(&account.role))}</strong>
            <p>"Copy it now: it will not be shown again. revops keeps only a hash of it; if it is lost, revoke this account and create a new one."</p>
            <div class="form-row">
                <div class="field">
                    <label for="new-key-value">"API key"</label>
                    <input id="new-key-value" class="mono" type="text" readonly=true size=80 data-test="new-key-value" prop:value=move || key.get_value() on:focus=|event| {
                        use wasm_bindgen::JsCast;
                        if let Some(input) = event.target().and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                            input.select();
                        }
                    } />
                    <p class="hint">"Send it as " <code>"Authorization: Bearer <key>"</code> " to /graphql or the /api endpoints."</p>
                </div>
            </div>
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="copy-key" on:click=copy>
                    {move || match copied.get() {
                        Some(true) => "Copied",
                        _ => "Copy key",
                    }}
                </button>
                <button class="button" type="button" data-action="key-saved" on:click=move |_| on_done.run(())>"I have saved it"</button>
            </div>
            {move || (copied.get() == Some(false)).then(|| view! {
                <p class="field-error">"The browser did not allow copying; select the key above and copy it yourself."</p>
            })}
        </section>
    }
}

#[component]
fn RevokeConfirm(
    account: ServiceAccount,
    on_revoked: Callback<ServiceAccount>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let id = StoredValue::new(account.id.clone());
    let revoke = move |_| {
        pending.set(true);
        spawn_local(async move {
            let result = api::service_account_revoke(id.get_value()).await;
            pending.set(false);
            match result {
                Ok(account) => on_revoked.run(account),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <div class="confirm" role="alertdialog" aria-label="Confirm revoking the service account" data-test="revoke-confirm">
            <p>{format!(
                "Revoke “{}” ({})? Every system calling with this key is refused from its next request. This cannot be undone; a new key means a new service account.",
                account.name, account.key_prefix
            )}</p>
            <ActionError error=errors.into() />
            <div class="button-row">
                <button class="button button-danger" type="button" data-action="confirm" disabled=move || pending.get() on:click=revoke>
                    {move || if pending.get() { "Revoking…" } else { "Revoke key" }}
                </button>
                <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Back"</button>
            </div>
        </div>
    }
}
