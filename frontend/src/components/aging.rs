//! How AR aging is drawn everywhere: the four buckets in the same colours from calm to
//! alarming, the collections marks on the old buckets, a simple SVG bar chart and the totals
//! table whose figures link to the invoices behind them.

use leptos::prelude::*;

use crate::{
    api::{AgingBucketTotal, AgingSummary, AGING_BUCKETS},
    format,
};

/// The bucket's name when the server's label is not at hand (table headers).
pub fn bucket_label(bucket: &str) -> &'static str {
    match bucket {
        "CURRENT" => "Current (0–30)",
        "DAYS_31_TO_60" => "31–60 days",
        "DAYS_61_TO_90" => "61–90 days",
        "OVER_90" => "Over 90 days",
        _ => "Other",
    }
}

/// What the collections ladder does at this age, for the buckets where it acts.
pub fn bucket_mark(bucket: &str) -> Option<&'static str> {
    match bucket {
        "DAYS_61_TO_90" => Some("Proactive collections"),
        "OVER_90" => Some("CFO escalation"),
        _ => None,
    }
}

/// The colour family of a bucket (CSS `aging-1` … `aging-4`), the same in every chart and table.
pub fn bucket_class(bucket: &str) -> &'static str {
    match bucket {
        "CURRENT" => "aging-1",
        "DAYS_31_TO_60" => "aging-2",
        "DAYS_61_TO_90" => "aging-3",
        "OVER_90" => "aging-4",
        _ => "aging-0",
    }
}

/// A bucket as words with its colour swatch, and the collections mark under it.
#[component]
pub fn BucketName(bucket: String, #[prop(optional, into)] label: Option<String>) -> impl IntoView {
    let label = label.unwrap_or_else(|| bucket_label(&bucket).to_string());
    view! {
        <span class="bucket-name">
            <span class=format!("swatch {}", bucket_class(&bucket)) aria-hidden="true"></span>
            {label}
        </span>
        {bucket_mark(&bucket).map(|mark| view! {
            <span class=format!("bucket-mark {}", bucket_class(&bucket))>{mark}</span>
        })}
    }
}

/// The gridline step and the axis top for amounts up to `max`: steps of 1, 2 or 5 times a power
/// of ten, about four of them.
pub fn axis_scale(max: f64) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (1.0, 4.0);
    }
    let raw = max / 4.0;
    let magnitude = 10_f64.powf(raw.log10().floor());
    let normalised = raw / magnitude;
    let nice = if normalised <= 1.0 {
        1.0
    } else if normalised <= 2.0 {
        2.0
    } else if normalised <= 5.0 {
        5.0
    } else {
        10.0
    };
    let step = nice * magnitude;
    (step, (max / step).ceil() * step)
}

