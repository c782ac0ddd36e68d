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

# Debian's Chromium (and CJK fonts for the Korean UI) for the browser tests.
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ] || ! compgen -G "/usr/share/fonts/opentype/noto/NotoSansCJK*" >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; }
fi

# The web UI: unit tests, then the build the binary embeds.
echo "== web UI"
scripts/build-ui.sh
npm --prefix web test
# The web app's API types are generated from the OpenAPI document (whose
# own currency the api crate's tests check): they must match it.
npm --prefix web run api-types:check

if ! cargo nextest --version >/dev/null 2>&1; then
  cargo install --locked cargo-nextest
fi

echo "== cargo fmt"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo nextest"
cargo nextest run --workspace --locked --no-fail-fast
