//! J12 ImportJob and J13 ShowFileInfo (JOBS.md §7.2).
//!
//! J12 checks its body and reads the package synchronously (a bad or unreadable path is the
//! caller's error, DLF.0803 / DLF.0815 / DLF.1242), records a system task and answers its id at
//! once; the import runs in the background. A package the reader refuses (see [`reader`]) ends
//! the task `FAILED` with the reason and imports nothing. Otherwise scripts and resources are
//! imported first, then jobs, one subtask each.
//!
//! Each object goes through the same operation a client would call (CreateJob / UpdateJob,
//! CreateScript ...), so an imported job is validated exactly as a created one and stored in one
//! store transaction (created, or replaced and submitted): all or nothing per object. New jobs
//! are created stopped. Under `OVERWRITE` a job that is scheduling is not touched (its subtask
//! fails, the others go on). References that do not resolve only warn in the subtask message.

use super::overrides::{self, JobOverrides};
use super::reader::{self, Entry, EntryKind, Package};
use crate::{Caller, Engine, Tenant, internal};
use dlf_core::model::JobStatus;
use dlf_core::{DlfError, ErrorCode};
use dlf_store::SystemTaskStatus;
use serde::Serialize;
use serde_json::{Map, Value, json};

/// `sameNamePolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SameNamePolicy {
    Skip,
    Overwrite,
}

/// J12's and C7's answer.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportStarted {
    pub task_id: String,
}

/// The request body as an object.
pub(crate) fn body_object(body: &[u8]) -> Result<Map<String, Value>, DlfError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(DlfError::invalid_param("the body must be a JSON object")),
        Err(e) => Err(DlfError::invalid_param(format!("the body is not valid JSON: {e}"))),
    }
}

/// The required `path`.
pub(crate) fn path_of(body: &Map<String, Value>) -> Result<String, DlfError> {
    match body.get("path") {
        Some(Value::String(p)) if !p.trim().is_empty() => Ok(p.trim().to_string()),
        _ => Err(DlfError::with_message(ErrorCode::ObsPathInvalid, "The OBS path is invalid: path is required.")),
    }
}

pub(crate) fn policy_of(body: &Map<String, Value>) -> Result<SameNamePolicy, DlfError> {
    match body.get("sameNamePolicy") {
        None | Some(Value::Null) => Ok(SameNamePolicy::Skip),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("SKIP") => Ok(SameNamePolicy::Skip),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("OVERWRITE") => Ok(SameNamePolicy::Overwrite),
        Some(other) => Err(DlfError::invalid_param(format!("sameNamePolicy {other} is not SKIP or OVERWRITE"))),
    }
}

fn job_overrides(body: &Map<String, Value>) -> Result<JobOverrides, DlfError> {
    let null = Value::Null;
    let execute_user = match body.get("executeUser") {
        None | Some(Value::Null) => None,
        Some(Value::String(u)) => Some(u.clone()).filter(|u| !u.is_empty()),
        Some(_) => return Err(DlfError::invalid_param("executeUser must be a string")),
    };
    Ok(JobOverrides {
        params: overrides::string_map(body.get("params").unwrap_or(&null), "params")?,
        jobs_param: overrides::jobs_param(body.get("jobsParam").unwrap_or(&null))?,
        execute_user,
        resources: overrides::substitutions(body.get("resources").unwrap_or(&null))?,
    })
}

/// The object an entry holds: its JSON and its `name` (the file name when it has none).
pub(crate) fn named(entry: &Entry) -> Result<(String, Map<String, Value>), DlfError> {
    let doc = entry.json()?;
    let name = doc.get("name").and_then(Value::as_str).unwrap_or(&entry.stem).to_string();
    Ok((name, doc))
}

/// The name a subtask shows before its entry is parsed.
pub(crate) fn display_name(entry: &Entry) -> String {
    named(entry).map(|(name, _)| name).unwrap_or_else(|_| entry.stem.clone())
}

pub(crate) fn failed(e: &DlfError) -> (SystemTaskStatus, String) {
    (SystemTaskStatus::Failed, e.to_string())
}

/// What one subtask ended with.
pub(crate) type Outcome = (SystemTaskStatus, String);

/// Everything a background import needs.
struct JobImport {
    tenant: Tenant,
    caller: Caller,
    task_id: String,
    path: String,
    bytes: Vec<u8>,
    policy: SameNamePolicy,
    overrides: JobOverrides,
}

