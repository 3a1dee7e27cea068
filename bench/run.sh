#!/usr/bin/env bash
# The load benchmark, end to end: a throwaway PostgreSQL 15 cluster with pg_stat_statements (as
# .ci/run starts one), a release build, a generated province (`api gen-data`), the server on a
# free port, then bench/load.mjs. The table goes to standard output and to
# bench/results-<date>.md. The server and the cluster are stopped and the cluster's directory
# removed at the end, whatever happens.
#
#   bench/run.sh                 # the default province: 2,000 units, 100,000 tasks
#   SCALE=small bench/run.sh     # 200 units, 10 documents, 5,000 tasks: a quick check
#   DURATION=30 bench/run.sh     # seconds per run (default 10)
#   GEN_ARGS="--seed 7" bench/run.sh   # more gen-data flags
#   ONLY=9,12,17 bench/run.sh    # only these scenarios (17: the exports)
#   RESULTS=bench/x.md bench/run.sh    # where the table goes (default bench/results-<date>.md)
#   PRINCIPAL_CACHE_MILLIS=0 bench/run.sh   # any server setting passes through the environment
#   COMPARE=1 bench/run.sh       # then Duban against PostGraphile on the same data (compare.mjs)
#   SETTLE=0 bench/run.sh        # skip the second memory reading, 125 s after the load (default)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10}"
case "${SCALE:-default}" in
  small) scale=(--units 200 --tasks 5000 --documents 10) ;;
  default) scale=() ;;
  *) echo "SCALE is small or default" >&2; exit 1 ;;
esac
# shellcheck disable=SC2206 # GEN_ARGS is a list of flags
extra=(${GEN_ARGS:-})
export DUBAN_GEN_PASSWORD="${DUBAN_GEN_PASSWORD:-bench-amber-lantern-river-5}"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
workdir="$(mktemp -d /tmp/duban-bench.XXXXXX)"
pg_port="$(free_port)"
server_pid=""

# PostgreSQL refuses to run as root: run the cluster as an unprivileged user when we are root.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$workdir"
  as_pg=(runuser -u postgres --)
fi

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$workdir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT

echo "== PostgreSQL 15 on port $pg_port ($workdir)" >&2
"${as_pg[@]}" "$PG_BIN/initdb" -D "$workdir/data" -U duban --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$workdir/data" -l "$workdir/postgres.log" -w \
  -o "-p $pg_port -k $workdir -c listen_addresses=127.0.0.1 -c max_connections=200 \
      -c shared_preload_libraries=pg_stat_statements -c shared_buffers=512MB" start >/dev/null
"${as_pg[@]}" "$PG_BIN/psql" -h "$workdir" -p "$pg_port" -U duban -d postgres -qc 'CREATE DATABASE duban' >/dev/null
database_url="postgres://duban@127.0.0.1:$pg_port/duban"
"${as_pg[@]}" "$PG_BIN/psql" -h "$workdir" -p "$pg_port" -U duban -d duban -qc 'CREATE EXTENSION pg_stat_statements' >/dev/null

echo "== cargo build --release -p api" >&2
cargo build --release -p api >&2

echo "== api gen-data ${scale[*]} ${extra[*]}" >&2
DATABASE_URL="$database_url" target/release/api gen-data "${scale[@]}" "${extra[@]}" >&2
"${as_pg[@]}" "$PG_BIN/psql" -h "$workdir" -p "$pg_port" -U duban -d duban -qc 'VACUUM ANALYZE' >/dev/null

api_port="$(free_port)"
echo "== api serve on 127.0.0.1:$api_port" >&2
# The deadline job is off (REMINDER_INTERVAL_SECS=0) and the live relay's safety-net poll slow,
# so that the statements counted are the requests'. Tokens outlive the whole run.
DATABASE_URL="$database_url" \
  BIND_ADDR="127.0.0.1:$api_port" \
  DUBAN_ENV=production \
  JWT_SECRET="bench-only-secret-$(date +%s)-0123456789abcdef0123" \
  DUBAN_ADMIN_PASSWORD="$DUBAN_GEN_PASSWORD" \
  ACCESS_TOKEN_TTL_SECS=3600 \
  DATA_DIR="$workdir/server-data" \
  DATABASE_MAX_CONNECTIONS=32 \
  REMINDER_INTERVAL_SECS=0 \
  LIVE_POLL_MILLIS=60000 \
  LOGIN_ATTEMPTS_PER_MINUTE=100 \
  RATE_LIMIT_PER_MINUTE=0 \
  LOG_FORMAT=text \
  RUST_LOG=warn \
  target/release/api serve >"$workdir/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$api_port/readyz" >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "the server exited:" >&2
    cat "$workdir/server.log" >&2
    exit 1
  fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$api_port/readyz" >/dev/null || { echo "the server is not ready" >&2; exit 1; }

echo "== npm ci --prefix bench" >&2
npm ci --prefix bench --no-audit --no-fund >/dev/null

results="${RESULTS:-bench/results-$(date +%Y-%m-%d).md}"
echo "== node bench/load.mjs (server pid $server_pid)" >&2
status=0
table="$(node bench/load.mjs --url "http://127.0.0.1:$api_port" --password "$DUBAN_GEN_PASSWORD" \
  --pid "$server_pid" --duration "$DURATION" --pg "$database_url" --settle "${SETTLE:-125}" \
  ${ONLY:+--only "$ONLY"})" || status=$?
{
  echo "# Duban load benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Scale: ${SCALE:-default} ${extra[*]}; $(nproc) cores; commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')."
  echo
  echo "Server: PRINCIPAL_CACHE_MILLIS=${PRINCIPAL_CACHE_MILLIS:-(default)}."
  echo
  echo "$table"
} | tee "$results"
if [ "$status" -eq 0 ] && [ -n "${COMPARE:-}" ]; then
  echo "== node bench/compare.mjs" >&2
  comparison="$(node bench/compare.mjs --url "http://127.0.0.1:$api_port" --password "$DUBAN_GEN_PASSWORD" \
    --pg "$database_url" --duration "$DURATION")" || status=$?
  { echo; echo "$comparison"; } | tee -a "$results"
fi
echo "(written to $results)" >&2
exit "$status"
