use revops_tests::{error_code, error_field, Role, TestApp};
use serde_json::{json, Value};

const CREATE: &str = "mutation($input: CustomerCreateInput!) { customerCreate(input: $input) { customer { id legalName creditLimit { amount currency } paymentTerms taxRegistrationNumber paymentMethod { kind maskedReference } creditPolicy { category proposedLimit { amount } explanation } } } }";

fn valid_input() -> serde_json::Value {
    json!({
        "legalName": "Globex GmbH",
        "billingAddress": { "line1": "Unter den Linden 1", "city": "Berlin", "postalCode": "10117", "country": "de" },
        "taxRegistrationNumber": "DE 123 456 789",
        "billingContact": { "name": "Greta Lang", "email": "AP@Globex.example", "phone": "+49 30 1234567" },
        "paymentMethod": { "kind": "CARD", "reference": "4242" },
        "billingCurrency": "eur"
    })
}

#[tokio::test]
async fn a_new_customer_gets_the_new_customer_policy_and_clean_values() {
    // Proves creation normalises input and applies the new-customer category: 10,000 limit, net 15.
    let app = TestApp::spawn().await;
    let data = app
        .gql_ok(
            Role::ArSpecialist,
            CREATE,
            json!({ "input": valid_input() }),
        )
        .await;
    let customer = &data["customerCreate"]["customer"];
    assert_eq!(
        customer["creditLimit"],
        json!({ "amount": "10000.00", "currency": "EUR" })
    );
    assert_eq!(customer["paymentTerms"], "NET_15");
    assert_eq!(customer["taxRegistrationNumber"], "DE123456789");
    assert_eq!(
        customer["paymentMethod"],
        json!({ "kind": "CARD", "maskedReference": "•••• 4242" })
    );
    assert_eq!(customer["creditPolicy"]["category"], "NEW_CUSTOMER");
    let audit = app
        .gql_ok(
            Role::Auditor,
            "{ auditLog(entityType: \"customer\") { nodes { action actor { email } after } } }",
            json!({}),
        )
        .await;
    assert_eq!(audit["auditLog"]["nodes"][0]["action"], "customer.create");
    assert_eq!(
        audit["auditLog"]["nodes"][0]["actor"]["email"],
        "ar_specialist@test.revops"
    );
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    // Proves each validation error names its field and no customer is created.
    let app = TestApp::spawn().await;
    let cases = [
        (
            "/taxRegistrationNumber",
            json!("DE12345"),
            "taxRegistrationNumber",
        ),
        (
            "/billingContact/email",
            json!("not-an-email"),
            "billingContact.email",
        ),
        (
            "/billingAddress/country",
            json!("Germany"),
            "billingAddress.country",
        ),
        ("/billingCurrency", json!("EURO"), "billingCurrency"),
        (
            "/paymentMethod/reference",
            json!("4242424242424242"),
            "paymentMethod.reference",
        ),
        ("/legalName", json!("   "), "legalName"),
        ("/paymentTerms", json!("NET_60"), "paymentTerms"),
    ];
    for (pointer, value, field) in cases {
        let mut input = valid_input();
        match input.pointer_mut(pointer) {
            Some(slot) => *slot = value,
            None => {
                input
                    .as_object_mut()
                    .unwrap()
                    .insert(pointer.trim_start_matches('/').into(), value);
            }
        }
        let response = app
            .gql_as(Role::Admin, CREATE, json!({ "input": input }))
            .await;
        assert_eq!(
            error_code(&response).as_deref(),
            Some("VALIDATION"),
            "{pointer}: {response}"
        );
        assert_eq!(error_field(&response).as_deref(), Some(field), "{response}");
    }
    let count = app
        .gql_ok(Role::Admin, "{ customers { totalCount } }", json!({}))
        .await;
    assert_eq!(count["customers"]["totalCount"], 0);
}

const UPDATE: &str = "mutation($input: CustomerUpdateInput!) { customerUpdate(input: $input) { customer { legalName billingAddress { line1 city postalCode country } remitToAddress { line1 country } taxRegistrationNumber billingContact { name email phone } paymentMethod { kind maskedReference } paymentTerms } } }";

