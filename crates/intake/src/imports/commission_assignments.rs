//! The commission assignments kind: which rep is on which plan, from when to when, with which
//! quota, as the old commission tool had it. Each row is assigned through the commissions area's
//! own rule (`commissions::assignments::assign_in`), so an import and the form refuse the same
//! overlaps; validation runs the whole file through it in a transaction that is rolled back.

use super::cells::{self, CellError};
use super::table::Table;
use super::ColumnSpec;
use crate::access::Actor;
use crate::commissions::assignments::assign_in;
use crate::commissions::AssignInput;
use crate::entities::user;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{DatabaseConnection, EntityTrait, QuerySelect, TransactionTrait};
use serde::Serialize;
use std::collections::HashMap;

pub const COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::required("rep_email", "ae@example.com", "The rep's e-mail as a revops user."),
    ColumnSpec::required("plan_code", "AE-2027", "The code of an imported commission plan (import the plan document first)."),
    ColumnSpec::required("effective_from", "2027-01-01", "First day the rep is on the plan (YYYY-MM-DD); an open-ended earlier assignment of the rep ends the day before."),
    ColumnSpec::optional("effective_to", "2027-12-31", "Last day on the plan (YYYY-MM-DD); open-ended when empty."),
    ColumnSpec::optional("quota", "900000.00", "The rep's own quota for the plan's quota period, in the plan's currency; the plan's quota when empty."),
];

/// One row, ready to assign.
#[derive(Debug, Clone, Serialize)]
pub struct AssignmentRow {
    pub row: u32,
    pub user_id: i64,
    pub plan_code: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub quota: Option<String>,
}

impl AssignmentRow {
    pub fn input(&self) -> AssignInput {
        AssignInput {
            user_id: self.user_id,
            plan_code: self.plan_code.clone(),
            effective_from: self.effective_from,
            effective_to: self.effective_to,
            quota: self.quota.clone(),
        }
    }
}

fn parse_row(
    table: &Table,
    cells: &[String],
    row: u32,
    users: &HashMap<String, i64>,
) -> Result<AssignmentRow, CellError> {
    let cell = |column: &str| table.cell(cells, column);
    let email = cells::required(cell("rep_email"), "rep_email", row)?;
    let user_id = *users.get(&email.trim().to_lowercase()).ok_or_else(|| {
        CellError::new(
            row,
            "rep_email",
            format!("No revops user has the e-mail {email}."),
        )
    })?;
    let plan_code = cells::required(cell("plan_code"), "plan_code", row)?
        .trim()
        .to_string();
    let effective_from = cells::date(cell("effective_from"), "effective_from", row)?;
    let effective_to = match cell("effective_to") {
        "" => None,
        text => Some(cells::date(text, "effective_to", row)?),
    };
    let quota = cells::optional(cell("quota"), "quota", row, 40)?.map(|text| text.replace(',', ""));
    Ok(AssignmentRow {
        row,
        user_id,
        plan_code,
        effective_from,
        effective_to,
        quota,
    })
}

/// The file's column for a field the commissions area names in its error.
fn column_of(field: &str) -> &'static str {
    match field {
        "userId" => "rep_email",
        "planCode" => "plan_code",
        "effectiveTo" => "effective_to",
        "quota" => "quota",
        _ => "effective_from",
    }
}

/// Every row checked, against the commissions area's own rules and against the rows above it.
pub async fn validate(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    table: &Table,
    errors: &mut Vec<CellError>,
) -> AppResult<Vec<AssignmentRow>> {
    let users: HashMap<String, i64> = user::Entity::find()
        .select_only()
        .column(user::Column::Email)
        .column(user::Column::Id)
        .into_tuple::<(String, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(email, id)| (email.to_lowercase(), id))
        .collect();
    let mut rows = Vec::with_capacity(table.rows.len());
    for (row, cells) in &table.rows {
        match parse_row(table, cells, *row, &users) {
            Ok(parsed) => rows.push(parsed),
            Err(error) => errors.push(error),
        }
    }
    // A rehearsal: every row assigned in order, then nothing kept.
    let rehearsal = db.begin().await?;
    for parsed in &rows {
        match assign_in(&rehearsal, actor, now, parsed.input()).await {
            Ok(_) => {}
            Err(AppError::Validation { field, message }) => {
                errors.push(CellError::new(parsed.row, column_of(&field), message));
            }
            Err(other) => return Err(other),
        }
    }
    rehearsal.rollback().await?;
    Ok(rows)
}

/// Assigns every row in the caller's transaction.
pub async fn write<C: sea_orm::ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    rows: &[AssignmentRow],
    mut progress: impl FnMut(usize),
) -> AppResult<usize> {
    for (done, row) in rows.iter().enumerate() {
        assign_in(connection, actor, now, row.input()).await?;
        progress(done + 1);
    }
    Ok(rows.len())
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::imports::properties::{cells_for, names_row_and_column, one_row};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_row_is_an_assignment_or_an_error_naming_its_cell(cells in cells_for(COLUMNS)) {
            // Proves a commission-assignments row of anything never panics and every refusal
            // names the row and one of the kind's columns.
            let users = HashMap::from([("ae@example.com".to_owned(), 5)]);
            if let Some((table, cells, row)) = one_row(COLUMNS, &cells) {
                if let Err(error) = parse_row(&table, &cells, row, &users) {
                    prop_assert!(names_row_and_column(&error, row, COLUMNS), "{:?}", error);
                }
            }
        }
    }
}
