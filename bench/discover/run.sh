#!/usr/bin/env bash
# Discovery and planning benchmark: demo worlds of growing size, each timed
# for `kith discover` (cold: first run after the import; warm: the next
# runs, files in the page cache) and `kith plan`, to show how cost grows.
#
#   bench/discover/run.sh [ACCOUNTS...]     # default: 20000 100000 300000
#
# Env: KITH_BENCH_OUT (default bench/out/discover), BENCH_BIN (a kith binary;
# skips the build), RUNS (warm runs, default 3). Prints a markdown table and
# writes results.json. The issue's target sizes (1M accounts, 20M follows)
# are `bench/discover/run.sh 1000000`: that world takes some 10 GiB of
# memory to generate and a few minutes to import.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="${KITH_BENCH_OUT:-$root/bench/out/discover}"
mkdir -p "$out"
runs="${RUNS:-3}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(20000 100000 300000)
source "$root/bench/lib.sh"
kith="$(kith_binary)"


results=()
printf '| accounts | follows | posts | discover cold s | discover warm s | plan warm s | peak MiB (discover) |\n'
printf '|---|---|---|---|---|---|---|\n'
for n in "${sizes[@]}"; do
  ws="$out/world-$n"
  if [ ! -f "$ws/brief.toml" ]; then
    "$kith" -q demo "$ws" --accounts "$n" >/dev/null
  fi
  counts=$("$kith" -w "$ws" --json info)
  follows=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"]["follows"])' <<<"$counts")
  posts=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"]["posts"])' <<<"$counts")
  read -r cold cold_mem _ < <(measure "$kith" -q -w "$ws" discover --brief "$ws/brief.toml" --json)
  best=""
  for _ in $(seq "$runs"); do
    read -r t mem _ < <(measure "$kith" -q -w "$ws" discover --brief "$ws/brief.toml" --json)
    best=$(python3 -c "print(min(float('$t'), float('${best:-1e9}')))")
  done
  read -r plan_t _ _ < <(measure "$kith" -q -w "$ws" plan --brief "$ws/brief.toml" --json)
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$follows" "$posts" "$cold" "$best" "$plan_t" "$mem"
  results+=("{\"accounts\": $n, \"follows\": $follows, \"posts\": $posts, \"discover_cold_s\": $cold, \"discover_warm_s\": $best, \"plan_s\": $plan_t, \"discover_peak_mib\": $mem}")
done
(IFS=,; echo "[${results[*]}]") > "$out/results.json"
echo "wrote $out/results.json" >&2
