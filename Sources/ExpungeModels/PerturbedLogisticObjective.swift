import ExpungeCore
import ExpungeData

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The m binary models of a `CertifiedLogisticRegression` as one objective over their
/// stacked weights W = [w₀; …; w_{m−1}] (m × d, row-major), each model's part the summed,
/// perturbed objective of `CertifiedLogisticConfig`:
///
///     L(W) = Σₖ Lₖ(wₖ),   Lₖ(w) = Σᵢ log(1 + exp(−ỹᵢₖ wᵀxᵢ)) + (Λ/2)‖w‖² + bₖᵀw
///
///     ∇_{wₖ} L = Σᵢ (σ(wₖᵀxᵢ) − yᵢₖ) xᵢ + Λwₖ + bₖ,   ∇²_{wₖ} L = Σᵢ σ′(wₖᵀxᵢ) xᵢxᵢᵀ + ΛI
///
/// with yᵢₖ ∈ {0, 1} the row's own label for a binary model (m = 1) and [labelᵢ = k] for
/// one-vs-rest, ỹ = 2y − 1, σ′ = σ(1 − σ). No intercept; rows must already have ‖x‖ ≤ 1.
///
/// **One pass for every model.** L is separable — wₖ enters only Lₖ — so its minimizer is
/// every model's minimizer, and ‖∇L‖ bounds each ‖∇Lₖ‖. Evaluating the m models together
/// reads the rows once: each tile of rows is widened to Double once and meets all m weight
/// vectors in two products with m columns (Z = X Wᵀ, then ∇ = Rᵀ X).
///
/// **Double precision throughout**, logits included (`LogisticObjective` runs its n × d
/// products in Float): the removal certificate bounds ‖∇Lₖ‖ itself, so the gradient training
/// stops on must be the vector the certificate is about; and the Hessian a removal factors
/// must be ∇²Lₖ at its reference weights exactly — a logit rounded to Float moves the row's
/// curvature σ′ by up to γ times the rounding, which the removal's bound does not cover.
///
/// Every pass is split over row chunks fixed by n, whose partial sums are added in chunk
/// order: the same bits on any thread count.
public struct PerturbedLogisticObjective: Sendable {
  /// The rows, already scaled to ‖x‖ ≤ 1, (n, d).
  public let rows: Matrix
  /// Class labels (0/1 for a binary model, 0..<m for one-vs-rest).
  public let labels: [Int32]
  /// m: 1 for a binary model, K for one-vs-rest.
  public let modelCount: Int
  /// Λ.
  public let totalPenalty: Double
  /// b₀ … b_{m−1}, (m, d) row-major.
  public let perturbations: [Double]

  /// - Parameters:
  ///   - data: rows with ‖x‖ ≤ 1 and their class labels; two classes make one binary model,
  ///     K > 2 classes make K one-vs-rest models.
  ///   - totalPenalty: Λ > 0.
  ///   - perturbations: bₖ for each model, d entries each.
  public init(data: Dataset, totalPenalty: Double, perturbations: [[Double]]) {
    let m = data.classCount == 2 ? 1 : data.classCount
    precondition(
      perturbations.count == m && perturbations.allSatisfy { $0.count == data.featureCount },
      "PerturbedLogisticObjective: \(perturbations.count) perturbations for \(m) models of \(data.featureCount) features"
    )
    rows = data.features
    labels = data.labels
    modelCount = m
    self.totalPenalty = totalPenalty
    self.perturbations = perturbations.flatMap { $0 }
  }

  var d: Int { rows.cols }

  /// Lₖ(wₖ) for every model and ∇L(W) (m × d), over all rows.
  /// - Complexity: 4·n·d·m flops in one pass over the rows.
  public func valuesAndGradient(_ weights: [Double]) -> (values: [Double], gradient: [Double]) {
    precondition(
      weights.count == modelCount * d,
      "W has \(weights.count) entries, expected \(modelCount)×\(d)")
    var (values, gradient) = lossAndGradientSums(Array(0..<modelCount), weights, keep: nil)
    for k in 0..<modelCount {
      for j in 0..<d {
        let (w, b) = (weights[k * d + j], perturbations[k * d + j])
        values[k] += 0.5 * totalPenalty * w * w + b * w
        gradient[k * d + j] += totalPenalty * w + b
      }
    }
    return (values, gradient)
  }

  /// ∇Lₖ(w) for model k alone, over the rows with `keep` (all when nil).
  /// - Complexity: 4·n·d flops.
  public func gradient(model k: Int, at w: [Double], keep: [Bool]? = nil) -> [Double] {
    precondition(w.count == d, "w has \(w.count) entries, expected \(d)")
    var g = lossAndGradientSums([k], w, keep: keep).gradient
    for j in 0..<d { g[j] += totalPenalty * w[j] + perturbations[k * d + j] }
    return g
  }

