import Dispatch
import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation

/// A durable SISA store: the rows the model may still learn from, every slice checkpoint,
/// the current model version and the ledger of deletion requests.
///
/// Invariants (each has a test): a request `forget` accepts is recorded before any work and
/// finished by whichever command opens the store next, with the same result as no crash;
/// after a request is DONE no file holds a forgotten row, and no checkpoint or version
/// trained on one survives; files are replaced atomically; a refused request changes nothing.
/// Holds the progress handler (a class, so `Store`'s stored properties stay `let`).
final class ProgressBox {
  var handler: ((_ completed: Int, _ total: Int) -> Void)?
}

public final class Store {
  public let directory: URL
  let layout: StoreLayout
  /// The ledger while the store is open (see `Store+Close.swift`).
  var openLedger: Ledger?
  let lock: StoreLock
  public let configuration: ModelConfiguration
  public let sisa: SISAConfig
  public let featureCount: Int
  public let classCount: Int
  public let classNames: [String]?
  public let trainingSource: String
  /// What each shard does to its rows, and to prediction inputs, before its model: `--scale`
  /// and per-shard standardization (see `ShardPreprocessing`). The rows are stored as the
  /// data file holds them.
  public let preprocessing: ShardPreprocessing

  public static let format = "expunge-store-1"

  // MARK: Creating

  /// Writes a new store at `directory` (absent or empty) and trains SISA on `data`: every
  /// shard in this process, or — with `deferTraining` — none, for `expunge shard-train`
  /// processes (on this machine or others) to train. `data` is kept as given; every shard
  /// applies `preprocessing` itself. `trainingData` records how `data` was read, for later
  /// commands that read it again. With `permanent` ids, the store first trains a shared base
  /// on those rows (in this process, also with `deferTraining`) and its shards split the
  /// other rows (see `SISABase`).
  /// - Throws: `StoreError.exists`, `StoreError.refused` for permanent ids that are not rows
  ///   of `data` (before anything is written), training errors; a failed creation leaves a
  ///   directory that `open` refuses as incomplete.
  @discardableResult
  public static func create(
    at directory: URL, data: Dataset, configuration: ModelConfiguration, sisa: SISAConfig,
    classNames: [String]?, classSelection: [Int32]? = nil,
    preprocessing: ShardPreprocessing = .none, trainingData: TrainingDataRecord? = nil,
    permanent: Set<SampleID> = [], deferTraining: Bool = false,
    progress: ((_ completed: Int, _ total: Int) -> Void)? = nil
  ) throws -> Store {
    let present = Set(data.ids)
    let unknown = permanent.filter { !present.contains($0) }.sorted()
    if !unknown.isEmpty {
      throw StoreError.refused(
        .unknownPermanentIDs(first: Array(unknown.prefix(10)), count: unknown.count))
    }
    let store = try prepare(
      at: directory, data: data, configuration: configuration, sisa: sisa,
      classNames: classNames, classSelection: classSelection, preprocessing: preprocessing,
      trainingData: trainingData, permanent: permanent)
    if !permanent.isEmpty { try store.trainBase(request: nil) }
    guard !deferTraining else { return store }
    let stages = sisa.shards * sisa.slices
    let report = SerializedProgress(progress)
    var done = 0
    let base = try store.loadBase()
    let trained = try concurrentMap(sisa.shards) { k in
      try store.trainedShard(k, base: base) { _ in
        report.call {
          done += 1
          $0?(done, stages)
        }
      }
    }
    for (k, checkpoints) in trained.enumerated() { try store.record(checkpoints, shard: k) }
    try store.finishTraining()
    return store
  }

