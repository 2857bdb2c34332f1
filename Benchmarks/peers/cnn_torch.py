"""PyTorch peer: the CNN of `expunge train --model cnn` on Fashion-MNIST.

conv 32 3×3 → ReLU → max-pool 2 → conv 64 3×3 → ReLU → max-pool 2 → dense 128 → ReLU →
dense 10 (stride 1, no padding: 225 034 parameters, as Expunge's), Adam(lr 1e-3), batch 128,
cross-entropy, pixels / 255.

The strong version of the usual script: data already as tensors in memory (NCHW), each epoch
a random permutation sliced into batches (no DataLoader), every core for torch. The test
accuracy is measured after each epoch listed in --report, outside the timed region.
Prints one JSON line: seconds of training per epoch, test accuracy at each reported epoch,
max RSS.
"""
import argparse
import json
import os
import resource
import time

import torch

import fashion_mnist

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--report", default="", help="epochs after which to measure test accuracy")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--threads", type=int, default=os.cpu_count())
args = parser.parse_args()
report = {int(e) for e in args.report.split(",") if e} | {args.epochs}

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
xtr, ytr = fashion_mnist.load("train")
xte, yte = fashion_mnist.load("t10k")
xtr, ytr, xte, yte = map(torch.from_numpy, (xtr, ytr, xte, yte))
xtr = xtr.reshape(-1, 1, 28, 28)
xte = xte.reshape(-1, 1, 28, 28)

nn = torch.nn
model = nn.Sequential(
    nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
n = xtr.shape[0]


def test_accuracy():
    model.eval()
    with torch.no_grad():
        correct = sum((model(xte[b:b + 1000]).argmax(1) == yte[b:b + 1000]).sum().item()
                      for b in range(0, xte.shape[0], 1000))
    model.train()
    return correct / xte.shape[0]


epoch_seconds = []
accuracy = {}
for epoch in range(args.epochs):
    start = time.perf_counter()
    order = torch.randperm(n)
    for b in range(0, n, 128):
        idx = order[b:b + 128]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(xtr[idx]), ytr[idx])
        loss.backward()
        optimizer.step()
    epoch_seconds.append(time.perf_counter() - start)
    if epoch + 1 in report:
        accuracy[str(epoch + 1)] = test_accuracy()

print(json.dumps({
    "side": "pytorch", "work": "cnn", "epochs": args.epochs, "epoch_seconds": epoch_seconds,
    "seconds": sum(epoch_seconds), "test_accuracy": accuracy,
    "parameters": sum(p.numel() for p in model.parameters()),
    "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "version": torch.__version__, "threads": torch.get_num_threads(),
    "mkldnn": torch.backends.mkldnn.is_available(),
}))
