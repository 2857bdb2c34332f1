import ExpungeData

/// A network trained in epochs of minibatches with a stateful optimizer (the MLP, the CNN):
/// what their families share — continuing a SISA stage, building on a base, fine-tuning.
public protocol EpochTrainedNetwork: ParametricClassifier, FineTunable {
  associatedtype Hyperparameters: ModelFamily & NetworkTrainingSettings
  /// The hyperparameters it was trained with.
  var config: Hyperparameters { get }
  /// A freshly initialized network.
  init(config: Hyperparameters, featureCount: Int, classCount: Int) throws
  /// A fresh optimizer state for this network.
  func makeOptimizerState() -> OptimizerState
  /// Continues training in place for the absolute epochs `epochs`.
  mutating func train(
    on data: Dataset, epochs: Range<Int>, optimizerState: inout OptimizerState,
    validation: Dataset?, observer: TrainingObserver?) throws
}

extension EpochTrainedNetwork {
  /// A fresh state (zero moments, step 0) for `config.optimizer` and this network's size.
  public func makeOptimizerState() -> OptimizerState {
    OptimizerState(kind: config.optimizer, parameterCount: parameters.count)
  }

  /// A network initialized by `config` and trained its epochs on `data`: plain training.
  static func trainedFromScratch(
    _ data: Dataset, validation: Dataset?, config: Hyperparameters,
    observer: TrainingObserver?
  ) throws -> Self {
    guard !data.isEmpty else {
      throw ModelError.invalidTrainingData(
        model: "\(Self.self)",
        reason: "the training data from \(data.source) has 0 rows; expected at least 1")
    }
    var model = try Self(
      config: config, featureCount: data.featureCount, classCount: data.classCount)
    var state = model.makeOptimizerState()
    try model.train(
      on: data, epochs: 0..<config.epochs, optimizerState: &state, validation: validation,
      observer: observer)
    return model
  }

  /// Checks that `data` can train or evaluate this network: rows present, the right width,
  /// labels in `0..<classCount`, every feature finite. `role` ("training", "validation")
  /// names the data in the message.
  /// - Throws: `ModelError.invalidTrainingData` or `.featureCountMismatch`.
  func validateData(_ data: Dataset, role: String) throws {
    let model = "\(Self.self)"
    guard !data.isEmpty else {
      throw ModelError.invalidTrainingData(
        model: model, reason: "the \(role) data from \(data.source) has 0 rows; expected at least 1"
      )
    }
    guard data.featureCount == featureCount else {
      throw ModelError.featureCountMismatch(
        model: model, expected: featureCount, found: data.featureCount)
    }
    if let i = data.labels.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
      throw ModelError.invalidTrainingData(
        model: model,
        reason:
          "\(role) row \(i) (id \(data.ids[i])) has label \(data.labels[i]); expected a class in 0..<\(classCount)"
      )
    }
    if let (row, col) = MLP.firstNonFinite(data.features) {
      throw ModelError.invalidTrainingData(
        model: model,
        reason:
          "\(role) row \(row) (id \(data.ids[row])), feature \(col) is \(data.features[row, col]); expected finite values — impute or drop such rows"
      )
    }
  }

  /// A SISA stage or a shard's first stage: a previous stage's weights and optimizer state
  /// continue, a base's weights start the shard (with a fresh optimizer, under `config`'s
  /// seed), else `config`'s initialization; then `epochs` (all of `config`'s when nil).
  static func fitStage(
    _ config: Hyperparameters, on data: Dataset, from start: TrainingStart?,
    epochs: Range<Int>?, featureCount: Int, classCount: Int
  ) throws -> TrainingStart {
    var model: Self
    var state: OptimizerState
    if let start, !start.isBase, let previous = start.model as? Self,
      let previousState = start.optimizerState
    {
      (model, state) = (previous, previousState)
    } else if let start, start.isBase, let base = start.model as? Self {
      model = try Self(
        configuration: ModelConfiguration(config), featureCount: featureCount,
        classCount: classCount, parameters: base.parameters)
      state = model.makeOptimizerState()
    } else {
      model = try Self(config: config, featureCount: featureCount, classCount: classCount)
      state = model.makeOptimizerState()
    }
    if !data.isEmpty {
      try model.train(
        on: data, epochs: epochs ?? 0..<config.epochs, optimizerState: &state, validation: nil,
        observer: nil)
    }
    return TrainingStart(model: model, optimizerState: state)
  }

  public func fineTuned(on data: Dataset, epochs: Int, learningRate: Double, seed: UInt64)
    throws -> Self
  {
    var tuning = config.withSeed(seed)
    tuning.learningRate = learningRate
    var tuned = try Self(
      configuration: ModelConfiguration(tuning), featureCount: featureCount,
      classCount: classCount, parameters: parameters)
    var state = tuned.makeOptimizerState()
    try tuned.train(
      on: data, epochs: 0..<epochs, optimizerState: &state, validation: nil, observer: nil)
    return try Self(
      configuration: configuration, featureCount: featureCount, classCount: classCount,
      parameters: tuned.parameters)
  }
}

extension MLP: EpochTrainedNetwork {}
extension CNN: EpochTrainedNetwork {}
