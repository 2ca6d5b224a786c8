#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the sync tests and benchmarks:
# installs Debian's postgresql when missing, runs initdb in a new temp dir as a
# non-root user, listens on a free loopback port (socket inside the temp dir),
# creates the roles the sync README describes (recon_admin owns the `recon`
# database and runs migrations; recon_sync is the restricted sync login) and
# prints ONE JSON line with the connection info on stdout. Logs go to stderr.
#
#   info=$(scripts/pg/start-test-postgres.sh [--tls])   # then: stop-test-postgres.sh "$dir"
#
# Every password is random per cluster; host auth is scram-sha-256. With
# --tls the server also takes TLS, with a certificate for localhost and
# 127.0.0.1 signed by a throwaway CA ("caFile" in the JSON).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"

tls=0
[ "${1:-}" = "--tls" ] && tls=1
bin=$(pg_bin)
# Event signatures are checked in PL/Python (engine/sync/server-setup/ed25519.sql).
major=$(basename "$(dirname "$bin")")
{ [ -f "/usr/lib/postgresql/$major/lib/plpython3.so" ] && dpkg -s python3-cryptography >/dev/null 2>&1; } || apt_install "postgresql-plpython3-$major" python3-cryptography
owner=$(pg_owner)
dir=$(mktemp -d "${TMPDIR:-/tmp}/recon-pg.XXXXXX")
# A failure half-way leaves no server running and no temp dir behind.
cleanup_on_error() {
  [ -f "$dir/data/postmaster.pid" ] && as_owner "$owner" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$dir"
}
trap cleanup_on_error ERR
chmod 755 "$dir"
mkdir -p "$dir/sock"
secret() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
super_pw=$(secret)
admin_pw=$(secret)
sync_pw=$(secret)
printf '%s\n' "$super_pw" >"$dir/pwfile"
chown -R "$owner" "$dir"
chmod 700 "$dir/sock"

as_owner "$owner" "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" -E UTF8 --locale=C \
  --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; cleanup_on_error; exit 1; }
rm -f "$dir/pwfile"

tls_opts=""
ca_file=""
if [ "$tls" = 1 ]; then
  mkdir -p "$dir/tls"
  (
    cd "$dir/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Recon Test CA" -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >san.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.crt 2>/dev/null
  )
  chown -R "$owner" "$dir/tls"
  chmod 600 "$dir/tls/server.key"
  tls_opts="-c ssl=on -c ssl_cert_file=$dir/tls/server.crt -c ssl_key_file=$dir/tls/server.key"
  ca_file="$dir/tls/ca.crt"
fi

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

# A port can be taken between choosing and binding it: try a few.
port=""
for _ in 1 2 3 4 5; do
  candidate=$(free_port)
  opts="-c listen_addresses=127.0.0.1 -p $candidate -k $dir/sock -c max_connections=60 -c shared_buffers=32MB $tls_opts"
  if as_owner "$owner" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$opts" start >&2; then
    port=$candidate
    break
  fi
done
[ -n "$port" ] || { echo "start-test-postgres: could not start the server:" >&2; tail -n 20 "$dir/server.log" >&2 || true; cleanup_on_error; exit 1; }

# What ctl-test-postgres.sh needs to stop, start and restart this cluster.
cat >"$dir/cluster.env" <<EOF
PG_BIN='$bin'
PG_OWNER='$owner'
PG_OPTS='$opts'
EOF

as_owner "$owner" "$bin/psql" -v ON_ERROR_STOP=1 -q -h "$dir/sock" -p "$port" -U postgres -d postgres >&2 <<SQL
CREATE ROLE recon_admin LOGIN PASSWORD '$admin_pw';
CREATE ROLE recon_sync LOGIN PASSWORD '$sync_pw';
CREATE DATABASE recon OWNER recon_admin;
REVOKE ALL ON DATABASE recon FROM PUBLIC;
GRANT CONNECT ON DATABASE recon TO recon_sync;
SQL

# The superuser's part of a server setup (engine/sync/README.md): Ed25519 in
# PL/Python, which server migration 010 needs and recon_admin cannot create.
# Read by this shell (the cluster owner may not see the checkout), fed on stdin.
as_owner "$owner" "$bin/psql" -v ON_ERROR_STOP=1 -q -h "$dir/sock" -p "$port" -U postgres -d recon >&2 <"$here/../../engine/sync/server-setup/ed25519.sql"

trap - ERR
printf '{"host":"127.0.0.1","port":%s,"database":"recon","dir":"%s","socketDir":"%s/sock","caFile":"%s","bin":"%s","owner":"%s","superuser":{"user":"postgres","password":"%s"},"admin":{"user":"recon_admin","password":"%s"},"sync":{"user":"recon_sync","password":"%s"}}\n' \
  "$port" "$dir" "$dir" "$ca_file" "$bin" "$owner" "$super_pw" "$admin_pw" "$sync_pw"
