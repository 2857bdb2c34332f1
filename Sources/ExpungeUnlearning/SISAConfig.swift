import ExpungeCore
import ExpungeModels

/// How SISA (Bourtoule et al., "Machine Unlearning", IEEE S&P 2021) splits and trains.
///
/// The training rows are split into `shards` disjoint shards; each shard into `slices`
/// slices. One model per shard trains in `slices` stages — stage r on slices 0…r — with a
/// checkpoint after each stage. Predictions aggregate the shard models. Forgetting a row
/// retrains only its shard, from the checkpoint of the last stage that never saw the row.
/// `shards = 1, slices = 1` is plain training.
public struct SISAConfig: Codable, Sendable, Hashable {
  /// S ≥ 1. Default 1.
  public var shards: Int = 1
  /// R ≥ 1. Default 1.
  public var slices: Int = 1
  /// How shard predictions combine. Default `.vote`.
  public var aggregation: SISAAggregation = .vote
  /// Weight each shard's vote or probabilities by its row count. Default false.
  public var weightByShardSize: Bool = false
  /// Seeds the row-to-shard/slice assignment (the model's own seed seeds training).
  /// Default 0.
  public var assignmentSeed: UInt64 = 0
  /// How each shard's training seed follows from the model's. nil in stores written before
  /// Expunge recorded it, which keep their `.legacySum` seeds; new ones use `.derived`.
  public var shardSeeding: ShardSeeding? = .derived

  public init() {}

  public init(shards: Int, slices: Int, aggregation: SISAAggregation = .vote) {
    self.shards = shards
    self.slices = slices
    self.aggregation = aggregation
  }
}

/// How a SISA ensemble turns its shard models' outputs into one prediction.
public enum SISAAggregation: String, Codable, Sendable, Hashable, CaseIterable {
  /// Each shard votes for its arg-max class; most votes wins, ties to the lower class.
  case vote
  /// The mean of the shards' class probabilities (`mean-proba` on the command line).
  case meanProbability = "mean-proba"
}

/// How shard k's training seed follows from the model's seed s (and a shared base's).
public enum ShardSeeding: String, Codable, Sendable, Hashable {
  /// Every seeded family: shard 0 trains with s (a one-shard ensemble is plain training);
  /// shard k > 0 with `SeededGenerator(seed: s).derived("shard").derived(k).next()`, so no
  /// two shards — nor two stores with nearby seeds — share a stream; the base with
  /// `derived("base")`.
  case derived
  /// MLP only: shard k trains with s + k, the base with `derived("base")`; other families
  /// keep s. Stores trained before `derived` keep it, so their retrained shards stay exact.
  case legacySum = "legacy-sum"

  /// Shard `shard`'s configuration for a model configured as `configuration`.
  public func configuration(_ configuration: ModelConfiguration, shard: Int) -> ModelConfiguration {
    guard shard > 0, let seed = configuration.seed else { return configuration }
    switch self {
    case .derived:
      var rng = SeededGenerator(seed: seed).derived("shard").derived(UInt64(shard))
      return configuration.withSeed(rng.next())
    case .legacySum:
      guard configuration.family.continuation == .resumes else { return configuration }
      return configuration.withSeed(seed &+ UInt64(shard))
    }
  }

  /// The shared base's configuration (see `SISABase`).
  public func baseConfiguration(_ configuration: ModelConfiguration) -> ModelConfiguration {
    guard let seed = configuration.seed,
      self == .derived || configuration.family.continuation == .resumes
    else { return configuration }
    var rng = SeededGenerator(seed: seed).derived("base")
    return configuration.withSeed(rng.next())
  }
}
