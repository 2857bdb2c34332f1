import ExpungeCore
import ExpungeData

/// A fitted classifier behind what its inputs go through first: the fixed `--scale`, then
/// the standardizer fitted on the rows it was trained on. Given rows as the data file holds
/// them, it predicts as training saw them.
public struct PreprocessedClassifier: Sendable {
  /// The classifier, which expects preprocessed inputs.
  public var model: any Classifier
  /// Applied first, if any.
  public var scaling: FeatureScaling?
  /// Applied second, if any (fitted on the scaled training rows).
  public var standardizer: Standardizer?

  public init(
    _ model: any Classifier, scaling: FeatureScaling? = nil, standardizer: Standardizer? = nil
  ) {
    self.model = model
    self.scaling = scaling
    self.standardizer = standardizer
  }

  /// `x` (n × d, as the data file holds it) as the model expects it.
  public func preprocess(_ x: Matrix) -> Matrix {
    var out = x
    if let scaling { out = scaling.transform(out) }
    if let standardizer { out = standardizer.transform(out) }
    return out
  }

  /// The model's n × K class scores for raw rows `x`.
  public func predictProbabilities(_ x: Matrix) -> Matrix {
    model.predictProbabilities(preprocess(x))
  }

  /// The model's mean loss on raw rows `x`.
  public func meanLoss(_ x: Matrix, labels: [Int32]) -> Double {
    model.meanLoss(preprocess(x), labels: labels)
  }
}

extension SavedModel {
  /// The classifier with the scaling its metadata records and the standardizer its weights
  /// file holds.
  public func instantiatePreprocessed() throws -> PreprocessedClassifier {
    PreprocessedClassifier(
      try instantiate(), scaling: metadata.featureScaling, standardizer: standardizer)
  }
}
