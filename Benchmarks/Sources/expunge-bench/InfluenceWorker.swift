import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation

/// Label unlearning on Fashion-MNIST (issue #5, Warnecke et al.): trains logistic regression
/// (`--classes 0,6`) or softmax (`all`) with λ = `--l2`, relabels a seeded `--fraction` of
/// the training rows to another class (a mislabelled batch to correct), and times the first-
/// and second-order influence updates against retraining on the corrected rows from scratch
/// to the same tolerance. Reports each update's parameter distance to the retrained model
/// relative to the unchanged model's, and test accuracies.
enum InfluenceWorker {
  static func run(_ options: Options) throws -> [String: Any] {
    let classes = options.string("classes", "0,6")
    let (train, test) = try Workers.fashionMNIST(classes: classes)
    let l2 = options.double("l2", 1e-3)
    let tolerance = options.double("tol", 1e-6)
    let configuration: ModelConfiguration
    if train.classCount == 2 {
      var c = LogisticRegressionConfig()
      (c.l2, c.tolerance) = (l2, tolerance)
      configuration = ModelConfiguration(c)
    } else {
      var c = SoftmaxRegressionConfig()
      (c.l2, c.tolerance) = (l2, tolerance)
      configuration = ModelConfiguration(c)
    }
    let model = try configuration.fit(train)
    var rng = SeededGenerator(seed: UInt64(options.int("seed", 0))).derived("influence-bench")
    let rows = rng.choice(train.count, Int(Double(train.count) * options.double("fraction", 0.01)))
    let k = Int32(train.classCount)
    let changes = RowChanges(
      relabel: rows.map {
        .init(id: train.ids[$0], label: (train.labels[$0] + 1 + Int32($0) % (k - 1)) % k)
      })
    let (corrected, changed) = try changes.apply(to: train)
    let retrainClock = Date()
    let retrained = try configuration.fit(corrected)
    let retrainSeconds = Date().timeIntervalSince(retrainClock)
    func distance(_ a: any Classifier) -> Double {
      zip(a.tensors.parameters.values, retrained.tensors.parameters.values).reduce(0.0) {
        $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1)
      }.squareRoot()
    }
    var result: [String: Any] = [
      "work": "influence-\(classes == "all" ? "softmax" : "logistic")", "rows": train.count,
      "relabelled": changed.count, "retrain_seconds": retrainSeconds,
      "distance_unchanged": distance(model),
      "test_accuracy_before": model.accuracy(test.features, labels: test.labels),
      "test_accuracy_retrained": retrained.accuracy(test.features, labels: test.labels),
    ]
    // First order at each τ of `--taus` (the paper tunes τ; the best is reported with all).
    let taus = options.string("taus", "1,3,10,30").split(separator: ",").compactMap {
      Double($0)
    }
    let orders =
      taus.map { ("first-tau-\($0)", InfluenceOrder.first(tau: $0)) } + [("second", .second)]
    for (name, order) in orders {
      let clock = Date()
      let (updated, report) = try InfluenceUpdate.apply(
        to: model, changes: changed, training: corrected, order: order)
      result["\(name)_seconds"] = Date().timeIntervalSince(clock)
      result["\(name)_distance_ratio"] = distance(updated) / distance(model)
      result["\(name)_test_accuracy"] = updated.accuracy(test.features, labels: test.labels)
      if let iterations = report.cgIterations { result["\(name)_cg_iterations"] = iterations }
      if order == .second { result["second_hessian_solve"] = report.hessianSolve }
    }
    return result
  }
}
