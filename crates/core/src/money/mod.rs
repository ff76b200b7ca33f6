//! `Money`: integer minor units plus an ISO 4217 currency, exact parsing, checked arithmetic,
//! explicit rounding and allocation that always sums to the whole (DESIGN law 1).

mod allocate;
mod currency;

pub use allocate::{allocate, AllocationError};
pub use currency::Currency;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;

/// Why a money value could not be built or combined. The messages are written for finance users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("{0} is not a currency we know (use an ISO 4217 code such as USD, EUR or JPY)")]
    UnknownCurrency(String),
    #[error("\"{0}\" is not an amount: write digits with an optional minus sign and decimal point, e.g. 1250.00")]
    NotAnAmount(String),
    #[error("{amount} has more decimal places than {currency} allows ({decimals})")]
    TooManyDecimals {
        amount: String,
        currency: &'static str,
        decimals: u32,
    },
    #[error("the amount is too large")]
    Overflow,
    #[error("{amount} is outside the amounts accepted: at most {maximum} either side of zero")]
    AboveMaximum { amount: String, maximum: String },
    #[error("cannot combine {left} with {right}: amounts are in different currencies")]
    CurrencyMismatch {
        left: &'static str,
        right: &'static str,
    },
}

/// An amount of one currency in its minor unit (cents for USD, yen for JPY, fils for KWD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

/// The largest amount, in major units of any currency, that an input may carry: a trillion
/// (10^12) dollars, euros or yen. Every money input is parsed by `Money::parse`, so this one
/// bound keeps each stored amount at most 10^15 minor units (three-decimal currencies), and a
/// report would need thousands of maximal rows in one account before an i64 sum could overflow;
/// the reports that add many rows sum in 128 bits anyway.
pub const MAX_MAJOR_UNITS: i64 = 1_000_000_000_000;

impl Money {
    /// The largest amount an input in `currency` may carry (`MAX_MAJOR_UNITS` in its minor unit).
    pub fn maximum(currency: Currency) -> Money {
        Money {
            minor: MAX_MAJOR_UNITS.saturating_mul(10_i64.pow(currency.decimals())),
            currency,
        }
    }

    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    pub fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_zero(&self) -> bool {
        self.minor == 0
    }

    pub fn is_negative(&self) -> bool {
        self.minor < 0
    }

