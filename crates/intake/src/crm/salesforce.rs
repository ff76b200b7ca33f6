//! Salesforce Outbound Messages: the SOAP `notifications` envelope an outbound message action
//! posts, read into its organization id and notifications (each an sObject's fields by name), and
//! the `notificationsResponse` that acknowledges it. Pure: no I/O.

use quick_xml::events::Event;
use quick_xml::Reader;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Notifications one message may carry (Salesforce sends at most 100).
pub const MAX_NOTIFICATIONS: usize = 100;

/// One notification: its id (unique per delivery attempt series, so a retry repeats it), the
/// sObject type, and the sObject's fields as text by their API names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: String,
    pub object_type: String,
    pub fields: BTreeMap<String, String>,
    /// The record's line items, each its properties by CRM name (HubSpot's; an outbound
    /// message carries one sObject, so Salesforce's are empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub line_items: Vec<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    pub organization_id: String,
    pub notifications: Vec<Notification>,
}

/// Where the reader is inside the envelope.
#[derive(Default)]
struct Cursor {
    path: Vec<String>,
    text: String,
    organization_id: Option<String>,
    current: Option<Notification>,
    notifications: Vec<Notification>,
}

fn local(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

impl Cursor {
    fn open(&mut self, name: String, object_type: Option<String>) {
        if name == "Notification" {
            self.current = Some(Notification {
                id: String::new(),
                object_type: String::new(),
                fields: BTreeMap::new(),
                line_items: Vec::new(),
            });
        }
        if name == "sObject" {
            if let Some(current) = &mut self.current {
                current.object_type = object_type.unwrap_or_default();
            }
        }
        self.path.push(name);
        self.text.clear();
    }

    fn close(&mut self) -> Result<(), String> {
        let name = self.path.pop().unwrap_or_default();
        let parent = self.path.last().map(String::as_str).unwrap_or("");
        let text = std::mem::take(&mut self.text).trim().to_string();
        match (parent, name.as_str()) {
            ("notifications", "OrganizationId") => self.organization_id = Some(text),
            ("Notification", "Id") => {
                if let Some(current) = &mut self.current {
                    current.id = text;
                }
            }
            ("sObject", field) => {
                if let Some(current) = &mut self.current {
                    current.fields.insert(field.to_string(), text);
                }
            }
            (_, "Notification") => {
                let done = self
                    .current
                    .take()
                    .ok_or("a Notification closed that never opened")?;
                if done.id.is_empty() {
                    return Err("a Notification has no Id".into());
                }
                self.notifications.push(done);
                if self.notifications.len() > MAX_NOTIFICATIONS {
                    return Err(format!(
                        "more than {MAX_NOTIFICATIONS} notifications in one message"
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// The `xsi:type` of an element ("sf:Opportunity" → "Opportunity").
fn type_attribute(start: &quick_xml::events::BytesStart<'_>) -> Option<String> {
    start.attributes().flatten().find_map(|attribute| {
        (attribute.key.local_name().as_ref() == b"type").then(|| {
            let value = String::from_utf8_lossy(&attribute.value).into_owned();
            value.rsplit(':').next().unwrap_or_default().to_string()
        })
    })
}

/// Reads the envelope; the error says in words what is wrong with it.
pub fn parse(xml: &str) -> Result<OutboundMessage, String> {
    let mut reader = Reader::from_str(xml);
    let mut cursor = Cursor::default();
    loop {
        let event = reader.read_event().map_err(|error| {
            format!(
                "malformed XML at byte {}: {error}",
                reader.buffer_position()
            )
        })?;
        match event {
            Event::Start(start) => {
                let object_type = type_attribute(&start);
                cursor.open(local(start.local_name().as_ref()), object_type);
            }
            Event::Empty(start) => {
                cursor.open(local(start.local_name().as_ref()), None);
                cursor.close()?;
            }
            Event::End(_) => cursor.close()?,
            Event::Text(text) => {
                let text = text
                    .unescape()
                    .map_err(|error| format!("malformed XML text: {error}"))?;
                cursor.text.push_str(&text);
            }
            Event::CData(data) => cursor.text.push_str(&String::from_utf8_lossy(&data)),
            Event::Eof => break,
            _ => {}
        }
    }
    if !cursor.path.is_empty() {
        return Err("the XML ends before its elements are closed".into());
    }
    let organization_id = cursor
        .organization_id
        .ok_or("no notifications/OrganizationId: this is not a Salesforce outbound message")?;
    Ok(OutboundMessage {
        organization_id,
        notifications: cursor.notifications,
    })
}

/// The acknowledgement Salesforce waits for; with `false` it retries the message later.
pub fn acknowledgement(ack: bool) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>{ack}</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>"#
    )
}

/// Salesforce organization ids are 15 or 18 characters; the 18-character form adds a checksum,
/// so the first 15 identify the org either way.
pub fn same_organization(expected: &str, received: &str) -> bool {
    let key = |id: &str| id.trim().chars().take(15).collect::<String>();
    !received.trim().is_empty() && key(expected) == key(received)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D5e000000AbCdEAK</OrganizationId>
   <ActionId>04k5e000000XyZaAAC</ActionId>
   <SessionId xsi:nil="true"/>
   <Notification>
    <Id>04l5e00000A1b2cAAB</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>0065e00000Opp01AAA</sf:Id>
     <sf:Amount>360000.0</sf:Amount>
     <sf:Name>Acme &amp; Co - Analytics</sf:Name>
     <sf:StageName>Closed Won</sf:StageName>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>"#;

    /// The documented envelope reads into its org and one Opportunity with its fields.
    #[test]
    fn reads_an_outbound_message() -> Result<(), String> {
        let message = parse(MESSAGE)?;
        assert_eq!(message.organization_id, "00D5e000000AbCdEAK");
        assert_eq!(message.notifications.len(), 1);
        let notification = &message.notifications[0];
        assert_eq!(notification.id, "04l5e00000A1b2cAAB");
        assert_eq!(notification.object_type, "Opportunity");
        assert_eq!(
            notification.fields.get("Name").map(String::as_str),
            Some("Acme & Co - Analytics")
        );
        assert_eq!(
            notification.fields.get("Amount").map(String::as_str),
            Some("360000.0")
        );
        Ok(())
    }

    /// Broken or foreign XML is refused with the reason.
    #[test]
    fn refuses_what_is_not_an_outbound_message() {
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("<Envelope><Body/></Envelope>")
            .is_err_and(|reason| reason.contains("OrganizationId")));
        assert!(parse(&MESSAGE.replace("</soapenv:Envelope>", "")).is_err());
    }

    /// 15- and 18-character org ids name the same org.
    #[test]
    fn org_ids_match_in_either_length() {
        assert!(same_organization("00D5e000000AbCd", "00D5e000000AbCdEAK"));
        assert!(!same_organization("00D5e000000AbCd", "00D5e000000ZZZZEAK"));
        assert!(!same_organization("00D5e000000AbCd", ""));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn escaped(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }

    /// The envelope Salesforce posts, around `notifications`.
    fn envelope(organization_id: &str, notifications: &[Notification]) -> String {
        let mut xml = String::from(
            r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">"#,
        );
        xml.push_str(&format!(
            "<OrganizationId>{}</OrganizationId>",
            escaped(organization_id)
        ));
        for notification in notifications {
            xml.push_str(&format!(
                "<Notification><Id>{}</Id>",
                escaped(&notification.id)
            ));
            xml.push_str(&format!(
                r#"<sObject xsi:type="sf:{}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">"#,
                notification.object_type
            ));
            for (name, value) in &notification.fields {
                xml.push_str(&format!("<sf:{name}>{}</sf:{name}>", escaped(value)));
            }
            xml.push_str("</sObject></Notification>");
        }
        xml.push_str("</notifications></soapenv:Body></soapenv:Envelope>");
        xml
    }

    fn notification() -> impl Strategy<Value = Notification> {
        (
            "[A-Za-z0-9]{1,18}",
            "[A-Z][a-z]{1,10}",
            proptest::collection::btree_map("F[A-Za-z0-9_]{0,10}", "\\PC{0,20}", 0..5),
        )
            .prop_map(|(id, object_type, fields)| Notification {
                id,
                object_type,
                fields: fields
                    .into_iter()
                    .map(|(name, value)| (name, value.trim().to_owned()))
                    .collect(),
                line_items: Vec::new(),
            })
    }

    /// Pieces of an envelope in any order, to reach the reader's unusual states.
    fn tag_soup() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop::sample::select(vec![
                "<notifications>",
                "</notifications>",
                "<OrganizationId>",
                "</OrganizationId>",
                "<Notification>",
                "</Notification>",
                "<Id>",
                "</Id>",
                "<sObject xsi:type=\"sf:Opportunity\">",
                "</sObject>",
                "<sf:Amount>",
                "</sf:Amount>",
                "<Empty/>",
                "x",
                "&amp;",
                "&bogus;",
                "<![CDATA[a<b]]>",
                "<!-- c -->",
                "<?pi?>",
                "00D5e000000AbCd",
            ]),
            0..40,
        )
        .prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn any_text_is_a_message_or_a_reason(text in any::<String>()) {
            // Proves arbitrary text never panics the SOAP reader.
            if let Err(reason) = parse(&text) {
                prop_assert!(!reason.is_empty());
            }
        }

        #[test]
        fn any_tag_soup_is_a_message_or_a_reason(xml in tag_soup()) {
            // Proves envelopes in any broken order never panic: a message read has an
            // organization and only notifications with an id, at most the maximum.
            match parse(&xml) {
                Ok(message) => {
                    prop_assert!(message.notifications.len() <= MAX_NOTIFICATIONS);
                    prop_assert!(message.notifications.iter().all(|notification| !notification.id.is_empty()));
                }
                Err(reason) => prop_assert!(!reason.is_empty()),
            }
        }

        #[test]
        fn written_messages_read_back(
            organization_id in "[A-Za-z0-9]{15,18}",
            notifications in proptest::collection::vec(notification(), 0..5),
        ) {
            // Proves an outbound message as Salesforce writes it (escaped text, namespaced
            // fields) reads back to the same organization and notifications.
            let message = parse(&envelope(&organization_id, &notifications)).map_err(TestCaseError::fail)?;
            prop_assert_eq!(message.organization_id, organization_id);
            prop_assert_eq!(message.notifications, notifications);
        }
    }
}
