use super::*;
use proptest::prelude::*;

fn usd() -> Currency {
    Currency::USD
}

#[test]
fn parses_exact_amounts_in_0_2_and_3_decimal_currencies() {
    // Proves amounts are read exactly in each currency's own minor unit.
    let jpy = Currency::parse("JPY").unwrap();
    let kwd = Currency::parse("kwd").unwrap();
    assert_eq!(Money::parse("12400.50", usd()).unwrap().minor(), 1_240_050);
    assert_eq!(Money::parse("12400.5", usd()).unwrap().minor(), 1_240_050);
    assert_eq!(Money::parse("-0.01", usd()).unwrap().minor(), -1);
    assert_eq!(Money::parse("1200", jpy).unwrap().minor(), 1200);
    assert_eq!(Money::parse("1.234", kwd).unwrap().minor(), 1234);
    assert_eq!(Money::parse("1.234", kwd).unwrap().amount_string(), "1.234");
    assert_eq!(Money::from_minor(5, usd()).amount_string(), "0.05");
    assert_eq!(Money::from_minor(-5, usd()).amount_string(), "-0.05");
    assert_eq!(Money::from_minor(1200, jpy).amount_string(), "1200");
}

#[test]
fn refuses_too_many_digits_and_malformed_text() {
    // Proves nothing is silently rounded or guessed while parsing.
    let jpy = Currency::parse("JPY").unwrap();
    assert!(matches!(
        Money::parse("1.005", usd()),
        Err(MoneyError::TooManyDecimals { .. })
    ));
    assert!(matches!(
        Money::parse("1.5", jpy),
        Err(MoneyError::TooManyDecimals { .. })
    ));
    for bad in [
        "", "-", "1,000.00", "1e3", "+5", " 5", "5.", ".5", "1.2.3", "abc", "--1",
    ] {
        assert!(
            Money::parse(bad, usd()).is_err(),
            "{bad:?} should be refused"
        );
    }
    assert_eq!(
        Money::parse("99999999999999999999", usd()),
        Err(MoneyError::Overflow)
    );
    assert_eq!(
        Money::parse("1000000000000.00", usd()),
        Ok(Money::maximum(usd()))
    );
    assert_eq!(
        Money::parse("-1000000000000.01", usd()).map_err(|error| error.to_string()),
        Err("-1000000000000.01 is outside the amounts accepted: at most USD 1,000,000,000,000.00 either side of zero"
            .to_owned())
    );
    assert!(Currency::parse("XYZ").is_err());
}

#[test]
fn arithmetic_is_checked_and_single_currency() {
    // Proves mixing currencies and overflowing are errors, not wrong numbers.
    let eur = Currency::parse("EUR").unwrap();
    let ten = Money::from_minor(1000, usd());
    assert_eq!(ten.checked_add(ten).unwrap().minor(), 2000);
    assert!(matches!(
        ten.checked_add(Money::from_minor(1, eur)),
        Err(MoneyError::CurrencyMismatch { .. })
    ));
    assert_eq!(
        Money::from_minor(i64::MAX, usd()).checked_add(Money::from_minor(1, usd())),
        Err(MoneyError::Overflow)
    );
    assert_eq!(
        Money::from_minor(i64::MIN, usd()).checked_neg(),
        Err(MoneyError::Overflow)
    );
}

#[test]
fn rounding_is_explicit_at_the_call_site() {
    // Proves the caller's rounding strategy decides the last minor unit.
    let amount = Money::from_minor(1001, usd()); // 10.01
    let half = Rate::new(Decimal::new(5, 1));
    assert_eq!(
        half.apply(amount, RoundingStrategy::MidpointAwayFromZero)
            .unwrap()
            .minor(),
        501
    );
    assert_eq!(
        half.apply(amount, RoundingStrategy::MidpointNearestEven)
            .unwrap()
            .minor(),
        500
    );
    assert_eq!(
        half.apply(amount, RoundingStrategy::ToZero)
            .unwrap()
            .minor(),
        500
    );
}

#[test]
fn display_groups_thousands() {
    // Proves the message format finance users read.
    assert_eq!(
        Money::from_minor(12_500_000_000, usd()).to_string(),
        "USD 125,000,000.00"
    );
    assert_eq!(Money::from_minor(-500, usd()).to_string(), "USD -5.00");
    assert_eq!(
        Money::from_minor(1200, Currency::parse("JPY").unwrap()).to_string(),
        "JPY 1,200"
    );
}

#[test]
fn allocation_gives_leftover_to_largest_remainders_then_earliest() {
    // Proves the documented tie-break: 100 cents over three equal parts is 34, 33, 33.
    let parts = allocate(Money::from_minor(100, usd()), &[1, 1, 1]).unwrap();
    assert_eq!(
        parts.iter().map(Money::minor).collect::<Vec<_>>(),
        vec![34, 33, 33]
    );
    let parts = allocate(Money::from_minor(-100, usd()), &[1, 1, 1]).unwrap();
    assert_eq!(
        parts.iter().map(Money::minor).collect::<Vec<_>>(),
        vec![-34, -33, -33]
    );
    assert_eq!(
        allocate(Money::from_minor(1, usd()), &[]),
        Err(AllocationError::NoParts)
    );
    assert_eq!(
        allocate(Money::from_minor(1, usd()), &[0, 0]),
        Err(AllocationError::ZeroWeights)
    );
}

proptest! {
    #[test]
    fn allocation_always_sums_to_the_whole(total in -1_000_000_000_000i64..1_000_000_000_000i64,
                                          weights in proptest::collection::vec(0u64..1_000_000, 1..20)) {
        // Proves the parts of any allocation add back to the total exactly.
        prop_assume!(weights.iter().any(|weight| *weight > 0));
        let parts = allocate(Money::from_minor(total, usd()), &weights).unwrap();
        prop_assert_eq!(parts.len(), weights.len());
        prop_assert_eq!(parts.iter().map(Money::minor).sum::<i64>(), total);
        // No part strays more than one minor unit from its exact share.
        let weight_sum: i128 = weights.iter().map(|weight| i128::from(*weight)).sum();
        for (part, weight) in parts.iter().zip(&weights) {
            let exact = i128::from(total) * i128::from(*weight);
            let floor = exact.div_euclid(weight_sum);
            let distance = (i128::from(part.minor()) * weight_sum - exact).abs();
            prop_assert!(distance < weight_sum * 2, "part {} floor {}", part.minor(), floor);
        }
    }

    #[test]
    fn parse_and_print_round_trip(minor in any::<i64>().prop_filter("negatable", |value| *value != i64::MIN),
                                  currency_index in 0usize..32) {
        // Proves amount_string is exactly what parse reads back, in every currency, for every
        // amount within the input bound, and that parse refuses every amount beyond it.
        let currency = Currency::all().nth(currency_index % Currency::all().count()).unwrap();
        let maximum = Money::maximum(currency).minor();
        let money = Money::from_minor(minor % (maximum + 1), currency);
        prop_assert_eq!(Money::parse(&money.amount_string(), currency).unwrap(), money);
        if minor.abs() > maximum {
            let beyond = Money::from_minor(minor, currency);
            let refused = matches!(
                Money::parse(&beyond.amount_string(), currency),
                Err(MoneyError::AboveMaximum { .. })
            );
            prop_assert!(refused, "{} should be refused", beyond);
        }
    }
}
