//! `dlf export` and `dlf import`: a workspace in one zip file, through the public API.
//!
//! Export lists the workspace's jobs (ListJobs), exports them in batches of 100 (J11, the API's
//! limit) and the connections (C6, secrets removed), and merges everything into one zip in the
//! batch layout (`jobs/{job}/…`, `connections/{name}.conn`; JOBS.md §7.1). Import uploads the
//! file to the project's object store (`PUT /x/v1/{p}/objects/dlf-import/…`), imports the
//! connections (C7) and then the jobs (J12), and follows each system task (T1) to its end,
//! printing one line per subtask. Moving a workspace between two servers is
//! `dlf export -o ws.zip` against one and `dlf import ws.zip` against the other.
//!
//! Exit status of `dlf import`: 0 when every task is SUCCESSFUL, 2 when one ended WARNING
//! (some parts imported), 1 when one FAILED or the call itself failed.

use super::{Client, ClientArgs, ClientEnv};
use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Jobs per J11 call (the API's limit).
const BATCH: usize = 100;
/// The bucket `dlf import` uploads packages to.
const UPLOAD_BUCKET: &str = "dlf-import";
/// How long `dlf import` follows a task before giving up.
const TASK_TIMEOUT: Duration = Duration::from_secs(600);

/// `dlf export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub client: ClientArgs,
    /// The zip file to write.
    #[arg(short, long, default_value = "dlf-export.zip")]
    pub output: PathBuf,
    /// Export only these jobs (repeatable) [default: every job of the workspace].
    #[arg(long = "job", value_name = "NAME")]
    pub jobs: Vec<String>,
    /// Which state of each job: DEVELOP (the development copy) or SUBMIT (the latest submitted version).
    #[arg(long, default_value = "DEVELOP", value_parser = ["DEVELOP", "SUBMIT"])]
    pub status: String,
    /// Leave out the scripts and resources the jobs use.
    #[arg(long)]
    pub no_depend: bool,
    /// Leave out the connections.
    #[arg(long)]
    pub no_connections: bool,
}

/// `dlf import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub client: ClientArgs,
    /// A zip written by `dlf export` or by DataArts Studio (or a single `.job` file).
    pub file: PathBuf,
    /// What to do with a job, script or connection that exists: SKIP or OVERWRITE.
    #[arg(long, default_value = "SKIP", value_parser = ["SKIP", "OVERWRITE"])]
    pub same_name_policy: String,
    /// Set a job parameter in every imported job (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// The user every imported job runs as (basicConfig.executeUser).
    #[arg(long)]
    pub execute_user: Option<String>,
    /// A JSON file `{"<connection>": {"<config key>": "<value>"}}` with the secrets exports leave
    /// out (passwords, keys), set on the imported connections (C7 `params`). A file, not a flag:
    /// a command line is visible to every user of the machine.
    #[arg(long, value_name = "FILE")]
    pub connection_params: Option<PathBuf>,
}

/// C7 `params` from a `{"<connection>": {"<key>": "<value>"}}` file.
fn connection_params(path: &std::path::Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let map: serde_json::Map<String, Value> = serde_json::from_str(&text)
        .with_context(|| format!("{}: expected {{\"<connection>\": {{\"<key>\": \"<value>\"}}}}", path.display()))?;
    let mut params = Vec::new();
    for (name, config) in map {
        let Some(config) = config.as_object() else {
            bail!("{}: the value of {name} is not an object", path.display())
        };
        if let Some((key, _)) = config.iter().find(|(_, v)| !v.is_string()) {
            bail!("{}: {name}.{key} is not a string", path.display());
        }
        params.push(json!({"name": name, "params": config}));
    }
    Ok(Value::Array(params))
}

/// All job names of the workspace, in ListJobs order.
async fn all_jobs(client: &Client) -> Result<Vec<String>> {
    let mut names = Vec::new();
    loop {
        let path = client.v1(&format!("/jobs?offset={}&limit=1000", names.len()));
        let page = client.json("GET", &path, None).await?.ok("ListJobs")?.json();
        let jobs = page.get("jobs").and_then(Value::as_array).cloned().unwrap_or_default();
        if jobs.is_empty() {
            return Ok(names);
        }
        names.extend(jobs.iter().filter_map(|j| j.get("name").and_then(Value::as_str).map(str::to_string)));
        let total = page.get("total").and_then(Value::as_u64).unwrap_or(0) as usize;
        if names.len() >= total {
            return Ok(names);
        }
    }
}

