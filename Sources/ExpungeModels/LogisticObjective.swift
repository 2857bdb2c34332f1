import ExpungeCore
import ExpungeData

#if canImport(Glibc)
  import Glibc
#endif

/// Binary logistic loss with an L2 penalty on the weights:
///
///     L(b, w) = (1/C) Σᵢ cᵢ log(1 + exp(−ỹᵢ(b + wᵀxᵢ))) + (λ/2)‖w‖²,   ỹᵢ = 2yᵢ − 1
///
/// θ = [b, w₁ … w_d] (or [w] without intercept). With σ the sigmoid and pᵢ = σ(zᵢ):
///
///     ∇L  = (1/C) Σᵢ cᵢ (pᵢ − yᵢ) x̃ᵢ + λ w̃
///     ∇²L = (1/C) Σᵢ cᵢ pᵢ(1 − pᵢ) x̃ᵢ x̃ᵢᵀ + λ Ĩ
///
/// where x̃ = [1, x] and w̃, Ĩ leave the intercept unpenalized.
///
/// `precision` chooses the arithmetic of L and ∇L: single (sgemv, the default) or double
/// (`valueAndGradientInDouble`), which the solvers switch to when the tolerance lies below
/// what single precision resolves. The Hessian and Hessian-vector products use
/// single-precision logits either way: they only choose the direction.
public struct LogisticObjective: ConvexObjective {
  public let data: Dataset
  public let l2: Double
  public let fitIntercept: Bool
  /// The arithmetic of `valueAndGradient`'s products (default `.single`).
  public let precision: ProductPrecision

  public init(
    data: Dataset, l2: Double, fitIntercept: Bool, precision: ProductPrecision = .single
  ) {
    self.data = data
    self.l2 = l2
    self.fitIntercept = fitIntercept
    self.precision = precision
  }

  public func withPrecision(_ precision: ProductPrecision) -> (any ConvexObjective)? {
    LogisticObjective(data: data, l2: l2, fitIntercept: fitIntercept, precision: precision)
  }

  var d: Int { data.featureCount }
  var offset: Int { fitIntercept ? 1 : 0 }
  public var parameterCount: Int { d + offset }

  /// zᵢ = b + wᵀxᵢ for every row, in Double.
  func logits(_ theta: [Double]) -> [Double] {
    let n = data.count
    var w = theta[offset...].map { Float($0) }
    var z = [Float](repeating: 0, count: n)
    data.features.storage.withUnsafeBufferPointer { x in
      w.withUnsafeMutableBufferPointer { wp in
        z.withUnsafeMutableBufferPointer { zp in
          BLAS.gemv(
            .none, rows: n, cols: d, alpha: 1, a: x.baseAddress!, x: wp.baseAddress!, beta: 0,
            y: zp.baseAddress!)
        }
      }
    }
    let b = fitIntercept ? theta[0] : 0
    return z.map { Double($0) + b }
  }

  /// Xᵀr (d) plus Σ r (the intercept's part), for a per-row vector r.
  func transposedProduct(_ r: [Double]) -> [Double] {
    let n = data.count
    var rf = r.map { Float($0) }
    var out = [Float](repeating: 0, count: d)
    data.features.storage.withUnsafeBufferPointer { x in
      rf.withUnsafeMutableBufferPointer { rp in
        out.withUnsafeMutableBufferPointer { op in
          BLAS.gemv(
            .transpose, rows: n, cols: d, alpha: 1, a: x.baseAddress!, x: rp.baseAddress!, beta: 0,
            y: op.baseAddress!)
        }
      }
    }
    return (fitIntercept ? [r.reduce(0, +)] : []) + out.map { Double($0) }
  }

  public func valueAndGradient(_ theta: [Double], rowWeights: [Float]?) -> (
    value: Double, gradient: [Double]
  ) {
    if precision == .double { return valueAndGradientInDouble(theta, rowWeights: rowWeights) }
    let z = logits(theta)
    let total = totalWeight(rowWeights, rows: data.count)
    var loss = 0.0
    var r = [Double](repeating: 0, count: data.count)
    for i in 0..<data.count {
      let c = rowWeights.map { Double($0[i]) } ?? 1
      let y = Double(data.labels[i])
      let margin = (2 * y - 1) * z[i]
      loss += c * softplus(-margin)
      r[i] = c * (sigmoid(z[i]) - y) / total
    }
    var g = transposedProduct(r)
    var penalty = 0.0
    for j in offset..<parameterCount {
      penalty += theta[j] * theta[j]
      g[j] += l2 * theta[j]
    }
    return (loss / total + 0.5 * l2 * penalty, g)
  }

  /// Rows per block of the double-precision pass: 512 rows of 784 features (3.2 MB as
  /// `Double`) stay in cache between the two products that read them.
  static let blockRows = 512

