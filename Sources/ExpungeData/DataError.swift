/// Why data could not be loaded or used. Every case names where the problem is, so the CLI
/// can print one line a person can act on (exit code 65).
public enum DataError: Error, Equatable, CustomStringConvertible {
  /// The file does not exist or cannot be read.
  case unreadable(path: String, reason: String)
  /// A malformed value at a known place. `line` and `column` are 1-based; either may be absent.
  case malformed(path: String, line: Int?, column: String?, reason: String)
  /// A built-in dataset name that does not exist.
  case unknownDataset(name: String, known: [String])
  /// Two rows share an id.
  case duplicateID(path: String, line: Int, id: UInt64, firstLine: Int)
  /// Data of the wrong width for a model or another dataset.
  case widthMismatch(source: String, found: Int, expected: Int, expectedBy: String)
  /// A request that cannot be met (e.g. `--limit` larger than the data).
  case invalid(String)

  public var description: String {
    switch self {
    case .unreadable(let path, let reason):
      return "\(path): \(reason)"
    case .malformed(let path, let line, let column, let reason):
      var place = path
      if let line { place += ":\(line)" }
      if let column { place += ": column \(column)" }
      return "\(place): \(reason)"
    case .unknownDataset(let name, let known):
      return
        "unknown dataset '\(name)'; built-in datasets are \(known.joined(separator: ", ")), or give a file path"
    case .duplicateID(let path, let line, let id, let firstLine):
      return "\(path):\(line): duplicate id \(id) (first seen on line \(firstLine))"
    case .widthMismatch(let source, let found, let expected, let by):
      return "\(source) has \(found) features, but \(by) is expecting \(expected) features as input"
    case .invalid(let message):
      return message
    }
  }
}
