//! Ladder settings: the collections steps by days since the invoice date (what each does, its
//! e-mail template or assignee, whether it is active) and the company holidays the business
//! calendar skips. Holders of COLLECTIONS_SETUP add and change steps and holidays.

use leptos::{prelude::*, task::spawn_local};
use serde_json::json;

use crate::{
    api::{self, ApiError, CollectionStep, Holiday, ASSIGNEE_ROLES, EMAIL_TEMPLATES, STEP_ACTIONS},
    app::RequirePermission,
    components::{
        field::{enum_options, non_empty, SelectField, TextField},
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format, session,
};

#[component]
pub fn LadderPage() -> impl IntoView {
    view! {
        <RequirePermission permission="COLLECTIONS_WORK">
            <div class="page">
                <p class="breadcrumb"><a href="/collections">"Collections queue"</a></p>
                <header class="page-header">
                    <div>
                        <h1>"Ladder settings"</h1>
                        <p class="muted">"What the collections ladder does as an invoice ages, counted in days since the invoice date, and the holidays it skips."</p>
                    </div>
                </header>
                <Steps />
                <Holidays />
            </div>
        </RequirePermission>
    }
}

/// The step being edited: none, a new one, or an existing one.
#[derive(Clone, Debug, PartialEq)]
enum Editing {
    None,
    New,
    Step(CollectionStep),
}

#[component]
fn Steps() -> impl IntoView {
    let can_setup = session::can("COLLECTIONS_SETUP");
    let steps = LocalResource::new(api::collection_steps);
    let editing = RwSignal::new(Editing::None);
    let notice = RwSignal::new(None::<String>);
    let on_saved = Callback::new(move |step: CollectionStep| {
        notice.set(Some(format!(
            "Step “{}” on day {} saved.",
            step.label, step.days
        )));
        editing.set(Editing::None);
        steps.refetch();
    });
    view! {
        <section class="section" data-test="ladder-steps">
            <div class="section-header">
                <h2>"Steps"</h2>
                <Show when=move || can_setup.get() && editing.with(|e| *e == Editing::None)>
                    <button class="button" type="button" data-action="add-step" on:click=move |_| { notice.set(None); editing.set(Editing::New) }>"Add step"</button>
                </Show>
            </div>
            {move || notice.get().map(|message| view! { <div class="alert alert-success" role="status" data-test="step-notice">{message}</div> })}
            {move || match editing.get() {
                Editing::None => ().into_any(),
                Editing::New => view! { <StepForm step=None on_saved=on_saved on_cancel=Callback::new(move |()| editing.set(Editing::None)) /> }.into_any(),
                Editing::Step(step) => view! { <StepForm step=Some(step) on_saved=on_saved on_cancel=Callback::new(move |()| editing.set(Editing::None)) /> }.into_any(),
            }}
            {move || match steps.get() {
                None => view! { <LoadingRows columns=7 rows=5 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| steps.refetch()) /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <EmptyState title="No steps yet" hint="Add the first step, e.g. a friendly reminder e-mail on day 30." />
                }.into_any(),
                Some(Ok(rows)) => view! { <StepTable rows=rows can_edit=can_setup on_edit=Callback::new(move |step| { notice.set(None); editing.set(Editing::Step(step)) }) /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn StepTable(
    rows: Vec<CollectionStep>,
    can_edit: Signal<bool>,
    on_edit: Callback<CollectionStep>,
) -> impl IntoView {
    let mut rows = rows;
    rows.sort_by_key(|step| step.days);
    view! {
        <table class="table" data-test="step-table">
            <thead>
                <tr>
                    <th scope="col" class="num">"Day"</th>
                    <th scope="col">"Action"</th>
                    <th scope="col">"Label"</th>
                    <th scope="col">"Template"</th>
                    <th scope="col">"Assignee"</th>
                    <th scope="col">"State"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|step| {
                    let edited = step.clone();
                    view! {
                        <tr data-step-id=step.id.clone() class:muted=!step.active>
                            <td class="num">{step.days}</td>
                            <td>{format::enum_label(&step.action)}</td>
                            <td>{step.label.clone()}</td>
                            <td>{step.template.as_deref().map(format::enum_label).unwrap_or_else(|| "—".into())}</td>
                            <td>{step.assignee_role.as_deref().map(format::enum_label).unwrap_or_else(|| "—".into())}</td>
                            <td>
                                {if step.active {
                                    view! { <Badge tone=Tone::Good label="Active" /> }
                                } else {
                                    view! { <Badge tone=Tone::Neutral label="Inactive" /> }
                                }}
                            </td>
                            <td>
                                <Show when=move || can_edit.get()>
                                    {let edited = edited.clone();
                                     view! { <button class="button button-quiet" type="button" data-action="edit-step" on:click=move |_| on_edit.run(edited.clone())>"Edit"</button> }}
                                </Show>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Adds a step (`step` is `None`) or changes one.
#[component]
fn StepForm(
    step: Option<CollectionStep>,
    on_saved: Callback<CollectionStep>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let id = step.as_ref().map(|s| s.id.clone());
    let is_new = id.is_none();
    let days = RwSignal::new(
        step.as_ref()
            .map(|s| s.days.to_string())
            .unwrap_or_default(),
    );
    let action = RwSignal::new(step.as_ref().map(|s| s.action.clone()).unwrap_or_default());
    let label = RwSignal::new(step.as_ref().map(|s| s.label.clone()).unwrap_or_default());
    let template = RwSignal::new(
        step.as_ref()
            .and_then(|s| s.template.clone())
            .unwrap_or_default(),
    );
    let role = RwSignal::new(
        step.as_ref()
            .and_then(|s| s.assignee_role.clone())
            .unwrap_or_default(),
    );
    let active = RwSignal::new(step.as_ref().is_none_or(|s| s.active));
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let id = StoredValue::new(id);
    let template_options = std::iter::once((String::new(), "None".to_string()))
        .chain(
            EMAIL_TEMPLATES
                .iter()
                .map(|t| (t.to_string(), format::enum_label(t))),
        )
        .collect::<Vec<_>>();
    let role_options = enum_options("None", &ASSIGNEE_ROLES);
    let save = move |_| {
        let Ok(day_count) = days.get_untracked().trim().parse::<i64>() else {
            errors.set(Some(ApiError::for_field(
                "days",
                "Enter the day as a whole number of days since the invoice date.",
            )));
            return;
        };
        let input = json!({
            "id": id.get_value(),
            "days": day_count,
            "action": action.get_untracked(),
            "label": label.get_untracked().trim(),
            "template": non_empty(&template.get_untracked()),
            "assigneeRole": non_empty(&role.get_untracked()),
            "active": active.get_untracked(),
        });
        pending.set(true);
        spawn_local(async move {
            let result = api::collection_step_set(input).await;
            pending.set(false);
            match result {
                Ok(saved) => on_saved.run(saved),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <form class="panel subform" data-test="step-form" on:submit=|event| event.prevent_default()>
            <h3>{if is_new { "New step" } else { "Change step" }}</h3>
            <div class="form-row">
                <TextField label="Day" name="days" value=days errors=errors.into() numeric=true required=true hint="Days since the invoice date." />
                <SelectField label="Action" name="action" value=action errors=errors.into() options=enum_options("Choose an action", &STEP_ACTIONS) required=true />
                <TextField label="Label" name="label" value=label errors=errors.into() required=true placeholder="Friendly reminder" />
            </div>
            <div class="form-row">
                <SelectField label="E-mail template" name="template" value=template errors=errors.into() options=template_options />
                <SelectField label="Assignee role" name="assigneeRole" value=role errors=errors.into() options=role_options />
            </div>
            <label class="checkbox">
                <input type="checkbox" name="active" bind:checked=active />
                "Active"
            </label>
            <ActionError error=errors.into() inline_fields=&["days", "action", "label", "template", "assigneeRole"] />
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="save-step" disabled=move || pending.get() on:click=save>
                    {move || if pending.get() { "Saving…" } else { "Save step" }}
                </button>
                <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}

#[component]
fn Holidays() -> impl IntoView {
    let can_setup = session::can("COLLECTIONS_SETUP");
    let holidays = LocalResource::new(api::holidays);
    // The calendar the last change returned, shown until the list is read again.
    let changed = RwSignal::new(None::<Vec<Holiday>>);
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let apply = move |date: String, name: Option<String>| {
        pending.set(true);
        spawn_local(async move {
            let result = api::holiday_set(date, name).await;
            pending.set(false);
            match result {
                Ok(calendar) => {
                    errors.set(None);
                    changed.set(Some(calendar));
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    let list = Signal::derive(move || match changed.get() {
        Some(calendar) => Some(Ok(calendar)),
        None => holidays.get(),
    });
    view! {
        <section class="section" data-test="holidays">
            <h2>"Company holidays"</h2>
            <p class="muted">"Weekends are never business days. Holidays pause the dispute review clock and move ladder steps to the next business day."</p>
            <ActionError error=errors.into() inline_fields=&["date", "name"] />
            {move || match list.get() {
                None => view! { <LoadingRows columns=3 rows=3 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| holidays.refetch()) /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <EmptyState title="No holidays on the calendar" hint="Add the company's holidays so reviews and reminders skip them." />
                }.into_any(),
                Some(Ok(rows)) => view! { <HolidayTable rows=rows can_edit=can_setup pending=pending on_remove=Callback::new(move |date: String| apply(date, None)) /> }.into_any(),
            }}
            <Show when=move || can_setup.get()>
                <AddHoliday errors=errors pending=pending on_add=Callback::new(move |(date, name): (String, String)| apply(date, Some(name))) />
            </Show>
        </section>
    }
}

#[component]
fn HolidayTable(
    rows: Vec<Holiday>,
    can_edit: Signal<bool>,
    pending: RwSignal<bool>,
    on_remove: Callback<String>,
) -> impl IntoView {
    let mut rows = rows;
    rows.sort_by(|a, b| a.date.cmp(&b.date));
    view! {
        <table class="table compact" data-test="holiday-table">
            <thead>
                <tr>
                    <th scope="col">"Date"</th>
                    <th scope="col">"Name"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|holiday| {
                    let date = holiday.date.clone();
                    view! {
                        <tr>
                            <td class="nowrap">{format::date(&holiday.date)}</td>
                            <td>{holiday.name}</td>
                            <td>
                                <Show when=move || can_edit.get()>
                                    {let date = date.clone();
                                     view! { <button class="button button-quiet" type="button" data-action="remove-holiday" disabled=move || pending.get() on:click=move |_| on_remove.run(date.clone())>"Remove"</button> }}
                                </Show>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn AddHoliday(
    errors: RwSignal<Option<ApiError>>,
    pending: RwSignal<bool>,
    on_add: Callback<(String, String)>,
) -> impl IntoView {
    let date = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let add = move |_| {
        let (Some(day), Some(title)) = (
            non_empty(&date.get_untracked()),
            non_empty(&name.get_untracked()),
        ) else {
            errors.set(Some(ApiError::for_field(
                if date.with_untracked(String::is_empty) {
                    "date"
                } else {
                    "name"
                },
                "Enter both the date and the holiday's name.",
            )));
            return;
        };
        on_add.run((day, title));
        name.set(String::new());
    };
    view! {
        <form class="toolbar add-holiday" data-test="add-holiday" on:submit=|event| event.prevent_default()>
            <TextField label="Date" name="date" kind="date" value=date errors=errors.into() required=true />
            <TextField label="Name" name="name" value=name errors=errors.into() required=true placeholder="Thanksgiving" />
            <button class="button" type="button" data-action="add-holiday" disabled=move || pending.get() on:click=add>"Add holiday"</button>
        </form>
    }
}
