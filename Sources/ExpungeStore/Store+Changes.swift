import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation

/// Correcting rows instead of removing them (`expunge forget --relabel / --zero-features /
/// --zero-columns`): the store keeps the new values, the old ones leave every file, and the
/// model follows by retraining (`--method sisa`, exact: each affected shard from the
/// checkpoint before the first changed slice; `retrain`: every shard) or by an influence
/// update (`--method influence`, approximate, see `InfluenceUpdate`).
///
/// The order that makes a crash harmless is the one of `--method newton`: an influence
/// update reads the old values, so every affected checkpoint is updated (and marked with the
/// request) before the row files are rewritten; a retrain reads the new values, so the rows
/// are rewritten first. Rewriting is idempotent, so a restart repeats it safely.
extension Store {
  /// Records `changes` as a request and carries it out.
  /// - Throws: `StoreError.refused`, with nothing changed, for empty or invalid changes, ids
  ///   the store does not hold (or has forgotten), or a method that cannot apply.
  @discardableResult
  public func change(
    _ changes: RowChanges, method: ForgetMethod, order: Int? = nil, tau: Double? = nil
  ) throws -> LedgerRequest {
    guard !changes.isEmpty else { throw StoreError.refused(.noChanges) }
    do {
      try changes.validate(featureCount: featureCount, classCount: classCount)
    } catch let error as RowChangeError {
      throw StoreError.refused(.invalidChanges(error))
    }
    let named = changes.namedIDs
    let records = try sampleRecords(named)
    if let id = named.first(where: { records[$0] == nil }) {
      throw StoreError.refused(.unknownIDs(first: [id], count: 1))
    }
    if let id = named.first(where: { !records[$0]!.active }) {
      throw StoreError.refused(.forgottenRow(id: id, request: records[id]!.request ?? 0))
    }
    if hasBase {
      if changes.touchesEveryRow {
        throw StoreError.refused(.correctsPermanentRows(id: nil))
      }
      if let id = named.first(where: { records[$0]!.shard == Self.baseShard }) {
        throw StoreError.refused(.correctsPermanentRows(id: id))
      }
    }
    if method == .influence {
      try checkInfluenceApplies()
    } else if method != .sisa && method != .retrain {
      throw StoreError.refused(.removalOnlyMethod(method: method.rawValue))
    }
    let recorded = RecordedChanges(
      changes: changes, order: method == .influence ? (order ?? 2) : nil,
      tau: method == .influence && order == 1 ? tau : nil)
    let request = try ledger.addRequest(
      ids: changes.touchesEveryRow ? [] : named, method: method.rawValue,
      version: try currentVersion() + 1, changes: recorded)
    try carryOut(request)
    return try ledger.requests().first { $0.seq == request.seq }!
  }

  func carryOutChanges(_ request: LedgerRequest, _ recorded: RecordedChanges) throws {
    let clock = Date()
    let changes = recorded.changes
    // Shards (and, for SISA, the first slice) the changes touch.
    let firstStage =
      changes.touchesEveryRow || request.method == ForgetMethod.retrain.rawValue
      ? Dictionary(uniqueKeysWithValues: (0..<sisa.shards).map { ($0, 0) })
      : ShardAssignment.firstAffectedStages(
        try sampleRecords(changes.namedIDs).values.map { ($0.shard, $0.slice) })
    var influence: [InfluenceRecord]?
    if request.method == ForgetMethod.influence.rawValue {
      influence = try firstStage.keys.sorted().map {
        try influenceUpdate(shard: $0, recorded: recorded, request: request.seq)
      }
    }
    try rewriteRows(changes, shards: Set(firstStage.keys))
    if request.method != ForgetMethod.influence.rawValue {
      try retrainShards(from: firstStage, request: request.seq)
    }
    try writeVersion(request.version, changed: Set(firstStage.keys))
    try purge(keeping: request.version)
    var done = request
    done.removed = 0
    done.alreadyForgotten = 0
    done.shards = firstStage.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
    done.influence = influence
    done.seconds = Date().timeIntervalSince(clock)
    done.completed = Ledger.now()
    try ledger.complete(done)
  }

  /// Rewrites the row files of `shards` with the changes applied, and the ledger's labels
  /// and row hashes with them (idempotent).
  func rewriteRows(_ changes: RowChanges, shards: Set<Int>) throws {
    for shard in shards.sorted() {
      let url = layout.rows(shard: shard)
      var rows = try RowFile.read(url)
      let changed = changes.apply(
        ids: rows.ids, labels: &rows.labels, features: &rows.features, width: rows.width)
      guard !changed.isEmpty else { continue }
      let d = rows.width
      try ledger.db.transaction {
        for i in changed {
          try ledger.db.query(
            "UPDATE samples SET label = ?, hash = ? WHERE id = ?",
            [
              .integer(Int64(rows.labels[i])),
              .text(
                RowFile.rowHash(
                  label: rows.labels[i], features: rows.features[(i * d)..<((i + 1) * d)])),
              .integer(Int64(bitPattern: rows.ids[i].rawValue)),
            ])
        }
      }
      try RowFile.write(rows, to: url)
    }
  }

  /// Updates shard `shard`'s model by `InfluenceUpdate` for the corrections (reading the
  /// old values from its row file, which is rewritten only afterwards) and writes it as the
  /// shard's checkpoint, marked with the request so a restart does not update it twice.
  private func influenceUpdate(shard: Int, recorded: RecordedChanges, request: Int) throws
    -> InfluenceRecord
  {
    let directory = layout.checkpoint(shard: shard, stage: 0)
    if let previous = try UpdateState.read(directory), previous.request == request,
      let record = previous.influence
    {
      return record
    }
    let model = try CheckpointFiles.read(directory).model
    // The corrections apply to the rows as stored (a zeroed feature is a 0 in the data
    // file); the update sees them as the model does.
    let rows = try shardRows(shard)
    let (raw, rawChanges) = try recorded.changes.restricted(to: Set(rows.ids)).apply(to: rows)
    let corrected = scaled(raw)
    let changes = try ChangedRows(old: scaled(rawChanges.old), new: scaled(rawChanges.new))
    let order: InfluenceOrder =
      recorded.order == 1 ? .first(tau: recorded.tau ?? 0) : .second
    let (updated, report) = try InfluenceUpdate.apply(
      to: model, changes: changes, training: corrected, order: order)
    let record = InfluenceRecord(
      shard: shard, order: report.order, tau: report.tau, changedRows: report.rowsChanged,
      parameterChange: report.parameterChange, cgIterations: report.cgIterations,
      cgRelativeResidual: report.cgRelativeResidual, seconds: report.seconds)
    try UpdateState(request: request, influence: record).write(
      model: updated, to: directory, metadata: metadata)
    try ledger.recordCheckpoint(shard: shard, stage: 0, request: request)
    return record
  }

  /// Refuses `--method influence` for a store whose model it cannot update.
  func checkInfluenceApplies() throws {
    if let reason = InfluenceMethod.refusal(for: configuration) {
      throw StoreError.refused(
        .methodDoesNotApply(method: InfluenceMethod.name, kind: configuration.kind, reason: reason))
    }
    try refuseStandardizedUpdate("influence")
    try refuseBaseUpdate("influence")
    guard sisa.slices == 1 else {
      throw StoreError.refused(
        .methodNeedsOneSlice(method: InfluenceMethod.name, slices: sisa.slices))
    }
  }
}
