//! R1–R5: resources, and the object store extension that holds their bytes
//! (`PUT`/`GET /x/v1/{project_id}/objects/{bucket}/{key...}`).

use super::PathParams;
use crate::error::{ApiError, json, no_content};
use crate::extract::{Ctx, QueryParams};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dlf_engine::objects::object_path;

type Id = PathParams<(String, String)>;
type Object = PathParams<(String, String, String)>;

pub async fn create(State(s): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &s.engine.create_resource(&ctx.tenant, &ctx.caller, &body).await?))
}

pub async fn list(State(s): State<AppState>, ctx: Ctx, q: QueryParams) -> Result<Response, ApiError> {
    let name = q.text("resourceName");
    let list = s.engine.list_resources(&ctx.tenant, name.as_deref(), q.int("offset")?, q.int("limit")?).await?;
    Ok(json(StatusCode::OK, &list))
}

pub async fn show(State(s): State<AppState>, ctx: Ctx, PathParams((_, id)): Id) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &s.engine.show_resource(&ctx.tenant, &id).await?))
}

pub async fn update(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, id)): Id,
    body: Bytes,
) -> Result<Response, ApiError> {
    s.engine.update_resource(&ctx.tenant, &id, &body).await?;
    Ok(no_content())
}

pub async fn delete(State(s): State<AppState>, ctx: Ctx, PathParams((_, id)): Id) -> Result<Response, ApiError> {
    s.engine.delete_resource(&ctx.tenant, &id).await?;
    Ok(no_content())
}

/// Stores the body as the object (204). Objects belong to the path's project, which the
/// authentication layer has checked the credential may act on; no workspace is involved.
pub async fn put_object(
    State(s): State<AppState>,
    PathParams((project_id, bucket, key)): Object,
    body: Bytes,
) -> Result<Response, ApiError> {
    let object = object_path(&bucket, &key)?;
    s.engine.put_object(&project_id, &object, body.to_vec()).await?;
    Ok(no_content())
}

/// The object's bytes (`application/octet-stream`).
pub async fn get_object(
    State(s): State<AppState>,
    PathParams((project_id, bucket, key)): Object,
) -> Result<Response, ApiError> {
    let object = object_path(&bucket, &key)?;
    let bytes = s.engine.get_object(&project_id, &object).await?;
    let mut response = (StatusCode::OK, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    Ok(response)
}
