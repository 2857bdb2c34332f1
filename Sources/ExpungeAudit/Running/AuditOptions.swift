/// What an audit runs, besides its subject: the attacks, the reference models they train, the
/// seed of its sampling, and which comparison models it trains.
public struct AuditOptions: Codable, Sendable, Hashable {
  /// The attacks to run (default: all of them), run in `AuditAttack.allCases` order.
  public var attacks: [AuditAttack]
  /// Reference models per role for shadow, LiRA and epsilon-score (default 8, at least 2:
  /// each row needs models with and without it).
  public var referenceModels: Int
  /// Seed of the audit's sampling and of its reference models (default 0).
  public var seed: UInt64
  /// Whether to train the oracle — the recipe on the kept rows — and compare against it
  /// (default true).
  public var oracle: Bool
  /// Whether to train the original model — the recipe on every training row (default true).
  public var original: Bool

  public init(
    attacks: [AuditAttack] = AuditAttack.allCases, referenceModels: Int = 8, seed: UInt64 = 0,
    oracle: Bool = true, original: Bool = true
  ) {
    self.attacks = attacks
    self.referenceModels = referenceModels
    self.seed = seed
    self.oracle = oracle
    self.original = original
  }

  /// Throws `AuditError.invalidOption` for fewer than 2 reference models or no attack.
  public func validate() throws {
    guard referenceModels >= 2 else {
      throw AuditError.invalidOption(
        name: "referenceModels", value: String(referenceModels),
        expected: "an integer ≥ 2 (each row needs models with and without it)")
    }
    guard !attacks.isEmpty else {
      throw AuditError.invalidOption(
        name: "attacks", value: "[]", expected: "at least one of: \(AuditAttack.names)")
    }
  }
}
