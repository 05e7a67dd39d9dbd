#!/usr/bin/env bash
# Builds the reference influence-maximization programs the benchmark
# compares with, from their authors' public repositories, into
# target/bench-refs/ (never into the repository):
#   SUBSIM  https://github.com/qtguo/subsim  (Guo et al., SIGMOD 2020)
#   OPIM-C  https://github.com/tangj90/OPIM  (Tang et al., SIGMOD 2018)
# Needs git and g++.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
refs="$here/../../target/bench-refs"
mkdir -p "$refs/src"
cd "$refs/src"
[ -d subsim ] || git clone --depth 1 https://github.com/qtguo/subsim.git
[ -d OPIM ] || git clone --depth 1 https://github.com/tangj90/OPIM.git
g++ -std=c++14 -O3 subsim/subsim.cpp -o "$refs/subsim"
(cd OPIM/OPIM1.1 && g++ -std=c++14 -O3 OPIM.cpp -o "$refs/opim")
echo "built $refs/subsim and $refs/opim" >&2
