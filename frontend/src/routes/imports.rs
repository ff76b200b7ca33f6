//! Imports of the existing book at cut-over: choose what the file holds (with its columns and a
//! template to fill in), upload it to be checked in full, read the preview or the row errors,
//! commit, and the history of every import with its own page at `/imports/:id`.

use leptos::{html, prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_navigate, use_params_map, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{self, ApiError, ImportKindInfo, ImportRow},
    app::RequirePermission,
    components::{
        export::download_bytes,
        field::{error_for, non_empty, FieldMessage, TextField},
        file_read::chosen_file,
        imports::ImportDetailView,
        pager::Pager,
        states::{ActionError, EmptyState, ErrorPanel, LoadingPanel, LoadingRows},
        status::ImportStatusBadge,
    },
    format,
    routes::{href_with_query, page_offset, CursorTrail},
    session,
};

const PAGE_SIZE: usize = 25;

/// What each kind is for, in a sentence, beside the server's title.
fn kind_explanation(kind: &str) -> &'static str {
    match kind {
        "CUSTOMERS" => {
            "The customer master from the CRM or the old billing tool, one row per customer. \
             Import it first: open invoices find their customer by external_ref."
        }
        "OPEN_INVOICES" => {
            "The old system's AR aging: every invoice still open on the cut-over date and what \
             is still owed. Posts the opening balances (Dr accounts receivable · Cr opening \
             balance equity); the invoices then age and enter collections like any other."
        }
        "PURCHASE_ORDERS" => {
            "Customers' open purchase orders with their amounts, validity and what was already \
             invoiced against them, so invoicing enforces them from the first revops invoice."
        }
        "CONTRACTS" => {
            "The subscriptions still running on the cut-over date, one row per line. Each becomes \
             an approved contract that revops bills from the period after the old system's last \
             invoice, with its renewal date, owner and uplift. Posts nothing."
        }
        "RENEWAL_SCHEDULES" => {
            "The renewal sheet for contracts already in revops: who owns each renewal and the \
             uplift it is priced with. The end date is checked against the contract's term, not \
             changed. The deal keeps its AE for commissions. Posts nothing."
        }
        "DEFERRED_REVENUE" => {
            "The revenue schedule of the brought-over contracts: what the old system billed and \
             has not recognised, by line and month. Posts Dr opening balance equity · Cr \
             deferred revenue; the month-end runs recognise it."
        }
        "COMMISSION_ASSIGNMENTS" => {
            "Which rep is on which commission plan, from when to when, with their quota. Import \
             the plan documents first; overlaps are refused as the form refuses them."
        }
        _ => "",
    }
}

#[component]
pub fn ImportsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="IMPORT_READ">
            <Imports />
        </RequirePermission>
    }
}

#[component]
fn Imports() -> impl IntoView {
    // Bumped after an upload or a commit, so the history shows it.
    let changed = RwSignal::new(0_u32);
    let current = RwSignal::new(None::<String>);
    let on_changed = Callback::new(move |()| changed.update(|n| *n += 1));
    let on_uploaded = Callback::new(move |id: String| {
        current.set(Some(id));
        on_changed.run(());
    });
    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Imports"</h1>
                    <p class="muted">"Bring the existing book into revops at cut-over: customers first, then the invoices still open. Every row is checked before anything is written, and nothing is written until you commit."</p>
                </div>
            </header>
            <UploadPanel on_uploaded=on_uploaded />
            {move || current.get().map(|id| view! { <ImportDetailView id=id on_changed=on_changed /> })}
            <ImportHistory changed=changed />
        </div>
    }
}

/// `/imports/:id`: one import, as the imports page shows it after an upload.
#[component]
pub fn ImportDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    view! {
        <RequirePermission permission="IMPORT_READ">
            <div class="page">
                <p class="breadcrumb"><a href="/imports">"Imports"</a></p>
                <h1>"Import"</h1>
                {move || view! { <ImportDetailView id=id.get() /> }}
            </div>
        </RequirePermission>
    }
}

