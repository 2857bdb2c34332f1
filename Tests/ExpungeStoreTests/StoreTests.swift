import CSQLite
import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeStore
import ExpungeUnlearning
import Foundation
import Testing

/// The store's promises, checked on its files.
@Suite("Store")
struct StoreTests {
  static let data = try! DatasetCatalog.load("synthetic:n=240,d=5,classes=3,seed=6,sep=1.5")
  static let sisa = SISAConfig(shards: 3, slices: 2)

  static var mlp: ModelConfiguration {
    var c = MLPConfig()
    c.hidden = [6]
    c.epochs = 3
    c.batchSize = 16
    c.learningRate = 1e-2
    return ModelConfiguration(c)
  }

  static func scratch(_ name: String = #function) -> URL {
    FileManager.default.temporaryDirectory
      .appendingPathComponent("expunge-store-\(name.filter(\.isLetter))-\(UUID().uuidString)")
  }

  /// Every file under `directory` with its bytes.
  static func files(_ directory: URL) -> [String: Data] {
    var out: [String: Data] = [:]
    let walker = FileManager.default.enumerator(atPath: directory.path)!
    while let path = walker.nextObject() as? String {
      let url = directory.appendingPathComponent(path)
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory),
        !isDirectory.boolValue, let bytes = FileManager.default.contents(atPath: url.path)
      {
        out[path] = bytes
      }
    }
    return out
  }

  static func rowBytes(_ id: SampleID) -> Data {
    let i = data.ids.firstIndex(of: id)!
    let d = data.featureCount
    return Array(data.features.storage[(i * d)..<((i + 1) * d)]).withUnsafeBytes { Data($0) }
  }

  @Test(arguments: [("mlp", "sisa"), ("mlp", "retrain"), ("softmax", "sisa")])
  func forgetGivesTheModelTrainedWithoutTheRowsAndLeavesNoTrace(kind: String, method: String)
    throws
  {
    let configuration = kind == "mlp" ? Self.mlp : Self.softmaxConfiguration
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let forget = [SampleID(2), SampleID(77), SampleID(150), SampleID(151), SampleID(239)]
    do {
      let store = try Store.create(
        at: dir, data: Self.data, configuration: configuration, sisa: Self.sisa, classNames: nil)
      let request = try store.forget(forget, method: ForgetMethod(rawValue: method)!)
      #expect(request.state == "DONE" && request.removed == 5 && request.version == 2)
    }
    let store = try Store.open(dir)
    let oracle = try SISAEnsemble.fit(
      Self.data.removing(ids: Set(forget)), configuration: configuration, sisa: Self.sisa)
    for (k, model) in try store.shardModels().enumerated() {
      let same =
        model.tensors.parameters.values.map(\.bitPattern)
        == oracle.shardModels[k].tensors.parameters.values.map(\.bitPattern)
      #expect(same, "shard \(k) differs from SISA trained without the rows")
    }
    #expect(try store.rows().ids == Self.data.removing(ids: Set(forget)).ids)
    // No file in the store holds a forgotten row's bytes, and only the new version is left.
    let files = Self.files(dir)
    for id in forget {
      let needle = Self.rowBytes(id)
      let holders = files.filter { $0.value.range(of: needle) != nil }.map(\.key)
      #expect(holders.isEmpty, "row \(id) still in \(holders)")
    }
    #expect(files.keys.filter { $0.hasPrefix("models/") }.allSatisfy { $0.hasPrefix("models/v2/") })
    // The ledger says which checkpoints the request rewrote: exactly the affected stages.
    var db: OpaquePointer?
    sqlite3_open(dir.appendingPathComponent("expunge.sqlite").path, &db)
    defer { sqlite3_close(db) }
    var statement: OpaquePointer?
    sqlite3_prepare_v2(
      db, "SELECT shard, stage FROM checkpoints WHERE request = 1", -1, &statement, nil)
    var rewritten: [[Int]] = []
    while sqlite3_step(statement) == SQLITE_ROW {
      rewritten.append([
        Int(sqlite3_column_int(statement, 0)), Int(sqlite3_column_int(statement, 1)),
      ])
    }
    sqlite3_finalize(statement)
    let firstStages = Dictionary(
      forget.map { (oracle.assignment.place($0).shard, oracle.assignment.place($0).slice) },
      uniquingKeysWith: min)
    let expected = (0..<Self.sisa.shards).flatMap { k -> [[Int]] in
      guard let from = method == "retrain" ? 0 : firstStages[k] else { return [] }
      return (from..<Self.sisa.slices).map { [k, $0] }
    }
    #expect(rewritten.sorted { $0.lexicographicallyPrecedes($1) } == expected)
    #expect(try store.verifyLog().isEmpty)
  }

  @Test func refusedRequestsChangeNothing() throws {
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = try Store.create(
      at: dir, data: Self.data, configuration: Self.mlp, sisa: Self.sisa, classNames: nil)
    let before = Self.files(dir).filter { !$0.key.hasPrefix("expunge.sqlite") }
    let requestsBefore = try store.requests()
    #expect(throws: StoreError.refused(.unknownIDs(first: [SampleID(999)], count: 1))) {
      try store.forget([SampleID(1), SampleID(999)], method: .sisa)
    }
    #expect(throws: StoreError.refused(.emptyRequest)) {
      try store.forget([], method: .sisa)
    }
    #expect(throws: StoreError.refused(.noSuchClass(label: 7, classCount: 3))) {
      try store.activeIDs(label: 7)
    }
    #expect(Self.files(dir).filter { !$0.key.hasPrefix("expunge.sqlite") } == before)
    #expect(try store.requests() == requestsBefore)
  }

  @Test func aSecondOpenWaitsForTheLockAndRepeatsAreIdempotent() throws {
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = try Store.create(
      at: dir, data: Self.data, configuration: Self.softmaxConfiguration, sisa: Self.sisa,
      classNames: nil)
    #expect {
      try Store.open(dir)
    } throws: { error in
      guard case StoreError.locked = error else { return false }
      return true
    }
    try store.forget([SampleID(5)], method: .sisa)
    let again = try store.forget([SampleID(5), SampleID(6)], method: .sisa)
    #expect(again.removed == 1 && again.alreadyForgotten == 1)
    let noop = try store.forget([SampleID(5)], method: .sisa)
    #expect(noop.removed == 0 && noop.version == again.version && noop.shards == [])
    #expect(try store.requests().count == 3)
    #expect(try store.verifyLog().isEmpty)
  }

  static var softmaxConfiguration: ModelConfiguration {
    var c = SoftmaxRegressionConfig()
    c.l2 = 1e-2
    c.solver = .lbfgs
    return ModelConfiguration(c)
  }

  /// Edits the ledger of the store at `directory` behind the store's back.
  static func sqlite(_ directory: URL, _ sql: String) {
    var db: OpaquePointer?
    #expect(sqlite3_open(directory.appendingPathComponent("expunge.sqlite").path, &db) == SQLITE_OK)
    #expect(sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK, "\(sql)")
    sqlite3_close(db)
  }

  /// The numeric environment is recorded wherever weights are computed — the store's
  /// creation, each shard's training, each request (inside its hash) — and in every model
  /// and checkpoint file.
  @Test func theLedgerAndTheModelsRecordTheNumericEnvironment() throws {
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
      let store = try Store.create(
        at: dir, data: Self.data, configuration: Self.softmaxConfiguration, sisa: Self.sisa,
        classNames: nil)
      try store.forget([SampleID(10)], method: .sisa)
    }
    do {
      let store = try Store.open(dir)
      #expect(
        try store.recordedEnvironments() == [
          EnvironmentRecord(environment: .current, store: true, shards: [0, 1, 2], requests: [1])
        ])
      #expect(try store.requests().map(\.environment) == [.current])
      for k in 0..<3 {
        for path in ["models/v2/shard-\(k)", "checkpoints/shard-\(k)/stage-1"] {
          let metadata = try ModelDirectory.metadata(of: dir.appendingPathComponent(path))
          #expect(metadata.environment == .current, "\(path)")
          #expect(metadata.expungeVersion == NumericEnvironment.expungeVersion)
        }
      }
    }
    // The request's environment is covered by its hash.
    Self.sqlite(
      dir,
      "UPDATE requests SET environment = replace(environment, '\(NumericEnvironment.current.blasKernels)', 'Elsewhere') WHERE seq = 1"
    )
    let edited = try Store.open(dir)
    #expect(try edited.verifyLog() == ["request 1: its fields do not match its hash (edited)"])
    #expect(try edited.recordedEnvironments().map(\.requests) == [[], [1]])
    edited.close()
    // A row moved to another shard in the ledger no longer matches where its id is placed.
    Self.sqlite(dir, "UPDATE samples SET shard = (shard + 1) % 3 WHERE id = 10")
    #expect(
      try Store.open(dir).verifyLog().last
        == "1 row(s) recorded in a shard or slice their id does not place them in (first: id 10)")
  }

  /// A store written before Expunge recorded environments (no setting, no columns) opens,
  /// records none, and records them from its next request on.
  @Test func aStoreFromBeforeEnvironmentsWereRecordedStillOpens() throws {
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
      _ = try Store.create(
        at: dir, data: Self.data, configuration: Self.softmaxConfiguration, sisa: Self.sisa,
        classNames: nil)
    }
    Self.sqlite(
      dir,
      """
      DELETE FROM settings WHERE key = 'environment';
      ALTER TABLE shards DROP COLUMN environment;
      ALTER TABLE requests DROP COLUMN environment;
      """)
    let store = try Store.open(dir)
    #expect(try store.recordedEnvironments().isEmpty)
    try store.forget([SampleID(10)], method: .sisa)
    #expect(
      try store.recordedEnvironments() == [
        EnvironmentRecord(environment: .current, store: false, shards: [], requests: [1])
      ])
    #expect(try store.verifyLog().isEmpty)
  }

  @Test func theHashChainCatchesAnEditedOrDeletedRecord() throws {
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
      let store = try Store.create(
        at: dir, data: Self.data, configuration: Self.softmaxConfiguration, sisa: Self.sisa,
        classNames: nil)
      for id in [10, 20, 30] { try store.forget([SampleID(UInt64(id))], method: .sisa) }
      #expect(try store.verifyLog().isEmpty)
    }
    /// Edits the ledger behind the store's back, as a tamperer would.
    func sqlite(_ sql: String) throws {
      var db: OpaquePointer?
      #expect(sqlite3_open(dir.appendingPathComponent("expunge.sqlite").path, &db) == SQLITE_OK)
      #expect(sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK)
      sqlite3_close(db)
    }
    try sqlite("UPDATE requests SET ids = '11' WHERE seq = 1")
    #expect(
      try Store.open(dir).verifyLog() == ["request 1: its fields do not match its hash (edited)"])
    try sqlite("UPDATE requests SET ids = '10' WHERE seq = 1")
    try sqlite("DELETE FROM requests WHERE seq = 2")
    #expect(
      try Store.open(dir).verifyLog()
        == ["request 3: does not follow the request before it (one was removed or inserted)"])
  }
}
