#!/usr/bin/env bash
# System packages npm cannot provide, from Debian: Chromium (end-to-end tests and
# scripts/screenshots.ts drive it through playwright-core, never a downloaded
# browser), PostgreSQL 15 (team sync tests start a throwaway cluster with
# scripts/pg/start-test-postgres.sh) with PL/Python and python3-cryptography
# (the server verifies event signatures, Ed25519, which PostgreSQL lacks:
# engine/sync/server-setup/ed25519.sql) and gnome-keyring + dbus (the credential
# tests run inside scripts/keyring/with-secret-service.sh), MariaDB (database
# source tests start a throwaway server with scripts/mariadb/) and ClickHouse (the
# distributed engine's tests start a throwaway cluster with scripts/clickhouse/).
# Idempotent: installs
# only what is missing; runs `apt-get update` only when the lists do not know a
# package, or when installing from the current lists fails (stale mirrors).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
# PL/Python must match the installed server's major (postgresql itself may be
# installed by this run: Debian's bookworm default is 15).
pg_major=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sed -E 's#.*/postgresql/([0-9]+)/bin/initdb#\1#' | sort -n | tail -n 1)
pg_major=${pg_major:-15}
ls /usr/lib/postgresql/"$pg_major"/lib/plpython3.so >/dev/null 2>&1 || missing+=("postgresql-plpython3-$pg_major")
dpkg -s python3-cryptography >/dev/null 2>&1 || missing+=(python3-cryptography)
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
command -v dbus-run-session >/dev/null 2>&1 || missing+=(dbus)
{ [ -x /usr/sbin/slapd ] && command -v ldapwhoami >/dev/null 2>&1; } || { echo 'slapd slapd/no_configuration boolean true' | $SUDO debconf-set-selections; missing+=(slapd ldap-utils); }
# MariaDB: the database-source tests start a throwaway server as the current user
# (scripts/mariadb/start-test-mariadb.sh); the package's own service is not used.
{ command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; } && command -v mariadb-install-db >/dev/null 2>&1 || missing+=(mariadb-server)
# ClickHouse: `recon run --engine clickhouse` tests start a cluster of clickhouse-server
# processes as the current user (scripts/clickhouse/start-test-cluster.sh); the
# package's own service is not used (Debian 12 ships 18.16; the engine's SQL runs on it and on current releases).
{ command -v clickhouse-server >/dev/null 2>&1 || [ -x /usr/sbin/clickhouse-server ]; } && command -v clickhouse-client >/dev/null 2>&1 || missing+=(clickhouse-server clickhouse-client)

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: chromium, postgresql (with plpython3), python3-cryptography, gnome-keyring, dbus, slapd, mariadb-server and clickhouse-server present"
  exit 0
fi

# The tests make their own throwaway clusters; the package's default cluster is not needed.
$SUDO mkdir -p /etc/postgresql-common/createcluster.d
echo 'create_main_cluster = false' | $SUDO tee /etc/postgresql-common/createcluster.d/recon-tests.conf >/dev/null

echo "setup-system: installing ${missing[*]}"
known=1
for p in "${missing[@]}"; do apt-cache show "$p" >/dev/null 2>&1 || known=0; done
if [ "$known" -eq 0 ]; then
  $SUDO apt-get update
fi
if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
  echo "setup-system: install failed with the current lists; updating them and retrying"
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
/usr/bin/chromium --version
