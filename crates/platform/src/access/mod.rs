//! Who may do what: the roles, the permission matrix (with the access of every GraphQL operation)
//! and `Actor`, the identity a service call runs for. Every area and the audit trail sit above
//! this; signing in and tokens (`auth`) do too, so recording who did something never depends on
//! how they signed in.

pub mod actor;
pub mod matrix;

pub use actor::Actor;
pub use matrix::{role_has, Access, Permission, Role};
