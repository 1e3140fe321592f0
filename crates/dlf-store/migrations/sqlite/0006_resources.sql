-- Resources (R1–R5): named pointers to files, referenced by job nodes by name. `document` is
-- the stored ResourceInfo (JSON, without `id` and `jobRelation`); the other columns are the
-- parts the store searches and orders by. Names are unique per workspace (nodes name them).
CREATE TABLE resources (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL,
    name          TEXT NOT NULL,
    res_type      TEXT NOT NULL,
    location      TEXT NOT NULL,
    document      TEXT NOT NULL,
    create_user   TEXT NOT NULL,
    create_ms     INTEGER NOT NULL,
    modify_ms     INTEGER NOT NULL,
    UNIQUE (workspace_id, name)
);
