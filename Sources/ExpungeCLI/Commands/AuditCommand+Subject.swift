import ExpungeAudit
import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeStore
import ExpungeUnlearning
import Foundation

/// What an audit examines — a store's current version (`--store`) or a model directory with
/// the rows it should have forgotten (`--model`, `--forget`) — and how to train more models
/// by the same recipe: the original, the oracle and the attacks' reference models.
struct AuditSubject {
  /// "store DIR, version N" or "model DIR".
  var title: String
  var name: String
  /// The rows the original model trained on (kept and forgotten), as training saw them.
  var training: Dataset
  var forget: Dataset
  var retain: Dataset
  var classCount: Int
  var featureCount: Int
  /// The class selection training applied (test rows get it too).
  var classSelection: [Int32]?
  /// The arguments the data options of the audit come from: the command's, or — for a store
  /// audited without `--data` — the ones `train --store` recorded (the test rows are read
  /// with them too).
  var dataArguments: ParsedArguments
  /// The model under audit.
  var unlearned: AuditedModel
  /// Trains a model by the recipe on `rows`; `seed` nil keeps the recipe's own seeds,
  /// otherwise it replaces them (model initialization and shuffles, SISA placement).
  var train: RecipeTrainer
  /// Trains on the kept rows (the oracle for `seed` nil); a store caches what it trains.
  var trainRetained: (_ seed: UInt64?) throws -> AuditedModel
  /// Trains on `training` with `seed`, then unlearns by the method the subject used —
  /// replaying the ledger's requests. Nil when the method is unknown (a model directory).
  var trainAndUnlearn: ((_ seed: UInt64) throws -> AuditedModel)?
  /// The store, to cache models trained on the kept rows.
  var store: Store?
  /// Seconds the unlearning took, per ledger request, and the last request's entry.
  var unlearningSeconds: [Double] = []
  var ledgerEntry: String?
  /// The backdoor training planted, if any (the rows above carry it, as training saw them).
  var backdoor: Backdoor?
  var notes: [String] = []

  static func open(_ arguments: ParsedArguments, command: CommandSpec) throws -> AuditSubject {
    switch (arguments.string("store"), arguments.string("model")) {
    case (let path?, nil):
      if arguments.has("forget") {
        throw CLIError.usage(
          "--forget goes with --model; a store knows what it forgot", command: command)
      }
      return try store(path, arguments)
    case (nil, let path?):
      guard let forget = arguments.string("forget") else {
        throw CLIError.usage(
          "--model needs --forget FILE: the ids of the rows it should have forgotten",
          command: command)
      }
      if arguments.has("request") {
        throw CLIError.usage("--request goes with --store", command: command)
      }
      return try modelDirectory(path, forgetFile: forget, arguments)
    default:
      throw CLIError.usage("give --store DIR, or --model DIR with --forget FILE", command: command)
    }
  }

  // MARK: - A store

