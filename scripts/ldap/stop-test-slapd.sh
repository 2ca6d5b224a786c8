#!/usr/bin/env bash
# Stops a directory made by start-test-slapd.sh and deletes its temp dir.
# Safe to call twice, and on a directory whose slapd already stopped.
set -euo pipefail
dir=${1:?usage: stop-test-slapd.sh DIR}
case "$dir" in
  */recon-ldap.*) ;;
  *) echo "stop-test-slapd: refusing to delete $dir (not a recon-ldap.* temp dir)" >&2; exit 2 ;;
esac
[ -d "$dir" ] || exit 0
if [ -f "$dir/slapd.pid" ]; then
  pid=$(cat "$dir/slapd.pid")
  # Only this directory's slapd: its command line names this config.
  if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/slapd.conf"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
  fi
fi
rm -rf "$dir"
