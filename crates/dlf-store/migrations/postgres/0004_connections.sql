-- Data connections (C1–C5). `config` holds the shown keys as JSON; `secrets` the secret keys,
-- sealed with the master key by the engine (never in clear here).
CREATE TABLE connections (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL,
    name          TEXT NOT NULL,
    conn_type     TEXT NOT NULL,
    config        TEXT NOT NULL,
    secrets       TEXT,
    description   TEXT,
    version       BIGINT NOT NULL,
    create_user   TEXT NOT NULL,
    create_ms     BIGINT NOT NULL,
    modify_ms     BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);
