import ExpungeCore
import ExpungeData

/// Anything that maps `n × d` features to `n × K` class scores: a fitted `Classifier`, one
/// behind its preprocessing, a SISA ensemble, a store's model version. `predict`, `accuracy`
/// and the audit take any of them.
///
/// The `Dataset` entry points check the width once and throw
/// `ModelError.featureCountMismatch`; the `Matrix` ones are the unchecked kernels (a wrong
/// width there is a programmer error, a precondition).
public protocol Predictor: Sendable {
  /// Number of input features `d` it expects.
  var featureCount: Int { get }
  /// Number of classes `K` it predicts.
  var classCount: Int { get }
  /// Class scores, `n × K`, whose arg max is the prediction.
  func predictProbabilities(_ x: Matrix) -> Matrix
}

extension Predictor {
  /// The most probable class of each row.
  public func predict(_ x: Matrix) -> [Int32] {
    predictProbabilities(x).argmaxRows().map { Int32($0) }
  }

  /// Fraction of rows whose predicted class equals the label; NaN without rows.
  public func accuracy(_ x: Matrix, labels: [Int32]) -> Double {
    guard !labels.isEmpty else { return .nan }
    let predicted = predict(x)
    return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
  }

  /// Throws `ModelError.featureCountMismatch` unless `x` has `featureCount` columns.
  public func checkFeatureCount(_ x: Matrix) throws {
    guard x.cols == featureCount else {
      throw ModelError.featureCountMismatch(
        model: String(describing: type(of: self)), expected: featureCount, found: x.cols)
    }
  }

  /// Class scores for the rows of `data`.
  /// - Throws: `ModelError.featureCountMismatch` for rows of the wrong width.
  public func predictProbabilities(_ data: Dataset) throws -> Matrix {
    try checkFeatureCount(data.features)
    return predictProbabilities(data.features)
  }

  /// The most probable class of each row of `data`.
  /// - Throws: `ModelError.featureCountMismatch` for rows of the wrong width.
  public func predict(_ data: Dataset) throws -> [Int32] {
    try checkFeatureCount(data.features)
    return predict(data.features)
  }

  /// Fraction of the rows of `data` whose predicted class is their label; NaN without rows.
  /// - Throws: `ModelError.featureCountMismatch` for rows of the wrong width.
  public func accuracy(on data: Dataset) throws -> Double {
    try checkFeatureCount(data.features)
    return accuracy(data.features, labels: data.labels)
  }
}

extension PreprocessedClassifier: Predictor {
  public var featureCount: Int { model.featureCount }
  public var classCount: Int { model.classCount }
}
