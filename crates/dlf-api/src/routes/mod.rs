//! Route handlers, one file per resource. Each handler is a small function over extractors
//! that calls one engine operation and shapes its answer.

pub mod connections;
pub mod extensions;
pub mod imports;
pub mod instances;
pub mod jobs;
pub mod notifications;
pub mod packages;
pub mod resources;
pub mod scripts;
pub mod system;

use crate::error::ApiError;
use axum::extract::FromRequestParts;

/// Path parameters (percent-decoded per segment, so `%2F` stays inside a name), failing with a
/// DLF error.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct PathParams<T>(pub T);
