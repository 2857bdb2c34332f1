import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeStore
import ExpungeUnlearning
import Foundation

/// `expunge train --store DIR`: SISA training into a new store.
enum TrainIntoStore {
  struct Result: Encodable {
    var store: String
    var model: ModelKind
    var configuration: ModelConfiguration
    var shards: Int
    var slices: Int
    var aggregation: String
    var rows: Int
    /// Rows of the shared base (`--permanent-ids`), absent without one.
    var permanentRows: Int?
    var shardRows: [Int]
    var seconds: Double
    var trainingAccuracy: Double
    var version: Int
  }

  /// What `train --store --defer-training --json` prints: a store whose shards wait for
  /// `expunge shard-train`.
  struct Prepared: Encodable {
    var store: String
    var model: ModelKind
    var shards: Int
    var slices: Int
    var rows: Int
    var trainingDeferred = true
  }

  static func run(_ arguments: ParsedArguments, plan: TrainingPlan, console: Console) throws {
    let spec = TrainCommand.spec
    if arguments.has("out") {
      throw CLIError.usage("give --out or --store, not both", command: spec)
    }
    // A validation split or a searched λ would make the stored model depend on rows it does
    // not keep (or on rows later forgotten), breaking exact unlearning (--standardize is per
    // shard and per stage instead: see `ShardPreprocessing`); a store's history is never
    // replaced wholesale.
    for option in ["validation-fraction", "force"] where arguments.has(option) {
      throw CLIError.usage("option '--\(option)' cannot be used with --store", command: spec)
    }
    if plan.searchL2 {
      throw CLIError.usage("'--l2 auto' cannot be used with --store; give λ", command: spec)
    }
    var sisa = SISAConfig()
    sisa.shards = try arguments.int("sisa-shards", in: 1...10_000) ?? 1
    sisa.slices = try arguments.int("sisa-slices", in: 1...10_000) ?? 1
    sisa.aggregation = try arguments.choice("aggregate", as: SISAAggregation.self) ?? .vote
    sisa.weightByShardSize = arguments.flag("weight-by-shard-size")
    sisa.assignmentSeed = plan.seed
    let directory = URL(fileURLWithPath: arguments.required("store"))
    let permanent = try arguments.string("permanent-ids").map {
      Set(try ForgetCommand.readIDs($0))
    }

    // Digested before reading, so a file that changes meanwhile shows as changed later.
    let recorded = Swift.Result { try RecordedTrainingData.record(arguments, seed: plan.seed) }
    var data = try DataArguments.load(arguments, seed: plan.seed)
    let trainingData = try recorded.get()
    guard data.count >= 2 else {
      throw CLIError.data("\(data.source): \(data.count) row(s); training needs at least 2")
    }
    let backdoor: Backdoor?
    (data, backdoor) = try BackdoorArguments.apply(arguments, to: data)
    let classSelection = try DataArguments.selectedClasses(arguments)
    let classNames = DataArguments.classNames(source: data.source, selection: classSelection)
    let started = Date()
    let jobs = try arguments.int("jobs", in: 1...1_024) ?? 1
    let deferred = arguments.flag("defer-training")
    let bar = ProgressBar(
      title: "train SISA \(sisa.shards)×\(sisa.slices)", console: console,
      enabled: !deferred)
    var store: Store? = try CLIError.naming(data.source) {
      try Store.create(
        at: directory, data: data, configuration: plan.configuration, sisa: sisa,
        classNames: classNames, classSelection: classSelection,
        preprocessing: ShardPreprocessing(
          scaling: plan.scaling, standardize: arguments.flag("standardize")),
        trainingData: trainingData, permanent: permanent ?? [],
        deferTraining: deferred || jobs > 1
      ) { completed, total in bar.update(completed: completed, total: total, unit: "stage") }
    }
    if let backdoor { try store!.recordBackdoor(backdoor) }
    if deferred {
      if arguments.flag("json") {
        console.print(
          try JSONOutput.encode(
            Prepared(
              store: directory.path, model: plan.configuration.kind, shards: sisa.shards,
              slices: sisa.slices, rows: data.count)))
        return
      }
      console.print(
        "Prepared store \(directory.path): \(data.count) rows in \(ProgressBar.count(sisa.shards, "shard")); train each with"
      )
      console.print(
        "  expunge shard-train --store \(directory.path) --shard K    (K = 0…\(sisa.shards - 1))")
      return
    }
    if jobs > 1 {
      store = nil  // releases the store lock for the shard processes
      try ShardTrainCommand.runInParallel(
        store: directory, shards: sisa.shards, jobs: jobs, bar: bar)
      store = try Store.open(directory)
    }
    bar.finish()
    guard let store else { return }
    let seconds = Date().timeIntervalSince(started)
    let predicted = try store.predictProbabilities(data.features).argmaxRows()
    let correct = zip(predicted, data.labels).filter { $0 == Int($1) }.count
    let partition = ShardAssignment(
      shards: sisa.shards, slices: sisa.slices, seed: sisa.assignmentSeed
    ).partition(permanent.map { data.removing(ids: $0) } ?? data)
    let result = Result(
      store: directory.path, model: plan.configuration.kind, configuration: plan.configuration,
      shards: sisa.shards, slices: sisa.slices, aggregation: sisa.aggregation.rawValue,
      rows: data.count, permanentRows: permanent?.count,
      shardRows: partition.map { $0.joined().count }, seconds: seconds,
      trainingAccuracy: Double(correct) / Double(data.count), version: try store.currentVersion())
    if arguments.flag("json") {
      console.print(try JSONOutput.encode(result))
    } else {
      console.print(
        "Trained SISA \(plan.configuration.kind.rawValue) (\(ProgressBar.count(sisa.shards, "shard")) × \(ProgressBar.count(sisa.slices, "slice")), \(sisa.aggregation.rawValue)) on \(data.source) (\(data.count) rows) in \(ProgressBar.duration(seconds))"
      )
      if let permanent {
        console.print(
          "  shared base          \(ProgressBar.count(permanent.count, "permanent row"))")
      }
      console.print(String(format: "  training accuracy    %.4f", result.trainingAccuracy))
      console.print("Store \(directory.path), model version \(result.version)")
    }
  }
}
