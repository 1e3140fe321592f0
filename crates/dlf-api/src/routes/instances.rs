//! J8 RunOnce and I1–I4: job instances; plus the node log extension.

use super::PathParams;
use crate::error::{ApiError, json, no_content};
use crate::extract::{Ctx, QueryParams};
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dlf_core::DlfError;
use dlf_core::model::requests::{StartJobBody, parse_json_body};
use dlf_engine::InstanceListQuery;

type Instance = PathParams<(String, String, String)>;

pub async fn run_once(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name)): PathParams<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: StartJobBody = parse_json_body(&body).map_err(|e| ApiError(DlfError::invalid_param(e)))?;
    Ok(json(StatusCode::OK, &s.engine.run_once(&ctx.tenant, &ctx.caller, &name, &body).await?))
}

pub async fn list(State(s): State<AppState>, ctx: Ctx, q: QueryParams) -> Result<Response, ApiError> {
    let query = InstanceListQuery {
        job_name: q.text("jobName"),
        precise_query: q.boolean("preciseQuery")?,
        min_plan_time: q.int("minPlanTime")?,
        max_plan_time: q.int("maxPlanTime")?,
        status: q.text("status").filter(|s| !s.is_empty()),
        instance_type: q.int("instanceType")?,
        offset: q.int("offset")?,
        limit: q.int("limit")?,
    };
    Ok(json(StatusCode::OK, &s.engine.list_instances(&ctx.tenant, &query).await?))
}

pub async fn show(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name, id)): Instance,
) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &s.engine.show_instance(&ctx.tenant, &name, &id).await?))
}

pub async fn stop(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name, id)): Instance,
) -> Result<Response, ApiError> {
    s.engine.stop_instance(&ctx.tenant, &name, &id).await?;
    Ok(no_content())
}

pub async fn restart(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name, id)): Instance,
) -> Result<Response, ApiError> {
    s.engine.restart_instance(&ctx.tenant, &name, &id).await?;
    Ok(no_content())
}

/// Extension: `POST /x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/confirm`.
pub async fn confirm(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name, id)): Instance,
) -> Result<Response, ApiError> {
    s.engine.confirm_instance(&ctx.tenant, &name, &id).await?;
    Ok(no_content())
}

/// Extension: `GET /x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/log`
/// `[?attempt=N][&follow=true]` — a node attempt's log as plain text; with `follow=true` the
/// response streams (chunked) until the attempt ends.
pub async fn node_log(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name, id, node)): PathParams<(String, String, String, String)>,
    q: QueryParams,
) -> Result<Response, ApiError> {
    let follow = q.boolean("follow")?.unwrap_or(false);
    let log = s.engine.node_log(&ctx.tenant, &name, &id, &node, q.int("attempt")?).await?;
    let body = if follow {
        Body::from_stream(s.engine.follow_log(log))
    } else {
        let bytes = dlf_engine::logs::read_log(&s.engine.config().logs_dir(), &log)
            .await
            .map_err(|e| ApiError(DlfError::invalid_param(format!("node '{node}': {e}"))))?;
        Body::from(bytes)
    };
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    Ok(response)
}

/// Extension: `GET /x/v1/{project_id}/instances/{instance_id}/children` — the SubJob / For Each
/// children of an instance, as ListJobInstances rows with their parent links.
pub async fn children(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, id)): PathParams<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &s.engine.list_children(&ctx.tenant, &id).await?))
}
