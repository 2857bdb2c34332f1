import ExpungeData

/// Training rows whose values change: the same ids, in the same order, before (`old`) and
/// after (`new`) the change — new labels, new feature values or both.
///
/// This is Z and Z̃ of feature and label unlearning (Warnecke et al., NDSS 2023): the training
/// data D becomes D̃ = (D ∖ Z) ∪ Z̃, with the same row count n.
public struct ChangedRows: Sendable, Equatable {
  /// The changed rows' values in the data the model was trained on.
  public let old: Dataset
  /// The same rows' values in the corrected data.
  public let new: Dataset

  /// Pairs old and new values of the same rows.
  /// - Throws: `UnlearningError.inconsistentChange` when the two hold different ids (or in
  ///   a different order), an id twice, or rows of different widths.
  public init(old: Dataset, new: Dataset) throws {
    guard old.featureCount == new.featureCount else {
      throw UnlearningError.inconsistentChange(
        id: nil,
        reason:
          "the old rows have \(old.featureCount) features and the new rows \(new.featureCount); a change keeps the width"
      )
    }
    guard old.ids == new.ids else {
      let first = zip(old.ids, new.ids).first { $0 != $1 }
      throw UnlearningError.inconsistentChange(
        id: first?.0,
        reason:
          "the old and new rows must hold the same ids in the same order (\(old.count) old rows, \(new.count) new rows\(first.map { ", new id \($0.1) where the old rows have \($0.0)" } ?? ""))"
      )
    }
    var seen = Set<SampleID>()
    if let repeated = old.ids.first(where: { !seen.insert($0).inserted }) {
      throw UnlearningError.inconsistentChange(
        id: repeated, reason: "the id appears twice among the changed rows")
    }
    self.old = old
    self.new = new
  }

  /// Number of changed rows |Z|.
  public var count: Int { old.count }
  /// Whether nothing changes.
  public var isEmpty: Bool { old.isEmpty }
  /// The changed rows' ids, in order.
  public var ids: [SampleID] { old.ids }
}

extension RowChanges {
  /// `data` with these corrections applied, and the rows that actually differ (old and new
  /// values, in data order). A correction that sets a value a row already has (a row
  /// relabelled to its own label, a zero set to 0) changes nothing.
  /// - Throws: `UnlearningError.unknownIDs` for ids that are not rows of `data`;
  ///   `DataError.invalid` for a label or feature out of range or a row given two labels.
  ///   Nothing is applied when it throws.
  public func apply(to data: Dataset) throws -> (data: Dataset, changes: ChangedRows) {
    try validate(featureCount: data.featureCount, classCount: data.classCount)
    let known = Set(data.ids)
    let unknown = namedIDs.filter { !known.contains($0) }
    guard unknown.isEmpty else {
      throw UnlearningError.unknownIDs(first: Array(unknown.prefix(10)), count: unknown.count)
    }
    let (corrected, rows) = applied(to: data)
    return (corrected, try ChangedRows(old: data.subset(rows), new: corrected.subset(rows)))
  }
}
