import Expunge
import Foundation

// 600 rows of a synthetic 3-class problem: 480 to train on, 120 held out.
let rows = try DatasetCatalog.load("synthetic:n=600,d=8,classes=3,seed=1,sep=1.5")
let training = rows.subset(0..<480)
let test = rows.subset(480..<600)

// A SISA store: 4 shards of 2 slices each, a softmax regression per shard.
let directory = FileManager.default.temporaryDirectory
  .appendingPathComponent("expunge-library-user-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: directory) }
let store = try Store.create(
  at: directory, data: training, configuration: ModelConfiguration(SoftmaxRegressionConfig()),
  sisa: SISAConfig(shards: 4, slices: 2), classNames: nil)
defer { store.close() }
print("version \(try store.currentVersion()): test accuracy", try store.model().accuracy(on: test))

// Forget 12 rows: only the shards that saw them retrain, from their last clean checkpoint.
let request = try store.forget(Array(training.ids.prefix(12)), method: .sisa)
print(
  "request #\(request.seq) forgot \(request.ids.count) rows in version \(request.version)")

// Audit the new version against the oracle (the same recipe on the kept rows).
let subject = try AuditSubject.store(store, trainingData: training)
let result = try Audit.run(
  subject, test: test,
  options: AuditOptions(attacks: [.lossThreshold, .shadow], referenceModels: 2))
for model in result.report.models {
  let (ua, ra, ta) = (
    model.unlearningAccuracy, model.metrics.retain.accuracy, model.metrics.test.accuracy
  )
  print(model.name, "UA", ua, "RA", ra, "TA", ta)
}
print("verdict:", result.report.verdict?.summary ?? "-")