/// Copies every entry of `zip_bytes` into `out` (skipping names already written).
fn merge_entries(
    out: &mut zip::ZipWriter<std::io::Cursor<Vec<u8>>>,
    written: &mut std::collections::BTreeSet<String>,
    zip_bytes: &[u8],
) -> Result<usize> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).context("the server's zip")?;
    let mut count = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        if entry.is_dir() {
            continue;
        }
        let Some(name) = entry.enclosed_name().map(|p| p.to_string_lossy().into_owned()) else {
            bail!("the server's zip has an entry outside its root");
        };
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        if written.insert(name.clone()) {
            out.start_file(name, zip_options())?;
            out.write_all(&bytes)?;
            count += 1;
        }
    }
    Ok(count)
}

fn zip_options() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
}

/// Runs `dlf export`.
pub async fn export(args: ExportArgs, env: &ClientEnv) -> Result<()> {
    let client = Client::new(args.client.resolve(env)?)?;
    let jobs = if args.jobs.is_empty() { all_jobs(&client).await? } else { args.jobs.clone() };
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut written = std::collections::BTreeSet::new();
    for chunk in jobs.chunks(BATCH) {
        let body = json!({"jobList": chunk, "exportDepend": !args.no_depend, "exportStatus": args.status});
        let answer = client.json("POST", &client.v1("/jobs/batch-export"), Some(&body)).await?.ok("ExportJobList")?;
        merge_entries(&mut out, &mut written, &answer.body)?;
    }
    let mut connections = 0;
    if !args.no_connections {
        let answer = client.json("POST", &client.v1("/connections/export"), None).await?;
        // DLF.6322: the workspace has no connection to export.
        if answer.error_code().as_deref() != Some("DLF.6322") {
            let answer = answer.ok("ExportConnections")?;
            connections = merge_entries(&mut out, &mut written, &answer.body)?;
        }
    }
    let bytes = out.finish()?.into_inner();
    std::fs::write(&args.output, &bytes).with_context(|| format!("cannot write {}", args.output.display()))?;
    println!(
        "exported {} job(s) and {connections} connection(s) to {} ({} bytes)",
        jobs.len(),
        args.output.display(),
        bytes.len()
    );
    Ok(())
}

/// What a package holds, by entry kind.
fn package_kinds(bytes: &[u8], file_name: &str) -> (bool, bool) {
    if file_name.ends_with(".job") {
        return (true, false);
    }
    let Ok(archive) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        // Not a zip: let the server say what is wrong with it.
        return (true, false);
    };
    let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
    let jobs = names.iter().any(|n| n.ends_with(".job") || n.ends_with(".script") || n.ends_with(".resource"));
    let connections = names.iter().any(|n| n.ends_with(".conn"));
    (jobs || !connections, connections)
}

