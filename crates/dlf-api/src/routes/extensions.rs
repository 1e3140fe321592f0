//! `/x/v1/...`: what DLF lacks, beside the compatible API (DESIGN.md "Extensions"):
//! workspaces, access keys and tokens, server information, firing HTTP Trigger nodes.
//!
//! Who may do what (docs/security.md): creating workspaces and managing access keys (create,
//! list, disable, enable, delete) needs an administrator key — one bound to no project; a key
//! bound to a project may list its project's workspaces and get tokens for its project; tokens
//! are issued only to requests signed with an access key.

use super::PathParams;
use crate::error::{ApiError, json};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dlf_core::DlfError;
use dlf_core::model::requests::parse_json_body;
use dlf_engine::Caller;
use serde::Deserialize;
use serde_json::json;

fn require_admin(caller: &Caller) -> Result<(), ApiError> {
    if !caller.is_admin() {
        return Err(ApiError(DlfError::with_message(
            dlf_core::ErrorCode::Forbidden,
            "The IAM user is not authorized to access the API: this needs an administrator key (one bound to no project).",
        )));
    }
    Ok(())
}

fn caller_of(ext: Option<axum::Extension<Caller>>) -> Caller {
    ext.map(|e| e.0).unwrap_or_else(Caller::anonymous)
}

#[derive(Default, Deserialize)]
struct NewWorkspace {
    #[serde(default)]
    name: String,
}

/// `POST /x/v1/{project_id}/workspaces` `{"name": ...}` → the new workspace.
pub async fn create_workspace(
    State(s): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    PathParams(project_id): PathParams<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_admin(&caller_of(caller))?;
    let req: NewWorkspace = parse_json_body(&body).map_err(|e| ApiError(DlfError::invalid_param(e)))?;
    let ws = s.engine.create_workspace(&project_id, &req.name).await?;
    Ok(json(
        StatusCode::OK,
        &json!({"id": ws.id, "name": ws.name, "projectId": ws.project_id, "isDefault": ws.is_default}),
    ))
}

