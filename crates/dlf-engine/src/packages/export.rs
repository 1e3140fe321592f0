//! Export: J10 (one job), J11 (a batch of jobs) and C6 (every connection), as zips in the
//! layouts of [`super`] (JOBS.md §7.1), so jobs can move between servers and live in version
//! control.
//!
//! **What a `.job` holds.** The job's document exactly as ShowJob returns it for the exported
//! version (the development copy, or the latest submitted version with `exportStatus` SUBMIT) —
//! every stored field, the unknown ones kept in the model's `extra` maps included — less the
//! fields only the server sets ([`SERVER_SET_JOB_KEYS`]: `id`, `createTime`, `lastUpdateUser`,
//! `downstreamJobs`). `version` is written (an export-only field of §2.1; CreateJob drops it on
//! input), and so is `description` (`""` when the job has none, as ShowJob answers). Importing a
//! `.job` through CreateJob's validation therefore recreates a job whose ShowJob equals the
//! original's, the server-set fields and `version` aside.
//!
//! **What `exportDepend` adds.** The scripts that nodes name in `scriptName` (the property the
//! runners resolve a script by) and the resources nodes use the way
//! `crate::resources::node_uses` defines it (`resources` lists, `resourceName`, `resourceId`,
//! `resourcePath`). A `.script` is the stored script document (the create-script body, with
//! `owner`, `currentDatabase`, `templateVersion` and any other stored field); a `.resource` is the
//! create-resource body. Names that resolve to nothing (a deleted script, an EL expression) are
//! left out, as they would fail at run time anyway. Scripts have no submitted versions in dlf:
//! SUBMIT exports the scripts the submitted job version names, as they are now.
//!
//! **Determinism.** Entries are sorted by name, every entry carries the same fixed time
//! (1980-01-01 00:00, the zip format's epoch) and permissions, and JSON is pretty-printed with
//! the document's own key order: exporting an unchanged job twice gives the same bytes, and a
//! change shows as a small diff.
//!
//! **Connections.** A `.conn` is the connection's `ConnectionInfo` with every secret removed:
//! secrets are sealed apart from `config` in the store and never opened here, and any key that
//! looks secret or holds the mask is dropped as well. The built-in `local` is not stored, so it is
//! never exported. A workspace with no connection to export answers DLF.6322 (the docs' error for
//! C6) rather than an empty zip.

use super::locations::export_target;
use super::{BATCH_FILE_NAME, CONNECTIONS_FILE_NAME, batch, connection_entry, single, single_job_file_name};
use crate::jobs::stored_document;
use crate::{Engine, Tenant, internal};
use dlf_core::model::JobDocument;
use dlf_core::model::connection::{MASK, is_secret_key};
use dlf_core::model::requests::parse_json_body;
use dlf_core::{DlfError, ErrorCode};
use dlf_store::{ConnectionRecord, JobRecord, ResourceRecord, ScriptRecord};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::io::Write;

/// Fields ShowJob adds that the server alone sets; a `.job` leaves them out.
pub const SERVER_SET_JOB_KEYS: [&str; 4] = ["id", "createTime", "lastUpdateUser", "downstreamJobs"];

/// Most jobs one batch export may name (JOBS.md §8).
pub const MAX_BATCH_JOBS: usize = 100;

/// Rows read per store page while collecting a workspace's resources or connections.
const PAGE: i64 = 500;

/// Which state of a job an export writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExportStatus {
    /// The development copy (what ShowJob returns by default).
    #[default]
    Develop,
    /// The latest submitted version.
    Submit,
}

/// The body of J10 and J11 (all optional; an empty body is `{}`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportBody {
    #[serde(default)]
    pub export_depend: Option<bool>,
    #[serde(default)]
    pub export_status: Option<String>,
    #[serde(default)]
    pub obs_path: Option<String>,
    /// J11 only.
    #[serde(default)]
    pub job_list: Option<Vec<String>>,
}

/// J10/J11 options, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportOptions {
    pub depend: bool,
    pub status: ExportStatus,
    /// `None`: the zip is the answer.
    pub obs_path: Option<String>,
}

impl ExportBody {
    /// Parses a request body; errors are DLF.3051 naming the field.
    pub fn parse(body: &[u8]) -> Result<ExportBody, DlfError> {
        parse_json_body(body).map_err(DlfError::invalid_param)
    }

