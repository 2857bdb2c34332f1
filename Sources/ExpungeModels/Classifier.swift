import ExpungeCore
import ExpungeData

/// The model families Expunge trains.
public enum ModelKind: String, Codable, Sendable, CaseIterable {
  case logistic, softmax, ridge, mlp
  case cnn
  case certifiedLogistic = "certified-logistic"
}

/// A fitted classifier: maps `n × d` features to `n × K` class scores.
///
/// Every model keeps its parameters in one `ParameterBuffer`, records the feature and class
/// counts it was fitted with, and can be rebuilt from its configuration and parameters (that
/// is how `ModelDirectory` loads it). Conformers are immutable values: unlearners return new
/// models and never mutate their input.
public protocol Classifier: Sendable {
  /// Which family this is.
  var kind: ModelKind { get }
  /// The hyperparameters it was trained with.
  var configuration: ModelConfiguration { get }
  /// Number of input features `d` it expects.
  var featureCount: Int { get }
  /// Number of classes `K` it predicts.
  var classCount: Int { get }
  /// Every learned value, in one flat buffer with named views.
  var parameters: ParameterBuffer { get }

  /// Rebuilds a fitted model from saved parts.
  /// - Throws: `ModelError.layoutMismatch` when `parameters` do not fit the configuration.
  init(
    configuration: ModelConfiguration, featureCount: Int, classCount: Int,
    parameters: ParameterBuffer) throws

  /// Class probabilities, `n × K`, rows summing to 1. For ridge (a regressor used as a
  /// classifier) these are the raw one-hot regression scores; see `RidgeClassifier`.
  func predictProbabilities(_ x: Matrix) -> Matrix

  /// The training objective's data term on `(x, labels)`, averaged over rows: cross-entropy
  /// for the probabilistic models, half the squared error for ridge. Penalties are excluded.
  func meanLoss(_ x: Matrix, labels: [Int32]) -> Double
}

extension Classifier {
  /// The most probable class of each row.
  public func predict(_ x: Matrix) -> [Int32] {
    predictProbabilities(x).argmaxRows().map { Int32($0) }
  }

  /// Fraction of rows whose predicted class equals the label.
  public func accuracy(_ x: Matrix, labels: [Int32]) -> Double {
    guard !labels.isEmpty else { return .nan }
    let predicted = predict(x)
    return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
  }
}

/// A model's hyperparameters, tagged by family. Encoded into a model directory's `config.json`.
public enum ModelConfiguration: Codable, Sendable, Hashable {
  case logistic(LogisticRegressionConfig)
  case softmax(SoftmaxRegressionConfig)
  case ridge(RidgeConfig)
  case mlp(MLPConfig)
  case cnn(CNNConfig)
  case certifiedLogistic(CertifiedLogisticConfig)

  public var kind: ModelKind {
    switch self {
    case .logistic: .logistic
    case .softmax: .softmax
    case .ridge: .ridge
    case .mlp: .mlp
    case .cnn: .cnn
    case .certifiedLogistic: .certifiedLogistic
    }
  }

  private enum CodingKeys: String, CodingKey { case kind, hyperparameters }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    switch try c.decode(ModelKind.self, forKey: .kind) {
    case .logistic:
      self = .logistic(try c.decode(LogisticRegressionConfig.self, forKey: .hyperparameters))
    case .softmax:
      self = .softmax(try c.decode(SoftmaxRegressionConfig.self, forKey: .hyperparameters))
    case .ridge: self = .ridge(try c.decode(RidgeConfig.self, forKey: .hyperparameters))
    case .mlp: self = .mlp(try c.decode(MLPConfig.self, forKey: .hyperparameters))
    case .cnn: self = .cnn(try c.decode(CNNConfig.self, forKey: .hyperparameters))
    case .certifiedLogistic:
      self = .certifiedLogistic(
        try c.decode(CertifiedLogisticConfig.self, forKey: .hyperparameters))
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .kind)
    switch self {
    case .logistic(let h): try c.encode(h, forKey: .hyperparameters)
    case .softmax(let h): try c.encode(h, forKey: .hyperparameters)
    case .ridge(let h): try c.encode(h, forKey: .hyperparameters)
    case .mlp(let h): try c.encode(h, forKey: .hyperparameters)
    case .cnn(let h): try c.encode(h, forKey: .hyperparameters)
    case .certifiedLogistic(let h): try c.encode(h, forKey: .hyperparameters)
    }
  }
}

/// One step of training, reported to an observer (the CLI's progress bar, a benchmark, a test).
public struct TrainingProgress: Sendable {
  /// What `completed` and `total` count: "epoch", "iteration" or "batch".
  public var unit: String
  /// Units done so far.
  public var completed: Int
  /// Units planned, or with `totalIsCap` only an upper bound (an iterative solver's cap).
  public var total: Int
  /// Whether `total` is a cap the work may stop well before (an iterative solver stops when
  /// it converges) rather than the amount of work (epochs): then no time left can be told.
  public var totalIsCap: Bool
  /// Objective value (training loss, penalties included where the solver sees them).
  public var loss: Double
  /// Norm of the objective's gradient, for solvers that compute it.
  public var gradientNorm: Double?
  /// Validation accuracy, when a validation set was given and this is an epoch boundary.
  public var validationAccuracy: Double?

  public init(
    unit: String, completed: Int, total: Int, loss: Double, gradientNorm: Double? = nil,
    validationAccuracy: Double? = nil, totalIsCap: Bool = false
  ) {
    self.unit = unit
    self.completed = completed
    self.total = total
    self.totalIsCap = totalIsCap
    self.loss = loss
    self.gradientNorm = gradientNorm
    self.validationAccuracy = validationAccuracy
  }
}

/// Receives training progress. Called on the training thread; keep it cheap.
public typealias TrainingObserver = @Sendable (TrainingProgress) -> Void
