//! Renewing a contract into its next term, and the preview of exactly that term: the lines
//! still running at its end, prices uplifted, the credit check, and the renewal deal, contract,
//! lines and revenue obligations written in one transaction.

use super::*;

impl RenewalService {
    /// Renews a contract into its next term: the same recurring and usage lines at the
    /// quantity in force on its last day, prices uplifted, with billing and recognition built
    /// as for an approved deal. Refused while the customer is on credit hold. The same key
    /// returns the first result.
    pub async fn renew(
        &self,
        actor: &Actor,
        contract_id: i64,
        uplift_percent: Option<&str>,
        idempotency_key: &str,
    ) -> AppResult<contract::Model> {
        actor.require(Permission::RenewalRenew)?;
        let key = require_text("idempotencyKey", idempotency_key, 128)?;
        let old = self.visible_contract(actor, contract_id).await?;
        if let Some(existing) = self.renewed_as(&old).await? {
            let renewal_deal = deal::Entity::find_by_id(existing.deal_id)
                .one(&self.db)
                .await?;
            if renewal_deal
                .and_then(|row| row.approve_idempotency_key)
                .as_deref()
                == Some(&key)
            {
                return Ok(existing);
            }
            return Err(already_renewed(&old, &existing));
        }
        let uplift = self.renewable(&old, uplift_percent).await?;
        self.within_credit(&old, &next_term(&self.db, &old, uplift).await?)
            .await?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        let renewed = renew_in(&transaction, actor, &old, uplift, &key, now).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "renewal.renew",
                entity_type: "contract",
                entity_id: contract_id.to_string(),
                before: Some(&old),
                after: Some(&renewed),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(renewed)
    }

    /// The next term exactly as `renew` would write it now (dates, ARR and TCV from the same
    /// lines, prices uplifted and rounded per line), without writing anything: what a person
    /// confirms is what is created. Refused for the same reasons as renewing.
    pub async fn preview(
        &self,
        actor: &Actor,
        contract_id: i64,
        uplift_percent: Option<&str>,
    ) -> AppResult<RenewalPreview> {
        actor.require(Permission::RenewalRenew)?;
        let old = self.visible_contract(actor, contract_id).await?;
        if let Some(existing) = self.renewed_as(&old).await? {
            return Err(already_renewed(&old, &existing));
        }
        let uplift = self.renewable(&old, uplift_percent).await?;
        let term = next_term(&self.db, &old, uplift).await?;
        self.within_credit(&old, &term).await?;
        let currency = Currency::parse(&old.currency)?;
        Ok(RenewalPreview {
            contract_id,
            start_date: term.start,
            end_date: term.end,
            arr: Money::from_minor(term.arr, currency),
            tcv: Money::from_minor(term.tcv, currency),
            uplift_percent: uplift,
        })
    }

    /// Refuses a renewal whose next term takes the customer over its credit limit within the
    /// window (DOMAIN, "Credit policy"): a VP Finance raises the limit first.
    async fn within_credit(&self, old: &contract::Model, term: &NextTerm) -> AppResult<()> {
        let customer = crate::customers::find_model(&self.db, old.customer_id).await?;
        let checked = crate::credit::check_customer(
            &self.db,
            &customer,
            &term.terms,
            Some("this renewal"),
            self.clock.today(),
            self.functional,
        )
        .await?;
        if checked.needs_vp_finance {
            return Err(AppError::validation(
                "creditLimit",
                format!(
                    "{} Request a higher credit limit for a VP Finance to approve, then renew.",
                    checked.explanation
                ),
            ));
        }
        Ok(())
    }

    async fn renewed_as(&self, old: &contract::Model) -> AppResult<Option<contract::Model>> {
        Ok(contract::Entity::find()
            .filter(contract::Column::RenewedFromId.eq(old.id))
            .one(&self.db)
            .await?)
    }

    /// The uplift to renew `old` with (the given one, else the contract's own), once the
    /// customer is known not to be on credit hold.
    async fn renewable(
        &self,
        old: &contract::Model,
        uplift_percent: Option<&str>,
    ) -> AppResult<Decimal> {
        let customer = crate::customers::find_model(&self.db, old.customer_id).await?;
        if customer.on_credit_hold {
            return Err(AppError::validation(
                "contractId",
                format!(
                    "{} is on credit hold ({}); release the hold before renewing.",
                    customer.legal_name,
                    customer
                        .credit_hold_reason
                        .as_deref()
                        .unwrap_or("no reason given")
                ),
            ));
        }
        match uplift_percent {
            Some(text) => parse_uplift(text),
            None => parse_uplift(&old.uplift_percent),
        }
    }
}

