//! The collections queue: the tasks and alerts the ladder leaves for people, grouped by the role
//! they are for, with "My tasks", open / done and customer filters kept in the URL; each task is
//! completed with a note. Holders of COLLECTIONS_RUN can run the ladder for a date and read what
//! it did.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{self, ApiError, CollectionTask, LadderRun, TaskFilter},
    app::RequirePermission,
    components::{
        collections_status::TaskKindBadge,
        export::ExportCsv,
        pager::Pager,
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format,
    routes::{href_with_query, page_offset, CursorTrail},
    session,
};

const PAGE_SIZE: usize = 50;

const STATUS_FILTERS: [(&str, &str); 3] = [("OPEN", "Open"), ("DONE", "Done"), ("ALL", "All")];

/// The queue's filters as they stand in the URL.
#[derive(Clone, Debug, PartialEq)]
struct Filters {
    /// OPEN (the default), DONE or ALL.
    status: String,
    mine: bool,
    customer_id: Option<String>,
}

impl Filters {
    fn href(&self, after: Option<String>) -> String {
        href_with_query(
            "/collections",
            &[
                ("status", Some(self.status.clone()).filter(|s| s != "OPEN")),
                ("mine", self.mine.then(|| "1".to_string())),
                ("customer", self.customer_id.clone()),
                ("after", after),
            ],
        )
    }

    fn to_api(&self) -> TaskFilter {
        TaskFilter {
            status: Some(self.status.clone()).filter(|s| s != "ALL"),
            mine: self.mine,
            customer_id: self.customer_id.clone(),
        }
    }
}

#[component]
pub fn CollectionsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="COLLECTIONS_WORK">
            <Queue />
        </RequirePermission>
    }
}

#[component]
fn Queue() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let filters = Memo::new(move |_| {
        query.with(|q| Filters {
            status: q
                .get("status")
                .filter(|s| STATUS_FILTERS.iter().any(|(value, _)| value == s))
                .unwrap_or_else(|| "OPEN".to_string()),
            mine: q.get("mine").is_some_and(|m| m == "1"),
            customer_id: q.get("customer").filter(|c| !c.is_empty()),
        })
    });
    let after = Memo::new(move |_| query.with(|q| q.get("after")));
    let trail = CursorTrail::new();
    let tasks = LocalResource::new(move || {
        let filter = filters.get().to_api();
        api::collection_tasks(filter, PAGE_SIZE as u32, after.get())
    });
    let go = move |filters: Filters, after: Option<String>| {
        navigate(
            &filters.href(after),
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    let refilter = {
        let go = go.clone();
        move |change: &dyn Fn(&mut Filters)| {
            let mut next = filters.get_untracked();
            change(&mut next);
            trail.0.set(Vec::new());
            go(next, None);
        }
    };
    let on_next = {
        let go = go.clone();
        Callback::new(move |next: Option<String>| {
            trail.0.update(|trail| trail.push(after.get_untracked()));
            go(filters.get_untracked(), next);
        })
    };
    let on_previous = Callback::new(move |()| {
        let previous = trail.0.try_update(Vec::pop).flatten().flatten();
        go(filters.get_untracked(), previous);
    });
    let notice = RwSignal::new(None::<String>);
    let on_done = Callback::new(move |message: String| {
        notice.set(Some(message));
        tasks.refetch();
    });

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Collections queue"</h1>
                    <p class="muted">"Tasks and alerts from the collections ladder, open first and by due date."</p>
                </div>
                <a class="button button-quiet" href="/collections/ladder">"Ladder settings"</a>
            </header>
            <RunLadder on_run=Callback::new(move |()| tasks.refetch()) />
            <QueueToolbar filters=filters refilter=Callback::new(move |change: Filters| refilter(&|f: &mut Filters| *f = change.clone())) />
            {move || notice.get().map(|message| view! {
                <div class="alert alert-success" role="status" data-test="task-notice">{message}</div>
            })}
            {move || match tasks.get() {
                None => view! { <LoadingRows columns=7 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| tasks.refetch()) /> }.into_any(),
                Some(Ok(page)) if page.nodes.is_empty() => {
                    let (title, hint) = if filters.with_untracked(|f| f.status == "OPEN" && !f.mine && f.customer_id.is_none()) {
                        ("Nothing to chase right now", "The ladder adds tasks and alerts here as invoices age; run it for a date above to see what it would do.")
                    } else {
                        ("No tasks match these filters", "Choose “All”, untick “My tasks” or clear the customer to see more.")
                    };
                    view! { <EmptyState title=title hint=hint /> }.into_any()
                }
                Some(Ok(page)) => {
                    let shown = page.nodes.len();
                    let next_cursor = page.page_info.end_cursor.clone();
                    let export_rows = task_csv_rows(&page.nodes);
                    view! {
                        <TaskGroups tasks=page.nodes on_done=on_done />
                        <Pager
                            shown=shown
                            offset=page_offset(trail, after.get_untracked(), PAGE_SIZE)
                            total=page.total_count
                            has_previous=!trail.0.with(Vec::is_empty)
                            has_next=page.page_info.has_next_page
                            on_previous=on_previous
                            on_next=Callback::new(move |()| on_next.run(next_cursor.clone()))
                        >
                            <ExportCsv filename=format!("collections-queue-{}.csv", format::today_iso()) header=&TASK_CSV_HEADER rows=export_rows />
                        </Pager>
                    }.into_any()
                }
            }}
        </div>
    }
}

