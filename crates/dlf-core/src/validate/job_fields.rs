//! Top-level job fields: name, process type, directory, parameters, basicConfig, flags.

use crate::error::{DlfError, ErrorCode};
use crate::model::{JobDocument, ProcessType};
use std::collections::HashSet;

/// JOBS.md §2.1: 1–128 characters; any Unicode letter, digits, `-`, `_`, `.`.
pub fn check_name(name: &str) -> Result<(), DlfError> {
    if name.trim().is_empty() {
        return Err(DlfError::with_message(ErrorCode::JobNameEmpty, "The job name is empty: name is required."));
    }
    let len = name.chars().count();
    if len > 128 {
        return Err(DlfError::with_message(
            ErrorCode::JobNameInvalid,
            format!("The job name is invalid: name has {len} characters, at most 128 are allowed."),
        ));
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        return Err(DlfError::with_message(
            ErrorCode::JobNameInvalid,
            format!(
                "The job name is invalid: name contains '{bad}'; only letters, digits, '-', '_' and '.' are allowed."
            ),
        ));
    }
    Ok(())
}

pub fn check_top_level(doc: &JobDocument) -> Result<(), DlfError> {
    match doc.process_type.as_deref() {
        None => {
            return Err(DlfError::with_message(
                ErrorCode::InvalidProcessType,
                "The job process type is invalid: processType is required (BATCH or REAL_TIME).",
            ));
        }
        Some(p) if ProcessType::parse(p).is_none() => {
            return Err(DlfError::with_message(
                ErrorCode::InvalidProcessType,
                format!("The job process type is invalid: processType '{p}' is not BATCH or REAL_TIME."),
            ));
        }
        Some(_) => {}
    }
    if let Some(desc) = &doc.description {
        let len = desc.chars().count();
        if len > 255 {
            return Err(DlfError::with_message(
                ErrorCode::JobDescriptionInvalid,
                format!("The job description is invalid: description has {len} characters, at most 255 are allowed."),
            ));
        }
    }
    if let Some(dir) = &doc.directory {
        check_directory(dir)?;
    }
    check_enum("emptyRunningJob", doc.empty_running_job.as_deref(), &["0", "1"])?;
    check_enum("targetStatus", doc.target_status.as_deref(), &["SAVED", "SUBMITTED", "PRODUCTION"])?;
    if let Some(days) = doc.clean_overdue_days
        && days < 0
    {
        return Err(DlfError::invalid_param(format!("cleanOverdueDays must not be negative, got {days}")));
    }
    if doc.single_node_job_flag == Some(true) && doc.nodes.len() != 1 {
        return Err(DlfError::invalid_param(format!(
            "singleNodeJobFlag is true, so the job must have exactly one node, it has {}",
            doc.nodes.len()
        )));
    }
    check_params(doc)?;
    check_basic_config(doc)?;
    Ok(())
}

/// `directory`: `/`-separated folders, ≤10 levels, names 1–64 chars of letters, digits, `_`, `-`.
fn check_directory(dir: &str) -> Result<(), DlfError> {
    let folders: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    if folders.len() > 10 {
        return Err(DlfError::invalid_param(format!(
            "directory '{dir}' has {} levels, at most 10 are allowed",
            folders.len()
        )));
    }
    for folder in folders {
        let ok_chars = folder.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '));
        if folder.chars().count() > 64 || !ok_chars {
            return Err(DlfError::invalid_param(format!(
                "directory '{dir}': folder '{folder}' must be 1-64 letters, digits, '_' or '-'"
            )));
        }
    }
    Ok(())
}

fn check_params(doc: &JobDocument) -> Result<(), DlfError> {
    let Some(params) = &doc.params else { return Ok(()) };
    let mut seen = HashSet::new();
    for (i, p) in params.iter().enumerate() {
        check_param(&format!("params[{i}]"), p)?;
        if !seen.insert(p.name.as_str()) {
            return Err(DlfError::invalid_param(format!("params[{i}].name: parameter '{}' is defined twice", p.name)));
        }
    }
    Ok(())
}