fn already_renewed(old: &contract::Model, existing: &contract::Model) -> AppError {
    AppError::Conflict(format!(
        "Contract {} is already renewed as {}.",
        old.contract_number, existing.contract_number
    ))
}

/// The next term of a contract as renewing writes it.
struct NextTerm {
    start: NaiveDate,
    end: NaiveDate,
    lines: Vec<contract_line::ActiveModel>,
    /// The same lines as billing terms, for the credit check.
    terms: Vec<crate::billing::schedule::LineTerms>,
    arr: i64,
    tcv: i64,
}

/// The next term of `old` with `uplift`: its dates, its lines and their ARR and TCV. Both the
/// preview and the renewal come from here.
async fn next_term<C: ConnectionTrait>(
    connection: &C,
    old: &contract::Model,
    uplift: Decimal,
) -> AppResult<NextTerm> {
    let (start, end) = rules::next_term(old.start_date, old.end_date);
    let book = crate::billing::repo::billable_lines(connection, Some(&[old.id])).await?;
    let (lines, terms, monthly, tcv) = renewal_lines(&book, old, uplift, (start, end))?;
    if lines.is_empty() {
        return Err(AppError::validation(
            "contractId",
            format!(
                "Contract {} has no recurring or usage lines running to its end; there is nothing to renew.",
                old.contract_number
            ),
        ));
    }
    Ok(NextTerm {
        start,
        end,
        lines,
        terms,
        arr: crate::recurring::rules::round_minor(monthly * Decimal::from(12)),
        tcv,
    })
}

/// Writes the next term of `old` on `connection`: a renewal deal (approved, keyed by `key`), the
/// contract and its lines, and the revenue obligations.
async fn renew_in<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    old: &contract::Model,
    uplift: Decimal,
    key: &str,
    now: DateTime<Utc>,
) -> AppResult<contract::Model> {
    let old_deal = deal::Entity::find_by_id(old.deal_id)
        .one(connection)
        .await?
        .ok_or_else(|| AppError::internal(format!("contract {} without deal", old.id)))?;
    let NextTerm {
        start,
        end,
        mut lines,
        arr,
        tcv,
        ..
    } = next_term(connection, old, uplift).await?;
    let renewal_deal = insert_renewal_deal(
        connection,
        actor,
        &old_deal,
        (tcv, arr),
        (start, end),
        key,
        now,
    )
    .await?;
    let renewed = crate::deals::insert_contract(
        connection,
        contract::ActiveModel {
            deal_id: Set(renewal_deal.id),
            customer_id: Set(old.customer_id),
            start_date: Set(start),
            end_date: Set(end),
            tcv_minor: Set(tcv),
            arr_minor: Set(arr),
            currency: Set(old.currency.clone()),
            uplift_percent: Set(uplift.normalize().to_string()),
            renewed_from_id: Set(Some(old.id)),
            // Whoever was handed this renewal owns the next one too.
            renewal_owner_id: Set(old.renewal_owner_id),
            // The customer's billing day carries into the next term.
            billing_day: Set(old.billing_day),
            // So does a ratable convention of its own (`contractRevenueMethodSet`): the next
            // term is recognised as this one was, not by whatever the company default is now.
            revenue_method: Set(old.revenue_method.clone()),
            ..Default::default()
        },
        now,
    )
    .await?;
    for line in &mut lines {
        line.contract_id = Set(renewed.id);
    }
    contract_line::Entity::insert_many(lines)
        .exec_without_returning(connection)
        .await?;
    crate::revenue::repo::build_contract(connection, renewed.id, now).await?;
    Ok(renewed)
}

