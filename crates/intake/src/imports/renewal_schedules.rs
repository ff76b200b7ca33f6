//! The renewal schedules kind: for contracts already in revops (brought over by the contracts
//! import, or approved here), who owns each renewal and the uplift it is priced with — the
//! customer-success team's renewal sheet. Each row names a contract by its revops number or by
//! the reference it came in with, and states its end date as a check: revops knows the term, and
//! a schedule that disagrees is refused rather than trusted (a term is moved by a contract
//! modification, with its revenue consequences). Writes through `deals::renewal_terms`; posts
//! nothing.

use super::cells::{self, CellError};
use super::table::Table;
use super::ColumnSpec;
use crate::deals::renewal_terms::{owner_problem, RenewalTerms};
use crate::entities::{contract, deal, user};
use crate::error::AppResult;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

pub const COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::required("contract", "C-2026-00012", "The contract: its revops number, or the reference it came in with (the contracts import's contract_ref, or the CRM opportunity id of the deal that sold it)."),
    ColumnSpec::optional("end_date", "2027-03-31", "The contract's last service day as your schedule has it (YYYY-MM-DD), checked against revops; the renewal date is the day after. Empty skips the check."),
    ColumnSpec::optional("owner_email", "am@example.com", "Who owns the renewal: a revops user who may manage renewals (an AE, an account manager, VP CS …). The deal keeps its AE for commissions. Empty leaves the owner as it is."),
    ColumnSpec::optional("renewal_uplift_percent", "5", "The uplift the renewal is priced with, 0 to 100. Empty leaves it as it is."),
];

/// Everyone by lower-cased e-mail, with the reason they cannot own a renewal if they cannot
/// (`renewal_terms::owner_problem`). Shared with the contracts kind, whose `owner_email` is the
/// renewal's owner too.
pub(super) struct RenewalOwners {
    by_email: HashMap<String, (i64, Option<String>)>,
}

impl RenewalOwners {
    pub(super) async fn load<C: ConnectionTrait>(connection: &C) -> AppResult<RenewalOwners> {
        let by_email = user::Entity::find()
            .all(connection)
            .await?
            .into_iter()
            .map(|person| {
                let problem = owner_problem(&person);
                (person.email.to_lowercase(), (person.id, problem))
            })
            .collect();
        Ok(RenewalOwners { by_email })
    }

    /// People who may own renewals, with these e-mails and ids (for the parsers' tests).
    #[cfg(test)]
    pub(super) fn of<const N: usize>(people: [(&str, i64); N]) -> RenewalOwners {
        RenewalOwners {
            by_email: people
                .into_iter()
                .map(|(email, id)| (email.to_owned(), (id, None)))
                .collect(),
        }
    }

    /// The user id behind an `owner_email` cell, or why that person cannot own a renewal.
    pub(super) fn find(&self, text: &str, column: &str, row: u32) -> Result<i64, CellError> {
        let email = text.trim();
        match self.by_email.get(&email.to_lowercase()) {
            None => Err(CellError::new(
                row,
                column,
                format!("No revops user has the e-mail {email}."),
            )),
            Some((_, Some(problem))) => Err(CellError::new(row, column, problem.clone())),
            Some((id, None)) => Ok(*id),
        }
    }
}

/// A contract as the rows are checked against it.
struct Known {
    id: i64,
    number: String,
    end_date: NaiveDate,
    uplift: String,
    /// The renewal's owner now: the contract's own, else its deal's AE.
    owner: Option<i64>,
    /// The contract it was renewed into, if it was.
    renewed_into: Option<String>,
}

/// Every contract, findable by its number and by its deal's reference.
struct Contracts {
    known: Vec<Known>,
    by_number: HashMap<String, usize>,
    /// Deal reference (CRM opportunity id, or a brought-over contract's reference) → contracts.
    by_reference: HashMap<String, Vec<usize>>,
}

