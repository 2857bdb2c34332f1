import ExpungeData
import ExpungeModels

/// A shard model after one stage: what the next stage continues from, and what a forget
/// request restarts from when it touches only later slices.
public struct SISACheckpoint: Sendable {
  /// The shard's model after the stage.
  public var model: any Classifier
  /// The MLP optimizer's moments and step count (nil for the convex models).
  public var optimizerState: OptimizerState?
  /// The statistics the stage standardized its rows with (see `ShardPreprocessing`); nil
  /// when the shard does not standardize.
  public var standardizer: Standardizer?

  public init(
    model: any Classifier, optimizerState: OptimizerState?, standardizer: Standardizer? = nil
  ) {
    self.model = model
    self.optimizerState = optimizerState
    self.standardizer = standardizer
  }
}
