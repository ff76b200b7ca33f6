//! The one claim-with-lease rule of every outbox (mail and webhooks): a row is due when it is
//! pending (or was being sent by someone whose lease ran out) and its next attempt time has come;
//! a sender claims it with one guarded UPDATE, and the backoff after a failed attempt doubles.
//!
//! The claim succeeds only while the row is still as the sender read it (same attempt count)
//! *and* nobody holds an unexpired lease, both checked by the database in one statement, so of
//! several instances that read the same row one claims it and the others skip it. Leases are
//! measured on the wall clock, not the business clock: they keep processes apart, and processes
//! with different business dates (a `serve` and a back-dated `run-daily`) must still agree on
//! whether a lease has run out.

use crate::error::AppResult;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

/// Statuses a sender may claim: waiting, or held by a sender (whose lease may have run out).
pub const CLAIMABLE: [&str; 2] = ["pending", "sending"];

/// The columns of an outbox table that the lease rule reads and writes.
pub struct LeaseColumns<C> {
    pub id: C,
    pub attempts: C,
    pub status: C,
    pub next_attempt_at: C,
    pub lease_until: C,
}

impl<C: ColumnTrait> LeaseColumns<C> {
    /// Rows due at `now` (business clock) that nobody holds at `lease_now` (wall clock).
    pub fn due(&self, now: DateTime<Utc>, lease_now: DateTime<Utc>) -> Condition {
        Condition::all()
            .add(self.status.is_in(CLAIMABLE))
            .add(self.next_attempt_at.lte(now))
            .add(
                Condition::any()
                    .add(self.lease_until.is_null())
                    .add(self.lease_until.lt(lease_now)),
            )
    }
}

/// Claims row `id`, read with `attempts` attempts, for `lease`. Only one sender wins the row for
/// the lease's length: a sender that read the row before another claimed it finds nothing to
/// update and moves on.
pub async fn claim<E, C>(
    connection: &C,
    columns: &LeaseColumns<E::Column>,
    id: i64,
    attempts: i32,
    now: DateTime<Utc>,
    lease: Duration,
) -> AppResult<bool>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let lease_now = Utc::now();
    let claimed = E::update_many()
        .col_expr(columns.status, Expr::value("sending"))
        .col_expr(columns.lease_until, Expr::value(lease_now + lease))
        .filter(columns.id.eq(id))
        .filter(columns.attempts.eq(attempts))
        .filter(columns.due(now, lease_now))
        .exec(connection)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// Backoff after the n-th failed attempt: 1, 2, 4 … minutes, at most 4 hours.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 9) - 1).unwrap_or(0);
    Duration::minutes((1_i64 << exponent).min(240))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_four_hours() {
        assert_eq!(backoff(0), Duration::minutes(1));
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(2), Duration::minutes(2));
        assert_eq!(backoff(5), Duration::minutes(16));
        assert_eq!(backoff(8), Duration::minutes(128));
        assert_eq!(backoff(9), Duration::minutes(240));
        assert_eq!(backoff(20), Duration::minutes(240));
    }
}
