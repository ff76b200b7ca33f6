//! Customer master: legal entity, addresses, tax number, billing contact, payment method, credit
//! limit and terms, credit category and holds.

pub mod book;
pub mod model;
pub mod rules;

pub use book::Book;

pub use model::{Address, Contact, Customer, PaymentMethod};
use rules::{
    credit_policy, mask_payment_reference, validate_tax_registration, CreditPolicy, PaymentHistory,
};
pub use rules::{PaymentMethodKind, PaymentTerms};

use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::clock::SharedClock;
use crate::entities::{contract, customer};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use crate::pagination::{search_condition, Page, PageRequest, SortDirection};
use crate::values::{optional_text, parse_currency, parse_id, require_text};
use async_graphql::{InputObject, MaybeUndefined, ID};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use std::collections::HashMap;

#[derive(Debug, Clone, InputObject)]
pub struct PaymentMethodInput {
    pub kind: PaymentMethodKind,
    /// The last four digits or characters only.
    pub reference: Option<String>,
}

#[derive(Debug, Clone, InputObject)]
pub struct CustomerCreateInput {
    /// The customer's id in the system it comes from (CRM account id, old billing tool's
    /// customer number); unique, and how imports and CRM intake find the customer again.
    pub external_ref: Option<String>,
    pub legal_name: String,
    pub billing_address: Address,
    /// Where customers send payment; the billing address when absent.
    pub remit_to_address: Option<Address>,
    pub tax_registration_number: Option<String>,
    pub billing_contact: Contact,
    pub payment_method: Option<PaymentMethodInput>,
    /// Defaults to the credit category's standard terms.
    pub payment_terms: Option<PaymentTerms>,
    /// ISO 4217, e.g. "USD".
    pub billing_currency: String,
}

/// Absent fields stay as they are. The credit limit is not here: it changes only through an
/// approved credit-limit request.
#[derive(Debug, Clone, InputObject)]
pub struct CustomerUpdateInput {
    pub id: ID,
    pub legal_name: Option<String>,
    pub billing_address: Option<Address>,
    pub remit_to_address: Option<Address>,
    pub tax_registration_number: Option<String>,
    pub billing_contact: Option<Contact>,
    /// A new method; `null` removes the one on file.
    pub payment_method: MaybeUndefined<PaymentMethodInput>,
    /// Only terms the credit category allows (the customer's current terms are always accepted
    /// back); other terms need a credit-limit request.
    pub payment_terms: Option<PaymentTerms>,
}

#[derive(Debug, Clone, InputObject)]
pub struct CustomerCreditHoldSetInput {
    pub customer_id: ID,
    pub on_hold: bool,
    pub reason: String,
}

fn payment_method_columns(
    input: Option<PaymentMethodInput>,
) -> AppResult<(Option<String>, Option<String>)> {
    match input {
        None => Ok((None, None)),
        Some(method) => {
            let masked = match method
                .reference
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
            {
                Some(reference) => Some(
                    mask_payment_reference(method.kind, reference).map_err(|message| {
                        AppError::validation("paymentMethod.reference", message)
                    })?,
                ),
                None => None,
            };
            Ok((Some(method.kind.as_str().to_string()), masked))
        }
    }
}

fn tax_number(country: &str, number: Option<&str>) -> AppResult<Option<String>> {
    match number.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(number) => validate_tax_registration(country, number)
            .map(Some)
            .map_err(|message| AppError::validation("taxRegistrationNumber", message)),
    }
}

/// Rows per INSERT when customers are created in bulk (well under both databases' parameter caps).
const INSERT_BATCH: usize = 500;

/// A customer that passed every check of `CustomerCreateInput`, ready to insert.
#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub external_ref: Option<String>,
    legal_name: String,
    billing_address: Address,
    remit_to_address: Address,
    tax_registration_number: Option<String>,
    billing_contact: Contact,
    payment_method_kind: Option<String>,
    payment_method_masked: Option<String>,
    credit_limit: Money,
    payment_terms: PaymentTerms,
    currency: Currency,
}

