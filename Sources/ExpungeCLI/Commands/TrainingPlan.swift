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
    // 'auto' searches λ for the solvers; a network's weight decay and a certified model's
    // penalty are given.
    let trainsInEpochs = ModelRegistry.family(of: kind.rawValue)!.continuation == .resumes
    if searchL2 && (trainsInEpochs || kind == .certifiedLogistic) {
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

    // The family's own options, as it declares them; another family's are refused.
    let family = ModelRegistry.family(of: kind.rawValue)!
    let declared = family.commandLineOptions
    if let option = FamilyOptions.names.first(where: { name in
      a.has(name) && !declared.contains { $0.name == name }
    }) {
      throw CLIError.usage(
        "option '--\(option)' does not apply to --model \(kind.rawValue)", command: a.spec)
    }
    var hyperparameters: any ModelFamily = family.init()
    for option in declared {
      guard let text = a.string(option.name) else { continue }
      do {
        hyperparameters = try option.applying(text, to: hyperparameters)
      } catch let error as HyperparameterOption.Invalid {
        throw a.invalid(option.name, text, error.expected)
      }
    }
    hyperparameters = hyperparameters.completedForCommandLine(
      given: Set(declared.map(\.name).filter { a.has($0) }))
    if let l2 {
      if l2 == 0 && (kind == .ridge || kind == .certifiedLogistic) {
        throw a.invalid(
          "l2", a.required("l2"),
          "a number > 0 for \(kind == .ridge ? "ridge" : "certified training")")
      }
      hyperparameters = hyperparameters.withL2(l2)
    }
    configuration = ModelConfiguration(hyperparameters.withSeed(seed))
  }
}
