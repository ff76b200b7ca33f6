//! Labelled form fields that show the server's error for their own input right beside it.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::status::{Badge, Tone};

/// The error the server gave for `name` (or a nested field under it), if any.
pub fn error_for(errors: Signal<Option<ApiError>>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || errors.with(|errors| errors.as_ref().and_then(|e| e.field(name))))
}

/// The element id of a field: `field-<name>`, plus a suffix where one page has two forms that
/// send the same API field.
fn field_id(name: &str, suffix: Option<String>) -> String {
    format!(
        "field-{}{}",
        name.replace('.', "-"),
        suffix
            .filter(|suffix| !suffix.is_empty())
            .map(|suffix| format!("-{suffix}"))
            .unwrap_or_default()
    )
}

/// A message under an input; linked to it with `aria-describedby` by the caller's id.
#[component]
pub fn FieldMessage(id: String, message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|message| view! { <p class="field-error" id=id.clone()>{message}</p> })
    }
}

/// A text input with its label and its own error line. `name` is the API's input field name
/// (dotted for nesting), which is also how the server refers to it in errors.
#[component]
pub fn TextField(
    #[prop(into)] label: String,
    name: &'static str,
    value: RwSignal<String>,
    errors: Signal<Option<ApiError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] placeholder: Option<String>,
    #[prop(default = false)] required: bool,
    #[prop(optional, into)] disabled: Option<Signal<bool>>,
    #[prop(default = false)] numeric: bool,
    /// Text shown after the input, such as the currency of an amount.
    #[prop(optional, into)]
    suffix: Option<Signal<String>>,
    #[prop(optional, into)] id_suffix: Option<String>,
) -> impl IntoView {
    let id = field_id(name, id_suffix);
    let error_id = format!("{id}-error");
    let message = error_for(errors, name);
    let disabled = disabled.unwrap_or_else(|| Signal::derive(|| false));
    let has_suffix = suffix.is_some();
    view! {
        <div class="field" class:has-error=move || message.with(Option::is_some)>
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            <div class="input-wrap" class:has-suffix=has_suffix>
                <input
                    id=id.clone()
                    name=name
                    type=kind
                    class:num-input=numeric
                    inputmode=numeric.then_some("decimal")
                    placeholder=placeholder
                    required=required
                    disabled=move || disabled.get()
                    aria-invalid=move || if message.with(Option::is_some) { "true" } else { "false" }
                    aria-describedby=error_id.clone()
                    bind:value=value
                />
                {suffix.map(|suffix| view! { <span class="input-suffix">{move || suffix.get()}</span> })}
            </div>
            {hint.map(|hint| view! { <p class="hint">{hint}</p> })}
            <FieldMessage id=error_id message=message />
        </div>
    }
}

