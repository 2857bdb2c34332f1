import Foundation

/// The audit's answer in one line, for people and scripts: does anything tell the unlearned
/// model from one that never saw the forgotten rows?
///
/// With an oracle, each attack's AUC on the unlearned model is compared with its AUC on the
/// oracle: a difference beyond 2√2 σ (σ the AUC's null deviation; the two AUCs are
/// independent estimates) flags the attack, and so does an Avg. Gap above `gapTolerance`.
/// Without one, each AUC is compared with chance, 0.5 ± 2σ. Two sigmas flag about one
/// attack in twenty by chance alone: the verdict says which attacks, so a person can judge.
public struct AuditVerdict: Sendable, Equatable, Codable {
  /// True when nothing was flagged.
  public var indistinguishable: Bool
  /// The attacks flagged, by name.
  public var flagged: [String]
  public var summary: String

  public static let gapTolerance = 0.01

  public init(unlearned: [AttackResult], oracle: [AttackResult]?, averageGap: Double?) {
    var flagged: [String] = []
    var worst = 0.0
    for (i, attack) in unlearned.enumerated() {
      let reference = oracle.map { $0[i].auc } ?? 0.5
      let sigma = attack.aucNoise * (oracle == nil ? 1 : 2.0.squareRoot())
      let z = sigma > 0 ? abs(attack.auc - reference) / sigma : 0
      worst = max(worst, z)
      if z > 2 { flagged.append(attack.name) }
    }
    let gapFlagged = (averageGap ?? 0) > Self.gapTolerance
    if gapFlagged { flagged.append("Avg. Gap") }
    self.flagged = flagged
    indistinguishable = flagged.isEmpty
    let against = oracle == nil ? "chance (AUC 0.5)" : "the oracle"
    let gapText = averageGap.map { String(format: "; Avg. Gap %.4f", $0) } ?? ""
    if unlearned.isEmpty {
      summary = "No attack ran\(gapText)."
    } else if flagged.isEmpty {
      summary = String(
        format: "Indistinguishable from %@: every attack within 2σ (largest %.1fσ)%@.", against,
        worst, gapText)
    } else {
      summary = String(
        format: "Distinguishable from %@ by %@ (largest %.1fσ)%@.", against,
        flagged.joined(separator: ", "), worst, gapText)
    }
  }
}
