#!/usr/bin/env bash
# Graph benchmark, side by side in one run: kith vs NetworKit (2 threads),
# igraph, networkx, and SUBSIM / OPIM-C if built (./build_refs.sh).
#
#   bench/graph/run.sh [SCALE]      # R-MAT scale, default 22 (2^22 nodes, 64M edges)
#
# Env: KITH_DATA (datasets, default ../shared/data), KITH_BENCH_OUT (default
# bench/out/graph), KITH_BENCH_SKIP (comma list: networkit, igraph, networkx,
# refs, or steps such as "louvain", skipped for every tool), KITH_BENCH_ROUNDS
# (runs per tool on files up to 200 MB, median shown; default 3; one run on
# larger files), KITH_BENCH_THREADS (default 2),
# KITH_BIN (use this kith binary instead of building one).
# Prints a markdown table (ratios = other tool's seconds / kith's seconds)
# and writes results.json next to the generated files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
scale="${1:-22}"
data="${KITH_DATA:-$root/../shared/data}"
out="${KITH_BENCH_OUT:-$root/bench/out/graph}"
mkdir -p "$out"
python="$("$here/venv.sh")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
if [ -n "${KITH_BIN:-}" ]; then
    kith="$KITH_BIN"
else
    cargo build --release -p kith-cli >&2
    kith="$CARGO_TARGET_DIR/release/kith"
fi

twitter="$out/ego-twitter.txt"
[ -s "$twitter" ] || zcat "$data/graphs/ego-twitter/edges.txt.gz" > "$twitter"
rmat="$out/rmat$scale.txt"
if [ ! -s "$rmat" ]; then
    "$kith" graph generate --scale "$scale" --edge-factor 16 --seed 1 --output "$rmat.tmp" -q >&2
    grep -v '^#' "$rmat.tmp" > "$rmat"   # igraph's readers take no comment lines
    rm "$rmat.tmp"
fi
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
KITH_BENCH_PYTHON="$python" KITH_BENCH_REFS="${KITH_BENCH_REFS:-$root/target/bench-refs}" \
    "$python" "$here/bench.py" "$out" "$kith" "ego-twitter=$twitter" "rmat$scale=$rmat"