impl Engine {
    /// J12 ImportJob: starts the import; returns the task id.
    pub async fn import_jobs(&self, tenant: &Tenant, caller: &Caller, body: &[u8]) -> Result<ImportStarted, DlfError> {
        let body = body_object(body)?;
        let path = path_of(&body)?;
        let policy = policy_of(&body)?;
        let overrides = job_overrides(&body)?;
        let bytes = self.read_package(&tenant.project_id, &path).await?;
        let task_id = self.create_system_task(tenant, format!("Import the job from {path}.")).await?;
        let work = JobImport {
            tenant: tenant.clone(),
            caller: caller.clone(),
            task_id: task_id.clone(),
            path,
            bytes,
            policy,
            overrides,
        };
        let engine = self.clone();
        tokio::spawn(async move { engine.run_job_import(work).await });
        Ok(ImportStarted { task_id })
    }

    async fn run_job_import(&self, work: JobImport) {
        let package = match reader::read(&work.path, &work.bytes) {
            Ok(package) => package,
            Err(e) => return self.end_system_task(&work.task_id, SystemTaskStatus::Failed, &e.to_string()).await,
        };
        let mut entries: Vec<&Entry> = package.entries.iter().filter(|e| e.kind != EntryKind::Connection).collect();
        // Scripts, then resources, then jobs (the kinds sort in that order).
        entries.sort_by_key(|e| e.kind);
        let names: Vec<String> =
            entries.iter().map(|e| format!("Import the {} {}.", display_name(e), e.kind.word())).collect();
        let ids = match self.add_subtasks(&work.task_id, &names).await {
            Ok(ids) => ids,
            Err(e) => return self.end_system_task(&work.task_id, SystemTaskStatus::Failed, &e.to_string()).await,
        };
        let mut outcomes = Vec::with_capacity(entries.len());
        for (entry, id) in entries.iter().zip(&ids) {
            let (status, message) = match entry.kind {
                EntryKind::Script => self.import_script(&work, entry).await,
                EntryKind::Resource => self.import_resource(&work, entry).await,
                EntryKind::Job => self.import_job(&work, &package, entry).await,
                EntryKind::Connection => continue,
            };
            self.end_subtask(id, status, &message).await;
            outcomes.push(status);
        }
        self.finish_import(&work.task_id, &outcomes).await;
    }

    /// Ends a task whose subtasks all ended with `outcomes`.
    pub(crate) async fn finish_import(&self, task_id: &str, outcomes: &[SystemTaskStatus]) {
        let status = crate::system_tasks::task_outcome(outcomes);
        let failed = outcomes.iter().filter(|s| **s == SystemTaskStatus::Failed).count();
        let message = match outcomes.len() {
            0 => "The package holds nothing to import.".to_string(),
            n => format!("{} of {n} imported, {failed} failed.", n - failed),
        };
        self.end_system_task(task_id, status, &message).await;
    }

    async fn import_script(&self, work: &JobImport, entry: &Entry) -> Outcome {
        let (name, _) = match named(entry) {
            Ok(found) => found,
            Err(e) => return failed(&e),
        };
        let existing = match self.store().find_script(work.tenant.workspace_id(), &name).await {
            Ok(existing) => existing,
            Err(e) => return failed(&internal(e)),
        };
        let result = match (existing, work.policy) {
            (None, _) => self.create_script(&work.tenant, &work.caller, &entry.bytes).await.map(|()| "created"),
            (Some(_), SameNamePolicy::Skip) => Ok("skipped: a script of that name exists"),
            (Some(_), SameNamePolicy::Overwrite) => {
                self.update_script(&work.tenant, &name, &entry.bytes).await.map(|()| "overwritten")
            }
        };
        match result {
            Ok(what) => (SystemTaskStatus::Successful, format!("The script {name}: {what}.")),
            Err(e) => failed(&e),
        }
    }

    async fn import_resource(&self, work: &JobImport, entry: &Entry) -> Outcome {
        let (name, _) = match named(entry) {
            Ok(found) => found,
            Err(e) => return failed(&e),
        };
        let existing = match self.store().find_resource_by_name(work.tenant.workspace_id(), &name).await {
            Ok(existing) => existing,
            Err(e) => return failed(&internal(e)),
        };
        let result = match (existing, work.policy) {
            (None, _) => self.create_resource(&work.tenant, &work.caller, &entry.bytes).await.map(|_| "created"),
            (Some(_), SameNamePolicy::Skip) => Ok("skipped: a resource of that name exists"),
            (Some(r), SameNamePolicy::Overwrite) => {
                self.update_resource(&work.tenant, &r.id, &entry.bytes).await.map(|()| "overwritten")
            }
        };
        match result {
            Ok(what) => (SystemTaskStatus::Successful, format!("The resource {name}: {what}.")),
            Err(e) => failed(&e),
        }
    }

