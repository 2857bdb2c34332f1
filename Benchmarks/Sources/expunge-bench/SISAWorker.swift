import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeStore
import ExpungeUnlearning
import Foundation

/// SISA through the product's own store: train an MLP 784-256-10 store on Fashion-MNIST with
/// S shards and R slices, then forget d random rows for each d (each time from a copy of the
/// freshly trained store), and retrain shard 0 from scratch alone (the peer's unit of work).
enum SISAWorker {
  static func run(_ options: Options) throws -> [String: Any] {
    let shards = options.int("shards", 1)
    let slices = options.int("slices", 1)
    let epochs = options.int("epochs", 10)
    let seed = UInt64(options.int("seed", 0))
    let deletions = options.string("deletions", "1,10,100").split(separator: ",").compactMap {
      Int($0)
    }
    let train = try DatasetCatalog.load("fashion-mnist")
    let test = try DatasetCatalog.load("fashion-mnist:test")
    var mlp = MLPConfig()
    mlp.epochs = epochs
    let configuration = ModelConfiguration.mlp(mlp)
    let sisa = SISAConfig(shards: shards, slices: slices)
    let work = FileManager.default.temporaryDirectory
      .appendingPathComponent("expunge-bench-sisa-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: work) }
    let base = work.appendingPathComponent("base")

    var clock = Date()
    var store: Store? = try Store.create(
      at: base, data: train, configuration: configuration, sisa: sisa, classNames: nil)
    let trainSeconds = Date().timeIntervalSince(clock)
    let accuracy = try accuracyOf(store!, test)
    store = nil
    let footprint = sizes(base)

    var forgets: [[String: Any]] = []
    for d in deletions {
      let copy = work.appendingPathComponent("forget-\(d)")
      try FileManager.default.copyItem(at: base, to: copy)
      var rng = SeededGenerator(seed: seed).derived("deletions").derived(UInt64(d))
      let ids = rng.choice(train.count, d).map { train.ids[$0] }
      let opened = try Store.open(copy)
      clock = Date()
      let request = try opened.forget(ids, method: .sisa)
      let seconds = Date().timeIntervalSince(clock)
      forgets.append([
        "count": d, "forget_s": seconds, "shards_retrained": request.shards?.count ?? 0,
        "stages_retrained": (request.shards ?? []).reduce(0) { total, entry in
          total + slices - (Int(entry.split(separator: ":")[1]) ?? 0)
        },
        "test_accuracy_after": try accuracyOf(opened, test),
      ])
      try FileManager.default.removeItem(at: copy)
    }

    // One shard from scratch, in memory: the unit both sides retrain for a deleted row.
    let shardRows = ShardAssignment(shards: shards, slices: slices, seed: 0).partition(train)[0]
    let shardData = train.subset(shardRows.joined().sorted())
    clock = Date()
    _ = try SISAEnsemble.trainShard(
      0, from: 0, previous: nil, data: shardData, configuration: configuration, sisa: sisa,
      featureCount: train.featureCount, classCount: train.classCount)
    let shardSeconds = Date().timeIntervalSince(clock)

    return [
      "work": "sisa", "shards": shards, "slices": slices, "epochs": epochs,
      "train_s": trainSeconds, "test_accuracy": accuracy, "deletions": forgets,
      "shard_retrain_s": shardSeconds, "shard_rows": shardData.count,
      "store_bytes": footprint, "raw_training_bytes": train.count * train.featureCount * 4,
    ]
  }

  static func accuracyOf(_ store: Store, _ test: Dataset) throws -> Double {
    let predicted = try store.predictProbabilities(test.features).argmaxRows()
    return Double(zip(predicted, test.labels).filter { $0 == Int($1) }.count) / Double(test.count)
  }

  /// Bytes under each top-level part of a store.
  static func sizes(_ store: URL) -> [String: Int] {
    var out: [String: Int] = [:]
    let walker = FileManager.default.enumerator(atPath: store.path)!
    while let path = walker.nextObject() as? String {
      let attributes = try? FileManager.default.attributesOfItem(
        atPath: store.appendingPathComponent(path).path)
      guard attributes?[.type] as? FileAttributeType == .typeRegular else { continue }
      let part = path.split(separator: "/").first.map(String.init) ?? path
      out[part.hasPrefix("expunge.sqlite") ? "ledger" : part, default: 0] +=
        (attributes?[.size] as? Int) ?? 0
    }
    return out
  }
}
