//! ISO 4217 currencies revops bills in, with the number of minor-unit digits each one has.

use super::MoneyError;

/// A known ISO 4217 currency. Only currencies in the table can be built, so a `Currency` in hand
/// always knows its decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: &'static str,
    decimals: u32,
}

const KNOWN: &[(&str, u32)] = &[
    ("AED", 2),
    ("AUD", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("ILS", 2),
    ("INR", 2),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MXN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PLN", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("TND", 3),
    ("USD", 2),
    ("VND", 0),
    ("ZAR", 2),
];

impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code)
    }
}

impl Currency {
    pub const USD: Currency = Currency {
        code: "USD",
        decimals: 2,
    };

    /// Accepts the code in any case ("usd" is USD); anything not in the table is refused.
    pub fn parse(code: &str) -> Result<Currency, MoneyError> {
        let upper = code.trim().to_ascii_uppercase();
        KNOWN
            .iter()
            .find(|(known, _)| *known == upper)
            .map(|(known, decimals)| Currency {
                code: known,
                decimals: *decimals,
            })
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_string()))
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn decimals(&self) -> u32 {
        self.decimals
    }

    pub fn all() -> impl Iterator<Item = Currency> {
        KNOWN.iter().map(|(code, decimals)| Currency {
            code,
            decimals: *decimals,
        })
    }
}
