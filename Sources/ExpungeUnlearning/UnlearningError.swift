import ExpungeData

/// A forget request that cannot be carried out; nothing has changed when it is thrown.
public enum UnlearningError: Error, Equatable, CustomStringConvertible {
  /// Ids that were never training rows (up to 10 of them, and how many in all).
  case unknownIDs(first: [SampleID], count: Int)
  /// A request with no ids.
  case emptyRequest
  /// Saved removal state that does not fit the model it is restored for.
  case badSavedState(String)
  /// A model kind `NewtonUpdate` cannot update.
  case noNewtonUpdate(String)

  public var description: String {
    switch self {
    case .unknownIDs(let first, let count):
      let list = first.map(\.description).joined(separator: ", ")
      return count > first.count
        ? "\(count) ids are not training rows of this model, among them \(list)"
        : "\(count == 1 ? "id" : "ids") \(list) \(count == 1 ? "is not a training row" : "are not training rows") of this model"
    case .emptyRequest:
      return "the request names no rows to forget"
    case .badSavedState(let reason):
      return "the saved removal state does not fit the model: \(reason)"
    case .noNewtonUpdate(let kind):
      return
        "a \(kind) model has no Newton update with a guarantee; train with --certified (or use ridge), or forget by retraining"
    }
  }
}
