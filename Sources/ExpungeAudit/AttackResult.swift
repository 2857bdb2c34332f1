import ExpungeCore

/// What one membership-inference attack found, under its own name.
///
/// Members are the forgotten rows, non-members as many test rows; every attack's score is
/// oriented so that higher means "member".
public struct AttackResult: Sendable, Equatable, Codable {
  /// `loss-threshold`, `confidence-threshold`, `entropy-threshold`, `shadow`, `lira-online`, …
  public var name: String
  /// Area under the ROC of forget (members) vs test (non-members).
  public var auc: Double
  /// The AUC's standard deviation when the score carries no membership signal (Hanley &
  /// McNeil): an AUC within about two of these of 0.5 is chance.
  public var aucNoise: Double
  /// (TPR + TNR) / 2 at the attack's decision threshold (each attack says how it chose it).
  public var balancedAccuracy: Double
  /// TPR at 1 % and 0.1 % FPR on forget vs test.
  public var tprAt1PercentFPR: Double
  public var tprAt01PercentFPR: Double
  /// The ROC curve, for plots.
  public var rocFPR: [Double]
  public var rocTPR: [Double]

  /// The result of scoring `members` and `nonMembers`, deciding "member if score ≥
  /// `threshold`" for the balanced accuracy.
  public init(name: String, members: [Double], nonMembers: [Double], threshold: Double) {
    let roc = ROC(members: members, nonMembers: nonMembers)
    self.name = name
    auc = roc.auc
    aucNoise = ROC.nullStandardDeviation(members: members.count, nonMembers: nonMembers.count)
    balancedAccuracy = Self.balancedAccuracy(members, nonMembers, threshold: threshold)
    tprAt1PercentFPR = roc.tpr(atFPR: 0.01)
    tprAt01PercentFPR = roc.tpr(atFPR: 0.001)
    rocFPR = roc.points.map(\.fpr)
    rocTPR = roc.points.map(\.tpr)
  }

  /// The result for an attack with no rows of known membership to calibrate a threshold on
  /// (LiRA: its reference models say nothing about rows every one of them trained on). The
  /// balanced accuracy is cross-fitted: the rows are split in two seeded halves, the best
  /// threshold of each half is applied to the other, and the two accuracies averaged — an
  /// out-of-sample figure, never the optimistic best threshold of the judged rows themselves.
  public init(
    name: String, members: [Double], nonMembers: [Double],
    crossFitting generator: inout SeededGenerator
  ) {
    self.init(name: name, members: members, nonMembers: nonMembers, threshold: .infinity)
    func halves(_ scores: [Double]) -> ([Double], [Double]) {
      let order = generator.permutation(scores.count)
      let cut = scores.count / 2
      return (order[..<cut].map { scores[$0] }, order[cut...].map { scores[$0] })
    }
    let (m1, m2) = halves(members)
    let (n1, n2) = halves(nonMembers)
    guard !m1.isEmpty, !n1.isEmpty else {
      balancedAccuracy = 0.5
      return
    }
    let t1 = ThresholdAttack.bestThreshold(members: m1, nonMembers: n1)
    let t2 = ThresholdAttack.bestThreshold(members: m2, nonMembers: n2)
    balancedAccuracy =
      (Self.balancedAccuracy(m2, n2, threshold: t1) + Self.balancedAccuracy(m1, n1, threshold: t2))
      / 2
  }

  static func balancedAccuracy(_ members: [Double], _ nonMembers: [Double], threshold: Double)
    -> Double
  {
    let tpr = Double(members.filter { $0 >= threshold }.count) / Double(members.count)
    let tnr = Double(nonMembers.filter { $0 < threshold }.count) / Double(nonMembers.count)
    return (tpr + tnr) / 2
  }
}
