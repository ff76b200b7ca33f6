//! User administration (admin): every person's account with its role and status; changing a
//! role, deactivating and reactivating an account, each confirmed first and then reported.
//! Search and the role filter live in the URL (`?q=`, `?role=`). An administrator cannot
//! deactivate their own account (the server refuses it too).

use std::time::Duration;

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{self, ApiError, ManagedUser, USER_ROLES},
    app::RequirePermission,
    components::{
        field::{enum_options, SelectField},
        pager::Pager,
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format,
    routes::{href_with_query, page_offset, CursorTrail, Debounce},
    session::use_session,
};

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <RequirePermission permission="USER_ADMIN">
            <Users />
        </RequirePermission>
    }
}

/// What the administrator is about to do to one account, awaiting confirmation.
#[derive(Clone, Debug, PartialEq)]
enum Pending {
    Role(ManagedUser),
    Deactivate(ManagedUser),
    Reactivate(ManagedUser),
}

#[component]
fn Users() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let search = Memo::new(move |_| query.with(|q| q.get("q")).filter(|q| !q.is_empty()));
    let role = Memo::new(move |_| query.with(|q| q.get("role")).filter(|r| !r.is_empty()));
    let typed = RwSignal::new(search.get_untracked().unwrap_or_default());
    let chosen_role = RwSignal::new(role.get_untracked().unwrap_or_default());
    let debounce = Debounce::new();
    let changed = RwSignal::new(0_u32);
    let pending = RwSignal::new(None::<Pending>);
    let notice = RwSignal::new(None::<String>);
    let go = move |search: Option<String>, role: Option<String>| {
        let href = href_with_query("/users", &[("q", search), ("role", role)]);
        navigate(
            &href,
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    let go_search = go.clone();
    let on_search = move |_| {
        let go = go_search.clone();
        debounce.run(Duration::from_millis(300), move || {
            go(
                Some(typed.get_untracked().trim().to_string()),
                role.get_untracked(),
            );
        });
    };
    Effect::new(move |previous: Option<String>| {
        let picked = chosen_role.get();
        if previous.is_some_and(|previous| previous != picked) {
            go(search.get_untracked(), Some(picked.clone()));
        }
        picked
    });
    let on_done = Callback::new(move |message: String| {
        pending.set(None);
        notice.set(Some(message));
        changed.update(|count| *count += 1);
    });
    let on_action = Callback::new(move |action: Pending| {
        notice.set(None);
        pending.set(Some(action));
    });
    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Users"</h1>
                    <p class="muted">"Everyone who signs in to revops, with their role. A role change applies from the person's next request; deactivating signs them out everywhere at once."</p>
                </div>
            </header>
            <div class="toolbar">
                <div class="field field-inline search">
                    <label for="user-search">"Search"</label>
                    <input id="user-search" type="search" placeholder="Name or e-mail" bind:value=typed on:input=on_search />
                </div>
                <SelectField label="Role" name="role-filter" value=chosen_role errors=Signal::derive(|| None) options=enum_options("Every role", &USER_ROLES) />
            </div>
            {move || notice.get().map(|message| view! { <div class="alert alert-success" role="status" data-test="user-notice">{message}</div> })}
            {move || pending.get().map(|action| view! { <Confirm action=action on_done=on_done on_cancel=Callback::new(move |()| pending.set(None)) /> })}
            <UserList search=search role=role changed=changed on_action=on_action />
        </div>
    }
}