  /// The ledger, the shards' row files and the settings; no models yet.
  private static func prepare(
    at directory: URL, data: Dataset, configuration: ModelConfiguration, sisa: SISAConfig,
    classNames: [String]?, classSelection: [Int32]?, preprocessing: ShardPreprocessing,
    trainingData: TrainingDataRecord?, permanent: Set<SampleID>
  ) throws -> Store {
    let fm = FileManager.default
    if let contents = try? fm.contentsOfDirectory(atPath: directory.path), !contents.isEmpty {
      throw StoreError.exists(path: directory.path)
    }
    let layout = StoreLayout(root: directory)
    for d in [directory, layout.dataDirectory, layout.checkpointsDirectory, layout.modelsDirectory]
    {
      try fm.createDirectory(at: d, withIntermediateDirectories: true)
    }
    let lock = try StoreLock(directory: directory)
    let ledger = try Ledger(path: layout.ledger)
    try ledger.createSchema()
    let assignment = ShardAssignment(
      shards: sisa.shards, slices: sisa.slices, seed: sisa.assignmentSeed)
    let d = data.featureCount
    // Permanent rows go to the base (shard −1, slice −1), the others by the assignment.
    let places = data.ids.map {
      permanent.contains($0) ? (shard: baseShard, slice: -1) : assignment.place($0)
    }
    // Row hashes are independent: SHA-256 over the 188 MB of Fashion-MNIST is the costliest
    // step of creating a store, so it runs on every core.
    var hashes = [String](repeating: "", count: data.count)
    let (features, labels) = (data.features, data.labels)
    hashes.withUnsafeMutableBufferPointer { buffer in
      let out = SendablePointer(buffer.baseAddress!)
      parallelFor(data.count, minimumChunk: 512) { range in
        for i in range {
          out[i] = RowFile.rowHash(
            label: labels[i], features: features.storage[(i * d)..<((i + 1) * d)])
        }
      }
    }
    // Index k + 1 holds shard k's rows; index 0 the permanent rows.
    var shardRows = (baseShard..<sisa.shards).map { k -> RowFile.Rows in
      let count = places.lazy.filter { $0.shard == k }.count
      var rows = RowFile.Rows(positions: [], ids: [], labels: [], features: [], width: d)
      rows.positions.reserveCapacity(count)
      rows.ids.reserveCapacity(count)
      rows.labels.reserveCapacity(count)
      rows.features.reserveCapacity(count * d)
      return rows
    }
    try ledger.db.transaction {
      for i in 0..<data.count {
        let id = data.ids[i]
        let (k, r) = places[i]
        try ledger.db.query(
          "INSERT INTO samples(id, position, shard, slice, label, hash) VALUES(?, ?, ?, ?, ?, ?)",
          [
            .integer(Int64(bitPattern: id.rawValue)), .integer(Int64(i)), .integer(Int64(k)),
            .integer(Int64(r)), .integer(Int64(data.labels[i])), .text(hashes[i]),
          ])
        shardRows[k + 1].positions.append(UInt64(i))
        shardRows[k + 1].ids.append(id)
        shardRows[k + 1].labels.append(data.labels[i])
        shardRows[k + 1].features += data.features.storage[(i * d)..<((i + 1) * d)]
      }
      for k in 0..<sisa.shards {
        try ledger.db.query(
          "INSERT INTO shards(shard, state) VALUES(?, 'pending')", [.integer(Int64(k))])
      }
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      try ledger.setSetting("format", format)
      try ledger.setSetting(
        "configuration", String(decoding: try encoder.encode(configuration), as: UTF8.self))
      try ledger.setSetting("sisa", String(decoding: try encoder.encode(sisa), as: UTF8.self))
      try ledger.setSetting("feature_count", String(d))
      try ledger.setSetting("class_count", String(data.classCount))
      try ledger.setSetting("source", data.source)
      try ledger.setSetting("environment", canonicalJSON(NumericEnvironment.current))
      if let classNames {
        try ledger.setSetting("class_names", classNames.joined(separator: "\n"))
      }
      if let classSelection {
        try ledger.setSetting(
          "class_selection", classSelection.map(String.init).joined(separator: ","))
      }
      try ledger.setSetting(
        "preprocessing", String(decoding: try encoder.encode(preprocessing), as: UTF8.self))
      if let trainingData {
        try ledger.setSetting(
          trainingDataSetting, String(decoding: try encoder.encode(trainingData), as: UTF8.self))
      }
      if !permanent.isEmpty {
        try ledger.setSetting(
          permanentSetting, canonicalJSON(PermanentRecord(Array(permanent))))
      }
    }
    for k in 0..<sisa.shards { try RowFile.write(shardRows[k + 1], to: layout.rows(shard: k)) }
    if !permanent.isEmpty {
      try RowFile.write(shardRows[0], to: layout.rows(shard: baseShard))
    }
    return Store(
      directory: directory, layout: layout, ledger: ledger, lock: lock,
      configuration: configuration, sisa: sisa, featureCount: d, classCount: data.classCount,
      classNames: classNames, trainingSource: data.source, preprocessing: preprocessing)
  }

