//! J8 RunOnce and I1–I4: job instances; plus the node log and the operator action extensions.

use super::PathParams;
use crate::error::{ApiError, api_not_found, json, no_content};
use crate::extract::{Ctx, QueryParams};
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dlf_core::DlfError;
use dlf_core::model::requests::{StartJobBody, parse_json_body};
use dlf_core::state::RerunFrom;
use dlf_engine::InstanceListQuery;
use dlf_engine::instances::RerunOptions;
use dlf_engine::operator::{InstanceAction, NodeAction};
use serde_json::Value;

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

/// I4, with the extension options of JOBS.md §5.9: `rerunFrom` (`ERROR_NODE` | `FIRST_NODE` |
/// a node name) and `useLatestParams`, in the query or in a JSON body (the query wins).
pub async fn restart(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name, id)): Instance,
    q: QueryParams,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError(DlfError::invalid_param(format!("body: {e}"))))?
    };
    let from = match (q.text("rerunFrom"), body.get("rerunFrom")) {
        (Some(text), _) => text,
        (None, None | Some(Value::Null)) => String::new(),
        (None, Some(Value::String(text))) => text.clone(),
        (None, Some(_)) => return Err(ApiError(DlfError::invalid_param("rerunFrom must be a string"))),
    };
    let use_latest_params = match (q.boolean("useLatestParams")?, body.get("useLatestParams")) {
        (Some(b), _) => b,
        (None, None | Some(Value::Null)) => false,
        (None, Some(Value::Bool(b))) => *b,
        (None, Some(Value::String(t))) if t == "true" || t == "false" => t == "true",
        (None, Some(_)) => return Err(ApiError(DlfError::invalid_param("useLatestParams must be true or false"))),
    };
    let options = RerunOptions { from: RerunFrom::parse(from.trim()), use_latest_params };
    s.engine.rerun_instance(&ctx.tenant, &name, &id, &options).await?;
    Ok(no_content())
}

/// Extension: `POST /x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/{action}`, an
/// operator action of JOBS.md §5.8 (`succeed`, `continue`, `retry`, `freeze`, `unfreeze`,
/// `ignore-dependencies`, `remove-dependency` with a body `{"jobName": …, "instanceId": …}`
/// naming the upstream instance). An unknown action is an unknown route.
pub async fn act(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name, id, action)): PathParams<(String, String, String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let action = match (action.as_str(), InstanceAction::parse(&action)) {
        (_, Some(action)) => action,
        ("remove-dependency", None) => {
            let body: Value =
                serde_json::from_slice(&body).map_err(|e| ApiError(DlfError::invalid_param(format!("body: {e}"))))?;
            let job_name = body.get("jobName").and_then(Value::as_str).filter(|n| !n.is_empty());
            let instance_id = match body.get("instanceId") {
                Some(Value::Number(n)) => n.as_i64(),
                Some(Value::String(t)) => t.trim().parse().ok(),
                _ => None,
            };
            let (Some(job_name), Some(instance_id)) = (job_name, instance_id) else {
                return Err(ApiError(DlfError::invalid_param(
                    "remove-dependency needs a body {\"jobName\": <upstream job>, \"instanceId\": <upstream instance id>}",
                )));
            };
            InstanceAction::RemoveDependency { job_name: job_name.to_string(), instance_id }
        }
        _ => return Ok(api_not_found().await),
    };
    s.engine.instance_action(&ctx.tenant, &name, &id, action).await?;
    Ok(no_content())
}

/// Extension: `POST /x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/{action}`,
/// a node action of JOBS.md §5.8 (`succeed`, `retry`, `skip`, `pause`, `resume`).
pub async fn act_on_node(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name, id, node, action)): PathParams<(String, String, String, String, String)>,
) -> Result<Response, ApiError> {
    let Some(action) = NodeAction::parse(&action) else { return Ok(api_not_found().await) };
    s.engine.node_action(&ctx.tenant, &name, &id, &node, action).await?;
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
