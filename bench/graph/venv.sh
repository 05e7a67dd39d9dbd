#!/usr/bin/env bash
# Makes (once) the Python venv the graph benchmarks and reference scripts use:
# networkx, igraph and NetworKit from PyPI, in bench/.venv (gitignored).
# Prints the venv's python path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/../.venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" >&2
fi
if ! "$venv/bin/python" -c "import networkx, igraph, networkit, scipy" 2>/dev/null; then
    "$venv/bin/pip" install --quiet --upgrade pip >&2
    "$venv/bin/pip" install --quiet "networkx>=3.2" "igraph>=0.11" "networkit>=11" scipy numpy >&2
fi
echo "$venv/bin/python"
