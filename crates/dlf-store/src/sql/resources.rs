//! Resources (R1–R5).

use super::rows::{self, RESOURCE_COLUMNS};
use super::{SqlStore, conflict_or};
use crate::records::*;
use crate::{ResourceStore, StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::AssertSqlSafe;

#[async_trait]
impl ResourceStore for SqlStore {
    async fn insert_resource(
        &self,
        workspace_id: &str,
        r: &ResourceContent,
        user: &str,
        now_ms: i64,
    ) -> StoreResult<ResourceRecord> {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO resources (id, workspace_id, name, res_type, location, document, create_user, create_ms, \
             modify_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&id)
        .bind(workspace_id)
        .bind(&r.name)
        .bind(&r.res_type)
        .bind(&r.location)
        .bind(&r.document)
        .bind(user)
        .bind(now_ms)
        .execute(&self.write)
        .await
        .map_err(|e| conflict_or(e, format!("resource '{}'", r.name)))?;
        Ok(ResourceRecord {
            id,
            workspace_id: workspace_id.to_string(),
            name: r.name.clone(),
            res_type: r.res_type.clone(),
            location: r.location.clone(),
            document: r.document.clone(),
            create_user: user.to_string(),
            create_ms: now_ms,
            modify_ms: now_ms,
        })
    }

    async fn update_resource(&self, id: &str, r: &ResourceContent, now_ms: i64) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE resources SET name = $1, res_type = $2, location = $3, document = $4, modify_ms = $5 WHERE id = $6",
        )
        .bind(&r.name)
        .bind(&r.res_type)
        .bind(&r.location)
        .bind(&r.document)
        .bind(now_ms)
        .bind(id)
        .execute(&self.write)
        .await
        .map_err(|e| conflict_or(e, format!("resource '{}'", r.name)))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("resource {id}")));
        }
        Ok(())
    }

    async fn find_resource(&self, workspace_id: &str, id: &str) -> StoreResult<Option<ResourceRecord>> {
        let sql =
            AssertSqlSafe(format!("SELECT {RESOURCE_COLUMNS} FROM resources WHERE workspace_id = $1 AND id = $2"));
        let row = sqlx::query(sql).bind(workspace_id).bind(id).fetch_optional(&self.read).await?;
        row.as_ref().map(rows::resource).transpose()
    }

    async fn find_resource_by_name(&self, workspace_id: &str, name: &str) -> StoreResult<Option<ResourceRecord>> {
        let sql =
            AssertSqlSafe(format!("SELECT {RESOURCE_COLUMNS} FROM resources WHERE workspace_id = $1 AND name = $2"));
        let row = sqlx::query(sql).bind(workspace_id).bind(name).fetch_optional(&self.read).await?;
        row.as_ref().map(rows::resource).transpose()
    }

    async fn list_resources(
        &self,
        workspace_id: &str,
        name_filter: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(i64, Vec<ResourceRecord>)> {
        self.page_by_name("resources", RESOURCE_COLUMNS, workspace_id, name_filter, offset, limit, rows::resource).await
    }

    async fn delete_resource(&self, id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM resources WHERE id = $1").bind(id).execute(&self.write).await?;
        Ok(())
    }
}
