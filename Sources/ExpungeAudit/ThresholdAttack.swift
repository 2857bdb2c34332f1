import ExpungeCore
import ExpungeModels

/// The simplest attacks: threshold one signal. The threshold maximizes balanced accuracy on
/// rows the attacker knows the answer for — retain (members) vs test (non-members) — and is
/// then applied to forget vs test; AUC and TPR at low FPR are threshold-free.
public struct ThresholdAttack: Sendable {
  public let signal: MembershipSignal
  public init(_ signal: MembershipSignal) { self.signal = signal }

  public var name: String { "\(signal.rawValue)-threshold" }

  /// Runs the attack on `model` given calibration rows (`retain`, members; `calibration`,
  /// non-members) and the rows to judge (`forget`, claimed members; `test`, non-members).
  public func run(
    _ model: AuditedModel, retain: (Matrix, [Int32]), calibration: (Matrix, [Int32]),
    forget: (Matrix, [Int32]), test: (Matrix, [Int32])
  ) -> AttackResult {
    func scores(_ rows: (Matrix, [Int32])) -> [Double] {
      signal.scores(model.posteriors(rows.0), labels: rows.1)
    }
    let threshold = Self.bestThreshold(members: scores(retain), nonMembers: scores(calibration))
    return AttackResult(
      name: name, members: scores(forget), nonMembers: scores(test), threshold: threshold)
  }

  /// The threshold t ("member if score ≥ t") with the best balanced accuracy, by one sweep
  /// over the sorted scores (ties broken toward the lower threshold).
  public static func bestThreshold(members: [Double], nonMembers: [Double]) -> Double {
    let m = members.sorted()
    let n = nonMembers.sorted()
    let candidates = Array(Set(m + n)).sorted()
    var (i, j) = (0, 0)  // members / non-members strictly below the candidate
    var best = (accuracy: -1.0, threshold: candidates.first ?? 0)
    for t in candidates {
      while i < m.count && m[i] < t { i += 1 }
      while j < n.count && n[j] < t { j += 1 }
      let tpr = Double(m.count - i) / Double(m.count)
      let tnr = Double(j) / Double(n.count)
      if (tpr + tnr) / 2 > best.accuracy { best = ((tpr + tnr) / 2, t) }
    }
    return best.threshold
  }
}
