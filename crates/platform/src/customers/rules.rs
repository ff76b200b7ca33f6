//! Pure customer rules: payment terms, the credit-risk category and the limit and terms it
//! proposes (seed 3.3), tax registration numbers by country, and payment-method masking.

use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "snake_case")]
pub enum PaymentTerms {
    // The aliases accept the spelling the rest of revops writes (`net_30`, as in imports).
    #[serde(alias = "net_15")]
    Net15,
    #[serde(alias = "net_30")]
    Net30,
    #[serde(alias = "net_45")]
    Net45,
    #[serde(alias = "net_60")]
    Net60,
    Upfront,
}

impl PaymentTerms {
    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentTerms::Net15 => "net_15",
            PaymentTerms::Net30 => "net_30",
            PaymentTerms::Net45 => "net_45",
            PaymentTerms::Net60 => "net_60",
            PaymentTerms::Upfront => "upfront",
        }
    }

    pub fn parse(text: &str) -> Option<PaymentTerms> {
        [
            PaymentTerms::Net15,
            PaymentTerms::Net30,
            PaymentTerms::Net45,
            PaymentTerms::Net60,
            PaymentTerms::Upfront,
        ]
        .into_iter()
        .find(|terms| terms.as_str() == text)
    }

    pub fn label(&self) -> &'static str {
        match self {
            PaymentTerms::Net15 => "net 15",
            PaymentTerms::Net30 => "net 30",
            PaymentTerms::Net45 => "net 45",
            PaymentTerms::Net60 => "net 60",
            PaymentTerms::Upfront => "upfront",
        }
    }

    /// Days from issue to due date; upfront is due on issue.
    pub fn days(&self) -> i64 {
        match self {
            PaymentTerms::Net15 => 15,
            PaymentTerms::Net30 => 30,
            PaymentTerms::Net45 => 45,
            PaymentTerms::Net60 => 60,
            PaymentTerms::Upfront => 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum CreditCategory {
    Enterprise,
    MidMarket,
    Smb,
    NewCustomer,
    PriorLatePayer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum DepositRule {
    None,
    Optional,
    /// A deposit is due on orders above the category's limit.
    RequiredAboveLimit,
    Required,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditPolicy {
    pub category: CreditCategory,
    pub proposed_limit: Money,
    pub allowed_terms: Vec<PaymentTerms>,
    pub deposit_rule: DepositRule,
    pub explanation: String,
}

impl CreditPolicy {
    pub fn default_terms(&self) -> PaymentTerms {
        self.allowed_terms
            .first()
            .copied()
            .unwrap_or(PaymentTerms::Upfront)
    }
}

/// The history signals the category reads besides ARR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentHistory {
    pub has_paid_invoice: bool,
    pub prior_late_payer: bool,
}

fn major(amount: i64, currency: Currency) -> Money {
    Money::from_minor(
        amount.saturating_mul(10_i64.pow(currency.decimals())),
        currency,
    )
}

/// Derives the category from ARR and payment history; the most restrictive applicable category
/// wins (prior late payer, then new customer, then by ARR). Thresholds are read in the
/// customer's billing currency.
pub fn credit_policy(arr: Money, history: PaymentHistory) -> CreditPolicy {
    let currency = arr.currency();
    let million = major(1_000_000, currency);
    let hundred_thousand = major(100_000, currency);
    let (category, limit, terms, deposit_rule, reason) = if history.prior_late_payer {
        (
            CreditCategory::PriorLatePayer,
            5_000,
            vec![PaymentTerms::Net15, PaymentTerms::Upfront],
            DepositRule::Required,
            "An invoice was paid more than 30 days late or reached the 60-day hold".to_string(),
        )
    } else if !history.has_paid_invoice {
        (
            CreditCategory::NewCustomer,
            10_000,
            vec![PaymentTerms::Net15, PaymentTerms::Upfront],
            DepositRule::RequiredAboveLimit,
            "No invoice has been paid yet".to_string(),
        )
    } else if arr.minor() > million.minor() {
        (
            CreditCategory::Enterprise,
            500_000,
            vec![
                PaymentTerms::Net45,
                PaymentTerms::Net30,
                PaymentTerms::Net15,
                PaymentTerms::Upfront,
            ],
            DepositRule::None,
            format!("ARR {arr} is above {million}"),
        )
    } else if arr.minor() >= hundred_thousand.minor() {
        (
            CreditCategory::MidMarket,
            100_000,
            vec![
                PaymentTerms::Net30,
                PaymentTerms::Net15,
                PaymentTerms::Upfront,
            ],
            DepositRule::None,
            format!("ARR {arr} is between {hundred_thousand} and {million}"),
        )
    } else {
        (
            CreditCategory::Smb,
            25_000,
            vec![PaymentTerms::Net15, PaymentTerms::Upfront],
            DepositRule::Optional,
            format!("ARR {arr} is below {hundred_thousand}"),
        )
    };
    let proposed_limit = major(limit, currency);
    let terms_text: Vec<&str> = terms.iter().map(PaymentTerms::label).collect();
    let deposit_text = match deposit_rule {
        DepositRule::None => "no deposit",
        DepositRule::Optional => "deposit optional",
        DepositRule::RequiredAboveLimit => "deposit required above the limit",
        DepositRule::Required => "deposit required",
    };
    let explanation = format!(
        "{reason}: {} limit, {}, {deposit_text}.",
        proposed_limit,
        terms_text.join(" or ")
    );
    CreditPolicy {
        category,
        proposed_limit,
        allowed_terms: terms,
        deposit_rule,
        explanation,
    }
}

/// Strips the separators people type (spaces, dots, dashes) and upper-cases.
fn normalise_registration(number: &str) -> String {
    number
        .chars()
        .filter(|character| !matches!(character, ' ' | '.' | '-'))
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Patterns per country: `#` a digit, `A` a letter, `X` a letter or digit, anything else literal.
fn registration_patterns(country: &str) -> Option<(&'static [&'static str], &'static str)> {
    Some(match country {
        "GB" => (
            &["GB#########", "GB############", "GBGD###", "GBHA###"][..],
            "GB followed by 9 or 12 digits",
        ),
        "DE" => (&["DE#########"][..], "DE followed by 9 digits"),
        "FR" => (&["FRXX#########"][..], "FR, 2 characters and 9 digits"),
        "NL" => (&["NL#########B##"][..], "NL, 9 digits, B and 2 digits"),
        "IE" => (
            &["IE#######A", "IE#######AA", "IE#X#####A"][..],
            "IE, 7 digits and 1–2 letters",
        ),
        "ES" => (&["ESX#######X"][..], "ES followed by 9 characters"),
        "IT" => (&["IT###########"][..], "IT followed by 11 digits"),
        "BE" => (&["BE##########"][..], "BE followed by 10 digits"),
        "AT" => (&["ATU########"][..], "ATU followed by 8 digits"),
        "SE" => (&["SE############"][..], "SE followed by 12 digits"),
        "DK" => (&["DK########"][..], "DK followed by 8 digits"),
        "PL" => (&["PL##########"][..], "PL followed by 10 digits"),
        "CH" => (
            &["CHE#########MWST", "CHE#########TVA", "CHE#########IVA"][..],
            "CHE, 9 digits and MWST/TVA/IVA",
        ),
        "US" => (&["#########"][..], "an EIN of 9 digits (12-3456789)"),
        "CA" => (
            &["#########RT####"][..],
            "a business number: 9 digits, RT and 4 digits",
        ),
        "AU" => (&["###########"][..], "an ABN of 11 digits"),
        "NZ" => (
            &["########", "#########"][..],
            "a GST number of 8 or 9 digits",
        ),
        "IN" => (&["##AAAAA####AXZX"][..], "a 15-character GSTIN"),
        "JP" => (&["T#############"][..], "T followed by 13 digits"),
        "SG" => (
            &["##########A", "A########A"][..],
            "a GST registration number",
        ),
        _ => return None,
    })
}

fn matches_pattern(value: &str, pattern: &str) -> bool {
    value.len() == pattern.len()
        && value
            .chars()
            .zip(pattern.chars())
            .all(|(character, rule)| match rule {
                '#' => character.is_ascii_digit(),
                'A' => character.is_ascii_uppercase(),
                'X' => character.is_ascii_alphanumeric(),
                literal => character == literal,
            })
}

/// Validates a VAT/GST/tax number against the country's format and returns it normalised.
pub fn validate_tax_registration(country: &str, number: &str) -> Result<String, String> {
    let normalised = normalise_registration(number);
    match registration_patterns(country) {
        Some((patterns, description)) => {
            if patterns
                .iter()
                .any(|pattern| matches_pattern(&normalised, pattern))
            {
                Ok(normalised)
            } else {
                Err(format!(
                    "\"{}\" is not a valid tax number for {country}: expected {description}.",
                    number.trim()
                ))
            }
        }
        None if (4..=20).contains(&normalised.len())
            && normalised.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            Ok(normalised)
        }
        None => Err(format!(
            "\"{}\" is not a tax number: use 4 to 20 letters and digits.",
            number.trim()
        )),
    }
}

pub fn validate_country(country: &str) -> Result<String, String> {
    let upper = country.trim().to_ascii_uppercase();
    if upper.len() == 2
        && upper
            .chars()
            .all(|character| character.is_ascii_uppercase())
    {
        Ok(upper)
    } else {
        Err(format!(
            "\"{}\" is not a country code: use the two-letter ISO code, e.g. US or DE.",
            country.trim()
        ))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethodKind {
    Ach,
    Wire,
    Check,
    Card,
}

impl PaymentMethodKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentMethodKind::Ach => "ach",
            PaymentMethodKind::Wire => "wire",
            PaymentMethodKind::Check => "check",
            PaymentMethodKind::Card => "card",
        }
    }

    pub fn parse(text: &str) -> Option<PaymentMethodKind> {
        [
            PaymentMethodKind::Ach,
            PaymentMethodKind::Wire,
            PaymentMethodKind::Check,
            PaymentMethodKind::Card,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

/// Turns what a user typed as the payment reference into the masked form we store. Only the last
/// four characters are ever accepted: a full card or account number is refused, not truncated,
/// so it is never written anywhere, logs included.
pub fn mask_payment_reference(kind: PaymentMethodKind, reference: &str) -> Result<String, String> {
    let compact: String = reference
        .chars()
        .filter(|character| !matches!(character, ' ' | '-'))
        .collect();
    let digit_count = compact.chars().filter(char::is_ascii_digit).count();
    if digit_count > 4 {
        return Err(match kind {
            PaymentMethodKind::Card => "Enter only the last four digits of the card; revops never stores a full card number.".into(),
            _ => "Enter only the last four characters of the account or cheque reference.".into(),
        });
    }
    if compact.chars().count() != 4
        || !compact
            .chars()
            .all(|character| character.is_ascii_alphanumeric())
    {
        return Err("Enter the last four characters of the reference, e.g. 4242.".into());
    }
    if kind == PaymentMethodKind::Card && digit_count != 4 {
        return Err("Enter the last four digits of the card, e.g. 4242.".into());
    }
    Ok(format!("•••• {compact}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(major_units: i64) -> Money {
        Money::from_minor(major_units * 100, Currency::USD)
    }

    const PAID: PaymentHistory = PaymentHistory {
        has_paid_invoice: true,
        prior_late_payer: false,
    };

    #[test]
    fn category_follows_arr_and_the_most_restrictive_history_wins() {
        // Proves the seed's credit table: limits, terms and precedence.
        let enterprise = credit_policy(usd(1_250_000), PAID);
        assert_eq!(enterprise.category, CreditCategory::Enterprise);
        assert_eq!(enterprise.proposed_limit, usd(500_000));
        assert_eq!(enterprise.default_terms(), PaymentTerms::Net45);
        assert_eq!(
            credit_policy(usd(1_000_000), PAID).category,
            CreditCategory::MidMarket
        );
        assert_eq!(
            credit_policy(usd(100_000), PAID).category,
            CreditCategory::MidMarket
        );
        assert_eq!(
            credit_policy(usd(100_000), PAID).proposed_limit,
            usd(100_000)
        );
        let smb = credit_policy(usd(99_999), PAID);
        assert_eq!(
            (smb.category, smb.proposed_limit, smb.deposit_rule),
            (CreditCategory::Smb, usd(25_000), DepositRule::Optional)
        );
        let new = credit_policy(
            usd(2_000_000),
            PaymentHistory {
                has_paid_invoice: false,
                prior_late_payer: false,
            },
        );
        assert_eq!(
            (new.category, new.proposed_limit),
            (CreditCategory::NewCustomer, usd(10_000))
        );
        let late = credit_policy(
            usd(2_000_000),
            PaymentHistory {
                has_paid_invoice: false,
                prior_late_payer: true,
            },
        );
        assert_eq!(
            (late.category, late.proposed_limit, late.deposit_rule),
            (
                CreditCategory::PriorLatePayer,
                usd(5_000),
                DepositRule::Required
            )
        );
        assert!(
            enterprise.explanation.contains("USD 500,000.00"),
            "{}",
            enterprise.explanation
        );
    }

    #[test]
    fn tax_numbers_are_checked_by_country() {
        // Proves country formats are enforced and separators are ignored.
        assert_eq!(
            validate_tax_registration("GB", "gb 123 4567 89").unwrap(),
            "GB123456789"
        );
        assert_eq!(
            validate_tax_registration("DE", "DE123456789").unwrap(),
            "DE123456789"
        );
        assert_eq!(
            validate_tax_registration("US", "12-3456789").unwrap(),
            "123456789"
        );
        assert_eq!(
            validate_tax_registration("NL", "NL123456789B01").unwrap(),
            "NL123456789B01"
        );
        assert!(validate_tax_registration("DE", "DE12345678").is_err());
        assert!(validate_tax_registration("GB", "FR123456789").is_err());
        assert!(validate_tax_registration("ZZ", "AB12").is_ok());
        assert!(validate_tax_registration("ZZ", "A!").is_err());
    }

    #[test]
    fn only_last_four_characters_are_ever_stored() {
        // Proves a full card number is refused and a last-four is masked.
        assert_eq!(
            mask_payment_reference(PaymentMethodKind::Card, "4242").unwrap(),
            "•••• 4242"
        );
        assert!(mask_payment_reference(PaymentMethodKind::Card, "4242 4242 4242 4242").is_err());
        assert!(mask_payment_reference(PaymentMethodKind::Card, "42a2").is_err());
        assert_eq!(
            mask_payment_reference(PaymentMethodKind::Wire, "A1B2").unwrap(),
            "•••• A1B2"
        );
    }

    #[test]
    fn payment_terms_round_trip() {
        // Proves stored terms text maps back.
        for terms in [
            PaymentTerms::Net15,
            PaymentTerms::Net30,
            PaymentTerms::Net45,
            PaymentTerms::Net60,
            PaymentTerms::Upfront,
        ] {
            assert_eq!(PaymentTerms::parse(terms.as_str()), Some(terms));
        }
    }
}
