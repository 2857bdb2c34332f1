import ExpungeCore
import ExpungeData
import ExpungeModels

/// Trains one SISA shard stage by stage (see `SliceSchedule` for what a stage is), the way
/// the model's family continues training (`TrainingContinuation`).
struct ShardTrainer {
  /// The shard's own configuration (its seed, see `ShardSeeding`).
  let configuration: ModelConfiguration
  let slices: Int
  let featureCount: Int
  let classCount: Int
  /// What each stage does to its rows first (see `ShardPreprocessing` for the rule).
  let preprocessing: ShardPreprocessing
  /// The shared base on permanent rows the shard builds on, if any (see `SISABase`).
  let base: SISABase?

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
    let family = configuration.family
    let solves = family.continuation == .solves
    // A solver's stage with no rows (yet) has nothing new to learn: the previous model
    // stands, with its statistics.
    if rows.isEmpty, let previous, solves { return previous }
    // A solver over a base solves on the permanent rows plus the shard's own (`SISABase`).
    let trained = solves ? base.map { $0.rows.appending(rows) } ?? rows : rows
    let (data, standardizer) = preprocessing.prepare(trained)
    let start =
      previous.map { TrainingStart(model: $0.model, optimizerState: $0.optimizerState) }
      ?? base.map { TrainingStart(model: $0.checkpoint.model, isBase: true) }
    let epochs = configuration.hyperparameters.trainingEpochs.map {
      SliceSchedule.epochs(stage: stage, epochs: $0, slices: slices)
    }
    let fitted = try configuration.hyperparameters.fit(
      data, from: start, epochs: epochs, featureCount: featureCount, classCount: classCount)
    return SISACheckpoint(
      model: fitted.model, optimizerState: fitted.optimizerState, standardizer: standardizer)
  }
}