    /// The checked options: `exportStatus` is DEVELOP or SUBMIT, a blank `obsPath` is none.
    pub fn options(&self) -> Result<ExportOptions, DlfError> {
        let status = match self.export_status.as_deref() {
            None | Some("DEVELOP") => ExportStatus::Develop,
            Some("SUBMIT") => ExportStatus::Submit,
            Some(other) => {
                return Err(DlfError::invalid_param(format!("exportStatus '{other}' is not DEVELOP or SUBMIT")));
            }
        };
        let obs_path = self.obs_path.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
        Ok(ExportOptions { depend: self.export_depend.unwrap_or(true), status, obs_path })
    }

    /// J11's job names: 1–100 of them, duplicates dropped (first one kept, order kept).
    pub fn job_names(&self) -> Result<Vec<String>, DlfError> {
        let list = self.job_list.as_deref().unwrap_or_default();
        if list.is_empty() || list.len() > MAX_BATCH_JOBS {
            return Err(DlfError::invalid_param(format!(
                "jobList must name 1 to {MAX_BATCH_JOBS} jobs, got {}",
                list.len()
            )));
        }
        let mut seen = BTreeSet::new();
        Ok(list.iter().filter(|n| seen.insert(n.as_str())).cloned().collect())
    }
}

/// A finished export: the zip and the name it is offered under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// What an export did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportOutcome {
    /// The zip, for the answer.
    Download(ExportFile),
    /// The zip was written to the object store, at this `obs://` location.
    Written { location: String },
}

/// One job's files, before they are placed in a layout.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportedJob {
    pub name: String,
    pub job: Vec<u8>,
    /// (script name, `.script` bytes), by name.
    pub scripts: Vec<(String, Vec<u8>)>,
    /// (resource name, `.resource` bytes), by name.
    pub resources: Vec<(String, Vec<u8>)>,
}