/// Choosing the kind, the cut-over date and the file, and sending it to be checked.
#[component]
fn UploadPanel(on_uploaded: Callback<String>) -> impl IntoView {
    let kinds = LocalResource::new(api::import_kinds);
    let selected = RwSignal::new(String::new());
    view! {
        <section class="panel" data-test="import-upload">
            <h2>"Upload a file"</h2>
            {move || match kinds.get() {
                None => view! { <LoadingPanel label="Loading the kinds of file…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| kinds.refetch()) /> }.into_any(),
                Some(Ok(list)) => {
                    if selected.with_untracked(String::is_empty) {
                        if let Some(first) = list.first() {
                            selected.set(first.kind.clone());
                        }
                    }
                    view! { <UploadForm kinds=list selected=selected on_uploaded=on_uploaded /> }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn UploadForm(
    kinds: Vec<ImportKindInfo>,
    selected: RwSignal<String>,
    on_uploaded: Callback<String>,
) -> impl IntoView {
    let can_run = session::can("IMPORT_RUN");
    let errors = RwSignal::new(None::<ApiError>);
    let kinds = StoredValue::new(kinds);
    let kind = Memo::new(move |_| {
        kinds.with_value(|list| list.iter().find(|k| k.kind == selected.get()).cloned())
    });
    view! {
        <KindChoice kinds=kinds.get_value() selected=selected errors=errors />
        {move || kind.get().map(|kind| view! { <KindColumns kind=kind /> })}
        <Show
            when=move || can_run.get()
            fallback=|| view! { <p class="muted">"Your role can read imports but not run them."</p> }
        >
            <FileAndSend kind=kind errors=errors on_uploaded=on_uploaded />
        </Show>
    }
}

/// One radio per kind, with its title and what it is for.
#[component]
fn KindChoice(
    kinds: Vec<ImportKindInfo>,
    selected: RwSignal<String>,
    errors: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let message = error_for(errors.into(), "kind");
    view! {
        <fieldset class="kind-choice" aria-describedby="import-kind-error">
            <legend>"What the file holds"</legend>
            {kinds.into_iter().map(|kind| {
                let value = kind.kind.clone();
                let id = format!("import-kind-{}", value.to_ascii_lowercase());
                let checked = {
                    let value = value.clone();
                    move || selected.with(|s| *s == value)
                };
                view! {
                    <div class="kind-option">
                        <input type="radio" name="import-kind" id=id.clone() value=value.clone() data-kind=value.clone()
                            prop:checked=checked
                            on:change=move |_| { selected.set(value.clone()); errors.set(None); } />
                        <label for=id>
                            <strong>{kind.title.clone()}</strong>
                            <span class="small muted">" "{kind_explanation(&kind.kind)}</span>
                        </label>
                    </div>
                }
            }).collect_view()}
            <FieldMessage id="import-kind-error".to_string() message=message />
        </fieldset>
    }
}

/// The kind's columns, so a person can prepare the file, and its template.
#[component]
fn KindColumns(kind: ImportKindInfo) -> impl IntoView {
    let name = StoredValue::new(kind.template_file_name.clone());
    let csv = StoredValue::new(kind.template_csv.clone());
    let failed = RwSignal::new(false);
    let download = move |_| {
        let saved = download_bytes(
            &name.get_value(),
            "text/csv;charset=utf-8",
            csv.get_value().as_bytes(),
        );
        failed.set(saved.is_none());
    };
    view! {
        <details class="kind-columns" data-test="import-columns" data-kind=kind.kind.clone()>
            <summary>{format!("Columns of {} ({})", kind.title, kind.columns.len())}</summary>
            <p class="muted">"The first row of the file names the columns, in any order; case, spaces and punctuation in the names do not matter. CSV (UTF-8) or XLSX (the first sheet)."</p>
            <table class="table compact">
                <thead>
                    <tr>
                        <th scope="col">"Column"</th>
                        <th scope="col">"Required"</th>
                        <th scope="col">"Example"</th>
                        <th scope="col">"What it holds"</th>
                    </tr>
                </thead>
                <tbody>
                    {kind.columns.into_iter().map(|column| view! {
                        <tr>
                            <td class="mono nowrap">{column.name}</td>
                            <td>{if column.required { "Required" } else { "Optional" }}</td>
                            <td class="mono small">{column.example}</td>
                            <td class="small">{column.description}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
        <div class="button-row">
            <button class="button" type="button" data-action="download-template" on:click=download>
                {format!("Download template ({})", kind.template_file_name)}
            </button>
        </div>
        {move || failed.get().then(|| view! { <p class="field-error" role="alert">"This browser could not save the file."</p> })}
    }
}

/// The file input, the cut-over date when the kind needs one, and the upload.
#[component]
fn FileAndSend(
    kind: Memo<Option<ImportKindInfo>>,
    errors: RwSignal<Option<ApiError>>,
    on_uploaded: Callback<String>,
) -> impl IntoView {
    let cutover = RwSignal::new(String::new());
    let file = RwSignal::new_local(None::<web_sys::File>);
    let checking = RwSignal::new(None::<String>);
    let input = NodeRef::<html::Input>::new();
    let needs_date = move || kind.with(|k| k.as_ref().is_some_and(|k| k.needs_cutover_date));
    let upload = move |_| {
        let Some(chosen) = file.get_untracked() else {
            errors.set(Some(ApiError::for_field(
                "file",
                "Choose the file to upload first.",
            )));
            return;
        };
        let Some(kind) = kind.get_untracked() else {
            return;
        };
        let date = kind
            .needs_cutover_date
            .then(|| non_empty(&cutover.get_untracked()))
            .flatten();
        checking.set(Some(format::megabytes(chosen.size())));
        errors.set(None);
        spawn_local(async move {
            let result = api::import_upload(kind.upload_name(), chosen, date).await;
            checking.try_set(None);
            match result {
                Ok(uploaded) => {
                    file.try_set(None);
                    if let Some(input) = input.get_untracked() {
                        input.set_value("");
                    }
                    on_uploaded.run(uploaded.id);
                }
                Err(error) => {
                    errors.try_set(Some(error));
                }
            }
        });
    };
    view! {
        <div class="form-row">
            <Show when=needs_date>
                <TextField label="Cut-over date" name="cutoverDate" kind="date" value=cutover errors=errors.into() required=true
                    hint="The day the balances are stated as of: the old system's last day of business." />
            </Show>
            <FileInput file=file errors=errors input=input />
        </div>
        <ActionError error=errors.into() inline_fields=&["cutoverDate", "kind", "file"] />
        <div class="button-row">
            <button class="button button-primary" type="button" data-action="upload" disabled=move || checking.with(Option::is_some) on:click=upload>
                {move || match checking.get() {
                    Some(size) => format!("Checking {size}…"),
                    None => "Upload and check".to_string(),
                }}
            </button>
            {move || checking.get().map(|size| view! {
                <span class="muted" role="status" data-test="import-checking">{format!("Checking {size}… every row is read; a large file takes a while.")}</span>
            })}
        </div>
    }
}

/// The file input with its label, the chosen file's name and size, and its error line.
#[component]
fn FileInput(
    file: RwSignal<Option<web_sys::File>, LocalStorage>,
    errors: RwSignal<Option<ApiError>>,
    input: NodeRef<html::Input>,
) -> impl IntoView {
    let message = error_for(errors.into(), "file");
    let on_file = move |event: leptos::ev::Event| {
        file.set(chosen_file(&event));
        errors.set(None);
    };
    let chosen = move || {
        file.with(|f| {
            f.as_ref()
                .map(|f| format!("{} · {}", f.name(), format::megabytes(f.size())))
        })
        .unwrap_or_else(|| "Up to 64 MB.".into())
    };
    view! {
        <div class="field" class:has-error=move || message.with(Option::is_some)>
            <label for="import-file">"File (CSV or XLSX)"<span class="required" aria-hidden="true">" *"</span></label>
            <input id="import-file" type="file" node_ref=input data-test="import-file"
                accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                aria-invalid=move || if message.with(Option::is_some) { "true" } else { "false" }
                aria-describedby="import-file-error" on:change=on_file />
            <p class="hint">{chosen}</p>
            <FieldMessage id="import-file-error".to_string() message=message />
        </div>
    }
}

/// Every import, newest first, paged with the cursor in the URL.
#[component]
fn ImportHistory(changed: RwSignal<u32>) -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let after = Memo::new(move |_| query.with(|q| q.get("after")));
    let trail = CursorTrail::new();
    let history = LocalResource::new(move || {
        changed.track();
        api::imports(PAGE_SIZE as u32, after.get())
    });
    let go = move |after: Option<String>| {
        navigate(
            &href_with_query("/imports", &[("after", after)]),
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    let on_next = {
        let go = go.clone();
        Callback::new(move |next: Option<String>| {
            trail.0.update(|trail| trail.push(after.get_untracked()));
            go(next);
        })
    };
    let on_previous = Callback::new(move |()| {
        let previous = trail.0.try_update(Vec::pop).flatten().flatten();
        go(previous);
    });
    view! {
        <section class="section">
            <h2>"History"</h2>
            {move || match history.get() {
                None => view! { <LoadingRows columns=9 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| history.refetch()) /> }.into_any(),
                Some(Ok(page)) if page.nodes.is_empty() => view! {
                    <EmptyState title="No imports yet" hint="Download the customers template above, fill it in from the old system and upload it; then purchase orders, contracts, open invoices and deferred revenue as of the cut-over date, and commission assignments." />
                }.into_any(),
                Some(Ok(page)) => {
                    let shown = page.nodes.len();
                    let next_cursor = page.page_info.end_cursor.clone();
                    view! {
                        <HistoryTable rows=page.nodes />
                        <Pager
                            shown=shown
                            offset=page_offset(trail, after.get_untracked(), PAGE_SIZE)
                            total=page.total_count
                            has_previous=!trail.0.with(Vec::is_empty)
                            has_next=page.page_info.has_next_page
                            on_previous=on_previous
                            on_next=Callback::new(move |()| on_next.run(next_cursor.clone()))
                        />
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn HistoryTable(rows: Vec<ImportRow>) -> impl IntoView {
    view! {
        <table class="table" data-test="import-history">
            <thead>
                <tr>
                    <th scope="col">"File"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col">"Format"</th>
                    <th scope="col" class="num">"Rows"</th>
                    <th scope="col" class="num">"Errors"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Uploaded"</th>
                    <th scope="col">"Committed"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| view! { <HistoryRow row=row /> }).collect_view()}
            </tbody>
        </table>
    }
}

fn by_at(person: &Option<api::ImportPerson>, at: Option<&str>) -> impl IntoView {
    match at {
        Some(at) => view! {
            <div>{person.as_ref().map_or_else(|| "—".to_string(), |p| p.name.clone())}</div>
            <div class="small muted nowrap">{format::date_time(at)}</div>
        }
        .into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

#[component]
fn HistoryRow(row: ImportRow) -> impl IntoView {
    let has_errors = row.error_count > 0;
    view! {
        <tr data-import-id=row.id.clone() data-status=row.status.clone()>
            <td><a href=format!("/imports/{}", row.id)>{row.file_name.clone()}</a></td>
            <td>{format::enum_label(&row.kind)}</td>
            <td>{row.file_format.to_uppercase()}</td>
            <td class="num">{format::count(row.row_count)}</td>
            <td class="num" class:negative=has_errors>{format::count(row.error_count)}</td>
            <td><ImportStatusBadge status=row.status.clone() /></td>
            <td>{by_at(&row.uploaded_by, Some(&row.uploaded_at))}</td>
            <td>{by_at(&row.committed_by, row.committed_at.as_deref())}</td>
        </tr>
    }
}
