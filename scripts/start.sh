#!/usr/bin/env bash
# Installs Jinlin's dependencies, builds it and starts the service with a simulated demo neighbourhood
# (jinlin demo; Ctrl-C stops it). For a real deployment run `node dist/cli/main.js serve` instead.
set -euo pipefail
cd "$(dirname "$0")/.."
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then echo "Jinlin needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2; exit 1; fi
# npm 11 here writes lockfiles without other platforms' optional packages (e.g. @biomejs/cli-*), which its
# own `npm ci` then refuses as out of sync; `npm install` installs the locked versions all the same.
npm install --no-fund --no-audit
npm run build --silent
exec node dist/cli/main.js demo "$@"
