-- System tasks (T1): the asynchronous imports J12 and C7. A task is RUNNING until every subtask
-- (one per job, script, resource or connection of the package) has ended; `runner_epoch` is the
-- engine that runs it, so a restart can end the tasks a dead server left RUNNING.
CREATE TABLE system_tasks (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL,
    workspace_id    TEXT NOT NULL,
    name            TEXT NOT NULL,
    status          TEXT NOT NULL,
    message         TEXT,
    runner_epoch    TEXT NOT NULL,
    start_ms        INTEGER NOT NULL,
    end_ms          INTEGER,
    last_update_ms  INTEGER NOT NULL
);
CREATE INDEX system_tasks_open ON system_tasks (status);
CREATE TABLE system_subtasks (
    id              TEXT PRIMARY KEY,
    task_id         TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    name            TEXT NOT NULL,
    status          TEXT NOT NULL,
    message         TEXT,
    last_update_ms  INTEGER NOT NULL
);
CREATE INDEX system_subtasks_task ON system_subtasks (task_id, seq);