fn pretty(value: &Value) -> Result<Vec<u8>, DlfError> {
    let mut bytes =
        serde_json::to_vec_pretty(value).map_err(|e| DlfError::internal(format!("cannot serialise an export: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn unreadable(what: &str, name: &str) -> DlfError {
    tracing::error!(what, name, "a stored document does not parse as JSON");
    DlfError::internal(format!("the stored {what} {name} is unreadable"))
}

/// The `.job` file of a document at `version` (module docs).
pub fn job_file(doc: &JobDocument, version: i64) -> Result<Vec<u8>, DlfError> {
    let mut value =
        serde_json::to_value(doc).map_err(|e| DlfError::internal(format!("cannot serialise a job: {e}")))?;
    let Value::Object(map) = &mut value else {
        return Err(DlfError::internal("a job document is not an object"));
    };
    for key in SERVER_SET_JOB_KEYS {
        map.shift_remove(key);
    }
    map.insert("version".into(), json!(version.to_string()));
    map.entry("description").or_insert_with(|| json!(""));
    pretty(&value)
}

/// The `.script` file of a stored script: its stored document as it is.
pub fn script_file(record: &ScriptRecord) -> Result<Vec<u8>, DlfError> {
    let value: Value = serde_json::from_str(&record.document).map_err(|_| unreadable("script", &record.name))?;
    pretty(&value)
}

/// The `.resource` file of a stored resource: the create-resource body (no `id`, no `jobRelation`).
pub fn resource_file(record: &ResourceRecord) -> Result<Vec<u8>, DlfError> {
    let mut value: Value = serde_json::from_str(&record.document).map_err(|_| unreadable("resource", &record.name))?;
    if let Value::Object(map) = &mut value {
        map.shift_remove("id");
        map.shift_remove("jobRelation");
    }
    pretty(&value)
}

/// The `.conn` file of a stored connection: `ConnectionInfo` without any secret.
pub fn connection_file(record: &ConnectionRecord) -> Result<Vec<u8>, DlfError> {
    let stored: Map<String, Value> =
        serde_json::from_str(&record.config).map_err(|_| unreadable("connection", &record.name))?;
    let config: Map<String, Value> =
        stored.into_iter().filter(|(key, value)| !is_secret_key(key) && value.as_str() != Some(MASK)).collect();
    let mut info = Map::new();
    info.insert("name".into(), json!(record.name));
    info.insert("type".into(), json!(record.conn_type));
    info.insert("config".into(), Value::Object(config));
    if let Some(description) = &record.description {
        info.insert("description".into(), json!(description));
    }
    pretty(&Value::Object(info))
}

/// The scripts a job's nodes name (`scriptName`, trimmed, non-empty), by name.
pub fn script_names(doc: &JobDocument) -> BTreeSet<String> {
    doc.nodes
        .iter()
        .filter_map(|n| n.property("scriptName"))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The resources of `all` that a node of `doc` uses, by name.
pub fn resources_used<'a>(doc: &JobDocument, all: &'a [ResourceRecord]) -> Vec<&'a ResourceRecord> {
    let mut used: Vec<&ResourceRecord> =
        all.iter().filter(|r| doc.nodes.iter().any(|n| crate::resources::node_uses(n, r))).collect();
    used.sort_by(|a, b| a.name.cmp(&b.name));
    used
}

/// Whether any node could use a resource at all (saves reading the workspace's resources).
fn may_use_resources(doc: &JobDocument) -> bool {
    let keys = [crate::resources::RESOURCES_PROPERTY, "resourceName", "resourceId", "resourcePath"];
    doc.nodes.iter().any(|n| keys.iter().any(|k| n.property(k).is_some_and(|v| !v.trim().is_empty())))
}

/// The entries of a single-job export (J10).
pub fn single_entries(job: ExportedJob) -> Vec<(String, Vec<u8>)> {
    let mut entries = vec![(single::job(&job.name), job.job)];
    entries.extend(job.scripts.into_iter().map(|(name, bytes)| (single::script(&name), bytes)));
    entries.extend(job.resources.into_iter().map(|(name, bytes)| (single::resource(&name), bytes)));
    entries
}

/// The entries of a batch export (J11): one folder per job.
pub fn batch_entries(jobs: Vec<ExportedJob>) -> Vec<(String, Vec<u8>)> {
    let mut entries = Vec::new();
    for job in jobs {
        let name = job.name;
        entries.push((batch::job(&name), job.job));
        entries.extend(job.scripts.into_iter().map(|(script, bytes)| (batch::script(&name, &script), bytes)));
        entries.extend(job.resources.into_iter().map(|(res, bytes)| (batch::resource(&name, &res), bytes)));
    }
    entries
}

fn zip_error(e: impl std::fmt::Display) -> DlfError {
    DlfError::internal(format!("cannot write the export zip: {e}"))
}

/// A zip of `entries`, sorted by name (a repeated name is written once), each deflated with the
/// same fixed time and permissions, so equal content gives equal bytes. An entry name with an
/// empty, `.` or `..` segment is refused (names come from validated objects; this keeps the
/// writer from ever producing a path an extractor would resolve outside its folder).
pub fn write_zip(mut entries: Vec<(String, Vec<u8>)>) -> Result<Vec<u8>, DlfError> {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.dedup_by(|a, b| a.0 == b.0);
    for (name, _) in &entries {
        if name.split('/').any(|s| s.is_empty() || s == "." || s == "..") || name.contains('\\') {
            return Err(DlfError::invalid_param(format!(
                "'{name}' cannot be a file in an export (a name is empty, '.' or '..', or holds a backslash)"
            )));
        }
    }
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::DEFAULT)
        .unix_permissions(0o644)
        .system(zip::System::Unix);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(name, options).map_err(zip_error)?;
        zip.write_all(&bytes).map_err(zip_error)?;
    }
    Ok(zip.finish().map_err(zip_error)?.into_inner())
}

/// [`write_zip`] off the async threads (deflating is CPU work).
async fn zip_blocking(entries: Vec<(String, Vec<u8>)>) -> Result<Vec<u8>, DlfError> {
    tokio::task::spawn_blocking(move || write_zip(entries))
        .await
        .map_err(|e| DlfError::internal(format!("the export task failed: {e}")))?
}

impl Engine {
    /// J10 ExportJob.
    pub async fn export_job(&self, tenant: &Tenant, name: &str, body: &[u8]) -> Result<ExportOutcome, DlfError> {
        let options = ExportBody::parse(body)?.options()?;
        let file_name = single_job_file_name(name);
        check_target(&options, &file_name)?;
        let job = self.job_or_not_found(tenant, name).await?;
        let exported = self.exported_job(tenant, &job, &options).await?;
        let bytes = zip_blocking(single_entries(exported)).await?;
        self.deliver_export(tenant, &options, file_name, bytes).await
    }

