import ExpungeCore
import ExpungeUnlearning

/// What the ledger keeps of a request carried out by a model-update method, inside the
/// hash chain: the guarantee, the settings (recorded with the request, before any work) and
/// each affected shard's report (with the result).
public struct MethodRecord: Codable, Equatable, Sendable {
  public var guarantee: UnlearningGuarantee
  public var settings: JSONValue
  public var shards: [ShardReport]?

  public init(
    guarantee: UnlearningGuarantee, settings: JSONValue, shards: [ShardReport]? = nil
  ) {
    self.guarantee = guarantee
    self.settings = settings
    self.shards = shards
  }

  /// One shard's report, as the method wrote it.
  public struct ShardReport: Codable, Equatable, Sendable {
    public var shard: Int
    public var report: JSONValue
    public init(shard: Int, report: JSONValue) {
      self.shard = shard
      self.report = report
    }
  }
}
