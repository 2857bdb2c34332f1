#!/usr/bin/env bash
# `make bench`: builds the benchmarks in release, makes sure the peers' environment exists,
# and races Expunge against PyTorch and scikit-learn. Extra arguments go to the driver
# (e.g. `bash Benchmarks/run.sh --pairs 5 --mlp-epochs 3`).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x Benchmarks/peers/.venv/bin/python ] || bash Benchmarks/peers/setup.sh
swift build -c release --package-path Benchmarks --product expunge-bench
exec Benchmarks/.build/release/expunge-bench run "$@"
