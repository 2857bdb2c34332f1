import ExpungeData

/// What a SISA shard does to its rows before its model sees them, and to prediction inputs
/// before its model answers: the fixed `scaling` (the same for every shard), then — with
/// `standardize` — a `Standardizer` fitted per shard and per stage.
///
/// The rule that keeps unlearning exact: stage r of shard k standardizes with the mean and
/// deviation of exactly the rows it trains on — shard k's rows in slices 0…r — and keeps
/// them in its checkpoint; the shard's model predicts with those of its last stage (all of
/// its rows). Stage r's statistics thus depend on the same rows as stage r's weights, so a
/// forgotten row in slice s leaves the checkpoints of stages before s untouched, statistics
/// included, and retraining from stage s recomputes every statistic that saw it. Statistics
/// over the whole shard, fixed for all stages, would be exact too, but every forgotten row
/// would change stage 0 and retrain the shard from scratch.
public struct ShardPreprocessing: Codable, Sendable, Hashable {
  /// Applied to every row first, if any.
  public var scaling: FeatureScaling?
  /// Standardize each shard's stage with its own rows' statistics. Default false.
  public var standardize: Bool

  public init(scaling: FeatureScaling? = nil, standardize: Bool = false) {
    self.scaling = scaling
    self.standardize = standardize
  }

  /// Nothing done to rows.
  public static let none = ShardPreprocessing()

  /// `rows` as stage training sees them, and the standardizer fitted on them (nil without
  /// `standardize`).
  public func prepare(_ rows: Dataset) -> (rows: Dataset, standardizer: Standardizer?) {
    let scaled = scaling?.transform(rows) ?? rows
    guard standardize else { return (scaled, nil) }
    let standardizer = Standardizer(fitting: scaled.features)
    return (standardizer.transform(scaled), standardizer)
  }
}
