//! Endpoints beside the DLF API that need no credentials: health and the OpenAPI document.

use crate::error::json;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

/// `GET /healthz`: 200 once the server is ready (store open and migrated, engine started).
pub async fn healthz(State(s): State<AppState>) -> Response {
    json(StatusCode::OK, &json!({"status": "ok", "time": s.engine.now_ms()}))
}

/// `GET /openapi.json`.
pub async fn openapi() -> Response {
    json(StatusCode::OK, crate::openapi::document())
}