    /// J11 ExportJobList.
    pub async fn export_jobs(&self, tenant: &Tenant, body: &[u8]) -> Result<ExportOutcome, DlfError> {
        let body = ExportBody::parse(body)?;
        let names = body.job_names()?;
        let options = body.options()?;
        check_target(&options, BATCH_FILE_NAME)?;
        let mut records = Vec::with_capacity(names.len());
        for name in &names {
            let job = self.store().find_job(tenant.workspace_id(), name).await.map_err(internal)?.ok_or_else(|| {
                DlfError::with_message(ErrorCode::JobNotFound, format!("The job does not exists: {name}."))
            })?;
            records.push(job);
        }
        let mut jobs = Vec::with_capacity(records.len());
        for job in &records {
            jobs.push(self.exported_job(tenant, job, &options).await?);
        }
        let bytes = zip_blocking(batch_entries(jobs)).await?;
        self.deliver_export(tenant, &options, BATCH_FILE_NAME.to_string(), bytes).await
    }

    /// C6 ExportConnections: every stored connection of the workspace, secrets removed.
    pub async fn export_connections(&self, tenant: &Tenant) -> Result<ExportFile, DlfError> {
        let ws = tenant.workspace_id();
        let mut entries = Vec::new();
        let mut offset = 0;
        loop {
            let (total, rows) = self.store().list_connections(ws, None, offset, PAGE).await.map_err(internal)?;
            for record in &rows {
                entries.push((connection_entry(&record.name), connection_file(record)?));
            }
            offset += rows.len() as i64;
            if rows.is_empty() || offset >= total {
                break;
            }
        }
        if entries.is_empty() {
            return Err(DlfError::with_message(
                ErrorCode::ConnectionNotFound,
                "The data connection does not exist: the workspace has no connection to export (the built-in \
                 'local' connection is never exported).",
            ));
        }
        Ok(ExportFile { file_name: CONNECTIONS_FILE_NAME.to_string(), bytes: zip_blocking(entries).await? })
    }

    /// One job's files for `options`.
    async fn exported_job(
        &self,
        tenant: &Tenant,
        job: &JobRecord,
        options: &ExportOptions,
    ) -> Result<ExportedJob, DlfError> {
        let (version, doc) = match options.status {
            ExportStatus::Develop => (job.summary.submitted_version, stored_document(&job.document)?),
            ExportStatus::Submit => {
                let (version, _, doc) = self.submitted_document(job).await?;
                (version, doc)
            }
        };
        let mut exported =
            ExportedJob { name: job.name().to_string(), job: job_file(&doc, version)?, ..Default::default() };
        if !options.depend {
            return Ok(exported);
        }
        let ws = tenant.workspace_id();
        for name in script_names(&doc) {
            if let Some(script) = self.store().find_script(ws, &name).await.map_err(internal)? {
                exported.scripts.push((script.name.clone(), script_file(&script)?));
            }
        }
        if may_use_resources(&doc) {
            let all = self.workspace_resources(ws).await?;
            for record in resources_used(&doc, &all) {
                exported.resources.push((record.name.clone(), resource_file(record)?));
            }
        }
        Ok(exported)
    }

    async fn workspace_resources(&self, workspace_id: &str) -> Result<Vec<ResourceRecord>, DlfError> {
        let mut all = Vec::new();
        loop {
            let (total, rows) =
                self.store().list_resources(workspace_id, None, all.len() as i64, PAGE).await.map_err(internal)?;
            let done = rows.is_empty();
            all.extend(rows);
            if done || all.len() as i64 >= total {
                return Ok(all);
            }
        }
    }

    /// The zip as the answer, or written to `obsPath`.
    async fn deliver_export(
        &self,
        tenant: &Tenant,
        options: &ExportOptions,
        file_name: String,
        bytes: Vec<u8>,
    ) -> Result<ExportOutcome, DlfError> {
        match &options.obs_path {
            None => Ok(ExportOutcome::Download(ExportFile { file_name, bytes })),
            Some(path) => {
                let location = self.write_export(&tenant.project_id, path, &file_name, bytes).await?;
                Ok(ExportOutcome::Written { location })
            }
        }
    }
}

