#!/usr/bin/env bash
# API fuzzing: schemathesis (from PyPI, in a venv) against a real `kith serve`
# on a throwaway workspace, driven by the served OpenAPI document. Fails on
# any 5xx, any response that breaks the document's schema, an undocumented
# status code or content type.
# Usage: crates/kith-server/tests/schemathesis.sh [MAX_EXAMPLES]   (default 50)
# Env: KITH_BIN (a built kith; default: cargo build), ST_VENV (default
# $HOME/.cache/kith-st-venv).
set -euo pipefail
cd "$(dirname "$0")/../../.."
MAX_EXAMPLES="${1:-50}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
VENV="${ST_VENV:-$HOME/.cache/kith-st-venv}"
if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'schemathesis>=4,<5'
fi
if [ -n "${KITH_BIN:-}" ]; then
  BIN="$KITH_BIN"
else
  cargo build -q -p kith-cli
  BIN="$CARGO_TARGET_DIR/debug/kith"
fi
WORK="$(mktemp -d)"
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
"$BIN" init "$WORK/ws" >/dev/null
KEY=$("$BIN" -w "$WORK/ws" -q keys create --scope admin --name schemathesis)
RUST_LOG=warn "$BIN" -w "$WORK/ws" --json serve --bind 127.0.0.1:0 >"$WORK/out" 2>"$WORK/log" &
PID=$!
for _ in $(seq 1 100); do grep -q listening "$WORK/out" 2>/dev/null && break; sleep 0.1; done
ADDR=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["listening"])' "$WORK/out")
"$VENV/bin/schemathesis" run "http://$ADDR/api/v1/openapi.json" \
  --url "http://$ADDR/api/v1" \
  -H "Authorization: Bearer $KEY" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --max-examples "$MAX_EXAMPLES" \
  --seed 1