  /// ∇²Lₖ(w) over the rows with `keep` (all when nil), d × d row-major.
  /// - Complexity: n·d² flops (`BLAS.dsyrkFull` over chunks of rows) and 2·n·d for the
  ///   logits.
  public func hessian(model k: Int, at w: [Double], keep: [Bool]? = nil) -> [Double] {
    precondition(w.count == d, "w has \(w.count) entries, expected \(d)")
    let kept = Self.keptRows(keep, count: rows.rows)
    let n = kept?.count ?? rows.rows
    var h = [Double](repeating: 0, count: d * d)
    var chunk = [Double](repeating: 0, count: hessianChunkRows * d)  // (rows, d)
    var z = [Double](repeating: 0, count: hessianChunkRows)
    rows.storage.withUnsafeBufferPointer { x in
      for start in stride(from: 0, to: n, by: hessianChunkRows) {
        let count = min(hessianChunkRows, n - start)
        chunk.withUnsafeMutableBufferPointer { c in
          Self.widen(x, rows: start..<(start + count), of: kept, d: d, into: c)
          w.withUnsafeBufferPointer { wp in
            z.withUnsafeMutableBufferPointer { zp in
              BLAS.dgemv(
                .none, rows: count, cols: d, alpha: 1, a: c.baseAddress!, x: wp.baseAddress!,
                beta: 0, y: zp.baseAddress!)
            }
          }
          for r in 0..<count {
            let p = sigmoid(z[r])
            let root = (p * (1 - p)).squareRoot()
            for j in 0..<d { c[r * d + j] *= root }
          }
          h.withUnsafeMutableBufferPointer { hp in
            BLAS.dsyrkFull(
              n: count, d: d, alpha: 1, a: c.baseAddress!, beta: 1, c: hp.baseAddress!)
          }
        }
      }
    }
    for j in 0..<d { h[j * d + j] += totalPenalty }
    return h
  }

  /// The positions of the rows with `keep` (nil: every row).
  static func keptRows(_ keep: [Bool]?, count: Int) -> [Int]? {
    keep.map { keep in
      precondition(keep.count == count, "keep has \(keep.count) flags for \(count) rows")
      return keep.indices.filter { keep[$0] }
    }
  }

  /// Copies the rows at positions `range` of `kept` (of all rows when nil) of the row-major
  /// `x` into `out` in Double, one after another. Skipping removed rows rather than
  /// weighting them by 0 makes every sum over the kept rows the same bits as over a dataset
  /// holding only them.
  static func widen(
    _ x: UnsafeBufferPointer<Float>, rows range: Range<Int>, of kept: [Int]?, d: Int,
    into out: UnsafeMutableBufferPointer<Double>
  ) {
    for (r, position) in range.enumerated() {
      let i = kept?[position] ?? position
      for j in 0..<d { out[r * d + j] = Double(x[i * d + j]) }
    }
  }

  /// Rows the preconditioner's curvature is estimated from, at most.
  static let preconditionerRows = 1024

  /// An approximation of ∇²L⁻¹ for L-BFGS to start its directions from, in the scale of
  /// L/n (the objective training minimizes):
  ///
  ///     M = (1/(4s)) X_sᵀX_s + (Λ/n) I,   applied to each model's block of W
  ///
  /// At W = 0, where training starts, every row's curvature is σ′(0) = 1/4, so every
  /// model's Hessian is (1/4)XᵀX + ΛI, the same for all m: M is that Hessian (over n) with
  /// XᵀX/n estimated from s = min(n, 1024) rows taken at a fixed stride (every ⌊n/s⌋-th), so
  /// its cost does not grow with n. Its shape is what makes raw pixels ill-conditioned —
  /// strongly correlated features — and L-BFGS rescales M⁻¹ at each iteration (γ = sᵀy /
  /// yᵀM⁻¹y), so the change of curvature away from 0 is left to the solver's memory.
  /// - Complexity: 2·s·d² flops (sgemm; only the shape of M matters, so Float suffices),
  ///   d³/3 for its Cholesky factor; each application 2·m·d².
  /// - Throws: never for Λ > 0 (M is then positive definite); `CoreError` otherwise.
  public func preconditioner() throws -> InverseHessianApproximation {
    let (n, d, m) = (rows.rows, rows.cols, modelCount)
    let s = min(n, Self.preconditionerRows)
    var sample = [Float](repeating: 0, count: s * d)  // (s, d)
    rows.storage.withUnsafeBufferPointer { x in
      for r in 0..<s {
        let i = r * n / s
        for j in 0..<d { sample[r * d + j] = x[i * d + j] }
      }
    }
    var gram = [Float](repeating: 0, count: d * d)  // X_sᵀX_s
    BLAS.gemm(
      .transpose, .none, m: d, n: d, k: s, alpha: 1, a: sample, lda: d, b: sample, ldb: d,
      beta: 0, c: &gram, ldc: d)
    var factor = gram.map { Double($0) / (4 * Double(s)) }
    for j in 0..<d { factor[j * d + j] += totalPenalty / Double(n) }
    try LAPACK.choleskyFactor(&factor, n: d)
    return InverseHessianApproximation { [factor] v in
      guard m > 1 else {
        var out = v
        LAPACK.choleskySolve(factor: factor, n: d, &out)
        return out
      }
      var columns = [Double](repeating: 0, count: d * m)  // (d, m): one model per column
      for k in 0..<m { for j in 0..<d { columns[j * m + k] = v[k * d + j] } }
      LAPACK.choleskySolve(factor: factor, n: d, &columns, nrhs: m)
      var out = v
      for k in 0..<m { for j in 0..<d { out[k * d + j] = columns[j * m + k] } }
      return out
    }
  }

