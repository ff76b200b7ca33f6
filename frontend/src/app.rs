//! The application shell: routes, the signed-in session, the top bar and the navigation.

use leptos::prelude::*;
use leptos_router::{
    components::{Outlet, ParentRoute, Redirect, Route, Router, Routes, A},
    hooks::use_location,
    path,
};

use crate::{
    api,
    components::{alerts::AlertBell, field::focus_first, states::Forbidden},
    format,
    routes::{
        aging, amendments, approvals, audit, bank_matching, bill_run, collections,
        commission_disputes, commission_payouts, commission_periods, commission_plans,
        commission_team, commissions, coupons, customer_detail, customer_form, customers,
        dashboard, deal_form, deals, dispute_detail, disputes, expansions, imports,
        integration_detail, integrations, invoice_detail, invoices, ladder, ledger, ledger_exports,
        login, payment_detail, payment_new, payments, rates, renewals, revenue, revenue_close,
        revenue_contracts, revenue_schedule, revenue_settings, service_accounts, timesheets, users,
        webhooks,
    },
    session::{self, use_session, Session, SessionContext},
};

/// Bumped after any change that alters the number of pending approvals, so the navigation
/// badge reloads without polling.
#[derive(Clone, Copy)]
pub struct ApprovalsChanged(pub RwSignal<u32>);

/// A handle that tells the navigation badge to reload. Take it while rendering: context is not
/// reachable from inside an async task after an `.await`.
pub fn use_approvals_changed() -> impl Fn() + Copy + 'static {
    let counter = use_context::<ApprovalsChanged>().map(|ApprovalsChanged(counter)| counter);
    move || {
        if let Some(counter) = counter {
            counter.update(|count| *count += 1);
        }
    }
}

