//! Entering a deal: the form parsed into a draft (coupons resolved), its live checklist, and
//! drafts created and updated.

use super::*;
use crate::access::{Permission, Role};
use crate::audit::{self, AuditRecord};
use crate::values::{optional_text, parse_currency, parse_id, require_text};
use sea_orm::{ColumnTrait, QueryFilter, TransactionTrait};

impl DealDraft {
    /// The form as it would be typed to produce this draft, so a partial change (a CRM update
    /// that carries only some fields) can be laid over it and saved as a whole form.
    pub fn to_input(&self) -> DealInput {
        let money = |value: Option<Money>| {
            value.map(|money| MoneyInput {
                amount: money.amount_string(),
                currency: money.currency().code().to_string(),
            })
        };
        DealInput {
            crm_opportunity_id: self.crm_opportunity_id.clone(),
            customer_id: self.customer_id.map(|id| ID(id.to_string())),
            invoiced_legal_entity: self.invoiced_legal_entity.clone(),
            billing_contact: self.billing_contact.clone(),
            product_name: self.product_name.clone(),
            tcv: money(self.tcv),
            arr: money(self.arr),
            start_date: self.start_date.map(IsoDate),
            end_date: self.end_date.map(IsoDate),
            billing_frequency: self.billing_frequency,
            payment_terms: self.payment_terms,
            billing_currency: self
                .billing_currency
                .map(|currency| currency.code().to_string()),
            po_required: self.po_required,
            po_number: self.po_number.clone(),
            tax_jurisdiction: self.tax_jurisdiction.clone(),
            tax_exempt: self.tax_exempt,
            tax_exemption_certificate: self.tax_exemption_certificate.clone(),
            revenue_recognition_type: self.revenue_recognition_type,
            milestones: self
                .milestones
                .iter()
                .map(|milestone| MilestoneInput {
                    name: milestone.name.clone(),
                    due_date: milestone.due_date.map(IsoDate),
                    amount: MoneyInput {
                        amount: milestone
                            .amount()
                            .map(|money| money.amount_string())
                            .unwrap_or_default(),
                        currency: milestone.currency.clone(),
                    },
                })
                .collect(),
            lines: self.lines.iter().map(DealLineInput::from).collect(),
            assigned_ae_id: self.assigned_ae_id.map(|id| ID(id.to_string())),
            commission_plan_id: self.commission_plan_id.clone(),
        }
    }
}

/// Parses the form. Malformed values are errors naming their field; missing ones are not.
pub fn parse_deal_input(input: &DealInput) -> AppResult<DealDraft> {
    let crm_opportunity_id = require_text("crmOpportunityId", &input.crm_opportunity_id, 64)?;
    let customer_id = input
        .customer_id
        .as_ref()
        .map(|id| parse_id("customerId", id))
        .transpose()?;
    let assigned_ae_id = input
        .assigned_ae_id
        .as_ref()
        .map(|id| parse_id("assignedAeId", id))
        .transpose()?;
    let (billing_currency, tcv, arr) = parse_amounts(input)?;
    let (lines, billing_currency) = lines::parse(&input.lines, billing_currency)?;
    let milestones = parse_milestones(input)?;
    let billing_contact = input
        .billing_contact
        .clone()
        .map(|contact| contact.validated("billingContact"))
        .transpose()?;
    let mut draft = DealDraft {
        crm_opportunity_id,
        customer_id,
        invoiced_legal_entity: optional_text(
            "invoicedLegalEntity",
            input.invoiced_legal_entity.as_deref(),
            200,
        )?,
        billing_contact,
        product_name: optional_text("productName", input.product_name.as_deref(), 200)?,
        tcv,
        arr,
        billing_currency,
        start_date: input.start_date.map(|date| date.0),
        end_date: input.end_date.map(|date| date.0),
        billing_frequency: input.billing_frequency,
        payment_terms: input.payment_terms,
        po_required: input.po_required,
        po_number: optional_text("poNumber", input.po_number.as_deref(), 64)?,
        tax_jurisdiction: optional_text("taxJurisdiction", input.tax_jurisdiction.as_deref(), 100)?,
        tax_exempt: input.tax_exempt,
        tax_exemption_certificate: optional_text(
            "taxExemptionCertificate",
            input.tax_exemption_certificate.as_deref(),
            100,
        )?,
        revenue_recognition_type: input.revenue_recognition_type,
        milestones,
        lines,
        assigned_ae_id,
        commission_plan_id: optional_text(
            "commissionPlanId",
            input.commission_plan_id.as_deref(),
            64,
        )?,
    };
    lines::compute_totals(&mut draft)?;
    Ok(draft)
}

