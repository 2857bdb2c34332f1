import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeStore
import ExpungeUnlearning
import Foundation

/// SISA (Bourtoule et al. 2021) for the MLP 784-256-10 on Fashion-MNIST, two ways:
///
/// - default, the in-process library (`SISAEnsemble`, what `peers/sisa_torch.py` restates):
///   train S shards × R slices in memory, then for each d forget d random rows from a copy of
///   the freshly trained ensemble, and time plain retraining (S = 1, R = 1) once as the
///   baseline;
/// - `--store`, through the product's own store: train a store on disk, forget from a copy of
///   it, and retrain shard 0 from scratch alone (the peer's unit of work with `--retrain shard`).
enum SISAWorker {
  /// What both modes share: the grid point, the data, the recipe and the deletion draw.
  struct Setup {
    let shards: Int
    let slices: Int
    let epochs: Int
    let seed: UInt64
    let deletions: [Int]
    let train: Dataset
    let test: Dataset
    let configuration: ModelConfiguration
    let sisa: SISAConfig

    init(_ options: Options) throws {
      shards = options.int("shards", 1)
      slices = options.int("slices", 1)
      epochs = options.int("epochs", 10)
      seed = UInt64(options.int("seed", 0))
      deletions = options.string("deletions", "1,10,100").split(separator: ",").compactMap {
        Int($0)
      }
      train = try DatasetCatalog.load("fashion-mnist")
      test = try DatasetCatalog.load("fashion-mnist:test")
      var mlp = MLPConfig()  // 784-256-10, ReLU, Adam 1e-3, batch 128
      mlp.epochs = epochs
      mlp.seed = seed
      configuration = ModelConfiguration(mlp)
      sisa = SISAConfig(shards: shards, slices: slices, aggregation: .vote)
    }

    /// Rows to forget: the first d of one seeded draw, so the sets are nested
    /// (1 ⊂ 10 ⊂ 100); the peer re-states the same draw.
    func deletedIDs(_ d: Int) -> Set<SampleID> {
      var rng = SeededGenerator(seed: seed)
      return Set(rng.choice(train.count, d).map { train.ids[$0] })
    }
  }

  static func run(_ options: Options) throws -> [String: Any] {
    let setup = try Setup(options)
    return try options.flag("store") ? runStore(setup) : runLibrary(setup)
  }

  /// The in-process library: `SISAEnsemble.fit`, `forget` on a copy for each d, and plain
  /// retraining (`MLP.fit`, which is S = 1, R = 1) on the rows left after the largest d.
  static func runLibrary(_ setup: Setup) throws -> [String: Any] {
    let (shards, slices, epochs, seed) = (setup.shards, setup.slices, setup.epochs, setup.seed)
    let (deletions, train, test) = (setup.deletions, setup.train, setup.test)
    let (configuration, sisa) = (setup.configuration, setup.sisa)
    func accuracy(_ predicted: [Int32]) -> Double {
      Double(zip(predicted, test.labels).filter { $0 == $1 }.count) / Double(test.count)
    }
    let deletedIDs = setup.deletedIDs

    var clock = Date()
    let trained = try SISAEnsemble.fit(train, configuration: configuration, sisa: sisa)
    let trainSeconds = Date().timeIntervalSince(clock)
    let testAccuracy = accuracy(trained.predict(test.features))

    var forgets: [[String: Any]] = []
    for d in deletions {
      let ids = deletedIDs(d)
      var copy = trained
      clock = Date()
      let report = try copy.forget(ids)
      let seconds = Date().timeIntervalSince(clock)
      let retrained = report.retrainedStages.sorted { $0.key < $1.key }
      forgets.append([
        "count": d, "forget_s": seconds, "shards_retrained": retrained.count,
        "stages_retrained": retrained.reduce(0) { $0 + slices - $1.value },
        "retrained": retrained.map { [$0.key, $0.value] },
        "test_accuracy_after": accuracy(copy.predict(test.features)),
      ])
    }

    // Retraining from scratch: one plain MLP on the rows left after the largest deletion.
    let largest = deletions.max() ?? 0
    let remaining = train.removing(ids: deletedIDs(largest))
    clock = Date()
    guard let mlp = configuration.as(MLPConfig.self) else {
      preconditionFailure("SISA bench is MLP-only")
    }
    let plain = try MLP.fit(remaining, config: mlp)
    let retrainSeconds = Date().timeIntervalSince(clock)

    return [
      "work": "sisa", "mode": "library", "shards": shards, "slices": slices, "epochs": epochs,
      "epochs_per_stage": SliceSchedule.epochsPerStage(epochs: epochs, slices: slices),
      "seed": Int(seed), "aggregation": sisa.aggregation.rawValue,
      "shard_sizes": trained.shardSizes, "train_s": trainSeconds,
      "test_accuracy": testAccuracy, "deletions": forgets, "retrain_s": retrainSeconds,
      "retrain_rows": remaining.count,
      "retrain_test_accuracy": plain.accuracy(test.features, labels: test.labels),
      "retrain_note":
        "plain MLP (S = 1, R = 1, \(epochs) epochs) from scratch on the training rows minus the \(largest)-row deletion set, timed once and used as the retraining baseline for every d",
    ]
  }

  /// Through the store: `Store.create` on disk, `Store.forget` on a copy for each d, and
  /// shard 0 retrained from scratch in memory.
  static func runStore(_ setup: Setup) throws -> [String: Any] {
    let (shards, slices, epochs, deletions) = (
      setup.shards, setup.slices, setup.epochs, setup.deletions
    )
    let (train, test, configuration, sisa) = (
      setup.train, setup.test, setup.configuration, setup.sisa
    )
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
      let ids = Array(setup.deletedIDs(d)).sorted()
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
      "work": "sisa", "mode": "store", "shards": shards, "slices": slices, "epochs": epochs,
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
