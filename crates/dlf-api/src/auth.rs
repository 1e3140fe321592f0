//! Authentication (API.md §0.5): every `/v1/...` and `/x/v1/...` request carries an AK/SK
//! signature (`SDK-HMAC-SHA256`) or an `X-Auth-Token`, checked before any DLF logic.
//!
//! In two steps, so that nobody unknown gets the server to read a body:
//! 1. **the claim**, from the headers alone: a parseable `Authorization` naming an access key
//!    that exists and is enabled, or a token that is valid; otherwise 401 `APIGW.0301` at once,
//!    without reading a byte of the body;
//! 2. **the proof**: the body is read (the 12 MB limit — for an object upload, the object
//!    store's cap — is enforced here, answering 413
//!    `APIGW.0201`) and the signature verified over it, under the server's
//!    [`Policy`](dlf_signature::Policy): `host`, and `workspace`/`X-Project-Id` when sent, must
//!    be signed; `UNSIGNED-PAYLOAD` only where the server allows it.
//!
//! Then the credential must be allowed on the path's project (403 `APIGW.0302` otherwise, also
//! when `X-Project-Id` names another project), and the handler gets a [`Caller`]. Failure
//! reasons are short and never contain a secret or an expected signature.

use crate::error::error_response;
use crate::extract::project_of;
use crate::state::{AppState, AuthMode};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use dlf_core::{DlfError, ErrorCode};
use dlf_engine::Caller;
use dlf_engine::credentials::KeyMaterial;
use dlf_signature::{AuthorizationHeader, SignedRequest, parse_authorization, verify};

/// Who a request says it is, before its body is read.
enum Claim {
    /// Authentication is off.
    Anonymous,
    /// An AK/SK signature by an existing, enabled key, still to be verified over the body.
    Key { auth: AuthorizationHeader, material: KeyMaterial },
    /// A valid token.
    Token(Caller),
}

/// The middleware.
pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let body_limit = body_limit(&state, parts.uri.path());
    if let Some(len) =
        parts.headers.get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        && len > body_limit
    {
        return error_response(&DlfError::new(ErrorCode::PayloadTooLarge));
    }
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
    let claim = match state.auth {
        AuthMode::Disabled => Claim::Anonymous,
        AuthMode::Required => match claim(&state, &parts).await {
            Ok(claim) => claim,
            Err(e) => return error_response(&e),
        },
    };
    let bytes = match axum::body::to_bytes(body, body_limit).await {
        Ok(b) => b,
        Err(_) => return error_response(&DlfError::new(ErrorCode::PayloadTooLarge)),
    };
    let caller = match prove(&state, &parts, &bytes, claim) {
        Ok(caller) => caller,
        Err(e) => return error_response(&e),
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

/// The largest body a request may carry: the object store's cap for `/x/v1/{project}/objects/…`
/// (an uploaded object), else the API's limit.
fn body_limit(state: &AppState, path: &str) -> usize {
    let mut segments = path.trim_start_matches('/').split('/');
    let is_object = segments.next() == Some("x")
        && segments.next() == Some("v1")
        && segments.next().is_some()
        && segments.next() == Some("objects");
    if is_object {
        let cap = usize::try_from(state.engine.config().object_max_bytes).unwrap_or(usize::MAX);
        cap.max(state.body_limit)
    } else {
        state.body_limit
    }
}

/// Step 1: the credential the headers name (the signature preferred when both are present).
async fn claim(state: &AppState, parts: &Parts) -> Result<Claim, DlfError> {
    if let Some(authorization) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let value =
            authorization.to_str().map_err(|_| DlfError::unauthenticated("the Authorization header is not ASCII"))?;
        let auth = parse_authorization(value).map_err(DlfError::unauthenticated)?;
        let material = state
            .engine
            .key_material(&auth.access_key)
            .await?
            .ok_or_else(|| DlfError::unauthenticated("unknown or disabled access key"))?;
        return Ok(Claim::Key { auth, material });
    }
    if let Some(token) = parts.headers.get("x-auth-token") {
        let token = token.to_str().map_err(|_| DlfError::unauthenticated("the token is not ASCII"))?;
        let caller = state.engine.token_caller(token.trim()).await?.ok_or_else(|| {
            DlfError::unauthenticated("the token is unknown, has expired, or its access key was revoked")
        })?;
        return Ok(Claim::Token(caller));
    }
    Err(DlfError::unauthenticated("no Authorization signature and no X-Auth-Token"))
}

/// Step 2: the signature over the request as received, body included.
fn prove(state: &AppState, parts: &Parts, body: &Bytes, claim: Claim) -> Result<Caller, DlfError> {
    let (auth, material) = match claim {
        Claim::Anonymous => return Ok(Caller::anonymous()),
        Claim::Token(caller) => return Ok(caller),
        Claim::Key { auth, material } => (auth, material),
    };
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
    verify(&request, &auth, &material.secret_key, state.engine.now_ms(), &state.signature_policy)
        .map_err(DlfError::unauthenticated)?;
    Ok(material.caller)
}
