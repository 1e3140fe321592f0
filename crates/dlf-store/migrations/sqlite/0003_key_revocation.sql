-- Keys can be disabled (and enabled again) or deleted; a token belongs to the access key that
-- signed the request that created it and dies with it.
ALTER TABLE access_keys ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE auth_tokens ADD COLUMN parent_access_key TEXT;
