/// The conjugate-gradient method (Hestenes & Stiefel, 1952) for `A·x = b` with a symmetric
/// `A` known only through products `A·v`, in double precision, from x₀ = 0:
///
///     r₀ = p₀ = b;   αₖ = rₖᵀrₖ / pₖᵀApₖ;   xₖ₊₁ = xₖ + αₖpₖ;   rₖ₊₁ = rₖ − αₖApₖ
///     βₖ = rₖ₊₁ᵀrₖ₊₁ / rₖᵀrₖ;   pₖ₊₁ = rₖ₊₁ + βₖpₖ
///
/// It stops when ‖rₖ‖ ≤ tolerance·‖b‖, after `maxIterations` products, or — A not being
/// positive definite along pₖ (pₖᵀApₖ ≤ 0, possible for a network's Hessian) — keeping the
/// iterate reached so far (Steihaug's rule), which still decreases the quadratic model.
public struct ConjugateGradient: Sendable, Equatable, Codable {
  /// Why the iteration ended.
  public enum Stop: String, Sendable, Equatable, Codable {
    /// ‖r‖ ≤ tolerance·‖b‖.
    case converged
    /// `maxIterations` products without converging.
    case iterationCap = "iteration-cap"
    /// pᵀAp ≤ 0: A has zero or negative curvature along the next direction.
    case negativeCurvature = "negative-curvature"
  }

  /// The solve's outcome.
  public struct Solution: Sendable, Equatable {
    /// x, the approximate solution.
    public var x: [Double]
    /// Products A·v taken (the iterations).
    public var iterations: Int
    /// ‖r‖/‖b‖ by the recurrence (0 for b = 0); the true residual can differ by the
    /// products' rounding.
    public var relativeResidual: Double
    public var stop: Stop
  }

  /// Cap on the iterations, ≥ 1. Default 100.
  public var maxIterations: Int
  /// Target ‖r‖/‖b‖, > 0. Default 1e-5 (single-precision products resolve about 1e-6).
  public var tolerance: Double

  public init(maxIterations: Int = 100, tolerance: Double = 1e-5) {
    self.maxIterations = maxIterations
    self.tolerance = tolerance
  }

  /// Solves `A·x = b`, `multiply(v)` returning `A·v`.
  public func solve(_ b: [Double], multiply: ([Double]) -> [Double]) -> Solution {
    let bNorm = Self.norm(b)
    var x = [Double](repeating: 0, count: b.count)
    guard bNorm > 0 else {
      return Solution(x: x, iterations: 0, relativeResidual: 0, stop: .converged)
    }
    var r = b
    var p = b
    var rr = Self.dot(r, r)
    var iterations = 0
    while iterations < maxIterations {
      let ap = multiply(p)
      iterations += 1
      let curvature = Self.dot(p, ap)
      guard curvature > 0 else {
        return Solution(
          x: x, iterations: iterations, relativeResidual: rr.squareRoot() / bNorm,
          stop: .negativeCurvature)
      }
      let alpha = rr / curvature
      for i in 0..<x.count {
        x[i] += alpha * p[i]
        r[i] -= alpha * ap[i]
      }
      let next = Self.dot(r, r)
      if next.squareRoot() <= tolerance * bNorm {
        return Solution(
          x: x, iterations: iterations, relativeResidual: next.squareRoot() / bNorm,
          stop: .converged)
      }
      let beta = next / rr
      for i in 0..<p.count { p[i] = r[i] + beta * p[i] }
      rr = next
    }
    return Solution(
      x: x, iterations: iterations, relativeResidual: rr.squareRoot() / bNorm, stop: .iterationCap)
  }

  static func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in 0..<a.count { s += a[i] * b[i] }
    return s
  }

  static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
}
