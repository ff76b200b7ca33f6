//! How revenue recognition is drawn everywhere: months as the API names them ("2026-11"), the
//! status of a recognition row and of a ledger period in words and colour, the accounting words
//! for patterns and row kinds, exact amount arithmetic for the rollforward identity, and a
//! simple SVG bar chart by month (recognised solid, planned as a lighter tint of the same
//! colour, in the chart and in the tables), with an optional target line such as a quota.

use leptos::prelude::*;

use crate::{
    api::Money,
    components::{
        aging::axis_scale,
        status::{Badge, Tone},
    },
    format,
};

// ---------------------------------------------------------------------------------------------
// Months
// ---------------------------------------------------------------------------------------------

/// The year and month of "YYYY-MM", when it is one.
pub fn parse_month(text: &str) -> Option<(i32, u32)> {
    let (year, month) = text.trim().split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let year = year.parse::<i32>().ok()?;
    let month = month.parse::<u32>().ok()?;
    (1..=12).contains(&month).then_some((year, month))
}

pub fn is_month(text: &str) -> bool {
    parse_month(text).is_some()
}

/// The month `delta` months after (or before) `month`: ("2026-01", -2) → "2025-11".
pub fn shift_month(month: &str, delta: i32) -> Option<String> {
    let (year, number) = parse_month(month)?;
    let index = year * 12 + i32::try_from(number).ok()? - 1 + delta;
    Some(format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    ))
}

/// The month a date ("2026-11-26") falls in.
pub fn month_of(date: &str) -> String {
    date.get(..7).unwrap_or(date).to_string()
}

/// This month in the browser's time zone.
pub fn current_month() -> String {
    month_of(&format::today_iso())
}

/// Every month from `from` to `to`, both included; empty when `to` is before `from`.
pub fn months_between(from: &str, to: &str) -> Vec<String> {
    let mut months = Vec::new();
    let mut month = from.to_string();
    // A guard, so a typo such as year 9999 cannot build an endless list.
    while is_month(&month) && month.as_str() <= to && months.len() < 600 {
        months.push(month.clone());
        match shift_month(&month, 1) {
            Some(next) => month = next,
            None => break,
        }
    }
    months
}

// ---------------------------------------------------------------------------------------------
// Exact amounts
// ---------------------------------------------------------------------------------------------

/// The amount with its sign turned: "12.50" → "-12.50", "-3" → "3".
pub fn negate(amount: &str) -> String {
    let trimmed = amount.trim();
    match trimmed.strip_prefix('-') {
        Some(rest) => rest.to_string(),
        None => format!("-{}", trimmed.strip_prefix('+').unwrap_or(trimmed)),
    }
}

/// `a − b` exactly, in `a`'s currency; `None` when either is not a decimal number.
pub fn difference(a: &Money, b: &Money) -> Option<Money> {
    format::sum_amounts([a.amount.as_str(), negate(&b.amount).as_str()]).map(|amount| Money {
        amount,
        currency: a.currency.clone(),
    })
}

/// Adds amounts of one currency exactly; `None` when one is not a decimal number.
pub fn sum_money<'a>(
    currency: &str,
    amounts: impl IntoIterator<Item = &'a Money>,
) -> Option<Money> {
    format::sum_amounts(amounts.into_iter().map(|money| money.amount.as_str())).map(|amount| {
        Money {
            amount,
            currency: currency.to_string(),
        }
    })
}

/// A deferred revenue balance as a CFO reads it: the liability, never below zero, and the part
/// that is an asset instead (revenue earned ahead of billing), when the ledger's deferred revenue
/// account holds a debit balance (e.g. a month recognised before its invoice is posted). Both
/// are positive amounts, in the balance's currency and scale; `None` when it is not a number.
pub fn liability_and_asset(balance: &Money) -> Option<(Money, Money)> {
    let zero = format::sum_amounts([balance.amount.as_str(), negate(&balance.amount).as_str()])?;
    let money = |amount: String| Money {
        amount,
        currency: balance.currency.clone(),
    };
    Some(if format::is_negative(&balance.amount) {
        (money(zero), money(negate(&balance.amount)))
    } else {
        (money(balance.amount.clone()), money(zero))
    })
}

