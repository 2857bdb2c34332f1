#!/usr/bin/env bash
# `make demo`: the main job end to end on Fashion-MNIST with the release binary:
# train a SISA MLP into a store, forget 100 rows, evaluate, print the ledger, audit.
set -euo pipefail
bin=${1:-.build/release/expunge}
dir=${2:-runs/demo}
rm -rf "$dir"
mkdir -p "$dir"

step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "Train a SISA MLP 784-256-10 on Fashion-MNIST: 5 shards × 4 slices, 10 epochs' work" \
  "$bin" train --data fashion-mnist --model mlp --hidden 256 --epochs 10 \
  --store "$dir/store" --sisa-shards 5 --sisa-slices 4
step "Evaluate it on the 10 000 test rows" \
  "$bin" evaluate --store "$dir/store" --data fashion-mnist:test
# 100 training rows chosen at random (fixed seed), as a batch of withdrawn consents.
awk 'BEGIN { srand(7); while (n < 100) { id = int(rand() * 60000); if (!(id in s)) { s[id]; print id; n++ } } }' \
  > "$dir/withdrawn.txt"
step "Forget those 100 rows: retrain only what saw them, purge every copy" \
  "$bin" forget --store "$dir/store" --ids-file "$dir/withdrawn.txt"
step "Evaluate the new version" \
  "$bin" evaluate --store "$dir/store" --data fashion-mnist:test
step "The ledger, its hash chain verified" \
  "$bin" log --store "$dir/store" --verify
step "Audit: original vs unlearned vs oracle (both retrained), membership-inference attacks" \
  "$bin" audit --store "$dir/store" --data fashion-mnist --test fashion-mnist:test \
  --reference-models 4 --report "$dir/audit.html"
printf '\nThe store is in %s/store; the audit report is %s/audit.html\n' "$dir" "$dir"
