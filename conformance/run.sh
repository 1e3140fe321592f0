#!/usr/bin/env bash
# Runs the SDK conformance suite: the official huaweicloudsdkdgc 3.1.219 against `dlf serve`.
#
#   bash conformance/run.sh [pytest args...]
#
# The server binary: $DLF_BIN, else target/debug/dlf of this checkout (build it first with
# `cargo build -p dlf`). The suite's Python environment lives in conformance/.venv and is
# created from conformance/requirements.txt on first use (set PIP_INDEX_URL etc. as usual).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    echo "$want" > "$stamp"
fi

if [[ -z "${DLF_BIN:-}" ]]; then
    DLF_BIN="$repo/target/debug/dlf"
fi
if [[ ! -x "$DLF_BIN" ]]; then
    echo "run.sh: no dlf binary at $DLF_BIN; build it (cargo build -p dlf) or set DLF_BIN" >&2
    exit 2
fi
export DLF_BIN

cd "$here"
exec "$venv/bin/python" -m pytest -q "$@"
