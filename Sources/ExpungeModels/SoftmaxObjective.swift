import ExpungeCore
import ExpungeData
import Foundation

/// Multinomial cross-entropy with an L2 penalty on the weights:
///
///     L(b, W) = (1/C) Σᵢ cᵢ (−log softmax(W xᵢ + b)_{yᵢ}) + (λ/2)‖W‖²_F + (μ/2)(Σ_c b_c)²
///
/// θ = [b₀ … b_{K−1}, W₀₀ … W_{K−1,d−1}] (the `ParameterBuffer` order: `bias` then `weight`,
/// W row-major K × d). With P the softmax probabilities and Y the one-hot labels:
///
///     ∇_W L = (1/C) (c ⊙ (P − Y))ᵀ X + λW,     ∇_b L = (1/C) Σᵢ cᵢ (pᵢ − yᵢ)
///     ∇²L   = (1/C) Σᵢ cᵢ (diag(pᵢ) − pᵢpᵢᵀ) ⊗ x̃ᵢx̃ᵢᵀ + λĨ
///     ∇²L·V: uᵢ = V x̃ᵢ,  rᵢ = pᵢ ⊙ (uᵢ − pᵢᵀuᵢ),  then as the gradient with r for P − Y.
///
/// The intercepts have a flat direction: b + t·1 leaves every probability unchanged, so the
/// Hessian is singular along it and solvers asked for a tight tolerance walk rounding far
/// along it (intercepts near −100 after 1 000 L-BFGS iterations, a Newton step's worth of
/// drift per solve). The objective adds (μ/2)(Σ_c b_c)², μ = 1, which is zero on exactly
/// one point of each flat line: the minimizer and every prediction are unchanged, and the
/// Hessian gains μ·11ᵀ on the intercepts.
///
/// `precision` chooses the arithmetic of L and ∇L: single (`sums`, sgemm, the default) or
/// double (`sumsInDouble`, dgemm on row blocks converted as they are read), which the
/// solvers switch to when the tolerance lies below what single precision resolves. The
/// Hessian and Hessian-vector products use single-precision scores either way: they only
/// choose the direction, and the gradient decides where the solve stops.
public struct SoftmaxObjective: ConvexObjective {
  public let data: Dataset
  public let l2: Double
  public let fitIntercept: Bool
  public let classCount: Int
  /// The arithmetic of `valueAndGradient`'s products (default `.single`).
  public let precision: ProductPrecision

  public init(
    data: Dataset, classCount: Int, l2: Double, fitIntercept: Bool,
    precision: ProductPrecision = .single
  ) {
    self.data = data
    self.classCount = classCount
    self.l2 = l2
    self.fitIntercept = fitIntercept
    self.precision = precision
  }

  public func withPrecision(_ precision: ProductPrecision) -> (any ConvexObjective)? {
    SoftmaxObjective(
      data: data, classCount: classCount, l2: l2, fitIntercept: fitIntercept,
      precision: precision)
  }

  var d: Int { data.featureCount }
  var k: Int { classCount }
  var biasCount: Int { fitIntercept ? classCount : 0 }
  public var parameterCount: Int { biasCount + classCount * d }

  /// Z = X Wᵀ + b (n × K), Float.
  func scores(_ theta: [Double]) -> Matrix {
    let n = data.count
    let w = Matrix(rows: k, cols: d, storage: theta[biasCount...].map { Float($0) })
    var z = Matrix.zeros(n, k)
    BLAS.gemm(data.features, w, transB: .transpose, into: &z)
    if fitIntercept { z.addToEachRow(theta[0..<k].map { Float($0) }) }
    return z
  }

  /// The gradient-shaped vector [Σᵢ rᵢ, RᵀX] / C for an n × K matrix R (already weighted).
  func backProject(_ r: Matrix, total: Double) -> [Double] {
    var gw = Matrix.zeros(k, d)
    BLAS.gemm(r, data.features, transA: .transpose, into: &gw)
    let gb = fitIntercept ? r.columnSums().map { Double($0) / total } : []
    return gb + gw.storage.map { Double($0) / total }
  }

  /// Rows per block of the fused pass: a 512-row block of Fashion-MNIST (1.6 MB) is still in
  /// cache when `G += R_bᵀ X_b` reads it again after `Z_b = X_b Wᵀ`, so X crosses the memory
  /// bus once per evaluation, not twice. Measured on 2 cores: 512 rows 35 ms per evaluation,
  /// 256: 44 ms, 1 024: 37 ms, 4 096: 40 ms, 16 384: 42 ms (`expunge-bench worker softmax-eval`).
  static let blockRows = 512

