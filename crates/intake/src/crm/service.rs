//! The intake use cases: receive a notification, read the inbox and the amendments, replay an
//! event, resolve an amendment.

use super::*;

impl IntakeService {
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        deals: DealService,
        customers: CustomerService,
        auth: crate::auth::AuthService,
        secrets: crate::secrets::SecretBox,
    ) -> IntakeService {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        IntakeService {
            http,
            db,
            clock,
            deals,
            customers,
            auth,
            secrets,
        }
    }

    /// Receives revops's JSON notification: parsed (a malformed one is refused and nothing is
    /// kept), stored in the inbox, then processed. A resend of a processed event is answered from
    /// the inbox and changes nothing.
    pub async fn receive_json(&self, actor: &Actor, body: &[u8]) -> AppResult<IntakeOutcome> {
        actor.require(Permission::IntakeSubmit)?;
        let parsed = event::parse(body)?;
        let event_id = match parsed.event_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => id.chars().take(200).collect(),
            _ => sha256_hex(body),
        };
        let payload = String::from_utf8_lossy(body).into_owned();
        let stored = self
            .store(
                actor,
                JSON_CONNECTOR,
                &event_id,
                &parsed.opportunity_id,
                payload,
            )
            .await?;
        if stored.status.is_settled() {
            let gaps = self.gaps_of(stored.deal_id).await?;
            return Ok(IntakeOutcome {
                event: stored,
                duplicate: true,
                gaps,
            });
        }
        self.process(actor, stored, &parsed).await
    }

    /// Inserts the event, or finds it when the connector already has this event id.
    pub(super) async fn store(
        &self,
        actor: &Actor,
        connector: &str,
        event_id: &str,
        opportunity_id: &str,
        payload: String,
    ) -> AppResult<IntakeEvent> {
        let inserted = intake_event::ActiveModel {
            connector: Set(connector.into()),
            event_id: Set(event_id.into()),
            opportunity_id: Set(Some(opportunity_id.trim().chars().take(200).collect())),
            payload: Set(payload),
            status: Set(IntakeStatus::Received.as_str().into()),
            outcome: Set(String::new()),
            received_by: Set(Some(actor.user_id)),
            received_at: Set(self.clock.now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await;
        match inserted {
            Ok(model) => IntakeEvent::try_from(model),
            Err(error)
                if matches!(
                    error.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                let model = intake_event::Entity::find()
                    .filter(intake_event::Column::Connector.eq(connector))
                    .filter(intake_event::Column::EventId.eq(event_id))
                    .one(&self.db)
                    .await?
                    .ok_or_else(|| {
                        AppError::internal("intake event vanished after a unique conflict")
                    })?;
                IntakeEvent::try_from(model)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// What the deal's checklist still lacks, in words.
    pub(super) async fn gaps_of(&self, deal_id: Option<i64>) -> AppResult<Vec<String>> {
        let Some(id) = deal_id else {
            return Ok(Vec::new());
        };
        let deal = self.deals.find(id).await?;
        gaps(&self.deals, &deal).await
    }

    /// The inbox, newest first, optionally one status and one connector (its name, or "json"),
    /// so a connector's page shows only what came through it.
    pub async fn events(
        &self,
        actor: &Actor,
        status: Option<IntakeStatus>,
        connector: Option<&str>,
        page: PageRequest,
    ) -> AppResult<Page<IntakeEvent>> {
        actor.require(Permission::IntakeRead)?;
        let mut query = intake_event::Entity::find();
        if let Some(status) = status {
            query = query.filter(intake_event::Column::Status.eq(status.as_str()));
        }
        if let Some(connector) = connector {
            query = query.filter(intake_event::Column::Connector.eq(connector));
        }
        let total = query.clone().count(&self.db).await?;
        let rows = query
            .order_by_desc(intake_event::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        let items = rows
            .into_iter()
            .map(IntakeEvent::try_from)
            .collect::<AppResult<Vec<_>>>()?;
        Ok(Page::new(items, page, total))
    }

    /// Processes a stored event again (after its cause was fixed, e.g. the customer created).
    pub async fn replay(&self, actor: &Actor, id: i64) -> AppResult<IntakeOutcome> {
        actor.require(Permission::IntakeReview)?;
        let model = intake_event::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found(format!("Inbox event #{id} does not exist.")))?;
        let stored = IntakeEvent::try_from(model)?;
        if stored.status.is_settled() && stored.status != IntakeStatus::Processing {
            return Err(AppError::Conflict(format!(
                "Event #{id} was already processed ({}); only received or failed events are replayed.",
                stored.status.as_str()
            )));
        }
        if stored.connector != JSON_CONNECTOR {
            return self.replay_connector_event(stored).await;
        }
        let parsed = event::parse(stored.payload.as_bytes())?;
        self.process(actor, stored, &parsed).await
    }

    /// Amendments waiting (or all), newest first.
    pub async fn amendments(
        &self,
        actor: &Actor,
        pending_only: bool,
    ) -> AppResult<Vec<DealAmendment>> {
        actor.require(Permission::IntakeRead)?;
        let mut query = deal_amendment::Entity::find();
        if pending_only {
            query = query.filter(deal_amendment::Column::Status.eq("pending"));
        }
        query
            .order_by_desc(deal_amendment::Column::Id)
            .limit(500)
            .all(&self.db)
            .await?
            .into_iter()
            .map(DealAmendment::try_from)
            .collect()
    }

    /// VP RevOps closes an amendment: accepted (the contract will be changed through a contract
    /// change) or dismissed, with a note either way.
    pub async fn resolve_amendment(
        &self,
        actor: &Actor,
        id: i64,
        accepted: bool,
        note: &str,
    ) -> AppResult<DealAmendment> {
        actor.require(Permission::IntakeReview)?;
        let note = crate::values::require_text("note", note, 2000)?;
        let now = self.clock.now();
        let status = if accepted { "accepted" } else { "dismissed" };
        let updated = deal_amendment::Entity::update_many()
            .col_expr(deal_amendment::Column::Status, Expr::value(status))
            .col_expr(
                deal_amendment::Column::ResolutionNote,
                Expr::value(note.clone()),
            )
            .col_expr(
                deal_amendment::Column::ResolvedBy,
                Expr::value(actor.user_id),
            )
            .col_expr(deal_amendment::Column::ResolvedAt, Expr::value(now))
            .filter(deal_amendment::Column::Id.eq(id))
            .filter(deal_amendment::Column::Status.eq("pending"))
            .exec(&self.db)
            .await?;
        if updated.rows_affected != 1 {
            return Err(AppError::Conflict(format!(
                "Amendment #{id} is not pending (or does not exist)."
            )));
        }
        let amendment = DealAmendment::try_from(
            deal_amendment::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .ok_or_else(|| AppError::not_found(format!("Amendment #{id} does not exist.")))?,
        )?;
        audit::record(
            &self.db,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "deal_amendment.resolve",
                entity_type: "deal_amendment",
                entity_id: id.to_string(),
                before: None,
                after: Some(&amendment),
            },
        )
        .await?;
        Ok(amendment)
    }
}

/// The checklist items not complete, as "label: message".
pub(super) async fn gaps(deals: &DealService, deal: &Deal) -> AppResult<Vec<String>> {
    Ok(deals
        .checklist(deal)
        .await?
        .into_iter()
        .filter(|item| !item.complete)
        .map(|item| match item.message {
            Some(message) => format!("{}: {message}", item.label),
            None => item.label,
        })
        .collect())
}
