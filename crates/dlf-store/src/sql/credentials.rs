//! Access keys and tokens.

use super::rows::bool_int;
use super::{SqlStore, conflict_or};
use crate::{AccessKeyRecord, CredentialStore, StoreResult, TokenRecord};
use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

const KEY_COLUMNS: &str = "access_key, secret_enc, project_id, description, created_ms, disabled";

fn key(r: &AnyRow) -> StoreResult<AccessKeyRecord> {
    Ok(AccessKeyRecord {
        access_key: r.try_get("access_key")?,
        secret_enc: r.try_get("secret_enc")?,
        project_id: r.try_get("project_id")?,
        description: r.try_get("description")?,
        created_ms: r.try_get("created_ms")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
    })
}

#[async_trait]
impl CredentialStore for SqlStore {
    async fn insert_access_key(&self, key: &AccessKeyRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO access_keys (access_key, secret_enc, project_id, description, created_ms, disabled) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&key.access_key)
        .bind(&key.secret_enc)
        .bind(&key.project_id)
        .bind(&key.description)
        .bind(key.created_ms)
        .bind(bool_int(key.disabled))
        .execute(&self.write)
        .await
        .map_err(|e| conflict_or(e, format!("access key '{}'", key.access_key)))?;
        Ok(())
    }

    async fn find_access_key(&self, access_key: &str) -> StoreResult<Option<AccessKeyRecord>> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {KEY_COLUMNS} FROM access_keys WHERE access_key = $1"));
        let row = sqlx::query(sql).bind(access_key).fetch_optional(&self.read).await?;
        row.as_ref().map(key).transpose()
    }

    async fn count_access_keys(&self) -> StoreResult<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM access_keys").fetch_one(&self.read).await?.try_get("n")?)
    }

    async fn list_access_keys(&self, project: Option<&str>) -> StoreResult<Vec<AccessKeyRecord>> {
        let rows = match project {
            Some(p) => {
                let sql = sqlx::AssertSqlSafe(format!(
                    "SELECT {KEY_COLUMNS} FROM access_keys WHERE project_id = $1 ORDER BY created_ms, access_key"
                ));
                sqlx::query(sql).bind(p).fetch_all(&self.read).await?
            }
            None => {
                let sql = sqlx::AssertSqlSafe(format!(
                    "SELECT {KEY_COLUMNS} FROM access_keys ORDER BY created_ms, access_key"
                ));
                sqlx::query(sql).fetch_all(&self.read).await?
            }
        };
        rows.iter().map(key).collect()
    }

    async fn set_access_key_disabled(&self, access_key: &str, disabled: bool) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE access_keys SET disabled = $1 WHERE access_key = $2")
            .bind(bool_int(disabled))
            .bind(access_key)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_access_key(&self, access_key: &str) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM auth_tokens WHERE parent_access_key = $1").bind(access_key).execute(&mut *tx).await?;
        let done =
            sqlx::query("DELETE FROM access_keys WHERE access_key = $1").bind(access_key).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_token(&self, token: &TokenRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO auth_tokens (token_hash, project_id, created_ms, expires_ms, parent_access_key) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&token.token_hash)
        .bind(&token.project_id)
        .bind(token.created_ms)
        .bind(token.expires_ms)
        .bind(&token.parent_access_key)
        .execute(&self.write)
        .await
        .map_err(|e| conflict_or(e, "token"))?;
        Ok(())
    }

    async fn find_token(&self, token_hash: &str) -> StoreResult<Option<TokenRecord>> {
        let row = sqlx::query(
            "SELECT token_hash, project_id, created_ms, expires_ms, parent_access_key FROM auth_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(TokenRecord {
                token_hash: r.try_get("token_hash")?,
                project_id: r.try_get("project_id")?,
                created_ms: r.try_get("created_ms")?,
                expires_ms: r.try_get("expires_ms")?,
                parent_access_key: r.try_get("parent_access_key")?,
            })
        })
        .transpose()
    }
}
