"""PyTorch peer: certified removal (Guo, Goldstein, Hannun & van der Maaten, ICML 2020).

The paper's recipe, stated again in float64 on the CPU (every core for torch). Each binary
model (one for `--classes a,b`, where label 1 is the second class; K = 10 one-vs-rest models
for `--classes all`) minimizes the summed, perturbed objective, with no intercept,

    L_b(w; D) = Σᵢ log(1 + exp(−ỹᵢ wᵀxᵢ)) + (Λ/2)‖w‖² + bᵀw,   Λ = λ·n,  b ~ N(0, σ²I),

where xᵢ are Fashion-MNIST pixels / 255 scaled to unit L2 norm (a zero row stays zero) and
n is the number of training rows at the start: Λ stays fixed through removals. Training runs
from w = 0 until ‖∇L_b‖₂ ≤ --tol with torch's L-BFGS (strong-Wolfe search; the default, being
the faster here: one pass of X per evaluation against Newton's n·d² Hessian per iteration) or
with Newton's method, exact Hessian and Armijo backtracking (--solver newton). Retraining on
the rows left uses the same Λ, b and solver.

Removal of one row (x, y), for every binary model, as Guo et al.'s code does it:
  Δ = ∇ℓ(w; x, y) at the current w (no Λ term: Λ does not change when a row leaves);
  H = X′ᵀ diag(p(1 − p)) X′ + ΛI, rebuilt from scratch over the remaining rows X′ at w;
  s = H⁻¹Δ by Cholesky (LAPACK; XᵀDX by BLAS dsyrk, one triangle);  w ← w + s;
  bound = γ ‖X′‖₂ ‖s‖₂ ‖X′s‖₂ (their Corollary 1 as their code evaluates it, γ = 1/4), with
  ‖X′‖₂ = √λ_max(X′ᵀX′): X′ᵀX′ kept by rank-1 downdates and λ_max by 20 steps of power
  iteration, as their code does, but warm-started from the previous eigenvector.
Each removal's bound (summed over the K models for one-vs-rest, as their code sums it) adds to
an accumulator that starts at the measured training residual(s) ‖∇L_b(w; D)‖; removals fit
the budget while it stays ≤ σε/c, c = √(2 log(1.5/δ)). Past that the paper retrains; here the
run goes on without retraining so that every removal is timed the same way, and reports how
many fitted. For comparison it also reports the count under Expunge's split budget (each
model's own accumulator against σ(ε/m)/√(2 log(1.5m/δ))).

Same rows as Expunge: the rows removed are the first --removals positions of Expunge's
`SeededGenerator(seed).derived("certified-bench").permutation(n)` over the (class-selected)
training rows in file order; with --perturbation expunge (default) b is Expunge's own draw
(`derived("certified-perturbation").derived(k)`, Box–Muller), so both sides start from the
same objective. --perturbation torch draws b with torch.randn seeded by --seed instead.

Timed: training (all models), each removal (Δ, Hessian build, Cholesky, solve, bound), the
retraining. Untimed: loading, the one-off XᵀX and its first eigenvector (reported as
prepare_seconds), accuracies, the final true residual. Prints one JSON line.
"""
import argparse
import json
import math
import os
import resource
import statistics
import time

parser = argparse.ArgumentParser()
parser.add_argument("--classes", default="0,6", help="'a,b' for a binary task or 'all' (OvR)")
parser.add_argument("--l2", "--lam", "--lambda", dest="l2", type=float, default=1e-3)
parser.add_argument("--sigma", type=float, default=1.0)
parser.add_argument("--epsilon", type=float, default=1.0)
parser.add_argument("--delta", type=float, default=1e-4)
parser.add_argument("--tol", type=float, default=1e-4, help="on ‖∇L_b‖₂ of the summed objective")
parser.add_argument("--gamma", type=float, default=0.25, help="Lipschitz constant used for ℓ''")
parser.add_argument("--removals", type=int, default=20)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--solver", choices=["lbfgs", "newton"], default="lbfgs")
parser.add_argument("--max-iter", type=int, default=1000)
parser.add_argument("--perturbation", choices=["expunge", "torch"], default="expunge")
parser.add_argument("--power-iterations", type=int, default=20)
parser.add_argument("--hessian", choices=["syrk", "gemm"], default="syrk",
                    help="XᵀDX by SciPy's BLAS dsyrk (one triangle) or torch's full GEMM")
