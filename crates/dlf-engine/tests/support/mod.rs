//! An engine on a temporary SQLite store, started, with helpers to create jobs and wait for
//! instances — the engine tested through its own operations, without HTTP.

#![allow(dead_code)]

use dlf_core::model::requests::StartJobBody;
use dlf_core::model::responses::InstanceDetail;
use dlf_engine::{Caller, Engine, EngineConfig, RuntimeGuard, SystemClock, Tenant};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct TestEngine {
    pub engine: Engine,
    pub tenant: Tenant,
    pub caller: Caller,
    // Dropped before the directory it writes to.
    pub runtime: Option<RuntimeGuard>,
    pub dir: tempfile::TempDir,
}

impl TestEngine {
    pub async fn start() -> TestEngine {
        TestEngine::start_with(|_| {}).await
    }

    /// As [`TestEngine::start`], with `configure` applied to the engine's settings.
    pub async fn start_with(configure: impl FnOnce(&mut EngineConfig)) -> TestEngine {
        let dir = tempfile::tempdir().unwrap();
        let store = dlf_store::open(dir.path().join("dlf.db").to_str().unwrap()).await.unwrap();
        // Data (logs) and the nodes' work directories (`data-work`) both inside the temporary directory.
        let mut config = EngineConfig::new(dir.path().join("data"));
        config.kill_grace_ms = 300;
        configure(&mut config);
        let engine = Engine::new(store, config, Arc::new(SystemClock), dlf_store::SecretBox::from_key(&[1; 32]));
        let runtime = engine.start().await.unwrap();
        let tenant = engine.resolve_tenant("proj", None).await.unwrap();
        TestEngine { engine, tenant, caller: Caller::anonymous(), dir, runtime: Some(runtime) }
    }

    pub async fn create(&self, doc: &Value) {
        self.engine
            .create_job(&self.tenant, &self.caller, &serde_json::to_vec(doc).unwrap())
            .await
            .unwrap_or_else(|e| panic!("create: {e}"));
    }

    pub async fn update(&self, doc: &Value) {
        let name = doc["name"].as_str().unwrap();
        self.engine
            .update_job(&self.tenant, &self.caller, name, &serde_json::to_vec(doc).unwrap())
            .await
            .unwrap_or_else(|e| panic!("update: {e}"));
    }

    /// RunOnce with `params` (name → value).
    pub async fn run(&self, job: &str, params: &[(&str, &str)]) -> i64 {
        let body: StartJobBody = serde_json::from_value(json!({
            "jobParams": params.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>()
        }))
        .unwrap();
        self.engine.run_once(&self.tenant, &self.caller, job, &body).await.unwrap().instance_id
    }

    pub async fn show(&self, job: &str, id: i64) -> InstanceDetail {
        self.engine.show_instance(&self.tenant, job, &id.to_string()).await.unwrap()
    }

    /// Waits until the instance's status is one of `statuses`.
    pub async fn wait_for(&self, job: &str, id: i64, statuses: &[&str], within: Duration) -> InstanceDetail {
        let deadline = Instant::now() + within;
        loop {
            let detail = self.show(job, id).await;
            if statuses.contains(&detail.status.as_str()) {
                return detail;
            }
            assert!(
                Instant::now() < deadline,
                "instance {id} is {} after {within:?}; wanted {statuses:?}: {detail:?}",
                detail.status
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits for an ended instance.
    pub async fn finished(&self, job: &str, id: i64) -> InstanceDetail {
        self.wait_for(
            job,
            id,
            &["success", "fail", "ignoreSuccess", "manual-stop", "forceSuccess", "skip-by-depend"],
            Duration::from_secs(20),
        )
        .await
    }
}

/// The status of node `name` in an instance.
pub fn node_status(detail: &InstanceDetail, name: &str) -> String {
    detail.nodes.iter().find(|n| n.node_name == name).unwrap_or_else(|| panic!("no node {name}")).status.clone()
}

/// A BATCH job with these nodes and an EXECUTE_ONCE schedule.
pub fn job(name: &str, nodes: Vec<Value>) -> Value {
    json!({"name": name, "processType": "BATCH", "schedule": {"type": "EXECUTE_ONCE"}, "nodes": nodes})
}

pub fn node(name: &str, node_type: &str, upstream: &[&str]) -> Value {
    json!({"name": name, "type": node_type, "location": {"x": "0", "y": "0"}, "preNodeName": upstream,
           "properties": if node_type == "HiveSQL" { json!([{"name": "scriptName", "value": "s"}]) } else { json!([]) }})
}

/// A Shell node running `statement`.
pub fn shell(name: &str, statement: &str, upstream: &[&str]) -> Value {
    json!({"name": name, "type": "Shell", "location": {"x": "0", "y": "0"}, "preNodeName": upstream,
           "properties": [{"name": "statement", "value": statement}]})
}

pub fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}
