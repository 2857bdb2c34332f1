import ExpungeData
import ExpungeModels

extension ShardTrainer {
  /// A CNN shard's stage: as the MLP's (see `SliceSchedule`), continuing the previous
  /// stage's weights and optimizer state, stage 0 from the base's weights (a fresh
  /// optimizer) or from the shard seed's initialization.
  func fitCNNStage(
    _ stage: Int, config c: CNNConfig, on data: Dataset, after previous: SISACheckpoint?
  ) throws -> SISACheckpoint {
    var model: CNN
    var state: OptimizerState
    if let previous, let saved = previous.model as? CNN, let savedState = previous.optimizerState {
      (model, state) = (saved, savedState)
    } else if let start = base?.checkpoint.model as? CNN {
      model = try CNN(
        configuration: .cnn(c), featureCount: featureCount, classCount: classCount,
        parameters: start.parameters)
      state = model.makeOptimizerState()
    } else {
      model = try CNN(config: c, featureCount: featureCount, classCount: classCount)
      state = model.makeOptimizerState()
    }
    if !data.isEmpty {
      let epochs = SliceSchedule.epochs(stage: stage, epochs: c.epochs, slices: slices)
      try model.train(on: data, epochs: epochs, optimizerState: &state)
    }
    return SISACheckpoint(model: model, optimizerState: state)
  }
}
