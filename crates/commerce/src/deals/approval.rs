//! Approving a deal into a contract: the credit check and its settlement, the checklist gate,
//! and the contract, lines and purchase order written in one transaction.

use super::checklist::{contract_lines, is_complete};
use super::*;
use crate::access::Permission;
use crate::audit::{self, AuditRecord};
use crate::credit::{self, CreditCheck};
use crate::entities::{contract_line, purchase_order};
use crate::values::{parse_id, require_text};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, QueryFilter, TransactionTrait};

impl DealService {
    /// A draft's credit check (DOMAIN, "Credit policy"): the customer's exposure today and
    /// what the deal's recurring lines bill within the window. None when the deal is approved
    /// or its customer and lines are not complete enough to reckon.
    pub async fn credit_check(&self, actor: &Actor, deal: &Deal) -> AppResult<Option<CreditCheck>> {
        actor.require(Permission::CustomerRead)?;
        if deal.status != DealStatus::Draft {
            return Ok(None);
        }
        Ok(self
            .credit_of(&self.db, &deal.draft)
            .await?
            .map(|(_, checked)| checked))
    }

    /// The customer and its credit check for approving `draft` today.
    async fn credit_of<C: ConnectionTrait>(
        &self,
        connection: &C,
        draft: &DealDraft,
    ) -> AppResult<Option<(crate::entities::customer::Model, CreditCheck)>> {
        let (Some(customer_id), Some(lines)) = (draft.customer_id, contract_lines(draft)) else {
            return Ok(None);
        };
        let Some(customer) = crate::entities::customer::Entity::find_by_id(customer_id)
            .one(connection)
            .await?
        else {
            return Ok(None);
        };
        let terms = lines
            .iter()
            .map(line_draft_terms)
            .collect::<AppResult<Vec<_>>>()?;
        let checked = credit::check_customer(
            connection,
            &customer,
            &terms,
            Some("this deal"),
            self.clock.today(),
            self.functional,
        )
        .await?;
        Ok(Some((customer, checked)))
    }

    /// Refuses an approval that needs a VP Finance's word on credit and lacks it; with it,
    /// raises the customer's limit to the exposure after the deal (audited as a limit change).
    async fn settle_credit<C: ConnectionTrait>(
        &self,
        connection: &C,
        actor: &Actor,
        deal: &Deal,
        over_limit_confirmed: bool,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        // Two deals of one customer approved at once must not both fit under a limit they
        // exceed together: the customer's row is held until this approval commits.
        if let Some(customer_id) = deal.draft.customer_id {
            customers::lock_for_update(connection, customer_id).await?;
        }
        let Some((customer, checked)) = self.credit_of(connection, &deal.draft).await? else {
            return Ok(());
        };
        if !checked.needs_vp_finance {
            return Ok(());
        }
        if !actor.can(Permission::CreditLimitApprove) {
            // The policy takes a deposit from a new customer or a prior late payer instead: paid
            // in advance, it is held as customer credit and offsets the exposure.
            let deposit = checked.deposit.map_or_else(String::new, |deposit| format!(
                " Or take a deposit, as its credit policy allows: a payment of {deposit} recorded as customer credit brings the deal within the limit."
            ));
            return Err(AppError::validation(
                "creditLimit",
                format!(
                    "{} Only a VP Finance can approve a deal over the credit limit.{deposit}",
                    checked.explanation
                ),
            ));
        }
        if !over_limit_confirmed {
            return Err(AppError::validation(
                "approveOverCreditLimit",
                format!(
                    "{} Confirm approving over the limit; the limit is then raised to {}.",
                    checked.explanation, checked.after
                ),
            ));
        }
        if checked.after.minor() <= checked.limit.minor() {
            // Over only because an amount could not be converted: the limit stays.
            return Ok(());
        }
        let before = customers::Customer::try_from(customer.clone())?;
        let after = customers::apply_credit_terms(
            connection,
            customer.id,
            checked.after,
            before.payment_terms,
            now,
        )
        .await?;
        audit::record(
            connection,
            Some(actor),
            now,
            AuditRecord {
                action: "customer.credit_limit.change",
                entity_type: "customer",
                entity_id: customer.id.to_string(),
                before: Some(&serde_json::json!({ "customer": before, "creditCheck": checked })),
                after: Some(&serde_json::json!({
                    "customer": after,
                    "reason": format!("Deal {} approved over the credit limit", deal.draft.crm_opportunity_id),
                })),
            },
        )
        .await?;
        Ok(())
    }

