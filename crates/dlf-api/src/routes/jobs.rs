//! J1–J9: job definitions and their scheduling status.

use super::PathParams;
use crate::answer_cache::ShowJobKey;
use crate::error::{ApiError, json, json_body, json_bytes, no_content};
use crate::extract::{Ctx, QueryParams};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use dlf_core::DlfError;
use dlf_core::model::requests::{StartJobBody, parse_json_body};
use dlf_engine::{JobListQuery, ShowJobQuery};

type Name = PathParams<(String, String)>;

pub async fn create(State(s): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, ApiError> {
    s.engine.create_job(&ctx.tenant, &ctx.caller, &body).await?;
    Ok(no_content())
}

pub async fn list(State(s): State<AppState>, ctx: Ctx, q: QueryParams) -> Result<Response, ApiError> {
    let query = JobListQuery {
        job_type: q.text("jobType"),
        job_name: q.text("jobName"),
        tags: q.text("tags"),
        offset: q.int("offset")?,
        limit: q.int("limit")?,
    };
    Ok(json(StatusCode::OK, &s.engine.list_jobs(&ctx.tenant, &query).await?))
}

pub async fn show(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name)): Name,
    q: QueryParams,
) -> Result<Response, ApiError> {
    let query = ShowJobQuery {
        version: q.int("version")?,
        dependencies: q.boolean("dependencies")?.unwrap_or(false),
        get_job_submit_version: q.boolean("getJobSubmitVersion")?.unwrap_or(false),
    };
    let key = ShowJobKey {
        workspace_id: ctx.tenant.workspace_id().to_string(),
        job_name: name.clone(),
        version: query.version,
        dependencies: query.dependencies,
        get_job_submit_version: query.get_job_submit_version,
    };
    // Read before the job is: see `answer_cache`.
    let generation = s.engine.store().definitions_generation();
    if let Some(body) = generation.and_then(|g| s.answers.get(&key, g)) {
        return Ok(json_bytes(StatusCode::OK, body));
    }
    let answer = s.engine.show_job(&ctx.tenant, &name, &query).await?;
    let body = json_body(&answer)?;
    if let Some(generation) = generation {
        s.answers.put(key, generation, body.clone());
    }
    Ok(json_bytes(StatusCode::OK, body))
}

pub async fn update(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name)): Name,
    body: Bytes,
) -> Result<Response, ApiError> {
    s.engine.update_job(&ctx.tenant, &ctx.caller, &name, &body).await?;
    Ok(no_content())
}

pub async fn delete(State(s): State<AppState>, ctx: Ctx, PathParams((_, name)): Name) -> Result<Response, ApiError> {
    s.engine.delete_job(&ctx.tenant, &name).await?;
    Ok(no_content())
}

fn start_body(body: &[u8]) -> Result<StartJobBody, ApiError> {
    parse_json_body(body).map_err(|e| ApiError(DlfError::invalid_param(e)))
}

pub async fn start(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name)): Name,
    body: Bytes,
) -> Result<Response, ApiError> {
    s.engine.start_job(&ctx.tenant, &ctx.caller, &name, &start_body(&body)?).await?;
    Ok(no_content())
}

pub async fn stop(State(s): State<AppState>, ctx: Ctx, PathParams((_, name)): Name) -> Result<Response, ApiError> {
    s.engine.stop_job(&ctx.tenant, &name).await?;
    Ok(no_content())
}

pub async fn status(State(s): State<AppState>, ctx: Ctx, PathParams((_, name)): Name) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &s.engine.job_status(&ctx.tenant, &name).await?))
}
