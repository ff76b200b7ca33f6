//! The audit log: who did what to which record and when, with the before/after values folded
//! away until asked for. The entity-type filter is kept in the URL.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{self, AuditEntry},
    app::RequirePermission,
    components::{
        pager::Pager,
        states::{EmptyState, ErrorPanel, LoadingRows},
    },
    format,
    routes::{href_with_query, page_offset, CursorTrail, Debounce},
};

#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <RequirePermission permission="AUDIT_READ">
            <AuditLog />
        </RequirePermission>
    }
}

#[component]
fn AuditLog() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let entity_type = Memo::new(move |_| {
        query
            .with(|q| q.get("entityType"))
            .filter(|t| !t.is_empty())
    });
    let after = Memo::new(move |_| query.with(|q| q.get("after")));
    let typed = RwSignal::new(entity_type.get_untracked().unwrap_or_default());
    let trail = CursorTrail::new();
    let debounce = Debounce::new();
    let entries = LocalResource::new(move || api::audit_log(entity_type.get(), after.get()));

    let go = move |entity_type: Option<String>, after: Option<String>| {
        let href = href_with_query("/audit", &[("entityType", entity_type), ("after", after)]);
        navigate(
            &href,
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    let on_filter = {
        let go = go.clone();
        move |_| {
            let go = go.clone();
            debounce.run(Duration::from_millis(300), move || {
                trail.0.set(Vec::new());
                go(Some(typed.get_untracked().trim().to_string()), None);
            });
        }
    };
    let on_next = {
        let go = go.clone();
        Callback::new(move |next: Option<String>| {
            trail.0.update(|trail| trail.push(after.get_untracked()));
            go(entity_type.get_untracked(), next);
        })
    };
    let on_previous = Callback::new(move |()| {
        let previous = trail.0.try_update(Vec::pop).flatten().flatten();
        go(entity_type.get_untracked(), previous);
    });

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Audit log"</h1>
                    <p class="muted">"Every change, who made it and when (times in UTC)."</p>
                </div>
            </header>
            <div class="toolbar">
                <div class="field field-inline">
                    <label for="entity-type">"Entity type"</label>
                    <input id="entity-type" type="search" placeholder="e.g. customer, deal, approval" bind:value=typed on:input=on_filter />
                </div>
            </div>
            {move || match entries.get() {
                None => view! { <LoadingRows columns=5 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| entries.refetch()) /> }.into_any(),
                Some(Ok(connection)) if connection.nodes.is_empty() => view! {
                    <EmptyState title="No audit entries" hint="Entries are written whenever someone changes a customer, deal, approval or ledger entry. Clear the filter to see all." />
                }.into_any(),
                Some(Ok(connection)) => {
                    let shown = connection.nodes.len();
                    let next_cursor = connection.page_info.end_cursor.clone();
                    view! {
                        <AuditTable entries=connection.nodes />
                        <Pager
                            shown=shown
                            offset=page_offset(trail, after.get_untracked(), 50)
                            total=connection.total_count
                            has_previous=!trail.0.with(Vec::is_empty)
                            has_next=connection.page_info.has_next_page
                            on_previous=on_previous
                            on_next=Callback::new(move |()| on_next.run(next_cursor.clone()))
                        />
                    }.into_any()
                }
            }}
        </div>
    }
}

/// Pretty-prints JSON text so a before/after comparison is readable; other text is shown as is.
fn pretty_json(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .and_then(|value| serde_json::to_string_pretty(&value))
        .unwrap_or_else(|_| text.to_string())
}

#[component]
fn AuditTable(entries: Vec<AuditEntry>) -> impl IntoView {
    view! {
        <table class="table audit" data-test="audit-table">
            <thead>
                <tr>
                    <th scope="col">"When"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"Action"</th>
                    <th scope="col">"Entity"</th>
                    <th scope="col">"Change"</th>
                </tr>
            </thead>
            <tbody>
                {entries
                    .into_iter()
                    .map(|entry| {
                        let has_change = entry.before.is_some() || entry.after.is_some();
                        view! {
                            <tr>
                                <td class="nowrap">{format::date_time(&entry.at)}</td>
                                <td data-test="audit-actor">{entry.actor_label}</td>
                                <td class="mono">{entry.action}</td>
                                <td>
                                    {entry.entity_type}
                                    <span class="muted mono small">{format!(" {}", entry.entity_id)}</span>
                                </td>
                                <td>
                                    {if has_change {
                                        view! {
                                            <details>
                                                <summary>"Before / after"</summary>
                                                <div class="diff">
                                                    <div>
                                                        <h4>"Before"</h4>
                                                        <pre>{entry.before.as_deref().map(pretty_json).unwrap_or_else(|| "—".into())}</pre>
                                                    </div>
                                                    <div>
                                                        <h4>"After"</h4>
                                                        <pre>{entry.after.as_deref().map(pretty_json).unwrap_or_else(|| "—".into())}</pre>
                                                    </div>
                                                </div>
                                            </details>
                                        }.into_any()
                                    } else {
                                        view! { <span class="muted">"—"</span> }.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