/// The billing currency and the TCV and ARR in it; when no currency is chosen yet, the first
/// amount sets it.
fn parse_amounts(input: &DealInput) -> AppResult<(Option<Currency>, Option<Money>, Option<Money>)> {
    let mut billing_currency = match input
        .billing_currency
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
    {
        Some(code) => Some(parse_currency("billingCurrency", code)?),
        None => None,
    };
    let tcv = input
        .tcv
        .as_ref()
        .map(|money| money.parse("tcv"))
        .transpose()?;
    let arr = input
        .arr
        .as_ref()
        .map(|money| money.parse("arr"))
        .transpose()?;
    // Amounts are in the billing currency; when it is not chosen yet the first amount sets it.
    billing_currency = billing_currency
        .or(tcv.map(|money| money.currency()))
        .or(arr.map(|money| money.currency()));
    for (field, amount) in [("tcv", tcv), ("arr", arr)] {
        if let (Some(amount), Some(currency)) = (amount, billing_currency) {
            if amount.currency() != currency {
                return Err(AppError::validation(
                    format!("{field}.currency"),
                    format!(
                        "Amounts must be in the billing currency {}.",
                        currency.code()
                    ),
                ));
            }
        }
    }
    Ok((billing_currency, tcv, arr))
}

/// The milestones (at most `MAX_MILESTONES`), each named and above zero.
fn parse_milestones(input: &DealInput) -> AppResult<Vec<Milestone>> {
    if input.milestones.len() > MAX_MILESTONES {
        return Err(AppError::Limit(format!(
            "A deal can have at most {MAX_MILESTONES} milestones."
        )));
    }
    input
        .milestones
        .iter()
        .enumerate()
        .map(|(index, milestone)| {
            let field = format!("milestones.{index}");
            let amount = milestone.amount.parse(&format!("{field}.amount"))?;
            if amount.minor() <= 0 {
                return Err(AppError::validation(
                    format!("{field}.amount.amount"),
                    "A milestone amount must be greater than zero.",
                ));
            }
            Ok(Milestone {
                name: require_text("name", &milestone.name, 200)
                    .map_err(|error| error.within(&field))?,
                due_date: milestone.due_date.map(|date| date.0),
                amount_minor: amount.minor(),
                currency: amount.currency().code().to_string(),
            })
        })
        .collect()
}

impl DealService {
    /// The live checklist for an unsaved form; writes nothing.
    pub async fn checklist_preview(
        &self,
        actor: &Actor,
        input: &DealInput,
    ) -> AppResult<Vec<ChecklistItem>> {
        actor.require(Permission::DealRead)?;
        // A new form has no opportunity id yet: that is a missing item, not an error.
        let id_missing = input.crm_opportunity_id.trim().is_empty();
        let draft = if id_missing {
            let mut with_placeholder = input.clone();
            with_placeholder.crm_opportunity_id = "(not entered)".into();
            self.parse_with_coupons(&with_placeholder).await?
        } else {
            self.parse_with_coupons(input).await?
        };
        let facts = checklist_facts(&self.db, &draft).await?;
        let mut items = checklist::checklist(&draft, &facts);
        if id_missing {
            if let Some(item) = items.iter_mut().find(|item| item.key == "crmOpportunityId") {
                item.complete = false;
                item.message = Some("Enter the CRM opportunity id.".into());
            }
        }
        Ok(items)
    }

    pub async fn checklist(&self, deal: &Deal) -> AppResult<Vec<ChecklistItem>> {
        let facts = checklist_facts(&self.db, &deal.draft).await?;
        Ok(checklist::checklist(&deal.draft, &facts))
    }

