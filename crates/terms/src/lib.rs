//! The terms of a contract line, as every contract-to-cash area reads them: what the line is
//! (`kinds`), what a charge is for (`charge`), how its billing periods run and are prorated
//! (`periods`), what a part of a period costs (`proration`), how usage is priced (`pricing`), what the line owes and when (`schedule`), a recurring discount on it (`discount`), and
//! a stored line read as those terms (`lines`). Billing bills by them and revenue recognises by
//! them, so they sit below both: revenue needs no call up into billing to know a line's periods.
//! Pure apart from the model conversions in `lines`.

pub use revops_platform::{calendar, entities, error, ledger, money};

pub mod charge;
pub mod discount;
pub mod kinds;
pub mod lines;
pub mod periods;
pub mod pricing;
pub mod proration;
pub mod schedule;
