import ExpungeCore
import Foundation

/// Per-row scores an attacker computes from a model's output, oriented so that higher means
/// "more likely a training member".
public enum MembershipSignal: String, Sendable, CaseIterable, Codable {
  /// −ℓ = log p_y: members tend to have lower loss.
  case loss
  /// p_y, the probability of the true class.
  case confidence
  /// −H(p): members tend to get more confident (lower-entropy) predictions.
  case entropy

  /// The signal of each row of `probabilities` (rows × K) with true labels `labels`.
  public func scores(_ probabilities: Matrix, labels: [Int32]) -> [Double] {
    (0..<probabilities.rows).map { i in
      let py = Double(probabilities[i, Int(labels[i])])
      switch self {
      case .loss: return log(max(py, 1e-30))
      case .confidence: return py
      case .entropy:
        var h = 0.0
        for c in 0..<probabilities.cols {
          let p = Double(probabilities[i, c])
          if p > 0 { h -= p * log(p) }
        }
        return -h
      }
    }
  }
}
