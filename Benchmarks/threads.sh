#!/usr/bin/env bash
# Small work without thread storms: wall times of small problems alone and beside two busy
# processes, and the audit of a small store. Uses scikit-learn's digits (1 797 × 64; the
# first 1 500 rows to train, the rest to test), written as CSV by the peers' Python.
# Writes Benchmarks/results/threads.json.
# Usage: bash Benchmarks/threads.sh [repeats]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
bin=.build/release/expunge
swift build -c release --product expunge
[ -x Benchmarks/peers/.venv/bin/python ] || bash Benchmarks/peers/setup.sh
work=$(mktemp -d)
trap 'rm -rf "$work"; kill $(jobs -p) 2>/dev/null || true' EXIT
Benchmarks/peers/.venv/bin/python - "$work" <<'PY'
import sys
from sklearn.datasets import load_digits
X, y = load_digits(return_X_y=True)
def write(path, rows):
    with open(path, "w") as f:
        f.write("id," + ",".join(f"p{i}" for i in range(64)) + ",label\n")
        for i in rows:
            f.write(f"{i}," + ",".join(str(int(v)) for v in X[i]) + f",{y[i]}\n")
write(sys.argv[1] + "/train.csv", range(1500))
write(sys.argv[1] + "/test.csv", range(1500, len(y)))
PY
data=(--data "$work/train.csv" --id-column id --label-column label)
seconds() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

train=("$bin" train "${data[@]}" --model softmax --out "$work/model" --quiet)
idle=()
for _ in $(seq "$repeats"); do idle+=("$(seconds "${train[@]}")"); done
sh -c 'while :; do :; done' & sh -c 'while :; do :; done' &
sleep 0.5
busy=()
for _ in $(seq "$repeats"); do busy+=("$(seconds "${train[@]}")"); done
kill $(jobs -p)
wait 2>/dev/null || true

audits=()
for shards in 1 2; do
  store="$work/store-$shards"
  "$bin" train "${data[@]}" --model softmax --store "$store" --sisa-shards "$shards" --quiet
  "$bin" forget --store "$store" --ids 3,17,40,99,250,1001 >/dev/null
  start=$(date +%s.%N)
  "$bin" audit --store "$store" "${data[@]}" --test "$work/test.csv" --json >"$work/audit-$shards.json"
  end=$(date +%s.%N)
  audits+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')")
done

{
  printf '{\n"machine": "%s, %s cores",\n' "$(uname -m)" "$(nproc)"
  printf '"softmaxTrain1500x64": {"idleSeconds": [%s], "besideTwoBusyProcessesSeconds": [%s],\n' \
    "$(IFS=,; echo "${idle[*]}")" "$(IFS=,; echo "${busy[*]}")"
  printf '  "medianIdle": %s, "medianBusy": %s},\n' "$(median "${idle[@]}")" "$(median "${busy[@]}")"
  printf '"auditSoftmaxStoreK8WallSeconds": {"1 shard": %s, "2 shards": %s},\n' "${audits[0]}" "${audits[1]}"
  printf '"auditTimings": {"1 shard": %s, "2 shards": %s}\n}\n' \
    "$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["timings"]))' "$work/audit-1.json")" \
    "$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["timings"]))' "$work/audit-2.json")"
} >Benchmarks/results/threads.json
cat Benchmarks/results/threads.json
