import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeStore
import Foundation

/// What `evaluate` measures and `predict` asks: a model directory (`--model`) or a store's
/// SISA ensemble (`--store`, its current version or `--version N`), with what must happen to
/// data before it sees it.
struct EvaluationTarget {
  var name: String
  var featureCount: Int
  var classCount: Int
  var classNames: [String]?
  var classSelection: [Int32]?
  var scaling: FeatureScaling?
  var standardizer: Standardizer?
  /// Where `prepare` reads the data: `--data`, or the store's recorded training data.
  var source: RecordedTrainingData.Source
  var probabilities: (Matrix) throws -> Matrix
  /// Mean cross-entropy; nil where the scores are not probabilities (SISA votes).
  var meanLoss: ((Matrix, [Int32]) -> Double)?
  /// For a model directory trained in another numeric environment: a note for stderr.
  var environmentNote: String?

  init(_ arguments: ParsedArguments, command: CommandSpec) throws {
    let chosenVersion = try arguments.int("version", in: 1...Int.max)
    switch (arguments.string("model"), arguments.string("store")) {
    case (let path?, nil):
      if chosenVersion != nil {
        throw CLIError.usage(
          "--version applies to --store (a model directory has one)", command: command)
      }
      let loaded = try LoadedModel(directory: path)
      name = loaded.directory.path
      featureCount = loaded.model.featureCount
      classCount = loaded.model.classCount
      classNames = loaded.saved.metadata.classNames
      classSelection = loaded.saved.metadata.classSelection
      scaling = loaded.saved.metadata.featureScaling
      standardizer = loaded.saved.standardizer
      source = try RecordedTrainingData.source(arguments, store: nil, command: command)
      probabilities = { loaded.model.predictProbabilities($0) }
      meanLoss = { loaded.model.meanLoss($0, labels: $1) }
      environmentNote = loaded.environmentNote
    case (nil, let path?):
      let store = try Store.open(URL(fileURLWithPath: path))
      let version = try chosenVersion ?? store.currentVersion()
      name = "\(store.directory.path) (version \(version))"
      featureCount = store.featureCount
      classCount = store.classCount
      classNames = store.classNames
      classSelection = try store.classSelection()
      // The store preprocesses rows itself, each shard its own way.
      scaling = nil
      standardizer = nil
      source = try RecordedTrainingData.source(arguments, store: store, command: command)
      let models = try store.preprocessedShardModels(version: version)
      probabilities = { x in try store.predictProbabilities(x, version: version, models: models) }
      meanLoss =
        store.sisa.aggregation == .meanProbability
        ? { x, y in
          let p =
            (try? store.predictProbabilities(x, version: version, models: models))
            ?? Matrix.zeros(0, 0)
          var total = 0.0
          for i in 0..<p.rows { total -= log(max(Double(p[i, Int(y[i])]), 1e-12)) }
          return total / Double(max(p.rows, 1))
        } : nil
    default:
      throw CLIError.usage("give --model DIR or --store DIR (one of them)", command: command)
    }
  }

  /// Loads the data — `--data`, or the store's recorded training data — as training
  /// prepared it: same class selection (unless `--classes` overrides it, or the rows have no
  /// labels to select by), same scaling and standardizer, and the width checked.
  func prepare(hasLabels: Bool = true) throws -> Dataset {
    let arguments = source.arguments
    var data = try DataArguments.load(arguments, seed: source.seed, hasLabels: hasLabels)
    if hasLabels, !arguments.has("classes"), let classSelection {
      data = try data.selectingClasses(classSelection)
    }
    try data.requireWidth(featureCount, expectedBy: "the model in \(name)")
    if let scaling { data = scaling.transform(data) }
    if let standardizer { data = standardizer.transform(data) }
    return data
  }
}