/// A bad `obsPath` fails (DLF.0803) before anything is read.
fn check_target(options: &ExportOptions, file_name: &str) -> Result<(), DlfError> {
    match &options.obs_path {
        Some(path) => export_target(path, file_name).map(|_| ()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dlf_core::model::job::{Node, Property};
    use std::io::Read;

    fn node(name: &str, props: &[(&str, &str)]) -> Node {
        Node {
            name: name.into(),
            node_type: "Shell".into(),
            properties: props
                .iter()
                .map(|(k, v)| Property { name: k.to_string(), value: v.to_string(), ..Default::default() })
                .collect(),
            ..Default::default()
        }
    }

    fn resource(id: &str, name: &str, location: &str) -> ResourceRecord {
        ResourceRecord {
            id: id.into(),
            workspace_id: "ws".into(),
            name: name.into(),
            res_type: "file".into(),
            location: location.into(),
            document: json!({"name": name, "type": "file", "location": location, "directory": "/"}).to_string(),
            create_user: "u".into(),
            create_ms: 1,
            modify_ms: 1,
        }
    }

    fn read_zip(bytes: &[u8]) -> Vec<(String, String)> {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        (0..archive.len())
            .map(|i| {
                let mut file = archive.by_index(i).unwrap();
                let mut text = String::new();
                file.read_to_string(&mut text).unwrap();
                (file.name().unwrap().to_string(), text)
            })
            .collect()
    }

    #[test]
    fn options_default_and_refuse_unknown_values() {
        let defaults = ExportBody::parse(b"").unwrap().options().unwrap();
        assert_eq!(defaults, ExportOptions { depend: true, status: ExportStatus::Develop, obs_path: None });
        assert_eq!(ExportBody::parse(b"{}").unwrap().options().unwrap(), defaults);
        let set = ExportBody::parse(br#"{"exportDepend":false,"exportStatus":"SUBMIT","obsPath":" obs://b/d/ "}"#)
            .unwrap()
            .options()
            .unwrap();
        assert_eq!(
            set,
            ExportOptions { depend: false, status: ExportStatus::Submit, obs_path: Some("obs://b/d/".into()) }
        );
        assert_eq!(ExportBody::parse(br#"{"obsPath":""}"#).unwrap().options().unwrap().obs_path, None);
        let bad = ExportBody::parse(br#"{"exportStatus":"develop"}"#).unwrap().options().unwrap_err();
        assert_eq!(bad.code, ErrorCode::InvalidParameter);
        assert!(bad.message.contains("exportStatus"), "{}", bad.message);
        let bad = ExportBody::parse(br#"{"exportDepend":"yes"}"#).unwrap_err();
        assert!(bad.message.contains("exportDepend"), "{}", bad.message);
    }

    #[test]
    fn job_lists_hold_1_to_100_names_without_repeats() {
        let names = |v: Value| ExportBody::parse(v.to_string().as_bytes()).unwrap().job_names();
        assert_eq!(names(json!({"jobList": ["b", "a", "b"]})).unwrap(), vec!["b", "a"]);
        assert_eq!(names(json!({})).unwrap_err().code, ErrorCode::InvalidParameter);
        assert_eq!(names(json!({"jobList": []})).unwrap_err().code, ErrorCode::InvalidParameter);
        let hundred: Vec<String> = (0..100).map(|i| format!("j{i}")).collect();
        assert_eq!(names(json!({ "jobList": hundred })).unwrap().len(), 100);
        let too_many: Vec<String> = (0..101).map(|i| format!("j{i}")).collect();
        assert!(names(json!({ "jobList": too_many })).unwrap_err().message.contains("101"));
    }

    #[test]
    fn a_job_file_is_the_document_without_server_set_fields() {
        let doc = JobDocument::from_json_bytes(
            br#"{"name":"j","processType":"BATCH","nodes":[{"name":"a","type":"Dummy","properties":[],"futureNodeField":{"x":1}}],
                "lastUpdateUser":"alice","futureField":[1,2],"targetStatus":"SAVED"}"#,
        )
        .unwrap();
        let file: Value = serde_json::from_slice(&job_file(&doc, 3).unwrap()).unwrap();
        assert_eq!(file["version"], "3");
        assert_eq!(file["description"], "");
        assert_eq!(file["futureField"], json!([1, 2]));
        assert_eq!(file["nodes"][0]["futureNodeField"], json!({"x": 1}));
        assert_eq!(file["targetStatus"], "SAVED");
        for key in SERVER_SET_JOB_KEYS {
            assert!(file.get(key).is_none(), "{key} is the server's");
        }
        let again = JobDocument::from_json_bytes(&job_file(&doc, 3).unwrap()).unwrap();
        let mut expected = doc.clone();
        expected.last_update_user = None;
        expected.description = Some(String::new());
        assert_eq!(again, expected, "CreateJob reads back what was exported (version dropped)");
    }

    #[test]
    fn scripts_and_resources_a_job_uses() {
        let doc = JobDocument {
            nodes: vec![
                node("a", &[("scriptName", " s1 "), ("resources", "r1, r2\nr1")]),
                node("b", &[("scriptName", "s0"), ("resourceId", "id-3")]),
                node("c", &[("scriptName", ""), ("resourcePath", "obs://b/r4.jar")]),
                node("d", &[]),
            ],
            ..Default::default()
        };
        assert_eq!(script_names(&doc).into_iter().collect::<Vec<_>>(), vec!["s0", "s1"]);
        let all = vec![
            resource("id-1", "r1", "obs://b/1"),
            resource("id-2", "r2", "obs://b/2"),
            resource("id-3", "r3", "obs://b/3"),
            resource("id-4", "r4", "obs://b/r4.jar"),
            resource("id-5", "r5", "obs://b/5"),
        ];
        let used: Vec<&str> = resources_used(&doc, &all).iter().map(|r| r.name.as_str()).collect();
        assert_eq!(used, vec!["r1", "r2", "r3", "r4"]);
        assert!(may_use_resources(&doc));
        assert!(!may_use_resources(&JobDocument {
            nodes: vec![node("x", &[("resources", " ")])],
            ..Default::default()
        }));
    }

    #[test]
    fn layouts_follow_jobs_md_7_1_and_zips_are_deterministic() {
        let job = |name: &str| ExportedJob {
            name: name.into(),
            job: b"{}".to_vec(),
            scripts: vec![("s".into(), b"script".to_vec())],
            resources: vec![("r".into(), b"res".to_vec())],
        };
        let single = write_zip(single_entries(job("j"))).unwrap();
        let names: Vec<String> = read_zip(&single).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec!["jobs/j.job", "resources/r.resource", "scripts/s.script"]);
        let batch = write_zip(batch_entries(vec![job("b"), job("a")])).unwrap();
        let entries = read_zip(&batch);
        let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "jobs/a/a.job",
                "jobs/a/r.resource",
                "jobs/a/s.script",
                "jobs/b/b.job",
                "jobs/b/r.resource",
                "jobs/b/s.script"
            ]
        );
        assert_eq!(entries[2].1, "script");
        assert_eq!(write_zip(batch_entries(vec![job("a"), job("b")])).unwrap(), batch, "same content, same bytes");
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&batch)).unwrap();
        let first = archive.by_index(0).unwrap();
        assert_eq!(first.last_modified(), Some(zip::DateTime::DEFAULT));
        assert_eq!(first.unix_mode().map(|m| m & 0o777), Some(0o644));
    }

    #[test]
    fn relative_segments_never_become_entries() {
        let parent = ExportedJob { name: "..".into(), job: b"{}".to_vec(), ..Default::default() };
        assert_eq!(write_zip(batch_entries(vec![parent])).unwrap_err().code, ErrorCode::InvalidParameter);
        assert!(write_zip(vec![("a\\b.job".into(), vec![])]).is_err());
        // The single layout keeps a dotted name inside one segment.
        let dotted = ExportedJob { name: "..".into(), job: b"{}".to_vec(), ..Default::default() };
        assert_eq!(read_zip(&write_zip(single_entries(dotted)).unwrap())[0].0, "jobs/...job");
    }

    #[test]
    fn connection_files_carry_no_secret() {
        let record = ConnectionRecord {
            id: "c".into(),
            workspace_id: "ws".into(),
            name: "pg".into(),
            conn_type: "RDS".into(),
            config: json!({"ip": "db", "port": "5432", "userName": "u", "password": "oops", "apiToken": "t",
                "masked": MASK})
            .to_string(),
            secrets: Some("sealed-bytes".into()),
            description: Some("main db".into()),
            version: 1,
            create_user: "u".into(),
            create_ms: 1,
            modify_ms: 1,
        };
        let file: Value = serde_json::from_slice(&connection_file(&record).unwrap()).unwrap();
        assert_eq!(
            file,
            json!({"name": "pg", "type": "RDS", "config": {"ip": "db", "port": "5432", "userName": "u"}, "description": "main db"})
        );
    }
}
