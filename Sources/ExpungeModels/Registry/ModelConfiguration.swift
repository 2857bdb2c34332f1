import ExpungeData

/// A model's hyperparameters, of any registered family. Encoded into a model directory's
/// `config.json` as `{"kind": …, "hyperparameters": {…}}`.
public struct ModelConfiguration: Codable, Sendable, Hashable {
  /// The family's hyperparameters.
  public let hyperparameters: any ModelFamily

  public init(_ hyperparameters: any ModelFamily) {
    self.hyperparameters = hyperparameters
  }

  /// The family.
  public var family: any ModelFamily.Type { type(of: hyperparameters) }
  /// The family's name.
  public var kind: ModelKind { family.kind }

  /// The hyperparameters as `type`, if this configuration is of that family.
  public func `as`<Family: ModelFamily>(_ type: Family.Type) -> Family? {
    hyperparameters as? Family
  }

  public static func == (a: ModelConfiguration, b: ModelConfiguration) -> Bool {
    AnyHashable(a.hyperparameters) == AnyHashable(b.hyperparameters)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(AnyHashable(hyperparameters))
  }

  private enum CodingKeys: String, CodingKey { case kind, hyperparameters }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let kind = try c.decode(ModelKind.self, forKey: .kind)
    let family = ModelRegistry.family(of: kind.rawValue)!
    hyperparameters = try family.init(from: c.superDecoder(forKey: .hyperparameters))
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .kind)
    try hyperparameters.encode(to: c.superEncoder(forKey: .hyperparameters))
  }
}

extension ModelConfiguration {
  /// Fits the model this configuration describes on `data`: the one entry the CLI, SISA
  /// and the audit's oracle all train through.
  public func fit(
    _ data: Dataset, validation: Dataset? = nil, observer: TrainingObserver? = nil
  ) throws -> any Classifier {
    try hyperparameters.fit(data, validation: validation, observer: observer)
  }

  /// The same configuration with its L2 penalty (weight decay) set to `l2`.
  public func withL2(_ l2: Double) -> ModelConfiguration {
    ModelConfiguration(hyperparameters.withL2(l2))
  }

  /// The same configuration with its random seed set to `seed`; deterministic families
  /// return `self`.
  public func withSeed(_ seed: UInt64) -> ModelConfiguration {
    ModelConfiguration(hyperparameters.withSeed(seed))
  }

  /// The family's seed, if it draws random numbers.
  public var seed: UInt64? { hyperparameters.randomSeed }
}