  /// Trains every stage of shard `shard` from scratch on its rows, writes its checkpoints and
  /// marks it done in the ledger, with the numeric environment that trained it.
  func trainShard(_ shard: Int, stageDone: ((Int) -> Void)? = nil) throws {
    try record(
      try trainedShard(shard, base: try loadBase(), stageDone: stageDone), shard: shard)
  }

  /// Every stage of shard `shard` trained from scratch on its rows, over `base` (the store's,
  /// loaded once by the caller) if the store has one; nothing written.
  func trainedShard(_ shard: Int, base: SISABase?, stageDone: ((Int) -> Void)? = nil) throws
    -> [SISACheckpoint]
  {
    try SISAEnsemble.trainShard(
      shard, from: 0, previous: nil, data: try shardRows(shard), configuration: configuration,
      sisa: sisa, featureCount: featureCount, classCount: classCount,
      preprocessing: preprocessing, base: base, progress: stageDone)
  }

  /// Writes shard `shard`'s checkpoints and marks it done in the ledger, with the numeric
  /// environment that trained it.
  func record(_ checkpoints: [SISACheckpoint], shard: Int) throws {
    for (r, checkpoint) in checkpoints.enumerated() {
      try CheckpointFiles.write(
        checkpoint, to: layout.checkpoint(shard: shard, stage: r), metadata: metadata)
      try ledger.recordCheckpoint(shard: shard, stage: r, request: nil)
    }
    try ledger.db.transaction {
      try ledger.db.query(
        "UPDATE shards SET state = 'done', host = ?, pid = ?, finished = ?, environment = ? WHERE shard = ?",
        [
          .text(ProcessInfo.processInfo.hostName),
          .integer(Int64(ProcessInfo.processInfo.processIdentifier)), .text(Ledger.now()),
          .text(canonicalJSON(NumericEnvironment.current)), .integer(Int64(shard)),
        ])
    }
  }

  /// Shard `shard`'s rows (in training-file order, as its row file keeps them): all that
  /// training or retraining the shard reads.
  func shardRows(_ shard: Int) throws -> Dataset {
    let rows = try RowFile.read(layout.rows(shard: shard))
    return Dataset(
      ids: rows.ids, features: Matrix(rows: rows.count, cols: featureCount, storage: rows.features),
      labels: rows.labels, classCount: classCount, source: trainingSource)
  }

  /// `rows` as the shard models see them, for updates in place (newton, influence): scaled.
  /// Those updates refuse a store that standardizes (`refuseStandardizedUpdate`).
  func scaled(_ rows: Dataset) -> Dataset {
    preprocessing.scaling?.transform(rows) ?? rows
  }

  /// Shards whose training has not finished.
  func pendingShards() throws -> [Int] {
    try ledger.db.query("SELECT shard FROM shards WHERE state != 'done' ORDER BY shard").map {
      $0[0].int!
    }
  }

  /// Once every shard is trained: writes version 1 and marks the store ready.
  func finishTraining() throws {
    guard try ledger.setting("ready") != "1", try pendingShards().isEmpty else { return }
    try writeVersion(1)
    let rows = try ledger.db.query("SELECT COUNT(*) FROM samples")[0][0].int!
    try ledger.db.transaction {
      try ledger.db.query(
        "INSERT OR REPLACE INTO versions(version, created, request, rows) VALUES(1, ?, NULL, ?)",
        [.text(Ledger.now()), .integer(Int64(rows))])
      try ledger.setSetting("current_version", "1")
      try ledger.setSetting("ready", "1")  // last: a store without it never finished training
    }
  }

  private init(
    directory: URL, layout: StoreLayout, ledger: Ledger, lock: StoreLock,
    configuration: ModelConfiguration, sisa: SISAConfig, featureCount: Int, classCount: Int,
    classNames: [String]?, trainingSource: String, preprocessing: ShardPreprocessing
  ) {
    self.directory = directory
    self.layout = layout
    self.openLedger = ledger
    self.lock = lock
    self.configuration = configuration
    self.sisa = sisa
    self.featureCount = featureCount
    self.classCount = classCount
    self.classNames = classNames
    self.trainingSource = trainingSource
    self.preprocessing = preprocessing
  }

