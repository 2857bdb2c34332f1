import CSQLite
import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeStore
import ExpungeUnlearning
import Foundation
import Testing

/// A registered model-update method (`finetune`) run by a store through the generic path:
/// the same bits as the in-memory ensemble's (the audit's replay), its settings and reports
/// in the hash chain, refusals that change nothing.
@Suite("Store: model-update methods")
struct ModelUpdateStoreTests {
  static let data = try! DatasetCatalog.load("synthetic:n=240,d=6,classes=3,seed=4,sep=1.5")

  static var mlp: ModelConfiguration {
    var c = MLPConfig()
    (c.hidden, c.epochs, c.batchSize, c.learningRate, c.seed) = ([8], 4, 16, 1e-2, 3)
    return ModelConfiguration(c)
  }

  static func scratch(_ name: String = #function) -> URL {
    FileManager.default.temporaryDirectory
      .appendingPathComponent("expunge-update-\(name.filter(\.isLetter))-\(UUID().uuidString)")
  }

  static func bits(_ models: [any Classifier]) -> [[UInt32]] {
    models.map { $0.tensors.parameters.values.map(\.bitPattern) }
  }

  @Test func finetuneOnDiskEqualsInMemoryAndIsRecordedInTheChain() throws {
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let sisa = SISAConfig(shards: 2, slices: 1)
    let store = try Store.create(
      at: dir, data: Self.data, configuration: Self.mlp, sisa: sisa, classNames: nil)
    let method = try FineTuneMethod(
      settings: {
        var s = FineTuneMethod.Settings(); s.epochs = 2; return s
      }())
    let forgotten = Array(Self.data.ids.prefix(9))
    let before = Self.bits(try store.shardModels())
    let request = try store.forget(forgotten, method: ForgetMethod(method))

    var ensemble = try SISAEnsemble.fit(Self.data, configuration: Self.mlp, sisa: sisa)
    let reports = try ensemble.forget(Set(forgotten), using: method, request: request.seq)
    let after = Self.bits(try store.shardModels())
    #expect(after == Self.bits(ensemble.shardModels))
    #expect(after != before)

    // The ledger: the method, its guarantee, the effective settings and each affected
    // shard's report, all under the hash.
    let record = try #require(request.update)
    #expect(request.method == "finetune" && record.guarantee == .approximate)
    #expect(record.settings == method.settingsJSON)
    #expect(record.shards?.map(\.shard) == reports.keys.sorted())
    #expect(try store.verifyLog().isEmpty)
    // No row of the request is left in the store.
    #expect(Set(try store.rows().ids).isDisjoint(with: forgotten))
  }

  @Test func editingTheRecordedReportBreaksTheChain() throws {
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
      let store = try Store.create(
        at: dir, data: Self.data, configuration: Self.mlp, sisa: SISAConfig(shards: 2, slices: 1),
        classNames: nil)
      try store.forget([Self.data.ids[0]], method: ForgetMethod(try FineTuneMethod()))
    }
    var db: OpaquePointer?
    #expect(sqlite3_open(dir.appendingPathComponent("expunge.sqlite").path, &db) == SQLITE_OK)
    #expect(
      sqlite3_exec(
        db,
        "UPDATE requests SET update_record = replace(update_record, '\"epochs\":5', '\"epochs\":1')",
        nil, nil, nil) == SQLITE_OK)
    sqlite3_close(db)
    let problems = try Store.open(dir).verifyLog()
    #expect(problems.contains { $0.contains("request 1") && $0.contains("edited") })
  }

  @Test func refusalsChangeNothing() throws {
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    var softmax = SoftmaxRegressionConfig()
    softmax.l2 = 1e-2
    let convex = try Store.create(
      at: dir, data: Self.data, configuration: ModelConfiguration(softmax),
      sisa: SISAConfig(shards: 1, slices: 1), classNames: nil)
    #expect {
      try convex.forget([Self.data.ids[1]], method: ForgetMethod(try FineTuneMethod()))
    } throws: { "\($0)".contains("solved to an optimum") }
    #expect(try convex.requests().isEmpty)

    let sliced = Self.scratch("sliced")
    defer { try? FileManager.default.removeItem(at: sliced) }
    let store = try Store.create(
      at: sliced, data: Self.data, configuration: Self.mlp, sisa: SISAConfig(shards: 2, slices: 2),
      classNames: nil)
    #expect {
      try store.forget([Self.data.ids[1]], method: ForgetMethod(try FineTuneMethod()))
    } throws: { "\($0)".contains("slices") }
    #expect(try store.requests().isEmpty)
    // Settings a method does not have, or out of range, are refused before anything.
    #expect(throws: UnlearningError.self) {
      try ForgetMethod(FineTuneMethod.self, settings: .object(["epoch": .number(2)])).updateMethod()
    }
    #expect(throws: UnlearningError.self) {
      try ForgetMethod(FineTuneMethod.self, settings: .object(["epochs": .number(0)]))
        .updateMethod()
    }
  }
}
