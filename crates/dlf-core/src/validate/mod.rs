//! Validation and normalisation of job documents (JOBS.md §2, §8; API.md J1).
//!
//! [`normalize_job`] fills the defaults a stored job carries (so ShowJob returns them, API.md J3)
//! and folds lenient input into the canonical form; [`validate_job`] checks every rule and
//! answers with the DLF code the catalogue gives, naming the field. Both are pure: the few facts
//! that need the store (does an upstream job exist, what is its schedule) come in through
//! [`JobValidationContext`].

mod dag;
mod job_fields;
mod nodes;
mod rest_trigger;
mod schedule;

pub use dag::{find_cycle, topological_order};
pub use job_fields::check_param;
pub use schedule::{CronSpec, dependency_allowed, parse_cron_block};

use crate::cron::{IntervalType, Period};
use crate::error::DlfError;
use crate::model::JobDocument;

/// Most nodes a job may have (JOBS.md §8).
pub const MAX_NODES: usize = 200;

/// Facts about another job of the workspace that validation needs.
#[derive(Clone, Debug, PartialEq)]
pub struct UpstreamJob {
    /// The upstream job's period class and length; `None` when it has no cron schedule.
    pub period: Option<(IntervalType, Period)>,
}

/// What validation may ask the outside world.
pub struct JobValidationContext<'a> {
    /// `--strict-dlf-cron`: only `0` in the seconds field (DLF's own rule).
    pub strict_dlf_cron: bool,
    /// Looks up another job of the same workspace by name.
    pub lookup_job: &'a dyn Fn(&str) -> Option<UpstreamJob>,
}

/// Checks a (normalised) job document. The first problem found is returned.
pub fn validate_job(doc: &JobDocument, ctx: &JobValidationContext<'_>) -> Result<(), DlfError> {
    job_fields::check_name(&doc.name)?;
    job_fields::check_top_level(doc)?;
    nodes::check_nodes(doc)?;
    schedule::check_schedule(doc, ctx)?;
    Ok(())
}

/// Fills defaults and canonicalises lenient input; call before [`validate_job`] and storing.
pub fn normalize_job(doc: &mut JobDocument) {
    job_fields::normalize_top_level(doc);
    nodes::normalize_nodes(doc);
    schedule::normalize_schedule(doc);
}

/// Checks a job name alone (also used for path parameters).
pub fn check_job_name(name: &str) -> Result<(), DlfError> {
    job_fields::check_name(name)
}