    /// Approves a complete deal for billing: the deal becomes a contract with lines and, when
    /// given, a purchase order. The same idempotency key returns the first result.
    pub async fn approve(
        &self,
        actor: &Actor,
        input: DealApproveInput,
    ) -> AppResult<(Deal, Contract)> {
        actor.require(Permission::DealApprove)?;
        let id = parse_id("id", &input.id)?;
        let key = require_text("idempotencyKey", &input.idempotency_key, 128)?;
        let transaction = self.db.begin().await?;
        let model = find_model(&transaction, id).await?;
        let deal = deal_from_model(model.clone())?;
        Self::check_visible(actor, &deal)?;
        if deal.status == DealStatus::Approved {
            drop(transaction);
            return self.approved_result(model, &key).await;
        }
        let facts = checklist_facts(&transaction, &deal.draft).await?;
        let items = checklist::checklist(&deal.draft, &facts);
        if !is_complete(&items) {
            let missing: Vec<String> = items
                .iter()
                .filter(|item| !item.complete)
                .map(|item| item.label.clone())
                .collect();
            return Err(AppError::validation(
                "checklist",
                format!(
                    "The deal cannot be approved until the checklist is complete: {}.",
                    missing.join(", ")
                ),
            ));
        }
        let lines = contract_lines(&deal.draft)
            .ok_or_else(|| AppError::internal("complete deal without contract lines"))?;
        let now = self.clock.now();
        // Claim the deal with a guarded UPDATE first: of two approvals racing (two instances,
        // a double click), exactly one changes the row and the other answers as if it came later.
        let claimed = deal::Entity::update_many()
            .col_expr(
                deal::Column::Status,
                Expr::value(DealStatus::Approved.as_str()),
            )
            .col_expr(deal::Column::ApprovedAt, Expr::value(now))
            .col_expr(deal::Column::ApprovedBy, Expr::value(actor.user_id))
            .col_expr(
                deal::Column::ApproveIdempotencyKey,
                Expr::value(key.clone()),
            )
            .col_expr(deal::Column::UpdatedAt, Expr::value(now))
            .filter(deal::Column::Id.eq(id))
            .filter(deal::Column::Status.eq(DealStatus::Draft.as_str()))
            .exec(&transaction)
            .await?;
        if claimed.rows_affected != 1 {
            drop(transaction);
            return self
                .approved_result(find_model(&self.db, id).await?, &key)
                .await;
        }
        // Checked once the deal is claimed, so a retry racing the first request answers with
        // its result rather than a refusal counting the first request's contract; a refusal
        // rolls the claim back with everything else.
        self.settle_credit(
            &transaction,
            actor,
            &deal,
            input.approve_over_credit_limit.unwrap_or(false),
            now,
        )
        .await?;
        let contract_id = self
            .write_contract(&transaction, &deal, &lines, now)
            .await?;
        coupons::redeem(
            &transaction,
            actor,
            deal.id,
            contract_id,
            &deal.draft.lines,
            now,
        )
        .await?;
        let after = deal_from_model(find_model(&transaction, id).await?)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "deal.approve",
                entity_type: "deal",
                entity_id: id.to_string(),
                before: Some(&deal),
                after: Some(&after),
            },
        )
        .await?;
        crate::webhooks::emit(
            &transaction,
            now,
            crate::webhooks::EventType::DealApproved,
            serde_json::json!({
                "dealId": id,
                "contractId": contract_id,
                "opportunityId": after.draft.crm_opportunity_id,
                "customerId": after.draft.customer_id,
                "productName": after.draft.product_name,
                "tcv": after.draft.tcv,
                "arr": after.draft.arr,
                "startDate": after.draft.start_date,
                "endDate": after.draft.end_date,
                "approvedBy": actor.user_id,
            }),
        )
        .await?;
        transaction.commit().await?;
        let contract = self.find_contract(contract_id).await?;
        Ok((after, contract))
    }

    /// The answer for a deal that is already approved: the first result for the same key,
    /// otherwise a conflict.
    async fn approved_result(&self, model: deal::Model, key: &str) -> AppResult<(Deal, Contract)> {
        let deal = deal_from_model(model.clone())?;
        if model.approve_idempotency_key.as_deref() != Some(key) {
            return Err(AppError::Conflict(format!(
                "Deal {} is already approved.",
                deal.draft.crm_opportunity_id
            )));
        }
        let contract = self
            .contract_for_deal(deal.id)
            .await?
            .ok_or_else(|| AppError::internal("approved deal without contract"))?;
        Ok((deal, contract))
    }

    async fn write_contract<C: ConnectionTrait>(
        &self,
        connection: &C,
        deal: &Deal,
        lines: &[ContractLineDraft],
        now: DateTime<Utc>,
    ) -> AppResult<i64> {
        let draft = &deal.draft;
        let missing = || AppError::internal("complete deal lacks a field");
        let (customer_id, start, end, tcv, arr) = (
            draft.customer_id.ok_or_else(missing)?,
            draft.start_date.ok_or_else(missing)?,
            draft.end_date.ok_or_else(missing)?,
            draft.tcv.ok_or_else(missing)?,
            draft.arr.ok_or_else(missing)?,
        );
        let contract = insert_contract(
            connection,
            contract::ActiveModel {
                deal_id: Set(deal.id),
                customer_id: Set(customer_id),
                start_date: Set(start),
                end_date: Set(end),
                tcv_minor: Set(tcv.minor()),
                arr_minor: Set(arr.minor()),
                currency: Set(tcv.currency().code().to_string()),
                ..Default::default()
            },
            now,
        )
        .await?;
        // The company's proration convention as of approval, stamped on every line so a later
        // change of the company's choice never re-prices this contract.
        let proration = crate::billing::proration::company(connection).await?;
        let rows: Vec<contract_line::ActiveModel> = lines
            .iter()
            .map(|line| {
                Ok(contract_line::ActiveModel {
                    proration: Set(proration.as_str().into()),
                    contract_id: Set(contract.id),
                    product_name: Set(line.product_name.clone()),
                    kind: Set(line.kind.as_str().into()),
                    quantity: Set(line.quantity.clone()),
                    unit_price_minor: Set(line.unit_price.minor()),
                    currency: Set(line.unit_price.currency().code().to_string()),
                    billing_frequency: Set(line
                        .billing_frequency
                        .map(|value| value.as_str().to_string())),
                    start_date: Set(line.start_date),
                    end_date: Set(line.end_date),
                    discount_json: Set(line
                        .discount
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()?),
                    trial_from: Set(line.trial_from),
                    ..Default::default()
                })
            })
            .collect::<Result<_, serde_json::Error>>()?;
        contract_line::Entity::insert_many(rows)
            .exec_without_returning(connection)
            .await?;
        crate::revenue::repo::build_contract(connection, contract.id, now).await?;
        if let Some(number) = &draft.po_number {
            let taken = purchase_order::Entity::find()
                .filter(purchase_order::Column::CustomerId.eq(customer_id))
                .filter(purchase_order::Column::Number.eq(number.as_str()))
                .one(connection)
                .await?;
            if taken.is_some() {
                return Err(AppError::validation(
                    "poNumber",
                    format!("PO {number} is already on file for this customer."),
                ));
            }
            // The deal's TCV counts parts of periods by actual days; under another convention
            // the lines bill a little more or less, and the PO the invoices draw covers what
            // they will bill.
            let mut billed = 0i64;
            for line in lines {
                let terms = crate::billing::schedule::LineTerms {
                    proration,
                    ..line_draft_terms(line)?
                };
                billed += crate::revenue::repo::stated_total(&terms)?;
            }
            purchase_order::ActiveModel {
                customer_id: Set(customer_id),
                contract_id: Set(Some(contract.id)),
                number: Set(number.clone()),
                amount_minor: Set(tcv.minor().max(billed)),
                currency: Set(tcv.currency().code().to_string()),
                valid_from: Set(start),
                valid_to: Set(end),
                ..Default::default()
            }
            .insert(connection)
            .await?;
        }
        Ok(contract.id)
    }
}
