import Foundation

/// A self-contained HTML page for people: a summary table, ROC curves per attack (log-scale
/// FPR), loss histograms of forgotten / kept / test rows per model, and the gaps to the
/// oracle as bars. Inline SVG and CSS only — no script, no network — so it opens anywhere
/// and can be archived with the ledger entry it describes.
public struct HTMLReport {
  public struct Model {
    public var name: String
    public var unlearningAccuracy: Double
    public var retainAccuracy: Double
    public var testAccuracy: Double
    public var miaEfficacy: Double
    public var attacks: [AttackResult]
    /// Per-row losses by set name ("forget", "retain", "test").
    public var losses: [String: [Double]]

    public init(
      name: String, unlearningAccuracy: Double, retainAccuracy: Double, testAccuracy: Double,
      miaEfficacy: Double, attacks: [AttackResult], losses: [String: [Double]]
    ) {
      self.name = name
      self.unlearningAccuracy = unlearningAccuracy
      self.retainAccuracy = retainAccuracy
      self.testAccuracy = testAccuracy
      self.miaEfficacy = miaEfficacy
      self.attacks = attacks
      self.losses = losses
    }
  }

  public var title: String
  /// Lines under the title (store, version, row counts, the ledger entry).
  public var context: [String]
  public var models: [Model]
  /// Gaps of the unlearned model to the oracle, by metric, and their mean.
  public var gaps: [String: Double]?
  public var averageGap: Double?
  /// The ε-score of the unlearning method, when measured.
  public var epsilonScore: EpsilonScore?
  /// Seconds per stage of the audit.
  public var timings: [String: Double]
  /// The one-line answer shown first.
  public var verdict: AuditVerdict?
  /// Trigger success rates and the deletion test, for a backdoored model.
  public var backdoor: BackdoorVerification?

  public init(
    title: String, context: [String], models: [Model], gaps: [String: Double]?,
    averageGap: Double?, epsilonScore: EpsilonScore? = nil, timings: [String: Double] = [:],
    verdict: AuditVerdict? = nil, backdoor: BackdoorVerification? = nil
  ) {
    self.verdict = verdict
    self.backdoor = backdoor
    self.title = title
    self.context = context
    self.models = models
    self.gaps = gaps
    self.averageGap = averageGap
    self.epsilonScore = epsilonScore
    self.timings = timings
  }

