//! Resources R1–R5, and the resource files of Shell and Python nodes.
//!
//! A resource is a named pointer to a file (`location`). Resources are addressed by id on the
//! API and by name in job nodes, so a name is unique in its workspace (DLF.6259 for a second one,
//! whatever its `directory`). A location of the form `obs://bucket/key` names an object of dlf's
//! own object store in the caller's project (`crate::objects`); it need not exist when the
//! resource is created or changed (the bytes may be uploaded afterwards), and a node that uses
//! the resource fails with a clear message if it is still missing when the node runs. Any other
//! location is stored and returned as sent but never resolves to bytes: a path on the server
//! is not something a tenant may read.
//!
//! Nodes use resources through properties: `resources` (Shell and Python: resource names,
//! separated by commas or new lines; each one is copied into the node's working directory under
//! the last segment of its key), and the Spark-style `resourceName`, `resourceId` and
//! `resourcePath` of cloud node types. A resource that a job node uses this way cannot be
//! deleted or renamed (DLF.3051 naming the jobs).

use crate::jobs::stored_document;
use crate::runners::ResourceFile;
use crate::{Caller, Engine, Tenant, internal};
use dlf_core::model::job::Node;
use dlf_core::model::resource::{CreatedResource, ObjectPath, Relation, ResourceInfo, ResourceList};
use dlf_core::{DlfError, ErrorCode};
use dlf_store::{ResourceContent, ResourceRecord, StoreError};

/// The Shell/Python property that lists the resources a node uses.
pub const RESOURCES_PROPERTY: &str = "resources";

/// The resource names a `resources` property lists (commas or new lines between them).
pub fn listed_names(value: &str) -> impl Iterator<Item = &str> {
    value.split([',', '\n', '\r']).map(str::trim).filter(|n| !n.is_empty())
}

/// Whether `node` uses the resource `record` (module docs).
pub(crate) fn node_uses(node: &Node, record: &ResourceRecord) -> bool {
    node.property(RESOURCES_PROPERTY).is_some_and(|v| listed_names(v).any(|n| n == record.name))
        || node.property("resourceName") == Some(record.name.as_str())
        || node.property("resourceId") == Some(record.id.as_str())
        || node.property("resourcePath").is_some_and(|p| p == record.location || p == record.name)
}

/// The wire form of a stored resource.
fn resource_body(record: &ResourceRecord) -> Result<ResourceInfo, DlfError> {
    let mut info: ResourceInfo = serde_json::from_str(&record.document).map_err(|e| {
        tracing::error!(error = %e, resource = %record.id, "a stored resource does not parse");
        DlfError::internal("a stored resource is unreadable")
    })?;
    info.id = Some(record.id.clone());
    Ok(info)
}

fn content(info: &ResourceInfo) -> Result<ResourceContent, DlfError> {
    Ok(ResourceContent {
        name: info.name.clone().unwrap_or_default(),
        res_type: info.resource_type.clone().unwrap_or_default(),
        location: info.location.clone().unwrap_or_default(),
        document: serde_json::to_string(info).map_err(|e| DlfError::internal(format!("cannot serialise: {e}")))?,
    })
}

fn name_taken(e: StoreError) -> DlfError {
    match e {
        StoreError::Conflict(_) => DlfError::new(ErrorCode::ResourceNameTaken),
        StoreError::NotFound(_) => DlfError::new(ErrorCode::ResourceNotFound),
        e => internal(e),
    }
}

impl Engine {
    async fn resource_or_not_found(&self, tenant: &Tenant, id: &str) -> Result<ResourceRecord, DlfError> {
        self.store()
            .find_resource(tenant.workspace_id(), id)
            .await
            .map_err(internal)?
            .ok_or_else(|| DlfError::new(ErrorCode::ResourceNotFound))
    }

    /// R1 CreateResource.
    pub async fn create_resource(
        &self,
        tenant: &Tenant,
        caller: &Caller,
        body: &[u8],
    ) -> Result<CreatedResource, DlfError> {
        let mut info = ResourceInfo::from_json_bytes(body).map_err(DlfError::invalid_param)?;
        info.check()?;
        let stored = self
            .store()
            .insert_resource(tenant.workspace_id(), &content(&info)?, &caller.user, self.now_ms())
            .await
            .map_err(name_taken)?;
        Ok(CreatedResource { resource_id: stored.id })
    }

    /// R2 ListResources: by name, `resourceName` a substring of the name.
    pub async fn list_resources(
        &self,
        tenant: &Tenant,
        name: Option<&str>,
        offset: Option<i64>,
        limit: Option<i64>,
    ) -> Result<ResourceList, DlfError> {
        let (offset, limit) = crate::jobs::paging(offset, limit, 100)?;
        let name = name.filter(|n| !n.is_empty());
        let (total, rows) =
            self.store().list_resources(tenant.workspace_id(), name, offset, limit).await.map_err(internal)?;
        let resources = rows.iter().map(resource_body).collect::<Result<_, _>>()?;
        Ok(ResourceList { total, resources })
    }

