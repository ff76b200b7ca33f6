//! The renewals part of the API: the pipeline of contracts coming up for renewal with their
//! Green / Yellow / Red status and its signals, one renewal with its history, setting a status,
//! logging a contact, renewing into the next term, and the signed-in person's in-app alerts.

use serde::Deserialize;

use super::{enum_value, ops};
use super::{field, ApiError, Money};

/// A renewal's status (`RenewalStatus`), calm to alarming.
pub const RENEWAL_STATUSES: [&str; 3] = ["GREEN", "YELLOW", "RED"];

/// How a renewal contact happened (`ContactKind`).
pub const CONTACT_KINDS: [&str; 3] = ["CALL", "EMAIL", "MEETING"];

/// The windows the pipeline offers, in days, with their labels: up to twelve months, as far as
/// the API reads (`renewalPipeline(days:)` takes 0 to 365).
pub const RENEWAL_WINDOWS: [(u32, &str); 5] = [
    (30, "30 days"),
    (60, "60 days"),
    (90, "90 days"),
    (180, "6 months"),
    (365, "12 months"),
];

/// The longest window the API reads, in days.
pub const RENEWAL_WINDOW_MAX_DAYS: u32 = 365;

/// The window a link asks for (`?days=`): any whole number of days from 1 to 365, so a link with
/// another window (e.g. 120 days from a report) shows exactly that; anything else is the default,
/// 90 days.
pub fn renewal_window(days: Option<&str>) -> u32 {
    days.and_then(|days| days.trim().parse::<u32>().ok())
        .filter(|days| (1..=RENEWAL_WINDOW_MAX_DAYS).contains(days))
        .unwrap_or(90)
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenewalSignal {
    pub status: String,
    pub reason: String,
}

/// A contract up for renewal.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Renewal {
    pub contract_id: String,
    pub contract_number: String,
    pub customer_id: String,
    pub customer_name: String,
    /// ARR on the contract's last day, in the contract currency.
    pub arr: Money,
    /// The same in the functional currency; none without an FX rate.
    pub arr_functional: Option<Money>,
    pub end_date: String,
    pub renewal_date: String,
    pub days_to_renewal: i64,
    /// The owner's status if set, otherwise the suggestion.
    pub status: String,
    pub suggested_status: String,
    #[serde(default)]
    pub signals: Vec<RenewalSignal>,
    pub reason: Option<String>,
    pub status_set_by: Option<String>,
    pub status_set_at: Option<String>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub last_contact_on: Option<String>,
    /// The uplift the next term takes unless renewing says otherwise ("5").
    pub uplift_percent: String,
    pub on_credit_hold: bool,
    /// Alert marks already sent (90, 60, 30).
    #[serde(default)]
    pub alerts_sent: Vec<i64>,
}

impl Renewal {
    /// The server's today, as the pipeline counted the days from it.
    pub fn server_today(&self) -> Option<String> {
        crate::format::add_days(&self.renewal_date, -self.days_to_renewal)
    }
}

/// A status set or a contact logged.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenewalEvent {
    pub at: String,
    /// "status" or "contact".
    pub kind: String,
    pub status: Option<String>,
    pub contact_kind: Option<String>,
    pub contacted_on: Option<String>,
    pub text: String,
    pub by: String,
}

/// The contract a renewal created.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenewedContract {
    pub id: String,
    pub contract_number: String,
    pub renewed_from_id: Option<String>,
    pub start_date: String,
    pub end_date: String,
    pub arr: Money,
    pub tcv: Money,
    pub uplift_percent: String,
}

/// The next term renewing would create now, as the server computes it (the same rule renews).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenewalPreview {
    pub contract_id: String,
    pub start_date: String,
    pub end_date: String,
    pub arr: Money,
    pub tcv: Money,
    pub uplift_percent: String,
}

/// An in-app alert for the signed-in person.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// Contracts renewing in the next `days`, soonest first.
pub async fn renewal_pipeline(days: u32) -> Result<Vec<Renewal>, ApiError> {
    field::<ops::RenewalPipeline, _>(
        "renewalPipeline",
        ops::renewal_pipeline::Variables {
            days: Some(i64::from(days)),
        },
    )
    .await
}

/// One contract's renewal, however far out.
pub async fn renewal(contract_id: String) -> Result<Renewal, ApiError> {
    field::<ops::Renewal, _>("renewal", ops::renewal::Variables { contract_id }).await
}

