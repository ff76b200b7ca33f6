//! The settings area's operations: the FX and tax rate tables, and coupons.

use graphql_client::GraphQLQuery;

/// The schema's date scalar, as `ops` reads it (the generated modules look it up here).
use super::Date;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/settings/FxRates.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct FxRates;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/settings/FxRateSet.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct FxRateSet;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/settings/TaxRates.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct TaxRates;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/settings/TaxRateSet.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct TaxRateSet;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/settings/Coupons.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct Coupons;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/settings/CouponCreate.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct CouponCreate;
