#!/usr/bin/env bash
# Label unlearning figures (issue #5): 1 % of Fashion-MNIST's training rows relabelled, the
# model updated by first-order (τ swept) and second-order influence updates, against
# retraining on the corrected rows to the same tolerance. Logistic regression on classes
# 0 vs 6 (exact Hessian) and softmax over all ten classes (conjugate gradients).
# Writes Benchmarks/results/influence.json (one JSON line per task).
# Usage: bash Benchmarks/influence.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --package-path Benchmarks --product expunge-bench
bench=Benchmarks/.build/release/expunge-bench
{
  "$bench" worker influence --classes 0,6 --fraction 0.01 --taus 1,3,10,30
  "$bench" worker influence --classes all --fraction 0.01 --taus 1,3,10
} > Benchmarks/results/influence.json
echo "wrote Benchmarks/results/influence.json"
