#!/usr/bin/env bash
# Set-up for a fresh machine (Debian 12, Node >= 20.19 with npm): installs the
# npm dependencies exactly as locked. Native modules come prebuilt inside npm
# packages or compile with node-gyp; nothing is downloaded at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("Node >= 20.19 is required, found "+process.versions.node); process.exit(1); }'
npm ci --no-audit --no-fund
