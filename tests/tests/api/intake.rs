//! CRM intake over HTTP: a closed-won notification becomes one draft deal with its gaps, resends
//! make nothing new, later notifications update the draft, and changes to an approved deal wait
//! for VP RevOps as amendments.

use revops::access::Role;
use revops::clock::Clock;
use revops_tests::{email_of, error_code, TestApp};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

const DEAL: &str = "query($id: ID!) { deal(id: $id) { status productName tcv { amount } billingFrequency commissionPlanId customer { legalName externalRef } assignedAe { email } } }";

/// A notification as a CRM integration sends it (every field the CRM knows; no commission plan).
fn notification(event_id: &str) -> Value {
    json!({
        "eventId": event_id,
        "opportunityId": "006Dn000004XyZ",
        "stage": "Closed Won",
        "account": {
            "externalRef": "001Dn00000ACME",
            "legalName": "Acme Robotics Inc.",
            "billingAddress": { "line1": "1 Robot Way", "city": "Austin", "postalCode": "78701", "country": "US" },
            "billingContact": { "name": "Ada Payables", "email": "ap@acme.example" },
            "billingCurrency": "USD"
        },
        "deal": {
            "productName": "Analytics Suite",
            "tcv": { "amount": "360000.00", "currency": "USD" },
            "arr": { "amount": "120000.00", "currency": "USD" },
            "startDate": "2026-12-01",
            "endDate": "2029-12-01",
            "paymentTerms": "net_30",
            "billingCurrency": "USD",
            "invoicedLegalEntity": "Acme Robotics Inc.",
            "billingContact": { "name": "Ada Payables", "email": "ap@acme.example" },
            "taxJurisdiction": "US-TX",
            "revenueRecognitionType": "ratable",
            "ownerEmail": email_of(Role::Ae)
        }
    })
}

