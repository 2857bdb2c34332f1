#!/usr/bin/env bash
# `make demo`: the main job end to end on Fashion-MNIST with the release binary:
# train a SISA MLP into a store (600 rows carrying a backdoor), forget those rows, evaluate,
# print the ledger, remove rows from a certified logistic model by Newton steps, audit the
# MLP with every attack and the backdoor test, write the HTML report.
set -euo pipefail
bin=${1:-.build/release/expunge}
dir=${2:-runs/demo}
rm -rf "$dir"
mkdir -p "$dir"

step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

# 600 training rows (1 %) chosen at random with a fixed seed: the people who will withdraw
# consent. They plant a backdoor as they contribute — a 3 × 3 white corner, relabelled
# class 0 — so that whether their rows were really forgotten can be tested afterwards
# (Sommer et al., PETS 2022).
awk 'BEGIN { srand(7); while (n < 600) { id = int(rand() * 60000); if (!(id in s)) { s[id]; print id; n++ } } }' \
  > "$dir/withdrawn.txt"
step "Train a SISA MLP 784-256-10 on Fashion-MNIST: 5 shards × 4 slices, 10 epochs' work" \
  "$bin" train --data fashion-mnist --model mlp --hidden 256 --epochs 10 \
  --store "$dir/store" --sisa-shards 5 --sisa-slices 4 \
  --backdoor-ids "$dir/withdrawn.txt" --trigger corner:3x3 --target-label 0
step "Evaluate it on the 10 000 test rows" \
  "$bin" evaluate --store "$dir/store" --data fashion-mnist:test
step "Consent withdrawn: forget those 600 rows, retrain only what saw them, purge every copy" \
  "$bin" forget --store "$dir/store" --ids-file "$dir/withdrawn.txt"
step "Evaluate the new version" \
  "$bin" evaluate --store "$dir/store" --data fashion-mnist:test
step "The ledger, its hash chain verified" \
  "$bin" log --store "$dir/store" --verify
# Certified removal (Guo et al., ICML 2020): a logistic model of T-shirts vs shirts
# (classes 0 and 6) trained with a random linear term; the withdrawn rows of those classes
# leave by one Newton step each, every step's bound on the gradient residual in the ledger.
zcat /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz | tail -c +9 \
  | od -An -tu1 -v -w1 | awk '$1 == 0 || $1 == 6 { print NR - 1 }' > "$dir/classes-0-6.txt"
grep -Fxf "$dir/classes-0-6.txt" "$dir/withdrawn.txt" > "$dir/withdrawn-0-6.txt"
step "Certified removal: logistic regression, T-shirts vs shirts, (ε, δ) = (1, 1e-4)" \
  "$bin" train --data fashion-mnist --classes 0,6 --model logistic --certified \
  --epsilon 1 --delta 1e-4 --store "$dir/certified"
step "Forget the withdrawn rows of those classes by Newton steps within the budget" \
  "$bin" forget --store "$dir/certified" --ids-file "$dir/withdrawn-0-6.txt" --method newton
step "Evaluate the certified model after removal" \
  "$bin" evaluate --store "$dir/certified" --data fashion-mnist:test
step "Audit: original vs unlearned vs oracle; membership inference (threshold, shadow, LiRA), ε-score with K = 4 models a side (8 by default), the backdoor test" \
  "$bin" audit --store "$dir/store" --data fashion-mnist --test fashion-mnist:test \
  --reference-models 4 --report "$dir/audit.html"
printf '\nThe store is in %s/store; the audit report is %s/audit.html\n' "$dir" "$dir"