/// What moved between deferred revenue and the contract asset over a line of the rollforward:
/// the asset part of the closing balance less that of the opening one, so that
/// `opening + billed − recognised + moved = closing` holds on the liabilities as shown.
pub fn moved_to_contract_asset(opening: &Money, closing: &Money) -> Option<Money> {
    let (_, opening_asset) = liability_and_asset(opening)?;
    let (_, closing_asset) = liability_and_asset(closing)?;
    difference(&closing_asset, &opening_asset)
}

/// The contract asset: unbilled AR plus any debit balance of deferred revenue.
pub fn contract_asset(deferred: &Money, unbilled: &Money) -> Option<Money> {
    let (_, asset) = liability_and_asset(deferred)?;
    format::sum_amounts([asset.amount.as_str(), unbilled.amount.as_str()]).map(|amount| Money {
        amount,
        currency: unbilled.currency.clone(),
    })
}

/// How far `opening + billed − recognised + FX translation` is from the closing deferred
/// balance: zero when the rollforward line ties (the translation is zero in a currency's own rows).
pub fn rollforward_gap(
    opening: &Money,
    billed: &Money,
    recognised: &Money,
    translation: &Money,
    closing: &Money,
) -> Option<Money> {
    let (recognised, closing) = (negate(&recognised.amount), negate(&closing.amount));
    format::sum_amounts([
        opening.amount.as_str(),
        billed.amount.as_str(),
        recognised.as_str(),
        translation.amount.as_str(),
        closing.as_str(),
    ])
    .map(|amount| Money {
        amount,
        currency: opening.currency.clone(),
    })
}

/// The last day of a period whose end the API gives as exclusive (the day after it):
/// "2027-01-01" → "2026-12-31". Anything that is not an ISO date is returned unchanged.
pub fn last_day(exclusive_end: &str) -> String {
    let parts: Vec<&str> = exclusive_end.get(..10).unwrap_or("").split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return exclusive_end.to_string();
    };
    let (Ok(year), Ok(month), Ok(day)) = (
        year.parse::<i32>(),
        month.parse::<u32>(),
        day.parse::<u32>(),
    ) else {
        return exclusive_end.to_string();
    };
    if !(1..=12).contains(&month) || day == 0 {
        return exclusive_end.to_string();
    }
    if day > 1 {
        return format!("{year:04}-{month:02}-{:02}", day - 1);
    }
    let (year, month) = if month == 1 {
        (year - 1, 12)
    } else {
        (year, month - 1)
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    format!("{year:04}-{month:02}-{days:02}")
}

/// A period given as `[start, end)` in words: `1 Jan 2026 – 31 Dec 2026`.
pub fn service_period(start: Option<&str>, exclusive_end: Option<&str>) -> String {
    let end = exclusive_end.map(last_day);
    format::period(start, end.as_deref())
}

/// Amount strings are exact decimals; only chart geometry uses floating point.
fn chart_value(amount: &str) -> f64 {
    amount.trim().parse::<f64>().unwrap_or(0.0)
}

// ---------------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------------

/// An obligation's pattern (`Pattern`) in words.
pub fn pattern_label(pattern: &str) -> &'static str {
    match pattern {
        "RATABLE" => "Ratable over the service period",
        "POINT_IN_TIME" => "Point in time (on delivery)",
        "MILESTONE" => "On milestone acceptance",
        "AS_APPROVED" => "As time is approved (T&M)",
        "AS_INCURRED" => "As usage is incurred",
        _ => "Other",
    }
}

/// The revenue account an obligation earns into, by name with its code: `Subscription (4000)`.
pub fn stream_name(account: &str) -> String {
    let name = match account {
        "4000" => "Subscription",
        "4010" => "Services",
        "4020" => "Usage",
        "4030" => "Licence",
        "4900" => "Contra revenue",
        _ => return format!("Account {account}"),
    };
    format!("{name} revenue ({account})")
}

