//! Extractors that turn a request into what the engine needs: the tenant and caller, the raw
//! body, and query parameters — each failing with a DLF error, never axum's plain-text one.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use dlf_core::DlfError;
use dlf_engine::{Caller, Tenant};
use std::collections::HashMap;

/// The caller and the workspace a `/v1/{project_id}/...` request acts in.
pub struct Ctx {
    pub tenant: Tenant,
    pub caller: Caller,
}

impl<S> FromRequestParts<S> for Ctx
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let project_id =
            project_of(parts.uri.path()).ok_or_else(|| DlfError::invalid_param("the path names no project"))?;
        let caller = parts.extensions.get::<Caller>().cloned().unwrap_or_else(Caller::anonymous);
        let workspace = match parts.headers.get("workspace") {
            Some(v) => Some(
                std::str::from_utf8(v.as_bytes())
                    .map_err(|_| DlfError::invalid_param("the workspace header is not valid UTF-8"))?
                    .to_string(),
            ),
            None => None,
        };
        let tenant = state.engine.resolve_tenant(&project_id, workspace.as_deref()).await?;
        Ok(Ctx { tenant, caller })
    }
}

/// The project id of `/v1/{project_id}/...` or `/x/v1/{project_id}/...`, percent-decoded.
pub fn project_of(path: &str) -> Option<String> {
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next()?;
    let raw = match first {
        "v1" => segments.next()?,
        // `/x/v1/{project_id}/...`; `/x/v1/info` names no project.
        "x" if segments.next()? == "v1" => {
            let project = segments.next()?;
            segments.next()?;
            project
        }
        _ => return None,
    };
    if raw.is_empty() {
        return None;
    }
    Some(percent_encoding::percent_decode_str(raw).decode_utf8().ok()?.into_owned())
}

/// Query parameters, percent-decoded (`+` stays a plus, as the SDK encodes spaces as `%20`).
pub struct QueryParams(HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let mut map = HashMap::new();
        for pair in parts.uri.query().unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8()
                    .map(|c| c.into_owned())
                    .map_err(|_| DlfError::invalid_param(format!("query parameter '{k}' is not valid UTF-8")))
            };
            map.insert(decode(k)?, decode(v)?);
        }
        Ok(QueryParams(map))
    }
}

impl QueryParams {
    /// A text parameter.
    pub fn text(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }

    /// An integer parameter; anything else is `DLF.3051` naming it.
    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.0.get(name).map(|s| s.trim()) {
            None | Some("") => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError(DlfError::invalid_param(format!("{name} must be an integer, got '{v}'")))),
        }
    }

    /// A boolean parameter (`true`/`false`, any case).
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.0.get(name).map(|s| s.trim()) {
            None | Some("") => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(ApiError(DlfError::invalid_param(format!("{name} must be true or false, got '{v}'")))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_segment() {
        assert_eq!(project_of("/v1/abc/jobs").as_deref(), Some("abc"));
        assert_eq!(project_of("/x/v1/p%201/workspaces").as_deref(), Some("p 1"));
        assert_eq!(project_of("/x/v1/info"), None, "server information belongs to no project");
        assert_eq!(project_of("/healthz"), None);
        assert_eq!(project_of("/v1//jobs"), None);
    }
}
