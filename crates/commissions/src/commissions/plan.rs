//! The commission plan document: what a plan says, read from YAML or JSON with the path of any
//! bad field in the error, then checked as a whole (tiers ascending from 0 %, a rate or tiers,
//! amounts in the plan's currency). The published JSON Schema is `plan.schema.json` beside this
//! file; `PlanDocument::example()` is a complete plan that passes it.

use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

mod check;

/// Largest plan document accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;
pub const SCHEMA_JSON: &str = include_str!("plan.schema.json");

/// A decimal written as a string ("10.5") or a number (10.5) in the document; percentages,
/// multipliers and amounts. Numbers are read through their shortest decimal text, never as
/// binary fractions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dec(pub Decimal);

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Dec, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Dec;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a decimal number such as \"10\" or \"12.5\"")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Dec, E> {
                Decimal::from_str(text.trim())
                    .map(Dec)
                    .map_err(|_| E::custom(format!("\"{text}\" is not a decimal number")))
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Dec, E> {
                Ok(Dec(Decimal::from(value)))
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Dec, E> {
                Ok(Dec(Decimal::from(value)))
            }
            fn visit_f64<E: de::Error>(self, value: f64) -> Result<Dec, E> {
                self.visit_str(&value.to_string())
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl Serialize for Dec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.normalize().to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaPeriod {
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Annual contract value: TCV spread over the term in years (a term of a year or less is its TCV).
    BookingsAcv,
    /// Total contract value, optionally limited to `multi_year.max_years` years of ACV.
    BookingsTcv,
    /// The contract's ARR for its first year.
    FirstYearArr,
    /// Payments applied to the deal's invoices, before tax (cash basis).
    CashCollected,
    /// A manager's override: the team's credited amounts.
    TeamCredit,
}

impl Metric {
    pub fn as_str(&self) -> &'static str {
        match self {
            Metric::BookingsAcv => "bookings_acv",
            Metric::BookingsTcv => "bookings_tcv",
            Metric::FirstYearArr => "first_year_arr",
            Metric::CashCollected => "cash_collected",
            Metric::TeamCredit => "team_credit",
        }
    }

    pub fn title(&self) -> &'static str {
        match self {
            Metric::BookingsAcv => "Bookings ACV",
            Metric::BookingsTcv => "Bookings TCV",
            Metric::FirstYearArr => "First-year ARR",
            Metric::CashCollected => "Cash collected",
            Metric::TeamCredit => "Team credit",
        }
    }

    /// Booking metrics are earned when the deal is approved; cash when it is paid.
    pub fn is_booking(&self) -> bool {
        matches!(
            self,
            Metric::BookingsAcv | Metric::BookingsTcv | Metric::FirstYearArr
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierMode {
    /// Each slice of attainment at its own tier's rate.
    #[default]
    Marginal,
    /// All attainment at the rate of the highest tier reached.
    Retroactive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Business {
    New,
    Expansion,
    Renewal,
}

impl Business {
    pub fn as_str(&self) -> &'static str {
        match self {
            Business::New => "new",
            Business::Expansion => "expansion",
            Business::Renewal => "renewal",
        }
    }

    pub fn parse(text: &str) -> Option<Business> {
        [Business::New, Business::Expansion, Business::Renewal]
            .into_iter()
            .find(|business| business.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClawbackMode {
    /// The whole commission on the reduced amount reverses.
    #[default]
    Full,
    /// For churn: only the share of the term not served reverses.
    Prorated,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    pub period: QuotaPeriod,
    pub amount: Dec,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Attainment (percent of quota) where the tier starts.
    pub from: Dec,
    /// Commission rate in percent of the credited amount.
    pub rate: Dec,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accelerator {
    /// Attainment (percent, at least 100) above which the multiplier applies.
    pub above: Dec,
    pub multiplier: Dec,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decelerator {
    /// Attainment (percent) below which the multiplier applies.
    pub below: Dec,
    pub multiplier: Dec,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessRates {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expansion: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal: Option<Dec>,
}

impl BusinessRates {
    pub fn of(&self, business: Business) -> Option<Decimal> {
        match business {
            Business::New => self.new,
            Business::Expansion => self.expansion,
            Business::Renewal => self.renewal,
        }
        .map(|rate| rate.0)
    }

    fn is_empty(&self) -> bool {
        self.new.is_none() && self.expansion.is_none() && self.renewal.is_none()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultiYear {
    /// TCV credited up to this many years of ACV.
    pub max_years: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub name: String,
    pub metric: Metric,
    /// A flat rate in percent; or give `tiers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Dec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
    #[serde(default)]
    pub tier_mode: TierMode,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accelerators: Vec<Accelerator>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decelerator: Option<Decelerator>,
    /// Most this component pays in one quota period, in the plan's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<Dec>,
    /// Flat rates (percent) for expansion or renewal business instead of the tiers; that
    /// business still counts towards attainment.
    #[serde(default, skip_serializing_if = "BusinessRates::is_empty")]
    pub business_rates: BusinessRates,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_year: Option<MultiYear>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spif {
    pub name: String,
    /// Paid per matching deal, divided by the deal's split.
    pub amount: Dec,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Only these kinds of business (all when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub business: Vec<Business>,
    /// Only deals whose ACV is at least this, in the plan's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_acv: Option<Dec>,
    /// Only deals whose product name contains this text (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_contains: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clawback {
    /// A credit memo, write-off or churn this many days or fewer after booking reverses commission.
    pub window_days: u32,
    #[serde(default)]
    pub mode: ClawbackMode,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDocument {
    pub code: String,
    pub name: String,
    pub currency: String,
    pub effective_from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<NaiveDate>,
    /// ASC 340-40: capitalise commissions on contracts longer than a year and amortise them
    /// over the term (a year or less is expensed).
    #[serde(default)]
    pub capitalise: bool,
    pub quota: Quota,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clawback: Option<Clawback>,
    pub components: Vec<Component>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spifs: Vec<Spif>,
}

/// The document format named by the caller, or guessed from its first character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

impl PlanDocument {
    /// Reads and checks a plan document. Errors name the field path, e.g.
    /// `document.components[0].tiers[1].rate`.
    pub fn parse(text: &str, format: Option<Format>) -> AppResult<PlanDocument> {
        if text.len() > MAX_DOCUMENT_BYTES {
            return Err(AppError::validation(
                "document",
                format!(
                    "The plan document is {} bytes; the most accepted is {MAX_DOCUMENT_BYTES}.",
                    text.len()
                ),
            ));
        }
        if text.trim().is_empty() {
            return Err(AppError::validation(
                "document",
                "The plan document is empty.",
            ));
        }
        let format = format.unwrap_or(if text.trim_start().starts_with('{') {
            Format::Json
        } else {
            Format::Yaml
        });
        let document: PlanDocument = match format {
            Format::Json => {
                let mut deserializer = serde_json::Deserializer::from_str(text);
                serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
                    let path = field_path(&error.path().to_string());
                    AppError::validation(
                        path.clone(),
                        format!("{path}: {}", clean_message(&error.inner().to_string())),
                    )
                })?
            }
            Format::Yaml => {
                let deserializer = serde_yaml::Deserializer::from_str(text);
                serde_path_to_error::deserialize(deserializer).map_err(|error| {
                    let path = field_path(&error.path().to_string());
                    AppError::validation(
                        path.clone(),
                        format!("{path}: {}", clean_message(&error.inner().to_string())),
                    )
                })?
            }
        };
        document.check()?;
        Ok(document)
    }

    pub fn currency(&self) -> AppResult<Currency> {
        Currency::parse(&self.currency).map_err(|_| {
            AppError::validation(
                "document.currency",
                format!(
                    "document.currency: {} is not an ISO 4217 currency code.",
                    self.currency
                ),
            )
        })
    }

    /// An amount of the document as money in the plan's currency.
    pub fn money(&self, field: &str, amount: Dec) -> AppResult<Money> {
        let currency = self.currency()?;
        Money::parse(&amount.0.to_string(), currency).map_err(|error| {
            AppError::validation(
                format!("document.{field}"),
                format!("document.{field}: {error}"),
            )
        })
    }

    pub fn quota(&self) -> AppResult<Money> {
        self.money("quota.amount", self.quota.amount)
    }

    /// Canonical JSON (what is stored and returned).
    pub fn to_json(&self) -> AppResult<String> {
        serde_json::to_string_pretty(self).map_err(AppError::internal)
    }

    pub fn from_stored(json: &str) -> AppResult<PlanDocument> {
        serde_json::from_str(json).map_err(AppError::internal)
    }

    /// A complete plan, as the web app offers it to start from.
    pub fn example() -> &'static str {
        EXAMPLE_YAML
    }
}

/// `components[0].tiers[1].rate` → `document.components[0].tiers[1].rate`.
fn field_path(path: &str) -> String {
    if path == "." || path.is_empty() {
        "document".into()
    } else {
        format!("document.{path}")
    }
}

/// serde's messages end with " at line 3 column 5"; keep them, they help in a long document.
fn clean_message(message: &str) -> String {
    message.replace("unknown variant", "unknown value")
}

const EXAMPLE_YAML: &str = "\
code: PLAN-AE-2026
name: Account executive plan 2026
currency: USD
effective_from: 2026-01-01
effective_to: 2026-12-31
capitalise: false
quota:
  period: quarter
  amount: \"150000.00\"
clawback:
  window_days: 180
  mode: full
components:
  - name: New business
    metric: bookings_acv
    tier_mode: marginal
    tiers:
      - { from: 0, rate: 8 }
      - { from: 100, rate: 12 }
    accelerators:
      - { above: 150, multiplier: 1.5 }
    decelerator: { below: 25, multiplier: 0.5 }
    cap: \"60000.00\"
    business_rates: { renewal: 3 }
spifs:
  - name: Annual prepay push
    amount: \"500.00\"
    from: 2026-10-01
    to: 2026-12-31
    business: [new]
    min_acv: \"20000.00\"
";

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(result: AppResult<PlanDocument>) -> String {
        match result {
            Err(AppError::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn the_example_plan_parses_and_round_trips_through_json() {
        let document = PlanDocument::parse(PlanDocument::example(), None).unwrap();
        assert_eq!(document.code, "PLAN-AE-2026");
        assert_eq!(document.components[0].tiers[1].rate, Dec(Decimal::from(12)));
        assert_eq!(document.quota().unwrap().minor(), 15_000_000);
        let json = document.to_json().unwrap();
        let again = PlanDocument::parse(&json, Some(Format::Json)).unwrap();
        assert_eq!(again.to_json().unwrap(), json);
    }

    #[test]
    fn a_bad_field_is_named_by_its_path() {
        let bad_rate = PlanDocument::example()
            .replace("{ from: 100, rate: 12 }", "{ from: 100, rate: twelve }");
        assert_eq!(
            field_of(PlanDocument::parse(&bad_rate, None)),
            "document.components[0].tiers[1].rate"
        );
        let unknown = PlanDocument::example().replace("tier_mode: marginal", "tier_mode: stepped");
        assert_eq!(
            field_of(PlanDocument::parse(&unknown, None)),
            "document.components[0].tier_mode"
        );
        let typo = PlanDocument::example().replace("window_days", "window_dys");
        assert_eq!(
            field_of(PlanDocument::parse(&typo, None)),
            "document.clawback.window_dys"
        );
    }

    #[test]
    fn whole_document_rules_are_checked() {
        let descending =
            PlanDocument::example().replace("{ from: 100, rate: 12 }", "{ from: 0, rate: 12 }");
        assert_eq!(
            field_of(PlanDocument::parse(&descending, None)),
            "document.components[0].tiers[1].from"
        );
        let both = PlanDocument::example()
            .replace("tier_mode: marginal", "tier_mode: marginal\n    rate: 5");
        assert_eq!(
            field_of(PlanDocument::parse(&both, None)),
            "document.components[0].tiers"
        );
        let cents = PlanDocument::example().replace("\"150000.00\"", "\"150000.001\"");
        assert_eq!(
            field_of(PlanDocument::parse(&cents, None)),
            "document.quota.amount"
        );
        let spif = PlanDocument::example().replace(
            "to: 2026-12-31\n    business",
            "to: 2026-09-30\n    business",
        );
        assert_eq!(
            field_of(PlanDocument::parse(&spif, None)),
            "document.spifs[0].to"
        );
        assert_eq!(field_of(PlanDocument::parse("  ", None)), "document");
    }

    #[test]
    fn the_published_schema_names_every_document_field() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA_JSON).unwrap();
        let document: serde_json::Value = serde_json::from_str(
            &PlanDocument::parse(PlanDocument::example(), None)
                .unwrap()
                .to_json()
                .unwrap(),
        )
        .unwrap();
        for key in document.as_object().unwrap().keys() {
            assert!(
                schema["properties"].get(key).is_some(),
                "schema lacks {key}"
            );
        }
        let component = &schema["$defs"]["component"]["properties"];
        for key in document["components"][0].as_object().unwrap().keys() {
            assert!(
                component.get(key).is_some(),
                "schema lacks components[].{key}"
            );
        }
    }
}
