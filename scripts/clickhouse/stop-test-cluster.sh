#!/usr/bin/env bash
# Stops a cluster started by start-test-cluster.sh (each node's pid file; a node
# already gone is fine) and deletes its temp dir.
#
#   scripts/clickhouse/stop-test-cluster.sh DIR
set -euo pipefail
dir=${1:?usage: stop-test-cluster.sh DIR}
case "$dir" in
  */recon-clickhouse.*) ;;
  *) echo "stop-test-cluster: $dir is not a test cluster's dir" >&2; exit 1 ;;
esac
pids=()
for f in "$dir"/node*/server.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null && pids+=("$pid")
done
for pid in "${pids[@]}"; do
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
done
rm -rf "$dir"
