import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation

/// How far an unlearned model is from the oracle — the model retrained without the forget
/// set by the same recipe.
public struct OracleComparison: Sendable, Equatable, Codable {
  /// |metric(unlearned) − metric(oracle)| for UA, RA, TA and MIA-efficacy, and their mean
  /// (SalUn's "Avg. Gap"), all in [0, 1].
  public var gaps: [String: Double]
  public var averageGap: Double
  /// Mean Jensen–Shannon divergence (natural log, so in [0, ln 2]) between the two models'
  /// predictive distributions, on the forget and the test rows.
  public var jsDivergenceForget: Double
  public var jsDivergenceTest: Double
  /// ‖θ − θ_oracle‖₂ when the parameter layouts agree, else nil.
  public var parameterDistance: Double?

  public init(
    unlearned: AuditedModel, oracle: AuditedModel, unlearnedMetrics: UnlearningMetrics,
    oracleMetrics: UnlearningMetrics, unlearnedMIAEfficacy: Double, oracleMIAEfficacy: Double,
    forget: Dataset, test: Dataset
  ) {
    gaps = [
      "UA": abs(unlearnedMetrics.unlearningAccuracy - oracleMetrics.unlearningAccuracy),
      "RA": abs(unlearnedMetrics.retain.accuracy - oracleMetrics.retain.accuracy),
      "TA": abs(unlearnedMetrics.test.accuracy - oracleMetrics.test.accuracy),
      "MIA-efficacy": abs(unlearnedMIAEfficacy - oracleMIAEfficacy),
    ]
    averageGap = gaps.values.reduce(0, +) / Double(gaps.count)
    jsDivergenceForget = Self.meanJSDivergence(
      unlearned.posteriors(forget.features), oracle.posteriors(forget.features))
    jsDivergenceTest = Self.meanJSDivergence(
      unlearned.posteriors(test.features), oracle.posteriors(test.features))
    if let a = unlearned.parameters, let b = oracle.parameters, a.views == b.views {
      parameterDistance = a.distance(to: b)
    } else {
      parameterDistance = nil
    }
  }

  /// Mean over rows of JS(p‖q) = ½ KL(p‖m) + ½ KL(q‖m), m = (p + q)/2.
  public static func meanJSDivergence(_ p: Matrix, _ q: Matrix) -> Double {
    precondition(p.rows == q.rows && p.cols == q.cols, "JS divergence: shapes differ")
    guard p.rows > 0 else { return 0 }
    var total = 0.0
    for i in 0..<p.rows {
      for c in 0..<p.cols {
        let (a, b) = (Double(p[i, c]), Double(q[i, c]))
        let m = (a + b) / 2
        if a > 0 { total += 0.5 * a * log(a / m) }
        if b > 0 { total += 0.5 * b * log(b / m) }
      }
    }
    return total / Double(p.rows)
  }
}
