#!/usr/bin/env bash
# The audit's figures (issue #4): exact SISA unlearning of 1 % random rows of Fashion-MNIST
# (a 5 × 4 SISA MLP 784-256-10, 10 epochs' work), then one full audit with K reference
# models per role on a fresh store (nothing cached), every attack on. Writes
# Benchmarks/results/audit.json (the audit's --json plus the wall times) and audit.html.
# Usage: bash Benchmarks/audit.sh [K]   (default 8)
set -euo pipefail
cd "$(dirname "$0")/.."
k=${1:-8}
bin=.build/release/expunge
swift build -c release --product expunge
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" train --data fashion-mnist --model mlp --hidden 256 --epochs 10 \
  --store "$work/store" --sisa-shards 5 --sisa-slices 4 --quiet
# 600 training rows chosen at random with a fixed seed.
awk 'BEGIN { srand(11); while (n < 600) { id = int(rand() * 60000); if (!(id in s)) { s[id]; print id; n++ } } }' \
  > "$work/forget.txt"
"$bin" forget --store "$work/store" --ids-file "$work/forget.txt" --json > "$work/forget.json"
start=$(date +%s.%N)
"$bin" audit --store "$work/store" --data fashion-mnist --test fashion-mnist:test \
  --reference-models "$k" --report Benchmarks/results/audit.html --json > "$work/audit.json"
end=$(date +%s.%N)
{
  printf '{\n"machine": "%s, %s cores",\n' "$(uname -m)" "$(nproc)"
  printf '"auditWallSeconds": %s,\n' "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')"
  printf '"forget": %s,\n"audit": %s\n}\n' "$(cat "$work/forget.json")" "$(cat "$work/audit.json")"
} > Benchmarks/results/audit.json
echo "wrote Benchmarks/results/audit.json and Benchmarks/results/audit.html"
