import Foundation

/// Limited-memory BFGS (Nocedal & Wright, *Numerical Optimization*, 2nd ed., Alg. 7.4–7.5)
/// for smooth convex objectives, in double precision.
///
/// Direction by the two-loop recursion over the last `memory` pairs (s, y), scaled by
/// γ = sᵀy / yᵀy; step by backtracking from 1 until the Armijo condition
/// L(θ + αd) ≤ L(θ) + 10⁻⁴ α ∇Lᵀd holds, or near the optimum the approximate Wolfe
/// conditions (`acceptsStep`). A pair enters the memory only when sᵀy > 10⁻¹⁰‖s‖‖y‖
/// (the curvature condition that keeps the implicit Hessian positive definite); strictly
/// convex objectives (λ > 0) always satisfy it.
///
/// Stops at ‖∇L‖ ≤ `tolerance` (`.converged`), after `maxIterations` (`.iterationLimit`), or
/// at the floor of the objective's arithmetic (`.stagnated`, returning the iterate with the
/// smallest ‖∇L‖): when no step along a direction is acceptable, or when ‖∇L‖ has not halved
/// in `stagnationWindow` iterations and is within a few times its rounding error
/// (`StagnationMonitor`). L-BFGS's gradient norm wanders by factors of 2–5 from one
/// iteration to the next, so its window is long.
struct LBFGS {
  var memory = 10
  var tolerance: Double
  var gradientNorm: GradientNorm = .l2
  var maxIterations: Int
  /// Iterations without progress that make a stall (`StagnationMonitor`); default 20.
  var stagnationWindow = 20

  /// Minimizes `f` from `start`; returns θ and the report. `f` returns (value, gradient).
  /// - Parameter preconditioner: M⁻¹ ≈ ∇²L⁻¹. The initial inverse Hessian of each direction
  ///   becomes γ·M⁻¹ instead of γ·I, with γ = sᵀy / yᵀM⁻¹y (Nocedal & Wright §7.2), so the
  ///   memory only has to learn what M misses.
  /// - Parameter roundingError: e(θ, g), the rounding error of the gradient g that `f`
  ///   computed at θ; nil takes every stall for the floor.
  func minimize(
    _ start: [Double], preconditioner: InverseHessianApproximation? = nil,
    observer: ((Int, Double, Double) -> Void)? = nil,
    roundingError: (([Double], [Double]) -> Double)? = nil,
    _ f: ([Double]) -> (value: Double, gradient: [Double])
  ) throws -> (theta: [Double], report: SolverReport) {
    let clock = Date()
    var theta = start
    var (value, gradient) = f(theta)
    var evaluations = 1
    var sHistory: [[Double]] = []
    var yHistory: [[Double]] = []
    var rhoHistory: [Double] = []
    var iterations = 0
    var gNorm = gradientNorm.of(gradient)
    var monitor = StagnationMonitor(window: stagnationWindow, roundingError: roundingError)
    _ = monitor.reachedFloor(theta, value: value, gradient: gradient, norm: gNorm)
    var stagnated = false
    while gNorm > tolerance && iterations < maxIterations {
      guard value.isFinite && gNorm.isFinite else {
        throw ModelError.diverged(model: "L-BFGS", reason: "the objective became \(value)")
      }
      // Two-loop recursion: d = −H·g.
      var q = gradient
      var alphas = [Double](repeating: 0, count: sHistory.count)
      for i in stride(from: sHistory.count - 1, through: 0, by: -1) {
        alphas[i] = rhoHistory[i] * dot(sHistory[i], q)
        axpy(-alphas[i], yHistory[i], &q)
      }
      if let preconditioner {
        var scaled = preconditioner.apply(q)
        if let s = sHistory.last, let y = yHistory.last {
          let gamma = dot(s, y) / dot(y, preconditioner.apply(y))
          for i in 0..<scaled.count { scaled[i] *= gamma }
        }  // else the first step is M⁻¹'s Newton step
        q = scaled
      } else {
        var gamma = 1.0
        if let s = sHistory.last, let y = yHistory.last {
          gamma = dot(s, y) / dot(y, y)
        } else {
          gamma = 1 / max(gNorm, 1)  // first step: a unit-length move at most
        }
        for i in 0..<q.count { q[i] *= gamma }
      }
      for i in 0..<sHistory.count {
        let beta = rhoHistory[i] * dot(yHistory[i], q)
        axpy(alphas[i] - beta, sHistory[i], &q)
      }
      var direction = q.map { -$0 }
      // Not a descent direction (numerical trouble): restart from −g.
      if dot(gradient, direction) >= 0 {
        sHistory.removeAll()
        yHistory.removeAll()
        rhoHistory.removeAll()
        direction = gradient.map { -$0 / max(gNorm, 1) }
      }
      let search = backtrackingLineSearch(
        from: theta, value: value, gradient: gradient, direction: direction, evaluate: f)
      evaluations += search.evaluations
      // No acceptable step at this precision: the floor.
      guard let (next, trialValue, trialGradient) = search.point else {
        stagnated = true
        break
      }
      let s = zip(next, theta).map { $0 - $1 }
      let y = zip(trialGradient, gradient).map { $0 - $1 }
      let sy = dot(s, y)
      if sy > 1e-10 * norm(s) * norm(y) {
        sHistory.append(s)
        yHistory.append(y)
        rhoHistory.append(1 / sy)
        if sHistory.count > memory {
          sHistory.removeFirst()
          yHistory.removeFirst()
          rhoHistory.removeFirst()
        }
      }
      (theta, value, gradient) = (next, trialValue, trialGradient)
      gNorm = gradientNorm.of(gradient)
      iterations += 1
      observer?(iterations, value, gNorm)
      if gNorm > tolerance
        && monitor.reachedFloor(theta, value: value, gradient: gradient, norm: gNorm)
      {
        stagnated = true
        break
      }
    }
    let converged = gNorm <= tolerance
    if stagnated, let best = monitor.best, best.norm < gNorm {
      (theta, value, gNorm) = (best.theta, best.value, best.norm)
    }
    return (
      theta,
      SolverReport(
        solver: "lbfgs", iterations: iterations, evaluations: evaluations, objective: value,
        gradientNorm: gNorm, converged: converged, seconds: Date().timeIntervalSince(clock),
        stop: converged ? .converged : stagnated ? .stagnated : .iterationLimit,
        floor: stagnated && !converged ? gNorm : nil)
    )
  }
}

func dot(_ a: [Double], _ b: [Double]) -> Double {
  var s = 0.0
  for i in 0..<a.count { s += a[i] * b[i] }
  return s
}

func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
  for i in 0..<x.count { y[i] += alpha * x[i] }
}
