import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation

/// `expunge forget --method newton`: each affected shard's model is updated in place instead
/// of retrained.
///
/// - A certified logistic model (`train --certified`) removes the rows by certified removal
///   (`CertifiedRemoval`): one Newton step per row, each step's bound on the gradient
///   residual added to the shard's accumulated bound, which the ledger records with the
///   budget; a request that would exceed it retrains the shard exactly (fresh b).
/// - A ridge model removes them exactly by Cholesky downdates (`RidgeState`).
///
/// What the store keeps between requests, in the shard's checkpoint directory (the only
/// checkpoint, as newton needs one slice): the model, `update-state.json` (the request that
/// wrote it, its ledger record and, for a certified model, the accumulated bounds) and, for
/// ridge, `ridge-state.bin` (factor and sums of the kept rows). A certified model's Hessian
/// factor is *not* kept: it is built at the published weights when a request starts. A
/// factor built at earlier weights would carry those weights — and, through them and the
/// stored rows, the rows they were trained on — past the request that forgot them.
///
/// Crash safety: the rows leave the row files only after every affected checkpoint holds its
/// update, and a checkpoint whose `update-state.json` names the request is not updated
/// again, so a restart finishes the request with the same bits.
extension Store {
  static let updateStateFile = "update-state.json"
  static let ridgeStateFile = "ridge-state.bin"

  /// What `update-state.json` beside an updated shard model holds: the request that wrote
  /// it (a restart does not update the model twice), its ledger record, and what the next
  /// request continues from (a certified model's accumulated bounds).
  struct UpdateState: Codable {
    var request: Int
    var newton: NewtonRemoval?
    var influence: InfluenceRecord?
    var bounds: CertifiedRemoval.SavedBounds?
    /// A model-update method's report for this shard.
    var update: JSONValue?

    /// The state in `directory`, if an update wrote one.
    static func read(_ directory: URL) throws -> UpdateState? {
      try CheckpointFiles.restoreInterrupted(directory)
      let url = directory.appendingPathComponent(Store.updateStateFile)
      return try FileManager.default.contents(atPath: url.path).map {
        do {
          return try JSONDecoder().decode(UpdateState.self, from: $0)
        } catch {
          throw StoreError.corrupt(path: url.path, reason: "not an update state")
        }
      }
    }

    /// Writes the updated `model` and this state as `directory`, atomically; `extra` adds
    /// files (the ridge state).
    func write(
      model: any Classifier, to directory: URL, metadata: ModelMetadata,
      extra: (URL) throws -> Void = { _ in }
    ) throws {
      try CheckpointFiles.writeDirectory(directory) { temporary in
        try ModelDirectory.save(model, metadata: metadata, to: temporary)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(
          try encoder.encode(self), to: temporary.appendingPathComponent(Store.updateStateFile))
        try extra(temporary)
      }
    }
  }

  /// Refuses `--method newton` for a store whose model it cannot update, before anything is
  /// recorded.
  func checkNewtonApplies() throws {
    try refuseBaseUpdate("newton")
    if let reason = NewtonMethod.refusal(for: configuration) {
      throw StoreError.refused(
        .methodDoesNotApply(method: NewtonMethod.name, kind: configuration.kind, reason: reason))
    }
    try refuseStandardizedUpdate("newton")
    guard sisa.slices == 1 else {
      throw StoreError.refused(.methodNeedsOneSlice(method: NewtonMethod.name, slices: sisa.slices))
    }
  }

  /// Refuses an update in place (`method` newton or influence) for a store that
  /// standardizes: each shard's statistics change with its rows, and no update follows them.
  func refuseStandardizedUpdate(_ method: String) throws {
    guard !preprocessing.standardize else {
      throw StoreError.refused(.methodWithStandardization(method: method))
    }
  }

