//! Exact money arithmetic for the payment form: typed amounts to integer minor units and back,
//! and the oldest-first spread of a payment over open invoices. No floating point touches a
//! figure, so what the form shows is exactly what the server will be asked to post.

use crate::format::{currency_decimals, parse_decimal};

/// Why a typed amount cannot be used, in words for the field's error line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AmountError {
    NotANumber,
    TooManyDecimals { decimals: usize },
    Negative,
}

impl AmountError {
    pub fn message(&self, currency: &str) -> String {
        match self {
            AmountError::NotANumber => "Enter an amount such as 1200.00.".to_string(),
            AmountError::TooManyDecimals { decimals: 0 } => {
                format!("{currency} has no decimals; enter a whole amount.")
            }
            AmountError::TooManyDecimals { decimals } => {
                format!("{currency} has {decimals} decimals; enter at most that many.")
            }
            AmountError::Negative => "Enter an amount above zero.".to_string(),
        }
    }
}

/// Parses a typed amount (already cleaned of separators) into minor units of `currency`:
/// "12.5" USD → 1250. More decimals than the currency has is an error, never a rounding.
pub fn to_minor(amount: &str, currency: &str) -> Result<i128, AmountError> {
    let (units, scale) = parse_decimal(amount).ok_or(AmountError::NotANumber)?;
    let decimals = currency_decimals(currency);
    let scale = usize::try_from(scale).map_err(|_| AmountError::NotANumber)?;
    if scale > decimals {
        return Err(AmountError::TooManyDecimals { decimals });
    }
    if units < 0 {
        return Err(AmountError::Negative);
    }
    let factor = u32::try_from(decimals - scale)
        .ok()
        .and_then(|exponent| 10_i128.checked_pow(exponent))
        .ok_or(AmountError::NotANumber)?;
    units.checked_mul(factor).ok_or(AmountError::NotANumber)
}

/// Minor units back to the API's decimal string with the currency's decimals: 1250 USD →
/// "12.50", 1200 JPY → "1200".
pub fn from_minor(minor: i128, currency: &str) -> String {
    let decimals = currency_decimals(currency);
    let sign = if minor < 0 { "-" } else { "" };
    let digits = format!("{:0>width$}", minor.unsigned_abs(), width = decimals + 1);
    let split = digits.len() - decimals;
    match digits.split_at(split) {
        (whole, "") => format!("{sign}{whole}"),
        (whole, fraction) => format!("{sign}{whole}.{fraction}"),
    }
}

/// Spreads `amount` over open balances in the order given (oldest first): each invoice takes
/// what it has open until the amount runs out. The parts never add up to more than `amount`.
pub fn oldest_first(amount: i128, open_balances: &[i128]) -> Vec<i128> {
    let mut left = amount.max(0);
    open_balances
        .iter()
        .map(|open| {
            let take = (*open).max(0).min(left);
            left -= take;
            take
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_amounts_become_minor_units_without_rounding() {
        assert_eq!(to_minor("12.5", "USD"), Ok(1250));
        assert_eq!(to_minor("12", "USD"), Ok(1200));
        assert_eq!(to_minor("1200", "JPY"), Ok(1200));
        assert_eq!(to_minor("1.234", "KWD"), Ok(1234));
        assert_eq!(
            to_minor("1.005", "USD"),
            Err(AmountError::TooManyDecimals { decimals: 2 })
        );
        assert_eq!(
            to_minor("1.5", "JPY"),
            Err(AmountError::TooManyDecimals { decimals: 0 })
        );
        assert_eq!(to_minor("-1", "USD"), Err(AmountError::Negative));
        assert_eq!(to_minor("abc", "USD"), Err(AmountError::NotANumber));
    }

    #[test]
    fn minor_units_read_back_with_the_currency_decimals() {
        assert_eq!(from_minor(1250, "USD"), "12.50");
        assert_eq!(from_minor(5, "USD"), "0.05");
        assert_eq!(from_minor(0, "USD"), "0.00");
        assert_eq!(from_minor(1200, "JPY"), "1200");
        assert_eq!(from_minor(-150, "EUR"), "-1.50");
        assert_eq!(from_minor(1234, "KWD"), "1.234");
    }

    #[test]
    fn oldest_first_fills_in_order_and_never_exceeds_the_payment() {
        assert_eq!(oldest_first(1500, &[1000, 1000, 1000]), vec![1000, 500, 0]);
        assert_eq!(oldest_first(5000, &[1000, 2000]), vec![1000, 2000]);
        assert_eq!(oldest_first(0, &[1000]), vec![0]);
        assert_eq!(oldest_first(700, &[0, -5, 1000]), vec![0, 0, 700]);
        for amount in [0, 1, 999, 1000, 2999, 3000, 10_000] {
            let parts = oldest_first(amount, &[1000, 1500, 500]);
            let applied: i128 = parts.iter().sum();
            assert_eq!(applied, amount.min(3000), "amount {amount}");
        }
    }
}
