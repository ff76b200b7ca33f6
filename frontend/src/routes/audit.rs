//! The audit log: who did what to which record and when, with the before/after values folded
//! away until asked for. The entity-type filter is kept in the URL.

use leptos::prelude::*;

use crate::{
    api::{self, AuditEntry},
    app::RequirePermission,
    format,
    routes::list::{ListResults, ListUrl},
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
    let list = ListUrl::with_search_key("/audit", "entityType");
    let entries = LocalResource::new(move || api::audit_log(list.search(), list.after()));

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
                    <input id="entity-type" type="search" placeholder="e.g. customer, deal, approval" bind:value=list.typed on:input=list.on_search() />
                </div>
            </div>
            <ListResults
                list=list
                resource=entries
                columns=5
                page_size=50
                empty=empty_text
                table=|entries| view! { <AuditTable entries=entries /> }
            />
        </div>
    }
}

/// What the empty log says (with or without a filter).
fn empty_text(_list: &ListUrl) -> (String, String) {
    (
        "No audit entries".to_string(),
        "Entries are written whenever someone changes a customer, deal, approval or ledger entry. Clear the filter to see all."
            .to_string(),
    )
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
