#!/usr/bin/env bash
# Writes SUBSIM's seeds for ego-twitter (k = 50, epsilon = 0.1, IC weighted
# cascade), as original node ids, to target/kith-graph-reference/ for the
# ignored test `ego_twitter_seeds_match_subsim`, then runs that test:
#   bench/graph/build_refs.sh && bench/graph/im_reference.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="${KITH_DATA:-$root/../shared/data}"
refs="${KITH_BENCH_REFS:-$root/target/bench-refs}"
work="$root/target/im-reference"
mkdir -p "$work/graphInfo" "$root/target/kith-graph-reference"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
if [ -n "${KITH_BIN:-}" ]; then   # a kith binary already built
    kith="$KITH_BIN"
else
    cargo build --release -p kith-cli >&2
    kith="$CARGO_TARGET_DIR/release/kith"
fi
"$kith" graph export --edges "$data/graphs/ego-twitter/edges.txt.gz" --output "$work/graphInfo/twitter" --header -q >&2
(cd "$work" && "$refs/subsim" -func=format -gname=twitter -pdist=wc >&2 && "$refs/subsim" -func=im -gname=twitter -seedsize=50 -eps=0.1 >&2)
# dense ids -> original ids (dense ids are ranks of the sorted original ids)
python3 - "$data/graphs/ego-twitter/edges.txt.gz" "$work/result/seed/seed_twitter_subsim_k50_wc" \
    "$root/target/kith-graph-reference/subsim-ego-twitter-ic-wc-k50-seeds.txt" <<'PY'
import gzip, sys
ids = set()
for line in gzip.open(sys.argv[1], "rt"):
    if line[:1] not in "#%" and line.strip():
        a, b = line.split()[:2]; ids.add(int(a)); ids.add(int(b))
ids = sorted(ids)
seeds = [ids[int(l)] for l in open(sys.argv[2]) if l.strip()]
open(sys.argv[3], "w").write("\n".join(map(str, seeds)) + "\n")
PY
cargo test --release -p kith-graph --test influence -- --ignored --nocapture
