-- SubJob and For Each children (instanceType 6): which parent node started each child.
-- The key (parent instance, node, round, row) is unique, so a parent node that resumes after a
-- server restart finds the child it started instead of creating a second one. `parent_round`
-- tells the parent's runs apart: reruns of the parent instance and retries of the node create
-- new children, a restart does not (see dlf-engine `children`).
CREATE TABLE child_instances (
    instance_id         BIGINT PRIMARY KEY,
    parent_instance_id  BIGINT NOT NULL,
    parent_node         TEXT NOT NULL,
    parent_round        BIGINT NOT NULL,
    parent_row          BIGINT NOT NULL,
    instance_name       TEXT NOT NULL
);
CREATE UNIQUE INDEX child_instances_key ON child_instances (parent_instance_id, parent_node, parent_round, parent_row);
