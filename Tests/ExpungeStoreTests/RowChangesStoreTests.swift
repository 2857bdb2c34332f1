import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeStore
import ExpungeUnlearning
import Foundation
import Testing

/// Correcting rows in a store: with `--method sisa` or `retrain` the model equals SISA
/// trained from scratch on the corrected data, bit for bit; the old values leave every file.
@Suite("Store: corrections")
struct RowChangesStoreTests {
  // The store tests' data, SISA layout and MLP.
  static var data: Dataset { StoreTests.data }
  static var sisa: SISAConfig { StoreTests.sisa }
  static var mlp: ModelConfiguration { StoreTests.mlp }

  static func scratch(_ name: String = #function) -> URL { StoreTests.scratch(name) }

  static let changes = RowChanges(
    relabel: [
      .init(id: SampleID(2), label: 0), .init(id: SampleID(150), label: 2),
      .init(id: SampleID(151), label: 1),
    ],
    zeroFeatures: [.init(id: SampleID(77), feature: 3), .init(id: SampleID(239), feature: 0)])

  @Test(arguments: [
    (changes, "sisa"), (changes, "retrain"), (RowChanges(zeroColumns: [1, 4]), "sisa"),
  ])
  func correctedStoreEqualsTrainingOnCorrectedData(changes: RowChanges, method: String) throws {
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = try Store.create(
      at: dir, data: Self.data, configuration: Self.mlp, sisa: Self.sisa, classNames: nil)
    let request = try store.change(changes, method: ForgetMethod(rawValue: method)!)
    #expect(request.state == "DONE" && request.version == 2 && request.changes?.changes == changes)
    let (corrected, changed) = changes.applied(to: Self.data)
    #expect(!changed.isEmpty)
    let oracle = try SISAEnsemble.fit(corrected, configuration: Self.mlp, sisa: Self.sisa)
    for (k, model) in try store.shardModels().enumerated() {
      #expect(
        model.tensors.parameters.values.map(\.bitPattern)
          == oracle.shardModels[k].tensors.parameters.values.map(\.bitPattern),
        "shard \(k) differs from SISA trained on the corrected data")
    }
    let rows = try store.rows()
    #expect(rows.labels == corrected.labels && rows.features == corrected.features)
    // The old values of each row whose features changed survive in no file.
    let files = StoreTests.files(dir)
    let d = Self.data.featureCount
    for i in changed
    where Self.data.features.storage[(i * d)..<((i + 1) * d)]
      != corrected.features.storage[(i * d)..<((i + 1) * d)]
    {
      let old = Array(Self.data.features.storage[(i * d)..<((i + 1) * d)]).withUnsafeBytes {
        Data($0)
      }
      let holders = files.filter { $0.value.range(of: old) != nil }.map(\.key)
      #expect(holders.isEmpty, "row \(Self.data.ids[i])'s old values still in \(holders)")
    }
    #expect(try store.verifyLog().isEmpty)
  }

  @Test func badCorrectionsAreRefusedAndChangeNothing() throws {
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = try Store.create(
      at: dir, data: Self.data, configuration: Self.mlp, sisa: Self.sisa, classNames: nil)
    _ = try store.forget([SampleID(5)], method: .sisa)
    let before = StoreTests.files(dir).filter { !$0.key.hasPrefix("expunge.sqlite") }
    let cases: [(RowChanges, ForgetMethod, String)] = [
      (
        RowChanges(relabel: [.init(id: SampleID(2), label: 3)]), .sisa,
        "class 3 does not exist (classes are 0…2)"
      ),
      (
        RowChanges(relabel: [.init(id: SampleID(9999), label: 1)]), .sisa,
        "id 9999 is not a training row"
      ),
      (
        RowChanges(relabel: [.init(id: SampleID(5), label: 1)]), .sisa,
        "id 5 was forgotten by request 1"
      ),
      (
        RowChanges(zeroFeatures: [.init(id: SampleID(2), feature: 5)]), .sisa,
        "feature 5 does not exist"
      ),
      (RowChanges(zeroColumns: [7]), .sisa, "feature 7 does not exist"),
      (
        RowChanges(relabel: [.init(id: SampleID(2), label: 1), .init(id: SampleID(2), label: 0)]),
        .sisa, "two labels"
      ),
      (
        RowChanges(relabel: [.init(id: SampleID(2), label: 1)]), .newton,
        "method newton removes rows"
      ),
      (RowChanges(relabel: [.init(id: SampleID(2), label: 1)]), .influence, "slices"),
    ]
    for (changes, method, message) in cases {
      #expect {
        try store.change(changes, method: method)
      } throws: { "\($0)".contains(message) }
    }
    #expect(try store.requests().count == 1)
    #expect(StoreTests.files(dir).filter { !$0.key.hasPrefix("expunge.sqlite") } == before)
  }

  static var softmax: ModelConfiguration {
    var c = SoftmaxRegressionConfig()
    c.l2 = 1e-1
    c.tolerance = 1e-7
    return ModelConfiguration(c)
  }

  static func distance(_ a: any Classifier, _ b: any Classifier) -> Double {
    zip(a.tensors.parameters.values, b.tensors.parameters.values).reduce(0.0) {
      $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1)
    }.squareRoot()
  }

  /// An influence update moves each affected shard model toward the model trained on the
  /// corrected rows (second order: over half the way), the ledger records each shard's update,
  /// and the store keeps only the new values.
  @Test(arguments: [2, 1])
  func influenceUpdateMovesTowardRetraining(order: Int) throws {
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let sisa = SISAConfig(shards: 2, slices: 1)
    let store = try Store.create(
      at: dir, data: Self.data, configuration: Self.softmax, sisa: sisa, classNames: nil)
    let before = try store.shardModels()
    var rng = SeededGenerator(seed: 3)
    let rows = rng.choice(Self.data.count, 12)
    let changes = RowChanges(
      relabel: rows.map {
        .init(id: Self.data.ids[$0], label: (Self.data.labels[$0] + 1) % 3)
      })
    let request = try store.change(
      changes, method: .influence, order: order, tau: order == 1 ? 1 : nil)
    let records = try #require(request.influence)
    #expect(records.map(\.changedRows).reduce(0, +) == 12)
    #expect(records.allSatisfy { $0.order == order && $0.parameterChange > 0 })
    let (corrected, _) = try changes.apply(to: Self.data)
    let oracle = try SISAEnsemble.fit(corrected, configuration: Self.softmax, sisa: sisa)
    for (k, model) in try store.shardModels().enumerated() {
      let moved = Self.distance(model, oracle.shardModels[k])
      let stayed = Self.distance(before[k], oracle.shardModels[k])
      #expect(moved < (order == 2 ? 0.5 : 1) * stayed, "shard \(k): \(moved) vs \(stayed)")
    }
    #expect(try store.rows().labels == corrected.labels)
    #expect(try store.verifyLog().isEmpty)
  }
}
