import ExpungeCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What a layered network's softmax output is trained toward, row by row.
///
/// With `p = softmax(z)` the row's probabilities and `t` its target distribution:
///
///     labels:        ℓ = −log p_y                     (t = onehot(y))
///     distributions: ℓ = −Σ_c t_c log p_c             (cross-entropy to soft targets)
///     teacher:       ℓ = Σ_c t_c (log t_c − log p_c)  (KL(t ‖ p), distillation to a teacher)
///
/// All three have the same gradient, `∂ℓ/∂z = p − t` (KL differs from the cross-entropy by
/// the teacher's entropy, a constant in z).
public enum SoftmaxTargets: Sendable {
  /// Hard labels in `0..<K`, one per row.
  case labels([Int32])
  /// `(n, K)` target distributions, rows summing to 1.
  case distributions(Matrix)
  /// `(n, K)` a teacher's output probabilities; the loss is KL(teacher ‖ model).
  case teacher(Matrix)

  /// Number of rows the targets cover.
  public var count: Int {
    switch self {
    case .labels(let y): y.count
    case .distributions(let t), .teacher(let t): t.rows
    }
  }

  /// Replaces `logits (rows, K)` of rows `first..<first+rows` by `scale·wᵢ·(p − t)` and
  /// returns `Σ wᵢ·ℓᵢ` (in `Double`); `losses`, when given, receives the unweighted `ℓᵢ`.
  ///
  /// - Parameters:
  ///   - weights: per-row weights wᵢ of all rows (indexed by `first + r`); nil means 1.
  ///     Negative weights ascend the loss on their rows (gradient ascent).
  func lossAndGradient(
    _ logits: UnsafeMutablePointer<Float>, first: Int, rows: Int, classes k: Int,
    weights: UnsafePointer<Float>?, scale: Float, losses: UnsafeMutablePointer<Float>? = nil
  ) -> Double {
    var total = 0.0
    withTargetRows { target in
      for r in 0..<rows {
        let z = logits + r * k
        var m = z[0]
        for c in 1..<k where z[c] > m { m = z[c] }
        var s: Float = 0
        for c in 0..<k { s += expf(z[c] - m) }
        let logS = logf(s)
        // log p_c = (z_c − m) − log s, from the logits before they are overwritten.
        var loss: Float = 0
        switch target {
        case .label(let y):
          loss = logS - (z[Int(y[first + r])] - m)
        case .soft(let t, let isTeacher):
          let row = t + (first + r) * k
          for c in 0..<k where row[c] > 0 {
            loss -= row[c] * ((z[c] - m) - logS)
            if isTeacher { loss += row[c] * logf(row[c]) }
          }
        }
        losses?[r] = loss
        let w = weights.map { $0[first + r] } ?? 1
        total += Double(w) * Double(loss)
        let factor = scale * w
        let inverse = factor / s
        for c in 0..<k { z[c] = expf(z[c] - m) * inverse }
        switch target {
        case .label(let y): z[Int(y[first + r])] -= factor
        case .soft(let t, _):
          let row = t + (first + r) * k
          for c in 0..<k { z[c] -= factor * row[c] }
        }
      }
    }
    return total
  }

  /// The per-row losses of `logits (rows, K)` (left unchanged) of rows `first..<first+rows`.
  func losses(
    _ logits: UnsafePointer<Float>, first: Int, rows: Int, classes k: Int,
    into out: UnsafeMutablePointer<Float>
  ) {
    let copy = UnsafeMutablePointer<Float>.allocate(capacity: rows * k)
    defer { copy.deallocate() }
    copy.update(from: logits, count: rows * k)
    _ = lossAndGradient(
      copy, first: first, rows: rows, classes: k, weights: nil, scale: 0, losses: out)
  }

  private enum RowTarget {
    case label(UnsafePointer<Int32>)
    case soft(UnsafePointer<Float>, isTeacher: Bool)
  }

  private func withTargetRows<R>(_ body: (RowTarget) -> R) -> R {
    switch self {
    case .labels(let y): y.withUnsafeBufferPointer { body(.label($0.baseAddress!)) }
    case .distributions(let t):
      t.storage.withUnsafeBufferPointer { body(.soft($0.baseAddress!, isTeacher: false)) }
    case .teacher(let t):
      t.storage.withUnsafeBufferPointer { body(.soft($0.baseAddress!, isTeacher: true)) }
    }
  }

  /// The rows `indices` of these targets, in that order.
  public func rows(_ indices: [Int]) -> SoftmaxTargets {
    switch self {
    case .labels(let y): .labels(indices.map { y[$0] })
    case .distributions(let t): .distributions(t.gatherRows(indices))
    case .teacher(let t): .teacher(t.gatherRows(indices))
    }
  }
}