  /// The metadata of models and checkpoints this process computes: each records the
  /// scaling its inputs need, so a version's shard directory is a model directory that
  /// `expunge predict --model` uses as the store does.
  var metadata: ModelMetadata {
    var m = ModelMetadata(expungeVersion: NumericEnvironment.expungeVersion)
    m.trainingSource = trainingSource
    m.classNames = classNames
    m.featureScaling = preprocessing.scaling
    return m
  }

  // MARK: Opening

  /// Opens the store at `directory`, takes its lock and finishes any request a crash
  /// interrupted.
  public static func open(_ directory: URL) throws -> Store {
    try checkExists(directory)
    let store = try load(directory, lock: try StoreLock(directory: directory))
    guard try store.ledger.setting("ready") == "1" else {
      let pending = try store.pendingShards()
      throw StoreError.notAStore(
        path: directory.path,
        reason: pending.isEmpty
          ? "its training never finished; remove it and train again"
          : "training is not finished: shard(s) \(pending.map(String.init).joined(separator: ", ")) of \(store.sisa.shards) still to train with 'expunge shard-train'"
      )
    }
    for request in try store.ledger.requests(state: "PENDING") { try store.carryOut(request) }
    return store
  }

  /// `expunge shard-train`: trains shard `shard` of a store created with deferred training,
  /// holding only that shard's lock (`DIR/lock-shard-K`), so shards train in parallel —
  /// processes on one machine, or jobs on machines that share the directory. The process
  /// that finds every shard done writes version 1 under the store lock (waiting for it, so
  /// no finisher is missed). Returns whether this call finished the store.
  @discardableResult
  public static func trainShard(
    at directory: URL, shard: Int, progress: ((_ completed: Int, _ total: Int) -> Void)? = nil
  ) throws -> Bool {
    try checkExists(directory)
    let store = try load(
      directory, lock: try StoreLock(directory: directory, name: "lock-shard-\(shard)"))
    guard (0..<store.sisa.shards).contains(shard) else {
      throw StoreError.refused(.noSuchShard(shard: shard, shards: store.sisa.shards))
    }
    guard try store.ledger.setting("ready") != "1" else {
      throw StoreError.refused(.trainingFinished(path: directory.path))
    }
    try store.trainShard(shard) { r in progress?(r + 1, store.sisa.slices) }
    let finisher = try StoreLock(directory: directory, wait: true)
    defer { _ = finisher }
    let wasReady = try store.ledger.setting("ready") == "1"
    try store.finishTraining()
    let isReady = try store.ledger.setting("ready") == "1"
    return !wasReady && isReady
  }