/// A select with its label and error line; `options` are (value, label) pairs and the first
/// entry may be an empty "choose…" option.
#[component]
pub fn SelectField(
    #[prop(into)] label: String,
    name: &'static str,
    value: RwSignal<String>,
    errors: Signal<Option<ApiError>>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(default = false)] required: bool,
    #[prop(optional, into)] disabled: Option<Signal<bool>>,
    #[prop(optional, into)] id_suffix: Option<String>,
) -> impl IntoView {
    let id = field_id(name, id_suffix);
    let error_id = format!("{id}-error");
    let message = error_for(errors, name);
    let disabled = disabled.unwrap_or_else(|| Signal::derive(|| false));
    view! {
        <div class="field" class:has-error=move || message.with(Option::is_some)>
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            <select
                id=id.clone()
                name=name
                disabled=move || disabled.get()
                aria-invalid=move || if message.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=error_id.clone()
                on:change=move |event| value.set(event_target_value(&event))
                prop:value=move || value.get()
            >
                {move || {
                    let selected = value.get();
                    options
                        .get()
                        .into_iter()
                        .map(|(option_value, option_label)| {
                            let is_selected = option_value == selected;
                            view! {
                                <option value=option_value selected=is_selected>
                                    {option_label}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
            <FieldMessage id=error_id message=message />
        </div>
    }
}

/// A multi-line text input with its label and error line.
#[component]
pub fn TextAreaField(
    #[prop(into)] label: String,
    name: &'static str,
    value: RwSignal<String>,
    errors: Signal<Option<ApiError>>,
    #[prop(default = false)] required: bool,
    #[prop(optional, into)] id_suffix: Option<String>,
    /// Visible lines; documents (a plan in YAML) want many.
    #[prop(default = 2)]
    rows: u32,
    /// Fixed-width text, for documents where indentation matters.
    #[prop(default = false)]
    code: bool,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let id = field_id(name, id_suffix);
    let error_id = format!("{id}-error");
    let message = error_for(errors, name);
    view! {
        <div class="field" class:has-error=move || message.with(Option::is_some)>
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            <textarea
                id=id.clone()
                name=name
                rows=rows
                class:code=code
                spellcheck=if code { "false" } else { "true" }
                aria-invalid=move || if message.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=error_id.clone()
                bind:value=value
            ></textarea>
            {hint.map(|hint| view! { <p class="hint">{hint}</p> })}
            <FieldMessage id=error_id message=message />
        </div>
    }
}

/// A month input ("YYYY-MM") with its label, for pickers outside a form; it reports only
/// complete months.
#[component]
pub fn MonthField(
    #[prop(into)] label: String,
    id: &'static str,
    #[prop(into)] value: Signal<String>,
    on_change: Callback<String>,
) -> impl IntoView {
    view! {
        <div class="field field-inline">
            <label for=id>{label}</label>
            <input
                id=id
                type="month"
                prop:value=move || value.get()
                on:change=move |event| {
                    let month = event_target_value(&event);
                    if crate::components::revenue::is_month(&month) {
                        on_change.run(month);
                    }
                }
            />
        </div>
    }
}

/// Options for an enum select: an empty "choose" entry then each value in words.
pub fn enum_options(empty_label: &str, values: &[&str]) -> Vec<(String, String)> {
    std::iter::once((String::new(), empty_label.to_string()))
        .chain(
            values
                .iter()
                .map(|value| (value.to_string(), crate::format::enum_label(value))),
        )
        .collect()
}

/// `None` for blank text, so optional inputs are sent as absent rather than empty.
pub fn non_empty(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// Moves keyboard focus to the first field the server marked invalid, once the error has been
/// drawn, so a person (or screen reader) lands where the fix is needed instead of at the button.
pub fn focus_first_invalid() {
    focus_first(vec!["[aria-invalid=\"true\"]".to_string()]);
}

/// Moves keyboard focus, once the page has been drawn, to the first element matching the first
/// of `selectors` that matches anything (a next item, else a notice).
pub fn focus_first(selectors: Vec<String>) {
    request_animation_frame(move || {
        let Some(document) = web_sys::window().and_then(|window| window.document()) else {
            return;
        };
        let found = selectors
            .iter()
            .find_map(|selector| document.query_selector(selector).ok().flatten());
        if let Some(element) = found {
            use wasm_bindgen::JsCast;
            if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
                let _ = element.focus();
            }
        }
    });
}

/// A company setting's choices as radio cards: each its name and what it does, "In use" on the
/// one in force, the picked one marked. Each card carries `data-choice` with its value.
#[component]
pub fn ChoiceCards(
    /// Read by screen readers only; the section's heading says it for everyone else.
    legend: &'static str,
    name: &'static str,
    /// (value, name, what it does), in the order shown.
    choices: Vec<(String, &'static str, &'static str)>,
    in_use: String,
    chosen: Signal<String>,
    on_choose: Callback<String>,
    disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <fieldset class="method-choice" disabled=move || disabled.get()>
            <legend class="visually-hidden">{legend}</legend>
            {choices.into_iter().map(|(value, label, explanation)| {
                let is_current = value == in_use;
                let value = StoredValue::new(value);
                view! {
                    <label class="radio-card" class:selected=move || chosen.get() == value.get_value() data-choice=value.get_value()>
                        <input
                            type="radio"
                            name=name
                            value=value.get_value()
                            prop:checked=move || chosen.get() == value.get_value()
                            on:change=move |_| on_choose.run(value.get_value())
                        />
                        <span class="radio-body">
                            <span class="strong">
                                {label}
                                {is_current.then(|| view! { " " <Badge tone=Tone::Good label="In use" /> })}
                            </span>
                            <span class="small muted">{explanation}</span>
                        </span>
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}