async fn contracts<C: ConnectionTrait>(connection: &C) -> AppResult<Contracts> {
    let deals: HashMap<i64, (String, Option<i64>)> = deal::Entity::find()
        .select_only()
        .columns([
            deal::Column::Id,
            deal::Column::CrmOpportunityId,
            deal::Column::AssignedAeId,
        ])
        .filter(
            deal::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(contract::Column::DealId)
                    .from(contract::Entity)
                    .to_owned(),
            ),
        )
        .into_tuple::<(i64, String, Option<i64>)>()
        .all(connection)
        .await?
        .into_iter()
        .map(|(id, reference, ae)| (id, (reference, ae)))
        .collect();
    let rows = contract::Entity::find().all(connection).await?;
    let renewed_into: HashMap<i64, String> = rows
        .iter()
        .filter_map(|row| Some((row.renewed_from_id?, row.contract_number.clone())))
        .collect();
    let mut found = Contracts {
        known: Vec::with_capacity(rows.len()),
        by_number: HashMap::with_capacity(rows.len()),
        by_reference: HashMap::with_capacity(rows.len()),
    };
    for row in rows {
        let deal = deals.get(&row.deal_id);
        let at = found.known.len();
        found.by_number.insert(row.contract_number.clone(), at);
        if let Some((reference, _)) = deal {
            found
                .by_reference
                .entry(reference.clone())
                .or_default()
                .push(at);
        }
        found.known.push(Known {
            id: row.id,
            number: row.contract_number.clone(),
            end_date: row.end_date,
            uplift: row.uplift_percent,
            owner: row
                .renewal_owner_id
                .or_else(|| deal.and_then(|(_, ae)| *ae)),
            renewed_into: renewed_into.get(&row.id).cloned(),
        });
    }
    Ok(found)
}

impl Contracts {
    /// The contract a `contract` cell names, or why it names none.
    fn find(&self, text: &str, row: u32) -> Result<&Known, CellError> {
        let refuse = |message: String| CellError::new(row, "contract", message);
        let at = match self.by_number.get(text) {
            Some(&at) => at,
            None => match self.by_reference.get(text).map(Vec::as_slice) {
                Some([at]) => *at,
                Some(many) if !many.is_empty() => {
                    let numbers: Vec<&str> = many
                        .iter()
                        .map(|&at| self.known[at].number.as_str())
                        .collect();
                    return Err(refuse(format!(
                        "The reference {text} belongs to {} contracts ({}); name one by its number.",
                        many.len(),
                        numbers.join(", ")
                    )));
                }
                _ => {
                    return Err(refuse(format!(
                        "No contract in revops has the number or reference {text}; import it with the contracts kind first."
                    )))
                }
            },
        };
        let found = &self.known[at];
        if let Some(next) = &found.renewed_into {
            return Err(refuse(format!(
                "Contract {} is already renewed into {next}; its renewal is settled. Give the running contract.",
                found.number
            )));
        }
        Ok(found)
    }
}

fn parse_row(
    table: &Table,
    cells: &[String],
    row: u32,
    contracts: &Contracts,
    owners: &RenewalOwners,
) -> Result<RenewalTerms, CellError> {
    let cell = |column: &str| table.cell(cells, column);
    let named = cells::required(cell("contract"), "contract", row)?.trim();
    let found = contracts.find(named, row)?;
    if !cell("end_date").is_empty() {
        let stated = cells::date(cell("end_date"), "end_date", row)?;
        if stated != found.end_date {
            return Err(CellError::new(
                row,
                "end_date",
                format!(
                    "Contract {} ends on {} in revops, not {stated}; correct the schedule, or change the contract's term with a contract modification first.",
                    found.number, found.end_date
                ),
            ));
        }
    }
    let owner_id = match cell("owner_email") {
        "" => None,
        text => Some(owners.find(text, "owner_email", row)?),
    };
    let uplift_percent = cells::uplift_percent(
        cell("renewal_uplift_percent"),
        "renewal_uplift_percent",
        row,
    )?;
    if owner_id.is_none() && uplift_percent.is_none() {
        return Err(CellError::new(
            row,
            "owner_email",
            "The row changes nothing: give the renewal's owner_email, its renewal_uplift_percent, or both.",
        ));
    }
    Ok(RenewalTerms {
        contract_id: found.id,
        contract_number: found.number.clone(),
        owner_id,
        uplift_percent,
        owner_before: found.owner,
        uplift_before: found.uplift.clone(),
    })
}

