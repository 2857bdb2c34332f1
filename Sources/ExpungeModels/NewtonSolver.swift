import ExpungeCore
import Foundation

/// Newton's method with the exact Hessian: d = −(∇²L)⁻¹∇L by a Cholesky solve in double
/// precision, step by Armijo backtracking from 1.
///
/// The Hessian can be singular where the objective is flat: softmax with intercepts is
/// invariant to adding one constant to every class's bias, and λ = 0 leaves weights
/// unpenalized. Then the factorization adds τI with the smallest τ (from 10⁻¹⁰·max diag,
/// ×10 each try) that makes it positive definite (Nocedal & Wright, Alg. 3.3). The gradient
/// has no component along such flat directions, so the step is unaffected there. For a strictly convex objective the
/// Hessian is positive definite and the method converges quadratically near the optimum,
/// typically in under 15 iterations.
///
/// Stops at ‖∇L‖ ≤ `tolerance` (`.converged`), after `maxIterations` (`.iterationLimit`), or
/// at the floor of the objective's arithmetic (`.stagnated`, returning the iterate with the
/// smallest ‖∇L‖): when no step along the Newton direction is acceptable, or when two steps
/// in a row have not halved ‖∇L‖ and it is within a few times its rounding error
/// (`StagnationMonitor`). Near the optimum every exact Newton step squares the error, so
/// two steps without halving already mean the gradient is mostly rounding.
/// - Complexity: per iteration, one Hessian (O(n·p²)) and one factorization (p³/3).
struct NewtonSolver {
  var tolerance: Double
  var gradientNorm: GradientNorm = .l2
  var maxIterations: Int
  /// Iterations without progress that make a stall (`StagnationMonitor`); default 2.
  var stagnationWindow = 2

  /// Minimizes `objective` from `start`; returns θ and the report.
  /// - Parameter roundingError: e(θ, g), the rounding error of the gradient g the objective
  ///   computed at θ; nil takes every stall for the floor.
  func minimize(
    _ objective: any ConvexObjective, from start: [Double],
    observer: ((Int, Double, Double) -> Void)? = nil,
    roundingError: (([Double], [Double]) -> Double)? = nil
  ) throws -> (theta: [Double], report: SolverReport) {
    let clock = Date()
    let p = objective.parameterCount
    var theta = start
    var (value, gradient) = objective.valueAndGradient(theta, rowWeights: nil)
    var evaluations = 1
    var iterations = 0
    var gNorm = gradientNorm.of(gradient)
    var monitor = StagnationMonitor(window: stagnationWindow, roundingError: roundingError)
    _ = monitor.reachedFloor(theta, value: value, gradient: gradient, norm: gNorm)
    var stagnated = false
    while gNorm > tolerance && iterations < maxIterations {
      let h = objective.hessian(theta, rowWeights: nil)
      let factor = try Self.factorWithShift(h, p: p)
      var direction = gradient
      LAPACK.choleskySolve(factor: factor, n: p, &direction)
      for i in 0..<p { direction[i] = -direction[i] }
      let search = backtrackingLineSearch(
        from: theta, value: value, gradient: gradient, direction: direction
      ) { objective.valueAndGradient($0, rowWeights: nil) }
      evaluations += search.evaluations
      guard let point = search.point else {
        stagnated = true
        break
      }
      (theta, value, gradient) = point
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
    guard value.isFinite else {
      throw ModelError.diverged(model: "Newton solver", reason: "the objective became \(value)")
    }
    let converged = gNorm <= tolerance
    if stagnated, let best = monitor.best, best.norm < gNorm {
      (theta, value, gNorm) = (best.theta, best.value, best.norm)
    }
    return (
      theta,
      SolverReport(
        solver: "newton", iterations: iterations, evaluations: evaluations, objective: value,
        gradientNorm: gNorm, converged: converged, seconds: Date().timeIntervalSince(clock),
        stop: converged ? .converged : stagnated ? .stagnated : .iterationLimit,
        floor: stagnated && !converged ? gNorm : nil, precision: objective.precision)
    )
  }

  /// The Cholesky factor of `h + τI` for the smallest τ ∈ {0, 10⁻¹⁰·m, 10⁻⁹·m, …} that works
  /// (m = the largest diagonal entry).
  static func factorWithShift(_ h: [Double], p: Int) throws -> [Double] {
    let largest = (0..<p).map { abs(h[$0 * p + $0]) }.max() ?? 1
    var shift = 0.0
    for _ in 0..<12 {
      var shifted = h
      for i in 0..<p { shifted[i * p + i] += shift }
      if (try? LAPACK.choleskyFactor(&shifted, n: p)) != nil { return shifted }
      shift = shift == 0 ? 1e-10 * max(largest, 1e-300) : shift * 10
    }
    throw ModelError.invalidTrainingData(
      model: "Newton solver",
      reason:
        "the Hessian is not positive definite; use the L-BFGS solver or a larger L2 penalty")
  }
}
