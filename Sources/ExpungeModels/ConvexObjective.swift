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
/// Precision: by default the n×d products run in single precision through sgemm, on the
/// stored `Float` data with θ rounded to `Float`; sums over rows, θ, the gradient and the
/// Hessian are `Double`. Rounding θ and the products leaves ‖∇L‖ a floor of roughly
/// 2⁻²⁴ times the size of the gradient's terms (|∂ℓ/∂z|·|x| summed over rows); a solver asked
/// for a tolerance below it continues with `withPrecision(.double)`, whose products run in
/// dgemm / dgemv on row blocks of X converted as they are read (`ConvexTraining.solve`).
public protocol ConvexObjective: Sendable {
  /// Number of parameters p.
  var parameterCount: Int { get }
  /// λ.
  var l2: Double { get }
  /// The arithmetic of the products behind `valueAndGradient` (default `.single`).
  var precision: ProductPrecision { get }
  /// The same objective with `valueAndGradient`'s products in `precision`, or nil when it has
  /// no such path. Value and gradient agree between precisions up to the single-precision
  /// rounding; the minimizer is the same.
  func withPrecision(_ precision: ProductPrecision) -> (any ConvexObjective)?
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
  public var precision: ProductPrecision { .single }
  public func withPrecision(_ precision: ProductPrecision) -> (any ConvexObjective)? {
    precision == self.precision ? self : nil
  }
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
