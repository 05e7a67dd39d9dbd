#!/usr/bin/env bash
# Vetting benchmark: `kith score` over benchmark-shaped demo worlds (every
# ordinary user public, about 12 posts per account, ~20 follows per
# account) of growing size, to show how the time grows and where the
# 1M-account target (under 10 s on 2 cores) stands.
#
#   bench/vetting/run.sh [ACCOUNTS...]     # default: 100000 300000 1000000
#
# For each size: `kith score` cold (the world's vetting cache removed, so
# fake probabilities, curves and pods are computed) and warm (the cache
# written by the cold run is read back), wall seconds, CPU seconds and
# peak RSS. Env: KITH_BENCH_OUT (default bench/out/vetting), BENCH_BIN (a
# kith binary; skips the build), RUNS (warm runs, best kept; default 2).
# The 1M world takes about 10 minutes and 12 GiB to generate, once.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="${KITH_BENCH_OUT:-$root/bench/out/vetting}"
mkdir -p "$out"
runs="${RUNS:-2}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 300000 1000000)
source "$root/bench/lib.sh"
kith="$(kith_binary)"


results=()
printf '| accounts | posts | follows | score cold s (CPU s) | score warm s (CPU s) | peak MiB | µs per account (warm) |\n'
printf '|---|---|---|---|---|---|---|\n'
for n in "${sizes[@]}"; do
  ws="$out/world-$n"
  if [ ! -f "$ws/brief.toml" ]; then
    "$kith" -q demo "$ws" --accounts "$n" --shape benchmark >/dev/null
  fi
  info=$("$kith" -w "$ws" --json info)
  read -r posts follows < <(python3 -c 'import json,sys; c=json.load(sys.stdin)["counts"]; print(c["posts"], c["follows"])' <<<"$info")
  rm -rf "$ws"/world/gen-*/cache
  read -r cold cold_mem cold_cpu < <(measure "$kith" -q -w "$ws" score --out "$out/scores-$n.csv")
  warm=""; warm_cpu=""; mem="$cold_mem"
  for _ in $(seq "$runs"); do
    read -r t m c < <(measure "$kith" -q -w "$ws" score --out "$out/scores-$n.csv")
    if [ -z "$warm" ] || python3 -c "import sys; sys.exit(0 if $t < $warm else 1)"; then
      warm=$t; warm_cpu=$c
    fi
    mem=$(( m > mem ? m : mem ))
  done
  per=$(python3 -c "print(f'{$warm / $n * 1e6:.1f}')")
  printf '| %s | %s | %s | %s (%s) | %s (%s) | %s | %s |\n' "$n" "$posts" "$follows" "$cold" "$cold_cpu" "$warm" "$warm_cpu" "$mem" "$per"
  results+=("{\"accounts\": $n, \"posts\": $posts, \"follows\": $follows, \"score_cold_s\": $cold, \"score_cold_cpu_s\": $cold_cpu, \"score_warm_s\": $warm, \"score_warm_cpu_s\": $warm_cpu, \"peak_mib\": $mem}")
done
(IFS=,; echo "[${results[*]}]") > "$out/results.json"
echo "wrote $out/results.json" >&2