  private static func store(_ path: String, _ arguments: ParsedArguments) throws -> AuditSubject {
    let store = try Store.open(URL(fileURLWithPath: path))
    let selection = try store.classSelection()
    let source = try RecordedTrainingData.source(
      arguments, store: store, command: AuditCommand.spec)
    var data = try DataArguments.load(source.arguments, seed: source.seed, limited: true)
    if !source.arguments.has("classes"), let selection {
      data = try data.selectingClasses(selection)
    }
    try data.requireWidth(store.featureCount, expectedBy: "the store \(store.directory.path)")
    data.classCount = store.classCount
    let backdoor = try store.backdoor()
    if let backdoor { data = backdoor.poison(data) }
    let allIDs = try store.sampleIDs(forgotten: false)
    let forgottenIDs = try store.sampleIDs(forgotten: true)
    let requests = try store.requests()
    var judgedIDs = forgottenIDs
    if let seq = try arguments.int("request", in: 1...Int.max) {
      guard let request = requests.first(where: { $0.seq == seq }) else {
        throw CLIError.data("\(store.directory.path): no request #\(seq) in the ledger")
      }
      judgedIDs = Set(request.ids.map(SampleID.init(rawValue:))).intersection(forgottenIDs)
    }
    let training = data.subset(data.ids.indices.filter { allIDs.contains(data.ids[$0]) })
    let forget = data.subset(data.ids.indices.filter { judgedIDs.contains(data.ids[$0]) })
    if forget.count < judgedIDs.count {
      throw CLIError.data(
        "\(data.source): holds \(forget.count) of the \(judgedIDs.count) forgotten rows; give the original training data (and its --id-column)"
      )
    }
    let configuration = store.configuration
    let sisa = store.sisa
    let preprocessing = store.preprocessing
    // Over a shared base, every model the audit trains has the base on the rows of its data
    // that were permanent at training (a retrain request may have removed some since).
    let permanent = try store.permanentIDs(original: true)
    func permanentRows(_ rows: Dataset) -> Set<SampleID> {
      permanent.isEmpty ? [] : permanent.intersection(rows.ids)
    }
    func recipe(_ seed: UInt64?) -> (ModelConfiguration, SISAConfig) {
      guard let seed else { return (configuration, sisa) }
      var s = sisa
      s.assignmentSeed = seed
      return (configuration.withSeed(seed), s)
    }
    func audited(_ ensemble: SISAEnsemble, name: String) -> AuditedModel {
      ensembleModel(
        ensemble.preprocessedShardModels, sisa: ensemble.sisa, sizes: ensemble.shardSizes,
        name: name,
        classCount: store.classCount)
    }
    let retain = try store.rows()
    let train: RecipeTrainer = { rows, seed in
      let (c, s) = recipe(seed)
      return audited(
        try SISAEnsemble.fit(
          rows, configuration: c, sisa: s, preprocessing: preprocessing,
          permanent: permanentRows(rows)),
        name: "model")
    }
    // The audit trains reference models side by side; the store is read and written by one
    // of them at a time.
    let cacheLock = NSLock()
    let trainRetained: (UInt64?) throws -> AuditedModel = { seed in
      // Cached under the version's kept rows; the name carries the seed.
      let name = seed.map { "retrained-" + String($0, radix: 16) } ?? "oracle"
      let (c, s) = recipe(seed)
      let cached = try cacheLock.withLock { try store.cachedModels(name) }
      if let models = cached, models.count == s.shards {
        let sizes = ShardAssignment(shards: s.shards, slices: s.slices, seed: s.assignmentSeed)
          .partition(retain.removing(ids: permanentRows(retain))).map { $0.joined().count }
        return ensembleModel(
          models, sisa: s, sizes: sizes, name: "model", classCount: store.classCount)
      }
      let ensemble = try SISAEnsemble.fit(
        retain, configuration: c, sisa: s, preprocessing: preprocessing,
        permanent: permanentRows(retain))
      try cacheLock.withLock {
        try store.cacheModels(ensemble.preprocessedShardModels, name: name)
      }
      return audited(ensemble, name: "model")
    }
    var subject = AuditSubject(
      title: "store \(store.directory.path), model version \(try store.currentVersion())",
      name: store.directory.lastPathComponent, training: training, forget: forget,
      retain: retain, classCount: store.classCount, featureCount: store.featureCount,
      classSelection: selection, dataArguments: source.arguments,
      unlearned: ensembleModel(
        try store.preprocessedShardModels(), sisa: sisa, sizes: try store.shardRowCounts(),
        name: "unlearned",
        classCount: store.classCount),
      train: train, trainRetained: trainRetained, store: store)
    let done = requests.filter { $0.completed != nil }
    subject.trainAndUnlearn = { seed in
      let (c, s) = recipe(seed)
      var ensemble = try SISAEnsemble.fit(
        training, configuration: c, sisa: s, preprocessing: preprocessing,
        permanent: permanentRows(training))
      var bounds: [Int: CertifiedRemoval.SavedBounds] = [:]
      // Corrections change rows rather than remove them; the audit judges removals.
      for request in done where request.changes == nil {
        let ids = Set(request.ids.map(SampleID.init(rawValue:)))
          .intersection(Set(ensemble.data.ids))
        guard !ids.isEmpty || request.method == ForgetMethod.retrain.rawValue else { continue }
        if request.method == ForgetMethod.retrain.rawValue {
          let kept = ensemble.data.removing(ids: ids)
          ensemble = try SISAEnsemble.fit(
            kept, configuration: c, sisa: s, preprocessing: preprocessing,
            permanent: permanentRows(kept))
        } else if request.method == ForgetMethod.newton.rawValue {
          try ensemble.forgetByNewton(ids, bounds: &bounds)
        } else {
          _ = try ensemble.forget(ids)
        }
      }
      return audited(ensemble, name: "unlearned")
    }
    subject.backdoor = backdoor
    if let note = source.note { subject.notes.append(note) }
    subject.unlearningSeconds = done.compactMap(\.seconds)
    subject.ledgerEntry = requests.last.map {
      "Last request: #\($0.seq), \($0.ids.count) id(s), \($0.method), completed \($0.completed ?? $0.state) in \(String(format: "%.2f", $0.seconds ?? 0)) s, hash \($0.hash ?? "-")"
    }
    return subject
  }

