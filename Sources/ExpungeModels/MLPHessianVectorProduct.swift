import ExpungeCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension MLP {
  /// The exact product `H·v` of the mean loss's Hessian with a vector, by Pearlmutter's
  /// R-operator ("Fast Exact Multiplication by the Hessian", Neural Computation 1994): one
  /// forward pass, one forward pass of directional derivatives, one backward pass of both.
  ///
  ///     H·v = ∂/∂ε ∇_θ L(θ + ε·v) |_{ε=0},   L = (1/n) Σᵢ ℓ(xᵢ, yᵢ) + (λ/2)‖w‖²
  ///
  /// Derivation (R{·} is the directional derivative along v; V_l, v_b are v's views):
  ///
  ///     forward:   z_l = h_l W_lᵀ + b_l,        R z_l = h_l V_lᵀ + R h_l W_lᵀ + v_b,   R h₀ = 0
  ///                h_{l+1} = f(z_l),            R h_{l+1} = f′(z_l) ⊙ R z_l
  ///     output:    δ = (p − Y)/n,               R δ = (p ⊙ R z − p·⟨p, R z⟩)/n     (softmax Jacobian)
  ///     backward:  ∇W_l = δ_lᵀ h_l,             R ∇W_l = R δ_lᵀ h_l + δ_lᵀ R h_l
  ///                ∇b_l = Σ δ_l,                R ∇b_l = Σ R δ_l
  ///                g = δ_l W_l,                 R g = R δ_l W_l + δ_l V_l
  ///                δ_{l−1} = f′ ⊙ g,            R δ_{l−1} = f′ ⊙ R g + f″ ⊙ R z_{l−1} ⊙ g
  ///
  /// For ReLU f″ = 0 (the Hessian of the piecewise-linear network, exact away from kinks).
  /// The result is the exact Hessian for tanh, and for ReLU the Hessian wherever it exists.
  ///
  /// - Parameters:
  ///   - x: `(n, d)` rows, `n ≥ 1`.
  ///   - labels: `(n)` classes.
  ///   - vector: `(P)` v, laid out like `parameters`.
  ///   - weightDecay: λ ≥ 0, adds λ·v on weight entries (default 0: the data term only).
  /// - Returns: `(P)` H·v, laid out like `parameters`.
  /// - Complexity: ≈ 2.5× a gradient (about 15 flops per weight per row), in chunks of
  ///   1 024 rows; O(1 024 · Σ widths) extra memory.
  public func hessianVectorProduct(
    _ x: Matrix, labels: [Int32], vector: [Float], weightDecay: Double = 0
  ) -> [Float] {
    checkWidth(x)
    checkLabels(labels, rows: x.rows)
    precondition(x.rows > 0, "MLP.hessianVectorProduct: no rows")
    precondition(
      vector.count == parameters.count,
      "MLP.hessianVectorProduct: vector has \(vector.count) entries, the network \(parameters.count)"
    )
    let g = geometry
    let n = x.rows
    let capacity = min(n, MLPChunking.rows)
    let layers = g.layerCount
    let k = g.classCount
    let maxHidden = g.maxHidden
    // R-operator buffers, allocated once per call.
    // rz[l]: (rows, widths[l+1]) R z_l
    let rz = (0..<layers).map {
      UnsafeMutablePointer<Float>.allocate(capacity: capacity * g.widths[$0 + 1])
    }
    // rh[l]: (rows, widths[l+1]) R h_{l+1} (hidden layers only)
    let rh = (0..<layers).map {
      UnsafeMutablePointer<Float>.allocate(capacity: capacity * g.widths[$0 + 1])
    }
    let half = capacity * max(maxHidden, k)
    let delta = UnsafeMutablePointer<Float>.allocate(capacity: 2 * half)  // 2×(rows, width) δ
    let rdelta = UnsafeMutablePointer<Float>.allocate(capacity: 2 * half)  // 2×(rows, width) R δ
    let gh = UnsafeMutablePointer<Float>.allocate(capacity: capacity * max(maxHidden, 1))  // δ W
    defer {
      for p in rz + rh { p.deallocate() }
      delta.deallocate()
      rdelta.deallocate()
      gh.deallocate()
    }
    var out = [Float](repeating: 0, count: parameters.count)
    let scale = 1 / Float(n)

    vector.withUnsafeBufferPointer { vb in
      out.withUnsafeMutableBufferPointer { ob in
        labels.withUnsafeBufferPointer { yb in
          parameters.values.withUnsafeBufferPointer { tb in
            let (v, hv, theta) = (vb.baseAddress!, ob.baseAddress!, tb.baseAddress!)
            forEachChunk(x) { workspace, xp, start, rows in
              // R-forward.
              for l in 0..<layers {
                let (fanIn, fanOut) = (g.widths[l], g.widths[l + 1])
                let h = l == 0 ? xp : UnsafePointer(workspace.outputs[l - 1])
                BLAS.gemm(
                  .none, .transpose, m: rows, n: fanOut, k: fanIn, alpha: 1, a: h, lda: fanIn,
                  b: v + g.weightOffsets[l], ldb: fanIn, beta: 0, c: rz[l], ldc: fanOut)
                if l > 0 {
                  BLAS.gemm(
                    .none, .transpose, m: rows, n: fanOut, k: fanIn, alpha: 1, a: rh[l - 1],
                    lda: fanIn, b: theta + g.weightOffsets[l], ldb: fanIn, beta: 1, c: rz[l],
                    ldc: fanOut)
                }
                ActivationKernels.biasActivationForward(
                  rz[l], bias: v + g.biasOffsets[l], rows: rows, cols: fanOut, activation: nil)
                if l < layers - 1 {
                  let a = workspace.outputs[l]
                  for i in 0..<(rows * fanOut) {
                    rh[l][i] =
                      ActivationKernels.derivative(output: a[i], activation: g.activation)
                      * rz[l][i]
                  }
                }
              }
              // Output: δ = (p − Y)/n and R δ = (p ⊙ R z − p ⟨p, R z⟩)/n.
              var d = delta
              var rd = rdelta
              let z = workspace.logits
              let rzOut = rz[layers - 1]
              for r in 0..<rows {
                let zr = z + r * k
                var m = zr[0]
                for c in 1..<k where zr[c] > m { m = zr[c] }
                var s: Float = 0
                for c in 0..<k {
                  let e = expf(zr[c] - m)
                  d[r * k + c] = e
                  s += e
                }
                var dot: Float = 0
                for c in 0..<k {
                  let p = d[r * k + c] / s
                  d[r * k + c] = p
                  dot += p * rzOut[r * k + c]
                }
                for c in 0..<k {
                  let p = d[r * k + c]
                  rd[r * k + c] = scale * p * (rzOut[r * k + c] - dot)
                  d[r * k + c] = scale * p
                }
                d[r * k + Int(yb[start + r])] -= scale
              }
              // R-backward.
              for l in stride(from: layers - 1, through: 0, by: -1) {
                let (fanIn, fanOut) = (g.widths[l], g.widths[l + 1])
                let h = l == 0 ? xp : UnsafePointer(workspace.outputs[l - 1])
                let dW = hv + g.weightOffsets[l]
                BLAS.gemm(
                  .transpose, .none, m: fanOut, n: fanIn, k: rows, alpha: 1, a: rd, lda: fanOut,
                  b: h, ldb: fanIn, beta: 1, c: dW, ldc: fanIn)
                LinearLayer.columnSums(
                  rd, rows: rows, cols: fanOut, into: hv + g.biasOffsets[l], accumulate: true)
                guard l > 0 else { break }
                BLAS.gemm(
                  .transpose, .none, m: fanOut, n: fanIn, k: rows, alpha: 1, a: d, lda: fanOut,
                  b: rh[l - 1], ldb: fanIn, beta: 1, c: dW, ldc: fanIn)
                // g = δ W  and  R g = R δ W + δ V.
                let nextD = d == delta ? delta + half : delta
                let nextRD = rd == rdelta ? rdelta + half : rdelta
                BLAS.gemm(
                  .none, .none, m: rows, n: fanIn, k: fanOut, alpha: 1, a: d, lda: fanOut,
                  b: theta + g.weightOffsets[l], ldb: fanIn, beta: 0, c: gh, ldc: fanIn)
                BLAS.gemm(
                  .none, .none, m: rows, n: fanIn, k: fanOut, alpha: 1, a: rd, lda: fanOut,
                  b: theta + g.weightOffsets[l], ldb: fanIn, beta: 0, c: nextRD, ldc: fanIn)
                BLAS.gemm(
                  .none, .none, m: rows, n: fanIn, k: fanOut, alpha: 1, a: d, lda: fanOut,
                  b: v + g.weightOffsets[l], ldb: fanIn, beta: 1, c: nextRD, ldc: fanIn)
                let a = workspace.outputs[l - 1]
                let rzIn = rz[l - 1]
                for i in 0..<(rows * fanIn) {
                  let f1 = ActivationKernels.derivative(output: a[i], activation: g.activation)
                  let f2 = ActivationKernels.secondDerivative(
                    output: a[i], activation: g.activation)
                  nextRD[i] = f1 * nextRD[i] + f2 * rzIn[i] * gh[i]
                  nextD[i] = f1 * gh[i]
                }
                d = nextD
                rd = nextRD
              }
            }
          }
        }
      }
    }
    if weightDecay != 0 { addWeightDecay(Float(weightDecay), from: vector, to: &out) }
    return out
  }
}
