-- Script runs (S6–S8): one row per ExecuteScript, kept until its retention ends. `results`
-- is the S7 `results` array as JSON (capped by the engine); `runner_epoch` is the engine
-- that ran it, so a restart can tell the runs a dead server left behind.
CREATE TABLE script_runs (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL,
    script_name   TEXT NOT NULL,
    script_type   TEXT NOT NULL,
    status        TEXT NOT NULL,
    message       TEXT,
    results       TEXT,
    runner_epoch  TEXT NOT NULL,
    create_user   TEXT NOT NULL,
    created_ms    INTEGER NOT NULL,
    ended_ms      INTEGER
);
CREATE INDEX script_runs_open ON script_runs (status);
CREATE INDEX script_runs_ended ON script_runs (ended_ms);
