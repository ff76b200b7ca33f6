//! The canonical bytes of a sealed record and the hash chain over them — pure, no I/O.
//!
//! Encoding, version 1 (`revops-seal/1`), chosen so that two different records can never encode
//! alike and so that a reader can reimplement it from this comment:
//!
//! ```text
//! record   := "revops-seal/1" 0x00  table-name 0x00  field*  children
//! field    := name 0x00  ( 'N'                            -- NULL
//!                        | 'V' u64-be(len) value-bytes )  -- a value
//! children := u64-be(count)  ( u64-be(len) record )*      -- a journal entry's lines, by id
//! ```
//!
//! Values are text: integers (ids, minor-unit amounts) in decimal, dates `YYYY-MM-DD`, instants
//! in UTC RFC 3339 with nanoseconds (`2026-11-27T10:00:00.000000000Z`), text and JSON exactly as
//! stored. Fields appear in the fixed order the callers list them (every column of the table).
//! A link's hash is `SHA-256(previous link's hash as 32 bytes || record bytes)`, written as 64
//! lowercase hex characters; the first link's previous hash is 32 zero bytes.
//!
//! Each field also gets a short digest (the first 8 hex characters of the SHA-256 of its own
//! `field` encoding), kept beside the link, so a verifier can say *which* field changed.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const MAGIC: &[u8] = b"revops-seal/1";

/// The hash before the first link of every chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One row as sealed: its table, id, fields in a fixed order and (for a journal entry) its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub table: &'static str,
    pub id: i64,
    pub fields: Vec<(&'static str, Option<String>)>,
    pub children: Vec<Record>,
}

/// Field values as the encoding writes them.
pub fn int(value: i64) -> Option<String> {
    Some(value.to_string())
}

pub fn int_opt(value: Option<i64>) -> Option<String> {
    value.map(|value| value.to_string())
}

pub fn date(value: NaiveDate) -> Option<String> {
    Some(value.format("%Y-%m-%d").to_string())
}

pub fn instant(value: DateTime<Utc>) -> Option<String> {
    Some(value.to_rfc3339_opts(SecondsFormat::Nanos, true))
}

pub fn text(value: &str) -> Option<String> {
    Some(value.to_owned())
}

fn push_len(bytes: &mut Vec<u8>, length: usize) {
    bytes.extend_from_slice(&(length as u64).to_be_bytes());
}

fn encode_field(bytes: &mut Vec<u8>, name: &str, value: Option<&str>) {
    bytes.extend_from_slice(name.as_bytes());
    bytes.push(0);
    match value {
        None => bytes.push(b'N'),
        Some(value) => {
            bytes.push(b'V');
            push_len(bytes, value.len());
            bytes.extend_from_slice(value.as_bytes());
        }
    }
}

impl Record {
    /// The canonical bytes (see the module comment).
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(256);
        bytes.extend_from_slice(MAGIC);
        bytes.push(0);
        bytes.extend_from_slice(self.table.as_bytes());
        bytes.push(0);
        for (name, value) in &self.fields {
            encode_field(&mut bytes, name, value.as_deref());
        }
        push_len(&mut bytes, self.children.len());
        for child in &self.children {
            let encoded = child.encode();
            push_len(&mut bytes, encoded.len());
            bytes.extend_from_slice(&encoded);
        }
        bytes
    }

    /// Each field's short digest, keyed `field` for the record's own fields and
    /// `table:id.field` for its children's (e.g. `journal_lines:57.debit_minor`).
    pub fn field_digests(&self) -> BTreeMap<String, String> {
        let mut digests = BTreeMap::new();
        for (name, value) in &self.fields {
            digests.insert((*name).to_owned(), field_digest(name, value.as_deref()));
        }
        for child in &self.children {
            for (name, value) in &child.fields {
                digests.insert(
                    format!("{}:{}.{name}", child.table, child.id),
                    field_digest(name, value.as_deref()),
                );
            }
        }
        digests
    }
}

fn field_digest(name: &str, value: Option<&str>) -> String {
    let mut bytes = Vec::new();
    encode_field(&mut bytes, name, value);
    hex(&Sha256::digest(&bytes))[..8].to_owned()
}

/// The digests as stored: `key=digest` joined by commas, in key order.
pub fn digests_to_text(digests: &BTreeMap<String, String>) -> String {
    digests
        .iter()
        .map(|(key, digest)| format!("{key}={digest}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The stored digests read back (an unreadable entry is skipped: it then shows as a difference).
pub fn digests_from_text(text: &str) -> BTreeMap<String, String> {
    text.split(',')
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, digest)| (key.to_owned(), digest.to_owned()))
        .collect()
}

/// The next link's hash: SHA-256 of the previous hash's 32 bytes and the record's bytes. A
/// previous hash that is not 64 hex characters hashes as written, so it can never match.
pub fn link(previous_hash: &str, record: &Record) -> String {
    let mut hasher = Sha256::new();
    match unhex(previous_hash) {
        Some(bytes) => hasher.update(bytes),
        None => hasher.update(previous_hash.as_bytes()),
    }
    hasher.update(record.encode());
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|start| u8::from_str_radix(&text[start..start + 2], 16).ok())
        .collect()
}

