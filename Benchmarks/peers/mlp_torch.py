"""PyTorch peer: MLP 784-256-10, ReLU, Adam(lr 1e-3), batch 128, cross-entropy, Fashion-MNIST.

The strong version of the usual script: data already as tensors in memory, each epoch a
random permutation sliced into batches (no DataLoader overhead), every core for torch.
Prints one JSON line: seconds of training only, test accuracy, max RSS.
"""
import argparse
import json
import os
import resource
import time

import torch

import fashion_mnist

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=1)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--threads", type=int, default=os.cpu_count())
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
xtr, ytr = fashion_mnist.load("train")
xte, yte = fashion_mnist.load("t10k")
xtr, ytr, xte, yte = map(torch.from_numpy, (xtr, ytr, xte, yte))

model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
n = xtr.shape[0]

start = time.perf_counter()
for epoch in range(args.epochs):
    order = torch.randperm(n)
    for b in range(0, n, 128):
        idx = order[b:b + 128]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(xtr[idx]), ytr[idx])
        loss.backward()
        optimizer.step()
seconds = time.perf_counter() - start

with torch.no_grad():
    accuracy = (model(xte).argmax(1) == yte).double().mean().item()
print(json.dumps({
    "side": "pytorch", "work": "mlp", "epochs": args.epochs, "seconds": seconds,
    "test_accuracy": accuracy,
    "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "version": torch.__version__, "threads": torch.get_num_threads(),
}))