  /// `valueAndGradient` with every product in double precision and θ unrounded, one fused
  /// pass over X in row blocks converted to `Double` as they are used (one block per chunk,
  /// never a copy of X):
  ///
  ///     z_b = X_b w + b (dgemv),   r_b = c ⊙ (σ(z_b) − y_b),   ∇_w += X_bᵀ r_b (dgemv)
  ///
  /// - Complexity: 4·n·d flops in dgemv plus n·d conversions; chunks of at least 2²⁰
  ///   elements fixed by the shape, partials added in chunk order (the bits do not depend on
  ///   the thread count).
  func valueAndGradientInDouble(_ theta: [Double], rowWeights: [Float]?) -> (
    value: Double, gradient: [Double]
  ) {
    let (n, d, offset) = (data.count, self.d, self.offset)
    let w = Array(theta[offset...])  // (d)
    let b = fitIntercept ? theta[0] : 0
    let labels = data.labels
    let features = data.features
    let minimumChunk = max(Self.blockRows, (1 << 20) / max(d, 1))
    let partials = parallelChunks(n, minimumChunk: minimumChunk) { chunk in
      var loss = 0.0
      var gb = 0.0
      var gw = [Double](repeating: 0, count: d)
      let capacity = min(chunk.count, Self.blockRows)
      var xb = [Double](repeating: 0, count: capacity * d)  // (rows, d)
      var r = [Double](repeating: 0, count: capacity)  // z, then the residual
      features.storage.withUnsafeBufferPointer { x in
        for start in stride(from: chunk.lowerBound, to: chunk.upperBound, by: Self.blockRows) {
          let rows = min(Self.blockRows, chunk.upperBound - start)
          for e in 0..<(rows * d) { xb[e] = Double(x[start * d + e]) }
          BLAS.dgemv(.none, rows: rows, cols: d, alpha: 1, a: xb, x: w, beta: 0, y: &r)
          for row in 0..<rows {
            let i = start + row
            let c = rowWeights.map { Double($0[i]) } ?? 1
            let y = Double(labels[i])
            let z = r[row] + b
            loss += c * softplus(-(2 * y - 1) * z)
            r[row] = c * (sigmoid(z) - y)
            gb += r[row]
          }
          BLAS.dgemv(.transpose, rows: rows, cols: d, alpha: 1, a: xb, x: r, beta: 1, y: &gw)
        }
      }
      return (loss: loss, gb: gb, gw: gw)
    }
    let total = totalWeight(rowWeights, rows: n)
    var lossSum = 0.0
    var g = [Double](repeating: 0, count: parameterCount)
    for part in partials {
      lossSum += part.loss
      if fitIntercept { g[0] += part.gb }
      for j in 0..<d { g[offset + j] += part.gw[j] }
    }
    var penalty = 0.0
    for j in 0..<parameterCount {
      g[j] /= total
      if j >= offset {
        penalty += theta[j] * theta[j]
        g[j] += l2 * theta[j]
      }
    }
    return (lossSum / total + 0.5 * l2 * penalty, g)
  }

  public func hessian(_ theta: [Double], rowWeights: [Float]?) -> [Double] {
    let z = logits(theta)
    let p = parameterCount
    let total = totalWeight(rowWeights, rows: data.count)
    var h = [Double](repeating: 0, count: p * p)
    var chunk = [Double](repeating: 0, count: hessianChunkRows * p)
    var s = [Double](repeating: 0, count: hessianChunkRows)
    for start in stride(from: 0, to: data.count, by: hessianChunkRows) {
      let rows = min(hessianChunkRows, data.count - start)
      for r in 0..<rows {
        let i = start + r
        let q = sigmoid(z[i])
        s[r] = (rowWeights.map { Double($0[i]) } ?? 1) * q * (1 - q)
        if fitIntercept { chunk[r * p] = 1 }
        for j in 0..<d { chunk[r * p + offset + j] = Double(data.features.storage[i * d + j]) }
      }
      accumulateWeightedGram(&h, augmented: &chunk, weights: s, rows: rows, p: p, scale: 1 / total)
    }
    for j in offset..<p { h[j * p + j] += l2 }
    return h
  }

  public func hessianVectorProduct(_ theta: [Double], _ v: [Double], rowWeights: [Float]?)
    -> [Double]
  {
    let z = logits(theta)
    let total = totalWeight(rowWeights, rows: data.count)
    let u = logits(v)  // X̃v; then X̃ᵀ(c ⊙ s ⊙ u)/C
    var r = [Double](repeating: 0, count: data.count)
    for i in 0..<data.count {
      let q = sigmoid(z[i])
      let c = rowWeights.map { Double($0[i]) } ?? 1
      r[i] = c * q * (1 - q) * u[i] / total
    }
    var hv = transposedProduct(r)
    for j in offset..<parameterCount { hv[j] += l2 * v[j] }
    return hv
  }

  public func perSampleLosses(_ theta: [Double]) -> [Double] {
    let z = logits(theta)
    return (0..<data.count).map { i in softplus(-(2 * Double(data.labels[i]) - 1) * z[i]) }
  }
}