#[component]
fn QueueToolbar(filters: Memo<Filters>, refilter: Callback<Filters>) -> impl IntoView {
    view! {
        <div class="toolbar">
            <div class="segmented" role="group" aria-label="Filter by status">
                {STATUS_FILTERS.iter().map(|(value, label)| {
                    let value = *value;
                    let selected = move || filters.with(|f| f.status == value);
                    view! {
                        <button
                            type="button"
                            class="segment"
                            class:selected=selected
                            aria-pressed=move || if selected() { "true" } else { "false" }
                            data-filter=value
                            on:click=move |_| {
                                let mut next = filters.get_untracked();
                                next.status = value.to_string();
                                refilter.run(next);
                            }
                        >
                            {*label}
                        </button>
                    }
                }).collect_view()}
            </div>
            <label class="checkbox">
                <input
                    type="checkbox"
                    data-filter="mine"
                    prop:checked=move || filters.with(|f| f.mine)
                    on:change=move |event| {
                        let mut next = filters.get_untracked();
                        next.mine = event_target_checked(&event);
                        refilter.run(next);
                    }
                />
                "My tasks (mine or my role's)"
            </label>
            {move || filters.with(|f| f.customer_id.clone()).map(|customer_id| view! {
                <span class="filter-note">
                    <a href=format!("/customers/{customer_id}")>"One customer"</a>
                    " · "
                    <button class="button button-quiet" type="button" on:click=move |_| {
                        let mut next = filters.get_untracked();
                        next.customer_id = None;
                        refilter.run(next);
                    }>"Show all customers"</button>
                </span>
            })}
        </div>
    }
}

/// The role a task is for, in words.
fn role_label(role: Option<&str>) -> String {
    role.map_or_else(|| "Anyone in collections".to_string(), format::enum_label)
}

/// The page's tasks in groups by role, in the order each role first appears (the server orders
/// by due date, so the most urgent group comes first).
fn group_by_role(tasks: Vec<CollectionTask>) -> Vec<(Option<String>, Vec<CollectionTask>)> {
    let mut groups: Vec<(Option<String>, Vec<CollectionTask>)> = Vec::new();
    for task in tasks {
        match groups
            .iter_mut()
            .find(|(role, _)| *role == task.assignee_role)
        {
            Some((_, group)) => group.push(task),
            None => groups.push((task.assignee_role.clone(), vec![task])),
        }
    }
    groups
}

