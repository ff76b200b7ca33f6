use revops::access::matrix::{role_has, Access, OPERATIONS};
use revops_tests::{error_code, Role, TestApp};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

pub(crate) const INTROSPECTION: &str = r#"{ __schema {
  queryType { name } mutationType { name }
  types { name kind
    fields { name type { ...TypeRef } args { name type { ...TypeRef } } }
    inputFields { name type { ...TypeRef } }
    enumValues { name } } } }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;

pub(crate) struct Schema {
    pub(crate) types: HashMap<String, Value>,
}

impl Schema {
    /// A value of the given type reference that passes GraphQL validation: required input
    /// fields filled, nullable ones left out.
    fn dummy(&self, type_ref: &Value) -> Value {
        match type_ref["kind"].as_str().unwrap() {
            "NON_NULL" => self.dummy(&type_ref["ofType"]),
            "LIST" => json!([]),
            "SCALAR" => match type_ref["name"].as_str().unwrap() {
                "Int" => json!(1),
                "Boolean" => json!(false),
                "ID" => json!("1"),
                "Date" => json!("2026-01-01"),
                "DateTime" => json!("2026-01-01T00:00:00Z"),
                _ => json!("x"),
            },
            "ENUM" => {
                let name = type_ref["name"].as_str().unwrap();
                json!(self.types[name]["enumValues"][0]["name"])
            }
            "INPUT_OBJECT" => {
                let name = type_ref["name"].as_str().unwrap();
                let mut object = Map::new();
                for field in self.types[name]["inputFields"].as_array().unwrap() {
                    if field["type"]["kind"] == "NON_NULL" {
                        object.insert(
                            field["name"].as_str().unwrap().into(),
                            self.dummy(&field["type"]),
                        );
                    }
                }
                Value::Object(object)
            }
            other => panic!("unexpected input kind {other}"),
        }
    }
}

pub(crate) fn type_name(type_ref: &Value) -> String {
    match type_ref["kind"].as_str().unwrap() {
        "NON_NULL" => format!("{}!", type_name(&type_ref["ofType"])),
        "LIST" => format!("[{}]", type_name(&type_ref["ofType"])),
        _ => type_ref["name"].as_str().unwrap().to_string(),
    }
}

/// The one-field document `keyword Label($a: T, …) { field(a: $a, …) selection }` that passes
/// the given introspected arguments as variables of the same names.
pub(crate) fn operation_document(
    keyword: &str,
    label: &str,
    field: &Value,
    arguments: &[&Value],
) -> String {
    let name = field["name"].as_str().unwrap();
    let list = |each: &dyn Fn(&str, &Value) -> String| {
        if arguments.is_empty() {
            return String::new();
        }
        let parts: Vec<String> = arguments
            .iter()
            .map(|argument| each(argument["name"].as_str().unwrap(), &argument["type"]))
            .collect();
        format!("({})", parts.join(", "))
    };
    let declarations = list(&|argument, type_ref| format!("${argument}: {}", type_name(type_ref)));
    let passed = list(&|argument, _| format!("{argument}: ${argument}"));
    format!(
        "{keyword} {label}{declarations} {{ {name}{passed} {} }}",
        leaf_selection(&field["type"])
    )
}

/// Object results need a selection; `__typename` is the smallest one.
pub(crate) fn leaf_selection(type_ref: &Value) -> &'static str {
    let mut current = type_ref;
    while current["name"].is_null() {
        current = &current["ofType"];
    }
    if current["kind"] == "OBJECT" {
        "{ __typename }"
    } else {
        ""
    }
}