parser.add_argument("--threads", type=int, default=os.cpu_count())
args = parser.parse_args()

# Every core for both BLAS libraries in play: torch's, and SciPy's OpenBLAS for the Hessian's
# dsyrk. torch's OpenMP workers spin after each parallel region and would then fight the
# OpenBLAS threads for the cores; passive waiting hands the cores over at once.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))

import numpy as np  # noqa: E402  (after the environment above)
import scipy.linalg.blas as blas  # noqa: E402
import scipy.linalg.lapack as lapack  # noqa: E402
import torch  # noqa: E402

import fashion_mnist  # noqa: E402
from expunge_rng import SeededGenerator  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
DT = torch.float64

# --- data ---
def prepare(split, classes):
    x, y = fashion_mnist.load(split)
    rows = np.arange(len(y))
    if classes is not None:
        keep = np.isin(y, classes)
        rows, x, y = rows[keep], x[keep], y[keep]
        relabel = np.zeros(10, dtype=np.int64)
        relabel[classes] = np.arange(len(classes))  # label i for the i-th listed class
        y = relabel[y]
    return rows, torch.from_numpy(x).to(DT), torch.from_numpy(np.asarray(y, dtype=np.int64))


def unit_rows(x):
    """Rows scaled to unit L2 norm; a zero row stays zero."""
    norms = x.norm(dim=1, keepdim=True)
    return x / torch.where(norms > 0, norms, torch.ones_like(norms))


classes = None if args.classes == "all" else [int(c) for c in args.classes.split(",")]
row_ids, xtr_raw, ytr = prepare("train", classes)
_, xte_raw, yte = prepare("t10k", classes)
class_count = 10 if classes is None else len(classes)
m = 1 if class_count == 2 else class_count
n, d = xtr_raw.shape
targets = (ytr == 1).to(DT).unsqueeze(1) if m == 1 else \
    torch.stack([(ytr == k).to(DT) for k in range(m)], dim=1)  # n × m, in {0, 1}
total_penalty = args.l2 * n  # Λ, fixed from here on

if args.perturbation == "expunge":
    base = SeededGenerator(args.seed).derived("certified-perturbation")
    b = torch.empty(m, d, dtype=DT)
    for k in range(m):
        g = base.derived(k)
        b[k] = torch.tensor([g.normal() * args.sigma for _ in range(d)], dtype=DT)
else:
    b = torch.randn(m, d, dtype=DT, generator=torch.Generator().manual_seed(args.seed)) * args.sigma

order = SeededGenerator(args.seed).derived("certified-bench").permutation(n)
removed_positions = order[:args.removals]


# --- objective and solvers ---
def value_and_gradient(x, y, w, bk):
    """L_b(w) and ∇L_b(w) on rows x with 0/1 targets y: one pass for Xw, one for Xᵀr."""
    z = x @ w
    f = (torch.nn.functional.softplus(z) - y * z).sum() + 0.5 * total_penalty * w.dot(w) + bk.dot(w)
    return f, x.T @ (torch.sigmoid(z) - y) + total_penalty * w + bk


def hessian_factor(x, p, keep=None, buffer=None):
    """Cholesky factor (lower; LAPACK dpotrf) of Xᵀ diag(p(1 − p)) X + ΛI over the rows with
    keep (all when None). By default the product is one triangle by BLAS dsyrk (SciPy's
    OpenBLAS): torch has no syrk, and its full GEMM (--hessian gemm) does twice the work."""
    c = p * (1 - p)
    if keep is not None:
        c = c * keep
    a = torch.mul(x, c.sqrt().unsqueeze(1), out=buffer)
    if args.hessian == "syrk":
        h = blas.dsyrk(1.0, a.numpy().T, lower=1)  # a.T is a Fortran-order view: no copy
    else:
        h = (a.T @ a).numpy()  # symmetric, so its C order is also its Fortran order
    h[np.diag_indices_from(h)] += total_penalty
    factor, info = lapack.dpotrf(h, lower=1, clean=0, overwrite_a=1)
    if info != 0:
        raise RuntimeError(f"Cholesky failed (info {info})")
    return factor


