import Expunge
import Foundation
import Testing

/// What a Swift user of `import Expunge` relies on: one import, one classifier vocabulary
/// for single models, ensembles and stores, typed errors with sentences, the solver's word.
@Suite("Library users")
struct LibraryUserTests {
  static let data = try! DatasetCatalog.load("synthetic:n=240,d=5,classes=3,seed=6,sep=1.5")
  /// The same rows one feature short.
  static let narrow = Dataset(
    ids: data.ids,
    features: Matrix(
      rows: data.count, cols: 4,
      storage: Array(
        (0..<data.count).flatMap { data.features.row($0).prefix(4) })),
    labels: data.labels, classCount: data.classCount, source: "narrow")

  static var softmax: ModelConfiguration { ModelConfiguration(SoftmaxRegressionConfig()) }

  /// Every predictor — a fitted model, a SISA ensemble, a store's current version — refuses
  /// rows of the wrong width with a typed error naming both widths, and agrees with itself.
  @Test func everyPredictorRefusesTheWrongWidthWithATypedError() throws {
    let model = try Self.softmax.fit(Self.data)
    let ensemble = try SISAEnsemble.fit(
      Self.data, configuration: Self.softmax, sisa: SISAConfig(shards: 3, slices: 1))
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("expunge-library-user-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try Store.create(
      at: directory, data: Self.data, configuration: Self.softmax,
      sisa: SISAConfig(shards: 3, slices: 1), classNames: nil)
    defer { store.close() }
    let predictors: [any Predictor] = [model, ensemble, try store.model()]
    for predictor in predictors {
      #expect(
        throws: ModelError.featureCountMismatch(
          model: String(describing: type(of: predictor)), expected: 5, found: 4)
      ) { try predictor.accuracy(on: Self.narrow) }
      #expect(throws: ModelError.self) { try predictor.predict(Self.narrow) }
      let accuracy = try predictor.accuracy(on: Self.data)
      let predicted = try predictor.predict(Self.data)
      let correct = zip(predicted, Self.data.labels).filter { $0 == $1 }.count
      #expect(accuracy == Double(correct) / Double(Self.data.count))
      #expect(accuracy > 0.6, "\(type(of: predictor)): \(accuracy)")
    }
    // The store's version predicts as the ensemble trained from the same rows and seed.
    #expect(try store.model().predict(Self.data) == ensemble.predict(Self.data.features))
  }

  @Test func errorsReadAsSentencesThroughFoundation() {
    let errors: [any Error] = [
      ModelError.featureCountMismatch(model: "MLP", expected: 5, found: 4),
      DataError.invalid("rows.csv: bad"), StoreError.exists(path: "/tmp/s"),
      UnlearningError.emptyRequest, CoreError.singular(order: 3),
      AuditError.noSuchRequest(store: "/s", request: 3),
    ]
    for error in errors {
      #expect(error.localizedDescription == String(describing: error))
      #expect(!error.localizedDescription.contains("operation couldn"))
    }
  }

  /// A solver that stops at its cap says so through the model.
  @Test func anUnconvergedSolverSaysSo() throws {
    var capped = SoftmaxRegressionConfig()
    capped.maxIterations = 2
    let model: any Classifier = try ModelConfiguration(capped).fit(Self.data)
    let report = try #require(model.solverReport)
    #expect(!report.converged && report.stop == .iterationLimit)
    #expect(report.description.contains("not converged"), "\(report)")
    let converged: any Classifier = try Self.softmax.fit(Self.data)
    #expect(converged.solverReport?.converged == true)
    var mlp = MLPConfig()
    mlp.hidden = [4]
    mlp.epochs = 1
    #expect(try ModelConfiguration(mlp).fit(Self.data).solverReport == nil)
  }

  @Test func theVersionIsTheOneModelsRecord() {
    #expect(ExpungeVersion.current == NumericEnvironment.current.expungeVersion)
    #expect(ExpungeVersion.current.split(separator: ".").count == 3)
  }
}