#[component]
fn TaskGroups(tasks: Vec<CollectionTask>, on_done: Callback<String>) -> impl IntoView {
    let today = format::today_iso();
    view! {
        <div data-test="task-queue">
            {group_by_role(tasks).into_iter().map(|(role, group)| {
                let today = today.clone();
                view! {
                    <section class="section" data-role=role.clone().unwrap_or_default()>
                        <h2>{format!("{} ({})", role_label(role.as_deref()), group.len())}</h2>
                        <table class="table" data-test="task-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Kind"</th>
                                    <th scope="col">"Task"</th>
                                    <th scope="col">"Customer"</th>
                                    <th scope="col">"Links"</th>
                                    <th scope="col">"Due"</th>
                                    <th scope="col">"Done"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {group.into_iter().map(|task| view! { <TaskRow task=task today=today.clone() on_done=on_done /> }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn TaskRow(task: CollectionTask, today: String, on_done: Callback<String>) -> impl IntoView {
    let is_alert = task.kind == "alert";
    let is_open = task.status == "OPEN";
    let overdue = is_open && task.due_on < today;
    view! {
        <tr class:row-alert=is_alert class:row-late=overdue data-task-id=task.id.clone() data-kind=task.kind.clone()>
            <td><TaskKindBadge kind=task.kind.clone() /></td>
            <td>
                <strong>{task.title.clone()}</strong>
                <div class="small muted">{task.detail.clone()}</div>
            </td>
            <td>
                {task.customer.clone().map(|c| view! { <a href=format!("/customers/{}", c.id)>{c.legal_name}</a> })}
            </td>
            <td class="nowrap">
                {task.invoice_id.clone().map(|id| view! { <div><a href=format!("/invoices/{id}")>"Invoice"</a></div> })}
                {task.dispute_id.clone().map(|id| view! { <div><a href=format!("/disputes/{id}")>"Dispute"</a></div> })}
            </td>
            <td class="nowrap">
                {format::date(&task.due_on)}
                {overdue.then(|| view! { " " <Badge tone=Tone::Danger label="Overdue" /> })}
            </td>
            <td>
                {if is_open {
                    view! { <CompleteTask task_id=task.id.clone() title=task.title.clone() on_done=on_done /> }.into_any()
                } else {
                    view! {
                        <Badge tone=Tone::Good label="Done" />
                        {task.done_at.as_deref().map(|at| view! { <div class="small muted">{format::date(at)}</div> })}
                        {task.note.clone().map(|note| view! { <div class="small">{note}</div> })}
                    }.into_any()
                }}
            </td>
        </tr>
    }
}

/// Completing a task: a note on what was done, then "Mark done".
#[component]
fn CompleteTask(task_id: String, title: String, on_done: Callback<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let input_id = format!("task-note-{task_id}");
    let task_id = StoredValue::new(task_id);
    let title = StoredValue::new(title);
    let complete = move |_| {
        let text = note.get_untracked().trim().to_string();
        if text.is_empty() {
            errors.set(Some(ApiError::for_field(
                "note",
                "Say what you did, e.g. “Called the CFO; payment promised for Friday.”",
            )));
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = api::collection_task_complete(task_id.get_value(), text).await;
            pending.set(false);
            match result {
                Ok(_) => on_done.run(format!("Done: {}", title.get_value())),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <Show
            when=move || open.get()
            fallback=move || view! {
                <button class="button" type="button" data-action="complete-task" on:click=move |_| open.set(true)>"Complete…"</button>
            }
        >
            <div class="compact-decision">
                <label for=input_id.clone()>"Note"</label>
                <textarea id=input_id.clone() rows="2" bind:value=note aria-invalid=move || if errors.with(|e| e.as_ref().and_then(|e| e.field("note")).is_some()) { "true" } else { "false" }></textarea>
                {move || errors.with(|e| e.as_ref().and_then(|e| e.field("note"))).map(|message| view! { <p class="field-error">{message}</p> })}
                <ActionError error=errors.into() inline_fields=&["note"] />
                <div class="button-row">
                    <button class="button button-primary" type="button" data-action="confirm" disabled=move || pending.get() on:click=complete>
                        {move || if pending.get() { "Saving…" } else { "Mark done" }}
                    </button>
                    <button class="button" type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                </div>
            </div>
        </Show>
    }
}

const TASK_CSV_HEADER: [&str; 10] = [
    "id",
    "kind",
    "title",
    "detail",
    "customer",
    "invoice_id",
    "assignee_role",
    "due_on",
    "status",
    "note",
];

fn task_csv_rows(tasks: &[CollectionTask]) -> Vec<Vec<String>> {
    tasks
        .iter()
        .map(|t| {
            vec![
                t.id.clone(),
                t.kind.clone(),
                t.title.clone(),
                t.detail.clone(),
                t.customer
                    .as_ref()
                    .map(|c| c.legal_name.clone())
                    .unwrap_or_default(),
                t.invoice_id.clone().unwrap_or_default(),
                t.assignee_role.clone().unwrap_or_default(),
                t.due_on.clone(),
                t.status.clone(),
                t.note.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

/// "Run ladder for date", for holders of COLLECTIONS_RUN.
#[component]
fn RunLadder(on_run: Callback<()>) -> impl IntoView {
    let can_run = session::can("COLLECTIONS_RUN");
    move || {
        can_run
            .get()
            .then(|| view! { <RunLadderPanel on_run=on_run /> })
    }
}

#[component]
fn RunLadderPanel(on_run: Callback<()>) -> impl IntoView {
    let as_of = RwSignal::new(format::today_iso());
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let errors = RwSignal::new(None::<ApiError>);
    let result = RwSignal::new(None::<LadderRun>);
    let run = move |_| {
        let date = Some(as_of.get_untracked()).filter(|d| !d.is_empty());
        pending.set(true);
        spawn_local(async move {
            let outcome = api::collections_run(date).await;
            pending.set(false);
            confirming.set(false);
            match outcome {
                Ok(run) => {
                    errors.set(None);
                    result.set(Some(run));
                    on_run.run(());
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <details class="panel" data-test="run-ladder">
            <summary>"Run ladder for a date"</summary>
            <p class="muted">"The ladder runs every business day by itself. Running it again for a date does each step once: nothing is sent twice."</p>
            <div class="toolbar">
                <div class="field">
                    <label for="ladder-as-of">"As of"</label>
                    <input id="ladder-as-of" type="date" bind:value=as_of />
                </div>
            </div>
            <ActionError error=errors.into() />
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <div class="button-row">
                        <button class="button" type="button" data-action="run-ladder" on:click=move |_| confirming.set(true)>"Run ladder…"</button>
                    </div>
                }
            >
                <div class="confirm" role="alertdialog" aria-label="Confirm running the ladder">
                    <p>{move || format!("Run the collections ladder as of {}? Due reminders are e-mailed, tasks created and credit holds placed or lifted.", format::date(&as_of.get()))}</p>
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="confirm" disabled=move || pending.get() on:click=run>
                            {move || if pending.get() { "Running…" } else { "Run ladder" }}
                        </button>
                        <button class="button" type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                    </div>
                </div>
            </Show>
            {move || result.get().map(|run| view! { <LadderRunResult run=run /> })}
        </details>
    }
}

#[component]
fn LadderRunResult(run: LadderRun) -> impl IntoView {
    view! {
        <div class="alert alert-success" role="status" data-test="ladder-run-summary">
            <strong>{format!("Ladder run as of {}", format::date(&run.as_of))}</strong>
            <p>{run.summary.clone()}</p>
        </div>
        <dl class="facts inline">
            <dt>"Invoices checked"</dt><dd class="num">{run.invoices_checked}</dd>
            <dt>"E-mails queued"</dt><dd class="num">{run.emails_queued}</dd>
            <dt>"Holds placed"</dt><dd class="num">{run.holds_placed.len()}</dd>
            <dt>"Holds lifted"</dt><dd class="num">{run.holds_lifted.len()}</dd>
            <dt>"Disputes late"</dt><dd class="num">{run.disputes_late.len()}</dd>
            <dt>"Disputes escalated"</dt><dd class="num">{run.disputes_escalated.len()}</dd>
        </dl>
        {if run.actions.is_empty() {
            view! { <p class="muted">"No step was due on this date."</p> }.into_any()
        } else {
            view! {
                <table class="table compact" data-test="ladder-run-actions">
                    <thead>
                        <tr>
                            <th scope="col">"Invoice"</th>
                            <th scope="col" class="num">"Day"</th>
                            <th scope="col">"Step"</th>
                            <th scope="col">"Action"</th>
                            <th scope="col">"Outcome"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {run.actions.into_iter().map(|action| view! {
                            <tr>
                                <td class="nowrap"><a href=format!("/invoices/{}", action.invoice_id)>{action.invoice_number}</a></td>
                                <td class="num">{action.days}</td>
                                <td>{action.label}</td>
                                <td>{format::enum_label(&action.action)}</td>
                                <td>{format::enum_label(&action.outcome)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, role: Option<&str>) -> CollectionTask {
        CollectionTask {
            id: id.into(),
            invoice_id: None,
            dispute_id: None,
            kind: "task".into(),
            title: String::new(),
            detail: String::new(),
            assignee_role: role.map(str::to_string),
            assignee_id: None,
            due_on: "2026-11-26".into(),
            status: "OPEN".into(),
            done_at: None,
            note: None,
            customer: None,
        }
    }

    #[test]
    fn tasks_group_by_role_in_the_order_roles_first_appear() {
        let groups = group_by_role(vec![
            task("1", Some("AR_SPECIALIST")),
            task("2", Some("ACCOUNT_MANAGER")),
            task("3", Some("AR_SPECIALIST")),
            task("4", None),
        ]);
        let shape: Vec<(Option<&str>, Vec<&str>)> = groups
            .iter()
            .map(|(role, tasks)| {
                (
                    role.as_deref(),
                    tasks.iter().map(|t| t.id.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                (Some("AR_SPECIALIST"), vec!["1", "3"]),
                (Some("ACCOUNT_MANAGER"), vec!["2"]),
                (None, vec!["4"]),
            ]
        );
    }
}
