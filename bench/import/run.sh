#!/usr/bin/env bash
# Import benchmark, side by side in one run:
#  1. ego-twitter's edge list (1.77M edges, gzip) imported by `kith import
#     follows --snap` into a fresh workspace (the CSR in both directions,
#     the handle dictionary, fsynced), against NetworKit's and igraph's
#     edge-list readers on the same file (uncompressed for them: neither
#     reads gzip);
#  2. a generated R-MAT graph of EDGES edges (default 50M): rows per second
#     and peak memory against the size of the finished follow CSR.
#
#   bench/import/run.sh [EDGES]
#
# Env: BENCH_BIN (a kith binary; skips the build), KITH_DATA (default
# ../shared/data), KITH_BENCH_OUT (default bench/out/import). The Python venv
# with NetworKit and igraph is bench/graph/venv.sh's.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
edges="${1:-50000000}"
data="${KITH_DATA:-$root/../shared/data}"
out="${KITH_BENCH_OUT:-$root/bench/out/import}"
mkdir -p "$out"
source "$root/bench/lib.sh"
kith="$(kith_binary)"
python="$("$root/bench/graph/venv.sh")"


gz="$data/graphs/ego-twitter/edges.txt.gz"
plain="$out/ego-twitter.txt"
[ -s "$plain" ] || zcat "$gz" > "$plain"
rm -rf "$out/ws"
"$kith" -q init "$out/ws" >/dev/null
read -r kith_s kith_mib _ < <(measure "$kith" -q -w "$out/ws" import follows --snap "$gz" --platform x)
read -r nk_s nk_mib _ < <(measure "$python" -c "
import networkit as nk, sys
nk.setNumberOfThreads(2)
nk.graphio.EdgeListReader('\t', 0, '#', directed=True, continuous=False).read(sys.argv[1])" "$plain")
read -r ig_s ig_mib _ < <(measure "$python" -c "
import igraph as ig, sys
ig.Graph.Read_Ncol(sys.argv[1], directed=True, names=True, weights=False)" "$plain")
ratio() { python3 -c "print(f'{float(\"$1\") / float(\"$2\"):.1f}')"; }
echo "| ego-twitter (1.77M edges) | seconds | peak MiB | other / kith |"
echo "|---|---|---|---|"
echo "| kith import follows --snap (gzip, both CSR directions, fsynced) | $kith_s | $kith_mib | 1 |"
echo "| NetworKit EdgeListReader, 2 threads (plain text) | $nk_s | $nk_mib | $(ratio "$nk_s" "$kith_s") |"
echo "| igraph Read_Ncol (plain text) | $ig_s | $ig_mib | $(ratio "$ig_s" "$kith_s") |"

big="$out/rmat-$edges.txt"
if [ ! -s "$big" ]; then
  scale=$(python3 -c "import math; print(max(10, round(math.log2($edges / 16))))")
  "$kith" -q graph generate --scale "$scale" --edge-factor $((edges / (1 << scale))) --seed 1 --output "$big" >/dev/null
fi
rows=$(grep -vc '^#' "$big")
rm -rf "$out/ws-big"
"$kith" -q init "$out/ws-big" >/dev/null
read -r big_s big_mib _ < <(measure "$kith" -q -w "$out/ws-big" import follows --snap "$big" --platform x)
csr_bytes=$(du -cb "$out"/ws-big/world/gen-*/follows/{out,in}.csr 2>/dev/null | tail -1 | cut -f1)
echo
echo "| generated R-MAT | rows | seconds | rows/s | peak MiB | follow CSR MiB (both directions) | peak / CSR |"
echo "|---|---|---|---|---|---|---|"
python3 - "$rows" "$big_s" "$big_mib" "$csr_bytes" <<'PY'
import sys
rows, s, mib, csr = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
csr_mib = csr / 2**20
print(f"| R-MAT | {rows} | {s:.1f} | {rows / s:,.0f} | {mib:.0f} | {csr_mib:.0f} | {mib / max(csr_mib, 1e-9):.2f} |")
PY
