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
