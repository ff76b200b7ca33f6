//! Money as it appears in tables: right-aligned tabular figures, credits visibly marked.

use leptos::prelude::*;

use crate::{api::Money, format};

/// A table cell holding an amount; negative amounts get their own class so credits and
/// reversals read differently from charges.
#[component]
pub fn MoneyCell(money: Option<Money>) -> impl IntoView {
    match money {
        Some(money) => {
            let class = if format::is_negative(&money.amount) {
                "num negative"
            } else {
                "num"
            };
            view! { <td class=class>{money.display()}</td> }.into_any()
        }
        None => view! { <td class="num muted">"—"</td> }.into_any(),
    }
}

/// Amounts in several currencies (one per currency), one per line; a dash when there are none.
#[component]
pub fn MoneyListCell(amounts: Vec<Money>) -> impl IntoView {
    if amounts.is_empty() {
        return view! { <td class="num muted">"—"</td> }.into_any();
    }
    view! {
        <td class="num">
            {amounts.into_iter().map(|money| {
                let class = if format::is_negative(&money.amount) { "negative" } else { "" };
                view! { <div class=class>{money.display()}</div> }
            }).collect_view()}
        </td>
    }
    .into_any()
}

/// An amount inline in text.
#[component]
pub fn Amount(money: Money) -> impl IntoView {
    let class = if format::is_negative(&money.amount) {
        "amount negative"
    } else {
        "amount"
    };
    view! { <span class=class>{money.display()}</span> }
}

/// Exact totals per currency, in the order each currency first appears; `None` when an amount
/// is not a decimal number.
pub fn totals_by_currency<'a>(amounts: impl IntoIterator<Item = &'a Money>) -> Option<Vec<Money>> {
    let mut groups: Vec<(String, Vec<&'a str>)> = Vec::new();
    for money in amounts {
        match groups
            .iter_mut()
            .find(|(currency, _)| *currency == money.currency)
        {
            Some((_, group)) => group.push(&money.amount),
            None => groups.push((money.currency.clone(), vec![&money.amount])),
        }
    }
    groups
        .into_iter()
        .map(|(currency, group)| {
            format::sum_amounts(group).map(|amount| Money { amount, currency })
        })
        .collect()
}

/// Totals per currency as text: `$12,400.00 + €3,000.00`.
pub fn totals_text<'a>(amounts: impl IntoIterator<Item = &'a Money>) -> String {
    match totals_by_currency(amounts) {
        Some(totals) if totals.is_empty() => "nothing".to_string(),
        Some(totals) => totals
            .iter()
            .map(Money::display)
            .collect::<Vec<_>>()
            .join(" + "),
        None => "an amount that could not be added up".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(amount: &str, currency: &str) -> Money {
        Money {
            amount: amount.into(),
            currency: currency.into(),
        }
    }

    #[test]
    fn totals_are_kept_per_currency() {
        let amounts = [
            money("10.00", "USD"),
            money("5.50", "EUR"),
            money("2.25", "USD"),
        ];
        assert_eq!(
            totals_by_currency(&amounts),
            Some(vec![money("12.25", "USD"), money("5.50", "EUR")])
        );
        assert_eq!(totals_text(&amounts), "$12.25 + €5.50");
        assert_eq!(totals_text(&[]), "nothing");
    }
}
