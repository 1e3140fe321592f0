//! One error type for every handler: a `DlfError` rendered as DLF's JSON error body.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dlf_core::{DlfError, ErrorCode};

/// `Content-Type` of every JSON response (API.md §0.3).
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// A handler's error: any catalogue code, rendered as `{"error_code","error_msg"}`.
#[derive(Debug)]
pub struct ApiError(pub DlfError);

impl From<DlfError> for ApiError {
    fn from(e: DlfError) -> Self {
        ApiError(e)
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> Self {
        ApiError(DlfError::invalid_param(format!("path parameter: {}", e.body_text())))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        ApiError(DlfError::invalid_param(format!("query: {}", e.body_text())))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(&self.0)
    }
}

/// The response for a DLF error.
pub fn error_response(e: &DlfError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::json!({"error_code": e.code.code(), "error_msg": e.message});
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
    response
}

/// 404 `APIGW.0101` for unknown paths and unknown methods on known paths (API.md §0.2).
pub async fn api_not_found() -> Response {
    error_response(&DlfError::new(ErrorCode::ApiNotFound))
}

/// Longest request target (path and query) served: 32 KiB. Longer targets get 414
/// `APIGW.0201` as JSON; beyond 64 KiB the HTTP library itself refuses them (a bare 414).
pub const MAX_URI_BYTES: usize = 32 * 1024;

/// Middleware: 414 `APIGW.0201` for an over-long request target.
pub async fn reject_long_uri(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let len = request.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if len > MAX_URI_BYTES {
        return error_response(&DlfError::new(ErrorCode::UriTooLong));
    }
    next.run(request).await
}

/// A JSON body with DLF's content type.
pub fn json<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    match json_body(body) {
        Ok(bytes) => json_bytes(status, bytes),
        Err(e) => error_response(&e),
    }
}

/// A response body serialized as JSON.
pub fn json_body<T: serde::Serialize>(body: &T) -> Result<axum::body::Bytes, DlfError> {
    serde_json::to_vec(body)
        .map(Into::into)
        .map_err(|e| DlfError::internal(format!("response serialisation failed: {e}")))
}

/// A response whose JSON body is already serialized.
pub fn json_bytes(status: StatusCode, body: axum::body::Bytes) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
    response
}

/// 204 No Content.
pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}
