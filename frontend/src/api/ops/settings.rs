//! The settings area's operations: the FX and tax rate tables, legal entities, and coupons.

use graphql_client::GraphQLQuery;

/// The schema's date and instant scalars, as `ops` reads them (the generated modules look them up
/// here).
use super::{Date, DateTime};
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
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/settings/CouponArchive.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct CouponArchive;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/settings/BillingSettings.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct BillingSettings;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/settings/BillingSetProration.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct BillingSetProration;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/settings/ContractSetProration.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct ContractSetProration;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/settings/ContractSetBillingDay.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct ContractSetBillingDay;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/settings/ContractLineSetBilledInArrears.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct ContractLineSetBilledInArrears;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/settings/LegalEntities.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct LegalEntities;
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/settings/LegalEntitySet.graphql",
    variables_derives = "Debug, Deserialize",
    response_derives = "Debug",
    skip_serializing_none
)]
pub struct LegalEntitySet;
