#!/usr/bin/env bash
# scripts/tidb.sh — build, start and stop a one-process TiDB for the tests.
#
#   scripts/tidb.sh build    build tidb-server into the cache (once; ~11 min cold)
#   scripts/tidb.sh start    build if needed, start it, wait until it answers
#   scripts/tidb.sh stop     stop the server this script started
#   scripts/tidb.sh dsn      print the DSN the tests read from CLIENTELE_TIDB_DSN
#   scripts/tidb.sh status   say whether it is built and running
#
# TiDB is built from its Go module at a pinned version (the release
# pseudo-version below), because no binary is reachable from this machine's
# registries. The parser is a nested module that the main module's zip leaves
# out: the script copies the main module somewhere writable and puts the parser
# module at pkg/parser, where the main module's replace directive points.
#
# The server runs TiDB's SQL layer and transaction protocol (pessimistic by
# default, optimistic on request, two-phase commit) over its embedded storage
# engine, unistore: one process, the same SQL a cluster speaks. Its schema
# lease is 0 (-lease 0s): with one server there is no other to wait for, and
# DDL (every test creates and migrates databases) runs about five times
# faster.
#
# Environment:
#   CLIENTELE_CACHE   cache folder (default ${XDG_CACHE_HOME:-$HOME/.cache}/clientele)
#   TIDB_PORT         SQL port (default 4000); TIDB_STATUS_PORT (default 10081)
set -euo pipefail

TIDB_VERSION="v1.1.0-beta.0.20251126154744-e4e814fdc0af"
PARSER_VERSION="v0.0.0-20251126154744-e4e814fdc0af"

cache="${CLIENTELE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clientele}"
dir="$cache/tidb/$TIDB_VERSION"
bin="$dir/tidb-server"
port="${TIDB_PORT:-4000}"
status_port="${TIDB_STATUS_PORT:-10081}"
data="$dir/data-$port"
pidfile="$dir/tidb-$port.pid"
log="$dir/tidb-$port.log"

say() { echo "tidb.sh: $*" >&2; }

build() {
  if [ -x "$bin" ]; then
    return 0
  fi
  mkdir -p "$dir"
  local work
  work="$(mktemp -d "$dir/build.XXXXXX")"
  # A failed build leaves nothing half-made behind.
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' RETURN
  say "building tidb-server $TIDB_VERSION (first time ~11 min, ~1 GB of modules)"
  local main_dir parser_dir
  main_dir="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/pingcap/tidb@$TIDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  parser_dir="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/pingcap/tidb/pkg/parser@$PARSER_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [ -z "$main_dir" ] || [ -z "$parser_dir" ]; then
    say "could not download the TiDB modules from the module proxy"
    return 1
  fi
  cp -r "$main_dir" "$work/src"
  chmod -R u+w "$work/src"
  rm -rf "$work/src/pkg/parser"
  cp -r "$parser_dir" "$work/src/pkg/parser"
  chmod -R u+w "$work/src/pkg/parser"
  (cd "$work/src" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -o "$work/tidb-server" ./cmd/tidb-server)
  mv "$work/tidb-server" "$bin"
  say "built $bin"
}

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

answers() {
  # The status port answers once the server is ready for SQL.
  if command -v curl >/dev/null 2>&1; then
    curl -fsS "http://127.0.0.1:$status_port/status" >/dev/null 2>&1
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

start() {
  build
  if running && answers; then
    return 0
  fi
  mkdir -p "$data"
  say "starting tidb-server on 127.0.0.1:$port (log: $log)"
  # setsid: the server outlives this script and is not killed with its
  # process group; stop() ends it through the pid file.
  # Started from the cache folder, with its logs there: nothing lands in
  # the caller's working directory (a checkout).
  (cd "$dir" && exec setsid "$bin" -store unistore -path "$data" -host 127.0.0.1 -P "$port" \
    -status "$status_port" -log-file "$log" -log-slow-query "$dir/tidb-slow-$port.log" \
    -temp-dir "$dir/tmp-$port" -lease 0s -L warn </dev/null >>"$log" 2>&1) &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    if answers; then
      return 0
    fi
    if ! running; then
      say "tidb-server exited; the end of its log:"
      tail -n 30 "$log" >&2 || true
      return 1
    fi
    sleep 0.5
  done
  say "tidb-server did not answer within 60 s"
  return 1
}

stop() {
  if running; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    for _ in $(seq 1 40); do running || break; sleep 0.25; done
    running && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  dsn) echo "root@tcp(127.0.0.1:$port)/test" ;;
  status)
    if [ -x "$bin" ]; then echo "built: $bin"; else echo "not built"; fi
    if running; then echo "running: pid $(cat "$pidfile"), port $port"; else echo "not running"; fi
    ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
