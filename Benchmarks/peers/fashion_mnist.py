"""Loads Debian's Fashion-MNIST IDX files exactly as Expunge does: pixels / 255 as float32."""
import gzip
import os

import numpy as np

DIR = os.environ.get("EXPUNGE_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def _idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(split):
    """(X float32 n×784 in [0,1], y int64) for split 'train' or 't10k'."""
    x = _idx(f"{DIR}/{split}-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255.0
    y = _idx(f"{DIR}/{split}-labels-idx1-ubyte.gz").astype(np.int64)
    return x, y