  /// A SISA ensemble as the audit sees it: its aggregation's scores for predictions, the
  /// shards' (size-weighted, if the store weighs them) mean probabilities for losses and
  /// attacks, and all shard parameters as one vector. Each shard preprocesses the rows
  /// itself.
  static func ensembleModel(
    _ models: [PreprocessedClassifier], sisa: SISAConfig, sizes: [Int], name: String,
    classCount: Int
  ) -> AuditedModel {
    var layout: [(name: String, shape: [Int])] = []
    var values: [Float] = []
    for (k, shard) in models.enumerated() {
      layout += shard.model.parameters.views.map { ("shard-\(k).\($0.name)", $0.shape) }
      values += shard.model.parameters.values
    }
    var parameters = ParameterBuffer(layout: layout)
    parameters.values = values
    let weights = sisa.weightByShardSize ? sizes.map(Double.init) : nil
    return AuditedModel(name: name, classCount: classCount, parameters: parameters) { x in
      let shards = models.map { $0.predictProbabilities(x) }
      return (
        sisa.aggregation.combine(shards, weights: weights),
        SISAAggregation.meanProbability.combine(shards, weights: weights)
      )
    }
  }

  // MARK: - A model directory

  private static func modelDirectory(
    _ path: String, forgetFile: String, _ arguments: ParsedArguments
  ) throws -> AuditSubject {
    let loaded = try LoadedModel(directory: path)
    let source = try RecordedTrainingData.source(arguments, store: nil, command: AuditCommand.spec)
    var data = try DataArguments.load(source.arguments, limited: true)
    if !arguments.has("classes"), let classes = loaded.saved.metadata.classSelection {
      data = try data.selectingClasses(classes)
    }
    try data.requireWidth(
      loaded.model.featureCount, expectedBy: "the model in \(loaded.directory.path)")
    data.classCount = loaded.model.classCount
    let backdoor = loaded.saved.metadata.notes["backdoor"].flatMap(Backdoor.init(jsonText:))
    if let backdoor { data = backdoor.poison(data) }
    let ids = Set(try ForgetCommand.readIDs(forgetFile))
    let forget = data.subset(data.ids.indices.filter { ids.contains(data.ids[$0]) })
    if forget.count < ids.count {
      throw CLIError.data(
        "\(data.source): holds \(forget.count) of the \(ids.count) ids in \(forgetFile); give the model's training data (and its --id-column)"
      )
    }
    let configuration = loaded.model.configuration
    let scaling = loaded.saved.metadata.featureScaling
    let preprocessing = ShardPreprocessing(
      scaling: scaling, standardize: loaded.saved.standardizer != nil)
    func audited(_ model: PreprocessedClassifier, name: String) -> AuditedModel {
      AuditedModel(
        name: name, classCount: model.model.classCount, parameters: model.model.parameters
      ) { x in
        let p = model.predictProbabilities(x)
        return (p, p)
      }
    }
    let retain = data.removing(ids: ids)
    let selection = arguments.has("classes") ? nil : loaded.saved.metadata.classSelection
    let train: RecipeTrainer = { rows, seed in
      // The recipe scales the rows and refits the standardizer on them, as training did.
      let (prepared, standardizer) = preprocessing.prepare(rows)
      let model = try (seed.map { configuration.withSeed($0) } ?? configuration).fit(prepared)
      return audited(
        PreprocessedClassifier(model, scaling: scaling, standardizer: standardizer),
        name: "model")
    }
    var subject = AuditSubject(
      title: "model \(loaded.directory.path)", name: loaded.directory.lastPathComponent,
      training: data, forget: forget, retain: retain, classCount: loaded.model.classCount,
      featureCount: loaded.model.featureCount, classSelection: selection,
      dataArguments: source.arguments,
      unlearned: audited(
        PreprocessedClassifier(
          loaded.model, scaling: scaling, standardizer: loaded.saved.standardizer),
        name: "unlearned"),
      train: train, trainRetained: { try train(retain, $0) }, store: nil)
    subject.backdoor = backdoor
    subject.notes.append(
      "a model directory does not say how it unlearned: no epsilon-score (audit a store for it)")
    return subject
  }
}
