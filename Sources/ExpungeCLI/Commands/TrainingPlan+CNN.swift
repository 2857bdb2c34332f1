import ExpungeModels

extension TrainingPlan {
  /// Options only `--model cnn` reads.
  static let cnnOnly = ["layers", "input-shape"]

  /// `--model cnn`'s configuration from `--layers`, `--input-shape` and the network options
  /// it shares with the MLP (`--activation`, `--epochs`, `--batch-size`, `--lr`,
  /// `--optimizer`, `--momentum`, `--l2` as weight decay).
  static func cnnConfig(_ a: ParsedArguments, l2: Double?, seed: UInt64) throws -> CNNConfig {
    var c = CNNConfig()
    if let text = a.string("layers") {
      guard let layers = CNNLayerSpec.parseList(text) else {
        throw a.invalid("layers", text, CNNLayerSpec.syntax)
      }
      c.layers = layers
    }
    if let text = a.string("input-shape") {
      guard let shape = TensorShape(parsing: text) else {
        throw a.invalid("input-shape", text, "HxWxC with every part ≥ 1 (e.g. 28x28x1)")
      }
      c.inputShape = shape
    }
    c.activation = try a.choice("activation", as: Activation.self) ?? c.activation
    c.epochs = try a.int("epochs", in: 1...100_000) ?? c.epochs
    c.batchSize = try a.int("batch-size", in: 1...1_000_000) ?? c.batchSize
    c.optimizer = try a.choice("optimizer", as: OptimizerKind.self) ?? c.optimizer
    c.learningRate =
      try a.double("lr", where: { $0 > 0 }, expected: "a number > 0")
      ?? (c.optimizer == .sgd ? 0.05 : c.learningRate)
    c.momentum =
      try a.double("momentum", where: { $0 >= 0 && $0 < 1 }, expected: "a number in [0, 1)")
      ?? c.momentum
    c.weightDecay = l2 ?? c.weightDecay
    c.seed = seed
    return c
  }
}
