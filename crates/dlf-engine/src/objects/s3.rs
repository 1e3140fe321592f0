//! The object store on an S3-compatible service (AWS S3, Huawei OBS, MinIO ...): one bucket
//! the server owns, through the `object_store` crate.
//!
//! dlf's object (project, bucket, key) is the S3 key `[<prefix>/]<project_id>/<bucket>/<key>`,
//! so one S3 bucket holds every project's objects and a tenant still reaches only its own
//! (`crate::objects`). A dlf bucket exists while any object is stored under it. Characters
//! that S3 advises against in keys (`{`, `^`, `%` ...) are percent-encoded in the S3 key.
//!
//! Nodes need local files: [`S3Store::stage`] fetches an object into
//! `<data-dir>/objects-staged/<sha256 of project/bucket/key>` (written beside and renamed into
//! place, fetched again on every use), so a node always gets the bytes stored now.
//!
//! The secret access key is a [`SecretString`]: never logged, never in an error.

use super::{not_found, store_failure};
use dlf_core::DlfError;
use dlf_core::model::resource::ObjectPath;
use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as StorePath;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::Duration;

/// Where the S3 backend keeps objects (docs/configuration.md, "Object store").
#[derive(Clone, Debug)]
pub struct S3Settings {
    /// The service's URL, e.g. `https://obs.cn-north-4.myhuaweicloud.com` or
    /// `http://127.0.0.1:9000`; `None`: AWS S3 of `region`.
    pub endpoint: Option<String>,
    pub region: String,
    /// The one S3 bucket that holds all objects (it must exist).
    pub bucket: String,
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    /// `true`: `<endpoint>/<bucket>/<key>` (MinIO, most test servers); `false`:
    /// `<bucket>.<endpoint host>/<key>` (virtual-hosted style: AWS, Huawei OBS).
    pub path_style: bool,
    /// Folders of the S3 bucket above the projects' (empty: none).
    pub prefix: String,
}

/// The S3 backend.
pub(crate) struct S3Store {
    client: AmazonS3,
    bucket: String,
    endpoint: String,
    prefix: Vec<String>,
    staged: PathBuf,
}

/// The URL object_store sends requests to: in virtual-hosted style the bucket is the first
/// label of the host (added unless the endpoint already has it).
fn bucket_endpoint(endpoint: &str, bucket: &str, path_style: bool) -> Result<String, String> {
    let endpoint = endpoint.trim().trim_end_matches('/');
    let (scheme, host) = endpoint
        .split_once("://")
        .filter(|(scheme, host)| matches!(*scheme, "http" | "https") && !host.is_empty())
        .ok_or_else(|| format!("s3_endpoint '{endpoint}' is not an http:// or https:// URL"))?;
    if path_style || host.starts_with(&format!("{bucket}.")) {
        Ok(endpoint.to_string())
    } else {
        Ok(format!("{scheme}://{bucket}.{host}"))
    }
}

impl S3Store {
    /// A client for `settings` (no request is sent: [`S3Store::check`] does that).
    pub(crate) fn new(settings: &S3Settings, staged: PathBuf) -> Result<S3Store, String> {
        if settings.bucket.trim().is_empty() {
            return Err("s3_bucket is not set: the S3 object store needs the name of an existing bucket".into());
        }
        if settings.access_key_id.is_empty() || settings.secret_access_key.expose_secret().is_empty() {
            return Err("s3_access_key_id and s3_secret_access_key must both be set for the S3 object store".into());
        }
        // object_store's reqwest has no TLS provider of its own (`crate::install_crypto_provider`).
        crate::install_crypto_provider();
        let bucket = settings.bucket.trim().to_string();
        let region = if settings.region.trim().is_empty() { "us-east-1" } else { settings.region.trim() };
        let endpoint = match &settings.endpoint {
            Some(endpoint) if !endpoint.trim().is_empty() => {
                Some(bucket_endpoint(endpoint, &bucket, settings.path_style)?)
            }
            _ => None,
        };
        let client_options = ClientOptions::new()
            .with_allow_http(endpoint.as_deref().is_some_and(|e| e.starts_with("http://")))
            .with_connect_timeout(Duration::from_secs(5))
            .with_timeout(Duration::from_secs(300));
        // A few quick retries: an unreachable service fails a request (and `dlf serve`'s start)
        // within seconds, not after object_store's default three minutes.
        let retry = RetryConfig { max_retries: 3, retry_timeout: Duration::from_secs(20), ..Default::default() };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&bucket)
            .with_region(region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(settings.secret_access_key.expose_secret())
            .with_virtual_hosted_style_request(!settings.path_style)
            .with_client_options(client_options)
            .with_retry(retry);
        if let Some(endpoint) = &endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        let client = builder.build().map_err(|e| format!("the S3 object store settings are not usable: {e}"))?;
        let prefix = settings.prefix.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
        let endpoint = endpoint.unwrap_or_else(|| format!("AWS S3 ({region})"));
        Ok(S3Store { client, bucket, endpoint, prefix, staged })
    }

