# Shared by the scripts in scripts/ldap: finding Debian's OpenLDAP server and
# client tools, installing them when missing. Sourced, not executed.

# The same lock the PostgreSQL and keyring scripts take around apt-get, so
# test files that start servers in parallel wait for each other (dpkg takes
# its own lock and would fail instead of waiting).
APT_LOCK=/tmp/recon-apt.lock
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

SLAPD=/usr/sbin/slapd
SLAPADD=/usr/sbin/slapadd
SLAPPASSWD=/usr/sbin/slappasswd

ldap_tools_present() {
  [ -x "$SLAPD" ] && [ -x "$SLAPADD" ] && [ -x "$SLAPPASSWD" ] && command -v ldapwhoami >/dev/null 2>&1 && command -v ldappasswd >/dev/null 2>&1
}

# Installs slapd and ldap-utils when missing. The package's own configuration
# (a system directory for the host's domain, started on port 389) is switched
# off first: tests start their own throwaway slapd.
ensure_ldap_tools() {
  ldap_tools_present && return 0
  echo "ldap/lib: OpenLDAP is not installed; installing Debian's slapd and ldap-utils" >&2
  export DEBIAN_FRONTEND=noninteractive
  (
    flock -w 600 9
    echo 'slapd slapd/no_configuration boolean true' | $SUDO debconf-set-selections
    # shellcheck disable=SC2086
    if ! $SUDO apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 slapd ldap-utils >&2; then
      echo "ldap/lib: install failed with the current package lists; updating them and retrying" >&2
      $SUDO apt-get update >&2
      $SUDO apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 slapd ldap-utils >&2
    fi
  ) 9>"$APT_LOCK"
  ldap_tools_present || { echo "ldap/lib: slapd or ldap-utils still missing after the install" >&2; return 1; }
}

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
