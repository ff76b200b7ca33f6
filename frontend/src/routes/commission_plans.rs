//! Commission plans: every version of every plan with its components and their bands of
//! attainment; for RevOps an editor that imports a plan document (YAML or JSON, checked against
//! the published schema, errors naming the path inside the document) as the next version, the
//! form that assigns a plan to a rep, the assignments with their sign-off, and who reports to
//! whom. The plan shown lives in the URL (`?plan=<id>`).

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};
use serde_json::json;

use crate::{
    api::{
        self, ApiError, CommissionAssignment, CommissionComponent, CommissionPlan, UserOption,
        PLAN_FORMATS, PLAN_SCHEMA_URL,
    },
    app::RequirePermission,
    components::{
        commissions::{metric_label, quota_period_label},
        field::{non_empty, SelectField, TextAreaField, TextField},
        money::MoneyCell,
        revenue::current_month,
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format,
    routes::href_with_query,
    session,
};

#[component]
pub fn CommissionPlansPage() -> impl IntoView {
    view! {
        <RequirePermission permission="COMMISSION_ALL_READ">
            <Plans />
        </RequirePermission>
    }
}

#[component]
fn Plans() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let chosen = Memo::new(move |_| query.with(|q| q.get("plan")));
    let plans = LocalResource::new(api::commission_plans);
    let can_manage = session::can("COMMISSION_PLAN_MANAGE");
    let notice = RwSignal::new(None::<String>);
    let select = Callback::new(move |id: String| {
        navigate(
            &href_with_query("/commissions/plans", &[("plan", Some(id))]),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    });
    let on_imported = Callback::new(move |plan: CommissionPlan| {
        notice.set(Some(format!(
            "Imported {} version {}: {}.",
            plan.code, plan.version, plan.name
        )));
        select.run(plan.id);
        plans.refetch();
    });
    // Plan codes for the assignment form, newest version first as the server lists them.
    let codes = Signal::derive(move || {
        let mut codes: Vec<(String, i64)> = Vec::new();
        if let Some(Ok(list)) = plans.get() {
            for plan in list {
                if !codes.iter().any(|(code, _)| *code == plan.code) {
                    codes.push((plan.code.clone(), plan.version));
                }
            }
        }
        codes
    });
    view! {
        <div class="page commissions">
            <header class="page-header">
                <div>
                    <h1>"Commission plans"</h1>
                    <p class="muted">"Each plan is a versioned document: a deal names its plan by code, and a rep's month is calculated under the version in force. Importing a document adds a version; earlier versions stay as they were."</p>
                </div>
                <div class="header-actions">
                    <a class="button button-quiet" href=PLAN_SCHEMA_URL target="_blank" rel="noopener" data-test="plan-schema-link">"Plan document schema (JSON)"</a>
                </div>
            </header>
            {move || notice.get().map(|message| view! {
                <div class="alert alert-success" role="status" data-test="plan-notice">{message}</div>
            })}
            {move || match plans.get() {
                None => view! { <LoadingRows columns=8 rows=4 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| plans.refetch()) /> }.into_any(),
                Some(Ok(list)) => {
                    let selected = chosen
                        .get()
                        .and_then(|id| list.iter().find(|plan| plan.id == id).cloned())
                        .or_else(|| list.first().cloned());
                    view! {
                        <PlanList plans=list.clone() selected=selected.as_ref().map(|plan| plan.id.clone()) select=select />
                        {selected.clone().map(|plan| view! { <PlanDetail plan=plan /> })}
                        <Show when=move || can_manage.get()>
                            <PlanEditor source=selected.as_ref().map(|plan| (plan.code.clone(), plan.version, plan.source_text.clone())) on_imported=on_imported />
                        </Show>
                    }.into_any()
                }
            }}
            <Assignments codes=codes can_manage=can_manage />
            <Show when=move || can_manage.get()>
                <ManagerForm />
            </Show>
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// Plans and their bands
// ---------------------------------------------------------------------------------------------

#[component]
fn PlanList(
    plans: Vec<CommissionPlan>,
    selected: Option<String>,
    select: Callback<String>,
) -> impl IntoView {
    if plans.is_empty() {
        return view! {
            <section class="section" data-test="plan-list">
                <EmptyState
                    title="No commission plans yet"
                    hint="Import a plan document below (the editor starts from a complete example). Deals then name the plan by its code."
                />
            </section>
        }
        .into_any();
    }
    view! {
        <section class="section" data-test="plan-list">
            <table class="table compact" data-test="plan-table">
                <thead>
                    <tr>
                        <th scope="col">"Code"</th>
                        <th scope="col" class="num">"Version"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"In force"</th>
                        <th scope="col">"Quota"</th>
                        <th scope="col" class="num">"Components"</th>
                        <th scope="col">"Imported"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {plans.into_iter().map(|plan| {
                        let is_selected = selected.as_deref() == Some(plan.id.as_str());
                        let id = plan.id.clone();
                        view! {
                            <tr data-plan-id=plan.id.clone() class:selected=is_selected aria-current=is_selected.then_some("true")>
                                <td class="mono nowrap">{plan.code.clone()}</td>
                                <td class="num">{plan.version}</td>
                                <td>{plan.name.clone()}</td>
                                <td class="nowrap">{format::period(Some(&plan.effective_from), plan.effective_to.as_deref())}</td>
                                <td class="nowrap">{format!("{} {}", quota_period_label(&plan.quota_period), plan.quota.display())}</td>
                                <td class="num">{plan.components.len()}</td>
                                <td class="nowrap">{format::date(&plan.created_at)}</td>
                                <td>
                                    {if is_selected {
                                        view! { <span class="muted small">"Shown"</span> }.into_any()
                                    } else {
                                        view! { <button class="button button-quiet" type="button" data-action="show-plan" on:click=move |_| select.run(id.clone())>"Show"</button> }.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
fn PlanDetail(plan: CommissionPlan) -> impl IntoView {
    view! {
        <section class="panel" data-test="plan-detail" data-plan-id=plan.id.clone()>
            <div class="panel-header">
                <h2>{format!("{} · {} version {}", plan.name, plan.code, plan.version)}</h2>
                {if plan.capitalise {
                    view! { <Badge tone=Tone::Info label="Capitalised (ASC 340-40)" /> }.into_any()
                } else {
                    view! { <Badge tone=Tone::Neutral label="Expensed" /> }.into_any()
                }}
            </div>
            <dl class="facts inline">
                <dt>"In force"</dt><dd>{format::period(Some(&plan.effective_from), plan.effective_to.as_deref())}</dd>
                <dt>"Quota"</dt><dd>{format!("{} {}", quota_period_label(&plan.quota_period), plan.quota.display())}</dd>
                <dt>"Currency"</dt><dd>{plan.currency.clone()}</dd>
            </dl>
            {plan.components.into_iter().map(|component| view! { <ComponentBands component=component currency=plan.currency.clone() /> }).collect_view()}
        </section>
    }
}

#[component]
fn ComponentBands(component: CommissionComponent, currency: String) -> impl IntoView {
    let cap = component.cap.clone().map(|cap| crate::api::Money {
        amount: cap,
        currency,
    });
    view! {
        <div class="plan-component" data-component=component.name.clone()>
            <h3>{format!("{} · {}", component.name, metric_label(&component.metric))}</h3>
            <p class="muted small">
                {if component.tier_mode == "marginal" {
                    "Marginal tiers: each band's rate applies to the part of attainment inside it."
                } else {
                    "Retroactive tiers: the band reached sets the rate for everything credited in the quota period."
                }}
                {cap.as_ref().map(|cap| format!(" Capped at {} per quota period.", cap.display()))}
            </p>
            <table class="table compact plan-bands" data-test="plan-bands">
                <thead>
                    <tr>
                        <th scope="col">"Band"</th>
                        <th scope="col" class="num">"From attainment"</th>
                        <th scope="col" class="num">"To attainment"</th>
                        <th scope="col" class="num">"Effective rate"</th>
                    </tr>
                </thead>
                <tbody>
                    {component.bands.into_iter().map(|band| view! {
                        <tr>
                            <td>{band.label}</td>
                            <td class="num">{format::percent_text(&band.from_percent)}</td>
                            <td class="num">{band.to_percent.as_deref().map(format::percent_text).unwrap_or_else(|| "and above".into())}</td>
                            <td class="num strong">{format::percent_text(&band.rate_percent)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// Editor
// ---------------------------------------------------------------------------------------------

/// The format a document is written in, guessed as the server guesses it.
fn guess_format(text: &str) -> &'static str {
    if text.trim_start().starts_with('{') {
        "JSON"
    } else {
        "YAML"
    }
}

/// Imports a document as the next version of its code. `source` is the plan shown (code,
/// version, text); without one the editor starts from the server's example.
#[component]
fn PlanEditor(
    source: Option<(String, i64, String)>,
    on_imported: Callback<CommissionPlan>,
) -> impl IntoView {
    let document = RwSignal::new(String::new());
    let format = RwSignal::new("YAML".to_string());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let loading_example = RwSignal::new(false);
    let load = move |text: String| {
        format.set(guess_format(&text).to_string());
        document.set(text);
        errors.set(None);
    };
    let load_example = move || {
        loading_example.set(true);
        spawn_local(async move {
            let result = api::commission_plan_example().await;
            loading_example.set(false);
            match result {
                Ok(text) => load(text),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    let heading = match &source {
        Some((code, version, text)) => {
            load(text.clone());
            format!("Edit {code} (shown: version {version}) and import it as the next version")
        }
        None => {
            load_example();
            "Import a plan".to_string()
        }
    };
    let import = move |_| {
        let text = document.get_untracked();
        if text.trim().is_empty() {
            errors.set(Some(ApiError::for_field(
                "document",
                "Write or paste the plan document first.",
            )));
            return;
        }
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::commission_plan_import(text, Some(format.get_untracked())).await;
            pending.set(false);
            match result {
                Ok(plan) => on_imported.run(plan),
                Err(error) => {
                    errors.set(Some(error));
                    crate::components::field::focus_first_invalid();
                }
            }
        });
    };
    let format_options = Signal::derive(|| {
        PLAN_FORMATS
            .iter()
            .map(|format| (format.to_string(), format.to_string()))
            .collect::<Vec<_>>()
    });
    view! {
        <section class="panel" data-test="plan-editor">
            <div class="panel-header">
                <h2>{heading}</h2>
                <div class="header-actions">
                    <button class="button" type="button" data-action="load-example" disabled=move || loading_example.get() on:click=move |_| load_example()>
                        {move || if loading_example.get() { "Loading…" } else { "Start from the example" }}
                    </button>
                    <a class="button button-quiet" href=PLAN_SCHEMA_URL target="_blank" rel="noopener">"Schema"</a>
                </div>
            </div>
            <p class="muted small">
                "The code decides which plan this is a version of; everything else (components, tiers, accelerators, caps, SPIFs, clawback) is checked against the "
                <a href=PLAN_SCHEMA_URL target="_blank" rel="noopener">"published schema"</a>
                ". An error names the place in the document, e.g. document.components[0].tiers[1].rate."
            </p>
            <form class="form" on:submit=|event| event.prevent_default()>
                <div class="form-row">
                    <div class="field-stack field-narrow">
                        <SelectField label="Format" name="format" value=format errors=errors.into() options=format_options />
                    </div>
                </div>
                <TextAreaField label="Plan document" name="document" value=document errors=errors.into() required=true rows=24 code=true />
                <ActionError error=errors.into() inline_fields=&["document", "format"] />
                <div class="button-row">
                    <button class="button button-primary" type="button" data-action="import-plan" disabled=move || pending.get() on:click=import>
                        {move || if pending.get() { "Importing…" } else { "Import as new version" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// Assignments
// ---------------------------------------------------------------------------------------------

fn user_choices(users: &[UserOption], empty: &str) -> Vec<(String, String)> {
    std::iter::once((String::new(), empty.to_string()))
        .chain(users.iter().map(|user| {
            (
                user.id.clone(),
                format!("{} ({})", user.name, format::enum_label(&user.role)),
            )
        }))
        .collect()
}

/// A person picker: the `users` list when the role may read it, else a box for the user's ID.
#[component]
fn UserPicker(
    #[prop(into)] label: String,
    name: &'static str,
    value: RwSignal<String>,
    errors: Signal<Option<ApiError>>,
    users: LocalResource<Result<Vec<UserOption>, ApiError>>,
    empty: &'static str,
    #[prop(default = false)] required: bool,
    #[prop(optional, into)] id_suffix: Option<String>,
) -> impl IntoView {
    let label = StoredValue::new(label);
    let id_suffix = StoredValue::new(id_suffix);
    let options = Signal::derive(move || match users.get() {
        Some(Ok(list)) => user_choices(&list, empty),
        _ => vec![(String::new(), "Loading people…".to_string())],
    });
    move || {
        match users.get() {
        Some(Err(_)) => view! {
            <TextField label=format!("{} (user ID)", label.get_value()) name=name value=value errors=errors required=required id_suffix=id_suffix.get_value().unwrap_or_default() hint="The list of people is not available to your role; enter the user's ID." />
        }.into_any(),
        _ => view! {
            <SelectField label=label.get_value() name=name value=value errors=errors options=options required=required id_suffix=id_suffix.get_value().unwrap_or_default() />
        }.into_any(),
    }
    }
}

#[component]
fn Assignments(codes: Signal<Vec<(String, i64)>>, can_manage: Signal<bool>) -> impl IntoView {
    let assignments = LocalResource::new(|| api::commission_assignments(None));
    let notice = RwSignal::new(None::<String>);
    let on_assigned = Callback::new(move |message: String| {
        notice.set(Some(message));
        assignments.refetch();
    });
    view! {
        <section class="section" data-test="assignments">
            <div class="section-header"><h2>"Assignments"</h2></div>
            <p class="muted small">"Who is paid under which plan, from when. A rep acknowledges their plan on their statement; the version they signed is kept."</p>
            <Show when=move || can_manage.get()>
                <AssignForm codes=codes on_assigned=on_assigned />
            </Show>
            {move || notice.get().map(|message| view! {
                <div class="alert alert-success" role="status" data-test="assign-notice">{message}</div>
            })}
            {move || match assignments.get() {
                None => view! { <LoadingRows columns=7 rows=3 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| assignments.refetch()) /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <EmptyState title="No plan is assigned to anyone" hint="Assign a plan to a rep above; their statements are calculated under it from the first day." />
                }.into_any(),
                Some(Ok(list)) => view! { <AssignmentTable rows=list codes=codes /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn AssignmentTable(
    rows: Vec<CommissionAssignment>,
    codes: Signal<Vec<(String, i64)>>,
) -> impl IntoView {
    view! {
        <table class="table" data-test="assignment-table">
            <thead>
                <tr>
                    <th scope="col">"Rep"</th>
                    <th scope="col">"Plan"</th>
                    <th scope="col">"From – to"</th>
                    <th scope="col" class="num">"Own quota"</th>
                    <th scope="col">"Assigned"</th>
                    <th scope="col">"Acknowledged"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let code = row.plan_code.clone();
                    let latest = move || codes.with(|codes| codes.iter().find(|(c, _)| *c == code).map(|(_, v)| *v));
                    let acknowledged_at = row.acknowledged_at.clone();
                    let acknowledged_version = row.acknowledged_version;
                    view! {
                        <tr data-assignment-id=row.id.clone() data-user-id=row.user_id.clone()>
                            <th scope="row" class="strong">
                                <a href=format!("/commissions/statements/{}", row.user_id)>{row.user_name.clone()}</a>
                            </th>
                            <td class="mono">{row.plan_code.clone()}</td>
                            <td class="nowrap">{format::period(Some(&row.effective_from), row.effective_to.as_deref())}{row.effective_to.is_none().then_some(" onwards")}</td>
                            <MoneyCell money=row.quota.clone() />
                            <td class="nowrap">{format::date(&row.assigned_at)}</td>
                            <td class="nowrap">
                                {move || match (&acknowledged_at, acknowledged_version) {
                                    (Some(at), Some(version)) => {
                                        let outdated = latest().is_some_and(|latest| latest > version);
                                        view! {
                                            {format!("{} · version {version}", format::date(at))}
                                            {outdated.then(|| view! { " " <Badge tone=Tone::Warning label="Newer version" /> })}
                                        }.into_any()
                                    }
                                    (Some(at), None) => format::date(at).into_any(),
                                    (None, _) => view! { <Badge tone=Tone::Warning label="Not acknowledged" /> }.into_any(),
                                }}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The first day of this month, where a new assignment usually starts.
fn first_of_this_month() -> String {
    format!("{}-01", current_month())
}

#[component]
fn AssignForm(codes: Signal<Vec<(String, i64)>>, on_assigned: Callback<String>) -> impl IntoView {
    let users = LocalResource::new(|| api::user_options(None));
    let user_id = RwSignal::new(String::new());
    let plan_code = RwSignal::new(String::new());
    let effective_from = RwSignal::new(first_of_this_month());
    let effective_to = RwSignal::new(String::new());
    let quota = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let plan_options = Signal::derive(move || {
        std::iter::once((String::new(), "Choose a plan".to_string()))
            .chain(codes.get().into_iter().map(|(code, version)| {
                (code.clone(), format!("{code} (latest version {version})"))
            }))
            .collect::<Vec<_>>()
    });
    let submit = move |_| {
        let input = json!({
            "userId": user_id.get_untracked(),
            "planCode": plan_code.get_untracked(),
            "effectiveFrom": effective_from.get_untracked(),
            "effectiveTo": non_empty(&effective_to.get_untracked()),
            "quota": non_empty(&format::amount_input(&quota.get_untracked())),
        });
        if user_id.with_untracked(String::is_empty) {
            errors.set(Some(ApiError::for_field(
                "userId",
                "Choose who is paid under the plan.",
            )));
            return;
        }
        if plan_code.with_untracked(String::is_empty) {
            errors.set(Some(ApiError::for_field("planCode", "Choose the plan.")));
            return;
        }
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::commission_plan_assign(input).await;
            pending.set(false);
            match result {
                Ok(assignment) => {
                    on_assigned.run(format!(
                        "{} is paid under {} from {}.",
                        assignment.user_name,
                        assignment.plan_code,
                        format::date(&assignment.effective_from)
                    ));
                    user_id.set(String::new());
                    quota.set(String::new());
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <form class="panel" data-test="assign-form" on:submit=|event| event.prevent_default()>
            <h3>"Assign a plan"</h3>
            <div class="form-row">
                <UserPicker label="Rep" name="userId" value=user_id errors=errors.into() users=users empty="Choose a rep" required=true id_suffix="assign" />
                <SelectField label="Plan" name="planCode" value=plan_code errors=errors.into() options=plan_options required=true />
            </div>
            <div class="form-row">
                <TextField label="Effective from" name="effectiveFrom" kind="date" value=effective_from errors=errors.into() required=true />
                <TextField label="Effective to" name="effectiveTo" kind="date" value=effective_to errors=errors.into() hint="Leave empty for open-ended; an earlier open-ended assignment ends the day before." />
                <TextField label="Own quota" name="quota" value=quota errors=errors.into() numeric=true hint="Per quota period, in the plan's currency; empty uses the plan's quota." />
            </div>
            <ActionError error=errors.into() inline_fields=&["userId", "planCode", "effectiveFrom", "effectiveTo", "quota"] />
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="assign-plan" disabled=move || pending.get() on:click=submit>
                    {move || if pending.get() { "Assigning…" } else { "Assign plan" }}
                </button>
            </div>
        </form>
    }
}

// ---------------------------------------------------------------------------------------------
// Reports to
// ---------------------------------------------------------------------------------------------

/// Who a user reports to: managers see their team's statements and earn overrides on them.
#[component]
fn ManagerForm() -> impl IntoView {
    let users = LocalResource::new(|| api::user_options(None));
    let user_id = RwSignal::new(String::new());
    let manager_id = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let name_of = move |id: &str| -> String {
        users
            .get_untracked()
            .and_then(Result::ok)
            .and_then(|list| {
                list.into_iter()
                    .find(|user| user.id == id)
                    .map(|user| user.name)
            })
            .unwrap_or_else(|| "The person".to_string())
    };
    let submit = move |_| {
        let person = user_id.get_untracked();
        if person.is_empty() {
            errors.set(Some(ApiError::for_field(
                "userId",
                "Choose whose manager to set.",
            )));
            return;
        }
        let manager = non_empty(&manager_id.get_untracked());
        let message = match &manager {
            Some(manager) => format!("{} now reports to {}.", name_of(&person), name_of(manager)),
            None => format!("{} now reports to nobody.", name_of(&person)),
        };
        pending.set(true);
        errors.set(None);
        notice.set(None);
        spawn_local(async move {
            let result = api::user_manager_set(person, manager).await;
            pending.set(false);
            match result {
                Ok(_) => notice.set(Some(message)),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <section class="section" data-test="manager-form">
            <div class="section-header"><h2>"Reports to"</h2></div>
            <form class="panel" on:submit=|event| event.prevent_default()>
                <p class="muted small">"A manager sees the statements and disputes of everyone who reports to them, directly or through others, and earns overrides where their plan has them."</p>
                <div class="form-row">
                    <UserPicker label="Person" name="userId" value=user_id errors=errors.into() users=users empty="Choose a person" required=true id_suffix="manager-of" />
                    <UserPicker label="Reports to" name="managerId" value=manager_id errors=errors.into() users=users empty="Nobody (clear)" />
                </div>
                <ActionError error=errors.into() inline_fields=&["userId", "managerId"] />
                {move || notice.get().map(|message| view! { <div class="alert alert-success" role="status">{message}</div> })}
                <div class="button-row">
                    <button class="button button-primary" type="button" data-action="set-manager" disabled=move || pending.get() on:click=submit>
                        {move || if pending.get() { "Saving…" } else { "Save" }}
                    </button>
                </div>
            </form>
        </section>
    }
}
