//! Live updates (GraphQL subscriptions over WebSocket, `/graphql/ws`, graphql-ws or the older
//! subscriptions-transport-ws protocol): a bill run's and an import's progress, and a signal
//! that the books changed, so pages follow the work without asking again and again.
//!
//! Each subscription reads the database (or, for an import, the instance's own progress) on a
//! short interval on the server and sends only what changed. Reading the database rather than
//! an in-process channel is what makes it right with several instances: a bill run started
//! through one instance is followed from a page connected to another.

use super::billing::BillRunStatus;
use super::guard;
use super::imports::Import;
use super::{actor, app};
use crate::entities::journal_entry;
use crate::values::parse_id;
use crate::values::IsoDate;
use async_graphql::futures_util::stream::{self, Stream};
use async_graphql::{Context, SimpleObject, Subscription, ID};
use chrono::{DateTime, Utc};
use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How often a bill run's or an import's progress is read again while it runs.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);
/// How often the books are looked at for a new journal entry.
const BOOKS_EVERY: Duration = Duration::from_secs(2);

/// The newest journal entry: whatever posts to the ledger (an invoice, a payment, a credit memo,
/// a recognition run, a write-off) moves it.
#[derive(Clone, Debug, PartialEq, Eq, SimpleObject)]
pub struct BooksChange {
    /// The newest journal entry's id; empty while the ledger has none.
    pub last_entry_id: Option<ID>,
    /// When it was posted.
    pub posted_at: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct Subscription;

#[Subscription]
impl Subscription {
    /// The bill run of a business date as it goes: its state now (empty before it starts), then
    /// each change of it, ending once it is done.
    async fn bill_run_progress(
        &self,
        ctx: &Context<'_>,
        business_date: IsoDate,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Option<BillRunStatus>>>>
    {
        guard::check_subscription(ctx, "billRunProgress")?;
        let actor = actor(ctx)?.clone();
        let billing = app(ctx).billing.clone();
        let date = business_date.0;
        Ok(watch(
            PROGRESS_EVERY,
            move || {
                let (billing, actor) = (billing.clone(), actor.clone());
                async move {
                    Ok(billing
                        .run_status(&actor, date)
                        .await?
                        .map(BillRunStatus::from))
                }
            },
            |status: &Option<BillRunStatus>| {
                status
                    .as_ref()
                    .map(|s| (s.status.clone(), s.done, s.total, s.finished_at))
            },
            |status| status.as_ref().is_some_and(|s| s.status == "done"),
        ))
    }

    /// An import as it goes: its state now, then each change (rows written while it commits),
    /// ending once it is committed or refused.
    async fn import_progress(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Import>>> {
        guard::check_subscription(ctx, "importProgress")?;
        let id = parse_id("id", &id)?;
        let actor = actor(ctx)?.clone();
        let imports = app(ctx).imports.clone();
        let committing = app(ctx).imports.clone();
        // Fails now, by its field, for an import that does not exist or is not the reader's.
        imports.get(&actor, id).await?;
        Ok(watch(
            PROGRESS_EVERY,
            move || {
                let (imports, actor) = (imports.clone(), actor.clone());
                async move { Ok(Import::from(imports.get(&actor, id).await?)) }
            },
            move |import: &Import| {
                let progress = committing.progress(id).map(|p| (p.done, p.total));
                (import.status, progress)
            },
            |import| import.status != crate::imports::ImportStatus::Validated,
        ))
    }

    /// The newest journal entry now, then again each time something posts to the ledger: the
    /// dashboard and reports reload on it instead of on a timer.
    async fn books_changed(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<BooksChange>>> {
        guard::check_subscription(ctx, "booksChanged")?;
        let db = app(ctx).db.clone();
        Ok(watch(
            BOOKS_EVERY,
            move || {
                let db = db.clone();
                async move {
                    let newest = journal_entry::Entity::find()
                        .order_by_desc(journal_entry::Column::Id)
                        .limit(1)
                        .one(&db)
                        .await?;
                    Ok(BooksChange {
                        last_entry_id: newest.as_ref().map(|entry| ID(entry.id.to_string())),
                        posted_at: newest.map(|entry| entry.posted_at),
                    })
                }
            },
            |change: &BooksChange| change.last_entry_id.clone(),
            |_| false,
        ))
    }
}

/// A stream that reads `fetch` now and then every `every`, sending a value only when its `key`
/// differs from the last one sent, and ending after a value that `is_final` (or an error, sent
/// as the last item).
fn watch<T, K, F, Fut>(
    every: Duration,
    fetch: F,
    key: impl Fn(&T) -> K + Send + Sync + 'static,
    is_final: impl Fn(&T) -> bool + Send + Sync + 'static,
) -> impl Stream<Item = async_graphql::Result<T>>
where
    T: Send + 'static,
    K: PartialEq + Send + 'static,
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = crate::error::AppResult<T>> + Send,
{
    let reader = Arc::new((fetch, key, is_final));
    // (whether the first read is still to come, the key last sent, finished)
    stream::unfold((true, None::<K>, false), move |(first, last, finished)| {
        let reader = reader.clone();
        async move {
            if finished {
                return None;
            }
            let (fetch, key, is_final) = &*reader;
            let mut wait = !first;
            loop {
                if wait {
                    tokio::time::sleep(every).await;
                }
                wait = true;
                match fetch().await {
                    Err(error) => return Some((Err(error.into()), (false, last, true))),
                    Ok(value) => {
                        let now = key(&value);
                        if last.as_ref() == Some(&now) {
                            continue;
                        }
                        let done = is_final(&value);
                        return Some((Ok(value), (false, Some(now), done)));
                    }
                }
            }
        }
    })
}
