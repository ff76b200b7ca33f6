//! The field mapping editor of a connector: rows of CRM field → intake field, the value tables
//! (billing frequencies, payment terms, currencies), the stages that mean closed won and the
//! currency of bare amounts; saved whole through `intakeConnectorUpdate`. Every problem, found
//! here or by the server, shows beside the row or input it is about; nothing typed is lost when
//! a save fails.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ApiError, ErrorCode, ErrorItem, IntakeConnector},
    components::{
        field::focus_first_invalid,
        states::{ActionError, ErrorPanel},
    },
    intake_mapping::{
        target_label, DraftProblem, FieldRow, MappingDraft, ValueRow, ValueTable, TARGETS,
        VALUE_TABLES,
    },
};

/// Two editable texts of one row, with a key that survives the removal of rows above it.
#[derive(Clone, Copy)]
struct PairRow {
    key: u64,
    left: RwSignal<String>,
    right: RwSignal<String>,
}

/// A list of rows being edited, handing out fresh keys.
#[derive(Clone, Copy)]
struct Rows {
    rows: RwSignal<Vec<PairRow>>,
    next_key: StoredValue<u64>,
}

impl Rows {
    fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Rows {
        let rows = Rows {
            rows: RwSignal::new(Vec::new()),
            next_key: StoredValue::new(0),
        };
        for (left, right) in pairs {
            rows.push(left, right);
        }
        rows
    }

    fn push(&self, left: String, right: String) {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        let row = PairRow {
            key,
            left: RwSignal::new(left),
            right: RwSignal::new(right),
        };
        self.rows.update(|rows| rows.push(row));
    }

    fn remove(&self, key: u64) {
        self.rows.update(|rows| rows.retain(|row| row.key != key));
    }

    fn pairs(&self) -> Vec<(String, String)> {
        self.rows.with_untracked(|rows| {
            rows.iter()
                .map(|row| (row.left.get_untracked(), row.right.get_untracked()))
                .collect()
        })
    }
}

/// The problems found before saving, as the errors a failed save would carry.
fn as_api_error(problems: Vec<DraftProblem>) -> ApiError {
    ApiError {
        items: problems
            .into_iter()
            .map(|problem| ErrorItem {
                code: ErrorCode::Validation,
                message: problem.message,
                field: Some(problem.field),
            })
            .collect(),
    }
}

/// The messages naming exactly `field` (not the fields under it).
fn exact_error(errors: RwSignal<Option<ApiError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || {
        errors.with(|errors| {
            let messages: Vec<String> = errors
                .iter()
                .flat_map(|error| error.items.iter())
                .filter(|item| item.field.as_deref() == Some(field))
                .map(|item| item.message.clone())
                .collect();
            (!messages.is_empty()).then(|| messages.join(" "))
        })
    })
}

