# Shared by the bench/*/run.sh scripts (sourced, not run). Expects $root
# (the repository) and $out (the run's output directory) to be set.

# The kith binary to time: BENCH_BIN if given, else a release build.
kith_binary() {
  if [ -n "${BENCH_BIN:-}" ]; then
    echo "$BENCH_BIN"
  else
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
    (cd "$root" && cargo build --release -q -p kith-cli) >&2
    echo "$CARGO_TARGET_DIR/release/kith"
  fi
}

# Runs a command (its output discarded) and prints "wall_s peak_mib cpu_s"
# from GNU time: wall seconds, peak RSS in MiB, user + system seconds.
measure() {
  /usr/bin/time -f '%e %M %U %S' -o "$out/time.log" "$@" >/dev/null
  awk '{printf "%s %.0f %.1f\n", $1, $2/1024, $3 + $4}' "$out/time.log"
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
