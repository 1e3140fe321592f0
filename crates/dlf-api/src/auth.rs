//! Authentication (API.md §0.5): every `/v1/...` and `/x/v1/...` request carries an AK/SK
//! signature (`SDK-HMAC-SHA256`) or an `X-Auth-Token`, checked before any DLF logic.
//!
//! The middleware buffers the body (the signature covers its raw bytes, and the 12 MB limit is
//! enforced here, answering 413 `APIGW.0201`), verifies, checks that the credential may act on
//! the path's project (403 `APIGW.0302` otherwise, also when `X-Project-Id` names another
//! project), and hands the handler a [`Caller`]. Failures are 401 `APIGW.0301` with a short
//! reason; the reason never contains a secret or an expected signature.

use crate::error::error_response;
use crate::extract::project_of;
use crate::state::{AppState, AuthMode};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use dlf_core::{DlfError, ErrorCode};
use dlf_engine::Caller;
use dlf_signature::{SignedRequest, parse_authorization, verify};

/// The middleware.
pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    if let Some(len) =
        parts.headers.get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        && len > state.body_limit
    {
        return error_response(&DlfError::new(ErrorCode::PayloadTooLarge));
    }
    let bytes = match axum::body::to_bytes(body, state.body_limit).await {
        Ok(b) => b,
        Err(_) => return error_response(&DlfError::new(ErrorCode::PayloadTooLarge)),
    };
    let project = project_of(parts.uri.path());
    if let Some(project_id) = &project
        && let Some(header) = parts.headers.get("x-project-id")
        && header.as_bytes() != project_id.as_bytes()
    {
        return error_response(&DlfError::with_message(
            ErrorCode::Forbidden,
            "The IAM user is not authorized to access the API: X-Project-Id differs from the project in the path.",
        ));
    }
    let caller = match state.auth {
        AuthMode::Disabled => Caller::anonymous(),
        AuthMode::Required => match identify(&state, &parts, &bytes).await {
            Ok(caller) => caller,
            Err(e) => return error_response(&e),
        },
    };
    if let Some(project_id) = &project
        && !caller.may_access(project_id)
    {
        return error_response(&DlfError::with_message(
            ErrorCode::Forbidden,
            format!(
                "The IAM user is not authorized to access the API: the credential is bound to another project than {project_id}."
            ),
        ));
    }
    parts.extensions.insert(caller);
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// Verifies the signature (preferred when both are present) or the token.
async fn identify(state: &AppState, parts: &axum::http::request::Parts, body: &Bytes) -> Result<Caller, DlfError> {
    if let Some(authorization) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let value =
            authorization.to_str().map_err(|_| DlfError::unauthenticated("the Authorization header is not ASCII"))?;
        let auth = parse_authorization(value).map_err(DlfError::unauthenticated)?;
        let material = state
            .engine
            .key_material(&auth.access_key)
            .await?
            .ok_or_else(|| DlfError::unauthenticated("unknown access key"))?;
        let mut headers: Vec<(&str, &[u8])> = parts.headers.iter().map(|(k, v)| (k.as_str(), v.as_bytes())).collect();
        // HTTP/2 carries the host in the URI's authority, not in a Host header.
        let authority = parts.uri.authority().map(|a| a.as_str().to_string());
        if !parts.headers.contains_key(axum::http::header::HOST)
            && let Some(a) = &authority
        {
            headers.push(("host", a.as_bytes()));
        }
        let request = SignedRequest {
            method: parts.method.as_str(),
            raw_path: parts.uri.path(),
            raw_query: parts.uri.query(),
            headers: &headers,
            body,
        };
        verify(&request, &auth, &material.secret_key, state.engine.now_ms(), state.max_clock_skew_ms)
            .map_err(DlfError::unauthenticated)?;
        return Ok(material.caller);
    }
    if let Some(token) = parts.headers.get("x-auth-token") {
        let token = token.to_str().map_err(|_| DlfError::unauthenticated("the token is not ASCII"))?;
        return state
            .engine
            .token_caller(token.trim())
            .await?
            .ok_or_else(|| DlfError::unauthenticated("the token is unknown or has expired"));
    }
    Err(DlfError::unauthenticated("no Authorization signature and no X-Auth-Token"))
}
