import ExpungeCore
import ExpungeModels

/// Whatever the audit measures — one classifier or a SISA ensemble — seen as its class
/// scores and, when it has one, its parameter vector.
public struct AuditedModel: Sendable {
  public var name: String
  public var classCount: Int
  /// Class scores, rows × K, whose arg max is the model's prediction (probabilities, or an
  /// ensemble's vote shares).
  public var probabilities: @Sendable (Matrix) -> Matrix
  /// Class probabilities for losses and attacks. For a voting ensemble these are its shards'
  /// mean probabilities: vote shares take a handful of values and make every loss-based
  /// signal nearly constant.
  public var posteriors: @Sendable (Matrix) -> Matrix
  /// All parameters (for distances between models of one layout); nil when meaningless.
  public var parameters: ParameterBuffer?

  public init(
    name: String, classCount: Int, parameters: ParameterBuffer?,
    probabilities: @escaping @Sendable (Matrix) -> Matrix,
    posteriors: (@Sendable (Matrix) -> Matrix)? = nil
  ) {
    self.name = name
    self.classCount = classCount
    self.parameters = parameters
    self.probabilities = probabilities
    self.posteriors = posteriors ?? probabilities
  }

  public init(_ classifier: any Classifier, name: String = "model") {
    self.init(
      name: name, classCount: classifier.classCount, parameters: classifier.parameters,
      probabilities: { classifier.predictProbabilities($0) })
  }

  /// The most probable class of each row.
  public func predict(_ x: Matrix) -> [Int32] { probabilities(x).argmaxRows().map(Int32.init) }
}
