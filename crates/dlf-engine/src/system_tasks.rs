//! System tasks (API.md T1): the asynchronous imports (J12, C7) report here, one subtask per
//! object of the package.
//!
//! A task is `RUNNING` until every subtask has ended; then it is `SUCCESSFUL` when every subtask
//! succeeded (skips included), `FAILED` when every one failed, else `WARNING` (JOBS.md §7.2).
//! Tasks live in the store, so they outlive the server; a task never stays `RUNNING` forever:
//! when the server starts, every task a previous server left `RUNNING` ends `FAILED`, with a
//! message saying the server stopped during it and which subtasks had finished (its subtasks
//! still `RUNNING` end `FAILED` too). Each object's import is its own store transaction, so an
//! object a subtask reports as not finished is either wholly there or not there at all.

use crate::{Engine, Tenant, internal};
use dlf_core::{DlfError, ErrorCode};
use dlf_store::{SubtaskRecord, SystemTaskRecord, SystemTaskStatus};
use serde_json::{Map, Value, json};

/// A task's status once its subtasks have these outcomes (JOBS.md §7.2). No subtask at all
/// (an empty package) is a success: nothing failed.
pub fn task_outcome(subtasks: &[SystemTaskStatus]) -> SystemTaskStatus {
    let failed = subtasks.iter().filter(|s| **s == SystemTaskStatus::Failed).count();
    if subtasks.contains(&SystemTaskStatus::Running) {
        SystemTaskStatus::Running
    } else if failed == 0 {
        SystemTaskStatus::Successful
    } else if failed == subtasks.len() {
        SystemTaskStatus::Failed
    } else {
        SystemTaskStatus::Warning
    }
}

/// What T1 shows of a task.
fn task_body(task: &SystemTaskRecord, subtasks: &[SubtaskRecord]) -> Value {
    let mut body = Map::new();
    body.insert("id".into(), json!(task.id));
    body.insert("name".into(), json!(task.name));
    body.insert("projectId".into(), json!(task.project_id));
    body.insert("startTime".into(), json!(task.start_ms));
    if let Some(end) = task.end_ms {
        body.insert("endTime".into(), json!(end));
    }
    body.insert("lastUpdate".into(), json!(task.last_update_ms));
    body.insert("status".into(), json!(task.status.as_str()));
    if let Some(message) = &task.message {
        body.insert("message".into(), json!(message));
    }
    let items: Vec<Value> = subtasks
        .iter()
        .map(|s| {
            let mut item = Map::new();
            item.insert("id".into(), json!(s.id));
            item.insert("name".into(), json!(s.name));
            item.insert("lastUpdate".into(), json!(s.last_update_ms));
            item.insert("status".into(), json!(s.status.as_str()));
            if let Some(message) = &s.message {
                item.insert("message".into(), json!(message));
            }
            item.insert("taskId".into(), json!(s.task_id));
            Value::Object(item)
        })
        .collect();
    body.insert("subtasks".into(), Value::Array(items));
    Value::Object(body)
}

/// The message of a task the server stopped during.
fn interrupted_message(subtasks: &[SubtaskRecord]) -> String {
    let finished: Vec<&str> =
        subtasks.iter().filter(|s| s.status != SystemTaskStatus::Running).map(|s| s.name.as_str()).collect();
    let mut message = format!(
        "The server stopped while this task was running; {} of {} subtasks had finished",
        finished.len(),
        subtasks.len()
    );
    if finished.is_empty() {
        message.push('.');
    } else {
        message.push_str(&format!(": {}", finished.join(" ")));
    }
    message
}

const INTERRUPTED_SUBTASK: &str = "The server stopped before this subtask finished; its object was not imported \
                                   (or was imported whole, if the server stopped just after it).";

fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

impl Engine {
    /// Records a new `RUNNING` task; returns its id.
    pub(crate) async fn create_system_task(&self, tenant: &Tenant, name: String) -> Result<String, DlfError> {
        let now = self.now_ms();
        let task = SystemTaskRecord {
            id: new_id(),
            project_id: tenant.project_id.clone(),
            workspace_id: tenant.workspace_id().to_string(),
            name,
            status: SystemTaskStatus::Running,
            message: None,
            runner_epoch: self.epoch().to_string(),
            start_ms: now,
            end_ms: None,
            last_update_ms: now,
        };
        self.store().insert_system_task(&task).await.map_err(internal)?;
        Ok(task.id)
    }