  /// Rows of a chunk of the evaluation: chunks run in parallel, each summing its own partial
  /// gradient, and the partials are added in chunk order (so the bits do not depend on the
  /// thread count). At least a block, and enough work (≈ 4 Mflop) to outweigh a task.
  func chunkRows() -> Int { max(Self.blockRows, 1_000_000 / max(1, d * k)) }

  public func valueAndGradient(_ theta: [Double], rowWeights: [Float]?) -> (
    value: Double, gradient: [Double]
  ) {
    let sums =
      precision == .double
      ? sumsInDouble(theta, rowWeights: rowWeights) : sums(theta, rowWeights: rowWeights)
    let total = totalWeight(rowWeights, rows: data.count)
    var g = [Double](repeating: 0, count: parameterCount)
    let pinned = interceptSum(theta)
    for j in 0..<biasCount { g[j] = sums.gb[j] / total + Self.interceptPin * pinned }
    var penalty = 0.0
    for j in 0..<(k * d) {
      let t = theta[biasCount + j]
      penalty += t * t
      g[biasCount + j] = sums.gw[j] / total + l2 * t
    }
    return (
      sums.loss / total + 0.5 * l2 * penalty + 0.5 * Self.interceptPin * pinned * pinned, g
    )
  }

  /// The weighted sums behind `valueAndGradient`, in single precision: Σᵢ cᵢℓᵢ, Σᵢ rᵢ and
  /// RᵀX with R = c ⊙ (P − Y) (n × K), one fused pass over X in blocks.
  func sums(_ theta: [Double], rowWeights: [Float]?) -> (
    loss: Double, gb: [Double], gw: [Double]
  ) {
    let (n, k, d) = (data.count, self.k, self.d)
    let w = theta[biasCount...].map { Float($0) }
    let bias = fitIntercept ? theta[0..<k].map { Float($0) } : [Float](repeating: 0, count: k)
    let labels = data.labels
    let features = data.features
    // One chunk's share: Σ loss, Σ residual per class (Double), Rᵀ X (Float, K × d).
    let partials = parallelChunks(n, minimumChunk: chunkRows()) { chunk in
      var loss = 0.0
      var gb = [Double](repeating: 0, count: k)
      var gw = [Float](repeating: 0, count: k * d)
      var residual = [Float](repeating: 0, count: min(chunk.count, Self.blockRows) * k)
      var z = [Float](repeating: 0, count: k)
      features.storage.withUnsafeBufferPointer { x in
        for start in stride(from: chunk.lowerBound, to: chunk.upperBound, by: Self.blockRows) {
          let rows = min(Self.blockRows, chunk.upperBound - start)
          let xb = x.baseAddress! + start * d
          // The block's scores are kept class-major (K × rows): sgemm runs these thin
          // products (K = 10) about 1.5× faster in this orientation than as rows × K.
          residual.withUnsafeMutableBufferPointer { r in
            let rp = r.baseAddress!
            BLAS.gemm(
              .none, .transpose, m: k, n: rows, k: d, alpha: 1, a: w, lda: d, b: xb, ldb: d,
              beta: 0, c: rp, ldc: rows)
            for row in 0..<rows {
              let i = start + row
              let c = rowWeights?[i] ?? 1
              let y = Int(labels[i])
              var m = -Float.infinity
              for j in 0..<k {
                z[j] = rp[j * rows + row] + bias[j]
                m = max(m, z[j])
              }
              let labelMargin = z[y] - m
              var sum: Float = 0
              for j in 0..<k {
                z[j] = expf(z[j] - m)
                sum += z[j]
              }
              // −log pᵧ = log Σⱼ exp(zⱼ − m) − (zᵧ − m): finite however small pᵧ is.
              loss += Double(c) * Double(logf(sum) - labelMargin)
              let scale = c / sum
              for j in 0..<k { rp[j * rows + row] = z[j] * scale }
              rp[y * rows + row] -= c
            }
            BLAS.gemm(
              .none, .none, m: k, n: d, k: rows, alpha: 1, a: rp, lda: rows, b: xb, ldb: d,
              beta: 1, c: &gw, ldc: d)
            if fitIntercept {
              for j in 0..<k {
                var s = 0.0
                for row in 0..<rows { s += Double(rp[j * rows + row]) }
                gb[j] += s
              }
            }
          }
        }
      }
      return (loss: loss, gb: gb, gw: gw)
    }
    var lossSum = 0.0
    var gb = [Double](repeating: 0, count: k)
    var gw = [Double](repeating: 0, count: k * d)
    for part in partials {
      lossSum += part.loss
      for j in 0..<k { gb[j] += part.gb[j] }
      for j in 0..<(k * d) { gw[j] += Double(part.gw[j]) }
    }
    return (lossSum, gb, gw)
  }