/// Every row checked; the renewal terms to write when no row is wrong.
pub async fn validate<C: ConnectionTrait>(
    connection: &C,
    table: &Table,
    errors: &mut Vec<CellError>,
) -> AppResult<Vec<RenewalTerms>> {
    let contracts = contracts(connection).await?;
    let owners = RenewalOwners::load(connection).await?;
    let mut seen: HashMap<i64, u32> = HashMap::new();
    let mut terms = Vec::with_capacity(table.rows.len());
    for (row, cells) in &table.rows {
        match parse_row(table, cells, *row, &contracts, &owners) {
            Err(error) => errors.push(error),
            Ok(parsed) => match seen.insert(parsed.contract_id, *row) {
                Some(first) => errors.push(CellError::new(
                    *row,
                    "contract",
                    format!(
                        "Contract {} is also on row {first}; give each contract once.",
                        parsed.contract_number
                    ),
                )),
                None => terms.push(parsed),
            },
        }
    }
    Ok(terms)
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::imports::properties::{cells_for, names_row_and_column, one_row};
    use proptest::prelude::*;

    fn known_book() -> (Contracts, RenewalOwners) {
        let end = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap_or_default();
        let contracts = Contracts {
            known: vec![Known {
                id: 7,
                number: "C-2026-00012".into(),
                end_date: end,
                uplift: "0".into(),
                owner: Some(3),
                renewed_into: None,
            }],
            by_number: HashMap::from([("C-2026-00012".to_owned(), 0)]),
            by_reference: HashMap::from([("OLD-C-1042".to_owned(), vec![0])]),
        };
        let owners = RenewalOwners {
            by_email: HashMap::from([
                ("am@example.com".to_owned(), (5, None)),
                (
                    "cfo@example.com".to_owned(),
                    (6, Some("cannot manage renewals".to_owned())),
                ),
                (
                    "gone@example.com".to_owned(),
                    (8, Some("deactivated".to_owned())),
                ),
            ]),
        };
        (contracts, owners)
    }

    #[test]
    fn the_template_row_hands_the_renewal_over_and_a_wrong_end_or_owner_is_named() {
        // The template's example is valid against a book holding its contract; an end date
        // other than the contract's, a CFO or a deactivated owner, and a row changing nothing are
        // each refused naming their column.
        let (contracts, owners) = known_book();
        let check = |cells: [&str; 4]| {
            let cells: Vec<String> = cells.iter().map(|cell| (*cell).to_owned()).collect();
            let (table, cells, row) =
                one_row(COLUMNS, &cells).ok_or_else(|| CellError::file("unreadable"))?;
            parse_row(&table, &cells, row, &contracts, &owners)
        };
        let terms = check(["C-2026-00012", "2027-03-31", "am@example.com", "5"]);
        assert_eq!(
            terms.map(|terms| (terms.contract_id, terms.owner_id, terms.owner_before)),
            Ok((7, Some(5), Some(3)))
        );
        let by_reference = check(["OLD-C-1042", "", "", "3.5"]);
        assert_eq!(
            by_reference.map(|terms| terms.uplift_percent.map(|value| value.to_string())),
            Ok(Some("3.5".to_owned()))
        );
        for (cells, column) in [
            (
                ["C-2026-00012", "2027-04-30", "am@example.com", ""],
                "end_date",
            ),
            (["C-2026-00012", "", "cfo@example.com", ""], "owner_email"),
            (["C-2026-00012", "", "gone@example.com", ""], "owner_email"),
            (["C-2026-00012", "", "", ""], "owner_email"),
            (["C-2026-99999", "", "", "5"], "contract"),
            (["C-2026-00012", "", "", "101"], "renewal_uplift_percent"),
        ] {
            let refused = check(cells).map(|_| ()).map_err(|error| error.column);
            assert_eq!(refused, Err(column.to_owned()), "{cells:?}");
        }
    }

    proptest! {
        #[test]
        fn any_row_is_renewal_terms_or_an_error_naming_its_cell(cells in cells_for(COLUMNS)) {
            // Proves a renewal-schedules row of anything never panics and every refusal names the
            // row and one of the kind's columns.
            let (contracts, owners) = known_book();
            if let Some((table, cells, row)) = one_row(COLUMNS, &cells) {
                if let Err(error) = parse_row(&table, &cells, row, &contracts, &owners) {
                    prop_assert!(names_row_and_column(&error, row, COLUMNS), "{:?}", error);
                }
            }
        }
    }
}
