-- Notifications (JOBS.md §2.9): a job's notification rules (the extension route's JSON list,
-- deleted with the job), and one row per notification to deliver, kept as the record of its
-- delivery. A delivery is written `pending` before it is tried, so one a server stopped
-- before it was delivered is tried again at the next start; `dedupe_key` makes one event of
-- one instance queue each notifier once.
CREATE TABLE job_notifications (
    job_id        BIGINT PRIMARY KEY,
    workspace_id  TEXT NOT NULL,
    rules         TEXT NOT NULL,
    updated_ms    BIGINT NOT NULL
);
CREATE TABLE notification_deliveries (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL,
    job_name      TEXT NOT NULL,
    instance_id   BIGINT,
    event         TEXT NOT NULL,
    notifier      TEXT NOT NULL,
    dedupe_key    TEXT UNIQUE,
    payload       TEXT NOT NULL,
    status        TEXT NOT NULL,
    attempts      BIGINT NOT NULL,
    last_error    TEXT,
    created_ms    BIGINT NOT NULL,
    updated_ms    BIGINT NOT NULL
);
CREATE INDEX notification_deliveries_status ON notification_deliveries (status);
CREATE INDEX notification_deliveries_workspace ON notification_deliveries (workspace_id, created_ms);
