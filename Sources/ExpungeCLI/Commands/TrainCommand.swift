import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation

/// `expunge train`: fit a model on a dataset and save it as a model directory.
enum TrainCommand: Command {
  static let modelGroup = "MODEL OPTIONS"
  static let sisaGroup = "STORE OPTIONS"
  static let certifiedGroup = "CERTIFIED REMOVAL OPTIONS"

  static let spec = CommandSpec(
    name: "train",
    abstract: "Train a model on a dataset and save it.",
    discussion:
      "The model directory holds config.json and weights.safetensors. Training is deterministic: the same data, options and --seed give the same bytes.",
    options: DataArguments.options(dataHelp: "Training data.") + [
      OptionSpec(name: "out", valueName: "dir", help: "Directory to write the model to."),
      .flag("force", "With --out: replace the model already in the directory."),
      OptionSpec(
        name: "store", valueName: "dir",
        help:
          "Create an Expunge store here instead of a model directory: SISA training whose rows can be forgotten later with 'expunge forget'."
      ),
      OptionSpec(
        name: "sisa-shards", valueName: "S", help: "With --store: disjoint shards, one model each.",
        defaultValue: "1", group: sisaGroup),
      OptionSpec(
        name: "sisa-slices", valueName: "R",
        help: "With --store: slices per shard, a checkpoint after each.", defaultValue: "1",
        group: sisaGroup),
      OptionSpec(
        name: "aggregate", valueName: "how", help: "With --store: how shard predictions combine.",
        defaultValue: "vote", values: SISAAggregation.allCases.map(\.rawValue), group: sisaGroup),
      .flag(
        "weight-by-shard-size", "With --store: weight each shard by its row count.",
        group: sisaGroup),
      OptionSpec(
        name: "jobs", valueName: "n",
        help: "With --store: train shards in n parallel processes ('expunge shard-train').",
        defaultValue: "1", group: sisaGroup),
      OptionSpec(
        name: "permanent-ids", valueName: "file",
        help:
          "With --store: ids of rows that will never be forgotten, one per line ('#' comments); a shared base trains on them and the shards build on it (see docs/store.md).",
        group: sisaGroup),
      .flag(
        "defer-training",
        "With --store: prepare the store but train no shard; run 'expunge shard-train' for each (e.g. as a Slurm job array).",
        group: sisaGroup),
      OptionSpec(
        name: "model", valueName: "kind", help: "Model family.", defaultValue: "mlp",
        values: ModelKind.allCases.map(\.rawValue), group: modelGroup),
      OptionSpec(
        name: "l2", valueName: "λ",
        help:
          "L2 penalty: λ/2·‖w‖² on the mean loss for logistic, softmax and ridge, weight decay for the MLP and CNN. 'auto' picks λ for the convex models from 1e-2…1e-6 on a validation split.",
        defaultValue: "1e-4 (logistic, softmax), 1e-2 (ridge), 0 (mlp, cnn)", group: modelGroup),
      OptionSpec(
        name: "seed", valueName: "s",
        help: "Seed of every random choice (initialization, shuffles, splits, --limit).",
        defaultValue: "0"),
      .flag(
        "certified",
        "Train for certified removal (Guo et al.): logistic (two classes) or softmax (one-vs-rest) with a random linear term in the loss, rows scaled to unit length, no intercept.",
        group: certifiedGroup),
      .flag(
        "standardize",
        "Standardize features with the training rows' mean and deviation (with --store: each shard's own rows, see docs/store.md)."
      ),
      OptionSpec(
        name: "scale", valueName: "how",
        help:
          "Map every feature by a fixed rule before training and prediction, before --standardize: a factor to multiply by (1/255, 0.5) or minmax:LOW,HIGH to map LOW…HIGH to 0…1."
      ),
      OptionSpec(
        name: "validation-fraction", valueName: "f",
        help:
          "Hold out this fraction of the training rows (stratified) to report validation accuracy.",
        defaultValue: "0, or 0.1 with --l2 auto"),
    ] + FamilyOptions.specs + BackdoorArguments.options,
    examples: [
      "expunge train --data fashion-mnist --model mlp --hidden 256 --epochs 10 --out runs/mlp",
      "expunge train --data fashion-mnist --model softmax --l2 auto --out runs/softmax",
      "expunge train --data fashion-mnist --classes 0,6 --model logistic --out runs/shirts",
      "expunge train --data fashion-mnist --classes 0,6 --model logistic --certified --epsilon 1 --delta 1e-4 --store runs/cert",
      "expunge train --data rows.csv --id-column id --label-column label --model ridge --out runs/ridge",
      "expunge train --data fashion-mnist --model mlp --store runs/fm --sisa-shards 5 --sisa-slices 4",
      "expunge train --data fashion-mnist --model mlp --store runs/fm1 --sisa-shards 5",
      "expunge train --data fashion-mnist --model cnn --layers conv32x3,pool2,conv64x3,pool2,dense128 --epochs 3 --out runs/cnn",
      "expunge train --data fashion-mnist --model softmax --store runs/sm --sisa-shards 5",
      "expunge train --data fashion-mnist --model mlp --store runs/big --sisa-shards 20 --defer-training",
      "expunge train --data fashion-mnist --model mlp --store runs/bd --backdoor-ids poisoned.txt --trigger corner:3x3 --target-label 0",
    ],
    alternatives: "(--out <dir> | --store <dir>)")

