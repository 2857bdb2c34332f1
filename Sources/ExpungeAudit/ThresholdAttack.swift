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
    Self.run(
      [signal], model, retain: retain, calibration: calibration, forget: forget, test: test)[0]
  }

  /// Runs one threshold attack per signal, asking the model for each set's posteriors once.
  public static func run(
    _ signals: [MembershipSignal], _ model: AuditedModel, retain: (Matrix, [Int32]),
    calibration: (Matrix, [Int32]), forget: (Matrix, [Int32]), test: (Matrix, [Int32])
  ) -> [AttackResult] {
    let sets = [retain, calibration, forget, test].map { (model.posteriors($0.0), $0.1) }
    return signals.map { signal in
      let s = sets.map { signal.scores($0.0, labels: $0.1) }
      let threshold = bestThreshold(members: s[0], nonMembers: s[1])
      return AttackResult(
        name: ThresholdAttack(signal).name, members: s[2], nonMembers: s[3], threshold: threshold)
    }
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
