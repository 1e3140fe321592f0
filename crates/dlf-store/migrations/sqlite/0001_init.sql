-- dlf schema, SQLite dialect. Times are epoch milliseconds (UTC); JSON documents are TEXT;
-- booleans are INTEGER 0/1 (portable through sqlx's Any driver).

CREATE TABLE workspaces (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    is_default  INTEGER NOT NULL DEFAULT 0,
    created_ms  INTEGER NOT NULL,
    UNIQUE (project_id, name)
);
CREATE UNIQUE INDEX workspaces_one_default ON workspaces (project_id) WHERE is_default = 1;

CREATE TABLE access_keys (
    access_key   TEXT PRIMARY KEY,
    secret_enc   TEXT NOT NULL,
    project_id   TEXT,
    description  TEXT NOT NULL DEFAULT '',
    created_ms   INTEGER NOT NULL
);

CREATE TABLE auth_tokens (
    token_hash  TEXT PRIMARY KEY,
    project_id  TEXT,
    created_ms  INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL
);

CREATE TABLE jobs (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id          TEXT NOT NULL,
    name                  TEXT NOT NULL,
    process_type          TEXT NOT NULL,
    status                TEXT NOT NULL,
    document              TEXT NOT NULL,
    submitted_version     INTEGER NOT NULL DEFAULT 0,
    directory             TEXT NOT NULL,
    owner                 TEXT,
    priority              INTEGER NOT NULL DEFAULT 0,
    single_node           INTEGER NOT NULL DEFAULT 0,
    schedule_end_ms       INTEGER,
    create_user           TEXT NOT NULL,
    create_ms             INTEGER NOT NULL,
    update_user           TEXT NOT NULL,
    update_ms             INTEGER NOT NULL,
    started_ms            INTEGER,
    start_params          TEXT,
    schedule_cursor_ms    INTEGER,
    last_instance_status  TEXT,
    last_instance_end_ms  INTEGER,
    UNIQUE (workspace_id, name)
);
CREATE INDEX jobs_by_status ON jobs (status);

CREATE TABLE job_tags (
    job_id  INTEGER NOT NULL,
    tag     TEXT NOT NULL,
    PRIMARY KEY (job_id, tag)
);
CREATE INDEX job_tags_by_tag ON job_tags (tag);

CREATE TABLE job_versions (
    job_id       INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    document     TEXT NOT NULL,
    submit_ms    INTEGER NOT NULL,
    submit_user  TEXT NOT NULL,
    PRIMARY KEY (job_id, version)
);

CREATE TABLE job_dependencies (
    job_id         INTEGER NOT NULL,
    workspace_id   TEXT NOT NULL,
    upstream_name  TEXT NOT NULL,
    PRIMARY KEY (job_id, upstream_name)
);
CREATE INDEX job_dependencies_by_upstream ON job_dependencies (workspace_id, upstream_name);

CREATE TABLE scripts (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL,
    name          TEXT NOT NULL,
    script_type   TEXT NOT NULL,
    document      TEXT NOT NULL,
    version       INTEGER NOT NULL,
    create_user   TEXT NOT NULL,
    create_ms     INTEGER NOT NULL,
    modify_ms     INTEGER NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE job_instances (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id   TEXT NOT NULL,
    job_id         INTEGER NOT NULL,
    job_name       TEXT NOT NULL,
    instance_type  INTEGER NOT NULL,
    plan_ms        INTEGER NOT NULL,
    status         TEXT NOT NULL,
    version        INTEGER NOT NULL,
    submit_ms      INTEGER NOT NULL,
    created_ms     INTEGER NOT NULL,
    start_ms       INTEGER,
    end_ms         INTEGER,
    params         TEXT,
    error_message  TEXT,
    rerun_count    INTEGER NOT NULL DEFAULT 0,
    ignore_depend  INTEGER NOT NULL DEFAULT 0
);
-- Exactly one cron-created instance per (job, plan time): the store, not memory, enforces it.
CREATE UNIQUE INDEX job_instances_one_per_plan_time ON job_instances (job_id, plan_ms) WHERE instance_type = 0;
CREATE INDEX job_instances_by_workspace_plan ON job_instances (workspace_id, plan_ms);
CREATE INDEX job_instances_by_job_plan ON job_instances (job_id, plan_ms);
CREATE INDEX job_instances_open ON job_instances (status)
    WHERE status IN ('waiting', 'waiting-confirm', 'running', 'running-exception', 'pause', 'freeze');

CREATE TABLE node_instances (
    instance_id     INTEGER NOT NULL,
    node_name       TEXT NOT NULL,
    node_type       TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    start_ms        INTEGER,
    end_ms          INTEGER,
    output          TEXT,
    error_message   TEXT,
    log_path        TEXT,
    process_group   INTEGER,
    process_start   TEXT,
    runner_epoch    TEXT,
    continued       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (instance_id, node_name)
);
