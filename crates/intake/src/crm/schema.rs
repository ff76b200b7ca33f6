//! The published JSON Schema of the any-CRM notification (`GET /api/intake/deals/schema.json`),
//! kept beside the types it describes; the tests below hold it to them — every object's
//! properties are exactly the fields serde reads, and its example is a notification `parse`
//! accepts.

/// The schema document (JSON Schema 2020-12).
pub const DEAL_EVENT_SCHEMA: &str = include_str!("deal_event.schema.json");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::event::{self, AccountPart, DealEvent, DealPart};
    use crate::crm::lines::LineItemPart;
    use crate::customers::{Address, Contact};
    use crate::values::MoneyInput;
    use serde::de::{Deserialize, Deserializer, Error as _, Visitor};
    use serde_json::Value;

    /// A deserializer that only records the field names a struct's `Deserialize` asks for.
    struct FieldNames<'a>(&'a mut Vec<&'static str>);

    impl<'de> Deserializer<'de> for FieldNames<'_> {
        type Error = serde::de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(Self::Error::custom("not a struct"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.extend_from_slice(fields);
            Err(Self::Error::custom("fields recorded"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }

    fn serde_fields<T: for<'de> Deserialize<'de>>() -> Vec<String> {
        let mut names = Vec::new();
        let _ = T::deserialize(FieldNames(&mut names));
        let mut names: Vec<String> = names.into_iter().map(str::to_owned).collect();
        names.sort();
        names
    }

    fn schema() -> Value {
        serde_json::from_str(DEAL_EVENT_SCHEMA).expect("the schema is JSON")
    }

    fn properties(object: &Value) -> Vec<String> {
        let mut names: Vec<String> = object["properties"]
            .as_object()
            .map(|properties| properties.keys().cloned().collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    /// Proves the published schema names exactly the fields revops reads, object by object, so
    /// a field added to the notification without documenting it (or documented and not read)
    /// fails here.
    #[test]
    fn the_schema_names_every_field_the_notification_reads() {
        let schema = schema();
        let defs = &schema["$defs"];
        let pairs = [
            (
                properties(&schema),
                serde_fields::<DealEvent>(),
                "notification",
            ),
            (
                properties(&defs["Account"]),
                serde_fields::<AccountPart>(),
                "Account",
            ),
            (
                properties(&defs["Deal"]),
                serde_fields::<DealPart>(),
                "Deal",
            ),
            (
                properties(&defs["LineItem"]),
                serde_fields::<LineItemPart>(),
                "LineItem",
            ),
            (
                properties(&defs["Money"]),
                serde_fields::<MoneyInput>(),
                "Money",
            ),
            (
                properties(&defs["Contact"]),
                serde_fields::<Contact>(),
                "Contact",
            ),
            (
                properties(&defs["Address"]),
                serde_fields::<Address>(),
                "Address",
            ),
        ];
        for (documented, read, name) in pairs {
            assert!(!read.is_empty(), "{name}: no fields recorded");
            assert_eq!(documented, read, "{name}");
        }
    }

    /// Proves the schema's example is a notification revops accepts, with its line items read.
    #[test]
    fn the_schemas_example_is_accepted() {
        let example = schema()["examples"][0].clone();
        let parsed = event::parse(example.to_string().as_bytes()).expect("the example parses");
        assert_eq!(parsed.opportunity_id, "006Dn000004XyZ");
        assert_eq!(parsed.deal.line_items.len(), 2);
        let (filled, gaps) = crate::crm::lines::apply(&parsed.deal);
        assert!(gaps.is_empty(), "{gaps:?}");
        assert_eq!(filled.lines.map(|lines| lines.len()), Some(2));
    }
}