/// `GET /x/v1/{project_id}/workspaces`.
pub async fn list_workspaces(
    State(s): State<AppState>,
    PathParams(project_id): PathParams<String>,
) -> Result<Response, ApiError> {
    let list = s.engine.list_workspaces(&project_id).await?;
    let items: Vec<_> = list
        .into_iter()
        .map(|ws| json!({"id": ws.id, "name": ws.name, "projectId": ws.project_id, "isDefault": ws.is_default}))
        .collect();
    Ok(json(StatusCode::OK, &json!({"total": items.len(), "workspaces": items})))
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewKey {
    #[serde(default)]
    user: Option<String>,
    /// Key bound to the path's project (default) or, for administrators, to every project.
    #[serde(default)]
    all_projects: bool,
}

/// `POST /x/v1/{project_id}/access-keys` → `{"access_key","secret_key","project_id"}`.
/// Only administrator credentials may create keys.
pub async fn create_access_key(
    State(s): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    PathParams(project_id): PathParams<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = caller_of(caller);
    require_admin(&caller)?;
    let req: NewKey = parse_json_body(&body).map_err(|e| ApiError(DlfError::invalid_param(e)))?;
    let scope = if req.all_projects { None } else { Some(project_id.as_str()) };
    let user = req.user.unwrap_or_else(|| caller.user.clone());
    let key = s.engine.create_access_key(scope, &user).await?;
    Ok(json(StatusCode::OK, &key))
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewToken {
    /// Lifetime in seconds (default 24 h, like an IAM token).
    #[serde(default)]
    ttl_seconds: Option<i64>,
}

/// `POST /x/v1/{project_id}/tokens` → `{"token","expiresAt"}`: an `X-Auth-Token` for this project,
/// issued to a request signed with an access key that may act on it. The token belongs to that
/// key: disabling or deleting the key ends it.
pub async fn create_token(
    State(s): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    PathParams(project_id): PathParams<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = caller_of(caller);
    let req: NewToken = parse_json_body(&body).map_err(|e| ApiError(DlfError::invalid_param(e)))?;
    let ttl = req.ttl_seconds.unwrap_or(86_400);
    if !(1..=30 * 86_400).contains(&ttl) {
        return Err(ApiError(DlfError::invalid_param("ttlSeconds must be in [1, 2592000]")));
    }
    let ttl_ms = ttl * 1000;
    let token = s.engine.create_token(&caller, &project_id, ttl_ms).await?;
    Ok(json(StatusCode::OK, &json!({"token": token, "expiresAt": s.engine.now_ms().saturating_add(ttl_ms)})))
}

/// `GET /x/v1/{project_id}/access-keys` → `{"total","accessKeys":[…]}`: the keys bound to the
/// project (never their secrets). Administrators only.
pub async fn list_access_keys(
    State(s): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    PathParams(project_id): PathParams<String>,
) -> Result<Response, ApiError> {
    require_admin(&caller_of(caller))?;
    let keys = s.engine.list_access_keys(Some(&project_id)).await?;
    let items: Vec<_> = keys
        .iter()
        .map(|k| {
            json!({"accessKey": k.access_key, "projectId": k.project_id, "user": k.user,
                   "createTime": k.created_ms, "disabled": k.disabled})
        })
        .collect();
    Ok(json(StatusCode::OK, &json!({"total": items.len(), "accessKeys": items})))
}

/// The key `access_key` if it is bound to `project_id` (administrator keys are managed offline,
/// `dlf keys`), else 400 `DLF.3051`.
async fn project_key(s: &AppState, project_id: &str, access_key: &str) -> Result<(), ApiError> {
    let keys = s.engine.list_access_keys(Some(project_id)).await?;
    if !keys.iter().any(|k| k.access_key == access_key) {
        return Err(ApiError(DlfError::invalid_param(format!(
            "access key {access_key} is not a key of project {project_id}"
        ))));
    }
    Ok(())
}

/// `DELETE /x/v1/{project_id}/access-keys/{access_key}` → 204: the key and its tokens stop
/// working within a second. Administrators only.
pub async fn delete_access_key(
    State(s): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    PathParams((project_id, access_key)): PathParams<(String, String)>,
) -> Result<Response, ApiError> {
    require_admin(&caller_of(caller))?;
    project_key(&s, &project_id, &access_key).await?;
    s.engine.delete_access_key(&access_key).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /x/v1/{project_id}/access-keys/{access_key}/disable` → 204: the key and its tokens stop
/// working within a second, until it is enabled again. Administrators only.
pub async fn disable_access_key(
    State(s): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    PathParams((project_id, access_key)): PathParams<(String, String)>,
) -> Result<Response, ApiError> {
    set_disabled(&s, &caller_of(caller), &project_id, &access_key, true).await
}

/// `POST /x/v1/{project_id}/access-keys/{access_key}/enable` → 204. Administrators only.
pub async fn enable_access_key(
    State(s): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    PathParams((project_id, access_key)): PathParams<(String, String)>,
) -> Result<Response, ApiError> {
    set_disabled(&s, &caller_of(caller), &project_id, &access_key, false).await
}

async fn set_disabled(
    s: &AppState,
    caller: &Caller,
    project_id: &str,
    access_key: &str,
    disabled: bool,
) -> Result<Response, ApiError> {
    require_admin(caller)?;
    project_key(s, project_id, access_key).await?;
    s.engine.set_access_key_disabled(access_key, disabled).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /x/v1/info`: version and the service time zone EL dates use.
pub async fn info(State(s): State<AppState>) -> Response {
    json(
        StatusCode::OK,
        &json!({
            "name": "dlf",
            "version": env!("CARGO_PKG_VERSION"),
            "timeZone": s.engine.config().service_zone.id(),
            "strictDlfCron": s.engine.config().strict_dlf_cron,
        }),
    )
}

/// `POST /x/v1/{project_id}/http-triggers/{trigger_id}/fire` → `{"instances": [...]}`: the
/// HTTP Trigger nodes of the caller's workspace waiting on the id succeed, with the body (any
/// content) as their output.
pub async fn fire_http_trigger(
    State(s): State<AppState>,
    ctx: crate::extract::Ctx,
    PathParams((_, trigger)): PathParams<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = (!body.is_empty()).then(|| String::from_utf8_lossy(&body).into_owned());
    let fired = s.engine.fire_http_trigger(&ctx.tenant, &trigger, body).await?;
    let ids: Vec<String> = fired.iter().map(ToString::to_string).collect();
    Ok(json(StatusCode::OK, &json!({ "instances": ids })))
}
