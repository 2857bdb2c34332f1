import ExpungeAudit
import Foundation

extension AuditCommand {
  /// The audit as a table on stdout.
  static func printSummary(_ report: AuditReport, console: Console) {
    console.print(
      "Audit of \(report.subject): \(report.forgottenRows) forgotten, \(report.retainedRows) kept, \(report.testRows) test rows"
    )
    for note in report.notes { console.print("  note: \(note)") }
    func pad(_ s: String, _ n: Int) -> String {
      s + String(repeating: " ", count: max(0, n - s.count))
    }
    func f(_ x: Double) -> String { String(format: "%.4f", x) }
    let attackNames = report.models.first?.attacks.map(\.name) ?? []
    let width = max(9, (attackNames.map(\.count).max() ?? 0) + 1)
    console.print(
      "  " + pad("model", 11) + ["UA", "RA", "TA", "MIA-eff."].map { pad($0, 9) }.joined())
    for r in report.models {
      console.print(
        "  " + pad(r.name, 11)
          + [
            r.unlearningAccuracy, r.metrics.retain.accuracy, r.metrics.test.accuracy, r.miaEfficacy,
          ]
          .map { pad(f($0), 9) }.joined())
    }
    if !attackNames.isEmpty {
      let noise = report.models[0].attacks.first.map { String(format: "±%.3f", $0.aucNoise) } ?? ""
      console.print(
        "  " + pad("attack AUC", width) + report.models.map { pad($0.name, 11) }.joined()
          + "chance: 0.5 \(noise) (1σ)")
      for (i, name) in attackNames.enumerated() {
        console.print(
          "  " + pad(name, width)
            + report.models.map { pad(i < $0.attacks.count ? f($0.attacks[i].auc) : "-", 11) }
            .joined())
      }
    }
    if let e = report.epsilonScore {
      console.print(
        String(
          format:
            "  epsilon-score: forget score %.4f over %d rows (K = %d per side, δ = %g, bucket ceiling ε = %g); median ε %.3f",
          e.forgetScore, e.epsilons.count, e.models, e.delta, e.ceiling,
          e.epsilons.sorted()[e.epsilons.count / 2]))
    }
    if let c = report.oracleComparison {
      console.print(
        String(
          format:
            "  unlearned vs oracle: Avg. Gap %.4f, JS divergence forget %.2e / test %.2e, parameter distance %@",
          c.averageGap, c.jsDivergenceForget, c.jsDivergenceTest,
          c.parameterDistance.map { String(format: "%.3g", $0) } ?? "-"))
    }
    if let b = report.backdoor {
      let rates = b.rates.map { String(format: "%@ %.4f", $0.model, $0.successRate) }
      console.print(
        "  backdoor (\(b.trigger) → class \(b.targetLabel), \(b.poisonedRows) rows): trigger success \(rates.joined(separator: ", "))"
      )
      if let t = b.test {
        console.print(
          String(
            format: "  backdoor test: %@ (%d of %d triggered queries; p-value %.3g under deleted)",
            t.verdict, t.successes, t.queries, t.pValue))
      }
    }
    if let verdict = report.verdict { console.print("  verdict: \(verdict.summary)") }
    let stages = report.timings.sorted { $0.value > $1.value }
      .map { "\($0.key) \(ProgressBar.duration($0.value))" }
    console.print(
      "  in \(ProgressBar.duration(report.seconds)) (\(stages.joined(separator: ", ")))")
  }
}
