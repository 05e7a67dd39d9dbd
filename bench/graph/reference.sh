#!/usr/bin/env bash
# Writes networkx/igraph reference values for kith-graph's tests into
# target/kith-graph-reference/ (the tests skip what is absent).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="$("$here/venv.sh")"
exec "$python" "$here/reference.py" "$@"
