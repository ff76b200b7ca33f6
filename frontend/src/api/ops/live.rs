//! The live-update subscriptions (sent over a WebSocket by `crate::live`, not over HTTP): a bill
//! run's progress and the signal that the books changed.

use graphql_client::GraphQLQuery;

/// The schema's date and instant scalars, as `ops` reads them (the generated modules look them up
/// here).
use super::{Date, DateTime};
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/live/BillRunProgress.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct BillRunProgress;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/live/BooksChanged.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct BooksChanged;
