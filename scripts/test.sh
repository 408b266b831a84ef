#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine (you are root) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v mosquitto_pub >/dev/null || need+=(mosquitto-clients)
command -v mosquitto >/dev/null && [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v influxd >/dev/null || need+=(influxdb)
command -v chromium >/dev/null || need+=(chromium)
# A CJK font, so that the browser tests' screenshots show Chinese text rather than empty boxes.
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian starts a system mosquitto and influxd when it installs them; the tests start their own on free ports.
systemctl disable --now mosquitto influxdb >/dev/null 2>&1 || true

# npm 11 here writes lockfiles without other platforms' optional packages (e.g. @biomejs/cli-*), which its
# own `npm ci` then refuses as out of sync; `npm install` installs the locked versions all the same.
npm install --no-fund --no-audit
npm run typecheck
npm run lint
npm run build --silent
mkdir -p .vitest
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.vitest/results.json || status=$?
node scripts/test-summary.mjs .vitest/results.json
# The throughput regression guard (about 30 s): Jinlin ÷ Mosquitto in the same run against bench/baseline.json,
# never absolute times (BENCHMARKS.md, "npm run bench:ci"). Speed targets themselves live in `npm run bench`.
node dist/bench/ci.js || status=$?
exit $status
