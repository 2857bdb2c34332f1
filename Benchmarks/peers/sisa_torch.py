"""PyTorch peer: SISA (Bourtoule et al. 2021) for the MLP 784-256-10 on Fashion-MNIST.

A re-statement of the paper's protocol, done the strong way: tensors in memory, every core
for torch, checkpoints as in-memory copies of the model and Adam state (state_dict copies).
Rows go to shards and slices exactly as Expunge's `ShardAssignment` places them (xoshiro256**
seeded per row id, vectorized in numpy), and the deleted rows are exactly those of Expunge's
`SeededGenerator(seed).choice(n, d)`, so both sides retrain the same shards from the same
stages. Shard k trains R stages on slices 0..r with e_s = max(1, round(2e/(R+1))) epochs per
stage (half away from zero, as Swift rounds; the total work of e passes), continuing the
previous stage's model and optimizer; predictions aggregate by vote (ties to the lower class).
Forgetting retrains each affected shard from the checkpoint before its first affected slice.

--retrain plain (default): time one plain MLP (S = 1, R = 1) from scratch on the rows left
after the largest deletion set, the retraining baseline. --retrain shard: time shard 0 from
scratch alone (the unit `expunge-bench sisa --store` compares). Prints one JSON line.
"""
import argparse
import copy
import json
import math
import os
import resource
import time

import numpy as np
import torch

import fashion_mnist
from expunge_rng import GOLDEN, M64, SeededGenerator

parser = argparse.ArgumentParser()
parser.add_argument("--shards", type=int, default=1)
parser.add_argument("--slices", type=int, default=1)
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--deletions", default="1,10,100")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--assignment-seed", type=int, default=0)
parser.add_argument("--retrain", choices=["plain", "shard"], default="plain")
parser.add_argument("--threads", type=int, default=os.cpu_count())
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)

xtr, ytr = fashion_mnist.load("train")
xte, yte = fashion_mnist.load("t10k")
xtr, ytr, xte, yte = map(torch.from_numpy, (xtr, ytr, xte, yte))
n = xtr.shape[0]
ids = np.arange(n, dtype=np.uint64)  # Fashion-MNIST rows have ids 0..n-1 in Expunge too

# --- Expunge's SeededGenerator vectorized over rows (the scalar one is expunge_rng) ---
def np_mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def np_next(s, mask):
    """xoshiro256** for the rows in `mask` of the 4 state arrays `s`; returns their output."""
    s0, s1, s2, s3 = (x[mask] for x in s)
    r = s1 * np.uint64(5)
    result = ((r << np.uint64(7)) | (r >> np.uint64(57))) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 = s2 ^ s0
    s3 = s3 ^ s1
    s1 = s1 ^ s2
    s0 = s0 ^ s3
    s2 = s2 ^ t
    s3 = (s3 << np.uint64(45)) | (s3 >> np.uint64(19))
    for x, v in zip(s, (s0, s1, s2, s3)):
        x[mask] = v
    return result


def np_int_below(s, bound):
    """Lemire's bounded integer per row, redrawing the (rare) rejected rows like Swift."""
    b = np.uint64(bound)
    threshold = np.uint64(((1 << 64) - bound) % bound)
    out = np.zeros(len(s[0]), dtype=np.uint64)
    todo = np.ones(len(s[0]), dtype=bool)
    while todo.any():
        x = np_next(s, todo)
        lo32, hi32 = x & np.uint64(0xFFFFFFFF), x >> np.uint64(32)
        high = (hi32 * b + ((lo32 * b) >> np.uint64(32))) >> np.uint64(32)
        ok = x * b >= threshold  # the low word; Swift's `low < b` is a fast path of this test
        idx = np.nonzero(todo)[0]
        out[idx[ok]] = high[ok]
        todo[idx[ok]] = False
    return out.astype(np.int64)


def place(row_ids, shards, slices, seed):
    """Expunge's ShardAssignment.place for every id: (shard, slice) arrays."""
    assert shards < 2**32 and slices < 2**32
    base = SeededGenerator(seed).derived("sisa-assignment").s[0]
    with np.errstate(over="ignore"):
        seeds = np_mix(np.uint64(base) ^ np_mix(row_ids + np.uint64(GOLDEN)))
        s = [np_mix(seeds + np.uint64((i + 1) * GOLDEN & M64)) for i in range(4)]
        shard = np_int_below(s, shards)
        return shard, np_int_below(s, slices)


shard_of, slice_of = place(ids, args.shards, args.slices, args.assignment_seed)
epochs_per_stage = args.epochs if args.slices == 1 else max(
    1, math.floor(2 * args.epochs / (args.slices + 1) + 0.5))


