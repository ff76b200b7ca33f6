//! Page requests with a capped size and opaque cursors (DESIGN law 7: every list has a limit).

use crate::error::{AppError, AppResult};

pub const DEFAULT_PAGE_SIZE: u64 = 25;
pub const MAX_PAGE_SIZE: u64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub offset: u64,
    pub limit: u64,
}

impl PageRequest {
    /// Reads Relay's `first`/`after`. `first` above the cap is a LIMIT error, not a silent trim,
    /// so a client learns the rule instead of missing rows.
    pub fn from_relay(first: Option<i32>, after: Option<&str>) -> AppResult<PageRequest> {
        let limit = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(first) if first < 0 => {
                return Err(AppError::validation("first", "`first` cannot be negative."));
            }
            Some(first) if first as u64 > MAX_PAGE_SIZE => {
                return Err(AppError::Limit(format!(
                    "`first` may be at most {MAX_PAGE_SIZE}; page through larger lists with `after`."
                )));
            }
            Some(first) => first as u64,
        };
        let offset = match after {
            None => 0,
            Some(cursor) => decode_cursor(cursor)? + 1,
        };
        Ok(PageRequest { offset, limit })
    }
}

/// Which way a list is ordered by the column a reader chose (`sort` on the list queries).
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDirection {
    /// Smallest, earliest or A first.
    #[default]
    Asc,
    /// Largest, latest or Z first.
    Desc,
}

impl SortDirection {
    pub fn order(self) -> sea_orm::Order {
        match self {
            SortDirection::Asc => sea_orm::Order::Asc,
            SortDirection::Desc => sea_orm::Order::Desc,
        }
    }
}

/// The order a list query asked for: its `sort` and `direction`, or the list's own default
/// order when neither is given. A column without a direction is ascending.
pub fn requested_order<S: Copy>(
    sort: Option<S>,
    direction: Option<SortDirection>,
    default: (S, SortDirection),
) -> (S, SortDirection) {
    match (sort, direction) {
        (None, None) => default,
        (sort, direction) => (sort.unwrap_or(default.0), direction.unwrap_or_default()),
    }
}

/// A cursor names a position in a list; it is opaque to clients so its format may change.
pub fn encode_cursor(position: u64) -> String {
    format!("c{:x}", position ^ 0x5eed)
}

pub fn decode_cursor(cursor: &str) -> AppResult<u64> {
    cursor
        .strip_prefix('c')
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .map(|value| value ^ 0x5eed)
        .ok_or_else(|| AppError::validation("after", "The cursor is not one this API issued."))
}

/// One page of results plus what a connection needs to describe it.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub offset: u64,
    pub has_next_page: bool,
    pub total_count: u64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, request: PageRequest, total_count: u64) -> Page<T> {
        let has_next_page = request.offset + (items.len() as u64) < total_count;
        Page {
            items,
            offset: request.offset,
            has_next_page,
            total_count,
        }
    }

    pub fn map<U>(self, convert: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(convert).collect(),
            offset: self.offset,
            has_next_page: self.has_next_page,
            total_count: self.total_count,
        }
    }

    pub fn try_map<U>(self, convert: impl FnMut(T) -> AppResult<U>) -> AppResult<Page<U>> {
        Ok(Page {
            items: self
                .items
                .into_iter()
                .map(convert)
                .collect::<AppResult<Vec<U>>>()?,
            offset: self.offset,
            has_next_page: self.has_next_page,
            total_count: self.total_count,
        })
    }
}

/// The list search every area uses: a case-insensitive "contains" over several columns, with
/// `%` and `_` in what the user typed taken literally. None when the search is blank.
pub fn search_condition<C>(search: Option<String>, columns: &[C]) -> Option<sea_orm::Condition>
where
    C: sea_orm::sea_query::IntoColumnRef + Copy,
{
    use sea_orm::sea_query::{Expr, Func, LikeExpr};
    let search = search
        .map(|text| text.trim().to_lowercase())
        .filter(|text| !text.is_empty())?;
    let escaped = search
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = LikeExpr::new(format!("%{escaped}%")).escape('\\');
    Some(
        columns
            .iter()
            .fold(sea_orm::Condition::any(), |condition, column| {
                condition.add(Expr::expr(Func::lower(Expr::col(*column))).like(pattern.clone()))
            }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_first_is_capped() {
        // Proves the page-size cap and cursor decoding.
        assert_eq!(decode_cursor(&encode_cursor(41)).unwrap(), 41);
        assert!(decode_cursor("garbage").is_err());
        let request = PageRequest::from_relay(Some(10), Some(&encode_cursor(9))).unwrap();
        assert_eq!(
            request,
            PageRequest {
                offset: 10,
                limit: 10
            }
        );
        assert!(matches!(
            PageRequest::from_relay(Some(101), None),
            Err(AppError::Limit(_))
        ));
    }
}
