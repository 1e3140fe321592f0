//! The store test suite, run unchanged against every backend.
//!
//! `tests/sqlite.rs` runs it on a temporary SQLite file; `tests/postgres.rs` on the database
//! named by `DLF_TEST_POSTGRES_URL` (each test in a schema of its own). A case is an async
//! function over `Arc<dyn Store>`; [`store_suite!`](crate::store_suite) turns the list into
//! one `#[tokio::test]` per case and backend, so a failure names both. The open function
//! returns `None` when its backend is not configured; the test then passes without running.
//!
//! Only those tests need it, so it is compiled only with the `testsuite` feature, which
//! `dlf-store`'s own dev-dependency on itself turns on for its tests (`cargo test` needs no
//! flag, and the library that `dlf` ships does not carry it).

use crate::*;
use dlf_core::model::{InstanceStatus, InstanceType, JobStatus, NodeStatus};
use std::sync::Arc;

/// An instance status by its wire name (the cases read better with the names).
fn is(name: &str) -> InstanceStatus {
    InstanceStatus::parse(name).unwrap_or_else(|| panic!("{name} is an instance status"))
}

type Case = Arc<dyn Store>;

/// Expands to one test per case, each calling `$open().await` for a fresh store:
/// `Option<(Arc<dyn Store>, K)>`, where `K` is whatever must outlive the store (the temporary
/// directory of a SQLite file, say) and is dropped only after the case has finished with it.
#[macro_export]
macro_rules! store_suite {
    ($open:path) => {
        $crate::store_suite!(@cases $open;
            workspaces_are_per_project,
            credentials_round_trip,
            access_keys_are_listed_disabled_and_deleted,
            job_names_are_unique_per_workspace,
            job_updates_submit_versions,
            list_jobs_filters_and_pages,
            delete_job_keeps_instances_and_edges_go,
            stop_cancels_scheduled_waiting_instances_only,
            one_cron_instance_per_plan_time,
            fire_schedules_respects_status_and_cursor,
            concurrent_fires_create_exactly_one_instance,
            a_fire_storm_is_written_exactly,
            start_instances_is_compare_and_set,
            commit_is_compare_and_set,
            list_instances_filters_and_pages,
            dependency_queries,
            scripts_round_trip,
            connections_round_trip,
            resources_round_trip,
            script_runs_change_by_compare_and_set,
            definitions_generation_moves_after_every_job_write,
            insert_instances_writes_each_with_its_nodes,
            children_are_created_once_per_key,
            removed_dependencies_are_compare_and_set,
            notification_rules_and_deliveries,
            system_tasks_end_once_with_their_subtasks,
        );
    };
    (@cases $open:path; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                // `_keep` (not `_`): dropped at the end of the test, after the case.
                let Some((store, _keep)) = $open().await else { return };
                $crate::testsuite::$case(store).await;
            }
        )+
    };
}

fn job_fields(doc: &str, process_type: &str, tags: &[&str], depends_on: &[&str]) -> JobFields {
    JobFields {
        document: doc.to_string(),
        process_type: process_type.to_string(),
        directory: "/".to_string(),
        owner: Some("alice".to_string()),
        priority: 0,
        single_node: false,
        schedule_end_ms: None,
        tags: tags.iter().map(|s| s.to_string()).collect(),
        depends_on: depends_on.iter().map(|s| s.to_string()).collect(),
    }
}

async fn new_job(store: &Case, ws: &str, name: &str, now: i64) -> JobRecord {
    store
        .insert_job(&NewJob {
            workspace_id: ws.to_string(),
            name: name.to_string(),
            fields: job_fields(&format!("{{\"name\":\"{name}\"}}"), "BATCH", &[], &[]),
            user: "alice".into(),
            now_ms: now,
            submit: true,
        })
        .await
        .expect("insert job")
}

fn new_instance(job: &JobRecord, instance_type: i64, plan_ms: i64, status: &str) -> NewInstance {
    NewInstance {
        workspace_id: job.summary.workspace_id.clone(),
        job_id: job.id(),
        job_name: job.name().to_string(),
        instance_type: InstanceType::from_code(instance_type).expect("an instance type"),
        plan_ms,
        status: is(status),
        version: 1,
        submit_ms: 1,
        created_ms: plan_ms,
        params: None,
        ignore_depend: false,
        nodes: vec![("a".into(), "Dummy".into()), ("b".into(), "Shell".into())],
    }
}

async fn scheduling(store: &Case, job: &JobRecord) {
    let started = store
        .transition_job(
            job.id(),
            &[JobStatus::Stopped],
            &JobStatusChange {
                status: JobStatus::Scheduling,
                started_ms: Some(1),
                start_params: None,
                schedule_cursor_ms: Some(Some(0)),
                cancel_waiting_at_ms: None,
            },
        )
        .await
        .unwrap();
    assert!(started);
}

pub async fn workspaces_are_per_project(store: Case) {
    let a = store.default_workspace("p1", 10).await.unwrap();
    let again = store.default_workspace("p1", 20).await.unwrap();
    assert_eq!(a, again, "the default workspace is created once");
    assert_eq!(a.name, "default");
    assert!(a.is_default);
    assert_eq!(a.id.len(), 32);
    let other = store.default_workspace("p2", 10).await.unwrap();
    assert_ne!(a.id, other.id);
    let dev = store.create_workspace("p1", "dev", 30).await.unwrap();
    assert!(!dev.is_default);
    assert!(matches!(store.create_workspace("p1", "dev", 31).await, Err(StoreError::Conflict(_))));
    assert!(store.create_workspace("p2", "dev", 31).await.is_ok(), "names are per project");
    assert_eq!(store.find_workspace("p1", &dev.id).await.unwrap(), Some(dev.clone()));
    assert_eq!(store.find_workspace("p2", &dev.id).await.unwrap(), None, "another project's workspace is invisible");
    assert_eq!(store.workspace_by_id(&dev.id).await.unwrap(), Some(dev.clone()));
    assert_eq!(store.workspace_by_id("nope").await.unwrap(), None);
    let names: Vec<String> = store.list_workspaces("p1").await.unwrap().into_iter().map(|w| w.name).collect();
    assert_eq!(names, ["default", "dev"]);
}

