//! What every list page shares: its search, filters and cursor kept in the URL (so a reload or a
//! shared link shows the same page), the trail of earlier cursors for Previous, and the states
//! of its results — loading, error with retry, empty (saying whether filters hide rows) and the
//! rows with the pager and an optional CSV export of the page.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    params::ParamsMap,
    NavigateOptions,
};

use super::{href_with_query, page_offset, CursorTrail, Debounce};
use crate::{
    api::{ApiError, Connection},
    components::{
        export::ExportCsv,
        pager::Pager,
        sort::SortOrder,
        states::{EmptyState, ErrorPanel, LoadingRows},
    },
    format,
};

/// Goes to a URL of the app, replacing the history entry (a list's own navigation).
type Navigate = Box<dyn Fn(&str)>;

/// The URL's part of a list: `q` (the search), the page's own filters by key, and `after`.
#[derive(Clone, Copy)]
pub struct ListUrl {
    path: &'static str,
    /// The parameter the search box writes: `q`, or a page's own (the audit log's `entityType`).
    search_key: &'static str,
    query: Memo<ParamsMap>,
    navigate: StoredValue<Navigate, LocalStorage>,
    trail: CursorTrail,
    debounce: Debounce,
    /// The search box's text as typed; the URL's `q` follows it after a pause.
    pub typed: RwSignal<String>,
}

impl ListUrl {
    pub fn new(path: &'static str) -> Self {
        Self::with_search_key(path, "q")
    }

    /// A list whose search box writes `search_key` instead of `q`.
    pub fn with_search_key(path: &'static str, search_key: &'static str) -> Self {
        let query = use_query_map();
        let navigate = use_navigate();
        let typed = RwSignal::new(
            query
                .with_untracked(|q| q.get(search_key))
                .unwrap_or_default(),
        );
        let go: Navigate = Box::new(move |href: &str| {
            navigate(
                href,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            )
        });
        Self {
            path,
            search_key,
            query,
            navigate: StoredValue::new_local(go),
            trail: CursorTrail::new(),
            debounce: Debounce::new(),
            typed,
        }
    }

    /// One parameter of the URL (tracked); an empty value counts as absent.
    pub fn param(&self, key: &str) -> Option<String> {
        self.query
            .with(|query| query.get(key))
            .filter(|value| !value.is_empty())
    }

    /// One parameter as it stands, untracked (for messages).
    pub fn param_untracked(&self, key: &str) -> Option<String> {
        self.query
            .with_untracked(|query| query.get(key))
            .filter(|value| !value.is_empty())
    }

    pub fn search(&self) -> Option<String> {
        self.param(self.search_key)
    }

    /// The search as it stands, untracked (for messages).
    pub fn search_untracked(&self) -> Option<String> {
        self.param_untracked(self.search_key)
    }

    pub fn after(&self) -> Option<String> {
        self.param("after")
    }

    /// Whether the search or a filter narrows the list (for the empty state's wording).
    pub fn is_filtered(&self) -> bool {
        self.query.with_untracked(|query| {
            query.into_iter().any(|(key, value)| {
                !matches!(key.as_ref(), "after" | "sort" | "dir") && !value.is_empty()
            })
        })
    }

    /// Sets (or clears, with `None` or "") one filter and starts again from the first page.
    pub fn set(&self, key: &str, value: Option<String>) {
        self.trail.0.set(Vec::new());
        self.go(&[(key, value)], None);
    }

    /// The order the URL's `sort` and `dir` ask for (tracked), when `sort` is one of `keys`;
    /// otherwise the page's default (the server's own order).
    pub fn order(&self, keys: &[&str], default: (&str, bool)) -> SortOrder {
        SortOrder::from_query(self.param("sort"), self.param("dir"), keys, default)
    }

    /// What a sortable column header calls with its key: the list ordered by that column (the
    /// other way round when it already is), from the first page. Make it in the list page, not
    /// in its table: the click redraws the table, and a callback the table owned would be gone
    /// before it finished.
    pub fn on_sort(&self, order: Memo<SortOrder>) -> Callback<String> {
        let list = *self;
        Callback::new(move |key: String| list.set_order(&order.get_untracked().toggled(&key)))
    }

    /// Orders the list by a column header's click and starts again from the first page.
    pub fn set_order(&self, order: &SortOrder) {
        self.trail.0.set(Vec::new());
        self.go(
            &[
                ("sort", Some(order.key.clone())),
                ("dir", Some(order.dir().to_string())),
            ],
            None,
        );
    }

