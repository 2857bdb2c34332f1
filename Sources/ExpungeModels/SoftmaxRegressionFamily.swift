import ExpungeData

extension ModelKind {
  /// Multinomial logistic regression (`SoftmaxRegression`).
  public static let softmax = ModelKind(declaring: "softmax")
}

extension SoftmaxRegressionConfig: ModelFamily, GradientToleranceSettings {
  public static var kind: ModelKind { .softmax }
  public static var title: String { "L2-regularized multinomial (softmax) regression" }
  public static var continuation: TrainingContinuation { .solves }
  public static var commandLineGroup: String { ConvexSolverOptions.group }
  public static var commandLineOptions: [HyperparameterOption] {
    ConvexSolverOptions.options(of: Self.self, defaults: Self())
  }

  public func fit(_ data: Dataset, validation: Dataset?, observer: TrainingObserver?) throws
    -> any Classifier
  {
    try SoftmaxRegression.fit(data, config: self, observer: observer)
  }

  /// Warm-started from the previous stage's (or the base's) optimum.
  public func fit(
    _ data: Dataset, from start: TrainingStart?, epochs: Range<Int>?, featureCount: Int,
    classCount: Int
  ) throws -> TrainingStart {
    let theta = (start?.model as? SoftmaxRegression)?.theta
    return TrainingStart(model: try SoftmaxRegression.fit(data, config: self, start: theta))
  }

  public func restore(_ saved: SavedModel) throws -> any Classifier {
    try SoftmaxRegression(
      configuration: saved.configuration, featureCount: saved.featureCount,
      classCount: saved.classCount, parameters: saved.parameters)
  }

  public func withL2(_ l2: Double) -> SoftmaxRegressionConfig {
    var c = self
    c.l2 = l2
    return c
  }

  public func summary(featureCount: Int, classCount: Int) -> String {
    "softmax regression (λ = \(l2))"
  }
}