/// Amount strings are exact decimals; only the bar heights use floating point.
fn bar_value(bucket: &AgingBucketTotal) -> f64 {
    bucket.amount.amount.parse::<f64>().unwrap_or(0.0).max(0.0)
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 270.0;
const LEFT: f64 = 76.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 212.0;

/// The four buckets of one currency as bars: amount labelled on each bar, the details on
/// hover, and each bar a link to the invoices behind it (`href` gets the bucket).
#[component]
pub fn AgingChart(
    summary: AgingSummary,
    /// "INVOICE_DATE" or "DUE_DATE": names the x axis.
    #[prop(into)]
    basis: String,
    href: Callback<String, String>,
) -> impl IntoView {
    let currency = summary.currency.clone();
    let max = summary.buckets.iter().map(bar_value).fold(0.0, f64::max);
    let (step, top) = axis_scale(max);
    let plot_height = BOTTOM - TOP;
    let y_of = move |value: f64| BOTTOM - value / top * plot_height;
    let slot = (WIDTH - LEFT - RIGHT) / summary.buckets.len().max(1) as f64;
    let bar_width = (slot * 0.56).min(96.0);
    let ticks: Vec<f64> = (0..)
        .map(|index| f64::from(index) * step)
        .take_while(|tick| *tick <= top + step / 2.0)
        .collect();
    let x_title = if basis == "DUE_DATE" {
        "Days past due"
    } else {
        "Days since invoice date"
    };
    let description = summary
        .buckets
        .iter()
        .map(|bucket| format!("{} {}", bucket.label, bucket.amount.display()))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <svg
            class="aging-chart"
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            // A group, not an image: its bars are links to their invoices, and an image may not
            // hold anything interactive (axe nested-interactive).
            role="group"
            aria-label=format!("Aging of {currency} receivables: {description}")
            data-test="aging-chart"
        >
            <text class="axis-title" x="4" y="14">{format!("Open amount ({currency})")}</text>
            {ticks.into_iter().map(|tick| {
                let y = y_of(tick);
                view! {
                    <line class="gridline" x1=LEFT x2=WIDTH - RIGHT y1=y y2=y />
                    <text class="axis-label" x=LEFT - 8.0 y=y + 4.0 text-anchor="end">
                        {format::compact_money(tick, &currency)}
                    </text>
                }
            }).collect_view()}
            <line class="axis" x1=LEFT x2=WIDTH - RIGHT y1=BOTTOM y2=BOTTOM />
            {summary.buckets.iter().enumerate().map(|(index, bucket)| {
                let center = LEFT + slot * (index as f64 + 0.5);
                let value = bar_value(bucket);
                let y = y_of(value);
                // A bucket with something in it always shows at least a sliver.
                let height = if value > 0.0 { (BOTTOM - y).max(2.0) } else { 0.0 };
                let mark = bucket_mark(&bucket.bucket);
                let tooltip = format!(
                    "{}: {} in {} invoice(s), {} of {} AR{}",
                    bucket.label,
                    bucket.amount.display(),
                    bucket.count,
                    format::percent_text(&bucket.percent),
                    currency,
                    mark.map(|mark| format!(" · {mark}")).unwrap_or_default(),
                );
                let bar = view! {
                    <rect
                        class=format!("bar {}", bucket_class(&bucket.bucket))
                        x=center - bar_width / 2.0
                        y=BOTTOM - height
                        width=bar_width
                        height=height
                        rx="2"
                    />
                    <text class="bar-value" x=center y=BOTTOM - height - 6.0 text-anchor="middle">
                        {bucket.amount.display()}
                    </text>
                };
                // `a` and `title` are built as SVG elements by hand: written in `view!` outside an
                // `<svg>` they become HTML elements, which a browser does not draw inside a chart.
                let link = leptos::svg::a()
                    .attr("href", href.run(bucket.bucket.clone()))
                    .attr("class", "bar-link")
                    .attr("aria-label", tooltip.clone())
                    .attr("data-bucket", bucket.bucket.clone())
                    .child((leptos::svg::title().child(tooltip), bar));
                view! {
                    <g class="bar-group">
                        {link}
                        <text class="axis-label bucket-label" x=center y=BOTTOM + 18.0 text-anchor="middle">
                            {bucket.label.clone()}
                        </text>
                        {mark.map(|mark| view! {
                            <text class=format!("chart-mark {}", bucket_class(&bucket.bucket)) x=center y=BOTTOM + 34.0 text-anchor="middle">
                                {format!("▲ {mark}")}
                            </text>
                        })}
                    </g>
                }
            }).collect_view()}
            <text class="axis-title" x=LEFT + (WIDTH - LEFT - RIGHT) / 2.0 y=HEIGHT - 6.0 text-anchor="middle">
                {x_title}
            </text>
        </svg>
    }
}

/// The buckets of one currency as a table: amount (each a link to its invoices), invoice count
/// and share of AR, with the total. `href` gets the bucket, or nothing for the total.
#[component]
pub fn AgingTotals(summary: AgingSummary, href: Callback<Option<String>, String>) -> impl IntoView {
    let buckets = summary.buckets.clone();
    let amounts = buckets.clone();
    let counts = buckets.clone();
    view! {
        <table class="table compact aging-totals" data-test="aging-totals">
            <thead>
                <tr>
                    <th scope="col"><span class="visually-hidden">"Measure"</span></th>
                    {buckets.into_iter().map(|bucket| view! {
                        <th scope="col" class="num">
                            <BucketName bucket=bucket.bucket.clone() label=bucket.label.clone() />
                        </th>
                    }).collect_view()}
                    <th scope="col" class="num">"Total"</th>
                </tr>
            </thead>
            <tbody>
                <tr>
                    <th scope="row">{format!("Open ({})", summary.currency)}</th>
                    {amounts.into_iter().map(|bucket| view! {
                        <td class="num">
                            <FigureLink href=href.run(Some(bucket.bucket.clone())) count=bucket.count text=bucket.amount.display() />
                        </td>
                    }).collect_view()}
                    <td class="num strong">
                        <FigureLink href=href.run(None) count=summary.count text=summary.total.display() />
                    </td>
                </tr>
                <tr>
                    <th scope="row">"Invoices"</th>
                    {counts.iter().map(|bucket| view! { <td class="num">{bucket.count}</td> }).collect_view()}
                    <td class="num">{summary.count}</td>
                </tr>
                <tr>
                    <th scope="row">"Share of AR"</th>
                    {counts.into_iter().map(|bucket| view! {
                        <td class="num">{format::percent_text(&bucket.percent)}</td>
                    }).collect_view()}
                    <td class="num">"100.0%"</td>
                </tr>
            </tbody>
        </table>
    }
}

/// A sum that opens the rows behind it; a zero sum has nothing behind it and is plain text.
#[component]
pub fn FigureLink(href: String, count: i64, text: String) -> impl IntoView {
    if count > 0 {
        view! { <a href=href class="figure-link">{text}</a> }.into_any()
    } else {
        view! { <span class="muted">{text}</span> }.into_any()
    }
}

