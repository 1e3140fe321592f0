//! J12 ImportJob, J13 ShowFileInfo, C7 ImportConnections and T1 ListSystemTasks: imports run as
//! system tasks; the handlers start them and show them.

use super::PathParams;
use crate::error::{ApiError, json};
use crate::extract::Ctx;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

pub async fn import_jobs(State(s): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &s.engine.import_jobs(&ctx.tenant, &ctx.caller, &body).await?))
}

pub async fn check_file(State(s): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &s.engine.show_file_info(&ctx.tenant, &body).await?))
}

pub async fn import_connections(State(s): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &s.engine.import_connections(&ctx.tenant, &ctx.caller, &body).await?))
}

pub async fn show_task(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, task_id)): PathParams<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &s.engine.show_system_task(&ctx.tenant, &task_id).await?))
}
