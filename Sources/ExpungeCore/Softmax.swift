#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Numerically stable row-wise softmax and log-softmax.
///
///     softmax(z)ᵢ     = exp(zᵢ − m) / Σⱼ exp(zⱼ − m),   m = maxⱼ zⱼ
///     log_softmax(z)ᵢ = zᵢ − m − log Σⱼ exp(zⱼ − m)
///
/// Subtracting the row maximum keeps every exponent ≤ 0, so nothing overflows; the largest
/// term is exactly 1, so the sum never underflows to 0 and the logarithm stays finite.
public enum Softmax {
  /// Replaces each row of the `rows × cols` buffer `z` by its softmax.
  public static func inPlace(_ z: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    let zp = SendablePointer(z)
    parallelFor(rows, minimumChunk: max(1, 16_384 / max(cols, 1))) { range in
      for r in range {
        let row = zp.pointer + r * cols
        var m = -Float.infinity
        for c in 0..<cols { m = max(m, row[c]) }
        var s: Float = 0
        for c in 0..<cols {
          let e = expf(row[c] - m)
          row[c] = e
          s += e
        }
        let inv = 1 / s
        for c in 0..<cols { row[c] *= inv }
      }
    }
  }

  /// Replaces each row of the `rows × cols` buffer `z` by its log-softmax.
  public static func logInPlace(_ z: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    let zp = SendablePointer(z)
    parallelFor(rows, minimumChunk: max(1, 16_384 / max(cols, 1))) { range in
      for r in range {
        let row = zp.pointer + r * cols
        var m = -Float.infinity
        for c in 0..<cols { m = max(m, row[c]) }
        var s: Float = 0
        for c in 0..<cols { s += expf(row[c] - m) }
        // (zᵢ − m) is exact for nearby logits; folding m into the log term first would lose
        // the digits of zᵢ − m to the magnitude of m.
        let logSum = logf(s)
        for c in 0..<cols { row[c] = (row[c] - m) - logSum }
      }
    }
  }

  /// Row-wise softmax of `logits`.
  public static func rows(_ logits: Matrix) -> Matrix {
    var out = logits
    out.storage.withUnsafeMutableBufferPointer {
      inPlace($0.baseAddress!, rows: logits.rows, cols: logits.cols)
    }
    return out
  }

  /// Row-wise log-softmax of `logits`.
  public static func logRows(_ logits: Matrix) -> Matrix {
    var out = logits
    out.storage.withUnsafeMutableBufferPointer {
      logInPlace($0.baseAddress!, rows: logits.rows, cols: logits.cols)
    }
    return out
  }
}