/// A recognition row's kind in words.
pub fn kind_label(kind: &str) -> String {
    match kind {
        "ratable" => "Ratable".to_string(),
        "satisfaction" => "Satisfaction".to_string(),
        "catch_up" => "Cumulative catch-up".to_string(),
        "adjustment" => "Adjustment".to_string(),
        "timesheet" => "Approved time".to_string(),
        "usage" => "Usage".to_string(),
        other => format::enum_label(other),
    }
}

/// How a modification was accounted for, in words.
pub fn treatment_label(treatment: &str) -> String {
    match treatment {
        "combined" => "Combined with the contract".to_string(),
        "separate" => "Separate contract".to_string(),
        "prospective" => "Prospective".to_string(),
        "catch_up" => "Cumulative catch-up".to_string(),
        "price_concession" => "Price concession".to_string(),
        "discount_assignment" => "Discount assigned".to_string(),
        other => format::enum_label(other),
    }
}

/// The ratable method (`RatableMethod`) in words, with what it means.
pub fn method_label(method: &str) -> (&'static str, &'static str) {
    match method {
        "MONTHLY_EQUAL" => (
            "Monthly, equal parts",
            "Each service month, counted from the start day, gets an equal share (even periods); a service month that straddles two calendar months is split between them by days, so no month books service not yet delivered.",
        ),
        "MONTHLY_PRORATED" => (
            "Monthly, prorated first and last months",
            "Every full calendar month gets an equal share; the partial first and last calendar months get theirs by days.",
        ),
        "HALF_MONTH" => (
            "Half-month convention",
            "Each half-month (1st–15th, 16th–end) gets half a month's share; a service that starts mid-half begins with the next half, so revenue never runs ahead of the service.",
        ),
        "DAILY" => (
            "Daily",
            "Revenue follows the days of service exactly, so partial first and last calendar months get their share by days.",
        ),
        _ => ("Unknown", ""),
    }
}

/// A recognition row: recognised (posted to the ledger) or only planned.
#[component]
pub fn RowStatusBadge(recognised: bool) -> impl IntoView {
    if recognised {
        view! { <Badge tone=Tone::Good label="Recognised" /> }
    } else {
        view! { <Badge tone=Tone::Neutral label="Planned" /> }
    }
}

/// A ledger month: open for posting or closed.
#[component]
pub fn PeriodStatusBadge(closed: bool) -> impl IntoView {
    if closed {
        view! { <Badge tone=Tone::Info label="Closed" /> }
    } else {
        view! { <Badge tone=Tone::Neutral label="Open" /> }
    }
}

/// Whether a rollforward line ties: "Ties" or how far it is off.
#[component]
pub fn TieBadge(gap: Option<Money>) -> impl IntoView {
    match gap {
        Some(gap) if format::is_zero(&gap.amount) => {
            view! { <Badge tone=Tone::Good label="Ties" /> }.into_any()
        }
        Some(gap) => {
            view! { <Badge tone=Tone::Danger label=format!("Off by {}", gap.display()) /> }
                .into_any()
        }
        None => view! { <Badge tone=Tone::Warning label="Cannot check" /> }.into_any(),
    }
}

// ---------------------------------------------------------------------------------------------
// Chart
// ---------------------------------------------------------------------------------------------

/// One series of a month chart: its CSS class (its colour) and its name in the legend.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Series {
    pub class: &'static str,
    pub label: &'static str,
}

/// One month of a chart: the amount of each series, in the order of the series.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartMonth {
    pub month: String,
    pub values: Vec<Money>,
}

/// A dashed line across a month chart at one amount (a quota), named in the legend and on the line.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartTarget {
    pub value: Money,
    pub label: String,
}

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 76.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 214.0;

