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

  public init(
    title: String, context: [String], models: [Model], gaps: [String: Double]?,
    averageGap: Double?
  ) {
    self.title = title
    self.context = context
    self.models = models
    self.gaps = gaps
    self.averageGap = averageGap
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
    html += "</body></html>\n"
    return html
  }

  private func summaryTable() -> String {
    let attackNames = models.first?.attacks.map(\.name) ?? []
    var t = "<table><tr><th>model</th><th>UA</th><th>RA</th><th>TA</th>"
    t += attackNames.map { "<th>\(escape($0)) AUC</th>" }.joined() + "<th>MIA-efficacy</th></tr>\n"
    for m in models {
      t += "<tr><td>\(escape(m.name))</td>"
      t += [m.unlearningAccuracy, m.retainAccuracy, m.testAccuracy].map { "<td>\(f($0))</td>" }
        .joined()
      t +=
        m.attacks.map { "<td>\(f($0.auc))</td>" }.joined() + "<td>\(f(m.miaEfficacy))</td></tr>\n"
    }
    if let averageGap {
      t +=
        "<tr><td colspan=\"\(5 + attackNames.count)\">Avg. Gap to the oracle: \(f(averageGap))</td></tr>\n"
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

  private func r(_ v: Double) -> String { String(format: "%.1f", v) }

  private func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}
