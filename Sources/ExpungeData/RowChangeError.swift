/// A correction that cannot apply to the rows it names: the case says what and where, so
/// the command line can name its own option (`--relabel 3:7: …`).
public enum RowChangeError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A relabel to a class that does not exist.
  case noSuchClass(id: SampleID, label: Int32, classCount: Int)
  /// One row relabelled twice, to different classes.
  case twoLabels(id: SampleID, first: Int32, second: Int32)
  /// A zeroed cell of a feature that does not exist.
  case noSuchFeature(id: SampleID, feature: Int, featureCount: Int)
  /// A zeroed column that does not exist.
  case noSuchColumn(feature: Int, featureCount: Int)

  public var description: String {
    switch self {
    case .noSuchClass(let id, let label, let k):
      return
        "relabel of id \(id) to \(label): class \(label) does not exist (classes are 0…\(k - 1))"
    case .twoLabels(let id, let first, let second):
      return "relabel: id \(id) is given two labels, \(first) and \(second)"
    case .noSuchFeature(let id, let feature, let d):
      return
        "zeroing feature \(feature) of id \(id): feature \(feature) does not exist (features are 0…\(d - 1))"
    case .noSuchColumn(let feature, let d):
      return
        "zeroing column \(feature): feature \(feature) does not exist (features are 0…\(d - 1))"
    }
  }
}