/// All open AR in one table: a row per currency with its buckets, total and invoice count, then
/// the total row in the functional currency. Each currency's total is converted once at the
/// date's rates and split over its buckets, so the total row's buckets add up to its total and
/// that total is the dashboard's outstanding figure to the cent. A currency without a rate is
/// left out of the total and named below the table. Every currency's figure opens the invoices
/// behind it: `href` gets the currency and the bucket (none for the total).
#[component]
pub fn AgingOverall(
    summaries: Vec<AgingSummary>,
    functional: AgingSummary,
    warnings: Vec<String>,
    as_of: String,
    href: Callback<(String, Option<String>), String>,
) -> impl IntoView {
    let functional = ordered(functional);
    let functional_currency = functional.currency.clone();
    let converted = summaries
        .iter()
        .any(|summary| summary.currency != functional_currency);
    let functional_cell = |bucket: Option<&'static str>| {
        let amount = match bucket {
            None => functional.total.display(),
            Some(bucket) => functional
                .buckets
                .iter()
                .find(|total| total.bucket == bucket)
                .map(|total| total.amount.display())
                .unwrap_or_else(|| "—".to_string()),
        };
        view! {
            <td class="num strong" data-bucket=bucket.unwrap_or("TOTAL")>{amount}</td>
        }
    };
    view! {
        <section class="panel aging-overall" aria-labelledby="aging-overall-title">
            <h2 id="aging-overall-title">"All open receivables"</h2>
            <div class="table-scroll">
                <table class="table compact" data-test="aging-overall">
                    <thead>
                        <tr>
                            <th scope="col">"Currency"</th>
                            {AGING_BUCKETS.iter().map(|bucket| view! {
                                <th scope="col" class="num"><BucketName bucket=bucket.to_string() /></th>
                            }).collect_view()}
                            <th scope="col" class="num">"Total"</th>
                            <th scope="col" class="num">"Invoices"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {summaries.iter().map(|summary| {
                            let currency = summary.currency.clone();
                            view! {
                                <tr data-currency=currency.clone()>
                                    <th scope="row">{currency.clone()}</th>
                                    {AGING_BUCKETS.iter().map(|bucket| {
                                        let figure = summary.buckets.iter().find(|total| total.bucket == *bucket);
                                        let (count, text) = figure
                                            .map(|total| (total.count, total.amount.display()))
                                            .unwrap_or((0, "—".to_string()));
                                        let link = href.run((currency.clone(), Some(bucket.to_string())));
                                        view! {
                                            <td class="num" data-bucket=*bucket>
                                                <FigureLink href=link count=count text=text />
                                            </td>
                                        }
                                    }).collect_view()}
                                    <td class="num strong" data-bucket="TOTAL">
                                        <FigureLink href=href.run((currency.clone(), None)) count=summary.count text=summary.total.display() />
                                    </td>
                                    <td class="num">{format::count(summary.count)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr class="total-row" data-test="aging-overall-total" data-currency=functional_currency.clone()>
                            <th scope="row">{format!("Total in {functional_currency}")}</th>
                            {AGING_BUCKETS.iter().map(|bucket| functional_cell(Some(*bucket))).collect_view()}
                            {functional_cell(None)}
                            <td class="num strong">{format::count(functional.count)}</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
            {converted.then(|| view! {
                <p class="muted small" data-test="aging-conversion">
                    {format!(
                        "Other currencies are converted to {functional_currency} at the rates of {}: each currency's total once, then split over its buckets, so the buckets add up to the total.",
                        format::date(&as_of)
                    )}
                </p>
            })}
            {(!warnings.is_empty()).then(|| view! {
                <div class="alert alert-warning" role="status" data-test="aging-conversion-warnings">
                    {warnings.into_iter().map(|warning| view! { <p>{warning}</p> }).collect_view()}
                </div>
            })}
        </section>
    }
}

/// The buckets of a summary in the fixed order, whatever order the server sent them in.
pub fn ordered(mut summary: AgingSummary) -> AgingSummary {
    summary.buckets.sort_by_key(|bucket| {
        AGING_BUCKETS
            .iter()
            .position(|known| *known == bucket.bucket)
            .unwrap_or(AGING_BUCKETS.len())
    });
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_steps_are_round_and_cover_the_largest_bar() {
        assert_eq!(axis_scale(12_400.0), (5_000.0, 15_000.0));
        assert_eq!(axis_scale(100.0), (50.0, 100.0));
        assert_eq!(axis_scale(0.0), (1.0, 4.0));
        let (step, top) = axis_scale(987_654.0);
        assert!(top >= 987_654.0 && top / step <= 5.0);
    }

    #[test]
    fn only_the_old_buckets_carry_a_collections_mark() {
        assert_eq!(bucket_mark("CURRENT"), None);
        assert_eq!(bucket_mark("DAYS_31_TO_60"), None);
        assert_eq!(bucket_mark("DAYS_61_TO_90"), Some("Proactive collections"));
        assert_eq!(bucket_mark("OVER_90"), Some("CFO escalation"));
    }
}
