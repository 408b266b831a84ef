#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine (you are root) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v mosquitto_pub >/dev/null || need+=(mosquitto-clients)
command -v mosquitto >/dev/null && [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v influxd >/dev/null || need+=(influxdb)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian starts a system mosquitto and influxd when it installs them; the tests start their own on free ports.
systemctl disable --now mosquitto influxdb >/dev/null 2>&1 || true

npm ci --no-fund --no-audit
npm run typecheck
npm run lint
npm run build --silent
mkdir -p .vitest
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.vitest/results.json || status=$?
node scripts/test-summary.mjs .vitest/results.json
exit $status
