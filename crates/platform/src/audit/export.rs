//! The audit log out to the auditors: a date range as CSV or JSON Lines (one object per line).

use super::AuditService;
use crate::access::{Actor, Permission};
use crate::entities::{audit_entry, user};
use crate::error::{AppError, AppResult};
use crate::values::csv_cell;
use chrono::{NaiveDate, NaiveTime};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Rows in one file at most (DESIGN law 7); a longer log is exported a shorter range at a time.
pub const MAX_AUDIT_EXPORT_ROWS: u64 = 200_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditFormat {
    Csv,
    JsonLines,
}

impl AuditFormat {
    pub fn parse(text: Option<&str>) -> AppResult<AuditFormat> {
        match text.unwrap_or("csv") {
            "csv" => Ok(AuditFormat::Csv),
            "jsonl" => Ok(AuditFormat::JsonLines),
            other => Err(AppError::validation(
                "format",
                format!("\"{other}\" is not a format: use csv or jsonl."),
            )),
        }
    }

    pub fn extension(&self) -> &'static str {
        match self {
            AuditFormat::Csv => "csv",
            AuditFormat::JsonLines => "jsonl",
        }
    }

    pub fn content_type(&self) -> &'static str {
        match self {
            AuditFormat::Csv => "text/csv; charset=utf-8",
            AuditFormat::JsonLines => "application/x-ndjson; charset=utf-8",
        }
    }
}

pub const CSV_HEADER: &str =
    "id,at,actor_user_id,actor,action,entity_type,entity_id,before_json,after_json";

/// The rows as CSV; `actor` names who acted ("System" for the jobs and the command line).
pub fn render_csv(rows: &[audit_entry::Model], actors: &HashMap<i64, String>) -> String {
    let mut text = format!("{CSV_HEADER}\r\n");
    for row in rows {
        let cells = [
            row.id.to_string(),
            row.at.to_rfc3339(),
            row.actor_user_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            actor_name(row.actor_user_id, actors),
            row.action.clone(),
            row.entity_type.clone(),
            row.entity_id.clone(),
            row.before_json.clone().unwrap_or_default(),
            row.after_json.clone().unwrap_or_default(),
        ];
        let cells: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
        text.push_str(&cells.join(","));
        text.push_str("\r\n");
    }
    text
}

/// The rows as JSON Lines; the before/after snapshots are embedded as JSON, not as strings.
pub fn render_json_lines(rows: &[audit_entry::Model], actors: &HashMap<i64, String>) -> String {
    let snapshot = |text: &Option<String>| -> Value {
        text.as_deref().map_or(Value::Null, |text| {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
        })
    };
    let mut text = String::new();
    for row in rows {
        let object = json!({
            "id": row.id,
            "at": row.at.to_rfc3339(),
            "actorUserId": row.actor_user_id,
            "actor": actor_name(row.actor_user_id, actors),
            "action": row.action,
            "entityType": row.entity_type,
            "entityId": row.entity_id,
            "before": snapshot(&row.before_json),
            "after": snapshot(&row.after_json),
        });
        text.push_str(&object.to_string());
        text.push('\n');
    }
    text
}

fn actor_name(id: Option<i64>, actors: &HashMap<i64, String>) -> String {
    match id {
        None => "System".into(),
        Some(id) => actors
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("User {id}")),
    }
}

impl AuditService {
    /// The audit rows from `from` to `to` (UTC days, both included), oldest first, as a file
    /// (file name, content type, text).
    pub async fn export_file(
        &self,
        actor: &Actor,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        format: Option<&str>,
    ) -> AppResult<(String, &'static str, String)> {
        actor.require(Permission::AuditRead)?;
        let format = AuditFormat::parse(format)?;
        let from = from.ok_or_else(|| {
            AppError::validation("from", "Give the first day, as from=YYYY-MM-DD.")
        })?;
        let to =
            to.ok_or_else(|| AppError::validation("to", "Give the last day, as to=YYYY-MM-DD."))?;
        if from > to {
            return Err(AppError::validation(
                "to",
                format!("The range ends ({to}) before it starts ({from})."),
            ));
        }
        let start = from.and_time(NaiveTime::MIN).and_utc();
        let end = to
            .succ_opt()
            .ok_or_else(|| AppError::validation("to", "The date is out of range."))?
            .and_time(NaiveTime::MIN)
            .and_utc();
        let query = audit_entry::Entity::find()
            .filter(audit_entry::Column::At.gte(start))
            .filter(audit_entry::Column::At.lt(end));
        if query.clone().count(&self.db).await? > MAX_AUDIT_EXPORT_ROWS {
            return Err(AppError::Limit(format!(
                "More than {MAX_AUDIT_EXPORT_ROWS} audit rows fall in {from} to {to}: export a shorter range."
            )));
        }
        let rows = query
            .order_by_asc(audit_entry::Column::Id)
            .all(&self.db)
            .await?;
        let actors: HashMap<i64, String> = user::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|user| (user.id, user.name))
            .collect();
        let text = match format {
            AuditFormat::Csv => render_csv(&rows, &actors),
            AuditFormat::JsonLines => render_json_lines(&rows, &actors),
        };
        let name = format!("revops-audit-{from}_{to}.{}", format.extension());
        Ok((name, format.content_type(), text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(actor: Option<i64>, after: Option<&str>) -> audit_entry::Model {
        audit_entry::Model {
            id: 7,
            at: "2026-11-27T10:00:00Z".parse().unwrap_or_default(),
            actor_user_id: actor,
            action: "ledger_export.create".into(),
            entity_type: "ledger_export".into(),
            entity_id: "3".into(),
            before_json: None,
            after_json: after.map(str::to_string),
        }
    }

    #[test]
    fn csv_quotes_snapshots_and_names_the_actor() {
        // Proves the CSV header, quoting of JSON snapshots and the actor's name.
        let actors = HashMap::from([(4, "Carla CFO".to_string())]);
        let text = render_csv(
            &[row(Some(4), Some(r#"{"a":1}"#)), row(None, None)],
            &actors,
        );
        assert_eq!(
            text,
            format!("{CSV_HEADER}\r\n7,2026-11-27T10:00:00+00:00,4,Carla CFO,ledger_export.create,ledger_export,3,,\"{{\"\"a\"\":1}}\"\r\n7,2026-11-27T10:00:00+00:00,,System,ledger_export.create,ledger_export,3,,\r\n")
        );
    }

    #[test]
    fn json_lines_are_one_object_per_line_with_embedded_snapshots() {
        // Proves each line parses alone and the snapshot is JSON, not a string.
        let text = render_json_lines(&[row(Some(4), Some(r#"{"a":1}"#))], &HashMap::new());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1);
        let object: Value = serde_json::from_str(lines[0]).unwrap_or_default();
        assert_eq!(object["after"]["a"], 1);
        assert_eq!(object["actor"], "User 4");
        assert_eq!(object["before"], Value::Null);
    }

    #[test]
    fn formats_parse() {
        // Proves csv is the default and an unknown format is refused on its field.
        assert_eq!(AuditFormat::parse(None).ok(), Some(AuditFormat::Csv));
        assert_eq!(
            AuditFormat::parse(Some("jsonl")).ok(),
            Some(AuditFormat::JsonLines)
        );
        assert!(AuditFormat::parse(Some("xml")).is_err());
    }
}
