#!/usr/bin/env bash
# Builds the web UI (web/dist) that the hannun binary embeds. Installs the
# locked npm packages first when they are missing or changed.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
