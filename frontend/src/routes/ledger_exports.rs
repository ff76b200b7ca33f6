//! Journal exports to the company's ERP: the CFO, VP Finance or an admin exports a closed period
//! or a date range in NetSuite's, QuickBooks's or Xero's import layout (or revops's own CSV) and
//! downloads the file; everyone who reads the ledger (the auditor too) sees the history of
//! batches with their totals, to tie out against the ERP, and downloads them again. Each journal
//! entry goes to each destination once, so exporting the same range again sends only what was
//! posted since.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, destination_label, ApiError, ExportOutcome, ExportRange, LedgerExport},
    app::RequirePermission,
    components::{
        download::DownloadButton,
        field::{SelectField, TextField},
        pager::Pager,
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
    },
    format,
    routes::{page_offset, CursorTrail},
    session,
};

#[component]
pub fn LedgerExportsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="LEDGER_READ">
            <LedgerExports />
        </RequirePermission>
    }
}

#[component]
fn LedgerExports() -> impl IntoView {
    // Bumped after an export, so the history reads the batches again.
    let changed = RwSignal::new(0_u32);
    let outcome = RwSignal::new(None::<ExportOutcome>);
    let can_export = session::can("LEDGER_EXPORT");
    let on_exported = Callback::new(move |result: ExportOutcome| {
        outcome.set(Some(result));
        changed.update(|count| *count += 1);
    });
    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"ERP exports"</h1>
                    <p class="muted">"Journal entries in your ERP's import layout. Each entry goes to each destination once: exporting a range again sends only what was posted since."</p>
                </div>
            </header>
            <Show when=move || can_export.get()>
                <ExportForm on_exported=on_exported />
            </Show>
            {move || outcome.get().map(|result| view! { <Outcome outcome=result /> })}
            <h2>"Exported batches"</h2>
            <ExportList changed=changed />
        </div>
    }
}

/// What the last export did: its file to download, or why there was nothing to send.
#[component]
fn Outcome(outcome: ExportOutcome) -> impl IntoView {
    match outcome.batch {
        Some(batch) => view! {
            <div class="alert alert-success" role="status" data-test="export-outcome">
                <p>{outcome.message}</p>
                <DownloadButton url=batch.download_url fallback_name=batch.file_name media_type="text/csv" label="Download the file" test_id="export-download" />
            </div>
        }
        .into_any(),
        None => view! {
            <div class="alert alert-neutral" role="status" data-test="export-outcome">{outcome.message}</div>
        }
        .into_any(),
    }
}

