//! Small building blocks shared by every page: states, badges, money cells, form fields.

pub mod aging;
pub mod checklist;
pub mod export;
pub mod field;
pub mod money;
pub mod pager;
pub mod states;
pub mod status;
