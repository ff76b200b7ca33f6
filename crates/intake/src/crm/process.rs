//! Processing one stored notification into a draft deal, an update of the draft, or an amendment
//! of an approved deal; the inbox row records the outcome either way.

use super::*;

/// What processing decided, before it is written to the inbox row.
struct Decision {
    status: IntakeStatus,
    deal_id: Option<i64>,
    outcome: String,
    /// What the deal still lacks beyond its checklist: the line items that could not be read.
    notes: Vec<String>,
}

impl Decision {
    fn new(status: IntakeStatus, deal_id: Option<i64>, outcome: String) -> Decision {
        Decision {
            status,
            deal_id,
            outcome,
            notes: Vec::new(),
        }
    }

    /// The line items' gaps, named in the outcome too, so the inbox keeps them.
    fn with_notes(mut self, notes: Vec<String>) -> Decision {
        if !notes.is_empty() {
            self.outcome = format!(
                "{} Line items not taken: {}",
                self.outcome,
                notes.join("; ")
            );
        }
        self.notes = notes;
        self
    }
}

/// How long a claim on an event lasts: an instance that died while processing it leaves it to
/// the next delivery or replay after this.
const CLAIM_SECONDS: i64 = 300;

impl IntakeService {
    /// Claims the event for this instance (received, failed, or claimed long ago by one that
    /// died); `false` when another delivery of it is being processed right now.
    async fn claim(&self, id: i64) -> AppResult<bool> {
        let now = self.clock.now();
        let stale = now - chrono::Duration::seconds(CLAIM_SECONDS);
        let open = sea_orm::Condition::any()
            .add(intake_event::Column::Status.is_in([
                IntakeStatus::Received.as_str(),
                IntakeStatus::Failed.as_str(),
            ]))
            .add(
                sea_orm::Condition::all()
                    .add(intake_event::Column::Status.eq(IntakeStatus::Processing.as_str()))
                    .add(intake_event::Column::ProcessedAt.lt(stale)),
            );
        let claimed = intake_event::Entity::update_many()
            .col_expr(
                intake_event::Column::Status,
                Expr::value(IntakeStatus::Processing.as_str()),
            )
            .col_expr(intake_event::Column::ProcessedAt, Expr::value(now))
            .filter(intake_event::Column::Id.eq(id))
            .filter(open)
            .exec(&self.db)
            .await?;
        Ok(claimed.rows_affected == 1)
    }

    pub(super) async fn process(
        &self,
        actor: &Actor,
        stored: IntakeEvent,
        parsed: &DealEvent,
    ) -> AppResult<IntakeOutcome> {
        if !self.claim(stored.id).await? {
            return self.answer_from_inbox(stored.id).await;
        }
        let decision = match self.decide(actor, &stored, parsed).await {
            Ok(decision) => decision,
            Err(AppError::Internal(error)) => return Err(AppError::Internal(error)),
            Err(refused) => failed(refused),
        };
        self.finish(stored, decision).await
    }

    /// Marks an event failed before processing could start (its mapped fields did not parse).
    pub(super) async fn record_failure(
        &self,
        stored: IntakeEvent,
        error: AppError,
    ) -> AppResult<IntakeOutcome> {
        if let AppError::Internal(error) = error {
            return Err(AppError::Internal(error));
        }
        if !self.claim(stored.id).await? {
            return self.answer_from_inbox(stored.id).await;
        }
        self.finish(stored, failed(error)).await
    }

