//! The renewals area's operations: the pipeline, one renewal and its history, status, contact,
//! owner-and-uplift and renew forms, and the signed-in person's alerts.

use graphql_client::GraphQLQuery;

/// The schema's date scalars, as `ops` reads them (the generated modules look them up here).
use super::{Date, DateTime};
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/renewals/AlertMarkRead.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct AlertMarkRead;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/renewals/ContractRenew.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct ContractRenew;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/renewals/RenewalPreview.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct RenewalPreview;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/renewals/MyAlerts.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct MyAlerts;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/renewals/Renewal.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct Renewal;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/renewals/RenewalContactLog.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct RenewalContactLog;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/renewals/RenewalHistory.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct RenewalHistory;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/renewals/RenewalPipeline.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct RenewalPipeline;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/renewals/RenewalStatusSet.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct RenewalStatusSet;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/renewals/RenewalTermsSet.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct RenewalTermsSet;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/renewals/RenewalOwners.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug"
)]
pub struct RenewalOwners;
