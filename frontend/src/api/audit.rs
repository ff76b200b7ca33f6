//! The audit log: who changed what and when, newest first, optionally for one kind of record.

use serde::Deserialize;

use super::ops;
use super::{field, ApiError, Connection};

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: String,
    pub at: String,
    /// Who, in words: a person's name, "service account: <name> (<prefix>)", or "System".
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

pub async fn audit_log(
    entity_type: Option<String>,
    after: Option<String>,
) -> Result<Connection<AuditEntry>, ApiError> {
    field::<ops::AuditLog, _>(
        "auditLog",
        ops::audit_log::Variables {
            first: Some(i64::from(50)),
            after,
            entity_type,
        },
    )
    .await
}
