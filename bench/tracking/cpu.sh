#!/usr/bin/env bash
# The server's CPU time per 1,000 redirects at a paced load (20 connections,
# 5 ms apart: about 2,800-4,000 requests/s), read from /proc/PID/stat around
# a 10 s wrk run. Less sensitive to other work on the machine than
# requests/s at saturation: compares two builds' cost per redirect.
# Usage: bench/tracking/cpu.sh BENCH_SERVER_BINARY [PORT]
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="$1"; PORT="${2:-38201}"; D="$(mktemp -d)"
"$BIN" kith "$PORT" "$D/k.db" >"$D/out" 2>"$D/err" & PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$D"' EXIT
for _ in $(seq 1 200); do grep -q ready "$D/out" 2>/dev/null && break; sleep 0.05; done
wrk -t1 -c20 -d2s -s bench/tracking/browser.lua "http://127.0.0.1:$PORT/bench" >/dev/null
T0=$(awk '{print $14+$15}' "/proc/$PID/stat")
WRK_DELAY_MS=5 wrk -t1 -c20 -d10s -s bench/tracking/paced.lua "http://127.0.0.1:$PORT/bench" >"$D/w"
T1=$(awk '{print $14+$15}' "/proc/$PID/stat")
N=$(awk '/requests in/ {print $1}' "$D/w")
TICK=$(getconf CLK_TCK)
python3 -c "print('$BIN: $N requests, server CPU', round(($T1-$T0)*1000/$TICK/($N/1000),1), 'ms per 1000 redirects')"
