//! Sortable table columns: the order lives in the URL (`?sort=arr&dir=desc`), each sortable
//! header is a button that says which way the column is sorted (`aria-sort` for screen
//! readers, an arrow for the eye), and clicking it again turns the order round.

use std::cmp::Ordering;

use leptos::prelude::*;

/// Which column a list is sorted by, and which way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortOrder {
    pub key: String,
    pub descending: bool,
}

impl SortOrder {
    /// The order named by the URL's `sort` and `dir`, when `sort` is one of `keys`; otherwise
    /// the default.
    pub fn from_query(
        sort: Option<String>,
        dir: Option<String>,
        keys: &[&str],
        default: (&str, bool),
    ) -> Self {
        match sort.filter(|key| keys.contains(&key.as_str())) {
            Some(key) => Self {
                key,
                descending: dir.as_deref() == Some("desc"),
            },
            None => Self {
                key: default.0.to_string(),
                descending: default.1,
            },
        }
    }

    /// The order after clicking `key`: the other way round on the same column, ascending on
    /// another.
    pub fn toggled(&self, key: &str) -> Self {
        if self.key == key {
            Self {
                key: self.key.clone(),
                descending: !self.descending,
            }
        } else {
            Self {
                key: key.to_string(),
                descending: false,
            }
        }
    }

    /// The URL's `dir` value.
    pub fn dir(&self) -> &'static str {
        if self.descending {
            "desc"
        } else {
            "asc"
        }
    }

    /// Applies the direction to an ascending comparison.
    pub fn apply(&self, ordering: Ordering) -> Ordering {
        if self.descending {
            ordering.reverse()
        } else {
            ordering
        }
    }
}

/// Compares decimal amount strings by value ("9.50" < "10"); text that is not a number sorts
/// first.
pub fn compare_amounts(a: &str, b: &str) -> Ordering {
    let value = |text: &str| text.trim().parse::<f64>().ok();
    match (value(a), value(b)) {
        (Some(a), Some(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// A column header that sorts the list by `key` when clicked.
#[component]
pub fn SortHeader(
    #[prop(into)] label: String,
    key: &'static str,
    #[prop(into)] sort: Signal<SortOrder>,
    on_sort: Callback<String>,
    #[prop(default = false)] numeric: bool,
) -> impl IntoView {
    let state = move || sort.with(|order| (order.key == key).then_some(order.descending));
    view! {
        <th
            scope="col"
            class:num=numeric
            class="sortable"
            aria-sort=move || match state() {
                Some(true) => "descending",
                Some(false) => "ascending",
                None => "none",
            }
        >
            <button type="button" class="sort-button" data-sort=key on:click=move |_| on_sort.run(key.to_string())>
                {label}
                <span class="sort-arrow" aria-hidden="true">
                    {move || match state() {
                        Some(true) => "▼",
                        Some(false) => "▲",
                        None => "↕",
                    }}
                </span>
            </button>
        </th>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clicking_a_column_sorts_by_it_then_turns_round() {
        let order = SortOrder::from_query(None, None, &["a", "b"], ("a", false));
        assert_eq!(order.key, "a");
        let order = order.toggled("a");
        assert!(order.descending);
        let order = order.toggled("b");
        assert_eq!((order.key.as_str(), order.descending), ("b", false));
        let unknown =
            SortOrder::from_query(Some("zzz".into()), Some("desc".into()), &["a"], ("a", true));
        assert_eq!((unknown.key.as_str(), unknown.descending), ("a", true));
    }

    #[test]
    fn amounts_compare_by_value() {
        assert_eq!(compare_amounts("9.50", "10"), Ordering::Less);
        assert_eq!(compare_amounts("-1", "0"), Ordering::Less);
        assert_eq!(compare_amounts("12", "12.00"), Ordering::Equal);
    }
}
