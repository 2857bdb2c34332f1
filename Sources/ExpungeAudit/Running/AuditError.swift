import Foundation

/// Why an audit could not run.
public enum AuditError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// An option outside its range.
  case invalidOption(name: String, value: String, expected: String)
  /// The training data given lacks some of the rows the subject forgot (found of expected),
  /// so they cannot be judged: it must be the original data, with the same ids.
  case forgottenRowsMissing(source: String, found: Int, expected: Int)
  /// A store audit asked about a request its ledger does not hold.
  case noSuchRequest(store: String, request: Int)

  public var description: String {
    switch self {
    case .invalidOption(let name, let value, let expected):
      return "audit option \(name) = \(value) is invalid; expected \(expected)"
    case .forgottenRowsMissing(let source, let found, let expected):
      return
        "\(source): holds \(found) of the \(expected) forgotten rows; give the original training data, with the ids it had at training"
    case .noSuchRequest(let store, let request):
      return "\(store): no request #\(request) in the ledger"
    }
  }

  public var errorDescription: String? { description }
}
