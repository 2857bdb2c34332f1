#!/usr/bin/env bash
# A shared base on permanent rows (docs/store.md, "A shared base on permanent rows"):
# Fashion-MNIST, MLP 784-256-10, 10 epochs. The plain model (S = 1), then stores whose
# permanent rows are those with id mod 10 < k (k = 1, 5, 9: 10 %, 50 %, 90 % of the rows),
# R = 1, for each configuration S:aggregation. For each: test accuracy, the wall time of
# training the store, and of forgetting one forgettable row (drawn with Python's
# random.Random(SEED)), against the wall time of retraining everything (the plain model from
# scratch).
# Writes Benchmarks/results/permanent.json (one JSON line per store).
# Usage: bash Benchmarks/permanent.sh [seed (default 7)] [S:aggregation … (default 20:vote 10:mean-proba)]
# Wall times depend on what else runs on the machine: run it alone.
set -euo pipefail
cd "$(dirname "$0")/.."
seed=${1:-7}
if [ $# -gt 1 ]; then
  shift
  configurations=("$@")
else
  configurations=(20:vote 10:mean-proba)
fi
swift build -c release --product expunge >/dev/null
expunge=.build/release/expunge
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=Benchmarks/results/permanent.json
model=(--model mlp --hidden 256 --epochs 10 --seed 0)
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

start=$(date +%s.%N)
"$expunge" train --data fashion-mnist "${model[@]}" --out "$work/plain" --quiet >/dev/null
plain_seconds=$(python3 -c "print($(date +%s.%N) - $start)")
plain_accuracy=$("$expunge" evaluate --model "$work/plain" --data fashion-mnist:test --json |
  field accuracy)
echo "{\"configuration\": \"plain\", \"shards\": 1, \"permanentFraction\": 0, \"testAccuracy\": $plain_accuracy, \"trainSeconds\": $plain_seconds}" >"$out"
echo "plain: accuracy $plain_accuracy, ${plain_seconds}s"

for configuration in "${configurations[@]}"; do
  shards=${configuration%%:*}
  aggregate=${configuration#*:}
  for k in 1 5 9; do
    python3 -c "print('\n'.join(str(i) for i in range(60000) if i % 10 < $k))" \
      >"$work/permanent-$k.txt"
    forget=$(python3 -c "import random; r = random.Random($seed); print(r.choice([i for i in range(60000) if i % 10 >= $k]))")
    store="$work/store-$k"
    start=$(date +%s.%N)
    "$expunge" train --data fashion-mnist "${model[@]}" --store "$store" --sisa-shards "$shards" \
      --aggregate "$aggregate" --permanent-ids "$work/permanent-$k.txt" --quiet >/dev/null
    train_seconds=$(python3 -c "print($(date +%s.%N) - $start)")
    accuracy=$("$expunge" evaluate --store "$store" --data fashion-mnist:test --json |
      field accuracy)
    start=$(date +%s.%N)
    ledger_seconds=$("$expunge" forget --store "$store" --ids "$forget" --json 2>/dev/null |
      field seconds)
    forget_seconds=$(python3 -c "print($(date +%s.%N) - $start)")
    line=$(python3 -c "
import json
print(json.dumps({'configuration': 'permanent', 'shards': $shards, 'slices': 1,
  'aggregate': '$aggregate', 'permanentFraction': $k / 10, 'testAccuracy': $accuracy,
  'accuracyBelowPlain': round(100 * ($plain_accuracy - $accuracy), 2),
  'trainSeconds': $train_seconds, 'forgottenID': $forget,
  'forgetSeconds': $forget_seconds, 'forgetSecondsInLedger': $ledger_seconds,
  'retrainEverythingSeconds': $plain_seconds,
  'speedup': round($plain_seconds / $forget_seconds, 1)}))")
    echo "$line" >>"$out"
    echo "$line"
    rm -rf "$store"
  done
done
echo "wrote $out"
