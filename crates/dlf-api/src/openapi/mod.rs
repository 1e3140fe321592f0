//! `GET /openapi.json`: an OpenAPI 3.0.3 document of every route dlf serves, with DLF's wire
//! names.
//!
//! The document is written by hand, as tables ([`operations`] for the routes, [`schemas`] for
//! the bodies), rather than derived from the Rust types, because neither source says the whole
//! truth on its own:
//! - the model types are lenient on purpose (required wire fields are `#[serde(default)]` so
//!   validation can answer with its own `DLF.*` code; unknown fields live in flattened `extra`
//!   maps; numbers are accepted for strings), so a derived schema would describe what the
//!   parser tolerates, not the contract clients should follow;
//! - the reference (`../shared/reference/dlf-openapi/*.json`) is Swagger 2.0, one file per
//!   operation, in Chinese, and has known defects (API.md §0.10) that must not be copied.
//!
//! What keeps the hand-written tables true is `tests/openapi.rs`: every documented property
//! name is checked against the reference definitions (copied under
//! `tests/data/dlf-openapi/`) up to an explicit allow-list of dlf extensions, every documented
//! route is sent to the real router, and live answers are validated against their schemas.
//! Enums the model owns (statuses, instance types, script types) are read from `dlf_core`.
//!
//! Conventions: DLF v1 operations carry the reference's operationId (`CreateJob`,
//! `RestoreJobInstance`, ...); what dlf adds — operations under `/x/v1/` and fields the
//! reference lacks — is flagged `x-dlf-extension: true`.

mod imports;
mod operations;
mod schema;
mod schemas;

use serde_json::{Value, json};
use std::sync::OnceLock;

/// The document (built once).
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(build)
}

fn build() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "dlf — DataArts Factory (DLF) v1 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "A self-hosted implementation of Huawei Cloud DataArts Factory's v1 REST API, \
                compatible with the official SDK (`huaweicloudsdkdgc`). Every DLF operation lives under \
                `/v1/{project_id}/` and acts in the workspace named by the optional `workspace` header \
                (default: the project's default workspace). dlf's additions live under `/x/v1/` and are \
                flagged `x-dlf-extension`. Errors are `{\"error_code\",\"error_msg\"}`; every business \
                error is HTTP 400.",
        },
        "tags": operations::tags(),
        "paths": operations::paths(),
        "components": {
            "schemas": schemas::all(),
            "parameters": {
                "workspace": {
                    "name": "workspace",
                    "in": "header",
                    "required": false,
                    "description": "Workspace id (UTF-8 allowed); absent = the project's default workspace. \
                        Unknown: 400 `DLF.3051`; not accessible: 400 `DLF.6888`.",
                    "schema": { "type": "string" },
                },
            },
            "responses": operations::error_responses(),
            "securitySchemes": {
                "akSk": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "AK/SK signature as the Huawei Cloud SDK sends it: \
                        `Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2;...>, Signature=<hex>` \
                        with an `X-Sdk-Date: YYYYMMDDTHHMMSSZ` header (at most 15 minutes off). API.md §0.5.2-§0.5.3.",
                },
                "token": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Auth-Token",
                    "description": "A token from `POST /x/v1/{project_id}/tokens`, valid for that project. \
                        Ignored when an `Authorization` signature is present.",
                },
            },
        },
    })
}
