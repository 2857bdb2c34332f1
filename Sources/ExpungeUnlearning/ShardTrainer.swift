import ExpungeCore
import ExpungeData
import ExpungeModels

/// Trains one SISA shard stage by stage (see `SliceSchedule` for what a stage is).
struct ShardTrainer {
  let configuration: ModelConfiguration
  let slices: Int
  let shard: Int
  let featureCount: Int
  let classCount: Int
  /// What each stage does to its rows first (see `ShardPreprocessing` for the rule).
  let preprocessing: ShardPreprocessing
  /// The shared base on permanent rows the shard builds on, if any (see `SISABase`).
  let base: SISABase?

  /// The shard's model configuration: shard k trains with seed `seed + k`, so shard 0 of a
  /// one-shard ensemble is plain training with the user's seed.
  var shardConfiguration: ModelConfiguration {
    if case .cnn(var c) = configuration {
      c.seed = c.seed &+ UInt64(shard)
      return .cnn(c)
    }
    guard case .mlp(var c) = configuration else { return configuration }
    c.seed = c.seed &+ UInt64(shard)
    return .mlp(c)
  }

  /// Runs stages `from..<slices` on `stageData(r)` (the shard's rows in slices 0…r, as the
  /// data file holds them: each stage preprocesses its own), continuing from `previous` (the
  /// checkpoint of stage `from − 1`; nil when `from` is 0). Returns the new checkpoints, one
  /// per stage run.
  func train(
    from: Int, previous: SISACheckpoint?, stageDone: ((Int) -> Void)? = nil,
    stageData: (Int) -> Dataset
  ) throws -> [SISACheckpoint] {
    precondition((from == 0) == (previous == nil), "a stage after the first needs its predecessor")
    var checkpoints: [SISACheckpoint] = []
    var last = previous
    for stage in from..<slices {
      let data = stageData(stage)
      let next = try trainStage(stage, on: data, after: last)
      checkpoints.append(next)
      last = next
      stageDone?(stage)
    }
    return checkpoints
  }

  private func trainStage(_ stage: Int, on rows: Dataset, after previous: SISACheckpoint?) throws
    -> SISACheckpoint
  {
    // Slices 0…r hold no rows (yet): nothing to learn, the previous model stands (and its
    // statistics, of no rows either).
    if rows.isEmpty, let previous, !configuration.isNetwork { return previous }
    // A convex shard over a base solves on the permanent rows plus its own (see `SISABase`).
    let trained = configuration.isNetwork ? rows : base.map { $0.rows.appending(rows) } ?? rows
    let (data, standardizer) = preprocessing.prepare(trained)
    var checkpoint = try fitStage(stage, on: data, after: previous)
    checkpoint.standardizer = standardizer
    return checkpoint
  }

  /// The stage's model fitted on `data` (preprocessed), continuing from `previous`.
  private func fitStage(_ stage: Int, on data: Dataset, after previous: SISACheckpoint?) throws
    -> SISACheckpoint
  {
    switch shardConfiguration {
    case .mlp(let c):
      var model: MLP
      var state: OptimizerState
      if let previous, let saved = previous.model as? MLP, let savedState = previous.optimizerState
      {
        (model, state) = (saved, savedState)
      } else if let start = base?.checkpoint.model as? MLP {
        // Stage 0 over a base: the base's weights under the shard's own seed (its shuffles),
        // with a fresh optimizer.
        model = try MLP(
          configuration: .mlp(c), featureCount: featureCount, classCount: classCount,
          parameters: start.parameters)
        state = model.makeOptimizerState()
      } else {
        model = try MLP(config: c, featureCount: featureCount, classCount: classCount)
        state = model.makeOptimizerState()
      }
      if !data.isEmpty {
        let epochs = SliceSchedule.epochs(stage: stage, epochs: c.epochs, slices: slices)
        try model.train(on: data, epochs: epochs, optimizerState: &state)
      }
      return SISACheckpoint(model: model, optimizerState: state)
    case .cnn(let c):
      return try fitCNNStage(stage, config: c, on: data, after: previous)
    case .softmax(let c):
      let start = ((previous ?? base?.checkpoint)?.model as? SoftmaxRegression)?.theta
      return SISACheckpoint(
        model: try SoftmaxRegression.fit(data, config: c, start: start), optimizerState: nil)
    case .logistic(let c):
      let start = ((previous ?? base?.checkpoint)?.model as? LogisticRegression)?.theta
      return SISACheckpoint(
        model: try LogisticRegression.fit(data, config: c, start: start), optimizerState: nil)
    case .ridge(let c):
      return SISACheckpoint(model: try RidgeClassifier.fit(data, config: c), optimizerState: nil)
    case .certifiedLogistic(let c):
      return SISACheckpoint(
        model: try CertifiedLogisticRegression.fit(data, config: c), optimizerState: nil)
    }
  }
}

extension ModelConfiguration {
  /// Whether the model is a network trained by epochs (MLP, CNN): a stage continues the
  /// previous stage's weights on its slices, never on the base's rows.
  var isNetwork: Bool {
    switch self {
    case .mlp, .cnn: return true
    default: return false
    }
  }
}