/// Statuses set and contacts logged for a renewal, newest first.
pub async fn renewal_history(contract_id: String) -> Result<Vec<RenewalEvent>, ApiError> {
    field::<ops::RenewalHistory, _>(
        "renewalHistory",
        ops::renewal_history::Variables { contract_id },
    )
    .await
}

pub async fn renewal_status_set(
    contract_id: String,
    status: String,
    reason: Option<String>,
) -> Result<Renewal, ApiError> {
    field::<ops::RenewalStatusSet, _>(
        "renewalStatusSet",
        ops::renewal_status_set::Variables {
            input: ops::renewal_status_set::RenewalStatusSetInput {
                contract_id,
                reason,
                status: enum_value(status),
            },
        },
    )
    .await
}

/// Someone a renewal may be handed to (`renewalOwners`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenewalOwner {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
}

pub async fn renewal_owners() -> Result<Vec<RenewalOwner>, ApiError> {
    field::<ops::RenewalOwners, _>("renewalOwners", ops::renewal_owners::Variables).await
}

/// Hands a renewal to another owner and/or changes its uplift; `None` leaves that term.
pub async fn renewal_terms_set(
    contract_id: String,
    owner_id: Option<String>,
    uplift_percent: Option<String>,
) -> Result<Renewal, ApiError> {
    field::<ops::RenewalTermsSet, _>(
        "renewalTermsSet",
        ops::renewal_terms_set::Variables {
            input: ops::renewal_terms_set::RenewalTermsSetInput {
                contract_id,
                owner_id,
                uplift_percent,
            },
        },
    )
    .await
}

pub async fn renewal_contact_log(
    contract_id: String,
    kind: String,
    note: String,
    contacted_on: Option<String>,
) -> Result<Renewal, ApiError> {
    field::<ops::RenewalContactLog, _>(
        "renewalContactLog",
        ops::renewal_contact_log::Variables {
            input: ops::renewal_contact_log::RenewalContactLogInput {
                contacted_on,
                contract_id,
                kind: enum_value(kind),
                note,
            },
        },
    )
    .await
}

/// Renews a contract into its next term; the same key returns the first result.
pub async fn contract_renew(
    contract_id: String,
    uplift_percent: Option<String>,
    idempotency_key: String,
) -> Result<RenewedContract, ApiError> {
    field::<ops::ContractRenew, _>(
        "contractRenew",
        ops::contract_renew::Variables {
            input: ops::contract_renew::ContractRenewInput {
                contract_id,
                idempotency_key,
                uplift_percent,
            },
        },
    )
    .await
}

/// The next term renewing `contract_id` with `uplift_percent` would create; nothing is written.
pub async fn renewal_preview(
    contract_id: String,
    uplift_percent: Option<String>,
) -> Result<RenewalPreview, ApiError> {
    field::<ops::RenewalPreview, _>(
        "renewalPreview",
        ops::renewal_preview::Variables {
            contract_id,
            uplift_percent,
        },
    )
    .await
}

/// The signed-in person's alerts, newest first.
pub async fn my_alerts(unread_only: bool, first: u32) -> Result<Vec<Alert>, ApiError> {
    field::<ops::MyAlerts, _>(
        "myAlerts",
        ops::my_alerts::Variables {
            unread_only: Some(unread_only),
            first: Some(i64::from(first)),
        },
    )
    .await
}

pub async fn alert_mark_read(id: String) -> Result<Alert, ApiError> {
    field::<ops::AlertMarkRead, _>("alertMarkRead", ops::alert_mark_read::Variables { id }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_in_a_link_is_read_up_to_twelve_months() {
        // Proves `?days=365` (and any window the API reads) is kept, the offered windows reach
        // twelve months, and a window the API would refuse falls back to 90 days.
        assert_eq!(renewal_window(Some("365")), 365);
        assert_eq!(renewal_window(Some("180")), 180);
        assert_eq!(renewal_window(Some("120")), 120);
        assert_eq!(renewal_window(Some("366")), 90);
        assert_eq!(renewal_window(Some("0")), 90);
        assert_eq!(renewal_window(Some("-5")), 90);
        assert_eq!(renewal_window(Some("soon")), 90);
        assert_eq!(renewal_window(None), 90);
        assert_eq!(
            RENEWAL_WINDOWS.last().map(|(days, _)| *days),
            Some(RENEWAL_WINDOW_MAX_DAYS)
        );
    }
}