/// The accounts, a page at a time, with their loading, empty and error states.
#[component]
fn UserList(
    search: Memo<Option<String>>,
    role: Memo<Option<String>>,
    changed: RwSignal<u32>,
    on_action: Callback<Pending>,
) -> impl IntoView {
    let after = RwSignal::new(None::<String>);
    let trail = CursorTrail::new();
    Effect::new(move |_| {
        // A new search or filter starts again from the first page.
        search.track();
        role.track();
        trail.0.set(Vec::new());
        after.set(None);
    });
    let users = LocalResource::new(move || {
        changed.track();
        api::managed_users(after.get(), role.get(), search.get())
    });
    move || {
        match users.get() {
        None => view! { <LoadingRows columns=5 rows=4 /> }.into_any(),
        Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| users.refetch()) /> }.into_any(),
        Some(Ok(connection)) if connection.nodes.is_empty() => view! {
            <EmptyState title="No users match" hint="Clear the search or choose every role; new people are added with userCreate or `revops create-user`." />
        }.into_any(),
        Some(Ok(connection)) => {
            let shown = connection.nodes.len();
            let next_cursor = connection.page_info.end_cursor.clone();
            view! {
                <UserTable rows=connection.nodes on_action=on_action />
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
fn UserTable(rows: Vec<ManagedUser>, on_action: Callback<Pending>) -> impl IntoView {
    let session = use_session();
    let me = move || session.with_untracked(|s| s.as_ref().map(|s| s.user.id.clone()));
    view! {
        <table class="table" data-test="user-table">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"E-mail"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|user| {
                    let is_me = me().as_deref() == Some(user.id.as_str());
                    let (for_role, for_status) = (user.clone(), user.clone());
                    view! {
                        <tr data-user-id=user.id.clone() data-user-email=user.email.clone() class:muted=!user.is_active()>
                            <td>{user.name.clone()}{is_me.then(|| view! { <span class="muted">" (you)"</span> })}</td>
                            <td>{user.email.clone()}</td>
                            <td data-test="user-role">{format::enum_label(&user.role)}</td>
                            <td data-test="user-status">
                                {match user.deactivated_at.as_deref() {
                                    None => view! { <Badge tone=Tone::Good label="Active" /> }.into_any(),
                                    Some(at) => view! { <Badge tone=Tone::Neutral label=format!("Deactivated {}", format::date(at)) /> }.into_any(),
                                }}
                            </td>
                            <td class="button-row">
                                <button class="button" type="button" data-action="change-role" on:click=move |_| on_action.run(Pending::Role(for_role.clone()))>"Change role…"</button>
                                {(!is_me).then(|| if for_status.is_active() {
                                    view! { <button class="button button-danger" type="button" data-action="deactivate" on:click=move |_| on_action.run(Pending::Deactivate(for_status.clone()))>"Deactivate…"</button> }.into_any()
                                } else {
                                    view! { <button class="button" type="button" data-action="reactivate" on:click=move |_| on_action.run(Pending::Reactivate(for_status.clone()))>"Reactivate…"</button> }.into_any()
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The confirmation of one change, saying what will happen; runs it and reports the outcome.
#[component]
fn Confirm(action: Pending, on_done: Callback<String>, on_cancel: Callback<()>) -> impl IntoView {
    let errors = RwSignal::new(None::<ApiError>);
    let working = RwSignal::new(false);
    let user = match &action {
        Pending::Role(user) | Pending::Deactivate(user) | Pending::Reactivate(user) => user.clone(),
    };
    let new_role = RwSignal::new(user.role.clone());
    let stored = StoredValue::new(action.clone());
    let run = move |_| {
        let action = stored.get_value();
        let role = new_role.get_untracked();
        working.set(true);
        spawn_local(async move {
            let result = match &action {
                Pending::Role(user) => {
                    api::user_role_set(user.id.clone(), role).await.map(|user| {
                        format!(
                            "{} is now {}; it applies from their next request.",
                            user.name,
                            format::enum_label(&user.role)
                        )
                    })
                }
                Pending::Deactivate(user) => api::user_deactivate(user.id.clone())
                    .await
                    .map(|user| format!("{} is deactivated and signed out everywhere.", user.name)),
                Pending::Reactivate(user) => api::user_reactivate(user.id.clone())
                    .await
                    .map(|user| format!("{} is active again and can sign in.", user.name)),
            };
            working.set(false);
            match result {
                Ok(message) => on_done.run(message),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    let (question, button) = match &action {
        Pending::Role(_) => (format!("Change the role of {} ({})?", user.name, user.email), "Change role"),
        Pending::Deactivate(_) => (format!("Deactivate {} ({})? They are signed out on every device and cannot sign in until reactivated.", user.name, user.email), "Deactivate"),
        Pending::Reactivate(_) => (format!("Reactivate {} ({})? They can sign in again with their password.", user.name, user.email), "Reactivate"),
    };
    let choosing_role = matches!(action, Pending::Role(_));
    let confirm_class = if choosing_role {
        "button button-primary"
    } else {
        "button button-danger"
    };
    view! {
        <div class="confirm" role="alertdialog" aria-label="Confirm the change to the user" data-test="user-confirm">
            <p>{question}</p>
            {choosing_role.then(|| view! {
                <div class="form-row">
                    <SelectField label="New role" name="role" value=new_role errors=errors.into() options=enum_options("Choose a role", &USER_ROLES) required=true />
                </div>
            })}
            <ActionError error=errors.into() inline_fields=&["role"] />
            <div class="button-row">
                <button class=confirm_class type="button" data-action="confirm" disabled=move || working.get() on:click=run>
                    {move || if working.get() { "Saving…" } else { button }}
                </button>
                <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Back"</button>
            </div>
        </div>
    }
}
