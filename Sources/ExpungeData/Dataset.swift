import ExpungeCore

/// Labelled rows for classification: `ids[i]` names row `i` of `features`, whose class is
/// `labels[i]` in `0..<classCount`.
///
/// A value type: subsets and splits are new datasets that share nothing mutable.
public struct Dataset: Sendable, Equatable {
  /// Stable ids, one per row, all distinct.
  public var ids: [SampleID]
  /// `n × d` features, row-major Float32.
  public var features: Matrix
  /// Class of each row, in `0..<classCount`.
  public var labels: [Int32]
  /// Number of classes (the largest label + 1, or more when declared by the source).
  public var classCount: Int
  /// Optional names of the feature columns (from a CSV header).
  public var featureNames: [String]?
  /// Where the rows came from, for messages and provenance (a file path or a built-in name).
  public var source: String

  /// A dataset; shapes are checked.
  public init(
    ids: [SampleID], features: Matrix, labels: [Int32], classCount: Int,
    featureNames: [String]? = nil, source: String = "memory"
  ) {
    precondition(
      ids.count == features.rows && labels.count == features.rows,
      "Dataset: \(ids.count) ids, \(labels.count) labels, \(features.rows) feature rows")
    self.ids = ids
    self.features = features
    self.labels = labels
    self.classCount = classCount
    self.featureNames = featureNames
    self.source = source
  }

  /// Number of rows.
  public var count: Int { features.rows }
  /// Number of features per row.
  public var featureCount: Int { features.cols }
  /// Whether there are no rows.
  public var isEmpty: Bool { count == 0 }

  /// The rows at `indices` (positions, not ids), in that order.
  public func subset<C: Collection>(_ indices: C) -> Dataset where C.Element == Int {
    Dataset(
      ids: indices.map { ids[$0] }, features: features.gatherRows(indices),
      labels: indices.map { labels[$0] }, classCount: classCount, featureNames: featureNames,
      source: source)
  }

  /// How many rows each class has.
  public var classCounts: [Int] {
    var counts = [Int](repeating: 0, count: classCount)
    for y in labels { counts[Int(y)] += 1 }
    return counts
  }
}
