//! One import as the imports page and `/imports/:id` show it: a rejected file's row errors
//! ("nothing was written"), a validated file's preview (records, totals per currency, the
//! journal entries it will post, ignored columns) with the commit — confirmed with the amounts,
//! followed by polling its progress past a request that times out — and a committed file's result.

use std::time::Duration;

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{
        self, ApiError, ErrorCode, ImportCellError, ImportDetail, ImportPreview,
        ImportPreviewEntry, ImportProgress, ImportRow,
    },
    components::{
        money::{totals_text, MoneyCell},
        states::{ActionError, ErrorPanel, LoadingPanel},
        status::ImportStatusBadge,
    },
    format, session,
};

/// How often a running commit is asked for its progress.
const POLL_EVERY: Duration = Duration::from_millis(700);
/// After the commit request itself failed (a timeout), how long the page keeps waiting for a
/// sign of the commit before saying it cannot tell.
const SILENCE_LIMIT: Duration = Duration::from_secs(60);

/// "4 invoices", "1 customer": what an import's records are, counted.
pub fn records_text(kind: &str, records: i64) -> String {
    let (one, many) = match kind {
        "CUSTOMERS" => ("customer", "customers"),
        "OPEN_INVOICES" => ("invoice", "invoices"),
        "PURCHASE_ORDERS" => ("purchase order", "purchase orders"),
        "CONTRACTS" => ("contract", "contracts"),
        "DEFERRED_REVENUE" => ("month of deferred revenue", "months of deferred revenue"),
        "COMMISSION_ASSIGNMENTS" => ("assignment", "assignments"),
        "RENEWAL_SCHEDULES" => ("renewal", "renewals"),
        _ => ("record", "records"),
    };
    format!(
        "{} {}",
        format::count(records),
        if records == 1 { one } else { many }
    )
}

/// What a committed import wrote, in one sentence.
pub fn result_text(detail: &ImportDetail) -> String {
    let Some(result) = &detail.result else {
        return "Committed.".to_string();
    };
    let written = format!("{} written", records_text(&detail.row.kind, result.records));
    match result.entry_numbers.as_slice() {
        [] => format!("{written}; nothing posted to the ledger."),
        [one] => format!("{written}; journal entry {one}."),
        many => format!("{written}; journal entries {}.", many.join(", ")),
    }
}

