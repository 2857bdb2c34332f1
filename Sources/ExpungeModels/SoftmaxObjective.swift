import ExpungeCore
import ExpungeData
import Foundation

/// Multinomial cross-entropy with an L2 penalty on the weights:
///
///     L(b, W) = (1/C) Σᵢ cᵢ (−log softmax(W xᵢ + b)_{yᵢ}) + (λ/2)‖W‖²_F
///
/// θ = [b₀ … b_{K−1}, W₀₀ … W_{K−1,d−1}] (the `ParameterBuffer` order: `bias` then `weight`,
/// W row-major K × d). With P the softmax probabilities and Y the one-hot labels:
///
///     ∇_W L = (1/C) (c ⊙ (P − Y))ᵀ X + λW,     ∇_b L = (1/C) Σᵢ cᵢ (pᵢ − yᵢ)
///     ∇²L   = (1/C) Σᵢ cᵢ (diag(pᵢ) − pᵢpᵢᵀ) ⊗ x̃ᵢx̃ᵢᵀ + λĨ
///     ∇²L·V: uᵢ = V x̃ᵢ,  rᵢ = pᵢ ⊙ (uᵢ − pᵢᵀuᵢ),  then as the gradient with r for P − Y.
public struct SoftmaxObjective: ConvexObjective {
  public let data: Dataset
  public let l2: Double
  public let fitIntercept: Bool
  public let classCount: Int

  public init(data: Dataset, classCount: Int, l2: Double, fitIntercept: Bool) {
    self.data = data
    self.classCount = classCount
    self.l2 = l2
    self.fitIntercept = fitIntercept
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

  public func valueAndGradient(_ theta: [Double], rowWeights: [Float]?) -> (
    value: Double, gradient: [Double]
  ) {
    let n = data.count
    var p = scores(theta)
    let total = totalWeight(rowWeights, rows: n)
    var loss = 0.0
    p.storage.withUnsafeMutableBufferPointer { pp in
      Softmax.logInPlace(pp.baseAddress!, rows: n, cols: k)
      for i in 0..<n {
        let c = rowWeights.map { $0[i] } ?? 1
        let y = Int(data.labels[i])
        loss -= Double(c) * Double(pp[i * k + y])
        for j in 0..<k { pp[i * k + j] = c * exp(pp[i * k + j]) }
        pp[i * k + y] -= c
      }
    }
    var g = backProject(p, total: total)
    var penalty = 0.0
    for j in biasCount..<parameterCount {
      penalty += theta[j] * theta[j]
      g[j] += l2 * theta[j]
    }
    return (loss / total + 0.5 * l2 * penalty, g)
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
    return h
  }

  public func perSampleLosses(_ theta: [Double]) -> [Double] {
    let logp = Softmax.logRows(scores(theta))
    return (0..<data.count).map { -Double(logp[$0, Int(data.labels[$0])]) }
  }
}
