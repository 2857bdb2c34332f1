import ExpungeCore
import ExpungeData

extension CNN {
  /// Trains a new network on `data` for `config.epochs` epochs: `CNN(config:…)` then
  /// `train(on:epochs: 0..<config.epochs, …)` with a fresh optimizer state.
  ///
  /// - Parameters:
  ///   - validation: optional rows whose accuracy each `"epoch"` event reports.
  ///   - observer: `"epoch"` events and `"batch"` events as `MLP.fit` sends them.
  /// - Throws: `ModelError.invalidHyperparameter`, `.invalidTrainingData` (no rows, one
  ///   class, labels out of range, NaN or ±∞ features), `.featureCountMismatch`, `.diverged`.
  /// - Complexity: per epoch ≈ 3× the forward flops of every row.
  public static func fit(
    _ data: Dataset, validation: Dataset? = nil, config: CNNConfig = .init(),
    observer: TrainingObserver? = nil
  ) throws -> CNN {
    try trainedFromScratch(data, validation: validation, config: config, observer: observer)
  }

  /// The optimizer settings of `config`.
  public var trainingSettings: TrainingSettings {
    TrainingSettings(
      batchSize: config.batchSize, learningRate: config.learningRate, momentum: config.momentum,
      weightDecay: config.weightDecay, seed: config.seed)
  }

  /// Continues training in place for the absolute epochs `epochs` (see
  /// `LayeredNetwork.train`): resuming from saved parameters and state gives the same bits
  /// as never having stopped.
  /// - Throws: as `fit`, and `ModelError.layoutMismatch` for an optimizer state of another
  ///   kind or size.
  public mutating func train(
    on data: Dataset, epochs: Range<Int>, optimizerState state: inout OptimizerState,
    validation: Dataset? = nil, observer: TrainingObserver? = nil
  ) throws {
    try validateData(data, role: "training")
    if let validation { try validateData(validation, role: "validation") }
    guard state.kind == config.optimizer && state.parameterCount == parameters.count else {
      throw ModelError.layoutMismatch(
        name: "optimizer state (\(state.kind.rawValue))", expectedShape: [parameters.count],
        actualShape: [state.parameterCount])
    }
    try network.train(
      on: data, epochs: epochs, optimizerState: &state, settings: trainingSettings,
      validation: validation, observer: observer, model: "CNN")
  }
}
