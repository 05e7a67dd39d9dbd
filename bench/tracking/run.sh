#!/usr/bin/env bash
# Tracking benchmarks, load from wrk (Debian's package) in a second process
# on loopback:
#  1. redirects: a bare axum handler that only answers 302, then kith's
#     /{slug} with durable (group-committed, fsynced) click recording, in the
#     same run; the ratio of their requests per second;
#  2. kith's redirect p99 latency at about half of its peak rate;
#  3. POST /api/v1/track/sale on SQLite, requests per second.
# Usage: [ROUNDS=3] bench/tracking/run.sh [SECONDS]   (default 10 per measurement)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS="${1:-10}"
CONNS="${CONNS:-64}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# PROFILE=release (default) for figures to quote; PROFILE=test reuses a
# test build (optimised dependencies, opt-level 1 for kith) when time is short.
# BENCH_BIN=path skips the build and uses that binary.
PROFILE="${PROFILE:-release}"
if [ -n "${BENCH_BIN:-}" ]; then
  BIN="$BENCH_BIN"
else
  cargo build --profile "$PROFILE" -q -p kith-server --example bench_server
  DIR=$([ "$PROFILE" = release ] && echo release || echo debug)
  BIN="$CARGO_TARGET_DIR/$DIR/examples/bench_server"
fi
echo "profile: $PROFILE; machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start() { # mode port [db] -> waits for the JSON "ready" line, prints it
  "$BIN" "$@" >"$WORK/out.$2" 2>"$WORK/err.$2" &
  PIDS+=($!)
  for _ in $(seq 1 200); do grep -q ready "$WORK/out.$2" 2>/dev/null && break; sleep 0.05; done
  head -1 "$WORK/out.$2"
}
rps() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '$1=="99%" {print $2}'; }

BARE_PORT=$(free_port); start bare "$BARE_PORT" >/dev/null
# Not inside $(...): a subshell's PIDS+= would not reach cleanup.
KITH_PORT=$(free_port); start kith "$KITH_PORT" "$WORK/kith.db" >/dev/null
INFO=$(head -1 "$WORK/out.$KITH_PORT")
json() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$INFO" "$1"; }

ROUNDS="${ROUNDS:-3}"
echo "== redirects, $CONNS connections, ${SECS}s each (wrk -t1), bare and kith alternated, $ROUNDS rounds"
# Alternated rounds: other work on a shared machine moves both rates, and a
# ratio is only meaningful between runs made side by side.
RATIOS=(); KITHS=()
for round in $(seq 1 "$ROUNDS"); do
  wrk -t1 -c"$CONNS" -d"${SECS}s" -s bench/tracking/browser.lua "http://127.0.0.1:$BARE_PORT/bench" >"$WORK/bare.txt"
  wrk -t1 -c"$CONNS" -d"${SECS}s" -s bench/tracking/browser.lua "http://127.0.0.1:$KITH_PORT/bench" >"$WORK/kith.txt"
  BARE=$(rps <"$WORK/bare.txt"); KITH=$(rps <"$WORK/kith.txt")
  R=$(python3 -c "print(f'{float($KITH)/float($BARE):.2f}')")
  RATIOS+=("$R"); KITHS+=("$KITH")
  echo "round $round: bare axum 302 $BARE req/s; kith /{slug} + click $KITH req/s; ratio $R"
done
CLICKS=$(sqlite3 "$WORK/kith.db" 'SELECT COUNT(*) FROM clicks' 2>/dev/null || echo "?")
WAL=$(stat -c %s "$WORK/kith.db-wal" 2>/dev/null || echo "?")
echo "clicks on disk: $CLICKS; WAL file: $WAL bytes"
python3 -c "import statistics,sys; print(f'ratio kith/bare, median of $ROUNDS: {statistics.median(map(float, sys.argv[1:])):.2f}  (target >= 0.50)')" "${RATIOS[@]}"

HALF=$(python3 -c "import statistics,sys; print(int(statistics.median(map(float, sys.argv[1:]))/2))" "${KITHS[@]}")
DELAY=$(python3 -c "print(max(1, round(50*1000/max(1,$HALF))))")
echo "== redirect latency at about half the peak rate ($HALF req/s offered: 50 connections, ${DELAY} ms apart)"
WRK_DELAY_MS=$DELAY wrk -t1 -c50 -d"${SECS}s" --latency -s bench/tracking/paced.lua "http://127.0.0.1:$KITH_PORT/bench" >"$WORK/half.txt"
echo "achieved: $(rps <"$WORK/half.txt") req/s; p50 $(awk '$1=="50%" {print $2}' "$WORK/half.txt"), p99 $(p99 <"$WORK/half.txt") (target p99 < 10ms)"

echo "== POST /api/v1/track/sale on SQLite, $CONNS connections, ${SECS}s"
KITH_KEY=$(json key) KITH_PROGRAM=$(json program_id) KITH_CODE=$(json code) \
  wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s bench/tracking/sale.lua "http://127.0.0.1:$KITH_PORT" >"$WORK/sale.txt"
SALES=$(sqlite3 "$WORK/kith.db" 'SELECT COUNT(*) FROM sales' 2>/dev/null || echo "?")
echo "track/sale:               $(rps <"$WORK/sale.txt") req/s, p99 $(p99 <"$WORK/sale.txt")  (sales on disk: $SALES; target >= 5000/s)"
grep "non-2xx" "$WORK/sale.txt" || true
