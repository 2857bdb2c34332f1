import ExpungeCore
import ExpungeData
import ExpungeModels

/// MIA-efficacy as SalUn (Fan et al., ICLR 2024) reports it: train a membership classifier on
/// the true-class confidence of retain rows (members) vs test rows (non-members), apply it
/// to the forget rows, and report the fraction predicted **non-member** — higher means the
/// forget set looks less like training data. SalUn's classifier is an RBF SVM; on one
/// feature any classifier is a threshold rule, so this uses L2-regularized logistic
/// regression (Newton, to 1e-8) on the confidence, with the retain rows subsampled (seeded)
/// to the test set's size so the classes are balanced.
public enum MIAEfficacy {
  public static func compute(
    _ model: AuditedModel, retain: Dataset, test: Dataset, forget: Dataset, seed: UInt64 = 0
  ) throws -> Double {
    var rng = SeededGenerator(seed: seed).derived("mia-efficacy")
    let balanced =
      retain.count > test.count
      ? retain.subset(rng.choice(retain.count, test.count).sorted()) : retain
    func confidence(_ data: Dataset) -> [Float] {
      MembershipSignal.confidence.scores(
        model.posteriors(data.features), labels: data.labels
      )
      .map(Float.init)
    }
    let features = confidence(balanced) + confidence(test)
    let labels =
      [Int32](repeating: 1, count: balanced.count) + [Int32](repeating: 0, count: test.count)
    let training = Dataset(
      ids: (0..<labels.count).map { SampleID(UInt64($0)) },
      features: Matrix(rows: labels.count, cols: 1, storage: features), labels: labels,
      classCount: 2, source: "mia-efficacy")
    var config = LogisticRegressionConfig()
    config.l2 = 1e-6
    config.tolerance = 1e-8
    let attack = try LogisticRegression.fit(training, config: config)
    let forgetScores = confidence(forget)
    let predicted = attack.predict(Matrix(rows: forgetScores.count, cols: 1, storage: forgetScores))
    return Double(predicted.filter { $0 == 0 }.count) / Double(max(forget.count, 1))
  }
}
