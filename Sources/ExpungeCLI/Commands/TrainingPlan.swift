import ExpungeData
import ExpungeModels

/// `expunge train`'s options turned into a model configuration, validated before any data
/// is read so a typo costs nothing.
struct TrainingPlan {
  var configuration: ModelConfiguration
  var seed: UInt64
  var validationFraction: Double
  var searchL2: Bool
  /// `--scale`: applied to every row first, at training and at prediction.
  var scaling: FeatureScaling?

  init(_ a: ParsedArguments) throws {
    var kind = try a.choice("model", as: ModelKind.self) ?? .mlp
    if a.flag("certified") {
      guard kind == .logistic || kind == .softmax || kind == .certifiedLogistic else {
        throw CLIError.usage(
          "--certified applies to --model logistic (two classes) or softmax (one-vs-rest)",
          command: a.spec)
      }
      kind = .certifiedLogistic
    } else if kind != .certifiedLogistic,
      let option = ["epsilon", "delta", "sigma"].first(where: { a.has($0) })
    {
      throw CLIError.usage("option '--\(option)' needs --certified", command: a.spec)
    }
    seed = try a.uint64("seed") ?? 0
    if let text = a.string("scale") {
      guard let parsed = FeatureScaling(parsing: text) else {
        throw a.invalid("scale", text, FeatureScaling.forms)
      }
      scaling = parsed
    }
    searchL2 = a.string("l2") == "auto"
    if searchL2 && (kind == .mlp || kind == .cnn || kind == .certifiedLogistic) {
      throw a.invalid(
        "l2", "auto",
        "a number ≥ 0 for \(kind == .certifiedLogistic ? "certified training" : "the \(kind.rawValue.uppercased())") ('auto' is for logistic, softmax and ridge)"
      )
    }
    let l2 =
      searchL2 ? nil : try a.double("l2", where: { $0 >= 0 }, expected: "a number ≥ 0 or 'auto'")
    let defaultFraction = searchL2 ? 0.1 : 0
    validationFraction =
      try a.double(
        "validation-fraction", where: { $0 >= 0 && $0 < 1 }, expected: "a fraction in [0, 1)")
      ?? defaultFraction
    if searchL2 && validationFraction == 0 {
      throw a.invalid("validation-fraction", "0", "a fraction in (0, 1) with --l2 auto")
    }

    let mlpOnly = ["hidden", "activation", "epochs", "batch-size", "lr", "optimizer", "momentum"]
    let convexOnly = ["tolerance", "tolerance-norm", "max-iter", "solver"]
    let misplaced =
      switch kind {
      case .mlp: convexOnly + Self.cnnOnly
      case .cnn: convexOnly + ["hidden"]
      case .ridge: mlpOnly + convexOnly + Self.cnnOnly
      case .certifiedLogistic: mlpOnly + ["tolerance-norm", "solver"] + Self.cnnOnly
      default: mlpOnly + Self.cnnOnly
      }
    if let option = misplaced.first(where: { a.has($0) }) {
      throw CLIError.usage(
        "option '--\(option)' does not apply to --model \(kind.rawValue)", command: a.spec)
    }

    switch kind {
    case .mlp:
      var c = MLPConfig()
      c.hidden = try a.intList("hidden", minimum: 1) ?? c.hidden
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
      configuration = .mlp(c)
    case .cnn:
      configuration = .cnn(try Self.cnnConfig(a, l2: l2, seed: seed))
    case .softmax:
      var c = SoftmaxRegressionConfig()
      c.l2 = l2 ?? c.l2
      try Self.readSolverOptions(
        a, tolerance: &c.tolerance, norm: &c.toleranceNorm, maxIterations: &c.maxIterations,
        solver: &c.solver)
      configuration = .softmax(c)
    case .logistic:
      var c = LogisticRegressionConfig()
      c.l2 = l2 ?? c.l2
      try Self.readSolverOptions(
        a, tolerance: &c.tolerance, norm: &c.toleranceNorm, maxIterations: &c.maxIterations,
        solver: &c.solver)
      configuration = .logistic(c)
    case .certifiedLogistic:
      var c = CertifiedLogisticConfig()
      if let l2 {
        guard l2 > 0 else {
          throw a.invalid("l2", a.required("l2"), "a number > 0 for certified training")
        }
        c.l2 = l2
      }
      c.tolerance =
        try a.double("tolerance", where: { $0 > 0 }, expected: "a number > 0") ?? c.tolerance
      c.maxIterations = try a.int("max-iter", in: 1...10_000_000) ?? c.maxIterations
      c.epsilon = try a.double("epsilon", where: { $0 > 0 }, expected: "a number > 0") ?? c.epsilon
      c.delta =
        try a.double("delta", where: { $0 > 0 && $0 < 1 }, expected: "a number in (0, 1)")
        ?? c.delta
      c.sigma = try a.double("sigma", where: { $0 > 0 }, expected: "a number > 0") ?? c.sigma
      c.perturbationSeed = seed
      configuration = .certifiedLogistic(c)
    case .ridge:
      var c = RidgeConfig()
      if let l2 {
        guard l2 > 0 else { throw a.invalid("l2", a.required("l2"), "a number > 0 for ridge") }
        c.l2 = l2
      }
      configuration = .ridge(c)
    }
  }

  /// The convex solvers' options, shared by logistic and softmax regression; each stays at
  /// the configuration's default when not given.
  private static func readSolverOptions(
    _ a: ParsedArguments, tolerance: inout Double, norm: inout GradientNorm,
    maxIterations: inout Int, solver: inout ConvexSolver
  ) throws {
    tolerance = try a.double("tolerance", where: { $0 > 0 }, expected: "a number > 0") ?? tolerance
    norm = try a.choice("tolerance-norm", as: GradientNorm.self) ?? norm
    maxIterations = try a.int("max-iter", in: 1...10_000_000) ?? maxIterations
    solver = try a.choice("solver", as: ConvexSolver.self) ?? solver
  }
}
