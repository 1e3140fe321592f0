//! HTTP Trigger (`HttpTrigger`, JOBS.md §3.2): the node waits until an external system calls
//! `POST /x/v1/{project_id}/http-triggers/{trigger_id}/fire`, then succeeds.
//!
//! - **Trigger id**: the property `triggerId`; without one, `<job name>.<node name>` (unique in a
//!   workspace, since job names are). A call fires every node of the caller's workspace that
//!   waits on that id at that moment (several instances of one job may wait together).
//! - **Maximum wait**: the property `maxWaitHours`, 1–24, default 24 (checked when the job is
//!   saved). The node's `maxExecutionTime` does not cut the wait short: the engine gives this
//!   type the maximum wait as its time limit. When no call arrives in time the node and
//!   everything not yet ended in the instance are canceled and the instance stops
//!   (`manual-stop`), as JOBS.md §3.2 says; the engine does that when this runner reports the
//!   wait timed out.
//! - **The call's body** becomes the node's output (`Job.getNodeOutput`), capped at 1 MB by the
//!   route; an empty body gives no output.
//! - Stop cancels the wait at once. The waiting list lives in memory ([`HttpTriggers`]): a
//!   restarted server runs the node's next attempt, which waits again.

use super::{AttemptContext, AttemptOutcome, AttemptSpec, NodeRunner};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// The node type.
pub const NODE_TYPE: &str = "HttpTrigger";
/// The default and the bounds of `maxWaitHours`.
pub const DEFAULT_MAX_WAIT_HOURS: u64 = 24;
pub const MAX_WAIT_HOURS: std::ops::RangeInclusive<u64> = 1..=24;

/// The maximum wait of a node with these properties (a bad value falls back to the default;
/// validation refuses it at save time).
pub fn max_wait(max_wait_hours: Option<&str>) -> Duration {
    let hours = max_wait_hours
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|h| MAX_WAIT_HOURS.contains(h))
        .unwrap_or(DEFAULT_MAX_WAIT_HOURS);
    Duration::from_secs(hours * 3600)
}

/// The trigger id of a node: `triggerId`, else `<job name>.<node name>`.
pub fn trigger_id(trigger_property: Option<&str>, job_name: &str, node_name: &str) -> String {
    match trigger_property.map(str::trim).filter(|t| !t.is_empty()) {
        Some(id) => id.to_string(),
        None => format!("{job_name}.{node_name}"),
    }
}

struct Waiter {
    key: u64,
    instance_id: i64,
    fire: oneshot::Sender<Option<String>>,
}

/// The nodes waiting for a call, by trigger id: shared by the runner and the engine's
/// [`crate::Engine::fire_http_trigger`].
#[derive(Default)]
pub struct HttpTriggers {
    waiting: Mutex<HashMap<String, Vec<Waiter>>>,
    next_key: std::sync::atomic::AtomicU64,
}

/// A registered wait; dropping it leaves the list.
struct Registration<'a> {
    triggers: &'a HttpTriggers,
    trigger: String,
    key: u64,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        let mut waiting = self.triggers.waiting.lock().expect("lock");
        if let Some(list) = waiting.get_mut(&self.trigger) {
            list.retain(|w| w.key != self.key);
            if list.is_empty() {
                waiting.remove(&self.trigger);
            }
        }
    }
}

impl HttpTriggers {
    fn register(&self, trigger: &str, instance_id: i64) -> (Registration<'_>, oneshot::Receiver<Option<String>>) {
        let key = self.next_key.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (fire, fired) = oneshot::channel();
        self.waiting.lock().expect("lock").entry(trigger.to_string()).or_default().push(Waiter {
            key,
            instance_id,
            fire,
        });
        (Registration { triggers: self, trigger: trigger.to_string(), key }, fired)
    }

    /// The instances with a node waiting on `trigger`.
    pub fn waiting_instances(&self, trigger: &str) -> Vec<i64> {
        let waiting = self.waiting.lock().expect("lock");
        waiting.get(trigger).map(|l| l.iter().map(|w| w.instance_id).collect()).unwrap_or_default()
    }

    /// Fires the nodes waiting on `trigger` in the given instances, handing them `body`;
    /// returns the instances fired.
    pub fn fire(&self, trigger: &str, instances: &[i64], body: Option<String>) -> Vec<i64> {
        let mut waiting = self.waiting.lock().expect("lock");
        let Some(list) = waiting.get_mut(trigger) else { return Vec::new() };
        let mut fired = Vec::new();
        let mut kept = Vec::new();
        for waiter in list.drain(..) {
            if instances.contains(&waiter.instance_id) {
                if waiter.fire.send(body.clone()).is_ok() {
                    fired.push(waiter.instance_id);
                }
            } else {
                kept.push(waiter);
            }
        }
        *list = kept;
        if list.is_empty() {
            waiting.remove(trigger);
        }
        fired
    }
}

pub struct HttpTriggerRunner {
    triggers: Arc<HttpTriggers>,
}

impl HttpTriggerRunner {
    pub fn new(triggers: Arc<HttpTriggers>) -> HttpTriggerRunner {
        HttpTriggerRunner { triggers }
    }
}

/// The message of a wait that ended without a call (the engine stops the instance on it).
pub fn expired_message(trigger: &str, wait: Duration) -> String {
    format!("no call reached the HTTP trigger '{trigger}' within {} h", wait.as_secs() / 3600)
}

#[async_trait]
impl NodeRunner for HttpTriggerRunner {
    async fn run(&self, spec: &AttemptSpec, ctx: AttemptContext<'_>) -> AttemptOutcome {
        let job_name = spec.env.iter().find(|(k, _)| k == "DLF_JOB_NAME").map(|(_, v)| v.as_str()).unwrap_or("");
        let trigger = trigger_id(spec.property("triggerId"), job_name, &spec.node_name);
        let wait = max_wait(spec.property("maxWaitHours"));
        let (registration, fired) = self.triggers.register(&trigger, spec.instance_id);
        ctx.log
            .write(
                format!(
                    "waiting up to {} h for POST /x/v1/<project>/http-triggers/{trigger}/fire\n",
                    wait.as_secs() / 3600
                )
                .as_bytes(),
            )
            .await;
        let outcome = tokio::select! {
            body = fired => match body {
                Ok(body) => {
                    ctx.log.write(format!("called ({} bytes)\n", body.as_ref().map_or(0, String::len)).as_bytes()).await;
                    AttemptOutcome::Succeeded { output: body }
                }
                Err(_) => AttemptOutcome::failed("the trigger's waiting list was dropped", true),
            },
            _ = tokio::time::sleep(wait) => {
                let message = expired_message(&trigger, wait);
                ctx.log.write(format!("{message}\n").as_bytes()).await;
                AttemptOutcome::Failed { message, exit_code: None, timed_out: true, retryable: false }
            }
            _ = ctx.cancel.cancelled() => AttemptOutcome::Stopped,
        };
        drop(registration);
        outcome
    }
}