  /// The stroke colour of the i-th model's curves (mod the count). Public so that the
  /// rendering check can look for these colours in a screenshot of the page.
  public static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]

  public func render() -> String {
    var html = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
      <style>
      body{font-family:system-ui,sans-serif;margin:2em;max-width:72em;color:#222}
      table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}
      th:first-child,td:first-child{text-align:left}figure{display:inline-block;margin:.5em}
      figcaption{font-size:.9em;text-align:center}svg text{font-size:11px}
      </style></head><body>
      <h1>\(escape(title))</h1>

      """
    for line in context { html += "<p>\(escape(line))</p>\n" }
    html += summaryTable()
    if let gaps { html += "<h2>Gaps to the oracle</h2>\n" + gapChart(gaps) }
    html += "<h2>ROC curves (members: forgotten rows; non-members: test rows)</h2>\n"
    for (i, attack) in (models.first?.attacks ?? []).enumerated() {
      html += rocChart(attackIndex: i, name: attack.name)
    }
    html += "<h2>Loss histograms</h2>\n"
    for set in ["forget", "retain", "test"] where models.contains(where: { $0.losses[set] != nil })
    {
      html += histogram(set: set)
    }
    if let epsilonScore { html += "<h2>ε-score</h2>\n" + epsilonChart(epsilonScore) }
    if let backdoor { html += backdoorTable(backdoor) }
    if !timings.isEmpty { html += timingTable() }
    html += "</body></html>\n"
    return html
  }

  private func summaryTable() -> String {
    var t = "<h2>Summary</h2>\n"
    if let verdict {
      t +=
        "<p class=\"verdict\" style=\"font-size:1.2em;color:\(verdict.indistinguishable ? "#2ca02c" : "#d62728")\"><b>\(escape(verdict.summary))</b></p>\n"
    }
    t += "<table><tr><th>model</th><th>UA</th><th>RA</th><th>TA</th><th>MIA-efficacy</th></tr>\n"
    for m in models {
      t += "<tr><td>\(escape(m.name))</td>"
      t +=
        [m.unlearningAccuracy, m.retainAccuracy, m.testAccuracy, m.miaEfficacy].map {
          "<td>\(f($0))</td>"
        }.joined() + "</tr>\n"
    }
    if let averageGap {
      t += "<tr><td colspan=\"5\">Avg. Gap to the oracle: \(f(averageGap))</td></tr>\n"
    }
    t += "</table>\n"
    let attacks = models.first?.attacks ?? []
    guard !attacks.isEmpty else { return t }
    t += "<table><tr><th>attack</th>"
    t += models.map { "<th>\(escape($0.name)) AUC</th>" }.joined()
    t += models.map { "<th>\(escape($0.name)) TPR at 1 % FPR</th>" }.joined()
    t += "<th>chance (1σ)</th></tr>\n"
    for (i, attack) in attacks.enumerated() {
      t += "<tr><td>\(escape(attack.name))</td>"
      t += models.map { i < $0.attacks.count ? "<td>\(f($0.attacks[i].auc))</td>" : "<td>-</td>" }
        .joined()
      t += models.map {
        i < $0.attacks.count ? "<td>\(f($0.attacks[i].tprAt1PercentFPR))</td>" : "<td>-</td>"
      }.joined()
      t += "<td>0.5 ± \(String(format: "%.3f", attack.aucNoise))</td></tr>\n"
    }
    return t + "</table>\n"
  }

  private func f(_ x: Double) -> String { String(format: "%.4f", x) }

  /// Plot area 300 × 220 inside a 360 × 270 SVG.
  private func frame(_ content: String, caption: String, xLabel: String, yLabel: String) -> String {
    """
    <figure><svg xmlns="http://www.w3.org/2000/svg" width="360" height="270" viewBox="0 0 360 270">
    <rect x="50" y="10" width="300" height="220" fill="none" stroke="#888"/>
    \(content)
    <text x="200" y="262" text-anchor="middle">\(escape(xLabel))</text>
    <text x="12" y="120" transform="rotate(-90 12 120)" text-anchor="middle">\(escape(yLabel))</text>
    </svg><figcaption>\(escape(caption))</figcaption></figure>

    """
  }

  private func legend() -> String {
    models.enumerated().map { i, m in
      "<text x=\"60\" y=\"\(26 + 14 * i)\" fill=\"\(Self.colors[i % Self.colors.count])\">\(escape(m.name))</text>"
    }.joined(separator: "\n")
  }

  private func rocChart(attackIndex: Int, name: String) -> String {
    // FPR on a log axis from 1e-3 to 1; points below 1e-3 sit on the axis.
    func x(_ fpr: Double) -> Double { 50 + 300 * (log10(max(fpr, 1e-3)) + 3) / 3 }
    func y(_ tpr: Double) -> Double { 230 - 220 * tpr }
    var content = "<polyline fill=\"none\" stroke=\"#bbb\" stroke-dasharray=\"4 3\" points=\""
    content +=
      stride(from: -3.0, through: 0, by: 0.25).map { e in
        let v = pow(10, e)
        return "\(r(x(v))),\(r(y(v)))"
      }.joined(separator: " ") + "\"/>\n"
    for (i, m) in models.enumerated() where attackIndex < m.attacks.count {
      let a = m.attacks[attackIndex]
      let points = zip(a.rocFPR, a.rocTPR).map { "\(r(x($0))),\(r(y($1)))" }
      content +=
        "<polyline class=\"roc\" fill=\"none\" stroke=\"\(Self.colors[i % Self.colors.count])\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>\n"
    }
    for e in [-3, -2, -1, 0] {
      content +=
        "<text x=\"\(r(x(pow(10, Double(e)))))\" y=\"245\" text-anchor=\"middle\">1e\(e)</text>\n"
    }
    content += legend()
    let aucs = models.compactMap { m in
      attackIndex < m.attacks.count ? "\(m.name) \(f(m.attacks[attackIndex].auc))" : nil
    }
    return frame(
      content, caption: "\(name) — AUC: \(aucs.joined(separator: ", "))",
      xLabel: "false-positive rate (log)", yLabel: "true-positive rate")
  }

  private func histogram(set: String) -> String {
    let all = models.flatMap { $0.losses[set] ?? [] }.filter(\.isFinite)
    let top = max(all.sorted().dropLast(all.count / 100).last ?? 1, 1e-6)  // 99th percentile
    let bins = 30
    var content = ""
    var peak = 0.0
    var curves: [[Double]] = []
    for m in models {
      let losses = m.losses[set] ?? []
      var counts = [Double](repeating: 0, count: bins)
      for l in losses where l.isFinite { counts[min(bins - 1, Int(l / top * Double(bins)))] += 1 }
      let total = max(1, Double(losses.count))
      curves.append(counts.map { $0 / total })
      peak = max(peak, curves.last!.max() ?? 0)
    }
    for (i, curve) in curves.enumerated() {
      var points: [String] = []
      for (b, v) in curve.enumerated() {
        let (x0, x1) = (
          50 + 300 * Double(b) / Double(bins), 50 + 300 * Double(b + 1) / Double(bins)
        )
        let y = 230 - 220 * v / max(peak, 1e-12)
        points += ["\(r(x0)),\(r(y))", "\(r(x1)),\(r(y))"]
      }
      content +=
        "<polyline class=\"histogram\" fill=\"none\" stroke=\"\(Self.colors[i % Self.colors.count])\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>\n"
    }
    content +=
      "<text x=\"50\" y=\"245\">0</text><text x=\"350\" y=\"245\" text-anchor=\"end\">\(String(format: "%.2f", top))</text>\n"
    content += legend()
    return frame(
      content, caption: "loss on the \(set) rows (fraction of rows per bin)",
      xLabel: "cross-entropy loss", yLabel: "fraction of rows")
  }

  private func gapChart(_ gaps: [String: Double]) -> String {
    let names = ["UA", "RA", "TA", "MIA-efficacy"].filter { gaps[$0] != nil }
    let top = max(gaps.values.max() ?? 0, 0.01)
    var content = ""
    for (i, name) in names.enumerated() {
      let h = 220 * gaps[name]! / top
      let x = 70 + 70 * Double(i)
      content +=
        "<rect class=\"gap\" x=\"\(r(x))\" y=\"\(r(230 - h))\" width=\"40\" height=\"\(r(h))\" fill=\"#1f77b4\"/>\n"
      content +=
        "<text x=\"\(r(x + 20))\" y=\"245\" text-anchor=\"middle\">\(escape(name))</text>\n"
      content +=
        "<text x=\"\(r(x + 20))\" y=\"\(r(225 - h))\" text-anchor=\"middle\">\(f(gaps[name]!))</text>\n"
    }
    let caption =
      gaps.values.allSatisfy { $0 == 0 }
      ? "every gap is 0: the unlearned model is the oracle" : "|unlearned − oracle| per metric"
    return frame(content, caption: caption, xLabel: "", yLabel: "absolute gap")
  }

  /// Rows per ε bucket: the score's buckets of width ½ up to the ceiling, then "≥ ceiling".
  private func epsilonChart(_ e: EpsilonScore) -> String {
    let top = Double(max(e.bucketCounts.max() ?? 1, 1))
    let width = 260 / Double(max(e.bucketCounts.count, 1))
    var content = ""
    for (b, count) in e.bucketCounts.enumerated() {
      let h = 200 * Double(count) / top  // room for the count above the tallest bar
      let x = 60 + width * Double(b)
      let label =
        b < e.bucketCounts.count - 1
        ? String(format: "%.1f–%.1f", 0.5 * Double(b), 0.5 * Double(b + 1))
        : String(format: "≥ %.1f", e.ceiling)
      content +=
        "<rect class=\"epsilon\" x=\"\(r(x + 2))\" y=\"\(r(230 - h))\" width=\"\(r(width - 4))\" height=\"\(r(h))\" fill=\"#2ca02c\"/>\n"
      content +=
        "<text x=\"\(r(x + width / 2))\" y=\"245\" text-anchor=\"middle\">\(escape(label))</text>\n"
      content +=
        "<text x=\"\(r(x + width / 2))\" y=\"\(r(225 - h))\" text-anchor=\"middle\">\(count)</text>\n"
    }
    return frame(
      content,
      caption: String(
        format: "per-row ε of %d forgotten rows (K = %d per side, δ = %g): forget score %.4f",
        e.epsilons.count, e.models, e.delta, e.forgetScore),
      xLabel: "ε bucket", yLabel: "rows")
  }

  private func backdoorTable(_ b: BackdoorVerification) -> String {
    var t = "<h2>Backdoor verification</h2>\n"
    t +=
      "<p>\(b.poisonedRows) rows trained with the trigger \(escape(b.trigger)) and label \(b.targetLabel); triggered test rows of other classes predicted as \(b.targetLabel):</p>\n"
    t += "<table><tr><th>model</th><th>trigger success</th><th>without trigger</th></tr>\n"
    for r in b.rates {
      t +=
        "<tr><td>\(escape(r.model))</td><td>\(f(r.successRate))</td><td>\(f(r.cleanTargetRate))</td></tr>\n"
    }
    t += "</table>\n"
    if let test = b.test {
      t += String(
        format:
          "<p class=\"backdoor-verdict\"><b>Hypothesis test (Sommer et al.): %@.</b> %d of %d triggered queries succeeded on the unlearned model; deleted ⇒ rate %.4f (oracle), not deleted ⇒ %.4f (original); log likelihood ratio %.1f, p-value %.3g; threshold %d, type-I error %.2g, type-II error %.2g.</p>\n",
        test.verdict, test.successes, test.queries, test.deletedRate, test.notDeletedRate,
        test.logLikelihoodRatio, test.pValue, test.threshold, test.typeIError, test.typeIIError)
    }
    return t
  }

  private func timingTable() -> String {
    var t = "<h2>Timings</h2>\n<table><tr><th>stage</th><th>seconds</th></tr>\n"
    for (stage, seconds) in timings.sorted(by: { $0.value > $1.value }) {
      t += "<tr><td>\(escape(stage))</td><td>\(String(format: "%.2f", seconds))</td></tr>\n"
    }
    return t + "</table>\n"
  }

  private func r(_ v: Double) -> String { String(format: "%.1f", v) }

  private func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}
