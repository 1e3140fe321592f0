-- Attempts a graceful shutdown interrupted: they keep their number (attempt numbers are never
-- reused) but do not count against the node's retryTimes.
ALTER TABLE node_instances ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
