//! Tests: the API.md §0.5.4 vectors, each rule and error on its own, and a tamper property.

mod property;
mod rules;
mod vectors;

use super::*;

pub(super) const AK: &str = "AKIDEXAMPLE";
pub(super) const SK: &str = "SKEXAMPLESECRET";

/// An owned request, convenient to build, sign, mutate and verify in tests.
#[derive(Debug, Clone)]
pub(super) struct Request {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn new(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Self {
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (target.to_owned(), None),
        };
        Request {
            method: method.to_owned(),
            path,
            query,
            headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
            body: body.to_vec(),
        }
    }

    /// Signs in place (headers get `X-Sdk-Date`); returns the `Authorization` value.
    pub fn sign(&mut self, sk: &str, date: &str) -> String {
        sign(&self.method, &self.path, self.query.as_deref(), &mut self.headers, &self.body, AK, sk, date)
    }

    /// Runs `f` on the borrowed view the verifier sees.
    pub fn with_view<T>(&self, f: impl FnOnce(&SignedRequest<'_>) -> T) -> T {
        let headers: Vec<(&str, &[u8])> = self.headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
        f(&SignedRequest {
            method: &self.method,
            raw_path: &self.path,
            raw_query: self.query.as_deref(),
            headers: &headers,
            body: &self.body,
        })
    }

    pub fn canonical(&self, signed_headers: &[String]) -> Result<String, SignatureError> {
        self.with_view(|req| canonical_request(req, signed_headers))
    }

    /// Parses `authorization` and verifies with `SK`, the default skew and the given clock.
    pub fn verify_at(&self, authorization: &str, now_ms: i64) -> Result<(), SignatureError> {
        let auth = parse_authorization(authorization)?;
        self.with_view(|req| {
            verify(req, &auth, SK, now_ms, &Policy { max_skew_ms: DEFAULT_MAX_SKEW_MS, allow_unsigned_payload: true })
        })
    }
}

pub(super) fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(text.as_bytes()))
}
