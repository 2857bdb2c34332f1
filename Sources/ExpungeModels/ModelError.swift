/// Why a model could not be fitted, loaded or applied.
public enum ModelError: Error, Equatable, CustomStringConvertible {
  /// Data of the wrong width for a fitted model.
  case featureCountMismatch(model: String, expected: Int, found: Int)
  /// A hyperparameter outside its range.
  case invalidHyperparameter(model: String, name: String, value: String, expected: String)
  /// Training data the model cannot use (empty, one class, labels out of range, NaN).
  case invalidTrainingData(model: String, reason: String)
  /// A two-class model given data of another number of classes.
  case needsTwoClasses(model: String, found: Int)
  /// Saved parameters that do not fit the saved configuration.
  case layoutMismatch(name: String, expectedShape: [Int], actualShape: [Int])
  /// A model directory that cannot be read or written.
  case io(path: String, reason: String)
  /// The optimizer produced a non-finite value.
  case diverged(model: String, reason: String)

  public var description: String {
    switch self {
    case .featureCountMismatch(let model, let expected, let found):
      return "X has \(found) features, but \(model) is expecting \(expected) features as input"
    case .invalidHyperparameter(let model, let name, let value, let expected):
      return "\(model): \(name) = \(value) is invalid; expected \(expected)"
    case .invalidTrainingData(let model, let reason):
      return "\(model): \(reason)"
    case .needsTwoClasses(let model, let found):
      return
        "\(model): binary logistic regression needs 2 classes, the data has \(found); select two classes or use softmax regression"
    case .layoutMismatch(let name, let expected, let actual):
      return "parameter '\(name)' has shape \(actual), expected \(expected)"
    case .io(let path, let reason):
      return "\(path): \(reason)"
    case .diverged(let model, let reason):
      return "\(model) diverged: \(reason); lower the learning rate or raise the L2 penalty"
    }
  }
}
