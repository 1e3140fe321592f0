//! Access keys and tokens.

use super::{SqlStore, conflict_or};
use crate::{AccessKeyRecord, CredentialStore, StoreResult, TokenRecord};
use async_trait::async_trait;
use sqlx::Row;

#[async_trait]
impl CredentialStore for SqlStore {
    async fn insert_access_key(&self, key: &AccessKeyRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO access_keys (access_key, secret_enc, project_id, description, created_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&key.access_key)
        .bind(&key.secret_enc)
        .bind(&key.project_id)
        .bind(&key.description)
        .bind(key.created_ms)
        .execute(&self.write)
        .await
        .map_err(|e| conflict_or(e, format!("access key '{}'", key.access_key)))?;
        Ok(())
    }

    async fn find_access_key(&self, access_key: &str) -> StoreResult<Option<AccessKeyRecord>> {
        let row = sqlx::query(
            "SELECT access_key, secret_enc, project_id, description, created_ms FROM access_keys WHERE access_key = $1",
        )
        .bind(access_key)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(AccessKeyRecord {
                access_key: r.try_get("access_key")?,
                secret_enc: r.try_get("secret_enc")?,
                project_id: r.try_get("project_id")?,
                description: r.try_get("description")?,
                created_ms: r.try_get("created_ms")?,
            })
        })
        .transpose()
    }

    async fn count_access_keys(&self) -> StoreResult<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM access_keys").fetch_one(&self.read).await?.try_get("n")?)
    }

    async fn insert_token(&self, token: &TokenRecord) -> StoreResult<()> {
        sqlx::query("INSERT INTO auth_tokens (token_hash, project_id, created_ms, expires_ms) VALUES ($1, $2, $3, $4)")
            .bind(&token.token_hash)
            .bind(&token.project_id)
            .bind(token.created_ms)
            .bind(token.expires_ms)
            .execute(&self.write)
            .await
            .map_err(|e| conflict_or(e, "token"))?;
        Ok(())
    }

    async fn find_token(&self, token_hash: &str) -> StoreResult<Option<TokenRecord>> {
        let row =
            sqlx::query("SELECT token_hash, project_id, created_ms, expires_ms FROM auth_tokens WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&self.read)
                .await?;
        row.map(|r| {
            Ok(TokenRecord {
                token_hash: r.try_get("token_hash")?,
                project_id: r.try_get("project_id")?,
                created_ms: r.try_get("created_ms")?,
                expires_ms: r.try_get("expires_ms")?,
            })
        })
        .transpose()
    }
}
