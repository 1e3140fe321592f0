//! Shell and Python on SSH hosts (`HOST` connections).

use crate::connections::ResolvedConnection;

/// Logs in to the host of `connection`; the host's or the client's error text when that fails.
pub async fn probe(connection: &ResolvedConnection) -> Result<(), String> {
    Err(format!("SSH hosts are not available on this server yet (connection {})", connection.name))
}

/// Runs `spec.program` under `interpreter` on the SSH host `host`.
pub async fn run_script(
    interpreter: &crate::runners::process::Interpreter,
    spec: &crate::runners::AttemptSpec,
    ctx: crate::runners::AttemptContext<'_>,
    host: &ResolvedConnection,
) -> crate::runners::AttemptOutcome {
    let _ = (interpreter, spec);
    let message = format!("SSH hosts are not available on this server yet (connection {})", host.name);
    crate::runners::process::fail_before_start(ctx.log, &message, false).await
}
