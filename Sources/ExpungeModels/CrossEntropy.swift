#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Softmax cross-entropy on logits, forward and backward fused into one pass per row.
///
/// For logits `z` (one row, K classes) and label `y`, with `m = maxⱼ zⱼ`:
///
///     pᵢ   = exp(zᵢ − m) / Σⱼ exp(zⱼ − m)
///     ℓ    = log Σⱼ exp(zⱼ − m) − (z_y − m)          (= −log p_y, computed without log p)
///     ∂ℓ/∂zᵢ = pᵢ − [i = y]
///
/// Derivation: ℓ = −z_y + log Σⱼ exp zⱼ, so ∂ℓ/∂zᵢ = −[i = y] + exp zᵢ / Σⱼ exp zⱼ.
/// Subtracting the row maximum keeps every exponent ≤ 0 (no overflow) and the largest term
/// equal to 1 (the logarithm's argument is ≥ 1, so ℓ is finite).
public enum CrossEntropy {
  /// Replaces `logits` by `scale · (softmax(logits) − onehot(labels))` and returns the sum of
  /// the row losses (accumulated in `Double`).
  ///
  /// With `scale = 1/n` the buffer holds the gradient of the mean loss over `n` rows.
  ///
  /// - Parameters:
  ///   - logits: `(rows, classes)` logits on entry, scaled `dlogits` on exit.
  ///   - labels: `(rows)` classes in `0..<classes` (the caller validates them).
  ///   - scale: the factor on every gradient entry, typically `1 / batchRows`.
  ///   - losses: optional `(rows)` output of the per-row losses.
  /// - Returns: `Σ_rows ℓ`.
  /// - Complexity: O(rows · classes), one `exp` per logit.
  @inlinable
  public static func forwardBackward(
    _ logits: UnsafeMutablePointer<Float>, labels: UnsafePointer<Int32>, rows: Int,
    classes: Int, scale: Float, losses: UnsafeMutablePointer<Float>? = nil
  ) -> Double {
    var total: Double = 0
    for r in 0..<rows {
      let z = logits + r * classes
      let y = Int(labels[r])
      var m = z[0]
      for c in 1..<classes where z[c] > m { m = z[c] }
      let zy = z[y]
      var s: Float = 0
      for c in 0..<classes {
        let e = expf(z[c] - m)
        z[c] = e
        s += e
      }
      let loss = logf(s) - (zy - m)
      losses?[r] = loss
      total += Double(loss)
      let k = scale / s
      for c in 0..<classes { z[c] *= k }
      z[y] -= scale
    }
    return total
  }

  /// Per-row losses `ℓ` of `(rows, classes)` logits, which are left unchanged.
  ///
  /// - Parameters:
  ///   - logits: `(rows, classes)`.
  ///   - labels: `(rows)`.
  ///   - losses: `(rows)` output.
  /// - Complexity: O(rows · classes).
  @inlinable
  public static func forward(
    _ logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, classes: Int,
    losses: UnsafeMutablePointer<Float>
  ) {
    for r in 0..<rows {
      let z = logits + r * classes
      var m = z[0]
      for c in 1..<classes where z[c] > m { m = z[c] }
      var s: Float = 0
      for c in 0..<classes { s += expf(z[c] - m) }
      losses[r] = logf(s) - (z[Int(labels[r])] - m)
    }
  }
}
