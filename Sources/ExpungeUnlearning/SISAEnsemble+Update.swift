import ExpungeCore
import ExpungeData
import ExpungeModels

extension SISAEnsemble {
  /// Forgets `ids` by `method` on each affected shard's model (one slice per shard, no
  /// per-shard standardization, no shared base): the in-memory counterpart of a store's request by a
  /// model-update method, which the audit replays a ledger with. `request` is the ledger's
  /// sequence number, which seeds the method (`ShardModelUpdate.seed`).
  /// - Returns: each affected shard's report.
  /// - Throws: `UnlearningError.unsupportedModel` for an ensemble the method cannot update,
  ///   the method's errors; the ensemble is then unchanged.
  @discardableResult
  public mutating func forget(
    _ ids: Set<SampleID>, using method: any ModelUpdateMethod, request: Int
  ) throws -> [Int: JSONValue] {
    let name = type(of: method).name
    guard sisa.slices == 1, !preprocessing.standardize, base == nil else {
      throw UnlearningError.unsupportedModel(
        kind: configuration.kind, method: name,
        reason:
          "it updates whole shard models in place: one slice per shard, no per-shard standardization, no shared base"
      )
    }
    let present = Set(data.ids)
    let removing = ids.filter { present.contains($0) }
    let partition = assignment.partition(forgettable)
    let rows = forgettable
    var next = self
    var reports: [Int: JSONValue] = [:]
    for (k, shardIDs) in Dictionary(grouping: removing, by: { assignment.place($0).shard }) {
      let raw = rows.subset(partition[k].joined().sorted())
      let shardRows = preprocessing.scaling?.transform(raw) ?? raw
      let (model, report) = try ShardModelUpdate.apply(
        method, to: checkpoints[k][0].model, rows: shardRows, removing: Set(shardIDs),
        seed: ShardModelUpdate.seed(modelSeed: configuration.seed, request: request, shard: k))
      next.checkpoints[k][0] = SISACheckpoint(model: model, optimizerState: nil)
      reports[k] = report
    }
    next.data = data.removing(ids: removing)
    next.forgotten.formUnion(removing)
    self = next
    return reports
  }
}
