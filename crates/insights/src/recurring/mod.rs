//! The recurring book: each contract line's monthly recurring revenue on any day, the MRR
//! movements between two days (new, expansion, contraction, churn, reactivation) and the cached
//! book they are read from. The dashboard and the renewal pipeline both read it, so it sits
//! below both.

pub mod repo;
pub mod rules;
