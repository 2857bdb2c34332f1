"""scikit-learn peer: multinomial LogisticRegression(C, solver="lbfgs") on Fashion-MNIST.

scikit-learn minimizes C·Σᵢ loss + ½‖W‖² (intercept unpenalized), which has the same
minimizer as Expunge's (1/n)Σᵢ loss + (λ/2)‖W‖² with λ = 1/(C·n). Both sides run L-BFGS for
the same iteration budget; prints seconds of fit only, test accuracy, iterations, max RSS.
"""
import argparse
import json
import os
import resource
import time
import warnings

import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

import fashion_mnist

parser = argparse.ArgumentParser()
parser.add_argument("--C", type=float, default=1.0)
parser.add_argument("--max-iter", type=int, default=2000)
parser.add_argument("--tol", type=float, default=1e-4)
args = parser.parse_args()

xtr, ytr = fashion_mnist.load("train")
xte, yte = fashion_mnist.load("t10k")
model = LogisticRegression(C=args.C, solver="lbfgs", max_iter=args.max_iter, tol=args.tol)
start = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    model.fit(xtr, ytr)
seconds = time.perf_counter() - start
print(json.dumps({
    "side": "scikit-learn", "work": "softmax", "seconds": seconds,
    "test_accuracy": float(model.score(xte, yte)), "iterations": int(model.n_iter_[0]),
    "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "version": sklearn.__version__,
}))
