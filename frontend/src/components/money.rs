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
