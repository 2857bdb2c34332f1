import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeStore
import ExpungeUnlearning
import Foundation
import Testing

/// A store's preprocessing: `--scale` for every shard, and standardization per shard and per
/// stage (`ShardPreprocessing`).
@Suite("Store: preprocessing")
struct PreprocessingStoreTests {
  /// Features far from 0 with unequal spreads, so standardizing changes every value.
  static let data: Dataset = {
    var d = try! DatasetCatalog.load("synthetic:n=240,d=5,classes=3,seed=6,sep=1.5")
    d.features = FeatureScaling(subtract: -30, multiplyBy: 4).transform(d.features)
    return d
  }()
  static let sisa = SISAConfig(shards: 3, slices: 3)
  static let preprocessing = ShardPreprocessing(
    scaling: FeatureScaling(parsing: "1/7")!, standardize: true)

  static func scratch(_ name: String = #function) -> URL {
    FileManager.default.temporaryDirectory
      .appendingPathComponent("expunge-prep-\(name.filter(\.isLetter))-\(UUID().uuidString)")
  }

  static func bits(_ model: any Classifier) -> [UInt32] {
    model.tensors.parameters.values.map(\.bitPattern)
  }

  /// The rule: the checkpoint of stage r of shard k holds the statistics of exactly the
  /// rows that stage trained on — shard k's rows in slices 0…r, scaled — and the version's
  /// shard model predicts with those of the last stage.
  @Test func eachStageStandardizesWithItsOwnRows() throws {
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    var mlp = MLPConfig()
    (mlp.hidden, mlp.epochs, mlp.batchSize) = ([6], 2, 16)
    let store = try Store.create(
      at: dir, data: Self.data, configuration: ModelConfiguration(mlp), sisa: Self.sisa,
      classNames: nil,
      preprocessing: Self.preprocessing)
    let scaled = Self.preprocessing.scaling!.transform(Self.data)
    let partition = ShardAssignment(shards: 3, slices: 3, seed: 0).partition(scaled)
    let models = try store.preprocessedShardModels()
    for k in 0..<3 {
      for r in 0..<3 {
        let rows = scaled.subset(partition[k][0...r].joined().sorted())
        let saved = try ModelDirectory.load(
          from: dir.appendingPathComponent("checkpoints/shard-\(k)/stage-\(r)"))
        #expect(saved.standardizer == Standardizer(fitting: rows.features), "shard \(k) stage \(r)")
        if r == 2 { #expect(models[k].standardizer == saved.standardizer) }
      }
      #expect(models[k].scaling == Self.preprocessing.scaling)
    }
    // The store answers raw rows as its shards' preprocessing and models do.
    let x = Self.data.features
    let expected = Self.sisa.aggregation.combine(models.map { $0.predictProbabilities(x) })
    #expect(try store.predictProbabilities(x).storage == expected.storage)
  }

  /// Exactness with preprocessing: after forgetting, every shard model and every stage's
  /// statistics equal those of SISA trained on the data without the rows, bit for bit — in
  /// memory and through the store — and a store reopened reads the preprocessing back.
  @Test(arguments: ["mlp", "softmax"])
  func forgetEqualsTrainingWithoutTheRows(kind: String) throws {
    var mlp = MLPConfig()
    (mlp.hidden, mlp.epochs, mlp.batchSize) = ([6], 3, 16)
    var softmax = SoftmaxRegressionConfig()
    softmax.l2 = 1e-2
    let configuration: ModelConfiguration =
      kind == "mlp" ? ModelConfiguration(mlp) : ModelConfiguration(softmax)
    let forget: Set<SampleID> = [SampleID(2), SampleID(77), SampleID(150), SampleID(239)]
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
      let store = try Store.create(
        at: dir, data: Self.data, configuration: configuration, sisa: Self.sisa, classNames: nil,
        preprocessing: Self.preprocessing)
      try store.forget(forget.sorted(), method: .sisa)
    }
    let store = try Store.open(dir)
    #expect(store.preprocessing == Self.preprocessing)
    let oracle = try SISAEnsemble.fit(
      Self.data.removing(ids: forget), configuration: configuration, sisa: Self.sisa,
      preprocessing: Self.preprocessing)
    var inMemory = try SISAEnsemble.fit(
      Self.data, configuration: configuration, sisa: Self.sisa,
      preprocessing: Self.preprocessing)
    let report = try inMemory.forget(forget)
    #expect(report.retrainedStages.values.contains { $0 > 0 }, "a shard kept early stages")
    let stored = try store.preprocessedShardModels()
    for k in 0..<3 {
      let truth = oracle.preprocessedShardModels[k]
      for candidate in [stored[k], inMemory.preprocessedShardModels[k]] {
        #expect(Self.bits(candidate.model) == Self.bits(truth.model), "shard \(k)")
        #expect(candidate.standardizer == truth.standardizer, "shard \(k)")
      }
      for r in 0..<3 {
        let saved = try ModelDirectory.load(
          from: dir.appendingPathComponent("checkpoints/shard-\(k)/stage-\(r)"))
        #expect(saved.standardizer == oracle.checkpoints[k][r].standardizer)
      }
    }
    #expect(
      try store.predictProbabilities(Self.data.features).storage
        == oracle.predictProbabilities(Self.data.features).storage)
  }

  /// Updates in place cannot follow statistics that change with the rows: refused before
  /// anything is recorded. With a scaling alone they see the rows scaled: exact ridge
  /// removal still equals a refit on the kept rows, scaled.
  @Test func updatesInPlaceRefuseStandardizationAndScaleRows() throws {
    var ridge = RidgeConfig()
    ridge.l2 = 1e-2
    let one = SISAConfig(shards: 1, slices: 1)
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let standardized = try Store.create(
      at: dir.appendingPathComponent("standardized"), data: Self.data,
      configuration: ModelConfiguration(ridge), sisa: one, classNames: nil,
      preprocessing: Self.preprocessing)
    #expect(throws: StoreError.refused(.methodWithStandardization(method: "newton"))) {
      try standardized.forget([SampleID(3)], method: .newton)
    }
    #expect(try standardized.requests().isEmpty)

    let scaling = FeatureScaling(parsing: "minmax:-10,50")!
    let scaled = try Store.create(
      at: dir.appendingPathComponent("scaled"), data: Self.data,
      configuration: ModelConfiguration(ridge),
      sisa: one, classNames: nil, preprocessing: ShardPreprocessing(scaling: scaling))
    try scaled.forget([SampleID(3), SampleID(40)], method: .newton)
    let refit = try RidgeClassifier.fit(scaling.transform(try scaled.rows()), config: ridge)
    let (a, b) = (
      try scaled.shardModels()[0].tensors.parameters.values, refit.tensors.parameters.values
    )
    let size = b.map { abs(Double($0)) }.max() ?? 1
    let gap = zip(a, b).map { abs(Double($0) - Double($1)) }.max() ?? 0
    #expect(gap <= 1e-6 * size, "ridge removal differs from a refit by \(gap)")
  }
}