#[tokio::test]
async fn an_edit_changes_only_what_it_names_refuses_by_field_and_is_audited() {
    // Proves customerUpdate: fields left out stay; the customer's own terms are taken back; a null
    // payment method removes it; a new billing country checks the tax number on file and, refused,
    // writes nothing; every change is audited with before and after; an AE may not edit.
    let app = TestApp::spawn().await;
    let created = app
        .gql_ok(
            Role::ArSpecialist,
            CREATE,
            json!({ "input": valid_input() }),
        )
        .await;
    let id = created["customerCreate"]["customer"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let renamed = app
        .gql_ok(
            Role::AccountManager,
            UPDATE,
            json!({ "input": {
                "id": id,
                "legalName": "Globex Deutschland GmbH",
                "billingContact": { "name": "Jonas Weber", "email": "Jonas.Weber@Globex.example" },
                "paymentTerms": "NET_15",
            } }),
        )
        .await;
    let customer = &renamed["customerUpdate"]["customer"];
    assert_eq!(customer["legalName"], "Globex Deutschland GmbH");
    assert_eq!(
        customer["billingContact"],
        json!({ "name": "Jonas Weber", "email": "jonas.weber@globex.example", "phone": null })
    );
    assert_eq!(customer["taxRegistrationNumber"], "DE123456789");
    assert_eq!(
        customer["paymentMethod"],
        json!({ "kind": "CARD", "maskedReference": "•••• 4242" })
    );
    assert_eq!(customer["billingAddress"]["city"], "Berlin");

    let cleared = app
        .gql_ok(
            Role::ArSpecialist,
            UPDATE,
            json!({ "input": { "id": id, "paymentMethod": null } }),
        )
        .await;
    assert_eq!(
        cleared["customerUpdate"]["customer"]["paymentMethod"],
        Value::Null
    );

    let london = json!({ "line1": "1 Poultry", "city": "London", "postalCode": "EC2R 8EJ", "country": "GB" });
    let refused = app
        .gql_as(
            Role::ArSpecialist,
            UPDATE,
            json!({ "input": { "id": id, "legalName": "Globex UK Ltd", "billingAddress": london } }),
        )
        .await;
    assert_eq!(
        error_field(&refused).as_deref(),
        Some("taxRegistrationNumber"),
        "{refused}"
    );
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("\"DE123456789\" is not a valid tax number for GB")
            && message.contains("the number on file for DE"),
        "{message}"
    );
    let unchanged = app
        .gql_ok(
            Role::Cfo,
            "query($id: ID!) { customer(id: $id) { legalName billingAddress { country } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        unchanged["customer"]["legalName"],
        "Globex Deutschland GmbH"
    );
    assert_eq!(unchanged["customer"]["billingAddress"]["country"], "DE");

    let moved = app
        .gql_ok(
            Role::ArSpecialist,
            UPDATE,
            json!({ "input": { "id": id, "billingAddress": london, "remitToAddress": london, "taxRegistrationNumber": "GB 123 4567 89" } }),
        )
        .await;
    let customer = &moved["customerUpdate"]["customer"];
    assert_eq!(customer["taxRegistrationNumber"], "GB123456789");
    assert_eq!(
        customer["remitToAddress"],
        json!({ "line1": "1 Poultry", "country": "GB" })
    );

    let bad_email = app
        .gql_as(
            Role::ArSpecialist,
            UPDATE,
            json!({ "input": { "id": id, "billingContact": { "name": "X", "email": "nope" } } }),
        )
        .await;
    assert_eq!(
        error_field(&bad_email).as_deref(),
        Some("billingContact.email")
    );
    let forbidden = app
        .gql_as(
            Role::Ae,
            UPDATE,
            json!({ "input": { "id": id, "legalName": "Mine now" } }),
        )
        .await;
    assert_eq!(error_code(&forbidden).as_deref(), Some("FORBIDDEN"));

    let audit = app
        .gql_ok(
            Role::Auditor,
            "{ auditLog(entityType: \"customer\") { nodes { action before after } } }",
            json!({}),
        )
        .await;
    let updates: Vec<&Value> = audit["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|node| node["action"] == "customer.update")
        .collect();
    assert_eq!(updates.len(), 3, "{audit}");
    let text = |node: &Value, key: &str| -> Value {
        serde_json::from_str(node[key].as_str().unwrap_or("null")).unwrap()
    };
    let renaming = updates.iter().find(|node| {
        text(node, "before")["legal_name"] == "Globex GmbH"
            && text(node, "after")["legal_name"] == "Globex Deutschland GmbH"
    });
    assert!(renaming.is_some(), "{audit}");
}

#[tokio::test]
async fn search_pages_and_holds() {
    // Proves search, the page-size cap, and that holds need a reason and are visible on the customer.
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for name in ["Alpha Corp", "Beta LLC", "Gamma Inc", "Alphabet Soup"] {
        ids.push(app.create_customer(name, "USD").await);
    }
    let data = app
        .gql_ok(
            Role::ArSpecialist,
            "{ customers(search: \"ALPHA\") { totalCount nodes { legalName } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["customers"]["totalCount"], 2);
    assert_eq!(data["customers"]["nodes"][0]["legalName"], "Alpha Corp");
    let first_page = app
        .gql_ok(
            Role::Cfo,
            "{ customers(first: 3) { pageInfo { hasNextPage endCursor } nodes { legalName } } }",
            json!({}),
        )
        .await;
    assert_eq!(first_page["customers"]["pageInfo"]["hasNextPage"], true);
    let cursor = first_page["customers"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_string();
    let second = app.gql_ok(Role::Cfo, "query($after: String) { customers(first: 3, after: $after) { pageInfo { hasNextPage } nodes { legalName } } }", json!({ "after": cursor })).await;
    assert_eq!(second["customers"]["nodes"].as_array().unwrap().len(), 1);
    let too_many = app
        .gql_as(
            Role::Cfo,
            "{ customers(first: 500) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&too_many).as_deref(), Some("LIMIT"));

    let hold = "mutation($input: CustomerCreditHoldSetInput!) { customerCreditHoldSet(input: $input) { customer { onCreditHold creditHoldReason creditHoldSince } } }";
    let no_reason = app
        .gql_as(
            Role::VpFinance,
            hold,
            json!({ "input": { "customerId": ids[1], "onHold": true, "reason": " " } }),
        )
        .await;
    assert_eq!(error_field(&no_reason).as_deref(), Some("reason"));
    let placed = app.gql_ok(Role::VpFinance, hold, json!({ "input": { "customerId": ids[1], "onHold": true, "reason": "61 days overdue" } })).await;
    assert_eq!(
        placed["customerCreditHoldSet"]["customer"]["onCreditHold"],
        true
    );
    assert_eq!(
        placed["customerCreditHoldSet"]["customer"]["creditHoldReason"],
        "61 days overdue"
    );
    let again = app
        .gql_as(
            Role::VpFinance,
            hold,
            json!({ "input": { "customerId": ids[1], "onHold": true, "reason": "again" } }),
        )
        .await;
    assert_eq!(error_code(&again).as_deref(), Some("CONFLICT"));
}

#[tokio::test]
async fn credit_limit_changes_need_another_persons_vp_finance_approval() {
    // Proves maker-checker: a request changes nothing until a VP Finance who did not make it approves.
    let app = TestApp::spawn().await;
    let customer = app.create_new_customer("Initech", "USD").await;
    let request = "mutation($input: CreditLimitRequestCreateInput!) { creditLimitRequestCreate(input: $input) { approval { id status requestedLimit { amount } } } }";
    let ask = |amount: &str, currency: &str| json!({ "input": { "customerId": customer, "creditLimit": { "amount": amount, "currency": currency }, "paymentTerms": "NET_30", "reason": "Growth" } });
    let wrong_currency = app
        .gql_as(Role::ArSpecialist, request, ask("50000", "EUR"))
        .await;
    assert_eq!(
        error_field(&wrong_currency).as_deref(),
        Some("creditLimit.currency")
    );
    let made = app
        .gql_ok(Role::ArSpecialist, request, ask("50000", "USD"))
        .await;
    let request_id = made["creditLimitRequestCreate"]["approval"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let second = app
        .gql_as(Role::AccountManager, request, ask("60000", "USD"))
        .await;
    assert_eq!(
        error_code(&second).as_deref(),
        Some("CONFLICT"),
        "one pending request per customer"
    );

    let limit_query = "query($id: ID!) { customer(id: $id) { creditLimit { amount } paymentTerms pendingCreditLimitRequest { id } } }";
    let before = app
        .gql_ok(Role::Cfo, limit_query, json!({ "id": customer }))
        .await;
    assert_eq!(
        before["customer"]["creditLimit"]["amount"], "10000.00",
        "nothing changes before approval"
    );
    assert_eq!(
        before["customer"]["pendingCreditLimitRequest"]["id"],
        request_id.as_str()
    );

    let decide = "mutation($input: ApprovalDecideInput!) { approvalDecide(input: $input) { approval { status comment decidedBy { email } } } }";
    let by_cfo = app
        .gql_as(
            Role::Cfo,
            decide,
            json!({ "input": { "id": request_id, "decision": "APPROVE", "comment": "fine" } }),
        )
        .await;
    assert_eq!(
        error_code(&by_cfo).as_deref(),
        Some("FORBIDDEN"),
        "only VP Finance approves credit limits"
    );
    let no_comment = app
        .gql_as(
            Role::VpFinance,
            decide,
            json!({ "input": { "id": request_id, "decision": "APPROVE", "comment": "" } }),
        )
        .await;
    assert_eq!(error_field(&no_comment).as_deref(), Some("comment"));
    let approved = app.gql_ok(Role::VpFinance, decide, json!({ "input": { "id": request_id, "decision": "APPROVE", "comment": "Clean history" } })).await;
    assert_eq!(approved["approvalDecide"]["approval"]["status"], "APPROVED");
    assert_eq!(
        approved["approvalDecide"]["approval"]["decidedBy"]["email"],
        "vp_finance@test.revops"
    );
    let after = app
        .gql_ok(Role::Cfo, limit_query, json!({ "id": customer }))
        .await;
    assert_eq!(after["customer"]["creditLimit"]["amount"], "50000.00");
    assert_eq!(after["customer"]["paymentTerms"], "NET_30");
    let twice = app
        .gql_as(
            Role::VpFinance,
            decide,
            json!({ "input": { "id": request_id, "decision": "REJECT", "comment": "late" } }),
        )
        .await;
    assert_eq!(error_code(&twice).as_deref(), Some("CONFLICT"));

    // VP Finance may request too, but never decide their own request.
    let own = app
        .gql_ok(Role::VpFinance, request, ask("75000", "USD"))
        .await;
    let own_id = own["creditLimitRequestCreate"]["approval"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let inbox = app
        .gql_ok(
            Role::VpFinance,
            "{ approvals(status: PENDING) { nodes { id canDecide cannotDecideReason } } }",
            json!({}),
        )
        .await;
    assert_eq!(inbox["approvals"]["nodes"][0]["canDecide"], false);
    assert!(inbox["approvals"]["nodes"][0]["cannotDecideReason"]
        .as_str()
        .unwrap()
        .contains("another approver"));
    let self_approval = app
        .gql_as(
            Role::VpFinance,
            decide,
            json!({ "input": { "id": own_id, "decision": "APPROVE", "comment": "ok" } }),
        )
        .await;
    assert_eq!(
        error_code(&self_approval).as_deref(),
        Some("FORBIDDEN"),
        "{self_approval}"
    );
    let audit = app.gql_ok(Role::Auditor, "query($id: String) { auditLog(entityType: \"customer\", entityId: $id) { nodes { action before after } } }", json!({ "id": customer })).await;
    let change = audit["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["action"] == "customer.credit_limit.change")
        .expect("audit row");
    assert!(
        change["before"].as_str().unwrap().contains("10000.00")
            && change["after"].as_str().unwrap().contains("50000.00")
    );
}

#[tokio::test]
async fn search_takes_wildcards_literally() {
    // Proves % and _ typed into search match themselves, not any text, on both databases.
    let app = TestApp::spawn().await;
    app.create_customer("100% Cotton Ltd", "USD").await;
    app.create_customer("1000 Cotton Ltd", "USD").await;
    let data = app
        .gql_ok(
            Role::Cfo,
            "{ customers(search: \"100%\") { nodes { legalName } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["customers"]["nodes"],
        json!([{ "legalName": "100% Cotton Ltd" }])
    );
}

/// A draft deal for `customer` owned by the AE `ae` (enough to put the customer in their book).
async fn deal_for(app: &TestApp, customer: &str, ae: i64, opportunity: &str) {
    app.gql_ok(
        Role::Cro,
        "mutation($input: DealCreateInput!) { dealCreate(input: $input) { deal { id } } }",
        json!({ "input": {
            "crmOpportunityId": opportunity, "customerId": customer,
            "productName": "Analytics Suite", "poRequired": false, "taxExempt": false,
            "assignedAeId": ae.to_string()
        } }),
    )
    .await;
}

#[tokio::test]
async fn aes_and_account_managers_read_only_their_own_book() {
    // Proves the customer master follows the reader's book: an AE lists and opens only customers
    // they hold a deal with and is FORBIDDEN another AE's customer; an account manager sees the
    // customers they manage and only their requests in the approvals inbox; a deal of another AE
    // shows no customer to that account manager; finance roles still see everyone.
    let app = TestApp::spawn().await;
    let other_ae = app
        .app
        .auth
        .create_user(
            None,
            revops::auth::NewUser {
                email: "ae-two@test.revops".into(),
                name: "Second AE".into(),
                role: Role::Ae,
                password: revops_tests::PASSWORD.into(),
            },
        )
        .await
        .unwrap();
    let mine = app.create_customer("Mine Corp", "USD").await;
    let theirs = app.create_customer("Theirs Corp", "USD").await;
    let managed = app.create_customer("Managed Corp", "USD").await;
    deal_for(&app, &mine, app.user_id(Role::Ae), "OPP-MINE").await;
    deal_for(&app, &theirs, other_ae.id, "OPP-THEIRS").await;
    app.gql_ok(
        Role::Admin,
        "mutation($c: ID!, $u: ID) { customerAccountManagerSet(customerId: $c, userId: $u) { customer { id } } }",
        json!({ "c": managed, "u": app.user_id(Role::AccountManager).to_string() }),
    )
    .await;
    let list = "{ customers { totalCount nodes { legalName } } }";
    let names = |data: &Value| -> Vec<String> {
        data["customers"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|node| node["legalName"].as_str().unwrap().to_owned())
            .collect()
    };
    let ae = app.gql_ok(Role::Ae, list, json!({})).await;
    assert_eq!(names(&ae), vec!["Mine Corp"], "{ae}");
    assert_eq!(ae["customers"]["totalCount"], 1);
    let manager = app.gql_ok(Role::AccountManager, list, json!({})).await;
    assert_eq!(names(&manager), vec!["Managed Corp"], "{manager}");
    for role in [Role::Admin, Role::Cfo, Role::ArSpecialist, Role::Auditor] {
        let all = app.gql_ok(role, list, json!({})).await;
        assert_eq!(all["customers"]["totalCount"], 3, "{role:?}: {all}");
    }

    let one = "query($id: ID!) { customer(id: $id) { legalName } }";
    let own = app.gql_ok(Role::Ae, one, json!({ "id": mine })).await;
    assert_eq!(own["customer"]["legalName"], "Mine Corp");
    for (role, id) in [
        (Role::Ae, &theirs),
        (Role::Ae, &managed),
        (Role::AccountManager, &mine),
    ] {
        let refused = app.gql_as(role, one, json!({ "id": id })).await;
        assert_eq!(
            error_code(&refused).as_deref(),
            Some("FORBIDDEN"),
            "{role:?}: {refused}"
        );
        assert!(refused["data"].is_null() || refused["data"]["customer"].is_null());
    }
    let deals = app
        .gql_ok(
            Role::AccountManager,
            "{ deals { nodes { crmOpportunityId customer { legalName } } } }",
            json!({}),
        )
        .await;
    for deal in deals["deals"]["nodes"].as_array().unwrap() {
        assert!(deal["customer"].is_null(), "outside the book: {deal}");
    }

    // The account manager's approvals inbox holds only their book's requests.
    let request = "mutation($input: CreditLimitRequestCreateInput!) { creditLimitRequestCreate(input: $input) { approval { id } } }";
    for customer in [&mine, &managed] {
        app.gql_ok(
            Role::ArSpecialist,
            request,
            json!({ "input": { "customerId": customer, "creditLimit": { "amount": "50000.00", "currency": "USD" }, "paymentTerms": "NET_30", "reason": "Growth" } }),
        )
        .await;
    }
    let inbox = "{ approvals { totalCount nodes { customer { legalName } } } }";
    let manager = app.gql_ok(Role::AccountManager, inbox, json!({})).await;
    assert_eq!(manager["approvals"]["totalCount"], 1, "{manager}");
    assert_eq!(
        manager["approvals"]["nodes"][0]["customer"]["legalName"],
        "Managed Corp"
    );
    let finance = app.gql_ok(Role::VpFinance, inbox, json!({})).await;
    assert_eq!(finance["approvals"]["totalCount"], 2, "{finance}");
}
