import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeStore
import ExpungeUnlearning
import Foundation

extension AuditSubject {
  /// A store's current version, judged on every row it forgot or on one request's rows.
  ///
  /// A store purges forgotten rows, so `trainingData` must be the original training data,
  /// as `train` read it — with the store's class selection applied
  /// (`data.selectingClasses(store.classSelection()!)` when it has one) — to find them by id.
  /// Every model the audit trains uses the store's recipe: its model configuration, SISA
  /// settings, preprocessing and permanent base rows; models trained on the kept rows are
  /// cached in the store, per version.
  /// - Parameters:
  ///   - request: judge only this ledger request's rows (default: every forgotten row).
  /// - Throws: `DataError.widthMismatch`, `AuditError.noSuchRequest`,
  ///   `AuditError.forgottenRowsMissing`, or the store's errors.
  public static func store(
    _ store: Store, trainingData: Dataset, request: Int? = nil
  ) throws -> AuditSubject {
    var data = trainingData
    try data.requireWidth(store.featureCount, expectedBy: "the store \(store.directory.path)")
    data.classCount = store.classCount
    let backdoor = try store.backdoor()
    if let backdoor { data = backdoor.poison(data) }
    let allIDs = try store.sampleIDs(forgotten: false)
    let forgottenIDs = try store.sampleIDs(forgotten: true)
    let requests = try store.requests()
    var judgedIDs = forgottenIDs
    if let seq = request {
      guard let request = requests.first(where: { $0.seq == seq }) else {
        throw AuditError.noSuchRequest(store: store.directory.path, request: seq)
      }
      judgedIDs = Set(request.ids).intersection(forgottenIDs)
    }
    let training = data.subset(data.ids.indices.filter { allIDs.contains(data.ids[$0]) })
    let forget = data.subset(data.ids.indices.filter { judgedIDs.contains(data.ids[$0]) })
    if forget.count < judgedIDs.count {
      throw AuditError.forgottenRowsMissing(
        source: data.source, found: forget.count, expected: judgedIDs.count)
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
      .ensemble(
        ensemble.preprocessedShardModels, sisa: ensemble.sisa, sizes: ensemble.shardSizes,
        name: name, classCount: store.classCount)
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
        return .ensemble(
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
      classSelection: try store.classSelection(),
      unlearned: AuditedModel(try store.model(), name: "unlearned"),
      train: train, trainRetained: trainRetained)
    let done = requests.filter { $0.completed != nil }
    // The replay compares method names; a registry of unlearning methods will answer instead.
    subject.trainAndUnlearn = { seed in
      let (c, s) = recipe(seed)
      var ensemble = try SISAEnsemble.fit(
        training, configuration: c, sisa: s, preprocessing: preprocessing,
        permanent: permanentRows(training))
      var bounds: [Int: CertifiedRemoval.SavedBounds] = [:]
      // Corrections change rows rather than remove them; the audit judges removals.
      for request in done where request.changes == nil {
        let ids = Set(request.ids)
          .intersection(Set(ensemble.data.ids))
        guard !ids.isEmpty || request.method == ForgetMethod.retrain.rawValue else { continue }
        if request.method == ForgetMethod.retrain.rawValue {
          let kept = ensemble.data.removing(ids: ids)
          ensemble = try SISAEnsemble.fit(
            kept, configuration: c, sisa: s, preprocessing: preprocessing,
            permanent: permanentRows(kept))
        } else if request.method == ForgetMethod.newton.rawValue {
          try ensemble.forgetByNewton(ids, bounds: &bounds)
        } else if let update = try ForgetMethod(recorded: request)?.updateMethod() {
          try ensemble.forget(ids, using: update, request: request.seq)
        } else {
          _ = try ensemble.forget(ids)
        }
      }
      return audited(ensemble, name: "unlearned")
    }
    subject.backdoor = backdoor
    subject.unlearningSeconds = done.compactMap(\.seconds)
    subject.ledgerEntry = requests.last.map {
      "Last request: #\($0.seq), \($0.ids.count) id(s), \($0.method), completed \($0.completed ?? $0.state) in \(String(format: "%.2f", $0.seconds ?? 0)) s, hash \($0.hash ?? "-")"
    }
    return subject
  }
}