pub async fn credentials_round_trip(store: Case) {
    assert_eq!(store.count_access_keys().await.unwrap(), 0);
    let key = AccessKeyRecord {
        access_key: "AK1".into(),
        secret_enc: "v1:00".into(),
        project_id: Some("p1".into()),
        description: "test".into(),
        created_ms: 5,
        disabled: false,
    };
    store.insert_access_key(&key).await.unwrap();
    assert!(matches!(store.insert_access_key(&key).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.find_access_key("AK1").await.unwrap(), Some(key.clone()));
    assert_eq!(store.find_access_key("ak1").await.unwrap(), None, "access keys are case-sensitive");
    assert_eq!(store.count_access_keys().await.unwrap(), 1);
    let token = TokenRecord {
        token_hash: "ab".into(),
        project_id: None,
        created_ms: 1,
        expires_ms: 2,
        parent_access_key: Some("AK1".into()),
    };
    store.insert_token(&token).await.unwrap();
    assert_eq!(store.find_token("ab").await.unwrap(), Some(token));
    assert_eq!(store.find_token("cd").await.unwrap(), None);
}

/// Keys are listed (all, or one project's), disabled and enabled again, and deleted with the
/// tokens they created.
pub async fn access_keys_are_listed_disabled_and_deleted(store: Case) {
    let key = |ak: &str, project: Option<&str>, created_ms| AccessKeyRecord {
        access_key: ak.into(),
        secret_enc: "v1:00".into(),
        project_id: project.map(str::to_string),
        description: String::new(),
        created_ms,
        disabled: false,
    };
    store.insert_access_key(&key("ADMIN", None, 1)).await.unwrap();
    store.insert_access_key(&key("P1A", Some("p1"), 2)).await.unwrap();
    store.insert_access_key(&key("P2A", Some("p2"), 3)).await.unwrap();
    let names = |keys: Vec<AccessKeyRecord>| keys.into_iter().map(|k| k.access_key).collect::<Vec<_>>();
    assert_eq!(names(store.list_access_keys(None).await.unwrap()), ["ADMIN", "P1A", "P2A"]);
    assert_eq!(names(store.list_access_keys(Some("p1")).await.unwrap()), ["P1A"]);

    assert!(store.set_access_key_disabled("P1A", true).await.unwrap());
    assert!(store.find_access_key("P1A").await.unwrap().unwrap().disabled);
    assert!(store.set_access_key_disabled("P1A", false).await.unwrap());
    assert!(!store.find_access_key("P1A").await.unwrap().unwrap().disabled);
    assert!(!store.set_access_key_disabled("NOPE", true).await.unwrap(), "no such key");

    let token = TokenRecord {
        token_hash: "t1".into(),
        project_id: Some("p1".into()),
        created_ms: 1,
        expires_ms: i64::MAX,
        parent_access_key: Some("P1A".into()),
    };
    store.insert_token(&token).await.unwrap();
    assert!(store.delete_access_key("P1A").await.unwrap());
    assert_eq!(store.find_access_key("P1A").await.unwrap(), None);
    assert_eq!(store.find_token("t1").await.unwrap(), None, "the key's tokens go with it");
    assert!(!store.delete_access_key("P1A").await.unwrap(), "already gone");
    assert_eq!(names(store.list_access_keys(None).await.unwrap()), ["ADMIN", "P2A"]);
}

pub async fn job_names_are_unique_per_workspace(store: Case) {
    let ws1 = store.default_workspace("p", 0).await.unwrap();
    let ws2 = store.create_workspace("p", "w2", 0).await.unwrap();
    let a = new_job(&store, &ws1.id, "job", 100).await;
    assert_eq!(a.status(), JobStatus::Stopped, "a new job is stopped");
    assert_eq!(a.summary.submitted_version, 1);
    assert_eq!(a.summary.create_ms, 100);
    let dup = store
        .insert_job(&NewJob {
            workspace_id: ws1.id.clone(),
            name: "job".into(),
            fields: job_fields("{}", "BATCH", &[], &[]),
            user: "bob".into(),
            now_ms: 1,
            submit: true,
        })
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))));
    let b = new_job(&store, &ws2.id, "job", 100).await;
    assert_ne!(a.id(), b.id(), "same name in another workspace is another job");
    assert_eq!(store.find_job(&ws1.id, "job").await.unwrap().unwrap().id(), a.id());
    assert_eq!(store.find_job(&ws2.id, "job").await.unwrap().unwrap().id(), b.id());
    assert_eq!(store.find_job(&ws1.id, "Job").await.unwrap(), None, "names are case-sensitive");
    assert_eq!(store.find_job_by_id(a.id()).await.unwrap().unwrap().name(), "job");
}

