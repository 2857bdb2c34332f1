/// Everything an audit measured, as `expunge audit --json` prints it.
public struct AuditReport: Codable, Sendable, Equatable {
  /// One audited model's numbers: the original, the model under audit ("unlearned"), the
  /// oracle.
  public struct Model: Codable, Sendable, Equatable {
    public var name: String
    public var metrics: UnlearningMetrics
    /// UA = 1 − accuracy on the forgotten rows.
    public var unlearningAccuracy: Double
    /// One result per attack run, in the configuration's order.
    public var attacks: [AttackResult]
    public var miaEfficacy: Double
  }

  /// The options the audit ran with.
  public struct Configuration: Codable, Sendable, Equatable {
    public var attacks: [String]
    public var referenceModels: Int
    public var seed: UInt64
    /// "retrain" or "none".
    public var oracle: String
    public var original: Bool
  }

  /// "store DIR, model version N" or "model DIR".
  public var subject: String
  public var configuration: Configuration
  public var forgottenRows: Int
  public var retainedRows: Int
  public var testRows: Int
  /// Seconds each completed ledger request took to unlearn (a store).
  public var unlearningSeconds: [Double]
  /// The original (unless skipped or nothing was forgotten), the model under audit, the
  /// oracle (unless skipped).
  public var models: [Model]
  public var oracleComparison: OracleComparison?
  public var verdict: AuditVerdict?
  public var epsilonScore: EpsilonScore?
  /// Trigger success rates and the deletion test, for a backdoored store or model.
  public var backdoor: BackdoorVerification?
  /// Seconds per stage of the audit: each model's training, each attack.
  public var timings: [String: Double]
  public var seconds: Double
  public var notes: [String]

  /// The model under audit's numbers.
  public var unlearned: Model? { models.first { $0.name == "unlearned" } }
}