    /// Parses a decimal string exactly. More fraction digits than the currency has is an error,
    /// never a silent rounding; so are exponents, thousands separators, plus signs, surrounding
    /// spaces and amounts beyond `MAX_MAJOR_UNITS` either side of zero.
    pub fn parse(amount: &str, currency: Currency) -> Result<Money, MoneyError> {
        let not_an_amount = || MoneyError::NotAnAmount(amount.to_string());
        let (negative, unsigned) = match amount.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, amount),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (unsigned, ""),
        };
        let all_digits = |text: &str| text.bytes().all(|byte| byte.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(not_an_amount());
        }
        if unsigned.ends_with('.') {
            return Err(not_an_amount());
        }
        let decimals = currency.decimals();
        if fraction.len() > decimals as usize {
            return Err(MoneyError::TooManyDecimals {
                amount: amount.to_string(),
                currency: currency.code(),
                decimals,
            });
        }
        let mut minor: i64 = 0;
        let padded = format!("{fraction:0<width$}", width = decimals as usize);
        for byte in whole.bytes().chain(padded.bytes()) {
            minor = minor
                .checked_mul(10)
                .and_then(|value| value.checked_add(i64::from(byte - b'0')))
                .ok_or(MoneyError::Overflow)?;
        }
        let maximum = Money::maximum(currency);
        if minor > maximum.minor {
            return Err(MoneyError::AboveMaximum {
                amount: amount.to_string(),
                maximum: maximum.to_string(),
            });
        }
        Ok(Money {
            minor: if negative { -minor } else { minor },
            currency,
        })
    }

    /// Builds money from a decimal amount in major units, rounding once with the given strategy.
    pub fn from_decimal(
        amount: Decimal,
        currency: Currency,
        strategy: RoundingStrategy,
    ) -> Result<Money, MoneyError> {
        let scaled = amount
            .checked_mul(Decimal::from(10_i64.pow(currency.decimals())))
            .ok_or(MoneyError::Overflow)?;
        let minor = scaled
            .round_dp_with_strategy(0, strategy)
            .to_i64()
            .ok_or(MoneyError::Overflow)?;
        Ok(Money { minor, currency })
    }

    /// The amount in major units as an exact decimal.
    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.minor, self.currency.decimals())
    }

    /// The amount as a plain decimal string with exactly the currency's decimals: "-1234.50", "1200".
    pub fn amount_string(&self) -> String {
        amount_string_of(i128::from(self.minor), self.currency)
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch {
                left: self.currency.code(),
                right: other.currency.code(),
            });
        }
        Ok(())
    }

    pub fn checked_add(&self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    pub fn checked_sub(&self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    pub fn checked_neg(&self) -> Result<Money, MoneyError> {
        let minor = self.minor.checked_neg().ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    /// Multiplies by a decimal factor (a quantity, a rate, a proration fraction), rounding once.
    pub fn checked_mul_decimal(
        &self,
        factor: Decimal,
        strategy: RoundingStrategy,
    ) -> Result<Money, MoneyError> {
        let product = self
            .to_decimal()
            .checked_mul(factor)
            .ok_or(MoneyError::Overflow)?;
        Money::from_decimal(product, self.currency, strategy)
    }

    /// Compares two amounts of one currency.
    pub fn checked_cmp(&self, other: &Money) -> Result<std::cmp::Ordering, MoneyError> {
        self.same_currency(other)?;
        Ok(self.minor.cmp(&other.minor))
    }
}

/// A minor-unit amount (up to 128 bits wide, for totals) as a plain decimal string with exactly
/// the currency's decimals: "-1234.50", "1200".
pub fn amount_string_of(minor: i128, currency: Currency) -> String {
    let decimals = currency.decimals() as usize;
    let sign = if minor < 0 { "-" } else { "" };
    let digits = format!("{:0>width$}", minor.unsigned_abs(), width = decimals + 1);
    if decimals == 0 {
        return format!("{sign}{digits}");
    }
    let (whole, fraction) = digits.split_at(digits.len() - decimals);
    format!("{sign}{whole}.{fraction}")
}

impl Money {
    /// The amount with its thousands grouped, for people to read: "1,250,000.00", "-5.00",
    /// "1,200" (JPY). Documents print it under a column that names the currency.
    pub fn grouped_amount(&self) -> String {
        let plain = self.amount_string();
        let (sign, unsigned) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain.as_str()),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (unsigned, None),
        };
        let mut grouped = String::from(sign);
        for (index, digit) in whole.chars().enumerate() {
            if index > 0 && (whole.len() - index) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        if let Some(fraction) = fraction {
            grouped.push('.');
            grouped.push_str(fraction);
        }
        grouped
    }
}

/// Human display for messages: "USD 1,250,000.00", "JPY 1,200", "-EUR 5.00" is written "EUR -5.00".
impl fmt::Display for Money {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} {}",
            self.currency.code(),
            self.grouped_amount()
        )
    }
}

/// Serialised as `{"amount": "12.50", "currency": "USD"}` (audit snapshots, JSON exports).
impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("Money", 2)?;
        state.serialize_field("amount", &self.amount_string())?;
        state.serialize_field("currency", self.currency.code())?;
        state.end()
    }
}

/// A rate (tax, uplift, commission, proration fraction) applied to money with a stated rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate(Decimal);

impl Rate {
    pub fn new(value: Decimal) -> Rate {
        Rate(value)
    }

    pub fn value(&self) -> Decimal {
        self.0
    }

    pub fn apply(&self, amount: Money, strategy: RoundingStrategy) -> Result<Money, MoneyError> {
        amount.checked_mul_decimal(self.0, strategy)
    }
}

#[cfg(test)]
mod tests;
