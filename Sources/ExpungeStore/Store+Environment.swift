import ExpungeCore
import Foundation

/// One numeric environment the ledger recorded, and what was computed in it.
public struct EnvironmentRecord: Codable, Equatable, Sendable {
  public var environment: NumericEnvironment
  /// Whether the store was created in it (`train --store`).
  public var store: Bool
  /// Shards first trained in it.
  public var shards: [Int]
  /// Requests carried out in it.
  public var requests: [Int]

  public init(environment: NumericEnvironment, store: Bool, shards: [Int], requests: [Int]) {
    self.environment = environment
    self.store = store
    self.shards = shards
    self.requests = requests
  }
}

extension Store {
  /// The numeric environments the ledger recorded, one record per distinct environment: the
  /// store's first, then in order of first appearance (shards, then requests). Empty for a
  /// store written before Expunge recorded them; a shard or request recorded without one is
  /// left out.
  public func recordedEnvironments() throws -> [EnvironmentRecord] {
    let decoder = JSONDecoder()
    func decode(_ text: String?) -> NumericEnvironment? {
      text.flatMap { try? decoder.decode(NumericEnvironment.self, from: Data($0.utf8)) }
    }
    var records: [EnvironmentRecord] = []
    func record(_ environment: NumericEnvironment?, _ add: (inout EnvironmentRecord) -> Void) {
      guard let environment else { return }
      if let i = records.firstIndex(where: { $0.environment == environment }) {
        add(&records[i])
      } else {
        var new = EnvironmentRecord(
          environment: environment, store: false, shards: [], requests: [])
        add(&new)
        records.append(new)
      }
    }
    record(decode(try ledger.setting("environment"))) { $0.store = true }
    for row in try ledger.db.query(
      "SELECT shard, environment FROM shards WHERE state = 'done' ORDER BY shard")
    {
      record(decode(row[1].string)) { $0.shards.append(row[0].int!) }
    }
    for request in try ledger.requests(state: "DONE") {
      record(request.environment) { $0.requests.append(request.seq) }
    }
    return records
  }
}
