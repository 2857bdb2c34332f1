import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation

extension Store {
  /// A sample's place and state in the ledger.
  struct SampleRecord {
    var id: SampleID
    var shard: Int
    var slice: Int
    var active: Bool
    var request: Int?
  }

  func sampleRecords(_ ids: [SampleID]) throws -> [SampleID: SampleRecord] {
    var out: [SampleID: SampleRecord] = [:]
    for start in stride(from: 0, to: ids.count, by: 500) {
      let chunk = ids[start..<min(start + 500, ids.count)]
      let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
      let rows = try ledger.db.query(
        "SELECT id, shard, slice, state, request FROM samples WHERE id IN (\(marks))",
        chunk.map { .integer(Int64(bitPattern: $0.rawValue)) })
      for r in rows {
        let id = SampleID(UInt64(bitPattern: Int64(r[0].int!)))
        out[id] = SampleRecord(
          id: id, shard: r[1].int!, slice: r[2].int!, active: r[3].string == "active",
          request: r[4].int)
      }
    }
    return out
  }

  /// Records the request durably as PENDING, then carries it out (see `carryOut`).
  /// - Throws: `StoreError.refused` for an empty request, unknown ids (naming up to 10) or —
  ///   unless `method` is `.retrain` — permanent rows of a store over a base, with nothing
  ///   changed.
  @discardableResult
  public func forget(_ ids: [SampleID], method: ForgetMethod) throws -> LedgerRequest {
    let unique = Array(Set(ids)).sorted()
    guard !unique.isEmpty else { throw StoreError.refused(.emptyRequest) }
    let records = try sampleRecords(unique)
    let unknown = unique.filter { records[$0] == nil }
    guard unknown.isEmpty else {
      throw StoreError.refused(.unknownIDs(first: Array(unknown.prefix(10)), count: unknown.count))
    }
    let permanent = unique.filter { records[$0]!.active && records[$0]!.shard == Self.baseShard }
    if !permanent.isEmpty, method != .retrain {
      throw StoreError.refused(
        .permanentRows(first: Array(permanent.prefix(10)), count: permanent.count))
    }
    if !permanent.isEmpty, try permanentIDs().count == permanent.count {
      throw StoreError.refused(.everyPermanentRow)
    }
    if method == .newton { try checkNewtonApplies() }
    let update = try method.updateMethod()
    if update != nil { try checkUpdateApplies(method) }
    if method == .influence {
      throw StoreError.refused(.correctionOnlyMethod(method: method.rawValue))
    }
    let changes = method == .retrain || unique.contains { records[$0]!.active }
    let version = try currentVersion() + (changes ? 1 : 0)
    let request = try ledger.addRequest(
      ids: unique, method: method.rawValue, version: version,
      update: update.map {
        MethodRecord(guarantee: type(of: $0).guarantee, settings: $0.settingsJSON)
      })
    try carryOut(request)
    return try ledger.requests().first { $0.seq == request.seq }!
  }

  /// Carries out a recorded request; idempotent, so a restart after a crash at any point
  /// finishes it with the same result: tombstone the rows, rewrite the affected shards'
  /// data files without them, retrain each affected shard from its last clean checkpoint,
  /// write the new version, delete every older version and stray temporary file, mark DONE.
  func carryOut(_ request: LedgerRequest) throws {
    guard let method = ForgetMethod(recorded: request) else {
      throw StoreError.refused(.unknownRecordedMethod(request: request.seq, method: request.method))
    }
    if let changes = request.changes { return try carryOutChanges(request, changes) }
    if method == .newton { return try carryOutNewton(request) }
    if let update = try method.updateMethod() { return try carryOutUpdate(request, update) }
    let clock = Date()
    let (ids, records, removing) = try tombstone(request)
    let already = ids.count - removing.count
    var firstStage = ShardAssignment.firstAffectedStages(
      removing.map { (records[$0]!.shard, records[$0]!.slice) })
    // Permanent rows are the base's (shard −1); only a retrain request gets here with them.
    let baseChanged = firstStage.removeValue(forKey: Self.baseShard) != nil
    if request.method == ForgetMethod.retrain.rawValue {
      firstStage = Dictionary(uniqueKeysWithValues: (0..<sisa.shards).map { ($0, 0) })
    }
    try deleteRows(Set(removing), shards: Set(removing.map { records[$0]!.shard }))
    if baseChanged {
      try recordPermanentSet()
      try trainBase(request: request.seq)
    }
    if !firstStage.isEmpty {
      try retrainShards(from: firstStage, request: request.seq)
      try writeVersion(request.version, changed: Set(firstStage.keys))
    }
    try purge(keeping: request.version)
    var done = request
    done.removed = removing.count
    done.alreadyForgotten = already
    done.shards =
      (baseChanged ? ["base:0"] : [])
      + firstStage.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
    done.seconds = Date().timeIntervalSince(clock)
    done.completed = Ledger.now()
    try ledger.complete(done)
  }

