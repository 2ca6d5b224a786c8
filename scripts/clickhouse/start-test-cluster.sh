#!/usr/bin/env bash
# Starts a throwaway ClickHouse cluster for the distributed-engine tests and
# benchmarks: N shards (default 2; RECON_CH_SHARDS=3 for three), each a
# `clickhouse-server --config-file=CONF` process as the current user with its
# own loopback HTTP, TCP and interserver ports and data path inside one temp
# dir, sharing one `<remote_servers>` section (cluster `recon`). One login,
# `recon`, with a random password; the `default` user gets the same password, so
# nothing on the machine can use the servers without it. Prints ONE JSON line with
# the connection info on stdout; logs go to stderr and the temp dir.
#
#   info=$(scripts/clickhouse/start-test-cluster.sh)   # then: stop-test-cluster.sh "$dir"
#
# Needs Debian's clickhouse-server (scripts/setup-system.sh installs it); the
# package's own service and /etc/clickhouse-server are never used.
set -euo pipefail

server=$(command -v clickhouse-server 2>/dev/null || echo /usr/sbin/clickhouse-server)
[ -x "$server" ] || { echo "start-test-cluster: clickhouse-server is not installed (run scripts/setup-system.sh)" >&2; exit 1; }
shards=${RECON_CH_SHARDS:-2}
case "$shards" in [1-9]) ;; *) echo "start-test-cluster: RECON_CH_SHARDS must be 1..9" >&2; exit 1 ;; esac

dir=$(mktemp -d "${TMPDIR:-/tmp}/recon-clickhouse.XXXXXX")
chmod 700 "$dir"
# A failure half-way leaves no server running and no temp dir behind.
cleanup_on_error() {
  for f in "$dir"/node*/server.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup_on_error ERR

# Three free ports per shard, chosen together so they differ from each other.
ports=$(node -e "
const net = require('net'); const n = Number(process.argv[1]) * 3; const out = []; const servers = [];
(function next() {
  if (out.length === n) { servers.forEach((s) => s.close()); console.log(out.join(' ')); return; }
  const s = net.createServer().listen(0, '127.0.0.1', () => { out.push(s.address().port); servers.push(s); next(); });
})();" "$shards")
read -r -a port <<<"$ports"
password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
hash=$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)

replicas=""
for i in $(seq 0 $((shards - 1))); do
  replicas+="<shard><replica><host>127.0.0.1</host><port>${port[$((i * 3 + 1))]}</port><user>recon</user><password>$password</password></replica></shard>"
done

cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage><load_balancing>random</load_balancing></default></profiles>
  <users>
    <default><password_sha256_hex>$hash</password_sha256_hex><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default>
    <recon><password_sha256_hex>$hash</password_sha256_hex><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></recon>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML

pids=()
for i in $(seq 0 $((shards - 1))); do
  node="$dir/node$i"
  mkdir -p "$node/data" "$node/tmp" "$node/user_files" "$node/format_schemas"
  cat >"$node/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$node/server.log</log><errorlog>$node/error.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${port[$((i * 3))]}</http_port>
  <tcp_port>${port[$((i * 3 + 1))]}</tcp_port>
  <interserver_http_port>${port[$((i * 3 + 2))]}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <max_connections>256</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>50</max_concurrent_queries>
  <uncompressed_cache_size>1073741824</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <path>$node/data/</path>
  <tmp_path>$node/tmp/</tmp_path>
  <user_files_path>$node/user_files/</user_files_path>
  <format_schema_path>$node/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <remote_servers><recon>$replicas</recon></remote_servers>
  <macros><shard>$i</shard></macros>
</yandex>
XML
  (cd "$node" && exec "$server" --config-file="$node/config.xml" >"$node/stdout.log" 2>&1) &
  echo $! >"$node/server.pid"
  pids+=("$!")
done

# Ready when every node answers over HTTP with the password (Node's fetch: a fresh CI machine may have no curl).
http_ports=""
for i in $(seq 0 $((shards - 1))); do http_ports+="${port[$((i * 3))]} "; done
if ! RECON_CH_PASSWORD="$password" node -e "
const ports = process.argv.slice(1).map(Number); const auth = 'Basic ' + Buffer.from('recon:' + process.env.RECON_CH_PASSWORD).toString('base64');
const up = (p) => fetch('http://127.0.0.1:' + p + '/?query=SELECT%201', { headers: { Authorization: auth } }).then((r) => r.ok, () => false);
(async () => {
  for (let i = 0; i < 300; i++) {
    if ((await Promise.all(ports.map(up))).every(Boolean)) process.exit(0);
    await new Promise((r) => setTimeout(r, 100));
  }
  process.exit(1);
})();" $http_ports; then
  echo "start-test-cluster: the nodes did not start:" >&2
  for i in $(seq 0 $((shards - 1))); do tail -n 20 "$dir/node$i/error.log" "$dir/node$i/stdout.log" >&2 2>/dev/null || true; done
  cleanup_on_error
  exit 1
fi

trap - ERR
urls=""
for i in $(seq 0 $((shards - 1))); do urls+="${urls:+,}\"http://127.0.0.1:${port[$((i * 3))]}\""; done
printf '{"cluster":"recon","urls":[%s],"dir":"%s","pids":[%s],"user":"recon","password":"%s"}\n' \
  "$urls" "$dir" "$(IFS=,; echo "${pids[*]}")" "$password"
