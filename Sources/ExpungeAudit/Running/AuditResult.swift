import ExpungeData

/// What `Audit.run` returns: the report, and the audited models the HTML page draws from.
public struct AuditResult {
  /// Every number, as `expunge audit --json` prints it.
  public var report: AuditReport
  /// The subject as audited (its notes include the audit's own).
  public var subject: AuditSubject
  /// The original (if trained), the model under audit and the oracle (if trained), in the
  /// order of `report.models`.
  public var models: [AuditedModel]
  /// The held-out rows, as the audit read them.
  public var test: Dataset

  /// The audit as a self-contained HTML page: summary, ROC curves, loss histograms of the
  /// forgotten, kept and test rows, gaps to the oracle.
  /// - Complexity: one pass of each audited model over the forgotten, kept and test rows.
  public func htmlReport() -> HTMLReport {
    func losses(_ model: AuditedModel, _ data: Dataset) -> [Double] {
      MembershipSignal.loss.scores(model.posteriors(data.features), labels: data.labels).map {
        -$0
      }
    }
    var context = [
      "\(subject.title): \(report.forgottenRows) forgotten, \(report.retainedRows) kept, \(report.testRows) test rows."
    ]
    if let entry = subject.ledgerEntry { context.append(entry) }
    context += report.notes
    context.append(
      "Attacks: \(report.configuration.attacks.joined(separator: ", ")); K = \(report.configuration.referenceModels) reference models per role; seed \(report.configuration.seed)."
    )
    return HTMLReport(
      title: "Expunge audit of \(subject.name)", context: context,
      models: zip(models, report.models).map { model, r in
        HTMLReport.Model(
          name: r.name, unlearningAccuracy: r.unlearningAccuracy,
          retainAccuracy: r.metrics.retain.accuracy, testAccuracy: r.metrics.test.accuracy,
          miaEfficacy: r.miaEfficacy, attacks: r.attacks,
          losses: [
            "forget": losses(model, subject.forget), "retain": losses(model, subject.retain),
            "test": losses(model, test),
          ].filter { !$0.value.isEmpty })
      }, gaps: report.oracleComparison?.gaps, averageGap: report.oracleComparison?.averageGap,
      epsilonScore: report.epsilonScore,
      timings: report.timings.merging(["total": report.seconds]) { a, _ in a },
      verdict: report.verdict, backdoor: report.backdoor)
  }
}
