import ExpungeData

extension ModelKind {
  /// A convolutional network (`CNN`).
  public static let cnn = ModelKind(declaring: "cnn")
}

extension CNNConfig: ModelFamily {
  public static var kind: ModelKind { .cnn }
  public static var title: String { "convolutional network" }
  public static var continuation: TrainingContinuation { .resumes }
  public static var commandLineGroup: String { "CNN OPTIONS (--model cnn)" }

  public static var commandLineOptions: [HyperparameterOption] {
    let d = CNNConfig()
    return [
      HyperparameterOption(
        "layers", valueName: "list",
        help:
          "CNN hidden layers, comma-separated: convFxK (F filters of K×K, stride 1, no padding, then the activation), poolS (S×S max-pooling), denseN (N units, then the activation); the output layer is added.",
        defaultValue: d.layers.map(\.description).joined(separator: ","), of: Self.self,
        parse: { text in
          guard let layers = CNNLayerSpec.parseList(text) else {
            throw HyperparameterOption.Invalid(expected: CNNLayerSpec.syntax)
          }
          return layers
        }
      ) { $0.layers = $1 },
      HyperparameterOption(
        "input-shape", valueName: "HxWxC",
        help: "CNN: the shape of one row, channels last (e.g. 28x28x1).",
        defaultValue: "a square single-channel image inferred from the feature count",
        of: Self.self,
        parse: { text in
          guard let shape = TensorShape(parsing: text) else {
            throw HyperparameterOption.Invalid(
              expected: "HxWxC with every part ≥ 1 (e.g. 28x28x1)")
          }
          return shape
        }
      ) { $0.inputShape = $1 },
    ] + NetworkTrainingOptions.options(of: Self.self, defaults: d)
  }

  public func fit(_ data: Dataset, validation: Dataset?, observer: TrainingObserver?) throws
    -> any Classifier
  {
    try CNN.fit(data, validation: validation, config: self, observer: observer)
  }

  public func fit(
    _ data: Dataset, from start: TrainingStart?, epochs: Range<Int>?, featureCount: Int,
    classCount: Int
  ) throws -> TrainingStart {
    try CNN.fitStage(
      self, on: data, from: start, epochs: epochs, featureCount: featureCount,
      classCount: classCount)
  }

  public func restore(_ saved: SavedModel) throws -> any Classifier {
    try CNN(
      configuration: saved.configuration, featureCount: saved.featureCount,
      classCount: saved.classCount, parameters: saved.parameters)
  }

  public func summary(featureCount: Int, classCount: Int) -> String {
    (try? CNN(config: self, featureCount: featureCount, classCount: classCount))?.summary
      ?? "cnn"
  }
}

extension CNNConfig: NetworkTrainingSettings {}