pub async fn job_updates_submit_versions(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let job = new_job(&store, &ws.id, "j", 1).await;
    let updated = store
        .update_job(
            job.id(),
            &JobUpdate {
                fields: job_fields("{\"v\":2}", "BATCH", &["t"], &[]),
                user: "bob".into(),
                now_ms: 5,
                submit: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.summary.submitted_version, 2);
    assert_eq!(updated.summary.update_user, "bob");
    assert_eq!(updated.document, "{\"v\":2}");
    let saved_only = store
        .update_job(
            job.id(),
            &JobUpdate {
                fields: job_fields("{\"v\":3}", "BATCH", &[], &[]),
                user: "bob".into(),
                now_ms: 6,
                submit: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(saved_only.summary.submitted_version, 2, "a save without submit keeps the version");
    assert_eq!(store.job_version(job.id(), 2).await.unwrap().unwrap().document, "{\"v\":2}");
    assert_eq!(store.job_version(job.id(), 1).await.unwrap().unwrap().document, "{\"name\":\"j\"}");
    assert_eq!(store.job_version(job.id(), 3).await.unwrap(), None);
    assert!(matches!(
        store
            .update_job(
                9999,
                &JobUpdate { fields: job_fields("{}", "BATCH", &[], &[]), user: "x".into(), now_ms: 1, submit: true }
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn list_jobs_filters_and_pages(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    for i in 0..12 {
        let tags: &[&str] = if i % 3 == 0 { &["daily"] } else { &["hourly"] };
        let process = if i == 11 { "REAL_TIME" } else { "BATCH" };
        store
            .insert_job(&NewJob {
                workspace_id: ws.id.clone(),
                name: format!("job_{i:02}"),
                fields: job_fields("{}", process, tags, &[]),
                user: "u".into(),
                now_ms: 100 + i,
                submit: true,
            })
            .await
            .unwrap();
    }
    let filter = |name: Option<&str>, tags: &[&str], offset, limit| JobFilter {
        process_type: "BATCH".into(),
        name_contains: name.map(str::to_string),
        any_tag: tags.iter().map(|s| s.to_string()).collect(),
        offset,
        limit,
    };
    let (total, page) = store.list_jobs(&ws.id, &filter(None, &[], 0, 5)).await.unwrap();
    assert_eq!(total, 11, "REAL_TIME jobs are not listed as BATCH");
    let names: Vec<&str> = page.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(names, ["job_10", "job_09", "job_08", "job_07", "job_06"], "newest update first");
    let (_, page) = store.list_jobs(&ws.id, &filter(None, &[], 10, 5)).await.unwrap();
    assert_eq!(page.len(), 1, "offset is a row offset");
    let (total, page) = store.list_jobs(&ws.id, &filter(None, &[], 50, 5)).await.unwrap();
    assert_eq!((total, page.len()), (11, 0), "past the end: empty page, real total");
    let (total, _) = store.list_jobs(&ws.id, &filter(Some("_0"), &[], 0, 100)).await.unwrap();
    assert_eq!(total, 10);
    let (total, _) = store.list_jobs(&ws.id, &filter(Some("JOB"), &[], 0, 100)).await.unwrap();
    assert_eq!(total, 0, "name filter is case-sensitive");
    let (total, _) = store.list_jobs(&ws.id, &filter(None, &["daily"], 0, 100)).await.unwrap();
    assert_eq!(total, 4);
    let (total, _) = store.list_jobs(&ws.id, &filter(None, &["daily", "hourly"], 0, 100)).await.unwrap();
    assert_eq!(total, 11, "any of the tags");
    let (total, _) = store
        .list_jobs(&ws.id, &JobFilter { process_type: "REAL_TIME".into(), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(total, 1);
}

pub async fn delete_job_keeps_instances_and_edges_go(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let up = new_job(&store, &ws.id, "up", 1).await;
    let down = store
        .insert_job(&NewJob {
            workspace_id: ws.id.clone(),
            name: "down".into(),
            fields: job_fields("{}", "BATCH", &["x"], &["up"]),
            user: "u".into(),
            now_ms: 2,
            submit: true,
        })
        .await
        .unwrap();
    assert_eq!(store.downstream_jobs(&ws.id, "up").await.unwrap(), vec![(down.id(), "down".to_string())]);
    let inst = store.insert_instance(&new_instance(&down, 2, 1000, "success")).await.unwrap().unwrap();
    store.delete_job(down.id()).await.unwrap();
    assert_eq!(store.find_job(&ws.id, "down").await.unwrap(), None);
    assert!(store.downstream_jobs(&ws.id, "up").await.unwrap().is_empty());
    assert_eq!(store.find_instance(inst.id).await.unwrap().unwrap().job_name, "down", "history stays");
    assert!(store.find_job(&ws.id, "up").await.unwrap().is_some());
    assert_eq!(store.count_jobs(&ws.id).await.unwrap(), 1);
    let mentioning: Vec<i64> =
        store.jobs_mentioning(&ws.id, "\"name\":\"up\"").await.unwrap().iter().map(|j| j.id()).collect();
    assert_eq!(mentioning, vec![up.id()]);
    assert!(store.jobs_mentioning(&ws.id, "nothing-like-this").await.unwrap().is_empty());
}

pub async fn stop_cancels_scheduled_waiting_instances_only(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let job = new_job(&store, &ws.id, "j", 1).await;
    scheduling(&store, &job).await;
    let waiting = store.insert_instance(&new_instance(&job, 0, 1000, "waiting")).await.unwrap().unwrap();
    let running = store.insert_instance(&new_instance(&job, 0, 2000, "running")).await.unwrap().unwrap();
    let manual = store.insert_instance(&new_instance(&job, 2, 3000, "waiting")).await.unwrap().unwrap();
    let stop = JobStatusChange {
        status: JobStatus::Stopped,
        started_ms: None,
        start_params: None,
        schedule_cursor_ms: None,
        cancel_waiting_at_ms: Some(5000),
    };
    assert!(store.transition_job(job.id(), &[JobStatus::Scheduling, JobStatus::Paused], &stop).await.unwrap());
    assert!(
        !store.transition_job(job.id(), &[JobStatus::Scheduling, JobStatus::Paused], &stop).await.unwrap(),
        "already stopped"
    );
    let w = store.find_instance(waiting.id).await.unwrap().unwrap();
    assert_eq!((w.status, w.end_ms), (InstanceStatus::ManualStop, Some(5000)));
    let nodes = store.node_instances(waiting.id).await.unwrap();
    assert!(nodes.iter().all(|n| n.status == NodeStatus::ManualStop), "{nodes:?}");
    assert_eq!(
        store.find_instance(running.id).await.unwrap().unwrap().status,
        InstanceStatus::Running,
        "running ones finish"
    );
    assert_eq!(
        store.find_instance(manual.id).await.unwrap().unwrap().status,
        InstanceStatus::Waiting,
        "run-now is not the schedule"
    );
    assert_eq!(store.find_job_by_id(job.id()).await.unwrap().unwrap().status(), JobStatus::Stopped);
    assert!(store.jobs_with_status(&[JobStatus::Scheduling]).await.unwrap().is_empty());
    scheduling(&store, &job).await;
    let ids: Vec<i64> = store
        .jobs_with_status(&[JobStatus::Scheduling, JobStatus::Paused])
        .await
        .unwrap()
        .iter()
        .map(|j| j.id())
        .collect();
    assert_eq!(ids, vec![job.id()]);
}

pub async fn one_cron_instance_per_plan_time(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let job = new_job(&store, &ws.id, "j", 1).await;
    let first = store.insert_instance(&new_instance(&job, 0, 60_000, "waiting")).await.unwrap();
    assert!(first.is_some());
    assert_eq!(store.insert_instance(&new_instance(&job, 0, 60_000, "waiting")).await.unwrap(), None);
    assert!(
        store.insert_instance(&new_instance(&job, 2, 60_000, "waiting")).await.unwrap().is_some(),
        "run-now may share it"
    );
    assert!(store.insert_instance(&new_instance(&job, 0, 61_000, "waiting")).await.unwrap().is_some());
    let nodes = store.node_instances(first.unwrap().id).await.unwrap();
    assert_eq!(nodes.len(), 2);
    assert!(nodes.iter().all(|n| n.status == NodeStatus::Waiting && n.attempts == 0));
}

pub async fn fire_schedules_respects_status_and_cursor(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let job = new_job(&store, &ws.id, "j", 1).await;
    let fire = |plan| ScheduledFire { instance: new_instance(&job, 0, plan, "waiting") };
    let out = store.fire_schedules(&[fire(1000)]).await.unwrap();
    assert_eq!(out, vec![FireOutcome::NotScheduling], "a stopped job gets nothing");
    scheduling(&store, &job).await;
    let out = store.fire_schedules(&[fire(1000), fire(2000)]).await.unwrap();
    assert!(matches!(out[0], FireOutcome::Created(_)) && matches!(out[1], FireOutcome::Created(_)), "{out:?}");
    assert_eq!(store.find_job_by_id(job.id()).await.unwrap().unwrap().schedule_cursor_ms, Some(2000));
    let out = store.fire_schedules(&[fire(2000), fire(1500)]).await.unwrap();
    assert_eq!(out, vec![FireOutcome::Duplicate, FireOutcome::Duplicate], "the cursor never goes back");
}

/// A batch larger than one multi-row statement, mixing new plan times, a job firing twice,
/// a duplicate and a stopped job: every outcome in order, nodes for every new instance.
pub async fn a_fire_storm_is_written_exactly(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    // More fires than one multi-row round holds (and node rows than one INSERT holds).
    const JOBS: usize = 1030;
    let mut jobs = Vec::new();
    for k in 0..JOBS {
        let job = new_job(&store, &ws.id, &format!("j{k:04}"), 1).await;
        if k != 7 {
            scheduling(&store, &job).await;
        }
        jobs.push(job);
    }
    let already =
        store.fire_schedules(&[ScheduledFire { instance: new_instance(&jobs[3], 0, 5000, "waiting") }]).await.unwrap();
    assert!(matches!(already[0], FireOutcome::Created(_)));

    let mut fires: Vec<ScheduledFire> =
        jobs.iter().map(|j| ScheduledFire { instance: new_instance(j, 0, 5000, "waiting") }).collect();
    fires.push(ScheduledFire { instance: new_instance(&jobs[0], 0, 6000, "waiting") });
    let out = store.fire_schedules(&fires).await.unwrap();
    assert_eq!(out.len(), JOBS + 1);
    for (k, outcome) in out.iter().enumerate() {
        match k {
            3 => assert_eq!(*outcome, FireOutcome::Duplicate, "plan 5000 of j003 existed"),
            7 => assert_eq!(*outcome, FireOutcome::NotScheduling, "j007 is stopped"),
            _ => {
                let FireOutcome::Created(record) = outcome else { panic!("fire {k}: {outcome:?}") };
                let (job, plan) = if k == JOBS { (&jobs[0], 6000) } else { (&jobs[k], 5000) };
                assert_eq!((record.job_id, record.plan_ms, record.status), (job.id(), plan, InstanceStatus::Waiting));
                let nodes = store.node_instances(record.id).await.unwrap();
                assert_eq!(nodes.len(), 2, "fire {k}");
            }
        }
    }
    assert_eq!(store.find_job_by_id(jobs[0].id()).await.unwrap().unwrap().schedule_cursor_ms, Some(6000));
    assert_eq!(store.find_job_by_id(jobs[JOBS - 1].id()).await.unwrap().unwrap().schedule_cursor_ms, Some(5000));
    assert_eq!(store.scheduled_instances_between(jobs[3].id(), 0, 100_000).await.unwrap().len(), 1);
    assert!(store.scheduled_instances_between(jobs[7].id(), 0, 100_000).await.unwrap().is_empty());
}

/// Starting instances moves exactly those still in the expected status.
pub async fn start_instances_is_compare_and_set(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let job = new_job(&store, &ws.id, "j", 1).await;
    let mut ids = Vec::new();
    for k in 0..300 {
        let created = store.insert_instance(&new_instance(&job, 2, 1000 + k, "waiting")).await.unwrap().unwrap();
        ids.push(created.id);
    }
    let mut cancelled = store.find_instance(ids[5]).await.unwrap().unwrap();
    let before = cancelled.status;
    cancelled.status = InstanceStatus::ManualStop;
    assert!(store.commit(&InstanceCommit { instance: Some((cancelled, before)), ..Default::default() }).await.unwrap());

    let starts: Vec<(i64, InstanceStatus)> = ids.iter().map(|id| (*id, InstanceStatus::Waiting)).collect();
    let started = store.start_instances(&starts, 4242).await.unwrap();
    assert_eq!(started.iter().filter(|s| **s == Start::Started { fresh: true }).count(), 299);
    assert_eq!(started[5], Start::NotStarted, "the cancelled instance stays cancelled");
    let row = store.find_instance(ids[200]).await.unwrap().unwrap();
    assert_eq!((row.status, row.start_ms), (InstanceStatus::Running, Some(4242)));
    assert_eq!(store.find_instance(ids[5]).await.unwrap().unwrap().status, InstanceStatus::ManualStop);
    let again = store.start_instances(&starts[..3], 5000).await.unwrap();
    assert_eq!(again, vec![Start::NotStarted; 3], "already running: nothing moves");

    // A fresh start means the node rows are exactly as created.
    let fresh_nodes = store.node_instances(ids[0]).await.unwrap();
    let created: Vec<NodeInstanceRecord> = new_instance(&job, 2, 0, "waiting")
        .nodes
        .iter()
        .map(|(name, t)| NodeInstanceRecord::waiting(ids[0], name, t))
        .collect();
    assert_eq!(fresh_nodes, created);

    // A rerun instance (RestoreJobInstance) is not fresh, nor is one started from another status.
    let mut rerun = store.find_instance(ids[5]).await.unwrap().unwrap();
    rerun.status = InstanceStatus::Waiting;
    rerun.rerun_count += 1;
    assert!(
        store
            .commit(&InstanceCommit { instance: Some((rerun, InstanceStatus::ManualStop)), ..Default::default() })
            .await
            .unwrap()
    );
    let mut paused = store.find_instance(ids[6]).await.unwrap().unwrap();
    paused.status = InstanceStatus::RunningException;
    assert!(
        store
            .commit(&InstanceCommit { instance: Some((paused, InstanceStatus::Running)), ..Default::default() })
            .await
            .unwrap()
    );
    let restarted = store
        .start_instances(&[(ids[5], InstanceStatus::Waiting), (ids[6], InstanceStatus::RunningException)], 6000)
        .await
        .unwrap();
    assert_eq!(restarted, vec![Start::Started { fresh: false }; 2]);
}

pub async fn concurrent_fires_create_exactly_one_instance(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let job = new_job(&store, &ws.id, "j", 1).await;
    scheduling(&store, &job).await;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let store = store.clone();
        let inst = new_instance(&job, 0, 7000, "waiting");
        tasks.push(tokio::spawn(async move {
            let mut created = 0;
            for i in 0..10 {
                // Writers from many tasks at once, mixed with reads: none may fail.
                let out = store.fire_schedules(&[ScheduledFire { instance: inst.clone() }]).await.unwrap();
                created += out.iter().filter(|o| matches!(o, FireOutcome::Created(_))).count();
                let manual = NewInstance { instance_type: InstanceType::Manual, plan_ms: 8000 + i, ..inst.clone() };
                store.insert_instance(&manual).await.unwrap();
                store.find_job_by_id(inst.job_id).await.unwrap();
            }
            created
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    assert_eq!(total, 1, "exactly one scheduled instance for the plan time");
    let between = store.scheduled_instances_between(job.id(), 0, 100_000).await.unwrap();
    assert_eq!(between.len(), 1);
}

pub async fn commit_is_compare_and_set(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let job = new_job(&store, &ws.id, "j", 1).await;
    let inst = store.insert_instance(&new_instance(&job, 2, 1000, "waiting")).await.unwrap().unwrap();
    let mut running = inst.clone();
    running.status = InstanceStatus::Running;
    running.start_ms = Some(1001);
    let mut node = NodeInstanceRecord::waiting(inst.id, "a", "Dummy");
    node.status = NodeStatus::Running;
    node.interrupted = 1;
    node.attempts = 1;
    node.process_group = Some(4242);
    let ok = store
        .commit(&InstanceCommit {
            instance: Some((running.clone(), InstanceStatus::Waiting)),
            nodes: vec![node.clone()],
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(ok);
    // A second writer that still believes the instance is waiting loses, and writes nothing.
    let mut stale = inst.clone();
    stale.status = InstanceStatus::ManualStop;
    let mut other_node = node.clone();
    other_node.status = NodeStatus::ManualStop;
    let lost = store
        .commit(&InstanceCommit {
            instance: Some((stale, InstanceStatus::Waiting)),
            nodes: vec![other_node],
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!lost);
    let nodes = store.node_instances(inst.id).await.unwrap();
    let a = nodes.iter().find(|n| n.node_name == "a").unwrap();
    assert_eq!((a.status, a.attempts, a.interrupted, a.process_group), (NodeStatus::Running, 1, 1, Some(4242)));
    let mut done = running.clone();
    done.status = InstanceStatus::Success;
    done.end_ms = Some(2000);
    let results = store
        .commit_many(&[
            InstanceCommit {
                instance: Some((done, InstanceStatus::Running)),
                job_last_instance: Some((job.id(), InstanceStatus::Success, 2000)),
                remove_nodes: vec![(inst.id, "b".into())],
                ..Default::default()
            },
            InstanceCommit { instance: Some((running.clone(), InstanceStatus::Waiting)), ..Default::default() },
        ])
        .await
        .unwrap();
    assert_eq!(results, vec![true, false]);
    assert_eq!(store.find_instance(inst.id).await.unwrap().unwrap().status, InstanceStatus::Success);
    assert_eq!(store.node_instances(inst.id).await.unwrap().len(), 1);
    let job_row = store.find_job_by_id(job.id()).await.unwrap().unwrap();
    assert_eq!(job_row.summary.last_instance_status, Some(InstanceStatus::Success));
    assert_eq!(job_row.summary.last_instance_end_ms, Some(2000));
    assert!(store.open_instances().await.unwrap().iter().all(|i| i.id != inst.id));
}

pub async fn list_instances_filters_and_pages(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let other_ws = store.create_workspace("p", "other", 0).await.unwrap();
    let a = new_job(&store, &ws.id, "alpha", 1).await;
    let b = new_job(&store, &ws.id, "alphabet", 1).await;
    let c = new_job(&store, &other_ws.id, "alpha", 1).await;
    for i in 0..5 {
        store
            .insert_instance(&new_instance(&a, 0, 1000 * i, if i % 2 == 0 { "success" } else { "fail" }))
            .await
            .unwrap();
    }
    store.insert_instance(&new_instance(&b, 2, 2500, "running")).await.unwrap();
    store.insert_instance(&new_instance(&c, 0, 2500, "running")).await.unwrap();
    let f = |name: Option<&str>, exact| InstanceFilter {
        job_name: name.map(str::to_string),
        exact_name: exact,
        min_plan_ms: 0,
        max_plan_ms: 10_000,
        limit: 100,
        ..Default::default()
    };
    let (total, page) = store.list_instances(&ws.id, &f(None, false)).await.unwrap();
    assert_eq!(total, 6, "other workspaces are invisible");
    let plans: Vec<i64> = page.iter().map(|i| i.plan_ms).collect();
    assert_eq!(plans, [4000, 3000, 2500, 2000, 1000, 0], "newest plan time first");
    assert_eq!(store.list_instances(&ws.id, &f(Some("alpha"), false)).await.unwrap().0, 6);
    assert_eq!(store.list_instances(&ws.id, &f(Some("alpha"), true)).await.unwrap().0, 5);
    let mut by_status = f(None, false);
    by_status.status = Some(InstanceStatus::Fail);
    assert_eq!(store.list_instances(&ws.id, &by_status).await.unwrap().0, 2);
    let mut by_type = f(None, false);
    by_type.instance_type = Some(InstanceType::Manual);
    assert_eq!(store.list_instances(&ws.id, &by_type).await.unwrap().0, 1);
    let mut window = f(None, false);
    window.min_plan_ms = 1000;
    window.max_plan_ms = 3000;
    assert_eq!(store.list_instances(&ws.id, &window).await.unwrap().0, 4, "bounds are inclusive");
    let mut paged = f(None, false);
    paged.offset = 4;
    paged.limit = 10;
    let (total, page) = store.list_instances(&ws.id, &paged).await.unwrap();
    assert_eq!((total, page.len()), (6, 2));
}

pub async fn dependency_queries(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let job = new_job(&store, &ws.id, "j", 1).await;
    for (plan, status) in [(1000, "success"), (2000, "fail"), (3000, "running")] {
        store.insert_instance(&new_instance(&job, 0, plan, status)).await.unwrap();
    }
    store.insert_instance(&new_instance(&job, 2, 2500, "success")).await.unwrap();
    let between = store.scheduled_instances_between(job.id(), 1000, 3000).await.unwrap();
    let got: Vec<(i64, &str)> = between.iter().map(|b| (b.plan_ms, b.status.as_str())).collect();
    assert_eq!(got, [(1000, "success"), (2000, "fail")], "half-open, cron instances only");
    let prev = store.previous_scheduled_instance(job.id(), 3000).await.unwrap().unwrap();
    assert_eq!((prev.plan_ms, prev.status.as_str()), (2000, "fail"));
    assert_eq!(store.previous_scheduled_instance(job.id(), 1000).await.unwrap(), None);
    assert_eq!(store.count_active_instances(job.id()).await.unwrap(), 1);
}

pub async fn scripts_round_trip(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let new = |name: &str| NewScript {
        workspace_id: ws.id.clone(),
        name: name.to_string(),
        script_type: "Shell".into(),
        document: format!("{{\"name\":\"{name}\"}}"),
        user: "u".into(),
        now_ms: 10,
    };
    let s = store.insert_script(&new("echo_a")).await.unwrap();
    assert!(matches!(store.insert_script(&new("echo_a")).await, Err(StoreError::Conflict(_))));
    store.insert_script(&new("other")).await.unwrap();
    let updated = store.update_script(&s.id, "{\"v\":2}", 20).await.unwrap();
    assert_eq!((updated.version, updated.modify_ms, updated.document.as_str()), (2, 20, "{\"v\":2}"));
    let (total, page) = store.list_scripts(&ws.id, Some("echo"), 0, 10).await.unwrap();
    assert_eq!((total, page.len(), page[0].name.as_str()), (1, 1, "echo_a"));
    let (total, page) = store.list_scripts(&ws.id, None, 1, 10).await.unwrap();
    assert_eq!((total, page.len(), page[0].name.as_str()), (2, 1, "other"), "sorted by name, row offset");
    store.delete_script(&s.id).await.unwrap();
    assert_eq!(store.find_script(&ws.id, "echo_a").await.unwrap(), None);
    assert!(matches!(store.update_script(&s.id, "{}", 1).await, Err(StoreError::NotFound(_))));
}

pub async fn connections_round_trip(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let other = store.create_workspace("p", "other", 0).await.unwrap();
    let content = |name: &str, conn_type: &str| ConnectionContent {
        name: name.to_string(),
        conn_type: conn_type.to_string(),
        config: "{\"ip\":\"h\"}".into(),
        secrets: Some("v1:sealed".into()),
        description: None,
    };
    let c = store.insert_connection(&ws.id, &content("pg_main", "DWS"), "u", 10).await.unwrap();
    assert_eq!((c.version, c.secrets.as_deref()), (1, Some("v1:sealed")));
    assert!(matches!(
        store.insert_connection(&ws.id, &content("pg_main", "RDS"), "u", 11).await,
        Err(StoreError::Conflict(_))
    ));
    store.insert_connection(&other.id, &content("pg_main", "DWS"), "u", 11).await.expect("another workspace");
    store.insert_connection(&ws.id, &content("dli", "DLI"), "u", 12).await.unwrap();
    assert_eq!(store.count_connections_of_type(&ws.id, "DLI").await.unwrap(), 1);
    assert_eq!(store.count_connections_of_type(&other.id, "DLI").await.unwrap(), 0);

    let mut changed = content("pg_main", "DWS");
    changed.secrets = None;
    changed.description = Some("d".into());
    store.update_connection(&c.id, &changed, 20).await.unwrap();
    let found = store.find_connection(&ws.id, "pg_main").await.unwrap().expect("found");
    assert_eq!((found.version, found.modify_ms, found.secrets, found.description.as_deref()), (2, 20, None, Some("d")));
    assert!(
        matches!(store.update_connection(&c.id, &content("dli", "DWS"), 21).await, Err(StoreError::Conflict(_))),
        "a rename onto a taken name"
    );

    let (total, page) = store.list_connections(&ws.id, Some("pg"), 0, 10).await.unwrap();
    assert_eq!((total, page.len(), page[0].name.as_str()), (1, 1, "pg_main"));
    let (total, page) = store.list_connections(&ws.id, None, 1, 10).await.unwrap();
    assert_eq!((total, page.len(), page[0].name.as_str()), (2, 1, "pg_main"), "sorted by name, row offset");
    store.delete_connection(&c.id).await.unwrap();
    assert_eq!(store.find_connection(&ws.id, "pg_main").await.unwrap(), None);
    assert!(matches!(store.update_connection(&c.id, &changed, 30).await, Err(StoreError::NotFound(_))));
}

pub async fn resources_round_trip(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let other = store.create_workspace("p", "other", 0).await.unwrap();
    let content = |name: &str, location: &str| ResourceContent {
        name: name.to_string(),
        res_type: "file".into(),
        location: location.to_string(),
        document: format!("{{\"name\":\"{name}\"}}"),
    };
    let r = store.insert_resource(&ws.id, &content("helper", "obs://b/helper.sh"), "u", 10).await.unwrap();
    assert!(matches!(
        store.insert_resource(&ws.id, &content("helper", "obs://b/x"), "u", 11).await,
        Err(StoreError::Conflict(_))
    ));
    let theirs =
        store.insert_resource(&other.id, &content("helper", "obs://b/y"), "u", 11).await.expect("another workspace");
    assert_eq!(store.find_resource(&ws.id, &theirs.id).await.unwrap(), None, "ids are found in their workspace only");
    store.insert_resource(&ws.id, &content("data", "obs://b/data.csv"), "u", 12).await.unwrap();

    store.update_resource(&r.id, &content("helper2", "obs://b/v2.sh"), 20).await.unwrap();
    let found = store.find_resource(&ws.id, &r.id).await.unwrap().expect("found");
    assert_eq!(
        (found.name.as_str(), found.location.as_str(), found.modify_ms, found.create_ms),
        ("helper2", "obs://b/v2.sh", 20, 10)
    );
    assert_eq!(store.find_resource_by_name(&ws.id, "helper2").await.unwrap().map(|f| f.id), Some(r.id.clone()));
    assert!(
        matches!(store.update_resource(&r.id, &content("data", "obs://b/x"), 21).await, Err(StoreError::Conflict(_))),
        "a rename onto a taken name"
    );

    let (total, page) = store.list_resources(&ws.id, Some("help"), 0, 10).await.unwrap();
    assert_eq!((total, page.len(), page[0].name.as_str()), (1, 1, "helper2"));
    let (total, page) = store.list_resources(&ws.id, None, 1, 10).await.unwrap();
    assert_eq!((total, page.len(), page[0].name.as_str()), (2, 1, "helper2"), "sorted by name, row offset");
    store.delete_resource(&r.id).await.unwrap();
    assert_eq!(store.find_resource(&ws.id, &r.id).await.unwrap(), None);
    assert!(matches!(store.update_resource(&r.id, &content("z", "obs://b/z"), 30).await, Err(StoreError::NotFound(_))));
    assert!(store.find_resource(&other.id, &theirs.id).await.unwrap().is_some());
}

pub async fn script_runs_change_by_compare_and_set(store: Case) {
    use dlf_core::model::ScriptRunStatus::*;
    let ws = store.default_workspace("p", 0).await.unwrap();
    let run = |id: &str, created_ms: i64| ScriptRunRecord {
        id: id.to_string(),
        workspace_id: ws.id.clone(),
        script_name: "report".into(),
        script_type: "DWSSQL".into(),
        status: Launching,
        message: None,
        results: None,
        runner_epoch: "epoch-1".into(),
        create_user: "u".into(),
        created_ms,
        ended_ms: None,
    };
    store.insert_script_run(&run("r1", 10)).await.unwrap();
    store.insert_script_run(&run("r2", 11)).await.unwrap();
    let running = ScriptRunChange { status: Running, message: None, results: None, ended_ms: None };
    assert!(store.change_script_run("r1", &[Launching], &running).await.unwrap());
    assert!(!store.change_script_run("r1", &[Launching], &running).await.unwrap(), "not LAUNCHING any more");
    let finished = ScriptRunChange { status: Finished, message: None, results: Some("[]".into()), ended_ms: Some(100) };
    assert!(store.change_script_run("r1", &[Running], &finished).await.unwrap());
    let found = store.find_script_run(&ws.id, "r1").await.unwrap().expect("found");
    assert_eq!((found.status, found.results.as_deref(), found.ended_ms), (Finished, Some("[]"), Some(100)));
    assert_eq!(store.find_script_run("other-workspace", "r1").await.unwrap(), None);
    let open: Vec<String> = store.open_script_runs().await.unwrap().into_iter().map(|r| r.id).collect();
    assert_eq!(open, ["r2"]);
    assert_eq!(store.delete_script_runs_ended_before(100).await.unwrap(), Vec::<String>::new());
    assert_eq!(store.delete_script_runs_ended_before(101).await.unwrap(), ["r1"]);
    assert_eq!(store.find_script_run(&ws.id, "r1").await.unwrap(), None);
    assert!(store.find_script_run(&ws.id, "r2").await.unwrap().is_some(), "an open run is never deleted");
}

/// Every job write moves the generation and reads do not; a store that may share its database
/// with other servers never offers one.
pub async fn definitions_generation_moves_after_every_job_write(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let Some(mut last) = store.definitions_generation() else {
        new_job(&store, &ws.id, "j", 1).await;
        assert_eq!(store.definitions_generation(), None, "a shared database never offers a generation");
        return;
    };
    let mut moved = |what: &str| {
        let now = store.definitions_generation().expect("the generation stays available");
        assert!(now > last, "{what} did not move the generation ({last} -> {now})");
        last = now;
    };
    let job = new_job(&store, &ws.id, "j", 1).await;
    moved("insert_job");
    let update =
        JobUpdate { fields: job_fields("{\"v\":2}", "BATCH", &[], &[]), user: "bob".into(), now_ms: 5, submit: true };
    store.update_job(job.id(), &update).await.unwrap();
    moved("update_job");
    scheduling(&store, &job).await;
    moved("transition_job");
    let before_reads = store.definitions_generation();
    store.find_job(&ws.id, "j").await.unwrap();
    store.job_version(job.id(), 2).await.unwrap();
    store
        .list_jobs(&ws.id, &JobFilter { process_type: "BATCH".into(), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(store.definitions_generation(), before_reads, "reads leave the generation alone");
    store.delete_job(job.id()).await.unwrap();
    moved("delete_job");
}

/// A batch of inserts: every instance with its node rows, in order; a cron instance whose plan
/// time is taken is refused alone.
pub async fn insert_instances_writes_each_with_its_nodes(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let job = new_job(&store, &ws.id, "j", 1).await;
    let taken = store.insert_instance(&new_instance(&job, 0, 5000, "waiting")).await.unwrap().unwrap();
    let batch = vec![
        new_instance(&job, 2, 1000, "waiting"),
        new_instance(&job, 0, 5000, "waiting"),
        new_instance(&job, 2, 1001, "waiting"),
    ];
    let created = store.insert_instances(&batch).await.unwrap();
    assert_eq!(created.len(), 3);
    assert!(created[1].is_none(), "(job, plan time) of a cron instance is unique");
    let (a, b) = (created[0].clone().unwrap(), created[2].clone().unwrap());
    assert!(a.id < b.id && a.id != taken.id);
    assert_eq!((a.plan_ms, b.plan_ms), (1000, 1001));
    for record in [a, b] {
        let nodes = store.node_instances(record.id).await.unwrap();
        assert_eq!(
            nodes.iter().map(|n| (n.node_name.as_str(), n.status.as_str())).collect::<Vec<_>>(),
            vec![("a", "waiting"), ("b", "waiting")]
        );
    }
}

pub async fn children_are_created_once_per_key(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let job = new_job(&store, &ws.id, "j", 1).await;
    let parent = store.insert_instance(&new_instance(&job, 2, 1000, "running")).await.unwrap().unwrap();
    let child = |row: i64, round: i64| NewChild {
        instance: new_instance(&job, 6, 1000, "waiting"),
        link: ChildLink {
            instance_id: 0,
            parent_instance_id: parent.id,
            parent_node: "each".into(),
            parent_round: round,
            parent_row: row,
            instance_name: format!("each_{}", row + 1),
        },
    };
    let first = store.insert_children(&[child(0, 1), child(1, 1)]).await.unwrap();
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|(_, _, created)| *created));
    assert_eq!(first[0].1.instance_id, first[0].0.id);
    assert_eq!(store.node_instances(first[1].0.id).await.unwrap().len(), 2, "a child has its node rows");
    // The same key again (a resumed parent): the existing child, nothing new.
    let again = store.insert_children(&[child(1, 1), child(2, 1)]).await.unwrap();
    assert_eq!((again[0].0.id, again[0].2), (first[1].0.id, false));
    assert!(again[1].2, "row 2 is new");
    // Another round (a retry of the parent node) makes a new child for the same row.
    let retry = store.insert_children(&[child(0, 2)]).await.unwrap();
    assert!(retry[0].2 && retry[0].0.id != first[0].0.id);
    let children = store.children_of(parent.id).await.unwrap();
    assert_eq!(children.len(), 4);
    assert!(children.windows(2).all(|w| w[0].0.id < w[1].0.id), "oldest first");
    assert!(children.iter().all(|(i, l)| i.id == l.instance_id && i.instance_type == InstanceType::SubJob));
    let links = store.child_links(&[parent.id, first[0].0.id]).await.unwrap();
    assert_eq!(links.len(), 1, "only children have links");
    assert_eq!((links[0].parent_instance_id, links[0].parent_node.as_str()), (parent.id, "each"));
    assert_eq!(links[0].instance_name, "each_1");
    assert!(store.children_of(first[0].0.id).await.unwrap().is_empty());
}

pub async fn removed_dependencies_are_compare_and_set(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let job = new_job(&store, &ws.id, "j", 1).await;
    let waiting = store.insert_instance(&new_instance(&job, 0, 1000, "waiting")).await.unwrap().unwrap();
    let ended = store.insert_instance(&new_instance(&job, 0, 2000, "success")).await.unwrap().unwrap();
    assert!(store.remove_dependency(waiting.id, InstanceStatus::Waiting, 42).await.unwrap());
    assert!(store.remove_dependency(waiting.id, InstanceStatus::Waiting, 7).await.unwrap());
    assert!(store.remove_dependency(waiting.id, InstanceStatus::Waiting, 42).await.unwrap(), "twice is no error");
    assert_eq!(store.removed_dependencies(waiting.id).await.unwrap(), [7, 42]);
    assert!(!store.remove_dependency(ended.id, InstanceStatus::Waiting, 42).await.unwrap(), "wrong status");
    assert!(store.removed_dependencies(ended.id).await.unwrap().is_empty(), "a refused removal writes nothing");
    let still = store.find_instance(waiting.id).await.unwrap().unwrap();
    assert_eq!(still.status, InstanceStatus::Waiting);
}

pub async fn notification_rules_and_deliveries(store: Case) {
    let ws = store.default_workspace("p", 0).await.unwrap();
    let a = new_job(&store, &ws.id, "a", 1).await;
    let b = new_job(&store, &ws.id, "b", 1).await;
    store.set_job_notifications(a.id(), &ws.id, Some("[1]"), 5).await.unwrap();
    store.set_job_notifications(a.id(), &ws.id, Some("[2]"), 6).await.unwrap();
    store.set_job_notifications(b.id(), &ws.id, Some("[3]"), 6).await.unwrap();
    assert_eq!(store.job_notifications(a.id()).await.unwrap().as_deref(), Some("[2]"), "replaced, not added");
    assert_eq!(store.jobs_notifications(&[b.id(), 999]).await.unwrap(), vec![(b.id(), "[3]".to_string())]);
    store.set_job_notifications(b.id(), &ws.id, None, 7).await.unwrap();
    assert_eq!(store.job_notifications(b.id()).await.unwrap(), None);
    store.delete_job(a.id()).await.unwrap();
    assert!(store.all_job_notifications().await.unwrap().is_empty(), "deleted with the job");

    let delivery = |id: &str, job: &str, key: Option<&str>, at: i64| DeliveryRecord {
        id: id.into(),
        workspace_id: ws.id.clone(),
        job_name: job.into(),
        instance_id: Some(7),
        event: "FAILED".into(),
        notifier: "ops".into(),
        dedupe_key: key.map(str::to_string),
        payload: "{}".into(),
        status: DeliveryStatus::Pending,
        attempts: 0,
        last_error: None,
        created_ms: at,
        updated_ms: at,
    };
    assert!(store.insert_delivery(&delivery("d1", "a", Some("7:FAILED:ops"), 10)).await.unwrap());
    assert!(!store.insert_delivery(&delivery("d2", "a", Some("7:FAILED:ops"), 11)).await.unwrap(), "deduplicated");
    assert!(store.insert_delivery(&delivery("d3", "b", None, 12)).await.unwrap());
    assert!(store.insert_delivery(&delivery("d4", "b", None, 13)).await.unwrap());
    store.update_delivery("d3", DeliveryStatus::Failed, 5, Some("HTTP 500"), 20).await.unwrap();
    store.update_delivery("d4", DeliveryStatus::Sent, 1, None, 21).await.unwrap();
    let pending: Vec<String> = store.pending_deliveries().await.unwrap().into_iter().map(|d| d.id).collect();
    assert_eq!(pending, vec!["d1".to_string()]);
    let (total, page) = store.list_deliveries(&ws.id, None, 0, 2).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(page.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), vec!["d4", "d3"], "newest first");
    assert_eq!(page[1].status, DeliveryStatus::Failed);
    assert_eq!((page[1].attempts, page[1].last_error.as_deref(), page[1].updated_ms), (5, Some("HTTP 500"), 20));
    let (total, page) = store.list_deliveries(&ws.id, Some("a"), 0, 10).await.unwrap();
    assert_eq!((total, page.len(), page[0].dedupe_key.as_deref()), (1, 1, Some("7:FAILED:ops")));
    let other = store.default_workspace("q", 0).await.unwrap();
    assert_eq!(store.list_deliveries(&other.id, None, 0, 10).await.unwrap().0, 0, "per workspace");
}

/// A task and its subtasks: subtasks end once, a task ends once and takes its running subtasks
/// with it, the running ones are listed for a restart, and a task is found only in its workspace.
pub async fn system_tasks_end_once_with_their_subtasks(store: Case) {
    use SystemTaskStatus::*;
    let ws = store.default_workspace("p", 0).await.unwrap();
    let task = |id: &str| SystemTaskRecord {
        id: id.to_string(),
        project_id: "p".into(),
        workspace_id: ws.id.clone(),
        name: "Import the job from obs://b/jobs.zip.".into(),
        status: Running,
        message: None,
        runner_epoch: "epoch-1".into(),
        start_ms: 10,
        end_ms: None,
        last_update_ms: 10,
    };
    store.insert_system_task(&task("t1")).await.unwrap();
    store.insert_system_task(&task("t2")).await.unwrap();
    let sub = |id: &str, seq: i64| SubtaskRecord {
        id: id.to_string(),
        task_id: "t1".into(),
        seq,
        name: format!("Import the {id} job."),
        status: Running,
        message: None,
        last_update_ms: 11,
    };
    store.insert_subtasks(&[sub("s2", 2), sub("s1", 1)], 11).await.unwrap();
    assert!(store.end_subtask("s1", Successful, Some("created"), 12).await.unwrap());
    assert!(!store.end_subtask("s1", Failed, None, 13).await.unwrap(), "a subtask ends once");
    let running: Vec<String> = store.running_system_tasks().await.unwrap().into_iter().map(|(t, _)| t.id).collect();
    assert_eq!(running, ["t1", "t2"]);

    assert!(store.end_system_task("t1", Warning, Some("stopped"), "interrupted", 20).await.unwrap());
    assert!(!store.end_system_task("t1", Successful, None, "x", 21).await.unwrap(), "a task ends once");
    let (found, subtasks) = store.find_system_task(&ws.id, "t1").await.unwrap().expect("found");
    assert_eq!(
        (found.status, found.message.as_deref(), found.end_ms, found.last_update_ms),
        (Warning, Some("stopped"), Some(20), 20)
    );
    let got: Vec<(&str, SystemTaskStatus, Option<&str>)> =
        subtasks.iter().map(|s| (s.id.as_str(), s.status, s.message.as_deref())).collect();
    assert_eq!(got, [("s1", Successful, Some("created")), ("s2", Failed, Some("interrupted"))]);
    assert_eq!(store.find_system_task("other-workspace", "t1").await.unwrap(), None);
    let running: Vec<String> = store.running_system_tasks().await.unwrap().into_iter().map(|(t, _)| t.id).collect();
    assert_eq!(running, ["t2"]);
}