def new_model():
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    return model, torch.optim.Adam(model.parameters(), lr=1e-3)


def run_epochs(model, optimizer, rows, epochs):
    loss_fn = torch.nn.CrossEntropyLoss()
    for _ in range(epochs):
        order = rows[torch.randperm(len(rows))]
        for b in range(0, len(order), 128):
            idx = order[b:b + 128]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(xtr[idx]), ytr[idx]).backward()
            optimizer.step()


def train_stages(shard, start, checkpoint, alive):
    """Stages start..R-1 of `shard` on rows still alive; returns the new checkpoints."""
    model, optimizer = new_model()
    if checkpoint is not None:
        model.load_state_dict(checkpoint[0])
        optimizer.load_state_dict(checkpoint[1])
    out = []
    for stage in range(start, args.slices):
        rows = torch.from_numpy(np.nonzero((shard_of == shard) & (slice_of <= stage) & alive)[0])
        run_epochs(model, optimizer, rows, epochs_per_stage)
        out.append((copy.deepcopy(model.state_dict()), copy.deepcopy(optimizer.state_dict())))
    return out


def accuracy(checkpoints):
    votes = torch.zeros(len(yte), 10)
    with torch.no_grad():
        for stages in checkpoints:
            model, _ = new_model()
            model.load_state_dict(stages[-1][0])
            votes[torch.arange(len(yte)), model(xte).argmax(1)] += 1
    return (votes.argmax(1) == yte).double().mean().item()  # argmax: first maximum


def deleted(d):
    """Rows to forget: the first d of one seeded draw (nested: 1 ⊂ 10 ⊂ 100), as Expunge."""
    return np.array(SeededGenerator(args.seed).choice(n, d), dtype=np.int64)


# Untimed warm-up: torch's first steps pay one-off set-up (thread pool, allocator, kernels)
# that would otherwise land in train_s alone.
run_epochs(*new_model(), torch.arange(1280), 1)

alive = np.ones(n, dtype=bool)
start = time.perf_counter()
trained = [train_stages(k, 0, None, alive) for k in range(args.shards)]
train_s = time.perf_counter() - start
test_accuracy = accuracy(trained)

counts = [int(x) for x in args.deletions.split(",") if x]
forgets = []
for d in counts:
    gone = deleted(d)
    alive_after = alive.copy()
    alive_after[gone] = False
    checkpoints = [list(stages) for stages in trained]
    start = time.perf_counter()
    first = {}
    for i in gone:
        k = int(shard_of[i])
        first[k] = min(first.get(k, args.slices), int(slice_of[i]))
    for k, r in sorted(first.items()):
        previous = checkpoints[k][r - 1] if r > 0 else None
        checkpoints[k] = checkpoints[k][:r] + train_stages(k, r, previous, alive_after)
    forgets.append({
        "count": d, "forget_s": time.perf_counter() - start, "shards_retrained": len(first),
        "stages_retrained": sum(args.slices - r for r in first.values()),
        "retrained": [[k, r] for k, r in sorted(first.items())],
        "test_accuracy_after": accuracy(checkpoints)})

result = {
    "side": "pytorch", "work": "sisa", "mode": "library", "shards": args.shards,
    "slices": args.slices, "epochs": args.epochs, "epochs_per_stage": epochs_per_stage,
    "seed": args.seed, "aggregation": "vote",
    "shard_sizes": np.bincount(shard_of, minlength=args.shards).tolist(), "train_s": train_s,
    "test_accuracy": test_accuracy, "deletions": forgets,
}
if args.retrain == "plain":
    largest = max(counts, default=0)
    rest = alive.copy()
    rest[deleted(largest)] = False
    rows = torch.from_numpy(np.nonzero(rest)[0])
    model, optimizer = new_model()
    start = time.perf_counter()
    run_epochs(model, optimizer, rows, args.epochs)
    result["retrain_s"] = time.perf_counter() - start
    with torch.no_grad():
        result["retrain_test_accuracy"] = (model(xte).argmax(1) == yte).double().mean().item()
    result["retrain_rows"] = len(rows)
    result["retrain_note"] = (
        f"plain MLP (S = 1, R = 1, {args.epochs} epochs) from scratch on the training rows minus "
        f"the {largest}-row deletion set, timed once and used as the retraining baseline for "
        "every d")
else:
    start = time.perf_counter()
    train_stages(0, 0, None, alive)
    result["shard_retrain_s"] = time.perf_counter() - start
    result["shard_rows"] = int((shard_of == 0).sum())
    result["mode"] = "store"

result.update({
    "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "version": torch.__version__, "threads": torch.get_num_threads(),
})
print(json.dumps(result))
