import ExpungeData

/// A model whose training can continue from its current weights: what fine-tuning
/// unlearning methods need.
public protocol FineTunable: Classifier {
  /// This model trained `epochs` more epochs on `data` from its current weights, with a
  /// fresh optimizer at `learningRate` and shuffles from `seed`; the result keeps this
  /// model's configuration.
  /// - Throws: `ModelError` for bad data or a diverged loss.
  func fineTuned(on data: Dataset, epochs: Int, learningRate: Double, seed: UInt64) throws -> Self
}

extension MLP: FineTunable {
  public func fineTuned(on data: Dataset, epochs: Int, learningRate: Double, seed: UInt64)
    throws -> MLP
  {
    var tuning = config
    (tuning.seed, tuning.learningRate) = (seed, learningRate)
    var tuned = try MLP(
      configuration: ModelConfiguration(tuning), featureCount: featureCount,
      classCount: classCount, parameters: parameters)
    var state = tuned.makeOptimizerState()
    try tuned.train(on: data, epochs: 0..<epochs, optimizerState: &state)
    return try MLP(
      configuration: configuration, featureCount: featureCount, classCount: classCount,
      parameters: tuned.parameters)
  }
}

extension CNN: FineTunable {
  public func fineTuned(on data: Dataset, epochs: Int, learningRate: Double, seed: UInt64)
    throws -> CNN
  {
    var tuning = config
    (tuning.seed, tuning.learningRate) = (seed, learningRate)
    var tuned = try CNN(
      configuration: ModelConfiguration(tuning), featureCount: featureCount,
      classCount: classCount, parameters: parameters)
    var state = tuned.makeOptimizerState()
    try tuned.train(on: data, epochs: 0..<epochs, optimizerState: &state)
    return try CNN(
      configuration: configuration, featureCount: featureCount, classCount: classCount,
      parameters: tuned.parameters)
  }
}
