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
    guard !data.isEmpty else {
      throw ModelError.invalidTrainingData(
        model: "CNN",
        reason: "the training data from \(data.source) has 0 rows; expected at least 1")
    }
    var model = try CNN(
      config: config, featureCount: data.featureCount, classCount: data.classCount)
    var state = model.makeOptimizerState()
    try model.train(
      on: data, epochs: 0..<config.epochs, optimizerState: &state, validation: validation,
      observer: observer)
    return model
  }

  /// A fresh state (zero moments, step 0) for `config.optimizer` and this network's size.
  public func makeOptimizerState() -> OptimizerState {
    OptimizerState(kind: config.optimizer, parameterCount: parameters.count)
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

  /// Rows of the fitted width, labels in `0..<classCount`, every feature finite.
  func validateData(_ data: Dataset, role: String) throws {
    guard !data.isEmpty else {
      throw ModelError.invalidTrainingData(
        model: "CNN", reason: "the \(role) data from \(data.source) has 0 rows; expected at least 1"
      )
    }
    guard data.featureCount == featureCount else {
      throw ModelError.featureCountMismatch(
        model: "CNN", expected: featureCount, found: data.featureCount)
    }
    if let i = data.labels.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
      throw ModelError.invalidTrainingData(
        model: "CNN",
        reason:
          "\(role) row \(i) (id \(data.ids[i])) has label \(data.labels[i]); expected a class in 0..<\(classCount)"
      )
    }
    if let (row, col) = MLP.firstNonFinite(data.features) {
      throw ModelError.invalidTrainingData(
        model: "CNN",
        reason:
          "\(role) row \(row) (id \(data.ids[row])), feature \(col) is \(data.features[row, col]); expected finite values — impute or drop such rows"
      )
    }
  }
}
