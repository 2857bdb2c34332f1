/// Corrections to training rows (Warnecke et al., "Machine Unlearning of Features and
/// Labels", NDSS 2023): new labels for some rows, some rows' feature values set to zero,
/// whole feature columns set to zero. `expunge forget --relabel / --zero-features /
/// --zero-columns` builds one; the store records it with the request, applies it to the rows
/// it keeps and updates the model.
///
/// Applying changes is idempotent (a relabel to the same label, a zero set to zero), which a
/// restart after a crash relies on.
public struct RowChanges: Codable, Equatable, Sendable {
  public struct Relabel: Codable, Equatable, Sendable {
    public var id: SampleID
    public var label: Int32
    public init(id: SampleID, label: Int32) {
      self.id = id
      self.label = label
    }
  }
  public struct Cell: Codable, Equatable, Sendable {
    public var id: SampleID
    /// The feature's index, 0 … d − 1.
    public var feature: Int
    public init(id: SampleID, feature: Int) {
      self.id = id
      self.feature = feature
    }
  }

  public var relabel: [Relabel] = []
  public var zeroFeatures: [Cell] = []
  /// Feature indices zeroed in every row.
  public var zeroColumns: [Int] = []

  public init(relabel: [Relabel] = [], zeroFeatures: [Cell] = [], zeroColumns: [Int] = []) {
    self.relabel = relabel
    self.zeroFeatures = zeroFeatures
    self.zeroColumns = zeroColumns
  }

  public var isEmpty: Bool { relabel.isEmpty && zeroFeatures.isEmpty && zeroColumns.isEmpty }

  /// Whether every row changes (a column is zeroed).
  public var touchesEveryRow: Bool { !zeroColumns.isEmpty }

  /// The ids named row by row (without the rows `zeroColumns` touches).
  public var namedIDs: [SampleID] {
    Array(Set(relabel.map(\.id) + zeroFeatures.map(\.id))).sorted()
  }

  /// The changes that concern the rows `ids` (a shard's): their relabels and cells, and the
  /// column changes, which concern every row.
  public func restricted(to ids: Set<SampleID>) -> RowChanges {
    RowChanges(
      relabel: relabel.filter { ids.contains($0.id) },
      zeroFeatures: zeroFeatures.filter { ids.contains($0.id) },
      zeroColumns: zeroColumns)
  }

  /// Refuses changes that cannot apply to rows of width `featureCount` and `classCount`
  /// classes: a label or feature index out of range, a row relabelled twice to different
  /// labels. Ids are the caller's to check (a store knows which it holds).
  public func validate(featureCount d: Int, classCount k: Int) throws {
    var labels: [SampleID: Int32] = [:]
    for r in relabel {
      guard (0..<Int32(k)).contains(r.label) else {
        throw RowChangeError.noSuchClass(id: r.id, label: r.label, classCount: k)
      }
      if let other = labels.updateValue(r.label, forKey: r.id), other != r.label {
        throw RowChangeError.twoLabels(id: r.id, first: other, second: r.label)
      }
    }
    for c in zeroFeatures where !(0..<d).contains(c.feature) {
      throw RowChangeError.noSuchFeature(id: c.id, feature: c.feature, featureCount: d)
    }
    for j in zeroColumns where !(0..<d).contains(j) {
      throw RowChangeError.noSuchColumn(feature: j, featureCount: d)
    }
  }

  /// Applies the changes to rows given as parallel arrays (`features` row-major, `width`
  /// wide); returns the indices of the rows whose label or features changed.
  @discardableResult
  public func apply(ids: [SampleID], labels: inout [Int32], features: inout [Float], width: Int)
    -> [Int]
  {
    var row: [SampleID: Int] = [:]
    for (i, id) in ids.enumerated() { row[id] = i }
    var changed = Set<Int>()
    for r in relabel {
      guard let i = row[r.id], labels[i] != r.label else { continue }
      labels[i] = r.label
      changed.insert(i)
    }
    for c in zeroFeatures {
      guard let i = row[c.id], features[i * width + c.feature] != 0 else { continue }
      features[i * width + c.feature] = 0
      changed.insert(i)
    }
    if !zeroColumns.isEmpty {
      for i in ids.indices {
        for j in zeroColumns where features[i * width + j] != 0 {
          features[i * width + j] = 0
          changed.insert(i)
        }
      }
    }
    return changed.sorted()
  }

  /// `data` with the changes applied, and the indices of the rows that changed.
  public func applied(to data: Dataset) -> (data: Dataset, changed: [Int]) {
    var out = data
    var features = data.features.storage
    let changed = apply(
      ids: data.ids, labels: &out.labels, features: &features, width: data.featureCount)
    out.features.storage = features
    return (out, changed)
  }
}
