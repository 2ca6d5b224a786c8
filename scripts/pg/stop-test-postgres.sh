#!/usr/bin/env bash
# Stops a cluster made by start-test-postgres.sh and deletes its temp dir.
# Safe to call twice, and on a cluster that is already stopped.
set -euo pipefail
dir=${1:?usage: stop-test-postgres.sh DIR}
case "$dir" in
  */recon-pg.*) ;;
  *) echo "stop-test-postgres: refusing to delete $dir (not a recon-pg.* temp dir)" >&2; exit 2 ;;
esac
[ -d "$dir" ] || exit 0
here="$(cd "$(dirname "$0")" && pwd)"
if [ -f "$dir/cluster.env" ] && [ -f "$dir/data/postmaster.pid" ]; then
  "$here/ctl-test-postgres.sh" "$dir" kill || true
fi
rm -rf "$dir"
