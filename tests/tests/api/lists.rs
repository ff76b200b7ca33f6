//! The list queries ordered by a column a reader chose (customers, deals, invoices, payments,
//! disputes): each column both ways, amounts within their currency, ties broken the same way
//! every time so the pages of a sorted list hold every row once, and an unknown column refused
//! by name.

use crate::billing::{contract, deal, run};
use crate::imports::imported_aging;
use crate::receivables::pay_input;
use revops_tests::{Role, TestApp};
use serde_json::{json, Value};

/// `field` of every node of the connection `name` the query returns.
fn column(data: &Value, name: &str, field: &str) -> Vec<String> {
    data[name]["nodes"]
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .map(|node| match &node[field] {
                    Value::String(text) => text.clone(),
                    Value::Object(money) => format!(
                        "{} {}",
                        money["currency"].as_str().unwrap_or_default(),
                        money["amount"].as_str().unwrap_or_default()
                    ),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The whole list, read `size` rows a page, in the order asked for.
async fn paged(app: &TestApp, query: &str, name: &str, field: &str, size: i64) -> Vec<String> {
    let mut after = Value::Null;
    let mut seen = Vec::new();
    loop {
        let data = app
            .gql_ok(Role::Admin, query, json!({ "first": size, "after": after }))
            .await;
        seen.extend(column(&data, name, field));
        if data[name]["pageInfo"]["hasNextPage"] != json!(true) {
            return seen;
        }
        after = data[name]["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn invoices_sort_by_any_column_both_ways_and_page_through_every_row_once() {
    // Proves: the invoice list orders by number, due date, total and the open amount, ascending
    // or descending, amounts within each currency (EUR before USD); read two rows a page, a
    // sorted list holds each invoice exactly once; with no order asked for it stays newest first.
    let app = TestApp::spawn().await;
    imported_aging(&app).await;
    let list = |sort: &str, direction: &str| {
        format!(
            "query($first: Int, $after: String) {{ invoices(first: $first, after: $after, sort: {sort}, direction: {direction}) \
             {{ nodes {{ number dueDate total {{ amount currency }} openAmount {{ amount currency }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        )
    };
    // The file: OLD-1 USD 12,400.00 (7,400.00 open, due 31 Oct), OLD-2 USD 5,000.00 (all open,
    // due 15 Oct), OLD-3 EUR 3,000.00 (2,999.99 open, due 20 Dec), OLD-4 USD 1,000.00 (250.50
    // open, due 31 Jul).
    assert_eq!(
        paged(&app, &list("NUMBER", "DESC"), "invoices", "number", 2).await,
        ["OLD-4", "OLD-3", "OLD-2", "OLD-1"]
    );
    assert_eq!(
        paged(&app, &list("DUE_DATE", "ASC"), "invoices", "dueDate", 2).await,
        ["2026-07-31", "2026-10-15", "2026-10-31", "2026-12-20"]
    );
    assert_eq!(
        paged(&app, &list("TOTAL", "DESC"), "invoices", "total", 3).await,
        ["EUR 3000.00", "USD 12400.00", "USD 5000.00", "USD 1000.00"]
    );
    assert_eq!(
        paged(&app, &list("OPEN", "ASC"), "invoices", "openAmount", 1).await,
        ["EUR 2999.99", "USD 250.50", "USD 5000.00", "USD 7400.00"]
    );
    let newest = "query($first: Int, $after: String) { invoices(first: $first, after: $after) { nodes { number } pageInfo { hasNextPage endCursor } } }";
    assert_eq!(
        paged(&app, newest, "invoices", "number", 10).await,
        ["OLD-3", "OLD-1", "OLD-2", "OLD-4"]
    );

    // A draft (held by the bill run: no tax rate for DE) has no number or due date yet; it
    // comes after the issued invoices in both directions, on SQLite and PostgreSQL alike.
    let customer = app.create_customer("Draft Holder", "USD").await;
    let mut input = deal(&customer, app.user_id(Role::Ae), "OPP-DRAFT");
    input["taxJurisdiction"] = json!("DE");
    contract(&app, input).await;
    let held = run(&app, "2026-02-01").await;
    assert_eq!(held["held"][0]["blockedField"], "taxJurisdiction", "{held}");
    let drafts = held["held"].as_array().map_or(0, Vec::len);
    for direction in ["ASC", "DESC"] {
        for (sort, field) in [("NUMBER", "number"), ("DUE_DATE", "dueDate")] {
            let seen = paged(&app, &list(sort, direction), "invoices", field, 2).await;
            let blank: Vec<bool> = seen.iter().map(|value| value == "null").collect();
            let expected: Vec<bool> = (0..4 + drafts).map(|at| at >= 4).collect();
            assert_eq!(blank, expected, "{sort} {direction}: {seen:?}");
        }
    }
}

#[tokio::test]
async fn customers_and_deals_sort_by_a_chosen_column_and_an_unknown_one_is_refused() {
    // Proves: customers order by legal name either way and by currency (ties by name); deals
    // order by opportunity id and by TCV within their currency, and stay newest first when no
    // order is asked for; a column the list does not have is refused naming `sort`.
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for (name, currency) in [
        ("Beta GmbH", "EUR"),
        ("Alpha Inc", "USD"),
        ("Gamma Ltd", "GBP"),
    ] {
        ids.push(app.create_customer(name, currency).await);
    }
    let customers = |sort: &str, direction: &str| {
        format!(
            "query($first: Int, $after: String) {{ customers(first: $first, after: $after, sort: {sort}, direction: {direction}) \
             {{ nodes {{ legalName }} pageInfo {{ hasNextPage endCursor }} }} }}"
        )
    };
    assert_eq!(
        paged(
            &app,
            &customers("LEGAL_NAME", "DESC"),
            "customers",
            "legalName",
            2
        )
        .await,
        ["Gamma Ltd", "Beta GmbH", "Alpha Inc"]
    );
    assert_eq!(
        paged(
            &app,
            &customers("CURRENCY", "ASC"),
            "customers",
            "legalName",
            1
        )
        .await,
        ["Beta GmbH", "Gamma Ltd", "Alpha Inc"]
    );

    let create = "mutation($input: DealCreateInput!) { dealCreate(input: $input) { deal { id } } }";
    for (opportunity, customer, tcv, currency) in [
        ("OPP-B", &ids[0], "900.00", "EUR"),
        ("OPP-C", &ids[1], "12000.00", "USD"),
        ("OPP-A", &ids[1], "500.00", "USD"),
    ] {
        app.gql_ok(
            Role::Admin,
            create,
            json!({ "input": {
                "crmOpportunityId": opportunity, "customerId": customer, "productName": "Platform",
                "tcv": { "amount": tcv, "currency": currency }, "billingCurrency": currency
            }}),
        )
        .await;
    }
    let deals = |order: &str| {
        format!(
            "query($first: Int, $after: String) {{ deals(first: $first, after: $after{order}) \
             {{ nodes {{ crmOpportunityId }} pageInfo {{ hasNextPage endCursor }} }} }}"
        )
    };
    assert_eq!(
        paged(
            &app,
            &deals(", sort: OPPORTUNITY"),
            "deals",
            "crmOpportunityId",
            2
        )
        .await,
        ["OPP-A", "OPP-B", "OPP-C"]
    );
    assert_eq!(
        paged(
            &app,
            &deals(", sort: TCV, direction: DESC"),
            "deals",
            "crmOpportunityId",
            2
        )
        .await,
        ["OPP-B", "OPP-C", "OPP-A"]
    );
    assert_eq!(
        paged(&app, &deals(""), "deals", "crmOpportunityId", 2).await,
        ["OPP-A", "OPP-C", "OPP-B"]
    );

    let refused = app
        .gql_as(
            Role::Admin,
            "{ customers(sort: ARR) { nodes { id } } }",
            json!({}),
        )
        .await;
    let message = refused["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("ARR") && message.contains("sort"),
        "{refused}"
    );
}

#[tokio::test]
async fn payments_sort_by_amount_reference_and_day_both_ways() {
    // Proves: the payments list orders by amount, what is left to apply, method, reference and
    // the day received, either way, read a row or two a page with every payment once; with no
    // order asked for it stays newest first.
    let app = TestApp::spawn().await;
    let customer = app.create_customer("Payer Co", "USD").await;
    for (amount, on, key) in [
        ("300.00", "2026-11-02", "B"),
        ("100.00", "2026-11-03", "C"),
        ("200.00", "2026-11-01", "A"),
    ] {
        app.gql_ok(
            Role::ArSpecialist,
            "mutation($input: PaymentRecordInput!) { paymentRecord(input: $input) { id } }",
            json!({ "input": pay_input(&customer, amount, on, key, Value::Null) }),
        )
        .await;
    }
    let list = |sort: &str, direction: &str| {
        format!(
            "query($first: Int, $after: String) {{ payments(first: $first, after: $after, sort: {sort}, direction: {direction}) \
             {{ nodes {{ reference receivedOn amount {{ amount currency }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        )
    };
    assert_eq!(
        paged(&app, &list("AMOUNT", "DESC"), "payments", "amount", 2).await,
        ["USD 300.00", "USD 200.00", "USD 100.00"]
    );
    assert_eq!(
        paged(&app, &list("REFERENCE", "ASC"), "payments", "reference", 1).await,
        ["WIRE A", "WIRE B", "WIRE C"]
    );
    assert_eq!(
        paged(
            &app,
            &list("RECEIVED_ON", "ASC"),
            "payments",
            "receivedOn",
            2
        )
        .await,
        ["2026-11-01", "2026-11-02", "2026-11-03"]
    );
    let newest = "query($first: Int, $after: String) { payments(first: $first, after: $after) { nodes { receivedOn } pageInfo { hasNextPage endCursor } } }";
    assert_eq!(
        paged(&app, newest, "payments", "receivedOn", 2).await,
        ["2026-11-03", "2026-11-02", "2026-11-01"]
    );
}

#[tokio::test]
async fn disputes_sort_by_amount_reason_and_opening_both_ways() {
    // Proves: the disputes list, the work queue by default, orders by the disputed amount and the
    // reason either way, a row or two a page with every dispute once.
    let app = TestApp::spawn().await;
    imported_aging(&app).await;
    let invoices = app
        .gql_ok(
            Role::Admin,
            "{ invoices(first: 10) { nodes { id number } } }",
            json!({}),
        )
        .await;
    let id_of = |number: &str| {
        invoices["invoices"]["nodes"]
            .as_array()
            .and_then(|nodes| nodes.iter().find(|node| node["number"] == number))
            .map(|node| node["id"].clone())
            .unwrap_or_default()
    };
    for (number, reason, amount) in [
        ("OLD-1", "NOT_DELIVERED", "1000.00"),
        ("OLD-2", "PRICING", "50.00"),
        ("OLD-4", "OTHER", "200.00"),
    ] {
        app.gql_ok(
            Role::ArSpecialist,
            "mutation($input: DisputeLogInput!) { disputeLog(input: $input) { id } }",
            json!({ "input": { "invoiceId": id_of(number), "reason": reason, "disputedAmount": amount, "customerStatement": "Not what we agreed." } }),
        )
        .await;
    }
    let list = |sort: &str, direction: &str| {
        format!(
            "query($first: Int, $after: String) {{ disputes(first: $first, after: $after, sort: {sort}, direction: {direction}) \
             {{ nodes {{ reason disputed {{ amount currency }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        )
    };
    assert_eq!(
        paged(&app, &list("AMOUNT", "DESC"), "disputes", "disputed", 2).await,
        ["USD 1000.00", "USD 200.00", "USD 50.00"]
    );
    assert_eq!(
        paged(&app, &list("AMOUNT", "ASC"), "disputes", "disputed", 1).await,
        ["USD 50.00", "USD 200.00", "USD 1000.00"]
    );
    assert_eq!(
        paged(&app, &list("REASON", "ASC"), "disputes", "reason", 2).await,
        ["NOT_DELIVERED", "OTHER", "PRICING"]
    );
}
