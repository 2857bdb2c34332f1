import ExpungeCore
import Foundation

extension MembershipSignal {
  /// The logit-scaled confidence of each row, φ = log p_y − log Σ_{c≠y} p_c (Carlini et al.,
  /// "Membership Inference Attacks From First Principles", S&P 2022): the true-class
  /// confidence mapped to the whole real line, where it is close to Gaussian across models
  /// trained with and without the row — what LiRA's Gaussian fits and the ε-score's
  /// threshold search need. The wrong-class mass is summed directly, not taken as 1 − p_y,
  /// so confident rows keep their resolution; both terms are clamped at 1e-45.
  public static func logitScaledConfidence(_ probabilities: Matrix, labels: [Int32]) -> [Double] {
    (0..<probabilities.rows).map { i in
      let y = Int(labels[i])
      var wrong = 0.0
      for c in 0..<probabilities.cols where c != y { wrong += Double(probabilities[i, c]) }
      return log(max(Double(probabilities[i, y]), 1e-45)) - log(max(wrong, 1e-45))
    }
  }
}