/// What differs between the digests sealed and the record now: (table, row id, sentence) for
/// the first difference in key order, naming the field, or None when every field still matches.
pub fn difference(
    record: &Record,
    sealed: &BTreeMap<String, String>,
) -> Option<(String, i64, String)> {
    let now = record.field_digests();
    for (key, digest) in &now {
        match sealed.get(key) {
            Some(was) if was == digest => {}
            Some(_) => return Some(describe(record, key, Change::Edited)),
            None => return Some(describe(record, key, Change::Added)),
        }
    }
    sealed
        .keys()
        .find(|key| !now.contains_key(*key))
        .map(|key| describe(record, key, Change::Removed))
}

enum Change {
    Edited,
    Added,
    Removed,
}

/// (table, row id, sentence) for a digest key: `field` of the record itself, or
/// `table:id.field` of one of its lines.
fn describe(record: &Record, key: &str, change: Change) -> (String, i64, String) {
    let line = key.split_once('.').and_then(|(row, field)| {
        let (table, id) = row.split_once(':')?;
        Some((table, id.parse::<i64>().ok()?, field))
    });
    let Some((table, id, field)) = line else {
        let sentence = match change {
            Change::Edited => format!("{key} differs from its sealed value"),
            Change::Added => format!("{key} has no sealed value"),
            Change::Removed => format!("{key} is gone"),
        };
        return (record.table.to_owned(), record.id, sentence);
    };
    let of = format!("{} id {}", record.table, record.id);
    let sentence = match change {
        Change::Edited => format!("{field} differs from its sealed value (a line of {of})"),
        Change::Added => format!("the line was added to {of} after it was sealed"),
        Change::Removed => format!("the line was removed from {of} after it was sealed"),
    };
    (table.to_owned(), id, sentence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(id: i64, debit: i64) -> Record {
        Record {
            table: "journal_lines",
            id,
            fields: vec![
                ("id", int(id)),
                ("entry_id", int(1)),
                ("account_code", text("1100")),
                ("debit_minor", int(debit)),
            ],
            children: vec![],
        }
    }

    fn entry(lines: Vec<Record>) -> Record {
        Record {
            table: "journal_entries",
            id: 1,
            fields: vec![("id", int(1)), ("memo", text("m")), ("posted_by", None)],
            children: lines,
        }
    }

    #[test]
    fn the_first_link_is_the_documented_sha256() {
        // Proves the encoding and link are exactly as documented, byte for byte.
        let record = Record {
            table: "t",
            id: 1,
            fields: vec![("a", None), ("b", text("x"))],
            children: vec![],
        };
        let mut expected = b"revops-seal/1\0t\0a\0Nb\0V".to_vec();
        expected.extend_from_slice(&1u64.to_be_bytes());
        expected.push(b'x');
        expected.extend_from_slice(&0u64.to_be_bytes());
        assert_eq!(record.encode(), expected);
        let mut hasher = Sha256::new();
        hasher.update([0u8; 32]);
        hasher.update(&expected);
        assert_eq!(link(GENESIS, &record), hex(&hasher.finalize()));
    }

    #[test]
    fn a_changed_line_amount_is_named() {
        // Proves the verifier can name the line and field whose value changed after sealing.
        let sealed = entry(vec![line(7, 100), line(8, 0)]).field_digests();
        let tampered = entry(vec![line(7, 101), line(8, 0)]);
        let (table, id, what) = difference(&tampered, &sealed).unwrap();
        assert_eq!((table.as_str(), id), ("journal_lines", 7));
        assert!(what.starts_with("debit_minor differs"), "{what}");
        let removed = entry(vec![line(7, 100)]);
        assert_eq!(difference(&removed, &sealed).unwrap().1, 8);
        assert!(difference(&entry(vec![line(7, 100), line(8, 0)]), &sealed).is_none());
    }

    #[test]
    fn null_and_empty_text_differ() {
        // Proves NULL and "" encode differently, so clearing a value is seen.
        let with = |value| Record {
            table: "audit_log",
            id: 1,
            fields: vec![("before_json", value)],
            children: vec![],
        };
        assert_ne!(link(GENESIS, &with(None)), link(GENESIS, &with(text(""))));
    }

    proptest! {
        #[test]
        fn distinct_field_values_never_encode_alike(
            a in proptest::collection::vec(proptest::option::of(".{0,12}"), 1..5),
            b in proptest::collection::vec(proptest::option::of(".{0,12}"), 1..5),
        ) {
            // Proves the encoding is injective over field values (lengths and NULLs are framed).
            const NAMES: [&str; 5] = ["f0", "f1", "f2", "f3", "f4"];
            let record = |values: &Vec<Option<String>>| Record {
                table: "audit_log",
                id: 1,
                fields: values.iter().enumerate().map(|(index, value)| (NAMES[index], value.clone())).collect(),
                children: vec![],
            };
            prop_assert_eq!(a == b, record(&a).encode() == record(&b).encode());
        }

        #[test]
        fn digests_round_trip_through_their_text(debits in proptest::collection::vec(any::<i64>(), 0..6)) {
            // Proves the stored digest text reads back to the same digests.
            let record = entry(debits.iter().enumerate().map(|(index, debit)| line(index as i64 + 10, *debit)).collect());
            let digests = record.field_digests();
            prop_assert_eq!(digests_from_text(&digests_to_text(&digests)), digests);
        }
    }
}