  func carryOutNewton(_ request: LedgerRequest) throws {
    try carryOutInPlace(request) { shard, removing in
      try newtonUpdate(shard: shard, removing: removing, request: request.seq)
    } finish: { done, records in
      done.newton = records.map(\.record)
    }
  }

  /// Updates shard `shard`'s model to forget `ids` (its rows, still in its row file) and
  /// writes it, with the state for the next request, as the shard's checkpoint.
  private func newtonUpdate(shard: Int, removing ids: [SampleID], request: Int) throws
    -> NewtonRemoval
  {
    let directory = layout.checkpoint(shard: shard, stage: 0)
    let previous = try UpdateState.read(directory)
    if let previous, previous.request == request, let record = previous.newton { return record }
    let model = try CheckpointFiles.read(directory).model
    let result = try NewtonUpdate.apply(
      to: model, rows: scaled(try shardRows(shard)), removing: ids, bounds: previous?.bounds,
      ridge: model is RidgeClassifier ? try loadRidgeState(directory) : nil)
    var record = NewtonRemoval(
      shard: shard, kind: result.report == nil ? "exact" : "certified", removed: ids.count,
      seconds: result.seconds)
    if let report = result.report {
      record.bounds = report.bounds
      record.residualBounds = report.residualBounds
      record.budget = result.budget
      record.refreshes = report.refreshed.count
      record.retrained = report.retrained
    }
    let (updated, ridge, bounds) = (result.model, result.ridge, result.bounds)
    try UpdateState(request: request, newton: record, bounds: bounds).write(
      model: updated, to: directory, metadata: metadata
    ) { temporary in
      if let ridge {
        try Self.archive(ridge).write(to: temporary.appendingPathComponent(Self.ridgeStateFile))
      }
    }
    try ledger.recordCheckpoint(shard: shard, stage: 0, request: request)
    return record
  }

  /// The ridge state a previous request left beside the model, if any.
  private func loadRidgeState(_ directory: URL) throws -> RidgeState? {
    let url = directory.appendingPathComponent(Self.ridgeStateFile)
    guard FileManager.default.fileExists(atPath: url.path) else { return nil }
    let archive = try StateArchive.read(url)
    let m = archive.metadata
    guard let d = m["featureCount"].flatMap(Int.init), let k = m["classCount"].flatMap(Int.init),
      let anchor = m["anchorRowCount"].flatMap(Int.init),
      let l2 = m["l2"].flatMap(Double.init), let intercept = m["fitIntercept"].flatMap(Bool.init),
      let factor = archive.doubles["factor"], let sums = archive.doubles["featureSums"],
      let classSums = archive.doubles["classFeatureSums"],
      let counts = archive.integers["classCounts"], let ids = archive.integers["ids"]
    else { throw StoreError.corrupt(path: url.path, reason: "a ridge state field is missing") }
    do {
      var config = RidgeConfig()
      config.l2 = l2
      config.fitIntercept = intercept
      return try RidgeState(
        config: config, featureCount: d, classCount: k, ids: Set(ids.map(SampleID.init(rawValue:))),
        anchorRowCount: anchor,
        factor: factor, featureSums: sums, classCounts: counts.map { Int($0) },
        classFeatureSums: classSums)
    } catch {
      throw StoreError.corrupt(path: url.path, reason: "\(error)")
    }
  }

  private static func archive(_ state: RidgeState) -> StateArchive {
    StateArchive(
      metadata: [
        "featureCount": String(state.featureCount), "classCount": String(state.classCount),
        "anchorRowCount": String(state.anchorRowCount),
        "l2": String(state.config.l2), "fitIntercept": String(state.config.fitIntercept),
      ],
      doubles: [
        "factor": state.factor, "featureSums": state.featureSums,
        "classFeatureSums": state.classFeatureSums,
      ],
      integers: [
        "classCounts": state.classCounts.map { UInt64($0) },
        "ids": state.ids.map(\.rawValue).sorted(),
      ])
  }
}
