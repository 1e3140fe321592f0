//! `/openapi.json` (placeholder until the document is generated).

use std::sync::OnceLock;

pub fn document() -> &'static serde_json::Value {
    static DOC: OnceLock<serde_json::Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::json!({"openapi": "3.0.3", "info": {"title": "dlf", "version": env!("CARGO_PKG_VERSION")}, "paths": {}}))
}
