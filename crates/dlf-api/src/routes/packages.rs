//! J10, J11, C6: exports as zip downloads (API.md §0.3: `application/octet-stream`, with a
//! `Content-Disposition` naming the file the cloud names it).
//!
//! With `obsPath` the zip goes to the object store instead: the answer is 200 with an empty
//! `application/octet-stream` body and an `X-Dlf-Export-Location` header giving the
//! `obs://` address written (the docs do not describe this answer; API.md J10 recommends an
//! empty 200).

use super::PathParams;
use crate::error::ApiError;
use crate::extract::Ctx;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dlf_engine::packages::export::{ExportFile, ExportOutcome};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

type Name = PathParams<(String, String)>;

/// The header that tells where an `obsPath` export was written.
pub const EXPORT_LOCATION_HEADER: &str = "x-dlf-export-location";

const OCTET_STREAM: &str = "application/octet-stream";

/// J10 ExportJob.
pub async fn export_job(
    State(s): State<AppState>,
    ctx: Ctx,
    PathParams((_, name)): Name,
    body: Bytes,
) -> Result<Response, ApiError> {
    Ok(answer(s.engine.export_job(&ctx.tenant, &name, &body).await?))
}

/// J11 ExportJobList.
pub async fn export_jobs(State(s): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, ApiError> {
    Ok(answer(s.engine.export_jobs(&ctx.tenant, &body).await?))
}

/// C6 ExportConnections (no body; one sent is ignored).
pub async fn export_connections(State(s): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    Ok(download(s.engine.export_connections(&ctx.tenant).await?))
}

fn answer(outcome: ExportOutcome) -> Response {
    match outcome {
        ExportOutcome::Download(file) => download(file),
        ExportOutcome::Written { location } => {
            let mut response = (StatusCode::OK, [(header::CONTENT_TYPE, OCTET_STREAM)]).into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(HeaderName::from_static(EXPORT_LOCATION_HEADER), value);
            }
            response
        }
    }
}

fn download(file: ExportFile) -> Response {
    let disposition = content_disposition(&file.file_name);
    let mut response = (StatusCode::OK, file.bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(OCTET_STREAM));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `attachment; filename="<name>"`; a name beyond printable ASCII gets an ASCII stand-in and the
/// exact name in `filename*` (RFC 6266).
pub fn content_disposition(file_name: &str) -> String {
    let plain = |c: char| c.is_ascii_graphic() && c != '"' && c != '\\';
    if file_name.chars().all(plain) {
        return format!("attachment; filename=\"{file_name}\"");
    }
    let fallback: String = file_name.chars().map(|c| if plain(c) { c } else { '_' }).collect();
    let exact = utf8_percent_encode(file_name, NON_ALPHANUMERIC);
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{exact}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_in_content_disposition() {
        assert_eq!(content_disposition("DLF_daily-1.zip"), "attachment; filename=\"DLF_daily-1.zip\"");
        assert_eq!(
            content_disposition("DLF_作业.zip"),
            "attachment; filename=\"DLF___.zip\"; filename*=UTF-8''DLF%5F%E4%BD%9C%E4%B8%9A%2Ezip"
        );
    }
}
