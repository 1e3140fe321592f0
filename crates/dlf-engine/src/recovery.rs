//! After a crash: finding and killing the processes a dead server left behind.
//!
//! Every process a node attempt or a script run starts carries `DLF_RUNNER_EPOCH=<engine epoch>` in its
//! environment, inherited by all its children — even one that escaped the process group with
//! `setsid`. At start-up the engine collects the epochs recorded on attempts still `running` in
//! the store (they belong to a server that died: this one has a fresh epoch) and kills every
//! process on this host whose environment carries one of them. The attempts themselves are then
//! counted as failed and retried or failed per the node's policy (`execution`).
//!
//! Limits: processes are found through `/proc` (Linux), and only on this host; with several
//! servers sharing one PostgreSQL database, each reconciles the attempts it ran itself only
//! when it restarts on the same host (ARCHITECTURE.md, "Crash safety").

use dlf_core::model::NodeStatus;
use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use std::collections::HashSet;

/// The environment variable that stamps a node's processes with the server that runs them.
pub const EPOCH_ENV: &str = "DLF_RUNNER_EPOCH";

/// The epoch a process carries, read from `/proc/<pid>/environ`.
fn process_epoch(pid: i32) -> Option<String> {
    let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
    let prefix = format!("{EPOCH_ENV}=");
    environ
        .split(|b| *b == 0)
        .find_map(|entry| entry.strip_prefix(prefix.as_bytes()).map(|v| String::from_utf8_lossy(v).into_owned()))
}

/// Every pid on this host.
fn all_pids() -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok()).collect()
}

/// Kills (SIGKILL) every process whose epoch is one of `dead_epochs`; returns how many.
pub async fn kill_processes_of(dead_epochs: &HashSet<String>) -> usize {
    if dead_epochs.is_empty() {
        return 0;
    }
    let me = std::process::id() as i32;
    let mut killed = 0;
    for pid in all_pids() {
        if pid == me {
            continue;
        }
        if process_epoch(pid).is_some_and(|e| dead_epochs.contains(&e)) {
            // At worst the process is already gone (ESRCH): not counted.
            if kill(Pid::from_raw(pid), Signal::SIGKILL).is_ok() {
                killed += 1;
            }
        }
    }
    killed
}

/// Kills the process group `pgid` if its leader still carries `epoch` (a recorded attempt of a
/// dead server). A reused pid belonging to anything else is left alone.
pub async fn kill_orphan_group(pgid: i64, epoch: Option<&str>) {
    let (Ok(pgid), Some(epoch)) = (i32::try_from(pgid), epoch) else { return };
    if pgid <= 1 {
        return;
    }
    if process_epoch(pgid).as_deref() == Some(epoch) {
        // A group whose leader we identified by its environment; ESRCH if it is gone meanwhile.
        let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
    }
}

/// At start-up: kill what attempts of dead servers left running, given the store's records.
pub async fn kill_leftover_processes(engine: &crate::Engine) -> usize {
    let Ok(open) = engine.store().open_instances().await else { return 0 };
    let mut dead = HashSet::new();
    for instance in open.iter().filter(|i| i.status.holds_slot()) {
        if let Ok(nodes) = engine.store().node_instances(instance.id).await {
            for n in nodes.into_iter().filter(|n| n.status == NodeStatus::Running) {
                if let Some(epoch) = n.runner_epoch.filter(|e| e != engine.epoch()) {
                    dead.insert(epoch);
                }
            }
        }
    }
    kill_processes_of(&dead).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn kills_exactly_the_processes_of_a_dead_epoch() {
        let spawn = |epoch: &str| {
            std::process::Command::new("sleep").arg("30").env(EPOCH_ENV, epoch).spawn().expect("spawn sleep")
        };
        let mut dead = spawn("dead-epoch-for-test");
        let mut alive = spawn("live-epoch-for-test");
        std::thread::sleep(std::time::Duration::from_millis(100));
        let killed = kill_processes_of(&HashSet::from(["dead-epoch-for-test".to_string()])).await;
        assert_eq!(killed, 1);
        let status = dead.wait().unwrap();
        assert!(!status.success(), "the dead epoch's process was killed");
        assert!(alive.try_wait().unwrap().is_none(), "another epoch's process lives");
        alive.kill().unwrap();
        let _ = alive.wait();
    }
}
