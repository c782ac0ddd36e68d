#!/usr/bin/env bash
# Builds the web UI and the release binary, then runs `hannun demo`:
# UI and API at http://127.0.0.1:8080. Extra arguments go to `hannun demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/hannun"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
scripts/build-ui.sh
exec cargo run --release --locked -p hannun -- demo "$@"
