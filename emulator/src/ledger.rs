//! The ledger: every request, allowed or denied, with who asked and who paid.

use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Entry {
    pub request_id: String,
    /// RFC 3339 UTC time.
    pub time: String,
    pub operation: String,
    pub bucket: String,
    pub key: String,
    /// Account uid, or `anonymous`.
    pub requester: String,
    /// Account uid charged for the request, empty when nobody is (no such bucket).
    pub payer: String,
    pub status: u16,
    pub error_code: String,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Usage {
    pub requests: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

/// Totals per paying account.
pub fn usage(entries: &[Entry]) -> BTreeMap<String, Usage> {
    let mut out: BTreeMap<String, Usage> = BTreeMap::new();
    for e in entries.iter().filter(|e| !e.payer.is_empty()) {
        let u = out.entry(e.payer.clone()).or_default();
        u.requests += 1;
        u.bytes_in += e.bytes_in;
        u.bytes_out += e.bytes_out;
    }
    out
}
