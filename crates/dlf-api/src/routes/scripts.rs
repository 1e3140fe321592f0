//! S1–S5: stored scripts.

use super::PathParams;
use crate::error::{ApiError, json, no_content};
use crate::extract::{Ctx, QueryParams};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

type Name = PathParams<(String, String)>;
type Run = PathParams<(String, String, String)>;

pub async fn create(State(s): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, ApiError> {
    s.engine.create_script(&ctx.tenant, &ctx.caller, &body).await?;
    Ok(no_content())
}

pub async fn list(State(s): State<AppState>, ctx: Ctx, q: QueryParams) -> Result<Response, ApiError> {
    let list =
        s.engine.list_scripts(&ctx.tenant, q.text("scriptName").as_deref(), q.int("offset")?, q.int("limit")?).await?;
    Ok(json(StatusCode::OK, &list))
}

pub async fn show(State(s): State<AppState>, ctx: Ctx, PathParams((_, name)): Name) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &s.engine.show_script(&ctx.tenant, &name).await?))
}

pub async fn update(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name)): Name,
    body: Bytes,
) -> Result<Response, ApiError> {
    s.engine.update_script(&ctx.tenant, &name, &body).await?;
    Ok(no_content())
}

pub async fn delete(State(s): State<AppState>, ctx: Ctx, PathParams((_, name)): Name) -> Result<Response, ApiError> {
    s.engine.delete_script(&ctx.tenant, &name).await?;
    Ok(no_content())
}

pub async fn execute(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name)): Name,
    body: Bytes,
) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &s.engine.execute_script(&ctx.tenant, &ctx.caller, &name, &body).await?))
}

pub async fn results(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name, id)): Run,
) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &s.engine.script_run_results(&ctx.tenant, &name, &id).await?))
}

pub async fn cancel(State(s): State<AppState>, ctx: Ctx, PathParams((_, name, id)): Run) -> Result<Response, ApiError> {
    s.engine.cancel_script_run(&ctx.tenant, &name, &id).await?;
    Ok(no_content())
}