/// The editor for `connector`'s mapping; `editable` is false for roles that may only read it.
#[component]
pub fn MappingEditor(
    connector: IntakeConnector,
    editable: bool,
    on_saved: Callback<IntakeConnector>,
) -> impl IntoView {
    let draft = match MappingDraft::parse(&connector.mapping_json) {
        Ok(draft) => draft,
        Err(message) => {
            let error = ApiError::for_field("mappingJson", message);
            return view! { <ErrorPanel error=error /> }.into_any();
        }
    };
    let id = StoredValue::new(connector.id.clone());
    let fields = Rows::new(
        draft
            .fields
            .iter()
            .map(|row| (row.crm.clone(), row.target.clone())),
    );
    let tables: Vec<Rows> = draft
        .tables
        .iter()
        .map(|rows| Rows::new(rows.iter().map(|row| (row.crm.clone(), row.revops.clone()))))
        .collect();
    let stages = Rows::new(
        draft
            .closed_won_stages
            .iter()
            .map(|stage| (stage.clone(), String::new())),
    );
    let currency = RwSignal::new(draft.currency.clone());
    let base = StoredValue::new(draft);
    let errors = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let tables_stored = StoredValue::new(tables.clone());
    let save = move |_| {
        let mut edited = base.get_value();
        edited.fields = fields
            .pairs()
            .into_iter()
            .map(|(crm, target)| FieldRow { crm, target })
            .collect();
        edited.tables = tables_stored.with_value(|tables| {
            tables
                .iter()
                .map(|rows| {
                    rows.pairs()
                        .into_iter()
                        .map(|(crm, revops)| ValueRow { crm, revops })
                        .collect()
                })
                .collect()
        });
        edited.closed_won_stages = stages.pairs().into_iter().map(|(stage, _)| stage).collect();
        edited.currency = currency.get_untracked();
        saved.set(false);
        let json = match edited.to_json() {
            Ok(json) => json,
            Err(problems) => {
                errors.set(Some(as_api_error(problems)));
                focus_first_invalid();
                return;
            }
        };
        errors.set(None);
        pending.set(true);
        spawn_local(async move {
            let result = api::intake_connector_update(id.get_value(), None, Some(json)).await;
            pending.try_set(false);
            match result {
                Ok(connector) => {
                    saved.try_set(true);
                    on_saved.run(connector);
                }
                Err(error) => {
                    errors.try_set(Some(error));
                    focus_first_invalid();
                }
            }
        });
    };
    view! {
        <section class="section" data-test="mapping-editor">
            <h2>"Field mapping"</h2>
            <p class="muted">"Which CRM field fills which intake field, and how the CRM's values read in revops. Fields not listed are ignored; the deal's checklist shows what is still missing."</p>
            <FieldRows rows=fields errors=errors editable=editable />
            {VALUE_TABLES.iter().zip(tables).map(|(table, rows)| view! { <ValueTableRows table=*table rows=rows errors=errors editable=editable /> }).collect_view()}
            <StageRows rows=stages errors=errors editable=editable />
            <CurrencyField currency=currency errors=errors editable=editable />
            <ActionError error=errors.into() inline_fields=&["mapping", "mappingJson"] />
            {editable.then(|| view! {
                <div class="button-row">
                    <button class="button button-primary" type="button" data-action="save-mapping" disabled=move || pending.get() on:click=save>
                        {move || if pending.get() { "Saving…" } else { "Save mapping" }}
                    </button>
                    {move || saved.get().then(|| view! { <span class="muted" role="status" data-test="mapping-saved">"Mapping saved; the next notification uses it."</span> })}
                </div>
            })}
        </section>
    }
    .into_any()
}

/// A row's error line, found by its position (this page's checks) or its CRM name (the
/// server's), linked to the row's inputs by `id`.
#[component]
fn RowError(id: String, message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|message| view! { <p class="field-error" id=id.clone()>{message}</p> })
    }
}

fn row_message(
    errors: RwSignal<Option<ApiError>>,
    rows: Rows,
    key: u64,
    by_position: impl Fn(usize) -> String + Send + Sync + 'static,
    by_name: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    left: RwSignal<String>,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        let position = rows
            .rows
            .with(|rows| rows.iter().position(|row| row.key == key))?;
        errors.with(|errors| {
            let errors = errors.as_ref()?;
            errors
                .field(&by_position(position))
                .or_else(|| by_name(left.get().trim()).and_then(|name| errors.field(&name)))
        })
    })
}

#[component]
fn FieldRows(rows: Rows, errors: RwSignal<Option<ApiError>>, editable: bool) -> impl IntoView {
    let section_error = exact_error(errors, "mapping.fields");
    let json_error = exact_error(errors, "mappingJson");
    let add = move |_| {
        rows.push(String::new(), String::new());
        errors.set(None);
    };
    view! {
        <h3>"CRM field → intake field"</h3>
        <table class="table compact mapping-rows" data-test="field-rows">
            <thead><tr><th scope="col">"CRM field"</th><th scope="col">"Intake field"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
            <tbody>
                <For each=move || rows.rows.get() key=|row| row.key let:row>
                    <FieldRowView rows=rows row=row errors=errors editable=editable />
                </For>
            </tbody>
        </table>
        {move || section_error.get().or_else(|| json_error.get()).map(|message| view! { <p class="field-error" role="alert" data-test="mapping-error">{message}</p> })}
        {editable.then(|| view! { <button class="button" type="button" data-action="add-field-row" on:click=add>"Add a field"</button> })}
    }
}

