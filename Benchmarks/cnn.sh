#!/usr/bin/env bash
# The CNN of `--model cnn` (conv32x3,pool2,conv64x3,pool2,dense128 → 10, Adam 1e-3,
# batch 128) on Fashion-MNIST, Expunge against PyTorch (Benchmarks/peers/cnn_torch.py), in one
# run: a warm-up of each, then PAIRS alternating pairs of EPOCHS-epoch trainings (ours, then
# the peer), each in its own process, both on every core. Reports per pair the training
# seconds per epoch, the test accuracy after EPOCHS epochs and the peak memory (max RSS,
# from /usr/bin/time), the median of each side and the median of the pairwise time ratios;
# with LONG > 0, one more training of LONG epochs per side for the accuracy after LONG
# epochs (the peer's too unless LONG_PEER=0). The OpenBLAS kernel family is recorded (it changes Expunge's speed and bits); set
# OPENBLAS_CORETYPE to choose it.
# Also measures cblas_sgemm 2048³ (the ceiling, `expunge-bench worker sgemm`) in the same run
# and the fraction of it the CNN's training reached (useful flops of the products / time).
# Writes Benchmarks/results/cnn.json (or $OUT).
# Usage: bash Benchmarks/cnn.sh [EPOCHS (default 3)] [PAIRS (default 3)] [LONG (default 0)]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-3}
pairs=${2:-3}
long=${3:-0}
python=Benchmarks/peers/.venv/bin/python
[ -x "$python" ] || bash Benchmarks/peers/setup.sh
swift build -c release --product expunge >/dev/null
expunge=$PWD/.build/release/expunge
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${OUT:-Benchmarks/results/cnn.json}
threads=$(nproc)
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
kernel=$(python3 -c "
import ctypes
l = ctypes.CDLL('libopenblas.so.0'); l.openblas_get_corename.restype = ctypes.c_char_p
print(l.openblas_get_corename().decode())")

# Our side: one JSON line like the peer's. Training seconds come from `train --json`.
ours() {
  local n=$1
  /usr/bin/time -f "%M" -o "$work/rss" "$expunge" train --data fashion-mnist --model cnn \
    --epochs "$n" --seed 0 --out "$work/model" --force --quiet --json >"$work/train.json"
  local accuracy
  accuracy=$("$expunge" evaluate --model "$work/model" --data fashion-mnist:test --json |
    python3 -c "import json,sys; print(json.load(sys.stdin)['accuracy'])")
  python3 -c "
import json
t = json.load(open('$work/train.json'))
print(json.dumps({'side': 'expunge', 'work': 'cnn', 'epochs': $n, 'seconds': t['seconds'],
  'epoch_seconds_mean': t['seconds'] / $n, 'test_accuracy': {'$n': $accuracy},
  'max_rss_mb': $(cat "$work/rss") / 1024, 'blas_kernel': '$kernel'}))"
}
peer() {
  local n=$1
  (cd Benchmarks/peers && /usr/bin/time -f "%M" -o "$work/rss" "../../$python" cnn_torch.py \
    --epochs "$n" --threads "$threads") >"$work/peer.json"
  python3 -c "
import json
r = json.load(open('$work/peer.json'))
r['epoch_seconds_mean'] = r['seconds'] / r['epochs']
r['max_rss_mb'] = $(cat "$work/rss") / 1024
print(json.dumps(r))"
}

gemm=$(swift run -c release --package-path Benchmarks expunge-bench worker sgemm 2>/dev/null |
  tail -1 || echo '{}')
echo "sgemm ceiling: $gemm"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "warm-up"
ours 1 >/dev/null
peer 1 >/dev/null
: >"$work/runs"
for p in $(seq 1 "$pairs"); do
  a=$(ours "$epochs")
  echo "$a" | tee -a "$work/runs"
  b=$(peer "$epochs")
  echo "$b" | tee -a "$work/runs"
done
: >"$work/long"
if [ "$long" -gt 0 ]; then
  ours "$long" | tee -a "$work/long"
  if [ "${LONG_PEER:-1}" != 0 ]; then peer "$long" | tee -a "$work/long"; fi
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
gemm_after=$(swift run -c release --package-path Benchmarks expunge-bench worker sgemm 2>/dev/null |
  tail -1 || echo '{}')

python3 - "$work/runs" "$work/long" "$out" "$epochs" "$kernel" "$threads" <<PY
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
long = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
out, epochs, kernel, threads = sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
ours = [r for r in runs if r["side"] == "expunge"]
peer = [r for r in runs if r["side"] == "pytorch"]
ratios = [a["seconds"] / b["seconds"] for a, b in zip(ours, peer)]
def gflops(line):
    try:
        return json.loads(line).get("gflops")
    except Exception:
        return None
gemm_before, gemm_after = gflops('''$gemm'''), gflops('''$gemm_after''')
# Useful flops of one training epoch: forward, weight gradient and input gradient of every
# product but the first layer's input gradient (60 000 rows).
rows = 60000
forward = 2 * rows * (26 * 26 * 32 * 9 + 11 * 11 * 64 * 288 + 1600 * 128 + 128 * 10)
first = 2 * rows * 26 * 26 * 32 * 9
epoch_flops = 3 * forward - first
median_epoch = statistics.median(r["epoch_seconds_mean"] for r in ours)
reached = epoch_flops / median_epoch / 1e9
ceiling = max(g for g in (gemm_before, gemm_after) if g) if (gemm_before or gemm_after) else None
summary = {
    "work": "cnn conv32x3,pool2,conv64x3,pool2,dense128, Adam 1e-3, batch 128, fashion-mnist",
    "epochs": epochs, "pairs": len(ratios), "threads": threads, "blas_kernel": kernel,
    "expunge_epoch_seconds_median": median_epoch,
    "pytorch_epoch_seconds_median": statistics.median(r["epoch_seconds_mean"] for r in peer),
    "ratio_median": statistics.median(ratios), "ratios": ratios,
    "expunge_test_accuracy": [r["test_accuracy"][str(epochs)] for r in ours],
    "pytorch_test_accuracy": [r["test_accuracy"][str(epochs)] for r in peer],
    "expunge_max_rss_mb": max(r["max_rss_mb"] for r in ours),
    "pytorch_max_rss_mb": max(r["max_rss_mb"] for r in peer),
    "sgemm_gflops": [gemm_before, gemm_after],
    "epoch_gflop": epoch_flops / 1e9, "expunge_gflops": reached,
    "fraction_of_sgemm": reached / ceiling if ceiling else None,
    "long": long,
    "load_average_before_after": ["$load_before", "$load_after"],
}
with open(out, "w") as f:
    for r in runs + long:
        f.write(json.dumps(r) + "\n")
    f.write(json.dumps(summary) + "\n")
print(json.dumps(summary, indent=1))
PY
echo "wrote $out"