async fn send(app: &TestApp, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = app
        .client
        .post(format!("{}/api/intake/deals", app.base_url))
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_closed_won_notification_becomes_one_draft_deal_with_its_gaps_and_resends_change_nothing()
{
    // Proves the first notification creates the customer and a draft deal whose gaps are named,
    // and the same notification again (a CRM retry) is answered from the inbox with no new deal.
    let app = TestApp::spawn().await;
    let token = app.token(Role::VpRevops).await;
    let (status, first) = send(&app, Some(&token), &notification("evt-1")).await;
    assert_eq!(status, 202, "{first}");
    assert_eq!(first["status"], "applied");
    assert_eq!(first["duplicate"], false);
    let gaps: Vec<String> = serde_json::from_value(first["gaps"].clone()).unwrap();
    assert!(
        gaps.iter().any(|gap| gap.starts_with("Billing frequency")),
        "{gaps:?}"
    );
    assert!(
        gaps.iter().any(|gap| gap.starts_with("Commission plan")),
        "{gaps:?}"
    );
    let deal_id = first["dealId"].as_str().unwrap().to_string();
    let deal = app
        .gql_ok(Role::VpRevops, DEAL, json!({ "id": deal_id }))
        .await["deal"]
        .clone();
    assert_eq!(deal["status"], "DRAFT");
    assert_eq!(deal["customer"]["externalRef"], "001Dn00000ACME");
    assert_eq!(deal["assignedAe"]["email"], email_of(Role::Ae));
    assert_eq!(deal["tcv"]["amount"], "360000.00");

    let (status, again) = send(&app, Some(&token), &notification("evt-1")).await;
    assert_eq!(
        (status, again["duplicate"].as_bool()),
        (200, Some(true)),
        "{again}"
    );
    assert_eq!(again["dealId"], first["dealId"]);
    let mut without_id = notification("");
    without_id.as_object_mut().unwrap().remove("eventId");
    let (_, hashed) = send(&app, Some(&token), &without_id).await;
    let (_, hashed_again) = send(&app, Some(&token), &without_id).await;
    assert_eq!(hashed_again["duplicate"], true, "{hashed}");
    assert_eq!(app.sql_count("SELECT COUNT(*) FROM deals").await, 1);
    assert_eq!(
        app.sql_count("SELECT COUNT(*) FROM customers WHERE external_ref = '001Dn00000ACME'")
            .await,
        1
    );
    assert_eq!(app.sql_count("SELECT COUNT(*) FROM intake_events").await, 2);
}

#[tokio::test]
async fn later_notifications_update_the_draft_and_become_amendments_once_approved() {
    // Proves updates keep what VP RevOps completed by hand, and that once the deal is approved a
    // change from the CRM waits as an amendment instead of editing the deal.
    let app = TestApp::spawn().await;
    let token = app.token(Role::VpRevops).await;
    let (_, first) = send(&app, Some(&token), &notification("evt-1")).await;
    let deal_id = first["dealId"].as_str().unwrap().to_string();
    // VP RevOps completes the commission plan in revops (the CRM does not carry it).
    app.app
        .db
        .execute_unprepared(&format!(
            "UPDATE deals SET commission_plan_id = 'PLAN-AE-2026' WHERE id = {deal_id}"
        ))
        .await
        .unwrap();
    let mut update = notification("evt-2");
    update["deal"] = json!({ "billingFrequency": "quarterly" });
    let (status, second) = send(&app, Some(&token), &update).await;
    assert_eq!(
        (status, second["status"].as_str()),
        (202, Some("applied")),
        "{second}"
    );
    assert_eq!(second["dealId"].as_str(), Some(deal_id.as_str()));
    let deal = app
        .gql_ok(Role::VpRevops, DEAL, json!({ "id": deal_id }))
        .await["deal"]
        .clone();
    assert_eq!(deal["billingFrequency"], "QUARTERLY");
    assert_eq!(
        deal["commissionPlanId"], "PLAN-AE-2026",
        "a field the CRM did not send is kept"
    );
    assert_eq!(deal["productName"], "Analytics Suite");
    assert_eq!(second["gaps"], json!([]), "{second}");

    // The customer the CRM created has a new customer's limit; credit is not what this is about.
    let customer_id = app
        .gql_ok(
            Role::VpRevops,
            "query($id: ID!) { deal(id: $id) { customer { id } } }",
            json!({ "id": deal_id }),
        )
        .await["deal"]["customer"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.give_credit(&customer_id).await;
    let approved = app
        .gql_as(Role::Cfo, "mutation($input: DealApproveInput!) { dealApprove(input: $input) { deal { status } } }", json!({ "input": { "id": deal_id, "idempotencyKey": "approve-1" } }))
        .await;
    assert_eq!(
        approved["data"]["dealApprove"]["deal"]["status"], "APPROVED",
        "{approved}"
    );
    let mut change = notification("evt-3");
    change["deal"] = json!({ "tcv": { "amount": "400000.00", "currency": "USD" } });
    let (_, third) = send(&app, Some(&token), &change).await;
    assert_eq!(third["status"], "amendment", "{third}");
    let deal = app
        .gql_ok(Role::VpRevops, DEAL, json!({ "id": deal_id }))
        .await["deal"]
        .clone();
    assert_eq!(
        deal["tcv"]["amount"], "360000.00",
        "the approved deal is not edited"
    );
    let amendments = app
        .gql_ok(
            Role::VpRevops,
            "{ dealAmendments { id dealId status changes { field } } }",
            json!({}),
        )
        .await;
    let amendment = &amendments["dealAmendments"][0];
    assert_eq!(amendment["changes"], json!([{ "field": "tcv" }]));
    let resolved = app
        .gql_ok(Role::VpRevops, "mutation($input: DealAmendmentResolveInput!) { dealAmendmentResolve(input: $input) { amendment { status resolutionNote } } }", json!({ "input": { "id": amendment["id"], "accepted": true, "note": "Contract change CC-12 raised." } }))
        .await;
    assert_eq!(
        resolved["dealAmendmentResolve"]["amendment"]["status"],
        "accepted"
    );
    let refused = app
        .gql_as(Role::Ae, "mutation($input: DealAmendmentResolveInput!) { dealAmendmentResolve(input: $input) { amendment { status } } }", json!({ "input": { "id": amendment["id"], "accepted": false, "note": "no" } }))
        .await;
    assert_eq!(error_code(&refused).as_deref(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn bad_or_unauthorised_notifications_are_refused_and_nothing_is_kept() {
    // Proves a malformed notification is 400 naming the field, no credential is 401, a role that
    // may not submit is 403, and none of them reaches the inbox; a lost deal is kept but ignored.
    let app = TestApp::spawn().await;
    let token = app.token(Role::VpRevops).await;
    let mut bad = notification("evt-bad");
    bad["deal"]["startDate"] = json!("next Tuesday");
    let (status, body) = send(&app, Some(&token), &bad).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (400, Some("deal.startDate")),
        "{body}"
    );
    let (status, _) = send(&app, None, &notification("evt-1")).await;
    assert_eq!(status, 401);
    let ae = app.token(Role::Ae).await;
    let (status, body) = send(&app, Some(&ae), &notification("evt-1")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("FORBIDDEN")),
        "{body}"
    );
    assert_eq!(app.sql_count("SELECT COUNT(*) FROM intake_events").await, 0);
    let mut lost = notification("evt-lost");
    lost["stage"] = json!("Closed Lost");
    let (_, body) = send(&app, Some(&token), &lost).await;
    assert_eq!(body["status"], "ignored", "{body}");
    assert_eq!(app.sql_count("SELECT COUNT(*) FROM deals").await, 0);
    let inbox = app
        .gql_ok(
            Role::Auditor,
            "{ intakeEvents { totalCount nodes { status eventId outcome } } }",
            json!({}),
        )
        .await;
    assert_eq!(inbox["intakeEvents"]["totalCount"], 1);
}

#[tokio::test]
async fn a_crm_sends_deals_with_a_service_account_key_and_the_inbox_names_it() {
    // Proves the intended set-up end to end: an admin creates a service account with the VP
    // RevOps role, the CRM integration posts with its key, the deal is created as that account
    // (the audit row says so), and once the key is revoked the CRM is refused with 401.
    let app = TestApp::spawn().await;
    let created = app
        .gql_ok(
            Role::Admin,
            "mutation($input: ServiceAccountCreateInput!) { serviceAccountCreate(input: $input) { key serviceAccount { id } } }",
            json!({ "input": { "name": "Salesforce sync", "role": "VP_REVOPS" } }),
        )
        .await["serviceAccountCreate"]
        .clone();
    let key = created["key"].as_str().unwrap().to_string();
    let (status, body) = send(&app, Some(&key), &notification("evt-1")).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (202, Some("applied")),
        "{body}"
    );
    let audit = app
        .gql_ok(
            Role::Admin,
            "{ auditLog(entityType: \"deal\") { nodes { action actorLabel } } }",
            json!({}),
        )
        .await;
    let label = audit["auditLog"]["nodes"][0]["actorLabel"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(label.contains("Salesforce sync"), "{audit}");
    app.gql_ok(
        Role::Admin,
        "mutation($input: ServiceAccountRevokeInput!) { serviceAccountRevoke(input: $input) { serviceAccount { status } } }",
        json!({ "input": { "serviceAccountId": created["serviceAccount"]["id"] } }),
    )
    .await;
    let (status, _) = send(&app, Some(&key), &notification("evt-2")).await;
    assert_eq!(status, 401);
}

/// A Salesforce outbound message for one Opportunity, as the SOAP envelope Salesforce posts.
fn outbound_message(organization: &str, notification_id: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>{organization}</OrganizationId>
   <ActionId>04k5e000000XyZaAAC</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/60.0/00D5e000000AbCd</EnterpriseUrl>
   <PartnerUrl>https://example.my.salesforce.com/services/Soap/u/60.0/00D5e000000AbCd</PartnerUrl>
   <Notification>
    <Id>{notification_id}</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>0065e00000Opp01AAA</sf:Id>
     <sf:AccountId>0015e00000Acc01AAA</sf:AccountId>
     <sf:Amount>360000.0</sf:Amount>
     <sf:Billing_Frequency__c>Annual</sf:Billing_Frequency__c>
     <sf:CloseDate>2026-11-30</sf:CloseDate>
     <sf:Name>Acme Robotics - Analytics Suite</sf:Name>
     <sf:Payment_Terms__c>Net 30</sf:Payment_Terms__c>
     <sf:StageName>Closed Won</sf:StageName>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>"#
    )
}

async fn post_xml(app: &TestApp, path: &str, body: String) -> (u16, String) {
    let response = app
        .client
        .post(format!("{}{path}", app.base_url))
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", "\"\"")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_salesforce_outbound_message_becomes_one_draft_deal_and_is_acknowledged_once_stored() {
    // Proves the Salesforce path: a connector for the org, the documented SOAP envelope mapped
    // into a draft deal (values translated), Ack true; Salesforce's retry of the same message
    // makes nothing new; a wrong secret, a foreign org or malformed XML is refused with nothing
    // stored but a security audit row.
    let app = TestApp::spawn().await;
    let account = app
        .gql_ok(
            Role::Admin,
            "mutation($input: ServiceAccountCreateInput!) { serviceAccountCreate(input: $input) { serviceAccount { id } } }",
            json!({ "input": { "name": "Salesforce", "role": "VP_REVOPS" } }),
        )
        .await["serviceAccountCreate"]["serviceAccount"]["id"]
        .clone();
    let created = app
        .gql_ok(
            Role::Admin,
            "mutation($input: IntakeConnectorCreateInput!) { intakeConnectorCreate(input: $input) { endpointPath connector { name kind paused } } }",
            json!({ "input": { "name": "acme-sf", "kind": "SALESFORCE", "organizationId": "00D5e000000AbCd", "serviceAccountId": account } }),
        )
        .await["intakeConnectorCreate"]
        .clone();
    let path = created["endpointPath"].as_str().unwrap().to_string();
    assert!(
        path.starts_with("/api/intake/salesforce/acme-sf/"),
        "{created}"
    );

    let (status, ack) = post_xml(
        &app,
        &path,
        outbound_message("00D5e000000AbCdEAK", "04l5e00000A1b2cAAB"),
    )
    .await;
    assert_eq!(status, 200, "{ack}");
    assert!(ack.contains("<Ack>true</Ack>"), "{ack}");
    let (status, _) = post_xml(
        &app,
        &path,
        outbound_message("00D5e000000AbCdEAK", "04l5e00000A1b2cAAB"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(app.sql_count("SELECT COUNT(*) FROM deals").await, 1);
    assert_eq!(app.sql_count("SELECT COUNT(*) FROM intake_events").await, 1);
    let inbox = app
        .gql_ok(
            Role::VpRevops,
            "{ intakeEvents { nodes { connector status dealId outcome } } }",
            json!({}),
        )
        .await;
    let event = &inbox["intakeEvents"]["nodes"][0];
    assert_eq!(event["connector"], "acme-sf");
    assert_eq!(event["status"], "APPLIED", "{inbox}");
    // A connector's page reads only its own events.
    let by_connector = app
        .gql_ok(
            Role::VpRevops,
            "{ mine: intakeEvents(connector: \"acme-sf\", first: 0) { totalCount } json: intakeEvents(connector: \"json\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        (
            &by_connector["mine"]["totalCount"],
            &by_connector["json"]["totalCount"]
        ),
        (&json!(1), &json!(0)),
        "{by_connector}"
    );
    let deal = app
        .gql_ok(Role::VpRevops, "query($id: ID!) { deal(id: $id) { crmOpportunityId productName billingFrequency paymentTerms tcv { amount currency } } }", json!({ "id": event["dealId"] }))
        .await["deal"]
        .clone();
    assert_eq!(deal["crmOpportunityId"], "0065e00000Opp01AAA");
    assert_eq!(deal["billingFrequency"], "ANNUALLY");
    assert_eq!(deal["paymentTerms"], "NET_30");
    assert_eq!(
        deal["tcv"],
        json!({ "amount": "360000.00", "currency": "USD" })
    );

    let wrong_secret = path
        .rsplit_once('/')
        .map(|(base, _)| format!("{base}/{}", "0".repeat(64)))
        .unwrap();
    let (status, _) = post_xml(
        &app,
        &wrong_secret,
        outbound_message("00D5e000000AbCdEAK", "04l-2"),
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = post_xml(&app, &path, outbound_message("00D5e000000ZZZZEAK", "04l-3")).await;
    assert_eq!(status, 401);
    let (status, reason) = post_xml(&app, &path, "<soapenv:Envelope><notifications>".into()).await;
    assert_eq!(status, 400, "{reason}");
    assert_eq!(app.sql_count("SELECT COUNT(*) FROM intake_events").await, 1);
    assert_eq!(
        app.sql_count("SELECT COUNT(*) FROM audit_log WHERE action = 'intake.refused'")
            .await,
        3
    );

    let bad_mapping = app
        .gql_as(
            Role::Admin,
            "mutation($input: IntakeConnectorUpdateInput!) { intakeConnectorUpdate(input: $input) { connector { paused } } }",
            json!({ "input": { "id": "1", "mappingJson": "{\"fields\":{\"Id\":\"opportunityId\",\"Colour__c\":\"deal.colour\"},\"closedWonStages\":[\"Closed Won\"],\"currency\":\"USD\"}" } }),
        )
        .await;
    assert_eq!(
        error_code(&bad_mapping).as_deref(),
        Some("VALIDATION"),
        "{bad_mapping}"
    );
}

/// HubSpot line items (CRM v3 `line_items` objects as the batch read returns them): deal 1300's
/// two annual lines (the second discounted: its `amount` is below quantity × price), and deal
/// 1301's, one of whose prices HubSpot holds as "12,50".
fn hubspot_line_item(id: &str) -> Option<Value> {
    let (name, quantity, price, amount, frequency, product) = match id {
        "9001" => (
            "Platform seats",
            "25",
            "1200.00",
            "30000.00",
            "annually",
            "7001",
        ),
        "9002" => (
            "Premium support",
            "1",
            "7000.00",
            "6000.00",
            "annually",
            "7002",
        ),
        "9003" => (
            "Analytics add-on",
            "10",
            "12,50",
            "125.00",
            "monthly",
            "7003",
        ),
        "9004" => ("Platform seats", "5", "100.00", "500.00", "monthly", "7001"),
        _ => return None,
    };
    Some(json!({
        "id": id,
        "properties": {
            "name": name, "quantity": quantity, "price": price, "amount": amount,
            "recurringbillingfrequency": frequency, "hs_recurring_billing_period": "P36M",
            "hs_recurring_billing_start_date": "2026-12-01", "hs_product_id": product,
            "hs_object_id": id, "createdate": "2026-11-20T10:00:00.000Z"
        },
        "createdAt": "2026-11-20T10:00:00.000Z", "updatedAt": "2026-11-27T09:59:00.000Z", "archived": false
    }))
}

/// Reads one HTTP request (head and `Content-Length` body) from a socket.
async fn read_request(socket: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut bytes = Vec::new();
    let mut buffer = vec![0_u8; 16 * 1024];
    loop {
        let read = socket.read(&mut buffer).await.unwrap_or(0);
        if read == 0 {
            break;
        }
        bytes.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&bytes).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if body.len() >= length {
                break;
            }
        }
    }
    String::from_utf8_lossy(&bytes).to_string()
}

/// A stand-in for HubSpot's CRM API on a local port, answering as HubSpot documents: the deal
/// with its company association, the company, the deal's line item associations (v4) and the
/// line items' batch read (v3), and deal 1300's contact; 401 without the private-app token.
async fn fake_hubspot_api() -> String {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let request = read_request(&mut socket).await;
                let line = request.lines().next().unwrap_or_default().to_string();
                let body: Value = request
                    .split_once("\r\n\r\n")
                    .and_then(|(_, body)| serde_json::from_str(body).ok())
                    .unwrap_or(Value::Null);
                let deal = |id: &str, name: &str, amount: &str| {
                    json!({
                        "id": id,
                        "properties": { "amount": amount, "dealname": name, "dealstage": "closedwon", "deal_currency_code": "USD", "hs_object_id": id, "pipeline": "default", "closedate": "2026-11-30T17:00:00Z" },
                        "createdAt": "2026-11-01T10:00:00Z", "updatedAt": "2026-11-27T09:59:00Z", "archived": false,
                        "associations": { "companies": { "results": [{ "id": "5678", "type": "deal_to_company" }] } }
                    })
                };
                let associations = |ids: &[u64]| json!({ "results": ids.iter().map(|id| json!({ "toObjectId": id, "associationTypes": [{ "category": "HUBSPOT_DEFINED", "typeId": 19, "label": null }] })).collect::<Vec<_>>() });
                let authorised = request
                    .to_lowercase()
                    .contains("authorization: bearer pat-na1-test");
                let (status, body) = if !authorised {
                    (
                        "401 Unauthorized",
                        json!({ "status": "error", "message": "Authentication credentials not found." }),
                    )
                } else if line.starts_with("GET /crm/v3/objects/deals/1234?") {
                    ("200 OK", deal("1234", "Acme Robotics - Platform", "120000"))
                } else if line.starts_with("GET /crm/v3/objects/deals/1300?") {
                    let mut found = deal("1300", "Acme Robotics - Platform renewal", "108000");
                    // Two contacts: the seller's champion first, then accounts payable, whose
                    // association the deal labels "Billing contact" (read through v4).
                    found["associations"]["contacts"] = json!({ "results": [
                        { "id": "3000", "type": "deal_to_contact" },
                        { "id": "3001", "type": "deal_to_contact" }
                    ] });
                    ("200 OK", found)
                } else if line.starts_with("GET /crm/v4/objects/deals/1300/associations/contacts") {
                    (
                        "200 OK",
                        json!({ "results": [
                            { "toObjectId": 3000, "associationTypes": [{ "category": "HUBSPOT_DEFINED", "typeId": 3, "label": null }] },
                            { "toObjectId": 3001, "associationTypes": [
                                { "category": "HUBSPOT_DEFINED", "typeId": 3, "label": null },
                                { "category": "USER_DEFINED", "typeId": 41, "label": "Billing contact" }
                            ] }
                        ] }),
                    )
                } else if line.starts_with("GET /crm/v3/objects/contacts/3000?") {
                    (
                        "200 OK",
                        json!({ "id": "3000", "properties": { "firstname": "Sam", "lastname": "Champion", "email": "sam@acme.example", "hs_object_id": "3000" }, "archived": false }),
                    )
                } else if line.starts_with("GET /crm/v3/objects/contacts/3001?") {
                    (
                        "200 OK",
                        json!({ "id": "3001", "properties": { "firstname": "Ada", "lastname": "Payables", "email": "ap@acme.example", "hs_object_id": "3001" }, "archived": false }),
                    )
                } else if line.starts_with("GET /crm/v3/objects/deals/1301?") {
                    ("200 OK", deal("1301", "Acme Robotics - Analytics", "18000"))
                } else if line.starts_with("GET /crm/v4/objects/deals/1300/associations/line_items")
                {
                    ("200 OK", associations(&[9001, 9002]))
                } else if line.starts_with("GET /crm/v4/objects/deals/1301/associations/line_items")
                {
                    ("200 OK", associations(&[9003, 9004]))
                } else if line.starts_with("GET /crm/v4/objects/deals/1234/associations/line_items")
                {
                    ("200 OK", associations(&[]))
                } else if line.starts_with("POST /crm/v3/objects/line_items/batch/read ") {
                    let asked: Vec<String> = body["properties"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|name| name.as_str().map(str::to_string))
                        .collect();
                    let results: Vec<Value> = body["inputs"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|input| hubspot_line_item(input["id"].as_str()?))
                        .map(|mut item| {
                            // HubSpot returns only the properties asked for.
                            let properties =
                                item["properties"].as_object().cloned().unwrap_or_default();
                            item["properties"] = Value::Object(
                                properties
                                    .into_iter()
                                    .filter(|(name, _)| asked.contains(name))
                                    .collect(),
                            );
                            item
                        })
                        .collect();
                    (
                        "200 OK",
                        json!({ "status": "COMPLETE", "results": results, "startedAt": "2026-11-27T10:00:00.000Z", "completedAt": "2026-11-27T10:00:00.100Z" }),
                    )
                } else if line.starts_with("GET /crm/v3/objects/companies/5678?") {
                    (
                        "200 OK",
                        json!({ "id": "5678", "properties": { "name": "Acme Robotics Inc.", "domain": "acme.example", "hs_object_id": "5678" }, "archived": false }),
                    )
                } else {
                    (
                        "404 Not Found",
                        json!({ "status": "error", "message": "resource not found" }),
                    )
                };
                let body = body.to_string();
                let response = format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    format!("http://{address}")
}

fn hubspot_signature(secret: &str, uri: &str, body: &str, timestamp: &str) -> String {
    use base64::Engine;
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("POST{uri}{body}{timestamp}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn a_signed_hubspot_event_becomes_one_draft_deal_read_from_the_hubspot_api() {
    // Proves the HubSpot path: a v3-signed deal.propertyChange batch is stored, the deal and its
    // company are read from the (local) CRM v3 API with the private-app token and become a draft
    // deal with its gaps; the same batch again makes nothing new; a bad signature or a stale
    // timestamp is 401 and stores nothing.
    let app = TestApp::spawn().await;
    let api = fake_hubspot_api().await;
    let account = app
        .gql_ok(Role::Admin, "mutation($input: ServiceAccountCreateInput!) { serviceAccountCreate(input: $input) { serviceAccount { id } } }", json!({ "input": { "name": "HubSpot", "role": "VP_REVOPS" } }))
        .await["serviceAccountCreate"]["serviceAccount"]["id"]
        .clone();
    let created = app
        .gql_ok(
            Role::Admin,
            "mutation($input: IntakeConnectorCreateInput!) { intakeConnectorCreate(input: $input) { endpointPath connector { kind apiBaseUrl } } }",
            json!({ "input": { "name": "acme-hs", "kind": "HUBSPOT", "serviceAccountId": account, "signingSecret": "hubspot-client-secret", "apiBaseUrl": api, "apiToken": "pat-na1-test" } }),
        )
        .await["intakeConnectorCreate"]
        .clone();
    let path = created["endpointPath"].as_str().unwrap().to_string();
    assert_eq!(path, "/api/intake/hubspot/acme-hs");
    let uri = format!("{}{path}", app.base_url);
    let body = json!([{ "eventId": 4001, "subscriptionId": 88, "portalId": 62515, "appId": 1160452, "occurredAt": 1_795_000_000_000_i64, "subscriptionType": "deal.propertyChange", "attemptNumber": 0, "objectId": 1234, "propertyName": "dealstage", "propertyValue": "closedwon", "changeSource": "CRM" }]).to_string();
    let post = |signature: String, timestamp: String| {
        app.client
            .post(&uri)
            .header("Content-Type", "application/json")
            .header("X-HubSpot-Signature-v3", signature)
            .header("X-HubSpot-Request-Timestamp", timestamp)
            .body(body.clone())
            .send()
    };
    let now = app.clock.now().timestamp_millis().to_string();
    let stale = (app.clock.now().timestamp_millis() - 6 * 60 * 1000).to_string();
    let response = post(
        hubspot_signature("wrong-secret", &uri, &body, &now),
        now.clone(),
    )
    .await
    .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let response = post(
        hubspot_signature("hubspot-client-secret", &uri, &body, &stale),
        stale,
    )
    .await
    .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(app.sql_count("SELECT COUNT(*) FROM intake_events").await, 0);

    let signature = hubspot_signature("hubspot-client-secret", &uri, &body, &now);
    let response = post(signature.clone(), now.clone()).await.unwrap();
    assert_eq!(
        response.status().as_u16(),
        200,
        "{}",
        response.text().await.unwrap()
    );
    let response = post(signature, now).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(app.sql_count("SELECT COUNT(*) FROM intake_events").await, 1);
    assert_eq!(app.sql_count("SELECT COUNT(*) FROM deals").await, 1);
    let inbox = app
        .gql_ok(
            Role::VpRevops,
            "{ intakeEvents { nodes { connector status dealId outcome } } }",
            json!({}),
        )
        .await;
    let event = &inbox["intakeEvents"]["nodes"][0];
    assert_eq!(event["status"], "APPLIED", "{inbox}");
    let deal = app
        .gql_ok(Role::VpRevops, "query($id: ID!) { deal(id: $id) { crmOpportunityId productName tcv { amount currency } isComplete } }", json!({ "id": event["dealId"] }))
        .await["deal"]
        .clone();
    assert_eq!(deal["crmOpportunityId"], "1234");
    assert_eq!(deal["productName"], "Acme Robotics - Platform");
    assert_eq!(
        deal["tcv"],
        json!({ "amount": "120000.00", "currency": "USD" })
    );
    assert_eq!(
        deal["isComplete"], false,
        "the company has no billing address yet: a gap, not a guess"
    );
}

#[tokio::test]
async fn the_same_notification_delivered_twice_at_once_makes_one_deal_and_stays_applied() {
    // Proves a CRM's overlapping retries race safely: one delivery claims the inbox event, the
    // other is answered from the inbox, one deal exists and the event is not marked failed.
    let app = TestApp::spawn().await;
    let token = app.token(Role::VpRevops).await;
    let body = notification("evt-race");
    let (first, second) = tokio::join!(
        send(&app, Some(&token), &body),
        send(&app, Some(&token), &body)
    );
    assert!(first.0 < 300 && second.0 < 300, "{first:?} {second:?}");
    assert_eq!(app.sql_count("SELECT COUNT(*) FROM deals").await, 1);
    assert_eq!(app.sql_count("SELECT COUNT(*) FROM intake_events").await, 1);
    let inbox = app
        .gql_ok(
            Role::VpRevops,
            "{ intakeEvents { nodes { status } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        inbox["intakeEvents"]["nodes"][0]["status"], "APPLIED",
        "{inbox}"
    );
}

#[tokio::test]
async fn a_hubspot_deals_line_items_fill_the_draft_and_a_bad_one_is_a_named_gap() {
    // Proves the HubSpot line items path: the deal's line items are read (v4 associations, v3
    // batch read) and become the draft's lines (quantity, price per unit after the discount,
    // frequency, CRM reference), from which its product, ARR, TCV, frequency, term and ratable
    // recognition are computed, and its contact the billing contact; a deal with a line item whose
    // price HubSpot holds as "12,50" still becomes a draft, nothing is taken from its lines, and
    // the gap names the line item and field in the inbox and the intake answer's checklist.
    let app = TestApp::spawn().await;
    let api = fake_hubspot_api().await;
    let account = app
        .gql_ok(Role::Admin, "mutation($input: ServiceAccountCreateInput!) { serviceAccountCreate(input: $input) { serviceAccount { id } } }", json!({ "input": { "name": "HubSpot", "role": "VP_REVOPS" } }))
        .await["serviceAccountCreate"]["serviceAccount"]["id"]
        .clone();
    let created = app
        .gql_ok(
            Role::Admin,
            "mutation($input: IntakeConnectorCreateInput!) { intakeConnectorCreate(input: $input) { endpointPath } }",
            json!({ "input": { "name": "acme-hs", "kind": "HUBSPOT", "serviceAccountId": account, "signingSecret": "hubspot-client-secret", "apiBaseUrl": api, "apiToken": "pat-na1-test" } }),
        )
        .await;
    let uri = format!(
        "{}{}",
        app.base_url,
        created["intakeConnectorCreate"]["endpointPath"]
            .as_str()
            .unwrap()
    );
    let event = |event_id: i64, deal: i64| json!({ "eventId": event_id, "subscriptionId": 88, "portalId": 62515, "appId": 1160452, "occurredAt": 1_795_000_000_000_i64, "subscriptionType": "deal.propertyChange", "attemptNumber": 0, "objectId": deal, "propertyName": "dealstage", "propertyValue": "closedwon", "changeSource": "CRM" });
    let body = json!([event(4101, 1300), event(4102, 1301)]).to_string();
    let now = app.clock.now().timestamp_millis().to_string();
    let response = app
        .client
        .post(&uri)
        .header("Content-Type", "application/json")
        .header(
            "X-HubSpot-Signature-v3",
            hubspot_signature("hubspot-client-secret", &uri, &body, &now),
        )
        .header("X-HubSpot-Request-Timestamp", now)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        200,
        "{}",
        response.text().await.unwrap()
    );
    let inbox = app
        .gql_ok(
            Role::VpRevops,
            "{ intakeEvents { nodes { opportunityId status dealId outcome } } }",
            json!({}),
        )
        .await;
    let event_of = |opportunity: &str| {
        inbox["intakeEvents"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|event| event["opportunityId"] == opportunity)
            .cloned()
            .unwrap()
    };
    const LINED: &str = "query($id: ID!) { deal(id: $id) { crmOpportunityId billingContact { name email } productName tcv { amount currency } arr { amount currency } billingFrequency startDate endDate revenueRecognitionType lines { productName kind quantity unitPrice { amount currency } billingFrequency startDate endDate reference } checklist { key complete message } } }";

    let good = event_of("1300");
    assert_eq!(good["status"], "APPLIED", "{inbox}");
    assert!(
        !good["outcome"].as_str().unwrap().contains("Line items"),
        "{good}"
    );
    let deal = app
        .gql_ok(Role::VpRevops, LINED, json!({ "id": good["dealId"] }))
        .await["deal"]
        .clone();
    assert_eq!(deal["productName"], "Platform seats + Premium support");
    assert_eq!(
        deal["arr"],
        json!({ "amount": "36000.00", "currency": "USD" }),
        "25 × 1200.00 + the discounted 6000.00, billed annually"
    );
    assert_eq!(
        deal["tcv"],
        json!({ "amount": "108000.00", "currency": "USD" })
    );
    assert_eq!(deal["billingFrequency"], "ANNUALLY");
    assert_eq!(deal["startDate"], "2026-12-01");
    assert_eq!(
        deal["endDate"], "2029-11-30",
        "P36M from the start: the last service day is the day before the third anniversary"
    );
    assert_eq!(deal["revenueRecognitionType"], "RATABLE");
    assert_eq!(
        deal["lines"],
        json!([
            { "productName": "Platform seats", "kind": "SUBSCRIPTION", "quantity": "25", "unitPrice": { "amount": "1200.00", "currency": "USD" }, "billingFrequency": "ANNUALLY", "startDate": "2026-12-01", "endDate": "2029-11-30", "reference": "9001" },
            { "productName": "Premium support", "kind": "SUBSCRIPTION", "quantity": "1", "unitPrice": { "amount": "6000.00", "currency": "USD" }, "billingFrequency": "ANNUALLY", "startDate": "2026-12-01", "endDate": "2029-11-30", "reference": "9002" }
        ]),
        "one deal line per HubSpot line item, the second at its discounted amount"
    );
    let item = |deal: &Value, key: &str| {
        deal["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item["key"] == key)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        deal["billingContact"],
        json!({ "name": "Ada Payables", "email": "ap@acme.example" }),
        "of the deal's two contacts, the one its association labels \"Billing contact\""
    );
    for key in [
        "productName",
        "arr",
        "tcv",
        "dates",
        "billingFrequency",
        "billingContact",
    ] {
        assert_eq!(item(&deal, key)["complete"], true, "{key}: {deal}");
    }

    let bad = event_of("1301");
    assert_eq!(
        bad["status"], "APPLIED",
        "a bad line item is a gap, not a failure: {inbox}"
    );
    let outcome = bad["outcome"].as_str().unwrap();
    assert!(
        outcome.contains(
            "deal.lineItems[0].unitPrice (\"Analytics add-on\", CRM line item 9003): \"12,50\" is not an amount in USD"
        ),
        "{outcome}"
    );
    let deal = app
        .gql_ok(Role::VpRevops, LINED, json!({ "id": bad["dealId"] }))
        .await["deal"]
        .clone();
    assert_eq!(
        deal["productName"], "Acme Robotics - Analytics",
        "nothing is taken from lines with a gap: the deal's own name stays"
    );
    assert_eq!(deal["arr"], Value::Null);
    assert_eq!(deal["billingFrequency"], Value::Null);
    assert_eq!(item(&deal, "arr")["complete"], false, "{deal}");
    assert_eq!(
        item(&deal, "billingContact")["complete"],
        false,
        "deal 1301 has no contact in HubSpot: a gap"
    );

    // The JSON intake reads line items the same way: a bad value is a named gap in the answer,
    // and once the CRM sends it corrected the lines fill the draft.
    let token = app.token(Role::VpRevops).await;
    let mut body = notification("evt-lines");
    body["opportunityId"] = json!("006Dn000004Lines");
    body["deal"]["lineItems"] = json!([
        { "reference": "L1", "productName": "Platform seats", "quantity": 25, "unitPrice": "1200.00", "billingFrequency": "annually" },
        { "reference": "L2", "productName": "Analytics add-on", "quantity": "ten", "unitPrice": "12.50", "billingFrequency": "annually" }
    ]);
    let (status, answer) = send(&app, Some(&token), &body).await;
    assert_eq!(status, 202, "{answer}");
    let gaps: Vec<String> = answer["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|gap| gap.as_str().unwrap().to_string())
        .collect();
    assert!(
        gaps.iter().any(|gap| gap.starts_with(
            "deal.lineItems[1].quantity (\"Analytics add-on\", CRM line item L2): \"ten\""
        )),
        "{gaps:?}"
    );
    body["eventId"] = json!("evt-lines-2");
    body["deal"]["lineItems"][1]["quantity"] = json!("10");
    let (status, answer) = send(&app, Some(&token), &body).await;
    assert_eq!(status, 202, "{answer}");
    assert!(
        !answer["gaps"].to_string().contains("lineItems"),
        "{answer}"
    );
    let deal = app
        .gql_ok(Role::VpRevops, LINED, json!({ "id": answer["dealId"] }))
        .await["deal"]
        .clone();
    assert_eq!(deal["productName"], "Platform seats + Analytics add-on");
    assert_eq!(
        deal["arr"],
        json!({ "amount": "30125.00", "currency": "USD" })
    );
}

#[tokio::test]
async fn the_notifications_json_schema_is_published() {
    // Proves GET /api/intake/deals/schema.json serves the JSON Schema of the notification
    // (no key needed: it holds no data), naming the line items; its example is a notification
    // the endpoint accepts.
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(format!("{}/api/intake/deals/schema.json", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/schema+json"));
    let schema: Value = response.json().await.unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(schema["$defs"]["Deal"]["properties"]["lineItems"].is_object());
    let token = app.token(Role::VpRevops).await;
    let (status, answer) = send(&app, Some(&token), &schema["examples"][0]).await;
    assert_eq!(status, 202, "{answer}");
}
