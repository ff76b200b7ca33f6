//! A deal's commission split, a section of the deal page: who is credited with what share
//! (the assigned AE at 100 % until a split is set), and for RevOps an editor of reps and
//! percentages that must add up to exactly 100, with the server's message beside the row it
//! names.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ApiError, DealSplit},
    components::{
        field::FieldMessage,
        states::{ActionError, ErrorPanel, LoadingRows},
    },
    format, session,
};

/// Shown only to readers of commissions; the editor only to those who manage splits.
#[component]
pub fn DealSplitSection(deal_id: String) -> impl IntoView {
    let can_read = session::can("COMMISSION_READ");
    let deal_id = StoredValue::new(deal_id);
    move || {
        can_read
            .get()
            .then(|| view! { <DealSplits deal_id=deal_id.get_value() /> })
    }
}

#[component]
fn DealSplits(deal_id: String) -> impl IntoView {
    let deal_id = StoredValue::new(deal_id);
    let splits = LocalResource::new(move || api::deal_splits(deal_id.get_value()));
    let can_manage = session::can("DEAL_SPLIT_MANAGE");
    let editing = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let on_saved = Callback::new(move |saved: Vec<DealSplit>| {
        editing.set(false);
        notice.set(Some(format!(
            "Split saved: {}.",
            saved
                .iter()
                .map(|split| format!(
                    "{} {}",
                    split.user_name,
                    format::percent_text(&split.percent)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        )));
        splits.refetch();
    });
    view! {
        <section class="panel" data-test="deal-splits">
            <div class="panel-header">
                <h2>"Commission split"</h2>
                <Show when=move || can_manage.get() && !editing.get()>
                    <button class="button" type="button" data-action="edit-split" on:click=move |_| { notice.set(None); editing.set(true); }>
                        "Change split"
                    </button>
                </Show>
            </div>
            <p class="muted small">"Each rep is credited with their share of the deal under their own plan. Without a split the assigned account executive gets all of it."</p>
            {move || notice.get().map(|message| view! { <div class="alert alert-success" role="status" data-test="split-notice">{message}</div> })}
            {move || match splits.get() {
                None => view! { <LoadingRows columns=2 rows=2 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| splits.refetch()) /> }.into_any(),
                Some(Ok(list)) if editing.get() => view! {
                    <SplitEditor deal_id=deal_id.get_value() current=list on_saved=on_saved on_cancel=Callback::new(move |()| editing.set(false)) />
                }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted">"No one is credited yet: assign an account executive to the deal or set a split."</p>
                }.into_any(),
                Some(Ok(list)) => view! { <SplitTable splits=list /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn SplitTable(splits: Vec<DealSplit>) -> impl IntoView {
    view! {
        <table class="table compact" data-test="split-table">
            <thead>
                <tr>
                    <th scope="col">"Rep"</th>
                    <th scope="col" class="num">"Share"</th>
                </tr>
            </thead>
            <tbody>
                {splits.into_iter().map(|split| view! {
                    <tr data-user-id=split.user_id.clone()>
                        <td>{split.user_name}</td>
                        <td class="num">{format::percent_text(&split.percent)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// One editable row: a rep and their percentage, as typed.
#[derive(Clone, Copy)]
struct SplitRow {
    key: u64,
    user_id: RwSignal<String>,
    percent: RwSignal<String>,
}

/// The rows' percentages added exactly, when each is a number.
fn split_total(rows: &[SplitRow]) -> Option<String> {
    let typed: Vec<String> = rows
        .iter()
        .map(|row| row.percent.get().trim().trim_end_matches('%').to_string())
        .collect();
    format::sum_amounts(typed.iter().map(String::as_str))
}

#[component]
fn SplitEditor(
    deal_id: String,
    current: Vec<DealSplit>,
    on_saved: Callback<Vec<DealSplit>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let users = LocalResource::new(|| api::user_options(None));
    let next_key = StoredValue::new(0_u64);
    let new_row = move |user_id: String, percent: String| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        SplitRow {
            key,
            user_id: RwSignal::new(user_id),
            percent: RwSignal::new(percent),
        }
    };
    let initial: Vec<SplitRow> = if current.is_empty() {
        vec![new_row(String::new(), "100".into())]
    } else {
        current
            .into_iter()
            .map(|split| new_row(split.user_id, split.percent))
            .collect()
    };
    let rows = RwSignal::new(initial);
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let deal_id = StoredValue::new(deal_id);
    let total = Memo::new(move |_| rows.with(|rows| split_total(rows)));
    let sums_to_hundred = move || {
        total.get().is_some_and(|total| {
            format::sum_amounts([total.as_str(), "-100"]).is_some_and(|gap| format::is_zero(&gap))
        })
    };
    let save = move |_| {
        let splits: Vec<(String, String)> = rows.with_untracked(|rows| {
            rows.iter()
                .map(|row| {
                    (
                        row.user_id.get_untracked(),
                        row.percent
                            .get_untracked()
                            .trim()
                            .trim_end_matches('%')
                            .to_string(),
                    )
                })
                .collect()
        });
        if let Some(index) = splits.iter().position(|(user_id, _)| user_id.is_empty()) {
            errors.set(Some(ApiError::for_field(
                &format!("splits.{index}.userId"),
                "Choose the rep.",
            )));
            return;
        }
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::deal_split_set(deal_id.get_value(), splits).await;
            pending.set(false);
            match result {
                Ok(saved) => on_saved.run(saved),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    let options = Signal::derive(move || match users.get() {
        Some(Ok(list)) => std::iter::once((String::new(), "Choose a rep".to_string()))
            .chain(list.into_iter().map(|user| {
                (
                    user.id,
                    format!("{} ({})", user.name, format::enum_label(&user.role)),
                )
            }))
            .collect::<Vec<_>>(),
        _ => vec![(String::new(), "Loading people…".to_string())],
    });
    let error_signal: Signal<Option<ApiError>> = errors.into();
    // The server names "splits" itself when the percentages do not add up to 100.
    let split_error = move || {
        errors.with(|errors| {
            errors.as_ref().and_then(|errors| {
                let messages: Vec<&str> = errors
                    .items
                    .iter()
                    .filter(|item| item.field.as_deref() == Some("splits"))
                    .map(|item| item.message.as_str())
                    .collect();
                (!messages.is_empty()).then(|| messages.join(" "))
            })
        })
    };
    view! {
        <form class="split-editor" data-test="split-editor" on:submit=|event| event.prevent_default()>
            <table class="table compact">
                <thead>
                    <tr>
                        <th scope="col">"Rep"</th>
                        <th scope="col" class="num">"Share (%)"</th>
                        <th scope="col"><span class="visually-hidden">"Remove"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|row| row.key let:row>
                        <SplitEditorRow row=row rows=rows errors=error_signal options=options />
                    </For>
                </tbody>
                <tfoot>
                    <tr class="total-row">
                        <th scope="row">"Total"</th>
                        <td class="num" data-test="split-total">
                            {move || match total.get() {
                                Some(total) => format::percent_text(&total),
                                None => "—".to_string(),
                            }}
                        </td>
                        <td class="small">
                            {move || if sums_to_hundred() {
                                view! { <span class="check-state good">"Adds up to 100%"</span> }.into_any()
                            } else {
                                view! { <span class="check-state missing">"Must add up to exactly 100%"</span> }.into_any()
                            }}
                        </td>
                    </tr>
                </tfoot>
            </table>
            {move || split_error().map(|message| view! { <p class="field-error" role="alert" data-test="split-error">{message}</p> })}
            <ActionError error=error_signal inline_fields=&["splits"] />
            <div class="button-row">
                <button class="button" type="button" data-action="add-split-row" disabled=move || rows.with(|rows| rows.len() >= 10) on:click=move |_| rows.update(|rows| rows.push(new_row(String::new(), String::new())))>
                    "Add rep"
                </button>
                <button class="button button-primary" type="button" data-action="save-split" disabled=move || pending.get() on:click=save>
                    {move || if pending.get() { "Saving…" } else { "Save split" }}
                </button>
                <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}

/// One rep and their share; errors the server names for this row (`splits.1.percent`) show
/// under its inputs.
#[component]
fn SplitEditorRow(
    row: SplitRow,
    rows: RwSignal<Vec<SplitRow>>,
    errors: Signal<Option<ApiError>>,
    options: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let key = row.key;
    let index = Memo::new(move |_| {
        rows.with(|rows| rows.iter().position(|other| other.key == key).unwrap_or(0))
    });
    let error = move |part: &'static str| {
        Signal::derive(move || {
            errors.with(|e| {
                e.as_ref()
                    .and_then(|e| e.field(&format!("splits.{}.{part}", index.get())))
            })
        })
    };
    let (user_error, percent_error) = (error("userId"), error("percent"));
    let user_id = format!("split-{key}-user");
    let percent_id = format!("split-{key}-percent");
    view! {
        <tr data-split-row=key>
            <td>
                <label class="visually-hidden" for=user_id.clone()>{move || format!("Rep {}", index.get() + 1)}</label>
                <select
                    id=user_id.clone()
                    class="split-user"
                    aria-invalid=move || user_error.with(Option::is_some).to_string()
                    on:change=move |event| row.user_id.set(event_target_value(&event))
                    prop:value=move || row.user_id.get()
                >
                    {move || {
                        let selected = row.user_id.get();
                        options.get().into_iter().map(|(value, label)| {
                            let is_selected = value == selected;
                            view! { <option value=value selected=is_selected>{label}</option> }
                        }).collect_view()
                    }}
                </select>
                <FieldMessage id=format!("{user_id}-error") message=user_error />
            </td>
            <td class="num">
                <label class="visually-hidden" for=percent_id.clone()>{move || format!("Share of rep {}", index.get() + 1)}</label>
                <input
                    id=percent_id.clone()
                    type="text"
                    class="num-input split-percent"
                    inputmode="decimal"
                    aria-invalid=move || percent_error.with(Option::is_some).to_string()
                    bind:value=row.percent
                />
                <FieldMessage id=format!("{percent_id}-error") message=percent_error />
            </td>
            <td>
                <button
                    class="button button-quiet"
                    type="button"
                    disabled=move || rows.with(|rows| rows.len() <= 1)
                    on:click=move |_| rows.update(|rows| rows.retain(|other| other.key != key))
                >
                    "Remove"
                </button>
            </td>
        </tr>
    }
}
