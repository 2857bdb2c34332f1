import ExpungeData
import ExpungeModels

extension SISAEnsemble {
  /// Forgets `ids` by `NewtonUpdate` on each affected shard's model (one slice per shard),
  /// the in-memory counterpart of a store's `--method newton` (the audit replays a store's
  /// ledger with it). `bounds` carries each certified shard's accumulated bounds from one
  /// call to the next.
  public mutating func forgetByNewton(
    _ ids: Set<SampleID>, bounds: inout [Int: CertifiedRemoval.SavedBounds]
  ) throws {
    precondition(sisa.slices == 1, "forgetByNewton: one slice per shard")
    // A standardizer fitted on the shard's rows changes when rows leave; no update follows it.
    precondition(!preprocessing.standardize, "forgetByNewton: shards that standardize")
    let present = Set(data.ids)
    let removing = ids.filter { present.contains($0) }.sorted()
    let partition = assignment.partition(data)
    var next = self
    for (k, shardIDs) in Dictionary(grouping: removing, by: { assignment.place($0).shard }) {
      let raw = data.subset(partition[k].joined().map { $0 })
      let rows = preprocessing.scaling?.transform(raw) ?? raw
      let result = try NewtonUpdate.apply(
        to: checkpoints[k][0].model, rows: rows, removing: shardIDs, bounds: bounds[k])
      next.checkpoints[k][0] = SISACheckpoint(model: result.model, optimizerState: nil)
      bounds[k] = result.bounds
    }
    next.data = data.removing(ids: Set(removing))
    next.forgotten.formUnion(removing)
    self = next
  }
}
