//! One module per page, plus the small URL helpers the list pages share.

pub mod aging;
pub mod amendments;
pub mod approvals;
pub mod audit;
pub mod bank_matching;
pub mod bill_run;
pub mod collections;
pub mod commission_disputes;
pub mod commission_payouts;
pub mod commission_periods;
pub mod commission_plans;
pub mod commission_team;
pub mod commissions;
pub mod contract_activity;
pub mod contract_documents;
pub mod contract_schedule;
pub mod coupons;
pub mod customer_detail;
pub mod customer_form;
pub mod customer_receivables;
pub mod customers;
pub mod dashboard;
pub mod deal_form;
pub mod deal_splits;
pub mod deal_view;
pub mod deals;
pub mod dispute_detail;
pub mod disputes;
pub mod expansions;
pub mod imports;
pub mod integration_detail;
pub mod integrations;
pub mod invoice_detail;
pub mod invoices;
pub mod ladder;
pub mod ledger;
pub mod ledger_exports;
pub mod list;
pub mod login;
pub mod payment_detail;
pub mod payment_new;
pub mod payments;
pub mod rates;
pub mod renewals;
pub mod revenue;
pub mod revenue_close;
pub mod revenue_contracts;
pub mod revenue_events;
pub mod revenue_modify;
pub mod revenue_rpo;
pub mod revenue_schedule;
pub mod revenue_settings;
pub mod service_accounts;
pub mod timesheets;
pub mod users;
pub mod webhooks;

use std::time::Duration;

use leptos::prelude::*;

/// Builds `path?key=value&…` from the pairs that have a non-empty value, so filters live in the
/// URL and survive a reload or a shared link.
pub fn href_with_query(path: &str, pairs: &[(&str, Option<String>)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter_map(|(key, value)| {
            value
                .as_deref()
                .filter(|value| !value.is_empty())
                .map(|value| {
                    format!(
                        "{key}={}",
                        String::from(js_sys::encode_uri_component(value))
                    )
                })
        })
        .collect();
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// A key that makes a retried request safe: the server acts once per key (a deal approved, a
/// payment recorded), and a repeat with the same key returns the first result.
pub fn new_idempotency_key() -> String {
    web_sys::window()
        .and_then(|window| window.crypto().ok())
        .map(|crypto| crypto.random_uuid())
        .unwrap_or_else(|| {
            format!(
                "{}-{:016x}",
                js_sys::Date::now() as u64,
                (js_sys::Math::random() * u64::MAX as f64) as u64
            )
        })
}

/// Runs only the last of a burst of calls, after the burst has been quiet for the delay
/// (the search box and the live checklist use it so typing does not send a request per key).
#[derive(Clone, Copy)]
pub struct Debounce {
    generation: StoredValue<u64>,
}

impl Debounce {
    pub fn new() -> Self {
        Self {
            generation: StoredValue::new(0),
        }
    }

    pub fn run(&self, delay: Duration, action: impl FnOnce() + 'static) {
        let generation = self.generation;
        let mine = generation.get_value().wrapping_add(1);
        generation.set_value(mine);
        set_timeout(
            move || {
                // The page may have been left meanwhile; then the stored value is gone.
                if generation.try_get_value() == Some(mine) {
                    action();
                }
            },
            delay,
        );
    }
}

/// Previous-page support for cursor pagination: the cursors of the pages seen before this one.
#[derive(Clone, Copy)]
pub struct CursorTrail(pub RwSignal<Vec<Option<String>>>);

impl CursorTrail {
    pub fn new() -> Self {
        Self(RwSignal::new(Vec::new()))
    }
}

/// Rows before the current page: known when every earlier page was visited in this view, or on
/// the first page.
pub fn page_offset(trail: CursorTrail, after: Option<String>, page_size: usize) -> Option<usize> {
    let pages_before = trail.0.with_untracked(Vec::len);
    if pages_before == 0 && after.is_some() {
        None
    } else {
        Some(pages_before * page_size)
    }
}
