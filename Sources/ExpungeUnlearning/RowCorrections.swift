import ExpungeCore
import ExpungeData

/// One feature value of one row: `column` is 0-based.
public struct FeatureCell: Hashable, Sendable, Codable {
  public var id: SampleID
  public var column: Int

  public init(id: SampleID, column: Int) {
    self.id = id
    self.column = column
  }
}

/// Corrections to training rows, the typed form of `--relabel ID:LABEL[,…]`,
/// `--zero-features ID:COL[,…]` and `--zero-columns COLS`: new labels for rows, feature
/// values of single rows set to 0, and whole feature columns set to 0 (columns 0-based).
///
/// Applying them yields the corrected data D̃ and the rows that changed (`RowChanges`), which
/// is what `InfluenceUpdate` needs. Corrections are absolute (a label *becomes* y, a value
/// *becomes* 0), so applying them to already corrected data changes nothing.
public struct RowCorrections: Sendable, Equatable {
  /// Row id → its new label.
  public var relabel: [SampleID: Int32]
  /// Single feature values to set to 0.
  public var zeroedFeatures: Set<FeatureCell>
  /// Feature columns to set to 0 in every row.
  public var zeroedColumns: Set<Int>

  public init(
    relabel: [SampleID: Int32] = [:], zeroedFeatures: Set<FeatureCell> = [],
    zeroedColumns: Set<Int> = []
  ) {
    self.relabel = relabel
    self.zeroedFeatures = zeroedFeatures
    self.zeroedColumns = zeroedColumns
  }

  /// Whether there is nothing to correct.
  public var isEmpty: Bool { relabel.isEmpty && zeroedFeatures.isEmpty && zeroedColumns.isEmpty }

  /// The corrected data (same rows, ids and order) and the rows whose label or features
  /// actually differ, in data order. A correction that sets a value it already has (a row
  /// relabelled to its own label, a zero set to 0) changes no row.
  /// - Throws: `UnlearningError.unknownIDs` for ids that are not rows of `data`,
  ///   `.columnOutOfRange` naming the (smallest) bad column and its row,
  ///   `.labelOutOfRange` naming the (smallest) row id with a label outside
  ///   `0..<data.classCount`. Nothing is applied when it throws.
  /// - Complexity: O(n) to index the ids, O(n·|columns|) for zeroed columns.
  public func apply(to data: Dataset) throws -> (data: Dataset, changes: RowChanges) {
    let d = data.featureCount
    let position = Dictionary(data.ids.enumerated().map { ($1, $0) }) { first, _ in first }
    let named = Set(relabel.keys).union(zeroedFeatures.map(\.id))
    let unknown = named.filter { position[$0] == nil }.sorted()
    guard unknown.isEmpty else {
      throw UnlearningError.unknownIDs(first: Array(unknown.prefix(10)), count: unknown.count)
    }
    if let column = zeroedColumns.filter({ $0 < 0 || $0 >= d }).min() {
      throw UnlearningError.columnOutOfRange(id: nil, column: column, featureCount: d)
    }
    let badCell = zeroedFeatures.filter { $0.column < 0 || $0.column >= d }
      .min { ($0.id, $0.column) < ($1.id, $1.column) }
    if let badCell {
      throw UnlearningError.columnOutOfRange(
        id: badCell.id, column: badCell.column, featureCount: d)
    }
    if let (id, label) = relabel.filter({ $0.value < 0 || Int($0.value) >= data.classCount })
      .min(by: { $0.key < $1.key })
    {
      throw UnlearningError.labelOutOfRange(id: id, label: label, classCount: data.classCount)
    }

    var corrected = data
    var changed = Set<Int>()
    for (id, label) in relabel {
      let i = position[id]!
      if corrected.labels[i] != label {
        corrected.labels[i] = label
        changed.insert(i)
      }
    }
    corrected.features.storage.withUnsafeMutableBufferPointer { x in
      for cell in zeroedFeatures {
        let i = position[cell.id]!
        if x[i * d + cell.column] != 0 {
          x[i * d + cell.column] = 0
          changed.insert(i)
        }
      }
      for column in zeroedColumns {
        for i in 0..<data.count where x[i * d + column] != 0 {
          x[i * d + column] = 0
          changed.insert(i)
        }
      }
    }
    let rows = changed.sorted()
    return (corrected, try RowChanges(old: data.subset(rows), new: corrected.subset(rows)))
  }
}
