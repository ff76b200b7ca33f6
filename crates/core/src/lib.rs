//! The vocabulary every revops area shares: exact money, validated values, the one error type,
//! the clock, the calendar and paging. It knows no table and no area.

pub mod calendar;
pub mod clock;
pub mod error;
pub mod money;
pub mod pagination;
pub mod values;
