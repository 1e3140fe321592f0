-- Upstream instances an operator dropped from a waiting instance's dependency set ("remove one
-- dependency", JOBS.md §5.8): the dependency check leaves them out of the window.
CREATE TABLE removed_dependencies (
    instance_id          BIGINT NOT NULL,
    upstream_instance_id BIGINT NOT NULL,
    PRIMARY KEY (instance_id, upstream_instance_id)
);