  /// What `train --json` prints.
  struct Result: Encodable {
    var model: ModelKind
    var configuration: ModelConfiguration
    var data: DataSummary
    var seconds: Double
    var trainingAccuracy: Double
    var validationAccuracy: Double?
    var l2Search: [L2Trial]?
    var solver: SolverSummary?
    var out: String
  }

  struct DataSummary: Encodable {
    var source: String
    var rows: Int
    var features: Int
    var classes: Int
    var validationRows: Int
  }

  struct L2Trial: Encodable {
    var l2: Double
    var validationAccuracy: Double
  }

  struct SolverSummary: Encodable {
    var solver: String
    var iterations: Int
    var gradientNorm: Double
    var converged: Bool
    /// `converged`, `iteration-limit` or `stagnated` (at the floor of `precision`).
    var stop: SolverStop
    /// With `stagnated`: the ‖∇L‖ reached, the floor of `precision`'s products on this data.
    var floor: Double?
    /// `single`, or `double` when single-precision products could not reach the tolerance.
    var precision: ProductPrecision
    var tolerance: Double?
    var toleranceNorm: GradientNorm?

    init(_ report: SolverReport, configuration: ModelConfiguration) {
      solver = report.solver
      iterations = report.iterations
      gradientNorm = report.gradientNorm
      converged = report.converged
      stop = report.stop
      floor = report.floor
      precision = report.precision
      if let settings = configuration.hyperparameters as? any GradientToleranceSettings {
        (tolerance, toleranceNorm) = (settings.tolerance, settings.toleranceNorm)
      }
    }

    /// ‖∇L‖, or ‖∇L‖∞ for the max norm.
    var normSymbol: String { toleranceNorm == .max ? "‖∇L‖∞" : "‖∇L‖" }

    /// The line `train` prints on stderr when the solver stopped at its floor: "expunge:
    /// newton stopped at ‖∇L‖ = 2.8e-16, the floor of double-precision products on this data;
    /// --tolerance 1e-18 is below it".
    var floorWarning: String? {
      guard stop == .stagnated else { return nil }
      let below = tolerance.map { "; --tolerance \(compact($0)) is below it" } ?? ""
      return
        "expunge: \(solver) stopped at \(normSymbol) = \(compact(floor ?? gradientNorm, digits: 1)), the floor of \(precision.rawValue)-precision products on this data\(below)"
    }
  }

