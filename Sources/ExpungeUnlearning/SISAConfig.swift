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
