#!/usr/bin/env bash
# Stops a server started by start-test-mariadb.sh (its pid file; a server
# already gone is fine) and deletes its temp dir.
#
#   scripts/mariadb/stop-test-mariadb.sh DIR
set -euo pipefail
dir=${1:?usage: stop-test-mariadb.sh DIR}
case "$dir" in
  */recon-mariadb.*) ;;
  *) echo "stop-test-mariadb: $dir is not a test server's dir" >&2; exit 1 ;;
esac
if [ -f "$dir/mariadbd.pid" ]; then
  pid=$(cat "$dir/mariadbd.pid")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
fi
rm -rf "$dir"
