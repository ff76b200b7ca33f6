//! What an outbox message attaches is rendered at send time by the area that owns the document:
//! each area registers a renderer for its attachment kinds (`invoice_pdf`, `credit_memo_pdf`,
//! `dispute_evidence`), so the sender below them never reaches up into invoicing or receivables.

use super::mail::Attachment;
use crate::error::{AppError, AppResult};
use async_trait::async_trait;
use sea_orm::DatabaseConnection;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Renders the attachments of one kind for the id stored with the message.
#[async_trait]
pub trait AttachmentRenderer: Send + Sync {
    async fn render(&self, db: &DatabaseConnection, id: i64) -> AppResult<Vec<Attachment>>;
}

/// The renderers by attachment kind, assembled once when the app starts.
#[derive(Clone, Default)]
pub struct Attachments {
    renderers: BTreeMap<&'static str, Arc<dyn AttachmentRenderer>>,
}

impl Attachments {
    /// Adds the renderer of `kind`; a kind registered twice is a wiring mistake caught at start.
    pub fn register(
        mut self,
        kind: &'static str,
        renderer: Arc<dyn AttachmentRenderer>,
    ) -> AppResult<Attachments> {
        if self.renderers.insert(kind, renderer).is_some() {
            return Err(AppError::internal(format!(
                "two renderers registered for the attachment kind {kind}"
            )));
        }
        Ok(self)
    }

    pub async fn render(
        &self,
        db: &DatabaseConnection,
        kind: &str,
        id: i64,
    ) -> AppResult<Vec<Attachment>> {
        match self.renderers.get(kind) {
            Some(renderer) => renderer.render(db, id).await,
            None => Err(AppError::internal(format!(
                "unknown attachment kind {kind}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;

    #[async_trait]
    impl AttachmentRenderer for Fixed {
        async fn render(&self, _db: &DatabaseConnection, id: i64) -> AppResult<Vec<Attachment>> {
            Ok(vec![Attachment {
                filename: format!("{id}.txt"),
                content_type: "text/plain".into(),
                bytes: Vec::new(),
            }])
        }
    }

    #[tokio::test]
    async fn renders_by_kind_and_refuses_unknown_or_doubled_kinds() {
        // Proves the sender finds each kind's renderer, names an unknown kind instead of sending
        // without it, and that wiring one kind twice fails at start rather than picking one.
        let db = DatabaseConnection::Disconnected;
        let attachments = Attachments::default()
            .register("fixed", Arc::new(Fixed))
            .unwrap();
        let rendered = attachments.render(&db, "fixed", 7).await.unwrap();
        assert_eq!(rendered[0].filename, "7.txt");
        let unknown = attachments.render(&db, "other", 7).await.unwrap_err();
        assert!(unknown.message().contains("unknown attachment kind other"));
        assert!(attachments.register("fixed", Arc::new(Fixed)).is_err());
    }
}