    /// The search box's input handler.
    pub fn on_search(&self) -> impl Fn(leptos::ev::Event) + Clone + 'static {
        let list = *self;
        move |_| {
            list.debounce.run(Duration::from_millis(300), move || {
                let term = list.typed.get_untracked().trim().to_string();
                list.set(list.search_key, Some(term));
            });
        }
    }

    /// Rows before this page, when known.
    pub fn offset(&self, page_size: usize) -> Option<usize> {
        page_offset(
            self.trail,
            self.query.with_untracked(|query| query.get("after")),
            page_size,
        )
    }

    pub fn has_previous(&self) -> bool {
        !self.trail.0.with(Vec::is_empty)
    }

    /// Moves to the page after `cursor`, remembering this one for Previous.
    pub fn next(&self, cursor: Option<String>) {
        let here = self.query.with_untracked(|query| query.get("after"));
        self.trail.0.update(|trail| trail.push(here));
        self.go(&[], cursor);
    }

    pub fn previous(&self) {
        let previous = self.trail.0.try_update(Vec::pop).flatten().flatten();
        self.go(&[], previous);
    }

    /// Navigates to this list with the URL's parameters, some of them changed, and the cursor.
    fn go(&self, changes: &[(&str, Option<String>)], after: Option<String>) {
        let mut pairs: Vec<(String, Option<String>)> = self.query.with_untracked(|query| {
            query
                .into_iter()
                .filter(|(key, _)| *key != "after")
                .map(|(key, value)| (key.to_string(), Some(value.to_string())))
                .collect()
        });
        for (key, value) in changes {
            match pairs.iter_mut().find(|(existing, _)| existing == key) {
                Some(pair) => pair.1 = value.clone(),
                None => pairs.push((key.to_string(), value.clone())),
            }
        }
        pairs.push(("after".to_string(), after));
        let pairs: Vec<(&str, Option<String>)> = pairs
            .iter()
            .map(|(key, value)| (key.as_str(), value.clone()))
            .collect();
        let href = href_with_query(self.path, &pairs);
        self.navigate.with_value(|navigate| navigate(&href));
    }
}

/// The page's rows as a CSV file: `<prefix>-<today>.csv` with `header` and one row per item.
pub struct ListExport<T: 'static> {
    pub prefix: &'static str,
    pub header: &'static [&'static str],
    pub rows: fn(&[T]) -> Vec<Vec<String>>,
}

/// A list's results: loading rows, the error with a retry, the empty state, or the table that
/// `table` draws with the pager (and the export) below it. The results sit in a `Transition`:
/// the first load shows the loading rows, and a later one (the next page, a new search) keeps
/// the rows on screen, marked busy, until the new ones arrive — the table never blinks empty.
#[component]
pub fn ListResults<T, V, F>(
    list: ListUrl,
    resource: LocalResource<Result<Connection<T>, ApiError>>,
    columns: usize,
    page_size: usize,
    /// The empty state's title and hint; `list.is_filtered()` tells whether filters hide rows.
    empty: fn(&ListUrl) -> (String, String),
    table: F,
    #[prop(optional)] export: Option<ListExport<T>>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(Vec<T>) -> V + Send + Sync + 'static,
{
    let export = StoredValue::new_local(export);
    let table = StoredValue::new(table);
    let pending = RwSignal::new(false);
    let results = move |result: Result<Connection<T>, ApiError>| match result {
        Err(error) => {
            view! { <ErrorPanel error=error retry=Callback::new(move |()| resource.refetch()) /> }
                .into_any()
        }
        Ok(connection) if connection.nodes.is_empty() => {
            let (title, hint) = empty(&list);
            view! { <EmptyState title=title hint=hint /> }.into_any()
        }
        Ok(connection) => {
            let shown = connection.nodes.len();
            let next_cursor = connection.page_info.end_cursor.clone();
            let csv = export.with_value(|export| {
                export.as_ref().map(|export| {
                    (
                        format!("{}-{}.csv", export.prefix, format::today_iso()),
                        export.header,
                        (export.rows)(&connection.nodes),
                    )
                })
            });
            view! {
                {table.with_value(|table| table(connection.nodes))}
                <Pager
                    shown=shown
                    offset=list.offset(page_size)
                    total=connection.total_count
                    has_previous=list.has_previous()
                    has_next=connection.page_info.has_next_page
                    on_previous=Callback::new(move |()| list.previous())
                    on_next=Callback::new(move |()| list.next(next_cursor.clone()))
                >
                    {csv.map(|(filename, header, rows)| view! { <ExportCsv filename=filename header=header rows=rows /> })}
                </Pager>
            }
            .into_any()
        }
    };
    view! {
        <div class="list-results" class:is-pending=move || pending.get() aria-busy=move || pending.get().to_string()>
            <Transition fallback=move || view! { <LoadingRows columns=columns /> } set_pending=pending>
                {move || Suspend::new(async move { results(resource.await) })}
            </Transition>
        </div>
    }
}
