//! C1–C5: data connections, and the connection test extension.

use super::PathParams;
use crate::error::{ApiError, json, no_content};
use crate::extract::{Ctx, QueryParams};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

type Name = PathParams<(String, String)>;

pub async fn create(State(s): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, ApiError> {
    s.engine.create_connection(&ctx.tenant, &ctx.caller, &body).await?;
    Ok(no_content())
}

pub async fn list(State(s): State<AppState>, ctx: Ctx, q: QueryParams) -> Result<Response, ApiError> {
    let name = q.text("connectionName");
    let list = s.engine.list_connections(&ctx.tenant, name.as_deref(), q.int("offset")?, q.int("limit")?).await?;
    Ok(json(StatusCode::OK, &list))
}

pub async fn show(State(s): State<AppState>, ctx: Ctx, PathParams((_, name)): Name) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &s.engine.show_connection(&ctx.tenant, &name).await?))
}

/// C4; the documented `ischeck` query parameter is accepted and ignored (the test is its own
/// extension).
pub async fn update(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name)): Name,
    body: Bytes,
) -> Result<Response, ApiError> {
    s.engine.update_connection(&ctx.tenant, &name, &body).await?;
    Ok(no_content())
}

pub async fn delete(State(s): State<AppState>, ctx: Ctx, PathParams((_, name)): Name) -> Result<Response, ApiError> {
    s.engine.delete_connection(&ctx.tenant, &name).await?;
    Ok(no_content())
}

pub async fn test(State(s): State<AppState>, ctx: Ctx, PathParams((_, name)): Name) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &s.engine.test_connection(&ctx.tenant, &name).await?))
}