def solve(factor, rhs):
    """H⁻¹ rhs for rhs of shape (d,) or (d, k), from `hessian_factor`."""
    out, info = lapack.dpotrs(factor, rhs.numpy(), lower=1)
    if info != 0:
        raise RuntimeError(f"Cholesky solve failed (info {info})")
    return torch.from_numpy(np.ascontiguousarray(out))


def newton(x, y, bk):
    """Newton's method with the exact Hessian and Armijo backtracking, from w = 0."""
    w = torch.zeros(d, dtype=DT)
    f, g = value_and_gradient(x, y, w, bk)
    buffer = torch.empty_like(x)
    for it in range(args.max_iter + 1):
        if g.norm() <= args.tol or it == args.max_iter:
            return w, it
        s = -solve(hessian_factor(x, torch.sigmoid(x @ w), buffer=buffer), g)
        slope, t = g.dot(s), 1.0
        while True:  # the full step is nearly always taken
            trial = w + t * s
            f_trial, g_trial = value_and_gradient(x, y, trial, bk)
            if f_trial <= f + 1e-4 * t * slope or t < 1e-10:
                break
            t *= 0.5
        w, f, g = trial, f_trial, g_trial


def lbfgs(x, y, bk):
    """torch L-BFGS (history 20, strong-Wolfe search) from w = 0. torch stops on the largest
    gradient entry, so it is given tol/√d, which implies ‖∇L_b‖₂ ≤ tol (in practice it stops
    one evaluation after the L2 test first holds)."""
    w = torch.zeros(d, dtype=DT, requires_grad=True)
    opt = torch.optim.LBFGS([w], lr=1, max_iter=args.max_iter, max_eval=2 * args.max_iter,
                            history_size=20, tolerance_grad=args.tol / math.sqrt(d),
                            tolerance_change=0.0, line_search_fn="strong_wolfe")

    def closure():
        with torch.no_grad():
            f, w.grad = value_and_gradient(x, y, w, bk)
        return f

    opt.step(closure)
    w = w.detach().clone()
    if value_and_gradient(x, y, w, bk)[1].norm() > args.tol:
        raise RuntimeError("L-BFGS stopped above the tolerance; raise --max-iter")
    return w, opt.state[opt._params[0]]["n_iter"]


def train(x, y):
    """All m binary models on rows x (already unit rows), targets y (n × m)."""
    solver = newton if args.solver == "newton" else lbfgs
    weights, iterations = [], []
    for k in range(m):
        w, it = solver(x, y[:, k].contiguous(), b[k])
        weights.append(w)
        iterations.append(it)
    return torch.stack(weights), iterations


def accuracy(w, x, y):
    z = x @ w.T
    predicted = (z[:, 0] > 0).long() if m == 1 else z.argmax(1)
    return (predicted == y).double().mean().item()


def residuals(x, y, w):
    return [value_and_gradient(x, y[:, k].contiguous(), w[k], b[k])[1].norm().item()
            for k in range(m)]


# Untimed warm-up: the first BLAS/LAPACK calls and torch's first optimizer step pay one-off
# set-up (thread pools, lazy imports) that would otherwise land in train_seconds alone.
_x = unit_rows(torch.rand(512, d, dtype=DT))
_y = (torch.rand(512, dtype=DT) > 0.5).to(DT)
lbfgs(_x, _y, b[0]) if args.solver == "lbfgs" else newton(_x, _y, b[0])
solve(hessian_factor(_x, torch.full((512,), 0.5, dtype=DT)), torch.ones(d, dtype=DT))
del _x, _y

start = time.perf_counter()
xtr = unit_rows(xtr_raw)
weights, train_iterations = train(xtr, targets)
train_seconds = time.perf_counter() - start
xte = unit_rows(xte_raw)
accuracy_before = accuracy(weights, xte, yte)
train_residuals = residuals(xtr, targets, weights)

# One-off preparation (the paper's code likewise forms K = XᵀX before removing).
start = time.perf_counter()
gram = xtr.T @ xtr
vector = torch.ones(d, dtype=DT) / math.sqrt(d)
for _ in range(200):
    vector = gram @ vector
    vector /= vector.norm()
prepare_seconds = time.perf_counter() - start

