import ExpungeData

extension ModelKind {
  /// Logistic regression trained for certified removal (`CertifiedLogisticRegression`).
  public static let certifiedLogistic = ModelKind(declaring: "certified-logistic")
}

extension CertifiedLogisticConfig: ModelFamily {
  public static var kind: ModelKind { .certifiedLogistic }
  public static var title: String {
    "logistic regression trained for certified removal (binary or one-vs-rest)"
  }
  public static var continuation: TrainingContinuation { .solves }
  public static var commandLineGroup: String { "CERTIFIED REMOVAL OPTIONS" }

  public static var commandLineOptions: [HyperparameterOption] {
    let d = CertifiedLogisticConfig()
    return [
      .number(
        "tolerance", help: "Convex models: stop when ‖∇L‖ ≤ x.", of: Self.self,
        default: d.tolerance, expected: "a number > 0", where: { $0 > 0 }
      ) { $0.tolerance = $1 },
      .integer(
        "max-iter", help: "Convex models: iteration cap.", of: Self.self,
        default: d.maxIterations, in: 1...10_000_000
      ) { $0.maxIterations = $1 },
      .number(
        "epsilon", valueName: "ε", help: "With --certified: ε of the (ε, δ) certificate.",
        of: Self.self, default: d.epsilon, expected: "a number > 0", where: { $0 > 0 }
      ) { $0.epsilon = $1 },
      .number(
        "delta", valueName: "δ", help: "With --certified: δ of the certificate, in (0, 1).",
        of: Self.self, default: d.delta, expected: "a number in (0, 1)",
        where: { $0 > 0 && $0 < 1 }
      ) { $0.delta = $1 },
      .number(
        "sigma", valueName: "σ",
        help: "With --certified: deviation of the loss perturbation b ~ N(0, σ²I).",
        of: Self.self, default: d.sigma, expected: "a number > 0", where: { $0 > 0 }
      ) { $0.sigma = $1 },
    ]
  }

  public func fit(_ data: Dataset, validation: Dataset?, observer: TrainingObserver?) throws
    -> any Classifier
  {
    try CertifiedLogisticRegression.fit(data, config: self, observer: observer)
  }

  /// From scratch: the perturbed objective is solved anew on the stage's rows.
  public func fit(
    _ data: Dataset, from start: TrainingStart?, epochs: Range<Int>?, featureCount: Int,
    classCount: Int
  ) throws -> TrainingStart {
    TrainingStart(model: try CertifiedLogisticRegression.fit(data, config: self))
  }

  /// From the F64 weights when the directory has them (exactly as trained), else from the
  /// Float parameters.
  public func restore(_ saved: SavedModel) throws -> any Classifier {
    if let weights = saved.doubleParameters["weight"] {
      return try CertifiedLogisticRegression(
        config: self, featureCount: saved.featureCount, classCount: saved.classCount,
        flatWeights: weights)
    }
    return try CertifiedLogisticRegression(
      configuration: saved.configuration, featureCount: saved.featureCount,
      classCount: saved.classCount, parameters: saved.parameters)
  }

  /// The perturbation b's seed.
  public var randomSeed: UInt64? { perturbationSeed }

  public func withSeed(_ seed: UInt64) -> CertifiedLogisticConfig {
    var c = self
    c.perturbationSeed = seed
    return c
  }

  /// λ set, Λ forgotten (it is fixed again by the next first training).
  public func withL2(_ l2: Double) -> CertifiedLogisticConfig {
    var c = self
    c.l2 = l2
    c.totalPenalty = nil
    return c
  }

  public func summary(featureCount: Int, classCount: Int) -> String {
    "certified logistic regression (\(classCount > 2 ? "one-vs-rest, " : "")λ = \(l2), ε = \(epsilon), δ = \(delta), σ = \(sigma))"
  }
}