  private static func checkExists(_ directory: URL) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
      isDirectory.boolValue
    else { throw StoreError.notAStore(path: directory.path, reason: "no such directory") }
    guard FileManager.default.fileExists(atPath: StoreLayout(root: directory).ledger.path) else {
      throw StoreError.notAStore(path: directory.path, reason: "no expunge.sqlite")
    }
  }

  /// Reads the settings of the store at `directory`, holding `lock`.
  private static func load(_ directory: URL, lock: StoreLock) throws -> Store {
    let layout = StoreLayout(root: directory)
    let ledger = try Ledger(path: layout.ledger)
    guard try ledger.setting("format") == format else {
      throw StoreError.notAStore(path: directory.path, reason: "unknown format")
    }
    try ledger.migrate()
    let decoder = JSONDecoder()
    guard let configurationText = try ledger.setting("configuration"),
      let sisaText = try ledger.setting("sisa"),
      let d = try ledger.setting("feature_count").flatMap(Int.init),
      let k = try ledger.setting("class_count").flatMap(Int.init)
    else { throw StoreError.corrupt(path: layout.ledger.path, reason: "settings are missing") }
    // Stores written before preprocessing was recorded had none.
    var preprocessing = ShardPreprocessing.none
    if let text = try ledger.setting("preprocessing") {
      do {
        preprocessing = try decoder.decode(ShardPreprocessing.self, from: Data(text.utf8))
      } catch {
        throw StoreError.corrupt(
          path: layout.ledger.path, reason: "the preprocessing setting cannot be read")
      }
    }
    return Store(
      directory: directory, layout: layout, ledger: ledger, lock: lock,
      configuration: try decoder.decode(
        ModelConfiguration.self, from: Data(configurationText.utf8)),
      sisa: try decoder.decode(SISAConfig.self, from: Data(sisaText.utf8)), featureCount: d,
      classCount: k,
      classNames: try ledger.setting("class_names").map {
        $0.split(separator: "\n").map(String.init)
      },
      trainingSource: try ledger.setting("source") ?? "", preprocessing: preprocessing)
  }

  /// Receives (stages done, stages to do) while `forget` or a recovery retrains.
  public var progress: ((_ completed: Int, _ total: Int) -> Void)? {
    get { progressBox.handler }
    set { progressBox.handler = newValue }
  }
  let progressBox = ProgressBox()

  /// The classes of the original data the store keeps (relabelled 0, 1, …), if selected.
  public func classSelection() throws -> [Int32]? {
    try ledger.setting("class_selection").map { $0.split(separator: ",").compactMap { Int32($0) } }
  }

  /// The model version in force.
  public func currentVersion() throws -> Int {
    guard let v = try ledger.setting("current_version").flatMap(Int.init) else {
      throw StoreError.corrupt(path: layout.ledger.path, reason: "no current version")
    }
    return v
  }

  // MARK: Reading

  /// The rows the store may still learn from, in training-file order (the permanent rows
  /// too).
  public func rows() throws -> Dataset {
    let files = (hasBase ? [Self.baseShard] : []) + Array(0..<sisa.shards)
    let shards = try files.map { try RowFile.read(layout.rows(shard: $0)) }
    // (position, shard, row in shard), merged into file order.
    var order: [(position: UInt64, shard: Int, row: Int)] = []
    order.reserveCapacity(shards.reduce(0) { $0 + $1.count })
    for (k, rows) in shards.enumerated() {
      for i in 0..<rows.count { order.append((rows.positions[i], k, i)) }
    }
    order.sort { $0.position < $1.position }
    let d = featureCount
    var ids = [SampleID](repeating: SampleID(0), count: order.count)
    var labels = [Int32](repeating: 0, count: order.count)
    var features = [Float](repeating: 0, count: order.count * d)
    features.withUnsafeMutableBufferPointer { out in
      for (n, entry) in order.enumerated() {
        let rows = shards[entry.shard]
        ids[n] = rows.ids[entry.row]
        labels[n] = rows.labels[entry.row]
        rows.features.withUnsafeBufferPointer { source in
          (out.baseAddress! + n * d).update(from: source.baseAddress! + entry.row * d, count: d)
        }
      }
    }
    return Dataset(
      ids: ids, features: Matrix(rows: order.count, cols: d, storage: features), labels: labels,
      classCount: classCount, source: trainingSource)
  }

  /// The current version's shard models, which expect preprocessed inputs (see
  /// `preprocessedShardModels` for rows as the data file holds them).
  public func shardModels() throws -> [any Classifier] {
    try preprocessedShardModels().map(\.model)
  }

  /// The current version's shard models behind their preprocessing: the store's scaling,
  /// then each shard's own standardizer.
  public func preprocessedShardModels() throws -> [PreprocessedClassifier] {
    let version = try currentVersion()
    return try (0..<sisa.shards).map {
      try ModelDirectory.load(from: layout.model(version: version, shard: $0))
        .instantiatePreprocessed()
    }
  }

  /// The current version's ensemble scores for `x` — rows as the data file holds them; each
  /// shard preprocesses them its way — as vote shares or mean probabilities. `models` saves
  /// reloading the shard models on repeated calls.
  public func predictProbabilities(_ x: Matrix, models: [PreprocessedClassifier]? = nil) throws
    -> Matrix
  {
    let models = try models ?? preprocessedShardModels()
    let weights = sisa.weightByShardSize ? try shardRowCounts().map(Double.init) : nil
    return sisa.aggregation.combine(models.map { $0.predictProbabilities(x) }, weights: weights)
  }

  /// Ids the ledger knows: the forgotten ones (`forgotten: true`), or every training row.
  public func sampleIDs(forgotten: Bool) throws -> Set<SampleID> {
    let sql = "SELECT id FROM samples" + (forgotten ? " WHERE state = 'forgotten'" : "")
    return Set(try ledger.db.query(sql).map { SampleID(UInt64(bitPattern: Int64($0[0].int!))) })
  }

  /// Rows each shard still learns from.
  public func shardRowCounts() throws -> [Int] {
    try ledger.db.query(
      "SELECT shard, COUNT(*) FROM samples WHERE state = 'active' AND shard >= 0 GROUP BY shard ORDER BY shard"
    ).reduce(into: [Int](repeating: 0, count: sisa.shards)) { $0[$1[0].int!] = $1[1].int! }
  }

  /// Ids of the active rows labelled `label`.
  public func activeIDs(label: Int32) throws -> [SampleID] {
    guard (0..<classCount).contains(Int(label)) else {
      throw StoreError.refused(.noSuchClass(label: label, classCount: classCount))
    }
    return try ledger.db.query(
      "SELECT id FROM samples WHERE state = 'active' AND label = ? ORDER BY position",
      [.integer(Int64(label))]
    ).map { SampleID(UInt64(bitPattern: Int64($0[0].int!))) }
  }

  /// The ledger's requests, oldest first.
  public func requests() throws -> [LedgerRequest] { try ledger.requests() }

  /// Problems with the ledger: its hash chain, and rows recorded in a shard or slice other
  /// than the one `ShardAssignment` places their id in (the assignment is the rule; the
  /// ledger's columns record it). Empty when all holds.
  public func verifyLog() throws -> [String] {
    var problems = try ledger.verifyChain()
    let assignment = ShardAssignment(
      shards: sisa.shards, slices: sisa.slices, seed: sisa.assignmentSeed)
    let misplaced = try ledger.db.query("SELECT id, shard, slice FROM samples WHERE shard >= 0")
      .compactMap { row -> SampleID? in
        let id = SampleID(UInt64(bitPattern: Int64(row[0].int!)))
        return assignment.place(id) == (row[1].int!, row[2].int!) ? nil : id
      }
    if let first = misplaced.first {
      problems.append(
        "\(misplaced.count) row(s) recorded in a shard or slice their id does not place them in (first: id \(first))"
      )
    }
    return problems
  }

  // MARK: Versions

  /// Writes version `n` atomically: shards in `changed` (all when nil) from their last-stage
  /// checkpoints, the others hard-linked from the current version (no copy, and deleting the
  /// old version later leaves the linked files intact). A model keeps the numeric environment
  /// its checkpoint records: `shard-train` may have computed it on another machine.
  func writeVersion(_ n: Int, changed: Set<Int>? = nil) throws {
    let fm = FileManager.default
    let temporary = layout.modelsDirectory.appendingPathComponent(
      ".v\(n).\(ProcessInfo.processInfo.processIdentifier).tmp")
    try? fm.removeItem(at: temporary)
    try fm.createDirectory(at: temporary, withIntermediateDirectories: true)
    let current = try? currentVersion()
    for k in 0..<sisa.shards {
      let target = temporary.appendingPathComponent("shard-\(k)")
      if let changed, !changed.contains(k), let current, current != n,
        fm.fileExists(atPath: layout.model(version: current, shard: k).path)
      {
        try linkOrCopy(layout.model(version: current, shard: k), to: target)
        continue
      }
      let last = layout.checkpoint(shard: k, stage: sisa.slices - 1)
      let source = try CheckpointFiles.read(last)
      var recorded = metadata
      recorded.environment = try ModelDirectory.metadata(of: last).environment
      try ModelDirectory.save(
        source.model, standardizer: source.standardizer, metadata: recorded, to: target)
    }
    try CheckpointFiles.replace(layout.version(n), with: temporary)
  }

  private func linkOrCopy(_ source: URL, to target: URL) throws {
    let fm = FileManager.default
    try fm.createDirectory(at: target, withIntermediateDirectories: true)
    for name in try fm.contentsOfDirectory(atPath: source.path) {
      let from = source.appendingPathComponent(name)
      let to = target.appendingPathComponent(name)
      if link(from.path, to.path) != 0 { try fm.copyItem(at: from, to: to) }
    }
  }
}
