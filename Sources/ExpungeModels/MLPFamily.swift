import ExpungeData

extension ModelKind {
  /// A multilayer perceptron (`MLP`).
  public static let mlp = ModelKind(declaring: "mlp")
}

extension MLPConfig: ModelFamily {
  public static var kind: ModelKind { .mlp }
  public static var title: String { "multilayer perceptron" }
  public static var continuation: TrainingContinuation { .resumes }
  public static var commandLineGroup: String { "MLP OPTIONS (--model mlp)" }

  public static var commandLineOptions: [HyperparameterOption] {
    let d = MLPConfig()
    return [
      .integerList(
        "hidden", help: "MLP hidden layer widths, comma-separated.", of: Self.self,
        default: d.hidden
      ) { $0.hidden = $1 },
      .choice(
        "activation", help: "MLP hidden nonlinearity.", of: Self.self, default: d.activation
      ) { $0.activation = $1 },
      .integer(
        "epochs", help: "MLP passes over the training data.", of: Self.self, default: d.epochs,
        in: 1...100_000
      ) { $0.epochs = $1 },
      .integer(
        "batch-size", valueName: "b", help: "MLP rows per minibatch.", of: Self.self,
        default: d.batchSize, in: 1...1_000_000
      ) { $0.batchSize = $1 },
      HyperparameterOption(
        "lr", valueName: "x", help: "MLP learning rate.", defaultValue: "0.001 (adam), 0.05 (sgd)",
        of: Self.self,
        parse: { text in
          guard let x = Double(text), x.isFinite, x > 0 else {
            throw HyperparameterOption.Invalid(expected: "a number > 0")
          }
          return x
        }
      ) { $0.learningRate = $1 },
      .choice("optimizer", help: "MLP optimizer.", of: Self.self, default: d.optimizer) {
        $0.optimizer = $1
      },
      .number(
        "momentum", help: "SGD momentum, in [0, 1).", of: Self.self, default: d.momentum,
        expected: "a number in [0, 1)", where: { $0 >= 0 && $0 < 1 }
      ) { $0.momentum = $1 },
    ]
  }

  /// SGD's default step is 0.05, Adam's 1e-3.
  public func completedForCommandLine(given: Set<String>) -> MLPConfig {
    guard optimizer == .sgd, !given.contains("lr") else { return self }
    var c = self
    c.learningRate = 0.05
    return c
  }

  public func fit(_ data: Dataset, validation: Dataset?, observer: TrainingObserver?) throws
    -> any Classifier
  {
    try MLP.fit(data, validation: validation, config: self, observer: observer)
  }

  public func fit(
    _ data: Dataset, from start: TrainingStart?, epochs: Range<Int>?, featureCount: Int,
    classCount: Int
  ) throws -> TrainingStart {
    var model: MLP
    var state: OptimizerState
    if let start, !start.isBase, let previous = start.model as? MLP,
      let previousState = start.optimizerState
    {
      (model, state) = (previous, previousState)
    } else if let start, start.isBase, let base = start.model as? MLP {
      // The base's weights under this configuration (its seed draws the shard's shuffles),
      // with a fresh optimizer.
      model = try MLP(
        configuration: ModelConfiguration(self), featureCount: featureCount,
        classCount: classCount, parameters: base.parameters)
      state = model.makeOptimizerState()
    } else {
      model = try MLP(config: self, featureCount: featureCount, classCount: classCount)
      state = model.makeOptimizerState()
    }
    if !data.isEmpty {
      try model.train(on: data, epochs: epochs ?? 0..<self.epochs, optimizerState: &state)
    }
    return TrainingStart(model: model, optimizerState: state)
  }

  public func restore(_ saved: SavedModel) throws -> any Classifier {
    try MLP(
      configuration: saved.configuration, featureCount: saved.featureCount,
      classCount: saved.classCount, parameters: saved.parameters)
  }

  public var trainingEpochs: Int? { epochs }
  public var randomSeed: UInt64? { seed }

  public func withSeed(_ seed: UInt64) -> MLPConfig {
    var c = self
    c.seed = seed
    return c
  }

  public func withL2(_ l2: Double) -> MLPConfig {
    var c = self
    c.weightDecay = l2
    return c
  }

  public func summary(featureCount: Int, classCount: Int) -> String {
    "mlp " + ([featureCount] + hidden + [classCount]).map(String.init).joined(separator: "-")
  }
}
