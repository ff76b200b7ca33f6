use revops_tests::{Role, TestApp};
use serde_json::json;

#[tokio::test]
async fn the_demo_seed_is_complete_consistent_and_idempotent() {
    // Proves `seed --demo` creates the documented data through the services, on this database, once.
    let app = TestApp::spawn().await;
    assert!(revops::seed::seed_demo(&app.app).await.unwrap());
    assert!(
        !revops::seed::seed_demo(&app.app).await.unwrap(),
        "a second run does nothing"
    );
    let data = app
        .gql_ok(
            Role::Cfo,
            "{ customers(first: 100) { totalCount nodes { legalName creditPolicy { category } onCreditHold } }
               deals { totalCount } approvals(status: PENDING) { totalCount }
               trialBalance(asOf: \"2026-11-30\") { isBalanced lines { account { code } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["customers"]["totalCount"], 50);
    let customers = data["customers"]["nodes"].as_array().unwrap();
    let mut names: Vec<&str> = customers
        .iter()
        .map(|customer| customer["legalName"].as_str().unwrap())
        .collect();
    names.dedup();
    assert_eq!(names.len(), 50, "customer names are unique");
    for category in [
        "ENTERPRISE",
        "MID_MARKET",
        "SMB",
        "NEW_CUSTOMER",
        "PRIOR_LATE_PAYER",
    ] {
        assert!(
            customers
                .iter()
                .any(|customer| customer["creditPolicy"]["category"] == category),
            "no {category} customer"
        );
    }
    // Three holds migrated from the old sheet, and the ladder's for invoices 60+ days unpaid.
    let held = customers
        .iter()
        .filter(|customer| customer["onCreditHold"] == true)
        .count();
    assert!((3..25).contains(&held), "{held} customers on hold");
    assert!(data["deals"]["totalCount"].as_i64().unwrap() >= 80);
    assert!(data["approvals"]["totalCount"].as_i64().unwrap() >= 3);
    assert_eq!(data["trialBalance"]["isBalanced"], true);
    // The deals sold by lines carry the demo coupon on their seats, redeemed at approval.
    let coupons = app
        .gql_ok(Role::Cfo, "{ coupons { code redeemed } }", json!({}))
        .await;
    assert_eq!(coupons["coupons"][0]["code"], "WELCOME10");
    assert!(
        coupons["coupons"][0]["redeemed"].as_i64().unwrap() >= 1,
        "{coupons}"
    );
    let demo_login = app
        .gql(None, "mutation { login(input: {email: \"cfo@demo.revops\", password: \"revops-demo-2026\"}) { user { role } } }", json!({}))
        .await;
    assert_eq!(
        demo_login["data"]["login"]["user"]["role"], "CFO",
        "{demo_login}"
    );
}
