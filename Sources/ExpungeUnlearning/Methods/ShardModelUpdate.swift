import ExpungeCore
import ExpungeData
import ExpungeModels

/// One shard's part of a request carried out by a `ModelUpdateMethod`: the same computation
/// for a store (on disk, crash-safe) and an in-memory ensemble (the audit's replay).
public enum ShardModelUpdate {
  /// The seed of the method's random choices on `shard` in request `request`: a function of
  /// the model's seed, the request and the shard alone, so a restart and a replay draw the
  /// same.
  public static func seed(modelSeed: UInt64?, request: Int, shard: Int) -> UInt64 {
    var rng = SeededGenerator(seed: modelSeed ?? 0).derived("forget").derived(UInt64(request))
      .derived(UInt64(shard))
    return rng.next()
  }

  /// `model`, trained on `rows` (the shard's rows as the model sees them), updated by
  /// `method` to forget the rows `removing`; the report as JSON for the ledger.
  public static func apply(
    _ method: any ModelUpdateMethod, to model: any Classifier, rows: Dataset,
    removing: Set<SampleID>, seed: UInt64
  ) throws -> (model: any Classifier, report: JSONValue) {
    let forget = rows.subset(rows.ids.indices.filter { removing.contains(rows.ids[$0]) })
    let retain = rows.removing(ids: removing)
    return try method.applyReporting(to: model, forgetting: forget, retaining: retain, seed: seed)
  }
}

extension ModelUpdateMethod {
  /// `apply`, with the report as JSON.
  func applyReporting(
    to model: any Classifier, forgetting forget: Dataset, retaining retain: Dataset,
    seed: UInt64
  ) throws -> (model: any Classifier, report: JSONValue) {
    let (updated, report) = try apply(
      to: model, forgetting: forget, retaining: retain, seed: seed)
    return (updated, try JSONValue(encoding: report))
  }
}