/// Months as stacked bars, one per month, with labelled axes, a legend, each month's figures on
/// hover and (when there is room) its total over the bar. Negative amounts (a catch-up that
/// reverses revenue) hang below the zero line. A target, when given, is drawn as a dashed line
/// the axis always reaches.
#[component]
pub fn MonthChart(
    #[prop(into)] currency: String,
    series: Vec<Series>,
    months: Vec<ChartMonth>,
    /// What the bars measure, for the y axis and for screen readers.
    #[prop(into)]
    title: String,
    #[prop(default = "month-chart")] test_id: &'static str,
    #[prop(optional)] target: Option<ChartTarget>,
    /// Words added to each month's hover text, by position (e.g. how many contracts a bar holds).
    #[prop(optional)]
    notes: Vec<String>,
    /// What the sum of a month's series is called on hover ("Net change" for movements).
    #[prop(default = "Total")]
    total_label: &'static str,
) -> impl IntoView {
    // Positive parts stack up from zero, negative parts down.
    let stacks: Vec<(f64, f64)> = months
        .iter()
        .map(|month| {
            month.values.iter().fold((0.0, 0.0), |(up, down), money| {
                let value = chart_value(&money.amount);
                if value >= 0.0 {
                    (up + value, down)
                } else {
                    (up, down - value)
                }
            })
        })
        .collect();
    let target_value = target
        .as_ref()
        .map(|target| chart_value(&target.value.amount))
        .filter(|value| *value > 0.0);
    let max_up = stacks
        .iter()
        .map(|(up, _)| *up)
        .fold(target_value.unwrap_or(0.0), f64::max);
    let max_down = stacks.iter().map(|(_, down)| *down).fold(0.0, f64::max);
    let (step, _) = axis_scale(max_up.max(max_down));
    let top = if max_up > 0.0 {
        (max_up / step).ceil() * step
    } else if max_down > 0.0 {
        0.0
    } else {
        step * 4.0
    };
    let bottom = (max_down / step).ceil() * step;
    let range = (top + bottom).max(step);
    let plot_height = BOTTOM - TOP;
    let y_of = move |value: f64| TOP + (top - value) / range * plot_height;
    let zero = y_of(0.0);
    let count = months.len().max(1);
    let slot = (WIDTH - LEFT - RIGHT) / count as f64;
    let bar_width = (slot * 0.64).min(56.0);
    // About a dozen month labels fit under the axis; with more months every n-th is named.
    let label_every = count.div_ceil(12);
    let show_values = count <= 18;
    let ticks: Vec<f64> = (-((bottom / step).round() as i64)..=((top / step).round() as i64))
        .map(|index| index as f64 * step)
        .collect();
    let description = months
        .iter()
        .map(|month| {
            let total = sum_money(&currency, month.values.iter())
                .map_or_else(|| "?".to_string(), |total| total.display());
            format!("{} {total}", format::month(&month.month))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let description = match &target {
        Some(target) => format!("{description}; {} {}", target.label, target.value.display()),
        None => description,
    };
    let legend = series.clone();
    let target_legend = target.as_ref().map(|target| target.label.clone());
    let target_line = target.zip(target_value).map(|(target, value)| {
        let y = y_of(value);
        let text = format!("{} {}", target.label, target.value.display());
        leptos::svg::g()
            .attr("class", "target")
            .attr("data-test", "chart-target")
            .child((
                leptos::svg::title().child(text),
                view! {
                    <line class="target-line" x1=LEFT x2=WIDTH - RIGHT y1=y y2=y />
                    <text class="target-label" x=WIDTH - RIGHT - 4.0 y=y - 5.0 text-anchor="end">
                        {format!("{} {}", target.label, format::compact_money(value, &currency))}
                    </text>
                },
            ))
    });
    view! {
        <div class="month-chart-wrap" data-test=test_id>
            <ul class="chart-legend" aria-hidden="true">
                {legend.into_iter().map(|series| view! {
                    <li><span class=format!("swatch {}", series.class)></span>{series.label}</li>
                }).collect_view()}
                {target_legend.map(|label| view! { <li><span class="swatch target"></span>{label}</li> })}
            </ul>
            <svg
                class="month-chart"
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label=format!("{title} ({currency}) by month: {description}")
            >
                <text class="axis-title" x="4" y="14">{format!("{title} ({currency})")}</text>
                {ticks.into_iter().map(|tick| {
                    let y = y_of(tick);
                    view! {
                        <line class="gridline" x1=LEFT x2=WIDTH - RIGHT y1=y y2=y />
                        <text class="axis-label" x=LEFT - 8.0 y=y + 4.0 text-anchor="end">
                            {format::compact_money(tick, &currency)}
                        </text>
                    }
                }).collect_view()}
                {months.iter().enumerate().map(|(index, month)| {
                    let center = LEFT + slot * (index as f64 + 0.5);
                    let mut up = 0.0;
                    let mut down = 0.0;
                    let rects = month.values.iter().zip(series.iter()).map(|(money, series)| {
                        let value = chart_value(&money.amount);
                        let (from, to) = if value >= 0.0 {
                            let from = up;
                            up += value;
                            (from, up)
                        } else {
                            let from = -down;
                            down -= value;
                            (from, -down)
                        };
                        let (y_high, y_low) = (y_of(from.max(to)), y_of(from.min(to)));
                        // A month with something in it always shows at least a sliver.
                        let height = if value == 0.0 { 0.0 } else { (y_low - y_high).max(1.5) };
                        view! {
                            <rect
                                class=format!("bar {}", series.class)
                                x=center - bar_width / 2.0
                                y=y_high
                                width=bar_width
                                height=height
                            />
                        }
                    }).collect_view();
                    let total = sum_money(&currency, month.values.iter());
                    let tooltip = format!(
                        "{}: {}{}{}",
                        format::month(&month.month),
                        month.values.iter().zip(series.iter())
                            .map(|(money, series)| format!("{} {}", series.label, money.display()))
                            .collect::<Vec<_>>()
                            .join(" · "),
                        total.as_ref().filter(|_| series.len() > 1)
                            .map(|total| format!(" · {total_label} {}", total.display()))
                            .unwrap_or_default(),
                        notes.get(index).map(|note| format!(" · {note}")).unwrap_or_default(),
                    );
                    let (value_up, _) = stacks.get(index).copied().unwrap_or((0.0, 0.0));
                    let value_label = (show_values && total.as_ref().is_some_and(|t| !format::is_zero(&t.amount))).then(|| {
                        let total_value = total.as_ref().map_or(0.0, |t| chart_value(&t.amount));
                        view! {
                            <text class="bar-value" x=center y=y_of(value_up) - 5.0 text-anchor="middle">
                                {format::compact_money(total_value, &currency)}
                            </text>
                        }
                    });
                    // `title` is built as an SVG element by hand: written in `view!` it becomes
                    // an HTML element, which a browser does not show inside a chart.
                    let group = leptos::svg::g()
                        .attr("class", "bar-group")
                        .attr("data-month", month.month.clone())
                        .child((leptos::svg::title().child(tooltip), rects, value_label));
                    let name = month.month.get(5..7).and_then(|m| m.parse::<usize>().ok()).map(|m| {
                        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
                            .get(m.wrapping_sub(1)).copied().unwrap_or("")
                    }).unwrap_or("");
                    let year = month.month.get(..4).unwrap_or("").to_string();
                    let named = index % label_every == 0;
                    let with_year = index == 0 || name == "Jan";
                    view! {
                        {group}
                        {named.then(|| view! {
                            <text class="axis-label month-label" x=center y=BOTTOM + 16.0 text-anchor="middle">{name}</text>
                        })}
                        {(named && with_year).then(|| view! {
                            <text class="axis-label" x=center y=BOTTOM + 30.0 text-anchor="middle">{year}</text>
                        })}
                    }
                }).collect_view()}
                <line class="axis" x1=LEFT x2=WIDTH - RIGHT y1=zero y2=zero />
                {target_line}
                <text class="axis-title" x=LEFT + (WIDTH - LEFT - RIGHT) / 2.0 y=HEIGHT - 4.0 text-anchor="middle">"Month"</text>
            </svg>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(amount: &str) -> Money {
        Money {
            amount: amount.into(),
            currency: "USD".into(),
        }
    }

    #[test]
    fn months_shift_across_years() {
        assert_eq!(shift_month("2026-01", -2).as_deref(), Some("2025-11"));
        assert_eq!(shift_month("2026-11", 2).as_deref(), Some("2027-01"));
        assert_eq!(shift_month("2026-13", 1), None);
        assert_eq!(
            months_between("2026-11", "2027-02"),
            vec!["2026-11", "2026-12", "2027-01", "2027-02"]
        );
        assert!(months_between("2026-11", "2026-10").is_empty());
        assert_eq!(month_of("2026-11-26"), "2026-11");
    }

    #[test]
    fn the_rollforward_identity_is_checked_exactly() {
        let gap = rollforward_gap(
            &money("1000.00"),
            &money("1200.00"),
            &money("100.10"),
            &money("0"),
            &money("2099.90"),
        );
        assert_eq!(gap.map(|g| format::is_zero(&g.amount)), Some(true));
        let gap = rollforward_gap(
            &money("0"),
            &money("10"),
            &money("2.5"),
            &money("0"),
            &money("7"),
        );
        assert_eq!(gap.map(|g| g.amount).as_deref(), Some("0.5"));
        // In the functional view the translation closes what the rates' move opened.
        let gap = rollforward_gap(
            &money("1100.00"),
            &money("220.00"),
            &money("110.00"),
            &money("-21.00"),
            &money("1189.00"),
        );
        assert_eq!(gap.map(|g| format::is_zero(&g.amount)), Some(true));
        assert_eq!(negate("-3"), "3");
        assert_eq!(
            difference(&money("5"), &money("7.25"))
                .map(|m| m.amount)
                .as_deref(),
            Some("-2.25")
        );
    }

    #[test]
    fn exclusive_ends_show_their_last_day() {
        assert_eq!(last_day("2027-01-01"), "2026-12-31");
        assert_eq!(last_day("2028-03-01"), "2028-02-29");
        assert_eq!(last_day("2026-03-01"), "2026-02-28");
        assert_eq!(last_day("2026-11-15"), "2026-11-14");
        assert_eq!(last_day("soon"), "soon");
        assert_eq!(
            service_period(Some("2026-01-01"), Some("2027-01-01")),
            "1 Jan 2026 – 31 Dec 2026"
        );
    }

    #[test]
    fn deferred_revenue_reads_as_a_positive_liability_with_the_asset_apart() {
        // Proves a debit balance of deferred revenue is shown as no liability and a contract
        // asset, both positive, and that the rollforward still adds up on the amounts shown.
        let usd = |amount: &str| Money {
            amount: amount.into(),
            currency: "USD".into(),
        };
        assert_eq!(
            liability_and_asset(&usd("-461182.41")),
            Some((usd("0.00"), usd("461182.41")))
        );
        assert_eq!(
            liability_and_asset(&usd("369940.83")),
            Some((usd("369940.83"), usd("0.00")))
        );
        assert_eq!(liability_and_asset(&usd("n/a")), None);
        // September: opening −461,182.41 + billed 914,833.33 − recognised 83,710.09 = 369,940.83.
        let moved = moved_to_contract_asset(&usd("-461182.41"), &usd("369940.83"));
        assert_eq!(moved, Some(usd("-461182.41")));
        let shown = format::sum_amounts(["0.00", "914833.33", "-83710.09", "-461182.41"]);
        assert_eq!(shown.as_deref(), Some("369940.83"));
        assert_eq!(
            contract_asset(&usd("-100.00"), &usd("25.50")),
            Some(usd("125.50"))
        );
    }
}