#[component]
pub fn App() -> impl IntoView {
    let signed_in = RwSignal::new(session::load());
    provide_context(SessionContext(signed_in));
    session::share_across_tabs(signed_in);
    provide_context(ApprovalsChanged(RwSignal::new(0)));
    view! {
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/login") view=login::LoginPage />
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=Landing />
                    <Route path=path!("dashboard") view=dashboard::DashboardPage />
                    <Route path=path!("renewals") view=renewals::RenewalsPage />
                    <Route path=path!("expansions") view=expansions::ExpansionsPage />
                    <Route path=path!("customers") view=customers::CustomersPage />
                    <Route path=path!("customers/new") view=customer_form::NewCustomerPage />
                    <Route path=path!("customers/:id/edit") view=customer_form::EditCustomerPage />
                    <Route path=path!("customers/:id") view=customer_detail::CustomerDetailPage />
                    <Route path=path!("deals") view=deals::DealsPage />
                    <Route path=path!("deals/new") view=deal_form::NewDealPage />
                    <Route path=path!("deals/:id") view=deal_form::DealPage />
                    <Route path=path!("invoices") view=invoices::InvoicesPage />
                    <Route path=path!("invoices/:id") view=invoice_detail::InvoiceDetailPage />
                    <Route path=path!("receivables/aging") view=aging::AgingPage />
                    <Route path=path!("receivables/payments") view=payments::PaymentsPage />
                    <Route path=path!("receivables/payments/new") view=payment_new::NewPaymentPage />
                    <Route path=path!("receivables/payments/:id") view=payment_detail::PaymentDetailPage />
                    <Route path=path!("receivables/bank") view=bank_matching::BankMatchingPage />
                    <Route path=path!("collections") view=collections::CollectionsPage />
                    <Route path=path!("collections/ladder") view=ladder::LadderPage />
                    <Route path=path!("disputes") view=disputes::DisputesPage />
                    <Route path=path!("disputes/:id") view=dispute_detail::DisputeDetailPage />
                    <Route path=path!("billing/run") view=bill_run::BillRunPage />
                    <Route path=path!("billing/timesheets") view=timesheets::TimesheetsPage />
                    <Route path=path!("approvals") view=approvals::ApprovalsPage />
                    <Route path=path!("ledger") view=ledger::LedgerPage />
                    <Route path=path!("ledger/exports") view=ledger_exports::LedgerExportsPage />
                    <Route path=path!("revenue") view=revenue::RevenuePage />
                    <Route path=path!("revenue/contracts") view=revenue_contracts::RevenueContractsPage />
                    <Route path=path!("revenue/contracts/:id") view=revenue_schedule::RevenueSchedulePage />
                    <Route path=path!("revenue/close") view=revenue_close::PeriodClosePage />
                    <Route path=path!("revenue/settings") view=revenue_settings::RevenueSettingsPage />
                    <Route path=path!("commissions") view=commissions::MyCommissionsPage />
                    <Route path=path!("commissions/team") view=commission_team::CommissionTeamPage />
                    <Route path=path!("commissions/statements/:userId") view=commissions::RepStatementPage />
                    <Route path=path!("commissions/plans") view=commission_plans::CommissionPlansPage />
                    <Route path=path!("commissions/periods") view=commission_periods::CommissionPeriodsPage />
                    <Route path=path!("commissions/disputes") view=commission_disputes::CommissionDisputesPage />
                    <Route path=path!("commissions/payouts") view=commission_payouts::CommissionPayoutsPage />
                    <Route path=path!("imports") view=imports::ImportsPage />
                    <Route path=path!("imports/:id") view=imports::ImportDetailPage />
                    <Route path=path!("integrations") view=integrations::IntegrationsPage />
                    <Route path=path!("integrations/inbox") view=integrations::IntakeInboxPage />
                    <Route path=path!("integrations/amendments") view=amendments::AmendmentsPage />
                    <Route path=path!("integrations/:id") view=integration_detail::IntegrationDetailPage />
                    <Route path=path!("audit") view=audit::AuditPage />
                    <Route path=path!("users") view=users::UsersPage />
                    <Route path=path!("service-accounts") view=service_accounts::ServiceAccountsPage />
                    <Route path=path!("webhooks") view=webhooks::WebhooksPage />
                    <Route path=path!("settings/rates") view=rates::RatesPage />
                    <Route path=path!("settings/coupons") view=coupons::CouponsPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// `/` sends a signed-in user to the page their role works from.
#[component]
fn Landing() -> impl IntoView {
    let session = use_session();
    let path = session.with_untracked(|s| s.as_ref().map_or("/login", |s| s.landing_path()));
    view! { <Redirect path=path /> }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <main class="page narrow">
            <h1>"Page not found"</h1>
            <p class="muted">"There is no page at this address."</p>
            <a class="button" href="/">"Go to your start page"</a>
        </main>
    }
}

/// Shows the page only to users who hold `permission`; others see why not. The server checks
/// again on every request, so this is comfort, not protection.
#[component]
pub fn RequirePermission(permission: &'static str, children: ChildrenFn) -> impl IntoView {
    let allowed = session::can(permission);
    move || {
        if allowed.get() {
            children().into_any()
        } else {
            view! { <Forbidden /> }.into_any()
        }
    }
}

/// Whether the navigation menu is open on a narrow screen (wide screens always show it).
#[derive(Clone, Copy)]
struct NavOpen(RwSignal<bool>);

/// The frame around every signed-in page. Without a session it sends the user to sign in.
#[component]
fn Shell() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    // Refresh the user once per page load so permission changes show without signing out.
    let me = LocalResource::new(move || async move {
        if session::token().is_some() {
            api::me().await.ok()
        } else {
            None
        }
    });
    Effect::new(move |_| {
        if let Some(Some(user)) = me.get() {
            // Only a real change is written: every write would redraw what depends on the session.
            let refreshed = session.with_untracked(|current| {
                current
                    .as_ref()
                    .filter(|current| current.user != user)
                    .map(|current| Session {
                        token: current.token.clone(),
                        user: user.clone(),
                    })
            });
            if let Some(refreshed) = refreshed {
                session::save(&refreshed);
                session.set(Some(refreshed));
            }
        }
    });
    // On narrow screens the navigation is a menu the top bar opens; it closes on every page
    // change, so a tapped link shows its page rather than the menu.
    let nav_open = NavOpen(RwSignal::new(false));
    provide_context(nav_open);
    let nav_open = nav_open.0;
    Effect::new(move |_| {
        location.pathname.track();
        nav_open.set(false);
    });
    // The frame is drawn once per sign-in, not on every session refresh, so the page inside
    // (and anything typed into it) survives a refresh of the user's details.
    let signed_in = Memo::new(move |_| session.with(Option::is_some));
    move || {
        if !signed_in.get() {
            // The whole link, query included (an as-of date, a period, a drill-down), to come
            // back to after signing in (or once another tab has shared its session).
            let search = location.search.get_untracked();
            let next = if search.is_empty() {
                location.pathname.get_untracked()
            } else {
                format!("{}?{search}", location.pathname.get_untracked())
            };
            let path = if next.len() > 1 {
                format!(
                    "/login?next={}",
                    String::from(js_sys::encode_uri_component(&next))
                )
            } else {
                "/login".to_string()
            };
            return view! { <Redirect path=path /> }.into_any();
        }
        view! {
            <div class="app">
                // The first stop of the keyboard: past the top bar and the navigation, straight
                // to the page (its own focus, not a route change, so the router leaves it alone).
                <a class="skip-link" href="#main" data-test="skip-link" on:click=move |event| {
                    event.prevent_default();
                    focus_first(vec!["#main".to_string()]);
                }>"Skip to content"</a>
                <TopBar />
                <div class="body">
                    <SideNav />
                    // On a phone the open menu covers the page; a tap beside it closes it.
                    <div class="nav-backdrop" aria-hidden="true" on:click=move |_| nav_open.set(false)></div>
                    <main class="content" id="main" tabindex="-1">
                        <Outlet />
                    </main>
                </div>
            </div>
        }
        .into_any()
    }
}

