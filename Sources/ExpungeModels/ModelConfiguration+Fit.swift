import ExpungeData

extension ModelConfiguration {
  /// Fits the model this configuration describes on `data`.
  ///
  /// The one place that maps a configuration to its learner, so the CLI, SISA and the audit's
  /// oracle all train the same way.
  /// - Parameters:
  ///   - validation: rows to report validation accuracy on (MLP, per epoch); ignored by the
  ///     convex models.
  ///   - observer: receives progress (per iteration for convex models, per epoch/batch for MLP).
  public func fit(
    _ data: Dataset, validation: Dataset? = nil, observer: TrainingObserver? = nil
  ) throws -> any Classifier {
    switch self {
    case .logistic(let c): return try LogisticRegression.fit(data, config: c, observer: observer)
    case .softmax(let c): return try SoftmaxRegression.fit(data, config: c, observer: observer)
    case .ridge(let c): return try RidgeClassifier.fit(data, config: c, observer: observer)
    case .mlp(let c):
      return try MLP.fit(data, validation: validation, config: c, observer: observer)
    case .cnn(let c):
      return try CNN.fit(data, validation: validation, config: c, observer: observer)
    case .certifiedLogistic(let c):
      return try CertifiedLogisticRegression.fit(data, config: c, observer: observer)
    }
  }

  /// The same configuration with its L2 penalty (weight decay for the MLP) set to `l2`.
  public func withL2(_ l2: Double) -> ModelConfiguration {
    switch self {
    case .logistic(var c):
      c.l2 = l2
      return .logistic(c)
    case .softmax(var c):
      c.l2 = l2
      return .softmax(c)
    case .ridge(var c):
      c.l2 = l2
      return .ridge(c)
    case .mlp(var c):
      c.weightDecay = l2
      return .mlp(c)
    case .cnn(var c):
      c.weightDecay = l2
      return .cnn(c)
    case .certifiedLogistic(var c):
      c.l2 = l2
      c.totalPenalty = nil
      return .certifiedLogistic(c)
    }
  }

  /// The same configuration with its random seed set to `seed` (the MLP's initialization and
  /// shuffles, the certified model's perturbation); the other convex models are
  /// deterministic and have none, so they return `self`.
  public func withSeed(_ seed: UInt64) -> ModelConfiguration {
    switch self {
    case .mlp(var c):
      c.seed = seed
      return .mlp(c)
    case .cnn(var c):
      c.seed = seed
      return .cnn(c)
    case .certifiedLogistic(var c):
      c.perturbationSeed = seed
      return .certifiedLogistic(c)
    default: return self
    }
  }
}