/// One `{name, value, type}` entry of `params` or of StartJob/RunOnce `jobParams`.
pub fn check_param(field: &str, p: &crate::model::JobParam) -> Result<(), DlfError> {
    let len = p.name.chars().count();
    if len == 0 || len > 64 {
        return Err(DlfError::invalid_param(format!("{field}.name must be 1-64 characters")));
    }
    if let Some(bad) = p.name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        return Err(DlfError::invalid_param(format!(
            "{field}.name '{}' contains '{bad}'; only letters, digits, '-', '_' and '.' are allowed",
            p.name
        )));
    }
    match &p.value {
        None => return Err(DlfError::invalid_param(format!("{field}.value is required"))),
        Some(v) if v.len() > 1_000_000 => {
            return Err(DlfError::invalid_param(format!("{field}.value is longer than 1,000,000 characters")));
        }
        Some(_) => {}
    }
    check_enum(&format!("{field}.type"), p.param_type.as_deref(), &["variable", "constant", "constants", "procedure"])
}

fn check_basic_config(doc: &JobDocument) -> Result<(), DlfError> {
    let Some(bc) = &doc.basic_config else { return Ok(()) };
    if let Some(owner) = &bc.owner
        && owner.chars().count() > 128
    {
        return Err(DlfError::invalid_param("basicConfig.owner is longer than 128 characters"));
    }
    for (field, value) in [("basicConfig.priority", bc.priority), ("basicConfig.taskPriority", bc.task_priority)] {
        if let Some(v) = value
            && !(0..=2).contains(&v)
        {
            return Err(DlfError::invalid_param(format!("{field} must be 0, 1 or 2, got {v}")));
        }
    }
    if let Some(v) = bc.instance_timeout
        && v != 0
        && !(5..=1440).contains(&v)
    {
        return Err(DlfError::invalid_param(format!(
            "basicConfig.instanceTimeout must be 0 (off) or 5-1440 minutes, got {v}"
        )));
    }
    if let Some(v) = bc.is_ignore_waiting
        && v != 0
        && v != 1
    {
        return Err(DlfError::invalid_param(format!("basicConfig.isIgnoreWaiting must be 0 or 1, got {v}")));
    }
    if let Some(fields) = &bc.custom_fields {
        let total: usize = fields
            .iter()
            .map(|(k, v)| {
                k.chars().count() + v.as_str().map(|s| s.chars().count()).unwrap_or_else(|| v.to_string().len())
            })
            .sum();
        if total > 2048 {
            return Err(DlfError::invalid_param(format!(
                "basicConfig.customFields hold {total} characters, at most 2048 are allowed"
            )));
        }
    }
    Ok(())
}

/// An optional string field that must be one of `allowed` when present.
pub fn check_enum(field: &str, value: Option<&str>, allowed: &[&str]) -> Result<(), DlfError> {
    match value {
        Some(v) if !allowed.contains(&v) => {
            Err(DlfError::invalid_param(format!("{field} '{v}' is not one of {}", allowed.join(", "))))
        }
        _ => Ok(()),
    }
}

pub fn normalize_top_level(doc: &mut JobDocument) {
    let dir = doc.directory.get_or_insert_with(|| "/".to_string());
    if !dir.starts_with('/') {
        dir.insert(0, '/');
    }
    if doc.params.is_none() {
        doc.params = Some(Vec::new());
    }
    if doc.empty_running_job.is_none() {
        doc.empty_running_job = Some("0".to_string());
    }
    let bc = doc.basic_config.get_or_insert_with(Default::default);
    // taskPriority is a newer duplicate of priority: mirror whichever one was given (§2.2).
    match (bc.priority, bc.task_priority) {
        (Some(p), None) => bc.task_priority = Some(p),
        (None, Some(t)) => bc.priority = Some(t),
        (None, None) => {
            bc.priority = Some(0);
            bc.task_priority = Some(0);
        }
        _ => {}
    }
    if bc.tags.is_none() {
        bc.tags = Some(Vec::new());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_names() {
        assert!(check_name("myJob_1.v2-x").is_ok());
        assert!(check_name("作业1").is_ok());
        assert_eq!(check_name("").unwrap_err().code, ErrorCode::JobNameEmpty);
        assert_eq!(check_name("a b").unwrap_err().code, ErrorCode::JobNameInvalid);
        assert_eq!(check_name("a/b").unwrap_err().code, ErrorCode::JobNameInvalid);
        assert_eq!(check_name(&"x".repeat(129)).unwrap_err().code, ErrorCode::JobNameInvalid);
        assert!(check_name(&"x".repeat(128)).is_ok());
        assert!(check_name("a b").unwrap_err().message.contains("' '"));
    }
}
