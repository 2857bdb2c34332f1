import ExpungeCore
import ExpungeData
import ExpungeModels

/// A SISA ensemble in memory: the rows it may still learn from, where each row lives, and
/// every shard's checkpoint after every stage.
///
/// The exactness contract: after `forget(F)`, every shard model (and so every prediction)
/// is bit-identical to `SISAEnsemble.fit` on the same data without F, with the same
/// configurations — because rows are placed by id, stage r depends only on the rows of
/// slices 0…r and the checkpoint before it, and training is deterministic.
public struct SISAEnsemble: Sendable {
  public let configuration: ModelConfiguration
  public let sisa: SISAConfig
  public let assignment: ShardAssignment
  public let featureCount: Int
  public let classCount: Int
  /// What every shard does to its rows, and to prediction inputs, before its model.
  public let preprocessing: ShardPreprocessing
  /// The rows the ensemble may still learn from (forgotten rows removed), as the data file
  /// holds them: the permanent rows too, when there is a base.
  public internal(set) var data: Dataset
  /// The shared base on the permanent rows, if the ensemble has one (see `SISABase`).
  public let base: SISABase?
  /// `checkpoints[k][r]`: shard k after stage r.
  public internal(set) var checkpoints: [[SISACheckpoint]]
  /// Ids forgotten so far.
  public internal(set) var forgotten: Set<SampleID> = []

  /// Trains every shard through every stage — over a shared base on the rows `permanent`
  /// names, when it names any (see `SISABase`): the shards then split the other rows.
  /// - Throws: `ModelError` for bad hyperparameters or data, `UnlearningError.unknownIDs`
  ///   for permanent ids that are not rows of `data`.
  /// - Parameter progress: called after each stage with (shard, stage).
  public static func fit(
    _ data: Dataset, configuration: ModelConfiguration, sisa: SISAConfig,
    preprocessing: ShardPreprocessing = .none, permanent: Set<SampleID> = [],
    progress: ((_ shard: Int, _ stage: Int) -> Void)? = nil
  ) throws -> SISAEnsemble {
    guard sisa.shards >= 1, sisa.slices >= 1 else {
      throw ModelError.invalidHyperparameter(
        model: "SISA", name: sisa.shards < 1 ? "shards" : "slices",
        value: String(min(sisa.shards, sisa.slices)), expected: "an integer ≥ 1")
    }
    var base: SISABase?
    if !permanent.isEmpty {
      let present = Set(data.ids)
      let unknown = permanent.filter { !present.contains($0) }.sorted()
      guard unknown.isEmpty else {
        throw UnlearningError.unknownIDs(first: Array(unknown.prefix(10)), count: unknown.count)
      }
      base = try SISABase.train(
        data.subset(data.ids.indices.filter { permanent.contains(data.ids[$0]) }),
        configuration: configuration, featureCount: data.featureCount,
        classCount: data.classCount, preprocessing: preprocessing,
        seeding: sisa.shardSeeding ?? .legacySum)
    }
    var ensemble = SISAEnsemble(
      configuration: configuration, sisa: sisa,
      assignment: ShardAssignment(
        shards: sisa.shards, slices: sisa.slices, seed: sisa.assignmentSeed),
      featureCount: data.featureCount, classCount: data.classCount,
      preprocessing: preprocessing, data: data, base: base, checkpoints: [])
    let split = ensemble.split()
    let report = SerializedProgress(progress)
    let trained = ensemble
    ensemble.checkpoints = try concurrentMap(sisa.shards) { k in
      try trained.trainer(shard: k).train(
        from: 0, previous: nil, stageDone: { stage in report.call { $0?(k, stage) } }
      ) { r in split.stageData(shard: k, stage: r) }
    }
    return ensemble
  }

  /// An ensemble rebuilt from saved parts (a store): `data` holds the rows not forgotten, in
  /// training-file order (the permanent rows too); `checkpoints[k][r]` and `base` as `fit`
  /// made them.
  public init(
    restoring configuration: ModelConfiguration, sisa: SISAConfig, featureCount: Int,
    classCount: Int, preprocessing: ShardPreprocessing = .none, data: Dataset,
    base: SISABase? = nil, checkpoints: [[SISACheckpoint]], forgotten: Set<SampleID>
  ) {
    precondition(
      checkpoints.count == sisa.shards && checkpoints.allSatisfy { $0.count == sisa.slices },
      "SISAEnsemble: \(sisa.shards)×\(sisa.slices) checkpoints expected")
    self.init(
      configuration: configuration, sisa: sisa,
      assignment: ShardAssignment(
        shards: sisa.shards, slices: sisa.slices, seed: sisa.assignmentSeed),
      featureCount: featureCount, classCount: classCount, preprocessing: preprocessing,
      data: data, base: base, checkpoints: checkpoints)
    self.forgotten = forgotten
  }

  /// Trains stages `from..<R` of shard `shard` on `data` (all rows not forgotten, in
  /// training-file order), continuing from `previous` (stage `from − 1`; nil when `from` is
  /// 0), over `base` if the ensemble has one (`data` then holds the forgettable rows). What
  /// `forget` does for one shard, for callers that keep checkpoints elsewhere.
  public static func trainShard(
    _ shard: Int, from: Int, previous: SISACheckpoint?, data: Dataset,
    configuration: ModelConfiguration, sisa: SISAConfig, featureCount: Int, classCount: Int,
    preprocessing: ShardPreprocessing = .none, base: SISABase? = nil,
    progress: ((_ stage: Int) -> Void)? = nil
  ) throws -> [SISACheckpoint] {
    let ensemble = SISAEnsemble(
      configuration: configuration, sisa: sisa,
      assignment: ShardAssignment(
        shards: sisa.shards, slices: sisa.slices, seed: sisa.assignmentSeed),
      featureCount: featureCount, classCount: classCount, preprocessing: preprocessing,
      data: data, base: base, checkpoints: [])
    let split = ensemble.split()
    return try ensemble.trainer(shard: shard).train(
      from: from, previous: previous, stageDone: progress
    ) { r in split.stageData(shard: shard, stage: r) }
  }

