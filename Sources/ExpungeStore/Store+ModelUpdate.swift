import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation

/// A request carried out by a model-update method (`ModelUpdateMethod`: fine-tuning and
/// the other approximate methods): every affected shard's model is updated in place by the
/// method, through one path whatever the method.
///
/// Crash safety is `--method newton`'s: each updated model is written as the shard's only
/// checkpoint together with an `update-state.json` naming the request, before the rows
/// leave the row files, so a restart skips the shards already done and finishes the others
/// with the same bits (the method's seed is a function of the model's seed, the request and
/// the shard).
extension Store {
  /// Refuses a model-update method for a store whose shards it cannot update, before
  /// anything is recorded.
  func checkUpdateApplies(_ method: ForgetMethod) throws {
    if let reason = method.method.refusal(for: configuration) {
      throw StoreError.refused(
        .methodDoesNotApply(method: method.rawValue, kind: configuration.kind, reason: reason))
    }
    try refuseBaseUpdate(method.rawValue)
    try refuseStandardizedUpdate(method.rawValue)
    guard sisa.slices == 1 else {
      throw StoreError.refused(.methodNeedsOneSlice(method: method.rawValue, slices: sisa.slices))
    }
  }

  func carryOutUpdate(_ request: LedgerRequest, _ method: any ModelUpdateMethod) throws {
    try carryOutInPlace(request) { shard, removing in
      try updateShard(shard, by: method, removing: Set(removing), request: request.seq)
    } finish: { done, reports in
      done.update?.shards = reports.map {
        MethodRecord.ShardReport(shard: $0.shard, report: $0.record)
      }
    }
  }

  /// The frame of every request carried out by updating shard models in place (`newton`,
  /// model-update methods): tombstone the rows, `update` each affected shard (its rows still
  /// in its row file, so a restart can repeat it), then delete the rows, write the new
  /// version, purge, and complete the request with `finish` adding the shards' records.
  func carryOutInPlace<Record>(
    _ request: LedgerRequest, update: (_ shard: Int, _ removing: [SampleID]) throws -> Record,
    finish: (inout LedgerRequest, [(shard: Int, record: Record)]) -> Void
  ) throws {
    let clock = Date()
    let (ids, records, removing) = try tombstone(request)
    let byShard = Dictionary(grouping: removing) { records[$0]!.shard }
    var results: [(shard: Int, record: Record)] = []
    for (n, shard) in byShard.keys.sorted().enumerated() {
      results.append((shard, try update(shard, byShard[shard]!)))
      progress?(n + 1, byShard.count)
    }
    try deleteRows(Set(removing), shards: Set(byShard.keys))
    if !byShard.isEmpty { try writeVersion(request.version, changed: Set(byShard.keys)) }
    try purge(keeping: request.version)
    var done = request
    done.removed = removing.count
    done.alreadyForgotten = ids.count - removing.count
    done.shards = byShard.keys.sorted().map { "\($0):0" }
    finish(&done, results)
    done.seconds = Date().timeIntervalSince(clock)
    done.completed = Ledger.now()
    try ledger.complete(done)
  }

  /// Updates shard `shard`'s model by `method` to forget `removing` (its rows, still in its
  /// row file) and writes it as the shard's checkpoint, marked with the request.
  private func updateShard(
    _ shard: Int, by method: any ModelUpdateMethod, removing: Set<SampleID>, request: Int
  ) throws -> JSONValue {
    let directory = layout.checkpoint(shard: shard, stage: 0)
    if let previous = try UpdateState.read(directory), previous.request == request,
      let report = previous.update
    {
      return report
    }
    let model = try CheckpointFiles.read(directory).model
    let (updated, report) = try ShardModelUpdate.apply(
      method, to: model, rows: scaled(try shardRows(shard)), removing: removing,
      seed: ShardModelUpdate.seed(modelSeed: configuration.seed, request: request, shard: shard))
    try UpdateState(request: request, update: report).write(
      model: updated, to: directory, metadata: metadata)
    try ledger.recordCheckpoint(shard: shard, stage: 0, request: request)
    return report
  }
}
