import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation

/// Certified removal on Fashion-MNIST (issue #5): trains a certified logistic model (binary
/// `--classes 0,6`, or one-vs-rest over `all`), then removes `--removals` rows one at a time
/// and times each removal; also retrains on the kept rows to the same tolerance.
/// The peer is `peers/certified_torch.py`: the same objective with the Hessian rebuilt for
/// every removal (Guo et al.'s recipe).
enum CertifiedWorker {
  static func run(_ options: Options) throws -> [String: Any] {
    let classes = options.string("classes", "0,6")
    let (train, test) = try Workers.fashionMNIST(classes: classes)
    var config = CertifiedLogisticConfig()
    config.l2 = options.double("l2", 1e-3)
    config.sigma = options.double("sigma", 1)
    config.epsilon = options.double("epsilon", 1)
    config.delta = options.double("delta", 1e-4)
    config.tolerance = options.double("tol", config.tolerance)
    config.perturbationSeed = UInt64(options.int("seed", 0))
    let clock = Date()
    let model = try CertifiedLogisticRegression.fit(train, config: config)
    let trainSeconds = Date().timeIntervalSince(clock)
    let prepareClock = Date()
    var removal = try CertifiedRemoval(model: model, data: train)
    if let rule = CertifiedRemoval.RefreshRule(rawValue: options.string("refresh", "breakEven")) {
      removal.refreshRule = rule
    }
    let prepareSeconds = Date().timeIntervalSince(prepareClock)
    let trainResiduals = removal.residualBounds
    // The rows to remove: a seeded draw, the same ids the peer draws from its seed.
    var rng = SeededGenerator(seed: UInt64(options.int("seed", 0))).derived("certified-bench")
    let order = rng.permutation(train.count)
    let count = options.int("removals", 100)
    var times: [Double] = []
    var refreshes = 0
    var withinBudget: Int?
    for (i, position) in order.prefix(count).enumerated() {
      let start = Date()
      let report = try removal.remove([train.ids[position]])
      times.append(Date().timeIntervalSince(start) * 1e3)
      refreshes += report.refreshed.count
      if report.retrained && withinBudget == nil { withinBudget = i }
    }
    let retrainClock = Date()
    let retrained = try CertifiedLogisticRegression.fit(removal.data, config: removal.model.config)
    let retrainSeconds = Date().timeIntervalSince(retrainClock)
    let sorted = times.sorted()
    return [
      "work": "certified-\(classes == "all" ? "ovr" : "binary")", "rows": train.count,
      "train_seconds": trainSeconds, "train_iterations": model.solverReport?.iterations ?? 0,
      "train_evaluations": model.solverReport?.evaluations ?? 0,
      "train_residuals": trainResiduals, "tol": config.tolerance,
      "prepare_seconds": prepareSeconds, "refresh_rule": removal.refreshRule.rawValue,
      "retrain_seconds": retrainSeconds, "removals": count,
      "removal_ms_median": sorted[sorted.count / 2],
      "removal_ms_mean": times.reduce(0, +) / Double(times.count),
      "removal_ms_max": sorted.last!, "refreshes": refreshes, "retrains": removal.retrains,
      "removals_within_budget": withinBudget ?? count, "budget_exhausted": withinBudget != nil,
      "budget": removal.budget, "residual_bounds": removal.residualBounds,
      "test_accuracy_before": model.accuracy(test.features, labels: test.labels),
      "test_accuracy_after": removal.model.accuracy(test.features, labels: test.labels),
      "test_accuracy_retrained": retrained.accuracy(test.features, labels: test.labels),
      "seconds": times.reduce(0, +) / 1e3,
    ]
  }
}
