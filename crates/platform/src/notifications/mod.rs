//! Notifications: the transactional outbox, e-mail over SMTP (or `.eml` files in development), and
//! the sender that delivers each outbox message once, with retries and backoff.

pub mod alerts;
pub mod attachments;
pub mod lease;
pub mod mail;
pub mod outbox;
pub mod smtp;
pub mod transport;

pub use outbox::{enqueue, enqueue_many, NewMessage};