  /// `sums` with every product in double precision and θ unrounded: the same chunks and
  /// blocks, each block of X converted to `Double` as it is used (one block of
  /// `blockRows` × d doubles per chunk, never a copy of X), then
  ///
  ///     Z_b = W X_bᵀ (dgemm, K × rows),  R_b = c ⊙ (softmax(Z_b + b) − Y_b),  G += R_b X_b
  ///
  /// - Complexity: 4·n·d·K flops in dgemm (about twice the time of sgemm) plus n·d
  ///   conversions; chunk partials added in chunk order, so the bits do not depend on the
  ///   thread count.
  func sumsInDouble(_ theta: [Double], rowWeights: [Float]?) -> (
    loss: Double, gb: [Double], gw: [Double]
  ) {
    let (n, k, d) = (data.count, self.k, self.d)
    let w = Array(theta[biasCount...])  // (K, d)
    let bias = fitIntercept ? Array(theta[0..<k]) : [Double](repeating: 0, count: k)
    let labels = data.labels
    let features = data.features
    let partials = parallelChunks(n, minimumChunk: chunkRows()) { chunk in
      var loss = 0.0
      var gb = [Double](repeating: 0, count: k)
      var gw = [Double](repeating: 0, count: k * d)  // (K, d)
      let capacity = min(chunk.count, Self.blockRows)
      var xb = [Double](repeating: 0, count: capacity * d)  // (rows, d)
      var residual = [Double](repeating: 0, count: capacity * k)  // (K, rows)
      var z = [Double](repeating: 0, count: k)
      features.storage.withUnsafeBufferPointer { x in
        for start in stride(from: chunk.lowerBound, to: chunk.upperBound, by: Self.blockRows) {
          let rows = min(Self.blockRows, chunk.upperBound - start)
          for e in 0..<(rows * d) { xb[e] = Double(x[start * d + e]) }
          xb.withUnsafeBufferPointer { xp in
            residual.withUnsafeMutableBufferPointer { r in
              let (xbp, rp) = (xp.baseAddress!, r.baseAddress!)
              BLAS.dgemm(
                .none, .transpose, m: k, n: rows, k: d, alpha: 1, a: w, lda: d, b: xbp, ldb: d,
                beta: 0, c: rp, ldc: rows)
              for row in 0..<rows {
                let i = start + row
                let c = Double(rowWeights?[i] ?? 1)
                let y = Int(labels[i])
                var m = -Double.infinity
                for j in 0..<k {
                  z[j] = rp[j * rows + row] + bias[j]
                  m = max(m, z[j])
                }
                let labelMargin = z[y] - m
                var sum = 0.0
                for j in 0..<k {
                  z[j] = Foundation.exp(z[j] - m)
                  sum += z[j]
                }
                loss += c * (Foundation.log(sum) - labelMargin)
                let scale = c / sum
                for j in 0..<k { rp[j * rows + row] = z[j] * scale }
                rp[y * rows + row] -= c
              }
              BLAS.dgemm(
                .none, .none, m: k, n: d, k: rows, alpha: 1, a: rp, lda: rows, b: xbp, ldb: d,
                beta: 1, c: &gw, ldc: d)
              if fitIntercept {
                for j in 0..<k {
                  var s = 0.0
                  for row in 0..<rows { s += rp[j * rows + row] }
                  gb[j] += s
                }
              }
            }
          }
        }
      }
      return (loss: loss, gb: gb, gw: gw)
    }
    var lossSum = 0.0
    var gb = [Double](repeating: 0, count: k)
    var gw = [Double](repeating: 0, count: k * d)
    for part in partials {
      lossSum += part.loss
      for j in 0..<k { gb[j] += part.gb[j] }
      for j in 0..<(k * d) { gw[j] += part.gw[j] }
    }
    return (lossSum, gb, gw)
  }

  /// μ of the (μ/2)(Σ_c b_c)² term; see the type's description.
  static let interceptPin = 1.0