  /// Retrains each shard in `firstStage` from that stage on, from the checkpoint before it,
  /// on the shard's rows as its row file now holds them; records each new checkpoint.
  func retrainShards(from firstStage: [Int: Int], request: Int) throws {
    let total = firstStage.values.reduce(0) { $0 + sisa.slices - $1 }
    let report = SerializedProgress(progress)
    var done = 0
    let affected = firstStage.sorted(by: { $0.key < $1.key })
    let base = try loadBase()
    let retrained = try concurrentMap(affected.count) { i in
      let (shard, from) = affected[i]
      let previous =
        from == 0
        ? nil : try CheckpointFiles.read(layout.checkpoint(shard: shard, stage: from - 1))
      return try SISAEnsemble.trainShard(
        shard, from: from, previous: previous, data: try shardRows(shard),
        configuration: configuration, sisa: sisa, featureCount: featureCount,
        classCount: classCount, preprocessing: preprocessing, base: base
      ) { _ in
        report.call {
          done += 1
          $0?(done, total)
        }
      }
    }
    for ((shard, from), stages) in zip(affected, retrained) {
      for (i, checkpoint) in stages.enumerated() {
        try CheckpointFiles.write(
          checkpoint, to: layout.checkpoint(shard: shard, stage: from + i), metadata: metadata)
        try ledger.recordCheckpoint(shard: shard, stage: from + i, request: request)
      }
    }
  }

  /// Marks the request's active rows forgotten by it, in one transaction, and returns its
  /// ids, their records and the rows it removes: the active ones, or — when a restart
  /// repeats it — those it already marked.
  func tombstone(_ request: LedgerRequest) throws -> (
    ids: [SampleID], records: [SampleID: SampleRecord], removing: [SampleID]
  ) {
    let ids = request.ids
    let records = try sampleRecords(ids)
    let removing = ids.filter {
      records[$0].map { $0.active || $0.request == request.seq } ?? false
    }
    try ledger.db.transaction {
      for id in removing where records[id]!.active {
        try ledger.db.query(
          "UPDATE samples SET state = 'forgotten', request = ? WHERE id = ?",
          [.integer(Int64(request.seq)), .integer(Int64(bitPattern: id.rawValue))])
      }
    }
    return (ids, records, removing)
  }

  /// Rewrites the row files of `shards` without the rows `removed` (idempotent).
  func deleteRows(_ removed: Set<SampleID>, shards: Set<Int>) throws {
    for shard in shards {
      let url = layout.rows(shard: shard)
      var rows = try RowFile.read(url)
      let keep = (0..<rows.count).filter { !removed.contains(rows.ids[$0]) }
      guard keep.count < rows.count else { continue }
      let d = rows.width
      rows = RowFile.Rows(
        positions: keep.map { rows.positions[$0] }, ids: keep.map { rows.ids[$0] },
        labels: keep.map { rows.labels[$0] },
        features: keep.flatMap { rows.features[($0 * d)..<(($0 + 1) * d)] }, width: d)
      try RowFile.write(rows, to: url)
    }
  }

  /// Deletes every model version but `version`, the audit's cached models of every other
  /// version (they may have seen rows forgotten since), and every temporary file a crash
  /// left.
  func purge(keeping version: Int) throws {
    let fm = FileManager.default
    let keep = layout.version(version).lastPathComponent
    for directory in [layout.modelsDirectory, layout.auditCacheDirectory] {
      for name in (try? fm.contentsOfDirectory(atPath: directory.path)) ?? [] where name != keep {
        try fm.removeItem(at: directory.appendingPathComponent(name))
      }
    }
    for directory in [
      layout.dataDirectory, layout.checkpointsDirectory, layout.auditCacheDirectory,
    ] {
      guard let walker = fm.enumerator(atPath: directory.path) else { continue }
      var strays: [String] = []
      while let path = walker.nextObject() as? String {
        if (path as NSString).lastPathComponent.hasPrefix(".") { strays.append(path) }
      }
      for path in strays.sorted(by: >) {
        try? fm.removeItem(at: directory.appendingPathComponent(path))
      }
    }
    AtomicFile.syncDirectory(layout.modelsDirectory)
  }
}
