#!/usr/bin/env bash
# System packages npm cannot provide: Debian's Chromium, which the end-to-end
# tests and scripts/screenshots.ts drive through playwright-core (never a
# downloaded browser). Idempotent: does nothing when /usr/bin/chromium exists.
# Runs `apt-get update` only when the package lists do not know chromium yet,
# or when installing from the current lists fails (stale mirrors).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "setup-system: chromium present ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

if ! apt-cache show chromium >/dev/null 2>&1; then
  echo "setup-system: package lists do not know chromium; running apt-get update"
  $SUDO apt-get update
fi
if ! $SUDO apt-get install -y chromium; then
  echo "setup-system: install failed with the current lists; updating them and retrying"
  $SUDO apt-get update
  $SUDO apt-get install -y chromium
fi
/usr/bin/chromium --version