#[component]
fn TopBar() -> impl IntoView {
    let session = use_session();
    // Sign-out revokes the token on the server first (so a copy of it stops working too), then
    // a full page load drops every cached view of this user's data, whatever the server said.
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            if let Err(error) = api::logout().await {
                leptos::logging::warn!("sign-out on the server failed: {}", error.summary());
            }
            if let Some(token) = session::token() {
                session::announce_sign_out(token);
            }
            session::clear();
            match web_sys::window() {
                Some(window) => {
                    let _ = window.location().set_href("/login");
                }
                None => session.set(None),
            }
        });
    };
    let user = move || session.with(|s| s.as_ref().map(|s| s.user.clone()));
    let nav_open = use_context::<NavOpen>().map(|open| open.0);
    let toggle_nav = move |_| {
        if let Some(open) = nav_open {
            open.update(|open| *open = !*open);
        }
    };
    let expanded = move || nav_open.is_some_and(|open| open.get()).to_string();
    view! {
        <header class="topbar">
            <button class="button button-quiet menu-toggle" type="button" data-action="menu" aria-controls="sidenav" aria-expanded=expanded on:click=toggle_nav>
                <span aria-hidden="true">"☰"</span>
                <span class="visually-hidden">"Menu"</span>
            </button>
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"R"</span>
                "revops"
            </a>
            <div class="topbar-user">
                <AlertBell />
                {move || {
                    user()
                        .map(|user| {
                            view! {
                                <span class="user-name" data-test="user-name">{user.name}</span>
                                <span class="user-role">{format::enum_label(&user.role)}</span>
                            }
                        })
                }}
                <button class="button button-quiet" type="button" on:click=sign_out data-test="sign-out">
                    "Sign out"
                </button>
            </div>
        </header>
    }
}

