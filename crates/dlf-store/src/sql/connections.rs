//! Data connections.

use super::rows::{self, CONNECTION_COLUMNS};
use super::{SqlStore, conflict_or};
use crate::records::*;
use crate::{ConnectionStore, StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::{AssertSqlSafe, Row};

#[async_trait]
impl ConnectionStore for SqlStore {
    async fn insert_connection(
        &self,
        workspace_id: &str,
        c: &ConnectionContent,
        user: &str,
        now_ms: i64,
    ) -> StoreResult<ConnectionRecord> {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO connections (id, workspace_id, name, conn_type, config, secrets, description, version, \
             create_user, create_ms, modify_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $9)",
        )
        .bind(&id)
        .bind(workspace_id)
        .bind(&c.name)
        .bind(&c.conn_type)
        .bind(&c.config)
        .bind(&c.secrets)
        .bind(&c.description)
        .bind(user)
        .bind(now_ms)
        .execute(&self.write)
        .await
        .map_err(|e| conflict_or(e, format!("connection '{}'", c.name)))?;
        Ok(ConnectionRecord {
            id,
            workspace_id: workspace_id.to_string(),
            name: c.name.clone(),
            conn_type: c.conn_type.clone(),
            config: c.config.clone(),
            secrets: c.secrets.clone(),
            description: c.description.clone(),
            version: 1,
            create_user: user.to_string(),
            create_ms: now_ms,
            modify_ms: now_ms,
        })
    }

    async fn update_connection(&self, id: &str, c: &ConnectionContent, now_ms: i64) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE connections SET name = $1, conn_type = $2, config = $3, secrets = $4, description = $5, \
             modify_ms = $6, version = version + 1 WHERE id = $7",
        )
        .bind(&c.name)
        .bind(&c.conn_type)
        .bind(&c.config)
        .bind(&c.secrets)
        .bind(&c.description)
        .bind(now_ms)
        .bind(id)
        .execute(&self.write)
        .await
        .map_err(|e| conflict_or(e, format!("connection '{}'", c.name)))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("connection {id}")));
        }
        Ok(())
    }

    async fn find_connection(&self, workspace_id: &str, name: &str) -> StoreResult<Option<ConnectionRecord>> {
        let sql = AssertSqlSafe(format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections WHERE workspace_id = $1 AND name = $2"
        ));
        let row = sqlx::query(sql).bind(workspace_id).bind(name).fetch_optional(&self.read).await?;
        row.as_ref().map(rows::connection).transpose()
    }

    async fn list_connections(
        &self,
        workspace_id: &str,
        name_filter: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(i64, Vec<ConnectionRecord>)> {
        self.page_by_name("connections", CONNECTION_COLUMNS, workspace_id, name_filter, offset, limit, rows::connection)
            .await
    }

    async fn count_connections_of_type(&self, workspace_id: &str, conn_type: &str) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM connections WHERE workspace_id = $1 AND conn_type = $2")
            .bind(workspace_id)
            .bind(conn_type)
            .fetch_one(&self.read)
            .await?;
        Ok(row.try_get("n")?)
    }

    async fn delete_connection(&self, id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM connections WHERE id = $1").bind(id).execute(&self.write).await?;
        Ok(())
    }
}