  private init(
    configuration: ModelConfiguration, sisa: SISAConfig, assignment: ShardAssignment,
    featureCount: Int, classCount: Int, preprocessing: ShardPreprocessing, data: Dataset,
    base: SISABase?, checkpoints: [[SISACheckpoint]]
  ) {
    self.configuration = configuration
    self.sisa = sisa
    self.assignment = assignment
    self.featureCount = featureCount
    self.classCount = classCount
    self.preprocessing = preprocessing
    self.data = data
    self.base = base
    self.checkpoints = checkpoints
  }

  /// The rows the shards split: all of `data` but the base's permanent rows.
  public var forgettable: Dataset {
    guard let base else { return data }
    return data.removing(ids: Set(base.rows.ids))
  }

  func trainer(shard: Int) -> ShardTrainer {
    ShardTrainer(
      configuration: (sisa.shardSeeding ?? .legacySum).configuration(configuration, shard: shard),
      slices: sisa.slices, featureCount: featureCount, classCount: classCount,
      preprocessing: preprocessing, base: base)
  }

  /// The forgettable rows and their partition into shards and slices, computed once for
  /// all the stages a call trains.
  func split() -> ShardSplit {
    let rows = forgettable
    return ShardSplit(rows: rows, partition: assignment.partition(rows))
  }

  /// Each shard's current model, which expects preprocessed inputs.
  public var shardModels: [any Classifier] { checkpoints.map { $0[$0.count - 1].model } }

  /// Each shard's current model behind its preprocessing: the ensemble's scaling and the
  /// standardizer of the shard's last stage.
  public var preprocessedShardModels: [PreprocessedClassifier] {
    checkpoints.map {
      PreprocessedClassifier(
        $0[$0.count - 1].model, scaling: preprocessing.scaling,
        standardizer: $0[$0.count - 1].standardizer)
    }
  }

  /// Rows per shard.
  public var shardSizes: [Int] { assignment.partition(forgettable).map { $0.joined().count } }

  /// The ensemble's class scores for `x` (rows as the data file holds them: each shard
  /// preprocesses them its way) — vote shares or mean probabilities.
  public func predictProbabilities(_ x: Matrix) -> Matrix {
    sisa.aggregation.combine(
      preprocessedShardModels.map { $0.predictProbabilities(x) },
      weights: sisa.weightByShardSize ? shardSizes.map(Double.init) : nil)
  }

  /// The ensemble's predicted classes for `x`.
  public func predict(_ x: Matrix) -> [Int32] {
    predictProbabilities(x).argmaxRows().map(Int32.init)
  }

  /// What a forget request did.
  public struct ForgetReport: Sendable, Equatable {
    /// Rows removed by this request.
    public var removed: [SampleID]
    /// Ids that were already forgotten (the request is idempotent for them).
    public var alreadyForgotten: [SampleID]
    /// For every retrained shard, the first stage retrained (it and all later stages ran).
    public var retrainedStages: [Int: Int]
  }

  /// Forgets `ids`: removes their rows and retrains each affected shard once, from the
  /// checkpoint of the last stage that never saw any of them.
  /// - Throws: `UnlearningError` (unknown ids, empty request) with nothing changed, or a
  ///   training error (the ensemble is then unchanged too: work happens on a copy).
  public mutating func forget(_ ids: Set<SampleID>) throws -> ForgetReport {
    guard !ids.isEmpty else { throw UnlearningError.emptyRequest }
    let present = Set(data.ids)
    let already = ids.filter { forgotten.contains($0) }.sorted()
    let unknown = ids.filter { !present.contains($0) && !forgotten.contains($0) }.sorted()
    guard unknown.isEmpty else {
      throw UnlearningError.unknownIDs(first: Array(unknown.prefix(10)), count: unknown.count)
    }
    if let base {
      let permanent = Set(base.rows.ids)
      let named = ids.filter { permanent.contains($0) }.sorted()
      guard named.isEmpty else {
        throw UnlearningError.permanentIDs(first: Array(named.prefix(10)), count: named.count)
      }
    }
    let removing = ids.filter { present.contains($0) }
    let firstStage = ShardAssignment.firstAffectedStages(removing.map(assignment.place))
    var next = self
    next.data = data.removing(ids: removing)
    let split = next.split()
    let affected = firstStage.sorted(by: { $0.key < $1.key })
    let source = next
    let retrained = try concurrentMap(affected.count) { i in
      let (k, from) = affected[i]
      let previous = from == 0 ? nil : checkpoints[k][from - 1]
      return try source.trainer(shard: k).train(from: from, previous: previous) { r in
        split.stageData(shard: k, stage: r)
      }
    }
    for ((k, from), stages) in zip(affected, retrained) {
      next.checkpoints[k] = Array(checkpoints[k][0..<from]) + stages
    }
    next.forgotten.formUnion(removing)
    self = next
    return ForgetReport(
      removed: removing.sorted(), alreadyForgotten: already, retrainedStages: firstStage)
  }
}

/// The rows the shards split, and `partition[k][r]`: the indices into them of shard k's slice r.
struct ShardSplit: Sendable {
  let rows: Dataset
  let partition: [[[Int]]]

  /// Shard `shard`'s rows in slices 0…`stage`, in data order.
  func stageData(shard: Int, stage: Int) -> Dataset {
    rows.subset(partition[shard][0...stage].joined().sorted())
  }
}
