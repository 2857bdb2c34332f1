import ExpungeCore

/// A fully connected layer `y = x·Wᵀ + b` as a forward/backward pair over raw row-major
/// buffers (llm.c style): the weights are views into a model's flat parameter buffer and
/// the gradients views into the flat gradient buffer, so nothing is copied per batch.
///
/// Shapes: `x (rows, inFeatures)`, `W (outFeatures, inFeatures)`, `b (outFeatures)`,
/// `y (rows, outFeatures)`.
///
/// Backward (with `dy = ∂L/∂y`):
///
///     dW = dyᵀ · x        (outFeatures, inFeatures)
///     db = Σ_rows dy      (outFeatures)
///     dx = dy · W         (rows, inFeatures)     — skipped when `dx` is nil (the first layer)
public enum LinearLayer {
  /// `y ← f(x·Wᵀ + b)`: one gemm, then the bias add and the activation in one fused pass.
  ///
  /// - Parameters:
  ///   - y: `(rows, outFeatures)` output, overwritten.
  ///   - x: `(rows, inFeatures)` input.
  ///   - weight: `(outFeatures, inFeatures)`.
  ///   - bias: `(outFeatures)`.
  ///   - activation: applied after the bias; `nil` for a linear (output) layer.
  /// - Complexity: 2·rows·inFeatures·outFeatures flops (BLAS) + O(rows·outFeatures).
  @inlinable
  public static func forward(
    y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int,
    activation: Activation?
  ) {
    BLAS.gemm(
      .none, .transpose, m: rows, n: outFeatures, k: inFeatures, alpha: 1, a: x, lda: inFeatures,
      b: weight, ldb: inFeatures, beta: 0, c: y, ldc: outFeatures)
    ActivationKernels.biasActivationForward(
      y, bias: bias, rows: rows, cols: outFeatures, activation: activation)
  }

  /// Parameter gradients and (optionally) the input gradient of the layer.
  ///
  /// - Parameters:
  ///   - dx: `(rows, inFeatures)` input gradient, overwritten; `nil` skips the third gemm.
  ///   - dweight: `(outFeatures, inFeatures)`, overwritten (or added to when `accumulate`).
  ///   - dbias: `(outFeatures)`, overwritten (or added to when `accumulate`).
  ///   - dy: `(rows, outFeatures)` output gradient (after the activation backward).
  ///   - x: `(rows, inFeatures)` the forward input.
  ///   - weight: `(outFeatures, inFeatures)`.
  ///   - accumulate: add to `dweight`/`dbias` instead of overwriting them.
  ///   - rows: batch rows, ≥ 1.
  /// - Complexity: 2·rows·in·out flops for `dW`, as many again for `dx`, O(rows·out) for `db`.
  @inlinable
  public static func backward(
    dx: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>,
    dbias: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, x: UnsafePointer<Float>,
    weight: UnsafePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int,
    accumulate: Bool = false
  ) {
    BLAS.gemm(
      .transpose, .none, m: outFeatures, n: inFeatures, k: rows, alpha: 1, a: dy,
      lda: outFeatures, b: x, ldb: inFeatures, beta: accumulate ? 1 : 0, c: dweight,
      ldc: inFeatures)
    columnSums(dy, rows: rows, cols: outFeatures, into: dbias, accumulate: accumulate)
    if let dx {
      BLAS.gemm(
        .none, .none, m: rows, n: inFeatures, k: outFeatures, alpha: 1, a: dy, lda: outFeatures,
        b: weight, ldb: inFeatures, beta: 0, c: dx, ldc: inFeatures)
    }
  }

  /// `out[c] (+)= Σ_r a[r, c]` for a `(rows, cols)` buffer, row by row so the inner loop is
  /// contiguous and vectorizes. Accumulates in `Float` (rows are one minibatch, ≲ 10³).
  @inlinable
  public static func columnSums(
    _ a: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>,
    accumulate: Bool
  ) {
    if !accumulate { out.update(repeating: 0, count: cols) }
    for r in 0..<rows {
      let row = a + r * cols
      for c in 0..<cols { out[c] += row[c] }
    }
  }
}