    /// Adds `RUNNING` subtasks with these names, in order; returns their ids.
    pub(crate) async fn add_subtasks(&self, task_id: &str, names: &[String]) -> Result<Vec<String>, DlfError> {
        let now = self.now_ms();
        let subtasks: Vec<SubtaskRecord> = names
            .iter()
            .enumerate()
            .map(|(seq, name)| SubtaskRecord {
                id: new_id(),
                task_id: task_id.to_string(),
                seq: i64::try_from(seq).unwrap_or(i64::MAX),
                name: name.clone(),
                status: SystemTaskStatus::Running,
                message: None,
                last_update_ms: now,
            })
            .collect();
        self.store().insert_subtasks(&subtasks, now).await.map_err(internal)?;
        Ok(subtasks.into_iter().map(|s| s.id).collect())
    }

    /// Ends a subtask.
    pub(crate) async fn end_subtask(&self, id: &str, status: SystemTaskStatus, message: &str) {
        if let Err(e) = self.store().end_subtask(id, status, Some(message), self.now_ms()).await {
            tracing::error!(error = %e, subtask = id, "cannot record the end of a subtask");
        }
    }

    /// Ends a task with `status`.
    pub(crate) async fn end_system_task(&self, id: &str, status: SystemTaskStatus, message: &str) {
        let now = self.now_ms();
        if let Err(e) = self.store().end_system_task(id, status, Some(message), INTERRUPTED_SUBTASK, now).await {
            tracing::error!(error = %e, task = id, "cannot record the end of a system task");
        }
    }

    /// T1 ListSystemTasks (one task, despite the name).
    pub async fn show_system_task(&self, tenant: &Tenant, id: &str) -> Result<Value, DlfError> {
        let (task, subtasks) =
            self.store().find_system_task(tenant.workspace_id(), id).await.map_err(internal)?.ok_or_else(|| {
                DlfError::with_message(ErrorCode::SystemTaskNotFound, format!("Task[{id}] does not exist"))
            })?;
        Ok(task_body(&task, &subtasks))
    }

    /// At start-up: every task a previous server left `RUNNING` ends `FAILED`.
    pub(crate) async fn fail_interrupted_system_tasks(&self) {
        let running = match self.store().running_system_tasks().await {
            Ok(running) => running,
            Err(e) => {
                tracing::error!(error = %e, "cannot list the system tasks a previous server left running");
                return;
            }
        };
        for (task, subtasks) in running.into_iter().filter(|(t, _)| t.runner_epoch != self.epoch()) {
            let message = interrupted_message(&subtasks);
            tracing::warn!(task = %task.id, "a system task was running when the server stopped; it ends FAILED");
            self.end_system_task(&task.id, SystemTaskStatus::Failed, &message).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SystemTaskStatus::*;

    #[test]
    fn the_task_status_follows_jobs_md_7_2() {
        assert_eq!(task_outcome(&[]), Successful);
        assert_eq!(task_outcome(&[Successful, Successful]), Successful);
        assert_eq!(task_outcome(&[Failed, Failed]), Failed);
        assert_eq!(task_outcome(&[Successful, Failed]), Warning);
        assert_eq!(task_outcome(&[Successful, Running, Failed]), Running);
    }

    #[test]
    fn an_interrupted_task_says_what_had_finished() {
        let sub = |name: &str, status| SubtaskRecord {
            id: name.into(),
            task_id: "t".into(),
            seq: 0,
            name: format!("Import the {name} job."),
            status,
            message: None,
            last_update_ms: 0,
        };
        let message = interrupted_message(&[sub("a", Successful), sub("b", Running), sub("c", Failed)]);
        assert!(message.starts_with("The server stopped while this task was running; 2 of 3"), "{message}");
        assert!(message.contains("Import the a job.") && message.contains("Import the c job."));
        assert!(!message.contains("Import the b job."));
    }
}