#[component]
fn FieldRowView(
    rows: Rows,
    row: PairRow,
    errors: RwSignal<Option<ApiError>>,
    editable: bool,
) -> impl IntoView {
    let message = row_message(
        errors,
        rows,
        row.key,
        |position| format!("mapping.fields.{position}"),
        |name| (!name.is_empty()).then(|| format!("mapping.fields.{name}")),
        row.left,
    );
    let invalid = move || {
        if message.with(Option::is_some) {
            "true"
        } else {
            "false"
        }
    };
    let error_id = format!("field-row-{}-error", row.key);
    let targets: Vec<(String, String)> =
        std::iter::once((String::new(), "Choose the intake field".to_string()))
            .chain(
                TARGETS
                    .iter()
                    .map(|(path, label)| (path.to_string(), label.to_string())),
            )
            .collect();
    view! {
        <tr data-row=row.key>
            <td>
                <label class="visually-hidden" for=format!("crm-field-{}", row.key)>"CRM field"</label>
                <input id=format!("crm-field-{}", row.key) type="text" class="mono" data-test="crm-field" bind:value=row.left disabled=!editable
                    aria-invalid=invalid aria-describedby=error_id.clone() placeholder="e.g. Amount" />
                <RowError id=error_id.clone() message=message />
            </td>
            <td>
                <label class="visually-hidden" for=format!("intake-field-{}", row.key)>"Intake field"</label>
                <select id=format!("intake-field-{}", row.key) data-test="intake-field" disabled=!editable aria-invalid=invalid aria-describedby=error_id
                    prop:value=move || row.right.get() on:change=move |event| row.right.set(event_target_value(&event))>
                    {targets.into_iter().map(|(value, label)| {
                        let chosen = value.clone();
                        view! { <option value=value selected=move || row.right.with(|r| *r == chosen)>{label}</option> }
                    }).collect_view()}
                </select>
            </td>
            <td>
                {editable.then(|| view! {
                    <button class="button button-quiet" type="button" data-action="remove-row"
                        aria-label=move || format!("Remove the row for {}", row.left.get())
                        on:click=move |_| { rows.remove(row.key); errors.set(None); }>"Remove"</button>
                })}
            </td>
        </tr>
    }
}

#[component]
fn ValueTableRows(
    table: ValueTable,
    rows: Rows,
    errors: RwSignal<Option<ApiError>>,
    editable: bool,
) -> impl IntoView {
    let add = move |_| {
        rows.push(String::new(), String::new());
        errors.set(None);
    };
    view! {
        <h3>{table.title}</h3>
        <p class="small muted">{format!("CRM values of “{}” and what they mean in revops; a value not listed is sent as it is.", target_label(table.target))}</p>
        <table class="table compact mapping-rows" data-test="value-rows" data-target=table.target>
            <thead><tr><th scope="col">"CRM value"</th><th scope="col">"revops value"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
            <tbody>
                <For each=move || rows.rows.get() key=|row| row.key let:row>
                    <ValueRowView table=table rows=rows row=row errors=errors editable=editable />
                </For>
            </tbody>
        </table>
        {editable.then(|| view! { <button class="button" type="button" data-action="add-value-row" on:click=add>{format!("Add to {}", table.title.to_lowercase())}</button> })}
    }
}

