/// The training options the networks (MLP, CNN) share, declared once.
enum NetworkTrainingOptions {
  static let group = "NETWORK OPTIONS (--model mlp, cnn)"

  static func options<Family: ModelFamily & NetworkTrainingSettings>(
    of family: Family.Type, defaults d: Family
  ) -> [HyperparameterOption] {
    [
      .choice(
        "activation", help: "Hidden nonlinearity.", of: family, default: d.activation
      ) { $0.activation = $1 },
      .integer(
        "epochs", help: "Passes over the training data.", of: family, default: d.epochs,
        in: 1...100_000
      ) { $0.epochs = $1 },
      .integer(
        "batch-size", valueName: "b", help: "Rows per minibatch.", of: family,
        default: d.batchSize, in: 1...1_000_000
      ) { $0.batchSize = $1 },
      HyperparameterOption(
        "lr", valueName: "x", help: "Learning rate.", defaultValue: "0.001 (adam), 0.05 (sgd)",
        of: family,
        parse: { text in
          guard let x = Double(text), x.isFinite, x > 0 else {
            throw HyperparameterOption.Invalid(expected: "a number > 0")
          }
          return x
        }
      ) { $0.learningRate = $1 },
      .choice("optimizer", help: "Optimizer.", of: family, default: d.optimizer) {
        $0.optimizer = $1
      },
      .number(
        "momentum", help: "SGD momentum, in [0, 1).", of: family, default: d.momentum,
        expected: "a number in [0, 1)", where: { $0 >= 0 && $0 < 1 }
      ) { $0.momentum = $1 },
    ]
  }
}

/// What the networks' training settings have in common.
public protocol NetworkTrainingSettings {
  var activation: Activation { get set }
  var epochs: Int { get set }
  var batchSize: Int { get set }
  var learningRate: Double { get set }
  var optimizer: OptimizerKind { get set }
  var momentum: Double { get set }
  var weightDecay: Double { get set }
  var seed: UInt64 { get set }
}

/// What the networks' families do alike: epochs, seed, weight decay as the L2 penalty, and
/// SGD's own default step on the command line.
extension ModelFamily where Self: NetworkTrainingSettings {
  public var trainingEpochs: Int? { epochs }
  public var randomSeed: UInt64? { seed }

  public func withSeed(_ seed: UInt64) -> Self {
    var c = self
    c.seed = seed
    return c
  }

  public func withL2(_ l2: Double) -> Self {
    var c = self
    c.weightDecay = l2
    return c
  }

  public func completedForCommandLine(given: Set<String>) -> Self {
    withSGDDefaultStep(given: given)
  }
}

extension NetworkTrainingSettings {
  /// SGD's default step is 0.05, Adam's 1e-3.
  func withSGDDefaultStep(given: Set<String>) -> Self {
    guard optimizer == .sgd, !given.contains("lr") else { return self }
    var c = self
    c.learningRate = 0.05
    return c
  }
}