  /// `x` in the shortest scientific form: 1e-18, 2.8e-16 (`digits` after the point).
  static func compact(_ x: Double, digits: Int? = nil) -> String {
    let text = digits.map { String(format: "%.\($0)e", x) } ?? "\(x)"
    guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }),
      let exponent = Int(text[text.index(after: e)...])
    else { return text }
    return "\(text[..<e])e\(exponent)"
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws {
    let plan = try TrainingPlan(arguments)
    if arguments.has("store") {
      try TrainIntoStore.run(arguments, plan: plan, console: console)
      return
    }
    for option in [
      "sisa-shards", "sisa-slices", "aggregate", "weight-by-shard-size", "jobs", "defer-training",
      "permanent-ids",
    ]
    where arguments.has(option) {
      throw CLIError.usage("option '--\(option)' needs --store", command: spec)
    }
    guard let outPath = arguments.string("out") else {
      throw CLIError.usage("missing '--out <dir>' (or '--store <dir>')", command: spec)
    }
    let out = URL(fileURLWithPath: outPath)
    do {
      try ModelDirectory.checkWritable(out)
    } catch let error as ModelError {
      throw CLIError.data(error.description)  // a refused request, like an existing store
    }
    if ModelDirectory.holdsModel(out) && !arguments.flag("force") {
      throw CLIError.data(
        "\(out.path): exists and holds a model; choose another --out, remove it or add --force")
    }

    var data = try DataArguments.load(arguments, seed: plan.seed)
    guard data.count >= 2 else {
      throw CLIError.data("\(data.source): \(data.count) row(s); training needs at least 2")
    }
    let backdoor: Backdoor?
    (data, backdoor) = try BackdoorArguments.apply(arguments, to: data)
    if let scaling = plan.scaling { data = scaling.transform(data) }
    var standardizer: Standardizer?
    if arguments.flag("standardize") {
      standardizer = Standardizer(fitting: data.features)
      data = standardizer!.transform(data)
    }
    var train = data
    var validation: Dataset?
    if plan.validationFraction > 0 {
      (train, validation) = try data.split(
        validationFraction: plan.validationFraction, seed: plan.seed)
    }

    let started = Date()
    let configuration: ModelConfiguration
    let model: any Classifier
    var trials: [L2Trial]?
    if plan.searchL2 {
      let search = try CLIError.naming(data.source) {
        try searchL2(plan.configuration, train: train, validation: validation!, console: console)
      }
      (configuration, model, trials) = (search.best.configuration, search.best, search.trials)
    } else {
      configuration = plan.configuration
      model = try CLIError.naming(data.source) {
        try fitWithProgress(
          configuration, train: train, validation: validation, console: console,
          title: "train \(configuration.kind.rawValue)")
      }
    }
    let seconds = Date().timeIntervalSince(started)

    let trainingAccuracy = model.accuracy(train.features, labels: train.labels)
    let validationAccuracy = validation.map { model.accuracy($0.features, labels: $0.labels) }
    let solver = (model as? any ConvexClassifier)?.solverReport.map {
      SolverSummary($0, configuration: configuration)
    }
    if let warning = solver?.floorWarning { console.printError(warning) }
    var metadata = ModelMetadata(expungeVersion: ExpungeCommandLine.version)
    metadata.trainingSource = data.source
    metadata.trainingRows = train.count
    metadata.classSelection = try DataArguments.selectedClasses(arguments)
    metadata.featureScaling = plan.scaling
    metadata.classNames = DataArguments.classNames(
      source: data.source, selection: metadata.classSelection)
    metadata.notes["seed"] = String(plan.seed)
    if let backdoor { metadata.notes["backdoor"] = backdoor.jsonText }
    metadata.notes["training_seconds"] = String(format: "%.3f", seconds)
    metadata.notes["training_accuracy"] = String(format: "%.6f", trainingAccuracy)
    if let validationAccuracy {
      metadata.notes["validation_accuracy"] = String(format: "%.6f", validationAccuracy)
    }
    try ModelDirectory.save(model, standardizer: standardizer, metadata: metadata, to: out)

    let result = Result(
      model: configuration.kind, configuration: configuration,
      data: DataSummary(
        source: data.source, rows: train.count, features: data.featureCount,
        classes: data.classCount, validationRows: validation?.count ?? 0),
      seconds: seconds, trainingAccuracy: trainingAccuracy, validationAccuracy: validationAccuracy,
      l2Search: trials, solver: solver, out: out.path)
    if arguments.flag("json") {
      console.print(try JSONOutput.encode(result))
    } else {
      printSummary(result, model: model, console: console)
    }
  }

  /// Fits `configuration`, drawing a progress bar for the observer's reports.
  static func fitWithProgress(
    _ configuration: ModelConfiguration, train: Dataset, validation: Dataset?, console: Console,
    title: String
  ) throws -> any Classifier {
    let bar = ProgressBar(title: title, console: console)
    defer { bar.finish() }
    return try configuration.fit(train, validation: validation) { progress in
      if progress.totalIsCap {
        // An iterative solver: where it is, not how far from its cap.
        var detail = String(format: "objective %.6g", progress.loss)
        if let g = progress.gradientNorm { detail += String(format: "  ‖∇L‖ %.2e", g) }
        bar.update(step: progress.completed, unit: progress.unit, detail: detail)
        return
      }
      var detail = String(format: "loss %.4f", progress.loss)
      if let g = progress.gradientNorm { detail += String(format: "  ‖∇‖ %.2e", g) }
      if let v = progress.validationAccuracy { detail += String(format: "  val %.4f", v) }
      bar.update(
        completed: progress.completed, total: progress.total, unit: progress.unit, detail: detail)
    }
  }

  /// Fits a convex model for each λ of a log grid and keeps the one with the best validation
  /// accuracy (ties go to the larger λ, the simpler model, which comes first).
  static func searchL2(
    _ base: ModelConfiguration, train: Dataset, validation: Dataset, console: Console
  ) throws -> (best: any Classifier, trials: [L2Trial]) {
    var trials: [L2Trial] = []
    var best: (model: any Classifier, accuracy: Double)?
    for l2 in [1e-2, 1e-3, 1e-4, 1e-5, 1e-6] {
      let model = try fitWithProgress(
        base.withL2(l2), train: train, validation: nil, console: console, title: "λ=\(l2)")
      let accuracy = model.accuracy(validation.features, labels: validation.labels)
      trials.append(L2Trial(l2: l2, validationAccuracy: accuracy))
      if best == nil || accuracy > best!.accuracy { best = (model, accuracy) }
    }
    return (best!.model, trials)
  }

  static func printSummary(_ r: Result, model: any Classifier, console: Console) {
    console.print(
      "Trained \(describe(model)) on \(r.data.source) (\(r.data.rows) rows, \(r.data.features) features, \(r.data.classes) classes) in \(ProgressBar.duration(r.seconds))"
    )
    if let trials = r.l2Search {
      let list = trials.map { String(format: "%g → %.4f", $0.l2, $0.validationAccuracy) }
      console.print("  λ by validation      \(list.joined(separator: ", "))")
    }
    if let s = r.solver, s.solver == "closed-form" {
      console.print("  solver               closed form (Cholesky)")
    } else if let s = r.solver {
      let outcome: String
      switch s.stop {
      case .converged:
        outcome = s.precision == .double ? ", in double precision" : ""
      case .iterationLimit:
        outcome =
          (s.precision == .double ? ", in double precision" : "")
          + " (not converged: raise --max-iter)"
      case .stagnated:
        outcome =
          ", the floor of \(s.precision.rawValue)-precision products (not converged: "
          + (s.tolerance.map { "--tolerance \(compact($0)) is below it)" } ?? "below the tolerance)")
      }
      console.print(
        String(
          format: "  solver               %@, %d iterations, %@ = %.2e%@", s.solver, s.iterations,
          s.normSymbol, s.gradientNorm, outcome))
    }
    console.print(String(format: "  training accuracy    %.4f", r.trainingAccuracy))
    if let v = r.validationAccuracy {
      console.print(
        String(format: "  validation accuracy  %.4f (%d rows)", v, r.data.validationRows))
    }
    console.print("Saved to \(r.out)")
  }

  /// "mlp 784-256-10", "softmax regression (λ = 1e-4)".
  static func describe(_ model: any Classifier) -> String {
    model.configuration.hyperparameters.summary(
      featureCount: model.featureCount, classCount: model.classCount)
  }
}