/// Follows a system task to its end; returns its final status.
async fn follow_task(client: &Client, task_id: &str) -> Result<String> {
    let deadline = Instant::now() + TASK_TIMEOUT;
    loop {
        let path = client.v1(&format!("/system-tasks/{}", super::encode_segment(task_id)));
        let task = client.json("GET", &path, None).await?.ok("ListSystemTasks")?.json();
        let status = task.get("status").and_then(Value::as_str).unwrap_or("").to_string();
        if status != "RUNNING" {
            let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            for sub in task.get("subtasks").and_then(Value::as_array).into_iter().flatten() {
                println!("  {:<10} {}  {}", text(sub, "status"), text(sub, "name"), text(sub, "message"));
            }
            println!("{status}: {}", text(&task, "message"));
            return Ok(status);
        }
        if Instant::now() > deadline {
            bail!("task {task_id} is still running after {} s", TASK_TIMEOUT.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Starts an import call and follows its task.
async fn run_import(client: &Client, what: &str, path: &str, body: &Value) -> Result<String> {
    let answer = client.json("POST", path, Some(body)).await?.ok(what)?.json();
    let task_id = answer.get("taskId").and_then(Value::as_str).context("the answer has no taskId")?;
    println!("{what}: task {task_id}");
    follow_task(client, task_id).await
}

/// Runs `dlf import`; returns the process exit code.
pub async fn import(args: ImportArgs, env: &ClientEnv) -> Result<u8> {
    let client = Client::new(args.client.resolve(env)?)?;
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let file_name = args.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let file_name = if file_name.is_empty() { "package.zip".to_string() } else { file_name };
    let (has_jobs, has_connections) = package_kinds(&bytes, &file_name);
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let key = format!("{stamp}-{}/{file_name}", std::process::id());
    let object =
        format!("/objects/{UPLOAD_BUCKET}/{}", key.split('/').map(super::encode_segment).collect::<Vec<_>>().join("/"));
    client.send("PUT", &client.x(&object), "application/octet-stream", bytes).await?.ok("upload")?;
    let location = format!("obs://{UPLOAD_BUCKET}/{key}");

    let mut statuses = Vec::new();
    if has_connections {
        let mut body = json!({"path": location, "sameNamePolicy": args.same_name_policy});
        if let Some(file) = &args.connection_params {
            body["params"] = connection_params(file)?;
        }
        statuses.push(run_import(&client, "ImportConnections", &client.v1("/connections/import"), &body).await?);
    }
    if has_jobs {
        let mut params = serde_json::Map::new();
        for p in &args.params {
            let Some((k, v)) = p.split_once('=') else { bail!("--param {p}: expected NAME=VALUE") };
            params.insert(k.to_string(), Value::String(v.to_string()));
        }
        let mut body = json!({"path": location, "sameNamePolicy": args.same_name_policy});
        if !params.is_empty() {
            body["params"] = Value::Object(params);
        }
        if let Some(user) = &args.execute_user {
            body["executeUser"] = json!(user);
        }
        statuses.push(run_import(&client, "ImportJob", &client.v1("/jobs/import"), &body).await?);
    }
    Ok(if statuses.iter().any(|s| s == "FAILED") {
        1
    } else if statuses.iter().any(|s| s != "SUCCESSFUL") {
        2
    } else {
        0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(names: &[&str]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for n in names {
            w.start_file(*n, zip_options()).unwrap();
            w.write_all(b"{}").unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_package_is_imported_by_the_calls_its_entries_need() {
        assert_eq!(package_kinds(&zip_of(&["jobs/a/a.job"]), "x.zip"), (true, false));
        assert_eq!(package_kinds(&zip_of(&["connections/c.conn"]), "x.zip"), (false, true));
        assert_eq!(package_kinds(&zip_of(&["jobs/a/a.job", "connections/c.conn"]), "x.zip"), (true, true));
        assert_eq!(package_kinds(b"{}", "a.job"), (true, false));
    }

    #[test]
    fn connection_params_come_from_a_json_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secrets.json");
        std::fs::write(&file, r#"{"edge": {"password": "p"}}"#).unwrap();
        assert_eq!(connection_params(&file).unwrap(), json!([{"name": "edge", "params": {"password": "p"}}]));
        std::fs::write(&file, r#"{"edge": {"port": 22}}"#).unwrap();
        assert!(connection_params(&file).unwrap_err().to_string().contains("edge.port is not a string"));
    }

    #[test]
    fn merging_keeps_each_entry_once() {
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let mut written = std::collections::BTreeSet::new();
        assert_eq!(merge_entries(&mut out, &mut written, &zip_of(&["jobs/a/a.job", "jobs/a/s.script"])).unwrap(), 2);
        assert_eq!(merge_entries(&mut out, &mut written, &zip_of(&["jobs/a/s.script", "jobs/b/b.job"])).unwrap(), 1);
        let bytes = out.finish().unwrap().into_inner();
        let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut names: Vec<String> = archive.file_names().map(|n| n.unwrap().into_owned()).collect();
        names.sort();
        assert_eq!(names, ["jobs/a/a.job", "jobs/a/s.script", "jobs/b/b.job"]);
    }
}