    async fn import_job(&self, work: &JobImport, package: &Package, entry: &Entry) -> Outcome {
        let (name, mut doc) = match named(entry) {
            Ok(found) => found,
            Err(e) => return failed(&e),
        };
        work.overrides.apply(&name, &mut doc);
        let existing = match self.store().find_job(work.tenant.workspace_id(), &name).await {
            Ok(existing) => existing,
            Err(e) => return failed(&internal(e)),
        };
        let result = match (existing, work.policy) {
            (None, _) => match serde_json::to_vec(&doc) {
                Ok(body) => self.create_job(&work.tenant, &work.caller, &body).await.map(|()| "created (stopped)"),
                Err(e) => Err(DlfError::internal(format!("cannot serialise a job: {e}"))),
            },
            (Some(_), SameNamePolicy::Skip) => Ok("skipped: a job of that name exists"),
            (Some(job), SameNamePolicy::Overwrite) if job.summary.status == JobStatus::Scheduling => {
                Err(DlfError::invalid_param(format!(
                    "the job {name} is scheduling; stop it before overwriting it (the import left it untouched)"
                )))
            }
            (Some(_), SameNamePolicy::Overwrite) => {
                // OVERWRITE replaces the development state and submits a new version.
                if doc.get("targetStatus").and_then(Value::as_str) == Some("SAVED") {
                    doc.remove("targetStatus");
                }
                match serde_json::to_vec(&doc) {
                    Ok(body) => self
                        .update_job(&work.tenant, &work.caller, &name, &body)
                        .await
                        .map(|()| "overwritten, and a new version submitted"),
                    Err(e) => Err(DlfError::internal(format!("cannot serialise a job: {e}"))),
                }
            }
        };
        match result {
            Ok(what) => {
                let mut message = format!("The job {name}: {what}.");
                for warning in self.unresolved_references(&work.tenant, package, &doc).await {
                    message.push_str(&format!(" Warning: {warning}."));
                }
                (SystemTaskStatus::Successful, message)
            }
            Err(e) => failed(&e),
        }
    }

    /// The scripts, connections and SubJob targets the job's nodes name that neither the
    /// workspace nor the package holds (they fail only when the node runs).
    async fn unresolved_references(&self, tenant: &Tenant, package: &Package, doc: &Map<String, Value>) -> Vec<String> {
        let in_package = |kind: EntryKind, name: &str| package.of(kind).any(|e| display_name(e) == name);
        let mut warnings = Vec::new();
        let nodes = doc.get("nodes").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        for node in nodes {
            let node_name = node.get("name").and_then(Value::as_str).unwrap_or_default();
            let properties = node.get("properties").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            for property in properties {
                let key = property.get("name").and_then(Value::as_str).unwrap_or_default();
                let Some(value) = property.get("value").and_then(Value::as_str).filter(|v| !v.is_empty()) else {
                    continue;
                };
                let missing = match key {
                    "scriptName" => {
                        !in_package(EntryKind::Script, value)
                            && matches!(self.store().find_script(tenant.workspace_id(), value).await, Ok(None))
                    }
                    "connectionName" if value != dlf_core::model::connection::LOCAL_CONNECTION => {
                        matches!(self.store().find_connection(tenant.workspace_id(), value).await, Ok(None))
                    }
                    "subJobName" => {
                        !in_package(EntryKind::Job, value)
                            && matches!(self.store().find_job(tenant.workspace_id(), value).await, Ok(None))
                    }
                    _ => false,
                };
                if missing {
                    warnings.push(format!("the node {node_name} names the {key} {value}, which does not exist"));
                }
            }
        }
        warnings
    }

    /// J13 ShowFileInfo: the jobs and scripts a package holds, without importing anything.
    pub async fn show_file_info(&self, tenant: &Tenant, body: &[u8]) -> Result<Value, DlfError> {
        let body = body_object(body)?;
        let path = path_of(&body)?;
        let bytes = self.read_package(&tenant.project_id, &path).await?;
        let package = reader::read(&path, &bytes)?;
        let folder = |doc: &Map<String, Value>| doc.get("directory").and_then(Value::as_str).unwrap_or("/").to_string();
        let mut jobs = Vec::new();
        for entry in package.of(EntryKind::Job) {
            let (name, doc) = named(entry)?;
            let mut params = Map::new();
            for param in doc.get("params").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
                if let Some(key) = param.get("name").and_then(Value::as_str) {
                    params.insert(key.to_string(), param.get("value").cloned().unwrap_or(json!("")));
                }
            }
            jobs.push(json!({"name": name, "path": folder(&doc), "params": params}));
        }
        let mut scripts = Vec::new();
        for entry in package.of(EntryKind::Script) {
            let (name, doc) = named(entry)?;
            scripts.push(json!({"name": name, "path": folder(&doc)}));
        }
        Ok(json!({"jobs": jobs, "scripts": scripts}))
    }
}
