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
    return fields.joined(separator: "|")
  }
}