impl NewCustomer {
    /// The currency the customer is billed in (and its credit limit is kept in).
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The limit an earlier system granted, for a customer brought over at cut-over; without
    /// it, the credit policy's proposal for a new customer stands.
    pub fn with_credit_limit(mut self, limit: Money) -> AppResult<NewCustomer> {
        if limit.currency() != self.currency {
            return Err(AppError::validation(
                "creditLimit",
                format!(
                    "The credit limit is kept in the billing currency {}.",
                    self.currency.code()
                ),
            ));
        }
        if limit.is_negative() {
            return Err(AppError::validation(
                "creditLimit",
                "A credit limit cannot be negative.",
            ));
        }
        self.credit_limit = limit;
        Ok(self)
    }

    /// Validates the input; errors name the input field (`billingAddress.city`).
    pub fn try_new(input: CustomerCreateInput) -> AppResult<NewCustomer> {
        let external_ref = optional_text("externalRef", input.external_ref.as_deref(), 100)?;
        let legal_name = require_text("legalName", &input.legal_name, 200)?;
        let billing_address = input.billing_address.validated("billingAddress")?;
        let remit_to_address = match input.remit_to_address {
            Some(address) => address.validated("remitToAddress")?,
            None => billing_address.clone(),
        };
        let tax_registration_number = tax_number(
            &billing_address.country,
            input.tax_registration_number.as_deref(),
        )?;
        let billing_contact = input.billing_contact.validated("billingContact")?;
        let (payment_method_kind, payment_method_masked) =
            payment_method_columns(input.payment_method)?;
        let currency = parse_currency("billingCurrency", &input.billing_currency)?;
        // A new customer has no paid invoice yet, so the policy is the new-customer one.
        let policy = credit_policy(
            Money::zero(currency),
            PaymentHistory {
                has_paid_invoice: false,
                prior_late_payer: false,
            },
        );
        let payment_terms = match input.payment_terms {
            Some(terms) if !policy.allowed_terms.contains(&terms) => {
                return Err(AppError::validation(
                    "paymentTerms",
                    terms_refusal(&policy, terms),
                ));
            }
            Some(terms) => terms,
            None => policy.default_terms(),
        };
        Ok(NewCustomer {
            external_ref,
            legal_name,
            billing_address,
            remit_to_address,
            tax_registration_number,
            billing_contact,
            payment_method_kind,
            payment_method_masked,
            credit_limit: policy.proposed_limit,
            payment_terms,
            currency,
        })
    }

    fn into_active_model(self, now: DateTime<Utc>) -> customer::ActiveModel {
        // The values were serialised from validated structs; JSON of them cannot fail, but an
        // empty object rather than a panic keeps the rule "no unwrap" if it ever did.
        let json = |value: serde_json::Result<String>| value.unwrap_or_else(|_| "{}".into());
        customer::ActiveModel {
            external_ref: Set(self.external_ref),
            legal_name: Set(self.legal_name),
            billing_address_json: Set(json(serde_json::to_string(&self.billing_address))),
            remit_to_address_json: Set(json(serde_json::to_string(&self.remit_to_address))),
            tax_registration_number: Set(self.tax_registration_number),
            billing_contact_json: Set(json(serde_json::to_string(&self.billing_contact))),
            payment_method_kind: Set(self.payment_method_kind),
            payment_method_masked: Set(self.payment_method_masked),
            credit_limit_minor: Set(self.credit_limit.minor()),
            payment_terms: Set(self.payment_terms.as_str().to_string()),
            billing_currency: Set(self.currency.code().to_string()),
            has_paid_invoice: Set(false),
            prior_late_payer: Set(false),
            on_credit_hold: Set(false),
            credit_hold_reason: Set(None),
            credit_hold_since: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
    }
}

#[derive(Clone)]
pub struct CustomerService {
    db: DatabaseConnection,
    clock: SharedClock,
}

/// The column a customer list is ordered by. Amounts order within each billing currency.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CustomerSort {
    #[default]
    LegalName,
    CreditLimit,
    Currency,
    CreditHold,
    /// When the customer was created in revops.
    Created,
}

