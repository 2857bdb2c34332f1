import ExpungeCore
import ExpungeModels
import ExpungeUnlearning

/// A store's model version as one classifier: its shard models combined by the store's
/// aggregation, each shard weighted by the rows it learned from when the store weighs them.
/// Rows are given as the data file holds them; each shard preprocesses them its way.
public struct StoreModel: Predictor {
  /// The version it is.
  public var version: Int
  /// Each shard's model behind its preprocessing.
  public var shards: [PreprocessedClassifier]
  /// The store's SISA settings (aggregation, weighting).
  public var sisa: SISAConfig
  /// Rows each shard learned from in this version.
  public var shardSizes: [Int]
  public var featureCount: Int
  public var classCount: Int

  /// The ensemble's class scores: vote shares or mean probabilities.
  public func predictProbabilities(_ x: Matrix) -> Matrix {
    sisa.aggregation.combine(
      shards.map { $0.predictProbabilities(x) },
      weights: sisa.weightByShardSize ? shardSizes.map(Double.init) : nil)
  }
}

extension Store {
  /// Model version `version` (default: the current one) as one classifier.
  /// - Throws: as `preprocessedShardModels(version:)` for a version the store no longer has.
  public func model(version: Int? = nil) throws -> StoreModel {
    let current = try currentVersion()
    let n = version ?? current
    return StoreModel(
      version: n, shards: try preprocessedShardModels(version: n), sisa: sisa,
      shardSizes: n == current ? try shardRowCounts() : try shardRowCounts(version: n),
      featureCount: featureCount, classCount: classCount)
  }
}
