import ExpungeCore
import ExpungeData
import Foundation

/// One ledger request, as `expunge log` shows it.
public struct LedgerRequest: Codable, Equatable, Sendable {
  public var seq: Int
  public var created: String
  public var method: String
  public var ids: [SampleID]
  public var state: String
  public var version: Int
  public var removed: Int?
  public var alreadyForgotten: Int?
  /// Retrained shards and the first stage retrained in each, as "shard:stage".
  public var shards: [String]?
  public var seconds: Double?
  public var completed: String?
  public var previousHash: String?
  public var hash: String?
  /// For `--method newton`: what each affected shard's update did and certified.
  public var newton: [NewtonRemoval]?
  /// For a request that corrects rows instead of removing them: the corrections (recorded
  /// with the request, before any work) and, with `--method influence`, the update's order
  /// and step size.
  public var changes: RecordedChanges?
  /// For `--method influence`: what each affected shard's update did.
  public var influence: [InfluenceRecord]?
  /// The numeric environment that carried the request out (nil while PENDING, and in
  /// ledgers written before Expunge recorded it).
  public var environment: NumericEnvironment?
  /// For a model-update method (`ModelUpdateMethod`): its guarantee, settings and each
  /// shard's report.
  public var update: MethodRecord?

  /// What the hash covers: every field but the hash itself, in a fixed order.
  var canonical: String {
    let idList = ids.map(\.description).joined(separator: ",")
    let removedText = removed.map(String.init) ?? ""
    let alreadyText = alreadyForgotten.map(String.init) ?? ""
    let shardList = (shards ?? []).joined(separator: ",")
    let secondsText = seconds.map { String($0) } ?? ""
    let fields: [String] = [
      String(seq), created, method, idList, state, String(version), removedText, alreadyText,
      shardList, secondsText, completed ?? "", previousHash ?? "",
    ]
    // Appended only when present, so the hashes of earlier requests are unchanged.
    var text = fields.joined(separator: "|")
    if let changes { text += "|changes:" + canonicalJSON(changes) }
    if newton != nil || influence != nil { text += "|" + canonicalJSON(details) }
    if let environment { text += "|environment:" + canonicalJSON(environment) }
    if let update { text += "|update:" + canonicalJSON(update) }
    return text
  }

  /// What the ledger's `details` column holds: the records of the update.
  struct Details: Codable {
    var newton: [NewtonRemoval]?
    var influence: [InfluenceRecord]?
  }
  var details: Details { Details(newton: newton, influence: influence) }
}

/// One shard's part of a `--method newton` request.
public struct NewtonRemoval: Codable, Equatable, Sendable {
  public var shard: Int
  /// "certified" (a certified logistic model: one Newton step per row, bounded) or "exact"
  /// (ridge: Cholesky downdates, equal to a refit).
  public var kind: String
  public var removed: Int
  /// Certified only: the bound this request added to each binary model's gradient residual
  /// ‖∇L_b(w; D′)‖₂ (0 after a retrain), the accumulated bounds after it, and the budget
  /// ε′ = σε/c each may reach.
  public var bounds: [Double]?
  public var residualBounds: [Double]?
  public var budget: Double?
  /// Certified only: Hessians rebuilt at the current weights during the request.
  public var refreshes: Int?
  /// Certified only: the budget ran out, so the shard was retrained exactly on its kept rows
  /// with a fresh b.
  public var retrained: Bool?
  /// The update itself, without reading and writing files.
  public var seconds: Double

  public init(
    shard: Int, kind: String, removed: Int, bounds: [Double]? = nil,
    residualBounds: [Double]? = nil, budget: Double? = nil, refreshes: Int? = nil,
    retrained: Bool? = nil, seconds: Double
  ) {
    self.shard = shard
    self.kind = kind
    self.removed = removed
    self.bounds = bounds
    self.residualBounds = residualBounds
    self.budget = budget
    self.refreshes = refreshes
    self.retrained = retrained
    self.seconds = seconds
  }
}

/// A request's row corrections as the ledger keeps them.
public struct RecordedChanges: Codable, Equatable, Sendable {
  public var changes: RowChanges
  /// `--method influence` only: 1 or 2, and τ for the first order.
  public var order: Int?
  public var tau: Double?
  public init(changes: RowChanges, order: Int? = nil, tau: Double? = nil) {
    self.changes = changes
    self.order = order
    self.tau = tau
  }
}

/// One shard's part of a `--method influence` request.
public struct InfluenceRecord: Codable, Equatable, Sendable {
  public var shard: Int
  public var order: Int
  public var tau: Double?
  /// Rows of the shard whose label or features changed.
  public var changedRows: Int
  /// ‖θ_new − θ_old‖₂.
  public var parameterChange: Double
  /// Second order on the MLP: conjugate-gradient iterations and the final relative residual.
  public var cgIterations: Int?
  public var cgRelativeResidual: Double?
  public var seconds: Double

  public init(
    shard: Int, order: Int, tau: Double?, changedRows: Int, parameterChange: Double,
    cgIterations: Int? = nil, cgRelativeResidual: Double? = nil, seconds: Double
  ) {
    self.shard = shard
    self.order = order
    self.tau = tau
    self.changedRows = changedRows
    self.parameterChange = parameterChange
    self.cgIterations = cgIterations
    self.cgRelativeResidual = cgRelativeResidual
    self.seconds = seconds
  }
}

/// Sorted-key JSON: what the ledger stores and the hash covers.
func canonicalJSON<T: Encodable>(_ value: T) -> String {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys]
  return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
}
