//! Export and import packages (JOBS.md §7): the zip layouts, and where packages are read from and
//! written to.
//!
//! Layouts (JOBS.md §7.1). A single-job export (J10, `DLF_{job}.zip`):
//!
//! ```text
//! jobs/{job}.job
//! scripts/{script}.script            (with exportDepend)
//! resources/{resource}.resource      (with exportDepend)
//! ```
//!
//! A batch export (J11, `jobs.zip`) has one folder per job:
//!
//! ```text
//! jobs/{job}/{job}.job
//! jobs/{job}/{script}.script
//! jobs/{job}/{resource}.resource
//! ```
//!
//! A connection export (C6, `DLF_All_DataConnections.zip`): `connections/{name}.conn`.
//!
//! The reader accepts either job layout (and a bare `.job` file): what an entry is comes from
//! its extension, not its folder. Entries of other kinds are ignored by the importer they do
//! not concern (J12 skips `.conn`, C7 skips everything but `.conn`).
//!
//! Locations ([`locations`]): an `obs://bucket/key` address resolves to the project's object
//! store; an absolute server path is allowed only inside a folder the operator listed with
//! `dlf serve --import-dir`.

pub mod export;
pub mod import;
mod import_connections;
pub mod locations;
pub mod overrides;
pub mod reader;

/// The largest package, compressed and expanded (JOBS.md §8: 10 MB).
pub const MAX_PACKAGE_BYTES: u64 = 10 * 1024 * 1024;

/// File extension of a job definition.
pub const JOB_EXT: &str = "job";
/// File extension of a script.
pub const SCRIPT_EXT: &str = "script";
/// File extension of a resource.
pub const RESOURCE_EXT: &str = "resource";
/// File extension of a connection.
pub const CONNECTION_EXT: &str = "conn";

/// The zip file name of a single-job export.
pub fn single_job_file_name(job: &str) -> String {
    format!("DLF_{job}.zip")
}

/// The zip file name of a batch export.
pub const BATCH_FILE_NAME: &str = "jobs.zip";
/// The zip file name of a connection export.
pub const CONNECTIONS_FILE_NAME: &str = "DLF_All_DataConnections.zip";

/// Entry names of a single-job export.
pub mod single {
    pub fn job(job: &str) -> String {
        format!("jobs/{job}.{}", super::JOB_EXT)
    }
    pub fn script(script: &str) -> String {
        format!("scripts/{script}.{}", super::SCRIPT_EXT)
    }
    pub fn resource(resource: &str) -> String {
        format!("resources/{resource}.{}", super::RESOURCE_EXT)
    }
}

/// Entry names of a batch export.
pub mod batch {
    pub fn job(job: &str) -> String {
        format!("jobs/{job}/{job}.{}", super::JOB_EXT)
    }
    pub fn script(job: &str, script: &str) -> String {
        format!("jobs/{job}/{script}.{}", super::SCRIPT_EXT)
    }
    pub fn resource(job: &str, resource: &str) -> String {
        format!("jobs/{job}/{resource}.{}", super::RESOURCE_EXT)
    }
}

/// The entry name of a connection in a connection export.
pub fn connection_entry(name: &str) -> String {
    format!("connections/{name}.{CONNECTION_EXT}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_follow_jobs_md_7_1() {
        assert_eq!(single::job("a"), "jobs/a.job");
        assert_eq!(single::script("s"), "scripts/s.script");
        assert_eq!(single::resource("r"), "resources/r.resource");
        assert_eq!(batch::job("a"), "jobs/a/a.job");
        assert_eq!(batch::script("a", "s"), "jobs/a/s.script");
        assert_eq!(connection_entry("c"), "connections/c.conn");
        assert_eq!(single_job_file_name("a"), "DLF_a.zip");
    }
}
