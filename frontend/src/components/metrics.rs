//! How revenue-ops metrics are drawn everywhere: the MRR movements in the same colours in every
//! chart, legend and figure (new, reactivation and expansion add; contraction and churn take
//! away and hang below the zero line), the expansion kinds in words, and the MRR movements of
//! the months as a chart.

use leptos::prelude::*;

use crate::{
    api::{Money, MrrBridge, MrrMonth},
    components::revenue::{negate, ChartMonth, MonthChart, Series},
};

/// The movements of the MRR bridge: the CSS class of their colour and their name.
pub const MRR_NEW: Series = Series {
    class: "mrr-new",
    label: "New",
};
pub const MRR_REACTIVATION: Series = Series {
    class: "mrr-reactivation",
    label: "Reactivation",
};
pub const MRR_EXPANSION: Series = Series {
    class: "mrr-expansion",
    label: "Expansion",
};
pub const MRR_CONTRACTION: Series = Series {
    class: "mrr-contraction",
    label: "Contraction",
};
pub const MRR_CHURN: Series = Series {
    class: "mrr-churn",
    label: "Churn",
};

/// The five movements in the order they are stacked and listed.
pub fn mrr_series() -> Vec<Series> {
    vec![
        MRR_NEW,
        MRR_REACTIVATION,
        MRR_EXPANSION,
        MRR_CONTRACTION,
        MRR_CHURN,
    ]
}

/// A bridge's movements as signed amounts in the order of [`mrr_series`]: what adds is
/// positive, what takes away negative.
pub fn signed_movements(bridge: &MrrBridge) -> Vec<Money> {
    let down = |money: &Money| Money {
        amount: if crate::format::is_zero(&money.amount) {
            money.amount.clone()
        } else {
            negate(&money.amount)
        },
        currency: money.currency.clone(),
    };
    vec![
        bridge.new.clone(),
        bridge.reactivation.clone(),
        bridge.expansion.clone(),
        down(&bridge.contraction),
        down(&bridge.churn),
    ]
}

/// The MRR movements of each month as stacked bars, adds above the zero line and losses below,
/// with each month's movements and net change on hover.
#[component]
pub fn MrrMovementChart(months: Vec<MrrMonth>, #[prop(into)] currency: String) -> impl IntoView {
    let chart_months: Vec<ChartMonth> = months
        .iter()
        .map(|month| ChartMonth {
            month: month.month.clone(),
            values: signed_movements(&month.movements),
        })
        .collect();
    let notes: Vec<String> = months
        .iter()
        .map(|month| {
            format!(
                "MRR {} → {} (measured {})",
                month.movements.opening.display(),
                month.movements.closing.display(),
                crate::format::date(&month.measured_on)
            )
        })
        .collect();
    view! {
        <MonthChart
            currency=currency
            series=mrr_series()
            months=chart_months
            title="MRR movement"
            test_id="mrr-movement-chart"
            notes=notes
            total_label="Net change"
        />
    }
}

/// An expansion kind in words.
pub fn expansion_kind_label(kind: &str) -> String {
    match kind {
        "SEATS" => "Seats".to_string(),
        "MODULE" => "Module upsell".to_string(),
        "UPGRADE" => "Plan upgrade".to_string(),
        "USAGE" => "Usage".to_string(),
        "UPLIFT" => "Renewal uplift".to_string(),
        other => crate::format::enum_label(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(amount: &str) -> Money {
        Money {
            amount: amount.into(),
            currency: "USD".into(),
        }
    }

    #[test]
    fn losses_hang_below_the_line() {
        let bridge = MrrBridge {
            opening: usd("1000.00"),
            new: usd("200.00"),
            reactivation: usd("0.00"),
            expansion: usd("50.00"),
            contraction: usd("25.00"),
            churn: usd("0.00"),
            closing: usd("1225.00"),
            net_change: usd("225.00"),
            net_percent: Some("22.50".into()),
        };
        let amounts: Vec<String> = signed_movements(&bridge)
            .into_iter()
            .map(|money| money.amount)
            .collect();
        assert_eq!(amounts, ["200.00", "0.00", "50.00", "-25.00", "0.00"]);
    }
}
