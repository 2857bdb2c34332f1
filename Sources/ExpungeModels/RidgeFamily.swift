import ExpungeData

extension ModelKind {
  /// Ridge regression on one-hot targets used as a classifier (`RidgeClassifier`).
  public static let ridge = ModelKind(declaring: "ridge")
}

extension RidgeConfig: ModelFamily {
  public static var kind: ModelKind { .ridge }
  public static var title: String { "ridge regression on one-hot targets, as a classifier" }
  public static var continuation: TrainingContinuation { .solves }

  public func fit(_ data: Dataset, validation: Dataset?, observer: TrainingObserver?) throws
    -> any Classifier
  {
    try RidgeClassifier.fit(data, config: self, observer: observer)
  }

  /// Closed form: a start changes nothing.
  public func fit(
    _ data: Dataset, from start: TrainingStart?, epochs: Range<Int>?, featureCount: Int,
    classCount: Int
  ) throws -> TrainingStart {
    TrainingStart(model: try RidgeClassifier.fit(data, config: self))
  }

  public func restore(_ saved: SavedModel) throws -> any Classifier {
    try RidgeClassifier(
      configuration: saved.configuration, featureCount: saved.featureCount,
      classCount: saved.classCount, parameters: saved.parameters)
  }

  public func withL2(_ l2: Double) -> RidgeConfig {
    var c = self
    c.l2 = l2
    return c
  }

  public func summary(featureCount: Int, classCount: Int) -> String {
    "ridge classifier (λ = \(l2))"
  }
}
