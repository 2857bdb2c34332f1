import ExpungeCore
import ExpungeData

/// A fitted model of any family: what every kind has in common. Conformers are immutable
/// values: unlearners return new models and never mutate their input.
///
/// Capabilities beyond this are separate protocols, so a family adopts only what it has:
/// `Classifier` (labels and class scores), `ParametricModel` (one flat vector of Float
/// parameters, what gradient-based unlearning and parameter distances work on).
public protocol Model: Sendable {
  /// The family and hyperparameters it was trained with.
  var configuration: ModelConfiguration { get }
  /// Number of input features `d` it expects.
  var featureCount: Int { get }
  /// Every learned value, as the named tensors a model directory saves; the family's
  /// `restore` rebuilds the model from them bit for bit.
  var tensors: ModelTensors { get }
}

extension Model {
  /// The family's name.
  public var kind: ModelKind { configuration.kind }
}

/// What a model directory's `weights.safetensors` holds for a model.
public struct ModelTensors: Sendable {
  /// Float tensors, in one buffer with named views.
  public var parameters: ParameterBuffer
  /// Tensors kept in double precision (F64), exactly, by name.
  public var doubles: [String: [Double]]

  public init(parameters: ParameterBuffer, doubles: [String: [Double]] = [:]) {
    self.parameters = parameters
    self.doubles = doubles
  }
}

/// A model that maps `n × d` features to `n × K` class scores (`Predictor`'s `predict`,
/// `accuracy` and their width-checked `Dataset` forms come with it).
public protocol Classifier: Model, Predictor {
  /// Number of classes `K` it predicts.
  var classCount: Int { get }

  /// Class probabilities, `n × K`, rows summing to 1. For ridge (a regressor used as a
  /// classifier) these are the raw one-hot regression scores; see `RidgeClassifier`.
  func predictProbabilities(_ x: Matrix) -> Matrix

  /// The training objective's data term on `(x, labels)`, averaged over rows: cross-entropy
  /// for the probabilistic models, half the squared error for ridge. Penalties are excluded.
  func meanLoss(_ x: Matrix, labels: [Int32]) -> Double
}

/// A model whose learned values are one flat vector of Float parameters with named views:
/// what influence updates, Newton steps and parameter-space distances work on.
public protocol ParametricModel: Model {
  /// Every learned value, in one flat buffer with named views.
  var parameters: ParameterBuffer { get }
  /// Number of classes (outputs) it predicts.
  var classCount: Int { get }

  /// Rebuilds a fitted model from its configuration and parameters.
  /// - Throws: `ModelError.layoutMismatch` when `parameters` do not fit the configuration.
  init(
    configuration: ModelConfiguration, featureCount: Int, classCount: Int,
    parameters: ParameterBuffer) throws
}

extension ParametricModel {
  public var tensors: ModelTensors { ModelTensors(parameters: parameters) }
}

/// A classifier with flat Float parameters: every family Expunge trains by gradients or
/// solvers.
public typealias ParametricClassifier = Classifier & ParametricModel