/// Loads one import and shows it; `on_changed` runs after a commit (the history reloads).
#[component]
pub fn ImportDetailView(
    #[prop(into)] id: String,
    #[prop(optional)] on_changed: Option<Callback<()>>,
) -> impl IntoView {
    let id = StoredValue::new(id);
    let detail = LocalResource::new(move || api::import(id.get_value()));
    let on_committed = Callback::new(move |()| {
        detail.refetch();
        if let Some(on_changed) = on_changed {
            on_changed.run(());
        }
    });
    view! {
        <section class="section import-detail" data-test="import-detail" data-import-id=id.get_value()>
            {move || match detail.get() {
                None => view! { <LoadingPanel label="Loading the import…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| detail.refetch()) /> }.into_any(),
                Some(Ok(detail)) => view! { <ImportBody detail=detail on_committed=on_committed /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ImportBody(detail: ImportDetail, on_committed: Callback<()>) -> impl IntoView {
    let body = match detail.row.status.as_str() {
        "REJECTED" => view! { <Rejected detail=detail.clone() /> }.into_any(),
        "VALIDATED" => view! {
            <PreviewView preview=detail.preview.clone() kind=detail.row.kind.clone() />
            <CommitPanel detail=detail.clone() on_committed=on_committed />
        }
        .into_any(),
        "COMMITTED" => view! {
            <div class="alert alert-success" role="status" data-test="import-result">
                <strong>{result_text(&detail)}</strong>
                <p>{committed_line(&detail.row)}</p>
            </div>
        }
        .into_any(),
        _ => ().into_any(),
    };
    view! {
        <ImportFacts detail=detail.clone() />
        {body}
    }
}

fn person(person: &Option<api::ImportPerson>) -> String {
    person
        .as_ref()
        .map_or_else(|| "—".to_string(), |p| p.name.clone())
}

fn committed_line(row: &ImportRow) -> String {
    match &row.committed_at {
        Some(at) => format!(
            "Committed by {} on {}.",
            person(&row.committed_by),
            format::date_time(at)
        ),
        None => String::new(),
    }
}

/// The file and who did what with it, above whatever its status shows.
#[component]
fn ImportFacts(detail: ImportDetail) -> impl IntoView {
    let row = detail.row;
    let status = row.status.clone();
    view! {
        <header class="page-header">
            <div>
                <h2>{format!("{} · {}", format::enum_label(&row.kind), row.file_name)}</h2>
                <p class="muted">{format!(
                    "{} · {} data rows · {} · uploaded by {} on {}",
                    row.file_format.to_uppercase(),
                    format::count(row.row_count),
                    format::megabytes(detail.file_bytes as f64),
                    person(&row.uploaded_by),
                    format::date_time(&row.uploaded_at),
                )}</p>
                {detail.cutover_date.map(|date| view! { <p class="muted">{format!("Cut-over date {}", format::date(&date))}</p> })}
            </div>
            <div class="header-actions" data-test="import-status" data-status=row.status>
                <ImportStatusBadge status=status />
            </div>
        </header>
    }
}

/// A refused file: nothing was written, and every problem by row and column.
#[component]
fn Rejected(detail: ImportDetail) -> impl IntoView {
    let shown = detail.errors.len() as i64;
    let more = (detail.row.error_count > shown)
        .then(|| format!(" The first {} are listed below.", format::count(shown)));
    view! {
        <div class="alert alert-error" role="alert" data-test="import-rejected">
            <strong>"Nothing was written."</strong>
            <p>
                {format!(
                    "{} problem(s) found in {}. Correct the file and upload it again; every row is checked before anything is written.",
                    format::count(detail.row.error_count),
                    detail.row.file_name
                )}
                {more}
            </p>
        </div>
        <CellErrors errors=detail.errors />
    }
}

#[component]
fn CellErrors(errors: Vec<ImportCellError>) -> impl IntoView {
    view! {
        <table class="table compact" data-test="import-errors">
            <thead>
                <tr>
                    <th scope="col" class="num">"Row"</th>
                    <th scope="col">"Column"</th>
                    <th scope="col">"Problem"</th>
                </tr>
            </thead>
            <tbody>
                {errors.into_iter().map(|error| {
                    let column = error.column.clone();
                    view! {
                    <tr data-row=error.row.to_string() data-column=column>
                        <td class="num">{if error.row == 0 { "File".to_string() } else { format::count(error.row) }}</td>
                        <td class="mono">{error.column}</td>
                        <td>{error.message}</td>
                    </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// What committing will write: the records, the money per currency, the journal entries and the
/// columns the file carries that nothing reads.
#[component]
fn PreviewView(preview: ImportPreview, kind: String) -> impl IntoView {
    let ignored = preview.ignored_columns.clone();
    view! {
        <div class="alert alert-neutral" role="status" data-test="import-preview">
            <strong>{format!("Every row checked. Committing writes {}.", records_text(&kind, preview.records))}</strong>
            <p>"Nothing has been written yet."</p>
        </div>
        {(!ignored.is_empty()).then(|| view! {
            <div class="alert alert-warning" role="status" data-test="ignored-columns">
                <strong>"Columns that will be ignored: "</strong>
                <span class="mono">{ignored.join(", ")}</span>
                <p>"revops does not read these columns. If one is a misspelt column name, correct the header and upload again."</p>
            </div>
        })}
        {(!preview.totals.is_empty()).then(|| view! {
            <h3>"Totals"</h3>
            <table class="table compact" data-test="import-totals">
                <thead><tr><th scope="col">"Currency"</th><th scope="col" class="num">"Amount"</th></tr></thead>
                <tbody>
                    {preview.totals.iter().cloned().map(|money| view! {
                        <tr><td>{money.currency.clone()}</td><MoneyCell money=Some(money) /></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        <h3>"Journal entries it will post"</h3>
        {if preview.entries.is_empty() {
            view! { <p class="muted">"None: this import writes master data only."</p> }.into_any()
        } else {
            preview.entries.into_iter().map(|entry| view! { <EntryTable entry=entry /> }).collect_view().into_any()
        }}
    }
}

#[component]
fn EntryTable(entry: ImportPreviewEntry) -> impl IntoView {
    view! {
        <table class="table compact" data-test="import-entry">
            <caption class="small">{entry.memo}</caption>
            <thead>
                <tr>
                    <th scope="col">"Account"</th>
                    <th scope="col" class="num">"Debit"</th>
                    <th scope="col" class="num">"Credit"</th>
                </tr>
            </thead>
            <tbody>
                {entry.lines.into_iter().map(|line| view! {
                    <tr>
                        <td><span class="mono">{line.account_code}</span>" "{line.account_name}</td>
                        <MoneyCell money=line.debit />
                        <MoneyCell money=line.credit />
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Follows a running commit: its progress every [`POLL_EVERY`], until the server says it is
/// committed, even when the commit request itself gave up waiting.
#[derive(Clone, Copy)]
struct CommitPoller {
    interval: StoredValue<Option<IntervalHandle>>,
    in_flight: StoredValue<bool>,
    progress: RwSignal<Option<ImportProgress>>,
    /// The commit request failed without an answer (timed out); only polling can tell now.
    request_lost: RwSignal<bool>,
    /// Polls since the last sign of the commit, counted once the request was lost.
    silent_polls: StoredValue<u32>,
}

impl CommitPoller {
    fn new() -> Self {
        let poller = Self {
            interval: StoredValue::new(None),
            in_flight: StoredValue::new(false),
            progress: RwSignal::new(None),
            request_lost: RwSignal::new(false),
            silent_polls: StoredValue::new(0),
        };
        on_cleanup(move || poller.stop());
        poller
    }

    fn stop(self) {
        if let Some(handle) = self.interval.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    }

    /// Polls `id`; `on_committed` runs once when the import is committed, `on_silent` when a
    /// lost request is followed by a minute without any sign of the commit.
    fn start(self, id: String, on_committed: Callback<()>, on_silent: Callback<()>) {
        self.stop();
        self.progress.set(None);
        self.request_lost.set(false);
        self.silent_polls.set_value(0);
        let silence_limit = (SILENCE_LIMIT.as_millis() / POLL_EVERY.as_millis()) as u32;
        let tick = move || {
            if self.in_flight.try_get_value() != Some(false) {
                return;
            }
            self.in_flight.set_value(true);
            let id = id.clone();
            spawn_local(async move {
                let polled = api::import_poll(id).await;
                self.in_flight.try_set_value(false);
                // Stopped meanwhile (the commit answered, or the page went away).
                if self.interval.try_with_value(Option::is_some) != Some(true) {
                    return;
                }
                let Ok(poll) = polled else { return };
                if poll.status == "COMMITTED" {
                    self.stop();
                    on_committed.run(());
                    return;
                }
                let seen = poll.progress.is_some();
                if seen {
                    self.silent_polls.try_set_value(0);
                    self.progress.try_set(poll.progress);
                } else if self.request_lost.try_get_untracked() == Some(true) {
                    let silent = self.silent_polls.try_update_value(|n| {
                        *n += 1;
                        *n
                    });
                    if silent.is_some_and(|n| n >= silence_limit) {
                        self.stop();
                        on_silent.run(());
                    }
                }
            });
        };
        if let Ok(handle) = set_interval_with_handle(tick, POLL_EVERY) {
            self.interval.set_value(Some(handle));
        }
    }
}

/// The commit button, its confirmation with the records and amounts, and the progress while it
/// writes.
#[component]
fn CommitPanel(detail: ImportDetail, on_committed: Callback<()>) -> impl IntoView {
    let can_run = session::can("IMPORT_RUN");
    let confirming = RwSignal::new(false);
    let committing = RwSignal::new(false);
    let errors = RwSignal::new(None::<ApiError>);
    let poller = CommitPoller::new();
    let id = StoredValue::new(detail.row.id.clone());
    let finished = Callback::new(move |()| {
        committing.set(false);
        on_committed.run(());
    });
    let silent = Callback::new(move |()| {
        committing.set(false);
        errors.set(Some(ApiError::for_field(
            "commit",
            "The commit request timed out and the server has shown no progress for a minute. \
             Reload this page to see whether the import was committed before trying again.",
        )));
    });
    let commit = Callback::new(move |()| {
        confirming.set(false);
        committing.set(true);
        errors.set(None);
        poller.start(id.get_value(), finished, silent);
        spawn_local(async move {
            match api::import_commit(id.get_value()).await {
                // Unless the poller saw the commit first (or the page went away).
                Ok(_) if committing.try_get_untracked() == Some(true) => {
                    poller.stop();
                    finished.run(());
                }
                Ok(_) => {}
                // No answer (a timeout): the commit carries on server-side; the poller follows it.
                Err(error) if matches!(error.code(), ErrorCode::Network) => {
                    poller.request_lost.try_set(true);
                }
                Err(error) => {
                    poller.stop();
                    committing.try_set(false);
                    errors.try_set(Some(error));
                }
            }
        });
    });
    let question = commit_question(&detail);
    view! {
        <Show when=move || can_run.get()>
            <div class="button-row" data-test="import-commit">
                <button class="button button-primary" type="button" data-action="commit"
                    disabled=move || confirming.get() || committing.get()
                    on:click=move |_| confirming.set(true)>
                    "Commit…"
                </button>
            </div>
            {let question = question.clone(); move || confirming.get().then(|| view! {
                <CommitConfirm question=question.clone() on_confirm=commit on_cancel=Callback::new(move |()| confirming.set(false)) />
            })}
            {move || committing.get().then(|| view! { <CommitProgress poller=poller /> })}
            <ActionError error=errors.into() />
        </Show>
    }
}

/// "Write 4 invoices for $12,650.50 + €2,999.99 and post 2 journal entries?"
fn commit_question(detail: &ImportDetail) -> String {
    let preview = &detail.preview;
    let mut question = format!("Write {}", records_text(&detail.row.kind, preview.records));
    if !preview.totals.is_empty() {
        question.push_str(&format!(" for {}", totals_text(&preview.totals)));
    }
    match preview.entries.len() {
        0 => question.push('?'),
        1 => question.push_str(" and post 1 journal entry?"),
        n => question.push_str(&format!(" and post {n} journal entries?")),
    }
    question
}

#[component]
fn CommitConfirm(
    question: String,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="confirm panel" role="alertdialog" aria-label="Confirm the import" data-test="commit-confirm">
            <p><strong>{question}</strong></p>
            <p class="muted">"The records are written once, all or none; this file cannot be committed again."</p>
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="confirm-commit" on:click=move |_| on_confirm.run(())>"Commit"</button>
                <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </div>
    }
}

#[component]
fn CommitProgress(poller: CommitPoller) -> impl IntoView {
    view! {
        <section class="panel run-progress" aria-live="polite" data-test="import-progress">
            {move || match poller.progress.get() {
                Some(progress) => {
                    let (done, total) = (progress.done.max(0), progress.total.max(0));
                    view! {
                        <p class="report-status">{format!("Writing {} of {}", format::count(done), format::count(total))}</p>
                        <progress max=total.max(1) value=done aria-label="Import progress"></progress>
                    }
                    .into_any()
                }
                None => view! {
                    <p class="report-status"><span class="spinner" aria-hidden="true"></span>"Writing…"</p>
                }
                .into_any(),
            }}
            {move || poller.request_lost.get().then(|| view! {
                <p class="muted">"The request stopped waiting, but the commit carries on at the server; this page follows it."</p>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_counted_in_their_own_words() {
        assert_eq!(records_text("OPEN_INVOICES", 4), "4 invoices");
        assert_eq!(records_text("CUSTOMERS", 1), "1 customer");
        assert_eq!(records_text("CUSTOMERS", 10_000), "10,000 customers");
        assert_eq!(records_text("CONTRACTS", 3), "3 contracts");
        assert_eq!(
            records_text("DEFERRED_REVENUE", 1),
            "1 month of deferred revenue"
        );
    }
}
