/// The membership-inference attacks an audit can run, by the names `expunge audit --attacks`
/// and the report use.
public enum AuditAttack: String, CaseIterable, Codable, Sendable {
  case lossThreshold = "loss-threshold"
  case confidenceThreshold = "confidence-threshold"
  case entropyThreshold = "entropy-threshold"
  case shadow
  case liraOnline = "lira-online"
  case liraOffline = "lira-offline"
  case epsilonScore = "epsilon-score"

  /// Every name, comma-separated, in the order the audit runs them.
  public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

  /// The score a threshold attack thresholds; nil for the other attacks.
  public var signal: MembershipSignal? {
    switch self {
    case .lossThreshold: .loss
    case .confidenceThreshold: .confidence
    case .entropyThreshold: .entropy
    default: nil
    }
  }

  /// The LiRA variant; nil for the other attacks.
  public var liraVariant: LiRAAttack.Variant? {
    switch self {
    case .liraOnline: .online
    case .liraOffline: .offline
    default: nil
    }
  }
}
