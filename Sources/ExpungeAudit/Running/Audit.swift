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
    let attacks = AuditAttack.allCases.filter(options.attacks.contains)
    var subject = subject
    var test = test
    try test.requireWidth(subject.featureCount, expectedBy: "the audited model")
    test.classCount = subject.classCount
    let forget = subject.forget
    if forget.isEmpty {
      subject.notes.append(
        "nothing has been forgotten yet: the forget-set metrics and attacks are empty")
    }

    var timer = StageTimer()
    let rows = AuditRows(
      test: test, retain: subject.retain, forgottenCount: forget.count, seed: options.seed)
    let audited = try comparedModels(subject, options: options, timer: &timer)
      .map { $0.remembering(subsets: rows.subsets) }
    var reports: [AuditReport.Model] = []
    for model in audited {
      reports.append(
        try measure(
          model, subject: subject, test: test, rows: rows, attacks: attacks, seed: options.seed,
          timer: &timer))
    }
    let epsilonScore =
      forget.isEmpty
      ? nil
      : try runReferenceAttacks(
        &reports, audited: audited, subject: subject, rows: rows, attacks: attacks,
        options: options, progress: progress, timer: &timer)

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
        attacks: attacks.map(\.rawValue), referenceModels: options.referenceModels,
        seed: options.seed, oracle: options.oracle ? "retrain" : "none",
        original: options.original),
      forgottenRows: forget.count, retainedRows: subject.retain.count, testRows: test.count,
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
      }, timings: timer.seconds,
      seconds: Date().timeIntervalSince(started), notes: subject.notes)
    return AuditResult(report: report, subject: subject, models: audited, test: test)
  }

  /// The original (unless skipped or nothing was forgotten), the model under audit, the
  /// oracle (unless skipped).
  private static func comparedModels(
    _ subject: AuditSubject, options: AuditOptions, timer: inout StageTimer
  ) throws -> [AuditedModel] {
    var audited = [subject.unlearned]
    if options.original && !subject.forget.isEmpty {
      var original = try timer.time("original") { try subject.train(subject.training, nil) }
      original.name = "original"
      audited.insert(original, at: 0)
    }
    if options.oracle {
      var oracle = try timer.time("oracle") { try subject.trainRetained(nil) }
      oracle.name = "oracle"
      audited.append(oracle)
    }
    return audited
  }

  /// One model's metrics, threshold attacks and MIA-efficacy.
  private static func measure(
    _ model: AuditedModel, subject: AuditSubject, test: Dataset, rows: AuditRows,
    attacks: [AuditAttack], seed: UInt64, timer: inout StageTimer
  ) throws -> AuditReport.Model {
    let (forget, retain) = (subject.forget, subject.retain)
    let metrics = UnlearningMetrics(model, forget: forget, retain: retain, test: test)
    var results: [AttackResult] = []
    var efficacy = 0.0
    if !forget.isEmpty {
      results = timer.time("threshold attacks") {
        ThresholdAttack.run(
          attacks.compactMap(\.signal), model,
          retain: (rows.members.features, rows.members.labels),
          calibration: (rows.calibration.features, rows.calibration.labels),
          forget: (forget.features, forget.labels),
          test: (rows.judged.features, rows.judged.labels))
      }
      efficacy = try timer.time("mia-efficacy") {
        try MIAEfficacy.compute(
          model, retain: rows.members, test: rows.calibration, forget: forget, seed: seed)
      }
    }
    return AuditReport.Model(
      name: model.name, metrics: metrics, unlearningAccuracy: metrics.unlearningAccuracy,
      attacks: results, miaEfficacy: efficacy)
  }
}
