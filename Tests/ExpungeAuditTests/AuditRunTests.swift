import ExpungeAudit
import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation
import Testing

/// `Audit.run` on a model and the ids it should have forgotten, without a store or the CLI.
@Suite("Audit.run on a model")
struct AuditRunTests {
  static let rows = try! DatasetCatalog.load("synthetic:n=400,d=6,classes=3,seed=4,sep=1.2")
  static let training = rows.subset(0..<300)
  static let test = rows.subset(300..<400)
  static let forgotten = Set(training.ids.prefix(15))
  static let configuration = ModelConfiguration(SoftmaxRegressionConfig())
  static let options = AuditOptions(attacks: [.lossThreshold, .shadow], referenceModels: 2)

  /// A model retrained without the rows is what the audit's oracle is: same recipe, same
  /// rows, so every number of the two agrees and the distance between them is zero. A model
  /// that kept the rows is the original instead.
  @Test func exactRetrainingIsTheOracleAndKeepingTheRowsIsTheOriginal() throws {
    let retrained = try Self.configuration.fit(Self.training.removing(ids: Self.forgotten))
    let subject = try AuditSubject.model(
      PreprocessedClassifier(retrained), forgotten: Self.forgotten, trainingData: Self.training)
    let report = try Audit.run(subject, test: Self.test, options: Self.options).report
    #expect(report.models.map(\.name) == ["original", "unlearned", "oracle"])
    #expect(report.forgottenRows == 15 && report.retainedRows == 285 && report.testRows == 100)
    let (unlearned, oracle) = (report.models[1], report.models[2])
    #expect(unlearned.metrics == oracle.metrics)
    #expect(unlearned.attacks.map(\.auc) == oracle.attacks.map(\.auc))
    #expect(report.oracleComparison?.parameterDistance == 0)
    #expect(report.oracleComparison?.averageGap == 0)
    // No method to replay: no ε-score, and the report says why.
    #expect(report.epsilonScore == nil)
    #expect(report.notes.contains { $0.contains("no epsilon-score") })

    let kept = try Self.configuration.fit(Self.training)
    let notForgotten = try Audit.run(
      AuditSubject.model(
        PreprocessedClassifier(kept), forgotten: Self.forgotten, trainingData: Self.training),
      test: Self.test, options: Self.options
    ).report
    #expect(notForgotten.models[1].metrics == notForgotten.models[0].metrics)
    #expect((notForgotten.oracleComparison?.parameterDistance ?? 0) > 0)
  }

  @Test func badInputIsATypedError() throws {
    let model = PreprocessedClassifier(try Self.configuration.fit(Self.training))
    var missing = Self.forgotten
    missing.insert(SampleID(999_999))
    #expect(
      throws: AuditError.forgottenRowsMissing(
        source: Self.training.source, found: 15, expected: 16)
    ) {
      try AuditSubject.model(model, forgotten: missing, trainingData: Self.training)
    }
    let subject = try AuditSubject.model(
      model, forgotten: Self.forgotten, trainingData: Self.training)
    let narrow = Dataset(
      ids: Self.test.ids, features: Matrix(rows: Self.test.count, cols: 2, repeating: 0),
      labels: Self.test.labels, classCount: 3, source: "narrow.csv")
    #expect(throws: DataError.self) { try Audit.run(subject, test: narrow) }
    #expect(throws: AuditError.self) {
      try Audit.run(subject, test: Self.test, options: AuditOptions(referenceModels: 1))
    }
  }
}