#[component]
fn ValueRowView(
    table: ValueTable,
    rows: Rows,
    row: PairRow,
    errors: RwSignal<Option<ApiError>>,
    editable: bool,
) -> impl IntoView {
    let target = table.target;
    let message = row_message(
        errors,
        rows,
        row.key,
        move |position| format!("mapping.values.{target}.{position}"),
        |_| None,
        row.left,
    );
    let invalid = move || {
        if message.with(Option::is_some) {
            "true"
        } else {
            "false"
        }
    };
    let id = format!("value-{}-{}", target.replace('.', "-"), row.key);
    let error_id = format!("{id}-error");
    let revops_input = if table.choices.is_empty() {
        view! {
            <input id=format!("{id}-revops") type="text" class="mono" size=5 bind:value=row.right disabled=!editable aria-invalid=invalid aria-describedby=error_id.clone() placeholder="USD" />
        }.into_any()
    } else {
        let options: Vec<(String, String)> = std::iter::once((String::new(), "Choose".to_string()))
            .chain(
                table
                    .choices
                    .iter()
                    .map(|(value, label)| (value.to_string(), label.to_string())),
            )
            .collect();
        view! {
            <select id=format!("{id}-revops") disabled=!editable aria-invalid=invalid aria-describedby=error_id.clone()
                prop:value=move || row.right.get() on:change=move |event| row.right.set(event_target_value(&event))>
                {options.into_iter().map(|(value, label)| {
                    let chosen = value.clone();
                    view! { <option value=value selected=move || row.right.with(|r| *r == chosen)>{label}</option> }
                }).collect_view()}
            </select>
        }.into_any()
    };
    view! {
        <tr>
            <td>
                <label class="visually-hidden" for=format!("{id}-crm")>"CRM value"</label>
                <input id=format!("{id}-crm") type="text" bind:value=row.left disabled=!editable aria-invalid=invalid aria-describedby=error_id.clone() />
                <RowError id=error_id.clone() message=message />
            </td>
            <td>
                <label class="visually-hidden" for=format!("{id}-revops")>"revops value"</label>
                {revops_input}
            </td>
            <td>
                {editable.then(|| view! {
                    <button class="button button-quiet" type="button" on:click=move |_| { rows.remove(row.key); errors.set(None); }>"Remove"</button>
                })}
            </td>
        </tr>
    }
}

#[component]
fn StageRows(rows: Rows, errors: RwSignal<Option<ApiError>>, editable: bool) -> impl IntoView {
    let add = move |_| {
        rows.push(String::new(), String::new());
        errors.set(None);
    };
    view! {
        <h3>"Stages that mean closed won"</h3>
        <p class="small muted">"Only a notification in one of these stages (as the CRM spells it, any case) creates or changes a deal; other stages are kept in the inbox as ignored."</p>
        <table class="table compact mapping-rows" data-test="stage-rows">
            <thead><tr><th scope="col">"CRM stage"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
            <tbody>
                <For each=move || rows.rows.get() key=|row| row.key let:row>
                    {
                        let message = row_message(errors, rows, row.key, |position| format!("mapping.closedWonStages.{position}"), |_| None, row.left);
                        let id = format!("stage-{}", row.key);
                        let error_id = format!("{id}-error");
                        view! {
                            <tr>
                                <td>
                                    <label class="visually-hidden" for=id.clone()>"CRM stage"</label>
                                    <input id=id type="text" bind:value=row.left disabled=!editable
                                        aria-invalid=move || if message.with(Option::is_some) { "true" } else { "false" } aria-describedby=error_id.clone() />
                                    <RowError id=error_id message=message />
                                </td>
                                <td>{editable.then(|| view! { <button class="button button-quiet" type="button" on:click=move |_| { rows.remove(row.key); errors.set(None); }>"Remove"</button> })}</td>
                            </tr>
                        }
                    }
                </For>
            </tbody>
        </table>
        {editable.then(|| view! { <button class="button" type="button" data-action="add-stage" on:click=add>"Add a stage"</button> })}
    }
}

#[component]
fn CurrencyField(
    currency: RwSignal<String>,
    errors: RwSignal<Option<ApiError>>,
    editable: bool,
) -> impl IntoView {
    let message = exact_error(errors, "mapping.currency");
    view! {
        <div class="field field-narrow" class:has-error=move || message.with(Option::is_some)>
            <label for="mapping-currency">"Currency of amounts without one"</label>
            <input id="mapping-currency" type="text" class="mono" size=5 bind:value=currency disabled=!editable
                aria-invalid=move || if message.with(Option::is_some) { "true" } else { "false" } aria-describedby="mapping-currency-error" />
            <p class="hint">"Used when no CRM field gives the deal's currency (ISO code, e.g. USD)."</p>
            <crate::components::field::FieldMessage id="mapping-currency-error".to_string() message=message />
        </div>
    }
}
