//! The server's secrets that arrive in its environment, taken out of it at once.
//!
//! `DLF_MASTER_KEY` (the key that seals every secret at rest), `DLF_ACCESS_KEY` /
//! `DLF_SECRET_KEY` (the first administrator key) and `DLF_S3_SECRET_ACCESS_KEY` (the S3 object
//! store's secret key) are read first thing in `main` and removed
//! from the process environment, before the async runtime, the store or any node exists: a
//! process the server starts can never inherit them, and `/proc/<server>/environ` no longer
//! shows them to anyone who may read it. Node processes start from a cleared environment anyway
//! (`dlf_engine::NodeSandbox`); this closes the rest.

/// The variables taken out of the environment.
pub const SECRET_VARIABLES: [&str; 4] =
    ["DLF_MASTER_KEY", "DLF_ACCESS_KEY", "DLF_SECRET_KEY", "DLF_S3_SECRET_ACCESS_KEY"];

/// What the environment held.
#[derive(Clone, Default)]
pub struct StartupSecrets {
    /// `DLF_MASTER_KEY`: 64 hex digits.
    pub master_key: Option<String>,
    /// `DLF_ACCESS_KEY`.
    pub access_key: Option<String>,
    /// `DLF_SECRET_KEY`.
    pub secret_key: Option<String>,
    /// `DLF_S3_SECRET_ACCESS_KEY`: overrides `s3_secret_access_key` of the config file.
    pub s3_secret_access_key: Option<String>,
}

impl std::fmt::Debug for StartupSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |v: &Option<String>| if v.is_some() { "set" } else { "unset" };
        f.debug_struct("StartupSecrets")
            .field("master_key", &shown(&self.master_key))
            .field("access_key", &self.access_key)
            .field("secret_key", &shown(&self.secret_key))
            .field("s3_secret_access_key", &shown(&self.s3_secret_access_key))
            .finish()
    }
}

impl StartupSecrets {
    /// Reads the variables and removes them from this process's environment. Call it first in
    /// `main`, while the process has one thread.
    pub fn take_from_environment() -> StartupSecrets {
        let [master_key, access_key, secret_key, s3_secret_access_key] = SECRET_VARIABLES.map(|name| {
            let value = std::env::var(name).ok().filter(|v| !v.is_empty());
            // SAFETY: `remove_var` is unsound only when another thread reads or writes the
            // environment at the same time; this runs at the start of `main`, before the async
            // runtime or any other thread is started.
            #[allow(unsafe_code)]
            unsafe {
                std::env::remove_var(name);
            }
            value
        });
        StartupSecrets { master_key, access_key, secret_key, s3_secret_access_key }
    }
}