  /// Σ_c b_c (0 without intercepts).
  func interceptSum(_ theta: [Double]) -> Double { theta[0..<biasCount].reduce(0, +) }

  /// The Kronecker-factored inverse curvature at θ (`KroneckerPreconditioner`).
  public func inverseHessianApproximation(_ theta: [Double], rowWeights: [Float]?)
    -> InverseHessianApproximation?
  {
    KroneckerPreconditioner.make(self, theta: theta, rowWeights: rowWeights)
  }

  public func hessianVectorProduct(_ theta: [Double], _ v: [Double], rowWeights: [Float]?)
    -> [Double]
  {
    let n = data.count
    let p = Softmax.rows(scores(theta))
    let u = scores(v)  // uᵢ = V x̃ᵢ
    let total = totalWeight(rowWeights, rows: n)
    var r = Matrix.zeros(n, k)
    for i in 0..<n {
      let c = rowWeights.map { $0[i] } ?? 1
      var mean: Float = 0
      for j in 0..<k { mean += p[i, j] * u[i, j] }
      for j in 0..<k { r[i, j] = c * p[i, j] * (u[i, j] - mean) }
    }
    var hv = backProject(r, total: total)
    for j in biasCount..<parameterCount { hv[j] += l2 * v[j] }
    let pinned = interceptSum(v)
    for j in 0..<biasCount { hv[j] += Self.interceptPin * pinned }
    return hv
  }

  public func hessian(_ theta: [Double], rowWeights: [Float]?) -> [Double] {
    let n = data.count
    let prob = Softmax.rows(scores(theta))
    let total = totalWeight(rowWeights, rows: n)
    let a = d + (fitIntercept ? 1 : 0)  // augmented width
    let pCount = parameterCount
    // Blocks H[k][l] (a × a) in class-major augmented order, accumulated chunk by chunk.
    var blocks = [[Double]](repeating: [Double](repeating: 0, count: a * a), count: k * k)
    var x = [Double](repeating: 0, count: hessianChunkRows * a)
    var scaled = [Double](repeating: 0, count: hessianChunkRows * a)
    for start in stride(from: 0, to: n, by: hessianChunkRows) {
      let rows = min(hessianChunkRows, n - start)
      for r in 0..<rows {
        let i = start + r
        if fitIntercept { x[r * a] = 1 }
        for j in 0..<d { x[r * a + a - d + j] = Double(data.features.storage[i * d + j]) }
      }
      for kk in 0..<k {
        for ll in kk..<k {
          for r in 0..<rows {
            let i = start + r
            let c = Double(rowWeights?[i] ?? 1)
            let pk = Double(prob[i, kk])
            let s = c * pk * ((kk == ll ? 1 : 0) - Double(prob[i, ll])) / total
            for j in 0..<a { scaled[r * a + j] = s * x[r * a + j] }
          }
          x.withUnsafeBufferPointer { xp in
            scaled.withUnsafeBufferPointer { sp in
              blocks[kk * k + ll].withUnsafeMutableBufferPointer { bp in
                BLAS.dgemm(
                  .transpose, .none, m: a, n: a, k: rows, alpha: 1, a: xp.baseAddress!, lda: a,
                  b: sp.baseAddress!, ldb: a, beta: 1, c: bp.baseAddress!, ldc: a)
              }
            }
          }
        }
      }
    }
    // θ index of (class c, augmented feature j): the intercept block first, then W row-major.
    func index(_ c: Int, _ j: Int) -> Int {
      fitIntercept ? (j == 0 ? c : k + c * d + (j - 1)) : c * d + j
    }
    var h = [Double](repeating: 0, count: pCount * pCount)
    for kk in 0..<k {
      for ll in kk..<k {
        let block = blocks[kk * k + ll]
        for i in 0..<a {
          for j in 0..<a {
            h[index(kk, i) * pCount + index(ll, j)] = block[i * a + j]
            h[index(ll, j) * pCount + index(kk, i)] = block[i * a + j]
          }
        }
      }
    }
    for j in biasCount..<pCount { h[j * pCount + j] += l2 }
    for i in 0..<biasCount { for j in 0..<biasCount { h[i * pCount + j] += Self.interceptPin } }
    return h
  }

  public func perSampleLosses(_ theta: [Double]) -> [Double] {
    let logp = Softmax.logRows(scores(theta))
    return (0..<data.count).map { -Double(logp[$0, Int(data.labels[$0])]) }
  }
}
