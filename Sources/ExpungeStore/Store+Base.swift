import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation

/// What the store records of its permanent rows (`expunge train --permanent-ids`): how many
/// there are now and the SHA-256 of their ids (sorted, one decimal per line), so two stores
/// can be checked to share a permanent set.
public struct PermanentRecord: Codable, Sendable, Equatable {
  public var rows: Int
  public var sha256: String

  init(_ ids: [SampleID]) {
    rows = ids.count
    sha256 = SHA256.hex(
      Array(ids.map(\.rawValue).sorted().map { "\($0)\n" }.joined().utf8))
  }
}

/// The settings key of the `PermanentRecord`; a store without it has no base.
let permanentSetting = "permanent"

/// A store over a shared base (see `SISABase`): the permanent rows live in
/// `data/permanent.rows`, in the ledger as samples of shard −1 (`Store.baseShard`), and the
/// base model in `checkpoints/base/`. Forgetting a permanent row is refused unless the
/// request retrains everything (`--method retrain`), which removes it from the permanent set
/// and retrains the base and every shard.
extension Store {
  /// The shard number the ledger gives permanent rows.
  static let baseShard = -1

  /// The permanent set as it is now, or nil for a store without a base.
  public func permanentRecord() throws -> PermanentRecord? {
    guard let text = try ledger.setting(permanentSetting) else { return nil }
    do {
      return try JSONDecoder().decode(PermanentRecord.self, from: Data(text.utf8))
    } catch {
      throw StoreError.corrupt(
        path: layout.ledger.path, reason: "the permanent-rows setting cannot be read")
    }
  }

  /// Whether the store trains its shards over a shared base on permanent rows.
  public var hasBase: Bool { (try? ledger.setting(permanentSetting)) != nil }

  /// The ids of the permanent rows: those the store keeps now, or (`original`) every row
  /// that was permanent at training, forgotten ones included.
  public func permanentIDs(original: Bool = false) throws -> Set<SampleID> {
    let sql =
      "SELECT id FROM samples WHERE shard = ?" + (original ? "" : " AND state = 'active'")
    return Set(
      try ledger.db.query(sql, [.integer(Int64(Self.baseShard))]).map {
        SampleID(UInt64(bitPattern: Int64($0[0].int!)))
      })
  }

  /// The base as its checkpoint and the permanent rows hold it, or nil without one.
  func loadBase() throws -> SISABase? {
    guard hasBase else { return nil }
    return SISABase(
      checkpoint: try CheckpointFiles.read(layout.baseCheckpoint),
      rows: try shardRows(Self.baseShard))
  }

  /// Trains the base on the permanent rows as their row file holds them and writes its
  /// checkpoint (atomically), recording it with `request` (nil at training).
  func trainBase(request: Int?) throws {
    let base = try SISABase.train(
      try shardRows(Self.baseShard), configuration: configuration, featureCount: featureCount,
      classCount: classCount, preprocessing: preprocessing,
      seeding: sisa.shardSeeding ?? .legacySum)
    try CheckpointFiles.write(base.checkpoint, to: layout.baseCheckpoint, metadata: metadata)
    try ledger.recordCheckpoint(shard: Self.baseShard, stage: 0, request: request)
  }

  /// Records the permanent set as the ledger's active permanent samples now make it.
  func recordPermanentSet() throws {
    let record = PermanentRecord(Array(try permanentIDs()))
    try ledger.setSetting(permanentSetting, canonicalJSON(record))
  }

  /// Refuses an update in place (`newton`, `influence`) of a store over a base: its convex
  /// shards solve on the permanent rows too, and its MLP shards depend on the base.
  func refuseBaseUpdate(_ method: String) throws {
    guard hasBase else { return }
    throw StoreError.refused(.methodOverBase(method: method))
  }
}
