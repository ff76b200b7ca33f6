//! Turns API values (decimal strings, ISO dates, enum names) into the text finance people expect.
//!
//! Amounts arrive as decimal strings ("12400.00") and are never converted to floating point, so a
//! formatted figure is always exactly the figure the ledger holds.

/// How many minor-unit digits a currency uses (ISO 4217); two unless listed.
pub fn currency_decimals(currency: &str) -> usize {
    match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" | "XAF" | "XOF" | "PYG" | "RWF" => 0,
        "KWD" | "BHD" | "OMR" | "JOD" | "TND" | "IQD" | "LYD" => 3,
        _ => 2,
    }
}

/// The symbol written before the amount, for currencies whose symbol is unambiguous in en-US.
/// Other currencies are written with their code after the amount ("1,234.567 KWD").
fn currency_symbol(currency: &str) -> Option<&'static str> {
    match currency {
        "USD" => Some("$"),
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        "INR" => Some("₹"),
        "CAD" => Some("CA$"),
        "AUD" => Some("A$"),
        _ => None,
    }
}

/// Groups the digits of a non-negative integer string in threes: "1234567" → "1,234,567".
fn group_thousands(digits: &str) -> String {
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// A whole number with thousands separators, for counts of rows and records: `10,000`.
pub fn count(number: i64) -> String {
    let grouped = group_thousands(&number.unsigned_abs().to_string());
    if number < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// A decimal quantity (usage read, hours) with thousands separators and its decimals as given:
/// `16,000`, `1,250.5`. Text that is not a decimal number is shown unchanged.
pub fn quantity(decimal: &str) -> String {
    let trimmed = decimal.trim();
    let (sign, unsigned) = match trimmed.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", trimmed),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return trimmed.to_string();
    }
    let fraction = fraction.trim_end_matches('0');
    let grouped = group_thousands(whole);
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

/// A file size in megabytes with one decimal (at least 0.1): `12.5 MB`.
pub fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", (bytes / 1_048_576.0).max(0.1))
}

/// Formats a decimal amount string in a currency: `$12,400.00`, `¥1,200`, `1,234.567 KWD`,
/// `-$5.00`. Missing decimals are padded to the currency's own; extra digits are kept rather
/// than rounded away, because a display must never change a figure. Text that is not a decimal
/// number is shown unchanged with its currency so nothing is hidden.
pub fn money(amount: &str, currency: &str) -> String {
    let trimmed = amount.trim();
    let (negative, unsigned) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let is_number = !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.chars().all(|c| c.is_ascii_digit());
    if !is_number {
        return format!("{trimmed} {currency}");
    }
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let decimals = currency_decimals(currency);
    let mut fraction = fraction.to_string();
    while fraction.len() < decimals {
        fraction.push('0');
    }
    let is_zero = whole == "0" && fraction.chars().all(|c| c == '0');
    let sign = if negative && !is_zero { "-" } else { "" };
    let number = if fraction.is_empty() {
        group_thousands(whole)
    } else {
        format!("{}.{fraction}", group_thousands(whole))
    };
    match currency_symbol(currency) {
        Some(symbol) => format!("{sign}{symbol}{number}"),
        None => format!("{sign}{number} {currency}"),
    }
}

/// True when a decimal amount string is below zero; used to style credits differently.
pub fn is_negative(amount: &str) -> bool {
    let trimmed = amount.trim();
    trimmed.starts_with('-') && trimmed.chars().any(|c| ('1'..='9').contains(&c))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Formats an ISO date ("2026-11-26", or the date part of an RFC 3339 timestamp) as
/// `26 Nov 2026`. Anything else is returned unchanged.
pub fn date(iso: &str) -> String {
    let day_part = iso.get(..10).unwrap_or(iso);
    let mut parts = day_part.splitn(3, '-');
    let (Some(year), Some(month), Some(day)) = (parts.next(), parts.next(), parts.next()) else {
        return iso.to_string();
    };
    let month_name = month
        .parse::<usize>()
        .ok()
        .and_then(|number| number.checked_sub(1))
        .and_then(|index| MONTHS.get(index));
    match (month_name, day.parse::<u32>()) {
        (Some(month_name), Ok(day)) if year.len() == 4 => format!("{day} {month_name} {year}"),
        _ => iso.to_string(),
    }
}

/// Formats a month ("2026-11") as `Nov 2026`. Anything else is returned unchanged.
pub fn month(year_month: &str) -> String {
    let Some((year, month)) = year_month.split_once('-') else {
        return year_month.to_string();
    };
    let month_name = month
        .parse::<usize>()
        .ok()
        .and_then(|number| number.checked_sub(1))
        .and_then(|index| MONTHS.get(index));
    match month_name {
        Some(month_name) if year.len() == 4 && month.len() == 2 => format!("{month_name} {year}"),
        _ => year_month.to_string(),
    }
}

/// Formats an RFC 3339 timestamp as `26 Nov 2026 14:05 UTC` (times are shown in UTC, the
/// zone the server records them in).
pub fn date_time(rfc3339: &str) -> String {
    let day = date(rfc3339);
    match rfc3339.get(11..16) {
        Some(time) if rfc3339.len() >= 16 => format!("{day} {time} UTC"),
        _ => day,
    }
}

/// Formats a ratio as a percentage with one decimal: 0.1234 → `12.3%`.
pub fn percent(ratio: f64) -> String {
    format!("{:.1}%", ratio * 100.0)
}

/// An API percentage string ("12.34") with one decimal, rounded half away from zero: `12.3%`.
/// Text that is not a number is shown unchanged.
pub fn percent_text(percent: &str) -> String {
    match one_decimal_of(percent) {
        Some(number) => format!("{number}%"),
        None => percent.to_string(),
    }
}

/// A rate exactly as stored, as a percentage: "7.25" → "7.25%" (a tax rate or an uplift is
/// applied to the last decimal, so it is never shown rounded).
pub fn exact_percent(percent: &str) -> String {
    format!("{}%", percent.trim())
}

/// A decimal string ("23.46") with one decimal, rounded half away from zero: `23.5`. Text that
/// is not a number is shown unchanged.
pub fn one_decimal(number: &str) -> String {
    one_decimal_of(number).unwrap_or_else(|| number.to_string())
}

fn one_decimal_of(number: &str) -> Option<String> {
    let (units, scale) = parse_decimal(number)?;
    let tenths = if scale == 0 {
        units.saturating_mul(10)
    } else {
        let divisor = 10_i128.saturating_pow(scale - 1);
        let (quotient, remainder) = (units / divisor, units % divisor);
        if remainder.abs() * 2 >= divisor {
            quotient + units.signum()
        } else {
            quotient
        }
    };
    let sign = if tenths < 0 { "-" } else { "" };
    let tenths = tenths.unsigned_abs();
    Some(format!("{sign}{}.{}", tenths / 10, tenths % 10))
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The year, month and day of an ISO date ("2026-11-26"), when it is one.
pub fn parse_iso_date(iso: &str) -> Option<(i64, i64, i64)> {
    let day_part = iso.get(..10)?;
    let mut parts = day_part.splitn(3, '-');
    let year = parts.next()?.parse::<i64>().ok()?;
    let month = parts.next()?.parse::<i64>().ok()?;
    let day = parts.next()?.parse::<i64>().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((year, month, day))
}

/// The ISO date `days` days after (or before) `iso`: ("2026-11-27", 35) → "2027-01-01".
pub fn add_days(iso: &str, days: i64) -> Option<String> {
    let (year, month, day) = parse_iso_date(iso)?;
    let (year, month, day) = civil_from_days(days_from_civil(year, month, day) + days);
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// The browser's time of day as `14:05`, for "as of" labels of live figures.
pub fn time_now() -> String {
    let now = js_sys::Date::new_0();
    format!("{:02}:{:02}", now.get_hours(), now.get_minutes())
}

/// A short amount for chart axes, where the full figure would crowd: `$0`, `$750`, `$12.5k`,
/// `$1.2M`, `800k SEK`. Axes only; every figure a reader compares is shown in full elsewhere.
pub fn compact_money(value: f64, currency: &str) -> String {
    let (scaled, suffix) = if value.abs() >= 1_000_000.0 {
        (value / 1_000_000.0, "M")
    } else if value.abs() >= 1_000.0 {
        (value / 1_000.0, "k")
    } else {
        (value, "")
    };
    let mut number = format!("{scaled:.1}");
    if number.ends_with(".0") {
        number.truncate(number.len() - 2);
    }
    match currency_symbol(currency) {
        Some(symbol) => format!("{symbol}{number}{suffix}"),
        None => format!("{number}{suffix} {currency}"),
    }
}

/// Turns an API enum name into words: `NET_30` → `Net 30`, `MID_MARKET` → `Mid market`,
/// `VP_FINANCE` → `VP finance`.
pub fn enum_label(name: &str) -> String {
    let special = match name {
        "SMB" => Some("SMB"),
        "ACH" => Some("ACH"),
        "AE" => Some("Account executive"),
        "AR_SPECIALIST" => Some("AR specialist"),
        "CFO" => Some("CFO"),
        "CRO" => Some("CRO"),
        "VP_REVOPS" => Some("VP RevOps"),
        "VP_FINANCE" => Some("VP finance"),
        "VP_CS" => Some("VP customer success"),
        "UPFRONT" => Some("Upfront"),
        "TIME_AND_MATERIALS" => Some("Time and materials"),
        _ => None,
    };
    if let Some(label) = special {
        return label.to_string();
    }
    let words = name.to_lowercase().replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Today's date in the browser's time zone as ISO `YYYY-MM-DD`.
pub fn today_iso() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    )
}

/// Normalises what a person typed into a money field into the API's decimal string:
/// thousands separators, spaces and a leading currency symbol are dropped ("$12,400.50" →
/// "12400.50"). The server still decides whether the result is valid.
pub fn amount_input(typed: &str) -> String {
    typed
        .trim()
        .trim_start_matches(['$', '€', '£', '¥'])
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect()
}

/// Splits a decimal string into its digits as an integer and the number of decimals:
/// "-12.50" → (-1250, 2). `None` for anything that is not a plain decimal number.
pub(crate) fn parse_decimal(text: &str) -> Option<(i128, u32)> {
    let trimmed = text.trim();
    let (negative, unsigned) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let is_number = !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.chars().all(|c| c.is_ascii_digit());
    if !is_number {
        return None;
    }
    let digits: i128 = format!("{whole}{fraction}").parse().ok()?;
    let scale = u32::try_from(fraction.len()).ok()?;
    Some((if negative { -digits } else { digits }, scale))
}

/// True when a decimal amount string is exactly zero ("0.00", "-0").
pub fn is_zero(amount: &str) -> bool {
    parse_decimal(amount).is_some_and(|(units, _)| units == 0)
}

/// Adds decimal amount strings exactly, without floating point: ["12.5", "0.25"] → "12.75".
/// `None` when any of them is not a decimal number (then no total is better than a wrong one).
pub fn sum_amounts<'a>(amounts: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let parsed = amounts
        .into_iter()
        .map(parse_decimal)
        .collect::<Option<Vec<_>>>()?;
    let scale = parsed.iter().map(|(_, scale)| *scale).max().unwrap_or(0);
    let mut total: i128 = 0;
    for (units, own_scale) in parsed {
        let factor = 10_i128.checked_pow(scale - own_scale)?;
        total = total.checked_add(units.checked_mul(factor)?)?;
    }
    let digits = format!(
        "{:0>width$}",
        total.unsigned_abs(),
        width = usize::try_from(scale).ok()? + 1
    );
    let sign = if total < 0 { "-" } else { "" };
    let split = digits.len() - usize::try_from(scale).ok()?;
    Some(match digits.split_at(split) {
        (whole, "") => format!("{sign}{whole}"),
        (whole, fraction) => format!("{sign}{whole}.{fraction}"),
    })
}

/// The name of an API input field in words, for messages that name it: `poNumber` →
/// `PO number`, `billingContact.email` → `Billing contact email`.
pub fn field_label(name: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for part in name.split('.') {
        let mut word = String::new();
        for c in part.chars() {
            if c.is_ascii_uppercase() && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            word.push(c.to_ascii_lowercase());
        }
        if !word.is_empty() {
            words.push(word);
        }
    }
    let words: Vec<String> = words
        .into_iter()
        .map(|word| match word.as_str() {
            "po" => "PO".to_string(),
            "id" => "ID".to_string(),
            _ => word,
        })
        .collect();
    let text = words.join(" ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A service period as `1 Jan 2026 – 31 Jan 2026`, or one date when only one end is known.
pub fn period(start: Option<&str>, end: Option<&str>) -> String {
    match (start, end) {
        (Some(start), Some(end)) => format!("{} – {}", date(start), date(end)),
        (Some(day), None) | (None, Some(day)) => date(day),
        (None, None) => "—".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_sizes_read_easily() {
        assert_eq!(count(10_000), "10,000");
        assert_eq!(count(-1_234_567), "-1,234,567");
        assert_eq!(count(7), "7");
        assert_eq!(megabytes(12.0 * 1_048_576.0), "12.0 MB");
        assert_eq!(megabytes(2_000.0), "0.1 MB");
    }

    #[test]
    fn quantities_group_thousands_and_keep_their_decimals() {
        assert_eq!(quantity("16000"), "16,000");
        assert_eq!(quantity("1250.50"), "1,250.5");
        assert_eq!(quantity("7.5"), "7.5");
        assert_eq!(quantity("0"), "0");
        assert_eq!(quantity("-1234.000"), "-1,234");
        assert_eq!(quantity("lots"), "lots");
    }

    #[test]
    fn money_uses_symbol_separators_and_currency_decimals() {
        assert_eq!(money("12400", "USD"), "$12,400.00");
        assert_eq!(money("12400.5", "USD"), "$12,400.50");
        assert_eq!(money("1200", "JPY"), "¥1,200");
        assert_eq!(money("1234.567", "KWD"), "1,234.567 KWD");
        assert_eq!(money("-5.00", "USD"), "-$5.00");
        assert_eq!(money("0.00", "EUR"), "€0.00");
        assert_eq!(money("-0.00", "USD"), "$0.00");
        assert_eq!(money("999", "SEK"), "999.00 SEK");
        assert_eq!(money("1000000.00", "USD"), "$1,000,000.00");
    }

    #[test]
    fn money_never_rounds_and_shows_odd_text_unchanged() {
        assert_eq!(money("1.005", "USD"), "$1.005");
        assert_eq!(money("n/a", "USD"), "n/a USD");
    }

    #[test]
    fn dates_read_as_day_month_year() {
        assert_eq!(date("2026-11-26"), "26 Nov 2026");
        assert_eq!(date("2026-01-05T10:00:00Z"), "5 Jan 2026");
        assert_eq!(date_time("2026-01-05T10:07:00Z"), "5 Jan 2026 10:07 UTC");
        assert_eq!(date("soon"), "soon");
    }

    #[test]
    fn months_read_as_month_and_year() {
        assert_eq!(month("2026-11"), "Nov 2026");
        assert_eq!(month("2027-01"), "Jan 2027");
        assert_eq!(month("2026-13"), "2026-13");
        assert_eq!(month("soon"), "soon");
    }

    #[test]
    fn percentages_have_one_decimal() {
        assert_eq!(percent(0.1234), "12.3%");
        assert_eq!(percent(1.0), "100.0%");
    }

    #[test]
    fn api_percentages_show_one_decimal() {
        assert_eq!(percent_text("12.34"), "12.3%");
        assert_eq!(percent_text("12.35"), "12.4%");
        assert_eq!(percent_text("100.00"), "100.0%");
        assert_eq!(percent_text("0.05"), "0.1%");
        assert_eq!(percent_text("7"), "7.0%");
        assert_eq!(percent_text("n/a"), "n/a");
    }

    #[test]
    fn numbers_show_one_decimal() {
        assert_eq!(one_decimal("23.46"), "23.5");
        assert_eq!(one_decimal("7"), "7.0");
        assert_eq!(one_decimal("-0.04"), "0.0");
        assert_eq!(one_decimal("n/a"), "n/a");
    }

    #[test]
    fn days_are_added_across_months_and_years() {
        assert_eq!(add_days("2026-11-27", 35).as_deref(), Some("2027-01-01"));
        assert_eq!(add_days("2028-03-01", -1).as_deref(), Some("2028-02-29"));
        assert_eq!(add_days("2026-01-01", 0).as_deref(), Some("2026-01-01"));
        assert_eq!(add_days("soon", 1), None);
    }

    #[test]
    fn axis_amounts_are_short() {
        assert_eq!(compact_money(0.0, "USD"), "$0");
        assert_eq!(compact_money(750.0, "USD"), "$750");
        assert_eq!(compact_money(12_500.0, "USD"), "$12.5k");
        assert_eq!(compact_money(1_200_000.0, "EUR"), "€1.2M");
        assert_eq!(compact_money(800_000.0, "SEK"), "800k SEK");
    }

    #[test]
    fn enum_names_read_as_words() {
        assert_eq!(enum_label("NET_30"), "Net 30");
        assert_eq!(enum_label("MID_MARKET"), "Mid market");
        assert_eq!(enum_label("VP_FINANCE"), "VP finance");
    }

    #[test]
    fn typed_amounts_lose_separators() {
        assert_eq!(amount_input(" $12,400.50 "), "12400.50");
        assert_eq!(amount_input("1 000"), "1000");
    }

    #[test]
    fn amounts_add_up_exactly() {
        assert_eq!(sum_amounts(["12.5", "0.25"]).as_deref(), Some("12.75"));
        assert_eq!(sum_amounts(["0.10", "0.20"]).as_deref(), Some("0.30"));
        assert_eq!(sum_amounts(["1200", "-1300.5"]).as_deref(), Some("-100.5"));
        assert_eq!(sum_amounts(["-0.05"]).as_deref(), Some("-0.05"));
        assert_eq!(sum_amounts([]).as_deref(), Some("0"));
        assert_eq!(sum_amounts(["1", "n/a"]), None);
        assert!(is_zero("0.00") && is_zero("-0") && !is_zero("0.01") && !is_zero("n/a"));
    }

    #[test]
    fn field_names_read_as_words() {
        assert_eq!(field_label("poNumber"), "PO number");
        assert_eq!(field_label("taxJurisdiction"), "Tax jurisdiction");
        assert_eq!(field_label("billingContact.email"), "Billing contact email");
    }

    #[test]
    fn periods_show_both_ends_when_known() {
        assert_eq!(
            period(Some("2026-01-01"), Some("2026-01-31")),
            "1 Jan 2026 – 31 Jan 2026"
        );
        assert_eq!(period(None, Some("2026-01-31")), "31 Jan 2026");
        assert_eq!(period(None, None), "—");
    }
}
