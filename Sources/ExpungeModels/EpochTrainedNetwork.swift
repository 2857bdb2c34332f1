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
