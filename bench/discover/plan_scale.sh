#!/usr/bin/env bash
# `kith plan` at the issue's scale: a target audience of about a million
# and some ten thousand candidates. Takes a workspace (a 1M-account demo
# world, e.g. from bench/vetting/run.sh 1000000), makes a brief whose seeds
# are the 3000 largest accounts (their followers are most of the world),
# widens the follower range to 100-1,000,000, and sets
# discovery.plan_candidates = 10000 for the run (kith.toml is restored
# after). Prints wall and CPU seconds, peak RSS, audience and candidates.
#
#   bench/discover/plan_scale.sh WORKSPACE     (BENCH_BIN: a kith binary)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
ws="${1:?usage: plan_scale.sh WORKSPACE}"
source "$root/bench/lib.sh"
kith="$(kith_binary)"
tmp="$(mktemp -d)"
cp "$ws/kith.toml" "$tmp/kith.toml.orig"
trap 'cp "$tmp/kith.toml.orig" "$ws/kith.toml"; rm -rf "$tmp"' EXIT
"$kith" -q -w "$ws" score --out "$tmp/scores.csv"
python3 - "$tmp/scores.csv" "$ws/brief.toml" "$tmp/brief.toml" <<'PY'
import csv, re, sys
rows = [(int(r["followers"]), f'{r["platform"]}:{r["handle"]}')
        for r in csv.DictReader(open(sys.argv[1])) if r["followers"]]
rows.sort(reverse=True)
brief = open(sys.argv[2]).read()
seeds = "seeds = [\n" + "".join(f'  "{h}",\n' for _, h in rows[:3000]) + "]"
brief = re.sub(r"seeds = \[.*?\]", lambda _: seeds, brief, flags=re.S)
brief = re.sub(r"^followers = .*$", "followers = [100, 1000000]", brief, flags=re.M)
open(sys.argv[3], "w").write(brief)
PY
sed -i 's/^plan_candidates = .*/plan_candidates = 10000/' "$ws/kith.toml"
/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$kith" -q -w "$ws" plan --brief "$tmp/brief.toml" --json >"$tmp/plan.json"
read -r wall user sys rss <"$tmp/time"
python3 - "$tmp/plan.json" "$wall" "$user" "$sys" "$rss" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
wall, user, sys_, rss = sys.argv[2:]
print(f"| audience | candidates | partners | plan s | CPU s | peak MiB |\n|---|---|---|---|---|---|")
print(f"| {d['audience_size']} | {d['candidates']} | {len(d['partners'])} | {wall} | {float(user)+float(sys_):.1f} | {int(rss)//1024} |")
PY
