import ExpungeCore
import ExpungeModels

/// Whatever the audit measures — one classifier or a SISA ensemble — seen as its class
/// scores and, when it has one, its parameter vector.
public struct AuditedModel: Sendable {
  public var name: String
  public var classCount: Int
  /// For rows x: the class scores whose arg max is the prediction (probabilities, or an
  /// ensemble's vote shares), and the class probabilities losses and attacks use — for a
  /// voting ensemble its shards' mean probabilities, since vote shares take a handful of
  /// values and make every loss-based signal nearly constant. One call, so an ensemble runs
  /// its shard models once for both.
  public var outputs: @Sendable (Matrix) -> (scores: Matrix, posteriors: Matrix)
  /// All parameters (for distances between models of one layout); nil when meaningless.
  public var parameters: ParameterBuffer?

  public init(
    name: String, classCount: Int, parameters: ParameterBuffer?,
    outputs: @escaping @Sendable (Matrix) -> (scores: Matrix, posteriors: Matrix)
  ) {
    self.name = name
    self.classCount = classCount
    self.parameters = parameters
    self.outputs = outputs
  }

  public init(_ classifier: any Classifier, name: String = "model") {
    self.init(
      name: name, classCount: classifier.classCount,
      parameters: (classifier as? any ParametricModel)?.parameters
    ) {
      let p = classifier.predictProbabilities($0)
      return (p, p)
    }
  }

  /// The class scores whose arg max is the prediction.
  public func probabilities(_ x: Matrix) -> Matrix { outputs(x).scores }

  /// The class probabilities for losses and attacks.
  public func posteriors(_ x: Matrix) -> Matrix { outputs(x).posteriors }

  /// The most probable class of each row.
  public func predict(_ x: Matrix) -> [Int32] { probabilities(x).argmaxRows().map(Int32.init) }
}