  /// Rows per tile of a pass: 256 rows of 784 Doubles (1.6 MB) stay in cache between the
  /// tile's two products.
  static let tileRows = 256

  /// Σᵢ ℓ(wₖ; xᵢ, yᵢₖ) for each model k in `models` and Σᵢ (σ(wₖᵀxᵢ) − yᵢₖ) xᵢ stacked
  /// ((models.count, d)), over the rows with `keep`; `weights` holds the listed models' wₖ,
  /// stacked in the same order.
  ///
  /// One exponential e = exp(−|z|) per logit serves both the loss, softplus(−ỹz) =
  /// max(−ỹz, 0) + log1p(e), and σ(z) = 1/(1 + e) for z ≥ 0, e/(1 + e) otherwise — the same
  /// bits as Core's `softplus` and `sigmoid`, which take one exponential each.
  func lossAndGradientSums(_ models: [Int], _ weights: [Double], keep: [Bool]?) -> (
    values: [Double], gradient: [Double]
  ) {
    let (d, c) = (rows.cols, models.count)
    let kept = Self.keptRows(keep, count: rows.rows)
    let n = kept?.count ?? rows.rows
    let (x, labels, binary) = (rows, labels, modelCount == 1)
    let partials = parallelChunks(n, minimumChunk: 4 * Self.tileRows) { range in
      let tileRows = Self.tileRows
      var tile = [Double](repeating: 0, count: tileRows * d)  // (tileRows, d)
      var z = [Double](repeating: 0, count: tileRows * c)  // (tileRows, c): logits, then σ − y
      var gradient = [Double](repeating: 0, count: c * d)  // (c, d)
      var losses = [Double](repeating: 0, count: c)
      x.storage.withUnsafeBufferPointer { xp in
        weights.withUnsafeBufferPointer { wp in
          tile.withUnsafeMutableBufferPointer { t in
            z.withUnsafeMutableBufferPointer { zp in
              gradient.withUnsafeMutableBufferPointer { g in
                for start in stride(from: range.lowerBound, to: range.upperBound, by: tileRows) {
                  let count = min(tileRows, range.upperBound - start)
                  Self.widen(xp, rows: start..<(start + count), of: kept, d: d, into: t)
                  if c == 1 {
                    BLAS.dgemv(
                      .none, rows: count, cols: d, alpha: 1, a: t.baseAddress!,
                      x: wp.baseAddress!, beta: 0, y: zp.baseAddress!)
                  } else {
                    BLAS.dgemm(
                      .none, .transpose, m: count, n: c, k: d, alpha: 1, a: t.baseAddress!,
                      lda: d, b: wp.baseAddress!, ldb: d, beta: 0, c: zp.baseAddress!, ldc: c)
                  }
                  for r in 0..<count {
                    let label = labels[kept?[start + r] ?? start + r]
                    for q in 0..<c {
                      let y: Double = binary ? Double(label) : (Int(label) == models[q] ? 1 : 0)
                      let logit = zp[r * c + q]
                      let e = exp(-abs(logit))
                      losses[q] += max((1 - 2 * y) * logit, 0) + log1p(e)
                      zp[r * c + q] = (logit >= 0 ? 1 / (1 + e) : e / (1 + e)) - y
                    }
                  }
                  if c == 1 {
                    BLAS.dgemv(
                      .transpose, rows: count, cols: d, alpha: 1, a: t.baseAddress!,
                      x: zp.baseAddress!, beta: 1, y: g.baseAddress!)
                  } else {
                    BLAS.dgemm(
                      .transpose, .none, m: c, n: d, k: count, alpha: 1, a: zp.baseAddress!,
                      lda: c, b: t.baseAddress!, ldb: d, beta: 1, c: g.baseAddress!, ldc: d)
                  }
                }
              }
            }
          }
        }
      }
      return (losses, gradient)
    }
    var values = [Double](repeating: 0, count: c)
    var gradient = [Double](repeating: 0, count: c * d)
    for (losses, partial) in partials {
      for q in 0..<c { values[q] += losses[q] }
      for e in 0..<(c * d) { gradient[e] += partial[e] }
    }
    return (values, gradient)
  }
}