c = math.sqrt(2 * math.log(1.5 / args.delta))
budget = args.sigma * args.epsilon / c
split_budget = args.sigma * (args.epsilon / m) / math.sqrt(2 * math.log(1.5 * m / args.delta))
keep = torch.ones(n, dtype=DT)
buffer = torch.empty_like(xtr)
accumulated = sum(train_residuals)  # the paper's rule: bounds summed over the m models
per_model = list(train_residuals)  # Expunge's split rule: each model against its share
fit_paper = fit_split = None
times_ms, bounds, spectral_norms = [], [], []
for i, position in enumerate(removed_positions):
    start = time.perf_counter()
    x = xtr[position]
    keep[position] = 0
    gram.sub_(torch.outer(x, x))
    for _ in range(args.power_iterations):
        vector = gram @ vector
        vector /= vector.norm()
    spectral = math.sqrt(max(vector.dot(gram @ vector).item(), 0.0))
    p = torch.sigmoid(xtr @ weights.T)  # n × m, every model at its current weights
    deltas = (p[position] - targets[position]).unsqueeze(0) * x.unsqueeze(1)  # d × m
    steps = torch.stack([solve(hessian_factor(xtr, p[:, k], keep, buffer), deltas[:, k])
                         for k in range(m)], dim=1)  # d × m: s_k = H_k⁻¹ Δ_k
    moved = (xtr @ steps) * keep.unsqueeze(1)  # X′s_k, the removed rows zeroed
    step_bounds = args.gamma * spectral * steps.norm(dim=0) * moved.norm(dim=0)
    weights += steps.T
    step_bound = step_bounds.sum().item()
    for k in range(m):
        per_model[k] += step_bounds[k].item()
    times_ms.append((time.perf_counter() - start) * 1e3)
    accumulated += step_bound
    bounds.append(step_bound)
    spectral_norms.append(spectral)
    if fit_paper is None and accumulated > budget:
        fit_paper = i
    if fit_split is None and max(per_model) > split_budget:
        fit_split = i

kept = keep.bool()
accuracy_after = accuracy(weights, xte, yte)
residual_after = residuals(xtr[kept], targets[kept], weights)

x_rest, y_rest = xtr_raw[kept], targets[kept]
start = time.perf_counter()
x_rest = unit_rows(x_rest)
retrained, retrain_iterations = train(x_rest, y_rest)
retrain_seconds = time.perf_counter() - start

print(json.dumps({
    "side": "pytorch", "work": "certified-binary" if m == 1 else "certified-ovr",
    "classes": args.classes, "rows": n, "models": m, "l2": args.l2,
    "total_penalty": total_penalty, "sigma": args.sigma, "epsilon": args.epsilon,
    "delta": args.delta, "tol": args.tol, "gamma": args.gamma, "solver": args.solver,
    "perturbation": args.perturbation, "seed": args.seed,
    "train_seconds": train_seconds, "train_iterations": train_iterations,
    "train_residuals": train_residuals, "prepare_seconds": prepare_seconds,
    "removals": len(removed_positions), "removed_ids": [int(row_ids[p]) for p in removed_positions],
    "removal_ms_median": statistics.median(times_ms) if times_ms else None,
    "removal_ms_mean": statistics.fmean(times_ms) if times_ms else None,
    "removal_ms_max": max(times_ms, default=None), "removal_ms": times_ms,
    "seconds": sum(times_ms) / 1e3,
    "budget": budget, "accumulated_bound": accumulated, "removal_bounds": bounds,
    "spectral_norms": [spectral_norms[0], spectral_norms[-1]] if spectral_norms else [],
    "removals_within_budget": len(removed_positions) if fit_paper is None else fit_paper,
    "budget_exhausted": fit_paper is not None,
    "split_budget": split_budget, "split_accumulated_bounds": per_model,
    "removals_within_split_budget": len(removed_positions) if fit_split is None else fit_split,
    "residual_after": residual_after,
    "test_accuracy_before": accuracy_before, "test_accuracy_after": accuracy_after,
    "retrain_seconds": retrain_seconds, "retrain_iterations": retrain_iterations,
    "test_accuracy_retrained": accuracy(retrained, xte, yte),
    "distance_to_retrained": (weights - retrained).norm().item(),
    "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "version": torch.__version__, "threads": torch.get_num_threads(),
}))
