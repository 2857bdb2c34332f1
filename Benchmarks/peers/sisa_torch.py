"""PyTorch peer: SISA (Bourtoule et al. 2021) for the MLP 784-256-10 on Fashion-MNIST.

A re-statement of the paper's protocol, done the strong way: tensors in memory, every core
for torch, checkpoints as in-memory copies of the model and Adam state (no disk, unlike
Expunge's store, which writes every checkpoint durably). Rows go to shards and slices by a
hash of their id; shard k trains R stages on slices 0..r with round(2e/(R+1)) epochs per
stage (the total work of e passes), continuing the previous stage's model and optimizer;
predictions aggregate by vote. Forgetting retrains each affected shard from the checkpoint
before its first affected slice. Prints one JSON line.
"""
import argparse
import copy
import json
import os
import resource
import time

import numpy as np
import torch

import fashion_mnist

parser = argparse.ArgumentParser()
parser.add_argument("--shards", type=int, default=1)
parser.add_argument("--slices", type=int, default=1)
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--deletions", default="1,10,100")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--threads", type=int, default=os.cpu_count())
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)

xtr, ytr = fashion_mnist.load("train")
xte, yte = fashion_mnist.load("t10k")
xtr, ytr, xte, yte = map(torch.from_numpy, (xtr, ytr, xte, yte))
n = xtr.shape[0]
ids = np.arange(n, dtype=np.uint64)


def splitmix(x):
    with np.errstate(over="ignore"):
        z = (x + np.uint64(0x9E3779B97F4A7C15)).astype(np.uint64)
        z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)).astype(np.uint64)
        z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)).astype(np.uint64)
        return z ^ (z >> np.uint64(31))


h = splitmix(ids ^ np.uint64(args.seed))
shard_of = (h % np.uint64(args.shards)).astype(np.int64)
slice_of = (splitmix(h) % np.uint64(args.slices)).astype(np.int64)
epochs_per_stage = args.epochs if args.slices == 1 else max(1, round(2 * args.epochs / (args.slices + 1)))


def new_model():
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    return model, torch.optim.Adam(model.parameters(), lr=1e-3)


def train_stages(shard, start, checkpoint, alive):
    """Stages start..R-1 of `shard` on rows still alive; returns the new checkpoints."""
    if checkpoint is None:
        model, optimizer = new_model()
    else:
        model, optimizer = new_model()
        model.load_state_dict(checkpoint[0])
        optimizer.load_state_dict(checkpoint[1])
    loss_fn = torch.nn.CrossEntropyLoss()
    out = []
    for stage in range(start, args.slices):
        rows = torch.from_numpy(np.nonzero((shard_of == shard) & (slice_of <= stage) & alive)[0])
        for _ in range(epochs_per_stage):
            order = rows[torch.randperm(len(rows))]
            for b in range(0, len(order), 128):
                idx = order[b:b + 128]
                optimizer.zero_grad(set_to_none=True)
                loss_fn(model(xtr[idx]), ytr[idx]).backward()
                optimizer.step()
        out.append((copy.deepcopy(model.state_dict()), copy.deepcopy(optimizer.state_dict())))
    return out


def accuracy(checkpoints):
    votes = torch.zeros(len(yte), 10)
    with torch.no_grad():
        for stages in checkpoints:
            model, _ = new_model()
            model.load_state_dict(stages[-1][0])
            votes[torch.arange(len(yte)), model(xte).argmax(1)] += 1
    return (votes.argmax(1) == yte).double().mean().item()


alive = np.ones(n, dtype=bool)
start = time.perf_counter()
trained = [train_stages(k, 0, None, alive) for k in range(args.shards)]
train_s = time.perf_counter() - start
test_accuracy = accuracy(trained)

forgets = []
for d in [int(x) for x in args.deletions.split(",") if x]:
    rng = np.random.default_rng([args.seed, d])
    gone = rng.choice(n, size=d, replace=False)
    alive_after = alive.copy()
    alive_after[gone] = False
    checkpoints = [list(stages) for stages in trained]
    start = time.perf_counter()
    first = {}
    for i in gone:
        first[shard_of[i]] = min(first.get(shard_of[i], args.slices), slice_of[i])
    for k, r in sorted(first.items()):
        previous = checkpoints[k][r - 1] if r > 0 else None
        checkpoints[k] = checkpoints[k][:r] + train_stages(k, r, previous, alive_after)
    forgets.append({"count": d, "forget_s": time.perf_counter() - start,
                    "shards_retrained": len(first), "test_accuracy_after": accuracy(checkpoints)})

start = time.perf_counter()
train_stages(0, 0, None, alive)
shard_retrain_s = time.perf_counter() - start

print(json.dumps({
    "side": "pytorch", "work": "sisa", "shards": args.shards, "slices": args.slices,
    "epochs": args.epochs, "train_s": train_s, "test_accuracy": test_accuracy,
    "deletions": forgets, "shard_retrain_s": shard_retrain_s,
    "shard_rows": int((shard_of == 0).sum()),
    "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "version": torch.__version__, "threads": torch.get_num_threads(),
}))
