import ExpungeCore
import ExpungeData
import Foundation

/// Runs an audit: what a model still knows about the rows it forgot.
///
/// Compares three models: the original (the recipe on every training row), the model under
/// audit, and the oracle (the recipe on the kept rows, same seed). For each: UA, RA, TA,
/// per-class accuracy, mean loss, MIA-efficacy, and the membership-inference attacks of
/// `options` — the forgotten rows against as many held-out rows. `expunge audit` is this
/// call plus argument parsing and printing.
public enum Audit {
  /// Audits `subject` against the held-out rows `test` (with the subject's class selection
  /// applied, if it has one).
  /// - Parameters:
  ///   - progress: receives (reference models trained, reference models to train): first
  ///     (0, total) when they start, if there are any.
  /// - Returns: the report (`AuditResult.report`, what `expunge audit --json` prints) and
  ///   what the HTML page needs.
  /// - Throws: `AuditError.invalidOption`, `DataError.widthMismatch` for test rows of the
  ///   wrong width, training errors of the recipe.
  /// - Complexity: trains up to 2 + (shadow ? K : 0) + (LiRA ? K : 0) + (ε-score ? 2K : 0)
  ///   models by the subject's recipe.
  public static func run(
    _ subject: AuditSubject, test: Dataset, options: AuditOptions = AuditOptions(),
    progress: ((_ completed: Int, _ total: Int) -> Void)? = nil
  ) throws -> AuditResult {
    try options.validate()
    let started = Date()
    let seed = options.seed
    let attacks = AuditAttack.allCases.filter(options.attacks.contains)
    var subject = subject
    var test = test
    try test.requireWidth(subject.featureCount, expectedBy: "the audited model")
    test.classCount = subject.classCount
    let (forget, retain) = (subject.forget, subject.retain)
    if forget.isEmpty {
      subject.notes.append(
        "nothing has been forgotten yet: the forget-set metrics and attacks are empty")
    }

    var timings: [String: Double] = [:]
    func timed<T>(_ stage: String, _ work: () throws -> T) rethrows -> T {
      let clock = Date()
      defer { timings[stage, default: 0] += Date().timeIntervalSince(clock) }
      return try work()
    }
    var audited = [subject.unlearned]
    if options.original && !forget.isEmpty {
      var original = try timed("original") { try subject.train(subject.training, nil) }
      original.name = "original"
      audited.insert(original, at: 0)
    }
    if options.oracle {
      var oracle = try timed("oracle") { try subject.trainRetained(nil) }
      oracle.name = "oracle"
      audited.append(oracle)
    }

    // Non-members: half the test rows calibrate thresholds (against as many kept rows) and
    // train the shadow models; the other half are judged against the forgotten rows.
    var rng = SeededGenerator(seed: seed).derived("audit")
    let order = rng.permutation(test.count)
    let calibrationRows = Array(order.prefix(test.count / 2).sorted())
    let judgedRows = Array(order.dropFirst(test.count / 2).prefix(max(forget.count, 1)).sorted())
    let memberRows = rng.choice(retain.count, min(retain.count, calibrationRows.count)).sorted()
    let calibration = test.subset(calibrationRows)
    let judged = test.subset(judgedRows)
    let members = retain.subset(memberRows)

    // Metrics and attacks ask each model about the same row sets (or rows of them): each
    // model answers about each set once.
    let subsets = [
      RowSubset(whole: test.features, rows: calibrationRows, part: calibration.features),
      RowSubset(whole: test.features, rows: judgedRows, part: judged.features),
      RowSubset(whole: retain.features, rows: memberRows, part: members.features),
    ]
    audited = audited.map { $0.remembering(subsets: subsets) }
    var reports: [AuditReport.Model] = []
    for model in audited {
      let metrics = UnlearningMetrics(model, forget: forget, retain: retain, test: test)
      var results: [AttackResult] = []
      if !forget.isEmpty {
        results = timed("threshold attacks") {
          ThresholdAttack.run(
            attacks.compactMap(\.signal), model, retain: (members.features, members.labels),
            calibration: (calibration.features, calibration.labels),
            forget: (forget.features, forget.labels), test: (judged.features, judged.labels))
        }
      }
      let efficacy =
        forget.isEmpty
        ? 0
        : try timed("mia-efficacy") {
          try MIAEfficacy.compute(
            model, retain: members, test: calibration, forget: forget, seed: seed)
        }
      reports.append(
        AuditReport.Model(
          name: model.name, metrics: metrics, unlearningAccuracy: metrics.unlearningAccuracy,
          attacks: results, miaEfficacy: efficacy))
    }

    // The attacks with reference models: trained once, applied to every audited model.
    var epsilonScore: EpsilonScore?
    if !forget.isEmpty {
      let k = options.referenceModels
      let epsilonRuns =
        attacks.contains(.epsilonScore) && subject.trainAndUnlearn != nil ? k : 0
      let total =
        (attacks.contains(.shadow) ? k : 0)
        + (attacks.contains { $0.liraVariant != nil } ? k : 0) + 2 * epsilonRuns
      var done = 0
      if total > 0 { progress?(0, total) }
      let tick = {
        done += 1
        progress?(done, total)
      }
      if attacks.contains(.shadow) {
        let shadow = try timed(AuditAttack.shadow.rawValue) {
          try ShadowModelAttack.train(
            heldOut: calibration, models: k, seed: seed, train: subject.train, progress: tick)
        }
        for i in reports.indices {
          reports[i].attacks.append(
            timed(AuditAttack.shadow.rawValue) {
              shadow.run(audited[i], forget: forget, test: judged)
            })
        }
      }
      let variants = attacks.compactMap(\.liraVariant)
      if !variants.isEmpty {
        let stage = variants.map(\.name).joined(separator: "+")
        let references = try timed(stage) {
          try LiRAReferences.train(
            retain: retain, forget: forget, nonMembers: judged, models: k, seed: seed,
            train: subject.train, progress: tick)
        }
        for i in reports.indices {
          for variant in variants {
            reports[i].attacks.append(
              timed(stage) { references.run(variant, target: audited[i], seed: seed) })
          }
        }
      }
      if epsilonRuns > 0, let unlearn = subject.trainAndUnlearn {
        let retrain = subject.trainRetained
        epsilonScore = try timed(AuditAttack.epsilonScore.rawValue) {
          try EpsilonScore.measure(
            forget: forget, models: k, seed: seed, unlearn: unlearn,
            retrain: { try retrain($0) }, progress: tick)
        }
      }
    }

    var comparison: OracleComparison?
    if let oracle = audited.last, oracle.name == "oracle", !forget.isEmpty,
      let u = reports.first(where: { $0.name == "unlearned" }), let o = reports.last
    {
      comparison = OracleComparison(
        unlearned: subject.unlearned, oracle: oracle, unlearnedMetrics: u.metrics,
        oracleMetrics: o.metrics, unlearnedMIAEfficacy: u.miaEfficacy,
        oracleMIAEfficacy: o.miaEfficacy, forget: forget, test: test)
    }
    let report = AuditReport(
      subject: subject.title,
      configuration: AuditReport.Configuration(
        attacks: attacks.map(\.rawValue), referenceModels: options.referenceModels, seed: seed,
        oracle: options.oracle ? "retrain" : "none", original: options.original),
      forgottenRows: forget.count, retainedRows: retain.count, testRows: test.count,
      unlearningSeconds: subject.unlearningSeconds, models: reports,
      oracleComparison: comparison,
      verdict: forget.isEmpty
        ? nil
        : AuditVerdict(
          unlearned: reports.first { $0.name == "unlearned" }!.attacks,
          oracle: comparison == nil ? nil : reports.last!.attacks,
          averageGap: comparison?.averageGap),
      epsilonScore: epsilonScore,
      backdoor: subject.backdoor.map {
        BackdoorVerification(backdoor: $0, models: audited, test: test)
      }, timings: timings,
      seconds: Date().timeIntervalSince(started), notes: subject.notes)
    return AuditResult(report: report, subject: subject, models: audited, test: test)
  }
}
