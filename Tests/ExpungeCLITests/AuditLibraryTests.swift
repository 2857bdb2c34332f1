import ExpungeAudit
import ExpungeData
import ExpungeStore
import Foundation
import Testing

/// `expunge audit` is `Audit.run` plus argument parsing and printing: the library, called on
/// the same store with the same data, reports the same numbers.
@Suite("Audit through the library")
struct AuditLibraryTests {
  /// The report as JSON objects, without its wall times.
  static func numbers(_ json: Data) throws -> NSDictionary {
    var object = try #require(JSONSerialization.jsonObject(with: json) as? [String: Any])
    object["timings"] = nil
    object["seconds"] = nil
    return object as NSDictionary
  }

  @Test func theLibraryReportsWhatTheCommandPrints() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let csv = try StoreCommandTests.csv(in: dir, name: "rows.csv")
    let storeURL = dir.appendingPathComponent("s")
    StoreCommandTests.train(csv, store: storeURL)
    #expect(expunge("forget", "--store", storeURL.path, "--ids", "1003,1050,1100").status == 0)
    #expect(expunge("forget", "--store", storeURL.path, "--ids", "1200,1201").status == 0)
    let cli = expunge(
      "audit", "--store", storeURL.path, "--data", csv, "--id-column", "id", "--test", csv,
      "--attacks", "loss-threshold,shadow,epsilon-score", "--reference-models", "2", "--json")
    #expect(cli.status == 0, "\(cli.err)")

    var options = LoadOptions()
    options.idColumn = .name("id")
    let data = try CSVLoader.load(csv, options: options)
    let store = try Store.open(storeURL)
    defer { store.close() }
    let subject = try AuditSubject.store(store, trainingData: data)
    let result = try Audit.run(
      subject, test: data,
      options: AuditOptions(attacks: [.lossThreshold, .shadow, .epsilonScore], referenceModels: 2))
    #expect(result.report.forgottenRows == 5)
    #expect(result.report.models.map(\.name) == ["original", "unlearned", "oracle"])
    #expect(result.report.epsilonScore != nil)

    let encoder = JSONEncoder()
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let library = try Self.numbers(encoder.encode(result.report))
    let command = try Self.numbers(Data(cli.out.utf8))
    #expect(library.isEqual(to: command as! [AnyHashable: Any]))
  }

  /// A request the ledger lacks, and data without the forgotten rows, are typed errors.
  @Test func badSubjectsAreTypedErrors() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let csv = try StoreCommandTests.csv(in: dir, name: "rows.csv")
    let storeURL = dir.appendingPathComponent("s")
    StoreCommandTests.train(csv, store: storeURL)
    #expect(expunge("forget", "--store", storeURL.path, "--ids", "1003,1250").status == 0)
    var options = LoadOptions()
    options.idColumn = .name("id")
    let data = try CSVLoader.load(csv, options: options)
    let store = try Store.open(storeURL)
    defer { store.close() }
    #expect(throws: AuditError.noSuchRequest(store: storeURL.path, request: 4)) {
      try AuditSubject.store(store, trainingData: data, request: 4)
    }
    let firstRows = data.subset(Array(0..<100))
    #expect(
      throws: AuditError.forgottenRowsMissing(source: data.source, found: 1, expected: 2)
    ) {
      try AuditSubject.store(store, trainingData: firstRows)
    }
    let options2 = AuditOptions(referenceModels: 1)
    #expect(throws: AuditError.self) { try options2.validate() }
  }
}