    /// R3 ShowResource, with the jobs that use it as `jobRelation`.
    pub async fn show_resource(&self, tenant: &Tenant, id: &str) -> Result<ResourceInfo, DlfError> {
        let record = self.resource_or_not_found(tenant, id).await?;
        let mut info = resource_body(&record)?;
        let relations = self
            .jobs_using(tenant, &record)
            .await?
            .into_iter()
            .map(|(task_id, task_name)| Relation { relation_type: "job".into(), task_name, task_id, deleted: false })
            .collect();
        info.job_relation = Some(relations);
        Ok(info)
    }

    /// R4 UpdateResource: the fields sent replace the stored ones (an empty body changes
    /// nothing); `type` and `directory` cannot change; a rename is refused while jobs use the
    /// resource.
    pub async fn update_resource(&self, tenant: &Tenant, id: &str, body: &[u8]) -> Result<(), DlfError> {
        let record = self.resource_or_not_found(tenant, id).await?;
        let sent = ResourceInfo::from_json_bytes(body).map_err(DlfError::invalid_param)?;
        let mut merged = resource_body(&record)?;
        merged.id = None;
        if let Some(t) = sent.resource_type.as_deref().filter(|t| *t != record.res_type) {
            return Err(DlfError::invalid_param(format!(
                "the type of a resource cannot change (it is {}, not {t})",
                record.res_type
            )));
        }
        if let Some(d) = sent.directory.as_deref().filter(|d| Some(*d) != merged.directory.as_deref()) {
            return Err(DlfError::invalid_param(format!(
                "the directory of a resource cannot change (it is {}, not {d})",
                merged.directory.as_deref().unwrap_or("/")
            )));
        }
        let renamed = sent.name.as_deref().is_some_and(|n| n != record.name);
        merged.name = sent.name.or(merged.name);
        merged.location = sent.location.or(merged.location);
        merged.depend_files = sent.depend_files.or(merged.depend_files);
        merged.depend_packages = sent.depend_packages.or(merged.depend_packages);
        merged.desc = sent.desc.or(merged.desc);
        merged.check()?;
        if renamed {
            self.refuse_if_resource_used(tenant, &record, "renamed").await?;
        }
        self.store().update_resource(&record.id, &content(&merged)?, self.now_ms()).await.map_err(name_taken)
    }

    /// R5 DeleteResource: refused while a job node uses the resource.
    pub async fn delete_resource(&self, tenant: &Tenant, id: &str) -> Result<(), DlfError> {
        let record = self.resource_or_not_found(tenant, id).await?;
        self.refuse_if_resource_used(tenant, &record, "deleted").await?;
        self.store().delete_resource(&record.id).await.map_err(internal)
    }

    /// The jobs of the workspace with a node that uses `record`: (id, name).
    async fn jobs_using(&self, tenant: &Tenant, record: &ResourceRecord) -> Result<Vec<(i64, String)>, DlfError> {
        let ws = tenant.workspace_id();
        let mut found: Vec<(i64, String)> = Vec::new();
        for text in [&record.name, &record.id, &record.location] {
            for job in self.store().jobs_mentioning(ws, text).await.map_err(internal)? {
                if found.iter().any(|(id, _)| *id == job.id()) {
                    continue;
                }
                let doc = stored_document(&job.document)?;
                if doc.nodes.iter().any(|n| node_uses(n, record)) {
                    found.push((job.id(), job.name().to_string()));
                }
            }
        }
        found.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(found)
    }

    async fn refuse_if_resource_used(
        &self,
        tenant: &Tenant,
        record: &ResourceRecord,
        what: &str,
    ) -> Result<(), DlfError> {
        let jobs = self.jobs_using(tenant, record).await?;
        if jobs.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = jobs.iter().map(|(_, n)| n.as_str()).collect();
        Err(DlfError::invalid_param(format!(
            "the resource {} is used by the jobs {}; change them first, then it can be {what}",
            record.name,
            names.join(", ")
        )))
    }

    /// The files a node's `resources` property names, as they will be copied into its working
    /// directory; `Err` says which resource cannot be used, and why.
    pub(crate) async fn node_resource_files(
        &self,
        project_id: &str,
        workspace_id: &str,
        value: &str,
    ) -> Result<Vec<ResourceFile>, String> {
        let mut files: Vec<ResourceFile> = Vec::new();
        for name in listed_names(value) {
            let record = self
                .store()
                .find_resource_by_name(workspace_id, name)
                .await
                .map_err(|e| format!("cannot read the resource '{name}': {}", internal(e)))?
                .ok_or_else(|| format!("the resource '{name}' does not exist"))?;
            let object = match ObjectPath::parse_location(&record.location) {
                Some(Ok(object)) => object,
                _ => {
                    return Err(format!(
                        "the resource '{name}' is at {}, which is not in dlf's object store (only obs://bucket/key \
                         locations can be placed in a working directory)",
                        record.location
                    ));
                }
            };
            let source = self
                .object_source(project_id, &object)
                .await
                .map_err(|_| format!("the resource '{name}': its file {} has not been uploaded", object.location()))?;
            let file_name = object.file_name().to_string();
            if file_name.starts_with(".dlf") {
                return Err(format!("the resource '{name}': the file name {file_name} is reserved"));
            }
            if let Some(other) = files.iter().find(|f| f.file_name == file_name) {
                return Err(format!(
                    "the resources '{}' and '{name}' would both be the file {file_name} in the working directory",
                    other.name
                ));
            }
            files.push(ResourceFile { name: name.to_string(), file_name, source });
        }
        Ok(files)
    }
}
