#!/usr/bin/env bash
# Starts a throwaway MariaDB server for the database-source tests: a new data
# directory in a temp dir (mariadb-install-db), mariadbd as the current user on
# a free loopback port with its socket inside the temp dir, a database
# `recon_src` and a password login `recon_src` for it. Prints ONE JSON line with
# the connection info on stdout; logs go to stderr and the temp dir.
#
#   info=$(scripts/mariadb/start-test-mariadb.sh)   # then: stop-test-mariadb.sh "$dir"
#
# Needs Debian's mariadb-server (scripts/setup-system.sh installs it); the
# package's own service is never used. Nothing is read from /etc/mysql
# (--no-defaults), so the machine's settings cannot leak in.
set -euo pipefail

command -v mariadb-install-db >/dev/null 2>&1 || { echo "start-test-mariadb: mariadb-server is not installed (run scripts/setup-system.sh)" >&2; exit 1; }
mariadbd=$(command -v mariadbd 2>/dev/null || echo /usr/sbin/mariadbd)
[ -x "$mariadbd" ] || { echo "start-test-mariadb: no mariadbd found" >&2; exit 1; }
me=$(id -un)
dir=$(mktemp -d "${TMPDIR:-/tmp}/recon-mariadb.XXXXXX")
# A failure half-way leaves no server running and no temp dir behind.
cleanup_on_error() {
  [ -f "$dir/mariadbd.pid" ] && kill "$(cat "$dir/mariadbd.pid")" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup_on_error ERR
chmod 700 "$dir"

mariadb-install-db --no-defaults --datadir="$dir/data" --user="$me" --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 || {
  cat "$dir/install.log" >&2
  cleanup_on_error
  exit 1
}

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
secret() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# A port can be taken between choosing and binding it: try a few.
port=""
for _ in 1 2 3 4 5; do
  candidate=$(free_port)
  rm -f "$dir/error.log"
  "$mariadbd" --no-defaults --datadir="$dir/data" --socket="$dir/mariadbd.sock" --port="$candidate" --bind-address=127.0.0.1 \
    --user="$me" --pid-file="$dir/mariadbd.pid" --log-error="$dir/error.log" --skip-name-resolve --skip-log-bin \
    --innodb-buffer-pool-size=32M --max-connections=60 >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    if mariadb-admin --no-defaults --socket="$dir/mariadbd.sock" -uroot ping >/dev/null 2>&1; then port=$candidate; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] && break
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
[ -n "$port" ] || { echo "start-test-mariadb: could not start the server:" >&2; tail -n 20 "$dir/error.log" >&2 || true; cleanup_on_error; exit 1; }
echo "$pid" >"$dir/mariadbd.pid"

password=$(secret)
mariadb --no-defaults --socket="$dir/mariadbd.sock" -uroot >&2 <<SQL
CREATE DATABASE recon_src CHARACTER SET utf8mb4;
CREATE USER 'recon_src'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER 'recon_src'@'localhost' IDENTIFIED BY '$password';
GRANT ALL ON recon_src.* TO 'recon_src'@'127.0.0.1';
GRANT ALL ON recon_src.* TO 'recon_src'@'localhost';
SQL

trap - ERR
printf '{"host":"127.0.0.1","port":%s,"database":"recon_src","dir":"%s","socket":"%s/mariadbd.sock","pid":%s,"user":"recon_src","password":"%s"}\n' \
  "$port" "$dir" "$dir" "$pid" "$password"
