//! The signed contract or SOW kept with its contract, as a PDF: attached by whoever approves
//! contracts (at cut-over, for brought-over contracts, or any time later), read by whoever may see
//! the deal. Only PDFs are kept, checked by their content rather than their name, and at most
//! `MAX_DOCUMENT_BYTES` each; every attachment is audited with the file's SHA-256.

use super::DealService;
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::auth::api_key::sha256_hex;
use crate::entities::{contract, contract_document, user};
use crate::error::{AppError, AppResult};
use crate::notifications::mail::{safe_filename, Attachment};
use crate::values::{parse_id, require_text};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

/// The largest signed document kept (a scanned 40-page contract fits well inside).
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;

/// The most documents one contract's list shows (newest first); a contract rarely has more than
/// a signed original and a few amendments.
const MAX_LISTED: u64 = 100;

/// A document as lists show it (without its bytes).
#[derive(Debug, Clone, Serialize)]
pub struct ContractDocument {
    pub id: i64,
    pub contract_id: i64,
    pub file_name: String,
    pub file_bytes: i64,
    pub file_sha256: String,
    pub uploaded_by_name: String,
    pub uploaded_at: DateTime<Utc>,
}

/// Why `bytes` are not a PDF, if they are not: a PDF starts with `%PDF-` and ends with `%%EOF`
/// (ISO 32000-1 §7.5.2 and §7.5.5; trailing whitespace after the marker is common).
pub fn not_a_pdf(bytes: &[u8]) -> Option<&'static str> {
    if bytes.is_empty() {
        return Some("The file is empty.");
    }
    if !bytes.starts_with(b"%PDF-") {
        return Some("The file is not a PDF (it does not start with %PDF-); attach the signed contract as a PDF.");
    }
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if !tail.windows(5).any(|window| window == b"%%EOF") {
        return Some("The PDF is cut short (no %%EOF at its end); upload the whole file again.");
    }
    None
}

/// The name as a download header can carry it (the mail attachments' rule), ending in `.pdf`.
fn header_safe(name: &str) -> String {
    let safe = safe_filename(name);
    if safe.to_ascii_lowercase().ends_with(".pdf") {
        safe
    } else {
        format!("{safe}.pdf")
    }
}

impl DealService {
    /// The contract, if the actor may see its deal.
    async fn visible_contract(
        &self,
        actor: &Actor,
        contract_id: i64,
    ) -> AppResult<contract::Model> {
        let contract = contract::Entity::find_by_id(contract_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                AppError::not_found(format!("There is no contract with id {contract_id}."))
            })?;
        let deal = self.find(contract.deal_id).await?;
        Self::check_visible(actor, &deal)?;
        Ok(contract)
    }

    /// Keeps the signed PDF with the contract.
    pub async fn attach_document(
        &self,
        actor: &Actor,
        contract_id: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> AppResult<ContractDocument> {
        actor.require(Permission::DealApprove)?;
        let contract_id = parse_id("contractId", contract_id)?;
        let file_name = require_text("fileName", file_name, 200)?;
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(AppError::Limit(format!(
                "The file is {} MB; a contract document may be at most {} MB.",
                bytes.len().div_ceil(1024 * 1024),
                MAX_DOCUMENT_BYTES / (1024 * 1024)
            )));
        }
        if let Some(reason) = not_a_pdf(bytes) {
            return Err(AppError::validation("file", reason));
        }
        let contract = self.visible_contract(actor, contract_id).await?;
        let now = self.clock.now();
        let transaction = sea_orm::TransactionTrait::begin(&self.db).await?;
        let model = contract_document::ActiveModel {
            contract_id: Set(contract.id),
            file_name: Set(file_name),
            content_type: Set("application/pdf".into()),
            file_bytes: Set(i64::try_from(bytes.len()).unwrap_or(i64::MAX)),
            file_sha256: Set(sha256_hex(bytes)),
            content: Set(bytes.to_vec()),
            uploaded_by: Set(actor.user_id),
            uploaded_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let document = ContractDocument {
            id: model.id,
            contract_id: model.contract_id,
            file_name: model.file_name,
            file_bytes: model.file_bytes,
            file_sha256: model.file_sha256,
            uploaded_by_name: String::new(),
            uploaded_at: model.uploaded_at,
        };
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "contract.document_attach",
                entity_type: "contract",
                entity_id: contract.id.to_string(),
                before: None,
                after: Some(&document),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(document)
    }

    /// The contract's documents, newest first (at most `MAX_LISTED`).
    pub async fn documents(
        &self,
        actor: &Actor,
        contract_id: i64,
    ) -> AppResult<Vec<ContractDocument>> {
        actor.require(Permission::DealRead)?;
        self.visible_contract(actor, contract_id).await?;
        let rows: Vec<(i64, String, i64, String, i64, DateTime<Utc>)> =
            contract_document::Entity::find()
                .select_only()
                .columns([
                    contract_document::Column::Id,
                    contract_document::Column::FileName,
                    contract_document::Column::FileBytes,
                    contract_document::Column::FileSha256,
                    contract_document::Column::UploadedBy,
                    contract_document::Column::UploadedAt,
                ])
                .filter(contract_document::Column::ContractId.eq(contract_id))
                .order_by_desc(contract_document::Column::Id)
                .limit(MAX_LISTED)
                .into_tuple()
                .all(&self.db)
                .await?;
        let names: std::collections::HashMap<i64, String> = user::Entity::find()
            .filter(user::Column::Id.is_in(rows.iter().map(|row| row.4)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|user| (user.id, user.name))
            .collect();
        Ok(rows
            .into_iter()
            .map(
                |(id, file_name, file_bytes, file_sha256, by, at)| ContractDocument {
                    id,
                    contract_id,
                    file_name,
                    file_bytes,
                    file_sha256,
                    uploaded_by_name: names.get(&by).cloned().unwrap_or_default(),
                    uploaded_at: at,
                },
            )
            .collect())
    }

    /// One document's file, for download.
    pub async fn document_file(&self, actor: &Actor, document_id: i64) -> AppResult<Attachment> {
        actor.require(Permission::DealRead)?;
        let document = contract_document::Entity::find_by_id(document_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                AppError::not_found(format!(
                    "There is no contract document with id {document_id}."
                ))
            })?;
        self.visible_contract(actor, document.contract_id).await?;
        Ok(Attachment {
            filename: header_safe(&document.file_name),
            content_type: document.content_type,
            bytes: document.content,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only whole PDFs pass, whatever the file is called.
    #[test]
    fn a_pdf_is_known_by_its_header_and_its_end_marker() {
        assert_eq!(not_a_pdf(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), None);
        assert!(not_a_pdf(b"").is_some());
        assert!(not_a_pdf(b"PK\x03\x04 a zip or docx").is_some());
        assert!(not_a_pdf(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n").is_some());
    }
}
