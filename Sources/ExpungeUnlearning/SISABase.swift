import ExpungeCore
import ExpungeData
import ExpungeModels

/// The shared base of a SISA ensemble over permanent rows: rows that will never be
/// forgotten (licensed, public or synthetic data) train one model, and every shard builds
/// on it with its own, forgettable, rows.
///
/// - **MLP**: the base is a full network trained on the permanent rows with the model's
///   epochs and the seed `SeededGenerator(seed: seed).derived("base").next()`. Every shard's
///   stage 0 starts from the base's weights (with a fresh optimizer state) instead of a
///   random initialization and fine-tunes on its slices by the usual stage schedule.
/// - **Convex models** (logistic, softmax, ridge, certified logistic): a starting point does
///   not change a converged optimum, so an initializer alone would buy no accuracy. Every
///   shard's stage r instead solves on the permanent rows plus its slices 0…r, warm-started
///   from the previous stage, stage 0 from the base (the permanent rows' optimum): the
///   shard sees all the permanent data, and retraining it is a short solve from nearby.
///
/// Why forgetting stays exact: the base depends on the permanent rows and the seed only, so
/// a forgettable row never reaches it; a shard's stages depend on the base, the permanent
/// rows and the shard's own slices. Forgetting a forgettable row in slice s of shard k
/// retrains stages s… of shard k exactly as training without the row would, and a store
/// trained from scratch without the row (with the same permanent set) has the same base.
/// Forgetting a permanent row means retraining the base, and so every shard.
public struct SISABase: Sendable {
  /// The base model (with its preprocessing statistics, when shards standardize).
  public var checkpoint: SISACheckpoint
  /// The permanent rows, as the data file holds them, in training-file order.
  public var rows: Dataset

  public init(checkpoint: SISACheckpoint, rows: Dataset) {
    self.checkpoint = checkpoint
    self.rows = rows
  }

  /// The base's model configuration: an MLP's seed derived from the model seed with
  /// `"base"`; convex models keep theirs.
  public static func configuration(_ configuration: ModelConfiguration) -> ModelConfiguration {
    if case .cnn(var c) = configuration {
      var rng = SeededGenerator(seed: c.seed).derived("base")
      c.seed = rng.next()
      return .cnn(c)
    }
    guard case .mlp(var c) = configuration else { return configuration }
    var rng = SeededGenerator(seed: c.seed).derived("base")
    c.seed = rng.next()
    return .mlp(c)
  }

  /// Trains the base on `rows` (the permanent rows, as the data file holds them), after
  /// `preprocessing` (its standardizer, if any, fitted on these rows).
  /// - Throws: `ModelError` for bad hyperparameters or data (an empty `rows`).
  /// - Complexity: one plain training on `rows`.
  public static func train(
    _ rows: Dataset, configuration: ModelConfiguration, featureCount: Int, classCount: Int,
    preprocessing: ShardPreprocessing = .none
  ) throws -> SISABase {
    guard !rows.isEmpty else {
      throw ModelError.invalidHyperparameter(
        model: "SISA", name: "permanent rows", value: "0", expected: "at least 1 row")
    }
    let trainer = ShardTrainer(
      configuration: Self.configuration(configuration), slices: 1, shard: 0,
      featureCount: featureCount, classCount: classCount, preprocessing: preprocessing,
      base: nil)
    let checkpoint = try trainer.train(from: 0, previous: nil) { _ in rows }[0]
    return SISABase(checkpoint: checkpoint, rows: rows)
  }
}
