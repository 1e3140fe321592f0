//! `--run-as USER`: the user node processes run as.
//!
//! A node is a tenant's code. When `dlf serve` runs as root, every Shell and Python node would
//! otherwise run as root too, able to read the server's data directory (its database, master
//! key, every tenant's logs). With `--run-as`, each node process switches to that user before it
//! starts (`setgid`/`setuid` in the child, supplementary groups dropped), and works in a
//! directory of its own outside the data directory. Switching users needs root; as any other
//! user the server's nodes already run as that user, and `--run-as` may only name it.

use anyhow::{Context, bail};
use dlf_engine::RunAs;
use nix::unistd::{User, geteuid};

/// The warning `dlf serve` prints when it runs as root without `--run-as`.
pub const ROOT_WITHOUT_RUN_AS: &str = "dlf serve runs as root without --run-as: every Shell and Python node runs as \
     root and can read the server's data directory (its database, master key and other tenants' logs). Create an \
     unprivileged user and pass --run-as USER (docs/security.md).";

/// The user nodes run as, from `--run-as` (`None`: the server's own user).
pub fn resolve(name: Option<&str>) -> anyhow::Result<Option<RunAs>> {
    let me = geteuid();
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        if me.is_root() {
            tracing::warn!("{ROOT_WITHOUT_RUN_AS}");
            eprintln!("dlf: warning: {ROOT_WITHOUT_RUN_AS}");
        }
        return Ok(None);
    };
    let user = User::from_name(name)
        .with_context(|| format!("cannot look up the user '{name}' of --run-as"))?
        .with_context(|| format!("--run-as names the user '{name}', which does not exist on this host"))?;
    if user.uid.is_root() {
        bail!("--run-as root would run every node as root: name an unprivileged user");
    }
    if user.uid == me {
        return Ok(None); // the server's own user: nothing to switch
    }
    if !me.is_root() {
        bail!(
            "--run-as {name} needs dlf serve to run as root (it runs as uid {me}); without root, nodes run as the server's user"
        );
    }
    Ok(Some(RunAs { name: user.name, uid: user.uid.as_raw(), gid: user.gid.as_raw(), home: user.dir }))
}