#[component]
fn ExportForm(on_exported: Callback<ExportOutcome>) -> impl IntoView {
    let destination = RwSignal::new(String::new());
    let by_period = RwSignal::new(true);
    let period = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let periods = LocalResource::new(api::ledger_periods);
    let closed_periods = Signal::derive(move || {
        let mut options = vec![(String::new(), "Choose a closed period".to_string())];
        if let Some(Ok(periods)) = periods.get() {
            options.extend(
                periods
                    .into_iter()
                    .filter(|period| period.status == "CLOSED")
                    .map(|period| (period.period.clone(), format::month(&period.period))),
            );
        }
        options
    });
    let destinations = Signal::derive(|| {
        let mut options = vec![(String::new(), "Choose where it goes".to_string())];
        options.extend(
            api::EXPORT_DESTINATIONS
                .iter()
                .map(|(code, label)| ((*code).to_string(), (*label).to_string())),
        );
        options
    });
    let export = move |_| {
        errors.set(None);
        let Some((chosen, range)) = form_request(
            destination.get_untracked(),
            by_period.get_untracked(),
            period.get_untracked(),
            from.get_untracked(),
            to.get_untracked(),
        )
        .map_err(|error| errors.set(Some(error)))
        .ok() else {
            return;
        };
        pending.set(true);
        spawn_local(async move {
            let result = api::ledger_export_create(chosen, range).await;
            pending.set(false);
            match result {
                Ok(outcome) => on_exported.run(outcome),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <form class="panel subform" data-test="export-form" on:submit=|event| event.prevent_default()>
            <div class="form-row">
                <SelectField label="Destination" name="destination" value=destination errors=errors.into() options=destinations required=true />
            </div>
            <fieldset class="plain-fieldset">
                <legend>"What to export"</legend>
                <label class="checkbox">
                    <input type="radio" name="export-range" data-test="range-period" prop:checked=move || by_period.get() on:change=move |_| by_period.set(true) />
                    "A closed period"
                </label>
                <label class="checkbox">
                    <input type="radio" name="export-range" data-test="range-dates" prop:checked=move || !by_period.get() on:change=move |_| by_period.set(false) />
                    "A date range"
                </label>
            </fieldset>
            <div class="form-row">
                <Show
                    when=move || by_period.get()
                    fallback=move || view! {
                        <TextField label="From" name="from" kind="date" value=from errors=errors.into() required=true />
                        <TextField label="To" name="to" kind="date" value=to errors=errors.into() required=true hint="Both days included; entries are taken by their entry date." />
                    }
                >
                    <SelectField label="Period" name="period" value=period errors=errors.into() options=closed_periods required=true />
                </Show>
            </div>
            // Said once the periods have loaded and none is closed, not while they load.
            {move || (by_period.get()
                && matches!(periods.get(), Some(Ok(_)))
                && closed_periods.with(|options| options.len() == 1)).then(|| view! {
                <p class="hint" data-test="no-closed-periods">"No period is closed yet: close one on the revenue close page so its entries are final, or export a date range."</p>
            })}
            <ActionError error=errors.into() inline_fields=&["destination", "period", "from", "to"] />
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="export" disabled=move || pending.get() on:click=export>
                    {move || if pending.get() { "Exporting…" } else { "Export" }}
                </button>
            </div>
        </form>
    }
}

/// The destination and range the form asks for, or the error naming the empty field.
fn form_request(
    destination: String,
    by_period: bool,
    period: String,
    from: String,
    to: String,
) -> Result<(String, ExportRange), ApiError> {
    if destination.is_empty() {
        return Err(ApiError::for_field(
            "destination",
            "Choose the system the file is for; each has its own layout.",
        ));
    }
    if by_period {
        if period.is_empty() {
            return Err(ApiError::for_field("period", "Choose a closed period."));
        }
        return Ok((destination, ExportRange::Period(period)));
    }
    if from.is_empty() {
        return Err(ApiError::for_field(
            "from",
            "Enter the first day to export.",
        ));
    }
    if to.is_empty() {
        return Err(ApiError::for_field("to", "Enter the last day to export."));
    }
    Ok((destination, ExportRange::Dates { from, to }))
}

/// The batches, newest first, a page at a time.
#[component]
fn ExportList(changed: RwSignal<u32>) -> impl IntoView {
    let after = RwSignal::new(None::<String>);
    let trail = CursorTrail::new();
    let batches = LocalResource::new(move || {
        changed.track();
        api::ledger_exports(after.get())
    });
    move || {
        match batches.get() {
        None => view! { <LoadingRows columns=7 rows=3 /> }.into_any(),
        Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| batches.refetch()) /> }.into_any(),
        Some(Ok(connection)) if connection.nodes.is_empty() => view! {
            <EmptyState title="Nothing exported yet" hint="Each export appears here, with its totals to tie out against the ERP and its file to download again." />
        }
        .into_any(),
        Some(Ok(connection)) => {
            let shown = connection.nodes.len();
            let next_cursor = connection.page_info.end_cursor.clone();
            view! {
                <ExportTable rows=connection.nodes />
                <Pager
                    shown=shown
                    offset=page_offset(trail, after.get_untracked(), 25)
                    total=connection.total_count
                    has_previous=!trail.0.with(Vec::is_empty)
                    has_next=connection.page_info.has_next_page
                    on_previous=Callback::new(move |()| after.set(trail.0.try_update(Vec::pop).flatten().flatten()))
                    on_next=Callback::new(move |()| {
                        trail.0.update(|trail| trail.push(after.get_untracked()));
                        after.set(next_cursor.clone());
                    })
                />
            }
            .into_any()
        }
    }
    }
}

#[component]
fn ExportTable(rows: Vec<LedgerExport>) -> impl IntoView {
    view! {
        <table class="table" data-test="export-table">
            <thead>
                <tr>
                    <th scope="col">"Exported"</th>
                    <th scope="col">"Destination"</th>
                    <th scope="col">"Covers"</th>
                    <th scope="col" class="num">"Entries"</th>
                    <th scope="col" class="num">"Lines"</th>
                    <th scope="col" class="num">"Debits = credits"</th>
                    <th scope="col">"File"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|batch| {
                    let by = batch.created_by.as_ref().map(|user| format!(" by {}", user.name)).unwrap_or_default();
                    let covers = match batch.period.as_deref() {
                        Some(period) => format::month(period),
                        None => format!("{} – {}", format::date(&batch.from), format::date(&batch.to)),
                    };
                    view! {
                        <tr data-export-id=batch.id.clone()>
                            <td class="nowrap">{format!("{}{by}", format::date_time(&batch.created_at))}</td>
                            <td>{destination_label(&batch.destination)}</td>
                            <td class="nowrap">{covers}</td>
                            <td class="num">{batch.entry_count}</td>
                            <td class="num">{batch.line_count}</td>
                            <td class="num">
                                {batch.totals.into_iter().map(|total| view! {
                                    <div>{total.debit.display()}</div>
                                }).collect_view()}
                            </td>
                            <td>
                                <DownloadButton url=batch.download_url fallback_name=batch.file_name media_type="text/csv" label="Download" test_id="batch-download" />
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The form names the empty field before anything is sent, and builds the range it shows.
    #[test]
    fn the_request_names_what_is_missing() {
        let field = |result: Result<(String, ExportRange), ApiError>, name: &str| {
            result
                .err()
                .is_some_and(|error| error.field(name).is_some())
        };
        assert!(field(
            form_request(
                String::new(),
                true,
                "2026-11".into(),
                String::new(),
                String::new()
            ),
            "destination"
        ));
        assert!(field(
            form_request(
                "XERO".into(),
                true,
                String::new(),
                String::new(),
                String::new()
            ),
            "period"
        ));
        assert!(field(
            form_request(
                "XERO".into(),
                false,
                String::new(),
                "2026-11-01".into(),
                String::new()
            ),
            "to"
        ));
        assert_eq!(
            form_request(
                "XERO".into(),
                false,
                String::new(),
                "2026-11-01".into(),
                "2026-11-30".into()
            )
            .ok(),
            Some((
                "XERO".to_string(),
                ExportRange::Dates {
                    from: "2026-11-01".into(),
                    to: "2026-11-30".into()
                }
            ))
        );
        assert_eq!(
            form_request(
                "CSV".into(),
                true,
                "2026-11".into(),
                String::new(),
                String::new()
            )
            .ok(),
            Some(("CSV".to_string(), ExportRange::Period("2026-11".into())))
        );
    }
}
