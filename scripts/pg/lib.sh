# Shared by the scripts in scripts/pg: where Debian's PostgreSQL binaries are,
# installing them when missing, and running a command as the cluster's owner.
# Sourced, not executed.

# Serializes apt-get between test files that start clusters in parallel
# (dpkg takes its own lock and would fail instead of waiting).
APT_LOCK=/tmp/recon-apt.lock
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

apt_install() {
  local sudo=$SUDO
  export DEBIAN_FRONTEND=noninteractive
  (
    flock -w 600 9
    # shellcheck disable=SC2086
    if ! $sudo apt-get install -y -o DPkg::Lock::Timeout=300 "$@" >&2; then
      echo "pg/lib: install failed with the current package lists; updating them and retrying" >&2
      $sudo apt-get update >&2
      $sudo apt-get install -y -o DPkg::Lock::Timeout=300 "$@" >&2
    fi
  ) 9>"$APT_LOCK"
}

# Prints the newest /usr/lib/postgresql/N/bin that has initdb, installing
# Debian's postgresql package first when there is none.
pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | while read -r d; do [ -x "$d/initdb" ] && echo "$d"; done | tail -n 1)
  if [ -z "$found" ]; then
    echo "pg/lib: PostgreSQL is not installed; installing Debian's postgresql package" >&2
    # The package's post-install would create and start a system cluster on
    # port 5432; tests make their own, so switch that off first (createcluster.d
    # is read through createcluster.conf's include_dir; the conffile itself is
    # left to the package).
    $SUDO mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.d/recon-tests.conf >/dev/null
    apt_install postgresql
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
  [ -x "$found/initdb" ] || { echo "pg/lib: no initdb found after installing postgresql" >&2; return 1; }
  echo "$found"
}

# PostgreSQL refuses to run as root, so as root the cluster belongs to the
# `postgres` OS user (created by the package); otherwise to the caller.
pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
    echo postgres
  else
    id -un
  fi
}

as_owner() {
  local owner=$1
  shift
  if [ "$(id -un)" = "$owner" ]; then "$@"; else runuser -u "$owner" -- "$@"; fi
}
