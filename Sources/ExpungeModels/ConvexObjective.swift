import ExpungeCore
import ExpungeData

/// An L2-regularized empirical risk over a dataset, as a function of a flat parameter vector
/// θ (in `Double`, laid out as the model's `ParameterBuffer`: sorted names, so `bias` before
/// `weight`):
///
///     L(θ) = (1/Σᵢ cᵢ) Σᵢ cᵢ ℓ(θ; xᵢ, yᵢ) + (λ/2)‖w‖²
///
/// where `cᵢ` are optional row weights (all 1 by default; 0 drops a row without copying the
/// data — how certified removal and influence functions evaluate "the data minus F").
///
/// Precision: the n×d products run in single precision through sgemm (their accumulation
/// error, ~√n·2⁻²⁴ relative, is far below any tolerance we stop at); sums over rows, θ, the
/// gradient and the Hessian are `Double`.
public protocol ConvexObjective: Sendable {
  /// Number of parameters p.
  var parameterCount: Int { get }
  /// λ.
  var l2: Double { get }
  /// L(θ) and ∇L(θ).
  func valueAndGradient(_ theta: [Double], rowWeights: [Float]?) -> (
    value: Double, gradient: [Double]
  )
  /// The exact Hessian ∇²L(θ), p × p row-major.
  /// - Complexity: O(n·p²) for logistic, O(n·K²·(d+1)²) for softmax.
  func hessian(_ theta: [Double], rowWeights: [Float]?) -> [Double]
  /// ∇²L(θ)·v without forming the Hessian: two passes over the data.
  func hessianVectorProduct(_ theta: [Double], _ v: [Double], rowWeights: [Float]?) -> [Double]
  /// Per-row losses ℓ(θ; xᵢ, yᵢ) (no penalty).
  func perSampleLosses(_ theta: [Double]) -> [Double]
  /// A cheap approximation of ∇²L(θ)⁻¹ that L-BFGS starts its directions from, or nil.
  func inverseHessianApproximation(_ theta: [Double], rowWeights: [Float]?)
    -> InverseHessianApproximation?
}

extension ConvexObjective {
  public func inverseHessianApproximation(_ theta: [Double], rowWeights: [Float]?)
    -> InverseHessianApproximation?
  { nil }
  public func value(_ theta: [Double]) -> Double { valueAndGradient(theta, rowWeights: nil).value }
  public func gradient(_ theta: [Double], rowWeights: [Float]? = nil) -> [Double] {
    valueAndGradient(theta, rowWeights: rowWeights).gradient
  }
}

/// Row weights' total (n when absent).
func totalWeight(_ weights: [Float]?, rows: Int) -> Double {
  weights.map { $0.reduce(0.0) { $0 + Double($1) } } ?? Double(rows)
}

/// Rows processed per chunk when forming Hessians in double precision (bounds memory).
let hessianChunkRows = 2048

/// Adds `scale · Σ_{rows} s_r · a_r a_rᵀ` to the p×p `h`, where `a_r` are the rows of
/// `augmented` (chunk × p, double) — the workhorse of both Hessians.
func accumulateWeightedGram(
  _ h: inout [Double], augmented: inout [Double], weights s: [Double], rows: Int, p: Int,
  scale: Double
) {
  for r in 0..<rows {
    let root = s[r].squareRoot()
    for j in 0..<p { augmented[r * p + j] *= root }
  }
  augmented.withUnsafeBufferPointer { a in
    h.withUnsafeMutableBufferPointer { hp in
      BLAS.dsyrkFull(n: rows, d: p, alpha: scale, a: a.baseAddress!, beta: 1, c: hp.baseAddress!)
    }
  }
}
