//! Demo and scale data, created through the same services the API uses so every record obeys
//! the rules (and is audited). `--demo` is deterministic for a given date and idempotent.

use crate::access::{Actor, Role};
use crate::app::App;
use crate::approvals::{ApprovalDecideInput, ApprovalDecision, CreditLimitRequestCreateInput};
use crate::auth::NewUser;
use crate::customers::{
    self, Address, Contact, CustomerCreateInput, CustomerCreditHoldSetInput, PaymentMethodInput,
    PaymentMethodKind, PaymentTerms,
};
use crate::deals::{
    BillingFrequency, ContractLineKind, DealApproveInput, DealInput, DealLineInput, MilestoneInput,
    RevenueRecognitionType,
};
use crate::error::AppResult;
use crate::ledger::rules::{Posting, Side};
use crate::ledger::EntryHeader;
use crate::money::{Currency, Money};
use crate::values::{IsoDate, MoneyInput};
use async_graphql::ID;
use chrono::{Datelike, Months, NaiveDate};

pub const DEMO_PASSWORD: &str = "revops-demo-2026";
pub const DEMO_DOMAIN: &str = "demo.revops";

/// A small deterministic generator (SplitMix64), so demo data is the same on every machine.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut value = self.0;
        value = (value ^ (value >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        value = (value ^ (value >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        value ^ (value >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const NAME_PARTS: &[&str] = &[
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Prestige",
    "Monarch",
    "Gringotts",
    "Wonka",
    "Oscorp",
    "Aperture",
    "Blue Sun",
    "Massive Dynamic",
    "Pied Piper",
    "Dunder",
    "Sterling",
    "Bluth",
    "Nakatomi",
];
const NAME_SUFFIXES: &[&str] = &[
    "Holdings",
    "Labs",
    "Systems",
    "Logistics",
    "Health",
    "Capital",
    "Foods",
    "Energy",
];
const FIRST_NAMES: &[&str] = &[
    "Ana", "Ben", "Chloé", "Dev", "Eun-ji", "Farah", "Gus", "Hana", "Ivo", "Jules", "Kofi", "Lena",
];
const LAST_NAMES: &[&str] = &[
    "Ortiz", "Nguyen", "Schmidt", "Okafor", "Tanaka", "Rossi", "Dubois", "Kowalski", "Smith",
    "Patel",
];

/// (country, currency, city, postal code, tax number)
const LOCALES: &[(&str, &str, &str, &str, &str)] = &[
    ("US", "USD", "Austin", "78701", "12-3456789"),
    ("US", "USD", "Chicago", "60601", "98-7654321"),
    ("US", "USD", "Boston", "02110", "45-6789012"),
    ("US", "USD", "Denver", "80202", "33-1234567"),
    ("GB", "GBP", "London", "EC1A 1BB", "GB123456789"),
    ("DE", "EUR", "Berlin", "10115", "DE123456789"),
    ("FR", "EUR", "Paris", "75002", "FRAB123456789"),
    ("NL", "EUR", "Amsterdam", "1012 AB", "NL123456789B01"),
    ("AU", "AUD", "Sydney", "2000", "51824753556"),
    ("CA", "CAD", "Toronto", "M5H 2N2", "123456789RT0001"),
];

/// The demo's coupon, on the seats of every deal sold by lines: 10% off the first three periods.
pub const DEMO_COUPON: &str = "WELCOME10";

/// Creates the demo coupon (a year's validity, no redemption limit) unless it is there already.
async fn seed_coupon(app: &App, admin: &Actor, today: NaiveDate) -> AppResult<()> {
    let input = crate::billing::coupons::CouponCreateInput {
        code: DEMO_COUPON.into(),
        label: "Welcome offer".into(),
        percent: Some("10".into()),
        amount: None,
        periods: Some(3),
        expires_on: today.checked_add_months(Months::new(12)).map(IsoDate),
        redemption_limit: None,
    };
    match app.billing.coupon_create(admin, &input).await {
        Ok(_) => Ok(()),
        Err(crate::error::AppError::Validation { field, .. }) if field == "code" => Ok(()),
        Err(other) => Err(other),
    }
}

/// The deal as 20 seats at the annual value's price per seat per period (10% off the first three
/// periods by the demo coupon), plus an onboarding milestone due two months in.
fn with_lines(
    input: DealInput,
    annual: i64,
    frequency: BillingFrequency,
    currency: Currency,
    start: NaiveDate,
    end: NaiveDate,
) -> DealInput {
    let periods = i64::from(frequency.periods_per_year().unwrap_or(1));
    let per_seat = major((annual / periods / 20).max(1), currency);
    let onboarding = major((annual / 10).max(1), currency);
    let due = start
        .checked_add_months(Months::new(2))
        .filter(|due| *due < end)
        .unwrap_or(end);
    DealInput {
        product_name: None,
        tcv: None,
        arr: None,
        billing_frequency: None,
        revenue_recognition_type: None,
        lines: vec![
            DealLineInput {
                product_name: "Revenue Cloud Platform seats".into(),
                kind: Some(ContractLineKind::Subscription),
                quantity: Some("20".into()),
                unit_price: money_input(per_seat),
                billing_frequency: Some(frequency),
                start_date: None,
                end_date: None,
                reference: None,
                discount: Some(crate::billing::discounts::DiscountInput {
                    percent: None,
                    amount: None,
                    periods: None,
                    from: None,
                    label: None,
                    coupon: Some(DEMO_COUPON.into()),
                }),
                trial_ends_on: None,
            },
            DealLineInput {
                product_name: "Onboarding".into(),
                kind: Some(ContractLineKind::Milestone),
                quantity: Some("1".into()),
                unit_price: money_input(onboarding),
                billing_frequency: None,
                start_date: None,
                end_date: Some(IsoDate(due)),
                reference: None,
                discount: None,
                trial_ends_on: None,
            },
        ],
        ..input
    }
}

fn money_input(money: Money) -> MoneyInput {
    MoneyInput {
        amount: money.amount_string(),
        currency: money.currency().code().to_string(),
    }
}

fn major(amount: i64, currency: Currency) -> Money {
    Money::from_minor(amount * 10_i64.pow(currency.decimals()), currency)
}

struct Users {
    admin: Actor,
    vp_revops: Actor,
    cro: Actor,
    vp_finance: Actor,
    ar_specialist: Actor,
    account_manager: Actor,
    aes: Vec<Actor>,
}

async fn create_demo_users(app: &App) -> AppResult<Users> {
    let mut created = Vec::new();
    let mut people = Sequence(7);
    for role in Role::ALL {
        let name = format!("{} {}", people.pick(FIRST_NAMES), people.pick(LAST_NAMES));
        created.push(
            app.auth
                .create_user(
                    None,
                    NewUser {
                        email: format!("{}@{DEMO_DOMAIN}", role.as_str()),
                        name,
                        role,
                        password: DEMO_PASSWORD.into(),
                    },
                )
                .await?,
        );
    }
    for (number, name) in [(2, "Priya Raman"), (3, "Tom Becker")] {
        created.push(
            app.auth
                .create_user(
                    None,
                    NewUser {
                        email: format!("ae{number}@{DEMO_DOMAIN}"),
                        name: name.to_string(),
                        role: Role::Ae,
                        password: DEMO_PASSWORD.into(),
                    },
                )
                .await?,
        );
    }
    let actor = |role: Role| -> Actor {
        let user = created
            .iter()
            .find(|user| user.role == role)
            .map(|user| (user.id, user.email.clone()))
            .unwrap_or_default();
        Actor {
            user_id: user.0,
            email: user.1,
            role,
        }
    };
    Ok(Users {
        admin: actor(Role::Admin),
        vp_revops: actor(Role::VpRevops),
        cro: actor(Role::Cro),
        vp_finance: actor(Role::VpFinance),
        ar_specialist: actor(Role::ArSpecialist),
        account_manager: actor(Role::AccountManager),
        aes: created
            .iter()
            .filter(|user| user.role == Role::Ae)
            .map(|user| Actor {
                user_id: user.id,
                email: user.email.clone(),
                role: Role::Ae,
            })
            .collect(),
    })
}

/// The ARR band a generated customer is built for, which decides its credit category.
#[derive(Clone, Copy)]
enum Band {
    Enterprise,
    MidMarket,
    Smb,
}

struct Generated {
    created_customers: usize,
    created_deals: usize,
    approved_deals: usize,
}

/// A generated customer as created, with what its deals are built from.
struct GeneratedCustomer {
    customer: customers::Customer,
    name: String,
    slug: String,
    country: &'static str,
    currency_code: &'static str,
    currency: Currency,
}

/// Which deal of which generated customer in which run: what a deal's references come from.
#[derive(Clone, Copy)]
struct DealSlot {
    seed: u64,
    index: usize,
    deal_index: usize,
}

impl DealSlot {
    /// The deal's number in the run, used in its opportunity id and PO number.
    fn number(self) -> usize {
        self.index * 2 + self.deal_index
    }

    /// The position that rotates the AE, the recognition type and the line-item deals.
    fn rotation(self) -> usize {
        self.index + self.deal_index
    }

    /// Every fifth deal stays a draft with something missing, as intake queues do.
    fn stays_draft(self) -> bool {
        self.number() % 5 == 4
    }
}

/// A generated deal's value, term, recognition type and billing schedule.
struct DealTerms {
    annual: i64,
    start: NaiveDate,
    end: NaiveDate,
    tcv: Money,
    arr: Money,
    kind: RevenueRecognitionType,
    frequency: BillingFrequency,
    milestones: Vec<MilestoneInput>,
}

/// Creates `count` customers with deals: most approved into contracts, some left as drafts.
async fn generate_customers(
    app: &App,
    users: &Users,
    count: usize,
    seed: u64,
    today: NaiveDate,
) -> AppResult<Generated> {
    let mut random = Sequence(seed);
    let mut result = Generated {
        created_customers: 0,
        created_deals: 0,
        approved_deals: 0,
    };
    for index in 0..count {
        let generated = create_generated_customer(app, users, &mut random, seed, index).await?;
        result.created_customers += 1;
        let history = migrated_history(index);
        customers::set_payment_history(&app.db, generated.customer.id, history).await?;
        let band = band_for(index);
        let deal_count = 1 + usize::from(index % 3 != 2);
        for deal_index in 0..deal_count {
            let slot = DealSlot {
                seed,
                index,
                deal_index,
            };
            let ae = &users.aes[slot.rotation() % users.aes.len()];
            let terms = draw_deal_terms(
                &mut random,
                band,
                deal_count,
                today,
                generated.currency,
                slot.rotation(),
            )?;
            let po_required = random.below(4) == 0;
            let input = generated_deal_input(&mut random, slot, &generated, ae, po_required, terms);
            let deal = app.deals.create(ae, input).await?;
            result.created_deals += 1;
            if !slot.stays_draft() && !generated.customer.on_credit_hold {
                // Migrated deals were sold on credit the old system granted: a VP Finance
                // approves them, raising a limit the deal would exceed.
                app.deals
                    .approve(
                        &users.vp_finance,
                        DealApproveInput {
                            id: ID(deal.id.to_string()),
                            idempotency_key: format!("seed-approve-{}", deal.id),
                            approve_over_credit_limit: Some(true),
                        },
                    )
                    .await?;
                result.approved_deals += 1;
            }
        }
        apply_migrated_credit_terms(app, generated.customer, generated.currency, history).await?;
    }
    Ok(result)
}

/// The generated customer's unique legal name: each part appears with a different suffix per
/// round; past the first 200 the index is added.
fn generated_customer_name(index: usize) -> String {
    let round = index / NAME_PARTS.len();
    format!(
        "{} {}{}",
        NAME_PARTS[index % NAME_PARTS.len()],
        NAME_SUFFIXES[(index % NAME_PARTS.len() + round) % NAME_SUFFIXES.len()],
        if index >= NAME_PARTS.len() * NAME_SUFFIXES.len() {
            format!(" {index}")
        } else {
            String::new()
        }
    )
}

/// Draws a customer's locale, contact, address and payment method and creates it.
async fn create_generated_customer(
    app: &App,
    users: &Users,
    random: &mut Sequence,
    seed: u64,
    index: usize,
) -> AppResult<GeneratedCustomer> {
    let (country, currency_code, city, postal_code, tax_number) = *random.pick(LOCALES);
    let currency = Currency::parse(currency_code)?;
    let name = generated_customer_name(index);
    let contact_first = random.pick(FIRST_NAMES).to_string();
    let contact_last = random.pick(LAST_NAMES).to_string();
    let slug: String = name
        .to_lowercase()
        .chars()
        .filter(|character| character.is_ascii_alphanumeric())
        .collect();
    let address = Address {
        line1: format!("{} Market Street", 10 + random.below(900)),
        line2: None,
        city: city.into(),
        region: None,
        postal_code: postal_code.into(),
        country: country.into(),
    };
    let method_kind = *random.pick(&[
        PaymentMethodKind::Ach,
        PaymentMethodKind::Wire,
        PaymentMethodKind::Card,
        PaymentMethodKind::Check,
    ]);
    let customer = app
        .customers
        .create(
            &users.admin,
            CustomerCreateInput {
                // As a CRM would number accounts, so imports and intake can refer to them;
                // the seed keeps the demo's and each scale run's references apart.
                external_ref: Some(format!("ACCT-{seed}-{:05}", index + 1)),
                legal_name: name.clone(),
                billing_address: address.clone(),
                remit_to_address: None,
                tax_registration_number: Some(tax_number.into()),
                billing_contact: Contact {
                    name: format!("{contact_first} {contact_last}"),
                    email: format!("ap@{slug}.example"),
                    phone: Some(format!("+1 555 {:04}", random.below(10_000))),
                },
                payment_method: Some(PaymentMethodInput {
                    kind: method_kind,
                    reference: Some(format!("{:04}", random.below(10_000))),
                }),
                payment_terms: None,
                billing_currency: currency_code.into(),
            },
        )
        .await?;
    Ok(GeneratedCustomer {
        customer,
        name,
        slug,
        country,
        currency_code,
        currency,
    })
}

/// History migrated from the previous billing system: most have paid, some paid late.
fn migrated_history(index: usize) -> customers::History {
    match index % 10 {
        0 => customers::History {
            has_paid_invoice: false,
            prior_late_payer: false,
        },
        7 if index % 20 == 7 => customers::History {
            has_paid_invoice: true,
            prior_late_payer: true,
        },
        _ => customers::History {
            has_paid_invoice: true,
            prior_late_payer: false,
        },
    }
}

/// The ARR band the customer at `index` is built for.
fn band_for(index: usize) -> Band {
    match index % 6 {
        0 => Band::Enterprise,
        1 | 2 => Band::MidMarket,
        _ => Band::Smb,
    }
}

/// Draws a deal's annual value, term and start, and sets its recognition type and schedule
/// (a subscription's billing frequency is drawn too).
fn draw_deal_terms(
    random: &mut Sequence,
    band: Band,
    deal_count: usize,
    today: NaiveDate,
    currency: Currency,
    rotation: usize,
) -> AppResult<DealTerms> {
    let annual = match band {
        Band::Enterprise => 1_050_000 + 10_000 * random.below(60) as i64,
        Band::MidMarket => 120_000 + 10_000 * random.below(80) as i64,
        Band::Smb => 12_000 + 1_000 * random.below(80) as i64,
    } / deal_count as i64;
    let years = 1 + random.below(3) as u32;
    let start = today
        .checked_sub_months(Months::new(random.below(11) as u32))
        .unwrap_or(today);
    let end = start
        .checked_add_months(Months::new(12 * years))
        .unwrap_or(start);
    let arr = major(annual, currency);
    let tcv = major(annual * i64::from(years), currency);
    let kind = match rotation % 9 {
        4 => RevenueRecognitionType::Milestone,
        8 => RevenueRecognitionType::TimeAndMaterials,
        _ => RevenueRecognitionType::Ratable,
    };
    let (frequency, arr, milestones) = match kind {
        RevenueRecognitionType::Milestone => (
            BillingFrequency::Milestone,
            Money::zero(currency),
            two_milestones(annual, years, tcv, start, currency)?,
        ),
        RevenueRecognitionType::TimeAndMaterials => (
            BillingFrequency::TimeAndMaterials,
            Money::zero(currency),
            vec![],
        ),
        _ => (
            *random.pick(&[
                BillingFrequency::Monthly,
                BillingFrequency::Quarterly,
                BillingFrequency::Annually,
            ]),
            arr,
            vec![],
        ),
    };
    Ok(DealTerms {
        annual,
        start,
        end,
        tcv,
        arr,
        kind,
        frequency,
        milestones,
    })
}

/// A milestone deal's schedule: half at design sign-off, the rest at go-live acceptance.
fn two_milestones(
    annual: i64,
    years: u32,
    tcv: Money,
    start: NaiveDate,
    currency: Currency,
) -> AppResult<Vec<MilestoneInput>> {
    let first = major(annual * i64::from(years) / 2, currency);
    let second = tcv.checked_sub(first)?;
    Ok(vec![
        MilestoneInput {
            name: "Design sign-off".into(),
            due_date: start.checked_add_months(Months::new(2)).map(IsoDate),
            amount: money_input(first),
        },
        MilestoneInput {
            name: "Go-live acceptance".into(),
            due_date: start.checked_add_months(Months::new(6)).map(IsoDate),
            amount: money_input(second),
        },
    ])
}

/// The deal input for a generated deal (a subscription's product name is drawn here).
fn generated_deal_input(
    random: &mut Sequence,
    slot: DealSlot,
    generated: &GeneratedCustomer,
    ae: &Actor,
    po_required: bool,
    terms: DealTerms,
) -> DealInput {
    let stays_draft = slot.stays_draft();
    let kind = terms.kind;
    let input = DealInput {
        crm_opportunity_id: format!("OPP-{}-{:05}", slot.seed, slot.number()),
        customer_id: Some(ID(generated.customer.id.to_string())),
        invoiced_legal_entity: Some(generated.name.clone()),
        billing_contact: Some(generated.customer.billing_contact.clone()),
        product_name: Some(match kind {
            RevenueRecognitionType::Milestone => "Implementation services".into(),
            RevenueRecognitionType::TimeAndMaterials => "Professional services (T&M)".into(),
            _ => random
                .pick(&[
                    "Revenue Cloud Platform",
                    "Analytics Suite",
                    "Premium Support",
                ])
                .to_string(),
        }),
        tcv: Some(money_input(terms.tcv)),
        arr: Some(money_input(terms.arr)),
        start_date: Some(IsoDate(terms.start)),
        end_date: Some(IsoDate(terms.end)),
        billing_frequency: Some(terms.frequency),
        payment_terms: Some(PaymentTerms::Net30),
        billing_currency: Some(generated.currency_code.into()),
        po_required,
        po_number: (po_required && !stays_draft).then(|| {
            format!(
                "PO-{}-{:04}",
                generated
                    .slug
                    .chars()
                    .take(4)
                    .collect::<String>()
                    .to_uppercase(),
                slot.number()
            )
        }),
        tax_jurisdiction: Some(generated.country.to_string()),
        tax_exempt: false,
        tax_exemption_certificate: None,
        revenue_recognition_type: Some(kind),
        milestones: terms.milestones,
        lines: Vec::new(),
        assigned_ae_id: Some(ID(ae.user_id.to_string())),
        commission_plan_id: (!stays_draft || po_required).then(|| "PLAN-AE-2026".to_string()),
    };
    // Some subscriptions are sold as seats × a price with an onboarding milestone, as a CRM's
    // opportunity line items carry them; the deal's totals come from the lines.
    if kind == RevenueRecognitionType::Ratable && slot.rotation() % 9 == 2 {
        return with_lines(
            input,
            terms.annual,
            terms.frequency,
            generated.currency,
            terms.start,
            terms.end,
        );
    }
    input
}

/// Limits and terms as the previous system held them: what the category proposes.
async fn apply_migrated_credit_terms(
    app: &App,
    customer: customers::Customer,
    currency: Currency,
    history: customers::History,
) -> AppResult<()> {
    let arr = app
        .customers
        .arr_by_customer(&[(customer.id, currency)])
        .await?;
    let migrated = customers::Customer {
        has_paid_invoice: history.has_paid_invoice,
        prior_late_payer: history.prior_late_payer,
        ..customer
    };
    let policy = customers::policy_for(&migrated, arr.get(&migrated.id).copied());
    // The policy's limit, unless approving the customer's deals already raised it higher.
    let current = customers::find_model(&app.db, migrated.id)
        .await?
        .credit_limit_minor;
    let limit = if current > policy.proposed_limit.minor() {
        crate::money::Money::from_minor(current, currency)
    } else {
        policy.proposed_limit
    };
    customers::apply_credit_terms(
        &app.db,
        migrated.id,
        limit,
        policy.default_terms(),
        app.clock.now(),
    )
    .await?;
    Ok(())
}

/// Seeds the demo: users for every role, ~50 customers, ~80 deals, holds, approvals, a ledger
/// entry. Returns false when the demo data is already there.
pub async fn seed_demo(app: &App) -> AppResult<bool> {
    let marker = format!("admin@{DEMO_DOMAIN}");
    if app.auth.user_exists(&marker).await? {
        return Ok(false);
    }
    let users = create_demo_users(app).await?;
    let today = app.clock.today();
    seed_ssp(app, &users.admin).await?;
    seed_coupon(app, &users.admin, today).await?;
    let generated = generate_customers(app, &users, 50, 2026, today).await?;
    seed_bundle(app, &users.admin, today).await?;
    let page = crate::pagination::PageRequest {
        offset: 0,
        limit: 50,
    };
    let all = app
        .customers
        .list(&users.admin, None, Default::default(), page)
        .await?
        .items;
    place_demo_credit_holds(app, &users, &all).await?;
    request_demo_credit_limits(app, &users, &all).await?;
    seed_billing_reference(app, &users.admin, today).await?;
    seed_receivables(app, &users, today).await?;
    seed_recognition(app, &users.admin, today).await?;
    seed_commissions(app, &users, today).await?;
    seed_renewals(app, &users, today).await?;
    post_opening_balance(app, &users.admin, today).await?;
    tracing::info!(
        customers = generated.created_customers,
        deals = generated.created_deals,
        approved = generated.approved_deals,
        "demo data seeded"
    );
    Ok(true)
}

/// Three customers put on credit hold by the VP Finance, as migrated from the collections sheet.
async fn place_demo_credit_holds(
    app: &App,
    users: &Users,
    all: &[customers::Customer],
) -> AppResult<()> {
    for customer in all.iter().skip(3).step_by(17).take(3) {
        app.customers
            .set_credit_hold(
                &users.vp_finance,
                CustomerCreditHoldSetInput {
                    customer_id: ID(customer.id.to_string()),
                    on_hold: true,
                    reason: "Invoice over 60 days unpaid (migrated from the collections sheet)"
                        .into(),
                },
            )
            .await?;
    }
    Ok(())
}

/// Five credit limit increase requests from finance and account management, the last approved.
async fn request_demo_credit_limits(
    app: &App,
    users: &Users,
    all: &[customers::Customer],
) -> AppResult<()> {
    let requesters = [
        &users.ar_specialist,
        &users.account_manager,
        &users.ar_specialist,
        &users.vp_finance,
        &users.account_manager,
    ];
    for (index, (customer, requester)) in all.iter().skip(5).step_by(7).zip(requesters).enumerate()
    {
        let raised = customer
            .credit_limit
            .checked_add(major(15_000, customer.billing_currency))?;
        let approval = app
            .approvals
            .request_credit_limit(
                requester,
                CreditLimitRequestCreateInput {
                    customer_id: ID(customer.id.to_string()),
                    credit_limit: money_input(raised),
                    payment_terms: None,
                    reason: "Expansion order expected next quarter; payment record is clean."
                        .into(),
                },
            )
            .await?;
        if index == 4 {
            app.approvals
                .decide(
                    &users.vp_finance,
                    ApprovalDecideInput {
                        id: ID(approval.id.to_string()),
                        decision: ApprovalDecision::Approve,
                        comment: "Approved: two years without a late payment.".into(),
                    },
                )
                .await?;
        }
    }
    Ok(())
}

/// The opening cash balance, posted by hand against opening balance equity.
async fn post_opening_balance(app: &App, admin: &Actor, today: NaiveDate) -> AppResult<()> {
    let cash = Money::from_minor(25_000_000, Currency::USD);
    app.ledger
        .post_manual(
            admin,
            EntryHeader {
                entry_date: today,
                memo: "Opening cash balance".into(),
                source: "manual".into(),
                idempotency_key: Some("seed-opening-balance".into()),
            },
            vec![
                Posting {
                    account_code: crate::ledger::chart::CASH.into(),
                    side: Side::Debit,
                    amount: cash,
                },
                Posting {
                    account_code: crate::ledger::chart::OPENING_BALANCE_EQUITY.into(),
                    side: Side::Credit,
                    amount: cash,
                },
            ],
        )
        .await?;
    Ok(())
}

/// The renewal pipeline's history: a contact logged on the first renewals, the second set Red
/// with a reason (flagged to the CRO and the VP CS when within 60 days), and today's alerts.
async fn seed_renewals(app: &App, users: &Users, today: NaiveDate) -> AppResult<()> {
    let pipeline = app
        .renewals
        .pipeline(&users.cro, crate::renewals::rules::WINDOW_DAYS)
        .await?;
    for (index, renewal) in pipeline.iter().take(4).enumerate() {
        if index != 1 {
            app.renewals
                .log_contact(
                    &users.cro,
                    renewal.contract_id,
                    crate::renewals::ContactKind::Call,
                    "Renewal call with the economic buyer: budget approved, paperwork next.",
                    Some(today - chrono::Duration::days(3 + index as i64)),
                )
                .await?;
        } else {
            app.renewals
                .set_status(
                    &users.cro,
                    renewal.contract_id,
                    crate::renewals::rules::RenewalStatus::Red,
                    Some("Champion left; procurement asking for a 20% discount.".into()),
                )
                .await?;
        }
    }
    app.renewals.run_alerts(today).await?;
    Ok(())
}

/// Commission plans (the AEs' tiered plan the demo deals name, and the CRO's team override),
/// assignments with the AEs reporting to the CRO, one split deal, this month's calculation and
/// one open dispute.
async fn seed_commissions(app: &App, users: &Users, today: NaiveDate) -> AppResult<()> {
    use crate::commissions::CommissionService;
    let year = today.year();
    let commissions: &CommissionService = &app.commissions;
    commissions
        .import_plan(&users.vp_revops, &ae_plan_yaml(year), None)
        .await?;
    commissions
        .import_plan(&users.vp_revops, &manager_plan_yaml(year), None)
        .await?;
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    assign_demo_plans(commissions, users, start).await?;
    split_largest_deal(app, users).await?;
    commissions
        .calculate_as(
            Some(&users.vp_revops),
            &crate::ledger::period_of(today),
            today,
        )
        .await?;
    raise_demo_commission_dispute(app, users).await
}

/// The AEs' tiered plan for `year`, as YAML: quota, clawback, accelerators, a cap and a SPIF.
fn ae_plan_yaml(year: i32) -> String {
    r#"code: PLAN-AE-2026
name: Account executive plan
currency: USD
effective_from: YEAR-01-01
capitalise: true
quota:
  period: quarter
  amount: "900000.00"
clawback:
  window_days: 180
  mode: full
components:
  - name: New business
    metric: bookings_acv
    tiers:
      - { from: 0, rate: 8 }
      - { from: 100, rate: 12 }
    accelerators:
      - { above: 150, multiplier: 1.5 }
    decelerator: { below: 25, multiplier: 0.5 }
    cap: "250000.00"
    business_rates: { renewal: 3 }
spifs:
  - name: Large deal push
    amount: "750.00"
    from: YEAR-01-01
    to: YEAR-12-31
    min_acv: "100000.00"
"#
    .replace("YEAR", &year.to_string())
}

/// The CRO's team override plan for `year`, as YAML.
fn manager_plan_yaml(year: i32) -> String {
    r#"code: PLAN-CRO-2026
name: Sales leadership override
currency: USD
effective_from: YEAR-01-01
quota:
  period: year
  amount: "10000000.00"
components:
  - name: Team override
    metric: team_credit
    rate: 1.5
"#
    .replace("YEAR", &year.to_string())
}

/// Assigns every AE the AE plan (reporting to the CRO) and the CRO the override plan.
async fn assign_demo_plans(
    commissions: &crate::commissions::CommissionService,
    users: &Users,
    start: NaiveDate,
) -> AppResult<()> {
    use crate::commissions::AssignInput;
    for ae in &users.aes {
        commissions
            .assign(
                &users.vp_revops,
                AssignInput {
                    user_id: ae.user_id,
                    plan_code: "PLAN-AE-2026".into(),
                    effective_from: start,
                    effective_to: None,
                    quota: None,
                },
            )
            .await?;
        commissions
            .set_manager(&users.vp_revops, ae.user_id, Some(users.cro.user_id))
            .await?;
    }
    commissions
        .assign(
            &users.vp_revops,
            AssignInput {
                user_id: users.cro.user_id,
                plan_code: "PLAN-CRO-2026".into(),
                effective_from: start,
                effective_to: None,
                quota: None,
            },
        )
        .await?;
    Ok(())
}

/// The first AE's largest approved deal is shared 70/30 with the second.
async fn split_largest_deal(app: &App, users: &Users) -> AppResult<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    if let [first, second, ..] = users.aes.as_slice() {
        let deal = crate::entities::deal::Entity::find()
            .filter(crate::entities::deal::Column::AssignedAeId.eq(first.user_id))
            .filter(crate::entities::deal::Column::Status.eq("approved"))
            .order_by_desc(crate::entities::deal::Column::TcvMinor)
            .one(&app.db)
            .await?;
        if let Some(deal) = deal {
            app.commissions
                .set_splits(
                    &users.vp_revops,
                    deal.id,
                    &[(first.user_id, "70".into()), (second.user_id, "30".into())],
                )
                .await?;
        }
    }
    Ok(())
}

/// The first AE disputes their first commission line.
async fn raise_demo_commission_dispute(app: &App, users: &Users) -> AppResult<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    if let Some(ae) = users.aes.first() {
        let line = crate::entities::commission_line::Entity::find()
            .filter(crate::entities::commission_line::Column::UserId.eq(ae.user_id))
            .order_by_asc(crate::entities::commission_line::Column::Id)
            .one(&app.db)
            .await?;
        if let Some(line) = line {
            app.commissions
                .raise_dispute(
                    ae,
                    line.id,
                    "The deal was signed as expansion of an existing account; it should be at the new-business rate?",
                )
                .await?;
        }
    }
    Ok(())
}

/// The standalone selling price table (USD): point prices and observed ranges.
async fn seed_ssp(app: &App, admin: &Actor) -> AppResult<()> {
    use crate::revenue::rules::SspBasis;
    let from = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    let usd = |major: i64| Money::from_minor(major * 100, Currency::USD);
    for (product, basis, low, high) in [
        (
            "Revenue Cloud Platform",
            SspBasis::PerUnitYear,
            40_000,
            400_000,
        ),
        ("Analytics Suite", SspBasis::PerUnitYear, 20_000, 250_000),
        ("Premium Support", SspBasis::PerUnitYear, 10_000, 120_000),
        ("Implementation services", SspBasis::PerUnit, 15_000, 25_000),
    ] {
        app.revenue
            .set_ssp(
                admin,
                crate::revenue::SspInput {
                    product_name: product.into(),
                    basis,
                    method: crate::revenue::rules::SspMethod::Observable,
                    currency: None,
                    low: Some(usd(low)),
                    high: Some(usd(high)),
                    cost: None,
                    margin_percent: None,
                    effective_from: from,
                },
            )
            .await?;
    }
    Ok(())
}

/// A multi-element contract: implementation added below its SSP range to a USD subscription
/// before anything is billed, so the price is allocated across both by relative SSP.
async fn seed_bundle(app: &App, admin: &Actor, today: NaiveDate) -> AppResult<()> {
    use crate::entities::{contract, contract_line};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let candidates = contract::Entity::find()
        .filter(contract::Column::Currency.eq("USD"))
        .filter(contract::Column::StartDate.lte(today))
        .order_by_asc(contract::Column::Id)
        .all(&app.db)
        .await?;
    for candidate in candidates {
        let lines = contract_line::Entity::find()
            .filter(contract_line::Column::ContractId.eq(candidate.id))
            .all(&app.db)
            .await?;
        if lines.len() != 1 || lines[0].kind != "subscription" {
            continue;
        }
        let end = (candidate.start_date + chrono::Duration::days(60)).min(candidate.end_date);
        app.billing
            .add_line(
                admin,
                crate::billing::LineAddInput {
                    contract_id: candidate.id.to_string(),
                    line: crate::billing::NewLine {
                        kind: ContractLineKind::Milestone,
                        product_name: "Implementation services".into(),
                        quantity: "1".into(),
                        unit_price: Money::from_minor(1_200_000, Currency::USD),
                        billing_frequency: None,
                        alignment: crate::billing::periods::Alignment::Anniversary,
                        start_date: candidate.start_date,
                        end_date: end,
                        usage_pricing: None,
                    },
                    modified_on: None,
                    reason: None,
                },
            )
            .await?;
        return Ok(());
    }
    Ok(())
}

/// Recognition run for each of the last four months, the two oldest closed by the CFO, and a
/// seat increase on a running subscription (a prospective modification with before/after).
async fn seed_recognition(app: &App, admin: &Actor, today: NaiveDate) -> AppResult<()> {
    let mut months = Vec::new();
    let mut month_start = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    for _ in 0..4 {
        month_start = month_start
            .checked_sub_months(Months::new(1))
            .unwrap_or(month_start);
        months.push(crate::ledger::period_of(month_start));
    }
    months.reverse();
    for period in &months {
        app.revenue.run_as(None, period, today).await?;
    }
    let cfo = app
        .auth
        .find_by_email(&format!("cfo@{DEMO_DOMAIN}"))
        .await?
        .map(|user| Actor {
            user_id: user.id,
            email: user.email,
            role: Role::Cfo,
        });
    {
        use crate::entities::contract_line;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        let running = contract_line::Entity::find()
            .filter(contract_line::Column::Kind.eq("subscription"))
            .filter(contract_line::Column::StartDate.lte(today - chrono::Duration::days(60)))
            .filter(contract_line::Column::EndDate.gte(today + chrono::Duration::days(60)))
            .order_by_asc(contract_line::Column::Id)
            .one(&app.db)
            .await?;
        if let Some(line) = running {
            let seats = line.quantity.parse::<i64>().unwrap_or(1) + 4;
            app.billing
                .change_line(
                    admin,
                    line.id,
                    crate::billing::schedule::ChangeKind::Quantity,
                    Some(&seats.to_string()),
                    today,
                    true,
                    "Four more seats agreed at the quarterly business review",
                    "seed-seat-change",
                )
                .await?;
        }
    }
    if let Some(cfo) = &cfo {
        for period in months.iter().take(2) {
            let check = app.revenue.close_check(cfo, period).await?;
            if check.can_close() {
                app.revenue.close(cfo, period).await?;
            }
        }
    }
    Ok(())
}

/// Receivables worth looking at: invoices billed over the last three months, some paid in full or
/// in part, a dispute and a credit memo waiting for approval, and the ladder run for today.
async fn seed_receivables(app: &App, users: &Users, today: NaiveDate) -> AppResult<()> {
    assign_account_manager(app, users).await?;
    for days_ago in [95, 65, 35, 5] {
        let as_of = today - chrono::Duration::days(days_ago);
        app.billing
            .run_as(None, as_of, false, "seed".into(), &|_, _| {})
            .await?;
    }
    let issued = issued_invoices(app, &users.admin).await?;
    let mut disputed = false;
    let mut credited = false;
    for (index, invoice) in issued.iter().enumerate() {
        let open = invoice.open_amount();
        let paid_on =
            (invoice.invoice_date + chrono::Duration::days(12 + (index as i64 % 20))).min(today);
        let amount = demo_payment_amount(open, index, invoice.invoice_date, today);
        if let Some(amount) = amount.filter(|amount| amount.minor() > 0) {
            record_demo_payment(app, &users.ar_specialist, invoice, index, amount, paid_on).await?;
            continue;
        }
        if !disputed && index % 6 == 2 {
            disputed = true;
            log_demo_dispute(app, &users.ar_specialist, invoice, open).await?;
        } else if !credited && index % 6 == 4 {
            credited = true;
            request_demo_credit_memo(app, &users.ar_specialist, invoice, open).await?;
        }
    }
    app.receivables
        .run_ladder(None, today, &app.config.legal_entity)
        .await?;
    Ok(())
}

/// Makes the demo account manager the account manager of every customer.
async fn assign_account_manager(app: &App, users: &Users) -> AppResult<()> {
    let page = crate::pagination::PageRequest {
        offset: 0,
        limit: 200,
    };
    for customer in app
        .customers
        .list(&users.admin, None, Default::default(), page)
        .await?
        .items
    {
        app.customers
            .set_account_manager(
                &users.admin,
                customer.id,
                Some(users.account_manager.user_id),
            )
            .await?;
    }
    Ok(())
}

/// The first 200 issued invoices, as the invoice list returns them.
async fn issued_invoices(app: &App, admin: &Actor) -> AppResult<Vec<crate::invoicing::Invoice>> {
    let filter = crate::invoicing::InvoiceFilter {
        status: Some(crate::invoicing::InvoiceStatus::Issued),
        ..Default::default()
    };
    Ok(app
        .invoices
        .list(
            admin,
            filter,
            crate::pagination::PageRequest {
                offset: 0,
                limit: 200,
            },
        )
        .await?
        .items)
}

/// What is paid on the invoice at `index`: most old invoices in full, as in a healthy book, some
/// in half, and a few stay open to be collected.
fn demo_payment_amount(
    open: Money,
    index: usize,
    invoice_date: NaiveDate,
    today: NaiveDate,
) -> Option<Money> {
    let half = || {
        Money::from_decimal(
            open.to_decimal() / rust_decimal::Decimal::from(2),
            open.currency(),
            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
        )
        .ok()
    };
    let old = (today - invoice_date).num_days() >= 60;
    match (old, index % 7) {
        (true, 0) => None,
        (true, 1) | (false, 1) => half(),
        (true, _) | (false, 0) | (false, 3) => Some(open),
        _ => None,
    }
}

/// Records a wire payment of `amount` allocated to the invoice.
async fn record_demo_payment(
    app: &App,
    ar_specialist: &Actor,
    invoice: &crate::invoicing::Invoice,
    index: usize,
    amount: Money,
    paid_on: NaiveDate,
) -> AppResult<()> {
    app.receivables
        .record_payment(
            ar_specialist,
            crate::receivables::payments::PaymentRecordInput {
                customer_id: ID(invoice.customer_id.to_string()),
                method: crate::receivables::payments::PaymentMethod::Wire,
                amount: money_input(amount),
                received_on: IsoDate(paid_on),
                reference: format!("WIRE {}", 70_000 + index),
                idempotency_key: format!("seed-payment-{}", invoice.id),
                allocations: Some(vec![crate::receivables::payments::AllocationInput {
                    invoice_id: ID(invoice.id.to_string()),
                    amount: amount.amount_string(),
                }]),
                keep_as_credit: None,
            },
        )
        .await?;
    Ok(())
}

/// Logs a pricing dispute for the invoice's whole open amount.
async fn log_demo_dispute(
    app: &App,
    ar_specialist: &Actor,
    invoice: &crate::invoicing::Invoice,
    open: Money,
) -> AppResult<()> {
    app.receivables
        .log_dispute(
            ar_specialist,
            crate::receivables::disputes::DisputeLogInput {
                invoice_id: ID(invoice.id.to_string()),
                reason: crate::receivables::disputes::DisputeReason::Pricing,
                disputed_amount: open.amount_string(),
                line_ids: None,
                customer_statement:
                    "The renewal discount we agreed on the call is missing from this invoice."
                        .into(),
            },
        )
        .await?;
    Ok(())
}

/// Requests a 10% SLA credit memo on the invoice, left waiting for approval.
async fn request_demo_credit_memo(
    app: &App,
    ar_specialist: &Actor,
    invoice: &crate::invoicing::Invoice,
    open: Money,
) -> AppResult<()> {
    let ten_percent = Money::from_decimal(
        open.to_decimal() / rust_decimal::Decimal::from(10),
        open.currency(),
        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
    )?;
    app.receivables
        .request_credit_memo(
            ar_specialist,
            crate::receivables::credit_memos::CreditMemoRequestInput {
                invoice_id: ID(invoice.id.to_string()),
                reason: "Service outage on 3 days of the period (SLA credit).".into(),
                amount: Some(ten_percent.amount_string()),
                lines: None,
                dispute_id: None,
            },
        )
        .await?;
    Ok(())
}

/// The company entity, tax rates for every demo country and FX rates into USD, so the bill run
/// can issue every demo invoice.
pub async fn seed_billing_reference(app: &App, admin: &Actor, today: NaiveDate) -> AppResult<()> {
    app.invoices
        .set_legal_entity(
            admin,
            crate::invoicing::LegalEntity {
                name: app.config.legal_entity.clone(),
                address: crate::customers::Address {
                    line1: "500 Market Street, Suite 1200".into(),
                    line2: None,
                    city: "San Francisco".into(),
                    region: Some("CA".into()),
                    postal_code: "94105".into(),
                    country: "US".into(),
                },
                tax_id: Some("EIN 88-1234567".into()),
                remit_to: vec![
                    app.config.legal_entity.clone(),
                    "Lockbox 7734, PO Box 7734".into(),
                    "San Francisco CA 94120, US".into(),
                ],
                payment_instructions: "ACH / wire: First Republic Bank, routing 321081669, account 000123456789.\nSWIFT FRBBUS6S for international wires.".into(),
            },
        )
        .await?;
    let from = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or(today);
    let rates = [
        ("US", "0", "US sales tax (SaaS exempt)"),
        ("US-TX", "6.25", "Texas sales tax"),
        ("GB", "20", "UK VAT"),
        ("DE", "19", "DE USt"),
        ("FR", "20", "FR TVA"),
        ("NL", "21", "NL BTW"),
        ("AU", "10", "AU GST"),
        ("CA", "5", "CA GST"),
    ];
    for (jurisdiction, rate, label) in rates {
        app.invoices
            .set_tax_rate(admin, jurisdiction, rate, label, from)
            .await?;
    }
    for (currency, rate) in [
        ("EUR", "1.0850"),
        ("GBP", "1.2700"),
        ("AUD", "0.6550"),
        ("CAD", "0.7350"),
    ] {
        app.invoices
            .set_fx_rate(admin, currency, from, rate)
            .await?;
    }
    Ok(())
}

/// The scale data's user `email`, created with `role` on first use.
async fn scale_user(app: &App, email: String, name: String, role: Role) -> AppResult<Actor> {
    let user = match app.auth.find_by_email(&email).await? {
        Some(user) => user,
        None => {
            app.auth
                .create_user(
                    None,
                    NewUser {
                        email,
                        name,
                        role,
                        password: DEMO_PASSWORD.into(),
                    },
                )
                .await?
        }
    };
    Ok(Actor {
        user_id: user.id,
        email: user.email,
        role,
    })
}

/// Generates `count` customers' worth of data for benchmarks, beside whatever exists.
pub async fn seed_scale(app: &App, count: usize) -> AppResult<(usize, usize)> {
    let admin = scale_user(
        app,
        format!("scale-admin@{DEMO_DOMAIN}"),
        "Scale Admin".into(),
        Role::Admin,
    )
    .await?;
    // Deals over a customer's limit are approved by a VP Finance, as anywhere else.
    let vp_finance = scale_user(
        app,
        format!("scale-vp-finance@{DEMO_DOMAIN}"),
        "Scale VP Finance".into(),
        Role::VpFinance,
    )
    .await?;
    let mut aes = Vec::new();
    for number in 1..=5 {
        aes.push(
            scale_user(
                app,
                format!("scale-ae{number}@{DEMO_DOMAIN}"),
                format!("Scale AE {number}"),
                Role::Ae,
            )
            .await?,
        );
    }
    let users = Users {
        admin: admin.clone(),
        vp_revops: admin.clone(),
        cro: admin.clone(),
        vp_finance,
        ar_specialist: admin.clone(),
        account_manager: admin,
        aes,
    };
    let seed = 10_000 + app.clock.now().timestamp() as u64 % 1_000_000;
    seed_coupon(app, &users.admin, app.clock.today()).await?;
    let generated = generate_customers(app, &users, count, seed, app.clock.today()).await?;
    Ok((generated.created_customers, generated.created_deals))
}
