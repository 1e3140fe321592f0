//! Notification extensions (JOBS.md §2.9: no v1 API configures them): a job's rules and the
//! record of deliveries. Tenant-scoped like the job routes (project and workspace).

use super::PathParams;
use crate::error::{ApiError, json};
use crate::extract::{Ctx, QueryParams};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use dlf_core::DlfError;
use dlf_core::model::requests::parse_json_body;
use dlf_engine::notify::NotificationRules;

type Name = PathParams<(String, String)>;

/// `GET /x/v1/{project_id}/jobs/{job_name}/notifications` → `{"rules": [...]}`.
pub async fn show_rules(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name)): Name,
) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &s.engine.job_notification_rules(&ctx.tenant, &name).await?))
}

/// `PUT /x/v1/{project_id}/jobs/{job_name}/notifications` `{"rules": [...]}` → the rules kept.
pub async fn set_rules(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name)): Name,
    body: Bytes,
) -> Result<Response, ApiError> {
    let rules: NotificationRules = parse_json_body(&body).map_err(|e| ApiError(DlfError::invalid_param(e)))?;
    Ok(json(StatusCode::OK, &s.engine.set_job_notification_rules(&ctx.tenant, &name, rules).await?))
}

/// `GET /x/v1/{project_id}/notifications/deliveries[?jobName=&offset=&limit=]`.
pub async fn deliveries(State(s): State<AppState>, ctx: Ctx, q: QueryParams) -> Result<Response, ApiError> {
    let list =
        s.engine.list_deliveries(&ctx.tenant, q.text("jobName").as_deref(), q.int("offset")?, q.int("limit")?).await?;
    Ok(json(StatusCode::OK, &list))
}