    /// The S3 key of `parts` under the prefix.
    fn key<'a>(&'a self, parts: impl IntoIterator<Item = &'a str>) -> StorePath {
        StorePath::from_iter(self.prefix.iter().map(String::as_str).chain(parts))
    }

    fn object_key(&self, project_id: &str, object: &ObjectPath) -> StorePath {
        self.key([project_id, object.bucket.as_str()].into_iter().chain(object.key.split('/')))
    }

    /// Lists the bucket (one entry) to prove it exists and the keys may read it.
    pub(crate) async fn check(&self) -> Result<(), String> {
        let prefix = self.key([]);
        let prefix = if self.prefix.is_empty() { None } else { Some(&prefix) };
        match self.client.list(prefix).next().await {
            None | Some(Ok(_)) => Ok(()),
            Some(Err(e)) => {
                Err(format!("the S3 object store cannot list the bucket '{}' at {}: {e}", self.bucket, self.endpoint))
            }
        }
    }

    pub(crate) async fn put(&self, project_id: &str, object: &ObjectPath, bytes: Vec<u8>) -> Result<(), DlfError> {
        self.client
            .put(&self.object_key(project_id, object), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(|e| store_failure("S3 put", e))
    }

    pub(crate) async fn get(&self, project_id: &str, object: &ObjectPath) -> Result<Vec<u8>, DlfError> {
        let fetched = match self.client.get(&self.object_key(project_id, object)).await {
            Ok(fetched) => fetched,
            Err(object_store::Error::NotFound { .. }) => return Err(not_found(object)),
            Err(e) => return Err(store_failure("S3 get", e)),
        };
        fetched.bytes().await.map(|bytes| bytes.to_vec()).map_err(|e| store_failure("S3 get", e))
    }

    pub(crate) async fn bucket_exists(&self, project_id: &str, bucket: &str) -> Result<bool, DlfError> {
        let prefix = self.key([project_id, bucket]);
        match self.client.list(Some(&prefix)).next().await {
            None => Ok(false),
            Some(Ok(_)) => Ok(true),
            Some(Err(e)) => Err(store_failure("S3 list", e)),
        }
    }

    /// A local copy of the object, fetched now (module docs).
    pub(crate) async fn stage(&self, project_id: &str, object: &ObjectPath) -> Result<PathBuf, DlfError> {
        let bytes = self.get(project_id, object).await?;
        let name = hex::encode(Sha256::digest(format!("{project_id}/{}/{}", object.bucket, object.key).as_bytes()));
        let target = self.staged.join(name);
        let temporary = self.staged.join(format!(".{}", uuid::Uuid::new_v4().simple()));
        tokio::fs::create_dir_all(&self.staged).await.map_err(|e| store_failure("create the staging directory", e))?;
        let written = match tokio::fs::write(&temporary, &bytes).await {
            Ok(()) => tokio::fs::rename(&temporary, &target).await,
            Err(e) => Err(e),
        };
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&temporary).await;
            return Err(store_failure("stage an object", e));
        }
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_goes_into_the_host_in_virtual_hosted_style() {
        let obs = "https://obs.cn-north-4.myhuaweicloud.com";
        assert_eq!(bucket_endpoint(obs, "b", false).unwrap(), "https://b.obs.cn-north-4.myhuaweicloud.com");
        assert_eq!(bucket_endpoint("https://b.obs.example.com/", "b", false).unwrap(), "https://b.obs.example.com");
        assert_eq!(bucket_endpoint("http://127.0.0.1:9000/", "b", true).unwrap(), "http://127.0.0.1:9000");
        for bad in ["127.0.0.1:9000", "ftp://host", "https://"] {
            assert!(bucket_endpoint(bad, "b", true).is_err(), "{bad}");
        }
    }

    #[test]
    fn objects_are_keys_under_the_prefix_and_the_project() {
        let settings = S3Settings {
            endpoint: Some("http://127.0.0.1:9".into()),
            region: String::new(),
            bucket: "dlf".into(),
            access_key_id: "ak".into(),
            secret_access_key: "sk".into(),
            path_style: true,
            prefix: "/tenants/objects/".into(),
        };
        let store = S3Store::new(&settings, PathBuf::from("/staged")).unwrap();
        let object = ObjectPath::new("b", "x/y.zip").unwrap();
        assert_eq!(store.object_key("p1", &object).as_ref(), "tenants/objects/p1/b/x/y.zip");
        let store = S3Store::new(&S3Settings { prefix: String::new(), ..settings.clone() }, PathBuf::new()).unwrap();
        assert_eq!(store.object_key("p1", &object).as_ref(), "p1/b/x/y.zip");
        let no_secret = S3Settings { secret_access_key: "".into(), ..settings };
        assert!(S3Store::new(&no_secret, PathBuf::new()).is_err());
    }
}