impl CustomerService {
    pub fn new(db: DatabaseConnection, clock: SharedClock) -> CustomerService {
        CustomerService { db, clock }
    }

    pub async fn create(&self, actor: &Actor, input: CustomerCreateInput) -> AppResult<Customer> {
        actor.require(Permission::CustomerWrite)?;
        let new_customer = NewCustomer::try_new(input)?;
        let now = self.clock.now();
        let transaction = self.db.begin().await?;
        if let Some(reference) = &new_customer.external_ref {
            let taken = customer::Entity::find()
                .filter(customer::Column::ExternalRef.eq(reference.as_str()))
                .count(&transaction)
                .await?;
            if taken > 0 {
                return Err(AppError::validation(
                    "externalRef",
                    format!("Another customer already has the reference {reference}."),
                ));
            }
        }
        let model = new_customer
            .into_active_model(now)
            .insert(&transaction)
            .await?;
        let created = Customer::try_from(model)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord::<(), _> {
                action: "customer.create",
                entity_type: "customer",
                entity_id: created.id.to_string(),
                before: None,
                after: Some(&created),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(created)
    }

    /// Creates many validated customers in the caller's transaction (an import), each with its
    /// audit row, in batches. The caller has checked that no reference is taken.
    pub async fn insert_many<C: ConnectionTrait>(
        connection: &C,
        actor: &Actor,
        now: DateTime<Utc>,
        customers: Vec<NewCustomer>,
        mut progress: impl FnMut(usize),
    ) -> AppResult<usize> {
        actor.require(Permission::CustomerWrite)?;
        let count = customers.len();
        let mut written = 0;
        let mut pending = customers.into_iter().peekable();
        while pending.peek().is_some() {
            let batch: Vec<NewCustomer> = pending.by_ref().take(INSERT_BATCH).collect();
            let references: Vec<String> = batch
                .iter()
                .filter_map(|customer| customer.external_ref.clone())
                .collect();
            let rows: Vec<customer::ActiveModel> = batch
                .into_iter()
                .map(|customer| customer.into_active_model(now))
                .collect();
            customer::Entity::insert_many(rows)
                .exec_without_returning(connection)
                .await?;
            // Read the batch back (by reference, which every imported customer has) for its
            // audit rows, so each customer's history starts with the values it was created with.
            let created = customer::Entity::find()
                .filter(customer::Column::ExternalRef.is_in(references))
                .all(connection)
                .await?;
            let mut records = Vec::with_capacity(created.len());
            for model in created {
                let customer = Customer::try_from(model)?;
                records.push((customer.id.to_string(), serde_json::to_string(&customer)?));
            }
            written += records.len();
            audit::record_many(
                connection,
                Some(actor),
                now,
                "customer.create",
                "customer",
                records,
            )
            .await?;
            progress(written);
        }
        Ok(count)
    }

    pub async fn update(&self, actor: &Actor, input: CustomerUpdateInput) -> AppResult<Customer> {
        actor.require(Permission::CustomerWrite)?;
        let id = parse_id("id", &input.id)?;
        let transaction = self.db.begin().await?;
        let model = find_model(&transaction, id).await?;
        let before = Customer::try_from(model.clone())?;
        let mut row: customer::ActiveModel = model.into();
        if let Some(name) = &input.legal_name {
            row.legal_name = Set(require_text("legalName", name, 200)?);
        }
        let mut country = before.billing_address.country.clone();
        if let Some(address) = input.billing_address {
            let address = address.validated("billingAddress")?;
            country = address.country.clone();
            row.billing_address_json = Set(serde_json::to_string(&address)?);
        }
        if let Some(address) = input.remit_to_address {
            row.remit_to_address_json = Set(serde_json::to_string(
                &address.validated("remitToAddress")?,
            )?);
        }
        // A tax number is checked against the billing country, so a new country checks the
        // number on file again when no new number comes with it.
        match &input.tax_registration_number {
            Some(number) => row.tax_registration_number = Set(tax_number(&country, Some(number))?),
            None if country != before.billing_address.country => {
                if let Some(number) = &before.tax_registration_number {
                    validate_tax_registration(&country, number).map_err(|message| {
                        AppError::validation(
                            "taxRegistrationNumber",
                            format!(
                                "{message} It is the number on file for {}; give the number registered in {country}, or clear it.",
                                before.billing_address.country
                            ),
                        )
                    })?;
                }
            }
            None => {}
        }
        if let Some(contact) = input.billing_contact {
            row.billing_contact_json = Set(serde_json::to_string(
                &contact.validated("billingContact")?,
            )?);
        }
        let method = match input.payment_method {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(method) => Some(Some(method)),
        };
        if let Some(method) = method {
            let (kind, masked) = payment_method_columns(method)?;
            row.payment_method_kind = Set(kind);
            row.payment_method_masked = Set(masked);
        }
        if let Some(terms) = input
            .payment_terms
            .filter(|terms| *terms != before.payment_terms)
        {
            let arr = self
                .arr_of(&transaction, &[(before.id, before.billing_currency)])
                .await?;
            let policy = policy_for(&before, arr.get(&before.id).copied());
            if !policy.allowed_terms.contains(&terms) {
                return Err(AppError::validation(
                    "paymentTerms",
                    terms_refusal(&policy, terms),
                ));
            }
            row.payment_terms = Set(terms.as_str().to_string());
        }
        let now = self.clock.now();
        row.updated_at = Set(now);
        let after = Customer::try_from(row.update(&transaction).await?)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "customer.update",
                entity_type: "customer",
                entity_id: id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(after)
    }

    pub async fn set_credit_hold(
        &self,
        actor: &Actor,
        input: CustomerCreditHoldSetInput,
    ) -> AppResult<Customer> {
        actor.require(Permission::CreditHoldManage)?;
        let id = parse_id("customerId", &input.customer_id)?;
        let reason = require_text("reason", &input.reason, 500)?;
        let transaction = self.db.begin().await?;
        let model = find_model(&transaction, id).await?;
        let before = Customer::try_from(model.clone())?;
        if before.on_credit_hold == input.on_hold {
            let state = if input.on_hold {
                "already on credit hold"
            } else {
                "not on credit hold"
            };
            return Err(AppError::Conflict(format!(
                "{} is {state}.",
                before.legal_name
            )));
        }
        let now = self.clock.now();
        let mut row: customer::ActiveModel = model.into();
        row.on_credit_hold = Set(input.on_hold);
        row.credit_hold_reason = Set(input.on_hold.then(|| reason.clone()));
        row.credit_hold_since = Set(input.on_hold.then_some(now));
        row.credit_hold_source = Set(input.on_hold.then(|| "manual".to_string()));
        row.updated_at = Set(now);
        let after = Customer::try_from(row.update(&transaction).await?)?;
        let action = if input.on_hold {
            "customer.credit_hold.place"
        } else {
            "customer.credit_hold.release"
        };
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action,
                entity_type: "customer",
                entity_id: id.to_string(),
                before: Some(&before),
                after: Some(&serde_json::json!({ "customer": &after, "reason": reason })),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(after)
    }

    /// Names the account manager who owns the relationship (collections tasks go to them).
    pub async fn set_account_manager(
        &self,
        actor: &Actor,
        customer_id: i64,
        user_id: Option<i64>,
    ) -> AppResult<Customer> {
        actor.require(Permission::CustomerWrite)?;
        let transaction = self.db.begin().await?;
        let model = find_model(&transaction, customer_id).await?;
        let before = Customer::try_from(model.clone())?;
        if let Some(user_id) = user_id {
            let user = crate::entities::user::Entity::find_by_id(user_id)
                .one(&transaction)
                .await?
                .ok_or_else(|| {
                    AppError::validation("userId", format!("There is no user with id {user_id}."))
                })?;
            if user.role != crate::access::Role::AccountManager.as_str() {
                return Err(AppError::validation(
                    "userId",
                    format!("{} is not an account manager.", user.name),
                ));
            }
        }
        let now = self.clock.now();
        let mut row: customer::ActiveModel = model.into();
        row.account_manager_id = Set(user_id);
        row.updated_at = Set(now);
        let after = Customer::try_from(row.update(&transaction).await?)?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "customer.account_manager.set",
                entity_type: "customer",
                entity_id: customer_id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(after)
    }

    /// One customer's master record; an AE or account manager sees only their book's (another
    /// owner's customer is FORBIDDEN, as another AE's deal is).
    pub async fn get(&self, actor: &Actor, id: i64) -> AppResult<Customer> {
        actor.require(Permission::CustomerRead)?;
        let model = find_model(&self.db, id).await?;
        let book = Book::of(actor);
        if book != Book::All {
            let visible = customer::Entity::find()
                .filter(customer::Column::Id.eq(id))
                .filter(book.condition())
                .count(&self.db)
                .await?;
            if visible == 0 {
                return Err(AppError::Forbidden(
                    "This customer is not in your book; its record is not visible to you.".into(),
                ));
            }
        }
        Customer::try_from(model)
    }

    /// The customers among `ids` that are in `book` (a record shown inside another one: a
    /// customer outside the reader's book is left out).
    pub async fn by_ids(&self, book: Book, ids: &[i64]) -> AppResult<Vec<Customer>> {
        customer::Entity::find()
            .filter(customer::Column::Id.is_in(ids.iter().copied()))
            .filter(book.condition())
            .all(&self.db)
            .await?
            .into_iter()
            .map(Customer::try_from)
            .collect()
    }

    /// Alphabetical, within the actor's book; `search` matches the legal name or the billing
    /// contact, ignoring case.
    pub async fn list(
        &self,
        actor: &Actor,
        search: Option<String>,
        order: (CustomerSort, SortDirection),
        page: PageRequest,
    ) -> AppResult<Page<Customer>> {
        actor.require(Permission::CustomerRead)?;
        let mut query = customer::Entity::find().filter(Book::of(actor).condition());
        let columns = [
            customer::Column::LegalName,
            customer::Column::BillingContactJson,
        ];
        if let Some(condition) = search_condition(search, &columns) {
            query = query.filter(condition);
        }
        let total = query.clone().count(&self.db).await?;
        let (sort, direction) = order;
        let direction = direction.order();
        // Ties (and amounts in several currencies) fall back to the name, then the id, so a
        // page boundary never shows a row twice or skips one.
        let query = match sort {
            CustomerSort::LegalName => query,
            CustomerSort::CreditLimit => query
                .order_by(customer::Column::BillingCurrency, sea_orm::Order::Asc)
                .order_by(customer::Column::CreditLimitMinor, direction.clone()),
            CustomerSort::Currency => {
                query.order_by(customer::Column::BillingCurrency, direction.clone())
            }
            CustomerSort::CreditHold => {
                query.order_by(customer::Column::OnCreditHold, direction.clone())
            }
            CustomerSort::Created => query.order_by(customer::Column::CreatedAt, direction.clone()),
        };
        let name_order = if sort == CustomerSort::LegalName {
            direction
        } else {
            sea_orm::Order::Asc
        };
        let rows = query
            .order_by(customer::Column::LegalName, name_order.clone())
            .order_by(customer::Column::Id, name_order)
            .offset(page.offset)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Page::new(rows, page, total).try_map(Customer::try_from)
    }

    /// ARR per customer from contracts active today, in each customer's billing currency.
    pub async fn arr_by_customer(
        &self,
        customers: &[(i64, Currency)],
    ) -> AppResult<HashMap<i64, Money>> {
        self.arr_of(&self.db, customers).await
    }

    async fn arr_of<C: ConnectionTrait>(
        &self,
        connection: &C,
        customers: &[(i64, Currency)],
    ) -> AppResult<HashMap<i64, Money>> {
        let today: NaiveDate = self.clock.today();
        let contracts = contract::Entity::find()
            .filter(contract::Column::CustomerId.is_in(customers.iter().map(|(id, _)| *id)))
            .filter(contract::Column::StartDate.lte(today))
            .filter(contract::Column::EndDate.gt(today))
            .all(connection)
            .await?;
        let mut arr: HashMap<i64, Money> = customers
            .iter()
            .map(|(id, currency)| (*id, Money::zero(*currency)))
            .collect();
        for row in contracts {
            if let Some(total) = arr.get_mut(&row.customer_id) {
                // Contracts in another currency wait for the FX table (dashboard issue).
                if total.currency().code() == row.currency {
                    *total =
                        total.checked_add(Money::from_minor(row.arr_minor, total.currency()))?;
                }
            }
        }
        Ok(arr)
    }
}

/// The customer's credit policy given its ARR (zero when unknown).
pub fn policy_for(customer: &Customer, arr: Option<Money>) -> CreditPolicy {
    credit_policy(
        arr.unwrap_or(Money::zero(customer.billing_currency)),
        PaymentHistory {
            has_paid_invoice: customer.has_paid_invoice,
            prior_late_payer: customer.prior_late_payer,
        },
    )
}

fn terms_refusal(policy: &CreditPolicy, terms: PaymentTerms) -> String {
    let allowed: Vec<&str> = policy
        .allowed_terms
        .iter()
        .map(PaymentTerms::label)
        .collect();
    format!(
        "{} is not available for this credit category (allowed: {}); request the change for approval instead.",
        terms.label(),
        allowed.join(", ")
    )
}

pub async fn find_model<C: ConnectionTrait>(connection: &C, id: i64) -> AppResult<customer::Model> {
    customer::Entity::find_by_id(id)
        .one(connection)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no customer with id {id}.")))
}

/// Serialises writers that decide from a customer's open invoices (oldest-first allocation of a
/// payment or a credit): on PostgreSQL the customer's row is locked until the caller's transaction
/// ends, so the next writer reads the open amounts only after this one committed. SQLite runs
/// one write transaction at a time already, so there is nothing to lock.
pub async fn lock_for_update<C: ConnectionTrait>(connection: &C, id: i64) -> AppResult<()> {
    if connection.get_database_backend() == sea_orm::DbBackend::Postgres {
        connection
            .execute(sea_orm::Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT id FROM customers WHERE id = $1 FOR UPDATE",
                [id.into()],
            ))
            .await?;
    }
    Ok(())
}

/// Applies an approved credit-limit change inside the approver's transaction.
pub async fn apply_credit_terms<C: ConnectionTrait>(
    connection: &C,
    id: i64,
    limit: Money,
    terms: PaymentTerms,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Customer> {
    let model = find_model(connection, id).await?;
    let mut row: customer::ActiveModel = model.into();
    row.credit_limit_minor = Set(limit.minor());
    row.payment_terms = Set(terms.as_str().to_string());
    row.updated_at = Set(now);
    Customer::try_from(row.update(connection).await?)
}

/// Records payment history migrated from an earlier system (seeding); receivables will keep it
/// current from real payments.
pub async fn set_payment_history<C: ConnectionTrait>(
    connection: &C,
    id: i64,
    history: PaymentHistory,
) -> AppResult<()> {
    let model = find_model(connection, id).await?;
    let mut row: customer::ActiveModel = model.into();
    row.has_paid_invoice = Set(history.has_paid_invoice);
    row.prior_late_payer = Set(history.prior_late_payer);
    row.update(connection).await?;
    Ok(())
}

pub use rules::{CreditCategory, DepositRule, PaymentHistory as History};
