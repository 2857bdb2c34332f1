/// Which column of a CSV file: by header name, 0-based index, or the first or last.
public enum ColumnSelector: Sendable, Equatable {
  case name(String)
  case index(Int)
  case first
  case last

  /// The 0-based index among `count` columns named `header` (nil when there is no header).
  func resolve(count: Int, header: [String]?) -> Int? {
    switch self {
    case .first: return count > 0 ? 0 : nil
    case .last: return count > 0 ? count - 1 : nil
    case .index(let i): return i >= 0 && i < count ? i : nil
    case .name(let name): return header?.firstIndex(of: name)
    }
  }
}

/// How `DatasetCatalog.load` reads a file. Every field is optional with a sensible default.
public struct LoadOptions: Sendable, Equatable {
  /// CSV: the label column. Default `.last`.
  public var labelColumn: ColumnSelector = .last
  /// CSV: the id column (non-negative integers, unique). Default: ids are data-row numbers.
  public var idColumn: ColumnSelector? = nil
  /// CSV: whether the first row is a header; nil detects it (a non-numeric field in row 1).
  public var hasHeader: Bool? = nil
  /// CSV: lines to skip at the start of the file, before the header or the first row (such
  /// as the line of counts that scikit-learn's bundled CSV files begin with). Messages still
  /// give each line its number in the file. Default 0.
  public var skipRows: Int = 0
  /// CSV: whether the file has a label column. False for rows to predict: every column but
  /// the id column is a feature, and every row gets label 0 of a single class. Default true.
  public var hasLabels: Bool = true
  /// NPY: the labels file for a features file.
  public var labelsPath: String? = nil
  /// LIBSVM: the feature count (default: the largest index seen).
  public var featureCount: Int? = nil
  public init() {}
}
