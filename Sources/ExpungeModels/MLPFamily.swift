import ExpungeData

extension ModelKind {
  /// A multilayer perceptron (`MLP`).
  public static let mlp = ModelKind(declaring: "mlp")
}

extension MLPConfig: ModelFamily {
  public static var kind: ModelKind { .mlp }
  public static var title: String { "multilayer perceptron" }
  public static var continuation: TrainingContinuation { .resumes }
  public static var commandLineGroup: String { NetworkTrainingOptions.group }

  public static var commandLineOptions: [HyperparameterOption] {
    let d = MLPConfig()
    return [
      .integerList(
        "hidden", help: "MLP hidden layer widths, comma-separated.", of: Self.self,
        default: d.hidden
      ) { $0.hidden = $1 }
    ] + NetworkTrainingOptions.options(of: Self.self, defaults: d)
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
    try MLP.fitStage(
      self, on: data, from: start, epochs: epochs, featureCount: featureCount,
      classCount: classCount)
  }

  public func restore(_ saved: SavedModel) throws -> any Classifier {
    try MLP(
      configuration: saved.configuration, featureCount: saved.featureCount,
      classCount: saved.classCount, parameters: saved.parameters)
  }

  public func summary(featureCount: Int, classCount: Int) -> String {
    "mlp " + ([featureCount] + hidden + [classCount]).map(String.init).joined(separator: "-")
  }
}

extension MLPConfig: NetworkTrainingSettings {}