#[component]
fn SideNav() -> impl IntoView {
    let nav_open = use_context::<NavOpen>().map(|open| open.0);
    let can_customers = session::can("CUSTOMER_READ");
    let can_deals = session::can("DEAL_READ");
    let can_invoices = session::can("INVOICE_READ");
    let can_receivables = session::can("RECEIVABLES_READ");
    let can_collections = session::can("COLLECTIONS_WORK");
    // Bank lines are worked by those who record payments; others can still open the page.
    let can_bank = session::can("PAYMENT_RECORD");
    let can_bill_run = session::can("BILL_RUN");
    let can_timesheets = session::can("BILLING_READ");
    let can_approvals = session::can("APPROVAL_READ");
    let can_ledger = session::can("LEDGER_READ");
    let can_audit = session::can("AUDIT_READ");
    // Revenue totals (waterfall, rollforward, streams) reach further than per-contract data.
    let can_revenue_totals = session::can("REVENUE_TOTALS_READ");
    let can_revenue = session::can("REVENUE_READ");
    // Everyone paid on commission (and their managers) reads statements; the roles that see all
    // also read plans, the calculation and payouts.
    let can_commissions = session::can("COMMISSION_READ");
    let can_all_commissions = session::can("COMMISSION_ALL_READ");
    // Revenue-ops metrics (dashboard, expansions) and the renewal pipeline.
    let can_metrics = session::can("METRICS_READ");
    let can_renewals = session::can("RENEWAL_READ");
    // Administrators manage the API keys other systems call with.
    let can_user_admin = session::can("USER_ADMIN");
    // Outgoing webhooks to other systems (administration).
    let can_webhooks = session::can("WEBHOOK_MANAGE");
    // Bringing the old system's book in at cut-over (administration).
    let can_imports = session::can("IMPORT_READ");
    // CRM connectors and their inbox are read more widely than they are worked: amendments are
    // listed for those who decide them.
    let can_intake = session::can("INTAKE_READ");
    let can_review_intake = session::can("INTAKE_REVIEW");
    view! {
        <nav class="sidenav" id="sidenav" aria-label="Main" class:open=move || nav_open.is_some_and(|open| open.get())>
            <Show when=move || can_metrics.get()>
                <NavLink href="/dashboard" key="dashboard" label="Dashboard" />
            </Show>
            <Show when=move || can_renewals.get()>
                <NavLink href="/renewals" key="renewals" label="Renewals" />
            </Show>
            <Show when=move || can_metrics.get()>
                <NavLink href="/expansions" key="expansions" label="Expansions" />
            </Show>
            <Show when=move || can_customers.get()>
                <NavLink href="/customers" key="customers" label="Customers" />
            </Show>
            <Show when=move || can_deals.get()>
                <NavLink href="/deals" key="deals" label="Deals" />
            </Show>
            <Show when=move || can_invoices.get()>
                <NavLink href="/invoices" key="invoices" label="Invoices" />
            </Show>
            <Show when=move || can_receivables.get()>
                <NavLink href="/receivables/aging" key="aging" label="AR aging" />
                <NavLink href="/receivables/payments" key="payments" label="Payments" />
            </Show>
            <Show when=move || can_bank.get()>
                <NavLink href="/receivables/bank" key="bank" label="Bank matching" />
            </Show>
            <Show when=move || can_collections.get()>
                <NavLink href="/collections" key="collections" label="Collections" />
            </Show>
            <Show when=move || can_receivables.get()>
                <NavLink href="/disputes" key="disputes" label="Disputes" />
            </Show>
            <Show when=move || can_bill_run.get()>
                <NavLink href="/billing/run" key="bill-run" label="Bill run" />
            </Show>
            <Show when=move || can_timesheets.get()>
                <NavLink href="/billing/timesheets" key="timesheets" label="Timesheets" />
            </Show>
            <Show when=move || can_approvals.get()>
                <ApprovalsNavLink />
            </Show>
            <Show when=move || can_ledger.get()>
                <NavLink href="/ledger" key="ledger" label="Trial balance" exact=true />
            </Show>
            <Show when=move || can_ledger.get()>
                <NavLink href="/ledger/exports" key="ledger-exports" label="ERP exports" />
            </Show>
            <Show when=move || can_revenue_totals.get()>
                <NavLink href="/revenue" key="revenue" label="Revenue" exact=true />
            </Show>
            <Show when=move || can_revenue.get()>
                <NavLink href="/revenue/contracts" key="revenue-contracts" label="Revenue contracts" />
            </Show>
            <Show when=move || can_revenue_totals.get()>
                <NavLink href="/revenue/close" key="period-close" label="Period close" />
            </Show>
            <Show when=move || can_commissions.get()>
                <NavLink href="/commissions" key="commissions" label="My commissions" exact=true />
                <NavLink href="/commissions/team" key="commission-statements" label="Team statements" />
                <NavLink href="/commissions/disputes" key="commission-disputes" label="Commission disputes" />
            </Show>
            <Show when=move || can_all_commissions.get()>
                <NavLink href="/commissions/plans" key="commission-plans" label="Commission plans" />
                <NavLink href="/commissions/periods" key="commission-periods" label="Commission runs" />
                <NavLink href="/commissions/payouts" key="commission-payouts" label="Commission payouts" />
            </Show>
            <Show when=move || can_imports.get()>
                <NavLink href="/imports" key="imports" label="Imports" />
            </Show>
            <Show when=move || can_intake.get()>
                <NavLink href="/integrations" key="integrations" label="Integrations" />
            </Show>
            <Show when=move || can_review_intake.get()>
                <NavLink href="/integrations/amendments" key="amendments" label="Deal amendments" />
            </Show>
            <Show when=move || can_audit.get()>
                <NavLink href="/audit" key="audit" label="Audit log" />
            </Show>
            <Show when=move || can_user_admin.get()>
                <NavLink href="/users" key="users" label="Users" />
                <NavLink href="/service-accounts" key="service-accounts" label="Service accounts" />
            </Show>
            <Show when=move || can_webhooks.get()>
                <NavLink href="/webhooks" key="webhooks" label="Webhooks" />
            </Show>
            <Show when=move || can_invoices.get()>
                <NavLink href="/settings/rates" key="rates" label="Billing settings" />
            </Show>
            <Show when=move || can_deals.get()>
                <NavLink href="/settings/coupons" key="coupons" label="Coupons" />
            </Show>
        </nav>
    }
}

#[component]
fn NavLink(
    href: &'static str,
    key: &'static str,
    label: &'static str,
    /// Marked current only on this exact address, not on the pages under it.
    #[prop(default = false)]
    exact: bool,
) -> impl IntoView {
    view! {
        <A href=href exact=exact attr:data-nav=key attr:class="nav-link">
            {label}
        </A>
    }
}

/// The approvals link with the number of requests waiting for a decision.
#[component]
fn ApprovalsNavLink() -> impl IntoView {
    let changed = use_context::<ApprovalsChanged>().map(|ApprovalsChanged(counter)| counter);
    let count = LocalResource::new(move || {
        if let Some(counter) = changed {
            counter.track();
        }
        api::pending_approval_count()
    });
    view! {
        <A href="/approvals" attr:data-nav="approvals" attr:class="nav-link">
            "Approvals"
            {move || {
                count
                    .get()
                    .and_then(Result::ok)
                    .filter(|count| *count > 0)
                    .map(|count| {
                        view! {
                            <span class="nav-badge" data-test="pending-count" aria-label=format!("{count} pending")>
                                {count}
                            </span>
                        }
                    })
            }}
        </A>
    }
}
