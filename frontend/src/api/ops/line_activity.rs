//! The operations of what happens on a contract's usage and time-and-materials lines: usage
//! readings and the usage billed by month, and hours submitted from a timesheet.

use graphql_client::GraphQLQuery;

/// The schema's date and instant scalars, as `ops` reads them (the generated modules look them up
/// here).
use super::{Date, DateTime};
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/billing/ContractUsage.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct ContractUsage;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/billing/TimesheetSubmit.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct TimesheetSubmit;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/billing/UsageRecord.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct UsageRecord;
