//! Pagination controls for Relay connections: a count and Previous / Next.

use leptos::prelude::*;

/// `offset` is how many rows came before this page, when known (it is not after a reload
/// that starts from a cursor in the URL).
#[component]
pub fn Pager(
    shown: usize,
    offset: Option<usize>,
    total: i64,
    has_previous: bool,
    has_next: bool,
    on_previous: Callback<()>,
    on_next: Callback<()>,
    /// Extra actions for the list, such as CSV export.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="pager">
            <span class="muted">
                {match offset {
                    Some(offset) if shown > 0 => format!("Showing {}–{} of {total}", offset + 1, offset + shown),
                    _ => format!("Showing {shown} of {total}"),
                }}
            </span>
            <div class="pager-buttons">
                {children.map(|children| children())}
                <button
                    class="button"
                    type="button"
                    disabled=!has_previous
                    on:click=move |_| on_previous.run(())
                >
                    "Previous"
                </button>
                <button
                    class="button"
                    type="button"
                    data-test="next-page"
                    disabled=!has_next
                    on:click=move |_| on_next.run(())
                >
                    "Next"
                </button>
            </div>
        </div>
    }
}