/// The renewal term's lines: each subscription and usage line still running at the old term's
/// end, at its quantity then, recurring prices uplifted. Returns them with the term's monthly
/// recurring value and its TCV.
fn renewal_lines(
    book: &[crate::billing::repo::BillableLine],
    old: &contract::Model,
    uplift: Decimal,
    (start, end): (NaiveDate, NaiveDate),
) -> AppResult<(
    Vec<contract_line::ActiveModel>,
    Vec<crate::billing::schedule::LineTerms>,
    Decimal,
    i64,
)> {
    let mut lines = Vec::new();
    let mut next_terms = Vec::new();
    let mut monthly = Decimal::ZERO;
    let mut tcv: i64 = 0;
    let term_months = {
        let mut months = 0u32;
        while crate::calendar::add_months(start, months + 1) <= end + Duration::days(1) {
            months += 1;
        }
        months.max(1)
    };
    for line in book {
        let terms = &line.terms;
        let recurring = terms.kind == crate::deals::ContractLineKind::Subscription
            && crate::billing::schedule::months(terms.frequency).is_some();
        let usage = terms.kind == crate::deals::ContractLineKind::Usage;
        if !(recurring || usage) || terms.service_end() <= old.end_date {
            continue;
        }
        let quantity = terms.quantity_on(old.end_date);
        let price = if recurring {
            rules::uplifted(terms.unit_price, uplift)?
        } else {
            terms.unit_price
        };
        // A discount for as long as the line runs carries into the next term; one for some
        // periods was spent in this term.
        let discount = terms
            .discount
            .clone()
            .filter(|discount| discount.periods.is_none())
            .map(|discount| crate::billing::discount::LineDiscount {
                from: None,
                ..discount
            });
        if let Some(months) =
            crate::billing::schedule::months(terms.frequency).filter(|_| recurring)
        {
            let gross = quantity * Decimal::from(price.minor()) / Decimal::from(months);
            let per_month = discount
                .as_ref()
                .map_or(gross, |discount| discount.net_monthly(gross, months));
            monthly += per_month;
            tcv += crate::recurring::rules::round_minor(per_month * Decimal::from(term_months));
        }
        // On the contract's billing day, the next term's periods start on it again.
        let anchor =
            if recurring && terms.alignment == crate::billing::periods::Alignment::Anniversary {
                crate::billing::billing_day::anchor(old.billing_day, start)
            } else {
                None
            };
        next_terms.push(crate::billing::schedule::LineTerms {
            anchor,
            replaced_by: None,
            quantity,
            unit_price: price,
            start,
            end,
            delivered_on: None,
            accepted_on: None,
            changes: Vec::new(),
            billed_through: None,
            discount: discount.clone(),
            ..terms.clone()
        });
        lines.push(contract_line::ActiveModel {
            product_name: Set(terms.product.clone()),
            kind: Set(terms.kind.as_str().into()),
            quantity: Set(quantity.normalize().to_string()),
            unit_price_minor: Set(price.minor()),
            currency: Set(price.currency().code().into()),
            billing_frequency: Set(terms
                .frequency
                .map(|frequency| frequency.as_str().to_string())),
            start_date: Set(start),
            end_date: Set(end),
            alignment: Set(terms.alignment.as_str().into()),
            usage_pricing_json: Set(line
                .pricing
                .as_ref()
                .map(serde_json::to_string)
                .transpose()?),
            discount_json: Set(discount.as_ref().map(serde_json::to_string).transpose()?),
            // The renewal bills parts of periods as the contract it renews did.
            proration: Set(terms.proration.as_str().into()),
            billed_in_arrears: Set(terms.in_arrears),
            billing_anchor: Set(anchor),
            ..Default::default()
        });
    }
    Ok((lines, next_terms, monthly, tcv))
}

/// The renewal's deal: the old deal's terms for the new term, approved at once, numbered after
/// the renewals before it (`<opportunity>-R<n>`).
async fn insert_renewal_deal<C: ConnectionTrait>(
    connection: &C,
    actor: &Actor,
    old_deal: &deal::Model,
    (tcv, arr): (i64, i64),
    (start, end): (NaiveDate, NaiveDate),
    key: &str,
    now: DateTime<Utc>,
) -> AppResult<deal::Model> {
    let renewals_before = deal::Entity::find()
        .filter(
            deal::Column::CrmOpportunityId
                .starts_with(format!("{}-R", old_deal.crm_opportunity_id)),
        )
        .all(connection)
        .await?
        .len();
    Ok(deal::ActiveModel {
        id: sea_orm::ActiveValue::NotSet,
        crm_opportunity_id: Set(format!(
            "{}-R{}",
            old_deal.crm_opportunity_id,
            renewals_before + 1
        )),
        tcv_minor: Set(Some(tcv)),
        arr_minor: Set(Some(arr)),
        start_date: Set(Some(start)),
        end_date: Set(Some(end)),
        po_number: Set(None),
        status: Set("approved".into()),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
        approved_at: Set(Some(now)),
        approved_by: Set(Some(actor.user_id)),
        approve_idempotency_key: Set(Some(key.to_string())),
        ..deal::ActiveModel::from(old_deal.clone())
    }
    .insert(connection)
    .await?)
}