    /// The form parsed, with each coupon code on its lines replaced by the coupon's discount
    /// as of today (refused when unknown, expired or used up).
    async fn parse_with_coupons(&self, input: &DealInput) -> AppResult<DealDraft> {
        let has_coupon = input.lines.iter().any(|line| {
            line.discount
                .as_ref()
                .is_some_and(|discount| discount.coupon.is_some())
        });
        if !has_coupon {
            return parse_deal_input(input);
        }
        let mut input = input.clone();
        let today = self.clock.now().date_naive();
        coupons::resolve(&self.db, &mut input.lines, today).await?;
        parse_deal_input(&input)
    }

    /// An AE may only put deals in their own name.
    fn check_ae_assignment(actor: &Actor, draft: &mut DealDraft) -> AppResult<()> {
        if actor.role != Role::Ae {
            return Ok(());
        }
        match draft.assigned_ae_id {
            None => draft.assigned_ae_id = Some(actor.user_id),
            Some(id) if id != actor.user_id => {
                return Err(AppError::validation(
                    "assignedAeId",
                    "An account executive can only enter deals assigned to themselves.",
                ));
            }
            Some(_) => {}
        }
        Ok(())
    }

    pub async fn create(&self, actor: &Actor, input: DealInput) -> AppResult<Deal> {
        actor.require(Permission::DealWrite)?;
        let mut draft = self.parse_with_coupons(&input).await?;
        Self::check_ae_assignment(actor, &mut draft)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        self.ensure_unique_crm_id(&transaction, &draft.crm_opportunity_id, None)
            .await?;
        let mut row = deal::ActiveModel {
            status: Set(DealStatus::Draft.as_str().into()),
            created_by: Set(Some(actor.user_id)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        write_draft(&mut row, &draft)?;
        let created = deal_from_model(row.insert(&transaction).await?)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "deal.create",
                entity_type: "deal",
                entity_id: created.id.to_string(),
                before: None,
                after: Some(&created),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(created)
    }

    async fn ensure_unique_crm_id<C: ConnectionTrait>(
        &self,
        connection: &C,
        crm_id: &str,
        except: Option<i64>,
    ) -> AppResult<()> {
        let mut query = deal::Entity::find().filter(deal::Column::CrmOpportunityId.eq(crm_id));
        if let Some(id) = except {
            query = query.filter(deal::Column::Id.ne(id));
        }
        if let Some(existing) = query.one(connection).await? {
            return Err(AppError::validation(
                "crmOpportunityId",
                format!(
                    "Opportunity {crm_id} was already entered as deal #{}.",
                    existing.id
                ),
            ));
        }
        Ok(())
    }

    pub async fn update(&self, actor: &Actor, input: DealUpdateInput) -> AppResult<Deal> {
        actor.require(Permission::DealWrite)?;
        let id = parse_id("id", &input.id)?;
        let mut draft = self.parse_with_coupons(&input.deal).await?;
        Self::check_ae_assignment(actor, &mut draft)?;
        let transaction = self.db.begin().await?;
        let model = find_model(&transaction, id).await?;
        let before = deal_from_model(model.clone())?;
        Self::check_visible(actor, &before)?;
        if before.status != DealStatus::Draft {
            return Err(AppError::Conflict(
                "An approved deal cannot be changed; amend its contract instead.".into(),
            ));
        }
        self.ensure_unique_crm_id(&transaction, &draft.crm_opportunity_id, Some(id))
            .await?;
        let now = self.clock.now();
        let mut row: deal::ActiveModel = model.into();
        write_draft(&mut row, &draft)?;
        row.updated_at = Set(now);
        // Guarded on the draft status, so an approval that lands meanwhile is never overwritten.
        let updated = deal::Entity::update(row)
            .filter(deal::Column::Status.eq(DealStatus::Draft.as_str()))
            .exec(&transaction)
            .await;
        let after = match updated {
            Ok(model) => deal_from_model(model)?,
            Err(sea_orm::DbErr::RecordNotUpdated) => {
                return Err(AppError::Conflict(
                    "The deal was approved while you were editing; amend its contract instead."
                        .into(),
                ));
            }
            Err(other) => return Err(other.into()),
        };
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "deal.update",
                entity_type: "deal",
                entity_id: id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(after)
    }
}
