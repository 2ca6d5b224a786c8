#!/usr/bin/env bash
# Stops, starts or restarts a cluster made by start-test-postgres.sh (fault
# tests restart the server in the middle of a sync; offline tests stop it).
#
#   ctl-test-postgres.sh DIR stop|start|restart|kill
#
# `stop` and `restart` use fast shutdown (open sessions are terminated, as in a
# real server restart); `kill` is an immediate shutdown (a crash).
set -euo pipefail
dir=${1:?usage: ctl-test-postgres.sh DIR stop|start|restart|kill}
action=${2:?usage: ctl-test-postgres.sh DIR stop|start|restart|kill}
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=/dev/null
. "$dir/cluster.env"

ctl() { as_owner "$PG_OWNER" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" "$@" >&2; }
case "$action" in
  stop) ctl -m fast -w -t 60 stop ;;
  kill) ctl -m immediate -w -t 60 stop ;;
  start) ctl -w -t 60 -o "$PG_OPTS" start ;;
  restart) ctl -m fast -w -t 60 -o "$PG_OPTS" restart ;;
  *) echo "ctl-test-postgres: unknown action $action" >&2; exit 2 ;;
esac
