#!/usr/bin/env bash
# Starts a throwaway OpenLDAP directory (Debian's slapd) for the team-login
# tests, as scripts/pg/start-test-postgres.sh starts PostgreSQL: installs
# slapd and ldap-utils when missing, writes a minimal config (mdb backend,
# suffix dc=recon,dc=test, a root DN with a random password) and data
# directory in a new temp dir, loads ou=people with the users carol and dave
# (random passwords, stored hashed by slappasswd), listens on a free loopback
# port and prints ONE JSON line on stdout. Logs go to stderr.
#
#   info=$(scripts/ldap/start-test-slapd.sh)   # then: stop-test-slapd.sh "$dir"
#
# JSON: {host, port, url, dir, baseDn, peopleDn, admin:{dn,password}, users:[{uid,dn,password}]}
# A person binds as uid=<uid>,ou=people,dc=recon,dc=test and may change their
# own password; anonymous clients may only bind (never read passwords).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"

ensure_ldap_tools
dir=$(mktemp -d "${TMPDIR:-/tmp}/recon-ldap.XXXXXX")
cleanup_on_error() {
  [ -f "$dir/slapd.pid" ] && kill "$(cat "$dir/slapd.pid")" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup_on_error ERR
mkdir -p "$dir/data"
chmod 700 "$dir"

base_dn="dc=recon,dc=test"
people_dn="ou=people,$base_dn"
admin_dn="cn=admin,$base_dn"
secret() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
admin_pw=$(secret)
uids=(carol dave)
declare -A pw
for u in "${uids[@]}"; do pw[$u]=$(secret); done

cat >"$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
# Passwords set with ldappasswd are stored salted-hashed.
password-hash {SSHA}

database mdb
maxsize 67108864
suffix "$base_dn"
rootdn "$admin_dn"
rootpw $("$SLAPPASSWD" -s "$admin_pw")
directory $dir/data

access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
access to *
  by self read
  by users read
  by * none
CONF
chmod 600 "$dir/slapd.conf"

{
  printf 'dn: %s\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\no: Recon Test\ndc: recon\n\n' "$base_dn"
  printf 'dn: %s\nobjectClass: organizationalUnit\nou: people\n\n' "$people_dn"
  for u in "${uids[@]}"; do
    name="${u^}"
    printf 'dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nuserPassword: %s\n\n' \
      "$u" "$people_dn" "$u" "$name" "$name" "$("$SLAPPASSWD" -s "${pw[$u]}")"
  done
} >"$dir/people.ldif"
"$SLAPADD" -q -f "$dir/slapd.conf" -l "$dir/people.ldif" >"$dir/slapadd.log" 2>&1 || { cat "$dir/slapadd.log" >&2; cleanup_on_error; exit 1; }
rm -f "$dir/people.ldif"

# A port can be taken between choosing and binding it: try a few. slapd
# forks into the background once it listens; its pid is in slapd.pid.
port=""
for _ in 1 2 3 4 5; do
  candidate=$(free_port)
  if "$SLAPD" -h "ldap://127.0.0.1:$candidate/" -f "$dir/slapd.conf" -n recon-test-slapd >"$dir/slapd.log" 2>&1; then
    # Ready when a bind as the root DN answers.
    for _ in $(seq 1 100); do
      if ldapwhoami -x -H "ldap://127.0.0.1:$candidate/" -D "$admin_dn" -w "$admin_pw" >/dev/null 2>&1; then port=$candidate; break; fi
      sleep 0.05
    done
    [ -n "$port" ] && break
    [ -f "$dir/slapd.pid" ] && kill "$(cat "$dir/slapd.pid")" 2>/dev/null || true
  fi
done
[ -n "$port" ] || { echo "start-test-slapd: could not start slapd:" >&2; tail -n 20 "$dir/slapd.log" >&2 || true; cleanup_on_error; exit 1; }

trap - ERR
users=""
for u in "${uids[@]}"; do
  users+="${users:+,}{\"uid\":\"$u\",\"dn\":\"uid=$u,$people_dn\",\"password\":\"${pw[$u]}\"}"
done
printf '{"host":"127.0.0.1","port":%s,"url":"ldap://127.0.0.1:%s/","dir":"%s","baseDn":"%s","peopleDn":"%s","admin":{"dn":"%s","password":"%s"},"users":[%s]}\n' \
  "$port" "$port" "$dir" "$base_dn" "$people_dn" "$admin_dn" "$admin_pw" "$users"
