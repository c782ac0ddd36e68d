#!/usr/bin/env bash
# Runs every test of hannun: formatting, lints, unit, integration and
# end-to-end tests (a real OpenTelemetry SDK against a running server).
# Installs what the tests need from the package registries first.
set -euo pipefail
cd "$(dirname "$0")/.."

# Reuse a build cache outside the clone when there is one; never require it.
CACHE="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/hannun"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
mkdir -p "$CARGO_TARGET_DIR"

# Python OpenTelemetry SDK for the end-to-end tests, in a venv kept beside the cache.
VENV="${HANNUN_TEST_VENV:-$CACHE/venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
export HANNUN_TEST_PYTHON="$VENV/bin/python"

if ! cargo nextest --version >/dev/null 2>&1; then
  cargo install --locked cargo-nextest
fi

echo "== cargo fmt"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo nextest"
cargo nextest run --workspace --locked --no-fail-fast
