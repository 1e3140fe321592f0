//! `dlf-core`: everything about DLF that can be decided without I/O.
//!
//! The wire model (serde names exactly as the DLF reference), validation of job documents, the
//! instance and node state machines, Quartz cron fire times, the `#{...}` expression language and
//! Java date patterns, and the `DLF.xxxx` error catalogue. Nothing here touches a socket, a file,
//! a clock or a database: the clock and the data an expression sees are passed in, so every rule
//! is testable in isolation. The store, the engine and the HTTP layer sit on top.

pub mod cron;
pub mod datefmt;
pub mod el;
pub mod error;
pub mod model;
pub mod sql_split;
pub mod state;
pub mod validate;
pub mod zone;

pub use error::{DlfError, ErrorCode};
