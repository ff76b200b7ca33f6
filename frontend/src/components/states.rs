//! The loading, empty, error and forbidden states every page shows in the same way.

use leptos::prelude::*;

use crate::api::{ApiError, ErrorCode};

/// Placeholder rows that hold the table's place while data loads, so nothing jumps when the
/// rows arrive.
#[component]
pub fn LoadingRows(
    #[prop(default = 6)] rows: usize,
    #[prop(default = 5)] columns: usize,
) -> impl IntoView {
    view! {
        <div class="loading" role="status" aria-live="polite">
            <span class="visually-hidden">"Loading…"</span>
            <table class="table skeleton" aria-hidden="true">
                <tbody>
                    {(0..rows)
                        .map(|_| {
                            view! {
                                <tr>
                                    {(0..columns)
                                        .map(|_| view! { <td><span class="bone"></span></td> })
                                        .collect_view()}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A short loading line for panels that are not tables.
#[component]
pub fn LoadingPanel(
    #[prop(into, default = "Loading…".to_string())] label: String,
) -> impl IntoView {
    view! {
        <div class="panel loading-panel" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {label}
        </div>
    }
}

/// An empty list: says what is missing and what to do next.
#[component]
pub fn EmptyState(
    #[prop(into)] title: String,
    #[prop(into)] hint: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty-state">
            <p class="empty-title">{title}</p>
            <p class="muted">{hint}</p>
            {children.map(|children| children())}
        </div>
    }
}

/// A request that failed: the server's words, and a way to try again when that can help.
#[component]
pub fn ErrorPanel(error: ApiError, #[prop(optional)] retry: Option<Callback<()>>) -> impl IntoView {
    if error.is_forbidden() {
        return view! { <Forbidden /> }.into_any();
    }
    // Trying again helps only when the cause may pass; a missing record stays missing.
    let retry = retry.filter(|_| {
        matches!(
            error.code(),
            ErrorCode::Network | ErrorCode::Internal | ErrorCode::Limit
        )
    });
    let title = match error.code() {
        ErrorCode::NotFound => "Not found",
        ErrorCode::Network => "Could not reach the server",
        ErrorCode::Limit => "Too many requests",
        _ => "Something went wrong",
    };
    view! {
        <div class="alert alert-error" role="alert">
            <strong>{title}</strong>
            <p>{error.summary()}</p>
            {retry
                .map(|retry| {
                    view! {
                        <button class="button" type="button" on:click=move |_| retry.run(())>
                            "Try again"
                        </button>
                    }
                })}
        </div>
    }
    .into_any()
}

/// Shown instead of a page the signed-in user has no permission for.
#[component]
pub fn Forbidden() -> impl IntoView {
    view! {
        <div class="alert alert-neutral forbidden" role="alert" data-state="forbidden">
            <strong>"Not available for your role"</strong>
            <p>
                "Your account does not have access to this page. "
                "Ask an administrator if you need it for your work."
            </p>
        </div>
    }
}

/// A form-level banner for a failed save: the messages without a field, and a pointer to the
/// fields that have their own.
#[component]
pub fn FormErrorBanner(error: Signal<Option<ApiError>>) -> impl IntoView {
    move || {
        error.get().map(|error| {
            let heading = if error.has_field_errors() {
                "Not saved. Please correct the fields marked below."
            } else {
                "Not saved."
            };
            view! {
                <div class="alert alert-error" role="alert">
                    <strong>{heading}</strong>
                    <ul>
                        {error
                            .items
                            .iter()
                            .map(|item| view! { <li>{item.message.clone()}</li> })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// A failed action: each of the server's messages, except those already shown beside their own
/// input (`inline_fields`, with the fields nested under them). A message that names a field is
/// introduced by that field's label as the reader sees it (`labels`, else the label of the
/// field's input on the page), never by the API's field name: a field the page has no input for
/// (e.g. the contract being renewed) gets the message alone, which says what is wrong in words.
#[component]
pub fn ActionError(
    error: Signal<Option<ApiError>>,
    #[prop(default = &[])] inline_fields: &'static [&'static str],
    /// The label a field is known by on this page, by the API's field name, for fields whose
    /// input is not a `components::field` input (those are found by their `field-<name>` id).
    #[prop(default = &[])]
    labels: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    move || {
        let items: Vec<_> = error.with(|error| {
            error
                .iter()
                .flat_map(|error| error.items.iter())
                .filter(|item| {
                    item.field.as_deref().is_none_or(|field| {
                        // A field shows the errors of its nested fields too ("allocations.0.amount").
                        !inline_fields.iter().any(|inline| {
                            field == *inline
                                || field
                                    .strip_prefix(inline)
                                    .is_some_and(|rest| rest.starts_with('.'))
                        })
                    })
                })
                .cloned()
                .collect()
        });
        (!items.is_empty()).then(|| {
            view! {
                <div class="alert alert-error" role="alert" data-test="action-error">
                    <ul>
                        {items
                            .into_iter()
                            .map(|item| view! {
                                <li>
                                    {item.field.and_then(|field| shown_label(&field, labels)).map(|label| view! {
                                        <span class="field-name">{format!("{label}: ")}</span>
                                    })}
                                    {item.message}
                                </li>
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// The label a field is shown with on the page: from `labels`, else the `<label>` of its input
/// (`field-<name>`, as `components::field` renders it), without the required-field star.
fn shown_label(field: &str, labels: &[(&str, &str)]) -> Option<String> {
    if let Some((_, label)) = labels.iter().find(|(name, _)| *name == field) {
        return Some((*label).to_string());
    }
    let id = format!("field-{}", field.replace('.', "-"));
    let label = web_sys::window()?
        .document()?
        .query_selector(&format!("label[for=\"{id}\"]"))
        .ok()??
        .text_content()?;
    let label = label.trim().trim_end_matches('*').trim().to_string();
    (!label.is_empty()).then_some(label)
}
