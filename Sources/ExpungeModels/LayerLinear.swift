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
  /// `y ← f(x·Wᵀ + b)`: one gemm, the bias add and the activation fused into each of its
  /// tiles while the tile is in cache.
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
      b: weight, ldb: inFeatures, beta: 0, c: y, ldc: outFeatures
    ) { tileRows, tileColumns in
      ActivationKernels.biasActivationForward(
        y, bias: bias, rows: tileRows, columns: tileColumns, stride: outFeatures,
        activation: activation)
    }
  }

  /// Parameter gradients and (optionally) the input gradient of the layer.
  ///
  /// The input gradient is computed first, so that `gradientReady` may update the weights as
  /// soon as their gradient is final (each layer's optimizer step right after its gradient).
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
  ///   - gradientReady: called with all of `dweight` (as offsets from it) and then with all
  ///     of `dbias`, each once final.
  /// - Complexity: 2·rows·in·out flops for `dW`, as many again for `dx`, O(rows·out) for `db`.
  @inlinable
  public static func backward(
    dx: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>,
    dbias: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, x: UnsafePointer<Float>,
    weight: UnsafePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int,
    accumulate: Bool = false,
    gradientReady: ((_ run: Range<Int>, _ isWeight: Bool) -> Void)? = nil
  ) {
    if let dx {
      BLAS.gemm(
        .none, .none, m: rows, n: inFeatures, k: outFeatures, alpha: 1, a: dy, lda: outFeatures,
        b: weight, ldb: inFeatures, beta: 0, c: dx, ldc: inFeatures)
    }
    BLAS.gemm(
      .transpose, .none, m: outFeatures, n: inFeatures, k: rows, alpha: 1, a: dy,
      lda: outFeatures, b: x, ldb: inFeatures, beta: accumulate ? 1 : 0, c: dweight,
      ldc: inFeatures)
    columnSums(dy, rows: rows, cols: outFeatures, into: dbias, accumulate: accumulate)
    gradientReady?(0..<(outFeatures * inFeatures), true)
    gradientReady?(0..<outFeatures, false)
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
