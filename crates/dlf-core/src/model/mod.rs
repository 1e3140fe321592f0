//! The DLF wire model: documents as clients send them and responses as the SDK reads them.
//!
//! Names follow `../shared/reference/dlf-openapi/*.json` exactly; where real documents bend
//! that contract, [`lenient`] accepts both forms.

pub mod connection;
pub mod job;
pub mod lenient;
pub mod requests;
pub mod resource;
pub mod responses;
pub mod schedule_time;
pub mod script;
pub mod status;

pub use connection::ConnectionInfo;
pub use job::*;
pub use resource::ResourceInfo;
pub use schedule_time::ScheduleTime;
pub use script::ScriptInfo;
pub use status::{InstanceStatus, InstanceType, JobStatus, NodeStatus, ScriptRunStatus};