#[tokio::test]
async fn every_operation_allows_exactly_the_roles_in_the_matrix() {
    // Proves, by introspection so no new field can be forgotten, that each query and mutation
    // is allowed or FORBIDDEN per role exactly as auth::matrix says, and UNAUTHENTICATED without a token.
    let app = TestApp::spawn().await;
    let response = app.gql(None, INTROSPECTION, json!({})).await;
    let types: HashMap<String, Value> = response["data"]["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|value| (value["name"].as_str().unwrap().to_string(), value.clone()))
        .collect();
    let schema = Schema { types };
    let mut seen = Vec::new();
    for (operation_type, keyword) in [("Query", "query"), ("Mutation", "mutation")] {
        for field in schema.types[operation_type]["fields"].as_array().unwrap() {
            let name = field["name"].as_str().unwrap();
            let access = revops::access::matrix::operation_access(operation_type, name)
                .unwrap_or_else(|| {
                    panic!("{operation_type}.{name} is missing from auth::matrix::OPERATIONS")
                });
            seen.push((operation_type, name.to_string()));
            let mut passed = Vec::new();
            let mut variables = Map::new();
            for argument in field["args"].as_array().unwrap() {
                if argument["type"]["kind"] != "NON_NULL" {
                    continue;
                }
                let argument_name = argument["name"].as_str().unwrap();
                variables.insert(argument_name.into(), schema.dummy(&argument["type"]));
                passed.push(argument);
            }
            let document = operation_document(keyword, "Probe", field, &passed);
            let variables = Value::Object(variables);

            let anonymous = app.gql(None, &document, variables.clone()).await;
            if access == Access::Public {
                assert_ne!(
                    error_code(&anonymous).as_deref(),
                    Some("FORBIDDEN"),
                    "{name} anonymous: {anonymous}"
                );
            } else {
                assert_eq!(
                    error_code(&anonymous).as_deref(),
                    Some("UNAUTHENTICATED"),
                    "{name} anonymous: {anonymous}"
                );
            }
            for role in Role::ALL {
                let response = app.gql_as(role, &document, variables.clone()).await;
                let refused_by_matrix = error_code(&response).as_deref() == Some("FORBIDDEN")
                    && response["errors"][0]["extensions"]["permission"].is_string();
                let allowed = match access {
                    Access::Public | Access::SignedIn => true,
                    Access::Needs(permission) => role_has(role, permission),
                };
                assert_eq!(
                    !refused_by_matrix, allowed,
                    "{operation_type}.{name} as {role}: {response}"
                );
                if access != Access::Public {
                    assert_ne!(
                        error_code(&response).as_deref(),
                        Some("UNAUTHENTICATED"),
                        "{name} as {role}: {response}"
                    );
                }
                assert_ne!(
                    error_code(&response).as_deref(),
                    Some("INTERNAL"),
                    "{name} as {role}: {response}"
                );
                if name == "logout" {
                    // Signing out revokes the caller's tokens by design; sign in afresh.
                    app.forget_tokens().await;
                }
            }
        }
    }
    // Subscriptions stream over WebSocket, not this POST endpoint: each must be in the matrix
    // (their access is exercised over a socket in `live.rs`).
    for field in schema.types["Subscription"]["fields"].as_array().unwrap() {
        let name = field["name"].as_str().unwrap();
        assert!(
            revops::access::matrix::operation_access("Subscription", name).is_some(),
            "Subscription.{name} is missing from auth::matrix::OPERATIONS"
        );
        seen.push(("Subscription", name.to_string()));
    }
    for (parent, name, _) in OPERATIONS {
        assert!(
            seen.iter()
                .any(|(seen_parent, seen_name)| seen_parent == parent && seen_name == name),
            "{parent}.{name} is in the matrix but not in the schema"
        );
    }
    assert!(seen.len() >= 24, "walked only {} operations", seen.len());
}

#[tokio::test]
async fn me_reports_the_role_and_its_permissions() {
    // Proves the web app can gate navigation from `me`.
    let app = TestApp::spawn().await;
    let data = app
        .gql_ok(Role::Ae, "{ me { email role permissions } }", json!({}))
        .await;
    assert_eq!(data["me"]["role"], "AE");
    let permissions: Vec<&str> = data["me"]["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|value| value.as_str().unwrap())
        .collect();
    assert!(permissions.contains(&"DEAL_READ"));
    assert!(!permissions.contains(&"APPROVAL_READ"));
    let data = app
        .gql_ok(Role::VpFinance, "{ me { role permissions } }", json!({}))
        .await;
    assert!(data["me"]["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("CREDIT_LIMIT_APPROVE")));
}
