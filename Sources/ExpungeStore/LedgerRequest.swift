import Foundation

/// One ledger request, as `expunge log` shows it.
public struct LedgerRequest: Codable, Equatable, Sendable {
  public var seq: Int
  public var created: String
  public var method: String
  public var ids: [UInt64]
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

  /// What the hash covers: every field but the hash itself, in a fixed order.
  var canonical: String {
    let idList = ids.map(String.init).joined(separator: ",")
    let removedText = removed.map(String.init) ?? ""
    let alreadyText = alreadyForgotten.map(String.init) ?? ""
    let shardList = (shards ?? []).joined(separator: ",")
    let secondsText = seconds.map { String($0) } ?? ""
    let fields: [String] = [
      String(seq), created, method, idList, state, String(version), removedText, alreadyText,
      shardList, secondsText, completed ?? "", previousHash ?? "",
    ]
    // Appended only when present, so the hashes of earlier requests are unchanged.
    return fields.joined(separator: "|") + (newton.map { "|" + NewtonRemoval.json($0) } ?? "")
  }
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

  /// The canonical JSON of a request's records (sorted keys): what the ledger stores and
  /// the hash covers.
  static func json(_ records: [NewtonRemoval]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: (try? encoder.encode(records)) ?? Data("[]".utf8), as: UTF8.self)
  }
}
