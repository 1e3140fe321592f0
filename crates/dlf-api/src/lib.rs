//! `dlf-api`: the HTTP surface of dlf.
//!
//! The DLF v1 routes under `/v1/{project_id}/` (exactly as the official SDK calls them), the
//! extensions under `/x/v1/`, `/healthz` and `/openapi.json`. Requests pass, in order: a request
//! id (`X-Request-Id` on every response), panic catching (a panic is a 500 `DLF.9999`, never a
//! dropped connection), authentication (AK/SK or token, [`auth`]), then a small handler that
//! calls one [`dlf_engine::Engine`] operation. Unknown routes and methods answer 404
//! `APIGW.0101`; every error is DLF's JSON body ([`error`]).

pub mod answer_cache;
pub mod auth;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod routes;
pub mod state;

pub use state::{AppState, AuthMode};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use routes::{connections, extensions, imports, instances, jobs, notifications, packages, resources, scripts, system};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// One span per request, carrying the request id so every log line of the request has it.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let dlf = Router::new()
        .route("/v1/{project_id}/jobs", get(jobs::list).post(jobs::create))
        .route("/v1/{project_id}/jobs/{job_name}", get(jobs::show).put(jobs::update).delete(jobs::delete))
        .route("/v1/{project_id}/jobs/{job_name}/start", post(jobs::start))
        .route("/v1/{project_id}/jobs/{job_name}/stop", post(jobs::stop))
        .route("/v1/{project_id}/jobs/{job_name}/status", get(jobs::status))
        .route("/v1/{project_id}/jobs/{job_name}/run-immediate", post(instances::run_once))
        .route("/v1/{project_id}/jobs/instances/detail", get(instances::list))
        .route("/v1/{project_id}/jobs/{job_name}/instances/{instance_id}", get(instances::show))
        .route("/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/stop", post(instances::stop))
        .route("/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/restart", post(instances::restart))
        .route("/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/confirm", post(instances::confirm))
        .route("/x/v1/{project_id}/instances/{instance_id}/children", get(instances::children))
        .route(
            "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/log",
            get(instances::node_log),
        )
        .route("/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/{action}", post(instances::act))
        .route(
            "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/{action}",
            post(instances::act_on_node),
        )
        .route(
            "/x/v1/{project_id}/jobs/{job_name}/notifications",
            get(notifications::show_rules).put(notifications::set_rules),
        )
        .route("/x/v1/{project_id}/notifications/deliveries", get(notifications::deliveries))
        .route("/v1/{project_id}/scripts", get(scripts::list).post(scripts::create))
        .route(
            "/v1/{project_id}/scripts/{script_name}",
            get(scripts::show).put(scripts::update).delete(scripts::delete),
        )
        .route("/v1/{project_id}/scripts/{script_name}/execute", post(scripts::execute))
        .route("/v1/{project_id}/scripts/{script_name}/instances/{instance_id}", get(scripts::results))
        .route("/v1/{project_id}/scripts/{script_name}/instances/{instance_id}/stop", post(scripts::cancel))
        .route("/v1/{project_id}/connections", get(connections::list).post(connections::create))
        .route(
            "/v1/{project_id}/connections/{connection_name}",
            get(connections::show).put(connections::update).delete(connections::delete),
        )
        .route("/x/v1/{project_id}/connections/{connection_name}/test", post(connections::test))
        .route("/v1/{project_id}/resources", get(resources::list).post(resources::create))
        .route(
            "/v1/{project_id}/resources/{resource_id}",
            get(resources::show).put(resources::update).delete(resources::delete),
        )
        .route("/x/v1/{project_id}/objects/{bucket}/{*key}", get(resources::get_object).put(resources::put_object))
        .route("/x/v1/{project_id}/http-triggers/{trigger_id}/fire", post(extensions::fire_http_trigger))
        .route("/x/v1/{project_id}/workspaces", get(extensions::list_workspaces).post(extensions::create_workspace))
        .route("/x/v1/{project_id}/access-keys", get(extensions::list_access_keys).post(extensions::create_access_key))
        .route("/x/v1/{project_id}/access-keys/{access_key}", delete(extensions::delete_access_key))
        .route("/x/v1/{project_id}/access-keys/{access_key}/disable", post(extensions::disable_access_key))
        .route("/x/v1/{project_id}/access-keys/{access_key}/enable", post(extensions::enable_access_key))
        .route("/x/v1/{project_id}/tokens", post(extensions::create_token))
        .route("/x/v1/info", get(extensions::info))
        .route("/v1/{project_id}/jobs/{job_name}/export", post(packages::export_job))
        .route("/v1/{project_id}/jobs/batch-export", post(packages::export_jobs))
        .route("/v1/{project_id}/connections/export", post(packages::export_connections))
        .route("/v1/{project_id}/jobs/import", post(imports::import_jobs))
        .route("/v1/{project_id}/jobs/check-file", post(imports::check_file))
        .route("/v1/{project_id}/connections/import", post(imports::import_connections))
        .route("/v1/{project_id}/system-tasks/{task_id}", get(imports::show_task))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate));
    Router::new()
        .route("/healthz", get(system::healthz))
        .route("/openapi.json", get(system::openapi))
        .merge(dlf)
        .fallback(error::api_not_found)
        .layer(axum::middleware::from_fn(error::reject_long_uri))
        .method_not_allowed_fallback(error::api_not_found)
        .layer(DefaultBodyLimit::disable())
        .layer(CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            tracing::error!("a request handler panicked");
            error::error_response(&dlf_core::DlfError::internal(uuid::Uuid::new_v4().simple()))
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}
