import ExpungeData
import ExpungeModels
import Foundation

/// Forgetting rows by updating a model in place rather than retraining it (`expunge forget
/// --method newton`): certified removal for a `CertifiedLogisticRegression`, one Newton step
/// per row (see `CertifiedRemoval`); exact Cholesky downdates for a `RidgeClassifier` (see
/// `RidgeState`). Other models have no update with a guarantee and are refused.
public enum NewtonUpdate {
  /// Whether `kind` can be updated.
  public static func supports(_ kind: ModelKind) -> Bool {
    kind == .certifiedLogistic || kind == .ridge
  }

  public struct Result: Sendable {
    /// The updated model.
    public var model: any Classifier
    /// Certified: the request's report, the budget per binary model and the bounds to
    /// carry to the next request.
    public var report: CertifiedRemoval.Report?
    public var budget: Double?
    public var bounds: CertifiedRemoval.SavedBounds?
    /// Ridge: the state after the removal, to keep for the next request.
    public var ridge: RidgeState?
    /// The update's wall time, factoring included.
    public var seconds: Double
  }

  /// Removes `ids` (rows of `rows`, the data `model` now learns from) from `model`.
  /// - Parameters:
  ///   - bounds: a certified model's accumulated bounds from earlier requests (nil: measured
  ///     afresh, as after training).
  ///   - ridge: a ridge model's state from earlier requests (nil: formed from `rows`).
  /// - Throws: `UnlearningError` for unknown ids or an unsupported model; training errors
  ///   from a retrain.
  public static func apply(
    to model: any Classifier, rows: Dataset, removing ids: [SampleID],
    bounds: CertifiedRemoval.SavedBounds? = nil, ridge: RidgeState? = nil
  ) throws -> Result {
    let clock = Date()
    switch model {
    case let certified as CertifiedLogisticRegression:
      var removal = try CertifiedRemoval(model: certified, data: rows, accumulated: bounds)
      let report = try removal.removeOneByOne(ids)
      return Result(
        model: removal.model, report: report, budget: removal.budget,
        bounds: removal.savedBounds, seconds: Date().timeIntervalSince(clock))
    case let fitted as RidgeClassifier:
      var state = try ridge ?? RidgeState(fitting: rows, config: fitted.config)
      let position = Dictionary(uniqueKeysWithValues: rows.ids.enumerated().map { ($1, $0) })
      let unknown = ids.filter { position[$0] == nil }.sorted()
      guard unknown.isEmpty else {
        throw UnlearningError.unknownIDs(first: Array(unknown.prefix(10)), count: unknown.count)
      }
      try state.remove(rows.subset(ids.map { position[$0]! }))
      return Result(
        model: state.classifier(), ridge: state, seconds: Date().timeIntervalSince(clock))
    default:
      throw UnlearningError.unsupportedModel(
        kind: model.kind, method: "newton removal",
        reason:
          "only models trained for certified removal and ridge have an update with a guarantee; forget by retraining"
      )
    }
  }
}
