import ExpungeData
import ExpungeModels

/// A forget or correction request that cannot be carried out; nothing has changed when it is
/// thrown.
public enum UnlearningError: Error, Equatable, CustomStringConvertible {
  /// Ids that were never training rows (up to 10 of them, and how many in all).
  case unknownIDs(first: [SampleID], count: Int)
  /// A request with no ids.
  case emptyRequest
  /// Ids of permanent rows (up to 10, and how many in all): the shared base was trained on
  /// them, so forgetting them means retraining the base and every shard.
  case permanentIDs(first: [SampleID], count: Int)
  /// Saved removal state that does not fit the model it is restored for.
  case badSavedState(String)
  /// A label outside `0..<classCount` for the row `id`.
  case labelOutOfRange(id: SampleID, label: Int32, classCount: Int)
  /// An unlearning method that does not apply to this model family, and why.
  case unsupportedModel(kind: ModelKind, method: String, reason: String)
  /// A setting of an unlearning method outside its range.
  case invalidSetting(name: String, value: String, expected: String)
  /// Changed rows that do not describe a change of the given training data (ids that differ
  /// between the old and new values, or new values that differ from the data's row).
  case inconsistentChange(id: SampleID?, reason: String)
  /// A Hessian solve that found no usable direction (e.g. negative curvature along the
  /// gradient), and what to do about it.
  case hessianSolveFailed(reason: String)

  public var description: String {
    switch self {
    case .unknownIDs(let first, let count):
      let list = first.map(\.description).joined(separator: ", ")
      return count > first.count
        ? "\(count) ids are not training rows of this model, among them \(list)"
        : "\(count == 1 ? "id" : "ids") \(list) \(count == 1 ? "is not a training row" : "are not training rows") of this model"
    case .emptyRequest:
      return "the request names no rows to forget"
    case .permanentIDs(let first, let count):
      let list = first.map(\.description).joined(separator: ", ")
      return
        "\(count == 1 ? "id \(list) is a permanent row" : "\(count) ids are permanent rows, among them \(list)"): the shared base was trained on it and every shard starts from the base, so forgetting it means retraining everything"
    case .badSavedState(let reason):
      return "the saved removal state does not fit the model: \(reason)"
    case .labelOutOfRange(let id, let label, let classCount):
      return
        "label \(label) for row id \(id) is out of range; the classes are 0…\(classCount - 1)"
    case .unsupportedModel(let kind, let method, let reason):
      return "\(method) does not support \(kind.rawValue) models: \(reason)"
    case .invalidSetting(let name, let value, let expected):
      return "\(name) = \(value) is invalid; expected \(expected)"
    case .inconsistentChange(let id, let reason):
      return id.map { "row id \($0): \(reason)" } ?? reason
    case .hessianSolveFailed(let reason):
      return reason
    }
  }
}