    /// The event as the inbox has it now, for a delivery that found it taken.
    async fn answer_from_inbox(&self, id: i64) -> AppResult<IntakeOutcome> {
        let model = intake_event::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found(format!("Inbox event #{id} does not exist.")))?;
        let event = IntakeEvent::try_from(model)?;
        let gaps = self.gaps_of(event.deal_id).await?;
        Ok(IntakeOutcome {
            event,
            duplicate: true,
            gaps,
        })
    }

    async fn finish(&self, stored: IntakeEvent, decision: Decision) -> AppResult<IntakeOutcome> {
        intake_event::Entity::update_many()
            .col_expr(
                intake_event::Column::Status,
                Expr::value(decision.status.as_str()),
            )
            .col_expr(intake_event::Column::DealId, Expr::value(decision.deal_id))
            .col_expr(
                intake_event::Column::Outcome,
                Expr::value(decision.outcome.clone()),
            )
            .col_expr(
                intake_event::Column::ProcessedAt,
                Expr::value(self.clock.now()),
            )
            .filter(intake_event::Column::Id.eq(stored.id))
            .exec(&self.db)
            .await?;
        let event = IntakeEvent {
            status: decision.status,
            deal_id: decision.deal_id,
            outcome: decision.outcome.clone(),
            processed_at: Some(self.clock.now()),
            ..stored
        };
        let mut gaps = decision.notes;
        gaps.extend(self.gaps_of(event.deal_id).await?);
        Ok(IntakeOutcome {
            event,
            duplicate: false,
            gaps,
        })
    }

    async fn decide(
        &self,
        actor: &Actor,
        stored: &IntakeEvent,
        parsed: &DealEvent,
    ) -> AppResult<Decision> {
        if !event::is_closed_won(parsed.stage.as_deref()) {
            return Ok(Decision::new(
                IntakeStatus::Ignored,
                None,
                format!(
                    "Stage \"{}\" is not closed won; nothing changed.",
                    parsed.stage.clone().unwrap_or_default()
                ),
            ));
        }
        let (part, notes) = lines::apply(&parsed.deal);
        let opportunity = parsed.opportunity_id.trim().to_string();
        let customer_id = self.customer_for(actor, parsed).await?;
        let owner = match parsed.deal.owner_email.as_deref() {
            Some(email) => self.auth.find_by_email(email).await?.map(|user| user.id),
            None => None,
        };
        match self.deals.maybe_find_by_crm_id(&opportunity).await? {
            None => {
                let mut input = crate::deals::DealInput {
                    crm_opportunity_id: opportunity.clone(),
                    ..empty_input()
                };
                input.customer_id = customer_id.map(|id| async_graphql::ID(id.to_string()));
                event::overlay(&mut input, &part, owner);
                let deal = self.deals.create(actor, input).await?;
                Ok(Decision::new(
                    IntakeStatus::Applied,
                    Some(deal.id),
                    format!(
                        "Draft deal #{} created for opportunity {opportunity}.",
                        deal.id
                    ),
                )
                .with_notes(notes))
            }
            Some(deal) if deal.status == DealStatus::Draft => {
                let mut input = deal.draft.to_input();
                if let Some(id) = customer_id {
                    input.customer_id = Some(async_graphql::ID(id.to_string()));
                }
                let changes = event::overlay(&mut input, &part, owner);
                let updated = self
                    .deals
                    .update(
                        actor,
                        DealUpdateInput {
                            id: async_graphql::ID(deal.id.to_string()),
                            deal: input,
                        },
                    )
                    .await?;
                Ok(Decision::new(
                    IntakeStatus::Applied,
                    Some(updated.id),
                    format!(
                        "Draft deal #{} updated ({} field(s) changed).",
                        updated.id,
                        changes.len()
                    ),
                )
                .with_notes(notes))
            }
            Some(deal) => Ok(self
                .amend(stored, &part, deal, owner)
                .await?
                .with_notes(notes)),
        }
    }

    /// An approved deal is never edited by a CRM: the change waits for VP RevOps.
    async fn amend(
        &self,
        stored: &IntakeEvent,
        part: &event::DealPart,
        deal: Deal,
        owner: Option<i64>,
    ) -> AppResult<Decision> {
        let mut input = deal.draft.to_input();
        let changes = event::overlay(&mut input, part, owner);
        if changes.is_empty() {
            return Ok(Decision::new(
                IntakeStatus::Ignored,
                Some(deal.id),
                format!(
                    "Deal #{} is approved and the notification changes none of its fields.",
                    deal.id
                ),
            ));
        }
        let amendment = deal_amendment::ActiveModel {
            deal_id: Set(deal.id),
            intake_event_id: Set(stored.id),
            changes_json: Set(serde_json::to_string(&changes)?),
            status: Set("pending".into()),
            created_at: Set(self.clock.now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(Decision::new(
            IntakeStatus::Amendment,
            Some(deal.id),
            format!(
                "Deal #{} is approved; amendment #{} with {} change(s) waits for VP RevOps.",
                deal.id,
                amendment.id,
                changes.len()
            ),
        ))
    }

    /// The customer the account names: found by its external reference, or created from the
    /// account's master fields when they are all there; `None` leaves a checklist gap.
    async fn customer_for(&self, actor: &Actor, parsed: &DealEvent) -> AppResult<Option<i64>> {
        let Some(account) = &parsed.account else {
            return Ok(None);
        };
        let reference = account.external_ref.trim();
        if reference.is_empty() {
            return Ok(None);
        }
        let found = customer::Entity::find()
            .select_only()
            .column(customer::Column::Id)
            .filter(customer::Column::ExternalRef.eq(reference))
            .into_tuple::<i64>()
            .one(&self.db)
            .await?;
        if found.is_some() {
            return Ok(found);
        }
        let (Some(legal_name), Some(address), Some(contact), Some(currency)) = (
            account.legal_name.clone(),
            account.billing_address.clone(),
            account.billing_contact.clone(),
            account.billing_currency.clone(),
        ) else {
            return Ok(None);
        };
        let created = self
            .customers
            .create(
                actor,
                CustomerCreateInput {
                    external_ref: Some(reference.to_string()),
                    legal_name,
                    billing_address: address,
                    remit_to_address: None,
                    tax_registration_number: account.tax_registration_number.clone(),
                    billing_contact: contact,
                    payment_method: None,
                    payment_terms: None,
                    billing_currency: currency,
                },
            )
            .await
            .map_err(|error| error.within("account"))?;
        Ok(Some(created.id))
    }
}

/// A refusal as the inbox records it.
fn failed(refused: AppError) -> Decision {
    Decision::new(
        IntakeStatus::Failed,
        None,
        match &refused {
            AppError::Validation { field, message } => format!("{field}: {message}"),
            other => other.message(),
        },
    )
}

fn empty_input() -> crate::deals::DealInput {
    crate::deals::DealInput {
        crm_opportunity_id: String::new(),
        customer_id: None,
        invoiced_legal_entity: None,
        billing_contact: None,
        product_name: None,
        tcv: None,
        arr: None,
        start_date: None,
        end_date: None,
        billing_frequency: None,
        payment_terms: None,
        billing_currency: None,
        po_required: false,
        po_number: None,
        tax_jurisdiction: None,
        tax_exempt: false,
        tax_exemption_certificate: None,
        revenue_recognition_type: None,
        milestones: Vec::new(),
        lines: Vec::new(),
        assigned_ae_id: None,
        commission_plan_id: None,
    }
}
